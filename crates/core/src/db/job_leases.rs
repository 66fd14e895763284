//! Who runs which import job. Several processes may share one database (two
//! `shotkeeper serve` replicas on a team's PostgreSQL, a desktop app and a
//! CLI on one SQLite file): a process runs a job only while it holds the
//! job's lease, renews it while it runs, and gives it up when it ends. A job
//! whose runner died keeps `running` with a lease that ended: it reads as
//! interrupted, and a server takes it over ([`claim_next`]).
//!
//! Lease ends are milliseconds on the database's clock, never a machine's:
//! two replicas whose clocks differ still agree on when a lease is over.
//! PostgreSQL's `FOR UPDATE SKIP LOCKED` lets replicas claim queued jobs at
//! once without waiting on each other; SQLite runs one writer at a time, so
//! the same statement without it is already exclusive there.

use std::sync::LazyLock;
use std::time::Duration;

use sqlx::Row;

use super::{engine, now, Engine, Pool};
use crate::error::{CoreError, Result};

/// How long a lease lasts unless renewed: how long a job of a process that
/// died (kill -9, power cut) waits before another takes it over.
const DEFAULT_LEASE: Duration = Duration::from_secs(30);
/// Environment variable that shortens (or lengthens) the lease, in seconds:
/// tests, and teams that want faster takeover.
pub const LEASE_ENV: &str = "SHOTKEEPER_JOB_LEASE_SECS";

/// The lease every job of this process takes.
pub fn lease_duration() -> Duration {
    std::env::var(LEASE_ENV)
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.5)
        .map(Duration::from_secs_f64)
        .unwrap_or(DEFAULT_LEASE)
}

/// How often a runner renews: six times per lease, so a slow database
/// answer or two never lets a live runner's lease end; it is also how soon a
/// cancel asked from another process is seen.
pub fn renew_every(lease: Duration) -> Duration {
    lease / 6
}

fn this_host() -> &'static str {
    static HOST: LazyLock<String> =
        LazyLock::new(|| whoami::fallible::hostname().unwrap_or_else(|_| "unknown-host".into()));
    &HOST
}

/// This process's name on the jobs it runs: host, process id and a random
/// part (process ids are reused).
pub fn this_runner() -> &'static str {
    static NAME: LazyLock<String> = LazyLock::new(|| {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        format!("{}/{}/{}", this_host(), std::process::id(), &tag[..8])
    });
    &NAME
}

/// Whether `runner` names a process on this machine that has ended (a
/// desktop app or CLI that crashed, a server killed): its job need not wait
/// for the lease to run out. Another machine's runner is never judged here.
pub fn runner_is_gone(runner: &str) -> bool {
    let mut parts = runner.split('/');
    let (Some(host), Some(pid)) = (parts.next(), parts.next()) else {
        return false;
    };
    if host != this_host() || runner == this_runner() {
        return false;
    }
    pid.parse::<u32>().is_ok_and(process_is_gone)
}

#[cfg(unix)]
fn process_is_gone(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // Signal 0 checks that the process exists without touching it.
    // SAFETY: kill(2) with signal 0 sends nothing; it only reads the table.
    let answer = unsafe { libc::kill(pid, 0) };
    answer == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn process_is_gone(_pid: u32) -> bool {
    // No cheap check here: the lease running out decides.
    false
}

/// Ends the lease of a job whose runner on this machine has ended (fenced
/// by that runner, so a job another process took meanwhile is left alone).
async fn end_lease_of_gone(pool: &Pool, job_id: &str, runner: &str) -> Result<()> {
    sqlx::query(
        "UPDATE jobs SET lease_until = 0 WHERE id = $1 AND runner = $2 AND status = 'running'",
    )
    .bind(job_id)
    .bind(runner)
    .execute(pool)
    .await?;
    Ok(())
}

/// The database's clock, in milliseconds since 1970.
fn clock(pool: &Pool) -> &'static str {
    match engine(pool) {
        Engine::Postgres => "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
        Engine::Sqlite => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
    }
}

/// SQL for the end of a lease starting now on the database's clock, its
/// length in milliseconds bound at placeholder `$n`.
pub(crate) fn lease_end_sql(pool: &Pool, n: usize) -> String {
    format!("{} + ${n}", clock(pool))
}

pub(crate) fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A `running` job whose runner stopped renewing: SQL over a row of `jobs`.
fn abandoned(pool: &Pool) -> String {
    format!(
        "(status = 'running' AND (lease_until IS NULL OR lease_until < {}))",
        clock(pool)
    )
}

/// The status a reader should see: a `running` job nobody runs any more
/// reads `interrupted` (resumable), whatever process left it.
pub fn shown_status_sql(pool: &Pool) -> String {
    format!(
        "CASE WHEN {} THEN 'interrupted' ELSE status END",
        abandoned(pool)
    )
}

/// Why a job could not be claimed.
fn claim_refused(job_id: &str, runner: Option<String>) -> CoreError {
    match runner {
        Some(r) => CoreError::Invalid(format!(
            "import job {job_id} is already running in another Shotkeeper ({r}): wait for it, or cancel it there"
        )),
        None => CoreError::Invalid(format!(
            "import job {job_id} is completed: there is nothing to resume; start a new import to read the help center again"
        )),
    }
}

/// Takes the lease of one job for `runner` (starting, resuming or taking it
/// over): refused while another live process runs it, or when it is done.
pub async fn claim(pool: &Pool, job_id: &str, runner: &str, lease: Duration) -> Result<()> {
    let sql = format!(
        "UPDATE jobs SET status = 'running', runner = $1, lease_until = {c} + $2,
                cancel_requested = 0, error = NULL, updated_at = $3
         WHERE id = $4 AND status <> 'completed'
           AND (status <> 'running' OR runner = $1 OR {a})",
        c = clock(pool),
        a = abandoned(pool)
    );
    let attempt = || {
        sqlx::query(&sql)
            .bind(runner)
            .bind(millis(lease))
            .bind(now())
            .bind(job_id)
            .execute(pool)
    };
    let mut claimed = attempt().await;
    if matches!(&claimed, Ok(done) if done.rows_affected() == 0) {
        // Held by a process of this machine that has ended: no need to
        // wait for its lease.
        let holder: Option<String> = sqlx::query_scalar("SELECT runner FROM jobs WHERE id = $1")
            .bind(job_id)
            .fetch_optional(pool)
            .await?
            .flatten();
        if let Some(holder) = holder.filter(|h| runner_is_gone(h)) {
            end_lease_of_gone(pool, job_id, &holder).await?;
            claimed = attempt().await;
        }
    }
    match claimed {
        Ok(done) if done.rows_affected() == 1 => Ok(()),
        Ok(_) => {
            let row = sqlx::query("SELECT status, runner FROM jobs WHERE id = $1")
                .bind(job_id)
                .fetch_optional(pool)
                .await?
                .ok_or_else(|| CoreError::NotFound {
                    what: format!(
                        "import job {job_id} (past jobs are listed with `shotkeeper jobs`)"
                    ),
                })?;
            let status: String = row.try_get("status")?;
            let runner: Option<String> = row.try_get("runner")?;
            Err(claim_refused(
                job_id,
                (status != "completed").then(|| runner.unwrap_or_else(|| "another process".into())),
            ))
        }
        Err(e) if is_unique_violation(&e) => Err(another_import_active(pool, job_id).await),
        Err(e) => Err(e.into()),
    }
}

/// The error for a job that cannot become active because another import of
/// its integration is (the database refused a second active job).
async fn another_import_active(pool: &Pool, job_id: &str) -> CoreError {
    let integration: Option<String> =
        sqlx::query_scalar("SELECT integration_id FROM jobs WHERE id = $1")
            .bind(job_id)
            .fetch_optional(pool)
            .await
            .ok()
            .flatten();
    active_import(pool, integration.as_deref().unwrap_or_default()).await
}

/// "An import of this help center is already running", naming the job and
/// who started it when they can be read.
pub async fn active_import(pool: &Pool, integration_id: &str) -> CoreError {
    let row = sqlx::query(
        "SELECT id, started_by FROM jobs WHERE integration_id = $1 AND status IN ('queued', 'running')",
    )
    .bind(integration_id)
    .fetch_optional(pool)
    .await
    .ok()
    .flatten();
    let job = row
        .map(|r| {
            let id: String = r.try_get("id").unwrap_or_default();
            let by: Option<String> = r.try_get("started_by").unwrap_or_default();
            let by = by.map(|b| format!(", started by {b}")).unwrap_or_default();
            format!(" (job {id}{by})")
        })
        .unwrap_or_default();
    CoreError::Invalid(format!(
        "an import of this help center is already running{job}: wait for it to finish, or cancel it, before starting another"
    ))
}

/// Makes room for a new job of `integration_id`: a job of it that a dead
/// process left `running` becomes `interrupted` (it stays resumable).
pub async fn retire_abandoned(pool: &Pool, integration_id: &str) -> Result<()> {
    let held: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, runner FROM jobs WHERE integration_id = $1 AND status = 'running' AND runner IS NOT NULL",
    )
    .bind(integration_id)
    .fetch_all(pool)
    .await?;
    for (job_id, holder) in held.iter().filter(|(_, h)| runner_is_gone(h)) {
        end_lease_of_gone(pool, job_id, holder).await?;
    }
    let sql = format!(
        "UPDATE jobs SET status = 'interrupted', runner = NULL, lease_until = NULL, updated_at = $1
         WHERE integration_id = $2 AND {}",
        abandoned(pool)
    );
    sqlx::query(&sql)
        .bind(now())
        .bind(integration_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Whether the database refused a row because of a unique index (here: a
/// second active job of one integration).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

/// Claims the oldest job waiting for a server: a queued one, or one whose
/// runner died. `None` when there is none.
pub async fn claim_next(pool: &Pool, runner: &str, lease: Duration) -> Result<Option<String>> {
    let skip_locked = match engine(pool) {
        Engine::Postgres => "FOR UPDATE SKIP LOCKED",
        Engine::Sqlite => "",
    };
    let waiting = format!("(status = 'queued' OR {})", abandoned(pool));
    let sql = format!(
        "UPDATE jobs SET status = 'running', runner = $1, lease_until = {c} + $2, updated_at = $3
         WHERE id = (SELECT id FROM jobs WHERE {w} ORDER BY created_at, id LIMIT 1 {skip_locked})
           AND {w}
         RETURNING id",
        c = clock(pool),
        w = waiting,
    );
    let id = sqlx::query_scalar(&sql)
        .bind(runner)
        .bind(millis(lease))
        .bind(now())
        .fetch_optional(pool)
        .await?;
    Ok(id)
}

/// What renewing a lease found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// Still ours; someone may have asked it to stop.
    Held { cancel_requested: bool },
    /// Another process took the job over (this one stopped renewing in
    /// time), or it was stopped: this runner must stop writing.
    Lost,
}

pub async fn renew(pool: &Pool, job_id: &str, runner: &str, lease: Duration) -> Result<Renewal> {
    let sql = format!(
        "UPDATE jobs SET lease_until = {} + $1
         WHERE id = $2 AND runner = $3 AND status = 'running'
         RETURNING cancel_requested",
        clock(pool)
    );
    let found: Option<i64> = sqlx::query_scalar(&sql)
        .bind(millis(lease))
        .bind(job_id)
        .bind(runner)
        .fetch_optional(pool)
        .await?;
    Ok(match found {
        Some(c) => Renewal::Held {
            cancel_requested: c != 0,
        },
        None => Renewal::Lost,
    })
}

/// Records how the run ended and gives the lease up, only if `runner`
/// still holds it: a runner that lost its job never overwrites the status
/// its successor writes. False when it no longer held it.
pub async fn finish(
    pool: &Pool,
    job_id: &str,
    runner: &str,
    status: &str,
    error: Option<&str>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE jobs SET status = $1, error = $2, runner = NULL, lease_until = NULL,
                cancel_requested = 0, updated_at = $3
         WHERE id = $4 AND runner = $5",
    )
    .bind(status)
    .bind(error)
    .bind(now())
    .bind(job_id)
    .bind(runner)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Hands a job this runner holds back to the queue (a server shutting down
/// while other servers run).
pub async fn hand_back(pool: &Pool, job_id: &str, runner: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE jobs SET status = 'queued', runner = NULL, lease_until = NULL, updated_at = $1
         WHERE id = $2 AND runner = $3 AND status = 'running'",
    )
    .bind(now())
    .bind(job_id)
    .bind(runner)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What asking a job to stop did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelRequest {
    /// It was waiting in the queue: it is cancelled now.
    Dequeued,
    /// Its runner stops at its next renewal.
    Asked,
    /// It was not queued or running.
    NotRunning,
}

pub async fn request_cancel(pool: &Pool, job_id: &str) -> Result<CancelRequest> {
    let dequeued = sqlx::query(
        "UPDATE jobs SET status = 'cancelled', updated_at = $1 WHERE id = $2 AND status = 'queued'",
    )
    .bind(now())
    .bind(job_id)
    .execute(pool)
    .await?
    .rows_affected();
    if dequeued == 1 {
        return Ok(CancelRequest::Dequeued);
    }
    let sql = format!(
        "UPDATE jobs SET cancel_requested = 1 WHERE id = $1 AND status = 'running' AND NOT {}",
        abandoned(pool)
    );
    let asked = sqlx::query(&sql)
        .bind(job_id)
        .execute(pool)
        .await?
        .rows_affected();
    Ok(if asked == 1 {
        CancelRequest::Asked
    } else {
        CancelRequest::NotRunning
    })
}

/// Says this server is alive (and when it started): renewed with each poll
/// of the queue.
pub async fn replica_alive(pool: &Pool, runner: &str, started_at: &str) -> Result<()> {
    let host = runner.split('/').next().unwrap_or_default();
    let sql = format!(
        "INSERT INTO replicas (id, host, pid, started_at, last_seen) VALUES ($1, $2, $3, $4, {c})
         ON CONFLICT (id) DO UPDATE SET last_seen = {c}",
        c = clock(pool)
    );
    sqlx::query(&sql)
        .bind(runner)
        .bind(host)
        .bind(i64::from(std::process::id()))
        .bind(started_at)
        .execute(pool)
        .await?;
    Ok(())
}

/// This server stops: it is no longer counted among those alive.
pub async fn replica_gone(pool: &Pool, runner: &str) -> Result<()> {
    sqlx::query("DELETE FROM replicas WHERE id = $1")
        .bind(runner)
        .execute(pool)
        .await?;
    Ok(())
}

/// Whether `runner` is a server that renewed within `lease` (this process
/// serving the queue, when `runner` is [`this_runner`]).
pub async fn replica_is_alive(pool: &Pool, runner: &str, lease: Duration) -> Result<bool> {
    Ok(replicas_renewed(pool, "id = $1", runner, lease).await? > 0)
}

/// How many other servers renewed within `lease`.
pub async fn other_replicas_alive(pool: &Pool, runner: &str, lease: Duration) -> Result<u64> {
    replicas_renewed(pool, "id <> $1", runner, lease).await
}

/// Servers matching `which` (a condition on `id` against `$1`) that renewed
/// within `lease`.
async fn replicas_renewed(pool: &Pool, which: &str, runner: &str, lease: Duration) -> Result<u64> {
    let sql = format!(
        "SELECT COUNT(*) FROM replicas WHERE {which} AND last_seen >= {} - $2",
        clock(pool)
    );
    let n: i64 = sqlx::query_scalar(&sql)
        .bind(runner)
        .bind(millis(lease))
        .fetch_one(pool)
        .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}
