//! `shotkeeper serve`: LaunchBrightly's import/sync API and Integration API,
//! spoken exactly (paths, field names, error object), as a third thin front
//! end over core's [`App`]: the same SQLite file and secret store as the CLI
//! and the desktop app. Every endpoint but `GET /healthz` needs a live API
//! key in the `x-api-key` header.

pub mod body;
pub mod error;
pub mod routes;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use shotkeeper_core::App;

use crate::error::{kind, ApiError};

/// The header LaunchBrightly's examples send the key in.
pub const API_KEY_HEADER: &str = "x-api-key";

/// Default address: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";

/// How long running imports get to finish their current write on shutdown.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Every route, as (method, path) pairs in axum's syntax: what the API
/// offers, for the README, the OpenAPI check and a caller's discovery.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/integration"),
    ("POST", "/integration"),
    ("PUT", "/integration"),
    ("POST", "/integration/verify"),
    ("GET", "/integration/{id}"),
    ("DELETE", "/integration/{id}"),
    ("GET", "/helpcenter/import"),
    ("POST", "/helpcenter/import"),
    ("GET", "/helpcenter/import/{id}"),
    ("POST", "/helpcenter/import/{id}/cancel"),
    ("POST", "/helpcenter/import/{id}/resume"),
    ("GET", "/helpcenter/import/{id}/audit"),
    ("GET", "/helpcenter/article/{external_article_id}"),
    ("PUT", "/helpcenter/article/{external_article_id}"),
    ("GET", "/helpcenter/article/{external_article_id}/revisions"),
    ("POST", "/helpcenter/revision/{id}/rollback"),
];

/// The API over `app`.
pub fn router(app: App) -> Router {
    use routes::*;
    let guarded = Router::new()
        .route(
            "/integration",
            get(list_integrations)
                .post(create_integration)
                .put(update_integration),
        )
        .route("/integration/verify", post(verify_integration))
        .route(
            "/integration/{id}",
            get(get_integration).delete(delete_integration),
        )
        .route("/helpcenter/import", get(list_imports).post(start_import))
        .route("/helpcenter/import/{id}", get(get_import))
        .route("/helpcenter/import/{id}/cancel", post(cancel_import))
        .route("/helpcenter/import/{id}/resume", post(resume_import))
        .route("/helpcenter/import/{id}/audit", get(import_audit))
        .route(
            "/helpcenter/article/{external_article_id}",
            get(get_article).put(put_article),
        )
        .route(
            "/helpcenter/article/{external_article_id}/revisions",
            get(article_revisions),
        )
        .route("/helpcenter/revision/{id}/rollback", post(rollback))
        .route_layer(middleware::from_fn_with_state(app.clone(), require_key));
    Router::new()
        .route("/healthz", get(healthz))
        .merge(guarded)
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(body::BODY_LIMIT))
        .with_state(app)
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn no_route(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        kind::ROUTE,
        format!(
            "there is no endpoint {} {}: see GET /openapi.json for the endpoints",
            req.method(),
            req.uri().path()
        ),
    )
}

async fn wrong_method(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        kind::METHOD,
        format!(
            "{} is not allowed on {}: see GET /openapi.json for the methods of each endpoint",
            req.method(),
            req.uri().path()
        ),
    )
}

async fn require_key(State(app): State<App>, req: Request, next: Next) -> Response {
    let presented = req
        .headers()
        .get(API_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Some(presented) = presented.filter(|k| !k.trim().is_empty()) else {
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            kind::UNAUTHORIZED,
            "the x-api-key header is missing: create a key with `shotkeeper api-key create --label NAME` and send it as x-api-key",
        )
        .into_response();
    };
    match app.authenticate_api_key(&presented).await {
        Ok(Some(_)) => next.run(req).await,
        Ok(None) => ApiError::new(
            StatusCode::UNAUTHORIZED,
            kind::UNAUTHORIZED,
            "the x-api-key is not a valid key (unknown or revoked): list keys with `shotkeeper api-key list`, create one with `shotkeeper api-key create`",
        )
        .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// Where and how to listen.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    /// PEM certificate chain and private key: serve HTTPS.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Accept a non-loopback address without TLS.
    pub insecure_listen: bool,
}

/// Why the server cannot start, in words a person can act on.
#[derive(Debug)]
pub struct ServeError(pub String);

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ServeError {}

/// A non-loopback address carries API keys and integration secrets over
/// the network: refused in plain HTTP unless asked for explicitly.
pub fn check_listen(opts: &ServeOptions) -> Result<(), ServeError> {
    if opts.listen.ip().is_loopback() || opts.tls.is_some() || opts.insecure_listen {
        return Ok(());
    }
    Err(ServeError(format!(
        "{} is reachable from other machines, and plain HTTP would send API keys and integration secrets readable by anyone on the network. \
         Serve HTTPS with --tls-cert FILE --tls-key FILE, or listen on 127.0.0.1 behind your own TLS proxy; \
         --insecure-listen accepts the risk (only on a network you trust completely)",
        opts.listen
    )))
}

/// A server that is listening.
pub struct Bound {
    pub addr: SocketAddr,
    handle: axum_server::Handle,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Bound {
    /// Waits until the server stops.
    pub async fn wait(self) -> Result<(), ServeError> {
        match self.task.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(ServeError(format!("the server stopped: {e}"))),
            Err(e) => Err(ServeError(format!("the server stopped: {e}"))),
        }
    }
}

/// Binds and starts serving; returns once listening (the bound address
/// known, port 0 resolved). `shutdown` resolving stops it gracefully:
/// background imports are stopped and left `interrupted`, requests in
/// flight are finished.
pub async fn start(
    app: App,
    opts: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<Bound, ServeError> {
    check_listen(&opts)?;
    let handle = axum_server::Handle::new();
    let service = router(app.clone()).into_make_service();
    let listener = std::net::TcpListener::bind(opts.listen)
        .map_err(|e| ServeError(format!("cannot listen on {}: {e}", opts.listen)))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| ServeError(format!("cannot listen on {}: {e}", opts.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| ServeError(format!("cannot listen on {}: {e}", opts.listen)))?;
    let task = match &opts.tls {
        Some((cert, key)) => {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                .await
                .map_err(|e| {
                    ServeError(format!(
                        "the TLS certificate {} or key {} cannot be used: {e}. Give a PEM certificate chain and its PEM private key",
                        cert.display(),
                        key.display()
                    ))
                })?;
            let server = axum_server::from_tcp_rustls(listener, config).handle(handle.clone());
            tokio::spawn(async move { server.serve(service).await })
        }
        None => {
            let server = axum_server::from_tcp(listener).handle(handle.clone());
            tokio::spawn(async move { server.serve(service).await })
        }
    };
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("stopping: background imports are left interrupted, resumable");
        app.stop_background_imports(SHUTDOWN_GRACE).await;
        stopper.graceful_shutdown(Some(SHUTDOWN_GRACE));
    });
    // Wait for the listener to be live, so callers can connect at once.
    let _ = handle.listening().await;
    Ok(Bound { addr, handle, task })
}

impl Bound {
    /// Stops at once (tests).
    pub fn shutdown(&self) {
        self.handle.shutdown();
    }
}
