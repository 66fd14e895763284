//! Presentation: human-readable tables by default, exact JSON with `--json`.

use serde::Serialize;
use shotkeeper_core::app::JobListItem;
use shotkeeper_core::integrations::IntegrationView;
use shotkeeper_core::model::{
    Dimension, ImageWithArticles, JobView, RetrievedArticle, VerifyResult,
};
use shotkeeper_core::update::revisions::RollbackMode;

use crate::commands::{CliError, CliResult};
use crate::pipe::{errln, out, outln};

/// How a command's answer reads to a person. With `--json` the same value
/// is printed as JSON instead, in core's shapes: [`show`] decides, once.
pub trait Human {
    fn print(&self) -> CliResult;
}

/// Prints a command's answer: exact JSON with `--json`, otherwise for people.
pub fn show<T: Serialize + Human + ?Sized>(value: &T, json: bool) -> CliResult {
    if !json {
        return value.print();
    }
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError {
        message: format!("could not format JSON: {e}"),
        code: 1,
    })?;
    outln!("{text}");
    Ok(())
}

/// A list as a table, or the sentence that says it is empty and what to do.
fn list_table(empty: &str, headers: &[&str], rows: Vec<Vec<String>>) {
    if rows.is_empty() {
        outln!("{empty}");
    } else {
        table(headers, rows);
    }
}

/// A plain table: no borders, columns two spaces apart, no trailing spaces,
/// never wrapped (a pipe to `grep` or `cut` sees one row per line). Laid
/// out by `comfy-table` rather than by hand.
fn table(headers: &[&str], rows: Vec<Vec<String>>) {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::NOTHING)
        .set_content_arrangement(comfy_table::ContentArrangement::Disabled)
        .set_header(headers.to_vec())
        .add_rows(rows);
    for column in t.column_iter_mut() {
        column.set_padding((0, 2));
    }
    for line in t.lines() {
        outln!("{}", line.trim_end());
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

impl Human for IntegrationView {
    fn print(&self) -> CliResult {
        let it = &self.integration;
        outln!("id:        {}", it.id);
        outln!("label:     {}", it.label);
        outln!(
            "provider:  {} ({})",
            it.provider.display_name(),
            it.provider
        );
        if let Some(b) = &it.base_url {
            outln!("base URL:  {b}");
        }
        for (k, v) in &it.settings {
            outln!("{:<10} {v}", format!("{k}:"));
        }
        let secret = match (&it.secret_source, self.has_secret) {
            (shotkeeper_core::model::SecretSource::Keychain, true) => {
                "stored in the OS keychain".to_owned()
            }
            (shotkeeper_core::model::SecretSource::Keychain, false) => {
                "missing from the keychain: update it".to_owned()
            }
            (shotkeeper_core::model::SecretSource::Env(n), true) => format!("read from ${n}"),
            (shotkeeper_core::model::SecretSource::Demo, true) => "demo token (no secret)".into(),
            (shotkeeper_core::model::SecretSource::Demo, false) => {
                "demo token (the demo is not running)".into()
            }
            (shotkeeper_core::model::SecretSource::Sealed, true) => {
                "sealed in the database (secret key)".into()
            }
            (shotkeeper_core::model::SecretSource::Sealed, false) => {
                "missing from the sealed store: update it".into()
            }
            (shotkeeper_core::model::SecretSource::Env(n), false) => {
                format!("read from ${n} (not set now)")
            }
        };
        outln!("secret:    {secret}");
        Ok(())
    }
}

impl Human for [IntegrationView] {
    fn print(&self) -> CliResult {
        let rows = self
            .iter()
            .map(|i| {
                vec![
                    i.integration.id.clone(),
                    i.integration.provider.display_name().to_owned(),
                    i.integration.label.clone(),
                    i.integration.base_url.clone().unwrap_or_default(),
                ]
            })
            .collect();
        list_table(
            "No integrations yet. Add one with `shotkeeper integration add PROVIDER --label TEXT ...`.",
            &["ID", "PROVIDER", "LABEL", "BASE URL"],
            rows,
        );
        Ok(())
    }
}

impl Human for VerifyResult {
    fn print(&self) -> CliResult {
        let mark = if self.is_connection_successful {
            "ok"
        } else {
            "FAILED"
        };
        outln!("{mark}: {}", self.message);
        Ok(())
    }
}

/// The answer to `integration delete`.
#[derive(Serialize)]
pub struct Deleted<'a> {
    pub id: &'a str,
    pub deleted: bool,
}

impl Human for Deleted<'_> {
    fn print(&self) -> CliResult {
        outln!("deleted integration {}", self.id);
        Ok(())
    }
}

fn print_totals(v: &JobView) {
    let a = &v.total.articles;
    let i = &v.total.images;
    outln!("job:      {} ({})", v.id, v.name);
    outln!(
        "articles: {} discovered, {} processed, {} success, {} failed, {} skipped, {} pending",
        a.discovered,
        a.processed,
        a.success,
        a.failed,
        a.skipped,
        a.pending
    );
    outln!(
        "images:   {} references, {} unique, {} duplicate",
        i.total,
        i.unique,
        i.duplicate
    );
    outln!("authors:  {}", v.total.authors);
}

impl Human for JobView {
    fn print(&self) -> CliResult {
        print_totals(self);
        Ok(())
    }
}

impl Human for [JobListItem] {
    fn print(&self) -> CliResult {
        let rows = self
            .iter()
            .map(|j| {
                vec![
                    j.id.clone(),
                    j.status.as_str().into(),
                    j.total.articles.discovered.to_string(),
                    j.total.images.total.to_string(),
                    j.created_at.clone(),
                    j.started_by.clone().unwrap_or_else(|| "-".into()),
                    j.integration_label.clone(),
                ]
            })
            .collect();
        list_table(
            "No import jobs yet. Start one with `shotkeeper import INTEGRATION_ID`.",
            &[
                "JOB",
                "STATUS",
                "ARTICLES",
                "IMAGES",
                "STARTED",
                "BY",
                "INTEGRATION",
            ],
            rows,
        );
        Ok(())
    }
}

/// A value shown one of several ways (`how`) to a person; as JSON, the
/// value itself.
pub struct Shown<'a, T, How> {
    pub value: &'a T,
    pub how: How,
}

impl<T: Serialize, How> Serialize for Shown<'_, T, How> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

/// A job's totals and the table of one of its dimensions.
impl Human for Shown<'_, JobView, Dimension> {
    fn print(&self) -> CliResult {
        let (v, dim) = (self.value, self.how);
        print_totals(v);
        outln!();
        match dim {
            Dimension::Images => images_table(v.images.as_deref().unwrap_or_default()),
            Dimension::Articles => {
                let rows = v
                    .articles
                    .iter()
                    .flatten()
                    .map(|a| {
                        let broken = a.images.iter().filter(|i| i.is_broken()).count();
                        vec![
                            a.external_article_id.clone()
                                + &a.locale
                                    .as_ref()
                                    .map(|l| format!("@{l}"))
                                    .unwrap_or_default(),
                            a.status.clone(),
                            if a.is_published { "yes" } else { "no" }.into(),
                            a.images.len().to_string(),
                            broken.to_string(),
                            shorten(&a.title, 60),
                        ]
                    })
                    .collect();
                table(
                    &[
                        "ARTICLE",
                        "STATUS",
                        "PUBLISHED",
                        "IMAGES",
                        "BROKEN",
                        "TITLE",
                    ],
                    rows,
                );
            }
        }
        Ok(())
    }
}

fn images_table(images: &[ImageWithArticles]) {
    let rows = images
        .iter()
        .map(|i| {
            vec![
                i.status_code.to_string(),
                i.kind.clone(),
                format!("{}x{}", i.width, i.height),
                i.size.to_string(),
                i.articles_count.to_string(),
                i.hash.chars().take(12).collect(),
                shorten(&i.url, 90),
            ]
        })
        .collect();
    table(
        &[
            "STATUS", "TYPE", "SIZE(PX)", "BYTES", "ARTICLES", "SHA-256", "URL",
        ],
        rows,
    );
}

impl Human for RetrievedArticle {
    fn print(&self) -> CliResult {
        outln!("{} — {}", self.id, self.title);
        outln!("{}", self.url);
        outln!(
            "published: {}   images: {}",
            if self.is_published { "yes" } else { "no" },
            self.images_count
        );
        outln!();
        let rows = self
            .images
            .iter()
            .map(|i| {
                vec![
                    i.status_code.to_string(),
                    i.kind.clone(),
                    format!("{}x{}", i.width, i.height),
                    i.size.to_string(),
                    shorten(&i.alt, 30),
                    shorten(&i.url, 90),
                ]
            })
            .collect();
        table(&["STATUS", "TYPE", "SIZE(PX)", "BYTES", "ALT", "URL"], rows);
        Ok(())
    }
}

impl Human for [ImageWithArticles] {
    fn print(&self) -> CliResult {
        if self.is_empty() {
            outln!("No broken images.");
            return Ok(());
        }
        for i in self {
            outln!("{}  {}", i.status_code, i.url);
            for a in &i.articles {
                outln!(
                    "      used in {} — {} ({})",
                    a.external_article_id,
                    a.title,
                    a.url
                );
            }
        }
        outln!();
        outln!("{} broken image(s).", self.len());
        Ok(())
    }
}

// --- replacing screenshots and audits -----------------------------------------

use shotkeeper_core::audit::AuditReport;
use shotkeeper_core::update::revisions::{Revision, RollbackOutcome};
use shotkeeper_core::update::{UpdatePlan, UpdateResult};

/// A plan, with the share of pixels each screenshot changes where it was
/// measured; as JSON, the plan with `changedShare` on each screenshot.
pub struct PlanShown<'a> {
    pub plan: &'a UpdatePlan,
    pub diffs: Option<&'a [Option<f64>]>,
}

impl Serialize for PlanShown<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut v = serde_json::to_value(self.plan).map_err(serde::ser::Error::custom)?;
        if let (Some(d), Some(list)) = (self.diffs, v["screenshots"].as_array_mut()) {
            for (item, share) in list.iter_mut().zip(d) {
                item["changedShare"] = serde_json::json!(share);
            }
        }
        v.serialize(s)
    }
}

impl Human for PlanShown<'_> {
    fn print(&self) -> CliResult {
        let (plan, diffs) = (self.plan, self.diffs);
        let rows = plan
            .screenshots
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let uses: usize = p.result.targets.iter().map(|t| t.articles.len()).sum();
                vec![
                    shorten(&p.screenshot.name, 40),
                    format!("{:?}", p.result.status).to_lowercase(),
                    p.result.match_type.seed_match_type().as_str().into(),
                    p.result.distance.map(|d| d.to_string()).unwrap_or_default(),
                    diffs
                        .and_then(|d| d.get(i).copied().flatten())
                        .map(|s| format!("{:.1}%", s * 100.0))
                        .unwrap_or_default(),
                    p.result.targets.len().to_string(),
                    uses.to_string(),
                    shorten(&p.result.reason, 70),
                ]
            })
            .collect();
        table(
            &[
                "SCREENSHOT",
                "STATUS",
                "MATCH",
                "DIST",
                "CHANGED",
                "IMAGES",
                "ARTICLES",
                "WHY",
            ],
            rows,
        );
        // Places beside a replaced image that stay as they are (a 2x variant,
        // a link to another file): said before anything is applied.
        for a in &plan.articles {
            for place in a.places.iter().filter(|p| !p.changes) {
                if let Some(note) = &place.note {
                    outln!("note: {} ({}): {note}", a.title, a.external_id);
                }
            }
        }
        outln!();
        outln!(
        "plan {}: {} change(s) in {} article(s). Apply with `shotkeeper apply {}` (add --dry-run to preview).",
        plan.id,
        plan.selected_changes(),
        plan.articles_to_update(),
        plan.id
    );
        Ok(())
    }
}

impl Human for UpdateResult {
    fn print(&self) -> CliResult {
        let rows = self
            .articles
            .iter()
            .map(|a| {
                vec![
                    a.external_id.clone()
                        + &a.locale
                            .as_ref()
                            .map(|l| format!("@{l}"))
                            .unwrap_or_default(),
                    a.status.as_str().into(),
                    a.replaced.to_string(),
                    a.revision_id.clone().unwrap_or_default(),
                    shorten(&a.error.clone().unwrap_or_else(|| a.title.clone()), 70),
                ]
            })
            .collect();
        table(
            &["ARTICLE", "STATUS", "REPLACED", "REVISION", "TITLE / ERROR"],
            rows,
        );
        outln!();
        let verb = if self.dry_run {
            "would succeed"
        } else {
            "succeeded"
        };
        outln!(
            "{} of {} screenshot(s) {verb}, {} failed.",
            self.summary.success,
            self.summary.total,
            self.summary.failed
        );
        Ok(())
    }
}

impl Human for [Revision] {
    fn print(&self) -> CliResult {
        let rows = self
            .iter()
            .map(|r| {
                vec![
                    r.id.clone(),
                    r.status.as_str().into(),
                    r.created_at.clone(),
                    r.author.clone().unwrap_or_else(|| "-".into()),
                    r.replacements.len().to_string(),
                    if r.rollback_of.is_some() {
                        "rollback".into()
                    } else {
                        "update".into()
                    },
                    shorten(&r.error.clone().unwrap_or_else(|| r.title.clone()), 60),
                ]
            })
            .collect();
        list_table(
            "No revisions: this article was never updated by Shotkeeper.",
            &[
                "REVISION",
                "STATUS",
                "CREATED",
                "BY",
                "IMAGES",
                "KIND",
                "TITLE / ERROR",
            ],
            rows,
        );
        Ok(())
    }
}

impl Human for RollbackOutcome {
    fn print(&self) -> CliResult {
        let how = if self.mode == RollbackMode::Exact {
            "the previous content is back, byte for byte"
        } else {
            "the article was edited since: the replaced image URLs were put back and the later edits kept"
        };
        if self.dry_run {
            outln!(
                "dry run: rolling back {} would restore the article ({how}).",
                self.revision_id
            );
        } else {
            outln!(
                "rolled back {}: {how}. Undo with `shotkeeper rollback {}`.",
                self.revision_id,
                self.rollback_revision_id.clone().unwrap_or_default()
            );
        }
        Ok(())
    }
}

/// How an audit report reads to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditFormat {
    Table,
    Csv,
}

impl Human for Shown<'_, AuditReport, AuditFormat> {
    fn print(&self) -> CliResult {
        let report = self.value;
        if self.how == AuditFormat::Csv {
            out!("{}", shotkeeper_core::audit::to_csv(report)?);
            return Ok(());
        }
        for (rule, n) in &report.counts {
            outln!("{:<12} {n}", rule.as_str());
        }
        outln!();
        let rows = report
            .findings
            .iter()
            .map(|f| {
                vec![
                    f.rule.as_str().to_owned(),
                    f.articles.len().to_string(),
                    if f.wasted_bytes > 0 {
                        format!("{} KiB", f.wasted_bytes / 1024)
                    } else {
                        String::new()
                    },
                    shorten(&f.detail, 50),
                    shorten(&f.url, 80),
                ]
            })
            .collect();
        table(&["RULE", "ARTICLES", "WASTED", "DETAIL", "IMAGE"], rows);
        Ok(())
    }
}

// --- keys of the local REST API (`shotkeeper serve`) ---------------------------

use shotkeeper_core::api_keys::{ApiKeyInfo, NewApiKey};

/// The key alone on stdout (so `KEY=$(shotkeeper api-key create ...)`
/// works), what it is on stderr.
impl Human for NewApiKey {
    fn print(&self) -> CliResult {
        outln!("{}", self.key);
        errln!(
            "API key {} ('{}') created. It is shown this once: send it as the x-api-key header",
            self.info.id,
            self.info.label
        );
        Ok(())
    }
}

impl Human for [ApiKeyInfo] {
    fn print(&self) -> CliResult {
        let rows = self
            .iter()
            .map(|k| {
                vec![
                    k.id.clone(),
                    format!("{}…", k.prefix),
                    k.label.clone(),
                    k.created_at.clone(),
                    k.last_used_at.clone().unwrap_or_else(|| "never".into()),
                    match &k.revoked_at {
                        Some(t) => format!("revoked {t}"),
                        None => "live".into(),
                    },
                ]
            })
            .collect();
        list_table(
            "No API keys: create one with `shotkeeper api-key create --label NAME`.",
            &["ID", "KEY", "LABEL", "CREATED", "LAST USED", "STATE"],
            rows,
        );
        Ok(())
    }
}

/// The answer to `api-key revoke`.
impl Human for ApiKeyInfo {
    fn print(&self) -> CliResult {
        outln!("revoked API key {} ('{}')", self.id, self.label);
        Ok(())
    }
}

impl Human for shotkeeper_core::shared_files::SharedFilesStatus {
    fn print(&self) -> CliResult {
        match (&self.storage_integration_id, self.team_database) {
            (Some(id), _) => outln!(
                "thumbnails and screenshots are shared in '{}' ({id}), under {}/",
                self.storage_label.as_deref().unwrap_or("a removed integration"),
                shotkeeper_core::shared_files::KEY_PREFIX
            ),
            (None, true) => outln!(
                "this team shares no files: each machine keeps its own thumbnails and screenshots; choose a storage with `shotkeeper team-files --storage INTEGRATION_ID`"
            ),
            (None, false) => outln!(
                "files stay in this data directory: sharing them is for a team database (--database postgres://…)"
            ),
        }
        Ok(())
    }
}
