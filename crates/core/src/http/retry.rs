//! Which answers are worth another attempt, and how long to wait first.

use std::collections::hash_map::RandomState;
use std::error::Error as _;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;

use super::HttpConfig;

/// A failed attempt that will not be retried (any more).
pub(super) enum Failure {
    Status(reqwest::Response),
    Transport(reqwest::Error),
}

pub(super) enum Outcome {
    Done(reqwest::Response),
    /// Wait this long, then try again; the status being waited out.
    Retry(Duration, Option<u16>),
    Fail(Failure),
}

/// Decides what to do with the result of attempt number `attempt` (1-based).
pub(super) fn classify(
    result: Result<reqwest::Response, reqwest::Error>,
    attempt: u32,
    cfg: &HttpConfig,
) -> Outcome {
    let last = attempt >= cfg.max_attempts;
    match result {
        Ok(resp) if resp.status().is_success() => Outcome::Done(resp),
        Ok(resp) if !last && retryable_status(resp.status()) => Outcome::Retry(
            delay(attempt, cfg, Some((resp.status(), resp.headers()))),
            Some(resp.status().as_u16()),
        ),
        Ok(resp) => Outcome::Fail(Failure::Status(resp)),
        Err(e) if !last && retryable_transport(&e) => {
            Outcome::Retry(delay(attempt, cfg, None), None)
        }
        Err(e) => Outcome::Fail(Failure::Transport(e)),
    }
}

/// 429 and server errors are usually transient; 501 Not Implemented never is.
pub(super) fn retryable_status(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        || (status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED)
}

/// Timeouts and connections dropped mid-request. Refused connections and DNS
/// failures are not retried: they are almost always a wrong address, and the
/// user should hear about it at once.
pub(super) fn retryable_transport(e: &reqwest::Error) -> bool {
    e.is_timeout() || connection_dropped(e)
}

fn connection_dropped(e: &reqwest::Error) -> bool {
    use std::io::ErrorKind::*;
    let mut source = e.source();
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
            ) {
                return true;
            }
        }
        // hyper's error type is not a dependency of ours; its message is stable.
        if err
            .to_string()
            .contains("connection closed before message completed")
        {
            return true;
        }
        source = err.source();
    }
    false
}

/// The wait before attempt `attempt + 1`, in this order: what the server
/// asked for in its headers (never above `max_backoff`); for a 429 without
/// such a header, the provider's documented wait (`rate_limit_wait`);
/// otherwise exponential backoff with jitter.
pub(super) fn delay(
    attempt: u32,
    cfg: &HttpConfig,
    answer: Option<(StatusCode, &HeaderMap)>,
) -> Duration {
    let hint = answer.and_then(|(status, headers)| server_hint(status, headers, SystemTime::now()));
    let too_many = answer.is_some_and(|(status, _)| status == StatusCode::TOO_MANY_REQUESTS);
    match (hint, cfg.rate_limit_wait) {
        (Some(wait), _) if !wait.is_zero() => wait.min(cfg.max_backoff),
        (_, Some(documented)) if too_many => documented,
        _ => jittered(exponential(attempt, cfg)),
    }
}

fn exponential(attempt: u32, cfg: &HttpConfig) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
    cfg.initial_backoff
        .saturating_mul(factor)
        .min(cfg.max_backoff)
}

/// "Equal jitter": half the wait is fixed, half random, so that many clients
/// backing off together do not retry in lockstep.
fn jittered(wait: Duration) -> Duration {
    let half = wait / 2;
    let nanos = half.as_nanos().min(u64::MAX as u128) as u64;
    let random = if nanos == 0 {
        0
    } else {
        random_u64() % (nanos + 1)
    };
    half + Duration::from_nanos(random)
}

/// A random number without a dependency: std seeds every `RandomState` afresh.
fn random_u64() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    h.finish()
}

/// `Retry-After` on any retried answer; `X-RateLimit-Reset` on 429 only,
/// since elsewhere it describes the budget, not this failure.
pub(super) fn server_hint(
    status: StatusCode,
    headers: &HeaderMap,
    now: SystemTime,
) -> Option<Duration> {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(wait) = header(RETRY_AFTER.as_str()).and_then(|v| parse_retry_after(v, now)) {
        return Some(wait);
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        return header("x-ratelimit-reset").and_then(|v| parse_rate_limit_reset(v, now));
    }
    None
}

/// `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`.
pub(super) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e9)));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or_default())
}

/// Providers disagree on `X-RateLimit-Reset`: some send a Unix time, some the
/// seconds until the reset. No real wait is 30 years long, so a value that
/// large is a Unix time (in milliseconds when larger still).
pub(super) fn parse_rate_limit_reset(value: &str, now: SystemTime) -> Option<Duration> {
    const UNIX_SECONDS_FLOOR: f64 = 1_000_000_000.0;
    const UNIX_MILLIS_FLOOR: f64 = 1_000_000_000_000.0;
    let n: f64 = value
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite() && *n >= 0.0)?;
    let at_unix = if n >= UNIX_MILLIS_FLOOR {
        n / 1000.0
    } else if n >= UNIX_SECONDS_FLOOR {
        n
    } else {
        return Some(Duration::from_secs_f64(n));
    };
    let now = now
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    Some(Duration::from_secs_f64((at_unix - now).max(0.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn cfg() -> HttpConfig {
        HttpConfig::new("Test")
    }

    #[test]
    fn retry_after_seconds_and_date() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(7)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn rate_limit_reset_forms() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            parse_rate_limit_reset("5", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_rate_limit_reset("1700000009", now),
            Some(Duration::from_secs(9))
        );
        assert_eq!(
            parse_rate_limit_reset("1700000002000", now),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            parse_rate_limit_reset("1600000000", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_rate_limit_reset("x", now), None);
    }

    #[test]
    fn reset_only_counts_on_429() {
        let now = SystemTime::now();
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-reset", HeaderValue::from_static("4"));
        assert_eq!(
            server_hint(StatusCode::TOO_MANY_REQUESTS, &h, now),
            Some(Duration::from_secs(4))
        );
        assert_eq!(server_hint(StatusCode::SERVICE_UNAVAILABLE, &h, now), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(
            server_hint(StatusCode::SERVICE_UNAVAILABLE, &h, now),
            Some(Duration::from_secs(2))
        );
    }

    #[test]
    fn hints_are_capped_and_backoff_grows_within_bounds() {
        let mut c = cfg();
        c.max_backoff = Duration::from_secs(10);
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("3600"));
        let d = delay(1, &c, Some((StatusCode::TOO_MANY_REQUESTS, &h)));
        assert_eq!(d, Duration::from_secs(10));
        for attempt in 1..=30 {
            let d = delay(attempt, &c, None);
            let full = exponential(attempt, &c);
            assert!(
                d >= full / 2 && d <= full,
                "attempt {attempt}: {d:?} vs {full:?}"
            );
        }
        assert_eq!(exponential(1, &c), Duration::from_millis(500));
        assert_eq!(exponential(3, &c), Duration::from_secs(2));
        assert_eq!(exponential(30, &c), Duration::from_secs(10));
    }

    #[test]
    fn documented_wait_applies_to_a_bare_429_only() {
        let mut c = cfg();
        c.rate_limit_wait = Some(Duration::from_secs(60));
        let none = HeaderMap::new();
        // A 429 without headers: exactly the documented minute, above max_backoff too.
        c.max_backoff = Duration::from_secs(10);
        for attempt in 1..=4 {
            let d = delay(attempt, &c, Some((StatusCode::TOO_MANY_REQUESTS, &none)));
            assert_eq!(d, Duration::from_secs(60));
        }
        // Headers come first.
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        let d = delay(1, &c, Some((StatusCode::TOO_MANY_REQUESTS, &h)));
        assert_eq!(d, Duration::from_secs(3));
        // A 503 keeps the exponential backoff.
        let d = delay(1, &c, Some((StatusCode::SERVICE_UNAVAILABLE, &none)));
        assert!(d <= Duration::from_millis(500), "{d:?}");
        // Without a documented wait, a bare 429 backs off exponentially.
        c.rate_limit_wait = None;
        let d = delay(1, &c, Some((StatusCode::TOO_MANY_REQUESTS, &none)));
        assert!(d <= Duration::from_millis(500), "{d:?}");
    }

    #[test]
    fn which_statuses_retry() {
        assert!(retryable_status(StatusCode::TOO_MANY_REQUESTS));
        assert!(retryable_status(StatusCode::BAD_GATEWAY));
        assert!(retryable_status(StatusCode::INTERNAL_SERVER_ERROR));
        assert!(!retryable_status(StatusCode::NOT_IMPLEMENTED));
        assert!(!retryable_status(StatusCode::NOT_FOUND));
        assert!(!retryable_status(StatusCode::UNAUTHORIZED));
    }
}
