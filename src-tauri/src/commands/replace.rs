//! Commands of replacing screenshots: plan from dropped files, review
//! (save, visual diff), apply with progress, revisions and rollback. Each
//! one calls core; nothing here decides anything.

use shotkeeper_core::app_update::PlanRequest;
use shotkeeper_core::diff::DiffResult;
use shotkeeper_core::progress::Throttled;
use shotkeeper_core::providers::ArticleRef;
use shotkeeper_core::update::revisions::{Revision, RollbackOutcome};
use shotkeeper_core::update::{ApplyProgress, UpdatePlan, UpdateResult};
use tauri::ipc::Channel;
use tauri::State;
use tokio_util::sync::CancellationToken;

use crate::error::CmdResult;
use crate::state::Shell;

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
    // A closed window drops the channel; the update goes on.
    let throttle = Throttled::apply(move |p| drop(on_progress.send(p)));
    let result = app
        .apply_plan(&plan_id, false, throttle.callback(), token)
        .await;
    shell.updates.remove(&plan_id);
    throttle.flush();
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

/// Plans colleagues are applying now (read from the shared database).
#[tauri::command]
pub async fn updates_elsewhere(
    shell: State<'_, Shell>,
) -> CmdResult<Vec<shotkeeper_core::activity::UpdateActivity>> {
    Ok(shell.app()?.updates_elsewhere().await?)
}
