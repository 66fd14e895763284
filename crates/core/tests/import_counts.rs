//! An import of each simulated help center reports exactly the counts the
//! simulator's generator knows by construction (LaunchBrightly's import API meanings).

mod common;

use shotkeeper_core::model::Dimension;
use shotkeeper_sim::SimProvider;
use tokio_util::sync::CancellationToken;

async fn import_matches_known_answers(provider: SimProvider) {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let sim = common::start_sim(provider, 30, |_| {}).await;
    let id = common::connect(&app, provider, &sim).await;

    let view = app
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await
        .expect("import");
    let e = &sim.expected;
    let a = &view.total.articles;
    assert_eq!(a.discovered, e.documents, "{provider:?}: discovered");
    assert_eq!(a.processed, e.documents, "{provider:?}: processed");
    assert_eq!(a.success, e.documents, "{provider:?}: success");
    assert_eq!((a.failed, a.skipped, a.pending), (0, 0, 0), "{provider:?}");
    assert_eq!(view.summary.total, e.documents);
    assert_eq!(view.summary.success, e.documents);
    assert_eq!(
        view.total.images.total, e.image_refs,
        "{provider:?}: image refs"
    );
    assert_eq!(
        view.total.images.unique, e.unique_images,
        "{provider:?}: unique"
    );
    assert_eq!(
        view.total.images.duplicate, e.duplicate,
        "{provider:?}: duplicate"
    );
    assert_eq!(view.total.authors, e.authors, "{provider:?}: authors");

    // Every distinct URL was downloaded exactly once.
    assert_eq!(
        sim.image_requests(),
        e.distinct_urls,
        "{provider:?}: downloads"
    );

    let broken = app.broken_images(&view.id).await.unwrap();
    assert_eq!(broken.len() as u64, e.broken_urls, "{provider:?}: broken");
    for b in &broken {
        assert_eq!(b.status_code, 404);
        assert_eq!(b.size, 0);
        assert_eq!(
            b.hash,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(!b.articles.is_empty(), "a broken image lists its articles");
    }

    let articles = app
        .job_view(&view.id, Some(Dimension::Articles))
        .await
        .unwrap();
    let list = articles.articles.unwrap();
    assert_eq!(list.len() as u64, e.documents);
    let refs: usize = list.iter().map(|a| a.images.len()).sum();
    assert_eq!(refs as u64, e.image_refs);
    assert_eq!(
        list.iter().filter(|a| a.is_published).count() as u64,
        e.published
    );
    assert!(list
        .iter()
        .all(|a| a.status == "completed" && !a.content.is_empty()));

    let images = app
        .job_view(&view.id, Some(Dimension::Images))
        .await
        .unwrap();
    let list = images.images.unwrap();
    let used: u64 = list.iter().map(|i| i.articles_count).sum();
    assert!(used <= e.image_refs && used > 0);
    // PNG screenshots carry their text metadata through the import.
    assert!(
        list.iter()
            .any(|i| i.kind == "png" && !i.metadata.is_empty()),
        "{provider:?}: some PNG has metadata"
    );
    assert!(list
        .iter()
        .filter(|i| i.status_code == 200)
        .all(|i| i.width > 0 && i.height > 0 && i.size > 0));
    sim.shutdown().await;
}

#[tokio::test]
async fn helpjuice_import_counts() {
    import_matches_known_answers(SimProvider::Helpjuice).await;
}

#[tokio::test]
async fn helpcenterio_import_counts() {
    import_matches_known_answers(SimProvider::Helpcenterio).await;
}

#[tokio::test]
async fn helpcenter_import_counts() {
    import_matches_known_answers(SimProvider::Helpcenter).await;
}

#[tokio::test]
async fn freshdesk_import_counts() {
    import_matches_known_answers(SimProvider::Freshdesk).await;
}

#[tokio::test]
async fn seed_000_field_names_in_both_dimensions() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let sim = common::start_sim(SimProvider::Helpjuice, 5, |_| {}).await;
    let id = common::connect(&app, SimProvider::Helpjuice, &sim).await;
    let view = app
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await
        .unwrap();

    let articles = serde_json::to_value(
        app.job_view(&view.id, Some(Dimension::Articles))
            .await
            .unwrap(),
    )
    .unwrap();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&articles),
        ["articles", "id", "name", "summary", "total"]
    );
    assert_eq!(keys(&articles["total"]), ["articles", "authors", "images"]);
    assert_eq!(
        keys(&articles["total"]["articles"]),
        [
            "discovered",
            "failed",
            "pending",
            "processed",
            "skipped",
            "success",
            "total"
        ]
    );
    assert_eq!(
        keys(&articles["summary"]),
        ["failed", "pending", "skipped", "success", "total"]
    );
    let first = &articles["articles"][0];
    assert_eq!(
        keys(first),
        [
            "content",
            "createdAt",
            "external_article_id",
            "id",
            "images",
            "isPublished",
            "kbid",
            "status",
            "tags",
            "title",
            "updatedAt",
            "url"
        ]
    );
    let with_image = articles["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| !a["images"].as_array().unwrap().is_empty())
        .unwrap();
    assert_eq!(
        keys(&with_image["images"][0]),
        [
            "alt",
            "hash",
            "height",
            "metadata",
            "name",
            "size",
            "statusCode",
            "type",
            "url",
            "width"
        ]
    );

    let images = serde_json::to_value(
        app.job_view(&view.id, Some(Dimension::Images))
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(keys(&images), ["id", "images", "name", "summary", "total"]);
    assert_eq!(
        keys(&images["images"][0]),
        [
            "alt",
            "articles",
            "articlesCount",
            "hash",
            "height",
            "metadata",
            "name",
            "size",
            "statusCode",
            "tags",
            "type",
            "url",
            "width"
        ]
    );
    assert_eq!(
        keys(&images["images"][0]["articles"][0]),
        ["external_article_id", "isPublished", "kbid", "title", "url"]
    );
    sim.shutdown().await;
}
