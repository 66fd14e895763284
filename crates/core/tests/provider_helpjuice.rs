//! Helpjuice client against the Helpjuice simulator.

mod provider_common;

use provider_common::*;
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::providers::ArticleRef;
use shotkeeper_core::CoreError;
use shotkeeper_sim::SimProvider;

const P: SimProvider = SimProvider::Helpjuice;
const K: ProviderKind = ProviderKind::Helpjuice;

#[tokio::test]
async fn lists_every_article_over_several_pages() {
    // 1000 per page is the documented maximum the client uses: 1,200 articles
    // make two pages.
    let sim = sim(P, |o| {
        o.articles = 1200;
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
    assert_eq!(distinct_authors(&docs) as u64, sim.expected.authors);
    for d in &docs {
        assert_eq!(d.article.locale, None);
        assert!(d.url.starts_with(&sim.site_base), "{}", d.url);
        assert_eq!(
            d.html.as_deref(),
            sim.article_html(&d.article.id, None).as_deref()
        );
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn get_update_and_read_back() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    let (docs, _) = list_all(hc.as_ref()).await.unwrap();
    let target = &docs[3].article;
    let got = hc.get_article(target).await.unwrap();
    assert_eq!(got.html, sim.article_html(&target.id, None));
    assert_eq!(got.title, docs[3].title);

    let new_html = edited(got.html.as_deref().unwrap(), "shotkeeper");
    hc.update_article_html(target, &new_html).await.unwrap();
    assert_eq!(
        sim.article_html(&target.id, None).as_deref(),
        Some(new_html.as_str())
    );
    assert_eq!(
        hc.get_article(target).await.unwrap().html.as_deref(),
        Some(new_html.as_str())
    );
    // Only the body changed.
    let after = hc.get_article(target).await.unwrap();
    assert_eq!(
        (after.title.as_str(), after.is_published),
        (got.title.as_str(), got.is_published)
    );

    let e = hc
        .get_article(&ArticleRef::new("999999"))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    sim.shutdown().await;
}
