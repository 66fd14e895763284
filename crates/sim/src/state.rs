//! State shared by every handler of one simulator.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Mutex;

use crate::data::Model;
use crate::images::ImageStore;
use crate::kit::SimApi;
use crate::limits::{FixedWindow, Limiter};
use crate::options::SimOptions;
use crate::store::Store;

/// Request counters the tests read back.
#[derive(Default)]
pub struct Stats {
    pub api: AtomicU64,
    pub images: AtomicU64,
    per_path: Mutex<HashMap<String, u64>>,
    /// When each API request arrived, for tests of a client's pacing.
    api_times: Mutex<Vec<std::time::Instant>>,
}

impl Stats {
    /// Counts an API request and notes when it arrived; returns how many
    /// came before it.
    pub fn count_api(&self) -> u64 {
        self.api_times
            .lock()
            .expect("stats lock")
            .push(std::time::Instant::now());
        self.api.fetch_add(1, Ordering::SeqCst)
    }

    pub fn api_times(&self) -> Vec<std::time::Instant> {
        self.api_times.lock().expect("stats lock").clone()
    }

    pub fn count_image(&self, path: &str) {
        self.images.fetch_add(1, Ordering::SeqCst);
        let mut map = self.per_path.lock().expect("stats lock");
        *map.entry(path.to_string()).or_insert(0) += 1;
    }

    pub fn image_requests_for(&self, path: &str) -> u64 {
        let map = self.per_path.lock().expect("stats lock");
        map.get(path).copied().unwrap_or(0)
    }
}

/// Who made an API request, once authenticated.
#[derive(Clone, Copy, Debug)]
pub struct Principal {
    /// HelpCenter.io "Read Only" key / Help.Center key with `content.read`
    /// only: no writes, no publishing, no uploads.
    pub read_only: bool,
}

/// Articles whose requests the simulator refuses from now on (see
/// `Sim::refuse_writes_to`, `Sim::refuse_reads_of`).
#[derive(Default)]
pub struct Refusals {
    pub writes: Vec<String>,
    pub reads: Vec<String>,
}

impl Refusals {
    /// Whether a request `method path` names a refused article: a path
    /// segment `articles` followed by the article's id.
    pub fn refuses(&self, method: &str, path: &str) -> bool {
        let list = if method == "GET" {
            &self.reads
        } else {
            &self.writes
        };
        if list.is_empty() {
            return false;
        }
        let segments: Vec<&str> = path.split('/').collect();
        segments
            .windows(2)
            .any(|w| w[0] == "articles" && list.iter().any(|id| id == w[1]))
    }
}

pub struct Shared {
    pub opts: SimOptions,
    /// The simulated API (`opts.provider`'s).
    pub api: &'static dyn SimApi,
    /// `http://127.0.0.1:PORT`
    pub site: String,
    pub store: Mutex<Store>,
    pub images: ImageStore,
    pub stats: Stats,
    pub limiter: Limiter,
    pub refusals: Mutex<Refusals>,
    /// The minute window of an API limited that way (off for the others).
    pub window: FixedWindow,
    /// The demo app's UI version (`crate::demo_app::UiVersion`): 1 or 2.
    pub ui_version: AtomicU8,
}

impl Shared {
    pub fn new(opts: SimOptions, site: String, model: Model) -> Self {
        let api = opts.provider.api();
        let per_minute = opts.effective_limit();
        let mut store = Store::from_model(&model);
        api.prepare(&mut store);
        let window_limit = if api.fixed_window() { per_minute } else { 0 };
        Shared {
            store: Mutex::new(store),
            images: ImageStore::new(&model),
            stats: Stats::default(),
            limiter: Limiter::new(per_minute, api.burst(per_minute)),
            refusals: Mutex::new(Refusals::default()),
            window: FixedWindow::new(window_limit, opts.rate_limit_window),
            ui_version: AtomicU8::new(1),
            api,
            site,
            opts,
        }
    }

    /// Who `key` is, if it is a valid key. An API with a single account
    /// key (Helpjuice) has no read-only key.
    pub fn principal_for(&self, key: &str) -> Option<Principal> {
        if key == self.opts.token {
            return Some(Principal { read_only: false });
        }
        let read_only = self.opts.read_only_token.as_deref();
        if self.api.read_only_keys() && read_only == Some(key) {
            return Some(Principal { read_only: true });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::Refusals;

    #[test]
    fn refusals_name_the_article_segment_exactly() {
        let r = Refusals {
            writes: vec!["12".into()],
            reads: vec!["7".into()],
        };
        assert!(r.refuses("PUT", "/v0/centers/c1/articles/12/draft"));
        assert!(r.refuses("POST", "/v0/centers/c1/articles/12/publish"));
        assert!(!r.refuses("GET", "/v0/centers/c1/articles/12"));
        assert!(!r.refuses("PUT", "/v0/centers/c1/articles/123"));
        assert!(r.refuses("GET", "/v1/articles/7"));
        assert!(!r.refuses("GET", "/v1/collections/7/articles"));
    }
}
