//! Help.Center API v0 (the Help.Center API), under `/v0/centers/:centerId`.
//!
//! - Auth: `Authorization: Bearer KEY` only (401 `authentication_error`
//!   otherwise). The full key has `content.read/write/publish/delete`; the
//!   read-only key only `content.read` (403 `insufficient_scope`). An
//!   unknown center is 404.
//! - `GET /v0/centers/:id`: center info with `default_language` (`en`) and
//!   `additional_languages` (`es`, `fr`, `de`).
//! - Lists (the Help.Center API reference does not show the envelope; Stripe-like, as the cursor
//!   parameters are): `{"object": "list", "url", "data": [...], "has_more"}`
//!   with `limit` (default 50, max 100), `starting_after` / `ending_before`
//!   (article ids; an unknown id is 400), `category`, `search`.
//!   `GET .../articles` lists articles that have a live version;
//!   `GET .../articles/drafts` lists every article's draft (all statuses,
//!   `status` filter): it is the complete listing.
//! - Article objects: `id` (string), `object`, `title`, `slug`, `url`,
//!   `preview_url`, `status`, `category_id`, `translations` (languages with
//!   a published translation), `created_at`, `updated_at`; `content {html,
//!   text}` only with `expand[]=content` on GETs (always on write answers).
//!   No author is documented, so none is exposed.
//! - `GET .../articles/:id` shows the live version (the draft of a
//!   never-published article); `GET/PATCH .../articles/:id/draft` (`{"title"?,
//!   "html"?}`, a published article becomes `published_with_changes`),
//!   `POST .../draft/discard`, `POST .../publish` and `/unpublish`
//!   (`content.publish`). HTML written is sanitized (`<script>` dropped).
//! - Translations `.../translations/:lang` (GET), `/draft` (GET, PATCH),
//!   `/publish`, `/unpublish`; `:lang` must be an additional language (400);
//!   the main article must be published before a translation is.
//! - `POST .../articles/images` and `.../articles/:id/images`: multipart
//!   field `image`, at most 10 MB (413), JPEG PNG GIF WebP SVG by content
//!   sniffing (400 otherwise) → `{"success": true, "data": {url, filename,
//!   size}}`; the file is then served at `SITE/uploads/<filename>`.
//! - Errors `{"error": {type, message, code}}`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{json, Map, Value};

use crate::api::{self, param, query_pairs, ApiBody, Failure};
use crate::data::CATEGORIES;
use crate::html::{sanitize, text_of};
use crate::kit::{self, About, DataProfile, KeyIn, Quota, SimApi};
use crate::state::{Principal, Shared};
use crate::store::{ts, Article, Doc, Store, DEFAULT_LOCALE};

/// Languages a translation may use.
pub const ADDITIONAL_LANGUAGES: [&str; 3] = ["es", "fr", "de"];
/// The documented upload cap.
pub const MAX_UPLOAD: usize = 10 * 1024 * 1024;

type Res = Result<Response, Response>;

/// The Help.Center API v0, as [`SimApi`].
pub struct Api;

impl SimApi for Api {
    /// Under `/v0`, to which clients append `/centers/{center_id}`; the key
    /// only as `Authorization: Bearer KEY`.
    fn about(&self) -> About {
        About::new("helpcenter", "/v0", 100, KeyIn::Bearer)
    }

    /// Help.Center documents a burst of twice the per-minute rate.
    fn burst(&self, per_minute: u32) -> u32 {
        per_minute.saturating_mul(2)
    }

    fn data(&self) -> DataProfile {
        DataProfile {
            pending_drafts: true,
            ..DataProfile::plain(|i, seed| format!("{:08x}{seed:016x}", 0x6650_0000u64 + i as u64))
                .translated("es")
        }
    }

    fn routes(&self) -> Router<Arc<Shared>> {
        let upload_limit = upload_limit();
        let a = "/centers/{center}/articles";
        Router::new()
            .route("/centers/{center}", get(center))
            .route(a, get(list_live))
            .route(&format!("{a}/drafts"), get(list_drafts))
            .route(&format!("{a}/categories"), get(categories))
            .route(&format!("{a}/images"), post(upload).layer(upload_limit))
            .route(&format!("{a}/{{id}}"), get(show))
            .route(
                &format!("{a}/{{id}}/draft"),
                get(show_draft).patch(patch_draft),
            )
            .route(&format!("{a}/{{id}}/draft/discard"), post(discard))
            .route(&format!("{a}/{{id}}/publish"), post(publish))
            .route(&format!("{a}/{{id}}/unpublish"), post(unpublish))
            .route(
                &format!("{a}/{{id}}/images"),
                post(upload_for_article).layer(upload_limit),
            )
            .route(
                &format!("{a}/{{id}}/translations/{{lang}}"),
                get(show_translation),
            )
            .route(
                &format!("{a}/{{id}}/translations/{{lang}}/draft"),
                get(show_translation_draft).patch(patch_translation_draft),
            )
            .route(
                &format!("{a}/{{id}}/translations/{{lang}}/publish"),
                post(publish_translation),
            )
            .route(
                &format!("{a}/{{id}}/translations/{{lang}}/unpublish"),
                post(unpublish_translation),
            )
    }

    fn failure(&self, f: Failure) -> Response {
        let request = "invalid_request_error";
        let (kind, code, message) = match f {
            Failure::Unauthorized => (
                "authentication_error",
                "invalid_api_key",
                "Invalid or missing API key. Send it as Authorization: Bearer YOUR_API_KEY.",
            ),
            Failure::RateLimited => (
                "rate_limit_error",
                "rate_limited",
                "Too many requests. Wait until X-RateLimit-Reset before retrying.",
            ),
            Failure::Unavailable => (
                "api_error",
                "service_unavailable",
                "The service is temporarily unavailable.",
            ),
            Failure::NotFound => (request, "resource_missing", "Unrecognized request URL."),
            Failure::TooLarge => (
                request,
                "request_too_large",
                "The request body is too large.",
            ),
            Failure::Unreadable => (
                request,
                "invalid_body",
                "The request body could not be read.",
            ),
            Failure::MethodNotAllowed => (
                request,
                "method_not_allowed",
                "Method not allowed for this URL.",
            ),
        };
        error(f.status(), kind, code, message)
    }

    /// `X-RateLimit-Limit/Remaining/Reset` on every answer.
    fn quota_headers(&self, h: &mut HeaderMap, q: &Quota) {
        kit::set(h, "x-ratelimit-limit", q.limit.into());
        kit::set(h, "x-ratelimit-remaining", q.remaining.into());
        kit::set(h, "x-ratelimit-reset", q.reset_unix);
    }

    fn settings(&self, s: &Shared) -> BTreeMap<String, String> {
        BTreeMap::from([("center_id".to_string(), center_id(s))])
    }
}

/// The simulated center's id.
pub fn center_id(s: &Shared) -> String {
    format!("c{:015x}", s.opts.seed.wrapping_mul(0x9E37_79B9))
}

fn error(status: StatusCode, kind: &str, code: &str, message: &str) -> Response {
    api::json(
        status,
        json!({ "error": { "type": kind, "message": message, "code": code } }),
    )
}

fn bad_request(code: &str, message: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        code,
        message,
    )
}

fn missing(message: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        "resource_missing",
        message,
    )
}

fn done(f: impl FnOnce() -> Res) -> Response {
    f().unwrap_or_else(|e| e)
}

#[derive(Clone, Copy)]
enum Scope {
    Write,
    Publish,
}

/// Center, then scope: the order the checks run for every endpoint.
fn guard(s: &Shared, center: &str, who: Principal, scope: Option<Scope>) -> Result<(), Response> {
    if center != center_id(s) {
        return Err(missing(&format!("No such center: '{center}'")));
    }
    let name = match scope {
        Some(Scope::Write) => "content.write",
        Some(Scope::Publish) => "content.publish",
        None => return Ok(()),
    };
    if who.read_only {
        return Err(error(
            StatusCode::FORBIDDEN,
            "invalid_request_error",
            "insufficient_scope",
            &format!("You do not have the '{name}' scope"),
        ));
    }
    Ok(())
}

fn find<'a>(store: &'a Store, id: &str) -> Result<&'a Article, Response> {
    store
        .get(id)
        .ok_or_else(|| missing(&format!("No such article: '{id}'")))
}

fn find_mut<'a>(store: &'a mut Store, id: &str) -> Result<&'a mut Article, Response> {
    store
        .get_mut(id)
        .ok_or_else(|| missing(&format!("No such article: '{id}'")))
}

/// `expand[]=content`; any other expansion is rejected.
fn expand_content(pairs: &[(String, String)]) -> Result<bool, Response> {
    let mut content = false;
    for (k, v) in pairs.iter().filter(|(k, _)| k == "expand[]") {
        if v != "content" {
            return Err(bad_request(
                "parameter_invalid",
                &format!("Invalid {k}: '{v}' cannot be expanded"),
            ));
        }
        content = true;
    }
    Ok(content)
}

/// Which body an article object shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum View {
    Live,
    Draft,
}

fn content_json(html: &str) -> Value {
    json!({ "html": html, "text": text_of(html) })
}

fn article_json(s: &Shared, a: &Article, view: View, with_content: bool) -> Value {
    let d = a.main();
    let translations: Vec<&str> = a.docs[1..]
        .iter()
        .filter(|t| t.published)
        .map(|t| t.locale.as_str())
        .collect();
    let mut v = json!({
        "id": a.id,
        "object": if view == View::Live { "article" } else { "draft" },
        "title": d.title,
        "slug": d.slug,
        "url": format!("{}{}", s.site, d.path),
        "preview_url": format!("{}/kb/preview-{}", s.site, a.id),
        "status": d.status(),
        "category_id": CATEGORIES[a.category].1,
        "translations": translations,
        "created_at": ts(&a.created_at),
        "updated_at": ts(&a.updated_at),
    });
    if with_content {
        let html = if view == View::Live {
            &d.html
        } else {
            d.draft()
        };
        v["content"] = content_json(html);
    }
    v
}

fn translation_json(s: &Shared, a: &Article, d: &Doc, view: View, with_content: bool) -> Value {
    let mut v = json!({
        "id": a.id,
        "object": if view == View::Live { "translation" } else { "translation_draft" },
        "language": d.locale,
        "title": d.title,
        "slug": d.slug,
        "status": d.status(),
        "url": format!("{}{}", s.site, d.path),
        "updated_at": ts(&d.updated_at),
    });
    if with_content {
        let html = if view == View::Live {
            &d.html
        } else {
            d.draft()
        };
        v["content"] = content_json(html);
    }
    v
}

async fn center(
    State(s): State<Arc<Shared>>,
    Extension(who): Extension<Principal>,
    Path(center): Path<String>,
) -> Response {
    done(|| {
        guard(&s, &center, who, None)?;
        Ok(api::json(
            StatusCode::OK,
            json!({
                "id": center_id(&s),
                "name": "Shotkeeper Demo Help Center",
                "domain": s.site.trim_start_matches("http://"),
                "default_language": DEFAULT_LOCALE,
                "additional_languages": ADDITIONAL_LANGUAGES,
                "created_at": "2024-01-01T00:00:00.000Z",
            }),
        ))
    })
}

/// Parsed list parameters.
struct ListQuery {
    limit: usize,
    starting_after: Option<String>,
    ending_before: Option<String>,
    category: Option<String>,
    search: Option<String>,
    status: Option<String>,
    expand: bool,
}

fn list_query(pairs: &[(String, String)], drafts: bool) -> Result<ListQuery, Response> {
    let limit = match param(pairs, "limit") {
        None => 50,
        Some(raw) => raw
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| {
                bad_request(
                    "parameter_invalid",
                    &format!("Invalid limit: '{raw}' must be an integer between 1 and 100"),
                )
            })?,
    };
    let own = |k: &str| param(pairs, k).map(str::to_string);
    let status = own("status").filter(|_| drafts);
    if let Some(st) = &status {
        if !["unpublished", "published", "published_with_changes"].contains(&st.as_str()) {
            return Err(bad_request(
                "parameter_invalid",
                &format!("Invalid status: '{st}'"),
            ));
        }
    }
    let q = ListQuery {
        limit,
        starting_after: own("starting_after"),
        ending_before: own("ending_before"),
        category: own("category"),
        search: own("search").map(|s| s.to_lowercase()),
        status,
        expand: expand_content(pairs)?,
    };
    if q.starting_after.is_some() && q.ending_before.is_some() {
        return Err(bad_request(
            "parameter_invalid",
            "starting_after and ending_before cannot be used together",
        ));
    }
    Ok(q)
}

fn selected(a: &Article, q: &ListQuery, view: View) -> bool {
    let d = a.main();
    let visible = view == View::Draft || d.published;
    let category = q
        .category
        .as_deref()
        .is_none_or(|c| c == CATEGORIES[a.category].1);
    let search = q.search.as_deref().is_none_or(|term| {
        let html = if view == View::Live {
            &d.html
        } else {
            d.draft()
        };
        d.title.to_lowercase().contains(term) || html.to_lowercase().contains(term)
    });
    let status = q.status.as_deref().is_none_or(|st| st == d.status());
    visible && category && search && status
}

/// Store positions of one page, and whether more lie in that direction.
fn page(store: &Store, q: &ListQuery, view: View) -> Result<(Vec<usize>, bool), Response> {
    let cursor = |id: &str| {
        store
            .position(id)
            .ok_or_else(|| bad_request("resource_missing", &format!("No such article: '{id}'")))
    };
    let all: Vec<usize> = (0..store.articles.len())
        .filter(|&i| selected(&store.articles[i], q, view))
        .collect();
    if let Some(id) = &q.ending_before {
        let end = cursor(id)?;
        let before: Vec<usize> = all.into_iter().filter(|&i| i < end).collect();
        let start = before.len().saturating_sub(q.limit);
        return Ok((before[start..].to_vec(), start > 0));
    }
    let after: Vec<usize> = match &q.starting_after {
        Some(id) => {
            let start = cursor(id)?;
            all.into_iter().filter(|&i| i > start).collect()
        }
        None => all,
    };
    let has_more = after.len() > q.limit;
    Ok((after.into_iter().take(q.limit).collect(), has_more))
}

fn list(s: &Shared, center: &str, who: Principal, uri: &Uri, view: View) -> Res {
    guard(s, center, who, None)?;
    if s.opts.faults.garbage_list {
        return Ok(api::garbage());
    }
    let q = list_query(&query_pairs(uri), view == View::Draft)?;
    let store = s.store.lock().expect("store lock");
    let (positions, has_more) = page(&store, &q, view)?;
    let data: Vec<Value> = positions
        .iter()
        .map(|&i| article_json(s, &store.articles[i], view, q.expand))
        .collect();
    let url = uri.path().to_string();
    Ok(api::json(
        StatusCode::OK,
        json!({ "object": "list", "url": url, "data": data, "has_more": has_more }),
    ))
}

async fn list_live(
    State(s): State<Arc<Shared>>,
    Extension(who): Extension<Principal>,
    Path(center): Path<String>,
    uri: Uri,
) -> Response {
    done(|| list(&s, &center, who, &uri, View::Live))
}

async fn list_drafts(
    State(s): State<Arc<Shared>>,
    Extension(who): Extension<Principal>,
    Path(center): Path<String>,
    uri: Uri,
) -> Response {
    done(|| list(&s, &center, who, &uri, View::Draft))
}

async fn categories(
    State(s): State<Arc<Shared>>,
    Extension(who): Extension<Principal>,
    Path(center): Path<String>,
) -> Response {
    done(|| {
        guard(&s, &center, who, None)?;
        let data: Vec<Value> = CATEGORIES
            .iter()
            .map(|(_, slug, name)| {
                json!({ "id": slug, "name": name, "slug": slug, "description": name, "parent_id": null })
            })
            .collect();
        Ok(api::json(
            StatusCode::OK,
            json!({ "object": "list", "data": data, "has_more": false }),
        ))
    })
}

fn show_article(s: &Shared, who: Principal, p: (String, String), uri: &Uri, view: View) -> Res {
    let (center, id) = p;
    guard(s, &center, who, None)?;
    let expand = expand_content(&query_pairs(uri))?;
    let store = s.store.lock().expect("store lock");
    let a = find(&store, &id)?;
    Ok(api::json(StatusCode::OK, article_json(s, a, view, expand)))
}

async fn show(
    State(s): State<Arc<Shared>>,
    Extension(who): Extension<Principal>,
    Path(p): Path<(String, String)>,
    uri: Uri,
) -> Response {
    done(|| show_article(&s, who, p, &uri, View::Live))
}

async fn show_draft(
    State(s): State<Arc<Shared>>,
    Extension(who): Extension<Principal>,
    Path(p): Path<(String, String)>,
    uri: Uri,
) -> Response {
    done(|| show_article(&s, who, p, &uri, View::Draft))
}

/// A draft PATCH body: `{"title"?: string, "html"?: string}`, JSON only.
fn draft_body(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Option<String>, Option<String>), Response> {
    if !api::is_json(headers) {
        return Err(bad_request(
            "invalid_content_type",
            "Content-Type must be application/json",
        ));
    }
    let v: Map<String, Value> = serde_json::from_slice(body)
        .map_err(|_| bad_request("invalid_json", "The request body must be a JSON object"))?;
    let field = |k: &str| -> Result<Option<String>, Response> {
        match v.get(k) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad_request(
                "parameter_invalid",
                &format!("Invalid {k}: must be a string"),
            )),
        }
    };
    let (title, html) = (field("title")?, field("html")?);
    if title.is_none() && html.is_none() {
        return Err(bad_request(
            "parameter_missing",
            "Provide at least one of: title, html",
        ));
    }
    if title.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err(bad_request(
            "parameter_invalid",
            "Invalid title: must not be empty",
        ));
    }
    Ok((title, html))
}

fn edit_draft(d: &mut Doc, title: Option<String>, html: Option<String>) {
    if let Some(t) = title {
        d.title = t;
    }
    if let Some(h) = html {
        d.set_draft(sanitize(&h));
    }
}

async fn patch_draft(
    State(s): State<Arc<Shared>>,
    Extension(who): Extension<Principal>,
    Path((center, id)): Path<(String, String)>,
    headers: HeaderMap,
    ApiBody(body): ApiBody,
) -> Response {
    done(|| {
        guard(&s, &center, who, Some(Scope::Write))?;
        let mut store = s.store.lock().expect("store lock");
        let a = find_mut(&mut store, &id)?;
        let (title, html) = draft_body(&headers, &body)?;
        edit_draft(&mut a.docs[0], title, html);
        a.touch();
        Ok(api::json(
            StatusCode::OK,
            article_json(&s, a, View::Draft, true),
        ))
    })
}

/// Runs a state change on an article's main document.
fn transition(
    s: &Shared,
    who: Principal,
    (center, id): (String, String),
    scope: Scope,
    change: impl FnOnce(&mut Article),
    view: View,
) -> Res {
    guard(s, &center, who, Some(scope))?;
    let mut store = s.store.lock().expect("store lock");
    let a = find_mut(&mut store, &id)?;
    change(a);
    a.touch();
    Ok(api::json(StatusCode::OK, article_json(s, a, view, true)))
}

async fn discard(
    State(s): State<Arc<Shared>>,
    Extension(who): Extension<Principal>,
    Path(p): Path<(String, String)>,
) -> Response {
    let change = |a: &mut Article| a.docs[0].pending = None;
    done(|| transition(&s, who, p, Scope::Write, change, View::Draft))
}

async fn publish(
    State(s): State<Arc<Shared>>,
    Extension(who): Extension<Principal>,
    Path(p): Path<(String, String)>,
) -> Response {
    let change = |a: &mut Article| a.docs[0].publish();
    done(|| transition(&s, who, p, Scope::Publish, change, View::Live))
}

/// Unpublishing the main article unpublishes its translations too.
async fn unpublish(
    State(s): State<Arc<Shared>>,
    Extension(who): Extension<Principal>,
    Path(p): Path<(String, String)>,
) -> Response {
    let change = |a: &mut Article| a.docs.iter_mut().for_each(Doc::unpublish);
    done(|| transition(&s, who, p, Scope::Publish, change, View::Live))
}

fn check_language(lang: &str) -> Result<(), Response> {
    if ADDITIONAL_LANGUAGES.contains(&lang) {
        return Ok(());
    }
    Err(bad_request(
        "language_not_enabled",
        &format!(
            "Language '{lang}' is not in this center's additional_languages ({})",
            ADDITIONAL_LANGUAGES.join(", ")
        ),
    ))
}

fn no_translation(id: &str, lang: &str) -> Response {
    missing(&format!("Article '{id}' has no '{lang}' translation"))
}

fn show_tr(s: &Shared, who: Principal, p: (String, String, String), uri: &Uri, view: View) -> Res {
    let (center, id, lang) = p;
    guard(s, &center, who, None)?;
    check_language(&lang)?;
    let expand = expand_content(&query_pairs(uri))?;
    let store = s.store.lock().expect("store lock");
    let a = find(&store, &id)?;
    let d = a
        .doc(Some(&lang))
        .ok_or_else(|| no_translation(&id, &lang))?;
    Ok(api::json(
        StatusCode::OK,
        translation_json(s, a, d, view, expand),
    ))
}

async fn show_translation(
    State(s): State<Arc<Shared>>,
    Extension(who): Extension<Principal>,
    Path(p): Path<(String, String, String)>,
    uri: Uri,
) -> Response {
    done(|| show_tr(&s, who, p, &uri, View::Live))
}

async fn show_translation_draft(
    State(s): State<Arc<Shared>>,
    Extension(who): Extension<Principal>,
    Path(p): Path<(String, String, String)>,
    uri: Uri,
) -> Response {
    done(|| show_tr(&s, who, p, &uri, View::Draft))
}

/// Creates the translation on first write.
async fn patch_translation_draft(
    State(s): State<Arc<Shared>>,
    Extension(who): Extension<Principal>,
    Path((center, id, lang)): Path<(String, String, String)>,
    headers: HeaderMap,
    ApiBody(body): ApiBody,
) -> Response {
    done(|| {
        guard(&s, &center, who, Some(Scope::Write))?;
        check_language(&lang)?;
        let mut store = s.store.lock().expect("store lock");
        let a = find_mut(&mut store, &id)?;
        let (title, html) = draft_body(&headers, &body)?;
        if a.doc(Some(&lang)).is_none() {
            a.add_doc(&lang, false);
        }
        let d = a.doc_mut(Some(&lang)).expect("translation exists");
        edit_draft(d, title, html);
        a.touch();
        let d = a.doc(Some(&lang)).expect("translation exists");
        Ok(api::json(
            StatusCode::OK,
            translation_json(&s, a, d, View::Draft, true),
        ))
    })
}

fn translation_transition(
    s: &Shared,
    who: Principal,
    (center, id, lang): (String, String, String),
    publish: bool,
) -> Res {
    guard(s, &center, who, Some(Scope::Publish))?;
    check_language(&lang)?;
    let mut store = s.store.lock().expect("store lock");
    let a = find_mut(&mut store, &id)?;
    if publish && !a.main().published {
        return Err(bad_request(
            "article_not_published",
            "The main article must be published before you can publish any translations",
        ));
    }
    let d = a
        .doc_mut(Some(&lang))
        .ok_or_else(|| no_translation(&id, &lang))?;
    if publish {
        d.publish();
    } else {
        d.unpublish();
    }
    a.touch();
    let d = a.doc(Some(&lang)).expect("translation exists");
    Ok(api::json(
        StatusCode::OK,
        translation_json(s, a, d, View::Live, true),
    ))
}

async fn publish_translation(
    State(s): State<Arc<Shared>>,
    Extension(who): Extension<Principal>,
    Path(p): Path<(String, String, String)>,
) -> Response {
    done(|| translation_transition(&s, who, p, true))
}

async fn unpublish_translation(
    State(s): State<Arc<Shared>>,
    Extension(who): Extension<Principal>,
    Path(p): Path<(String, String, String)>,
) -> Response {
    done(|| translation_transition(&s, who, p, false))
}

/// The body limit of an upload route: the documented cap on the file and
/// room for the multipart framing around it, so that an image over the cap
/// is read far enough to be answered 413 in the provider's envelope.
pub fn upload_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(MAX_UPLOAD + 1024 * 1024)
}

/// The image type by magic bytes: JPEG, PNG, GIF, WebP or SVG.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some("image/gif");
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let start = head.trim_start_matches('\u{feff}').trim_start();
    let xmlish = start.starts_with('<');
    (xmlish && head.contains("<svg")).then_some("image/svg+xml")
}

fn upload_error(status: StatusCode, code: &str, message: &str) -> Response {
    error(status, "invalid_request_error", code, message)
}

fn too_large() -> Response {
    upload_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "file_too_large",
        "The image is larger than the 10MB maximum",
    )
}

/// The `image` field's file name and bytes.
async fn image_field(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(String, Bytes), Response> {
    let mut m = multipart.map_err(|_| {
        bad_request(
            "invalid_content_type",
            "Send multipart/form-data with the file in a field named 'image'",
        )
    })?;
    let field_error = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            bad_request("invalid_multipart", "The multipart body could not be read")
        }
    };
    // Bounded: the body limit caps how many fields can arrive.
    while let Some(field) = m.next_field().await.map_err(field_error)? {
        if field.name() != Some("image") {
            continue;
        }
        let name = field.file_name().unwrap_or("image").to_string();
        let bytes = field.bytes().await.map_err(field_error)?;
        return Ok((name, bytes));
    }
    Err(bad_request(
        "parameter_missing",
        "No file in the 'image' field",
    ))
}

async fn store_upload(s: &Shared, multipart: Result<Multipart, MultipartRejection>) -> Res {
    let (name, bytes) = image_field(multipart).await?;
    if bytes.len() > MAX_UPLOAD {
        return Err(too_large());
    }
    let Some(content_type) = sniff(&bytes) else {
        return Err(upload_error(
            StatusCode::BAD_REQUEST,
            "invalid_file_type",
            "Unsupported image type: only JPEG, PNG, GIF, WebP and SVG are accepted",
        ));
    };
    let size = bytes.len();
    let stored = s.images.add_upload(&name, bytes, content_type);
    Ok(api::json(
        StatusCode::OK,
        json!({
            "success": true,
            "data": {
                "url": format!("{}/uploads/{stored}", s.site),
                "filename": stored,
                "size": size,
            }
        }),
    ))
}

async fn upload(
    State(s): State<Arc<Shared>>,
    Extension(who): Extension<Principal>,
    Path(center): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    if let Err(e) = guard(&s, &center, who, Some(Scope::Write)) {
        return e;
    }
    store_upload(&s, multipart).await.unwrap_or_else(|e| e)
}

async fn upload_for_article(
    State(s): State<Arc<Shared>>,
    Extension(who): Extension<Principal>,
    Path((center, id)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    if let Err(e) = guard(&s, &center, who, Some(Scope::Write)) {
        return e;
    }
    let known = s.store.lock().expect("store lock").get(&id).is_some();
    if !known {
        return missing(&format!("No such article: '{id}'"));
    }
    store_upload(&s, multipart).await.unwrap_or_else(|e| e)
}
