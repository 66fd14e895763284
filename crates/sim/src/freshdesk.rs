//! Freshdesk Solutions (API v2) under `/api/v2`. Follows
//! <https://developers.freshdesk.com/api/>: "Authentication", "Rate Limit",
//! "Pagination", "Error Handling" (the validation error body and codes),
//! "Solutions" (Solution Category, Solution Folder, Solution Article: list,
//! view, update, and their translated variants with a `language_code`),
//! "Agents > View the currently authenticated agent" (`/agents/me`) and
//! "Settings > View Helpdesk Settings" (`/settings/helpdesk`),
//! "Solutions > List a Folder's Subfolders" (`GET
//! /solutions/folders/{folder_id}/subfolders`); and
//! support.freshdesk.com article 225439 ("What are the rate limits for the
//! API calls to Freshdesk?": 200 calls per minute on the Growth plan).
//!
//! - Auth: HTTP Basic with the API key as the user name and `X` (any) as the
//!   password. A Bearer token or an unknown key is 401 `{"code":
//!   "invalid_credentials", "message": "You have to be logged in to perform
//!   this action."}`.
//! - `GET /solutions/categories`, `GET /solutions/categories/{id}/folders`:
//!   bare JSON arrays; a category lists its top-level folders only.
//! - `GET /solutions/folders/{folder_id}/subfolders`: a bare JSON array of
//!   the folder's direct subfolders (the documented page names no query
//!   parameters and no pagination: every one in one answer), each with
//!   `parent_folder_id`, `hierarchy` (level 0 the category, then every
//!   folder from the top-level one down to itself), `articles_count`,
//!   `sub_folders_count`; 404 for an unknown folder.
//! - Nested folders: under each top-level folder (one per sample category)
//!   a subfolder, under that a sub-subfolder ([`FOLDER_LEVELS`] levels).
//!   Article `43000500000 + i` lives in the subfolder when `i % 5` is 1 or
//!   3, in the sub-subfolder when it is 2, else in the top-level folder: even
//!   three articles fill every level, and 1200 fill two pages of 100 both
//!   in each top-level folder and in each subfolder.
//!   A folder's article listing holds its own articles only.
//! - `GET /solutions/folders/{id}/articles?page=&per_page=` and its
//!   translated variant `.../articles/{language_code}`: bare arrays, 30 per
//!   page by default, `per_page` at most 100 (400 validation error beyond);
//!   when another page follows, `Link: <URL>; rel="next"`.
//! - `GET|PUT /solutions/articles/{id}` and `.../{id}/{language_code}`: the
//!   article (HTML in `description`, `description_text`, `status` 1 draft /
//!   2 published, `folder_id`, `category_id`, `agent_id`, timestamps).
//!   Article JSON has no public URL: every image URL in the sample HTML is
//!   absolute.
//! - Update: `Content-Type: application/json` only (415
//!   `invalid_content_type`); a JSON object whose fields are among `title
//!   description status seo_data tags agent_id`, each of its documented
//!   type; fields not sent are kept. Unknown fields (`invalid_field`), wrong
//!   types (`datatype_mismatch`), bad values (`invalid_value`) and a body
//!   with no field to change (`missing_field` on `description`) are 400
//!   `{"description": "Validation failed", "errors": [{field, message,
//!   code}]}`, every error of the body listed.
//! - Rate limit per account per minute; `X-RateLimit-Total`,
//!   `X-RateLimit-Remaining`, `X-RateLimit-Used-CurrentRequest` on every
//!   answer, 429 with `Retry-After` seconds beyond.
//! - 404 for an unknown id or language has no body, as Freshdesk's.
//! - No image upload for articles: images go to S3/R2.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::api::{self, param, query_pairs, ApiBody, Failure};
use crate::data::{AUTHORS, CATEGORIES};
use crate::html::text_of;
use crate::kit::{self, numbered, About, DataProfile, KeyIn, Quota, SimApi};
use crate::state::Shared;
use crate::store::{Article, Doc, DEFAULT_LOCALE};

/// The helpdesk the simulator claims: `demo.freshdesk.com`.
pub const FRESHDESK_DOMAIN: &str = "demo";
/// Documented maximum and default `per_page`.
pub const MAX_PER_PAGE: u64 = 100;
const DEFAULT_PER_PAGE: u64 = 30;
/// Folder nesting: a top-level folder, its subfolder, the sub-subfolder.
pub const FOLDER_LEVELS: usize = 3;
/// Names of the subfolder levels below each top-level folder.
const SUBFOLDER_NAMES: [&str; FOLDER_LEVELS - 1] = ["Advanced", "Troubleshooting"];
/// Freshdesk solution categories; each holds two of the sample categories
/// as folders.
const SOLUTION_CATEGORIES: [(u64, &str); 2] = [
    (43_000_010_001, "Using Demo"),
    (43_000_010_002, "Administration"),
];

/// Freshdesk Solutions, as [`SimApi`].
pub struct Api;

impl SimApi for Api {
    /// 200 requests per minute on the Growth plan. HTTP Basic with the API
    /// key as the user name and any password (Freshdesk: `X`, though any is
    /// accepted).
    fn about(&self) -> About {
        About::new("freshdesk", "/api/v2", 200, KeyIn::BasicUser)
    }

    /// Freshdesk articles carry an agent_id only, and their JSON has no
    /// public URL to resolve relative image URLs against (nor does its
    /// editor write any): every URL is absolute.
    fn data(&self) -> DataProfile {
        DataProfile {
            absolute_only: true,
            ..DataProfile::plain(|i, _| (43_000_500_000 + i as u64).to_string()).translated("de")
        }
    }

    fn routes(&self) -> Router<Arc<Shared>> {
        Router::new()
            .route("/agents/me", get(me))
            .route("/settings/helpdesk", get(helpdesk))
            .route("/solutions/categories", get(categories))
            .route("/solutions/categories/{id}/folders", get(folders))
            .route("/solutions/folders/{id}/subfolders", get(subfolders))
            .route("/solutions/folders/{id}/articles", get(list_primary))
            .route("/solutions/folders/{id}/articles/{lang}", get(list_lang))
            .route(
                "/solutions/articles/{id}",
                get(show_primary).put(update_primary),
            )
            .route(
                "/solutions/articles/{id}/{lang}",
                get(show_lang).put(update_lang),
            )
    }

    /// The support portal's article pages.
    fn site_routes(&self) -> Router<Arc<Shared>> {
        crate::pages::portal_routes()
    }

    fn failure(&self, f: Failure) -> Response {
        let (code, message) = match f {
            // 404 has no body, as Freshdesk's.
            Failure::NotFound => return not_found(),
            Failure::Unreadable => return invalid_json(),
            Failure::Unauthorized => (
                "invalid_credentials",
                "You have to be logged in to perform this action.",
            ),
            Failure::RateLimited => (
                "rate_limit_exceeded",
                "You have exceeded the limit of requests per minute. Retry after the time in Retry-After",
            ),
            Failure::Unavailable => (
                "service_unavailable",
                "The service is temporarily unavailable",
            ),
            Failure::MethodNotAllowed => (
                "method_not_allowed",
                "This method is not allowed for this resource",
            ),
            Failure::TooLarge => ("request_too_large", "The request is too large"),
        };
        coded(f.status(), code, message)
    }

    /// The minute's total, what remains and what this request cost on
    /// every answer; `Retry-After` (seconds) on a 429.
    fn quota_headers(&self, h: &mut HeaderMap, q: &Quota) {
        kit::set(h, "x-ratelimit-total", q.limit.into());
        kit::set(h, "x-ratelimit-remaining", q.remaining.into());
        kit::set(h, "x-ratelimit-used-currentrequest", 1);
        if !q.allowed {
            kit::set(h, "retry-after", q.retry_after);
        }
    }

    fn settings(&self, _s: &Shared) -> BTreeMap<String, String> {
        BTreeMap::from([("domain".to_string(), FRESHDESK_DOMAIN.to_string())])
    }
}

fn coded(status: StatusCode, code: &str, message: &str) -> Response {
    api::json(status, json!({ "code": code, "message": message }))
}

fn not_found() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

fn invalid_json() -> Response {
    coded(
        StatusCode::BAD_REQUEST,
        "invalid_json",
        "Request body has invalid json format",
    )
}

/// One entry of a validation error: `(field, message, code)`.
type FieldError = (String, String, &'static str);

fn validation(errors: Vec<FieldError>) -> Response {
    let errors: Vec<Value> = errors
        .into_iter()
        .map(|(field, message, code)| json!({ "field": field, "message": message, "code": code }))
        .collect();
    api::json(
        StatusCode::BAD_REQUEST,
        json!({ "description": "Validation failed", "errors": errors }),
    )
}

fn fts(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn num(id: &str) -> u64 {
    id.parse().unwrap_or(0)
}

/// The id of the folder at `level` (0 top-level, 1 its subfolder, 2 the
/// sub-subfolder) below a sample category's top-level folder.
fn folder_at(category: usize, level: usize) -> u64 {
    43_000_020_000 + 10_000 * level as u64 + CATEGORIES[category].0
}

/// `(category, level)` of a folder id.
fn folder_by_id(id: &str) -> Option<(usize, usize)> {
    (0..CATEGORIES.len())
        .flat_map(|c| (0..FOLDER_LEVELS).map(move |l| (c, l)))
        .find(|&(c, l)| folder_at(c, l).to_string() == id)
}

/// The folder level an article lives at (see the module notes).
fn article_level(article_id: &str) -> usize {
    match num(article_id) % 5 {
        1 | 3 => 1,
        2 => 2,
        _ => 0,
    }
}

fn folder_name(category: usize, level: usize) -> &'static str {
    match level {
        0 => CATEGORIES[category].2,
        l => SUBFOLDER_NAMES[l - 1],
    }
}

/// The documented `hierarchy`: the solution category at level 0, then every
/// folder from the top-level one down to `level`.
fn hierarchy(category: usize, level: usize, locale: &str) -> Value {
    let cat = solution_category(category);
    let mut out = vec![json!({ "level": 0, "type": "category", "data": {
        "id": SOLUTION_CATEGORIES[cat].0, "name": SOLUTION_CATEGORIES[cat].1, "language": locale } })];
    for l in 0..=level {
        out.push(json!({ "level": l + 1, "type": "folder", "data": {
            "id": folder_at(category, l), "name": folder_name(category, l), "language": locale } }));
    }
    Value::Array(out)
}

/// A folder object as the folder listings show it.
fn folder_json(store: &crate::store::Store, category: usize, level: usize) -> Value {
    let mut f = json!({
        "id": folder_at(category, level),
        "name": folder_name(category, level),
        "description": null,
        "hierarchy": hierarchy(category, level, DEFAULT_LOCALE),
        "visibility": 1,
        "articles_count": store
            .articles
            .iter()
            .filter(|a| a.category == category && article_level(&a.id) == level)
            .count(),
        "sub_folders_count": usize::from(level + 1 < FOLDER_LEVELS),
        "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2020-01-01T00:00:00Z",
    });
    if level > 0 {
        f["parent_folder_id"] = json!(folder_at(category, level - 1));
    }
    f
}

/// The solution category a sample category's folder is in.
fn solution_category(category: usize) -> usize {
    category * SOLUTION_CATEGORIES.len() / CATEGORIES.len()
}

fn agent_id(author: usize) -> u64 {
    43_000_000_000 + AUTHORS[author].0
}

fn article_json(a: &Article, d: &Doc) -> Value {
    let cat = solution_category(a.category);
    let level = article_level(&a.id);
    json!({
        "id": num(&a.id),
        "type": 1,
        "category_id": SOLUTION_CATEGORIES[cat].0,
        "folder_id": folder_at(a.category, level),
        "hierarchy": hierarchy(a.category, level, &d.locale),
        "thumbs_up": 0,
        "thumbs_down": 0,
        "hits": a.views,
        "seo_data": {},
        "tags": [],
        "agent_id": agent_id(a.author),
        "title": d.title,
        "description": d.html,
        "description_text": text_of(&d.html),
        "status": if d.published { 2 } else { 1 },
        "created_at": fts(&a.created_at),
        "updated_at": fts(&d.updated_at),
    })
}

async fn me() -> Response {
    let (id, name) = AUTHORS[0];
    api::json(
        StatusCode::OK,
        json!({
            "available": true,
            "occasional": false,
            "id": 43_000_000_000 + id,
            "ticket_scope": 1,
            "signature": null,
            "group_ids": [],
            "role_ids": [],
            "skill_ids": [],
            "available_since": null,
            "type": "support_agent",
            "contact": {
                "active": true,
                "email": "maya.chen@demo.example",
                "job_title": "Support lead",
                "language": DEFAULT_LOCALE,
                "mobile": null,
                "name": name,
                "phone": null,
                "time_zone": "Chennai",
                "created_at": "2020-01-01T00:00:00Z",
                "updated_at": "2020-01-01T00:00:00Z",
            },
            "created_at": "2020-01-01T00:00:00Z",
            "updated_at": "2020-01-01T00:00:00Z",
        }),
    )
}

/// Languages other than the primary one that some article is translated to.
fn supported_languages(s: &Shared) -> Vec<String> {
    let store = s.store.lock().expect("store lock");
    let mut out: Vec<String> = Vec::new();
    for d in store.articles.iter().flat_map(|a| a.docs.iter()) {
        if d.locale != DEFAULT_LOCALE && !out.contains(&d.locale) {
            out.push(d.locale.clone());
        }
    }
    out
}

async fn helpdesk(State(s): State<Arc<Shared>>) -> Response {
    let langs = supported_languages(&s);
    api::json(
        StatusCode::OK,
        json!({
            "primary_language": DEFAULT_LOCALE,
            "supported_languages": langs,
            "portal_languages": langs,
            "help_widget_languages": [],
        }),
    )
}

async fn categories() -> Response {
    let list: Vec<Value> = SOLUTION_CATEGORIES
        .iter()
        .map(|(id, name)| {
            json!({
                "id": id,
                "name": name,
                "description": null,
                "visible_in_portals": [43_000_000_001u64],
                "created_at": "2020-01-01T00:00:00Z",
                "updated_at": "2020-01-01T00:00:00Z",
            })
        })
        .collect();
    api::json(StatusCode::OK, Value::Array(list))
}

async fn folders(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let Some(cat) = SOLUTION_CATEGORIES
        .iter()
        .position(|(c, _)| c.to_string() == id)
    else {
        return not_found();
    };
    let store = s.store.lock().expect("store lock");
    let list: Vec<Value> = (0..CATEGORIES.len())
        .filter(|&c| solution_category(c) == cat)
        .map(|c| folder_json(&store, c, 0))
        .collect();
    api::json(StatusCode::OK, Value::Array(list))
}

/// "List a Folder's Subfolders": the direct subfolders, all in one answer.
async fn subfolders(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let Some((category, level)) = folder_by_id(&id) else {
        return not_found();
    };
    let store = s.store.lock().expect("store lock");
    let list: Vec<Value> = (level + 1..FOLDER_LEVELS)
        .take(1)
        .map(|l| folder_json(&store, category, l))
        .collect();
    api::json(StatusCode::OK, Value::Array(list))
}

/// `page` >= 1 (default 1) and `per_page` 1..=100 (default 30); every bad
/// parameter is listed.
fn paging(pairs: &[(String, String)]) -> Result<(u64, u64), Response> {
    let mut errors = Vec::new();
    let mut int = |key: &str, default: u64, max: Option<u64>| -> u64 {
        let Some(raw) = param(pairs, key) else {
            return default;
        };
        match raw.trim().parse::<u64>() {
            Ok(n) if n >= 1 && max.is_none_or(|m| n <= m) => n,
            _ => {
                let message = match max {
                    Some(m) => format!("It should be a Positive Integer less than or equal to {m}"),
                    None => "It should be a Positive Integer".to_string(),
                };
                errors.push((key.to_string(), message, "invalid_value"));
                default
            }
        }
    };
    let page = int("page", 1, None);
    let per_page = int("per_page", DEFAULT_PER_PAGE, Some(MAX_PER_PAGE));
    if errors.is_empty() {
        Ok((page, per_page))
    } else {
        Err(validation(errors))
    }
}

/// The store locale a language code names: the primary language or a
/// translation some article has; anything else is unknown.
fn language(s: &Shared, code: &str) -> Option<String> {
    let code = code.to_ascii_lowercase();
    (code == DEFAULT_LOCALE || supported_languages(s).contains(&code)).then_some(code)
}

async fn list_primary(State(s): State<Arc<Shared>>, Path(id): Path<String>, uri: Uri) -> Response {
    list(&s, &id, None, &uri)
}

async fn list_lang(
    State(s): State<Arc<Shared>>,
    Path((id, lang)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    list(&s, &id, Some(&lang), &uri)
}

fn list(s: &Shared, folder: &str, lang: Option<&str>, uri: &Uri) -> Response {
    if s.opts.faults.garbage_list {
        return api::garbage();
    }
    let Some((category, level)) = folder_by_id(folder) else {
        return not_found();
    };
    let locale = match lang {
        None => DEFAULT_LOCALE.to_string(),
        Some(l) => match language(s, l) {
            Some(l) => l,
            None => return not_found(),
        },
    };
    let (page, per_page) = match paging(&query_pairs(uri)) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let store = s.store.lock().expect("store lock");
    let docs: Vec<Value> = store
        .articles
        .iter()
        .filter(|a| a.category == category && article_level(&a.id) == level)
        .filter_map(|a| a.doc(Some(&locale)).map(|d| article_json(a, d)))
        .collect();
    let one = numbered(docs, page, per_page);
    let mut resp = api::json(StatusCode::OK, Value::Array(one.items));
    if page * per_page < one.total {
        let path = match lang {
            None => format!("/api/v2/solutions/folders/{folder}/articles"),
            Some(l) => format!("/api/v2/solutions/folders/{folder}/articles/{l}"),
        };
        let next = format!(
            "<{}{path}?page={}&per_page={per_page}>; rel=\"next\"",
            s.site,
            page + 1
        );
        if let Ok(v) = HeaderValue::from_str(&next) {
            resp.headers_mut().insert(header::LINK, v);
        }
    }
    resp
}

async fn show_primary(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    show(&s, &id, None)
}

async fn show_lang(
    State(s): State<Arc<Shared>>,
    Path((id, lang)): Path<(String, String)>,
) -> Response {
    show(&s, &id, Some(&lang))
}

fn show(s: &Shared, id: &str, lang: Option<&str>) -> Response {
    let locale = match lang {
        None => DEFAULT_LOCALE.to_string(),
        Some(l) => match language(s, l) {
            Some(l) => l,
            None => return not_found(),
        },
    };
    let store = s.store.lock().expect("store lock");
    match store.get(id).and_then(|a| Some((a, a.doc(Some(&locale))?))) {
        Some((a, d)) => api::json(StatusCode::OK, article_json(a, d)),
        None => not_found(),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "Integer",
        Value::Number(_) => "Float",
        Value::String(_) => "String",
        Value::Array(_) => "Array",
        Value::Object(_) => "Hash",
    }
}

/// The fields an update may send, with the type each must have.
const FIELDS: [(&str, &str); 6] = [
    ("title", "String"),
    ("description", "String"),
    ("status", "Integer"),
    ("seo_data", "Hash"),
    ("tags", "Array"),
    ("agent_id", "Integer"),
];

fn check_update(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, Response> {
    if !api::is_json(headers) {
        let sent = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("nothing");
        return Err(api::json(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            json!({
                "code": "invalid_content_type",
                "message": format!("Content-Type header is set to {sent}. It should be set to application/json"),
            }),
        ));
    }
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(body) else {
        return Err(invalid_json());
    };
    let mut errors: Vec<FieldError> = Vec::new();
    for (key, v) in &obj {
        let Some((_, kind)) = FIELDS.iter().find(|(f, _)| f == key) else {
            errors.push((
                key.clone(),
                "Unexpected/invalid field in request".into(),
                "invalid_field",
            ));
            continue;
        };
        let got = type_name(v);
        if got != *kind {
            errors.push((
                key.clone(),
                format!("Value set is of type {got}.It should be a/an {kind}"),
                "datatype_mismatch",
            ));
            continue;
        }
        match key.as_str() {
            "status" if !matches!(v.as_u64(), Some(1 | 2)) => errors.push((
                key.clone(),
                "It should be one of these values: '1,2'".into(),
                "invalid_value",
            )),
            "title" if v.as_str().is_some_and(|t| t.trim().is_empty()) => errors.push((
                key.clone(),
                "It should not be blank as this is a mandatory field".into(),
                "invalid_value",
            )),
            "tags" if !v.as_array().is_some_and(|t| t.iter().all(Value::is_string)) => {
                errors.push((
                    key.clone(),
                    "It should contain elements of type String only".into(),
                    "datatype_mismatch",
                ))
            }
            _ => {}
        }
    }
    if errors.is_empty() && obj.is_empty() {
        errors.push((
            "description".into(),
            "It should be a/an String".into(),
            "missing_field",
        ));
    }
    if errors.is_empty() {
        Ok(obj)
    } else {
        Err(validation(errors))
    }
}

async fn update_primary(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiBody(body): ApiBody,
) -> Response {
    update(&s, &id, None, &headers, body)
}

async fn update_lang(
    State(s): State<Arc<Shared>>,
    Path((id, lang)): Path<(String, String)>,
    headers: HeaderMap,
    ApiBody(body): ApiBody,
) -> Response {
    update(&s, &id, Some(&lang), &headers, body)
}

fn update(
    s: &Shared,
    id: &str,
    lang: Option<&str>,
    headers: &HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let locale = match lang {
        None => DEFAULT_LOCALE.to_string(),
        Some(l) => match language(s, l) {
            Some(l) => l,
            None => return not_found(),
        },
    };
    let known = {
        let store = s.store.lock().expect("store lock");
        store
            .get(id)
            .is_some_and(|a| a.doc(Some(&locale)).is_some())
    };
    if !known {
        return not_found();
    }
    let obj = match check_update(headers, &body) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let mut store = s.store.lock().expect("store lock");
    let Some(a) = store.get_mut(id) else {
        return not_found();
    };
    let now = Utc::now();
    {
        let Some(d) = a.doc_mut(Some(&locale)) else {
            return not_found();
        };
        if let Some(t) = obj.get("description").and_then(Value::as_str) {
            d.html = t.to_string();
        }
        if let Some(t) = obj.get("title").and_then(Value::as_str) {
            d.title = t.to_string();
        }
        if let Some(st) = obj.get("status").and_then(Value::as_u64) {
            d.published = st == 2;
        }
        d.updated_at = now;
    }
    if let Some(agent) = obj.get("agent_id").and_then(Value::as_u64) {
        if let Some(i) = (0..AUTHORS.len()).find(|&i| agent_id(i) == agent) {
            a.author = i;
        }
    }
    a.updated_at = now;
    let d = a.doc(Some(&locale)).expect("checked above");
    api::json(StatusCode::OK, article_json(a, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_split_over_categories() {
        let cats: Vec<usize> = (0..CATEGORIES.len()).map(solution_category).collect();
        assert_eq!(cats, [0, 0, 1, 1]);
    }

    #[test]
    fn folders_nest_three_levels_with_distinct_ids() {
        let mut ids: Vec<u64> = (0..CATEGORIES.len())
            .flat_map(|c| (0..FOLDER_LEVELS).map(move |l| folder_at(c, l)))
            .collect();
        for &id in &ids {
            let (c, l) = folder_by_id(&id.to_string()).unwrap();
            assert_eq!(folder_at(c, l), id);
        }
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), CATEGORIES.len() * FOLDER_LEVELS);
        // The first three sample articles fill every level.
        let levels: Vec<usize> = (0..3)
            .map(|i| article_level(&(43_000_500_000u64 + i).to_string()))
            .collect();
        assert_eq!(levels, [0, 1, 2]);
    }
}
