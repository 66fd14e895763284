//! The commands the UI calls (ui/src/lib/api.ts). Each one parses, calls
//! core, and maps the error; nothing here decides anything.

pub mod audit;
pub mod replace;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use shotkeeper_core::app::{App, JobListItem};
use shotkeeper_core::import::ImportProgress;
use shotkeeper_core::integrations::{IntegrationView, NewIntegration, UpdateIntegration};
use shotkeeper_core::model::{Dimension, JobView, VerifyResult};
use shotkeeper_core::providers::ProviderSpec;
use shotkeeper_core::report::{ArticleDetail, ArticleRow, ImageDetail, ImageRow};
use tauri::ipc::Channel;
use tauri::State;
use tokio_util::sync::CancellationToken;

use crate::error::CmdResult;
use crate::state::Shell;

/// Progress reports closer together than this are coalesced (the last one
/// of a burst is always delivered with the next report or at the end).
const PROGRESS_INTERVAL: Duration = Duration::from_millis(60);

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
/// through `on_progress`. Cancel with `cancel_import(jobId)`.
#[tauri::command]
pub async fn start_import(
    shell: State<'_, Shell>,
    integration_id: String,
    resume_job: Option<String>,
    on_progress: Channel<ImportProgress>,
) -> CmdResult<JobView> {
    let app = shell.app()?;
    let imports = shell.imports.clone();
    let token = CancellationToken::new();
    if let Some(job) = &resume_job {
        imports.register(job, &token);
    }
    let seen: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(resume_job.clone()));
    let throttle = Arc::new(Mutex::new(Throttle::default()));

    let progress = {
        let imports = imports.clone();
        let token = token.clone();
        let seen = seen.clone();
        let throttle = throttle.clone();
        let channel = on_progress.clone();
        Arc::new(move |p: ImportProgress| {
            {
                let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                if seen.as_deref() != Some(p.job_id.as_str()) {
                    imports.register(&p.job_id, &token);
                    *seen = Some(p.job_id.clone());
                }
            }
            let due = throttle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .offer(p, Instant::now());
            if let Some(p) = due {
                // A closed window drops the channel; the import goes on.
                let _ = channel.send(p);
            }
        })
    };

    let result = app
        .run_import(&integration_id, resume_job, progress, token)
        .await;

    if let Some(last) = throttle
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .pending
        .take()
    {
        let _ = on_progress.send(last);
    }
    if let Some(job) = seen.lock().unwrap_or_else(|e| e.into_inner()).take() {
        imports.remove(&job);
    }
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

/// Coalesces progress reports: a report goes out at once when the phase
/// changes or enough time passed; otherwise it waits as `pending` and is
/// replaced by newer ones.
#[derive(Default)]
struct Throttle {
    last_sent: Option<(Instant, String)>,
    pending: Option<ImportProgress>,
}

impl Throttle {
    fn offer(&mut self, p: ImportProgress, now: Instant) -> Option<ImportProgress> {
        let due = match &self.last_sent {
            None => true,
            Some((at, phase)) => {
                *phase != p.phase
                    || p.phase == "done"
                    || now.duration_since(*at) >= PROGRESS_INTERVAL
            }
        };
        if due {
            self.last_sent = Some((now, p.phase.clone()));
            self.pending = None;
            Some(p)
        } else {
            self.pending = Some(p);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(phase: &str, downloaded: u64) -> ImportProgress {
        ImportProgress {
            job_id: "j".into(),
            phase: phase.into(),
            images_downloaded: downloaded,
            ..Default::default()
        }
    }

    #[test]
    fn throttle_sends_phase_changes_and_spaced_reports() {
        let mut t = Throttle::default();
        let t0 = Instant::now();
        assert!(t.offer(report("images", 1), t0).is_some());
        assert!(t
            .offer(report("images", 2), t0 + Duration::from_millis(10))
            .is_none());
        assert_eq!(t.pending.as_ref().unwrap().images_downloaded, 2);
        let sent = t
            .offer(report("images", 3), t0 + Duration::from_millis(70))
            .unwrap();
        assert_eq!(sent.images_downloaded, 3);
        assert!(t.pending.is_none());
        assert!(t
            .offer(report("done", 3), t0 + Duration::from_millis(71))
            .is_some());
    }
}
