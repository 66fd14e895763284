//! An import job this process runs, for as long as it holds the job's lease
//! in the database (see [`crate::db::job_leases`]): renewed in the
//! background while the import works, given up with the job's final status.
//! Every front end runs imports through it, so a desktop app, a CLI and any
//! number of `shotkeeper serve` replicas on one database never run one job
//! twice, and a job whose process died is resumed by another.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::db::job_leases::{self, Renewal};
use crate::db::jobs::JobStatus;
use crate::db::Pool;
use crate::error::{CoreError, Result};

/// What a stop of this process does with a job it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum OnStop {
    /// Stopped by a person: `cancelled`.
    Cancel = 0,
    /// The process shuts down and no other server runs: `interrupted`,
    /// resumed by hand (or by the next server that starts).
    Interrupt = 1,
    /// The process shuts down while other servers run: back to `queued`,
    /// for one of them to take over at once.
    HandBack = 2,
}

pub struct HeldJob {
    pool: Pool,
    job_id: String,
    runner: &'static str,
    lease: Duration,
    /// Set when a renewal found the job taken over by another process:
    /// this one then stops and writes nothing more about the job.
    lost: AtomicBool,
    on_stop: AtomicU8,
}

impl HeldJob {
    /// Takes the lease of `job_id` (new, resumed, or left by a process that
    /// died); refused while another live process runs it.
    pub async fn claim(pool: &Pool, job_id: &str) -> Result<HeldJob> {
        let lease = job_leases::lease_duration();
        job_leases::claim(pool, job_id, job_leases::this_runner(), lease).await?;
        Ok(Self::held(pool, job_id, lease))
    }

    /// The job [`job_leases::claim_next`] just claimed for this process.
    pub fn adopt(pool: &Pool, job_id: &str) -> HeldJob {
        Self::held(pool, job_id, job_leases::lease_duration())
    }

    fn held(pool: &Pool, job_id: &str, lease: Duration) -> HeldJob {
        HeldJob {
            pool: pool.clone(),
            job_id: job_id.to_owned(),
            runner: job_leases::this_runner(),
            lease,
            lost: AtomicBool::new(false),
            on_stop: AtomicU8::new(OnStop::Cancel as u8),
        }
    }

    pub fn job_id(&self) -> &str {
        &self.job_id
    }

    /// What the cancellation that follows means (a shutdown, not a person).
    pub fn set_on_stop(&self, on_stop: OnStop) {
        self.on_stop.store(on_stop as u8, Ordering::Release);
    }

    fn on_stop(&self) -> OnStop {
        match self.on_stop.load(Ordering::Acquire) {
            1 => OnStop::Interrupt,
            2 => OnStop::HandBack,
            _ => OnStop::Cancel,
        }
    }

    /// Runs `work`, renewing the lease until it ends. A cancel asked from
    /// another process, or the job taken over by one, cancels `cancel`,
    /// which `work` obeys.
    pub async fn keep_while<F: Future>(&self, work: F, cancel: &CancellationToken) -> F::Output {
        let renewing = async {
            let mut tick = tokio::time::interval(job_leases::renew_every(self.lease));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await; // the first tick is immediate: the claim just set the lease
            loop {
                tick.tick().await;
                match job_leases::renew(&self.pool, &self.job_id, self.runner, self.lease).await {
                    Ok(Renewal::Held {
                        cancel_requested: false,
                    }) => {}
                    Ok(Renewal::Held {
                        cancel_requested: true,
                    }) => {
                        tracing::info!("import job {}: cancel asked from elsewhere", self.job_id);
                        cancel.cancel();
                    }
                    Ok(Renewal::Lost) => {
                        tracing::warn!(
                            "import job {} was taken over by another Shotkeeper; stopping here",
                            self.job_id
                        );
                        self.lost.store(true, Ordering::Release);
                        cancel.cancel();
                        return;
                    }
                    // The next renewal may get through; the lease outlasts
                    // several missed ones.
                    Err(e) => tracing::warn!("import job {}: lease not renewed: {e}", self.job_id),
                }
            }
        };
        tokio::pin!(work);
        tokio::select! {
            out = &mut work => return out,
            // Lost: `work` was cancelled and ends soon.
            () = renewing => {}
        }
        work.await
    }

    /// Records how the run ended and gives the lease up. A job another
    /// process took over is left to it: nothing is written, and the run
    /// ends with an error saying so.
    pub async fn finish(&self, outcome: &Result<()>) -> Result<()> {
        if self.lost.load(Ordering::Acquire) {
            return Err(taken_over(&self.job_id));
        }
        let (status, error) = match outcome {
            Ok(()) => (JobStatus::Completed, None),
            Err(CoreError::Cancelled) => match self.on_stop() {
                OnStop::Cancel => (JobStatus::Cancelled, None),
                OnStop::Interrupt => (JobStatus::Interrupted, None),
                OnStop::HandBack => {
                    job_leases::hand_back(&self.pool, &self.job_id, self.runner).await?;
                    return Ok(());
                }
            },
            Err(e) => (JobStatus::Failed, Some(e.to_string())),
        };
        let held = job_leases::finish(
            &self.pool,
            &self.job_id,
            self.runner,
            status.as_str(),
            error.as_deref(),
        )
        .await?;
        if held {
            Ok(())
        } else {
            Err(taken_over(&self.job_id))
        }
    }

    /// Gives the job up without waiting for its run (a shutdown whose grace
    /// period ended): back to the queue, or `interrupted`.
    pub async fn abandon(&self) -> Result<()> {
        if self.on_stop() == OnStop::HandBack {
            job_leases::hand_back(&self.pool, &self.job_id, self.runner).await?;
        } else {
            job_leases::finish(
                &self.pool,
                &self.job_id,
                self.runner,
                JobStatus::Interrupted.as_str(),
                None,
            )
            .await?;
        }
        Ok(())
    }
}

fn taken_over(job_id: &str) -> CoreError {
    CoreError::Invalid(format!(
        "import job {job_id} was taken over by another Shotkeeper after this one stopped renewing its lease; it continues there (see `shotkeeper jobs`)"
    ))
}
