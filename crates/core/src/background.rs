//! Imports run in the background of a long-lived process (the REST server):
//! started with their job id known at once, cancelled or resumed by id, and
//! all stopped on shutdown so that each is left `interrupted`, resumable,
//! never half-written (every write of an import is one transaction).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::db::jobs::{self, JobStatus};
use crate::error::{CoreError, Result};
use crate::import::ImportOptions;

struct Running {
    /// The data directory of the `App` that runs it: a process may hold
    /// several (tests), and each stops only its own.
    data_dir: std::path::PathBuf,
    integration_id: String,
    cancel: CancellationToken,
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

impl App {
    /// Creates an import job for a help-center integration and runs it in
    /// the background; returns its id at once.
    pub async fn start_background_import(&self, integration_id: &str) -> Result<String> {
        let (integration, _) = self.help_center(integration_id).await?;
        if let Some((id, _)) = running()
            .iter()
            .find(|(_, r)| r.integration_id == integration.id)
        {
            return Err(CoreError::Invalid(format!(
                "an import of '{}' is already running (job {id}): wait for it, or cancel it, before starting another",
                integration.label
            )));
        }
        let job = jobs::create(
            self.pool(),
            &integration.id,
            &format!("{} Import", integration.label),
            self.actor(),
        )
        .await?;
        self.spawn_import(&integration.id, &job.id);
        Ok(job.id)
    }

    /// Resumes an interrupted, cancelled or failed job in the background; a
    /// resumed job downloads nothing it already has.
    pub async fn resume_import(&self, job_id: &str) -> Result<String> {
        let job = jobs::get(self.pool(), job_id).await?;
        if running().contains_key(job_id) {
            return Err(CoreError::Invalid(format!(
                "import job {job_id} is already running"
            )));
        }
        if job.status == JobStatus::Completed.as_str() {
            return Err(CoreError::Invalid(format!(
                "import job {job_id} is completed: there is nothing to resume; start a new import to read the help center again"
            )));
        }
        self.help_center(&job.integration_id).await?;
        self.spawn_import(&job.integration_id, &job.id);
        Ok(job.id)
    }

    /// Asks a background job to stop; it ends `cancelled`, resumable.
    pub async fn cancel_import(&self, job_id: &str) -> Result<()> {
        let job = jobs::get(self.pool(), job_id).await?;
        let handle = running().get(job_id).map(|r| r.cancel.clone());
        match handle {
            Some(cancel) => {
                cancel.cancel();
                Ok(())
            }
            None => Err(CoreError::Invalid(format!(
                "import job {job_id} is not running here (it is {}): only a running import can be cancelled",
                job.status
            ))),
        }
    }

    /// Whether a job runs in this process's background.
    pub fn import_running(&self, job_id: &str) -> bool {
        running().contains_key(job_id)
    }

    /// Stops every background job (shutdown), waits up to `grace` for each
    /// to finish its current transaction, and marks them `interrupted`.
    pub async fn stop_background_imports(&self, grace: Duration) {
        let all: Vec<(String, Running)> = {
            let mut map = running();
            let mine: Vec<String> = map
                .iter()
                .filter(|(_, r)| r.data_dir == self.data_dir())
                .map(|(id, _)| id.clone())
                .collect();
            mine.into_iter()
                .filter_map(|id| map.remove(&id).map(|r| (id, r)))
                .collect()
        };
        for (_, r) in &all {
            r.cancel.cancel();
        }
        for (id, r) in all {
            let _ = tokio::time::timeout(grace, r.task).await;
            if let Err(e) = jobs::set_status(self.pool(), &id, JobStatus::Interrupted, None).await {
                tracing::warn!("job {id} could not be marked interrupted: {e}");
            }
        }
    }

    fn spawn_import(&self, integration_id: &str, job_id: &str) {
        let cancel = CancellationToken::new();
        let app = self.clone();
        let (iid, jid, token) = (integration_id.to_owned(), job_id.to_owned(), cancel.clone());
        let task = tokio::spawn(async move {
            let outcome = app
                .run_import_with(
                    &iid,
                    Some(jid.clone()),
                    ImportOptions::default(),
                    Arc::new(|_| {}),
                    token,
                )
                .await;
            match outcome {
                Ok(_) => tracing::info!("import job {jid} finished"),
                Err(CoreError::Cancelled) => tracing::info!("import job {jid} cancelled"),
                Err(e) => {
                    tracing::warn!("import job {jid} stopped: {e}");
                    // A failure before the run began leaves no trace otherwise.
                    let _ =
                        jobs::set_status(app.pool(), &jid, JobStatus::Failed, Some(&e.to_string()))
                            .await;
                }
            }
        });
        running().insert(
            job_id.to_owned(),
            Running {
                data_dir: self.data_dir().to_path_buf(),
                integration_id: integration_id.to_owned(),
                cancel,
                task,
            },
        );
    }
}
