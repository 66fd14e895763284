//! Help.Center, following "How to manage Help articles via API?",
//! Help.Center's API documentation.
//!
//! - Base `https://api.help.center/v0/centers/{center_id}`;
//!   `Authorization: Bearer KEY`. Scopes: `content.read` to import,
//!   `content.write` + `content.publish` to update, `content.write` to upload.
//! - List `GET /articles/drafts?limit=100&expand[]=content&starting_after=<last id>`
//!   (100 is the documented maximum) while `has_more`. The Help.Center API's
//!   `GET /articles` lists *published* articles only, while "every article
//!   has a draft version": the drafts listing is the one that holds every
//!   article, never-published ones included, each with its `status`. A
//!   draft's HTML is the live HTML unless the status is
//!   `published_with_changes`; those documents are listed with `html: None`
//!   so the import reads the live version with `get_article`.
//! - An article's `translations: ["es", ...]` are separate documents
//!   (`locale: Some(lang)`), each read with
//!   `GET /articles/:id/translations/:lang?expand[]=content`, so one listed
//!   page costs one request plus one per translation.
//! - Writes go to the draft: `PATCH /articles/:id/draft {"html"}`, then
//!   `POST /articles/:id/publish` only when the draft was `published` (in
//!   sync with the live article) before the write. A draft in
//!   `published_with_changes` holds someone else's unpublished edits:
//!   publishing would release them, and writing into it would mix ours with
//!   theirs, so nothing is written and the user is told what to do. An
//!   `unpublished` (never published) article gets its draft updated and stays
//!   unpublished. Translations use `/translations/:lang/draft` and
//!   `/translations/:lang/publish` the same way.
//! - Upload `POST /articles/images` (multipart field `image`, at most 10 MB)
//!   returns `data.url`.
//! - Errors `{"error":{type,message,code}}`; 403 `insufficient_scope` becomes
//!   `Forbidden` naming the missing scope. 100 requests per minute, burst 200.
//! - Verify `GET /v0/centers/:centerId` (center info).

use std::sync::Arc;

use async_trait::async_trait;

use serde::Deserialize;
use serde_json::json;

use super::fields::{field, rate_field, FieldCheck};
use super::kit::{Connect, ProviderDef, Sites};
use super::ProviderSpec;
use super::{
    split_entries, ArticlePage, ArticleRef, Entry, HelpCenter, RemoteArticle, UploadedImage,
};
use crate::error::{CoreError, Result};
use crate::http::json::{id_string, person_name};
use crate::http::{segment, ApiBase, Auth, ErrorHook, ErrorResponse, HttpClient, HttpConfig};
use crate::model::ProviderKind;

/// Documented maximum page size.
pub const PAGE_SIZE: u32 = 100;
/// Documented request budget per key, and its burst.
pub const REQUESTS_PER_MINUTE: u32 = 100;
pub const BURST: u32 = 200;
/// Documented upload limit.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

pub struct HelpCenterV0 {
    /// Based at `.../v0/centers/{center_id}`.
    api: ApiBase,
    center_id: String,
}

#[derive(Deserialize)]
struct ArticleList {
    /// The Help.Center API reference does not show the list envelope; `data` (its convention for
    /// uploads) and `articles` are both accepted.
    /// Decoded one by one: an odd article fails alone.
    #[serde(alias = "articles")]
    data: Vec<Entry<Article>>,
    #[serde(default)]
    has_more: bool,
}

#[derive(Deserialize)]
struct Article {
    #[serde(deserialize_with = "id_string")]
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    content: Option<Content>,
    #[serde(default)]
    translations: Vec<String>,
    #[serde(default, deserialize_with = "person_name")]
    author: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
}

#[derive(Deserialize)]
struct Content {
    #[serde(default)]
    html: Option<String>,
}

/// The part of a draft (article or translation) that decides how to write.
#[derive(Deserialize)]
struct Draft {
    status: String,
}

#[derive(Deserialize)]
struct Center {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    default_language: Option<String>,
    #[serde(default)]
    additional_languages: Vec<String>,
}

#[derive(Deserialize)]
struct Upload {
    data: UploadData,
}

#[derive(Deserialize)]
struct UploadData {
    url: String,
}

/// What to do with a draft, decided from its status before anything is written.
#[derive(Debug, PartialEq, Eq)]
enum WritePlan {
    DraftThenPublish,
    DraftOnly,
}

impl HelpCenterV0 {
    /// `base_url` is the API root (`https://api.help.center/v0`); the center
    /// path is added here.
    pub fn new(
        mut cfg: HttpConfig,
        base_url: &str,
        center_id: &str,
        api_key: &str,
    ) -> Result<Self> {
        cfg.on_error = Some(error_hook());
        let center_id = center_id.trim().to_string();
        let center = format!(
            "{}/centers/{}",
            base_url.trim().trim_end_matches('/'),
            segment(&center_id)
        );
        Ok(HelpCenterV0 {
            api: ApiBase::new(cfg, &center, api_key, "API key", Auth::Bearer)?,
            center_id,
        })
    }

    /// The integration's shared client (limiter included).
    pub fn http(&self) -> &HttpClient {
        self.api.http()
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T> {
        self.http()
            .get_json(&format!("GET {path}"), |c| {
                self.api.request(c, reqwest::Method::GET, path).query(query)
            })
            .await
    }

    async fn post_empty(&self, path: &str) -> Result<()> {
        self.http()
            .send(&format!("POST {path}"), |c| {
                self.api.request(c, reqwest::Method::POST, path)
            })
            .await?;
        Ok(())
    }

    async fn translation(&self, id: &str, lang: &str) -> Result<RemoteArticle> {
        let path = format!("/articles/{}/translations/{}", segment(id), segment(lang));
        let t: Article = self.get(&path, &[("expand[]", "content")]).await?;
        Ok(t.document(id, Some(lang)))
    }

    /// The default document and every translation of one listed article.
    async fn documents(&self, article: Article) -> Result<Vec<RemoteArticle>> {
        let mut docs = Vec::with_capacity(1 + article.translations.len());
        for lang in &article.translations {
            docs.push(self.translation(&article.id, lang).await?);
        }
        let mut main = article.document(&article.id, None);
        if article.status.as_deref() == Some("published_with_changes") {
            // The listed HTML is someone's pending draft, not what readers see.
            main.html = None;
        }
        docs.insert(0, main);
        Ok(docs)
    }

    /// `/articles/:id` or `/articles/:id/translations/:lang`.
    fn document_path(article: &ArticleRef) -> String {
        let base = format!("/articles/{}", segment(&article.id));
        match &article.locale {
            Some(lang) => format!("{base}/translations/{}", segment(lang)),
            None => base,
        }
    }

    async fn write_plan(&self, article: &ArticleRef, doc_path: &str) -> Result<WritePlan> {
        let draft_path = format!("{doc_path}/draft");
        let draft: Draft = self.get(&draft_path, &[]).await?;
        plan_for(&draft.status, article).map_err(|e| match e {
            PlanError::Unknown(status) => self.api.http().garbage(
                &format!("GET {draft_path}"),
                format!("unknown draft status '{status}'; nothing was written"),
            ),
            PlanError::Pending(msg) => CoreError::Invalid(msg),
        })
    }
}

enum PlanError {
    Pending(String),
    Unknown(String),
}

/// The Help.Center API's draft statuses: `unpublished`, `published` (in sync),
/// `published_with_changes` (has unpublished edits).
fn plan_for(status: &str, article: &ArticleRef) -> std::result::Result<WritePlan, PlanError> {
    match status {
        "published" => Ok(WritePlan::DraftThenPublish),
        "unpublished" => Ok(WritePlan::DraftOnly),
        "published_with_changes" => Err(PlanError::Pending(format!(
            "Help.Center article {article} has unpublished edits waiting in its draft. Shotkeeper changed nothing, so nothing is lost: publish or discard that draft in Help.Center, then run the update again"
        ))),
        other => Err(PlanError::Unknown(other.to_string())),
    }
}

/// 403 is a missing scope at Help.Center; name it and say which key to make.
fn error_hook() -> ErrorHook {
    Arc::new(|r: &ErrorResponse<'_>| {
        if r.status != 403 {
            return None;
        }
        let scope = missing_scope(r.detail);
        Some(CoreError::Forbidden {
            provider: r.provider.to_string(),
            endpoint: r.endpoint.to_string(),
            detail: format!(
                "the API key lacks the {} scope{}. Create a key with the content.read, content.write and content.publish scopes under Settings > General > API and update the integration",
                scope.as_deref().map(|s| format!("'{s}'")).unwrap_or_else(|| "required".into()),
                if r.detail.is_empty() { String::new() } else { format!(" ({})", r.detail) }
            ),
        })
    })
}

/// `content.publish` from "You do not have the 'content.publish' scope".
fn missing_scope(message: &str) -> Option<String> {
    let start = message.find("content.")?;
    let scope: String = message[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_')
        .collect();
    (scope.len() > "content.".len()).then_some(scope)
}

impl Article {
    fn document(&self, id: &str, locale: Option<&str>) -> RemoteArticle {
        RemoteArticle {
            article: ArticleRef::with_locale(id, locale.map(str::to_string)),
            title: self.title.clone(),
            url: self.url.clone().unwrap_or_default(),
            html: self.content.as_ref().and_then(|c| c.html.clone()),
            // `published` and `published_with_changes` both have a live version.
            is_published: self
                .status
                .as_deref()
                .is_none_or(|s| s.starts_with("published")),
            author: self.author.clone(),
            tags: Vec::new(),
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
        }
    }
}

fn check_upload(file_name: &str, len: usize) -> Result<()> {
    if len > MAX_UPLOAD_BYTES {
        return Err(CoreError::Invalid(format!(
            "{file_name} is {:.1} MB; Help.Center accepts images up to 10 MB. Make it smaller or link an S3 or R2 integration",
            len as f64 / 1_048_576.0
        )));
    }
    Ok(())
}

#[async_trait]
impl HelpCenter for HelpCenterV0 {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Helpcenter
    }

    fn api_base(&self) -> &str {
        self.api.base()
    }

    async fn verify(&self) -> Result<String> {
        let center: Center = self.get("", &[]).await?;
        let name = center.name.unwrap_or_else(|| self.center_id.clone());
        let mut langs: Vec<String> = center.default_language.into_iter().collect();
        langs.extend(center.additional_languages);
        Ok(format!(
            "Connected to the Help.Center \u{201c}{name}\u{201d}{}",
            if langs.is_empty() {
                String::new()
            } else {
                format!(" (languages: {})", langs.join(", "))
            }
        ))
    }

    async fn list_articles(&self, cursor: Option<&str>) -> Result<ArticlePage> {
        let limit = PAGE_SIZE.to_string();
        let mut query = vec![("limit", limit.as_str()), ("expand[]", "content")];
        if let Some(after) = cursor {
            query.push(("starting_after", after));
        }
        let list: ArticleList = self.get("/articles/drafts", &query).await?;
        // The cursor is the last entry's id, readable or not.
        let next = match list.data.last() {
            Some(Entry::Read(last)) if list.has_more => Some(last.id.clone()),
            Some(Entry::Unreadable(v, _)) if list.has_more => {
                let id = v.get("id").filter(|i| !i.is_null()).map(|i| {
                    i.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| i.to_string())
                });
                Some(id.ok_or_else(|| {
                    self.http()
                        .garbage("GET /articles/drafts", "the last article has no id")
                })?)
            }
            _ => None,
        };
        let (read, failed) = split_entries(list.data, "Help.Center");
        let mut articles = Vec::with_capacity(read.len());
        for article in read {
            articles.extend(self.documents(article).await?);
        }
        Ok(ArticlePage {
            failed,
            articles,
            next,
            total: None,
        })
    }

    async fn get_article(&self, article: &ArticleRef) -> Result<RemoteArticle> {
        let path = Self::document_path(article);
        let a: Article = self.get(&path, &[("expand[]", "content")]).await?;
        let doc = a.document(&article.id, article.locale.as_deref());
        if doc.html.is_none() {
            return Err(self.api.http().garbage(
                &format!("GET {path}"),
                "content.html is missing although expand[]=content was asked for",
            ));
        }
        Ok(doc)
    }

    async fn update_article_html(&self, article: &ArticleRef, html: &str) -> Result<()> {
        let doc_path = Self::document_path(article);
        let plan = self.write_plan(article, &doc_path).await?;
        let draft_path = format!("{doc_path}/draft");
        let body = json!({ "html": html });
        self.http()
            .send(&format!("PATCH {draft_path}"), |c| {
                self.api
                    .request(c, reqwest::Method::PATCH, &draft_path)
                    .json(&body)
            })
            .await?;
        if plan == WritePlan::DraftThenPublish {
            self.post_empty(&format!("{doc_path}/publish")).await?;
        }
        Ok(())
    }

    fn supports_upload(&self) -> bool {
        true
    }

    async fn upload_image(
        &self,
        _article: &ArticleRef,
        file_name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<UploadedImage> {
        check_upload(file_name, bytes.len())?;
        let bytes = bytes::Bytes::from(bytes);
        let path = "/articles/images";
        let endpoint = format!("POST {path}");
        let upload: Upload = self
            .http()
            .get_json(&endpoint, |c| {
                self.api
                    .request(c, reqwest::Method::POST, path)
                    .multipart(image_form(&bytes, file_name, content_type))
            })
            .await?;
        Ok(UploadedImage {
            url: upload.data.url,
        })
    }
}

/// A fresh form per attempt (a sent form cannot be replayed); the bytes are
/// shared, not copied.
fn image_form(
    bytes: &bytes::Bytes,
    file_name: &str,
    content_type: &str,
) -> reqwest::multipart::Form {
    let fresh = || {
        reqwest::multipart::Part::stream_with_length(
            reqwest::Body::from(bytes.clone()),
            bytes.len() as u64,
        )
        .file_name(file_name.to_string())
    };
    // An unparsable content type: send none and let Help.Center sniff the file.
    let part = fresh().mime_str(content_type).unwrap_or_else(|_| fresh());
    reqwest::multipart::Form::new().part("image", part)
}

/// Help.Center, as the registry lists it (see [`ProviderDef`]).
pub const DEF: ProviderDef = ProviderDef {
    kind: ProviderKind::Helpcenter,
    spec,
    api_path: "/v0",
    sites: Sites::ApiElsewhere("help.center"),
    documented_burst: Some(BURST),
    connect,
};

fn connect(c: Connect<'_>) -> Result<Box<dyn HelpCenter>> {
    let center_id = c.setting("center_id");
    Ok(Box::new(HelpCenterV0::new(
        c.http, &c.base, center_id, c.secret,
    )?))
}

/// Labels and help follow the provider's own settings pages.
fn spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::Helpcenter,
        display_name: "Help.Center",
        fields: vec![
            field("center_id", "Center ID", "Shown on Settings > General > API in your Help.Center dashboard", true, "your-center-id").checked(FieldCheck::PathSegment),
            rate_field("Leave empty for Help.Center's documented 100 per minute (burst 200); 0 turns the limiter off"),
        ],
        secret_label: "API key",
        secret_help: "Settings > General > API > Create API Key in Help.Center, with the content.read, content.write and content.publish scopes",
        default_base_url: "https://api.help.center/v0",
        requests_per_minute: REQUESTS_PER_MINUTE,
        has_image_upload: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_by_draft_status() {
        let a = ArticleRef::new("a1");
        assert!(matches!(
            plan_for("published", &a),
            Ok(WritePlan::DraftThenPublish)
        ));
        assert!(matches!(
            plan_for("unpublished", &a),
            Ok(WritePlan::DraftOnly)
        ));
        match plan_for("published_with_changes", &a) {
            Err(PlanError::Pending(m)) => {
                assert!(m.contains("publish or discard") && m.contains("a1"))
            }
            _ => panic!("pending draft must refuse"),
        }
        assert!(matches!(plan_for("weird", &a), Err(PlanError::Unknown(_))));
    }

    #[test]
    fn scope_is_named() {
        assert_eq!(
            missing_scope("You do not have the 'content.publish' scope").as_deref(),
            Some("content.publish")
        );
        assert_eq!(missing_scope("nope"), None);
        let hook = error_hook();
        let r = ErrorResponse {
            provider: "Help.Center",
            endpoint: "POST /x",
            status: 403,
            body: "",
            detail: "You do not have the 'content.write' scope",
        };
        let e = hook(&r).unwrap().to_string();
        assert!(e.contains("'content.write' scope"), "{e}");
        assert!(hook(&ErrorResponse { status: 401, ..r }).is_none());
    }

    #[test]
    fn documents_and_paths() {
        let a: Article = serde_json::from_value(json!({
            "id": "art1", "title": "T", "url": "https://s/a", "translations": ["es"],
            "content": {"html": "<p>x</p>", "text": "x"}
        }))
        .unwrap();
        let d = a.document("art1", None);
        assert_eq!(d.html.as_deref(), Some("<p>x</p>"));
        assert!(d.is_published);
        let es = ArticleRef::with_locale("art1", Some("es".into()));
        assert_eq!(
            HelpCenterV0::document_path(&es),
            "/articles/art1/translations/es"
        );
        assert_eq!(
            HelpCenterV0::document_path(&ArticleRef::new("a/b")),
            "/articles/a%2Fb"
        );
    }

    #[test]
    fn upload_limit() {
        assert!(check_upload("a.png", MAX_UPLOAD_BYTES).is_ok());
        assert!(check_upload("a.png", MAX_UPLOAD_BYTES + 1).is_err());
    }
}
