//! Zendesk Guide, the Help Center API under `/api/v2`, following
//! developer.zendesk.com:
//! - api-reference/introduction/security-and-auth/ (API token: HTTP Basic
//!   `{email}/token:{api_token}`),
//! - api-reference/introduction/pagination/ (cursor: `page[size]` max 100,
//!   `page[after]`, `meta.has_more`/`after_cursor`, `links.next`),
//! - api-reference/introduction/rate-limits/ (`X-Rate-Limit`,
//!   `X-Rate-Limit-Remaining`; 429 with `Retry-After`),
//! - api-reference/help_center/help-center-api/articles/,
//!   .../translations/, .../article_attachments/, .../help_center_locales/,
//! - api-reference/ticketing/users/users/#show-the-currently-authenticated-user.
//!
//! Routes: `GET /users/me.json`; `GET /help_center/locales.json`;
//! `GET /help_center/articles.json` and `GET /help_center/{locale}/articles.json`
//! (articles in that locale; agents also see drafts); `GET
//! /help_center/articles/{id}.json` (source locale) and
//! `/help_center/{locale}/articles/{id}.json`; `GET
//! /help_center/articles/{id}/translations.json`; `GET|PUT
//! /help_center/articles/{id}/translations/{locale}.json` (the only way to
//! change a body: `{"translation": {...}}`); `POST
//! /help_center/articles/{id}/attachments(.json)` (multipart `file`,
//! `inline`).
//!
//! Rejected as Zendesk does: any auth but Basic `email/token:TOKEN` for the
//! sim agent (401 `{"error":"Couldn't authenticate you"}`), `page[size]`
//! over 100 or an unknown cursor (400), a PUT whose body is not JSON or has
//! no `translation` object or a non-string field (400 `RecordInvalid`).
//!
//! The store's default language `en` is Zendesk's `en-us`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::api::{self, param, query_pairs, ApiBody, Failure};
use crate::data::CATEGORIES;
use crate::kit::{self, About, DataProfile, KeyIn, Quota, SimApi};
use crate::state::Shared;
use crate::store::{Article, Doc, DEFAULT_LOCALE};

/// The agent whose API token the simulator accepts.
pub const ZENDESK_EMAIL: &str = "agent@example.com";
/// The subdomain the simulator claims.
pub const ZENDESK_SUBDOMAIN: &str = "demo";
/// Zendesk's cursor pagination maximum.
pub const MAX_PAGE_SIZE: usize = 100;
const DEFAULT_PAGE_SIZE: usize = 30;
const SOURCE_LOCALE: &str = "en-us";

/// The Zendesk Help Center API, as [`SimApi`].
pub struct Api;

impl SimApi for Api {
    /// 200 requests per minute on the smallest plan; the key only as Basic
    /// `{email}/token:{api_token}`.
    fn about(&self) -> About {
        About::new("zendesk", "/api/v2", 200, KeyIn::Own(credential))
    }

    /// Zendesk articles carry an author_id only.
    fn data(&self) -> DataProfile {
        DataProfile::plain(|i, _| (360_001_000_000 + i as u64).to_string()).translated("de")
    }

    fn routes(&self) -> Router<Arc<Shared>> {
        Router::new()
            .route("/users/me.json", get(me))
            .route("/help_center/locales.json", get(locales))
            .route("/help_center/articles.json", get(list_default))
            .route("/help_center/{locale}/articles.json", get(list_locale))
            .route("/help_center/articles/{file}", get(show_default))
            .route("/help_center/{locale}/articles/{file}", get(show_locale))
            .route(
                "/help_center/articles/{id}/translations.json",
                get(translations),
            )
            .route(
                "/help_center/articles/{id}/translations/{file}",
                get(show_translation).put(update_translation),
            )
            .route("/help_center/articles/{id}/attachments", post(attach))
            .route("/help_center/articles/{id}/attachments.json", post(attach))
    }

    fn failure(&self, f: Failure) -> Response {
        let (kind, description) = match f {
            Failure::Unauthorized => {
                return api::json(f.status(), json!({ "error": "Couldn't authenticate you" }))
            }
            Failure::NotFound => return not_found(),
            Failure::RateLimited => (
                "TooManyRequests",
                "You have exceeded the rate limit. Please retry after the time in Retry-After",
            ),
            Failure::Unavailable => ("ServiceUnavailable", "Maintenance in progress"),
            Failure::MethodNotAllowed => ("MethodNotAllowed", "Method not allowed"),
            Failure::TooLarge => ("RequestEntityTooLarge", "The request is too large"),
            Failure::Unreadable => ("InvalidRequest", "The request body could not be read"),
        };
        error(f.status(), kind, description)
    }

    /// `X-Rate-Limit` and `X-Rate-Limit-Remaining` on every answer,
    /// `Retry-After` on a 429.
    fn quota_headers(&self, h: &mut HeaderMap, q: &Quota) {
        kit::set(h, "x-rate-limit", q.limit.into());
        kit::set(h, "x-rate-limit-remaining", q.remaining.into());
        if !q.allowed {
            kit::set(h, "retry-after", q.retry_after);
        }
    }

    fn settings(&self, _s: &Shared) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("subdomain".to_string(), ZENDESK_SUBDOMAIN.to_string()),
            ("email".to_string(), ZENDESK_EMAIL.to_string()),
        ])
    }
}

/// The key of a request: the API token of `Basic base64(email/token:TOKEN)`
/// for the sim agent. Anything else (Bearer, a password, another email)
/// presents no valid key.
fn credential(headers: &HeaderMap, _uri: &Uri) -> Option<String> {
    let auth = headers.get("authorization")?.to_str().ok()?.trim();
    let encoded = auth.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, token) = text.split_once(':')?;
    let email = user.strip_suffix("/token")?;
    if !email.eq_ignore_ascii_case(ZENDESK_EMAIL) {
        return Some(String::new());
    }
    Some(token.to_string())
}

fn error(status: StatusCode, error: &str, description: &str) -> Response {
    api::json(
        status,
        json!({ "error": error, "description": description }),
    )
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "RecordNotFound", "Not found")
}

fn invalid(field: &str, message: &str) -> Response {
    api::json(
        StatusCode::BAD_REQUEST,
        json!({
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": { field: [{ "description": message }] }
        }),
    )
}

/// Zendesk locale of a store locale.
fn zd_locale(store_locale: &str) -> &str {
    if store_locale == DEFAULT_LOCALE {
        SOURCE_LOCALE
    } else {
        store_locale
    }
}

/// Store locale of a Zendesk locale (case-insensitive, as Zendesk).
fn store_locale(zd: &str) -> String {
    let zd = zd.to_ascii_lowercase();
    if zd == SOURCE_LOCALE {
        DEFAULT_LOCALE.to_string()
    } else {
        zd
    }
}

fn zts(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn num(id: &str) -> u64 {
    id.parse().unwrap_or(0)
}

fn article_json(s: &Shared, a: &Article, d: &Doc) -> Value {
    let locale = zd_locale(&d.locale);
    json!({
        "id": num(&a.id),
        "url": format!("{}/api/v2/help_center/{locale}/articles/{}.json", s.site, a.id),
        "html_url": format!("{}{}", s.site, d.path),
        "author_id": 360_000_000 + a.author as u64,
        "comments_disabled": false,
        "draft": !d.published,
        "promoted": false,
        "position": 0,
        "vote_sum": 0,
        "vote_count": 0,
        "section_id": 360_100_000 + CATEGORIES[a.category].0,
        "created_at": zts(&a.created_at),
        "updated_at": zts(&d.updated_at),
        "edited_at": zts(&d.updated_at),
        "title": d.title,
        "source_locale": SOURCE_LOCALE,
        "locale": locale,
        "outdated": false,
        "outdated_locales": [],
        "permission_group_id": 1,
        "user_segment_id": null,
        "label_names": [],
        "body": d.html,
    })
}

fn translation_json(s: &Shared, a: &Article, i: usize) -> Value {
    let d = &a.docs[i];
    let locale = zd_locale(&d.locale);
    json!({
        "id": num(&a.id) * 10 + i as u64,
        "url": format!("{}/api/v2/help_center/articles/{}/translations/{locale}.json", s.site, a.id),
        "html_url": format!("{}{}", s.site, d.path),
        "source_id": num(&a.id),
        "source_type": "Article",
        "locale": locale,
        "title": d.title,
        "body": d.html,
        "outdated": false,
        "draft": !d.published,
        "created_at": zts(&a.created_at),
        "updated_at": zts(&d.updated_at),
        "updated_by_id": 360_000_000 + a.author as u64,
        "created_by_id": 360_000_000 + a.author as u64,
    })
}

async fn me() -> Response {
    api::json(
        StatusCode::OK,
        json!({ "user": {
            "id": 360_000_011u64,
            "name": "Maya Chen",
            "email": ZENDESK_EMAIL,
            "role": "agent",
            "active": true,
            "locale": SOURCE_LOCALE,
        }}),
    )
}

/// Locales that have at least one document, default first.
fn all_locales(s: &Shared) -> Vec<String> {
    let store = s.store.lock().expect("store lock");
    let mut out = vec![SOURCE_LOCALE.to_string()];
    for a in &store.articles {
        for d in &a.docs {
            let l = zd_locale(&d.locale).to_string();
            if !out.contains(&l) {
                out.push(l);
            }
        }
    }
    out
}

async fn locales(State(s): State<Arc<Shared>>) -> Response {
    api::json(
        StatusCode::OK,
        json!({ "locales": all_locales(&s), "default_locale": SOURCE_LOCALE }),
    )
}

fn encode_cursor(pos: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("after:{pos}"))
}

fn decode_cursor(c: &str) -> Option<usize> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("after:")?
        .parse()
        .ok()
}

fn bad_page(msg: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "InvalidPaginationParameter", msg)
}

async fn list_default(State(s): State<Arc<Shared>>, uri: Uri) -> Response {
    list(&s, SOURCE_LOCALE, &uri)
}

async fn list_locale(
    State(s): State<Arc<Shared>>,
    Path(locale): Path<String>,
    uri: Uri,
) -> Response {
    list(&s, &locale, &uri)
}

fn list(s: &Shared, locale: &str, uri: &Uri) -> Response {
    if s.opts.faults.garbage_list {
        return api::garbage();
    }
    let pairs = query_pairs(uri);
    let size = match param(&pairs, "page[size]") {
        None => DEFAULT_PAGE_SIZE,
        Some(v) => match v.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            _ => return bad_page("page[size] must be an integer between 1 and 100"),
        },
    };
    let start = match param(&pairs, "page[after]") {
        None => 0,
        Some(c) => match decode_cursor(c) {
            Some(p) => p,
            None => return bad_page("page[after] is not a valid cursor"),
        },
    };
    let wanted = store_locale(locale);
    let store = s.store.lock().expect("store lock");
    let docs: Vec<(&Article, &Doc)> = store
        .articles
        .iter()
        .filter_map(|a| a.doc(Some(&wanted)).map(|d| (a, d)))
        .collect();
    let page: Vec<Value> = docs
        .iter()
        .skip(start)
        .take(size)
        .map(|(a, d)| article_json(s, a, d))
        .collect();
    let end = start + page.len();
    let has_more = end < docs.len();
    let after = has_more.then(|| encode_cursor(end));
    let base = format!("{}/api/v2/help_center/{locale}/articles.json", s.site);
    let next = after
        .as_ref()
        .map(|c| format!("{base}?page%5Bsize%5D={size}&page%5Bafter%5D={c}"));
    api::json(
        StatusCode::OK,
        json!({
            "articles": page,
            "meta": {
                "has_more": has_more,
                "after_cursor": after,
                "before_cursor": (start > 0).then(|| encode_cursor(start)),
            },
            "links": {
                "first": format!("{base}?page%5Bsize%5D={size}"),
                "last": null,
                "next": next,
                "prev": null,
            }
        }),
    )
}

fn strip_json(file: &str) -> &str {
    file.strip_suffix(".json").unwrap_or(file)
}

async fn show_default(State(s): State<Arc<Shared>>, Path(file): Path<String>) -> Response {
    show(&s, SOURCE_LOCALE, strip_json(&file))
}

async fn show_locale(
    State(s): State<Arc<Shared>>,
    Path((locale, file)): Path<(String, String)>,
) -> Response {
    show(&s, &locale, strip_json(&file))
}

fn show(s: &Shared, locale: &str, id: &str) -> Response {
    let store = s.store.lock().expect("store lock");
    let Some(a) = store.get(id) else {
        return not_found();
    };
    let Some(d) = a.doc(Some(&store_locale(locale))) else {
        return not_found();
    };
    api::json(StatusCode::OK, json!({ "article": article_json(s, a, d) }))
}

async fn translations(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let store = s.store.lock().expect("store lock");
    let Some(a) = store.get(&id) else {
        return not_found();
    };
    let list: Vec<Value> = (0..a.docs.len())
        .map(|i| translation_json(&s, a, i))
        .collect();
    api::json(
        StatusCode::OK,
        json!({
            "translations": list,
            "meta": { "has_more": false, "after_cursor": null, "before_cursor": null },
            "links": { "first": null, "last": null, "next": null, "prev": null }
        }),
    )
}

fn doc_index(a: &Article, locale: &str) -> Option<usize> {
    let wanted = store_locale(locale);
    a.docs.iter().position(|d| d.locale == wanted)
}

async fn show_translation(
    State(s): State<Arc<Shared>>,
    Path((id, file)): Path<(String, String)>,
) -> Response {
    let store = s.store.lock().expect("store lock");
    let Some(a) = store.get(&id) else {
        return not_found();
    };
    match doc_index(a, strip_json(&file)) {
        Some(i) => api::json(
            StatusCode::OK,
            json!({ "translation": translation_json(&s, a, i) }),
        ),
        None => not_found(),
    }
}

async fn update_translation(
    State(s): State<Arc<Shared>>,
    Path((id, file)): Path<(String, String)>,
    headers: HeaderMap,
    ApiBody(body): ApiBody,
) -> Response {
    if !api::is_json(&headers) {
        return invalid("translation", "is required (send application/json)");
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidJSON",
            "The request body is not valid JSON",
        );
    };
    let Some(t) = v.get("translation").and_then(Value::as_object) else {
        return invalid("translation", "is required");
    };
    for key in ["body", "title"] {
        if t.get(key).is_some_and(|x| !x.is_string()) {
            return invalid(key, "must be a string");
        }
    }
    if t.get("draft").is_some_and(|x| !x.is_boolean()) {
        return invalid("draft", "must be a boolean");
    }
    if t.get("title").and_then(Value::as_str) == Some("") {
        return invalid("title", "cannot be blank");
    }
    let mut store = s.store.lock().expect("store lock");
    let Some(a) = store.get_mut(&id) else {
        return not_found();
    };
    let Some(i) = doc_index(a, strip_json(&file)) else {
        return not_found();
    };
    let now = Utc::now();
    let d = &mut a.docs[i];
    if let Some(b) = t.get("body").and_then(Value::as_str) {
        d.html = b.to_string();
    }
    if let Some(title) = t.get("title").and_then(Value::as_str) {
        d.title = title.to_string();
    }
    if let Some(draft) = t.get("draft").and_then(Value::as_bool) {
        d.published = !draft;
    }
    d.updated_at = now;
    a.updated_at = now;
    api::json(
        StatusCode::OK,
        json!({ "translation": translation_json(&s, a, i) }),
    )
}

fn sniff(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if bytes.starts_with(b"GIF8") {
        "image/gif"
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "image/webp"
    } else {
        "application/octet-stream"
    }
}

/// Zendesk's per-attachment limit.
const MAX_ATTACHMENT: usize = 20 * 1024 * 1024;

async fn attach(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let known = s.store.lock().expect("store lock").get(&id).is_some();
    if !known {
        return not_found();
    }
    let Ok(mut m) = multipart else {
        return invalid("file", "is required (send multipart/form-data)");
    };
    let mut file: Option<(String, axum::body::Bytes)> = None;
    let mut inline = false;
    loop {
        let field = match m.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return invalid("file", "could not be read"),
        };
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("file").to_string();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b)),
                    Err(_) => return invalid("file", "could not be read"),
                }
            }
            Some("inline") => {
                inline = field.text().await.map(|t| t == "true").unwrap_or(false);
            }
            _ => {}
        }
    }
    let Some((name, bytes)) = file else {
        return invalid("file", "is required");
    };
    if bytes.len() > MAX_ATTACHMENT {
        return invalid("file", "is larger than 20 MB");
    }
    let content_type = sniff(&bytes);
    if inline && !content_type.starts_with("image/") {
        return invalid("inline", "inline attachments must be images");
    }
    let size = bytes.len();
    let stored = s.images.add_upload(&name, bytes, content_type);
    let now = zts(&Utc::now());
    api::json(
        StatusCode::CREATED,
        json!({ "article_attachment": {
            "id": size as u64 + 1_000_000,
            "url": format!("{}/api/v2/help_center/articles/attachments/{stored}.json", s.site),
            "article_id": num(&id),
            "file_name": name,
            "content_url": format!("{}/uploads/{stored}", s.site),
            "content_type": content_type,
            "size": size,
            "inline": inline,
            "created_at": now,
            "updated_at": now,
        }}),
    )
}
