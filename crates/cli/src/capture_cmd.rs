//! `shotkeeper capture`: take the screenshots a scenarios file describes
//! (core's `capture`), and with `--match` make an update plan from them the
//! way `match` does (core's `plan_update`).

use std::path::PathBuf;
use std::sync::Arc;

use shotkeeper_core::app_update::PlanRequest;
use shotkeeper_core::capture::{
    self, CaptureEvent, CaptureOptions, CaptureProgress, CaptureReport,
};
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
    let mut opts = CaptureOptions::new(&args.out);
    opts.tabs = args.tabs;
    // --browser (or SHOTKEEPER_CHROMIUM), else the desktop's Settings › Capture, else PATH.
    let browser = app.chromium(args.browser.as_deref()).await?;
    let report = capture::capture_file_at(
        &args.shots,
        args.base_url.as_deref(),
        &args.only,
        Some(&browser),
        &opts,
        progress_printer(),
        cancel.clone(),
    )
    .await?;
    if cancel.is_cancelled() {
        return Err(shotkeeper_core::CoreError::Cancelled.into());
    }

    match &args.match_job {
        Some(job_id) => {
            let files = report.files();
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
    partly_failed(report.failed() as u64, "scenario(s)")
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
fn progress_printer() -> CaptureProgress {
    Arc::new(|ev| match ev {
        CaptureEvent::Started { id } => errln!("capturing {id}…"),
        CaptureEvent::Finished(o) => match &o.result {
            Ok(c) => errln!(
                "captured {} {}x{} in {:.1} s",
                o.id,
                c.width,
                c.height,
                o.elapsed.as_secs_f64()
            ),
            Err(e) => errln!("FAILED {}: {e}", o.id),
        },
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

fn print_report(report: &CaptureReport, json: bool) -> CliResult {
    let lines: Vec<Line> = report
        .outcomes
        .iter()
        .map(|o| {
            let (file, width, height, error) = match &o.result {
                Ok(c) => (Some(c.path.clone()), Some(c.width), Some(c.height), None),
                Err(e) => (None, None, None, Some(e.to_string())),
            };
            Line {
                id: o.id.clone(),
                ok: error.is_none(),
                file,
                width,
                height,
                error,
                seconds: (o.elapsed.as_secs_f64() * 10.0).round() / 10.0,
            }
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
