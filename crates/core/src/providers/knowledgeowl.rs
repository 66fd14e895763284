//! KnowledgeOwl API, following the KnowledgeOwl documentation:
//! <https://support.knowledgeowl.com/help/using-api> (authentication and API
//! keys), <https://support.knowledgeowl.com/help/api-overview> (basic auth,
//! `.json` endpoints, JSON input) and the endpoint reference pages for the
//! `article`, `project` and `file` objects.
//!
//! - Base `https://app.knowledgeowl.com/api/head`; HTTP Basic with the API
//!   key as user name and a dummy password `X`; every call names the
//!   knowledge base with `project_id`.
//! - Verify `GET /project/{project_id}.json`.
//! - List `GET /article.json?project_id=&page=&limit=100`, envelope
//!   `{"valid": true, "page_stats": {current_page, total_pages,
//!   total_records}, "data": [...]}`; stop when `page >= total_pages`.
//! - HTML in `current_version.{lang}.text`. **Every language version is
//!   its own document** with `ArticleRef.locale = Some(lang)` (the default
//!   language too); `None` reads as English, else the first language.
//!   Older answers hold plain `text` and `title` strings beside the language
//!   objects (`{"text": "…", "en": {"text": "…", "title": "Test"}, "title":
//!   "test"}`): the strings are not languages and are skipped; where they are
//!   all there is, they are the English version.
//! - A listing entry that cannot be read is reported as unreadable (counted
//!   failed); the rest of its page is kept.
//! - Versions carry no public URL of their own unless `url` is given, so
//!   relative and protocol-relative (`//…/app/image/id/…`, what the editor
//!   and the file upload write) image URLs resolve against the API base.
//! - Update `PUT /article/{id}.json` with `{"project_id", "current_version":
//!   {lang: {"text": html}}}`: only that language's text; other languages,
//!   titles and the status are kept.
//! - Upload `POST /file.json`, multipart `project_id` + `file`; the file's
//!   URL is `data.url`.
//! - 100 requests per minute assumed (no figure documented); 429 with
//!   `Retry-After` is retried by the HTTP layer. Errors `{"valid": false,
//!   "message"}`.

use std::collections::BTreeMap;

use async_trait::async_trait;

use serde::Deserialize;
use serde_json::json;

use super::fields::{field, FieldCheck};
use super::kit::{Connect, ProviderDef, Sites};
use super::ProviderSpec;
use super::{ArticlePage, ArticleRef, HelpCenter, RemoteArticle, UnreadableArticle, UploadedImage};
use crate::error::{CoreError, Result};
use crate::http::json::id_string;
use crate::http::{page_number, segment, ApiBase, Auth, HttpClient, HttpConfig};
use crate::model::ProviderKind;

/// Page size asked for.
pub const PAGE_SIZE: u32 = 100;
pub const REQUESTS_PER_MINUTE: u32 = 100;

pub struct KnowledgeOwl {
    api: ApiBase,
    project_id: String,
}

/// A listing page; entries are decoded one by one so that one odd article
/// cannot make the page unreadable.
#[derive(Deserialize)]
struct ArticleList {
    #[serde(default)]
    data: Vec<serde_json::Value>,
    page_stats: PageStats,
}

#[derive(Deserialize)]
struct PageStats {
    #[serde(default)]
    total_pages: u64,
    #[serde(default)]
    total_records: Option<u64>,
}

#[derive(Deserialize)]
struct One<T> {
    data: T,
}

#[derive(Deserialize)]
struct Project {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct FileData {
    url: String,
}

#[derive(Deserialize)]
struct Article {
    #[serde(deserialize_with = "id_string")]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    current_version: Versions,
    #[serde(default)]
    date_created: Option<serde_json::Value>,
    #[serde(default)]
    date_modified: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
struct Version {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

/// `current_version` keyed by language; an empty list counts as empty.
/// Plain strings beside the language objects (older answers) are not
/// languages; when they are the only content, they are the English version.
#[derive(Default)]
struct Versions(BTreeMap<String, Version>);

impl<'de> Deserialize<'de> for Versions {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Object(m) => {
                let mut langs = BTreeMap::new();
                let (mut text, mut title) = (None, None);
                for (k, v) in m {
                    match v {
                        serde_json::Value::Object(_) => {
                            let version =
                                serde_json::from_value(v).map_err(serde::de::Error::custom)?;
                            langs.insert(k, version);
                        }
                        serde_json::Value::String(s) if k == "text" => text = Some(s),
                        serde_json::Value::String(s) if k == "title" => title = Some(s),
                        // Other loose values (null, numbers) carry no document.
                        _ => {}
                    }
                }
                if langs.is_empty() && text.is_some() {
                    langs.insert(
                        "en".to_string(),
                        Version {
                            title,
                            text,
                            url: None,
                        },
                    );
                }
                Ok(Versions(langs))
            }
            serde_json::Value::Null => Ok(Versions::default()),
            serde_json::Value::Array(a) if a.is_empty() => Ok(Versions::default()),
            _ => Err(serde::de::Error::custom(
                "expected current_version keyed by language code",
            )),
        }
    }
}

/// A date given as text or as Unix seconds.
fn date(v: &Option<serde_json::Value>) -> Option<String> {
    match v {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => n
            .as_i64()
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .map(|t| t.to_rfc3339()),
        _ => None,
    }
}

impl Article {
    fn default_language(&self) -> Option<String> {
        self.current_version
            .0
            .keys()
            .find(|l| l.as_str() == "en")
            .or(self.current_version.0.keys().next())
            .cloned()
    }

    fn document(&self, lang: &str) -> Option<RemoteArticle> {
        let v = self.current_version.0.get(lang)?;
        Some(RemoteArticle {
            article: ArticleRef::with_locale(self.id.clone(), Some(lang.to_string())),
            title: v.title.clone().unwrap_or_else(|| self.name.clone()),
            url: v.url.clone().unwrap_or_default(),
            html: Some(v.text.clone().unwrap_or_default()),
            is_published: self.status == "published",
            author: None,
            tags: Vec::new(),
            created_at: date(&self.date_created),
            updated_at: date(&self.date_modified),
        })
    }

    fn documents(&self) -> Vec<RemoteArticle> {
        self.current_version
            .0
            .keys()
            .filter_map(|l| self.document(l))
            .collect()
    }
}

impl KnowledgeOwl {
    pub fn new(cfg: HttpConfig, base_url: &str, project_id: &str, api_key: &str) -> Result<Self> {
        Ok(KnowledgeOwl {
            api: ApiBase::new(cfg, base_url, api_key, "API key", Auth::BasicKeyAsUser)?,
            project_id: project_id.trim().to_string(),
        })
    }

    pub fn http(&self) -> &HttpClient {
        self.api.http()
    }

    async fn fetch(&self, id: &str) -> Result<(String, Article)> {
        let path = format!("/article/{}.json", segment(id));
        let endpoint = format!("GET {path}");
        let one: One<Article> = self
            .http()
            .get_json(&endpoint, |c| {
                self.api
                    .request(c, reqwest::Method::GET, &path)
                    .query(&[("project_id", &self.project_id)])
            })
            .await?;
        Ok((endpoint, one.data))
    }
}

#[async_trait]
impl HelpCenter for KnowledgeOwl {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Knowledgeowl
    }

    fn api_base(&self) -> &str {
        self.api.base()
    }

    async fn verify(&self) -> Result<String> {
        let path = format!("/project/{}.json", segment(&self.project_id));
        let one: One<Project> = self
            .http()
            .get_json(&format!("GET {path}"), |c| {
                self.api.request(c, reqwest::Method::GET, &path)
            })
            .await?;
        Ok(format!(
            "Connected to KnowledgeOwl knowledge base {}",
            one.data.name.unwrap_or_else(|| self.project_id.clone())
        ))
    }

    async fn list_articles(&self, cursor: Option<&str>) -> Result<ArticlePage> {
        let mut failed = Vec::new();
        let page = page_number(cursor, "KnowledgeOwl")?;
        let endpoint = format!("GET /article.json?page={page}");
        let list: ArticleList = self
            .http()
            .get_json(&endpoint, |c| {
                self.api
                    .request(c, reqwest::Method::GET, "/article.json")
                    .query(&[("project_id", self.project_id.as_str())])
                    .query(&[("page", page), ("limit", u64::from(PAGE_SIZE))])
            })
            .await?;
        let mut articles = Vec::new();
        for entry in list.data {
            match Article::deserialize(&entry) {
                Ok(a) => articles.extend(a.documents()),
                Err(e) => failed.push(UnreadableArticle::from_listing(&entry, "KnowledgeOwl", e)),
            }
        }
        Ok(ArticlePage {
            articles,
            next: (page < list.page_stats.total_pages).then(|| (page + 1).to_string()),
            total: list.page_stats.total_records,
            failed,
        })
    }

    async fn get_article(&self, article: &ArticleRef) -> Result<RemoteArticle> {
        let (_, remote) = self.fetch(&article.id).await?;
        let lang = match &article.locale {
            Some(l) => l.clone(),
            None => remote.default_language().unwrap_or_else(|| "en".into()),
        };
        remote.document(&lang).ok_or_else(|| CoreError::NotFound {
            what: format!(
                "the '{lang}' version of KnowledgeOwl article {}",
                article.id
            ),
        })
    }

    async fn update_article_html(&self, article: &ArticleRef, html: &str) -> Result<()> {
        let lang = match &article.locale {
            Some(l) => l.clone(),
            None => {
                let (endpoint, remote) = self.fetch(&article.id).await?;
                remote.default_language().ok_or_else(|| {
                    self.api
                        .http()
                        .garbage(&endpoint, "the article has no version")
                })?
            }
        };
        let path = format!("/article/{}.json", segment(&article.id));
        let body = json!({
            "project_id": self.project_id,
            "current_version": { lang: { "text": html } },
        });
        self.http()
            .send(&format!("PUT {path}"), |c| {
                self.api
                    .request(c, reqwest::Method::PUT, &path)
                    .query(&[("project_id", &self.project_id)])
                    .json(&body)
            })
            .await?;
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
        let bytes = bytes::Bytes::from(bytes);
        let form = || {
            let fresh = || {
                reqwest::multipart::Part::stream_with_length(
                    reqwest::Body::from(bytes.clone()),
                    bytes.len() as u64,
                )
                .file_name(file_name.to_string())
            };
            let part = fresh().mime_str(content_type).unwrap_or_else(|_| fresh());
            reqwest::multipart::Form::new()
                .text("project_id", self.project_id.clone())
                .part("file", part)
        };
        let one: One<FileData> = self
            .http()
            .get_json("POST /file.json", |c| {
                self.api
                    .request(c, reqwest::Method::POST, "/file.json")
                    .multipart(form())
            })
            .await?;
        Ok(UploadedImage { url: one.data.url })
    }
}

/// KnowledgeOwl, as the registry lists it (see [`ProviderDef`]).
pub const DEF: ProviderDef = ProviderDef {
    kind: ProviderKind::Knowledgeowl,
    spec,
    api_path: "/api/head",
    sites: Sites::ApiElsewhere("knowledgeowl.com"),
    documented_burst: None,
    connect,
};

fn connect(c: Connect<'_>) -> Result<Box<dyn HelpCenter>> {
    let project_id = c.setting("project_id");
    Ok(Box::new(KnowledgeOwl::new(
        c.http, &c.base, project_id, c.secret,
    )?))
}

/// Labels and help follow the provider's own settings pages.
fn spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::Knowledgeowl,
        display_name: "KnowledgeOwl",
        fields: vec![field("project_id", "Knowledge base ID", "The ID of the knowledge base (project) to import, from Settings > Basic in KnowledgeOwl", true, "5f1e2d3c4b5a69788796a5b4").checked(FieldCheck::PathSegment)],
        secret_label: "API key",
        secret_help: "Your account > API in KnowledgeOwl",
        default_base_url: "https://app.knowledgeowl.com/api/head",
        requests_per_minute: REQUESTS_PER_MINUTE,
        has_image_upload: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_document_per_language() {
        let a: Article = serde_json::from_value(json!({
            "id": "a1", "name": "Start", "status": "published",
            "current_version": {
                "en": {"title": "Start", "text": "<p>en</p>"},
                "de": {"title": "Anfang", "text": "<p>de</p>"}
            },
            "date_created": 1700000000
        }))
        .unwrap();
        let docs = a.documents();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].article.locale.as_deref(), Some("de"));
        assert_eq!(docs[0].title, "Anfang");
        assert_eq!(docs[1].html.as_deref(), Some("<p>en</p>"));
        assert!(docs[1].is_published);
        assert!(docs[1].created_at.is_some());
        assert_eq!(a.default_language().as_deref(), Some("en"));
    }

    #[test]
    fn older_shape_strings_beside_languages() {
        // The shape of older KnowledgeOwl answers.
        let a: Article = serde_json::from_value(json!({
            "id": "58cb", "status": "published",
            "current_version": {
                "text": "updated by ko admin",
                "en": {"text": "<p>en</p>", "title": "Test"},
                "title": "test"
            }
        }))
        .unwrap();
        let docs = a.documents();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].article.locale.as_deref(), Some("en"));
        assert_eq!(docs[0].html.as_deref(), Some("<p>en</p>"));
        assert_eq!(docs[0].title, "Test");
        // Strings only: they are the English version.
        let a: Article = serde_json::from_value(json!({
            "id": "58cc", "current_version": {"text": "<p>old</p>", "title": "Old"}
        }))
        .unwrap();
        let docs = a.documents();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].html.as_deref(), Some("<p>old</p>"));
        assert_eq!(docs[0].title, "Old");
        // A language that is not an object with text is unreadable, alone.
        let bad = serde_json::from_value::<Article>(json!({
            "id": "58cd", "current_version": {"en": {"text": 42}}
        }));
        assert!(bad.is_err());
    }

    #[test]
    fn empty_versions() {
        let a: Article = serde_json::from_value(json!({"id": 5, "current_version": []})).unwrap();
        assert!(a.documents().is_empty());
    }
}
