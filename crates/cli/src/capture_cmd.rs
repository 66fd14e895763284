//! `shotkeeper capture`: take the screenshots a scenarios file describes
//! (core's `App::capture_shots`, as the desktop's Capture view does), and
//! with `--match` make an update plan from them the way `match` does
//! (core's `plan_update`), which `--apply` applies.

use std::path::PathBuf;
use std::sync::Arc;

use shotkeeper_core::app_capture::{CaptureRequest, CaptureStatusFn};
use shotkeeper_core::app_update::PlanRequest;
use shotkeeper_core::capture::{CaptureRun, CaptureStatus};
use shotkeeper_core::update::{UpdatePlan, UpdateResult};
use shotkeeper_core::App;
use tokio_util::sync::CancellationToken;

use crate::args::CaptureArgs;
use crate::commands::{partly_failed, CliError, CliResult};
use crate::output;
use crate::pipe::{errln, outln};
use crate::update_cmds::update_status;

pub async fn run(app: &App, args: CaptureArgs) -> CliResult {
    let cancel = CancellationToken::new();
    let on_ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            errln!("\ncancelling… (scenarios already captured are kept)");
            on_ctrl_c.cancel();
        }
    });
    let request = CaptureRequest {
        only: args.only.clone(),
        base_url: args.base_url.clone(),
        out_dir: Some(args.out.clone()),
        tabs: Some(args.tabs),
        // --browser (or SHOTKEEPER_CHROMIUM), else Settings › Capture, else PATH.
        browser: args.browser.clone(),
    };
    let report = app
        .capture_shots(&args.shots, &request, progress_printer(), cancel.clone())
        .await?;
    if cancel.is_cancelled() {
        return Err(shotkeeper_core::CoreError::Cancelled.into());
    }

    match &args.match_job {
        Some(job_id) => {
            let files: Vec<PathBuf> = report.files.iter().map(PathBuf::from).collect();
            if files.is_empty() {
                return Err(CliError {
                    message: "no scenario was captured, so there is nothing to match (see above)"
                        .into(),
                    code: crate::exit::FAILED,
                });
            }
            let plan = app
                .plan_update(PlanRequest {
                    job_id: job_id.clone(),
                    paths: files,
                    storage_integration_id: args.storage.clone(),
                    ..Default::default()
                })
                .await?;
            if args.apply {
                let result = apply(app, &plan).await?;
                output::show(&result, args.json)?;
                update_status(&result)?;
            } else {
                output::show(
                    &output::PlanShown {
                        plan: &plan,
                        diffs: None,
                    },
                    args.json,
                )?;
            }
        }
        None => print_report(&report, args.json)?,
    }
    partly_failed(u64::from(report.failed), "scenario(s)")
}

/// `--apply`: the plan just made is applied as `shotkeeper apply` would,
/// with a line on stderr saying which plan, so a CI log can name it for a
/// rollback.
async fn apply(app: &App, plan: &UpdatePlan) -> Result<UpdateResult, CliError> {
    errln!(
        "applying plan {}: {} change(s) in {} article(s)…",
        plan.id,
        plan.selected_changes(),
        plan.articles_to_update()
    );
    Ok(app
        .apply_plan(&plan.id, false, Arc::new(|_| {}), CancellationToken::new())
        .await?)
}

/// One line per scenario on stderr as it starts and ends.
fn progress_printer() -> CaptureStatusFn {
    Arc::new(|status| match status {
        CaptureStatus::Capturing { id } => errln!("capturing {id}…"),
        CaptureStatus::Captured {
            id,
            capture,
            seconds,
        } => errln!(
            "captured {id} {}x{} in {seconds:.1} s",
            capture.width,
            capture.height
        ),
        CaptureStatus::Failed { id, error, .. } => errln!("FAILED {id}: {error}"),
    })
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Line {
    id: String,
    ok: bool,
    file: Option<PathBuf>,
    width: Option<u32>,
    height: Option<u32>,
    error: Option<String>,
    seconds: f64,
}

fn print_report(report: &CaptureRun, json: bool) -> CliResult {
    let lines: Vec<Line> = report
        .outcomes
        .iter()
        .map(|o| match o {
            CaptureStatus::Captured {
                id,
                capture,
                seconds,
            } => Line {
                id: id.clone(),
                ok: true,
                file: Some(PathBuf::from(&capture.file)),
                width: Some(capture.width),
                height: Some(capture.height),
                error: None,
                seconds: *seconds,
            },
            CaptureStatus::Failed { id, error, seconds } => Line {
                id: id.clone(),
                ok: false,
                file: None,
                width: None,
                height: None,
                error: Some(error.clone()),
                seconds: *seconds,
            },
            // A run's outcomes are final states; "capturing" is never one.
            CaptureStatus::Capturing { id } => Line {
                id: id.clone(),
                ok: false,
                file: None,
                width: None,
                height: None,
                error: Some("did not finish".into()),
                seconds: 0.0,
            },
        })
        .collect();
    output::show(lines.as_slice(), json)
}

/// One line per scenario: id, file and size, or why it failed.
impl output::Human for [Line] {
    fn print(&self) -> CliResult {
        for l in self {
            match (&l.file, &l.error) {
                (Some(f), _) => outln!(
                    "{}\t{}\t{}x{}",
                    l.id,
                    f.display(),
                    l.width.unwrap_or(0),
                    l.height.unwrap_or(0)
                ),
                (None, Some(e)) => outln!("{}\tfailed\t{e}", l.id),
                (None, None) => {}
            }
        }
        Ok(())
    }
}
