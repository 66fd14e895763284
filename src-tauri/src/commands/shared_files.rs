//! Settings › Team › Shared files, and this machine's copy of a shared
//! thumbnail or screenshot (core's `shared_files`).

use shotkeeper_core::shared_files::SharedFilesStatus;
use tauri::State;

use crate::error::CmdResult;
use crate::state::Shell;

#[tauri::command]
pub async fn shared_files_status(shell: State<'_, Shell>) -> CmdResult<SharedFilesStatus> {
    Ok(shell.app()?.shared_files_status().await?)
}

/// Chooses the S3/R2 integration that keeps the team's files (`None`:
/// stop sharing them).
#[tauri::command]
pub async fn set_shared_files(
    shell: State<'_, Shell>,
    storage_integration_id: Option<String>,
) -> CmdResult<SharedFilesStatus> {
    let app = shell.app()?;
    Ok(app
        .set_shared_files(storage_integration_id.as_deref())
        .await?)
}

/// The path of this machine's copy of a thumbnail or screenshot a
/// colleague's machine made, fetched from the team's storage when missing.
#[tauri::command]
pub async fn local_copy(shell: State<'_, Shell>, path: String) -> CmdResult<String> {
    let app = shell.app()?;
    let local = app.local_copy(std::path::Path::new(&path)).await?;
    Ok(local.to_string_lossy().into_owned())
}
