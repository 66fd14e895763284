//! Freshdesk Solutions client against the Freshdesk simulator.

mod common;
mod provider_common;

use std::collections::HashMap;

use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
use provider_common::*;
use shotkeeper_core::app_update::PlanRequest;
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::providers::{registry, ArticleRef};
use shotkeeper_core::App;
use shotkeeper_core::CoreError;
use shotkeeper_sim::SimProvider;
use tokio_util::sync::CancellationToken;

const P: SimProvider = SimProvider::Freshdesk;
const K: ProviderKind = ProviderKind::Freshdesk;
/// The first sample article; every fourth has a German translation.
const FIRST: &str = "43000500000";

#[tokio::test]
async fn lists_every_document_over_several_pages_folders_and_languages() {
    // 600 articles over 4 folders (2 categories) are 150 per folder: two
    // pages of at most 100 each, the second announced by a Link header.
    // The German translations (one in four, all in the first folder) are
    // two pages there and an empty page in each other folder.
    let sim = sim(P, |o| {
        o.articles = 600;
        o.images_per_article = 1;
    })
    .await;
    let hc = client(&sim, K);
    let (docs, pages) = list_all(hc.as_ref()).await.unwrap();
    assert_eq!(pages, 8 + 2 + 3);
    assert_eq!(
        sim.api_requests(),
        1 + 1 + 2 + 13,
        "helpdesk settings, categories, folders of each, then every page"
    );
    assert_eq!(docs.len() as u64, sim.expected.documents);
    assert_eq!(distinct_ids(&docs) as u64, sim.expected.articles);
    let published = docs.iter().filter(|d| d.is_published).count() as u64;
    assert_eq!(published, sim.expected.published);
    let german: Vec<_> = docs
        .iter()
        .filter(|d| d.article.locale.as_deref() == Some("de"))
        .collect();
    assert_eq!(
        german.len() as u64,
        sim.expected.documents - sim.expected.articles
    );
    let mut seen = HashMap::new();
    for d in &docs {
        *seen.entry(d.article.clone()).or_insert(0) += 1;
        assert_eq!(d.url, "", "Freshdesk article JSON has no public URL");
        assert_eq!(
            d.html.as_deref(),
            sim.article_html(&d.article.id, d.article.locale.as_deref())
                .as_deref()
        );
    }
    assert!(seen.values().all(|n| *n == 1), "no document twice");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_resumed_listing_continues_where_it_stopped() {
    let sim = sim(P, |o| {
        o.articles = 300;
        o.images_per_article = 1;
    })
    .await;
    let hc = client(&sim, K);
    let first = hc.list_articles(None).await.unwrap();
    let cursor = first.next.clone().expect("more pages");
    // A fresh client (a restarted app) picks up from the stored cursor.
    let again = client(&sim, K);
    let second = again.list_articles(Some(&cursor)).await.unwrap();
    assert!(!second.articles.is_empty());
    assert!(second
        .articles
        .iter()
        .all(|d| !first.articles.iter().any(|f| f.article == d.article)));
    let e = again.list_articles(Some("nonsense")).await.unwrap_err();
    assert!(e.to_string().contains("restart the import"), "{e}");
    sim.shutdown().await;
}

#[tokio::test]
async fn get_update_and_read_back_each_language() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    let en = ArticleRef::new(FIRST);
    let de = ArticleRef::with_locale(FIRST, Some("de".into()));

    let got_en = hc.get_article(&en).await.unwrap();
    let got_de = hc.get_article(&de).await.unwrap();
    assert_eq!(got_en.html, sim.article_html(FIRST, None));
    assert_eq!(got_de.html, sim.article_html(FIRST, Some("de")));
    assert_ne!(got_en.html, got_de.html);
    assert_eq!(got_de.article, de);

    // The German translation is written back to its own language only.
    let new_de = edited(got_de.html.as_deref().unwrap(), "shotkeeper-de");
    hc.update_article_html(&de, &new_de).await.unwrap();
    assert_eq!(sim.article_html(FIRST, Some("de")), Some(new_de.clone()));
    assert_eq!(sim.article_html(FIRST, None), got_en.html, "en untouched");
    let after = hc.get_article(&de).await.unwrap();
    assert_eq!(after.html.as_deref(), Some(new_de.as_str()));
    assert_eq!(
        (after.title.as_str(), after.is_published),
        (got_de.title.as_str(), got_de.is_published),
        "only the body changed"
    );

    let new_en = edited(got_en.html.as_deref().unwrap(), "shotkeeper-en");
    hc.update_article_html(&en, &new_en).await.unwrap();
    let after = hc.get_article(&en).await.unwrap();
    assert_eq!(after.html.as_deref(), Some(new_en.as_str()));
    assert_eq!(
        (after.title.as_str(), after.is_published),
        (got_en.title.as_str(), got_en.is_published)
    );
    assert_eq!(sim.article_html(FIRST, Some("de")), Some(new_de));

    let e = hc.get_article(&ArticleRef::new("1")).await.unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    let e = hc
        .get_article(&ArticleRef::with_locale(FIRST, Some("fr".into())))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    assert!(e.to_string().contains("fr translation"), "{e}");
    // Article 1 (index 1) has no German translation.
    let e = hc
        .update_article_html(
            &ArticleRef::with_locale("43000500001", Some("de".into())),
            "<p>x</p>",
        )
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn no_upload_of_its_own() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    assert!(!hc.supports_upload());
    let e = hc
        .upload_image(&ArticleRef::new(FIRST), "a.png", "image/png", vec![1])
        .await
        .unwrap_err();
    assert!(e.to_string().contains("S3 or R2"), "{e}");
    assert_eq!(sim.api_requests(), 0, "nothing was sent");
    sim.shutdown().await;
}

#[tokio::test]
async fn verify_and_refused_credentials() {
    let sim = sim(P, |_| {}).await;
    let msg = client(&sim, K).verify().await.unwrap();
    assert!(
        msg.contains("Freshdesk") && msg.contains("Maya Chen"),
        "{msg}"
    );
    let e = client_with_token(&sim, K, "wrong-api-key")
        .verify()
        .await
        .unwrap_err();
    assert!(
        matches!(e, CoreError::BadCredentials { status: 401, .. }),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(text.contains("refused the credentials"), "{text}");
    assert!(!text.contains("wrong-api-key"), "{text}");
    sim.shutdown().await;
}

#[tokio::test]
async fn domain_setting_and_base_url() {
    let sim = sim(P, |_| {}).await;
    let mut i = integration(&sim, K);
    // An explicit base URL makes the domain optional...
    i.settings.remove("domain");
    assert!(registry::build(&i, "k").is_ok());
    // ...without one it is needed, as a name or an address.
    i.base_url = None;
    assert!(registry::build(&i, "k").is_err());
    i.settings
        .insert("domain".into(), "demo.freshdesk.com".into());
    assert!(registry::build(&i, "k").is_ok());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_429_burst_is_retried() {
    let sim = sim(P, |o| o.faults.burst_429 = 2).await;
    let (docs, pages) = list_all(client(&sim, K).as_ref()).await.unwrap();
    assert_eq!(docs.len() as u64, sim.expected.documents);
    // 30 articles: one page per folder in each of the two languages.
    assert_eq!(pages, 8);
    assert_eq!(
        sim.api_requests(),
        2 + 4 + 8,
        "two 429s, the layout, eight pages"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn the_simulators_own_rate_limit_is_waited_out() {
    let sim = sim(P, |o| o.rate_limit_per_minute = Some(30)).await;
    let hc = client(&sim, K);
    let t = std::time::Instant::now();
    for _ in 0..32 {
        hc.verify().await.unwrap();
    }
    assert!(
        sim.api_requests() > 32,
        "some requests were refused and retried"
    );
    assert!(
        t.elapsed() >= std::time::Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_list_that_is_not_json_is_named() {
    let sim = sim(P, |o| o.faults.garbage_list = true).await;
    let e = list_all(client(&sim, K).as_ref()).await.unwrap_err();
    assert!(matches!(e, CoreError::Garbage { .. }), "{e:?}");
    sim.shutdown().await;
}

fn png_bytes(img: &DynamicImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn full_import_counts_equal_the_known_answers_and_update_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await.unwrap();
    let sim = common::start_sim(P, 30, |_| {}).await;
    let id = common::connect(&app, P, &sim).await;
    let view = app
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await
        .expect("import");
    let e = &sim.expected;
    let a = &view.total.articles;
    assert_eq!(a.discovered, e.documents);
    assert_eq!(a.success, e.documents);
    assert_eq!((a.failed, a.skipped, a.pending), (0, 0, 0));
    assert_eq!(view.total.images.total, e.image_refs);
    assert_eq!(view.total.images.unique, e.unique_images);
    assert_eq!(view.total.images.duplicate, e.duplicate);
    assert_eq!(view.total.authors, e.authors);
    assert_eq!(sim.image_requests(), e.distinct_urls);
    let broken = app.broken_images(&view.id).await.unwrap();
    assert_eq!(broken.len() as u64, e.broken_urls);

    // The round trip through the same integration: read, write, read back.
    let hc = client(&sim, K);
    let de = ArticleRef::with_locale("43000500004", Some("de".into()));
    let html = hc.get_article(&de).await.unwrap().html.unwrap();
    let new_html = edited(&html, "round-trip");
    hc.update_article_html(&de, &new_html).await.unwrap();
    assert_eq!(
        hc.get_article(&de).await.unwrap().html.as_deref(),
        Some(new_html.as_str())
    );

    // Replacing a screenshot needs a linked S3/R2 integration: without one
    // the update is refused before anything is written.
    let rows = app.image_rows(&view.id).await.unwrap();
    let ok: Vec<_> = rows
        .iter()
        .filter(|r| r.status_code == 200 && !r.is_duplicate)
        .collect();
    let target = ok
        .iter()
        .find(|r| {
            ok.iter()
                .filter(|o| o.name.eq_ignore_ascii_case(&r.name))
                .count()
                == 1
        })
        .expect("a uniquely named image");
    let shots = tempfile::tempdir().unwrap();
    let shot = shots.path().join(&target.name);
    let picture = DynamicImage::ImageRgba8(RgbaImage::from_fn(97, 41, |x, y| {
        Rgba([(x * 3) as u8, (y * 5) as u8, 77, 255])
    }));
    std::fs::write(&shot, png_bytes(&picture)).unwrap();
    let plan = app
        .plan_update(PlanRequest {
            job_id: view.id.clone(),
            paths: vec![shot],
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        plan.selected_changes() > 0,
        "the screenshot matched by name"
    );
    let before: Vec<_> = (0..30)
        .map(|i| sim.article_html(&(43_000_500_000u64 + i).to_string(), None))
        .collect();
    let e = app
        .apply_plan(
            &plan.id,
            false,
            std::sync::Arc::new(|_| {}),
            CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("Freshdesk") && e.to_string().contains("S3 or R2"),
        "{e}"
    );
    let after: Vec<_> = (0..30)
        .map(|i| sim.article_html(&(43_000_500_000u64 + i).to_string(), None))
        .collect();
    assert_eq!(before, after, "nothing was written");
    sim.shutdown().await;
}
