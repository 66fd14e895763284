//! The facade every front end calls: one `App` per data directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::db::Pool;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::clients::Clients;
use crate::db;
use crate::db::jobs::{self, JobStatus};
use crate::error::{CoreError, Result};
use crate::held_job::HeldJob;
use crate::html;
use crate::imaging;
use crate::import::{self, ImportOptions, ImportProgress, ImportRun, ProgressFn};
use crate::integrations::{self, IntegrationView, NewIntegration, SecretInput, UpdateIntegration};
use crate::model::{
    Dimension, ImageView, JobView, ProviderKind, RetrievedArticle, Summary, Totals, VerifyResult,
};
use crate::providers::{registry, ArticleRef, HelpCenter, ProviderSpec};
use crate::report::{self, ArticleDetail, ArticleRow, ImageDetail, ImageRow, RowContext};

/// Tauri's identifier; core's default data directory is the platform data
/// directory joined with it, which is exactly Tauri's `app_data_dir`, so the
/// CLI and the desktop app share one database.
pub const APP_IDENTIFIER: &str = "app.shotkeeper.desktop";

/// Who a process acts for unless told otherwise: SHOTKEEPER_AS (what the
/// CLI's `--as` also reads, and the desktop app's only way to set it until
/// Settings has a name), else the OS user's name.
pub fn default_actor() -> String {
    ["SHOTKEEPER_AS", "USER", "USERNAME", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find_map(|n| person_name(&n).map(str::to_owned))
        // No login variables (a service, a bare `sh -c`): the account the
        // process runs as, from the OS.
        .or_else(|| {
            whoami::fallible::username()
                .ok()
                .and_then(|n| person_name(&n).map(str::to_owned))
        })
        .unwrap_or_else(|| "unknown".into())
}

/// `name` trimmed, if it can stand for a person: 1 to 100 printable characters.
pub(crate) fn person_name(name: &str) -> Option<&str> {
    let name = name.trim();
    let printable = !name.chars().any(char::is_control);
    (!name.is_empty() && name.chars().count() <= 100 && printable).then_some(name)
}

/// Label of the built-in demo help center.
pub const DEMO_LABEL: &str = "Demo help center";

#[derive(Clone)]
pub struct App {
    pool: Pool,
    data_dir: Arc<PathBuf>,
    clients: Clients,
    /// Who this process acts for, recorded on jobs and revisions.
    actor: Arc<str>,
}

/// Where the in-process demo simulator listens, to (re)point the demo integration at it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoHelpCenter {
    pub provider: ProviderKind,
    pub api_base: String,
    pub token: String,
    pub settings: BTreeMap<String, String>,
}

/// An import running in the background, with its job's id known at once.
pub struct StartedImport {
    pub job_id: String,
    task: tokio::task::JoinHandle<Result<JobView>>,
}

impl StartedImport {
    pub(crate) fn new(job_id: String, task: tokio::task::JoinHandle<Result<JobView>>) -> Self {
        StartedImport { job_id, task }
    }

    /// Waits for the import to end; its counts, or why it stopped.
    pub async fn finished(self) -> Result<JobView> {
        self.task
            .await
            .map_err(|e| CoreError::Internal(format!("the import task stopped: {e}")))?
    }
}

/// One line of the past-jobs list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobListItem {
    pub id: String,
    pub integration_id: String,
    pub integration_label: String,
    pub name: String,
    pub status: JobStatus,
    pub error: Option<String>,
    /// Who started it; `None` for jobs from before names were kept.
    pub started_by: Option<String>,
    pub summary: Summary,
    pub total: Totals,
    pub created_at: String,
    pub updated_at: String,
}

impl App {
    /// Opens the data directory (database, thumbnails). Jobs left running by a
    /// process that died read `interrupted`, ready to resume, once their
    /// lease ends (see [`crate::held_job`]).
    pub async fn open(data_dir: impl Into<PathBuf>) -> Result<App> {
        let data_dir = data_dir.into();
        let database = db::Database::embedded(&data_dir);
        Self::open_with(data_dir, database).await
    }

    /// Like [`open`](Self::open), with the rows in `database` (a team's
    /// PostgreSQL) instead of the data directory's SQLite file; thumbnails
    /// and captures stay in the data directory.
    pub async fn open_with(data_dir: impl Into<PathBuf>, database: db::Database) -> Result<App> {
        let data_dir = data_dir.into();
        std::fs::create_dir_all(&data_dir)?;
        let pool = db::connect(&database).await?;
        Ok(App {
            pool,
            data_dir: Arc::new(data_dir),
            clients: Clients::default(),
            actor: default_actor().into(),
        })
    }

    /// Acts as `name` from now on: jobs it starts and revisions it writes
    /// record it (`--as NAME`; a team sees "updated by Ana").
    pub fn with_actor(mut self, name: &str) -> Result<App> {
        let Some(name) = person_name(name) else {
            return Err(CoreError::Invalid(format!(
                "{:?} cannot be a name: give 1 to 100 printable characters, e.g. --as \"Ana Lima\"",
                name.trim()
            )));
        };
        self.actor = name.into();
        Ok(self)
    }

    /// Who this process acts for: the name given to
    /// [`with_actor`](Self::with_actor), else the OS user.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    pub fn default_data_dir() -> Result<PathBuf> {
        directories::BaseDirs::new()
            .map(|d| d.data_dir().join(APP_IDENTIFIER))
            .ok_or_else(|| CoreError::Invalid("no home directory: pass --data-dir DIR".into()))
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The integration and its one shared client (and rate limiter).
    pub async fn help_center(
        &self,
        integration_id: &str,
    ) -> Result<(crate::model::Integration, Arc<dyn HelpCenter>)> {
        self.clients.help_center(&self.pool, integration_id).await
    }

    // --- integrations -------------------------------------------------------

    pub fn provider_specs() -> Vec<ProviderSpec> {
        ProviderKind::ALL.into_iter().map(registry::spec).collect()
    }

    pub async fn list_integrations(&self) -> Result<Vec<IntegrationView>> {
        let mut out = Vec::new();
        for i in db::integrations::list(&self.pool).await? {
            out.push(integrations::view(&self.pool, i).await?);
        }
        Ok(out)
    }

    pub async fn get_integration(&self, id: &str) -> Result<IntegrationView> {
        let i = db::integrations::get(&self.pool, id).await?;
        integrations::view(&self.pool, i).await
    }

    pub async fn add_integration(&self, input: NewIntegration) -> Result<IntegrationView> {
        integrations::add(&self.pool, input, false).await
    }

    pub async fn update_integration(
        &self,
        id: &str,
        input: UpdateIntegration,
    ) -> Result<IntegrationView> {
        self.clients.forget(id);
        integrations::update(&self.pool, id, input).await
    }

    pub async fn delete_integration(&self, id: &str) -> Result<()> {
        self.clients.forget(id);
        integrations::delete(&self.pool, id).await
    }

    pub async fn verify_integration(&self, id: &str) -> Result<VerifyResult> {
        integrations::verify(&self.pool, id).await
    }

    /// Like [`verify_integration`](Self::verify_integration), with a failed
    /// check as its typed error (front ends that map errors to exit codes).
    pub async fn check_integration(&self, id: &str) -> Result<String> {
        integrations::check(&self.pool, id).await
    }

    /// Creates the demo integration on first start, or points it at the
    /// simulator's current address.
    pub async fn ensure_demo(&self, demo: DemoHelpCenter) -> Result<IntegrationView> {
        let secret = SecretInput::Demo { token: demo.token };
        match db::integrations::find_demo(&self.pool).await? {
            Some(existing) => {
                self.clients.forget(&existing.id);
                let update = UpdateIntegration {
                    label: None,
                    base_url: Some(demo.api_base),
                    settings: Some(demo.settings),
                    secret: Some(secret),
                };
                integrations::update(&self.pool, &existing.id, update).await
            }
            None => {
                let input = NewIntegration {
                    label: DEMO_LABEL.into(),
                    provider: demo.provider,
                    base_url: Some(demo.api_base),
                    settings: demo.settings,
                    secret,
                };
                integrations::add(&self.pool, input, true).await
            }
        }
    }

    // --- import -------------------------------------------------------------

    /// Creates a job for the integration, or resumes `resume_job`, and runs it
    /// to its end. Returns the job's counts.
    pub async fn run_import(
        &self,
        integration_id: &str,
        resume_job: Option<String>,
        progress: ProgressFn,
        cancel: CancellationToken,
    ) -> Result<JobView> {
        self.run_import_with(
            integration_id,
            resume_job,
            ImportOptions::default(),
            progress,
            cancel,
        )
        .await
    }

    pub async fn run_import_with(
        &self,
        integration_id: &str,
        resume_job: Option<String>,
        options: ImportOptions,
        progress: ProgressFn,
        cancel: CancellationToken,
    ) -> Result<JobView> {
        self.start_import(integration_id, resume_job, options, progress, cancel)
            .await?
            .finished()
            .await
    }

    /// Claims the integration, creates the job (or takes up `resume_job`),
    /// takes its lease and starts it in the background: the caller has the
    /// job's id at once, to cancel it or show it, and awaits
    /// [`StartedImport::finished`].
    pub async fn start_import(
        &self,
        integration_id: &str,
        resume_job: Option<String>,
        options: ImportOptions,
        progress: ProgressFn,
        cancel: CancellationToken,
    ) -> Result<StartedImport> {
        let (integration, _) = self.help_center(integration_id).await?;
        let held = match resume_job {
            Some(id) => {
                let job = jobs::get(&self.pool, &id).await?;
                if job.integration_id != integration.id {
                    return Err(CoreError::Invalid(format!(
                        "job {id} belongs to another integration; resume it with that integration"
                    )));
                }
                if job.status == "completed" {
                    let app = self.clone();
                    return Ok(StartedImport {
                        job_id: id.clone(),
                        task: tokio::spawn(
                            async move { report::job_view(&app.pool, &id, None).await },
                        ),
                    });
                }
                // A resumed import continues here, where it was started.
                HeldJob::claim(&self.pool, &job.id).await?
            }
            None => {
                let name = format!("{} Import", integration.label);
                // A new import goes to the team's servers when one runs.
                if self.server_takes(&integration).await? {
                    let job =
                        jobs::create(&self.pool, &integration.id, &name, self.actor()).await?;
                    tracing::info!("import job {} is queued for the team's servers", job.id);
                    return Ok(self.follow_on_server(job.id, options, progress, cancel));
                }
                let job =
                    jobs::create_held(&self.pool, &integration.id, &name, self.actor()).await?;
                HeldJob::adopt(&self.pool, &job.id)
            }
        };
        self.run_held(Arc::new(held), options, progress, cancel)
            .await
    }

    /// Runs a job whose lease this process holds, in the background. The
    /// caller may keep a hand on `held` (a server says how a shutdown stops it).
    pub async fn run_held(
        &self,
        held: Arc<HeldJob>,
        options: ImportOptions,
        progress: ProgressFn,
        cancel: CancellationToken,
    ) -> Result<StartedImport> {
        let job = jobs::get(&self.pool, held.job_id()).await?;
        let prepared = async {
            let (integration, client) = self.help_center(&job.integration_id).await?;
            let claim = self
                .clients
                .claim_import(&integration.id, &integration.label)?;
            Ok::<_, CoreError>((client, claim))
        }
        .await;
        let (client, claim) = match prepared {
            Ok(ready) => ready,
            Err(e) => {
                // Nothing ran: the job says why, and is free for a retry.
                held.finish(&Err(CoreError::Invalid(e.to_string()))).await?;
                return Err(e);
            }
        };
        let app = self.clone();
        let job_id = job.id.clone();
        let task = tokio::spawn(async move {
            // The claim lasts as long as the run.
            let _claim = claim;
            let run = ImportRun::new(
                &app.pool,
                &app.data_dir,
                client.as_ref(),
                job_id.clone(),
                options,
                progress,
                cancel,
            );
            run.run(&held).await?;
            app.share_import_files(&job_id).await;
            report::job_view(&app.pool, &job_id, None).await
        });
        Ok(StartedImport {
            job_id: job.id,
            task,
        })
    }

    pub async fn list_jobs(&self) -> Result<Vec<JobListItem>> {
        let mut out = Vec::new();
        for job in jobs::list(&self.pool).await? {
            let (summary, total) = db::views::totals(&self.pool, &job.id).await?;
            let label = db::integrations::get(&self.pool, &job.integration_id)
                .await
                .map(|i| i.label)
                .unwrap_or_default();
            out.push(JobListItem {
                id: job.id,
                integration_id: job.integration_id,
                integration_label: label,
                name: job.name,
                // A row a newer Shotkeeper wrote reads as stopped, not running.
                status: JobStatus::parse(&job.status).unwrap_or(JobStatus::Interrupted),
                error: job.error,
                started_by: job.started_by,
                summary,
                total,
                created_at: job.created_at,
                updated_at: job.updated_at,
            });
        }
        Ok(out)
    }

    pub async fn job_progress(&self, job_id: &str) -> Result<ImportProgress> {
        let job = jobs::get(&self.pool, job_id).await?;
        let phase = match JobStatus::parse(&job.status) {
            Some(JobStatus::Completed) => import::ImportPhase::Done,
            Some(JobStatus::Running) => import::ImportPhase::Images,
            _ => import::ImportPhase::Stopped,
        };
        import::progress_of(&self.pool, &job.id, phase).await
    }

    /// LaunchBrightly's import API shape; `dimension: None` gives the counts only.
    pub async fn job_view(&self, job_id: &str, dimension: Option<Dimension>) -> Result<JobView> {
        report::job_view(&self.pool, job_id, dimension).await
    }

    pub async fn broken_images(
        &self,
        job_id: &str,
    ) -> Result<Vec<crate::model::ImageWithArticles>> {
        report::broken_images(&self.pool, job_id).await
    }

    async fn job_data(&self, job_id: &str) -> Result<db::views::JobData> {
        jobs::get(&self.pool, job_id).await?;
        db::views::job_data(&self.pool, job_id).await
    }

    pub async fn image_rows(&self, job_id: &str) -> Result<Vec<ImageRow>> {
        let data = self.job_data(job_id).await?;
        Ok(RowContext::new(&data, &self.data_dir).image_rows())
    }

    pub async fn image_detail(&self, job_id: &str, url: &str) -> Result<ImageDetail> {
        let data = self.job_data(job_id).await?;
        RowContext::new(&data, &self.data_dir).image_detail(url)
    }

    pub async fn article_rows(&self, job_id: &str) -> Result<Vec<ArticleRow>> {
        let data = self.job_data(job_id).await?;
        Ok(RowContext::new(&data, &self.data_dir).article_rows())
    }

    pub async fn article_detail(&self, job_id: &str, article_id: &str) -> Result<ArticleDetail> {
        let data = self.job_data(job_id).await?;
        RowContext::new(&data, &self.data_dir).article_detail(article_id)
    }

    /// "Retrieve an article" of LaunchBrightly's import API: fetched live, its images downloaded
    /// and analysed now.
    pub async fn retrieve_article(
        &self,
        integration_id: &str,
        article: &ArticleRef,
    ) -> Result<RetrievedArticle> {
        let (_, client) = self.help_center(integration_id).await?;
        let remote = client.get_article(article).await?;
        let content = remote.html.clone().unwrap_or_default();
        let refs = html::extract_images(
            &content,
            crate::providers::image_base(client.as_ref(), &remote.url),
        )?;
        let http = import::image_client()?;
        let options = ImportOptions::default();
        let mut images = Vec::with_capacity(refs.len());
        for r in &refs {
            images.push(analyse_live(&http, &r.url, &r.alt, &options).await?);
        }
        Ok(RetrievedArticle {
            id: remote.article.id.clone(),
            is_published: remote.is_published,
            content,
            images_count: images.len() as u64,
            images,
            title: remote.title,
            url: remote.url,
            import_request_id: self
                .latest_job_with(integration_id, &remote.article)
                .await?
                .unwrap_or_else(|| remote.article.id.clone()),
            created_on: remote.created_at.unwrap_or_default(),
            tags: remote.tags,
        })
    }

    /// The imported document an [`ArticleRef`] without a locale addresses:
    /// the article's default-language document. That is the document
    /// stored without a locale where the provider has one (Zendesk, Help
    /// Scout...); where every document names its language (HelpCenter.io,
    /// KnowledgeOwl) it is English when the article has it, else its first
    /// language, the providers' own rule for a missing locale. A reference
    /// with a locale, or to an article never imported, is returned as is.
    pub(crate) async fn document_of(
        &self,
        integration_id: Option<&str>,
        article: &ArticleRef,
    ) -> Result<ArticleRef> {
        if article.locale.is_some() {
            return Ok(article.clone());
        }
        let locale = db::articles::default_locale(&self.pool, integration_id, &article.id).await?;
        Ok(ArticleRef::with_locale(
            article.id.clone(),
            locale.filter(|l| !l.is_empty()),
        ))
    }

    async fn latest_job_with(
        &self,
        integration_id: &str,
        article: &ArticleRef,
    ) -> Result<Option<String>> {
        let listed = db::articles::Listed::Anyhow;
        let found =
            db::articles::latest_import(&self.pool, integration_id, article, listed).await?;
        Ok(found.map(|(job_id, _)| job_id))
    }
}

async fn analyse_live(
    http: &crate::http::HttpClient,
    url: &str,
    alt: &str,
    options: &ImportOptions,
) -> Result<ImageView> {
    let record = import::analyse_url(http, url, options).await?;
    Ok(ImageView {
        url: record.url,
        cloud: None,
        name: record.name,
        alt: alt.to_owned(),
        kind: record.kind,
        width: record.width,
        height: record.height,
        status_code: record.status_code,
        size: record.size,
        hash: record.hash,
        metadata: record.metadata,
    })
}

/// Keeps `imaging` referenced for front ends that only need the facade.
pub use imaging::ImageLimits;
