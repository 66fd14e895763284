//! Capturing many scenarios: a bounded number of tabs at once, each
//! scenario on its own, one failure never stopping the others, every PNG
//! written whole (a temporary file renamed) and only when it succeeded.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use super::browser::Chromium;
use super::scenarios::{Scenario, ShotsFile, Value};
use super::shoot::shoot;
use crate::error::{CoreError, Result};
use crate::model::SecretSource;

/// Tabs at once unless told otherwise: a 2-core machine renders two pages
/// well; more mostly queue on the CPU (see the capture benchmark example).
pub const DEFAULT_TABS: usize = 2;
/// The most tabs one capture opens at once.
pub const MAX_TABS: usize = 16;

/// Where the named secrets of headers and cookies (`{ secret = "NAME" }`)
/// are looked up.
#[async_trait]
pub trait SecretLookup: Send + Sync {
    async fn secret(&self, name: &str) -> Result<String>;
}

/// The OS keychain, service `shotkeeper`, account = the secret's name
/// (`crate::secrets`).
#[derive(Debug, Default, Clone, Copy)]
pub struct KeychainSecrets;

#[async_trait]
impl SecretLookup for KeychainSecrets {
    async fn secret(&self, name: &str) -> Result<String> {
        crate::secrets::load(name, &SecretSource::Keychain).await
    }
}

/// What a capture run is told.
#[derive(Clone)]
pub struct CaptureOptions {
    /// Where the PNGs go (created if missing), one `ID.png` per scenario.
    pub out_dir: PathBuf,
    /// Scenarios captured at once (1 to [`MAX_TABS`]).
    pub tabs: usize,
    pub secrets: Arc<dyn SecretLookup>,
}

impl std::fmt::Debug for CaptureOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureOptions")
            .field("out_dir", &self.out_dir)
            .field("tabs", &self.tabs)
            .finish_non_exhaustive()
    }
}

impl CaptureOptions {
    pub fn new(out_dir: impl Into<PathBuf>) -> Self {
        CaptureOptions {
            out_dir: out_dir.into(),
            tabs: DEFAULT_TABS,
            secrets: Arc::new(KeychainSecrets),
        }
    }
}

/// A scenario that was captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    pub path: PathBuf,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
}

/// One scenario's outcome.
#[derive(Debug)]
pub struct ScenarioOutcome {
    pub id: String,
    pub elapsed: Duration,
    pub result: Result<Captured>,
}

/// Progress, as each scenario starts and ends (in the order they do).
#[derive(Debug)]
pub enum CaptureEvent<'a> {
    Started { id: &'a str },
    Finished(&'a ScenarioOutcome),
}

pub type CaptureProgress = Arc<dyn Fn(CaptureEvent<'_>) + Send + Sync>;

/// Every outcome, in the order of the scenarios.
#[derive(Debug)]
pub struct CaptureReport {
    pub outcomes: Vec<ScenarioOutcome>,
}

impl CaptureReport {
    pub fn failed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.result.is_err()).count()
    }

    /// The files written, in scenario order.
    pub fn files(&self) -> Vec<PathBuf> {
        self.outcomes
            .iter()
            .filter_map(|o| o.result.as_ref().ok().map(|c| c.path.clone()))
            .collect()
    }
}

/// The scenarios to run: all, or those named in `only` (each must exist).
pub fn select<'a>(file: &'a ShotsFile, only: &[String]) -> Result<Vec<&'a Scenario>> {
    if only.is_empty() {
        return Ok(file.scenarios.iter().collect());
    }
    let unknown: Vec<&str> = only
        .iter()
        .map(String::as_str)
        .filter(|id| !file.scenarios.iter().any(|s| s.id == *id))
        .collect();
    if !unknown.is_empty() {
        let known: Vec<&str> = file.scenarios.iter().map(|s| s.id.as_str()).collect();
        return Err(CoreError::Invalid(format!(
            "no scenario with id {}; the file has: {}",
            unknown.join(", "),
            known.join(", ")
        )));
    }
    Ok(file
        .scenarios
        .iter()
        .filter(|s| only.contains(&s.id))
        .collect())
}

/// Captures `scenarios` with `chromium`, `opts.tabs` at a time. Stops
/// starting new scenarios when `cancel` fires (those are reported as
/// cancelled). Errors only when the output folder cannot be made.
pub async fn capture(
    chromium: &Chromium,
    scenarios: &[&Scenario],
    opts: &CaptureOptions,
    progress: CaptureProgress,
    cancel: CancellationToken,
) -> Result<CaptureReport> {
    std::fs::create_dir_all(&opts.out_dir)
        .map_err(|e| CoreError::file("create", opts.out_dir.display(), e))?;
    let tabs = opts.tabs.clamp(1, MAX_TABS);
    // The futures are made up front (not in a `Stream::map` closure) so the
    // whole capture stays `Send` for callers that spawn it: a closure over
    // borrowed scenarios is not general over their lifetimes.
    let runs: Vec<_> = scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| scenario(i, s, chromium, opts, progress.clone(), cancel.clone()))
        .collect();
    let mut outcomes: Vec<(usize, ScenarioOutcome)> = futures::stream::iter(runs)
        .buffer_unordered(tabs)
        .collect()
        .await;
    outcomes.sort_by_key(|(i, _)| *i);
    Ok(CaptureReport {
        outcomes: outcomes.into_iter().map(|(_, o)| o).collect(),
    })
}

/// One scenario from start to outcome, reported as it starts and ends.
async fn scenario(
    i: usize,
    s: &Scenario,
    chromium: &Chromium,
    opts: &CaptureOptions,
    progress: CaptureProgress,
    cancel: CancellationToken,
) -> (usize, ScenarioOutcome) {
    let start = Instant::now();
    let result = if cancel.is_cancelled() {
        Err(CoreError::Cancelled)
    } else {
        progress(CaptureEvent::Started { id: &s.id });
        tokio::select! {
            r = one(chromium, s, opts) => r,
            _ = cancel.cancelled() => Err(CoreError::Cancelled),
        }
    };
    let outcome = ScenarioOutcome {
        id: s.id.clone(),
        elapsed: start.elapsed(),
        result,
    };
    progress(CaptureEvent::Finished(&outcome));
    (i, outcome)
}

async fn one(chromium: &Chromium, s: &Scenario, opts: &CaptureOptions) -> Result<Captured> {
    let (headers, cookies) = resolve_values(s, opts.secrets.as_ref()).await?;
    let shot = shoot(chromium, s, &headers, &cookies).await?;
    let path = super::overview::png_path(&opts.out_dir, &s.id);
    write_whole(&path, &shot.png)?;
    Ok(Captured {
        path,
        width: shot.width,
        height: shot.height,
        bytes: shot.png.len() as u64,
    })
}

/// Header and cookie values with their secrets looked up. An error names
/// the header or cookie and the secret, never a value.
async fn resolve_values(
    s: &Scenario,
    secrets: &dyn SecretLookup,
) -> Result<(BTreeMap<String, String>, Vec<(String, String)>)> {
    let mut headers = BTreeMap::new();
    for (name, v) in &s.headers {
        headers.insert(
            name.clone(),
            resolve(s, &format!("header {name}"), v, secrets).await?,
        );
    }
    let mut cookies = Vec::new();
    for c in &s.cookies {
        let value = resolve(s, &format!("cookie {}", c.name), &c.value, secrets).await?;
        cookies.push((c.name.clone(), value));
    }
    Ok((headers, cookies))
}

async fn resolve(
    s: &Scenario,
    what: &str,
    v: &Value,
    secrets: &dyn SecretLookup,
) -> Result<String> {
    let failed = |detail: String| CoreError::Capture {
        scenario: s.id.clone(),
        detail,
        waited: "0.0 s".into(),
    };
    match v {
        Value::Plain(p) => Ok(p.clone()),
        Value::Env(name) => std::env::var(name).map_err(|_| {
            failed(format!("its {what} reads environment variable {name}, which is not set; export it before capturing"))
        }),
        Value::Secret(name) => secrets.secret(name).await.map_err(|e| {
            failed(format!("its {what} names secret '{name}', which cannot be read: {e}"))
        }),
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so
/// a reader never sees half a PNG and a failure leaves the old file.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| CoreError::file("write in", dir.display(), e))?;
    std::io::Write::write_all(&mut tmp, bytes)
        .map_err(|e| CoreError::file("write", path.display(), e))?;
    tmp.persist(path)
        .map_err(|e| CoreError::file("write", path.display(), e.error))?;
    Ok(())
}
