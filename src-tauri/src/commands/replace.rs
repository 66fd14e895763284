//! Commands of replacing screenshots: plan from dropped files, review
//! (save, visual diff), apply with progress, revisions and rollback. Each
//! one calls core; nothing here decides anything.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shotkeeper_core::app_update::PlanRequest;
use shotkeeper_core::diff::DiffResult;
use shotkeeper_core::providers::ArticleRef;
use shotkeeper_core::update::revisions::{Revision, RollbackOutcome};
use shotkeeper_core::update::{ApplyProgress, UpdatePlan, UpdateResult};
use tauri::ipc::Channel;
use tauri::State;
use tokio_util::sync::CancellationToken;

use crate::error::CmdResult;
use crate::state::Shell;

/// Apply progress closer together than this is coalesced; the last report
/// is always delivered.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(60);

/// Matches dropped files (or folders) against an import; the plan is
/// stored for review. The drop handler calls this with the dropped paths.
#[tauri::command]
pub async fn plan_update(shell: State<'_, Shell>, request: PlanRequest) -> CmdResult<UpdatePlan> {
    Ok(shell.app()?.plan_update(request).await?)
}

#[tauri::command]
pub async fn get_plan(shell: State<'_, Shell>, plan_id: String) -> CmdResult<UpdatePlan> {
    Ok(shell.app()?.get_plan(&plan_id).await?)
}

/// Stores a plan edited in review (deselected changes, chosen storage).
#[tauri::command]
pub async fn save_plan(shell: State<'_, Shell>, plan: UpdatePlan) -> CmdResult<()> {
    Ok(shell.app()?.save_plan(&plan).await?)
}

#[tauri::command]
pub async fn diff_match(
    shell: State<'_, Shell>,
    plan_id: String,
    screenshot_sha256: String,
    old_url: String,
) -> CmdResult<DiffResult> {
    Ok(shell
        .app()?
        .plan_diff(&plan_id, &screenshot_sha256, &old_url)
        .await?)
}

/// Applies a stored plan, streaming progress; cancel with `cancel_update`
/// (articles already written stay written, with their revisions).
#[tauri::command]
pub async fn apply_plan(
    shell: State<'_, Shell>,
    plan_id: String,
    on_progress: Channel<ApplyProgress>,
) -> CmdResult<UpdateResult> {
    let app = shell.app()?;
    let token = CancellationToken::new();
    shell.updates.register(&plan_id, &token);
    let last_sent = Arc::new(Mutex::new(None::<Instant>));
    let pending = Arc::new(Mutex::new(None::<ApplyProgress>));
    let progress = {
        let channel = on_progress.clone();
        let pending = pending.clone();
        Arc::new(move |p: ApplyProgress| {
            let now = Instant::now();
            let mut last = last_sent.lock().unwrap_or_else(|e| e.into_inner());
            let done = p.articles_done >= p.articles_total;
            if done || last.is_none_or(|t| now.duration_since(t) >= PROGRESS_INTERVAL) {
                *last = Some(now);
                *pending.lock().unwrap_or_else(|e| e.into_inner()) = None;
                // A closed window drops the channel; the update goes on.
                let _ = channel.send(p);
            } else {
                *pending.lock().unwrap_or_else(|e| e.into_inner()) = Some(p);
            }
        })
    };
    let result = app.apply_plan(&plan_id, false, progress, token).await;
    shell.updates.remove(&plan_id);
    if let Some(p) = pending.lock().unwrap_or_else(|e| e.into_inner()).take() {
        let _ = on_progress.send(p);
    }
    Ok(result?)
}

#[tauri::command]
pub fn cancel_update(shell: State<'_, Shell>, plan_id: String) -> bool {
    shell.updates.cancel(&plan_id)
}

/// Every revision of one article document, newest first.
#[tauri::command]
pub async fn article_revisions(
    shell: State<'_, Shell>,
    integration_id: String,
    external_id: String,
    locale: Option<String>,
) -> CmdResult<Vec<Revision>> {
    let article = ArticleRef::with_locale(external_id, locale);
    Ok(shell
        .app()?
        .revisions(Some(&integration_id), &article)
        .await?)
}

#[tauri::command]
pub async fn rollback_revision(
    shell: State<'_, Shell>,
    revision_id: String,
) -> CmdResult<RollbackOutcome> {
    Ok(shell.app()?.rollback(&revision_id, false).await?)
}
