//! Shared helpers of core's integration tests: a fresh data directory, a
//! simulator, and an integration pointing at it (secret read from an env var,
//! so these tests need no keychain).

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use shotkeeper_core::import::ImportProgress;
use shotkeeper_core::integrations::{NewIntegration, SecretInput};
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::App;
use shotkeeper_sim::{Sim, SimOptions, SimProvider};

pub fn kind_of(p: SimProvider) -> ProviderKind {
    match p {
        SimProvider::Helpjuice => ProviderKind::Helpjuice,
        SimProvider::Helpcenterio => ProviderKind::Helpcenterio,
        SimProvider::Helpcenter => ProviderKind::Helpcenter,
        SimProvider::Helpscout => ProviderKind::Helpscout,
        SimProvider::Knowledgeowl => ProviderKind::Knowledgeowl,
        SimProvider::Zendesk => ProviderKind::Zendesk,
        SimProvider::Intercom => ProviderKind::Intercom,
        SimProvider::Freshdesk => ProviderKind::Freshdesk,
    }
}

static ENV_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Connects `sim` as an integration whose secret is read from a fresh env var.
pub async fn connect(app: &App, provider: SimProvider, sim: &Sim) -> String {
    let var = format!(
        "SHOTKEEPER_TEST_TOKEN_{}_{}",
        std::process::id(),
        ENV_COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    std::env::set_var(&var, &sim.token);
    let mut settings = sim.settings.clone();
    // The simulators' documented limits would slow the tests; the limiter
    // itself is tested in the http tests.
    settings.insert("requests_per_minute".into(), "0".into());
    let view = app
        .add_integration(NewIntegration {
            label: format!("{provider:?} simulator"),
            provider: kind_of(provider),
            base_url: Some(sim.api_base.clone()),
            settings,
            secret: SecretInput::Env { name: var },
        })
        .await
        .expect("add integration");
    view.integration.id
}

pub async fn start_sim(
    provider: SimProvider,
    articles: usize,
    tweak: impl FnOnce(&mut SimOptions),
) -> Sim {
    let mut o = SimOptions::new(provider);
    o.articles = articles;
    o.rate_limit_per_minute = Some(0);
    tweak(&mut o);
    shotkeeper_sim::start(o).await.expect("start simulator")
}

pub fn no_progress() -> Arc<dyn Fn(ImportProgress) + Send + Sync> {
    Arc::new(|_| {})
}
