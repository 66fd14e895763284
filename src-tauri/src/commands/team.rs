//! Settings › Team: the data directory's team database and the member's
//! name (core's `team`). These work from the data directory alone, so a
//! team database that is down (the app could not open it) can still be
//! left. Joining or leaving changes the database the app opened: the UI
//! then offers `restart_app`, which opens it.

use shotkeeper_core::team::{self, TeamDatabaseCheck, TeamStatus};
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
