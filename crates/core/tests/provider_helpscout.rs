//! Help Scout Docs client against the Help Scout simulator, and a full
//! import whose counts equal the simulator's known answers.

mod common;
mod provider_common;

use provider_common::*;
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::providers::ArticleRef;
use shotkeeper_core::CoreError;
use shotkeeper_sim::SimProvider;

const P: SimProvider = SimProvider::Helpscout;
const K: ProviderKind = ProviderKind::Helpscout;

/// The smallest PNG signature the simulator's upload accepts.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

#[tokio::test]
async fn lists_every_collection_over_several_pages_without_bodies() {
    // 4 collections of ~113 articles at 100 per page: 2 pages each.
    let sim = sim(P, |o| {
        o.articles = 450;
        o.images_per_article = 1;
    })
    .await;
    let hc = client(&sim, K);
    let (docs, pages) = list_all(hc.as_ref()).await.unwrap();
    assert_eq!(pages, 8);
    assert_eq!(sim.api_requests(), 9, "one collections call, then 8 pages");
    assert_eq!(docs.len() as u64, sim.expected.documents);
    assert_eq!(
        sim.expected.documents, sim.expected.articles,
        "no translations"
    );
    assert_eq!(distinct_ids(&docs) as u64, sim.expected.articles);
    let published = docs.iter().filter(|d| d.is_published).count() as u64;
    assert_eq!(published, sim.expected.published);
    assert!(published < sim.expected.documents, "drafts are listed too");
    for d in &docs {
        assert_eq!(d.html, None, "list items carry no text");
        assert_eq!(d.article.locale, None);
        assert!(d.url.starts_with(&sim.site_base), "{}", d.url);
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn get_update_and_read_back() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    let (docs, _) = list_all(hc.as_ref()).await.unwrap();
    let draft = docs.iter().find(|d| !d.is_published).unwrap();
    let id = draft.article.id.clone();

    let got = hc.get_article(&draft.article).await.unwrap();
    assert_eq!(got.html, sim.article_html(&id, None));
    assert!(!got.is_published);
    let new_html = edited(got.html.as_deref().unwrap(), "updated");
    hc.update_article_html(&draft.article, &new_html)
        .await
        .unwrap();
    assert_eq!(
        sim.article_html(&id, None).as_deref(),
        Some(new_html.as_str())
    );
    let again = hc.get_article(&draft.article).await.unwrap();
    assert_eq!(again.html.as_deref(), Some(new_html.as_str()));
    assert_eq!(again.title, got.title);
    assert!(!again.is_published, "the update changed only the body");

    let e = hc
        .get_article(&ArticleRef::with_locale(id, Some("de".into())))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    let e = hc
        .get_article(&ArticleRef::new("000000000000000000000000"))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn uploads_through_article_assets() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    assert!(hc.supports_upload());
    let (docs, _) = list_all(hc.as_ref()).await.unwrap();
    let up = hc
        .upload_image(&docs[0].article, "new shot.png", "image/png", PNG.to_vec())
        .await
        .unwrap();
    assert!(
        up.url.starts_with(&format!("{}/uploads/", sim.site_base)),
        "{}",
        up.url
    );
    let body = reqwest::get(&up.url).await.unwrap().bytes().await.unwrap();
    assert_eq!(&body[..], PNG);
    // An unknown article is refused by the provider.
    let e = hc
        .upload_image(&ArticleRef::new("nope"), "a.png", "image/png", PNG.to_vec())
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn verify_and_bad_key() {
    let sim = sim(P, |_| {}).await;
    let msg = client(&sim, K).verify().await.unwrap();
    assert!(msg.contains("Help Scout"), "{msg}");
    assert_eq!(sim.api_requests(), 1);
    let e = client_with_token(&sim, K, "wrong-key")
        .verify()
        .await
        .unwrap_err();
    assert!(
        matches!(e, CoreError::BadCredentials { status: 401, .. }),
        "{e:?}"
    );
    assert!(!e.to_string().contains("wrong-key"));
    sim.shutdown().await;
}

#[tokio::test]
async fn import_counts_equal_the_known_answers() {
    common::import_counts_equal_the_known_answers(P).await;
}

#[tokio::test]
async fn import_then_update_round_trip() {
    common::import_then_update_round_trip(P).await;
}
