//! The commands the UI calls (ui/src/lib/api.ts). Each one parses, calls
//! core, and maps the error; nothing here decides anything.

pub mod audit;
pub mod capture;
pub mod local_api;
pub mod replace;
pub mod shared_files;
pub mod team;

use serde::Serialize;
use shotkeeper_core::app::{App, JobListItem};
use shotkeeper_core::import::{ImportOptions, ImportProgress};
use shotkeeper_core::integrations::{
    FieldProblem, IntegrationDraft, IntegrationView, NewIntegration, UpdateIntegration,
};
use shotkeeper_core::model::{Dimension, JobView, VerifyResult};
use shotkeeper_core::progress::Throttled;
use shotkeeper_core::providers::ProviderSpec;
use shotkeeper_core::report::{ArticleDetail, ArticleRow, ImageDetail, ImageRow};
use tauri::ipc::Channel;
use tauri::State;
use tokio_util::sync::CancellationToken;

use crate::error::CmdResult;
use crate::state::Shell;

#[derive(Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    version: &'static str,
    data_dir: String,
    demo_integration_id: Option<String>,
    demo_error: Option<String>,
}

#[tauri::command]
pub fn app_info(shell: State<'_, Shell>) -> CmdResult<AppInfo> {
    let app = shell.app()?;
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        data_dir: app.data_dir().display().to_string(),
        demo_integration_id: shell.demo.integration_id.clone(),
        demo_error: shell.demo.error.clone(),
    })
}

#[tauri::command]
pub fn provider_specs() -> Vec<ProviderSpec> {
    App::provider_specs()
}

#[tauri::command]
pub async fn list_integrations(shell: State<'_, Shell>) -> CmdResult<Vec<IntegrationView>> {
    Ok(shell.app()?.list_integrations().await?)
}

#[tauri::command]
pub async fn get_integration(shell: State<'_, Shell>, id: String) -> CmdResult<IntegrationView> {
    Ok(shell.app()?.get_integration(&id).await?)
}

/// Core's verdict on the integration form as it stands, field by field
/// (no secret crosses: the form says only whether one is typed).
#[tauri::command]
pub fn check_integration(draft: IntegrationDraft) -> Vec<FieldProblem> {
    shotkeeper_core::integrations::check_draft(&draft)
}

#[tauri::command]
pub async fn add_integration(
    shell: State<'_, Shell>,
    input: NewIntegration,
) -> CmdResult<IntegrationView> {
    Ok(shell.app()?.add_integration(input).await?)
}

#[tauri::command]
pub async fn update_integration(
    shell: State<'_, Shell>,
    id: String,
    input: UpdateIntegration,
) -> CmdResult<IntegrationView> {
    Ok(shell.app()?.update_integration(&id, input).await?)
}

#[tauri::command]
pub async fn delete_integration(shell: State<'_, Shell>, id: String) -> CmdResult<()> {
    Ok(shell.app()?.delete_integration(&id).await?)
}

#[tauri::command]
pub async fn verify_integration(shell: State<'_, Shell>, id: String) -> CmdResult<VerifyResult> {
    Ok(shell.app()?.verify_integration(&id).await?)
}

/// Runs an import (or resumes `resume_job`) to its end, streaming progress
/// through `on_progress`. Cancel with `cancel_import(jobId)`: core gives the
/// job's id before the first request, so it can be cancelled at once.
#[tauri::command]
pub async fn start_import(
    shell: State<'_, Shell>,
    integration_id: String,
    resume_job: Option<String>,
    on_progress: Channel<ImportProgress>,
) -> CmdResult<JobView> {
    let app = shell.app()?;
    let token = CancellationToken::new();
    // A closed window drops the channel; the import goes on.
    let throttle = Throttled::import(move |p| drop(on_progress.send(p)));
    let started = app
        .start_import(
            &integration_id,
            resume_job,
            ImportOptions::default(),
            throttle.callback(),
            token.clone(),
        )
        .await?;
    let job_id = started.job_id.clone();
    shell.imports.register(&job_id, &token);
    let result = started.finished().await;
    throttle.flush();
    shell.imports.remove(&job_id);
    Ok(result?)
}

#[tauri::command]
pub fn cancel_import(shell: State<'_, Shell>, job_id: String) -> bool {
    shell.imports.cancel(&job_id)
}

#[tauri::command]
pub async fn list_jobs(shell: State<'_, Shell>) -> CmdResult<Vec<JobListItem>> {
    Ok(shell.app()?.list_jobs().await?)
}

#[tauri::command]
pub async fn job_view(
    shell: State<'_, Shell>,
    job_id: String,
    dimension: Option<Dimension>,
) -> CmdResult<JobView> {
    Ok(shell.app()?.job_view(&job_id, dimension).await?)
}

#[tauri::command]
pub async fn image_rows(shell: State<'_, Shell>, job_id: String) -> CmdResult<Vec<ImageRow>> {
    Ok(shell.app()?.image_rows(&job_id).await?)
}

#[tauri::command]
pub async fn image_detail(
    shell: State<'_, Shell>,
    job_id: String,
    url: String,
) -> CmdResult<ImageDetail> {
    Ok(shell.app()?.image_detail(&job_id, &url).await?)
}

#[tauri::command]
pub async fn article_rows(shell: State<'_, Shell>, job_id: String) -> CmdResult<Vec<ArticleRow>> {
    Ok(shell.app()?.article_rows(&job_id).await?)
}

#[tauri::command]
pub async fn article_detail(
    shell: State<'_, Shell>,
    job_id: String,
    article_id: String,
) -> CmdResult<ArticleDetail> {
    Ok(shell.app()?.article_detail(&job_id, &article_id).await?)
}
