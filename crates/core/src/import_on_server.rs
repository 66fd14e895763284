//! Imports handed to the team's servers. In team mode, when a `shotkeeper
//! serve` replica is taking jobs from the queue, a desktop app or CLI leaves
//! its import queued for a server (which has the bandwidth and stays up)
//! and follows it from the database; with no server alive it runs the
//! import itself, under the same lease.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::app::{App, StartedImport};
use crate::db::{job_leases, jobs};
use crate::error::{CoreError, Result};
use crate::held_job::HeldJob;
use crate::import::{ImportOptions, ImportPhase, ImportProgress, ProgressFn};
use crate::model::{Integration, JobView, SecretSource};
use crate::report;

/// How often a followed import's counts are read again.
const FOLLOW_EVERY: Duration = Duration::from_secs(1);

impl App {
    /// Whether an import of `integration` goes to a server: a server is
    /// taking jobs from the queue, this process is not one (a server runs
    /// the imports it is asked for itself), and the server can open the
    /// integration's secret because it is sealed in the database (a
    /// secret in this member's keychain or environment is not the
    /// server's to read).
    pub(crate) async fn server_takes(&self, integration: &Integration) -> Result<bool> {
        if integration.secret_source != SecretSource::Sealed {
            return Ok(false);
        }
        let (me, lease) = (job_leases::this_runner(), job_leases::lease_duration());
        if job_leases::replica_is_alive(self.pool(), me, lease).await? {
            return Ok(false);
        }
        Ok(job_leases::other_replicas_alive(self.pool(), me, lease).await? > 0)
    }

    /// Follows a queued job a server will run: its counts go to `progress`
    /// once a second; cancelling asks the server to stop it.
    pub(crate) fn follow_on_server(
        &self,
        job_id: String,
        options: ImportOptions,
        progress: ProgressFn,
        cancel: CancellationToken,
    ) -> StartedImport {
        let app = self.clone();
        let id = job_id.clone();
        let task = tokio::spawn(async move { app.follow(&id, options, progress, cancel).await });
        StartedImport::new(job_id, task)
    }

    async fn follow(
        &self,
        job_id: &str,
        options: ImportOptions,
        progress: ProgressFn,
        cancel: CancellationToken,
    ) -> Result<JobView> {
        let mut cancel_asked = false;
        // A finished job names no runner: the last one seen says which
        // server failed it.
        let mut last_runner = None;
        loop {
            tokio::select! {
                () = tokio::time::sleep(FOLLOW_EVERY) => {}
                () = cancel.cancelled(), if !cancel_asked => {}
            }
            if cancel.is_cancelled() && !cancel_asked {
                job_leases::request_cancel(self.pool(), job_id).await?;
                cancel_asked = true;
            }
            let job = jobs::get(self.pool(), job_id).await?;
            last_runner = job.runner.clone().or(last_runner);
            progress(self.progress_on_server(&job).await?);
            match job.status.as_str() {
                "completed" => return report::job_view(self.pool(), job_id, None).await,
                "cancelled" => return Err(CoreError::Cancelled),
                "interrupted" if cancel_asked => return Err(CoreError::Cancelled),
                "failed" => {
                    return Err(CoreError::ImportFailedOnServer {
                        runner: last_runner.unwrap_or_else(|| "(gone)".into()),
                        detail: job.error.unwrap_or_else(|| "no reason was recorded".into()),
                    })
                }
                // Its server stopped and none took it up, or every server
                // stopped before one did: the job is this process's to
                // finish, unless a server claims it first.
                "interrupted" => {}
                "queued" if !self.a_server_is_alive().await? => {}
                _ => continue,
            }
            match HeldJob::claim(self.pool(), job_id).await {
                Ok(held) => {
                    tracing::info!("no server runs import job {job_id}: running it here");
                    let run = self.run_held(Arc::new(held), options, progress, cancel);
                    return run.await?.finished().await;
                }
                Err(e) => tracing::debug!("import job {job_id} was taken up elsewhere: {e}"),
            }
        }
    }

    /// The job's counts, and where it runs in words for the person
    /// following it (shown in place of the phase, as a rate-limit wait is).
    async fn progress_on_server(&self, job: &jobs::JobRow) -> Result<ImportProgress> {
        let mut p = self.job_progress(&job.id).await?;
        p.notice = match (job.status.as_str(), &job.runner) {
            ("queued", _) => {
                p.phase = ImportPhase::Listing;
                Some("waiting for one of the team's servers to take it up".into())
            }
            ("running", Some(runner)) => {
                let host = runner.split('/').next().unwrap_or(runner);
                Some(format!(
                    "running on the team's server {host}: it goes on if you close Shotkeeper"
                ))
            }
            _ => None,
        };
        Ok(p)
    }

    async fn a_server_is_alive(&self) -> Result<bool> {
        let (me, lease) = (job_leases::this_runner(), job_leases::lease_duration());
        Ok(job_leases::other_replicas_alive(self.pool(), me, lease).await? > 0)
    }
}
