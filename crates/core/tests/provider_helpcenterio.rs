//! HelpCenter.io client against the HelpCenter.io simulator.

mod provider_common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use provider_common::*;
use shotkeeper_core::http::{observe_waits, RetryWait, WaitHook};
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::providers::helpcenterio::HelpCenterIo;
use shotkeeper_core::providers::{registry, ArticleRef};
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
async fn a_bare_429_is_waited_out_for_the_documented_wait_and_shown() {
    // The simulator allows 3 requests per (shortened) window and answers 429
    // without any header for the rest of it; the client waits the
    // configured documented wait, once, and says so while it waits.
    let sim = sim(P, |o| {
        o.rate_limit_per_minute = Some(3);
        o.rate_limit_window = Duration::from_millis(1000);
    })
    .await;
    let mut i = integration(&sim, K);
    i.settings
        .insert(registry::WAIT_SETTING.into(), "1.2".into());
    let hc = registry::build(&i, &sim.token).unwrap();
    let notices = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&notices);
    let hook: WaitHook = Arc::new(move |w: &RetryWait| seen.lock().unwrap().push(w.clone()));
    let t = Instant::now();
    observe_waits(hook, async {
        for _ in 0..4 {
            hc.verify().await.unwrap();
        }
    })
    .await;
    assert!(
        t.elapsed() >= Duration::from_millis(1200),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(sim.api_requests(), 5, "one 429, waited out once");
    let notices = notices.lock().unwrap();
    assert_eq!(
        notices[0].message(),
        "rate limited by HelpCenter.io, resuming in 2 s"
    );
    assert_eq!(notices.last().unwrap().remaining, Duration::ZERO);
}

#[test]
fn the_documented_wait_after_a_429_is_a_minute() {
    // "Wait at least one minute and retry": without an override, the client
    // built for an integration waits exactly that after a bare 429.
    let spec = registry::spec(K);
    let cfg = registry::http_config(&spec, &Default::default());
    assert_eq!(cfg.rate_limit_wait, None, "no override in the settings");
    let hc = HelpCenterIo::new(cfg, spec.default_base_url, "key").unwrap();
    assert_eq!(
        hc.http().config().rate_limit_wait,
        Some(Duration::from_secs(60))
    );
}

#[tokio::test]
async fn articles_are_read_from_the_listing_and_title_only_languages_are_no_documents() {
    let sim = sim(P, |o| o.articles = 120).await;
    let hc = client(&sim, K);
    let (docs, _) = list_all(hc.as_ref()).await.unwrap();
    // Articles with a German title and no German content: no German document.
    let body: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/articles?limit=100", sim.api_base))
        .header("apikey", &sim.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let title_only: Vec<String> = body["articles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["title"]["de"].is_string() && a["content"].get("de").is_none())
        .map(|a| a["id"].to_string())
        .collect();
    assert!(!title_only.is_empty());
    for id in &title_only {
        let langs: Vec<_> = docs
            .iter()
            .filter(|d| &d.article.id == id)
            .map(|d| d.article.locale.clone())
            .collect();
        assert_eq!(langs, vec![Some("en".to_string())], "article {id}");
        let de = ArticleRef::with_locale(id.clone(), Some("de".into()));
        let e = hc.get_article(&de).await.unwrap_err();
        assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    }
    // An article on the second page is read (from the listing) and updated.
    let last = docs.last().unwrap().article.clone();
    let before = sim.api_requests();
    let got = hc.get_article(&last).await.unwrap();
    let sim_locale = last.locale.as_deref().filter(|l| *l != "en");
    assert_eq!(got.html, sim.article_html(&last.id, sim_locale));
    assert_eq!(
        sim.api_requests() - before,
        2,
        "two listing pages, no GET of one article"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_german_only_article_has_only_a_german_document() {
    let sim = sim(P, |_| {}).await;
    // Created through the documented POST: an English title (required), German content only.
    let created: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/articles", sim.api_base))
        .header("apikey", &sim.token)
        .json(&serde_json::json!({
            "title": {"en": "Billing", "de": "Abrechnung"},
            "content": {"de": "<p>nur deutsch</p>"}
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["article"]["id"].to_string();
    let hc = client(&sim, K);
    let (docs, _) = list_all(hc.as_ref()).await.unwrap();
    let mine: Vec<_> = docs.iter().filter(|d| d.article.id == id).collect();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0].article.locale.as_deref(), Some("de"));
    assert_eq!(mine[0].title, "Abrechnung");
    // Without a locale, the article's own language: German.
    let plain = ArticleRef::new(id.clone());
    let got = hc.get_article(&plain).await.unwrap();
    assert_eq!(got.article.locale.as_deref(), Some("de"));
    hc.update_article_html(&plain, "<p>neu</p>").await.unwrap();
    assert_eq!(
        sim.article_html(&id, Some("de")).as_deref(),
        Some("<p>neu</p>")
    );
    assert_eq!(
        sim.article_html(&id, None).as_deref(),
        Some(""),
        "no English content was added"
    );
    sim.shutdown().await;
}
