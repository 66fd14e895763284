//! Commands of the Capture view: open a scenarios file (the last one again
//! on start), capture with live status per scenario, cancel. Each one calls
//! core; the captured PNGs are then matched by `plan_update`, like a drop.

use std::path::PathBuf;

use shotkeeper_core::app_capture::{BrowserSetting, CaptureRequest};
use shotkeeper_core::capture::{CaptureRun, CaptureStatus, ShotsOverview};
use tauri::ipc::Channel;
use tauri::State;
use tokio_util::sync::CancellationToken;

use crate::error::CmdResult;
use crate::state::Shell;

/// Reads a scenarios file (a mistake comes back with its line and column)
/// and remembers it for the next start.
#[tauri::command]
pub async fn open_shots(shell: State<'_, Shell>, path: PathBuf) -> CmdResult<ShotsOverview> {
    Ok(shell.app()?.open_shots(&path).await?)
}

/// The demo app's scenarios file (shipped as demo/shots.toml), written
/// with the running demo's address and opened.
#[tauri::command]
pub async fn open_demo_shots(shell: State<'_, Shell>) -> CmdResult<ShotsOverview> {
    let app = shell.app()?;
    let Some(base) = shell.demo_app_base() else {
        return Err(shotkeeper_core::CoreError::Invalid(
            "the demo app is not running (the demo help center did not start; Integrations says why), so its scenarios cannot be captured; open a scenarios file of your own instead".into(),
        )
        .into());
    };
    let text = shotkeeper_sim::demo_shots_with_base(&base);
    Ok(app.open_bundled_shots("shots.toml", &text).await?)
}

/// The scenarios file opened last, if any (the view opens it again).
#[tauri::command]
pub async fn recent_shots(shell: State<'_, Shell>) -> CmdResult<Option<PathBuf>> {
    Ok(shell.app()?.recent_shots().await?)
}

/// Captures the file's scenarios (all, or `only`), sending each one's
/// status as it starts and ends; cancel with `cancel_capture`.
#[tauri::command]
pub async fn capture_shots(
    shell: State<'_, Shell>,
    path: PathBuf,
    only: Vec<String>,
    on_status: Channel<CaptureStatus>,
) -> CmdResult<CaptureRun> {
    let app = shell.app()?;
    let key = path.display().to_string();
    let token = CancellationToken::new();
    shell.captures.register(&key, &token);
    // A closed window drops the channel; the capture goes on.
    let request = CaptureRequest {
        only,
        ..Default::default()
    };
    let result = app
        .capture_shots(
            &path,
            &request,
            std::sync::Arc::new(move |s| drop(on_status.send(s))),
            token,
        )
        .await;
    shell.captures.remove(&key);
    Ok(result?)
}

/// Stops starting scenarios of the run on `path` (PNGs already written stay).
#[tauri::command]
pub fn cancel_capture(shell: State<'_, Shell>, path: PathBuf) -> bool {
    shell.captures.cancel(&path.display().to_string())
}

/// Settings › Capture: the browser chosen and the one a capture would start.
#[tauri::command]
pub async fn capture_browser(shell: State<'_, Shell>) -> CmdResult<BrowserSetting> {
    Ok(shell.app()?.capture_browser().await?)
}

/// Chooses the browser (`null`: the one on PATH); a path that is not a
/// file is refused with core's message and nothing is stored.
#[tauri::command]
pub async fn set_capture_browser(
    shell: State<'_, Shell>,
    path: Option<PathBuf>,
) -> CmdResult<BrowserSetting> {
    Ok(shell.app()?.set_capture_browser(path.as_deref()).await?)
}
