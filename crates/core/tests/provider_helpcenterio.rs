//! HelpCenter.io client against the HelpCenter.io simulator.

mod provider_common;

use provider_common::*;
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::providers::ArticleRef;
use shotkeeper_core::CoreError;
use shotkeeper_sim::SimProvider;

const P: SimProvider = SimProvider::Helpcenterio;
const K: ProviderKind = ProviderKind::Helpcenterio;

#[tokio::test]
async fn lists_every_language_document_over_several_pages() {
    // 100 per page (the documented cap): 250 articles make three pages.
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
    assert_eq!(distinct_ids(&docs) as u64, sim.expected.articles);
    assert_eq!(distinct_authors(&docs) as u64, sim.expected.authors);
    assert!(sim.expected.authors > 0);
    let published = docs.iter().filter(|d| d.is_published).count() as u64;
    assert_eq!(published, sim.expected.published);
    for d in &docs {
        let lang = d
            .article
            .locale
            .as_deref()
            .expect("every HelpCenter.io document names its language");
        let sim_locale = (lang != "en").then_some(lang);
        assert_eq!(
            d.html,
            sim.article_html(&d.article.id, sim_locale),
            "{}",
            d.article
        );
        assert!(d.url.starts_with(&sim.site_base), "{}", d.url);
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
    let en = ArticleRef::with_locale(id.clone(), Some("en".into()));
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
    assert_eq!(
        hc.get_article(&de.article).await.unwrap().html.as_deref(),
        Some(new_html.as_str())
    );
    // The other language and the publish state are untouched.
    assert_eq!(
        sim.article_html(&id, None).as_deref(),
        Some(en_before.as_str())
    );
    assert_eq!(
        hc.get_article(&en).await.unwrap().is_published,
        got.is_published
    );

    // A document without a locale is the default language.
    let plain = hc.get_article(&ArticleRef::new(id.clone())).await.unwrap();
    assert_eq!(plain.article.locale.as_deref(), Some("en"));

    let e = hc
        .get_article(&ArticleRef::new("999999"))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn read_only_key_update_is_forbidden() {
    let sim = sim(P, |_| {}).await;
    let ro = client_with_token(&sim, K, "read-only-token");
    let (docs, _) = list_all(ro.as_ref()).await.unwrap();
    let doc = &docs[0];
    let before = sim.article_html(&doc.article.id, None);
    let e = ro
        .update_article_html(&doc.article, "<p>x</p>")
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::Forbidden { .. }), "{e:?}");
    assert!(e.to_string().contains("Read Only"), "{e}");
    assert_eq!(sim.article_html(&doc.article.id, None), before);
    sim.shutdown().await;
}

#[tokio::test]
async fn verify_and_bad_token() {
    let sim = sim(P, |_| {}).await;
    let msg = client(&sim, K).verify().await.unwrap();
    assert!(msg.contains("HelpCenter.io"), "{msg}");
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
async fn a_429_burst_is_retried() {
    let sim = sim(P, |o| o.faults.burst_429 = 2).await;
    let (docs, _) = list_all(client(&sim, K).as_ref()).await.unwrap();
    assert_eq!(docs.len() as u64, sim.expected.documents);
    assert_eq!(sim.api_requests(), 3, "two 429s, then the page");
    sim.shutdown().await;
}

#[tokio::test]
async fn garbage_list_names_provider_and_endpoint() {
    let sim = sim(P, |o| o.faults.garbage_list = true).await;
    let e = client(&sim, K).list_articles(None).await.unwrap_err();
    match &e {
        CoreError::Garbage {
            provider, endpoint, ..
        } => {
            assert_eq!(provider, "HelpCenter.io");
            assert_eq!(endpoint, "GET /articles?page=1");
        }
        other => panic!("{other:?}"),
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn the_simulators_own_rate_limit_is_waited_out() {
    // The simulator at 30 per minute (burst 30; Help.Center's burst is
    // twice that) and the client's limiter off: the requests past the burst
    // are answered 429 with the provider's own headers, and waited out.
    rate_limit_is_waited_out(P, 30).await;
}
