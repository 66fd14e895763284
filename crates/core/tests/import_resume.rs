//! A job cancelled halfway resumes and finishes without downloading again
//! what it already had; garbage and failures lose nothing.

mod common;

use shotkeeper_core::db::jobs::JobStatus;
use std::collections::HashSet;
use std::sync::Arc;

use shotkeeper_sim::SimProvider;
use tokio_util::sync::CancellationToken;

fn path_of(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.path().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn cancelled_job_resumes_without_downloading_finished_images_again() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let sim = common::start_sim(SimProvider::Helpjuice, 60, |_| {}).await;
    let id = common::connect(&app, SimProvider::Helpjuice, &sim).await;

    // Cancel as soon as some images are stored.
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let progress = Arc::new(move |p: shotkeeper_core::import::ImportProgress| {
        if p.phase == shotkeeper_core::import::ImportPhase::Images && p.images_downloaded >= 16 {
            trigger.cancel();
        }
    });
    let err = app
        .run_import(&id, None, progress, cancel)
        .await
        .unwrap_err();
    assert!(
        matches!(err, shotkeeper_core::CoreError::Cancelled),
        "{err}"
    );

    let jobs = app.list_jobs().await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].status, JobStatus::Cancelled);
    let job_id = jobs[0].id.clone();

    let stored_first: HashSet<String> =
        sqlx::query_scalar::<_, String>("SELECT url FROM images WHERE job_id = $1")
            .bind(&job_id)
            .fetch_all(app.pool())
            .await
            .unwrap()
            .into_iter()
            .collect();
    assert!(
        stored_first.len() >= 16,
        "some images were stored before cancelling"
    );
    assert!(
        (stored_first.len() as u64) < sim.expected.distinct_urls,
        "and not all of them"
    );

    // A new process opening the same data dir sees the job and resumes it.
    drop(app);
    let app = common::open_app(dir.path()).await;
    let view = app
        .run_import(
            &id,
            Some(job_id.clone()),
            common::no_progress(),
            CancellationToken::new(),
        )
        .await
        .expect("resume");
    assert_eq!(view.id, job_id);
    assert_eq!(view.total.articles.success, sim.expected.documents);
    assert_eq!(view.total.images.total, sim.expected.image_refs);
    assert_eq!(view.total.images.unique, sim.expected.unique_images);

    for url in &stored_first {
        if url.starts_with("data:") {
            continue;
        }
        assert_eq!(
            sim.image_requests_for(&path_of(url)),
            1,
            "{url} was downloaded again"
        );
    }
    assert_eq!(
        app.list_jobs().await.unwrap()[0].status,
        JobStatus::Completed
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn truncated_images_never_fail_their_articles() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let sim = common::start_sim(SimProvider::Helpjuice, 10, |o| {
        o.faults.truncate_images = true
    })
    .await;
    let id = common::connect(&app, SimProvider::Helpjuice, &sim).await;
    let view = app
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(view.total.articles.success, sim.expected.documents);
    assert_eq!(view.total.articles.failed, 0);
    let rows = app.image_rows(&view.id).await.unwrap();
    let pngs: Vec<_> = rows
        .iter()
        .filter(|r| r.status_code == 200 && r.name.ends_with(".png"))
        .collect();
    assert!(!pngs.is_empty());
    assert!(
        pngs.iter().any(|r| r
            .problem
            .as_deref()
            .is_some_and(|p| p.to_lowercase().contains("truncated"))),
        "a truncated PNG is named as such: {:?}",
        pngs.iter().map(|r| &r.problem).collect::<Vec<_>>()
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn garbage_listing_fails_the_job_clearly_and_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let sim = common::start_sim(SimProvider::Helpcenterio, 5, |o| {
        o.faults.garbage_list = true
    })
    .await;
    let id = common::connect(&app, SimProvider::Helpcenterio, &sim).await;
    let err = app
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("HelpCenter.io"), "names the provider: {msg}");
    assert!(msg.contains("articles"), "names the endpoint: {msg}");
    let jobs = app.list_jobs().await.unwrap();
    assert_eq!(jobs[0].status, JobStatus::Failed);
    assert_eq!(jobs[0].total.articles.discovered, 0, "nothing half-written");
    sim.shutdown().await;
}

#[tokio::test]
async fn rate_limited_listing_is_retried_and_completes() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let sim = common::start_sim(SimProvider::Helpcenter, 8, |o| o.faults.burst_429 = 2).await;
    let id = common::connect(&app, SimProvider::Helpcenter, &sim).await;
    let view = app
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await
        .expect("429s are retried");
    assert_eq!(view.total.articles.success, sim.expected.documents);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_rate_limited_import_says_how_long_it_waits_and_cancels_during_the_wait() {
    // HelpCenter.io at one request per window of its documented minute: the
    // second listing page gets a 429 without any header, so the client
    // waits the documented minute, says so, and a cancel ends the wait.
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let sim = common::start_sim(SimProvider::Helpcenterio, 150, |o| {
        o.rate_limit_per_minute = Some(1)
    })
    .await;
    let id = common::connect(&app, SimProvider::Helpcenterio, &sim).await;
    let cancel = CancellationToken::new();
    let notices = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (seen, stop) = (notices.clone(), cancel.clone());
    let progress = std::sync::Arc::new(move |p: shotkeeper_core::import::ImportProgress| {
        if let Some(n) = p.notice {
            seen.lock().unwrap().push(n);
            stop.cancel();
        }
    });
    let started = std::time::Instant::now();
    let err = app
        .run_import(&id, None, progress, cancel)
        .await
        .unwrap_err();
    assert!(
        matches!(err, shotkeeper_core::CoreError::Cancelled),
        "{err:?}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "cancelled during the minute: {:?}",
        started.elapsed()
    );
    assert_eq!(
        notices.lock().unwrap().first().map(String::as_str),
        Some("rate limited by HelpCenter.io, resuming in 60 s")
    );
    let jobs = app.list_jobs().await.unwrap();
    assert_eq!(jobs[0].status, JobStatus::Cancelled);
    assert!(
        jobs[0].total.articles.discovered >= 100,
        "the first page is kept"
    );
    sim.shutdown().await;
}

/// One rule for every provider: an article that cannot be read is counted
/// failed with its reason, and the import goes on.
async fn an_unreadable_article_fails_alone(p: SimProvider, provider: &str) {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let sim = common::start_sim(p, 12, |o| o.faults.unreadable_article = true).await;
    let id = common::connect(&app, p, &sim).await;
    let view = app
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await
        .expect("the import completes");
    assert_eq!(view.total.articles.failed, 1, "{:?}", view.total);
    assert!(view.total.articles.success >= 10, "{:?}", view.total);
    let jobs = app.list_jobs().await.unwrap();
    assert_eq!(jobs[0].status, JobStatus::Completed);
    let articles = shotkeeper_core::db::views::job_data(app.pool(), &view.id)
        .await
        .unwrap();
    let failed: Vec<_> = articles
        .articles
        .iter()
        .filter(|a| a.status == "failed")
        .collect();
    assert_eq!(failed.len(), 1);
    let reason = failed[0].error.as_deref().unwrap_or_default();
    assert!(reason.contains(provider), "{reason}");
    sim.shutdown().await;
}

#[tokio::test]
async fn an_unreadable_helpcenterio_article_fails_alone() {
    an_unreadable_article_fails_alone(SimProvider::Helpcenterio, "HelpCenter.io").await;
}

#[tokio::test]
async fn an_unreadable_knowledgeowl_article_fails_alone() {
    an_unreadable_article_fails_alone(SimProvider::Knowledgeowl, "KnowledgeOwl").await;
}
