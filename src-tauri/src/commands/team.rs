//! Settings › Team: the data directory's team database and the member's
//! name (core's `team`). These work from the data directory alone, so a
//! team database that is down (the app could not open it) can still be
//! left. Joining or leaving changes the database the app opened: the UI
//! then offers `restart_app`, which opens it.

use shotkeeper_core::team::{self, TeamDatabaseCheck, TeamStatus};
use shotkeeper_core::team_key::{NewKeyHome, Rotation, TeamKeyStatus};
use tauri::State;

use crate::error::CmdResult;
use crate::state::Shell;

#[tauri::command]
pub fn team_status(shell: State<'_, Shell>) -> CmdResult<TeamStatus> {
    Ok(team::status(&shell.data_dir)?)
}

/// Connects without changing anything and says what joining would do.
/// The address crosses once, in this call; core never sends it back.
#[tauri::command]
pub async fn test_team_database(url: String) -> CmdResult<TeamDatabaseCheck> {
    Ok(team::test_team_database(&url).await?)
}

/// Tests, then saves the address (keychain) and the choice; the app
/// restarts to open it.
#[tauri::command]
pub async fn join_team(
    shell: State<'_, Shell>,
    url: String,
    name: Option<String>,
) -> CmdResult<TeamStatus> {
    let name = name.filter(|n| !n.trim().is_empty());
    Ok(team::join_team(&shell.data_dir, &url, name.as_deref()).await?)
}

#[tauri::command]
pub async fn leave_team(shell: State<'_, Shell>) -> CmdResult<TeamStatus> {
    Ok(team::leave_team(&shell.data_dir).await?)
}

/// Saves the name (empty: the OS user's) and acts under it at once.
#[tauri::command]
pub fn set_member_name(shell: State<'_, Shell>, name: Option<String>) -> CmdResult<TeamStatus> {
    let status = team::set_member_name(&shell.data_dir, name.as_deref())?;
    shell.act_as(&status.acting_as)?;
    Ok(status)
}

/// Closes and starts the app again, so it opens the database now chosen.
#[tauri::command]
pub fn restart_app(app: tauri::AppHandle) {
    tracing::info!("restarting to open the database chosen in Settings › Team");
    app.request_restart();
}

// --- Settings › Team › Team key ----------------------------------------------
// The key itself never reaches the web layer: the status says only whether
// this computer holds it; "Save key to file…" asks for a path here, in the
// shell, and core writes the file; a pasted key crosses once, inward.

#[tauri::command]
pub async fn team_key_status(shell: State<'_, Shell>) -> CmdResult<TeamKeyStatus> {
    Ok(shell.app()?.team_key_status().await?)
}

/// Checks the pasted key against the team database's key check, then keeps
/// it in the keychain; a wrong key is refused and nothing is saved.
#[tauri::command]
pub async fn add_team_key(shell: State<'_, Shell>, key: String) -> CmdResult<TeamKeyStatus> {
    Ok(shell.app()?.add_team_key(&key).await?)
}

/// Asks where to save the team key (the system's save dialog) and has core
/// write it there; the path written, or `None` when the dialog was cancelled.
#[tauri::command]
pub async fn save_team_key(
    app_handle: tauri::AppHandle,
    shell: State<'_, Shell>,
) -> CmdResult<Option<String>> {
    use tauri_plugin_dialog::DialogExt;
    let app = shell.app()?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app_handle
        .dialog()
        .file()
        .set_title("Save the team key")
        .set_file_name("shotkeeper-team-key.txt")
        .save_file(move |path| {
            let _ = tx.send(path);
        });
    let Some(Some(chosen)) = rx.await.ok() else {
        return Ok(None);
    };
    let path = chosen.into_path().map_err(|e| {
        shotkeeper_core::CoreError::Invalid(format!(
            "that place cannot be written to ({e}): choose a folder on this computer"
        ))
    })?;
    app.save_team_key_to_file(&path).await?;
    Ok(Some(path.display().to_string()))
}

/// Re-seals every secret under a new team key, kept in this computer's
/// keychain; colleagues then need the new key.
#[tauri::command]
pub async fn rotate_team_key(shell: State<'_, Shell>) -> CmdResult<Rotation> {
    Ok(shell
        .app()?
        .rotate_team_key(NewKeyHome::Keychain {
            data_dir: &shell.data_dir,
        })
        .await?)
}
