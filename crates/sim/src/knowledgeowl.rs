//! KnowledgeOwl API (`/api/head`). Follows
//! <https://support.knowledgeowl.com/help/using-api> (authentication, API
//! keys), <https://support.knowledgeowl.com/help/api-overview> (basic auth
//! with the key as user and a dummy password, JSON in and out, `.json`
//! endpoints) and the endpoint reference for `article`, `project` and
//! `file`.
//!
//! - Auth: HTTP Basic, the API key as user name, any password (`X`).
//!   Bearer or an unknown key: 401.
//! - Every call is scoped to a knowledge base: `project_id` (query, or the
//!   JSON/multipart body of a write) is required (400 without it, 404 for
//!   another project).
//! - `GET /project/{id}.json`: the knowledge base (the verify call).
//! - `GET /article.json?project_id=&page=&limit=` (`limit` 1..=100, default
//!   100): `{"valid": true, "page_stats": {"current_page", "total_pages",
//!   "total_records"}, "data": [article]}`. An article: `id`, `project_id`,
//!   `name`, `status` (`published` / `draft`), `url_hash`, `date_created`,
//!   `date_modified`, and `current_version` keyed by language code, each
//!   `{"title", "text"}` (`text` is the HTML).
//! - `GET /article/{id}.json`: `{"valid": true, "data": article}`.
//! - `PUT /article/{id}.json`: JSON only; `current_version` merged per
//!   language and per field (languages and fields not sent are kept); a
//!   `current_version` that is not an object of objects, a `text` that is
//!   not a string, or a language the knowledge base does not have is 400.
//! - `POST /file.json`: multipart `project_id` + `file`;
//!   `{"valid": true, "data": {"id", "name", "url"}}`.
//! - Errors `{"valid": false, "message": "..."}`; 429 with `Retry-After`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use serde_json::{json, Map, Value};

use crate::api::{self, param, query_pairs, ApiBody, Failure};
use crate::helpcenter::{sniff, upload_limit, MAX_UPLOAD};
use crate::kit::{
    self, numbered, page_and_size, About, DataProfile, KeyIn, PageProblem, Quota, SimApi,
};
use crate::state::Shared;
use crate::store::{ts, Article, DEFAULT_LOCALE};

/// Languages of the simulated knowledge base.
pub const LANGUAGES: [&str; 2] = [DEFAULT_LOCALE, "de"];
const MAX_LIMIT: u64 = 100;

/// The KnowledgeOwl API, as [`SimApi`].
pub struct Api;

impl SimApi for Api {
    /// HTTP Basic with the API key as the user name and any password.
    fn about(&self) -> About {
        About::new("knowledgeowl", "/api/head", 100, KeyIn::BasicUser)
    }

    fn data(&self) -> DataProfile {
        DataProfile::plain(|i, seed| format!("60{:06x}{seed:016x}", 0x2b_0000u64 + i as u64))
            .translated("de")
    }

    fn routes(&self) -> Router<Arc<Shared>> {
        Router::new()
            .route("/project/{file}", get(project))
            .route("/article.json", get(list))
            .route("/article/{file}", get(show).put(update))
            .route("/file.json", post(upload).layer(upload_limit()))
    }

    fn failure(&self, f: Failure) -> Response {
        let message = match f {
            Failure::Unauthorized => "Invalid API key",
            Failure::RateLimited => "Rate limit exceeded",
            Failure::Unavailable => "Service unavailable",
            Failure::NotFound => "Not found",
            Failure::MethodNotAllowed => "Method not allowed",
            Failure::TooLarge => "Request too large",
            Failure::Unreadable => "The request body could not be read",
        };
        error(f.status(), message)
    }

    /// `Retry-After` on a 429.
    fn quota_headers(&self, h: &mut HeaderMap, q: &Quota) {
        if !q.allowed {
            kit::set(h, "retry-after", q.retry_after);
        }
    }

    fn settings(&self, s: &Shared) -> BTreeMap<String, String> {
        BTreeMap::from([("project_id".to_string(), project_id(s))])
    }
}

/// The simulated knowledge base's id.
pub fn project_id(s: &Shared) -> String {
    format!("5f1e{:020x}", s.opts.seed.wrapping_mul(0x9E37_79B9))
}

fn error(status: StatusCode, message: &str) -> Response {
    api::json(status, json!({ "valid": false, "message": message }))
}

/// `{id}.json` → `id`; other formats are not simulated.
fn json_id(file: &str) -> Result<&str, Response> {
    file.strip_suffix(".json")
        .filter(|id| !id.is_empty())
        .ok_or_else(|| Api.failure(Failure::NotFound))
}

/// The request's `project_id` must be this knowledge base.
fn check_project(s: &Shared, given: Option<&str>) -> Result<(), Response> {
    match given.map(str::trim).filter(|p| !p.is_empty()) {
        None => Err(error(StatusCode::BAD_REQUEST, "project_id is required")),
        Some(p) if p == project_id(s) => Ok(()),
        Some(_) => Err(error(StatusCode::NOT_FOUND, "Project not found")),
    }
}

/// The generator's index of an article (`60` + six hex digits + seed).
fn index_of(id: &str) -> Option<usize> {
    let n = usize::from_str_radix(id.get(2..8)?, 16).ok()?;
    n.checked_sub(0x2b_0000)
}

/// Every sixth article is served in the shape of older KnowledgeOwl answers,
/// as a `GET /article/{id}.json` answer quoted in the README of the
/// `knowledgeowl` Python client (PyPI) shows it: plain `text` and `title`
/// strings beside the language objects
/// (`"current_version": {"text": "...", "en": {"text": "", "title": "Test"}, "title": "test"}`),
/// and language objects with no `url`. Their images then have no public
/// URL to resolve against.
fn older_shape(a: &Article) -> bool {
    index_of(&a.id).is_some_and(|i| i % 6 == 1)
}

fn article_json(s: &Shared, a: &Article) -> Value {
    let older = older_shape(a);
    let mut versions: Map<String, Value> = a
        .docs
        .iter()
        .map(|d| {
            let v = if older {
                json!({ "title": d.title, "text": d.html })
            } else {
                json!({ "title": d.title, "text": d.html, "url": format!("{}{}", s.site, d.path) })
            };
            (d.locale.clone(), v)
        })
        .collect();
    if older {
        versions.insert("text".into(), json!(a.main().html));
        versions.insert("title".into(), json!(a.main().title.to_lowercase()));
    }
    json!({
        "id": a.id,
        "project_id": project_id(s),
        "name": a.main().title,
        "status": if a.main().published { "published" } else { "draft" },
        "url_hash": a.main().slug,
        "current_version": versions,
        "date_created": ts(&a.created_at),
        "date_modified": ts(&a.updated_at),
    })
}

async fn project(State(s): State<Arc<Shared>>, Path(file): Path<String>) -> Response {
    let id = match json_id(&file) {
        Ok(id) => id,
        Err(e) => return e,
    };
    if let Err(e) = check_project(&s, Some(id)) {
        return e;
    }
    api::json(
        StatusCode::OK,
        json!({ "valid": true, "data": {
            "id": id, "name": "Demo knowledge base", "languages": LANGUAGES,
        }}),
    )
}

fn paging(pairs: &[(String, String)]) -> Result<(u64, u64), Response> {
    page_and_size(pairs, "limit", MAX_LIMIT, MAX_LIMIT, |p| {
        let message = match p {
            PageProblem::NotANumber(key) => format!("{key} must be a number"),
            PageProblem::PageBelowOne => "page must be at least 1".into(),
            PageProblem::SizeBelowOne | PageProblem::SizeAboveMax(_) => {
                "limit must be between 1 and 100".into()
            }
        };
        error(StatusCode::BAD_REQUEST, &message)
    })
}

async fn list(State(s): State<Arc<Shared>>, uri: Uri) -> Response {
    let pairs = query_pairs(&uri);
    if let Err(e) = check_project(&s, param(&pairs, "project_id")) {
        return e;
    }
    if s.opts.faults.garbage_list {
        return api::garbage();
    }
    let (page, limit) = match paging(&pairs) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let store = s.store.lock().expect("store lock");
    let one = numbered(&store.articles, page, limit);
    let data: Vec<Value> = one.items.iter().map(|a| article_json(&s, a)).collect();
    let data = api::unreadable_first(&s, data, "current_version");
    api::json(
        StatusCode::OK,
        json!({
            "valid": true,
            "page_stats": {
                "current_page": page,
                "total_pages": one.pages.max(1),
                "total_records": one.total,
            },
            "data": data,
        }),
    )
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Article not found")
}

async fn show(State(s): State<Arc<Shared>>, Path(file): Path<String>, uri: Uri) -> Response {
    let id = match json_id(&file) {
        Ok(id) => id,
        Err(e) => return e,
    };
    if let Err(e) = check_project(&s, param(&query_pairs(&uri), "project_id")) {
        return e;
    }
    let store = s.store.lock().expect("store lock");
    match store.get(id) {
        Some(a) => api::json(
            StatusCode::OK,
            json!({ "valid": true, "data": article_json(&s, a) }),
        ),
        None => not_found(),
    }
}

/// Shape checks of a PUT body.
fn check_body(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, Response> {
    if !api::is_json(headers) {
        return Err(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json",
        ));
    }
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(body) else {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "The request body must be a JSON object",
        ));
    };
    if !["current_version", "name", "status"]
        .iter()
        .any(|f| obj.contains_key(*f))
    {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "Nothing to update: send current_version, name or status",
        ));
    }
    if let Some(cv) = obj.get("current_version") {
        let Some(langs) = cv.as_object() else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "current_version must be an object keyed by language code",
            ));
        };
        for (lang, v) in langs {
            let Some(fields) = v.as_object() else {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    &format!("current_version.{lang} must be an object"),
                ));
            };
            if fields
                .iter()
                .any(|(k, v)| (k == "text" || k == "title") && !v.is_string())
            {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    &format!("current_version.{lang}.text and .title must be strings"),
                ));
            }
            if !LANGUAGES.contains(&lang.as_str()) {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    &format!("The language '{lang}' is not enabled in this knowledge base"),
                ));
            }
        }
    }
    if let Some(st) = obj.get("status") {
        if !matches!(st.as_str(), Some("published" | "draft")) {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "status must be published or draft",
            ));
        }
    }
    Ok(obj)
}

async fn update(
    State(s): State<Arc<Shared>>,
    Path(file): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    ApiBody(body): ApiBody,
) -> Response {
    let id = match json_id(&file) {
        Ok(id) => id.to_string(),
        Err(e) => return e,
    };
    let obj = match check_body(&headers, &body) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let query_project = param(&query_pairs(&uri), "project_id").map(str::to_string);
    let given = query_project.or_else(|| {
        obj.get("project_id")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    if let Err(e) = check_project(&s, given.as_deref()) {
        return e;
    }
    let mut store = s.store.lock().expect("store lock");
    let Some(a) = store.get_mut(&id) else {
        return not_found();
    };
    let now = Utc::now();
    if let Some(langs) = obj.get("current_version").and_then(Value::as_object) {
        for (lang, fields) in langs {
            if a.doc(Some(lang)).is_none() {
                let published = a.main().published;
                a.add_doc(lang, published);
            }
            let d = a.doc_mut(Some(lang)).expect("document exists");
            if let Some(t) = fields.get("text").and_then(Value::as_str) {
                d.html = t.to_string();
            }
            if let Some(t) = fields.get("title").and_then(Value::as_str) {
                d.title = t.to_string();
            }
            d.updated_at = now;
        }
    }
    if let Some(p) = obj.get("status").and_then(Value::as_str) {
        let p = p == "published";
        a.docs.iter_mut().for_each(|d| d.published = p);
    }
    a.updated_at = now;
    api::json(
        StatusCode::OK,
        json!({ "valid": true, "data": article_json(&s, a) }),
    )
}

async fn upload(
    State(s): State<Arc<Shared>>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let Ok(m) = multipart else {
        return error(
            StatusCode::BAD_REQUEST,
            "Send multipart/form-data with project_id and file",
        );
    };
    let unreadable = || {
        error(
            StatusCode::BAD_REQUEST,
            "The multipart body could not be read",
        )
    };
    let form = match api::read_form(&s, m, &["project_id"], "file", unreadable).await {
        Ok(f) => f,
        Err(e) => return e,
    };
    let (project, file) = (form.text("project_id"), form.file);
    if let Err(e) = check_project(&s, project.as_deref()) {
        return e;
    }
    let Some((name, bytes)) = file else {
        return error(StatusCode::BAD_REQUEST, "file is required");
    };
    if bytes.len() > MAX_UPLOAD {
        return Api.failure(Failure::TooLarge);
    }
    let Some(content_type) = sniff(&bytes) else {
        return error(StatusCode::BAD_REQUEST, "The file is not an image");
    };
    let stored = s.images.add_upload(&name, bytes, content_type);
    api::json(
        StatusCode::OK,
        json!({ "valid": true, "data": {
            "id": format!("f{stored}"),
            "name": name,
            "project_id": project_id(&s),
            "url": format!("{}/uploads/{stored}", s.site),
        }}),
    )
}
