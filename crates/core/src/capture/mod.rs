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
//!
//! Front ends run a scenarios file through `App::capture_shots`
//! (`crate::app_capture`), which picks the browser and the output folder.

mod browser;
mod overview;
mod run;
mod scenarios;
mod shoot;
mod stamp;

pub use browser::{find_chromium, pick_chromium, Chromium, BROWSER_ENV};
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
