//! Import throughput: a simulated help center of 2,000 articles and ~6,000
//! image references (rate limits off), imported end to end into a fresh
//! SQLite file. Prints articles/s, images/s and peak RSS.
//!
//! cargo run --release -p shotkeeper-core --example bench_import [-- ARTICLES IMAGES_PER_ARTICLE PROVIDER]

use std::sync::Arc;
use std::time::Instant;

use shotkeeper_core::integrations::{NewIntegration, SecretInput};
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::App;
use shotkeeper_sim::{SimOptions, SimProvider};
use tokio_util::sync::CancellationToken;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let articles: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let per_article: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(3);
    let (provider, kind) = match args.get(2).map(String::as_str) {
        Some("helpcenterio") => (SimProvider::Helpcenterio, ProviderKind::Helpcenterio),
        Some("helpcenter") => (SimProvider::Helpcenter, ProviderKind::Helpcenter),
        _ => (SimProvider::Helpjuice, ProviderKind::Helpjuice),
    };

    let mut o = SimOptions::new(provider);
    o.articles = articles;
    o.images_per_article = per_article;
    o.rate_limit_per_minute = Some(0);
    let t = Instant::now();
    let sim = shotkeeper_sim::start(o).await.expect("simulator");
    println!(
        "generated {} documents / {} image refs / {} distinct URLs in {:.2}s",
        sim.expected.documents,
        sim.expected.image_refs,
        sim.expected.distinct_urls,
        t.elapsed().as_secs_f64()
    );

    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await.unwrap();
    std::env::set_var("BENCH_TOKEN", &sim.token);
    let mut settings = sim.settings.clone();
    settings.insert("requests_per_minute".into(), "0".into());
    let id = app
        .add_integration(NewIntegration {
            label: "bench".into(),
            provider: kind,
            base_url: Some(sim.api_base.clone()),
            settings,
            secret: SecretInput::Env {
                name: "BENCH_TOKEN".into(),
            },
        })
        .await
        .unwrap()
        .integration
        .id;

    let t = Instant::now();
    let view = app
        .run_import(&id, None, Arc::new(|_| {}), CancellationToken::new())
        .await
        .expect("import");
    let secs = t.elapsed().as_secs_f64();
    let a = view.total.articles.success;
    let refs = view.total.images.total;
    let downloads = sim.image_requests();
    println!(
        "imported {a} articles, {refs} image refs ({} unique, {downloads} downloads) in {secs:.2}s",
        view.total.images.unique
    );
    println!("articles/s: {:.0}", a as f64 / secs);
    println!("image refs/s: {:.0}", refs as f64 / secs);
    println!("downloads/s: {:.0}", downloads as f64 / secs);
    println!("peak RSS: {:.1} MiB", peak_rss_mib());
    assert_eq!(a, sim.expected.documents, "every article imported");
    sim.shutdown().await;
}
