//! The simulator kit: what one simulated help-center API declares about
//! itself ([`SimApi`]), and what every simulator shares: the request guard
//! (counting, injected faults, rate limit, authentication), paging
//! ([`page_and_size`], [`numbered`]), request bodies ([`ApiBody`]), the store
//! and the image host. A new built-in simulator is one file implementing
//! [`SimApi`], named once in [`SimProvider`](crate::SimProvider); one
//! written outside this crate (a test's made-up provider) runs as
//! [`SimProvider::Custom`](crate::SimProvider::Custom).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::Response;
use axum::Router;

pub use crate::api::{
    body, garbage, is_json, json, param, query_pairs, unreadable_first, ApiBody, Body, Failure,
};
pub use crate::limits::{unix_now, Quota};
pub use crate::paging::{numbered, page_and_size, Page, PageProblem};
pub use crate::state::{Principal, Shared};
pub use crate::store::{ts, Article, Doc, Store, DEFAULT_LOCALE};

/// One simulated help-center API: its name, where it lives, its documented
/// limits, its routes, and how it reads a key and writes its errors and
/// rate-limit headers. The guard in front of every route (counting, faults,
/// rate limit, authentication) is shared and asks these.
pub trait SimApi: Send + Sync + 'static {
    /// Its name, where it is served and its documented rate.
    fn about(&self) -> About;

    /// Requests allowed at once at `per_minute`, where the provider
    /// documents a burst; by default a minute's worth.
    fn burst(&self, per_minute: u32) -> u32 {
        per_minute
    }

    /// Whether the limit is a fixed window per key (every request refused
    /// until the window is over) instead of a token bucket.
    fn fixed_window(&self) -> bool {
        false
    }

    /// What its sample data looks like.
    fn data(&self) -> DataProfile;

    /// A last change to the generated store before serving.
    fn prepare(&self, _store: &mut Store) {}

    /// Its API routes, relative to [`About::prefix`].
    fn routes(&self) -> Router<Arc<Shared>>;

    /// Routes of its public site besides the article pages at `/kb/...`.
    fn site_routes(&self) -> Router<Arc<Shared>> {
        Router::new()
    }

    /// A failure every provider has, in this provider's envelope.
    fn failure(&self, f: Failure) -> Response;

    /// Its rate-limit headers on an answer (`q.allowed` is false on a 429).
    fn quota_headers(&self, h: &mut HeaderMap, q: &Quota);

    /// The settings a client needs besides the API base and the token.
    fn settings(&self, _s: &Shared) -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    /// Whether a read-only key can exist (`SimOptions::read_only_token`).
    fn read_only_keys(&self) -> bool {
        true
    }
}

/// Who a simulated API is.
#[derive(Clone, Copy, Debug)]
pub struct About {
    /// The provider id Shotkeeper uses (`helpjuice`).
    pub name: &'static str,
    /// The path its API is served under (`/api/v3`).
    pub prefix: &'static str,
    /// The documented rate limit, requests per minute.
    pub documented_limit: u32,
    /// How a request presents its key.
    pub key: KeyIn,
}

impl About {
    pub const fn new(
        name: &'static str,
        prefix: &'static str,
        documented_limit: u32,
        key: KeyIn,
    ) -> Self {
        About {
            name,
            prefix,
            documented_limit,
            key,
        }
    }
}

/// How an API takes its key, as the shared guard reads it.
#[derive(Clone, Copy, Debug)]
pub enum KeyIn {
    /// Exactly this header's whole value (HelpCenter.io's `apikey`).
    Header(&'static str),
    /// Only `Authorization: Bearer KEY`.
    Bearer,
    /// HTTP Basic with the key as the user name and any password.
    BasicUser,
    /// Read its own way (Helpjuice's header or query, Zendesk's
    /// `email/token`).
    Own(fn(&HeaderMap, &Uri) -> Option<String>),
}

impl KeyIn {
    /// The key a request presents; `None` when it presents none.
    pub fn read(self, headers: &HeaderMap, uri: &Uri) -> Option<String> {
        match self {
            KeyIn::Header(name) => headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            KeyIn::Bearer => bearer(headers),
            KeyIn::BasicUser => basic_user(headers),
            KeyIn::Own(read) => read(headers, uri),
        }
    }
}

/// What differs between providers in the sample data.
#[derive(Clone, Copy, Debug)]
pub struct DataProfile {
    /// The language every fourth article is translated to, if any.
    pub translation: Option<&'static str>,
    /// Whether article answers name their authors.
    pub exposes_authors: bool,
    /// Help.Center: drafts and live versions differ; a translation can only
    /// be published once its article is.
    pub pending_drafts: bool,
    /// Every image URL absolute, for an API whose article JSON has no
    /// public URL to resolve relative ones against.
    pub absolute_only: bool,
    /// The `i`-th article's id for `seed`, in the provider's style.
    pub article_id: fn(usize, u64) -> String,
}

impl DataProfile {
    /// One language, no authors, no pending drafts, ids from `article_id`.
    pub fn plain(article_id: fn(usize, u64) -> String) -> Self {
        DataProfile {
            translation: None,
            exposes_authors: false,
            pending_drafts: false,
            absolute_only: false,
            article_id,
        }
    }

    pub fn translated(self, locale: &'static str) -> Self {
        DataProfile {
            translation: Some(locale),
            ..self
        }
    }
}

/// Sets one rate-limit header.
pub fn set(h: &mut HeaderMap, name: &'static str, v: u64) {
    h.insert(name, HeaderValue::from(v));
}

/// The key of `Authorization: Bearer KEY`.
fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|k| k.trim().to_string())
}

/// The user name of `Authorization: Basic base64(user:password)`: the key
/// where a provider takes it as the user with any password.
fn basic_user(headers: &HeaderMap) -> Option<String> {
    use base64::Engine;
    let auth = headers.get("authorization")?.to_str().ok()?;
    let encoded = auth.trim().strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, _password) = text.split_once(':')?;
    (!user.is_empty()).then(|| user.to_string())
}
