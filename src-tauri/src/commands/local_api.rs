//! Settings › Local API: starts and stops `shotkeeper serve`'s API on
//! loopback inside the app (shotkeeper-server's `LocalApi`, the same router
//! as the CLI's), and manages its keys (core's api_keys). Only translates.

use shotkeeper_core::api_keys::{ApiKeyInfo, NewApiKey};
use shotkeeper_server::local::{LocalApi, LocalApiStatus};
use tauri::State;

use crate::error::{CmdResult, CommandError};
use crate::state::Shell;

#[tauri::command]
pub async fn local_api_status(api: State<'_, LocalApi>) -> CmdResult<LocalApiStatus> {
    Ok(api.status().await)
}

#[tauri::command]
pub async fn start_local_api(
    shell: State<'_, Shell>,
    api: State<'_, LocalApi>,
    port: u16,
) -> CmdResult<LocalApiStatus> {
    let app = shell.app()?;
    api.start(app, port)
        .await
        .map_err(|e| CommandError::new("invalid", e.0))
}

#[tauri::command]
pub async fn stop_local_api(api: State<'_, LocalApi>) -> CmdResult<LocalApiStatus> {
    Ok(api.stop().await)
}

#[tauri::command]
pub async fn list_api_keys(shell: State<'_, Shell>) -> CmdResult<Vec<ApiKeyInfo>> {
    Ok(shell.app()?.list_api_keys().await?)
}

/// The new key travels to the UI once, to be shown and copied; the UI
/// keeps it only while that dialog is open.
#[tauri::command]
pub async fn create_api_key(shell: State<'_, Shell>, label: String) -> CmdResult<NewApiKey> {
    Ok(shell.app()?.create_api_key(&label).await?)
}

#[tauri::command]
pub async fn revoke_api_key(shell: State<'_, Shell>, id: String) -> CmdResult<ApiKeyInfo> {
    Ok(shell.app()?.revoke_api_key(&id).await?)
}
