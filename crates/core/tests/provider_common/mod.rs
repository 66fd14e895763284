//! What every provider test needs: an integration pointing at a simulator,
//! and a bounded walk over the whole listing.

#![allow(dead_code)]

use std::collections::BTreeSet;

use shotkeeper_core::model::{Integration, Platform, ProviderKind, SecretSource};
use shotkeeper_core::providers::kit::ProviderDef;
use shotkeeper_core::providers::registry;
use shotkeeper_core::providers::{HelpCenter, ProviderSpec, RemoteArticle};
use shotkeeper_core::Result;
use shotkeeper_sim::{Sim, SimOptions, SimProvider};

/// HelpCenter.io's rate-limit window in these tests, instead of its minute.
pub const SIM_WINDOW: std::time::Duration = std::time::Duration::from_millis(200);
/// The client's wait after a bare 429 in these tests (the
/// `rate_limit_wait_seconds` setting), just longer than [`SIM_WINDOW`].
pub const CLIENT_WAIT: &str = "0.25";

/// A simulator without its rate limit (tests about limits turn it on).
pub async fn sim(provider: SimProvider, tweak: impl FnOnce(&mut SimOptions)) -> Sim {
    let mut opts = SimOptions::new(provider);
    opts.rate_limit_per_minute = Some(0);
    opts.rate_limit_window = SIM_WINDOW;
    opts.read_only_token = Some("read-only-token".into());
    tweak(&mut opts);
    shotkeeper_sim::start(opts).await.expect("simulator starts")
}

pub fn kind_of(p: SimProvider) -> ProviderKind {
    p.as_str().parse().expect("sim provider is a provider kind")
}

/// The integration a user would create for this simulator, with the
/// client's limiter off (the simulator's is off too) and the wait after a
/// bare 429 matched to the simulator's shortened window.
pub fn integration(sim: &Sim, kind: ProviderKind) -> Integration {
    let mut settings = sim.settings.clone();
    settings.insert(registry::RATE_SETTING.into(), "0".into());
    settings.insert(registry::WAIT_SETTING.into(), CLIENT_WAIT.into());
    Integration {
        id: "test".into(),
        label: "Simulator".into(),
        platform: Platform::Helpcenter,
        provider: kind,
        // A trailing slash, as people paste it.
        base_url: Some(format!("{}/", sim.api_base)),
        settings,
        secret_source: SecretSource::Env("UNUSED".into()),
        created_at: String::new(),
        updated_at: String::new(),
    }
}

pub fn client(sim: &Sim, kind: ProviderKind) -> Box<dyn HelpCenter> {
    registry::build(&integration(sim, kind), &sim.token).expect("client builds")
}

pub fn client_with_token(sim: &Sim, kind: ProviderKind, token: &str) -> Box<dyn HelpCenter> {
    registry::build(&integration(sim, kind), token).expect("client builds")
}

/// What the conformance suite runs against: a simulator, the declaration
/// Shotkeeper builds the client from, and the client's listing page.
#[derive(Clone, Copy)]
pub struct Subject {
    pub sim: SimProvider,
    pub def: &'static ProviderDef,
    pub page_size: u32,
}

impl Subject {
    /// A provider listed in `registry::HELP_CENTERS`, with its simulator.
    pub fn registered(sim: SimProvider, page_size: u32) -> Self {
        let def = registry::def(kind_of(sim)).expect("a registered help center");
        Subject {
            sim,
            def,
            page_size,
        }
    }

    pub fn spec(&self) -> ProviderSpec {
        (self.def.spec)()
    }

    /// Its simulator, without a rate limit unless `tweak` sets one.
    pub async fn start(&self, tweak: impl FnOnce(&mut SimOptions)) -> Sim {
        sim(self.sim, tweak).await
    }

    /// The client a user's integration gets, through the registry's one
    /// path (`build_with` is what `build` runs once it has the declaration).
    pub fn client(&self, sim: &Sim) -> Box<dyn HelpCenter> {
        self.client_with_token(sim, &sim.token)
    }

    pub fn client_with_token(&self, sim: &Sim, token: &str) -> Box<dyn HelpCenter> {
        registry::build_with(self.def, &integration(sim, self.def.kind), token)
            .expect("client builds")
    }
}

impl std::fmt::Debug for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.spec().display_name)
    }
}

/// Every document of every page, and how many pages there were.
pub async fn list_all(hc: &dyn HelpCenter) -> Result<(Vec<RemoteArticle>, usize)> {
    let mut docs = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 1..=1000 {
        let p = hc.list_articles(cursor.as_deref()).await?;
        docs.extend(p.articles);
        match p.next {
            Some(next) => cursor = Some(next),
            None => return Ok((docs, page)),
        }
    }
    panic!("the listing did not end within 1000 pages");
}

pub fn distinct_ids(docs: &[RemoteArticle]) -> usize {
    docs.iter()
        .map(|d| d.article.id.as_str())
        .collect::<BTreeSet<_>>()
        .len()
}

pub fn distinct_authors(docs: &[RemoteArticle]) -> usize {
    docs.iter()
        .filter_map(|d| d.author.as_deref())
        .collect::<BTreeSet<_>>()
        .len()
}

/// `html` with a marker appended, as an image rewrite would change it.
pub fn edited(html: &str, marker: &str) -> String {
    format!("{html}<p>{marker}</p>")
}

/// Every published document that has a public URL can be opened there, and
/// the page shows its title.
pub async fn assert_public_urls_work(docs: &[RemoteArticle]) {
    let mut opened = 0;
    for d in docs.iter().filter(|d| d.is_published && !d.url.is_empty()) {
        let resp = reqwest::get(&d.url).await.unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{} at {}", d.article, d.url);
        let page = resp.text().await.unwrap();
        let title = d
            .title
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;");
        assert!(
            page.contains(&title) || page.contains(&d.title),
            "{} at {}",
            d.article,
            d.url
        );
        opened += 1;
    }
    assert!(opened > 0, "no published document had a public URL");
}
