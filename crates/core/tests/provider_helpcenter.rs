//! Help.Center client against the Help.Center simulator.

mod provider_common;

use provider_common::*;
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::providers::{ArticleRef, RemoteArticle};
use shotkeeper_core::CoreError;
use shotkeeper_sim::SimProvider;

const P: SimProvider = SimProvider::Helpcenter;
const K: ProviderKind = ProviderKind::Helpcenter;

/// A real PNG: the upload endpoint sniffs content.
const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

fn main_docs(docs: &[RemoteArticle]) -> impl Iterator<Item = &RemoteArticle> {
    docs.iter().filter(|d| d.article.locale.is_none())
}

#[tokio::test]
async fn lists_every_article_and_translation_over_several_pages() {
    // 100 per page (the documented maximum): 250 articles make three pages.
    let sim = sim(P, |o| {
        o.articles = 250;
        o.images_per_article = 1;
    })
    .await;
    let hc = client(&sim, K);
    let (docs, pages) = list_all(hc.as_ref()).await.unwrap();
    assert_eq!(pages, 3);
    assert_eq!(docs.len() as u64, sim.expected.documents);
    assert_eq!(distinct_ids(&docs) as u64, sim.expected.articles);
    let published = docs.iter().filter(|d| d.is_published).count() as u64;
    assert_eq!(published, sim.expected.published);
    assert!(
        docs.iter().any(|d| d.article.locale.is_some()),
        "translations are documents"
    );
    let translations = docs.len() - main_docs(&docs).count();
    assert_eq!(
        sim.api_requests(),
        3 + translations as u64,
        "one request per page plus one per translation"
    );
    for d in &docs {
        // Listed HTML is the live HTML; pending drafts are left for get_article.
        if let Some(html) = &d.html {
            assert_eq!(
                Some(html),
                sim.article_html(&d.article.id, d.article.locale.as_deref())
                    .as_ref(),
                "{}",
                d.article
            );
        }
    }
    let pending: Vec<_> = main_docs(&docs).filter(|d| d.html.is_none()).collect();
    assert!(!pending.is_empty(), "the sample data has pending drafts");
    for d in pending.iter().take(3) {
        let got = hc.get_article(&d.article).await.unwrap();
        assert_eq!(got.html, sim.article_html(&d.article.id, None));
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn update_published_article_writes_draft_and_publishes() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    let (docs, _) = list_all(hc.as_ref()).await.unwrap();
    let doc = main_docs(&docs)
        .find(|d| d.is_published && d.html.is_some())
        .unwrap();
    let new_html = edited(doc.html.as_deref().unwrap(), "updated");
    hc.update_article_html(&doc.article, &new_html)
        .await
        .unwrap();
    assert_eq!(
        sim.article_html(&doc.article.id, None).as_deref(),
        Some(new_html.as_str())
    );
    let again = hc.get_article(&doc.article).await.unwrap();
    assert_eq!(again.html.as_deref(), Some(new_html.as_str()));
    assert!(again.is_published);
    // In sync again: a second update goes through the same way.
    hc.update_article_html(&doc.article, &edited(&new_html, "twice"))
        .await
        .unwrap();
    sim.shutdown().await;
}

#[tokio::test]
async fn update_translation_writes_its_draft_and_publishes() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    let (docs, _) = list_all(hc.as_ref()).await.unwrap();
    let doc = docs.iter().find(|d| d.article.locale.is_some()).unwrap();
    let lang = doc.article.locale.as_deref();
    let main_before = sim.article_html(&doc.article.id, None);
    let got = hc.get_article(&doc.article).await.unwrap();
    assert_eq!(got.html, sim.article_html(&doc.article.id, lang));
    let new_html = edited(got.html.as_deref().unwrap(), "traducido");
    hc.update_article_html(&doc.article, &new_html)
        .await
        .unwrap();
    assert_eq!(
        sim.article_html(&doc.article.id, lang).as_deref(),
        Some(new_html.as_str())
    );
    assert_eq!(sim.article_html(&doc.article.id, None), main_before);
    sim.shutdown().await;
}

#[tokio::test]
async fn pending_draft_is_refused_before_anything_is_written() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    let (docs, _) = list_all(hc.as_ref()).await.unwrap();
    let doc = main_docs(&docs)
        .find(|d| d.html.is_none())
        .expect("a pending draft");
    let live = sim.article_html(&doc.article.id, None);
    let before = sim.api_requests();
    let e = hc
        .update_article_html(&doc.article, "<p>mine</p>")
        .await
        .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, CoreError::Invalid(_)), "{e:?}");
    assert!(
        msg.contains("unpublished edits") && msg.contains("publish or discard"),
        "{msg}"
    );
    assert_eq!(sim.api_requests(), before + 1, "only the draft was read");
    assert_eq!(sim.article_html(&doc.article.id, None), live);
    sim.shutdown().await;
}

#[tokio::test]
async fn unpublished_article_is_updated_but_not_published() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    let (docs, _) = list_all(hc.as_ref()).await.unwrap();
    let doc = main_docs(&docs)
        .find(|d| !d.is_published)
        .expect("an unpublished article");
    let new_html = edited(doc.html.as_deref().unwrap(), "draft");
    hc.update_article_html(&doc.article, &new_html)
        .await
        .unwrap();
    let got = hc.get_article(&doc.article).await.unwrap();
    assert_eq!(got.html.as_deref(), Some(new_html.as_str()));
    assert!(!got.is_published);
    sim.shutdown().await;
}

#[tokio::test]
async fn read_only_key_update_and_upload_are_forbidden_with_scope_named() {
    let sim = sim(P, |_| {}).await;
    let ro = client_with_token(&sim, K, "read-only-token");
    let (docs, _) = list_all(ro.as_ref()).await.unwrap();
    let doc = main_docs(&docs)
        .find(|d| d.is_published && d.html.is_some())
        .unwrap();
    let before = sim.article_html(&doc.article.id, None);
    let e = ro
        .update_article_html(&doc.article, "<p>x</p>")
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::Forbidden { .. }), "{e:?}");
    assert!(e.to_string().contains("'content.write' scope"), "{e}");
    assert_eq!(sim.article_html(&doc.article.id, None), before);
    let e = ro
        .upload_image(&doc.article, "a.png", "image/png", PNG_1X1.to_vec())
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::Forbidden { .. }), "{e:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn upload_returns_a_url_the_image_host_serves() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    assert!(hc.supports_upload());
    let up = hc
        .upload_image(
            &ArticleRef::new("any"),
            "new shot.png",
            "image/png",
            PNG_1X1.to_vec(),
        )
        .await
        .unwrap();
    assert!(up.url.starts_with(&sim.site_base), "{}", up.url);
    let http =
        shotkeeper_core::http::HttpClient::new(shotkeeper_core::http::HttpConfig::new("test"))
            .unwrap();
    let img = http.fetch_image(&up.url, 1 << 20).await.unwrap();
    assert_eq!(img.status, 200);
    assert_eq!(img.bytes, PNG_1X1);
    let e = hc
        .upload_image(
            &ArticleRef::new("any"),
            "huge.png",
            "image/png",
            vec![0; 10 * 1024 * 1024 + 1],
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("10 MB"), "{e}");
    sim.shutdown().await;
}

#[tokio::test]
async fn verify_and_bad_token() {
    let sim = sim(P, |_| {}).await;
    let msg = client(&sim, K).verify().await.unwrap();
    assert!(msg.contains("Help.Center") && msg.contains("en"), "{msg}");
    let e = client_with_token(&sim, K, "wrong-token")
        .verify()
        .await
        .unwrap_err();
    assert!(
        matches!(e, CoreError::BadCredentials { status: 401, .. }),
        "{e:?}"
    );
    assert!(!e.to_string().contains("wrong-token"));
    sim.shutdown().await;
}

#[tokio::test]
async fn the_documented_base_without_v0_reaches_v0_centers() {
    // "All API requests go to https://api.help.center", with paths
    // /v0/centers/:centerId/...: given the host alone, every call goes there.
    let sim = sim(P, |_| {}).await;
    let mut i = integration(&sim, K);
    i.base_url = Some(sim.site_base.clone());
    let hc = shotkeeper_core::providers::registry::build(&i, &sim.token).unwrap();
    assert_eq!(
        hc.api_base(),
        format!("{}/v0/centers/{}", sim.site_base, sim.settings["center_id"])
    );
    hc.verify().await.unwrap();
    let (docs, _) = list_all(hc.as_ref()).await.unwrap();
    assert_eq!(docs.len() as u64, sim.expected.documents);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_404_at_the_api_root_is_a_wrong_base_url_not_refused_credentials() {
    use shotkeeper_core::integrations::{NewIntegration, SecretInput};
    let sim = sim(P, |_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let app = shotkeeper_core::App::open(dir.path()).await.unwrap();
    let var = format!("SHOTKEEPER_TEST_HC404_{}", std::process::id());
    std::env::set_var(&var, &sim.token);
    let view = app
        .add_integration(NewIntegration {
            label: "wrong base".into(),
            provider: K,
            base_url: Some(format!("{}/api", sim.site_base)),
            settings: sim.settings.clone(),
            secret: SecretInput::Env { name: var },
        })
        .await
        .unwrap();
    let e = app
        .check_integration(&view.integration.id)
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::WrongBaseUrl { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("https://api.help.center/v0"), "{msg}");
    assert!(!msg.contains("credentials"), "{msg}");
    assert!(!msg.contains(&sim.token), "{msg}");
    let result = app.verify_integration(&view.integration.id).await.unwrap();
    assert!(!result.is_connection_successful);
    assert_eq!(result.message, msg);
    sim.shutdown().await;
}
