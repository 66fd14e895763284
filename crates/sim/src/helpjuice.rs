//! Helpjuice API v3 (Helpjuice API v3), under `/api/v3`.
//!
//! - Auth: the key in `Authorization` (raw, or `Bearer KEY`) or `?api_key=`;
//!   403 without a valid key ("403: In case the API key is not provided").
//! - `GET /articles?page=&limit=` (default 25, max 1000; 422 beyond), with
//!   `filter[is_published]` and `category_id`; `{"articles", "meta":
//!   {current, limit, total_pages, total_count}}`. The list carries bodies.
//! - `GET /articles/:id` (`processed=true` adds `processed_body`;
//!   `kb_language` falls back to the default: the sample data has no
//!   translations) → `{"article"}`; 404 for unknown ids.
//! - `PUT /articles/:id` `{"article": {"body"?, "name"?, "description"?,
//!   "codename"?, "published"?}}` → `{"article"}`; 422 when `article` is
//!   missing, empty or not an object (as Rails' `params.require`), or a
//!   field has the wrong type; a non-JSON Content-Type means no params.
//! - `GET /settings/account` (cheap verify), `GET /categories`.
//! - Errors `{"errors": [{field: message}]}`. The documented article object
//!   has no author, so none is exposed (`Expected.authors` = 0).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use serde_json::{json, Map, Value};

use crate::api::{self, param, query_pairs, ApiBody, Failure};
use crate::data::CATEGORIES;
use crate::html::text_of;
use crate::kit::{self, numbered, About, DataProfile, KeyIn, Quota, SimApi};
use crate::state::Shared;
use crate::store::{ts, Article};

/// The Helpjuice account name (`<account>.helpjuice.com`) the sim claims.
pub const HELPJUICE_ACCOUNT: &str = "demo";

/// Helpjuice API v3, as [`SimApi`].
pub struct Api;

impl SimApi for Api {
    fn about(&self) -> About {
        About::new("helpjuice", "/api/v3", 100, KeyIn::Own(credential))
    }

    fn data(&self) -> DataProfile {
        DataProfile::plain(|i, _| (3_844_201 + i as u64).to_string())
    }

    fn routes(&self) -> Router<Arc<Shared>> {
        Router::new()
            .route("/articles", get(list))
            .route("/articles/{id}", get(show).put(update))
            .route("/settings/account", get(account))
            .route("/categories", get(categories))
    }

    fn failure(&self, f: Failure) -> Response {
        let (field, message) = match f {
            // "403: In case the API key is not provided".
            Failure::Unauthorized => {
                return error(StatusCode::FORBIDDEN, "api_key", "is missing or invalid")
            }
            Failure::RateLimited => ("rate_limit", "too many requests, please retry later"),
            Failure::Unavailable => ("server", "is unavailable"),
            Failure::NotFound => ("path", "not found"),
            Failure::MethodNotAllowed => ("method", "not allowed"),
            Failure::TooLarge => ("body", "is too large"),
            Failure::Unreadable => ("body", "could not be read"),
        };
        error(f.status(), field, message)
    }

    /// Only `Retry-After`, on a 429.
    fn quota_headers(&self, h: &mut HeaderMap, q: &Quota) {
        if !q.allowed {
            kit::set(h, "retry-after", q.retry_after);
        }
    }

    fn settings(&self, _s: &Shared) -> BTreeMap<String, String> {
        BTreeMap::from([("account".to_string(), HELPJUICE_ACCOUNT.to_string())])
    }

    /// Helpjuice has one key per account.
    fn read_only_keys(&self) -> bool {
        false
    }
}

/// The key: "an HTTP header named Authorization or ... api_key query
/// parameter"; a `Bearer` prefix is tolerated. A Basic header is the
/// user impersonation of the doc: the key then comes from the query.
fn credential(headers: &HeaderMap, uri: &Uri) -> Option<String> {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    match auth {
        Some(a) if !a.is_empty() && !a.starts_with("Basic ") => {
            Some(a.strip_prefix("Bearer ").unwrap_or(a).trim().to_string())
        }
        _ => param(&query_pairs(uri), "api_key").map(str::to_string),
    }
}

fn error(status: StatusCode, field: &str, message: &str) -> Response {
    api::json(status, json!({ "errors": [{ field: message }] }))
}

fn article_json(s: &Shared, a: &Article, processed: bool) -> Value {
    let d = a.main();
    let mut answer = json!({
        "body": d.html,
        "body_txt": text_of(&d.html),
        "format": "html",
        "updated_at": ts(&d.updated_at),
    });
    if processed {
        answer["processed_body"] = Value::String(d.html.clone());
    }
    json!({
        "id": a.id.parse::<u64>().unwrap_or(0),
        "name": d.title,
        "views": a.views,
        "accessibility": 1,
        "description": format!("{} ({})", d.title, CATEGORIES[a.category].2),
        "codename": d.slug,
        "created_at": ts(&a.created_at),
        "updated_at": ts(&a.updated_at),
        "published": d.published,
        "answer": [answer],
        "keywords": [],
        "url": format!("{}{}", s.site, d.path),
    })
}

/// A positive integer query parameter, or the 422 Helpjuice answers.
fn positive(
    pairs: &[(String, String)],
    key: &str,
    default: u64,
    max: Option<u64>,
) -> Result<u64, Response> {
    let Some(raw) = param(pairs, key) else {
        return Ok(default);
    };
    let n: u64 = raw
        .trim()
        .parse()
        .map_err(|_| error(StatusCode::UNPROCESSABLE_ENTITY, key, "is not a number"))?;
    if n == 0 {
        return Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            key,
            "must be greater than 0",
        ));
    }
    match max {
        Some(m) if n > m => Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            key,
            &format!("must be less than or equal to {m}"),
        )),
        _ => Ok(n),
    }
}

/// `filter[is_published]` and `category_id`.
fn matches_filters(a: &Article, pairs: &[(String, String)]) -> Result<bool, Response> {
    if let Some(p) = param(pairs, "filter[is_published]") {
        let want = match p.to_ascii_lowercase().as_str() {
            "true" => true,
            "false" => false,
            _ => {
                return Err(error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "filter[is_published]",
                    "is not a boolean",
                ))
            }
        };
        if a.main().published != want {
            return Ok(false);
        }
    }
    if let Some(c) = param(pairs, "category_id") {
        let id: u64 = c.parse().map_err(|_| {
            error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "category_id",
                "is not a number",
            )
        })?;
        return Ok(CATEGORIES[a.category].0 == id);
    }
    Ok(true)
}

async fn list(State(s): State<Arc<Shared>>, uri: Uri) -> Response {
    if s.opts.faults.garbage_list {
        return api::garbage();
    }
    let pairs = query_pairs(&uri);
    let (page, limit) = match (
        positive(&pairs, "page", 1, None),
        positive(&pairs, "limit", 25, Some(1000)),
    ) {
        (Ok(p), Ok(l)) => (p, l),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let store = s.store.lock().expect("store lock");
    let mut selected = Vec::new();
    for a in &store.articles {
        match matches_filters(a, &pairs) {
            Ok(true) => selected.push(a),
            Ok(false) => {}
            Err(e) => return e,
        }
    }
    let one = numbered(selected, page, limit);
    let articles: Vec<Value> = one
        .items
        .iter()
        .map(|a| article_json(&s, a, false))
        .collect();
    api::json(
        StatusCode::OK,
        json!({
            "articles": articles,
            "meta": {
                "current": page,
                "limit": limit,
                "total_pages": one.pages,
                "total_count": one.total,
            }
        }),
    )
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "article", "not found")
}

async fn show(State(s): State<Arc<Shared>>, Path(id): Path<String>, uri: Uri) -> Response {
    let pairs = query_pairs(&uri);
    let processed = param(&pairs, "processed") == Some("true");
    let store = s.store.lock().expect("store lock");
    match store.get(&id) {
        Some(a) => api::json(
            StatusCode::OK,
            json!({ "article": article_json(&s, a, processed) }),
        ),
        None => not_found(),
    }
}

/// The `article` object of a PUT body, as Rails' `params.require` sees it.
fn article_params(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, Response> {
    let missing = || {
        error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "article",
            "param is missing or the value is empty",
        )
    };
    if !api::is_json(headers) {
        return Err(missing());
    }
    let v: Value = serde_json::from_slice(body)
        .map_err(|_| error(StatusCode::BAD_REQUEST, "body", "is not valid JSON"))?;
    match v.get("article") {
        Some(Value::Object(m)) if !m.is_empty() => Ok(m.clone()),
        _ => Err(missing()),
    }
}

/// Applies the known fields; type errors are 422 and change nothing.
fn apply(a: &mut Article, p: &Map<String, Value>) -> Result<(), Response> {
    let bad = |f: &str, m: &str| error(StatusCode::UNPROCESSABLE_ENTITY, f, m);
    for key in ["name", "description", "codename", "body"] {
        if p.get(key).is_some_and(|v| !v.is_string()) {
            return Err(bad(key, "must be a string"));
        }
    }
    if p.get("published").is_some_and(|v| !v.is_boolean()) {
        return Err(bad("published", "must be true or false"));
    }
    if p.get("name")
        .and_then(Value::as_str)
        .is_some_and(|n| n.trim().is_empty())
    {
        return Err(bad("name", "can't be blank"));
    }
    let now = Utc::now();
    let d = &mut a.docs[0];
    if let Some(body) = p.get("body").and_then(Value::as_str) {
        d.html = body.to_string();
    }
    if let Some(name) = p.get("name").and_then(Value::as_str) {
        d.title = name.to_string();
    }
    if let Some(published) = p.get("published").and_then(Value::as_bool) {
        d.published = published;
    }
    d.updated_at = now;
    a.updated_at = now;
    Ok(())
}

async fn update(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiBody(body): ApiBody,
) -> Response {
    let mut store = s.store.lock().expect("store lock");
    let Some(a) = store.get_mut(&id) else {
        return not_found();
    };
    let params = match article_params(&headers, &body) {
        Ok(p) => p,
        Err(e) => return e,
    };
    if let Err(e) = apply(a, &params) {
        return e;
    }
    api::json(
        StatusCode::OK,
        json!({ "article": article_json(&s, a, false) }),
    )
}

async fn account() -> Response {
    api::json(
        StatusCode::OK,
        json!({
            "account": {
                "name": "Shotkeeper Demo",
                "subdomain": HELPJUICE_ACCOUNT,
                "internal_kb": false,
                "expire_password_after_days": null,
                "contact_us_email": "support@example.com",
                "contact_us_subject": "[Support] {{ question.name }}",
                "contact_us_single_sender": false,
                "only_internal_article_requests": false,
                "created_at": "2022-05-10T08:00:00.000Z",
            }
        }),
    )
}

async fn categories(State(s): State<Arc<Shared>>) -> Response {
    let cats: Vec<Value> = CATEGORIES
        .iter()
        .map(|(id, slug, name)| {
            json!({
                "id": id,
                "name": name,
                "codename": format!("{id}-{slug}"),
                "accessibility": 1,
                "description": name,
                "url": format!("{}/kb/category/{slug}", s.site),
            })
        })
        .collect();
    api::json(StatusCode::OK, json!({ "categories": cats }))
}
