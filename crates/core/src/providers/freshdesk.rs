//! Freshdesk Solutions (API v2), following <https://developers.freshdesk.com/api/>:
//! - "Authentication" — HTTP Basic with the API key as the user name and
//!   `X` as the password; only the `https://{domain}.freshdesk.com/api/v2`
//!   address, not a custom CNAME;
//! - "Pagination" — `page` and `per_page` (at most 100), the next page
//!   announced in a `Link: <URL>; rel="next"` header;
//! - "Rate Limit" — a per-account budget per minute by plan,
//!   `X-RateLimit-Total`, `X-RateLimit-Remaining`,
//!   `X-RateLimit-Used-CurrentRequest`, 429 with `Retry-After` (seconds),
//!   waited out by the shared HTTP layer; the budget used is the Growth
//!   plan's 200 per minute (support.freshdesk.com article 225439, "What are
//!   the rate limits for the API calls to Freshdesk?");
//! - "Error Handling" — validation errors are 400 `{"description":
//!   "Validation failed", "errors": [{field, message, code}]}`, other errors
//!   `{"code", "message"}` (401 `invalid_credentials`, 403 `access_denied`);
//! - "Agents > View the currently authenticated agent" — verify with
//!   `GET /agents/me`;
//! - "Settings > View Helpdesk Settings" — `GET /settings/helpdesk`
//!   (`primary_language`, `supported_languages`);
//! - "Solutions" — `GET /solutions/categories`, `GET
//!   /solutions/categories/{id}/folders`, `GET
//!   /solutions/folders/{id}/articles` and its translated variant
//!   `.../articles/{language_code}`, `GET|PUT /solutions/articles/{id}` and
//!   `.../{id}/{language_code}`; HTML in `description`, `status` 1 draft /
//!   2 published; an update changes only the fields it sends;
//! - "Solutions > List a Folder's Subfolders" — `GET
//!   /solutions/folders/{folder_id}/subfolders`, a bare array of the
//!   folder's direct subfolders (`parent_folder_id`, `hierarchy`); the page
//!   names no query parameters, so the first request sends none, and a
//!   `Link` next page is followed should one come; a 404 there (the folder
//!   was just listed) is taken as no subfolders.
//!
//! Documents: the article in the primary language is `locale: None`; each
//! translation (one per supported language it exists in) is its own
//! document, read and written at `/solutions/articles/{id}/{language_code}`.
//! The listing walks languages (primary first), then folders, then pages.
//! Folders are every top-level folder of every category and, depth-first,
//! each one's subfolders and theirs (a folder already seen is skipped, so a
//! cycle ends; more than [`MAX_FOLDER_DEPTH`] levels or [`MAX_FOLDERS`]
//! folders is an error rather than a partial import). The resume token is
//! `LANGUAGE|PATH|PAGE` (empty language = primary), `PATH` the folder ids
//! from the top-level folder down to the one being listed, joined by `/`
//! (`|42|3` from before subfolders is still read). A resumed listing finds
//! its folder by that path, else by its id (moved), and stops with an error
//! when the folder is gone. Article JSON carries no public URL; the support
//! portal's address of an article is built from the helpdesk address and
//! the id, `https://acme.freshdesk.com/support/solutions/articles/ID`, with
//! the language in front for a translation (`…/de/support/solutions/…`);
//! relative image URLs resolve against it. No image upload for articles:
//! images go to the linked S3/R2 integration.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use reqwest::header::ACCEPT;
use serde::Deserialize;
use serde_json::{json, Value};

use super::fields::{field, rate_field, FieldCheck};
use super::kit::{Connect, ProviderDef, Sites};
use super::ProviderSpec;
use super::{split_entries, ArticlePage, ArticleRef, Entry, HelpCenter, RemoteArticle};
use crate::error::{CoreError, Result};
use crate::http::json::id_string;
use crate::http::{segment, ApiBase, Auth, ErrorResponse, HttpClient, HttpConfig};
use crate::model::ProviderKind;

/// Documented maximum `per_page`.
pub const PAGE_SIZE: u32 = 100;
/// The Growth plan's per-minute budget.
pub const REQUESTS_PER_MINUTE: u32 = 200;
/// Deepest folder nesting walked (a top-level folder is level 1).
pub const MAX_FOLDER_DEPTH: usize = 16;
/// Most folders walked in all.
pub const MAX_FOLDERS: usize = 10_000;

pub struct Freshdesk {
    api: ApiBase,
    /// Languages (primary first, as `None`) and folder ids, fetched once
    /// per client.
    layout: Mutex<Option<Layout>>,
}

#[derive(Clone, Debug, PartialEq)]
struct Layout {
    languages: Vec<Option<String>>,
    /// Every folder depth-first, each as its path: the folder ids from a
    /// top-level folder down to it.
    folders: Vec<Vec<String>>,
}

impl Layout {
    /// Where a listing position's folder is: by its path, else by its own
    /// id (a folder moved elsewhere since).
    fn index_of(&self, path: &[String]) -> Option<usize> {
        self.folders
            .iter()
            .position(|f| f.as_slice() == path)
            .or_else(|| {
                let id = path.last()?;
                self.folders.iter().position(|f| f.last() == Some(id))
            })
    }
}

/// Every folder below `roots`, depth-first in the order given (a folder,
/// then its subfolders and theirs, then its next sibling), each as its path
/// from its root. A folder seen before is skipped (cycles, a folder listed
/// twice); deeper than [`MAX_FOLDER_DEPTH`] or more than `max_folders` is an
/// error.
async fn walk_folders<F, Fut>(
    roots: Vec<String>,
    max_folders: usize,
    mut subfolders: F,
) -> Result<Vec<Vec<String>>>
where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = Result<Vec<String>>>,
{
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut stack: Vec<Vec<String>> = roots.into_iter().rev().map(|r| vec![r]).collect();
    while let Some(path) = stack.pop() {
        let id = path.last().expect("paths are never empty").clone();
        if !seen.insert(id.clone()) {
            continue;
        }
        if out.len() >= max_folders {
            return Err(CoreError::Invalid(format!(
                "the Freshdesk knowledge base has more than {max_folders} folders; not importing part of it"
            )));
        }
        out.push(path.clone());
        let children = subfolders(id.clone()).await?;
        if children.iter().any(|c| !seen.contains(c)) && path.len() >= MAX_FOLDER_DEPTH {
            return Err(CoreError::Invalid(format!(
                "Freshdesk folder {id} has subfolders more than {MAX_FOLDER_DEPTH} levels deep; not importing part of the knowledge base"
            )));
        }
        for c in children.into_iter().rev() {
            let mut p = path.clone();
            p.push(c);
            stack.push(p);
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
struct Agent {
    #[serde(default)]
    contact: Option<Contact>,
}

#[derive(Deserialize)]
struct Contact {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

#[derive(Deserialize)]
struct Helpdesk {
    #[serde(default)]
    primary_language: Option<String>,
    #[serde(default)]
    supported_languages: Vec<String>,
}

#[derive(Deserialize)]
struct IdOnly {
    #[serde(deserialize_with = "id_string")]
    id: String,
}

#[derive(Deserialize)]
struct Article {
    #[serde(deserialize_with = "id_string")]
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    status: Option<u8>,
    /// Absent or `null` on articles without tags.
    #[serde(default)]
    tags: Option<Vec<String>>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
}

/// The support portal's address of an article: the helpdesk address (the
/// API base without `/api/v2`), the language of a translation, and
/// `/support/solutions/articles/ID`.
fn portal_url(api_base: &str, id: &str, locale: Option<&str>) -> String {
    let site = api_base
        .trim_end_matches('/')
        .strip_suffix("/api/v2")
        .unwrap_or(api_base.trim_end_matches('/'));
    let lang = locale
        .map(|l| format!("/{}", segment(l)))
        .unwrap_or_default();
    format!("{site}{lang}/support/solutions/articles/{}", segment(id))
}

impl Article {
    fn document(self, locale: Option<String>, api_base: &str) -> RemoteArticle {
        let url = portal_url(api_base, &self.id, locale.as_deref());
        RemoteArticle {
            article: ArticleRef::with_locale(self.id, locale),
            title: self.title,
            url,
            html: Some(self.description.unwrap_or_default()),
            is_published: self.status == Some(2),
            author: None,
            tags: self.tags.unwrap_or_default(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// A listing position: language (`None` = primary), folder (its path from
/// the top-level folder), page.
#[derive(Clone, Debug, PartialEq)]
struct Position {
    language: Option<String>,
    path: Vec<String>,
    page: u64,
}

impl Position {
    fn folder(&self) -> &str {
        self.path.last().map(String::as_str).unwrap_or("")
    }
}

fn encode_cursor(p: &Position) -> String {
    format!(
        "{}|{}|{}",
        p.language.as_deref().unwrap_or(""),
        p.path.join("/"),
        p.page
    )
}

fn decode_cursor(c: &str) -> Result<Position> {
    let bad = || {
        CoreError::Invalid(format!(
            "'{c}' is not a Freshdesk listing position (language|folder/subfolder|page); restart the import from the beginning"
        ))
    };
    let mut parts = c.split('|');
    let (Some(lang), Some(folder), Some(page), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let page: u64 = page.parse().ok().filter(|n| *n >= 1).ok_or_else(bad)?;
    let path: Vec<String> = folder.split('/').map(str::to_string).collect();
    if path.iter().any(String::is_empty) || path.len() > MAX_FOLDER_DEPTH {
        return Err(bad());
    }
    Ok(Position {
        language: (!lang.is_empty()).then(|| lang.to_string()),
        path,
        page,
    })
}

/// The first page of the folder after `current` (depth-first) in the same
/// language, else of the first folder in the next language, else the end.
fn next_folder(layout: &Layout, current: &Position) -> Option<Position> {
    let f = layout.index_of(&current.path)?;
    if let Some(path) = layout.folders.get(f + 1) {
        return Some(Position {
            language: current.language.clone(),
            path: path.clone(),
            page: 1,
        });
    }
    let l = layout
        .languages
        .iter()
        .position(|l| *l == current.language)?;
    let language = layout.languages.get(l + 1)?.clone();
    Some(Position {
        language,
        path: layout.folders.first()?.clone(),
        page: 1,
    })
}

/// The page number of the `rel="next"` link of a `Link` header, if any.
/// `Err` when there is a next link whose page cannot be read.
fn next_page_from_link(link: Option<&str>) -> std::result::Result<Option<u64>, String> {
    let Some(link) = link else { return Ok(None) };
    for part in link.split(',') {
        let mut pieces = part.split(';');
        let target = pieces.next().unwrap_or("").trim();
        let is_next = pieces.any(|p| {
            let p = p.trim();
            p.strip_prefix("rel=")
                .map(|r| r.trim_matches('"').split_whitespace().any(|r| r == "next"))
                .unwrap_or(false)
        });
        if !is_next {
            continue;
        }
        let url = target
            .strip_prefix('<')
            .and_then(|t| t.strip_suffix('>'))
            .ok_or_else(|| format!("the Link header's next target {target:?} is not <URL>"))?;
        let parsed = url::Url::parse(url)
            .map_err(|e| format!("the Link header's next URL is not a URL ({e})"))?;
        let page = parsed
            .query_pairs()
            .find(|(k, _)| k == "page")
            .and_then(|(_, v)| v.parse::<u64>().ok())
            .ok_or("the Link header's next URL has no page number")?;
        return Ok(Some(page));
    }
    Ok(None)
}

/// `per_page: It should be ... (invalid_value)` from Freshdesk's validation
/// body; `code: message` from its other error bodies.
fn freshdesk_detail(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body.trim()).ok()?;
    if let Some(errors) = v.get("errors").and_then(Value::as_array) {
        let items: Vec<String> = errors
            .iter()
            .map(|e| {
                let field = e.get("field").and_then(Value::as_str).unwrap_or("");
                let message = e.get("message").and_then(Value::as_str).unwrap_or("");
                let code = e.get("code").and_then(Value::as_str).unwrap_or("");
                let mut s = if field.is_empty() {
                    message.to_string()
                } else {
                    format!("{field}: {message}")
                };
                if !code.is_empty() {
                    s.push_str(&format!(" ({code})"));
                }
                s
            })
            .collect();
        let head = v
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("Validation failed");
        return Some(format!("{head}: {}", items.join("; ")));
    }
    let message = v.get("message").and_then(Value::as_str)?;
    Some(match v.get("code").and_then(Value::as_str) {
        Some(code) => format!("{message} ({code})"),
        None => message.to_string(),
    })
}

/// Freshdesk's own error bodies, worded for people: a 403 is a missing
/// permission of the agent (not a bad key), a 400/415 quotes every field
/// error.
fn on_error(r: &ErrorResponse<'_>) -> Option<CoreError> {
    let detail = freshdesk_detail(r.body).unwrap_or_else(|| r.detail.to_string());
    match r.status {
        403 => Some(CoreError::Forbidden {
            provider: r.provider.into(),
            endpoint: r.endpoint.into(),
            detail: format!(
                "{detail}. The agent whose API key this is needs permission to manage solutions"
            ),
        }),
        400 | 415 | 422 => Some(CoreError::Http {
            provider: r.provider.into(),
            endpoint: r.endpoint.into(),
            status: r.status,
            detail,
        }),
        _ => None,
    }
}

impl Freshdesk {
    /// `base_url` is the API base (`https://acme.freshdesk.com/api/v2`).
    pub fn new(mut cfg: HttpConfig, base_url: &str, api_key: &str) -> Result<Self> {
        cfg.on_error = Some(Arc::new(on_error));
        let api = ApiBase::new(cfg, base_url, api_key, "API key", Auth::BasicKeyAsUser)?
            .with_header(ACCEPT, "application/json");
        Ok(Freshdesk {
            api,
            layout: Mutex::new(None),
        })
    }

    pub fn http(&self) -> &HttpClient {
        self.api.http()
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.http()
            .get_json(&format!("GET {path}"), |c| {
                self.api.request(c, reqwest::Method::GET, path)
            })
            .await
    }

    /// Languages (primary first) and every folder of every category; cached.
    async fn layout(&self) -> Result<Layout> {
        if let Some(l) = self.layout.lock().expect("layout lock").clone() {
            return Ok(l);
        }
        let settings: Helpdesk = self.get("/settings/helpdesk").await?;
        let primary = settings.primary_language.unwrap_or_default();
        let mut languages: Vec<Option<String>> = vec![None];
        for l in settings.supported_languages {
            let l = l.trim().to_string();
            if !l.is_empty()
                && !l.eq_ignore_ascii_case(&primary)
                && !languages.contains(&Some(l.clone()))
            {
                languages.push(Some(l));
            }
        }
        let categories: Vec<IdOnly> = self.get("/solutions/categories").await?;
        let mut roots = Vec::new();
        for c in categories {
            let path = format!("/solutions/categories/{}/folders", segment(&c.id));
            let list: Vec<IdOnly> = self.get(&path).await?;
            roots.extend(list.into_iter().map(|f| f.id));
        }
        let folders = walk_folders(roots, MAX_FOLDERS, |id| async move {
            self.subfolders(&id).await
        })
        .await?;
        let layout = Layout { languages, folders };
        *self.layout.lock().expect("layout lock") = Some(layout.clone());
        Ok(layout)
    }

    /// One page of a list endpoint (the query sent as given) and the page
    /// its `Link` header announces next, checked to be a later one.
    async fn list_page<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        page: u64,
        query: &[(&str, u64)],
    ) -> Result<(Vec<T>, Option<u64>)> {
        let endpoint = format!("GET {path}?page={page}");
        let resp = self
            .http()
            .send(&endpoint, |c| {
                self.api.request(c, reqwest::Method::GET, path).query(query)
            })
            .await?;
        let link = resp
            .headers()
            .get(reqwest::header::LINK)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = self.api.http().read_body(&endpoint, resp).await?;
        let list: Vec<T> = crate::http::json::decode(&body)
            .map_err(|detail| self.api.http().garbage(&endpoint, detail))?;
        match next_page_from_link(link.as_deref()) {
            Err(why) => Err(self.api.http().garbage(&endpoint, why)),
            Ok(Some(next)) if next <= page => Err(self.api.http().garbage(
                &endpoint,
                format!("the Link header points back to page {next} from page {page}"),
            )),
            Ok(next) => Ok((list, next)),
        }
    }

    /// The ids of a folder's direct subfolders, every page of them.
    async fn subfolders(&self, folder: &str) -> Result<Vec<String>> {
        let path = format!("/solutions/folders/{}/subfolders", segment(folder));
        let mut out = Vec::new();
        let mut page = 1;
        loop {
            // The documented request has no query; later pages name theirs.
            let query: &[(&str, u64)] = if page == 1 { &[] } else { &[("page", page)] };
            let (list, next) = match self.list_page::<IdOnly>(&path, page, query).await {
                Ok(r) => r,
                // The folder was just listed, so a 404 here is an account
                // without the subfolders endpoint: no subfolders, as before.
                Err(CoreError::NotFound { .. }) if page == 1 => return Ok(out),
                Err(e) => return Err(e),
            };
            out.extend(list.into_iter().map(|f| f.id));
            match next {
                Some(n) => page = n,
                None => return Ok(out),
            }
        }
    }

    fn article_path(article: &ArticleRef) -> String {
        match &article.locale {
            None => format!("/solutions/articles/{}", segment(&article.id)),
            Some(l) => format!(
                "/solutions/articles/{}/{}",
                segment(&article.id),
                segment(l)
            ),
        }
    }
}

#[async_trait]
impl HelpCenter for Freshdesk {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Freshdesk
    }

    fn api_base(&self) -> &str {
        self.api.base()
    }

    async fn verify(&self) -> Result<String> {
        let me: Agent = self.get("/agents/me").await?;
        let who = me
            .contact
            .and_then(|c| c.name.or(c.email))
            .unwrap_or_default();
        Ok(format!("Connected to Freshdesk as \u{201c}{who}\u{201d}"))
    }

    async fn list_articles(&self, cursor: Option<&str>) -> Result<ArticlePage> {
        let layout = self.layout().await?;
        let pos = match cursor {
            Some(c) => {
                let mut pos = decode_cursor(c)?;
                let Some(at) = layout.index_of(&pos.path) else {
                    return Err(CoreError::Invalid(format!(
                        "Freshdesk folder {} of the listing position '{c}' is no longer in the knowledge base; restart the import from the beginning",
                        pos.folder()
                    )));
                };
                pos.path = layout.folders[at].clone();
                pos
            }
            None => match layout.folders.first() {
                Some(f) => Position {
                    language: None,
                    path: f.clone(),
                    page: 1,
                },
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
        let mut path = format!("/solutions/folders/{}/articles", segment(pos.folder()));
        if let Some(l) = &pos.language {
            path.push_str(&format!("/{}", segment(l)));
        }
        let query = [("page", pos.page), ("per_page", u64::from(PAGE_SIZE))];
        // Each entry decoded on its own: an odd article fails alone.
        let listed = self
            .list_page::<Entry<Article>>(&path, pos.page, &query)
            .await;
        let (list, next_page) = match listed {
            Ok(r) => r,
            // A folder not translated into this language has no listing.
            Err(CoreError::NotFound { .. }) if pos.language.is_some() => {
                return Ok(ArticlePage {
                    failed: Vec::new(),
                    articles: Vec::new(),
                    next: next_folder(&layout, &pos).map(|p| encode_cursor(&p)),
                    total: None,
                })
            }
            Err(e) => return Err(e),
        };
        let next = match next_page {
            Some(page) => Some(Position {
                page,
                ..pos.clone()
            }),
            None => next_folder(&layout, &pos),
        };
        let (read, mut failed) = split_entries(list, "Freshdesk");
        for f in &mut failed {
            f.article.locale = pos.language.clone();
        }
        Ok(ArticlePage {
            failed,
            articles: read
                .into_iter()
                .map(|a| a.document(pos.language.clone(), self.api.base()))
                .collect(),
            next: next.map(|p| encode_cursor(&p)),
            total: None,
        })
    }

    async fn get_article(&self, article: &ArticleRef) -> Result<RemoteArticle> {
        let path = Self::article_path(article);
        let a: Article = self.get(&path).await.map_err(|e| match e {
            CoreError::NotFound { .. } => CoreError::NotFound {
                what: match &article.locale {
                    Some(l) => format!("the {l} translation of Freshdesk article {}", article.id),
                    None => format!("Freshdesk article {}", article.id),
                },
            },
            other => other,
        })?;
        let mut doc = a.document(article.locale.clone(), self.api.base());
        doc.article = article.clone();
        Ok(doc)
    }

    async fn update_article_html(&self, article: &ArticleRef, html: &str) -> Result<()> {
        let path = Self::article_path(article);
        let body = json!({ "description": html });
        self.http()
            .send(&format!("PUT {path}"), |c| {
                self.api.request(c, reqwest::Method::PUT, &path).json(&body)
            })
            .await?;
        Ok(())
    }
}

/// Freshdesk, as the registry lists it (see [`ProviderDef`]).
pub const DEF: ProviderDef = ProviderDef {
    kind: ProviderKind::Freshdesk,
    spec,
    api_path: "/api/v2",
    sites: Sites::SameHost("freshdesk.com"),
    documented_burst: None,
    connect,
};

fn connect(c: Connect<'_>) -> Result<Box<dyn HelpCenter>> {
    Ok(Box::new(Freshdesk::new(c.http, &c.base, c.secret)?))
}

/// Labels and help follow the provider's own settings pages.
fn spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::Freshdesk,
        display_name: "Freshdesk",
        fields: vec![
            field(
                "domain",
                "Helpdesk domain",
                "The part before .freshdesk.com in your helpdesk address (the full yourcompany.freshdesk.com is accepted too)",
                true,
                "yourcompany",
            ).checked(FieldCheck::HostLabelOn("freshdesk.com")),
            rate_field("Leave empty for Freshdesk's Growth-plan 200 per minute (Pro 400, Enterprise 700); 0 turns the limiter off"),
        ],
        secret_label: "API key",
        secret_help: "Profile settings > View API key in Freshdesk; the agent needs permission to manage solution articles",
        default_base_url: "https://{domain}.freshdesk.com/api/v2",
        requests_per_minute: REQUESTS_PER_MINUTE,
        has_image_upload: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_odd_listed_article_fails_alone() {
        // Freshdesk's "List all Solution Articles in a Folder" is a bare
        // array; one entry whose title is not text fails alone.
        let list: Vec<Entry<Article>> = serde_json::from_value(json!([
            {"id": 43000500001u64, "title": "Setup", "status": 2},
            {"id": 43000500002u64, "title": ["odd"], "status": 2}
        ]))
        .expect("the page decodes");
        let (read, failed) = split_entries(list, "Freshdesk");
        assert_eq!(read.len(), 1);
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].article.id, "43000500002");
    }

    fn path(p: &str) -> Vec<String> {
        p.split('/').map(str::to_string).collect()
    }

    #[test]
    fn cursors() {
        let p = Position {
            language: Some("de".into()),
            path: path("42"),
            page: 3,
        };
        assert_eq!(decode_cursor(&encode_cursor(&p)).unwrap(), p);
        let p = Position {
            language: None,
            ..p
        };
        // A cursor from before subfolders: a top-level folder's path.
        assert_eq!(encode_cursor(&p), "|42|3");
        assert_eq!(decode_cursor("|42|3").unwrap(), p);
        let deep = Position {
            language: Some("de".into()),
            path: path("42/43/44"),
            page: 2,
        };
        assert_eq!(encode_cursor(&deep), "de|42/43/44|2");
        assert_eq!(decode_cursor("de|42/43/44|2").unwrap(), deep);
        assert_eq!(deep.folder(), "44");
        let too_deep = vec!["1"; MAX_FOLDER_DEPTH + 1].join("/");
        for bad in [
            "",
            "42",
            "|42|0",
            "||1",
            "de|42|x",
            "a|b|1|2",
            "|42//44|1",
            "|/42|1",
            "|42/|1",
            &format!("|{too_deep}|1"),
        ] {
            assert!(decode_cursor(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn walk_folders_depth_first_then_languages() {
        // 1 holds 3, which holds 4; 2 has none.
        let layout = Layout {
            languages: vec![None, Some("de".into())],
            folders: vec![path("1"), path("1/3"), path("1/3/4"), path("2")],
        };
        let at = |l: Option<&str>, f: &str| Position {
            language: l.map(str::to_string),
            path: path(f),
            page: 4,
        };
        let first = |l: Option<&str>, f: &str| Position {
            page: 1,
            ..at(l, f)
        };
        assert_eq!(
            next_folder(&layout, &at(None, "1")),
            Some(first(None, "1/3"))
        );
        assert_eq!(
            next_folder(&layout, &at(None, "1/3")),
            Some(first(None, "1/3/4"))
        );
        assert_eq!(
            next_folder(&layout, &at(None, "1/3/4")),
            Some(first(None, "2"))
        );
        assert_eq!(
            next_folder(&layout, &at(None, "2")),
            Some(first(Some("de"), "1"))
        );
        assert_eq!(next_folder(&layout, &at(Some("de"), "2")), None);
        // A bare id (an old cursor, or a folder moved) is found by its id.
        assert_eq!(layout.index_of(&path("4")), Some(2));
        assert_eq!(layout.index_of(&path("9/3")), Some(1));
        assert_eq!(layout.index_of(&path("9")), None);
    }

    /// `walk_folders` over a fixed tree of `(folder, subfolders)`.
    fn walk(tree: &[(&str, &[&str])], roots: &[&str], max: usize) -> Result<Vec<String>> {
        let calls = std::cell::RefCell::new(Vec::new());
        let got = futures::executor::block_on(walk_folders(
            roots.iter().map(|r| r.to_string()).collect(),
            max,
            |id| {
                calls.borrow_mut().push(id.clone());
                let children: Vec<String> = tree
                    .iter()
                    .find(|(f, _)| *f == id)
                    .map(|(_, c)| c.iter().map(|c| c.to_string()).collect())
                    .unwrap_or_default();
                async move { Ok(children) }
            },
        ))?;
        let calls = calls.into_inner();
        assert_eq!(calls.len(), got.len(), "one subfolder listing per folder");
        Ok(got.into_iter().map(|p| p.join("/")).collect())
    }

    #[test]
    fn subfolders_are_walked_depth_first() {
        let tree: &[(&str, &[&str])] = &[("1", &["3", "5"]), ("3", &["4"]), ("2", &["6"])];
        assert_eq!(
            walk(tree, &["1", "2"], MAX_FOLDERS).unwrap(),
            ["1", "1/3", "1/3/4", "1/5", "2", "2/6"]
        );
    }

    #[test]
    fn a_folder_seen_twice_is_skipped_so_cycles_end() {
        // 3 lists its own ancestor 1 and itself; 2 lists 4, already seen.
        let tree: &[(&str, &[&str])] = &[("1", &["3"]), ("3", &["1", "3", "4"]), ("2", &["4"])];
        assert_eq!(
            walk(tree, &["1", "2", "1"], MAX_FOLDERS).unwrap(),
            ["1", "1/3", "1/3/4", "2"]
        );
    }

    #[test]
    fn depth_and_folder_count_are_bounded() {
        // An endless chain of new folders: 1 holds 2 holds 3 ...
        let names: Vec<String> = (1..=MAX_FOLDER_DEPTH + 5).map(|n| n.to_string()).collect();
        let children: Vec<[&str; 1]> = names.iter().skip(1).map(|n| [n.as_str()]).collect();
        let tree: Vec<(&str, &[&str])> = names
            .iter()
            .zip(children.iter())
            .map(|(n, c)| (n.as_str(), &c[..]))
            .collect();
        let e = walk(&tree, &["1"], MAX_FOLDERS).unwrap_err();
        assert!(e.to_string().contains("levels deep"), "{e}");
        // Exactly the deepest level allowed is fine.
        let cut = &tree[..MAX_FOLDER_DEPTH - 1];
        assert_eq!(
            walk(cut, &["1"], MAX_FOLDERS).unwrap().len(),
            MAX_FOLDER_DEPTH
        );
        let e = walk(&[], &["1", "2", "3"], 2).unwrap_err();
        assert!(e.to_string().contains("more than 2 folders"), "{e}");
    }

    #[test]
    fn link_headers() {
        let l = r#"<https://acme.freshdesk.com/api/v2/solutions/folders/1/articles?page=2&per_page=100>; rel="next""#;
        assert_eq!(next_page_from_link(Some(l)), Ok(Some(2)));
        let two = r#"<https://x/a?page=1>; rel="prev", <https://x/a?page=3>; rel="next""#;
        assert_eq!(next_page_from_link(Some(two)), Ok(Some(3)));
        assert_eq!(next_page_from_link(None), Ok(None));
        assert_eq!(
            next_page_from_link(Some(r#"<https://x/a?page=1>; rel="prev""#)),
            Ok(None)
        );
        assert!(next_page_from_link(Some(r#"<https://x/a>; rel="next""#)).is_err());
        assert!(next_page_from_link(Some(r#"https://x/a?page=2; rel="next""#)).is_err());
    }

    #[test]
    fn article_json_as_documented() {
        let a: Article = serde_json::from_value(json!({
            "id": 2, "type": 1, "category_id": 3, "folder_id": 4, "agent_id": 1,
            "title": "article", "description": "<p>x <b>y</b></p>",
            "description_text": "x y", "status": 1, "tags": null,
            "seo_data": {"meta_keywords": "a"}, "hierarchy": [],
            "created_at": "2016-09-09T06:07:26Z", "updated_at": "2016-09-09T06:07:26Z"
        }))
        .unwrap();
        let d = a.document(Some("de".into()), "https://acme.freshdesk.com/api/v2");
        assert_eq!(d.article, ArticleRef::with_locale("2", Some("de".into())));
        assert_eq!(d.html.as_deref(), Some("<p>x <b>y</b></p>"));
        assert!(!d.is_published);
        assert!(d.tags.is_empty());
        assert_eq!(
            d.url,
            "https://acme.freshdesk.com/de/support/solutions/articles/2"
        );
        assert_eq!(
            portal_url("http://127.0.0.1:9/api/v2/", "7", None),
            "http://127.0.0.1:9/support/solutions/articles/7"
        );
    }

    #[test]
    fn error_details() {
        let body = r#"{"description":"Validation failed","errors":[{"field":"per_page","message":"It should be a Positive Integer less than or equal to 100","code":"invalid_value"}]}"#;
        assert_eq!(
            freshdesk_detail(body).unwrap(),
            "Validation failed: per_page: It should be a Positive Integer less than or equal to 100 (invalid_value)"
        );
        let body = r#"{"code":"invalid_content_type","message":"Content-Type header is set to text/plain. It should be set to application/json"}"#;
        assert!(freshdesk_detail(body)
            .unwrap()
            .ends_with("(invalid_content_type)"));
        assert_eq!(freshdesk_detail(""), None);
    }
}
