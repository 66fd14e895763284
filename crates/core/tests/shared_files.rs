//! A team's shared files: on a team database, the thumbnails of Ana's
//! import and the screenshot she dropped are kept in the team's S3 storage
//! (a real S3-compatible server, `s3s-fs`), so Ben, on another machine's
//! data directory, sees the same thumbnails and applies Ana's plan. On a
//! data directory's own SQLite file, files are not shared.
//!
//! The team test needs the PostgreSQL server the test command starts
//! (scripts/with-postgres.sh): ignored in the SQLite run.

mod common;
mod s3_server;

use std::path::Path;
use std::sync::Arc;

use s3_server::S3Server;
use shotkeeper_core::shared_files::KEY_PREFIX;
use shotkeeper_core::App;
use shotkeeper_sim::SimProvider;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn a_data_directorys_own_database_does_not_share_files() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await.unwrap();
    let status = app.shared_files_status().await.unwrap();
    assert!(!status.team_database);
    assert_eq!(status.storage_integration_id, None);
    let err = app.set_shared_files(Some("any")).await.unwrap_err();
    assert!(err.to_string().contains("join a team first"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/with-postgres.sh cargo test --test shared_files -- --ignored"]
async fn a_colleague_sees_the_teams_thumbnails_and_applies_a_plan_made_elsewhere() {
    assert!(
        std::env::var("SHOTKEEPER_TEST_POSTGRES_URL").is_ok(),
        "SHOTKEEPER_TEST_POSTGRES_URL is not set: run through scripts/with-postgres.sh"
    );
    let server = S3Server::start();
    let (ana_dir, ben_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let database = common::database_of(ana_dir.path()).await;
    let ana = App::open_with(ana_dir.path(), database.clone())
        .await
        .unwrap();
    let ben = App::open_with(ben_dir.path(), database).await.unwrap();
    let ana = ana.with_actor("Ana").unwrap();
    let ben = ben.with_actor("Ben").unwrap();
    // Helpjuice has no image upload of its own: new screenshots go to S3.
    let sim = common::start_sim(SimProvider::Helpjuice, 24, |_| {}).await;
    let hc = common::connect(&ana, SimProvider::Helpjuice, &sim).await;
    let s3 = server.connect(&ana, "help/screens").await;
    let shared = ana.set_shared_files(Some(&s3)).await.unwrap();
    assert_eq!(shared.storage_integration_id.as_deref(), Some(s3.as_str()));
    assert_eq!(
        ben.shared_files_status().await.unwrap(),
        shared,
        "one setting for the team"
    );

    let job = ana
        .run_import(&hc, None, common::no_progress(), CancellationToken::new())
        .await
        .unwrap();
    let (_, bucket) = shotkeeper_core::integrations::storage(ana.pool(), &s3)
        .await
        .unwrap();

    // Every thumbnail Ana's import made is in the bucket, and Ben's app,
    // which has none on its disk, gets each one byte for byte.
    let ana_rows = ana.image_rows(&job.id).await.unwrap();
    let ben_rows = ben.image_rows(&job.id).await.unwrap();
    let mut thumbnails = std::collections::HashSet::new();
    for (a, b) in ana_rows.iter().zip(&ben_rows) {
        let (Some(at_ana), Some(at_ben)) = (&a.thumbnail, &b.thumbnail) else {
            continue;
        };
        // Thumbnails are named by content: duplicates share one file.
        if !thumbnails.insert(at_ben.clone()) {
            continue;
        }
        let ana_bytes = std::fs::read(at_ana).unwrap();
        let rel = Path::new(at_ana).strip_prefix(ana_dir.path()).unwrap();
        let key = format!("{KEY_PREFIX}/{}", rel.to_string_lossy());
        assert_eq!(
            bucket.get_object(&key).await.unwrap().bytes,
            ana_bytes,
            "{key}"
        );
        assert!(at_ben.starts_with(&*ben_dir.path().to_string_lossy()));
        assert!(
            !Path::new(at_ben).exists(),
            "Ben's disk has no thumbnails yet"
        );
        let fetched = ben.local_copy(Path::new(at_ben)).await.unwrap();
        assert_eq!(fetched, Path::new(at_ben));
        assert_eq!(std::fs::read(&fetched).unwrap(), ana_bytes);
    }
    assert!(
        thumbnails.len() >= 10,
        "the import made thumbnails: {}",
        thumbnails.len()
    );
    let outside = ben.local_copy(&ben_dir.path().join("team.json")).await;
    assert!(
        outside.is_err(),
        "only thumbnails and screenshots are shared"
    );

    // Ana drops a new screenshot for one image; Ben reviews and applies
    // her plan from his machine.
    let target = common::uniquely_named(&ana_rows, |r| r.thumbnail.is_some());
    let shots = tempfile::tempdir().unwrap();
    let fresh = shotkeeper_sim::fresh_png(5);
    let plan = common::plan_one(&ana, &job.id, shots.path(), &target.name, fresh).await;
    drop(shots);
    let at_ben = ben.get_plan(&plan.id).await.unwrap();
    let source = Path::new(&at_ben.screenshots[0].screenshot.source);
    assert!(source.starts_with(ben_dir.path()), "{}", source.display());
    assert_eq!(std::fs::read(source).unwrap(), shotkeeper_sim::fresh_png(5));
    let done = ben
        .apply_plan(&plan.id, false, Arc::new(|_| {}), CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(done.summary.failed, 0, "{:?}", done.articles);
    assert!(
        done.articles.iter().any(|a| a.replaced > 0),
        "{:?}",
        done.articles
    );
    sim.shutdown().await;
}
