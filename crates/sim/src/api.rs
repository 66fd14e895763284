//! What every provider's API has in common: the request guard (counting,
//! slowness, injected faults, rate limit, authentication), the shared error
//! kinds each provider dresses in its own envelope, and small helpers.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use crate::limits::{self, Injected, Quota};
use crate::options::SimProvider;
use crate::state::Shared;
use crate::{
    freshdesk, helpcenter, helpcenterio, helpjuice, helpscout, intercom, knowledgeowl, zendesk,
};

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

pub fn failure(p: SimProvider, f: Failure) -> Response {
    match p {
        SimProvider::Helpjuice => helpjuice::failure(f),
        SimProvider::Helpcenterio => helpcenterio::failure(f),
        SimProvider::Helpcenter => helpcenter::failure(f),
        SimProvider::Helpscout => helpscout::failure(f),
        SimProvider::Knowledgeowl => knowledgeowl::failure(f),
        SimProvider::Zendesk => zendesk::failure(f),
        SimProvider::Intercom => intercom::failure(f),
        SimProvider::Freshdesk => freshdesk::failure(f),
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
    let p = s.provider();
    match limits::injected(&s.opts.faults, n) {
        Injected::TooManyRequests => {
            let limit = if s.limiter.enabled() {
                s.limiter.limit()
            } else {
                p.documented_limit()
            };
            return rate_limited(p, Quota::injected(limit));
        }
        Injected::Unavailable => return failure(p, Failure::Unavailable),
        Injected::None => {}
    }
    let key = credential(p, req.headers(), req.uri());
    let caller = key.as_deref().unwrap_or("");
    let quota = match p {
        // HelpCenter.io API v1: "up to 60 requests per minute per token. ...
        // If you exceed it, you get a 429 Too Many Requests response and
        // should wait a minute before retrying."
        SimProvider::Helpcenterio => s.window.take(caller),
        _ => s.limiter.take(caller),
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
        None => failure(p, Failure::Unauthorized),
    };
    if let Some(q) = quota {
        quota_headers(p, resp.headers_mut(), &q);
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

/// The key a request presents, the way each provider reads it.
fn credential(p: SimProvider, headers: &HeaderMap, uri: &Uri) -> Option<String> {
    let header_str = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match p {
        // "an HTTP header named Authorization or ... api_key query
        // parameter"; a `Bearer` prefix is tolerated. A Basic header is the
        // user impersonation of the doc: the key then comes from the query.
        SimProvider::Helpjuice => {
            let auth = header_str("authorization").map(str::trim);
            match auth {
                Some(a) if !a.is_empty() && !a.starts_with("Basic ") => {
                    Some(a.strip_prefix("Bearer ").unwrap_or(a).trim().to_string())
                }
                _ => param(&query_pairs(uri), "api_key").map(str::to_string),
            }
        }
        // Exactly `apikey: TOKEN`; Authorization and X-API-Key are ignored.
        SimProvider::Helpcenterio => header_str("apikey").map(str::to_string),
        // Only `Authorization: Bearer KEY`.
        SimProvider::Helpcenter => header_str("authorization")
            .and_then(|a| a.strip_prefix("Bearer "))
            .map(|k| k.trim().to_string()),
        // HTTP Basic with the API key as the user name and any password
        // (Freshdesk: `X`, though any is accepted).
        SimProvider::Helpscout | SimProvider::Knowledgeowl | SimProvider::Freshdesk => {
            basic_user(header_str("authorization")?)
        }
        // Basic `{email}/token:{api_token}` only.
        SimProvider::Zendesk => zendesk::credential(headers),
        // Only `Authorization: Bearer TOKEN`.
        SimProvider::Intercom => header_str("authorization")
            .and_then(|a| a.strip_prefix("Bearer "))
            .map(|k| k.trim().to_string()),
    }
}

/// The user name of an `Authorization: Basic base64(user:password)` header.
fn basic_user(auth: &str) -> Option<String> {
    use base64::Engine;
    let encoded = auth.trim().strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, _password) = text.split_once(':')?;
    (!user.is_empty()).then(|| user.to_string())
}

fn rate_limited(p: SimProvider, q: Quota) -> Response {
    let mut resp = failure(p, Failure::RateLimited);
    quota_headers(p, resp.headers_mut(), &q);
    resp
}

/// Each provider's rate-limit headers: Helpjuice only `Retry-After` on a
/// 429; HelpCenter.io none (its documentation names no header and says
/// "Wait at least one minute and retry");
/// Help.Center `X-RateLimit-Limit/Remaining/Reset` on every answer.
fn quota_headers(p: SimProvider, h: &mut HeaderMap, q: &Quota) {
    let mut set = |name: &'static str, v: u64| {
        h.insert(name, HeaderValue::from(v));
    };
    match p {
        SimProvider::Helpjuice => {
            if !q.allowed {
                set("retry-after", q.retry_after);
            }
        }
        SimProvider::Helpcenterio => {}
        SimProvider::Helpcenter => {
            set("x-ratelimit-limit", q.limit.into());
            set("x-ratelimit-remaining", q.remaining.into());
            set("x-ratelimit-reset", q.reset_unix);
        }
        // Help Scout Docs: limit, remaining and the seconds until the window
        // resets on every answer; 429 beyond (with Retry-After).
        SimProvider::Helpscout => {
            set("x-ratelimit-limit", q.limit.into());
            set("x-ratelimit-remaining", q.remaining.into());
            set(
                "x-ratelimit-reset",
                q.reset_unix.saturating_sub(limits::unix_now()),
            );
            if !q.allowed {
                set("retry-after", q.retry_after);
            }
        }
        SimProvider::Knowledgeowl => {
            if !q.allowed {
                set("retry-after", q.retry_after);
            }
        }
        // Zendesk: `X-Rate-Limit` and `X-Rate-Limit-Remaining` on every
        // answer, `Retry-After` on a 429.
        SimProvider::Zendesk => {
            set("x-rate-limit", q.limit.into());
            set("x-rate-limit-remaining", q.remaining.into());
            if !q.allowed {
                set("retry-after", q.retry_after);
            }
        }
        // Intercom: limit, remaining and the Unix time of the reset on
        // every answer; no Retry-After.
        SimProvider::Intercom => {
            set("x-ratelimit-limit", q.limit.into());
            set("x-ratelimit-remaining", q.remaining.into());
            set("x-ratelimit-reset", q.reset_unix);
        }
        // Freshdesk: the minute's total, what remains and what this request
        // cost on every answer; `Retry-After` (seconds) on a 429.
        SimProvider::Freshdesk => {
            set("x-ratelimit-total", q.limit.into());
            set("x-ratelimit-remaining", q.remaining.into());
            set("x-ratelimit-used-currentrequest", 1);
            if !q.allowed {
                set("retry-after", q.retry_after);
            }
        }
    }
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

pub fn body(p: SimProvider, b: Body) -> Result<Bytes, Response> {
    b.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            failure(p, Failure::TooLarge)
        } else {
            failure(p, Failure::Unreadable)
        }
    })
}

/// Fallback for unknown API paths.
pub async fn not_found(State(s): State<Arc<Shared>>) -> Response {
    failure(s.provider(), Failure::NotFound)
}

/// Fallback for a known path with the wrong method.
pub async fn method_not_allowed(State(s): State<Arc<Shared>>) -> Response {
    failure(s.provider(), Failure::MethodNotAllowed)
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
