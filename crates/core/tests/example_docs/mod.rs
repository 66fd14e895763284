//! A made-up ninth help center, "Example Docs", added the way a real one
//! is: a client built from the provider kit's parts (`ApiBase`, `Auth`, a
//! `ProviderDef` with its `ProviderSpec` and a `connect` taking `Connect`)
//! and a simulator that is one small implementation of the simulator kit's
//! `SimApi`. The conformance suite runs every check against it, which
//! proves a ninth provider needs nothing the kit does not offer.
//!
//! The "Example Docs API" it speaks (invented for this test, unlike any of
//! the eight, so that nothing passes by accident):
//! - Base `https://{workspace}.example-docs.test/example/v1`; the key in an
//!   `X-Example-Key` header; anything else is 401.
//! - `GET /docs?offset=N&count=M`: every document (an article in its main
//!   language, and each translation on its own, with its `lang`), `count`
//!   at most 25 (default 10, 400 beyond); `{"docs": [...], "next_offset":
//!   N or null}`.
//! - `GET /docs/{id}` and `GET /docs/{id}?lang=fr` (`{"doc": {...}}`),
//!   `PUT` the same with `{"html": "..."}` (JSON only; 400 otherwise).
//! - `GET /whoami` (`{"workspace": "..."}`), `POST /files` (multipart
//!   `file`; `{"url": "..."}`).
//! - Errors `{"problem": {"kind", "detail"}}`. 60 requests a minute; a 429
//!   says when to come back with `Retry-After` as an HTTP date, and every
//!   answer carries `X-Example-Quota: remaining/limit`.
//!
//! `ProviderKind` is the one closed list a ninth provider still joins (it
//! is stored in SQLite and generated into the UI's bindings), which a test
//! cannot do. So this provider carries Helpjuice's kind as a tag only, and
//! is built with `registry::build_with`, which reads its `ProviderDef`
//! alone: were anything looked up by kind instead, Helpjuice's API path
//! (`/api/v3`) or settings would be used, and every check here would fail.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use async_trait::async_trait;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use shotkeeper_core::http::{segment, ApiBase, Auth};
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::providers::fields::rate_field;
use shotkeeper_core::providers::kit::{Connect, ProviderDef, Sites};
use shotkeeper_core::providers::{
    split_entries, ArticlePage, ArticleRef, Entry, HelpCenter, ProviderSpec, RemoteArticle,
    UploadedImage,
};
use shotkeeper_core::Result;
use shotkeeper_sim::kit::{
    self, About, ApiBody, Article, DataProfile, Failure, KeyIn, Quota, Shared, SimApi,
};

/// Documented maximum `count`, and the client's page.
pub const PAGE_SIZE: u32 = 25;
const DEFAULT_COUNT: u64 = 10;
const KEY_HEADER: &str = "x-example-key";

// ---------------------------------------------------------------- simulator

/// The Example Docs API as the simulator kit serves it.
pub struct ExampleDocsSim;

/// What `SimProvider::Custom` runs.
pub static EXAMPLE_DOCS_SIM: ExampleDocsSim = ExampleDocsSim;

impl SimApi for ExampleDocsSim {
    fn about(&self) -> About {
        About::new("exampledocs", "/example/v1", 60, KeyIn::Header(KEY_HEADER))
    }

    fn data(&self) -> DataProfile {
        DataProfile::plain(|i, _| format!("ex-{}", 100 + i)).translated("fr")
    }

    fn routes(&self) -> Router<Arc<Shared>> {
        Router::new()
            .route("/whoami", get(whoami))
            .route("/docs", get(list))
            .route("/docs/{id}", get(show).put(update))
            .route("/files", post(upload))
    }

    fn failure(&self, f: Failure) -> Response {
        let (status, kind) = match f {
            Failure::Unauthorized => (StatusCode::UNAUTHORIZED, "unknown_key"),
            Failure::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "slow_down"),
            Failure::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "down"),
            Failure::NotFound => (StatusCode::NOT_FOUND, "no_such_thing"),
            Failure::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "wrong_method"),
            Failure::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            Failure::Unreadable => (StatusCode::BAD_REQUEST, "unreadable"),
        };
        problem(status, kind, "see the Example Docs API reference")
    }

    fn quota_headers(&self, h: &mut HeaderMap, q: &Quota) {
        let quota = format!("{}/{}", q.remaining, q.limit);
        h.insert(
            "x-example-quota",
            HeaderValue::from_str(&quota).expect("ascii"),
        );
        if !q.allowed {
            // Never in the past: at least the next whole second.
            let at = UNIX_EPOCH + Duration::from_secs(q.reset_unix.max(kit::unix_now() + 1));
            let date = httpdate::fmt_http_date(at);
            h.insert("retry-after", HeaderValue::from_str(&date).expect("ascii"));
        }
    }
}

fn problem(status: StatusCode, kind: &str, detail: &str) -> Response {
    kit::json(
        status,
        json!({ "problem": { "kind": kind, "detail": detail } }),
    )
}

fn doc_json(s: &Shared, a: &Article, locale: &str) -> Option<Value> {
    let d = a.doc(Some(locale))?;
    Some(json!({
        "id": a.id,
        "lang": d.locale,
        "title": d.title,
        "html": d.html,
        "published": d.published,
        "url": format!("{}{}", s.site, d.path),
    }))
}

async fn whoami() -> Response {
    kit::json(StatusCode::OK, json!({ "workspace": "Demo workspace" }))
}

/// Offset paging over every document, translations included.
async fn list(State(s): State<Arc<Shared>>, uri: Uri) -> Response {
    if s.opts.faults.garbage_list {
        return kit::garbage();
    }
    let pairs = kit::query_pairs(&uri);
    let number = |key: &str, default: u64| match kit::param(&pairs, key) {
        None => Some(default),
        Some(v) => v.trim().parse::<u64>().ok(),
    };
    let (Some(offset), Some(count)) = (number("offset", 0), number("count", DEFAULT_COUNT)) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "bad_paging",
            "offset and count are numbers",
        );
    };
    if !(1..=u64::from(PAGE_SIZE)).contains(&count) {
        return problem(StatusCode::BAD_REQUEST, "bad_paging", "count is 1 to 25");
    }
    let store = s.store.lock().expect("store lock");
    let docs: Vec<Value> = store
        .articles
        .iter()
        .flat_map(|a| a.docs.iter().filter_map(|d| doc_json(&s, a, &d.locale)))
        .collect();
    let total = docs.len() as u64;
    let page: Vec<Value> = docs
        .into_iter()
        .skip(offset as usize)
        .take(count as usize)
        .collect();
    let end = offset + page.len() as u64;
    kit::json(
        StatusCode::OK,
        json!({ "docs": page, "next_offset": (end < total).then_some(end) }),
    )
}

fn lang(uri: &Uri) -> String {
    let pairs = kit::query_pairs(uri);
    kit::param(&pairs, "lang")
        .unwrap_or(kit::DEFAULT_LOCALE)
        .to_string()
}

fn no_doc() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "no_such_doc",
        "no document with that id and lang",
    )
}

async fn show(State(s): State<Arc<Shared>>, Path(id): Path<String>, uri: Uri) -> Response {
    let store = s.store.lock().expect("store lock");
    match store.get(&id).and_then(|a| doc_json(&s, a, &lang(&uri))) {
        Some(doc) => kit::json(StatusCode::OK, json!({ "doc": doc })),
        None => no_doc(),
    }
}

async fn update(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    ApiBody(body): ApiBody,
) -> Response {
    let html = kit::is_json(&headers)
        .then(|| serde_json::from_slice::<Value>(&body).ok())
        .flatten()
        .and_then(|v| v.get("html").and_then(Value::as_str).map(str::to_string));
    let Some(html) = html else {
        return problem(
            StatusCode::BAD_REQUEST,
            "bad_body",
            "send JSON {\"html\": \"...\"}",
        );
    };
    let locale = lang(&uri);
    let mut store = s.store.lock().expect("store lock");
    let Some(a) = store.get_mut(&id) else {
        return no_doc();
    };
    let Some(d) = a.doc_mut(Some(&locale)) else {
        return no_doc();
    };
    d.html = html;
    a.touch();
    let doc = doc_json(&s, a, &locale);
    kit::json(StatusCode::OK, json!({ "doc": doc }))
}

async fn upload(
    State(s): State<Arc<Shared>>,
    multipart: std::result::Result<Multipart, MultipartRejection>,
) -> Response {
    let Ok(mut m) = multipart else {
        return problem(
            StatusCode::BAD_REQUEST,
            "bad_upload",
            "send multipart/form-data",
        );
    };
    while let Ok(Some(field)) = m.next_field().await {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("file").to_string();
        let Ok(bytes) = field.bytes().await else {
            break;
        };
        let stored = s.images.add_upload(&name, bytes, "image/png");
        return kit::json(
            StatusCode::CREATED,
            json!({ "url": format!("{}/uploads/{stored}", s.site) }),
        );
    }
    problem(
        StatusCode::BAD_REQUEST,
        "bad_upload",
        "no file in the 'file' field",
    )
}

// ------------------------------------------------------------------- client

/// The Example Docs client: requests on the kit's `ApiBase`.
pub struct ExampleDocs {
    api: ApiBase,
}

#[derive(Deserialize)]
struct DocList {
    docs: Vec<Entry<Doc>>,
    next_offset: Option<u64>,
}

#[derive(Deserialize)]
struct OneDoc {
    doc: Doc,
}

#[derive(Deserialize)]
struct Doc {
    id: String,
    lang: String,
    title: String,
    html: String,
    published: bool,
    url: String,
}

#[derive(Deserialize)]
struct Whoami {
    workspace: String,
}

#[derive(Deserialize)]
struct Uploaded {
    url: String,
}

impl Doc {
    fn into_remote(self) -> RemoteArticle {
        let locale = (self.lang != "en").then_some(self.lang);
        RemoteArticle {
            article: ArticleRef::with_locale(self.id, locale),
            title: self.title,
            url: self.url,
            html: Some(self.html),
            is_published: self.published,
            author: None,
            tags: Vec::new(),
            created_at: None,
            updated_at: None,
        }
    }
}

impl ExampleDocs {
    fn path(article: &ArticleRef) -> String {
        format!("/docs/{}", segment(&article.id))
    }

    fn lang(article: &ArticleRef) -> Vec<(&'static str, String)> {
        article.locale.iter().map(|l| ("lang", l.clone())).collect()
    }
}

#[async_trait]
impl HelpCenter for ExampleDocs {
    fn kind(&self) -> ProviderKind {
        EXAMPLE_DOCS.kind
    }

    fn api_base(&self) -> &str {
        self.api.base()
    }

    async fn verify(&self) -> Result<String> {
        let me: Whoami = self
            .api
            .http()
            .get_json("GET /whoami", |c| {
                self.api.request(c, reqwest::Method::GET, "/whoami")
            })
            .await?;
        Ok(format!(
            "Connected to the Example Docs workspace \u{201c}{}\u{201d}",
            me.workspace
        ))
    }

    async fn list_articles(&self, cursor: Option<&str>) -> Result<ArticlePage> {
        let offset: u64 = match cursor {
            None => 0,
            Some(c) => c.parse().map_err(|_| {
                shotkeeper_core::CoreError::Invalid(format!(
                    "'{c}' is not an offset of the Example Docs listing; restart the import"
                ))
            })?,
        };
        let endpoint = format!("GET /docs?offset={offset}");
        let list: DocList = self
            .api
            .http()
            .get_json(&endpoint, |c| {
                self.api
                    .request(c, reqwest::Method::GET, "/docs")
                    .query(&[("offset", offset), ("count", u64::from(PAGE_SIZE))])
            })
            .await?;
        let (docs, failed) = split_entries(list.docs, "Example Docs");
        Ok(ArticlePage {
            articles: docs.into_iter().map(Doc::into_remote).collect(),
            next: list.next_offset.map(|n| n.to_string()),
            total: None,
            failed,
        })
    }

    async fn get_article(&self, article: &ArticleRef) -> Result<RemoteArticle> {
        let path = Self::path(article);
        let one: OneDoc = self
            .api
            .http()
            .get_json(&format!("GET {path}"), |c| {
                self.api
                    .request(c, reqwest::Method::GET, &path)
                    .query(&Self::lang(article))
            })
            .await?;
        Ok(one.doc.into_remote())
    }

    async fn update_article_html(&self, article: &ArticleRef, html: &str) -> Result<()> {
        let path = Self::path(article);
        let body = json!({ "html": html });
        self.api
            .http()
            .send(&format!("PUT {path}"), |c| {
                self.api
                    .request(c, reqwest::Method::PUT, &path)
                    .query(&Self::lang(article))
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
        let form = || {
            let part = reqwest::multipart::Part::bytes(bytes.clone())
                .file_name(file_name.to_string())
                .mime_str(content_type)
                .expect("an image type");
            reqwest::multipart::Form::new().part("file", part)
        };
        let up: Uploaded = self
            .api
            .http()
            .get_json("POST /files", |c| {
                self.api
                    .request(c, reqwest::Method::POST, "/files")
                    .multipart(form())
            })
            .await?;
        Ok(UploadedImage { url: up.url })
    }
}

/// Example Docs as the kit declares a provider. Its kind is only a tag
/// (see the module notes); `registry::build_with` reads the rest from here.
pub static EXAMPLE_DOCS: ProviderDef = ProviderDef {
    kind: ProviderKind::Helpjuice,
    spec,
    api_path: "/example/v1",
    sites: Sites::SameHost("example-docs.test"),
    documented_burst: None,
    connect,
};

fn connect(c: Connect<'_>) -> Result<Box<dyn HelpCenter>> {
    let auth = Auth::Header(HeaderName::from_static(KEY_HEADER));
    Ok(Box::new(ExampleDocs {
        api: ApiBase::new(c.http, &c.base, c.secret, "API key", auth)?,
    }))
}

fn spec() -> ProviderSpec {
    ProviderSpec {
        kind: EXAMPLE_DOCS.kind,
        display_name: "Example Docs",
        fields: vec![
            shotkeeper_core::providers::fields::field(
                "workspace",
                "Workspace",
                "The part before .example-docs.test",
                true,
                "acme",
            ),
            rate_field("Leave empty for the documented 60 per minute; 0 turns the limiter off"),
        ],
        secret_label: "API key",
        secret_help: "Settings > Keys in Example Docs",
        default_base_url: "https://{workspace}.example-docs.test/example/v1",
        requests_per_minute: 60,
        has_image_upload: true,
    }
}
