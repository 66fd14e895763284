//! Every audit rule against the simulator's known answers: the generator
//! plants broken, alt-less, heavy, insecure, hotlinked, duplicate and old
//! images on purpose and counts them by construction (`expected.audit`); an
//! import and `App::audit` with the defaults must find exactly those.

mod common;

use serde_json::Value;
use shotkeeper_core::audit::{AuditConfig, AuditReport, Finding, Rule};
use shotkeeper_sim::{Sim, SimProvider};
use tokio_util::sync::CancellationToken;

/// 24 articles: the planted findings of articles 0-2 and again 20-22.
const ARTICLES: usize = 24;

async fn audited(provider: SimProvider) -> (tempfile::TempDir, Sim, AuditReport) {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let sim = common::start_sim(provider, ARTICLES, |_| {}).await;
    let id = common::connect(&app, provider, &sim).await;
    let view = app
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await
        .expect("import");
    let report = app
        .audit(&view.id, AuditConfig::default())
        .await
        .expect("audit");
    (dir, sim, report)
}

fn of(report: &AuditReport, rule: Rule) -> Vec<&Finding> {
    report.findings.iter().filter(|f| f.rule == rule).collect()
}

/// The port of `http://127.0.0.1:PORT`.
fn port(sim: &Sim) -> &str {
    sim.site_base.rsplit(':').next().unwrap()
}

async fn counts_match(provider: SimProvider) -> (Sim, AuditReport) {
    let (_dir, sim, report) = audited(provider).await;
    // Keyed by rule name, the way a UI compares them.
    let expected = serde_json::to_value(&sim.expected.audit).unwrap();
    let expected = expected.as_object().unwrap();
    assert_eq!(expected.len(), Rule::ALL.len(), "{expected:?}");
    for rule in Rule::ALL {
        let want = expected
            .get(rule.as_str())
            .and_then(Value::as_u64)
            .unwrap_or_else(|| panic!("expected.audit has no {}", rule.as_str()));
        assert_eq!(
            report.counts[&rule],
            want,
            "{provider:?} {}: {:#?}",
            rule.as_str(),
            of(&report, rule)
        );
        assert_eq!(of(&report, rule).len() as u64, want);
        // Every rule is planted (insecure only where it can be served).
        if rule != Rule::Insecure || cfg!(target_os = "linux") {
            assert!(want > 0, "{provider:?}: nothing planted for {rule:?}");
        }
    }
    assert_eq!(sim.expected.audit.broken, sim.expected.broken_urls);

    let site = &sim.site_base;
    let p = port(&sim);
    // Broken: the archive links, 404.
    for f in of(&report, Rule::Broken) {
        assert!(
            f.url.starts_with(&format!("{site}/images/archive/")),
            "{f:?}"
        );
        assert!(f.detail.contains("404"), "{f:?}");
        assert!(!f.articles.is_empty());
    }
    // Heavy: the noise PNG by size, the wide screenshots by their width attribute.
    let heavy = of(&report, Rule::Heavy);
    let noise = format!("{site}/images/originals/full-resolution-export.png");
    let by_size = heavy.iter().find(|f| f.url == noise).expect("noise PNG");
    assert!(
        by_size.detail.contains("over the 500 KiB threshold"),
        "{by_size:?}"
    );
    assert!(by_size.wasted_bytes > 0);
    // Planted in articles 0 and 20 (and their translations).
    assert!(by_size.articles.len() >= 2, "{by_size:?}");
    let wide: Vec<_> = heavy.iter().filter(|f| f.url != noise).collect();
    assert_eq!(wide.len(), 2, "{wide:?}");
    for f in wide {
        assert!(f.url.starts_with(&format!("{site}/images/wide/")), "{f:?}");
        assert!(
            f.detail.contains("1280 px wide but shown at 320 px"),
            "{f:?}"
        );
    }
    // Hotlinked: the same server under other names.
    let hotlinked = of(&report, Rule::Hotlinked);
    let partner = format!("http://localhost:{p}/images/partner/");
    let mirror = format!("http://0.0.0.0:{p}/images/mirror/");
    assert_eq!(
        hotlinked
            .iter()
            .filter(|f| f.url.starts_with(&partner))
            .count(),
        2
    );
    for f in &hotlinked {
        assert!(
            f.url.starts_with(&partner) || f.url.starts_with(&mirror),
            "{f:?}"
        );
        assert!(!f.articles.is_empty());
    }
    // Insecure: plain http on a name that is not loopback.
    for f in of(&report, Rule::Insecure) {
        assert!(f.url.starts_with(&mirror), "{f:?}");
    }
    // Missing alt: the alt-less partner screenshots and the inline icons.
    let missing = of(&report, Rule::MissingAlt);
    assert!(missing.iter().any(|f| f.url.starts_with(&partner)));
    assert!(missing.iter().any(|f| f.url.starts_with("data:image/png")));
    // Old: the noise PNG (2023-2024) but never the recent wide screenshots.
    let old = of(&report, Rule::Old);
    assert!(old.iter().any(|f| f.url == noise));
    assert!(old.iter().all(|f| !f.url.contains("/images/wide/")));
    assert!(old.iter().all(|f| f.detail.contains("days ago")));
    // Duplicates: regular re-uploads on the site, never a planted image.
    for f in of(&report, Rule::Duplicate) {
        assert!(f.url.starts_with(&format!("{site}/images/")), "{f:?}");
        for dir in ["originals", "wide", "partner", "mirror"] {
            assert!(!f.url.contains(&format!("/images/{dir}/")), "{f:?}");
        }
    }
    (sim, report)
}

#[tokio::test]
async fn helpjuice_audit_matches_known_answers() {
    let (sim, report) = counts_match(SimProvider::Helpjuice).await;
    // Helpjuice ids count up from 3844201: the noise PNG is in articles 0 and 20.
    let noise = report
        .findings
        .iter()
        .find(|f| f.rule == Rule::Heavy && f.url.contains("/originals/"))
        .unwrap();
    let mut ids: Vec<&str> = noise
        .articles
        .iter()
        .map(|a| a.external_article_id.as_str())
        .collect();
    ids.sort();
    assert_eq!(ids, ["3844201", "3844221"]);
    // The article really shows it.
    assert!(sim
        .article_html("3844201", None)
        .unwrap()
        .contains(&noise.url));
    sim.shutdown().await;
}

#[tokio::test]
async fn helpcenter_audit_matches_known_answers() {
    let (sim, _) = counts_match(SimProvider::Helpcenter).await;
    sim.shutdown().await;
}

#[tokio::test]
async fn intercom_audit_matches_known_answers() {
    let (sim, _) = counts_match(SimProvider::Intercom).await;
    sim.shutdown().await;
}

/// The desktop demo: 40 Help.Center articles, seed 1.
#[tokio::test]
async fn demo_help_center_audit_matches_known_answers() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let sim = common::start_sim(SimProvider::Helpcenter, 40, |_| {}).await;
    let id = common::connect(&app, SimProvider::Helpcenter, &sim).await;
    let view = app
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await
        .unwrap();
    let report = app.audit(&view.id, AuditConfig::default()).await.unwrap();
    let counts: std::collections::BTreeMap<&str, u64> = report
        .counts
        .iter()
        .map(|(r, n)| (r.as_str(), *n))
        .collect();
    println!("demo audit counts: {counts:?}");
    let expected = serde_json::to_value(&sim.expected.audit).unwrap();
    assert_eq!(serde_json::to_value(&counts).unwrap(), expected);
    sim.shutdown().await;
}
