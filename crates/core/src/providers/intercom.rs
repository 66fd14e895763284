//! Intercom Articles, following developers.intercom.com:
//! - docs/build-an-integration/learn-more/authentication/ — the access
//!   token as `Authorization: Bearer`;
//! - docs/build-an-integration/learn-more/rest-apis/api-versioning/ — the
//!   `Intercom-Version` header ([`API_VERSION`]);
//! - docs/build-an-integration/learn-more/rest-apis/regional-hosting/ and
//!   the Articles reference servers — `api.intercom.io` (US),
//!   `api.eu.intercom.io`, `api.au.intercom.io`;
//! - docs/references/rest-api/api.intercom.io/articles/ — list `GET
//!   /articles?page=&per_page=` (`pages.total_pages`, `total_count`,
//!   `data`), retrieve `GET /articles/{id}`, update `PUT /articles/{id}`
//!   with `body` (default language) or `translated_content.{locale}.body`;
//!   `state` `published`/`draft`; timestamps in Unix seconds;
//! - docs/references/rest-api/api.intercom.io/admins/ — verify with `GET /me`;
//! - rate limiting: 429 with `X-RateLimit-Limit`, `X-RateLimit-Remaining`,
//!   `X-RateLimit-Reset` (Unix seconds), which the shared retry layer waits
//!   out.
//!
//! Documents: the default language (`default_locale`) is `locale: None`;
//! every other entry of `translated_content` is its own document. No image
//! upload: images go to S3/R2.

use std::collections::BTreeMap;

use async_trait::async_trait;
use reqwest::header::{HeaderName, ACCEPT};
use serde::Deserialize;
use serde_json::{json, Value};

use super::fields::field;
use super::kit::{Connect, ProviderDef, Sites};
use super::ProviderSpec;
use super::{split_entries, ArticlePage, ArticleRef, Entry, HelpCenter, RemoteArticle};
use crate::error::{CoreError, Result};
use crate::http::json::id_string;
use crate::http::{page_number, segment, ApiBase, Auth, HttpClient, HttpConfig};
use crate::model::ProviderKind;

/// The API version every request asks for.
pub const API_VERSION: &str = "2.11";
/// The page size the client asks for (the simulator's and, as far as
/// documented, Intercom's maximum for articles).
pub const PAGE_SIZE: u32 = 250;
/// Default private-app budget used by the limiter.
pub const REQUESTS_PER_MINUTE: u32 = 1000;

/// The API host of a workspace region (`us`, `eu`, `au`; empty is `us`).
pub fn region_base(region: &str) -> Result<&'static str> {
    match region.trim().to_ascii_lowercase().as_str() {
        "" | "us" => Ok("https://api.intercom.io"),
        "eu" => Ok("https://api.eu.intercom.io"),
        "au" => Ok("https://api.au.intercom.io"),
        other => Err(CoreError::InvalidSetting {
            provider: "Intercom".into(),
            key: "region".into(),
            label: "Region".into(),
            problem: format!("'{other}' is not one of us, eu, au"),
            example: "us".into(),
        }),
    }
}

pub struct Intercom {
    api: ApiBase,
}

#[derive(Deserialize)]
struct Me {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    app: Option<App>,
}

#[derive(Deserialize)]
struct App {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct ArticleList {
    /// Decoded one by one: an odd article fails alone.
    data: Vec<Entry<Article>>,
    #[serde(default)]
    pages: Option<Pages>,
    #[serde(default)]
    total_count: Option<u64>,
}

#[derive(Deserialize)]
struct Pages {
    #[serde(default)]
    total_pages: Option<u64>,
}

#[derive(Deserialize)]
struct Article {
    #[serde(deserialize_with = "id_string")]
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    created_at: Option<i64>,
    #[serde(default)]
    updated_at: Option<i64>,
    #[serde(default)]
    default_locale: Option<String>,
    #[serde(default)]
    translated_content: Option<BTreeMap<String, Value>>,
}

#[derive(Deserialize)]
struct Content {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    created_at: Option<i64>,
    #[serde(default)]
    updated_at: Option<i64>,
}

fn rfc3339(t: Option<i64>) -> Option<String> {
    chrono::DateTime::from_timestamp(t?, 0).map(|d| d.to_rfc3339())
}

impl Article {
    fn default_doc(&self) -> RemoteArticle {
        RemoteArticle {
            article: ArticleRef::new(self.id.clone()),
            title: self.title.clone(),
            url: self.url.clone().unwrap_or_default(),
            html: Some(self.body.clone().unwrap_or_default()),
            is_published: self.state.as_deref() == Some("published"),
            author: None,
            tags: Vec::new(),
            created_at: rfc3339(self.created_at),
            updated_at: rfc3339(self.updated_at),
        }
    }

    /// The translations other than the default language, by locale.
    fn translations(&self) -> Vec<(String, Content)> {
        let default = self.default_locale.as_deref().unwrap_or("en");
        let Some(t) = &self.translated_content else {
            return Vec::new();
        };
        t.iter()
            .filter(|(k, v)| k.as_str() != "type" && k.as_str() != default && v.is_object())
            .filter_map(|(k, v)| Some((k.clone(), serde_json::from_value(v.clone()).ok()?)))
            .collect()
    }

    fn into_docs(self) -> Vec<RemoteArticle> {
        let mut out = vec![self.default_doc()];
        for (locale, c) in self.translations() {
            out.push(c.into_remote(&self.id, locale));
        }
        out
    }
}

impl Content {
    fn into_remote(self, id: &str, locale: String) -> RemoteArticle {
        RemoteArticle {
            article: ArticleRef::with_locale(id, Some(locale)),
            title: self.title,
            url: self.url.unwrap_or_default(),
            html: Some(self.body.unwrap_or_default()),
            is_published: self.state.as_deref() == Some("published"),
            author: None,
            tags: Vec::new(),
            created_at: rfc3339(self.created_at),
            updated_at: rfc3339(self.updated_at),
        }
    }
}

impl Intercom {
    /// `base_url` is the regional API host (see [`region_base`]).
    pub fn new(cfg: HttpConfig, base_url: &str, token: &str) -> Result<Self> {
        let api = ApiBase::new(cfg, base_url, token, "access token", Auth::Bearer)?
            .with_header(HeaderName::from_static("intercom-version"), API_VERSION)
            .with_header(ACCEPT, "application/json");
        Ok(Intercom { api })
    }

    pub fn http(&self) -> &HttpClient {
        self.api.http()
    }

    async fn article(&self, id: &str) -> Result<Article> {
        let path = format!("/articles/{}", segment(id));
        self.http()
            .get_json(&format!("GET {path}"), |c| {
                self.api.request(c, reqwest::Method::GET, &path)
            })
            .await
    }
}

#[async_trait]
impl HelpCenter for Intercom {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Intercom
    }

    fn api_base(&self) -> &str {
        self.api.base()
    }

    async fn verify(&self) -> Result<String> {
        let me: Me = self
            .http()
            .get_json("GET /me", |c| {
                self.api.request(c, reqwest::Method::GET, "/me")
            })
            .await?;
        let app = me.app.and_then(|a| a.name);
        let who = me.name.or(me.email).unwrap_or_default();
        Ok(match app {
            Some(a) => format!("Connected to the Intercom workspace \u{201c}{a}\u{201d} as {who}"),
            None => format!("Connected to Intercom as {who}"),
        })
    }

    async fn list_articles(&self, cursor: Option<&str>) -> Result<ArticlePage> {
        let page = page_number(cursor, "Intercom")?;
        let endpoint = format!("GET /articles?page={page}");
        let list: ArticleList = self
            .http()
            .get_json(&endpoint, |c| {
                self.api
                    .request(c, reqwest::Method::GET, "/articles")
                    .query(&[("page", page), ("per_page", u64::from(PAGE_SIZE))])
            })
            .await?;
        let more = match list.pages.as_ref().and_then(|p| p.total_pages) {
            Some(total) => page < total,
            None => list.data.len() as u64 >= u64::from(PAGE_SIZE),
        };
        let (articles, failed) = split_entries(list.data, "Intercom");
        Ok(ArticlePage {
            failed,
            articles: articles.into_iter().flat_map(Article::into_docs).collect(),
            next: more.then(|| (page + 1).to_string()),
            total: list.total_count,
        })
    }

    async fn get_article(&self, article: &ArticleRef) -> Result<RemoteArticle> {
        let a = self.article(&article.id).await?;
        let Some(locale) = &article.locale else {
            return Ok(a.default_doc());
        };
        let id = a.id.clone();
        a.translations()
            .into_iter()
            .find(|(l, _)| l == locale)
            .map(|(l, c)| c.into_remote(&id, l))
            .ok_or_else(|| CoreError::NotFound {
                what: format!("the {locale} translation of Intercom article {id}"),
            })
    }

    async fn update_article_html(&self, article: &ArticleRef, html: &str) -> Result<()> {
        let path = format!("/articles/{}", segment(&article.id));
        let body = match &article.locale {
            None => json!({ "body": html }),
            Some(l) => json!({ "translated_content": { l.as_str(): { "body": html } } }),
        };
        self.http()
            .send(&format!("PUT {path}"), |c| {
                self.api.request(c, reqwest::Method::PUT, &path).json(&body)
            })
            .await?;
        Ok(())
    }
}

/// Intercom, as the registry lists it (see [`ProviderDef`]).
pub const DEF: ProviderDef = ProviderDef {
    kind: ProviderKind::Intercom,
    spec,
    api_path: "",
    sites: Sites::ApiOnly,
    documented_burst: None,
    connect,
};

fn connect(c: Connect<'_>) -> Result<Box<dyn HelpCenter>> {
    // A base URL of the integration's own wins over the data region.
    let base = match c.base_overridden {
        true => c.base.clone(),
        false => region_base(c.setting("region"))?.to_string(),
    };
    Ok(Box::new(Intercom::new(c.http, &base, c.secret)?))
}

/// Labels and help follow the provider's own settings pages.
fn spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::Intercom,
        display_name: "Intercom",
        fields: vec![field(
            "region",
            "Data region",
            "us, eu or au: where your Intercom workspace is hosted",
            false,
            "us",
        )],
        secret_label: "Access token",
        secret_help: "Developer Hub > your app > Authentication in Intercom",
        default_base_url: "https://api.intercom.io",
        requests_per_minute: REQUESTS_PER_MINUTE,
        has_image_upload: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_select_the_host() {
        assert_eq!(region_base("").unwrap(), "https://api.intercom.io");
        assert_eq!(region_base("EU").unwrap(), "https://api.eu.intercom.io");
        assert_eq!(region_base("au").unwrap(), "https://api.au.intercom.io");
        assert!(region_base("mars").is_err());
    }

    #[test]
    fn translated_content_becomes_documents() {
        let a: Article = serde_json::from_value(json!({
            "id": "7", "title": "T", "body": "<p>en</p>", "state": "published",
            "default_locale": "en", "created_at": 1672928359, "url": "https://x/en/7",
            "translated_content": {
                "type": "article_translated_content",
                "en": {"type": "article_content", "title": "T", "body": "<p>en</p>", "state": "published"},
                "de": {"type": "article_content", "title": "D", "body": "<p>de</p>", "state": "draft", "url": "https://x/de/7"}
            }
        }))
        .unwrap();
        let docs = a.into_docs();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].article, ArticleRef::new("7"));
        assert!(docs[0].is_published);
        assert_eq!(
            docs[0].created_at.as_deref(),
            Some("2023-01-05T14:19:19+00:00")
        );
        assert_eq!(
            docs[1].article,
            ArticleRef::with_locale("7", Some("de".into()))
        );
        assert_eq!(docs[1].html.as_deref(), Some("<p>de</p>"));
        assert!(!docs[1].is_published);
    }
}
