//! Commands of image audits: the findings of an import (with its help
//! center's thresholds), those thresholds, and an export of the findings
//! into the Downloads folder.

use shotkeeper_core::app_update::AuditFormat;
use shotkeeper_core::audit::{AuditReport, AuditSettings};
use tauri::{Manager, State};

use crate::error::{CmdResult, CommandError};
use crate::state::Shell;

#[tauri::command]
pub async fn audit_job(shell: State<'_, Shell>, job_id: String) -> CmdResult<AuditReport> {
    Ok(shell.app()?.audit_job(&job_id).await?)
}

/// A help center's audit thresholds (heavy KiB, old days).
#[tauri::command]
pub async fn audit_settings(
    shell: State<'_, Shell>,
    integration_id: String,
) -> CmdResult<AuditSettings> {
    Ok(shell.app()?.audit_settings(&integration_id).await?)
}

/// Remembers a help center's audit thresholds.
#[tauri::command]
pub async fn save_audit_settings(
    shell: State<'_, Shell>,
    integration_id: String,
    settings: AuditSettings,
) -> CmdResult<AuditSettings> {
    Ok(shell
        .app()?
        .save_audit_settings(&integration_id, settings)
        .await?)
}

/// Writes the audit as CSV or JSON into the Downloads folder (the data
/// folder when there is none) and returns the file's path.
#[tauri::command]
pub async fn export_audit(
    app_handle: tauri::AppHandle,
    shell: State<'_, Shell>,
    job_id: String,
    format: AuditFormat,
) -> CmdResult<String> {
    let app = shell.app()?;
    let dir = app_handle
        .path()
        .download_dir()
        .unwrap_or_else(|_| app.data_dir().to_path_buf());
    let path = app
        .export_audit(&job_id, format, &dir)
        .await
        .map_err(CommandError::from)?;
    Ok(path.display().to_string())
}
