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

/// A fixed window per key: `limit` requests, then every request is refused
/// until the window is over. No token trickles back before that, so a
/// client that retries after a second is refused again.
pub struct FixedWindow {
    limit: u32,
    window: std::time::Duration,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl FixedWindow {
    pub fn new(limit: u32, window: std::time::Duration) -> Self {
        FixedWindow {
            limit,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request of `key`; `None` when limiting is off.
    pub fn take(&self, key: &str) -> Option<Quota> {
        if self.limit == 0 {
            return None;
        }
        let now = Instant::now();
        let mut windows = self.windows.lock().expect("window lock");
        let (start, count) = windows.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(*start) >= self.window {
            *start = now;
            *count = 0;
        }
        let allowed = *count < self.limit;
        if allowed {
            *count += 1;
        }
        let left = self.window.saturating_sub(now.duration_since(*start));
        Some(Quota {
            allowed,
            limit: self.limit,
            remaining: self.limit - *count,
            reset_unix: unix_now() + left.as_secs(),
            retry_after: left.as_secs_f64().ceil() as u64,
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
    fn fixed_window_refuses_until_it_is_over() {
        let w = FixedWindow::new(2, std::time::Duration::from_millis(200));
        assert!(w.take("k").unwrap().allowed);
        assert!(w.take("k").unwrap().allowed);
        assert!(!w.take("k").unwrap().allowed);
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(!w.take("k").unwrap().allowed, "no token trickles back");
        std::thread::sleep(std::time::Duration::from_millis(120));
        assert!(w.take("k").unwrap().allowed);
        assert!(FixedWindow::new(0, std::time::Duration::ZERO)
            .take("k")
            .is_none());
    }

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
