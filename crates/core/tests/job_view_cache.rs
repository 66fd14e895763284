//! The import API answer kept between polls (`App::job_view_json`): always
//! what `App::job_view` builds from the rows at that moment, built once per
//! change of the job and shared, and rebuilt after any write to the job's
//! articles, references or images, including writes by another connection
//! (another process such as the CLI writes the same file).

mod common;

use std::collections::BTreeMap;

use shotkeeper_core::integrations::{NewIntegration, SecretInput};
use shotkeeper_core::model::{Dimension, ProviderKind};
use shotkeeper_core::App;

async fn job_with_images(app: &App, images: usize) -> String {
    std::env::set_var("JOB_VIEW_CACHE_UNUSED_TOKEN", "x");
    let mut settings = BTreeMap::new();
    settings.insert("account".to_string(), "cache".to_string());
    let integration = app
        .add_integration(NewIntegration {
            label: "Cache".into(),
            provider: ProviderKind::Helpjuice,
            base_url: Some("http://127.0.0.1:9/api/v3".into()),
            settings,
            secret: SecretInput::Env {
                name: "JOB_VIEW_CACHE_UNUSED_TOKEN".into(),
            },
        })
        .await
        .unwrap()
        .integration
        .id;
    let job =
        shotkeeper_core::db::jobs::create(app.pool(), &integration, "Cache Import", app.actor())
            .await
            .unwrap()
            .id;
    let ts = shotkeeper_core::db::now();
    for n in 0..images {
        let article = format!("{job}-art-{n}");
        sqlx::query(
            "INSERT INTO articles (id, job_id, external_id, locale, title, url, is_published, tags, content, status, created_at, updated_at)
             VALUES ($1, $2, $3, '', $4, $5, 1, '[]', '<p>x</p>', 'completed', $6, $7)",
        )
        .bind(&article)
        .bind(&job)
        .bind(format!("{}", 100 + n))
        .bind(format!("Article {n}"))
        .bind(format!("https://kb.example.com/a/{n}"))
        .bind(&ts)
        .bind(&ts)
        .execute(app.pool())
        .await
        .unwrap();
        let url = format!("https://static.example.com/{n}.png");
        sqlx::query(
            "INSERT INTO article_images (article_id, position, url, alt) VALUES ($1, 0, $2, '')",
        )
        .bind(&article)
        .bind(&url)
        .execute(app.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO images (job_id, url, name, status_code, kind, width, height, size, hash, metadata, fetched_at)
             VALUES ($1, $2, $3, 200, 'png', 10, 10, 100, $4, '{}', $5)",
        )
        .bind(&job)
        .bind(&url)
        .bind(format!("{n}.png"))
        .bind(format!("{n:064x}"))
        .bind(&ts)
        .execute(app.pool())
        .await
        .unwrap();
    }
    job
}

/// The cached bytes, parsed, against what `job_view` builds now; the
/// gzipped copy holds the same bytes.
async fn assert_fresh(app: &App, job: &str, dimension: Dimension) -> bytes::Bytes {
    use std::io::Read;
    let answer = app.job_view_json(job, dimension).await.unwrap();
    let cached: serde_json::Value = serde_json::from_slice(&answer.json).unwrap();
    let built = serde_json::to_value(app.job_view(job, Some(dimension)).await.unwrap()).unwrap();
    assert_eq!(cached, built);
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&answer.gzip[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, answer.json);
    answer.json
}

#[tokio::test]
async fn the_kept_answer_follows_every_change_of_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let job = job_with_images(&app, 3).await;
    // A second connection pool on the same database: writes the app's pool
    // never sees, as another process's would be.
    let other = shotkeeper_core::db::connect(&common::database_of(dir.path()).await)
        .await
        .unwrap();

    for dimension in [Dimension::Images, Dimension::Articles] {
        let first = assert_fresh(&app, &job, dimension).await;
        let again = app.job_view_json(&job, dimension).await.unwrap().json;
        assert_eq!(
            first.as_ptr(),
            again.as_ptr(),
            "an unchanged job is answered with the bytes built before"
        );
    }

    // An image's download result changes (another connection writes it).
    sqlx::query(
        "UPDATE images SET status_code = 404, size = 0 WHERE job_id = $1 AND url LIKE '%/0.png'",
    )
    .bind(&job)
    .execute(&other)
    .await
    .unwrap();
    let images = assert_fresh(&app, &job, Dimension::Images).await;
    let v: serde_json::Value = serde_json::from_slice(&images).unwrap();
    assert_eq!(v["images"][0]["statusCode"], 404);

    // A new reference to an image already used: counts move.
    let article = format!("{job}-art-1");
    sqlx::query("INSERT INTO article_images (article_id, position, url, alt) VALUES ($1, 1, 'https://static.example.com/2.png', 'again')")
        .bind(&article)
        .execute(&other)
        .await
        .unwrap();
    let articles = assert_fresh(&app, &job, Dimension::Articles).await;
    let v: serde_json::Value = serde_json::from_slice(&articles).unwrap();
    assert_eq!(v["total"]["images"]["total"], 4);
    assert_eq!(v["articles"][1]["images"].as_array().unwrap().len(), 2);

    // An article's status and the job's name.
    sqlx::query("UPDATE articles SET status = 'failed' WHERE id = $1")
        .bind(&article)
        .execute(&other)
        .await
        .unwrap();
    sqlx::query("UPDATE jobs SET name = 'Renamed' WHERE id = $1")
        .bind(&job)
        .execute(&other)
        .await
        .unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&assert_fresh(&app, &job, Dimension::Images).await).unwrap();
    assert_eq!(v["name"], "Renamed");
    assert_eq!(v["summary"]["failed"], 1);

    // A reference removed.
    sqlx::query("DELETE FROM article_images WHERE article_id = $1 AND position = 1")
        .bind(&article)
        .execute(&other)
        .await
        .unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&assert_fresh(&app, &job, Dimension::Articles).await).unwrap();
    assert_eq!(v["total"]["images"]["total"], 3);
}

#[tokio::test]
async fn concurrent_polls_after_a_change_share_one_build() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let job = job_with_images(&app, 50).await;
    assert_fresh(&app, &job, Dimension::Images).await;
    sqlx::query("UPDATE images SET width = 11 WHERE job_id = $1")
        .bind(&job)
        .execute(app.pool())
        .await
        .unwrap();
    let polls: Vec<_> = (0..8)
        .map(|_| {
            let (app, job) = (app.clone(), job.clone());
            tokio::spawn(async move {
                app.job_view_json(&job, Dimension::Images)
                    .await
                    .unwrap()
                    .json
            })
        })
        .collect();
    let mut answers = Vec::new();
    for p in polls {
        answers.push(p.await.unwrap());
    }
    assert!(
        answers.iter().all(|a| a.as_ptr() == answers[0].as_ptr()),
        "every poll got the one answer built after the change"
    );
    let v: serde_json::Value = serde_json::from_slice(&answers[0]).unwrap();
    assert_eq!(v["images"][0]["width"], 11);
}

#[tokio::test]
async fn an_unknown_or_deleted_job_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let job = job_with_images(&app, 1).await;
    app.job_view_json(&job, Dimension::Images).await.unwrap();
    sqlx::query("DELETE FROM jobs WHERE id = $1")
        .bind(&job)
        .execute(app.pool())
        .await
        .unwrap();
    for id in [job.as_str(), "no-such-job"] {
        let err = app.job_view_json(id, Dimension::Images).await.unwrap_err();
        assert!(
            matches!(err, shotkeeper_core::CoreError::NotFound { .. }),
            "{err}"
        );
    }
}
