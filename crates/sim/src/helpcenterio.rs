//! HelpCenter.io API v1 (the HelpCenter.io API), under `/v1`.
//!
//! - Auth: exactly the `apikey: TOKEN` header; `Authorization: Bearer` and
//!   `X-API-Key` are not looked at. 401 for a missing or unknown key.
//!   Read Only keys may read; writes answer 403 naming the blocked action.
//! - `GET /articles?page=&limit=` (limit default 100, max 100; page >= 1),
//!   `search`, `category_id`; `{"status": "success", "articles", "meta":
//!   {page, per_page, total_pages, items_count}}`; bad paging is 400
//!   `{"status": "validation_error", "errors": {field: [msg]}}`.
//! - No single-article GET: "This is the full v1 surface today: list and
//!   create articles, update articles, list and update categories." A GET
//!   of `/articles/{id}` is answered as any unknown route (404).
//! - Rate limit: a fixed window per token of "up to 60 requests per minute"
//!   (`SimOptions::rate_limit_window`); past them, 429 until the window is
//!   over ("Wait at least one minute and retry"), with no header saying how
//!   long.
//! - Languages: "Anything not translated stays untranslated and the article
//!   only appears on the languages where it has content." Some generated
//!   articles carry a title in a language they have no content in (`content`
//!   then has no key for it), and some exist in German only.
//! - `PATCH /articles/{id}`: JSON only (415 otherwise); partial; `title`,
//!   `slug`, `content` are objects keyed by language and languages not sent
//!   are kept; a language not enabled on the site (`en`, `de`) is 400
//!   `{"status": "error", "message"}`; invalid shapes are the bare Laravel
//!   400 `{field: [msg]}`; unknown id 404.
//! - `GET /categories` (paginated like articles).
//! - Article: `id`, `title`/`slug`/`content`/`url` keyed by language,
//!   `published`, `visibility`, `category_id`, `categories`, `author {id,
//!   name}`, `views`, `created_at`, `updated_at`. Public URLs:
//!   `SITE/kb/<slug>` (en) and `SITE/kb/de/<slug>` (de).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use chrono::Utc;
use serde_json::{json, Map, Value};

use crate::api::{self, param, query_pairs, ApiBody, Failure};
use crate::data::{AUTHORS, CATEGORIES};
use crate::kit::{numbered, page_and_size, About, DataProfile, KeyIn, PageProblem, Quota, SimApi};
use crate::state::{Principal, Shared};
use crate::store::{ts, Article, Store, DEFAULT_LOCALE};

/// Languages enabled on the simulated site: the default and German.
pub const LANGUAGES: [&str; 2] = [DEFAULT_LOCALE, "de"];

/// The HelpCenter.io API v1, as [`SimApi`].
pub struct Api;

impl SimApi for Api {
    /// The key exactly as `apikey: TOKEN`; Authorization and X-API-Key are
    /// ignored.
    fn about(&self) -> About {
        About::new("helpcenterio", "/v1", 60, KeyIn::Header("apikey"))
    }

    /// "up to 60 requests per minute per token", then nothing until the
    /// minute is over.
    fn fixed_window(&self) -> bool {
        true
    }

    fn data(&self) -> DataProfile {
        DataProfile {
            exposes_authors: true,
            ..DataProfile::plain(|i, _| (5_001 + i as u64).to_string()).translated("de")
        }
    }

    fn prepare(&self, store: &mut Store) {
        add_title_only_languages(store);
    }

    fn routes(&self) -> Router<Arc<Shared>> {
        Router::new()
            .route("/articles", get(list).post(create))
            // "This is the full v1 surface today: list and create articles,
            // update articles, list and update categories": no GET of one
            // article, which answers like any unknown route.
            .route("/articles/{id}", get(api::not_found).patch(update))
            .route("/categories", get(categories))
    }

    fn failure(&self, f: Failure) -> Response {
        let message = match f {
            Failure::Unauthorized => "Unauthenticated. Send a valid API key in the apikey header.",
            Failure::RateLimited => "Too Many Attempts.",
            Failure::Unavailable => "Service Unavailable",
            Failure::NotFound => "Not Found",
            Failure::MethodNotAllowed => "Method Not Allowed",
            Failure::TooLarge => "The request body is too large.",
            Failure::Unreadable => "The request body could not be read.",
        };
        error(f.status(), message)
    }

    /// None: its documentation names no header and says "Wait at least one
    /// minute and retry".
    fn quota_headers(&self, _h: &mut HeaderMap, _q: &Quota) {}
}

fn error(status: StatusCode, message: &str) -> Response {
    api::json(status, json!({ "status": "error", "message": message }))
}

fn validation_error(field: &str, message: String) -> Response {
    api::json(
        StatusCode::BAD_REQUEST,
        json!({ "status": "validation_error", "errors": { field: [message] } }),
    )
}

/// Per-language object of one document field.
fn by_lang(a: &Article, f: impl Fn(&crate::store::Doc) -> String) -> Value {
    let m: Map<String, Value> = a
        .docs
        .iter()
        .map(|d| (d.locale.clone(), Value::String(f(d))))
        .collect();
    Value::Object(m)
}

/// `content` keyed by the languages that have content: "Anything not
/// translated stays untranslated and the article only appears on the
/// languages where it has content." A language with only a title is absent.
fn content_by_lang(a: &Article) -> Value {
    let m: Map<String, Value> = a
        .docs
        .iter()
        .filter(|d| !d.html.is_empty())
        .map(|d| (d.locale.clone(), Value::String(d.html.clone())))
        .collect();
    Value::Object(m)
}

/// Every fifth article without a German translation gets a German title
/// and no German content, as an author who translated only the title
/// leaves it ("Anything not translated stays untranslated"). Such a
/// language is no document, so the expected counts do not change.
fn add_title_only_languages(store: &mut Store) {
    for (i, a) in store.articles.iter_mut().enumerate() {
        if i % 5 != 2 || a.doc(Some("de")).is_some() {
            continue;
        }
        let published = a.main().published;
        let title = crate::text::translate_title(&a.main().title, "de");
        let d = a.add_doc("de", published);
        d.title = title;
    }
}

fn article_json(s: &Shared, a: &Article) -> Value {
    let (author_id, author_name) = AUTHORS[a.author];
    let category = CATEGORIES[a.category].0;
    json!({
        "id": a.id.parse::<u64>().unwrap_or(0),
        "title": by_lang(a, |d| d.title.clone()),
        "slug": by_lang(a, |d| d.slug.clone()),
        "content": content_by_lang(a),
        "url": by_lang(a, |d| format!("{}{}", s.site, d.path)),
        "published": a.main().published,
        "visibility": "public",
        "category_id": category,
        "categories": [category],
        "author": { "id": author_id, "name": author_name },
        "views": a.views,
        "created_at": ts(&a.created_at),
        "updated_at": ts(&a.updated_at),
    })
}

/// `page` (>= 1, default 1) and `limit` (1..=100, default 100).
fn paging(pairs: &[(String, String)]) -> Result<(u64, u64), Response> {
    page_and_size(pairs, "limit", 100, 100, |p| match p {
        PageProblem::NotANumber(key) => {
            validation_error(key, format!("The {key} field must be an integer."))
        }
        PageProblem::PageBelowOne => {
            validation_error("page", "The page field must be at least 1.".into())
        }
        PageProblem::SizeBelowOne => {
            validation_error("limit", "The limit field must be at least 1.".into())
        }
        PageProblem::SizeAboveMax(_) => validation_error(
            "limit",
            "The limit field must not be greater than 100.".into(),
        ),
    })
}

fn page_of<T>(items: Vec<T>, page: u64, limit: u64) -> (Vec<T>, Value) {
    let one = numbered(items, page, limit);
    let meta = json!({
        "page": page,
        "per_page": limit,
        "total_pages": one.pages.max(1),
        "items_count": one.total,
    });
    (one.items, meta)
}

fn matches(a: &Article, pairs: &[(String, String)]) -> bool {
    let search = param(pairs, "search").map(str::to_lowercase);
    let by_search = search.is_none_or(|q| {
        a.docs
            .iter()
            .any(|d| d.title.to_lowercase().contains(&q) || d.html.to_lowercase().contains(&q))
    });
    let by_category = param(pairs, "category_id")
        .is_none_or(|c| c.parse::<u64>().ok() == Some(CATEGORIES[a.category].0));
    by_search && by_category
}

async fn list(State(s): State<Arc<Shared>>, uri: Uri) -> Response {
    if s.opts.faults.garbage_list {
        return api::garbage();
    }
    let pairs = query_pairs(&uri);
    let (page, limit) = match paging(&pairs) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let store = s.store.lock().expect("store lock");
    let selected: Vec<&Article> = store
        .articles
        .iter()
        .filter(|a| matches(a, &pairs))
        .collect();
    let (items, meta) = page_of(selected, page, limit);
    let articles: Vec<Value> = items.iter().map(|a| article_json(&s, a)).collect();
    let articles = api::unreadable_first(&s, articles, "content");
    api::json(
        StatusCode::OK,
        json!({ "status": "success", "articles": articles, "meta": meta }),
    )
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Article not found.")
}

/// `POST /articles` ("Create an article"): "title is the only required
/// field, and it has to be a translation object (at minimum your site's
/// default language)"; "Setting published: false (or leaving it off) creates
/// the article as a draft." Answers 201 with the article.
async fn create(
    State(s): State<Arc<Shared>>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    ApiBody(body): ApiBody,
) -> Response {
    if who.read_only {
        return error(
            StatusCode::FORBIDDEN,
            "This API key is Read Only: creating articles is not allowed.",
        );
    }
    let obj = match check_patch(who, true, &headers, &body) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let has_default_title = obj
        .get("title")
        .and_then(Value::as_object)
        .and_then(|t| t.get(DEFAULT_LOCALE))
        .and_then(Value::as_str)
        .is_some_and(|t| !t.trim().is_empty());
    if !has_default_title {
        let mut e = Map::new();
        e.insert(
            format!("title.{DEFAULT_LOCALE}"),
            json!(["The title field is required in the site's default language."]),
        );
        return bare(e);
    }
    let mut store = s.store.lock().expect("store lock");
    let id = store
        .articles
        .iter()
        .filter_map(|a| a.id.parse::<u64>().ok())
        .max()
        .unwrap_or(5_000)
        + 1;
    let published = obj
        .get("published")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let now = Utc::now();
    let title = obj["title"][DEFAULT_LOCALE].as_str().unwrap_or_default();
    let slug = crate::text::slugify(title);
    let mut article = Article {
        id: id.to_string(),
        category: 0,
        author: 0,
        created_at: now,
        updated_at: now,
        views: 0,
        docs: vec![crate::store::Doc {
            locale: DEFAULT_LOCALE.to_string(),
            title: title.to_string(),
            path: public_path(DEFAULT_LOCALE, &slug),
            slug,
            html: String::new(),
            pending: None,
            published,
            updated_at: now,
        }],
    };
    apply(&mut article, &obj);
    let answer = json!({ "status": "success", "article": article_json(&s, &article) });
    store.push(article);
    api::json(StatusCode::CREATED, answer)
}

/// Laravel's bare validation shape: `{field: [message]}`.
fn bare(errors: Map<String, Value>) -> Response {
    api::json(StatusCode::BAD_REQUEST, Value::Object(errors))
}

/// Shape checks of a PATCH body; every problem is reported at once.
fn validate(body: &Map<String, Value>) -> Map<String, Value> {
    let mut errors = Map::new();
    let mut add = |field: String, msg: String| {
        errors.insert(field, json!([msg]));
    };
    for field in ["title", "slug", "content"] {
        match body.get(field) {
            None => {}
            Some(Value::Object(m)) => {
                for (lang, v) in m {
                    if !v.is_string() {
                        let f = format!("{field}.{lang}");
                        add(f.clone(), format!("The {f} field must be a string."));
                    }
                }
            }
            Some(_) => add(
                field.into(),
                format!("The {field} field must be an object."),
            ),
        }
    }
    if body.get("published").is_some_and(|v| !v.is_boolean()) {
        add(
            "published".into(),
            "The published field must be true or false.".into(),
        );
    }
    if body.get("category_id").is_some_and(|v| !v.is_u64()) {
        add(
            "category_id".into(),
            "The category_id field must be an integer.".into(),
        );
    }
    let visibility = body.get("visibility").map(|v| v.as_str());
    if visibility.is_some_and(|v| !matches!(v, Some("public" | "private" | "link_only"))) {
        add(
            "visibility".into(),
            "The selected visibility is invalid.".into(),
        );
    }
    errors
}

/// The first language key that is not enabled on the site.
fn unknown_language(body: &Map<String, Value>) -> Option<String> {
    ["title", "slug", "content"]
        .iter()
        .filter_map(|f| body.get(*f).and_then(Value::as_object))
        .flat_map(|m| m.keys())
        .find(|lang| !LANGUAGES.contains(&lang.as_str()))
        .cloned()
}

fn apply(a: &mut Article, body: &Map<String, Value>) {
    let now = Utc::now();
    for field in ["title", "slug", "content"] {
        let Some(m) = body.get(field).and_then(Value::as_object) else {
            continue;
        };
        for (lang, v) in m {
            let value = v.as_str().unwrap_or_default().to_string();
            if a.doc(Some(lang)).is_none() {
                // Publishing is per article on HelpCenter.io.
                let published = a.main().published;
                a.add_doc(lang, published);
            }
            let d = a.doc_mut(Some(lang)).expect("document exists");
            match field {
                "title" => d.title = value,
                "slug" => {
                    d.path = public_path(lang, &value);
                    d.slug = value;
                }
                _ => d.html = value,
            }
            d.updated_at = now;
        }
    }
    if let Some(p) = body.get("published").and_then(Value::as_bool) {
        a.docs.iter_mut().for_each(|d| d.published = p);
    }
    a.updated_at = now;
}

fn public_path(lang: &str, slug: &str) -> String {
    if lang == DEFAULT_LOCALE {
        format!("/kb/{slug}")
    } else {
        format!("/kb/{lang}/{slug}")
    }
}

/// The checks of a PATCH in the order the API makes them: permission,
/// existence, content type, JSON, shape, languages.
fn check_patch(
    who: Principal,
    exists: bool,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Map<String, Value>, Response> {
    if who.read_only {
        return Err(error(
            StatusCode::FORBIDDEN,
            "This API key is Read Only: updating articles is not allowed.",
        ));
    }
    if !exists {
        return Err(not_found());
    }
    if !api::is_json(headers) {
        return Err(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send Content-Type: application/json; form-encoded bodies are not accepted.",
        ));
    }
    let parsed: Value = serde_json::from_slice(body).map_err(|_| {
        let mut e = Map::new();
        e.insert(
            "body".into(),
            json!(["The request body must be valid JSON."]),
        );
        bare(e)
    })?;
    let Value::Object(obj) = parsed else {
        let mut e = Map::new();
        e.insert(
            "body".into(),
            json!(["The request body must be a JSON object."]),
        );
        return Err(bare(e));
    };
    let errors = validate(&obj);
    if !errors.is_empty() {
        return Err(bare(errors));
    }
    if let Some(lang) = unknown_language(&obj) {
        return Err(error(
            StatusCode::BAD_REQUEST,
            &format!("The language '{lang}' is not enabled on this site."),
        ));
    }
    Ok(obj)
}

async fn update(
    State(s): State<Arc<Shared>>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiBody(body): ApiBody,
) -> Response {
    let mut store = s.store.lock().expect("store lock");
    let exists = store.get(&id).is_some();
    let obj = match check_patch(who, exists, &headers, &body) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let a = store.get_mut(&id).expect("checked above");
    apply(a, &obj);
    api::json(
        StatusCode::OK,
        json!({ "status": "success", "article": article_json(&s, a) }),
    )
}

async fn categories(State(s): State<Arc<Shared>>, uri: Uri) -> Response {
    let (page, limit) = match paging(&query_pairs(&uri)) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let all: Vec<Value> = CATEGORIES
        .iter()
        .map(|(id, slug, name)| {
            json!({
                "id": id,
                "name": { "en": name },
                "description": { "en": format!("Articles about {}", name.to_lowercase()) },
                "slug": { "en": slug },
                "parent": null,
                "url": { "en": format!("{}/kb/category/{slug}", s.site) },
            })
        })
        .collect();
    let (items, meta) = page_of(all, page, limit);
    api::json(
        StatusCode::OK,
        json!({ "status": "success", "categories": items, "meta": meta }),
    )
}
