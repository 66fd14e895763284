//! Local simulators of the help centers Shotkeeper talks to (Helpjuice v3,
//! HelpCenter.io v1, Help.Center v0), an image host and public article
//! pages, serving generated sample data with known answers ([`Expected`]),
//! and the demo web app those articles document (under `/app/`, see
//! [`Sim::app_base`] and [`DEMO_SHOTS`], its scenarios file).
//!
//! Each simulator follows its provider's documented API (Helpjuice API v3,
//! the HelpCenter.io API, the Help.Center API, Zendesk Help Center API,
//! Intercom Articles API, Help Scout Docs API, KnowledgeOwl API, Freshdesk
//! Solutions API) including what it rejects: wrong auth schemes, oversized pages,
//! malformed updates, missing scopes, rate limits. See the provider modules
//! for each one's exact contract. Each is one [`SimApi`] behind the same
//! guard, data and image host ([`kit`]).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use shotkeeper_sim::{start, SimOptions, SimProvider};
//! let sim = start(SimOptions::new(SimProvider::Helpjuice)).await?;
//! println!("{} articles at {}", sim.expected.articles, sim.api_base);
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

// Handlers short-circuit with a ready HTTP error response as `Err`: it is
// built at most once per request, so its size is irrelevant and boxing it
// would only add noise.
#![allow(clippy::result_large_err)]

mod api;
mod assets;
mod data;
mod demo_app;
mod freshdesk;
mod helpcenter;
mod helpcenterio;
mod helpjuice;
mod helpscout;
mod html;
mod images;
mod intercom;
pub mod kit;
mod knowledgeowl;
mod limits;
mod options;
mod pages;
mod paging;
pub mod replacements;
mod state;
mod store;
mod text;
mod zendesk;

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::middleware::from_fn_with_state;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use data::{AuditExpected, Expected};
pub use demo_app::{demo_shots_with_base, UiVersion, APP_PATH, DEMO_SHOTS};
pub use kit::{DataProfile, SimApi};
pub use options::{Faults, ScreenshotPool, SimOptions, SimProvider};

use state::Shared;

/// A running simulator. Dropping it stops the server too; `shutdown` waits
/// for it.
pub struct Sim {
    /// `http://127.0.0.1:PORT/api/v3` (Helpjuice), `.../v1` (HelpCenter.io),
    /// `.../v0` (Help.Center; clients append `/centers/{center_id}`).
    pub api_base: String,
    /// `http://127.0.0.1:PORT`: article pages `/kb/...`, images `/images/...`,
    /// uploads `/uploads/...`, the demo web app `/app/...` ([`Sim::app_base`]).
    pub site_base: String,
    pub token: String,
    /// `{"account": "demo"}` (Helpjuice), `{"center_id": ...}` (Help.Center),
    /// empty for HelpCenter.io.
    pub settings: BTreeMap<String, String>,
    pub expected: Expected,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Sim {
    /// API requests served so far, whatever their status.
    pub fn api_requests(&self) -> u64 {
        self.shared.stats.api.load(Ordering::SeqCst)
    }

    /// When each API request arrived, in order (a client's pacing as the
    /// provider sees it).
    pub fn api_request_times(&self) -> Vec<std::time::Instant> {
        self.shared.stats.api_times()
    }

    /// Image-host GETs (`/images/...`, `/uploads/...`) served so far.
    pub fn image_requests(&self) -> u64 {
        self.shared.stats.images.load(Ordering::SeqCst)
    }

    /// Draws and encodes every image the host serves now, on all cores,
    /// instead of on first request: a benchmark then measures the client,
    /// not the simulator's drawing.
    pub fn prerender_images(&self) {
        self.shared.images.prerender();
    }

    /// GETs of one image path, e.g. `/images/billing-settings.png`.
    pub fn image_requests_for(&self, path: &str) -> u64 {
        self.shared.stats.image_requests_for(path)
    }

    /// The HTML a GET of this document returns now: the body (Helpjuice,
    /// HelpCenter.io), the live version (Help.Center; the draft if never
    /// published). `locale` `None` is the default language (`en`).
    pub fn article_html(&self, id: &str, locale: Option<&str>) -> Option<String> {
        let store = self.shared.store.lock().expect("store lock");
        Some(store.get(id)?.doc(locale)?.html.clone())
    }

    /// Simulates an edit made in the help center's own editor: the document
    /// now reads `html` (Help.Center: edited and published, no pending
    /// draft). Unknown ids or locales are ignored.
    pub fn set_article_html(&self, id: &str, locale: Option<&str>, html: &str) {
        let mut store = self.shared.store.lock().expect("store lock");
        let Some(a) = store.get_mut(id) else { return };
        if let Some(d) = a.doc_mut(locale) {
            d.html = html.to_string();
            d.pending = None;
            d.updated_at = chrono::Utc::now();
            a.touch();
        }
    }

    /// From now on, every write naming this article (PUT, PATCH, POST on
    /// `.../articles/{id}...`) answers 400, as a help center does when it
    /// rejects an update. Reads still work.
    pub fn refuse_writes_to(&self, id: &str) {
        let mut r = self.shared.refusals.lock().expect("refusals lock");
        r.writes.push(id.to_string());
    }

    /// From now on, every GET naming this article (`.../articles/{id}...`)
    /// answers 400: the article cannot be read (lists are unaffected).
    pub fn refuse_reads_of(&self, id: &str) {
        let mut r = self.shared.refusals.lock().expect("refusals lock");
        r.reads.push(id.to_string());
    }

    /// The demo web app whose screens the demo help center's articles show
    /// (`http://127.0.0.1:PORT/app/`): the base URL of `demo/shots.toml`.
    pub fn app_base(&self) -> String {
        format!("{}{APP_PATH}", self.site_base)
    }

    /// Switches the demo app to another UI version (as
    /// `POST /app/ui-version?version=N` does): every page looks different
    /// from the next request on, with the same element ids.
    pub fn set_ui_version(&self, version: UiVersion) {
        self.shared
            .ui_version
            .store(version.number(), Ordering::SeqCst);
    }

    /// The demo app's UI version now.
    pub fn ui_version(&self) -> UiVersion {
        UiVersion::from_number(self.shared.ui_version.load(Ordering::SeqCst))
            .unwrap_or(UiVersion::V1)
    }

    /// Stops the server and waits (at most 5 s) for it to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Binds `127.0.0.1:opts.port`, generates the data and starts serving.
/// A small PNG unlike any image the simulators serve (a new screenshot in
/// tests); `seed` varies its pixels.
pub fn fresh_png(seed: u8) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(97, 41, |x, y| {
        image::Rgba([(x * 5) as u8, (y * 9) as u8, seed, 255])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgba8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("a PNG in memory");
    out.into_inner()
}

pub async fn start(opts: SimOptions) -> std::io::Result<Sim> {
    let listener = TcpListener::bind(("127.0.0.1", opts.port)).await?;
    let port = listener.local_addr()?.port();
    let site = format!("http://127.0.0.1:{port}");
    let gen_opts = opts.clone();
    let gen_site = site.clone();
    let model = tokio::task::spawn_blocking(move || data::generate(&gen_opts, &gen_site))
        .await
        .map_err(std::io::Error::other)?;
    let expected = model.expected.clone();
    let shared = Arc::new(Shared::new(opts, site.clone(), model));
    let app = router(shared.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = stopped.await;
        });
        if let Err(e) = serve.await {
            tracing::warn!("simulator server ended: {e}");
        }
    });
    Ok(Sim {
        api_base: format!("{site}{}", shared.api.about().prefix),
        site_base: site,
        token: shared.opts.token.clone(),
        settings: shared.api.settings(&shared),
        expected,
        shared,
        stop: Some(stop),
        task: Some(task),
    })
}

/// The provider's API under its prefix, behind the guard (every API answer,
/// 404 and 405 included, is counted and in the provider's JSON envelope),
/// plus the image host and the article pages.
fn router(shared: Arc<Shared>) -> Router {
    let api = shared.api;
    let routes = api
        .routes()
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(from_fn_with_state(shared.clone(), api::guard));
    Router::new()
        .nest(api.about().prefix, routes)
        .merge(images::routes())
        .merge(pages::routes())
        .merge(demo_app::routes())
        .merge(api.site_routes())
        .with_state(shared)
}
