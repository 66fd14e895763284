//! Image downloads against a tiny scripted local server: only http(s),
//! checked redirects, byte cap, broken images as results, retries.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use shotkeeper_core::http::{HttpClient, HttpConfig};
use shotkeeper_core::CoreError;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\nnot really a png but bytes";

struct Server {
    base: String,
    hits: Arc<AtomicU32>,
    flaky: Arc<AtomicU32>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone)]
struct St {
    hits: Arc<AtomicU32>,
    flaky: Arc<AtomicU32>,
}

async fn start() -> Server {
    let st = St {
        hits: Arc::default(),
        flaky: Arc::default(),
    };
    let app = Router::new()
        .route("/img/ok.png", get(ok))
        .route("/img/missing.png", get(|| async { StatusCode::NOT_FOUND }))
        .route("/img/hop/{n}", get(hop))
        .route(
            "/img/to-file",
            get(|| async { redirect("file:///etc/passwd") }),
        )
        .route(
            "/img/to-ftp",
            get(|| async { redirect("ftp://127.0.0.1/x.png") }),
        )
        .route("/img/big", get(|| async { vec![7u8; 100_000] }))
        .route("/img/big-stream", get(big_stream))
        .route("/img/flaky.png", get(flaky))
        .route("/img/slow.png", get(slow))
        .route(
            "/img/always-503.png",
            get(|| async { StatusCode::SERVICE_UNAVAILABLE }),
        )
        .layer(axum::middleware::from_fn_with_state(st.clone(), count))
        .with_state(st.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.ok();
    });
    Server {
        base,
        hits: st.hits,
        flaky: st.flaky,
        task,
    }
}

async fn count(
    State(st): State<St>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    st.hits.fetch_add(1, Ordering::SeqCst);
    next.run(req).await
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

async fn ok() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::LAST_MODIFIED, "Wed, 21 Oct 2015 07:28:00 GMT"),
        ],
        PNG,
    )
        .into_response()
}

/// `/img/hop/3` -> `/img/hop/2` -> ... -> `/img/hop/0` -> the image.
async fn hop(Path(n): Path<u32>) -> Response {
    match n {
        0 => redirect("/img/ok.png"),
        // Relative and absolute-path forms both occur in the wild.
        n if n % 2 == 0 => redirect(&format!("/img/hop/{}", n - 1)),
        n => redirect(&format!("{}", n - 1)),
    }
}

/// 100 kB in 1 kB chunks with no Content-Length: the cap must stop the read.
async fn big_stream() -> Response {
    let chunks = (0..100).map(|_| Ok::<_, std::io::Error>(vec![1u8; 1000]));
    Body::from_stream(futures::stream::iter(chunks)).into_response()
}

async fn flaky(State(st): State<St>) -> Response {
    match st.flaky.fetch_add(1, Ordering::SeqCst) {
        0 => (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "0")]).into_response(),
        1 => StatusCode::BAD_GATEWAY.into_response(),
        _ => ok().await,
    }
}

async fn slow() -> Response {
    tokio::time::sleep(Duration::from_secs(3)).await;
    ok().await
}

fn client(tweak: impl FnOnce(&mut HttpConfig)) -> HttpClient {
    let mut cfg = HttpConfig::new("Image host");
    cfg.initial_backoff = Duration::from_millis(20);
    tweak(&mut cfg);
    HttpClient::new(cfg).unwrap()
}

#[tokio::test]
async fn downloads_an_image_with_its_headers() {
    let s = start().await;
    let img = client(|_| {})
        .fetch_image(&format!("{}/img/ok.png", s.base), 1 << 20)
        .await
        .unwrap();
    assert_eq!(img.status, 200);
    assert_eq!(img.bytes, PNG);
    assert_eq!(img.content_type.as_deref(), Some("image/png"));
    assert_eq!(
        img.last_modified.as_deref(),
        Some("Wed, 21 Oct 2015 07:28:00 GMT")
    );
    assert!(!img.too_large);
}

#[tokio::test]
async fn non_http_urls_are_refused_without_any_request() {
    let s = start().await;
    let c = client(|_| {});
    for url in [
        "file:///etc/passwd",
        "ftp://127.0.0.1/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "/img/ok.png",
        "javascript:alert(1)",
    ] {
        let e = c.fetch_image(url, 1 << 20).await.unwrap_err();
        assert!(matches!(e, CoreError::Invalid(_)), "{url}: {e:?}");
    }
    assert_eq!(s.hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn redirects_to_other_schemes_are_refused() {
    let s = start().await;
    let c = client(|_| {});
    for path in ["/img/to-file", "/img/to-ftp"] {
        let e = c
            .fetch_image(&format!("{}{path}", s.base), 1 << 20)
            .await
            .unwrap_err();
        let msg = e.to_string();
        assert!(
            matches!(e, CoreError::Invalid(_)) && msg.contains("only http and https"),
            "{msg}"
        );
    }
    assert_eq!(s.hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn five_redirects_are_followed_six_are_not() {
    let s = start().await;
    let c = client(|_| {});
    // hop/4 .. hop/0 is five redirects, then the image.
    let img = c
        .fetch_image(&format!("{}/img/hop/4", s.base), 1 << 20)
        .await
        .unwrap();
    assert_eq!(img.status, 200);
    assert_eq!(img.final_url, format!("{}/img/ok.png", s.base));
    let e = c
        .fetch_image(&format!("{}/img/hop/5", s.base), 1 << 20)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("redirects more than 5 times"), "{e}");
}

#[tokio::test]
async fn broken_images_are_results_not_errors() {
    let s = start().await;
    let img = client(|_| {})
        .fetch_image(&format!("{}/img/missing.png", s.base), 1 << 20)
        .await
        .unwrap();
    assert_eq!(img.status, 404);
    assert!(img.bytes.is_empty());
    assert_eq!(s.hits.load(Ordering::SeqCst), 1, "a 404 is not retried");
}

#[tokio::test]
async fn byte_cap_stops_the_read() {
    let s = start().await;
    let c = client(|_| {});
    for path in ["/img/big", "/img/big-stream"] {
        let img = c
            .fetch_image(&format!("{}{path}", s.base), 10_000)
            .await
            .unwrap();
        assert!(img.too_large, "{path}");
        assert!(img.bytes.is_empty(), "{path}: nothing partial is kept");
        assert_eq!(img.status, 200);
    }
    let img = c
        .fetch_image(&format!("{}/img/big", s.base), 100_000)
        .await
        .unwrap();
    assert!(!img.too_large);
    assert_eq!(img.bytes.len(), 100_000);
}

#[tokio::test]
async fn retries_429_and_5xx_like_api_calls() {
    let s = start().await;
    let img = client(|_| {})
        .fetch_image(&format!("{}/img/flaky.png", s.base), 1 << 20)
        .await
        .unwrap();
    assert_eq!(img.status, 200);
    assert_eq!(s.flaky.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn exhausted_5xx_is_a_transient_error() {
    let s = start().await;
    let c = client(|cfg| cfg.max_attempts = 2);
    let e = c
        .fetch_image(&format!("{}/img/always-503.png", s.base), 1 << 20)
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::Http { status: 503, .. }), "{e:?}");
    assert!(e.is_transient());
    assert_eq!(s.hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn timeout_is_mapped() {
    let s = start().await;
    let c = client(|cfg| {
        cfg.timeout = Duration::from_millis(300);
        cfg.max_attempts = 2;
    });
    let e = c
        .fetch_image(&format!("{}/img/slow.png", s.base), 1 << 20)
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::Timeout { attempts: 2, .. }), "{e:?}");
}

#[tokio::test]
async fn unreachable_image_host_is_named() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let e = client(|_| {})
        .fetch_image(
            &format!("http://127.0.0.1:{port}/a.png?sig=secret"),
            1 << 20,
        )
        .await
        .unwrap_err();
    match &e {
        CoreError::Unreachable { host, .. } => assert_eq!(host, &format!("127.0.0.1:{port}")),
        other => panic!("{other:?}"),
    }
    assert!(!e.to_string().contains("secret"));
}
