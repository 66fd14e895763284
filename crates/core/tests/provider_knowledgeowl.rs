//! KnowledgeOwl client against the KnowledgeOwl simulator, and a full
//! import whose counts equal the simulator's known answers.

mod common;
mod provider_common;

use provider_common::*;
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::providers::ArticleRef;
use shotkeeper_core::CoreError;
use shotkeeper_sim::SimProvider;

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
    assert_public_urls_work(&docs).await;
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
async fn import_counts_equal_the_known_answers() {
    common::import_counts_equal_the_known_answers(P).await;
}

#[tokio::test]
async fn import_then_update_round_trip() {
    common::import_then_update_round_trip(P).await;
}

#[tokio::test]
async fn older_shape_articles_are_read_and_their_protocol_relative_images_resolve() {
    // The simulator serves every sixth article in the older shape: plain
    // `text`/`title` strings beside the language objects, and no public URL.
    let sim = sim(P, |o| o.articles = 30).await;
    let hc = client(&sim, K);
    let (docs, _) = list_all(hc.as_ref()).await.unwrap();
    assert_eq!(docs.len() as u64, sim.expected.documents, "no article lost");
    let older: Vec<_> = docs.iter().filter(|d| d.url.is_empty()).collect();
    assert!(!older.is_empty(), "some articles in the older shape");
    let mut protocol_relative = 0;
    for d in &older {
        let html = d.html.as_deref().unwrap();
        protocol_relative += html.matches("src=\"//").count();
        let base = shotkeeper_core::providers::image_base(hc.as_ref(), &d.url);
        for img in shotkeeper_core::html::extract_images(html, base).unwrap() {
            if img.is_inline {
                continue;
            }
            assert!(
                img.url.starts_with(&format!("{}/", sim.site_base)),
                "{} in {}: {:?}",
                img.url,
                d.article,
                img.src
            );
            let status = reqwest::get(&img.url).await.unwrap().status().as_u16();
            assert!(status == 200 || status == 404, "{}: {status}", img.url);
        }
    }
    assert!(
        protocol_relative > 0,
        "the older articles use //host/… image URLs"
    );
    sim.shutdown().await;
}
