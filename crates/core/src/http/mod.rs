//! The one HTTP layer of core. Every call to a provider or an image host goes
//! through an [`HttpClient`]: one per integration, shared (it is an `Arc`
//! inside) by all of that integration's calls, so its rate limiter sees all of
//! them.
//!
//! What it guarantees: requests wait for the integration's limiter before they
//! leave; 429, 5xx (not 501), timeouts and dropped connections are retried a
//! bounded number of times with exponential backoff and jitter, honouring
//! `Retry-After` and `X-RateLimit-Reset`; final failures become a
//! [`CoreError`] that names the provider and the endpoint and never the secret.

pub mod api_base;
mod errors;
mod image;
pub mod json;
mod retry;

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::DefaultClock;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use serde::de::DeserializeOwned;

use crate::error::{CoreError, Result};

pub use api_base::{page_number, ApiBase, Auth};
pub use errors::{extract_detail, ErrorHook, ErrorResponse};
pub use image::FetchedImage;
use retry::Outcome;

/// Identifies Shotkeeper to providers, so their logs can tell who is calling.
const USER_AGENT: &str = concat!("Shotkeeper/", env!("CARGO_PKG_VERSION"));

/// How one integration's HTTP traffic behaves.
#[derive(Clone)]
pub struct HttpConfig {
    /// Display name used in every error message ("Helpjuice").
    pub provider: String,
    /// Sustained budget; `0` turns the limiter off (simulators, raised limits).
    pub requests_per_minute: u32,
    /// Requests that may leave at once before the sustained rate applies.
    pub burst: u32,
    /// Total tries of one request, the first included (at least 1).
    pub max_attempts: u32,
    /// Whole-request timeout (connect, send, and reading the answer).
    pub timeout: Duration,
    /// Longest single wait between two attempts, whatever the server asks for.
    pub max_backoff: Duration,
    /// Wait before the second attempt when the server gives no hint; doubles
    /// for each further attempt.
    pub initial_backoff: Duration,
    /// The wait after a 429 that carries neither `Retry-After` nor
    /// `X-RateLimit-Reset`, where the provider documents one (HelpCenter.io:
    /// "wait at least one minute"). `None`: exponential backoff as for 5xx.
    /// Never capped by `max_backoff`: it is what the provider asks for.
    /// Providers fill in their documented value when it is `None`; the
    /// `rate_limit_wait_seconds` setting of an integration overrides it (a
    /// simulator with a shorter window, tests).
    pub rate_limit_wait: Option<Duration>,
    /// Lets a provider turn a failed answer into its own error (for example a
    /// 403 that means "read-only key" rather than "bad key").
    pub on_error: Option<ErrorHook>,
    /// Values never quoted in an error (the integration's secret): should a
    /// provider echo the key back in an error body, it is replaced by
    /// `[redacted]` before the body reaches a message or a hook.
    pub redact: Vec<String>,
}

impl HttpConfig {
    /// Documented defaults: no limiter, 5 attempts, 30 s timeout, waits of
    /// 0.5 s doubling up to 60 s.
    pub fn new(provider: impl Into<String>) -> Self {
        HttpConfig {
            provider: provider.into(),
            requests_per_minute: 0,
            burst: 1,
            max_attempts: 5,
            timeout: Duration::from_secs(30),
            max_backoff: Duration::from_secs(60),
            initial_backoff: Duration::from_millis(500),
            rate_limit_wait: None,
            on_error: None,
            redact: Vec::new(),
        }
    }
}

impl fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpConfig")
            .field("provider", &self.provider)
            .field("requests_per_minute", &self.requests_per_minute)
            .field("burst", &self.burst)
            .field("max_attempts", &self.max_attempts)
            .field("timeout", &self.timeout)
            .field("max_backoff", &self.max_backoff)
            .field("initial_backoff", &self.initial_backoff)
            .field("rate_limit_wait", &self.rate_limit_wait)
            .field("on_error", &self.on_error.as_ref().map(|_| "hook"))
            .field("redact", &format_args!("[{} value(s)]", self.redact.len()))
            .finish()
    }
}

/// A GCRA limiter from `governor`: it enforces "N per minute with a burst of
/// B" exactly as providers document it, is lock-free so clones of the client
/// on many tasks share it cheaply, and waits asynchronously without a
/// background task or a token-refill timer of our own.
type Limiter = RateLimiter<NotKeyed, InMemoryState, DefaultClock>;

struct Inner {
    cfg: HttpConfig,
    /// API calls: reqwest follows a few redirects itself (same scheme rules).
    api: reqwest::Client,
    /// Image downloads: redirects are followed by hand so that each hop's
    /// scheme can be checked before anything is requested from it.
    images: reqwest::Client,
    limiter: Option<Limiter>,
}

/// The shared HTTP client of one integration. Cheap to clone.
#[derive(Clone)]
pub struct HttpClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("cfg", &self.inner.cfg)
            .finish()
    }
}

impl HttpClient {
    pub fn new(mut cfg: HttpConfig) -> Result<Self> {
        cfg.max_attempts = cfg.max_attempts.max(1);
        let api = base_builder(&cfg)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| client_error(&cfg, e))?;
        let images = base_builder(&cfg)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| client_error(&cfg, e))?;
        let limiter = limiter(cfg.requests_per_minute, cfg.burst);
        Ok(HttpClient {
            inner: Arc::new(Inner {
                cfg,
                api,
                images,
                limiter,
            }),
        })
    }

    pub fn config(&self) -> &HttpConfig {
        &self.inner.cfg
    }

    /// Sends a request built by `build` (called again for each attempt, since
    /// a request body cannot be replayed), waiting for the rate limiter before
    /// every attempt. `endpoint` ("GET /articles") names the call in errors.
    /// Returns the first 2xx answer; see the module docs for what is retried.
    pub async fn send(
        &self,
        endpoint: &str,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response> {
        let cfg = &self.inner.cfg;
        let mut attempt = 1;
        loop {
            self.wait_for_limiter().await;
            let request = build(&self.inner.api).build().map_err(|e| {
                CoreError::Invalid(format!(
                    "{} request {endpoint} could not be built: {}",
                    cfg.provider,
                    errors::transport_detail(&e)
                ))
            })?;
            let host = errors::host_of(request.url());
            let result = self.inner.api.execute(request).await;
            match retry::classify(result, attempt, cfg) {
                Outcome::Done(resp) => return Ok(resp),
                Outcome::Retry(wait, status) => {
                    tracing::debug!(provider = %cfg.provider, endpoint, attempt, ?wait, "retrying");
                    self.wait_out(wait, status).await;
                    attempt += 1;
                }
                Outcome::Fail(failure) => {
                    return Err(errors::into_error(failure, cfg, endpoint, &host, attempt).await)
                }
            }
        }
    }

    /// [`send`](Self::send), then decodes the JSON answer. An answer that is
    /// not JSON or lacks fields becomes [`CoreError::Garbage`].
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        endpoint: &str,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<T> {
        let resp = self.send(endpoint, build).await?;
        let body = self.read_body(endpoint, resp).await?;
        json::decode(&body).map_err(|detail| self.garbage(endpoint, detail))
    }

    /// Reads a whole answer body, mapping a failure mid-body to an error that
    /// names the provider and endpoint.
    pub async fn read_body(&self, endpoint: &str, resp: reqwest::Response) -> Result<bytes::Bytes> {
        let host = errors::host_of(resp.url());
        resp.bytes()
            .await
            .map_err(|e| errors::transport_error(&e, &self.inner.cfg, endpoint, &host, 1))
    }

    /// The error for a 2xx answer that cannot be used.
    pub fn garbage(&self, endpoint: &str, detail: impl Into<String>) -> CoreError {
        CoreError::Garbage {
            provider: self.inner.cfg.provider.clone(),
            endpoint: endpoint.to_string(),
            detail: detail.into(),
        }
    }

    /// Downloads an image; see [`FetchedImage`]. Image hosts are not the
    /// provider's API, so the API limiter does not apply; retries do.
    pub async fn fetch_image(&self, url: &str, max_bytes: usize) -> Result<FetchedImage> {
        image::fetch(&self.inner.images, &self.inner.cfg, url, max_bytes).await
    }

    /// Sleeps before the next attempt. A wait of [`NOTICE_AFTER`] or more is
    /// told, once a second, to the hook installed by [`observe_waits`] (if
    /// any), and once more with nothing remaining when it is over. Dropping
    /// the future (a cancelled job) ends the wait at once.
    async fn wait_out(&self, wait: Duration, status: Option<u16>) {
        let hook = WAIT_HOOK.try_with(Arc::clone).ok();
        let Some(hook) = hook.filter(|_| wait >= NOTICE_AFTER) else {
            tokio::time::sleep(wait).await;
            return;
        };
        let end = tokio::time::Instant::now() + wait;
        let notice = |remaining| RetryWait {
            provider: self.inner.cfg.provider.clone(),
            status,
            remaining,
        };
        loop {
            let remaining = end.saturating_duration_since(tokio::time::Instant::now());
            if remaining.is_zero() {
                break;
            }
            hook(&notice(remaining));
            tokio::time::sleep(remaining.min(NOTICE_EVERY)).await;
        }
        hook(&notice(Duration::ZERO));
    }

    async fn wait_for_limiter(&self) {
        if let Some(limiter) = &self.inner.limiter {
            limiter.until_ready().await;
        }
    }
}

/// Retry waits at least this long are shown to the person waiting.
pub const NOTICE_AFTER: Duration = Duration::from_secs(1);
/// How often a long wait's countdown is reported.
const NOTICE_EVERY: Duration = Duration::from_secs(1);

/// A retry wait in progress, as told to an [`observe_waits`] hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryWait {
    /// Display name of the provider ("HelpCenter.io").
    pub provider: String,
    /// The status that is being waited out (429, 503); `None` after a
    /// timeout or a dropped connection.
    pub status: Option<u16>,
    /// Time left before the next attempt; zero when the wait is over.
    pub remaining: Duration,
}

impl RetryWait {
    /// "rate limited by HelpCenter.io, resuming in 52 s": for any front end.
    pub fn message(&self) -> String {
        let secs = self.remaining.as_secs_f64().ceil() as u64;
        match self.status {
            Some(429) => format!("rate limited by {}, resuming in {secs} s", self.provider),
            Some(s) => format!("{} answered HTTP {s}, retrying in {secs} s", self.provider),
            None => format!("{} did not answer, retrying in {secs} s", self.provider),
        }
    }
}

/// Told about every long retry wait of the calls it observes.
pub type WaitHook = Arc<dyn Fn(&RetryWait) + Send + Sync>;

tokio::task_local! {
    static WAIT_HOOK: WaitHook;
}

/// Runs `fut` with `hook` told about each retry wait of [`NOTICE_AFTER`] or
/// more that any [`HttpClient`] makes while polled inside it (a job shows
/// "rate limited by …, resuming in 52 s" instead of looking stuck).
pub async fn observe_waits<F: std::future::Future>(hook: WaitHook, fut: F) -> F::Output {
    WAIT_HOOK.scope(hook, fut).await
}

fn base_builder(cfg: &HttpConfig) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .timeout(cfg.timeout)
        .connect_timeout(cfg.timeout.min(Duration::from_secs(10)))
}

fn client_error(cfg: &HttpConfig, e: reqwest::Error) -> CoreError {
    CoreError::Invalid(format!(
        "the HTTP client for {} could not be created: {}",
        cfg.provider,
        errors::transport_detail(&e)
    ))
}

fn limiter(per_minute: u32, burst: u32) -> Option<Limiter> {
    let rate = NonZeroU32::new(per_minute)?;
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Some(RateLimiter::direct(
        Quota::per_minute(rate).allow_burst(burst),
    ))
}

/// An id as one URL path segment: ids come from providers and from the
/// command line, and must never add path segments or a query of their own.
pub fn segment(id: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
    const SEGMENT: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'/')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'`')
        .add(b'{')
        .add(b'}')
        .add(b'\\')
        .add(b'^')
        .add(b'|');
    match id {
        // URL parsers collapse these segments, which would change the path.
        "." | ".." => id.replace('.', "%2E"),
        _ => utf8_percent_encode(id, SEGMENT).to_string(),
    }
}

/// A header value holding a secret: marked sensitive so that no debug output
/// of reqwest or hyper prints it. The error never quotes the secret.
pub fn secret_header(value: &str, what: &str) -> Result<reqwest::header::HeaderValue> {
    let mut v = reqwest::header::HeaderValue::from_str(value.trim()).map_err(|_| {
        CoreError::Invalid(format!(
            "the {what} contains characters that cannot be sent in an HTTP header (a line break or non-ASCII character?); paste it again"
        ))
    })?;
    v.set_sensitive(true);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cannot_escape() {
        assert_eq!(segment("123"), "123");
        assert_eq!(segment("a-b_c.d"), "a-b_c.d");
        assert_eq!(segment("../x?y#z"), "..%2Fx%3Fy%23z");
        assert_eq!(segment(".."), "%2E%2E");
    }

    #[test]
    fn secret_headers() {
        assert!(secret_header("abc", "API key").unwrap().is_sensitive());
        let e = secret_header("a\nb", "API key").unwrap_err().to_string();
        assert!(!e.contains("a\nb") && e.contains("API key"));
    }

    #[test]
    fn limiter_off_at_zero() {
        assert!(limiter(0, 10).is_none());
        assert!(limiter(60, 0).is_some());
    }
}
