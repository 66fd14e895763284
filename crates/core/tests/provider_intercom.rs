//! Intercom Articles client against the Intercom simulator.

mod common;
mod provider_common;

use provider_common::*;
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::providers::{registry, ArticleRef};
use shotkeeper_core::App;
use shotkeeper_core::CoreError;
use shotkeeper_sim::SimProvider;
use tokio_util::sync::CancellationToken;

const P: SimProvider = SimProvider::Intercom;
const K: ProviderKind = ProviderKind::Intercom;

#[tokio::test]
async fn lists_every_document_over_several_pages() {
    // 250 per page: 300 articles are two pages; translated_content gives
    // the Spanish documents in the same answers.
    let sim = sim(P, |o| {
        o.articles = 300;
        o.images_per_article = 1;
    })
    .await;
    let hc = client(&sim, K);
    let (docs, pages) = list_all(hc.as_ref()).await.unwrap();
    assert_eq!(pages, 2);
    assert_eq!(sim.api_requests(), 2);
    assert_eq!(docs.len() as u64, sim.expected.documents);
    assert_eq!(distinct_ids(&docs) as u64, sim.expected.articles);
    let published = docs.iter().filter(|d| d.is_published).count() as u64;
    assert_eq!(published, sim.expected.published);
    assert!(docs
        .iter()
        .any(|d| d.article.locale.as_deref() == Some("es")));
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
async fn get_update_and_read_back_each_translation() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    let en = ArticleRef::new("9300000");
    let es = ArticleRef::with_locale("9300000", Some("es".into()));
    let got_en = hc.get_article(&en).await.unwrap();
    let got_es = hc.get_article(&es).await.unwrap();
    assert_eq!(got_en.html, sim.article_html("9300000", None));
    assert_eq!(got_es.html, sim.article_html("9300000", Some("es")));

    let new_es = edited(got_es.html.as_deref().unwrap(), "shotkeeper-es");
    hc.update_article_html(&es, &new_es).await.unwrap();
    assert_eq!(
        sim.article_html("9300000", Some("es")),
        Some(new_es.clone())
    );
    assert_eq!(
        sim.article_html("9300000", None),
        got_en.html,
        "en untouched"
    );
    let after = hc.get_article(&es).await.unwrap();
    assert_eq!(after.html.as_deref(), Some(new_es.as_str()));
    assert_eq!(
        (after.title, after.is_published),
        (got_es.title, got_es.is_published)
    );

    let new_en = edited(got_en.html.as_deref().unwrap(), "shotkeeper-en");
    hc.update_article_html(&en, &new_en).await.unwrap();
    let after = hc.get_article(&en).await.unwrap();
    assert_eq!(after.html.as_deref(), Some(new_en.as_str()));
    assert_eq!(after.title, got_en.title);
    assert_eq!(sim.article_html("9300000", Some("es")), Some(new_es));

    let e = hc.get_article(&ArticleRef::new("1")).await.unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    let e = hc
        .get_article(&ArticleRef::with_locale("9300000", Some("fr".into())))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    assert!(!hc.supports_upload());
    sim.shutdown().await;
}

#[tokio::test]
async fn region_selects_the_host_unless_a_base_url_is_given() {
    let sim = sim(P, |_| {}).await;
    let mut i = integration(&sim, K);
    i.settings.insert("region".into(), "mars".into());
    // An explicit base URL wins over the region.
    assert!(registry::build(&i, "t").is_ok());
    i.base_url = None;
    assert!(registry::build(&i, "t").is_err());
    i.settings.insert("region".into(), "eu".into());
    assert!(registry::build(&i, "t").is_ok());
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

    let hc = client(&sim, K);
    let es = ArticleRef::with_locale("9300004", Some("es".into()));
    let html = hc.get_article(&es).await.unwrap().html.unwrap();
    let new_html = edited(&html, "round-trip");
    hc.update_article_html(&es, &new_html).await.unwrap();
    assert_eq!(
        hc.get_article(&es).await.unwrap().html.as_deref(),
        Some(new_html.as_str())
    );
    sim.shutdown().await;
}
