//! Imports run in the background of a long-lived process (the REST server):
//! started with their job id known at once, cancelled or resumed by id, and
//! all stopped on shutdown so that each is left `interrupted`, resumable,
//! never half-written (every write of an import is one transaction) — or,
//! when other servers share the database, handed to them. A server also
//! takes up queued jobs and jobs whose process died ([`App::serve_job_queue`]).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::db::job_leases::{self, CancelRequest};
use crate::db::{self, jobs};
use crate::error::{CoreError, Result};
use crate::held_job::{HeldJob, OnStop};
use crate::import::ImportOptions;

struct Running {
    /// The data directory of the `App` that runs it: a process may hold
    /// several (tests), and each stops only its own.
    data_dir: std::path::PathBuf,
    cancel: CancellationToken,
    held: Arc<HeldJob>,
    task: JoinHandle<()>,
}

/// Jobs this process runs in the background, by job id.
static RUNNING: LazyLock<Mutex<HashMap<String, Running>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn running() -> std::sync::MutexGuard<'static, HashMap<String, Running>> {
    let mut map = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
    map.retain(|_, r| !r.task.is_finished());
    map
}

/// How often a server looks for queued jobs and jobs whose process died.
const QUEUE_POLL: Duration = Duration::from_secs(1);
/// Imports one server runs at once; more wait in the queue for another
/// server (each import already downloads many images at once).
pub const MAX_IMPORTS_PER_SERVER: usize = 4;

impl App {
    /// Creates an import job for a help-center integration and runs it in
    /// the background; returns its id at once. Refused while another import
    /// of the integration is queued or running, in any process.
    pub async fn start_background_import(&self, integration_id: &str) -> Result<String> {
        let (integration, _) = self.help_center(integration_id).await?;
        let job = jobs::create_held(
            self.pool(),
            &integration.id,
            &format!("{} Import", integration.label),
            self.actor(),
        )
        .await?;
        let held = HeldJob::adopt(self.pool(), &job.id);
        self.spawn_held(Arc::new(held)).await?;
        Ok(job.id)
    }

    /// Resumes an interrupted, cancelled or failed job in the background
    /// (or one whose process died); a resumed job downloads nothing it
    /// already has.
    pub async fn resume_import(&self, job_id: &str) -> Result<String> {
        let job = jobs::get(self.pool(), job_id).await?;
        if running().contains_key(job_id) {
            return Err(CoreError::Invalid(format!(
                "import job {job_id} is already running"
            )));
        }
        self.help_center(&job.integration_id).await?;
        let held = HeldJob::claim(self.pool(), job_id).await?;
        self.spawn_held(Arc::new(held)).await?;
        Ok(job.id)
    }

    /// Asks a job to stop; it ends `cancelled`, resumable. A job another
    /// process runs stops when that process next renews its lease.
    pub async fn cancel_import(&self, job_id: &str) -> Result<()> {
        let job = jobs::get(self.pool(), job_id).await?;
        let handle = running().get(job_id).map(|r| r.cancel.clone());
        if let Some(cancel) = handle {
            cancel.cancel();
            return Ok(());
        }
        match job_leases::request_cancel(self.pool(), job_id).await? {
            CancelRequest::Dequeued | CancelRequest::Asked => Ok(()),
            CancelRequest::NotRunning => Err(CoreError::Invalid(format!(
                "import job {job_id} is not running (it is {}): only a running import can be cancelled",
                job.status
            ))),
        }
    }

    /// Whether a job runs in this process's background.
    pub fn import_running(&self, job_id: &str) -> bool {
        running().contains_key(job_id)
    }

    /// Stops every background job (shutdown), waits up to `grace` for each
    /// to finish its current transaction, and leaves them `interrupted`, or
    /// `queued` for another server when one runs on the same database.
    pub async fn stop_background_imports(&self, grace: Duration) {
        let all: Vec<Running> = {
            let mut map = running();
            let mine: Vec<String> = map
                .iter()
                .filter(|(_, r)| r.data_dir == self.data_dir())
                .map(|(id, _)| id.clone())
                .collect();
            mine.into_iter().filter_map(|id| map.remove(&id)).collect()
        };
        let runner = job_leases::this_runner();
        let others =
            job_leases::other_replicas_alive(self.pool(), runner, job_leases::lease_duration())
                .await
                .unwrap_or(0);
        let on_stop = if others > 0 {
            OnStop::HandBack
        } else {
            OnStop::Interrupt
        };
        for r in &all {
            r.held.set_on_stop(on_stop);
            r.cancel.cancel();
        }
        for r in all {
            if tokio::time::timeout(grace, r.task).await.is_err() {
                if let Err(e) = r.held.abandon().await {
                    tracing::warn!("job {} could not be given up: {e}", r.held.job_id());
                }
            }
        }
        if let Err(e) = job_leases::replica_gone(self.pool(), runner).await {
            tracing::warn!("this server could not sign off: {e}");
        }
    }

    /// A server's share of the work on its database: every second, says it
    /// is alive and takes up queued jobs and jobs whose process died (their
    /// lease ended), up to [`MAX_IMPORTS_PER_SERVER`] at once, until `stop`.
    pub async fn serve_job_queue(&self, stop: CancellationToken) {
        let runner = job_leases::this_runner();
        let lease = job_leases::lease_duration();
        let started_at = db::now();
        while !stop.is_cancelled() {
            if let Err(e) = job_leases::replica_alive(self.pool(), runner, &started_at).await {
                tracing::warn!("the job queue could not be reached: {e}");
            }
            while self.running_here() < MAX_IMPORTS_PER_SERVER && !stop.is_cancelled() {
                match job_leases::claim_next(self.pool(), runner, lease).await {
                    Ok(Some(id)) => {
                        tracing::info!("took up import job {id} from the queue");
                        let held = Arc::new(HeldJob::adopt(self.pool(), &id));
                        if let Err(e) = self.spawn_held(held).await {
                            tracing::warn!("import job {id} could not start: {e}");
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!("the job queue could not be read: {e}");
                        break;
                    }
                }
            }
            tokio::select! {
                () = tokio::time::sleep(QUEUE_POLL) => {}
                () = stop.cancelled() => {}
            }
        }
    }

    fn running_here(&self) -> usize {
        running()
            .values()
            .filter(|r| r.data_dir == self.data_dir())
            .count()
    }

    async fn spawn_held(&self, held: Arc<HeldJob>) -> Result<()> {
        let cancel = CancellationToken::new();
        let job_id = held.job_id().to_owned();
        let started = self
            .run_held(
                held.clone(),
                ImportOptions::default(),
                Arc::new(|_| {}),
                cancel.clone(),
            )
            .await?;
        let jid = job_id.clone();
        let task = tokio::spawn(async move {
            match started.finished().await {
                Ok(_) => tracing::info!("import job {jid} finished"),
                Err(CoreError::Cancelled) => tracing::info!("import job {jid} stopped"),
                Err(e) => tracing::warn!("import job {jid} stopped: {e}"),
            }
        });
        running().insert(
            job_id,
            Running {
                data_dir: self.data_dir().to_path_buf(),
                cancel,
                held,
                task,
            },
        );
        Ok(())
    }
}
