//! Who runs which import job when several processes share one database
//! (SQLite, or PostgreSQL when the test command gives one). Each "process"
//! here is a runner name, as each Shotkeeper process has its own.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use shotkeeper_core::db::job_leases::{self, CancelRequest, Renewal};
use shotkeeper_core::db::jobs;
use shotkeeper_core::integrations::{NewIntegration, SecretInput};
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::{App, CoreError};

const LEASE: Duration = Duration::from_millis(600);

async fn integration(app: &App, label: &str) -> String {
    app.add_integration(NewIntegration {
        label: label.into(),
        provider: ProviderKind::Helpjuice,
        base_url: Some("http://127.0.0.1:9/api/v3".into()),
        settings: [("account".to_string(), "docs".to_string())].into(),
        secret: SecretInput::Env {
            name: "SHOTKEEPER_LEASE_TEST_TOKEN".into(),
        },
    })
    .await
    .expect("add an integration")
    .integration
    .id
}

async fn status(app: &App, job: &str) -> String {
    jobs::get(app.pool(), job).await.unwrap().status
}

fn refusal(e: CoreError) -> String {
    match e {
        CoreError::Invalid(m) => m,
        other => panic!("not a refusal: {other:?}"),
    }
}

#[tokio::test]
async fn a_job_runs_in_one_process_and_another_takes_it_over_when_that_one_dies() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let pool = app.pool();
    let id = integration(&app, "Docs").await;
    let job = jobs::create(pool, &id, "Docs Import", "Ana").await.unwrap();
    assert_eq!(job.status, "queued");

    job_leases::claim(pool, &job.id, "ana-laptop/1/a", LEASE)
        .await
        .unwrap();
    assert_eq!(status(&app, &job.id).await, "running");
    // While Ana's process renews, nobody else runs it.
    let refused = job_leases::claim(pool, &job.id, "ben-laptop/2/b", LEASE)
        .await
        .unwrap_err();
    assert!(
        refusal(refused).contains("ana-laptop/1/a"),
        "names who runs it"
    );
    assert_eq!(
        job_leases::renew(pool, &job.id, "ana-laptop/1/a", LEASE)
            .await
            .unwrap(),
        Renewal::Held {
            cancel_requested: false
        }
    );
    assert_eq!(
        job_leases::claim_next(pool, "server/3/c", LEASE)
            .await
            .unwrap(),
        None,
        "a server does not take a job whose process is alive"
    );

    // Ana's process dies: its lease ends, the job reads interrupted, and a
    // server takes it over.
    tokio::time::sleep(LEASE + Duration::from_millis(300)).await;
    assert_eq!(status(&app, &job.id).await, "interrupted");
    assert_eq!(
        job_leases::claim_next(pool, "server/3/c", LEASE)
            .await
            .unwrap(),
        Some(job.id.clone())
    );
    assert_eq!(status(&app, &job.id).await, "running");

    // Were Ana's process only paused, it learns the job is no longer its
    // own, and its last word is not written.
    assert_eq!(
        job_leases::renew(pool, &job.id, "ana-laptop/1/a", LEASE)
            .await
            .unwrap(),
        Renewal::Lost
    );
    assert!(
        !job_leases::finish(pool, &job.id, "ana-laptop/1/a", "failed", Some("late"))
            .await
            .unwrap()
    );
    assert!(
        job_leases::finish(pool, &job.id, "server/3/c", "completed", None)
            .await
            .unwrap()
    );
    let done = jobs::get(pool, &job.id).await.unwrap();
    assert_eq!(done.status, "completed");
    assert_eq!(done.error, None);
    assert_eq!(done.runner, None, "the lease is given up");
    let again = job_leases::claim(pool, &job.id, "ben-laptop/2/b", LEASE)
        .await
        .unwrap_err();
    assert!(refusal(again).contains("nothing to resume"));
}

#[tokio::test]
async fn one_import_of_a_help_center_at_a_time_whoever_starts_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let pool = app.pool();
    let id = integration(&app, "Docs").await;
    let first = jobs::create(pool, &id, "Docs Import", "Ana").await.unwrap();
    job_leases::claim(pool, &first.id, "ana-laptop/1/a", LEASE)
        .await
        .unwrap();

    let refused = jobs::create(pool, &id, "Docs Import", "Ben")
        .await
        .unwrap_err();
    let message = refusal(refused);
    assert!(message.contains(&first.id), "{message}");
    assert!(message.contains("started by Ana"), "{message}");

    // Another help center is not held up.
    let other = integration(&app, "Other").await;
    jobs::create(pool, &other, "Other Import", "Ben")
        .await
        .unwrap();

    // Once Ana's process is gone, Ben starts a new import; Ana's job stays
    // interrupted, resumable, and cannot run beside Ben's.
    tokio::time::sleep(LEASE + Duration::from_millis(300)).await;
    let second = jobs::create(pool, &id, "Docs Import", "Ben").await.unwrap();
    assert_eq!(status(&app, &first.id).await, "interrupted");
    job_leases::claim(pool, &second.id, "ben-laptop/2/b", LEASE)
        .await
        .unwrap();
    let refused = job_leases::claim(pool, &first.id, "ana-laptop/1/a", LEASE)
        .await
        .unwrap_err();
    assert!(refusal(refused).contains(&second.id));
}

#[tokio::test]
async fn servers_claiming_at_once_never_take_one_job_twice() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let mut queued = HashSet::new();
    for n in 0..6 {
        let id = integration(&app, &format!("Center {n}")).await;
        queued.insert(
            jobs::create(app.pool(), &id, "Import", "Ana")
                .await
                .unwrap()
                .id,
        );
    }
    // Eight servers claim at the same moment, again and again.
    let mut claimers = Vec::new();
    for s in 0..8 {
        let pool = app.pool().clone();
        claimers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            for _ in 0..4 {
                if let Some(id) =
                    job_leases::claim_next(&pool, &format!("server/{s}/x"), LEASE * 20)
                        .await
                        .unwrap()
                {
                    mine.push(id);
                }
            }
            mine
        }));
    }
    let mut claimed = Vec::new();
    for c in claimers {
        claimed.extend(c.await.unwrap());
    }
    let distinct: HashSet<String> = claimed.iter().cloned().collect();
    assert_eq!(
        claimed.len(),
        distinct.len(),
        "a job was claimed twice: {claimed:?}"
    );
    assert_eq!(distinct, queued, "every queued job was claimed");
}

#[tokio::test]
async fn a_cancel_asked_from_another_process_reaches_the_runner() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let pool = app.pool();
    let running = jobs::create(pool, &integration(&app, "A").await, "A", "Ana")
        .await
        .unwrap();
    job_leases::claim(pool, &running.id, "server/1/a", LEASE * 20)
        .await
        .unwrap();
    assert_eq!(
        job_leases::request_cancel(pool, &running.id).await.unwrap(),
        CancelRequest::Asked
    );
    assert_eq!(
        job_leases::renew(pool, &running.id, "server/1/a", LEASE * 20)
            .await
            .unwrap(),
        Renewal::Held {
            cancel_requested: true
        }
    );

    // A job still waiting in the queue is cancelled at once.
    let waiting = jobs::create(pool, &integration(&app, "B").await, "B", "Ana")
        .await
        .unwrap();
    assert_eq!(
        job_leases::request_cancel(pool, &waiting.id).await.unwrap(),
        CancelRequest::Dequeued
    );
    assert_eq!(status(&app, &waiting.id).await, "cancelled");
    assert_eq!(
        job_leases::request_cancel(pool, &waiting.id).await.unwrap(),
        CancelRequest::NotRunning
    );
}

/// A crashed desktop app or CLI on this machine does not make its job wait
/// out the lease: a process that ended is seen at once; one that runs, or
/// one on another machine, is left to its lease.
#[cfg(unix)]
#[test]
fn a_runner_on_this_machine_whose_process_ended_is_gone_at_once() {
    let host = job_leases::this_runner()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let mut ended = std::process::Command::new("true").spawn().unwrap();
    let pid = ended.id();
    ended.wait().unwrap();
    assert!(job_leases::runner_is_gone(&format!("{host}/{pid}/x")));
    assert!(!job_leases::runner_is_gone(&format!(
        "{host}/{}/x",
        std::process::id()
    )));
    assert!(!job_leases::runner_is_gone(&format!(
        "another-machine/{pid}/x"
    )));
    assert!(!job_leases::runner_is_gone(job_leases::this_runner()));
}

#[tokio::test]
async fn an_import_started_here_is_never_taken_by_a_servers_queue() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let pool = app.pool();
    let id = integration(&app, "Docs").await;
    // Held from its first moment by this process: a server polling the
    // queue at that very moment finds nothing to take.
    let job = jobs::create_held(pool, &id, "Docs Import", "Ana")
        .await
        .unwrap();
    assert_eq!(job.status, "running");
    assert_eq!(job.runner.as_deref(), Some(job_leases::this_runner()));
    let taken = job_leases::claim_next(pool, "server/3/c", LEASE)
        .await
        .unwrap();
    assert_eq!(taken, None, "the queue is empty");
    // A job left queued is the queue's.
    let other = integration(&app, "Other").await;
    let queued = jobs::create(pool, &other, "Other Import", "Ana")
        .await
        .unwrap();
    let taken = job_leases::claim_next(pool, "server/3/c", LEASE)
        .await
        .unwrap();
    assert_eq!(taken, Some(queued.id));
}
