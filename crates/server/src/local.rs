//! The server started and stopped from inside another program (the desktop
//! app's Settings › Local API): the same router as `shotkeeper serve`, on
//! loopback only, with one server at most per controller.

use std::net::{Ipv4Addr, SocketAddr};

use serde::Serialize;
use shotkeeper_core::App;
use tokio::sync::Mutex;

use crate::{Bound, ServeError, ServeOptions, SHUTDOWN_GRACE};

/// The port `shotkeeper serve` listens on by default (`DEFAULT_LISTEN`).
pub const DEFAULT_PORT: u16 = 8787;

/// Whether the local API runs, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct LocalApiStatus {
    pub running: bool,
    /// `http://127.0.0.1:PORT` while running.
    pub base_url: Option<String>,
    /// The OpenAPI document of the running server.
    pub openapi_url: Option<String>,
    /// The port it listens on, or the one it would use.
    pub port: u16,
}

struct Running {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    bound: Bound,
}

/// Starts and stops one loopback server over an `App`.
#[derive(Default)]
pub struct LocalApi {
    running: Mutex<Option<Running>>,
}

fn status_of(running: Option<&Running>, port: u16) -> LocalApiStatus {
    match running {
        Some(r) => {
            let base = format!("http://{}", r.addr);
            LocalApiStatus {
                running: true,
                openapi_url: Some(format!("{base}/openapi.json")),
                base_url: Some(base),
                port: r.addr.port(),
            }
        }
        None => LocalApiStatus {
            running: false,
            base_url: None,
            openapi_url: None,
            port,
        },
    }
}

impl LocalApi {
    pub async fn status(&self) -> LocalApiStatus {
        status_of(self.running.lock().await.as_ref(), DEFAULT_PORT)
    }

    /// Serves on 127.0.0.1:`port` (0 picks a free port). Already running:
    /// answers where, unchanged. Only loopback: other machines cannot reach
    /// it, so plain HTTP carries the keys safely.
    pub async fn start(&self, app: App, port: u16) -> Result<LocalApiStatus, ServeError> {
        let mut running = self.running.lock().await;
        if let Some(r) = running.as_ref() {
            return Ok(status_of(Some(r), r.addr.port()));
        }
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let opts = ServeOptions {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            tls: None,
            insecure_listen: false,
            take_queued_jobs: false,
        };
        let bound = crate::start(app, opts, async move {
            let _ = stopped.await;
        })
        .await
        .map_err(|e| {
            if port != 0 {
                ServeError(format!(
                    "{e}. Another program may use port {port}: choose another port and start again"
                ))
            } else {
                e
            }
        })?;
        let r = Running {
            addr: bound.addr,
            stop,
            bound,
        };
        let status = status_of(Some(&r), port);
        *running = Some(r);
        Ok(status)
    }

    /// Stops gracefully: imports the API started are left `interrupted`,
    /// resumable; requests in flight finish (within the grace period).
    pub async fn stop(&self) -> LocalApiStatus {
        let taken = self.running.lock().await.take();
        let port = match taken {
            Some(r) => {
                let port = r.addr.port();
                let _ = r.stop.send(());
                let _ = tokio::time::timeout(SHUTDOWN_GRACE * 2, r.bound.wait()).await;
                port
            }
            None => DEFAULT_PORT,
        };
        status_of(None, port)
    }
}
