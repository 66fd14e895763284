//! Helpjuice, following "Helpjuice API v3", Helpjuice's API documentation.
//!
//! - Base `https://{account}.helpjuice.com/api/v3`; the API key goes in the
//!   `Authorization` header as is (no scheme), never in the query string,
//!   so it cannot end up in a logged URL.
//! - List `GET /articles?page=N&limit=1000` (1000 is the documented
//!   maximum); `meta.total_pages` ends the listing. Each listed article
//!   already carries its HTML in `answer[0].body`.
//! - Get `GET /articles/:id`, update `PUT /articles/:id`
//!   `{"article":{"body":...}}`, verify `GET /settings/account`.
//! - 403 means "no API key" here, so it stays `BadCredentials`.
//! - No image upload: images go to S3/R2. 100 requests per minute.
//!
//! Every article is one document (`locale: None`): the API has no
//! per-language write, so translations are not addressed separately.

use async_trait::async_trait;
use reqwest::header::AUTHORIZATION;
use serde::Deserialize;
use serde_json::{json, Value};

use super::fields::{field, rate_field, FieldCheck};
use super::kit::{Connect, ProviderDef, Sites};
use super::ProviderSpec;
use super::{split_entries, ArticlePage, ArticleRef, Entry, HelpCenter, RemoteArticle};
use crate::error::{CoreError, Result};
use crate::http::json::{id_string, person_name};
use crate::http::{page_number, segment, ApiBase, Auth, HttpClient, HttpConfig};
use crate::model::ProviderKind;

/// Documented maximum page size.
pub const PAGE_SIZE: u32 = 1000;
/// Documented request budget.
pub const REQUESTS_PER_MINUTE: u32 = 100;

pub struct Helpjuice {
    api: ApiBase,
}

#[derive(Deserialize)]
struct ArticleList {
    /// Decoded one by one: an odd article fails alone.
    articles: Vec<Entry<Article>>,
    /// Helpjuice API v3's list example omits `meta`; then a full page means "maybe more".
    #[serde(default)]
    meta: Option<Meta>,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(default)]
    total_pages: Option<u64>,
    #[serde(default)]
    total_count: Option<u64>,
}

#[derive(Deserialize)]
struct OneArticle {
    article: Article,
}

#[derive(Deserialize)]
struct Article {
    #[serde(deserialize_with = "id_string")]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    published: bool,
    #[serde(default)]
    answer: Vec<Answer>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default, alias = "created_by", deserialize_with = "person_name")]
    author: Option<String>,
    #[serde(default)]
    keywords: Vec<Value>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    body: Option<String>,
}

#[derive(Deserialize)]
struct AccountSettings {
    account: Account,
}

#[derive(Deserialize)]
struct Account {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    subdomain: Option<String>,
}

impl Helpjuice {
    /// `base_url` is the API base (`https://acme.helpjuice.com/api/v3`).
    pub fn new(cfg: HttpConfig, base_url: &str, api_key: &str) -> Result<Self> {
        let auth = Auth::Header(AUTHORIZATION);
        Ok(Helpjuice {
            api: ApiBase::new(cfg, base_url, api_key, "API key", auth)?,
        })
    }

    /// The integration's shared client (limiter included).
    pub fn http(&self) -> &HttpClient {
        self.api.http()
    }

    fn article_path(article: &ArticleRef) -> Result<String> {
        if let Some(locale) = &article.locale {
            return Err(CoreError::Invalid(format!(
                "Helpjuice articles have no separately addressable '{locale}' document; use the article id {} alone",
                article.id
            )));
        }
        Ok(format!("/articles/{}", segment(&article.id)))
    }
}

/// The next page, from `meta.total_pages` when present, else from whether
/// this page was full.
fn next_page(page: u64, list: &ArticleList) -> Option<String> {
    let more = match list.meta.as_ref().and_then(|m| m.total_pages) {
        Some(total) => page < total,
        None => list.articles.len() as u64 >= u64::from(PAGE_SIZE),
    };
    more.then(|| (page + 1).to_string())
}

impl Article {
    fn into_remote(self) -> RemoteArticle {
        let html = self
            .answer
            .into_iter()
            .next()
            .map(|a| a.body.unwrap_or_default());
        RemoteArticle {
            article: ArticleRef::new(self.id),
            title: self.name,
            url: self.url.unwrap_or_default(),
            html,
            is_published: self.published,
            author: self.author,
            tags: keyword_names(&self.keywords),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

fn keyword_names(keywords: &[Value]) -> Vec<String> {
    keywords
        .iter()
        .filter_map(|k| k.get("name").and_then(Value::as_str).or(k.as_str()))
        .map(str::to_string)
        .collect()
}

#[async_trait]
impl HelpCenter for Helpjuice {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Helpjuice
    }

    fn api_base(&self) -> &str {
        self.api.base()
    }

    async fn verify(&self) -> Result<String> {
        let endpoint = "GET /settings/account";
        let settings: AccountSettings = self
            .http()
            .get_json(endpoint, |c| {
                self.api
                    .request(c, reqwest::Method::GET, "/settings/account")
            })
            .await?;
        let name = settings.account.name.or(settings.account.subdomain);
        Ok(match name {
            Some(n) => format!("Connected to the Helpjuice account \u{201c}{n}\u{201d}"),
            None => "Connected to Helpjuice".to_string(),
        })
    }

    async fn list_articles(&self, cursor: Option<&str>) -> Result<ArticlePage> {
        let page = page_number(cursor, "Helpjuice")?;
        let endpoint = format!("GET /articles?page={page}");
        let list: ArticleList = self
            .http()
            .get_json(&endpoint, |c| {
                self.api
                    .request(c, reqwest::Method::GET, "/articles")
                    .query(&[("page", page), ("limit", u64::from(PAGE_SIZE))])
            })
            .await?;
        let next = next_page(page, &list);
        let total = list.meta.as_ref().and_then(|m| m.total_count);
        let (articles, failed) = split_entries(list.articles, "Helpjuice");
        Ok(ArticlePage {
            failed,
            articles: articles.into_iter().map(Article::into_remote).collect(),
            next,
            total,
        })
    }

    async fn get_article(&self, article: &ArticleRef) -> Result<RemoteArticle> {
        let path = Self::article_path(article)?;
        let endpoint = format!("GET {path}");
        let one: OneArticle = self
            .http()
            .get_json(&endpoint, |c| {
                self.api.request(c, reqwest::Method::GET, &path)
            })
            .await?;
        let remote = one.article.into_remote();
        if remote.html.is_none() {
            return Err(self
                .http()
                .garbage(&endpoint, "the article has no answer[0].body"));
        }
        Ok(remote)
    }

    async fn update_article_html(&self, article: &ArticleRef, html: &str) -> Result<()> {
        let path = Self::article_path(article)?;
        let body = json!({ "article": { "body": html } });
        self.http()
            .send(&format!("PUT {path}"), |c| {
                self.api.request(c, reqwest::Method::PUT, &path).json(&body)
            })
            .await?;
        Ok(())
    }
}

/// Helpjuice, as the registry lists it (see [`ProviderDef`]).
pub const DEF: ProviderDef = ProviderDef {
    kind: ProviderKind::Helpjuice,
    spec,
    api_path: "/api/v3",
    sites: Sites::SameHost("helpjuice.com"),
    documented_burst: None,
    connect,
};

fn connect(c: Connect<'_>) -> Result<Box<dyn HelpCenter>> {
    Ok(Box::new(Helpjuice::new(c.http, &c.base, c.secret)?))
}

/// Labels and help follow the provider's own settings pages.
fn spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::Helpjuice,
        display_name: "Helpjuice",
        fields: vec![
            field("account", "Account", "Your account name, the part before .helpjuice.com in your knowledge base address", true, "yourcompany").checked(FieldCheck::HostLabel),
            rate_field("Leave empty for Helpjuice's documented 100 per minute; 0 turns the limiter off"),
        ],
        secret_label: "API key",
        secret_help: "Settings > API Credentials in Helpjuice; \"Require token for API?\" must be enabled there",
        default_base_url: "https://{account}.helpjuice.com/api/v3",
        requests_per_minute: REQUESTS_PER_MINUTE,
        has_image_upload: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(n: usize, total_pages: Option<u64>) -> ArticleList {
        let articles = (0..n)
            .map(|i| json!({"id": i, "name": "a", "answer": [{"body": "<p/>"}]}))
            .collect::<Vec<_>>();
        let mut v = json!({ "articles": articles });
        if let Some(t) = total_pages {
            v["meta"] = json!({"current": 1, "limit": 1000, "total_pages": t, "total_count": 5});
        }
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn pagination_follows_meta_or_fullness() {
        assert_eq!(next_page(1, &list(3, Some(2))), Some("2".into()));
        assert_eq!(next_page(2, &list(3, Some(2))), None);
        assert_eq!(next_page(1, &list(3, None)), None);
        assert_eq!(
            next_page(1, &list(PAGE_SIZE as usize, None)),
            Some("2".into())
        );
    }

    #[test]
    fn article_shape_from_the_seed() {
        let a: OneArticle = serde_json::from_value(json!({"article": {
            "id": 1, "name": "New Article", "published": false, "codename": "new-article",
            "answer": [{"body": "<p>New Article</p>", "format": "html"}],
            "keywords": [{"id": 1, "name": "keyword"}], "url": "https://x/1"
        }}))
        .unwrap();
        let r = a.article.into_remote();
        assert_eq!(r.article, ArticleRef::new("1"));
        assert_eq!(r.html.as_deref(), Some("<p>New Article</p>"));
        assert_eq!(r.tags, vec!["keyword".to_string()]);
        assert!(!r.is_published);
    }
}
