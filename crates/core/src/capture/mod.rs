//! Capture: screenshots described once in a scenarios file (`shots.toml`)
//! and taken by a real headless Chromium, each PNG carrying its scenario id
//! in a `screenshot-id` text chunk so the `metadata` tier of
//! `crate::matching` recognises it on every later import.
//!
//! - `scenarios.rs`: the file format, checked with line and column.
//! - `browser.rs`: finding and starting Chromium.
//! - `shoot.rs`: one scenario on one tab, made deterministic.
//! - `stamp.rs`: masks painted, text chunks written.
//! - `run.rs`: many scenarios, a bounded number of tabs at once.
//! - `overview.rs`: what a front end shows of a file and of a run.

mod browser;
mod overview;
mod run;
mod scenarios;
mod shoot;
mod stamp;

use std::path::Path;

pub use browser::{find_chromium, Chromium, BROWSER_ENV};
pub use overview::{
    png_path, CaptureRun, CaptureStatus, LastCapture, ScenarioSummary, ShotsOverview,
};
pub use run::{
    capture, select, CaptureEvent, CaptureOptions, CaptureProgress, CaptureReport, Captured,
    KeychainSecrets, ScenarioOutcome, SecretLookup, DEFAULT_TABS, MAX_TABS,
};
pub use scenarios::{
    load_shots, load_shots_at, parse_shots, parse_shots_at, Clip, ColorScheme, Cookie, Scenario,
    ShotsFile, Target, Value, Viewport, WaitFor, DEFAULT_TIMEOUT,
};
pub use stamp::{ID_KEY, SOFTWARE, SOFTWARE_KEY, SOURCE_KEY};

use crate::error::Result;
use tokio_util::sync::CancellationToken;

/// Everything `shotkeeper capture` does in core: read the scenarios file,
/// pick the scenarios (`only`, empty for all), start the browser (`browser`
/// or the one [`find_chromium`] finds), capture, and close the browser.
/// The file and the browser are checked before anything is written.
pub async fn capture_file(
    shots: &Path,
    only: &[String],
    browser: Option<&Path>,
    opts: &CaptureOptions,
    progress: CaptureProgress,
    cancel: CancellationToken,
) -> Result<CaptureReport> {
    capture_file_at(shots, None, only, browser, opts, progress, cancel).await
}

/// [`capture_file`] with the scenarios' relative URLs joined to `base_url`
/// instead of the file's `[defaults] base_url` (`shotkeeper capture
/// --base-url`; see [`load_shots_at`]).
pub async fn capture_file_at(
    shots: &Path,
    base_url: Option<&str>,
    only: &[String],
    browser: Option<&Path>,
    opts: &CaptureOptions,
    progress: CaptureProgress,
    cancel: CancellationToken,
) -> Result<CaptureReport> {
    let file = load_shots_at(shots, base_url)?;
    let chosen = select(&file, only)?;
    let executable = find_chromium(browser)?;
    let chromium = Chromium::launch(&executable).await?;
    let report = capture(&chromium, &chosen, opts, progress, cancel).await;
    chromium.close().await;
    report
}
