//! State shared by every handler of one simulator.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::data::Model;
use crate::images::ImageStore;
use crate::limits::{FixedWindow, Limiter};
use crate::options::{SimOptions, SimProvider};
use crate::store::Store;

/// The Helpjuice account name (`<account>.helpjuice.com`) the sim claims.
pub const HELPJUICE_ACCOUNT: &str = "demo";

/// Request counters the tests read back.
#[derive(Default)]
pub struct Stats {
    pub api: AtomicU64,
    pub images: AtomicU64,
    per_path: Mutex<HashMap<String, u64>>,
}

impl Stats {
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

pub struct Shared {
    pub opts: SimOptions,
    /// `http://127.0.0.1:PORT`
    pub site: String,
    /// Help.Center's center id (empty for the others).
    pub center_id: String,
    pub store: Mutex<Store>,
    pub images: ImageStore,
    pub stats: Stats,
    pub limiter: Limiter,
    /// HelpCenter.io's minute window (off for the other providers).
    pub window: FixedWindow,
}

impl Shared {
    pub fn new(opts: SimOptions, site: String, model: Model) -> Self {
        let per_minute = opts.effective_limit();
        // Help.Center documents a burst of twice the per-minute rate.
        let burst = match opts.provider {
            SimProvider::Helpcenter => per_minute.saturating_mul(2),
            _ => per_minute,
        };
        let center_id = match opts.provider {
            SimProvider::Helpcenter => format!("c{:015x}", opts.seed.wrapping_mul(0x9E37_79B9)),
            _ => String::new(),
        };
        let mut store = Store::from_model(&model);
        if opts.provider == SimProvider::Helpcenterio {
            crate::helpcenterio::add_title_only_languages(&mut store);
        }
        Shared {
            store: Mutex::new(store),
            images: ImageStore::new(&model),
            stats: Stats::default(),
            limiter: Limiter::new(per_minute, burst),
            window: FixedWindow::new(
                match opts.provider {
                    SimProvider::Helpcenterio => per_minute,
                    _ => 0,
                },
                opts.rate_limit_window,
            ),
            center_id,
            site,
            opts,
        }
    }

    pub fn provider(&self) -> SimProvider {
        self.opts.provider
    }

    /// Who `key` is, if it is a valid key. Helpjuice has a single account
    /// key, so a read-only key means nothing there.
    pub fn principal_for(&self, key: &str) -> Option<Principal> {
        if key == self.opts.token {
            return Some(Principal { read_only: false });
        }
        let read_only = self.opts.read_only_token.as_deref();
        if self.provider() != SimProvider::Helpjuice && read_only == Some(key) {
            return Some(Principal { read_only: true });
        }
        None
    }
}
