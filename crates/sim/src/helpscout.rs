//! Help Scout Docs API v1, under `/v1`. Follows
//! <https://developer.helpscout.com/docs-api/> (overview: auth, rate
//! limiting, envelopes), `.../docs-api/sites/list/`,
//! `.../docs-api/collections/list/`, `.../docs-api/articles/list/`,
//! `.../docs-api/articles/get/`, `.../docs-api/articles/update/` and
//! `.../docs-api/assets/article/create/`.
//!
//! - Auth: HTTP Basic, the API key as the user name and any dummy password
//!   (`X`). A Bearer token or an unknown key is 401.
//! - Envelopes: single item `{"article": {...}}`; collections
//!   `{"articles": {"page", "pages", "count", "items": [...]}}`; errors
//!   `{"code": N, "error": "message"}`.
//! - `GET /sites`, `GET /collections?page=&pageSize=`,
//!   `GET /collections/{id}/articles?page=&pageSize=&status=`: `pageSize`
//!   default 50, max 100 (400 beyond). List items are article *refs*: no
//!   `text`. `status` is `published` or `notpublished`.
//! - `GET /articles/{id}`: the full article with its HTML in `text`.
//! - `PUT /articles/{id}`: JSON only; fields sent change, others are kept;
//!   `text` must be a string; a body with no known field is 400. Answers
//!   200 with no body (the article with `?reload=true`).
//! - `POST /assets/article`: multipart with `key`, `articleId`,
//!   `assetType` (`image` or `attachment`) and `file`, all required
//!   ("key String Y An API key used to authenticate this request."; the
//!   documented example sends `-u API_KEY:X -F key=API_KEY -F
//!   articleId=ARTICLE_ID -F assetType=image -F file=@FILE.jpg`); a
//!   missing field is 400, a `key` that is not a valid API key 401;
//!   201 `{"filelink": URL}`.
//! - Rate limit per account: 2000 requests per 10 minutes for one site
//!   (200/min), `X-RateLimit-Limit/Remaining/Reset` (seconds) on every
//!   answer, 429 with `Retry-After` beyond.
//! - Help Scout Docs sites have one language: no translations.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use serde_json::{json, Map, Value};

use crate::api::{self, param, query_pairs, ApiBody, Failure};
use crate::data::{AUTHORS, CATEGORIES};
use crate::helpcenter::{sniff, upload_limit, MAX_UPLOAD};
use crate::kit::{
    self, numbered, page_and_size, About, DataProfile, KeyIn, PageProblem, Quota, SimApi,
};
use crate::limits;
use crate::state::Shared;
use crate::store::{ts, Article};

/// The single simulated Docs site.
pub const SITE_ID: &str = "5e1f000000000000000000aa";
const MAX_PAGE_SIZE: u64 = 100;
const DEFAULT_PAGE_SIZE: u64 = 50;

/// The Help Scout Docs API v1, as [`SimApi`].
pub struct Api;

impl SimApi for Api {
    /// 2000 requests per 10 minutes for one site: 200 a minute. HTTP Basic
    /// with the API key as the user name and any password.
    fn about(&self) -> About {
        About::new("helpscout", "/v1", 200, KeyIn::BasicUser)
    }

    /// Help Scout Docs sites have one language.
    fn data(&self) -> DataProfile {
        DataProfile::plain(|i, seed| format!("5f{:06x}{seed:016x}", 0x1a_0000u64 + i as u64))
    }

    fn routes(&self) -> Router<Arc<Shared>> {
        Router::new()
            .route("/sites", get(sites))
            .route("/collections", get(collections))
            .route("/collections/{id}/articles", get(list))
            .route("/articles/{id}", get(show).put(update))
            .route("/assets/article", post(upload).layer(upload_limit()))
    }

    fn failure(&self, f: Failure) -> Response {
        let message = match f {
            Failure::Unauthorized => "Unauthorized",
            Failure::RateLimited => "Too Many Requests",
            Failure::Unavailable => "Service Unavailable",
            Failure::NotFound => "Not Found",
            Failure::MethodNotAllowed => "Method Not Allowed",
            Failure::TooLarge => "Request Entity Too Large",
            Failure::Unreadable => "The request body could not be read",
        };
        error(f.status(), message)
    }

    /// Limit, remaining and the seconds until the window resets on every
    /// answer; 429 beyond (with Retry-After).
    fn quota_headers(&self, h: &mut HeaderMap, q: &Quota) {
        kit::set(h, "x-ratelimit-limit", q.limit.into());
        kit::set(h, "x-ratelimit-remaining", q.remaining.into());
        kit::set(
            h,
            "x-ratelimit-reset",
            q.reset_unix.saturating_sub(limits::unix_now()),
        );
        if !q.allowed {
            kit::set(h, "retry-after", q.retry_after);
        }
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    api::json(status, json!({ "code": status.as_u16(), "error": message }))
}

/// A collection id per sample category.
pub fn collection_id(category: usize) -> String {
    format!("5e1f00000000000000c0{category:04x}")
}

fn collection_index(id: &str) -> Option<usize> {
    (0..CATEGORIES.len()).find(|&c| collection_id(c) == id)
}

fn user_id(author: usize) -> u64 {
    AUTHORS[author].0
}

fn status(a: &Article) -> &'static str {
    if a.main().published {
        "published"
    } else {
        "notpublished"
    }
}

fn article_ref(s: &Shared, a: &Article, number: usize) -> Value {
    let d = a.main();
    json!({
        "id": a.id,
        "number": number,
        "collectionId": collection_id(a.category),
        "status": status(a),
        "hasDraft": false,
        "name": d.title,
        "publicUrl": format!("{}{}", s.site, d.path),
        "popularity": 0.0,
        "viewCount": a.views,
        "createdBy": user_id(a.author),
        "updatedBy": user_id(a.author),
        "createdAt": ts(&a.created_at),
        "updatedAt": ts(&a.updated_at),
        "lastPublishedAt": if a.main().published { Value::String(ts(&a.updated_at)) } else { Value::Null },
    })
}

fn article_full(s: &Shared, a: &Article, number: usize) -> Value {
    let mut v = article_ref(s, a, number);
    let d = a.main();
    let o = v.as_object_mut().expect("object");
    o.insert("slug".into(), json!(d.slug));
    o.insert("text".into(), json!(d.html));
    o.insert("categories".into(), json!([]));
    o.insert("related".into(), json!([]));
    o.insert("keywords".into(), json!([]));
    v
}

/// `page` >= 1 (default 1), `pageSize` 1..=100 (default 50).
fn paging(pairs: &[(String, String)]) -> Result<(u64, u64), Response> {
    page_and_size(pairs, "pageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, |p| {
        let message = match p {
            PageProblem::NotANumber(key) => format!("Invalid {key} parameter"),
            PageProblem::PageBelowOne => "page must be at least 1".into(),
            PageProblem::SizeBelowOne | PageProblem::SizeAboveMax(_) => {
                "pageSize must be between 1 and 100".into()
            }
        };
        error(StatusCode::BAD_REQUEST, &message)
    })
}

fn envelope(key: &str, items: Vec<Value>, page: u64, size: u64) -> Response {
    let one = numbered(items, page, size);
    api::json(
        StatusCode::OK,
        json!({ key: {
            "page": page,
            "pages": one.pages.max(1),
            "count": one.total,
            "items": one.items,
        }}),
    )
}

async fn sites(State(s): State<Arc<Shared>>, uri: Uri) -> Response {
    let (page, size) = match paging(&query_pairs(&uri)) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let site = json!({
        "id": SITE_ID,
        "status": "active",
        "subDomain": "demo",
        "cname": Value::Null,
        "title": "Demo Docs",
        "hasPublicSite": true,
        "companyName": "Demo",
        "createdAt": "2020-01-01T00:00:00Z",
        "url": s.site,
    });
    envelope("sites", vec![site], page, size)
}

async fn collections(State(s): State<Arc<Shared>>, uri: Uri) -> Response {
    let (page, size) = match paging(&query_pairs(&uri)) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let store = s.store.lock().expect("store lock");
    let items: Vec<Value> = CATEGORIES
        .iter()
        .enumerate()
        .map(|(i, (_, slug, name))| {
            json!({
                "id": collection_id(i),
                "siteId": SITE_ID,
                "number": i + 1,
                "slug": slug,
                "visibility": "public",
                "order": i + 1,
                "name": name,
                "articleCount": store.articles.iter().filter(|a| a.category == i).count(),
                "publishedArticleCount": store.articles.iter().filter(|a| a.category == i && a.main().published).count(),
                "createdAt": "2020-01-01T00:00:00Z",
                "updatedAt": "2020-01-01T00:00:00Z",
            })
        })
        .collect();
    envelope("collections", items, page, size)
}

async fn list(State(s): State<Arc<Shared>>, Path(id): Path<String>, uri: Uri) -> Response {
    if s.opts.faults.garbage_list {
        return api::garbage();
    }
    let Some(c) = collection_index(&id) else {
        return error(StatusCode::NOT_FOUND, "Collection not found");
    };
    let pairs = query_pairs(&uri);
    let (page, size) = match paging(&pairs) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let wanted = param(&pairs, "status").unwrap_or("all");
    if !matches!(wanted, "all" | "published" | "notpublished") {
        return error(StatusCode::BAD_REQUEST, "Invalid status parameter");
    }
    let store = s.store.lock().expect("store lock");
    let items: Vec<Value> = store
        .articles
        .iter()
        .enumerate()
        .filter(|(_, a)| a.category == c && (wanted == "all" || status(a) == wanted))
        .map(|(i, a)| article_ref(&s, a, i + 1))
        .collect();
    envelope("articles", items, page, size)
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Article not found")
}

async fn show(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let store = s.store.lock().expect("store lock");
    match (store.get(&id), store.position(&id)) {
        (Some(a), Some(i)) => api::json(
            StatusCode::OK,
            json!({ "article": article_full(&s, a, i + 1) }),
        ),
        _ => not_found(),
    }
}

/// The fields an update may send, and the type each must have.
const FIELDS: [(&str, &str); 8] = [
    ("text", "string"),
    ("name", "string"),
    ("slug", "string"),
    ("status", "string"),
    ("categories", "array"),
    ("related", "array"),
    ("keywords", "array"),
    ("collectionId", "string"),
];

fn check_update(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, Response> {
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
    let mut known = 0;
    for (field, kind) in FIELDS {
        let Some(v) = obj.get(field) else { continue };
        known += 1;
        let ok = match kind {
            "string" => v.is_string(),
            _ => v.is_array(),
        };
        if !ok {
            return Err(error(
                StatusCode::BAD_REQUEST,
                &format!("Input could not be validated: {field} must be a {kind}"),
            ));
        }
    }
    if known == 0 {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "Input could not be validated: no article field in the request body",
        ));
    }
    if let Some(st) = obj.get("status").and_then(Value::as_str) {
        if !matches!(st, "published" | "notpublished") {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "Input could not be validated: status must be published or notpublished",
            ));
        }
    }
    Ok(obj)
}

async fn update(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    ApiBody(body): ApiBody,
) -> Response {
    let mut store = s.store.lock().expect("store lock");
    let Some(number) = store.position(&id) else {
        return not_found();
    };
    let obj = match check_update(&headers, &body) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let a = store.get_mut(&id).expect("checked above");
    let now = Utc::now();
    {
        let d = a.doc_mut(None).expect("main document");
        if let Some(t) = obj.get("text").and_then(Value::as_str) {
            d.html = t.to_string();
        }
        if let Some(n) = obj.get("name").and_then(Value::as_str) {
            d.title = n.to_string();
        }
        if let Some(st) = obj.get("status").and_then(Value::as_str) {
            d.published = st == "published";
        }
        d.updated_at = now;
    }
    a.updated_at = now;
    let reload = param(&query_pairs(&uri), "reload") == Some("true");
    if reload {
        api::json(
            StatusCode::OK,
            json!({ "article": article_full(&s, a, number + 1) }),
        )
    } else {
        StatusCode::OK.into_response()
    }
}

/// The fields of an asset upload, each `None` when not sent.
struct AssetFields {
    key: Option<String>,
    article: Option<String>,
    file: Option<(String, Bytes)>,
    kind: Option<String>,
}

/// `key`, `articleId`, the file (name, bytes) and the `assetType` as sent.
async fn fields(
    s: &Shared,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<AssetFields, Response> {
    let m = multipart.map_err(|_| {
        error(
            StatusCode::BAD_REQUEST,
            "Send multipart/form-data with the fields key, articleId, assetType and file",
        )
    })?;
    let unreadable = || {
        error(
            StatusCode::BAD_REQUEST,
            "The multipart body could not be read",
        )
    };
    let form = api::read_form(s, m, &["key", "articleId", "assetType"], "file", unreadable).await?;
    Ok(AssetFields {
        key: form.text("key"),
        article: form.text("articleId"),
        kind: form.text("assetType"),
        file: form.file,
    })
}

async fn upload(
    State(s): State<Arc<Shared>>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let AssetFields {
        key,
        article,
        file,
        kind,
    } = match fields(&s, multipart).await {
        Ok(f) => f,
        Err(e) => return e,
    };
    // "key String Y An API key used to authenticate this request."
    let Some(key) = key.filter(|k| !k.trim().is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "Input could not be validated: key is required",
        );
    };
    if s.principal_for(key.trim()).is_none() {
        return Api.failure(Failure::Unauthorized);
    }
    let Some(article) = article.filter(|a| !a.trim().is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "Input could not be validated: articleId is required",
        );
    };
    // "assetType String Y The type of asset being uploaded": 'image' or 'attachment'.
    if !matches!(kind.as_deref(), Some("image" | "attachment")) {
        return error(
            StatusCode::BAD_REQUEST,
            "Input could not be validated: assetType must be image or attachment",
        );
    }
    let Some((name, bytes)) = file else {
        return error(
            StatusCode::BAD_REQUEST,
            "Input could not be validated: file is required",
        );
    };
    if s.store.lock().expect("store lock").get(&article).is_none() {
        return not_found();
    }
    if bytes.len() > MAX_UPLOAD {
        return Api.failure(Failure::TooLarge);
    }
    let Some(content_type) = sniff(&bytes) else {
        return error(
            StatusCode::BAD_REQUEST,
            "Input could not be validated: the file is not an image",
        );
    };
    let stored = s.images.add_upload(&name, bytes, content_type);
    api::json(
        StatusCode::CREATED,
        json!({ "filelink": format!("{}/uploads/{stored}", s.site) }),
    )
}
