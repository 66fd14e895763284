//! The image host: generated assets at `/images/<name>`, uploaded files at
//! `/uploads/<name>`, with Content-Type and Last-Modified; 404 for every
//! other path (the "broken" images of the sample data).
//!
//! Asset bytes are rendered on first request and cached, so generating a
//! large help center costs nothing until its images are fetched.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};

use crate::assets::AssetSpec;
use crate::data::{Hosted, Model};
use crate::state::Shared;

struct Upload {
    bytes: Bytes,
    content_type: &'static str,
    last_modified: DateTime<Utc>,
}

pub struct ImageStore {
    assets: Vec<AssetSpec>,
    cache: Vec<OnceLock<Bytes>>,
    hosted: BTreeMap<String, Hosted>,
    uploads: Mutex<HashMap<String, Upload>>,
    upload_seq: AtomicU64,
}

impl ImageStore {
    pub fn new(model: &Model) -> Self {
        ImageStore {
            assets: model.assets.clone(),
            cache: model.assets.iter().map(|_| OnceLock::new()).collect(),
            hosted: model.hosted.clone(),
            uploads: Mutex::new(HashMap::new()),
            upload_seq: AtomicU64::new(1),
        }
    }

    fn bytes(&self, asset: usize) -> Bytes {
        self.cache[asset]
            .get_or_init(|| Bytes::from(self.assets[asset].render()))
            .clone()
    }

    /// Renders every asset not rendered yet, one thread per core.
    pub fn prerender(&self) {
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let next = AtomicU64::new(0);
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                    if i >= self.assets.len() {
                        break;
                    }
                    self.bytes(i);
                });
            }
        });
    }

    /// Stores an uploaded file and returns its name under `/uploads/`.
    pub fn add_upload(&self, filename: &str, bytes: Bytes, content_type: &'static str) -> String {
        let n = self.upload_seq.fetch_add(1, Ordering::SeqCst);
        let name = format!("{n}-{}", safe_name(filename));
        let upload = Upload {
            bytes,
            content_type,
            last_modified: Utc::now(),
        };
        let mut uploads = self.uploads.lock().expect("uploads lock");
        uploads.insert(name.clone(), upload);
        name
    }
}

/// Keeps letters, digits, dot, dash and underscore; everything else is `-`.
fn safe_name(filename: &str) -> String {
    let base = filename.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let cleaned = cleaned.trim_matches('.').to_string();
    if cleaned.is_empty() {
        "image".to_string()
    } else {
        cleaned
    }
}

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/images/{*path}", get(image))
        .route("/uploads/{name}", get(upload))
}

/// The image-host latency fault: every answer waits this long.
async fn image_latency(s: &Shared) {
    if s.opts.faults.slow_images_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(
            s.opts.faults.slow_images_ms,
        ))
        .await;
    }
}

async fn image(State(s): State<Arc<Shared>>, Path(path): Path<String>) -> Response {
    let full = format!("/images/{path}");
    s.stats.count_image(&full);
    image_latency(&s).await;
    let Some(h) = s.images.hosted.get(&full) else {
        return not_found();
    };
    let spec = &s.images.assets[h.asset];
    let bytes = s.images.bytes(h.asset);
    serve(&s, bytes, spec.content_type(), &h.last_modified)
}

async fn upload(State(s): State<Arc<Shared>>, Path(name): Path<String>) -> Response {
    s.stats.count_image(&format!("/uploads/{name}"));
    image_latency(&s).await;
    let found = {
        let uploads = s.images.uploads.lock().expect("uploads lock");
        uploads
            .get(&name)
            .map(|u| (u.bytes.clone(), u.content_type, u.last_modified))
    };
    match found {
        Some((bytes, ct, lm)) => serve(&s, bytes, ct, &lm),
        None => not_found(),
    }
}

fn serve(s: &Shared, bytes: Bytes, content_type: &'static str, lm: &DateTime<Utc>) -> Response {
    // The truncation fault: half a PNG, honestly labelled with its length.
    let body = if s.opts.faults.truncate_images && content_type == "image/png" {
        bytes.slice(..bytes.len() / 2)
    } else {
        bytes
    };
    let last_modified = lm.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::LAST_MODIFIED, last_modified),
            (header::CACHE_CONTROL, "public, max-age=300".to_string()),
        ],
        body,
    )
        .into_response()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<html><body><h1>404 Not Found</h1></body></html>",
    )
        .into_response()
}
