//! What every provider's API has in common: the request guard (counting,
//! slowness, injected faults, rate limit, authentication), the shared error
//! kinds each provider dresses in its own envelope, and small helpers.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use crate::kit::SimApi;
use crate::limits::{self, Injected, Quota};
use crate::state::Shared;

/// Failures every provider has, each in its own envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    Unauthorized,
    RateLimited,
    Unavailable,
    NotFound,
    MethodNotAllowed,
    /// A request body over the size limit.
    TooLarge,
    /// A request body that could not be received.
    Unreadable,
}

impl Failure {
    /// The status every simulated API answers it with (Helpjuice says 403
    /// where the others say 401).
    pub fn status(self) -> StatusCode {
        match self {
            Failure::Unauthorized => StatusCode::UNAUTHORIZED,
            Failure::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Failure::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Failure::NotFound => StatusCode::NOT_FOUND,
            Failure::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Failure::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Failure::Unreadable => StatusCode::BAD_REQUEST,
        }
    }
}

/// Runs before every API handler, in this order: count the request, delay
/// it (`slow_ms`), apply the fault schedule, take a rate-limit token for the
/// presented key (invalid keys are limited too, as real APIs limit by
/// caller), authenticate, and finally stamp the rate-limit headers.
pub async fn guard(State(s): State<Arc<Shared>>, mut req: Request, next: Next) -> Response {
    let n = s.stats.count_api();
    if s.opts.faults.slow_ms > 0 {
        tokio::time::sleep(Duration::from_millis(s.opts.faults.slow_ms)).await;
    }
    let p = s.api;
    match limits::injected(&s.opts.faults, n) {
        Injected::TooManyRequests => {
            let limit = if s.limiter.enabled() {
                s.limiter.limit()
            } else {
                p.about().documented_limit
            };
            return rate_limited(p, Quota::injected(limit));
        }
        Injected::Unavailable => return p.failure(Failure::Unavailable),
        Injected::None => {}
    }
    let key = p.about().key.read(req.headers(), req.uri());
    let caller = key.as_deref().unwrap_or("");
    // A fixed window for an API documented that way (HelpCenter.io API v1:
    // "up to 60 requests per minute per token. ... If you exceed it, you
    // get a 429 Too Many Requests response and should wait a minute before
    // retrying."), a token bucket for the others.
    let quota = if p.fixed_window() {
        s.window.take(caller)
    } else {
        s.limiter.take(caller)
    };
    if let Some(q) = quota.filter(|q| !q.allowed) {
        return rate_limited(p, q);
    }
    let mut resp = match key.as_deref().and_then(|k| s.principal_for(k)) {
        Some(_) if refused(&s, &req) => refusal(),
        Some(principal) => {
            req.extensions_mut().insert(principal);
            next.run(req).await
        }
        None => p.failure(Failure::Unauthorized),
    };
    if let Some(q) = quota {
        p.quota_headers(resp.headers_mut(), &q);
    }
    resp
}

fn refused(s: &Shared, req: &Request) -> bool {
    let refusals = s.refusals.lock().expect("refusals lock");
    refusals.refuses(req.method().as_str(), req.uri().path())
}

/// What a help center answers a write it will not take (a validation
/// error): a plain 400, whatever the provider.
fn refusal() -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({ "error": "the simulator was told to refuse this article" })),
    )
        .into_response()
}

fn rate_limited(p: &dyn SimApi, q: Quota) -> Response {
    let mut resp = p.failure(Failure::RateLimited);
    p.quota_headers(resp.headers_mut(), &q);
    resp
}

/// With the `unreadable_article` fault, the first article of a listing page
/// has `field` replaced by a number, a shape no client can read.
pub fn unreadable_first(s: &Shared, mut page: Vec<Value>, field: &str) -> Vec<Value> {
    if s.opts.faults.unreadable_article {
        if let Some(Value::Object(first)) = page.first_mut() {
            first.insert(field.to_string(), Value::from(42));
        }
    }
    page
}

/// A request body as handlers take it, so that a body over the limit gets
/// the provider's JSON error instead of axum's plain-text one.
pub type Body = Result<Bytes, BytesRejection>;

/// A request body, or the provider's error for one over the limit or one
/// that could not be received: for handlers that must look at something
/// else first (Intercom's version header).
pub fn body(s: &Shared, b: Body) -> Result<Bytes, Response> {
    b.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            s.api.failure(Failure::TooLarge)
        } else {
            s.api.failure(Failure::Unreadable)
        }
    })
}

/// A request body as most handlers take it: a body over the limit or one
/// that cannot be received is answered with the provider's own error (not
/// axum's plain-text one) before the handler runs.
pub struct ApiBody(pub Bytes);

impl FromRequest<Arc<Shared>> for ApiBody {
    type Rejection = Response;

    async fn from_request(req: Request, s: &Arc<Shared>) -> Result<Self, Response> {
        body(s, Bytes::from_request(req, s).await).map(ApiBody)
    }
}

/// Fallback for unknown API paths.
pub async fn not_found(State(s): State<Arc<Shared>>) -> Response {
    s.api.failure(Failure::NotFound)
}

/// Fallback for a known path with the wrong method.
pub async fn method_not_allowed(State(s): State<Arc<Shared>>) -> Response {
    s.api.failure(Failure::MethodNotAllowed)
}

pub fn json(status: StatusCode, v: Value) -> Response {
    (status, Json(v)).into_response()
}

/// The `garbage_list` fault: a 200 that claims JSON and is cut off mid-way.
pub fn garbage() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        "{\"articles\": [{\"id\": 1, \"name\": \"Trunc",
    )
        .into_response()
}

/// Query pairs in order, repeated keys kept (`expand[]=a&expand[]=b`).
pub fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

pub fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Whether the request says its body is JSON (`application/json`, any
/// parameters such as charset).
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

/// The parts of a multipart upload: its text fields by name (the last of a
/// name wins) and the file field's file name and bytes.
#[derive(Default)]
pub struct Form {
    pub texts: std::collections::HashMap<String, String>,
    pub file: Option<(String, Bytes)>,
}

impl Form {
    pub fn text(&self, name: &str) -> Option<String> {
        self.texts.get(name).cloned()
    }
}

/// Reads the whole multipart body: the fields named in `texts`, and the
/// file in `file_field` (others are skipped). A part over the body limit is
/// the provider's `TooLarge`; any other part that cannot be read is
/// `unreadable()`.
pub async fn read_form(
    s: &Shared,
    mut m: axum::extract::Multipart,
    texts: &[&str],
    file_field: &str,
    unreadable: impl Fn() -> Response,
) -> Result<Form, Response> {
    let field_error = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            s.api.failure(Failure::TooLarge)
        } else {
            unreadable()
        }
    };
    let mut form = Form::default();
    while let Some(field) = m.next_field().await.map_err(field_error)? {
        let Some(name) = field.name().map(str::to_string) else {
            continue;
        };
        if name == file_field {
            let file_name = field.file_name().unwrap_or("file").to_string();
            form.file = Some((file_name, field.bytes().await.map_err(field_error)?));
        } else if texts.contains(&name.as_str()) {
            form.texts
                .insert(name, field.text().await.map_err(field_error)?);
        }
    }
    Ok(form)
}
