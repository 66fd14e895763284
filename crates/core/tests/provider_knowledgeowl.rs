//! KnowledgeOwl client against the KnowledgeOwl simulator, and a full
//! import whose counts equal the simulator's known answers.

mod common;
mod provider_common;

use provider_common::*;
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::providers::ArticleRef;
use shotkeeper_core::{App, CoreError};
use shotkeeper_sim::SimProvider;
use tokio_util::sync::CancellationToken;

const P: SimProvider = SimProvider::Knowledgeowl;
const K: ProviderKind = ProviderKind::Knowledgeowl;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

#[tokio::test]
async fn lists_every_language_version_over_several_pages() {
    let sim = sim(P, |o| {
        o.articles = 250;
        o.images_per_article = 1;
    })
    .await;
    let hc = client(&sim, K);
    let (docs, pages) = list_all(hc.as_ref()).await.unwrap();
    assert_eq!(pages, 3);
    assert_eq!(sim.api_requests(), 3);
    assert_eq!(docs.len() as u64, sim.expected.documents);
    assert!(
        sim.expected.documents > sim.expected.articles,
        "translations"
    );
    assert_eq!(distinct_ids(&docs) as u64, sim.expected.articles);
    let published = docs.iter().filter(|d| d.is_published).count() as u64;
    assert_eq!(published, sim.expected.published);
    for d in &docs {
        let lang = d
            .article
            .locale
            .as_deref()
            .expect("every version names its language");
        let sim_locale = (lang != "en").then_some(lang);
        assert_eq!(
            d.html,
            sim.article_html(&d.article.id, sim_locale),
            "{}",
            d.article
        );
    }
    assert!(docs
        .iter()
        .any(|d| d.article.locale.as_deref() == Some("de")));
    sim.shutdown().await;
}

#[tokio::test]
async fn get_update_and_read_back_per_language() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    let (docs, _) = list_all(hc.as_ref()).await.unwrap();
    let de = docs
        .iter()
        .find(|d| d.article.locale.as_deref() == Some("de"))
        .unwrap();
    let id = de.article.id.clone();
    let en_before = sim.article_html(&id, None).unwrap();

    let got = hc.get_article(&de.article).await.unwrap();
    assert_eq!(got.html, sim.article_html(&id, Some("de")));
    let new_html = edited(got.html.as_deref().unwrap(), "aktualisiert");
    hc.update_article_html(&de.article, &new_html)
        .await
        .unwrap();
    assert_eq!(
        sim.article_html(&id, Some("de")).as_deref(),
        Some(new_html.as_str())
    );
    let again = hc.get_article(&de.article).await.unwrap();
    assert_eq!(again.html.as_deref(), Some(new_html.as_str()));
    assert_eq!(again.title, got.title, "title kept");
    assert_eq!(again.is_published, got.is_published, "status kept");
    assert_eq!(
        sim.article_html(&id, None).as_deref(),
        Some(en_before.as_str())
    );

    let plain = hc.get_article(&ArticleRef::new(id.clone())).await.unwrap();
    assert_eq!(plain.article.locale.as_deref(), Some("en"));
    let e = hc
        .get_article(&ArticleRef::with_locale(id, Some("fr".into())))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    let e = hc.get_article(&ArticleRef::new("nope")).await.unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn uploads_through_files() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    assert!(hc.supports_upload());
    let up = hc
        .upload_image(&ArticleRef::new("x"), "shot.png", "image/png", PNG.to_vec())
        .await
        .unwrap();
    assert!(
        up.url.starts_with(&format!("{}/uploads/", sim.site_base)),
        "{}",
        up.url
    );
    let body = reqwest::get(&up.url).await.unwrap().bytes().await.unwrap();
    assert_eq!(&body[..], PNG);
    sim.shutdown().await;
}

#[tokio::test]
async fn verify_bad_key_and_wrong_project() {
    let sim = sim(P, |_| {}).await;
    let msg = client(&sim, K).verify().await.unwrap();
    assert!(msg.contains("KnowledgeOwl"), "{msg}");
    let e = client_with_token(&sim, K, "wrong-key")
        .verify()
        .await
        .unwrap_err();
    assert!(
        matches!(e, CoreError::BadCredentials { status: 401, .. }),
        "{e:?}"
    );
    assert!(!e.to_string().contains("wrong-key"));
    let mut other = integration(&sim, K);
    other
        .settings
        .insert("project_id".into(), "someoneelse".into());
    let hc = shotkeeper_core::providers::registry::build(&other, &sim.token).unwrap();
    assert!(hc.verify().await.is_err());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_429_burst_is_retried() {
    let sim = sim(P, |o| o.faults.burst_429 = 2).await;
    let (docs, _) = list_all(client(&sim, K).as_ref()).await.unwrap();
    assert_eq!(docs.len() as u64, sim.expected.documents);
    assert_eq!(sim.api_requests(), 3, "two 429s, then the page");
    sim.shutdown().await;
}

#[tokio::test]
async fn import_counts_equal_the_known_answers() {
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
    sim.shutdown().await;
}

/// Import, then replace one uniquely named image with a new picture of the
/// same name: the plan uploads it through the provider's own upload and
/// writes the new URL back into every document that used the old one.
#[tokio::test]
async fn import_then_update_round_trip() {
    use std::sync::Arc;

    use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
    use shotkeeper_core::app_update::PlanRequest;

    let dir = tempfile::tempdir().unwrap();
    let shots = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await.unwrap();
    let sim = common::start_sim(P, 12, |_| {}).await;
    let id = common::connect(&app, P, &sim).await;
    let view = app
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await
        .unwrap();
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
    let img = DynamicImage::ImageRgba8(RgbaImage::from_fn(97, 41, |x, y| {
        Rgba([(x * 3) as u8, (y * 5) as u8, 77, 255])
    }));
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, ImageFormat::Png).unwrap();
    let path = shots.path().join(&target.name);
    std::fs::write(&path, png.into_inner()).unwrap();

    let plan = app
        .plan_update(PlanRequest {
            job_id: view.id.clone(),
            paths: vec![path],
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(plan.articles_to_update() >= 1);
    let result = app
        .apply_plan(&plan.id, false, Arc::new(|_| {}), CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(result.summary.failed, 0, "{:?}", result.articles);
    assert!(result.summary.success >= 1);
    for a in &plan.articles {
        let sim_locale = a.locale.as_deref().filter(|l| *l != "en");
        let html = sim.article_html(&a.external_id, sim_locale).unwrap();
        assert!(
            html.contains(&format!("{}/uploads/", sim.site_base)),
            "{} {:?} holds the uploaded image",
            a.external_id,
            a.locale
        );
    }
    sim.shutdown().await;
}
