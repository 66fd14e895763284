//! LaunchBrightly's "Check an Import Progress" answer, built once per change
//! of the job and served as the same JSON bytes until the job changes again.
//!
//! A dashboard polls `GET /helpcenter/import/:id` over and over; rebuilding
//! a job of 20,000 images from SQL and serialising it for every poll costs
//! far more than the answer is worth while nothing changed. The database
//! keeps a counter per job (`job_view_versions`, moved by triggers on every
//! write to the job's articles, references and images, whichever process
//! writes), so one indexed read says whether the bytes built last are still
//! the answer. While an import runs the counter moves and the next poll
//! rebuilds, once: concurrent polls wait for that one build and share it.
//! The answer is kept gzipped too (compressed once per change): 16 clients
//! each taking 8 MiB of JSON per poll spend their time copying bytes, a
//! tenth of that when they accept gzip.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};

use crate::db::Pool;
use bytes::Bytes;
use sqlx::Row;

use crate::app::App;
use crate::error::{CoreError, Result};
use crate::model::Dimension;
use crate::report;

/// Built answers kept at most (all jobs and dimensions together); the least
/// recently asked for is dropped first. A job of 20,000 images answers
/// about 10 MiB per dimension.
pub const CACHE_BUDGET_BYTES: usize = 96 * 1024 * 1024;

/// What the answer of a job depends on besides its rows: the change counter
/// and the job's name (the one field of the job row the answer shows).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    version: i64,
    name: String,
}

/// One process may hold several `App`s on different data directories
/// (tests): the data directory is part of the key, with the job and the
/// dimension's name.
type Key = (PathBuf, String, &'static str);

fn dimension_name(d: Dimension) -> &'static str {
    match d {
        Dimension::Images => "images",
        Dimension::Articles => "articles",
    }
}

/// One built answer: the JSON, and the same bytes gzipped.
#[derive(Debug, Clone)]
pub struct JobViewJson {
    pub json: Bytes,
    pub gzip: Bytes,
}

impl JobViewJson {
    fn len(&self) -> usize {
        self.json.len() + self.gzip.len()
    }
}

#[derive(Default)]
struct Slot {
    /// Held while this answer is being built, so concurrent requests build
    /// it once.
    building: Arc<tokio::sync::Mutex<()>>,
    built: Option<(Stamp, JobViewJson)>,
    last_used: u64,
}

#[derive(Default)]
struct Cache {
    slots: HashMap<Key, Slot>,
    tick: u64,
}

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(Default::default);

fn cache() -> std::sync::MutexGuard<'static, Cache> {
    CACHE.lock().unwrap_or_else(|p| p.into_inner())
}

async fn stamp(pool: &Pool, job_id: &str) -> Result<Stamp> {
    let row = sqlx::query(
        "SELECT j.name AS name, COALESCE(v.version, 0) AS version
         FROM jobs j LEFT JOIN job_view_versions v ON v.job_id = j.id
         WHERE j.id = $1",
    )
    .bind(job_id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| CoreError::NotFound {
        what: format!("import job {job_id} (past jobs are listed with `shotkeeper jobs`)"),
    })?;
    Ok(Stamp {
        version: row.try_get("version")?,
        name: row.try_get("name")?,
    })
}

/// The bytes built for `stamp`, if that is what the slot holds; marks the
/// slot used either way.
fn lookup(key: &Key, wanted: &Stamp) -> (Option<JobViewJson>, Arc<tokio::sync::Mutex<()>>) {
    let mut cache = cache();
    cache.tick += 1;
    let tick = cache.tick;
    let slot = cache.slots.entry(key.clone()).or_default();
    slot.last_used = tick;
    let hit = match &slot.built {
        Some((s, answer)) if s == wanted => Some(answer.clone()),
        _ => None,
    };
    (hit, slot.building.clone())
}

/// What the slot holds, if it was built at `wanted`'s version or later.
fn built_since(key: &Key, wanted: &Stamp) -> Option<JobViewJson> {
    let cache = cache();
    match cache.slots.get(key).and_then(|s| s.built.as_ref()) {
        Some((s, answer)) if s.version >= wanted.version && s.name == wanted.name => {
            Some(answer.clone())
        }
        _ => None,
    }
}

fn store(key: &Key, stamp: Stamp, answer: JobViewJson) {
    let mut cache = cache();
    if let Some(slot) = cache.slots.get_mut(key) {
        slot.built = Some((stamp, answer));
    }
    // Drop the least recently used answers (never the one just built) until
    // the rest fits the budget.
    loop {
        let total: usize = cache
            .slots
            .values()
            .filter_map(|s| s.built.as_ref().map(|(_, b)| b.len()))
            .sum();
        if total <= CACHE_BUDGET_BYTES {
            break;
        }
        let victim = cache
            .slots
            .iter()
            .filter(|(k, s)| *k != key && s.built.is_some())
            .min_by_key(|(_, s)| s.last_used)
            .map(|(k, _)| k.clone());
        match victim {
            Some(k) => {
                if let Some(s) = cache.slots.get_mut(&k) {
                    s.built = None;
                }
            }
            None => break,
        }
    }
}

fn forget(key: &Key) {
    cache().slots.remove(key);
}

/// Serialises and gzips (the fastest level: this runs on every change of
/// a running job; the answer still shrinks about tenfold).
fn encode(view: &crate::model::JobView) -> Result<JobViewJson> {
    use std::io::Write;
    let json = serde_json::to_vec(view).map_err(|e| {
        CoreError::Internal(format!(
            "the job's answer could not be written as JSON: {e}"
        ))
    })?;
    let mut gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(json.len() / 8),
        flate2::Compression::fast(),
    );
    gz.write_all(&json)
        .and_then(|_| gz.finish())
        .map(|gzip| JobViewJson {
            json: Bytes::from(json),
            gzip: Bytes::from(gzip),
        })
        .map_err(|e| CoreError::Internal(format!("the job's answer could not be gzipped: {e}")))
}

impl App {
    /// The job in LaunchBrightly's import API shape ([`App::job_view`] with
    /// a dimension), as JSON bytes and gzipped: built, serialised and
    /// compressed once per change of the job, then shared by every request
    /// until the job changes.
    pub async fn job_view_json(&self, job_id: &str, dimension: Dimension) -> Result<JobViewJson> {
        let key: Key = (
            self.data_dir().to_path_buf(),
            job_id.to_owned(),
            dimension_name(dimension),
        );
        let wanted = match stamp(self.pool(), job_id).await {
            Ok(s) => s,
            Err(e) => {
                forget(&key);
                return Err(e);
            }
        };
        let (hit, building) = lookup(&key, &wanted);
        if let Some(bytes) = hit {
            return Ok(bytes);
        }
        let _building = building.lock().await;
        // A build that ended while this request waited shows the job as it
        // was when the request came, or newer: that is its answer. (Building
        // again for every waiting request while an import keeps writing
        // would queue them behind one build each.)
        if let Some(answer) = built_since(&key, &wanted) {
            return Ok(answer);
        }
        let current = stamp(self.pool(), job_id).await?;
        // The rows are read after `current` was: the answer is at least as
        // new as `current`, so keeping it under `current` is never stale
        // for longer than one more change (which moves the counter again).
        let view = report::job_view(self.pool(), job_id, Some(dimension)).await?;
        let answer = tokio::task::spawn_blocking(move || encode(&view))
            .await
            .map_err(|e| {
                CoreError::Internal(format!("building the job's answer stopped: {e}"))
            })??;
        store(&key, current, answer.clone());
        Ok(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(job: &str) -> Key {
        (PathBuf::from("/nowhere"), job.to_owned(), "images")
    }

    #[test]
    fn the_least_recently_used_answer_is_dropped_past_the_budget() {
        let stamp = Stamp {
            version: 1,
            name: "n".into(),
        };
        let half = JobViewJson {
            json: Bytes::from(vec![b' '; CACHE_BUDGET_BYTES / 2 + 1]),
            gzip: Bytes::new(),
        };
        let (a, b) = (key("lru-a"), key("lru-b"));
        lookup(&a, &stamp);
        store(&a, stamp.clone(), half.clone());
        lookup(&b, &stamp);
        store(&b, stamp.clone(), half.clone());
        assert!(lookup(&a, &stamp).0.is_none(), "a was dropped for b");
        assert_eq!(lookup(&b, &stamp).0.map(|b| b.len()), Some(half.len()));
        forget(&a);
        forget(&b);
    }
}
