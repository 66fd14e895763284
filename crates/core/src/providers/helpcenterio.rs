//! HelpCenter.io, following "Using the HelpCenter.io API (API
//! Specification)", HelpCenter.io's API documentation.
//!
//! - Base `https://api.helpcenter.io/v1`; header `apikey: TOKEN` (the seed
//!   is explicit: not `Authorization: Bearer`, not `X-API-Key`).
//! - List `GET /articles?page=N&limit=100` (100 is the cap), envelope
//!   `{"status":"success","articles":[...],"meta":{page,per_page,total_pages,items_count}}`;
//!   the listing stops when `page >= total_pages`.
//! - `title`, `slug` and `content` are objects keyed by language code.
//!   **Every language with content is its own document** ("the article only
//!   appears on the languages where it has content": a language with a title
//!   but no content is no document), and its `ArticleRef.locale` is always
//!   `Some(lang)` (the default language too): the API has no notion of a
//!   "default document" we could address with `None`, and a write must name
//!   the language key anyway. `None` reads as English when the article has
//!   English content, else its first language with content.
//! - An entry of a listing page that cannot be read is reported as
//!   unreadable (counted failed); the rest of the page is kept.
//! - Update `PATCH /articles/{id}` with `{"content":{"<lang>": html}}` only:
//!   languages not sent are kept, and `published` is never sent (sending
//!   `false` would unpublish).
//! - There is no single-article GET: "This is the full v1 surface today:
//!   list and create articles, update articles, list and update
//!   categories." An article's current content is read from the listing,
//!   page by page until the article is found.
//! - 429: "you get a 429 Too Many Requests response and should wait a minute
//!   before retrying" / "Wait at least one minute and retry"; no header says
//!   how long, so a bare 429 waits [`RATE_LIMIT_WAIT`].
//! - 401 = missing or unknown key; 403 = a write with a Read Only key, which
//!   becomes `Forbidden` naming the read-only key. 60 requests per minute.
//! - Verify `GET /categories?limit=1`. No image upload: images go to S3/R2.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use reqwest::header::HeaderName;
use serde::Deserialize;
use serde_json::{json, Value};

use super::fields::rate_field;
use super::kit::{Connect, ProviderDef, Sites};
use super::ProviderSpec;
use super::{ArticlePage, ArticleRef, HelpCenter, RemoteArticle, UnreadableArticle};
use crate::error::{CoreError, Result};
use crate::http::json::{id_string, person_name};
use crate::http::{
    page_number, segment, ApiBase, Auth, ErrorHook, ErrorResponse, HttpClient, HttpConfig,
};
use crate::model::ProviderKind;

/// Documented maximum (and default) page size.
pub const PAGE_SIZE: u32 = 100;
/// Documented request budget per token.
pub const REQUESTS_PER_MINUTE: u32 = 60;
/// HelpCenter.io API v1, "Errors and troubleshooting": "429 Too Many
/// Requests means you have crossed the 60 requests per minute limit on this
/// token. Wait at least one minute and retry."
pub const RATE_LIMIT_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

pub struct HelpCenterIo {
    api: ApiBase,
}

/// A listing page; entries are decoded one by one so that one odd article
/// cannot make the page unreadable.
#[derive(Deserialize)]
struct ArticleList {
    articles: Vec<Value>,
    meta: Meta,
}

/// The listed articles that could be read, and those that could not.
fn decode_articles(entries: Vec<Value>) -> (Vec<Article>, Vec<UnreadableArticle>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for entry in entries {
        match Article::deserialize(&entry) {
            Ok(a) => ok.push(a),
            Err(e) => bad.push(UnreadableArticle::from_listing(&entry, "HelpCenter.io", e)),
        }
    }
    (ok, bad)
}

#[derive(Deserialize)]
struct Meta {
    #[serde(default)]
    total_pages: u64,
    #[serde(default)]
    items_count: Option<u64>,
}

#[derive(Deserialize)]
struct Article {
    #[serde(deserialize_with = "id_string")]
    id: String,
    #[serde(default)]
    title: Localized,
    #[serde(default)]
    content: Localized,
    /// A URL per language, or one URL; absent in the seed.
    #[serde(default)]
    url: Option<Value>,
    #[serde(default)]
    published: Option<Value>,
    #[serde(default, deserialize_with = "person_name")]
    author: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
}

/// A field stored per language: `{"en": "...", "de": "..."}`. A JSON `null`
/// or an empty list (how an empty map may be serialised) counts as empty.
#[derive(Default)]
struct Localized(BTreeMap<String, String>);

impl<'de> Deserialize<'de> for Localized {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = match Value::deserialize(d)? {
            Value::Object(m) => m
                .into_iter()
                .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string()))
                .collect(),
            Value::Null => BTreeMap::new(),
            Value::Array(a) if a.is_empty() => BTreeMap::new(),
            _ => {
                return Err(serde::de::Error::custom(
                    "expected an object keyed by language code",
                ))
            }
        };
        Ok(Localized(map))
    }
}

#[derive(Deserialize)]
struct CategoryList {
    #[serde(default)]
    meta: Option<Meta>,
}

impl HelpCenterIo {
    /// `cfg.rate_limit_wait` left `None` becomes the documented minute.
    pub fn new(mut cfg: HttpConfig, base_url: &str, api_key: &str) -> Result<Self> {
        cfg.on_error = Some(error_hook());
        cfg.rate_limit_wait.get_or_insert(RATE_LIMIT_WAIT);
        let auth = Auth::Header(HeaderName::from_static("apikey"));
        Ok(HelpCenterIo {
            api: ApiBase::new(cfg, base_url, api_key, "API key", auth)?,
        })
    }

    /// The integration's shared client (limiter included).
    pub fn http(&self) -> &HttpClient {
        self.api.http()
    }

    /// One listing page: the endpoint named in errors, and the page.
    async fn page(&self, page: u64) -> Result<(String, ArticleList)> {
        let endpoint = format!("GET /articles?page={page}");
        let list: ArticleList = self
            .http()
            .get_json(&endpoint, |c| {
                self.api
                    .request(c, reqwest::Method::GET, "/articles")
                    .query(&[("page", page), ("limit", u64::from(PAGE_SIZE))])
            })
            .await?;
        Ok((endpoint, list))
    }

    /// The current state of one article. API v1 has no single-article GET,
    /// so the listing is read page by page until the article is found.
    async fn fetch(&self, id: &str) -> Result<(String, Article)> {
        let mut page = 1;
        // Bounded: a listing that never ends is garbage, not a loop.
        for _ in 0..100_000 {
            let (endpoint, list) = self.page(page).await?;
            for entry in list.articles {
                if entry.get("id").map(id_of).as_deref() != Some(id) {
                    continue;
                }
                return match Article::deserialize(&entry) {
                    Ok(a) => Ok((endpoint, a)),
                    Err(e) => Err(self
                        .http()
                        .garbage(&endpoint, format!("article {id} cannot be read ({e})"))),
                };
            }
            match next_page(page, &list.meta) {
                Some(_) => page += 1,
                None => break,
            }
        }
        Err(CoreError::NotFound {
            what: format!("HelpCenter.io article {id} (it is not in the article listing)"),
        })
    }
}

/// A 403 from HelpCenter.io means a Read Only key tried to write.
fn error_hook() -> ErrorHook {
    Arc::new(|r: &ErrorResponse<'_>| {
        (r.status == 403).then(|| CoreError::Forbidden {
            provider: r.provider.to_string(),
            endpoint: r.endpoint.to_string(),
            detail: format!(
                "the API key is a Read Only key{}. Generate a Read & Write key in HelpCenter.io under Settings > API Keys and update the integration with it",
                if r.detail.is_empty() { String::new() } else { format!(" ({})", r.detail) }
            ),
        })
    })
}

/// An article id as the listing gives it (a number or a string).
fn id_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The documented loop: stop when `page >= total_pages`.
fn next_page(page: u64, meta: &Meta) -> Option<String> {
    (page < meta.total_pages).then(|| (page + 1).to_string())
}

/// The language of a `None` locale: English when the article has content
/// in it (the documentation's examples put `en` first), otherwise the first
/// language it has content in.
fn default_language(article: &Article) -> Option<String> {
    let langs = languages(article);
    langs
        .iter()
        .find(|l| l.as_str() == "en")
        .or(langs.first())
        .cloned()
}

/// Every language the article has content in, sorted. "Anything not
/// translated stays untranslated and the article only appears on the
/// languages where it has content" (HelpCenter.io API v1): a title alone
/// makes no document.
fn languages(article: &Article) -> Vec<String> {
    article
        .content
        .0
        .iter()
        .filter(|(_, html)| !html.trim().is_empty())
        .map(|(lang, _)| lang.clone())
        .collect()
}

/// `true`, `1`, `"1"`, `"published"` all mean published.
fn is_published(v: &Option<Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        Some(Value::String(s)) => matches!(s.as_str(), "1" | "true" | "published"),
        _ => false,
    }
}

fn url_for(url: &Option<Value>, lang: &str) -> String {
    match url {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(m)) => m
            .get(lang)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        _ => String::new(),
    }
}

impl Article {
    fn document(&self, lang: &str) -> RemoteArticle {
        let title = self
            .title
            .0
            .get(lang)
            .or_else(|| self.title.0.values().next());
        RemoteArticle {
            article: ArticleRef::with_locale(self.id.clone(), Some(lang.to_string())),
            title: title.cloned().unwrap_or_default(),
            url: url_for(&self.url, lang),
            html: Some(self.content.0.get(lang).cloned().unwrap_or_default()),
            is_published: is_published(&self.published),
            author: self.author.clone(),
            tags: Vec::new(),
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
        }
    }

    fn documents(&self) -> Vec<RemoteArticle> {
        languages(self).iter().map(|l| self.document(l)).collect()
    }
}

#[async_trait]
impl HelpCenter for HelpCenterIo {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Helpcenterio
    }

    fn api_base(&self) -> &str {
        self.api.base()
    }

    async fn verify(&self) -> Result<String> {
        let list: CategoryList = self
            .http()
            .get_json("GET /categories", |c| {
                self.api
                    .request(c, reqwest::Method::GET, "/categories")
                    .query(&[("limit", 1)])
            })
            .await?;
        let count = list.meta.and_then(|m| m.items_count);
        Ok(format!(
            "Connected to HelpCenter.io{}. Updating articles needs a Read & Write key",
            count
                .map(|n| format!(" ({n} categories)"))
                .unwrap_or_default()
        ))
    }

    async fn list_articles(&self, cursor: Option<&str>) -> Result<ArticlePage> {
        let page = page_number(cursor, "HelpCenter.io")?;
        let (_, list) = self.page(page).await?;
        let next = next_page(page, &list.meta);
        let (articles, failed) = decode_articles(list.articles);
        Ok(ArticlePage {
            articles: articles.iter().flat_map(Article::documents).collect(),
            next,
            total: list.meta.items_count,
            failed,
        })
    }

    async fn get_article(&self, article: &ArticleRef) -> Result<RemoteArticle> {
        let (_, remote) = self.fetch(&article.id).await?;
        let lang = match &article.locale {
            Some(l) => l.clone(),
            None => default_language(&remote).unwrap_or_else(|| "en".into()),
        };
        if !languages(&remote).contains(&lang) {
            return Err(CoreError::NotFound {
                what: format!(
                    "the '{lang}' version of HelpCenter.io article {}",
                    article.id
                ),
            });
        }
        Ok(remote.document(&lang))
    }

    async fn update_article_html(&self, article: &ArticleRef, html: &str) -> Result<()> {
        let lang = match &article.locale {
            Some(l) => l.clone(),
            None => {
                let (endpoint, remote) = self.fetch(&article.id).await?;
                default_language(&remote).ok_or_else(|| {
                    self.api
                        .http()
                        .garbage(&endpoint, "the article has no language")
                })?
            }
        };
        let path = format!("/articles/{}", segment(&article.id));
        let body = json!({ "content": { lang: html } });
        self.http()
            .send(&format!("PATCH {path}"), |c| {
                self.api
                    .request(c, reqwest::Method::PATCH, &path)
                    .json(&body)
            })
            .await?;
        Ok(())
    }
}

/// HelpCenter.io, as the registry lists it (see [`ProviderDef`]).
pub const DEF: ProviderDef = ProviderDef {
    kind: ProviderKind::Helpcenterio,
    spec,
    api_path: "/v1",
    sites: Sites::ApiElsewhere("helpcenter.io"),
    documented_burst: None,
    connect,
};

fn connect(c: Connect<'_>) -> Result<Box<dyn HelpCenter>> {
    Ok(Box::new(HelpCenterIo::new(c.http, &c.base, c.secret)?))
}

/// Labels and help follow the provider's own settings pages.
fn spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::Helpcenterio,
        display_name: "HelpCenter.io",
        fields: vec![rate_field(
            "Leave empty for HelpCenter.io's documented 60 per minute per token; 0 turns the limiter off",
        )],
        secret_label: "API key",
        secret_help: "Settings > API Keys in your HelpCenter.io dashboard. A Read Only key can import; updating articles needs a Read & Write key",
        default_base_url: "https://api.helpcenter.io/v1",
        requests_per_minute: REQUESTS_PER_MINUTE,
        has_image_upload: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(v: Value) -> Article {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn one_document_per_language() {
        let a = article(json!({
            "id": 7, "title": {"en": "Start", "de": "Anfang"},
            "content": {"en": "<p>en</p>", "de": "<p>de</p>"},
            "published": true, "author": {"name": "Ivan"}
        }));
        let docs = a.documents();
        assert_eq!(docs.len(), 2);
        assert_eq!(
            docs[0].article,
            ArticleRef::with_locale("7", Some("de".into()))
        );
        assert_eq!(docs[0].title, "Anfang");
        assert_eq!(docs[1].html.as_deref(), Some("<p>en</p>"));
        assert_eq!(docs[1].author.as_deref(), Some("Ivan"));
        assert!(docs[1].is_published);
        assert_eq!(default_language(&a).as_deref(), Some("en"));
    }

    #[test]
    fn empty_maps_and_odd_published() {
        let a = article(json!({"id": "x", "title": [], "content": null, "published": 0}));
        assert!(a.documents().is_empty());
        assert!(!is_published(&a.published));
        assert!(is_published(&Some(json!(1))));
    }

    #[test]
    fn only_languages_with_content_are_documents() {
        // A German title without German content is no German document.
        let a = article(json!({
            "id": 1, "title": {"en": "Start", "de": "Anfang"},
            "content": {"en": "<p>en</p>"}
        }));
        let langs: Vec<_> = a
            .documents()
            .into_iter()
            .map(|d| d.article.locale)
            .collect();
        assert_eq!(langs, vec![Some("en".to_string())]);
        // A German-only article has no English document, and `None` is German.
        let a = article(json!({
            "id": 2, "title": {"en": "Start", "de": "Anfang"},
            "content": {"en": "", "de": "<p>de</p>"}
        }));
        let docs = a.documents();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].article.locale.as_deref(), Some("de"));
        assert_eq!(docs[0].title, "Anfang");
        assert_eq!(default_language(&a).as_deref(), Some("de"));
    }

    #[test]
    fn an_unreadable_entry_does_not_spoil_its_page() {
        let (ok, bad) = decode_articles(vec![
            json!({"id": 1, "title": {"en": "A"}, "content": {"en": "<p>a</p>"}}),
            json!({"id": 2, "title": {"en": "B"}, "content": "<p>not keyed by language</p>"}),
        ]);
        assert_eq!(ok.len(), 1);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].article.id, "2");
        assert!(bad[0].reason.contains("HelpCenter.io"), "{}", bad[0].reason);
    }

    #[test]
    fn stop_at_total_pages() {
        let meta = |t| Meta {
            total_pages: t,
            items_count: None,
        };
        assert_eq!(next_page(1, &meta(3)), Some("2".into()));
        assert_eq!(next_page(3, &meta(3)), None);
        assert_eq!(next_page(1, &meta(0)), None);
    }

    #[test]
    fn read_only_key_is_forbidden() {
        let hook = error_hook();
        let r = ErrorResponse {
            provider: "HelpCenter.io",
            endpoint: "PATCH /articles/1",
            status: 403,
            body: "",
            detail: "updating articles is not allowed",
        };
        let e = hook(&r).unwrap();
        assert_eq!(e.kind(), "forbidden");
        assert!(e.to_string().contains("Read Only"));
        let r = ErrorResponse { status: 401, ..r };
        assert!(hook(&r).is_none());
    }
}
