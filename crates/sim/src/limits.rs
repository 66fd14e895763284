//! Rate limiting (a token bucket per key) and the fault schedule.
//!
//! A bucket holds `burst` tokens and refills at `per_minute / 60` tokens a
//! second, so a client that waits what it is told (`Retry-After` or
//! `X-RateLimit-Reset`) always gets at least one request through.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::options::Faults;

/// The state of a key's quota after one request.
#[derive(Clone, Copy, Debug)]
pub struct Quota {
    pub allowed: bool,
    /// Requests per minute.
    pub limit: u32,
    pub remaining: u32,
    /// Unix seconds: when the bucket is full again (allowed), or when the
    /// next request will be accepted (refused).
    pub reset_unix: u64,
    /// Seconds to wait before retrying (refused requests).
    pub retry_after: u64,
}

impl Quota {
    /// What an injected 429 reports: nothing left, retry in one second.
    pub fn injected(limit: u32) -> Self {
        Quota {
            allowed: false,
            limit,
            remaining: 0,
            reset_unix: unix_now() + 1,
            retry_after: 1,
        }
    }
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

pub struct Limiter {
    per_minute: u32,
    burst: u32,
    buckets: Mutex<HashMap<String, Bucket>>,
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Limiter {
    /// `per_minute == 0` turns limiting off.
    pub fn new(per_minute: u32, burst: u32) -> Self {
        Limiter {
            per_minute,
            burst: burst.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.per_minute > 0
    }

    pub fn limit(&self) -> u32 {
        self.per_minute
    }

    /// Takes one token for `key`; `None` when limiting is off.
    pub fn take(&self, key: &str) -> Option<Quota> {
        if !self.enabled() {
            return None;
        }
        let rate = f64::from(self.per_minute) / 60.0;
        let burst = f64::from(self.burst);
        let now = Instant::now();
        let mut buckets = self.buckets.lock().expect("limiter lock");
        let b = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: burst,
            last: now,
        });
        b.tokens = (b.tokens + now.duration_since(b.last).as_secs_f64() * rate).min(burst);
        b.last = now;
        let allowed = b.tokens >= 1.0;
        if allowed {
            b.tokens -= 1.0;
        }
        let wait = if allowed {
            (burst - b.tokens) / rate
        } else {
            (1.0 - b.tokens) / rate
        };
        let wait = wait.ceil().max(if allowed { 0.0 } else { 1.0 }) as u64;
        Some(Quota {
            allowed,
            limit: self.per_minute,
            remaining: b.tokens.floor() as u32,
            reset_unix: unix_now() + wait,
            retry_after: if allowed { 0 } else { wait },
        })
    }
}

/// What the fault schedule says about the n-th (0-based) API request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Injected {
    None,
    TooManyRequests,
    Unavailable,
}

pub fn injected(faults: &Faults, n: u64) -> Injected {
    let burst = u64::from(faults.burst_429);
    if n < burst {
        Injected::TooManyRequests
    } else if n < burst + u64::from(faults.error_5xx) {
        Injected::Unavailable
    } else {
        Injected::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_refuses_after_burst() {
        let l = Limiter::new(60, 3);
        for _ in 0..3 {
            assert!(l.take("k").unwrap().allowed);
        }
        let q = l.take("k").unwrap();
        assert!(!q.allowed);
        assert_eq!(q.remaining, 0);
        assert!(q.retry_after >= 1);
        // Keys are independent.
        assert!(l.take("other").unwrap().allowed);
        assert!(Limiter::new(0, 0).take("k").is_none());
    }

    #[test]
    fn fault_schedule() {
        let f = Faults {
            burst_429: 2,
            error_5xx: 1,
            ..Faults::default()
        };
        let got: Vec<_> = (0..4).map(|n| injected(&f, n)).collect();
        assert_eq!(
            got,
            [
                Injected::TooManyRequests,
                Injected::TooManyRequests,
                Injected::Unavailable,
                Injected::None
            ]
        );
    }
}
