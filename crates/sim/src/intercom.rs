//! Intercom Articles (REST API 2.x) at the root, following
//! developers.intercom.com:
//! - docs/build-an-integration/learn-more/authentication/ (access token as
//!   `Authorization: Bearer`),
//! - docs/build-an-integration/learn-more/rest-apis/api-versioning/
//!   (`Intercom-Version` header),
//! - docs/references/rest-api/api.intercom.io/articles/ (list
//!   `GET /articles?page=&per_page=` with `pages {page per_page
//!   total_pages next}`, `total_count`, `data`; retrieve `GET
//!   /articles/{id}`; update `PUT /articles/{id}`; `translated_content`
//!   keyed by locale; `state` published/draft; Unix-second timestamps),
//! - docs/references/rest-api/errors/ (`{"type":"error.list","errors":
//!   [{code, message}]}`), rate limiting (`X-RateLimit-Limit`,
//!   `X-RateLimit-Remaining`, `X-RateLimit-Reset` as Unix seconds).
//!
//! Rejected as the simulator's contract: any auth but Bearer (401
//! `unauthorized`), a request without `Intercom-Version` or with a version
//! it does not know (400 `intercom_version_invalid`), `per_page` over 250
//! (400), an update that is not a JSON object, has a non-string `body`, or a
//! `translated_content` for a locale the article has no translation in
//! (400 `parameter_invalid`). Only the fields sent change.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use serde_json::{json, Map, Value};

use crate::api::{self, param, query_pairs, Failure};
use crate::kit::{self, numbered, About, DataProfile, KeyIn, Quota, SimApi};
use crate::state::Shared;
use crate::store::{Article, Doc, DEFAULT_LOCALE};

/// The largest `per_page` the simulator accepts.
pub const MAX_PER_PAGE: u64 = 250;
const DEFAULT_PER_PAGE: u64 = 50;
const VERSIONS: [&str; 8] = [
    "2.7", "2.8", "2.9", "2.10", "2.11", "2.12", "2.13", "Unstable",
];

/// Intercom Articles, as [`SimApi`].
pub struct Api;

impl SimApi for Api {
    /// Intercom serves its API at the host root; the simulator keeps it
    /// under a prefix so that pages and images stay apart. 1,000 requests
    /// per minute per workspace for a private app. The token only as
    /// `Authorization: Bearer TOKEN`.
    fn about(&self) -> About {
        About::new("intercom", "/intercom", 1000, KeyIn::Bearer)
    }

    /// Intercom articles carry an author_id only.
    fn data(&self) -> DataProfile {
        DataProfile::plain(|i, _| (9_300_000 + i as u64).to_string()).translated("es")
    }

    fn routes(&self) -> Router<Arc<Shared>> {
        Router::new()
            .route("/me", get(me))
            .route("/articles", get(list))
            .route("/articles/{id}", get(show).put(update))
    }

    fn failure(&self, f: Failure) -> Response {
        let (code, message) = match f {
            Failure::Unauthorized => ("unauthorized", "Access Token Invalid"),
            Failure::RateLimited => ("rate_limit_exceeded", "Exceeded rate limit"),
            Failure::Unavailable => (
                "service_unavailable",
                "Sorry, the API service is temporarily unavailable",
            ),
            Failure::NotFound => ("not_found", "Resource Not Found"),
            Failure::MethodNotAllowed => ("method_not_allowed", "Method not allowed"),
            Failure::TooLarge => ("request_too_large", "The request is too large"),
            Failure::Unreadable => ("parameter_invalid", "The request body could not be read"),
        };
        errors(f.status(), code, message)
    }

    /// Limit, remaining and the Unix time of the reset on every answer; no
    /// Retry-After.
    fn quota_headers(&self, h: &mut HeaderMap, q: &Quota) {
        kit::set(h, "x-ratelimit-limit", q.limit.into());
        kit::set(h, "x-ratelimit-remaining", q.remaining.into());
        kit::set(h, "x-ratelimit-reset", q.reset_unix);
    }
}

fn errors(status: StatusCode, code: &str, message: &str) -> Response {
    api::json(
        status,
        json!({
            "type": "error.list",
            "request_id": "sim-request",
            "errors": [{ "code": code, "message": message }]
        }),
    )
}

/// The `Intercom-Version` check every endpoint makes.
fn version(headers: &HeaderMap) -> Result<(), Response> {
    let v = headers
        .get("intercom-version")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    match v {
        Some(v) if VERSIONS.contains(&v) => Ok(()),
        Some(v) => Err(errors(
            StatusCode::BAD_REQUEST,
            "intercom_version_invalid",
            &format!("Requested version {v} is not valid"),
        )),
        None => Err(errors(
            StatusCode::BAD_REQUEST,
            "intercom_version_invalid",
            "The Intercom-Version header is required",
        )),
    }
}

fn invalid(message: &str) -> Response {
    errors(StatusCode::BAD_REQUEST, "parameter_invalid", message)
}

fn state(d: &Doc) -> &'static str {
    if d.published {
        "published"
    } else {
        "draft"
    }
}

fn content_json(s: &Shared, a: &Article, d: &Doc) -> Value {
    json!({
        "type": "article_content",
        "title": d.title,
        "description": "",
        "body": d.html,
        "author_id": 5_017_691 + a.author as u64,
        "state": state(d),
        "created_at": a.created_at.timestamp(),
        "updated_at": d.updated_at.timestamp(),
        "url": format!("{}{}", s.site, d.path),
    })
}

fn article_json(s: &Shared, a: &Article) -> Value {
    let d = a.main();
    let mut translated = Map::new();
    translated.insert("type".into(), json!("article_translated_content"));
    for doc in &a.docs {
        translated.insert(doc.locale.clone(), content_json(s, a, doc));
    }
    json!({
        "type": "article",
        "id": a.id,
        "workspace_id": "simws1",
        "title": d.title,
        "description": "",
        "body": d.html,
        "author_id": 5_017_691 + a.author as u64,
        "state": state(d),
        "created_at": a.created_at.timestamp(),
        "updated_at": a.updated_at.timestamp(),
        "url": format!("{}{}", s.site, d.path),
        "parent_id": 125_685 + a.category as u64,
        "parent_ids": [125_685 + a.category as u64],
        "parent_type": "collection",
        "default_locale": DEFAULT_LOCALE,
        "translated_content": translated,
    })
}

async fn me(State(s): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Err(e) = version(&headers) {
        return e;
    }
    api::json(
        StatusCode::OK,
        json!({
            "type": "admin",
            "id": "991267",
            "email": "admin@example.com",
            "name": "Maya Chen",
            "email_verified": true,
            "app": {
                "type": "app",
                "id_code": "simws1",
                "name": "Shotkeeper Demo",
                "region": "US",
                "timezone": "Europe/London",
                "identity_verification": false,
            },
            "site": s.site,
        }),
    )
}

fn positive(pairs: &[(String, String)], key: &str, default: u64) -> Result<u64, Response> {
    match param(pairs, key) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| invalid(&format!("{key} must be a positive integer"))),
    }
}

async fn list(State(s): State<Arc<Shared>>, headers: HeaderMap, uri: Uri) -> Response {
    if let Err(e) = version(&headers) {
        return e;
    }
    if s.opts.faults.garbage_list {
        return api::garbage();
    }
    let pairs = query_pairs(&uri);
    let (page, per_page) = match (
        positive(&pairs, "page", 1),
        positive(&pairs, "per_page", DEFAULT_PER_PAGE),
    ) {
        (Ok(p), Ok(n)) => (p, n),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    if per_page > MAX_PER_PAGE {
        return invalid(&format!("per_page must be at most {MAX_PER_PAGE}"));
    }
    let store = s.store.lock().expect("store lock");
    let one = numbered(&store.articles, page, per_page);
    let (total, total_pages) = (one.total, one.pages.max(1));
    let data: Vec<Value> = one.items.iter().map(|a| article_json(&s, a)).collect();
    let next = (page < total_pages)
        .then(|| format!("{}/articles?page={}&per_page={per_page}", s.site, page + 1));
    api::json(
        StatusCode::OK,
        json!({
            "type": "list",
            "pages": {
                "type": "pages",
                "page": page,
                "per_page": per_page,
                "total_pages": total_pages,
                "next": next,
            },
            "total_count": total,
            "data": data,
        }),
    )
}

fn not_found() -> Response {
    errors(StatusCode::NOT_FOUND, "not_found", "Resource Not Found")
}

async fn show(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(e) = version(&headers) {
        return e;
    }
    let store = s.store.lock().expect("store lock");
    match store.get(&id) {
        Some(a) => api::json(StatusCode::OK, article_json(&s, a)),
        None => not_found(),
    }
}

/// Checks one content object (`body`, `title`, `state` as strings).
fn check_content(c: &Map<String, Value>, what: &str) -> Result<(), Response> {
    for key in ["body", "title", "description"] {
        if c.get(key).is_some_and(|v| !v.is_string()) {
            return Err(invalid(&format!("{what}{key} must be a string")));
        }
    }
    match c.get("state") {
        None => Ok(()),
        Some(Value::String(st)) if st == "published" || st == "draft" => Ok(()),
        Some(_) => Err(invalid(&format!("{what}state must be published or draft"))),
    }
}

fn apply(d: &mut Doc, c: &Map<String, Value>) {
    if let Some(b) = c.get("body").and_then(Value::as_str) {
        d.html = b.to_string();
    }
    if let Some(t) = c.get("title").and_then(Value::as_str) {
        d.title = t.to_string();
    }
    if let Some(st) = c.get("state").and_then(Value::as_str) {
        d.published = st == "published";
    }
    d.updated_at = Utc::now();
}

async fn update(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: api::Body,
) -> Response {
    if let Err(e) = version(&headers) {
        return e;
    }
    let body = match api::body(&s, body) {
        Ok(b) => b,
        Err(e) => return e,
    };
    if !api::is_json(&headers) {
        return invalid("the request body must be application/json");
    }
    let Ok(Value::Object(params)) = serde_json::from_slice::<Value>(&body) else {
        return invalid("the request body must be a JSON object");
    };
    if let Err(e) = check_content(&params, "") {
        return e;
    }
    let translated = match params.get("translated_content") {
        None => None,
        Some(Value::Object(t)) => Some(t),
        Some(_) => return invalid("translated_content must be an object"),
    };
    let mut store = s.store.lock().expect("store lock");
    let Some(a) = store.get_mut(&id) else {
        return not_found();
    };
    let mut changes: Vec<(String, &Map<String, Value>)> = Vec::new();
    for (locale, c) in translated.into_iter().flatten() {
        if locale == "type" {
            continue;
        }
        let Value::Object(c) = c else {
            return invalid(&format!("translated_content.{locale} must be an object"));
        };
        if let Err(e) = check_content(c, &format!("translated_content.{locale}.")) {
            return e;
        }
        if a.doc(Some(locale)).is_none() {
            return invalid(&format!(
                "translated_content.{locale}: the article has no {locale} translation"
            ));
        }
        changes.push((locale.clone(), c));
    }
    apply(&mut a.docs[0], &params);
    for (locale, c) in changes {
        if let Some(d) = a.doc_mut(Some(&locale)) {
            apply(d, c);
        }
    }
    a.touch();
    api::json(StatusCode::OK, article_json(&s, a))
}
