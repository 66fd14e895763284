//! Help Scout Docs API v1, following the Help Scout developer documentation:
//! <https://developer.helpscout.com/docs-api/> (authentication, rate
//! limiting, envelopes), `docs-api/sites/list/`, `docs-api/collections/list/`,
//! `docs-api/articles/list/` (list articles in a collection),
//! `docs-api/articles/get/`, `docs-api/articles/update/` and
//! `docs-api/assets/article/create/`.
//!
//! - Base `https://docsapi.helpscout.net/v1`; HTTP Basic with the Docs API
//!   key as the user name and a dummy password `X`.
//! - Verify `GET /sites` (one cheap authenticated call).
//! - Listing: `GET /collections` (every page), then for each collection
//!   `GET /collections/{id}/articles?page=&pageSize=100` (100 is the
//!   documented maximum; `{"articles": {page, pages, count, items}}`). List
//!   items are article *refs* without `text`, so listings return
//!   `html: None` and the import calls `get_article` (`GET /articles/{id}`,
//!   HTML in `article.text`). The resume cursor is `collectionId:page`.
//! - A Docs site has one language: every document is `locale: None`.
//! - Update `PUT /articles/{id}` with `{"text": html}` only (status, name
//!   and the rest are kept).
//! - Upload `POST /assets/article`, multipart `key` (the API key, required
//!   beside basic auth: the documented example sends `-u API_KEY:X -F
//!   key=API_KEY`), `articleId`, `assetType=image` and `file`; answers
//!   `{"filelink": URL}`.
//! - 2000 requests per 10 minutes per account for one site (200/min);
//!   `X-RateLimit-*` on every answer, 429 beyond (retried by the HTTP layer).
//!   Errors `{"code", "error"}`.

use std::sync::Mutex;

use async_trait::async_trait;
use reqwest::header::ACCEPT;
use serde::Deserialize;
use serde_json::json;

use super::kit::{self, Connect, ProviderDef};
use super::ProviderSpec;
use super::{
    split_entries, ArticlePage, ArticleRef, Entry, HelpCenter, RemoteArticle, UploadedImage,
};
use crate::error::{CoreError, Result};
use crate::http::json::id_string;
use crate::http::{segment, ApiBase, Auth, HttpClient, HttpConfig};
use crate::model::ProviderKind;

/// Documented maximum `pageSize`.
pub const PAGE_SIZE: u32 = 100;
/// 2000 requests per 10 minutes (one Docs site).
pub const REQUESTS_PER_MINUTE: u32 = 200;

pub struct HelpScout {
    api: ApiBase,
    /// The API key itself: the asset upload also takes it as a form field.
    /// Never logged (the struct has no `Debug`) and redacted from errors.
    api_key: String,
    /// Collection ids in listing order, fetched once per client.
    collections: Mutex<Option<Vec<String>>>,
}

#[derive(Deserialize)]
struct Page<T> {
    #[serde(default)]
    page: u64,
    #[serde(default)]
    pages: u64,
    #[serde(default)]
    count: Option<u64>,
    #[serde(default = "Vec::new")]
    items: Vec<T>,
}

#[derive(Deserialize)]
struct Collections {
    collections: Page<IdOnly>,
}

#[derive(Deserialize)]
struct IdOnly {
    #[serde(deserialize_with = "id_string")]
    id: String,
}

#[derive(Deserialize)]
struct Sites {
    sites: Page<serde_json::Value>,
}

#[derive(Deserialize)]
struct Articles {
    /// Each entry decoded on its own: an odd article fails alone.
    articles: Page<Entry<Article>>,
}

#[derive(Deserialize)]
struct OneArticle {
    article: Article,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Article {
    #[serde(deserialize_with = "id_string")]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    public_url: Option<String>,
    /// Only in `GET /articles/{id}`.
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
}

#[derive(Deserialize)]
struct Asset {
    filelink: String,
}

impl Article {
    fn document(self) -> RemoteArticle {
        RemoteArticle {
            article: ArticleRef::new(self.id),
            title: self.name,
            url: self.public_url.unwrap_or_default(),
            html: self.text,
            is_published: self.status == "published",
            author: None,
            tags: self.keywords,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// `collectionId:page`.
fn parse_cursor(cursor: &str) -> Result<(String, u64)> {
    cursor
        .rsplit_once(':')
        .and_then(|(c, p)| Some((c.to_string(), p.parse().ok().filter(|n| *n >= 1)?)))
        .filter(|(c, _)| !c.is_empty())
        .ok_or_else(|| {
            CoreError::Invalid(format!(
                "'{cursor}' is not a Help Scout position (collection:page); restart the import from the beginning"
            ))
        })
}

/// The next position: the next page of this collection, else the first page
/// of the next collection, else the end.
fn next_position(collections: &[String], current: &str, page: u64, pages: u64) -> Option<String> {
    if page < pages {
        return Some(format!("{current}:{}", page + 1));
    }
    let i = collections.iter().position(|c| c == current)?;
    collections.get(i + 1).map(|c| format!("{c}:1"))
}

impl HelpScout {
    pub fn new(cfg: HttpConfig, base_url: &str, api_key: &str) -> Result<Self> {
        let api = ApiBase::new(cfg, base_url, api_key, "Docs API key", Auth::BasicKeyAsUser)?
            .with_header(ACCEPT, "application/json");
        Ok(HelpScout {
            api,
            api_key: api_key.trim().to_string(),
            collections: Mutex::new(None),
        })
    }

    pub fn http(&self) -> &HttpClient {
        self.api.http()
    }

    /// Every collection id, every page of `GET /collections`; cached.
    async fn collection_ids(&self) -> Result<Vec<String>> {
        if let Some(c) = self.collections.lock().expect("collections lock").clone() {
            return Ok(c);
        }
        let mut ids = Vec::new();
        let mut page = 1u64;
        loop {
            let endpoint = format!("GET /collections?page={page}");
            let list: Collections = self
                .http()
                .get_json(&endpoint, |c| {
                    self.api
                        .request(c, reqwest::Method::GET, "/collections")
                        .query(&[("page", page), ("pageSize", u64::from(PAGE_SIZE))])
                })
                .await?;
            ids.extend(list.collections.items.into_iter().map(|c| c.id));
            if page >= list.collections.pages {
                break;
            }
            page += 1;
        }
        *self.collections.lock().expect("collections lock") = Some(ids.clone());
        Ok(ids)
    }
}

#[async_trait]
impl HelpCenter for HelpScout {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Helpscout
    }

    fn api_base(&self) -> &str {
        self.api.base()
    }

    async fn verify(&self) -> Result<String> {
        let sites: Sites = self
            .http()
            .get_json("GET /sites", |c| {
                self.api.request(c, reqwest::Method::GET, "/sites")
            })
            .await?;
        let n = sites.sites.count.unwrap_or(sites.sites.items.len() as u64);
        Ok(format!(
            "Connected to Help Scout Docs ({n} site{})",
            if n == 1 { "" } else { "s" }
        ))
    }

    async fn list_articles(&self, cursor: Option<&str>) -> Result<ArticlePage> {
        let collections = self.collection_ids().await?;
        let (collection, page) = match cursor {
            Some(c) => parse_cursor(c)?,
            None => match collections.first() {
                Some(c) => (c.clone(), 1),
                None => {
                    return Ok(ArticlePage {
                        failed: Vec::new(),
                        articles: Vec::new(),
                        next: None,
                        total: Some(0),
                    })
                }
            },
        };
        let path = format!("/collections/{}/articles", segment(&collection));
        let endpoint = format!("GET {path}?page={page}");
        let list: Articles = self
            .http()
            .get_json(&endpoint, |c| {
                self.api
                    .request(c, reqwest::Method::GET, &path)
                    .query(&[("page", page), ("pageSize", u64::from(PAGE_SIZE))])
            })
            .await?;
        let current = list.articles.page.max(page);
        let next = next_position(&collections, &collection, current, list.articles.pages);
        let (read, failed) = split_entries(list.articles.items, "Help Scout");
        Ok(ArticlePage {
            failed,
            next,
            articles: read
                .into_iter()
                .map(|a| RemoteArticle {
                    html: None,
                    ..a.document()
                })
                .collect(),
            total: None,
        })
    }

    async fn get_article(&self, article: &ArticleRef) -> Result<RemoteArticle> {
        if let Some(l) = &article.locale {
            return Err(CoreError::NotFound {
                what: format!(
                    "the '{l}' version of Help Scout article {} (Docs sites have one language)",
                    article.id
                ),
            });
        }
        let path = format!("/articles/{}", segment(&article.id));
        let endpoint = format!("GET {path}");
        let one: OneArticle = self
            .http()
            .get_json(&endpoint, |c| {
                self.api.request(c, reqwest::Method::GET, &path)
            })
            .await?;
        let mut doc = one.article.document();
        if doc.html.is_none() {
            return Err(self
                .api
                .http()
                .garbage(&endpoint, "the article has no text"));
        }
        doc.article = article.clone();
        Ok(doc)
    }

    async fn update_article_html(&self, article: &ArticleRef, html: &str) -> Result<()> {
        let path = format!("/articles/{}", segment(&article.id));
        let body = json!({ "text": html });
        self.http()
            .send(&format!("PUT {path}"), |c| {
                self.api.request(c, reqwest::Method::PUT, &path).json(&body)
            })
            .await?;
        Ok(())
    }

    fn supports_upload(&self) -> bool {
        true
    }

    async fn upload_image(
        &self,
        article: &ArticleRef,
        file_name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<UploadedImage> {
        let bytes = bytes::Bytes::from(bytes);
        let path = "/assets/article";
        let endpoint = format!("POST {path}");
        let form = || {
            let fresh = || {
                reqwest::multipart::Part::stream_with_length(
                    reqwest::Body::from(bytes.clone()),
                    bytes.len() as u64,
                )
                .file_name(file_name.to_string())
            };
            let part = fresh().mime_str(content_type).unwrap_or_else(|_| fresh());
            // Help Scout Docs API, Create Article Asset: `key` ("An API key
            // used to authenticate this request"), `articleId` and
            // `assetType` are all required, beside basic auth.
            reqwest::multipart::Form::new()
                .text("key", self.api_key.clone())
                .text("articleId", article.id.clone())
                .text("assetType", "image")
                .part("file", part)
        };
        let asset: Asset = self
            .http()
            .get_json(&endpoint, |c| {
                self.api
                    .request(c, reqwest::Method::POST, path)
                    .multipart(form())
            })
            .await?;
        Ok(UploadedImage {
            url: asset.filelink,
        })
    }
}

/// Help Scout, as the registry lists it (see [`ProviderDef`]).
pub const DEF: ProviderDef = ProviderDef {
    kind: ProviderKind::Helpscout,
    spec,
    api_path: "/v1",
    sites: kit::Sites::ApiElsewhere("helpscoutdocs.com"),
    documented_burst: None,
    connect,
};

fn connect(c: Connect<'_>) -> Result<Box<dyn HelpCenter>> {
    Ok(Box::new(HelpScout::new(c.http, &c.base, c.secret)?))
}

/// Labels and help follow the provider's own settings pages.
fn spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::Helpscout,
        display_name: "Help Scout",
        fields: Vec::new(),
        secret_label: "Docs API key",
        secret_help: "Your profile > Authentication > API Keys in Help Scout",
        default_base_url: "https://docsapi.helpscout.net/v1",
        requests_per_minute: REQUESTS_PER_MINUTE,
        has_image_upload: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_odd_listed_article_fails_alone() {
        // Help Scout Docs API "List Articles": items of id, name, status...;
        // one entry whose name is not text must not make the page unreadable.
        let page: Articles = serde_json::from_value(serde_json::json!({
            "articles": {"page": 1, "pages": 1, "count": 2, "items": [
                {"id": "a1", "name": "Setup", "status": "published"},
                {"id": "a2", "name": {"en": "Odd"}, "status": "published"}
            ]}
        }))
        .expect("the page decodes");
        let (read, failed) = split_entries(page.articles.items, "Help Scout");
        assert_eq!(read.len(), 1);
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].article.id, "a2");
        assert!(!failed[0].reason.is_empty());
    }

    #[test]
    fn cursors() {
        assert_eq!(parse_cursor("abc:3").unwrap(), ("abc".to_string(), 3));
        assert!(parse_cursor("abc").is_err());
        assert!(parse_cursor(":1").is_err());
        assert!(parse_cursor("abc:0").is_err());
    }

    #[test]
    fn positions_walk_collections_then_pages() {
        let c = vec!["a".to_string(), "b".to_string()];
        assert_eq!(next_position(&c, "a", 1, 2), Some("a:2".into()));
        assert_eq!(next_position(&c, "a", 2, 2), Some("b:1".into()));
        assert_eq!(next_position(&c, "b", 1, 1), None);
        assert_eq!(next_position(&c, "b", 1, 0), None);
    }
}
