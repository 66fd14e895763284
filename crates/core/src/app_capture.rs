//! The `App` methods of capture as the desktop uses it: a scenarios file is
//! opened (checked, and remembered for the next start), listed with each
//! scenario's last capture, and captured into a folder of the data
//! directory that belongs to that file; the PNGs are then matched like
//! dropped files (`App::plan_update`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::capture::{
    self, CaptureOptions, CaptureProgress, CaptureRun, CaptureStatus, Chromium, ShotsOverview,
};
use crate::db::capture as store;
use crate::error::{CoreError, Result};

/// The capture setting that names the browser.
const BROWSER_SETTING: &str = "browser";

/// The browser setting as Settings shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BrowserSetting {
    /// The executable chosen in Settings, if one was.
    pub chosen: Option<String>,
    /// The executable a capture would start now.
    pub effective: Option<String>,
    /// Why no capture could start now (no browser found), and how to fix it.
    pub problem: Option<String>,
}

/// What to capture and how; the default is what the desktop does: every
/// scenario, into the file's folder of the data directory.
#[derive(Debug, Clone, Default)]
pub struct CaptureRequest {
    /// Only the scenarios with these ids (empty: all).
    pub only: Vec<String>,
    /// Replaces the file's `[defaults] base_url` (`--base-url`).
    pub base_url: Option<String>,
    /// Where the PNGs go instead of the file's capture folder (`--out`).
    pub out_dir: Option<PathBuf>,
    /// Scenarios at once (`--tabs`; default [`capture::DEFAULT_TABS`]).
    pub tabs: Option<usize>,
    /// The browser (`--browser`), before any other choice.
    pub browser: Option<PathBuf>,
}

/// Receives each scenario's status as a run goes.
pub type CaptureStatusFn = Arc<dyn Fn(CaptureStatus) + Send + Sync>;

impl App {
    /// Reads and checks a scenarios file (a mistake is reported with its
    /// line and column) and remembers it as the one to open next time.
    pub async fn open_shots(&self, path: &Path) -> Result<ShotsOverview> {
        let path = absolute(path);
        let file = capture::load_shots(&path)?;
        store::touch(self.pool(), &path.display().to_string()).await?;
        Ok(ShotsOverview::new(&path, &self.capture_dir(&path), &file))
    }

    /// Writes a scenarios file that ships with Shotkeeper (the demo app's,
    /// with the running demo's address filled in) to `demo/FILE_NAME` in
    /// the data directory, and opens it as [`App::open_shots`] does, so a
    /// person can read it, edit it and capture it like their own.
    pub async fn open_bundled_shots(&self, file_name: &str, text: &str) -> Result<ShotsOverview> {
        let dir = self.data_dir().join("demo");
        std::fs::create_dir_all(&dir).map_err(|e| CoreError::file("create", dir.display(), e))?;
        let path = dir.join(file_name);
        std::fs::write(&path, text).map_err(|e| CoreError::file("write", path.display(), e))?;
        self.open_shots(&path).await
    }

    /// The scenarios file opened last, to open again; `None` when none was.
    pub async fn recent_shots(&self) -> Result<Option<PathBuf>> {
        Ok(store::latest(self.pool()).await?.map(PathBuf::from))
    }

    /// Captures the scenarios of `path` as `request` says (by default all
    /// of them, into the file's capture folder, with the browser
    /// [`App::chromium`] picks). One failing scenario never stops the
    /// others; the file and the browser are checked before anything runs.
    /// The desktop's Capture view and `shotkeeper capture` both come here.
    pub async fn capture_shots(
        &self,
        path: &Path,
        request: &CaptureRequest,
        progress: CaptureStatusFn,
        cancel: CancellationToken,
    ) -> Result<CaptureRun> {
        let path = absolute(path);
        let file = capture::load_shots_at(&path, request.base_url.as_deref())?;
        let chosen = capture::select(&file, &request.only)?;
        let chromium = Chromium::launch(&self.chromium(request.browser.as_deref()).await?).await?;
        let mut opts = CaptureOptions::new(
            request
                .out_dir
                .clone()
                .unwrap_or_else(|| self.capture_dir(&path)),
        );
        if let Some(tabs) = request.tabs {
            opts.tabs = tabs;
        }
        let forward: CaptureProgress = Arc::new(move |ev| progress(CaptureStatus::from_event(&ev)));
        let report = capture::capture(&chromium, &chosen, &opts, forward, cancel).await;
        chromium.close().await;
        let report = report?;
        Ok(CaptureRun {
            outcomes: report
                .outcomes
                .iter()
                .map(CaptureStatus::from_outcome)
                .collect(),
            files: report
                .files()
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            failed: report.failed() as u32,
        })
    }

    /// The browser a capture starts: `given` (the CLI's `--browser`), else
    /// `SHOTKEEPER_CHROMIUM`, else the one chosen in Settings, else the
    /// first Chromium or Chrome on PATH.
    pub async fn chromium(&self, given: Option<&Path>) -> Result<PathBuf> {
        let chosen = store::setting(self.pool(), BROWSER_SETTING).await?;
        capture::pick_chromium(given, chosen.as_deref().map(Path::new))
    }

    /// What Settings shows: the browser chosen there (if any) and the one a
    /// capture would start now, or why none would.
    pub async fn capture_browser(&self) -> Result<BrowserSetting> {
        let chosen = store::setting(self.pool(), BROWSER_SETTING).await?;
        let (effective, problem) = match self.chromium(None).await {
            Ok(p) => (Some(p.display().to_string()), None),
            Err(e) => (None, Some(e.to_string())),
        };
        Ok(BrowserSetting {
            chosen,
            effective,
            problem,
        })
    }

    /// Chooses the browser captures start (`None`: the one on PATH again).
    /// A path that is not a file is refused and nothing is stored.
    pub async fn set_capture_browser(&self, path: Option<&Path>) -> Result<BrowserSetting> {
        let path = path.filter(|p| !p.as_os_str().is_empty());
        if let Some(p) = path {
            capture::find_chromium(Some(p))?;
        }
        let value = path.map(|p| p.display().to_string());
        store::set_setting(self.pool(), BROWSER_SETTING, value.as_deref()).await?;
        self.capture_browser().await
    }

    /// The folder a scenarios file's captures go to: one per file, named
    /// after it, under `captures/` in the data directory (so two files with
    /// a scenario of the same id never overwrite each other's PNG).
    pub fn capture_dir(&self, shots: &Path) -> PathBuf {
        let digest = Sha256::digest(shots.display().to_string().as_bytes());
        let short: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        let stem = shots
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "shots".into());
        self.data_dir()
            .join("captures")
            .join(format!("{stem}-{short}"))
    }
}

/// `path` made absolute against the working directory, so the remembered
/// file and its capture folder do not depend on where the app started.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
