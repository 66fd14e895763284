//! Zendesk Guide client against the Zendesk simulator.

mod common;
mod provider_common;

use provider_common::*;
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::providers::ArticleRef;
use shotkeeper_core::App;
use shotkeeper_core::CoreError;
use shotkeeper_sim::SimProvider;
use tokio_util::sync::CancellationToken;

const P: SimProvider = SimProvider::Zendesk;
const K: ProviderKind = ProviderKind::Zendesk;

#[tokio::test]
async fn lists_every_document_over_several_pages_and_locales() {
    // 100 per page is Zendesk's cursor maximum: 250 articles are three
    // pages in en-us, then the German translations (one in four) one page.
    let sim = sim(P, |o| {
        o.articles = 250;
        o.images_per_article = 1;
    })
    .await;
    let hc = client(&sim, K);
    let (docs, pages) = list_all(hc.as_ref()).await.unwrap();
    assert_eq!(pages, 4);
    assert_eq!(sim.api_requests(), 5, "locales, then four pages");
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
    for d in &docs {
        assert!(d.url.starts_with(&sim.site_base), "{}", d.url);
        assert_eq!(
            d.html.as_deref(),
            sim.article_html(&d.article.id, d.article.locale.as_deref())
                .as_deref()
        );
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn get_update_and_read_back_both_locales() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    let source = ArticleRef::new("360001000000");
    let german = ArticleRef::with_locale("360001000000", Some("de".into()));

    let got = hc.get_article(&source).await.unwrap();
    assert_eq!(got.html, sim.article_html(&source.id, None));
    let got_de = hc.get_article(&german).await.unwrap();
    assert_eq!(got_de.html, sim.article_html(&german.id, Some("de")));
    assert_ne!(got.html, got_de.html);

    // The German translation is written back to itself only.
    let new_de = edited(got_de.html.as_deref().unwrap(), "shotkeeper-de");
    hc.update_article_html(&german, &new_de).await.unwrap();
    assert_eq!(
        sim.article_html(&german.id, Some("de")),
        Some(new_de.clone())
    );
    assert_eq!(sim.article_html(&source.id, None), got.html);
    let after_de = hc.get_article(&german).await.unwrap();
    assert_eq!(after_de.html.as_deref(), Some(new_de.as_str()));
    assert_eq!(
        (after_de.title.as_str(), after_de.is_published),
        (got_de.title.as_str(), got_de.is_published)
    );

    // The source document goes to its source locale's translation.
    let new_en = edited(got.html.as_deref().unwrap(), "shotkeeper-en");
    hc.update_article_html(&source, &new_en).await.unwrap();
    let after = hc.get_article(&source).await.unwrap();
    assert_eq!(after.html.as_deref(), Some(new_en.as_str()));
    assert_eq!(after.title, got.title);
    assert_eq!(sim.article_html(&german.id, Some("de")), Some(new_de));

    let e = hc
        .get_article(&ArticleRef::new("999999"))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    let e = hc
        .get_article(&ArticleRef::with_locale("360001000000", Some("fr".into())))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn uploads_an_inline_article_attachment() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    assert!(hc.supports_upload());
    let png = b"\x89PNG\r\n\x1a\nnot-really-a-png".to_vec();
    let up = hc
        .upload_image(
            &ArticleRef::new("360001000000"),
            "shot.png",
            "image/png",
            png.clone(),
        )
        .await
        .unwrap();
    assert!(
        up.url.starts_with(&format!("{}/uploads/", sim.site_base)),
        "{}",
        up.url
    );
    let got = reqwest::get(&up.url).await.unwrap().bytes().await.unwrap();
    assert_eq!(got.to_vec(), png);
    sim.shutdown().await;
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
    common::assert_counts_are_the_known_answers(&app, &view, &sim).await;

    // The round trip through the same integration: read, write, read back.
    let hc = client(&sim, K);
    let de = ArticleRef::with_locale("360001000004", Some("de".into()));
    let html = hc.get_article(&de).await.unwrap().html.unwrap();
    let new_html = edited(&html, "round-trip");
    hc.update_article_html(&de, &new_html).await.unwrap();
    assert_eq!(
        hc.get_article(&de).await.unwrap().html.as_deref(),
        Some(new_html.as_str())
    );
    sim.shutdown().await;
}
