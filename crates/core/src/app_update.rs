//! The `App` methods of replacing screenshots, audits and visual diffs.

use std::path::PathBuf;

use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::audit::{self, AuditConfig, AuditReport, AuditSettings};
use crate::db::{self, jobs};
use crate::diff::{self, DiffResult};
use crate::error::{CoreError, Result};
use crate::import;
use crate::integrations;
use crate::matching::{MatchConfig, MatchScope, Screenshot};
use crate::model::Platform;
use crate::providers::ArticleRef;
use crate::update::apply::{Applier, ApplyProgressFn, Destination};
use crate::update::plan::{self, ManualMatch};
use crate::update::revisions::{self, Revision, RollbackOutcome};
use crate::update::{screenshots, UpdatePlan, UpdateResult};

/// The file formats an audit is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditFormat {
    Csv,
    Json,
}

/// What to plan: which screenshots, against which import, and where uploads go.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(optional_fields = nullable)]
pub struct PlanRequest {
    pub job_id: String,
    /// Files or folders (dropped or given on the command line).
    pub paths: Vec<PathBuf>,
    /// Screenshots in LaunchBrightly's update form, already parsed.
    #[ts(as = "Option<Vec<Screenshot>>", optional)]
    pub screenshots: Vec<Screenshot>,
    /// Only this article (internal id) instead of the whole import.
    pub article_id: Option<String>,
    #[ts(as = "Option<Vec<ManualMatch>>", optional)]
    pub manual: Vec<ManualMatch>,
    /// S3/R2 integration for uploads; `None` = core's default
    /// ([`App::default_storage`]: the help center's own upload, else the
    /// first S3/R2 integration).
    pub storage_integration_id: Option<String>,
    pub config: Option<MatchConfig>,
    /// The screenshots were dropped on this image (its URL): each of them
    /// replaces it, chosen by hand.
    pub drop_target: Option<String>,
    /// A plan still in review that these screenshots join: its screenshots,
    /// hand-made matches and deselected changes are kept (a screenshot
    /// dropped again is matched again).
    pub extend_plan: Option<String>,
}

impl App {
    /// Loads screenshots (copying files into the data directory), matches
    /// them against an import and stores the resulting plan for review.
    pub async fn plan_update(&self, req: PlanRequest) -> Result<UpdatePlan> {
        let job = jobs::get(self.pool(), &req.job_id).await?;
        let storage = match &req.storage_integration_id {
            Some(storage) => {
                self.check_storage(storage).await?;
                Some(storage.clone())
            }
            None => self.default_storage(&job.integration_id).await?,
        };
        let mut shots = req.screenshots.clone();
        let dropped = self.load_screenshot_files(req.paths.clone()).await?;
        self.share_screenshots(&dropped).await;
        shots.extend(dropped);
        if shots.is_empty() {
            return Err(CoreError::Invalid(
                "no screenshots given: drop image files or a folder of them".into(),
            ));
        }
        let mut manual = req.manual.clone();
        if let Some(target) = &req.drop_target {
            if shots.len() != 1 {
                return Err(CoreError::Invalid(format!(
                    "{} screenshots were dropped on one image: drop exactly one screenshot on the image it replaces",
                    shots.len()
                )));
            }
            manual.extend(shots.iter().map(|s| ManualMatch {
                screenshot_sha256: s.sha256.clone(),
                target_url: target.clone(),
            }));
        }
        let earlier = match &req.extend_plan {
            Some(id) => Some(plan::load(self.pool(), id).await?),
            None => None,
        };
        if let Some(earlier) = &earlier {
            if earlier.job_id != job.id {
                return Err(CoreError::Invalid(
                    "the plan in review belongs to another import: finish or discard it first"
                        .into(),
                ));
            }
            plan::carry_over(earlier, &mut shots, &mut manual);
        }
        let (data, index) =
            plan::index_for_job(self.pool(), &job.id, req.config.clone().unwrap_or_default())
                .await?;
        let scope = match &req.article_id {
            Some(id) => MatchScope::Article(id.clone()),
            None => MatchScope::Import,
        };
        let mut plan = plan::build_plan(
            &data,
            &index,
            (&job.id, &job.integration_id),
            shots,
            &manual,
            &scope,
            storage,
        )?;
        if let Some(earlier) = &earlier {
            plan::keep_deselections(earlier, &mut plan);
        }
        plan::store(self.pool(), &plan).await?;
        Ok(plan)
    }

    /// Where uploads go when nobody chose: the help center's own upload
    /// when it has one, else the first S3/R2 integration (none: the plan
    /// says so at review, and applying it asks for one).
    pub async fn default_storage(&self, help_center_id: &str) -> Result<Option<String>> {
        let hc = db::integrations::get(self.pool(), help_center_id).await?;
        if crate::providers::registry::spec(hc.provider).has_image_upload {
            return Ok(None);
        }
        Ok(db::integrations::list(self.pool())
            .await?
            .into_iter()
            .find(|i| i.platform == Platform::Cloud)
            .map(|i| i.id))
    }

    async fn check_storage(&self, storage_integration_id: &str) -> Result<()> {
        let s = db::integrations::get(self.pool(), storage_integration_id).await?;
        if s.platform != Platform::Cloud {
            return Err(CoreError::Invalid(format!(
                "'{}' is not an S3/R2 integration: choose an Amazon S3 or Cloudflare R2 integration for uploads",
                s.label
            )));
        }
        Ok(())
    }

    /// Reads and analyses screenshot files (folders expanded), copying each
    /// into the data directory so the plan outlives the originals.
    async fn load_screenshot_files(&self, paths: Vec<PathBuf>) -> Result<Vec<Screenshot>> {
        let data_dir = self.data_dir().to_path_buf();
        tokio::task::spawn_blocking(move || -> Result<Vec<Screenshot>> {
            screenshots::expand_paths(&paths)?
                .iter()
                .map(|p| screenshots::load_file(&data_dir, p))
                .collect()
        })
        .await
        .map_err(|e| CoreError::Image(format!("screenshot loading stopped: {e}")))?
    }

    /// Copies dropped screenshots to the team's storage (on a team
    /// database that shares files), so a colleague can review and apply the
    /// plan; a failure is logged and the plan stays this machine's to apply.
    async fn share_screenshots(&self, dropped: &[Screenshot]) {
        for s in dropped {
            if let Err(e) = self.share_file(std::path::Path::new(&s.source)).await {
                tracing::warn!(
                    "screenshot {} could not be shared with the team: {e}",
                    s.name
                );
            }
        }
    }

    /// A stored plan, its dropped screenshots on this machine.
    pub async fn get_plan(&self, plan_id: &str) -> Result<UpdatePlan> {
        let mut plan = plan::load(self.pool(), plan_id).await?;
        self.localise_plan(&mut plan).await;
        Ok(plan)
    }

    /// Stores a plan edited in review (deselected changes).
    pub async fn save_plan(&self, plan: &UpdatePlan) -> Result<()> {
        let stored = plan::load(self.pool(), &plan.id).await?;
        if stored.job_id != plan.job_id || stored.integration_id != plan.integration_id {
            return Err(CoreError::Invalid(
                "the edited plan belongs to another import".into(),
            ));
        }
        if let Some(storage) = &plan.storage_integration_id {
            self.check_storage(storage).await?;
        }
        plan::store(self.pool(), plan).await
    }

    /// Applies a stored plan. With `dry_run`, reads every article and
    /// reports what would change, writing and uploading nothing.
    pub async fn apply_plan(
        &self,
        plan_id: &str,
        dry_run: bool,
        progress: ApplyProgressFn,
        cancel: CancellationToken,
    ) -> Result<UpdateResult> {
        let plan = self.get_plan(plan_id).await?;
        let (_, help_center) = self.help_center(&plan.integration_id).await?;
        let storage = match &plan.storage_integration_id {
            Some(id) => Some((id.clone(), integrations::storage(self.pool(), id).await?.1)),
            None => None,
        };
        if storage.is_none()
            && !help_center.supports_upload()
            && !dry_run
            && plan.selected_changes() > 0
        {
            return Err(CoreError::Invalid(format!(
                "{} has no image upload of its own: add an S3 or R2 integration and choose it for this update",
                help_center.kind().display_name()
            )));
        }
        let destination = match &storage {
            Some((id, s)) => Destination::Storage { id, storage: s },
            None => Destination::HelpCenter {
                id: &plan.integration_id,
            },
        };
        let applier = Applier {
            pool: self.pool(),
            help_center: help_center.as_ref(),
            destination,
            images: import::image_client()?,
            progress,
            cancel,
            dry_run,
            author: self.actor(),
        };
        applier.apply(&plan).await
    }

    /// LaunchBrightly's article PUT: match screenshots against ONE article as it is now
    /// and update it. Uses the latest import of the integration that holds
    /// the article for the images to match against.
    pub async fn update_article(
        &self,
        integration_id: &str,
        article: &ArticleRef,
        paths: Vec<PathBuf>,
        api_screenshots: Vec<Screenshot>,
        storage_integration_id: Option<String>,
        dry_run: bool,
    ) -> Result<UpdateResult> {
        let article = &self.document_of(Some(integration_id), article).await?;
        let (job_id, article_id) = self.latest_import_of(integration_id, article).await?;
        let plan = self
            .plan_update(PlanRequest {
                job_id,
                paths,
                screenshots: api_screenshots,
                article_id: Some(article_id),
                storage_integration_id,
                ..Default::default()
            })
            .await?;
        self.apply_plan(
            &plan.id,
            dry_run,
            std::sync::Arc::new(|_| {}),
            CancellationToken::new(),
        )
        .await
    }

    async fn latest_import_of(
        &self,
        integration_id: &str,
        article: &ArticleRef,
    ) -> Result<(String, String)> {
        let row = crate::db::articles::latest_import(
            self.pool(),
            integration_id,
            article,
            crate::db::articles::Listed::Completed,
        )
        .await?;
        row.ok_or_else(|| CoreError::NotFound {
            what: format!("article {article} in any import of this integration (import it first)"),
        })
    }

    pub async fn revisions(
        &self,
        integration_id: Option<&str>,
        article: &ArticleRef,
    ) -> Result<Vec<Revision>> {
        let article = self.document_of(integration_id, article).await?;
        revisions::list(self.pool(), integration_id, &article).await
    }

    pub async fn rollback(&self, revision_id: &str, dry_run: bool) -> Result<RollbackOutcome> {
        let rev = revisions::get(self.pool(), revision_id).await?;
        let (_, help_center) = self.help_center(&rev.integration_id).await?;
        revisions::rollback(
            self.pool(),
            help_center.as_ref(),
            revision_id,
            dry_run,
            self.actor(),
        )
        .await
    }

    /// Audits an import: own hosts are the articles' hosts, the integration's
    /// API host and the public URLs of every storage integration.
    pub async fn audit(&self, job_id: &str, config: AuditConfig) -> Result<AuditReport> {
        let job = jobs::get(self.pool(), job_id).await?;
        let data = db::views::job_data(self.pool(), job_id).await?;
        let mut extra = Vec::new();
        for i in db::integrations::list(self.pool()).await? {
            if i.id == job.integration_id || i.platform == Platform::Cloud {
                extra.extend(i.base_url.clone());
                extra.extend(i.settings.get("public_base_url").cloned());
            }
        }
        let own = audit::own_hosts(&data, &extra);
        Ok(audit::audit(
            job_id,
            &data,
            &own,
            &config,
            chrono::Utc::now(),
        ))
    }

    /// The audit thresholds of a help center: as last saved, or the
    /// defaults (500 KiB, 365 days).
    pub async fn audit_settings(&self, integration_id: &str) -> Result<AuditSettings> {
        let integration = db::integrations::get(self.pool(), integration_id).await?;
        if integration.platform != Platform::Helpcenter {
            return Err(CoreError::Invalid(format!(
                "'{}' is storage, not a help center: audit settings belong to a help center",
                integration.label
            )));
        }
        Ok(db::audit_settings::get(self.pool(), integration_id)
            .await?
            .unwrap_or_default())
    }

    /// Remembers a help center's audit thresholds; every later audit of its
    /// imports uses them.
    pub async fn save_audit_settings(
        &self,
        integration_id: &str,
        settings: AuditSettings,
    ) -> Result<AuditSettings> {
        settings.validate()?;
        self.audit_settings(integration_id).await?;
        db::audit_settings::put(self.pool(), integration_id, &settings).await?;
        Ok(settings)
    }

    /// The thresholds an audit of this import uses: those of its help center.
    pub async fn job_audit_settings(&self, job_id: &str) -> Result<AuditSettings> {
        let job = jobs::get(self.pool(), job_id).await?;
        Ok(db::audit_settings::get(self.pool(), &job.integration_id)
            .await?
            .unwrap_or_default())
    }

    /// Audits an import with its help center's saved thresholds.
    pub async fn audit_job(&self, job_id: &str) -> Result<AuditReport> {
        let settings = self.job_audit_settings(job_id).await?;
        self.audit(job_id, settings.config()).await
    }

    /// Writes the audit of an import (with its help center's thresholds)
    /// into `dir` as CSV or JSON, named after the import and the day, and
    /// returns the file written.
    pub async fn export_audit(
        &self,
        job_id: &str,
        format: AuditFormat,
        dir: &std::path::Path,
    ) -> Result<PathBuf> {
        let report = self.audit_job(job_id).await?;
        let (body, ext) = match format {
            AuditFormat::Csv => (audit::to_csv(&report)?, "csv"),
            AuditFormat::Json => (
                serde_json::to_string_pretty(&report).map_err(|e| {
                    CoreError::Internal(format!("the audit could not be written as JSON: {e}"))
                })?,
                "json",
            ),
        };
        let short: String = job_id.chars().take(8).collect();
        let day = chrono::Utc::now().format("%Y-%m-%d");
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("shotkeeper-audit-{day}-{short}.{ext}"));
        std::fs::write(&path, body).map_err(|e| CoreError::file("write", path.display(), e))?;
        Ok(path)
    }

    /// Visual diff of one match of a plan in review: the image it replaces
    /// (downloaded again) against the screenshot stored with the plan.
    pub async fn plan_diff(
        &self,
        plan_id: &str,
        screenshot_sha256: &str,
        old_url: &str,
    ) -> Result<DiffResult> {
        let plan = self.get_plan(plan_id).await?;
        let shot = plan
            .screenshots
            .iter()
            .find(|p| p.screenshot.sha256 == screenshot_sha256)
            .ok_or_else(|| CoreError::NotFound {
                what: format!("screenshot {screenshot_sha256} in this plan"),
            })?;
        if !shot.result.targets.iter().any(|t| t.url == old_url) {
            return Err(CoreError::Invalid(format!(
                "{} does not replace {old_url}: nothing to compare",
                shot.screenshot.name
            )));
        }
        if shot.screenshot.source.starts_with("http") {
            return Err(CoreError::Invalid(
                "this screenshot was given by URL: only dropped files can be compared".into(),
            ));
        }
        self.diff_with_views(old_url, std::path::Path::new(&shot.screenshot.source))
            .await
    }

    /// Changed share of each screenshot of a plan against its first target,
    /// in plan order (`None` where there is nothing to compare).
    pub async fn plan_diffs(&self, plan: &UpdatePlan) -> Vec<Option<f64>> {
        let mut out = Vec::with_capacity(plan.screenshots.len());
        for p in &plan.screenshots {
            let share = match p.result.targets.first() {
                Some(t) if !p.screenshot.source.starts_with("http") => self
                    .diff(&t.url, std::path::Path::new(&p.screenshot.source))
                    .await
                    .ok()
                    .map(|d| d.changed_share),
                _ => None,
            };
            out.push(share);
        }
        out
    }

    /// Visual diff of an image of the import (downloaded again) and a screenshot file.
    pub async fn diff(&self, old_url: &str, new_path: &std::path::Path) -> Result<DiffResult> {
        let (old, new) = self.diff_inputs(old_url, new_path).await?;
        tokio::task::spawn_blocking(move || diff::diff_bytes(&old, &new))
            .await
            .map_err(|e| CoreError::Image(format!("diff stopped: {e}")))?
    }

    /// [`App::diff`], with the pictures compared written as PNG files under
    /// `thumbnails/compare/` in the data directory (named after both
    /// images' contents, so comparing again reuses them) for the compare
    /// modes of a front end.
    pub async fn diff_with_views(
        &self,
        old_url: &str,
        new_path: &std::path::Path,
    ) -> Result<DiffResult> {
        let (old, new) = self.diff_inputs(old_url, new_path).await?;
        let dir = self.data_dir().join("thumbnails").join("compare");
        tokio::task::spawn_blocking(move || {
            let (mut result, pictures) = diff::diff_bytes_with_pictures(&old, &new)?;
            let key = format!(
                "{}-{}",
                &crate::imaging::sha256_hex(&old)[..16],
                &crate::imaging::sha256_hex(&new)[..16]
            );
            std::fs::create_dir_all(&dir)?;
            let write = |name: &str, img: &image::RgbaImage| -> Result<String> {
                let path = dir.join(format!("{key}-{name}.png"));
                if !path.exists() {
                    img.save(&path).map_err(|e| {
                        CoreError::Image(format!("could not write {}: {e}", path.display()))
                    })?;
                }
                Ok(path.display().to_string())
            };
            result.views = Some(diff::DiffViews {
                before: write("before", &pictures.before)?,
                after: write("after", &pictures.after)?,
                highlight: write("highlight", &pictures.highlight)?,
            });
            Ok(result)
        })
        .await
        .map_err(|e| CoreError::Image(format!("diff stopped: {e}")))?
    }

    async fn diff_inputs(
        &self,
        old_url: &str,
        new_path: &std::path::Path,
    ) -> Result<(Vec<u8>, Vec<u8>)> {
        let client = import::image_client()?;
        let old = client
            .fetch_image(old_url, crate::imaging::ImageLimits::default().max_bytes)
            .await?;
        if !(200..300).contains(&old.status) {
            return Err(CoreError::Invalid(format!(
                "the old image answers HTTP {}: nothing to compare with",
                old.status
            )));
        }
        let new = std::fs::read(new_path)?;
        Ok((old.bytes, new))
    }
}
