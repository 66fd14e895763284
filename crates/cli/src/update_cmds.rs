//! Subcommands that replace screenshots and audit images: match, update,
//! apply, revisions, rollback, audit.

use shotkeeper_core::update::ArticleStatus;
use std::path::PathBuf;
use std::sync::Arc;

use shotkeeper_core::app_update::PlanRequest;
use shotkeeper_core::matching::MatchConfig;
use shotkeeper_core::providers::ArticleRef;
use shotkeeper_core::update::{screenshots, UpdateResult};
use shotkeeper_core::App;
use tokio_util::sync::CancellationToken;

use crate::args::Command;
use crate::commands::{partly_failed, CliError, CliResult};
use crate::{exit, output};

pub async fn run(app: &App, cmd: Command) -> CliResult {
    match cmd {
        Command::Match {
            job_id,
            files,
            article,
            storage,
            threshold,
            diff,
            json,
        } => {
            let article_id = match article {
                Some(a) => Some(internal_article_id(app, &job_id, &ArticleRef::parse(&a)).await?),
                None => None,
            };
            let config = threshold.map(|t| MatchConfig {
                perceptual_threshold: t,
                ..MatchConfig::default()
            });
            let plan = app
                .plan_update(PlanRequest {
                    job_id,
                    paths: files,
                    article_id,
                    storage_integration_id: storage,
                    config,
                    ..Default::default()
                })
                .await?;
            let diffs = if diff {
                Some(app.plan_diffs(&plan).await)
            } else {
                None
            };
            output::show(
                &output::PlanShown {
                    plan: &plan,
                    diffs: diffs.as_deref(),
                },
                json,
            )
        }
        Command::Update {
            integration_id,
            external_id,
            screenshots: given,
            storage,
            dry_run,
            json,
        } => {
            let (paths, api): (Vec<PathBuf>, Vec<PathBuf>) = given.into_iter().partition(|p| {
                p.extension()
                    .is_none_or(|e| !e.eq_ignore_ascii_case("json"))
            });
            let mut api_shots = Vec::new();
            for p in &api {
                api_shots.extend(screenshots::load_api_list(p)?);
            }
            let result = app
                .update_article(
                    &integration_id,
                    &ArticleRef::parse(&external_id),
                    paths,
                    api_shots,
                    storage,
                    dry_run,
                )
                .await?;
            output::show(&result, json)?;
            update_status(&result)
        }
        Command::Apply {
            plan_id,
            dry_run,
            json,
        } => {
            let result = app
                .apply_plan(
                    &plan_id,
                    dry_run,
                    Arc::new(|_| {}),
                    CancellationToken::new(),
                )
                .await?;
            output::show(&result, json)?;
            update_status(&result)
        }
        Command::Revisions {
            article,
            integration,
            json,
        } => {
            let list = app
                .revisions(integration.as_deref(), &ArticleRef::parse(&article))
                .await?;
            output::show(list.as_slice(), json)
        }
        Command::Rollback {
            revision_id,
            dry_run,
            json,
        } => output::show(&app.rollback(&revision_id, dry_run).await?, json),
        Command::Audit {
            job_id,
            heavy_kib,
            old_days,
            csv,
            json,
        } => {
            let mut settings = app.job_audit_settings(&job_id).await?;
            settings.heavy_kib = heavy_kib.unwrap_or(settings.heavy_kib);
            settings.old_days = old_days.unwrap_or(settings.old_days);
            settings.validate()?;
            let report = app.audit(&job_id, settings.config()).await?;
            output::show(
                &output::Shown {
                    value: &report,
                    how: match csv {
                        true => output::AuditFormat::Csv,
                        false => output::AuditFormat::Table,
                    },
                },
                json,
            )
        }
        _ => unreachable!("handled in commands::run"),
    }
}

/// The internal id of an article of a job, from its external id.
async fn internal_article_id(
    app: &App,
    job_id: &str,
    article: &ArticleRef,
) -> Result<String, CliError> {
    let rows = app.article_rows(job_id).await?;
    rows.into_iter()
        .find(|r| r.external_article_id == article.id && r.locale == article.locale)
        .map(|r| r.id)
        .ok_or_else(|| CliError {
            message: format!("article {article} is not in import {job_id}"),
            code: exit::BAD_INPUT,
        })
}

/// `update` and `apply`: exit 5 when an article or a screenshot failed.
pub fn update_status(result: &UpdateResult) -> CliResult {
    let articles = result
        .articles
        .iter()
        .filter(|a| a.status == ArticleStatus::Failed)
        .count() as u64;
    if articles > 0 {
        return partly_failed(articles, "article(s)");
    }
    partly_failed(result.summary.failed, "screenshot(s)")
}
