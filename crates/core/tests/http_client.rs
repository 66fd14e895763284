//! The shared HTTP client against a tiny scripted local server: retries,
//! server hints, bounded attempts, error mapping, the limiter.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use axum::Router;
use serde::Deserialize;
use shotkeeper_core::http::{HttpClient, HttpConfig};
use shotkeeper_core::CoreError;

/// Requests seen per path, and the bodies that came with them.
#[derive(Default)]
struct Seen {
    hits: HashMap<String, u32>,
    bodies: Vec<String>,
}

type Shared = Arc<Mutex<Seen>>;

struct Server {
    base: String,
    seen: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start() -> Server {
        let seen: Shared = Arc::default();
        let app = Router::new().fallback(script).with_state(seen.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.ok();
        });
        Server { base, seen, task }
    }

    fn hits(&self, path: &str) -> u32 {
        self.seen
            .lock()
            .unwrap()
            .hits
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn respond(status: u16, headers: &[(&'static str, String)], body: &str) -> Response {
    let mut r = Response::new(Body::from(body.to_string()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap();
    for (k, v) in headers {
        r.headers_mut()
            .insert(*k, HeaderValue::from_str(v).unwrap());
    }
    r
}

const OK: &str = r#"{"ok": true}"#;

/// Each path is a small script keyed by how many times it was hit.
async fn script(State(seen): State<Shared>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let body = axum::body::to_bytes(req.into_body(), 1 << 20)
        .await
        .unwrap();
    let n = {
        let mut s = seen.lock().unwrap();
        s.bodies.push(String::from_utf8_lossy(&body).into_owned());
        let n = s.hits.entry(path.clone()).or_default();
        *n += 1;
        *n
    };
    let unix_in = |secs: u64| {
        (std::time::SystemTime::now() + Duration::from_secs(secs))
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            .to_string()
    };
    match (path.as_str(), n) {
        ("/retry-after", 1) => respond(429, &[("retry-after", "1".into())], ""),
        ("/retry-after-date", 1) => {
            let at = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
            respond(503, &[("retry-after", at)], "")
        }
        ("/reset-seconds", 1) => respond(429, &[("x-ratelimit-reset", "1".into())], ""),
        ("/reset-unix", 1) => respond(429, &[("x-ratelimit-reset", unix_in(2))], ""),
        ("/always-429", _) => respond(429, &[], r#"{"message":"slow down"}"#),
        ("/flaky", 1) => respond(500, &[], ""),
        ("/flaky", 2) => respond(502, &[], "<html>bad gateway</html>"),
        ("/not-implemented", _) => respond(501, &[], r#"{"error":{"message":"no such thing"}}"#),
        ("/slow", _) => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            respond(200, &[], OK)
        }
        ("/unauthorized", _) => respond(401, &[], r#"{"message":"Unauthenticated."}"#),
        ("/forbidden", _) => respond(403, &[], r#"{"errors":[{"api_key":"is missing"}]}"#),
        ("/missing", _) => respond(404, &[], ""),
        ("/invalid", _) => respond(422, &[], r#"{"errors":[{"body":"is not valid."}]}"#),
        ("/garbage", _) => respond(
            200,
            &[("content-type", "application/json".into())],
            r#"{"articles": [1, 2"#,
        ),
        ("/wrong-shape", _) => respond(200, &[], r#"{"items": []}"#),
        ("/post-flaky", 1) => respond(503, &[], ""),
        _ => respond(200, &[("content-type", "application/json".into())], OK),
    }
}

#[derive(Deserialize, Debug)]
struct Ok_ {
    ok: bool,
}

fn client(tweak: impl FnOnce(&mut HttpConfig)) -> HttpClient {
    let mut cfg = HttpConfig::new("Acme Help");
    cfg.initial_backoff = Duration::from_millis(20);
    cfg.max_backoff = Duration::from_secs(5);
    tweak(&mut cfg);
    HttpClient::new(cfg).unwrap()
}

async fn get(c: &HttpClient, s: &Server, path: &str) -> Result<Ok_, CoreError> {
    let url = s.url(path);
    c.get_json(&format!("GET {path}"), |http| http.get(&url))
        .await
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let s = Server::start().await;
    let c = client(|_| {});
    let t = Instant::now();
    assert!(get(&c, &s, "/retry-after").await.unwrap().ok);
    assert!(
        t.elapsed() >= Duration::from_millis(950),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(s.hits("/retry-after"), 2);
}

#[tokio::test]
async fn retry_after_http_date_is_honoured_on_503() {
    let s = Server::start().await;
    let c = client(|_| {});
    let t = Instant::now();
    assert!(get(&c, &s, "/retry-after-date").await.unwrap().ok);
    // An HTTP date has whole seconds: 2 s ahead is at least 1 s away.
    assert!(
        t.elapsed() >= Duration::from_millis(950),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(s.hits("/retry-after-date"), 2);
}

#[tokio::test]
async fn rate_limit_reset_seconds_and_unix_are_honoured() {
    let s = Server::start().await;
    let c = client(|_| {});
    let t = Instant::now();
    get(&c, &s, "/reset-seconds").await.unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(950),
        "{:?}",
        t.elapsed()
    );
    let t = Instant::now();
    get(&c, &s, "/reset-unix").await.unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(950),
        "{:?}",
        t.elapsed()
    );
    assert_eq!((s.hits("/reset-seconds"), s.hits("/reset-unix")), (2, 2));
}

#[tokio::test]
async fn server_hints_are_capped_by_max_backoff() {
    let s = Server::start().await;
    let c = client(|cfg| cfg.max_backoff = Duration::from_millis(100));
    let t = Instant::now();
    get(&c, &s, "/retry-after").await.unwrap();
    assert!(
        t.elapsed() < Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn attempts_are_bounded_and_429_becomes_rate_limited() {
    let s = Server::start().await;
    let c = client(|cfg| cfg.max_attempts = 3);
    let err = get(&c, &s, "/always-429").await.unwrap_err();
    assert!(
        matches!(err, CoreError::RateLimited { attempts: 3, .. }),
        "{err:?}"
    );
    assert_eq!(s.hits("/always-429"), 3);
    let msg = err.to_string();
    assert!(
        msg.contains("Acme Help") && msg.contains("GET /always-429"),
        "{msg}"
    );
}

#[tokio::test]
async fn server_errors_are_retried_then_succeed() {
    let s = Server::start().await;
    let c = client(|_| {});
    assert!(get(&c, &s, "/flaky").await.unwrap().ok);
    assert_eq!(s.hits("/flaky"), 3);
}

#[tokio::test]
async fn not_implemented_is_not_retried() {
    let s = Server::start().await;
    let c = client(|_| {});
    let err = get(&c, &s, "/not-implemented").await.unwrap_err();
    assert_eq!(s.hits("/not-implemented"), 1);
    match err {
        CoreError::Http {
            status: 501,
            detail,
            ..
        } => assert_eq!(detail, "no such thing"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn request_bodies_are_rebuilt_for_each_attempt() {
    let s = Server::start().await;
    let c = client(|_| {});
    let url = s.url("/post-flaky");
    c.send("POST /post-flaky", |http| {
        http.post(&url)
            .json(&serde_json::json!({"html": "<p>x</p>"}))
    })
    .await
    .unwrap();
    let seen = s.seen.lock().unwrap();
    assert_eq!(seen.hits["/post-flaky"], 2);
    assert!(
        seen.bodies.iter().all(|b| b == r#"{"html":"<p>x</p>"}"#),
        "{:?}",
        seen.bodies
    );
}

#[tokio::test]
async fn timeouts_are_retried_then_mapped() {
    let s = Server::start().await;
    let c = client(|cfg| {
        cfg.timeout = Duration::from_millis(300);
        cfg.max_attempts = 2;
    });
    let err = get(&c, &s, "/slow").await.unwrap_err();
    assert!(
        matches!(err, CoreError::Timeout { attempts: 2, .. }),
        "{err:?}"
    );
    assert_eq!(s.hits("/slow"), 2);
    assert!(err.is_transient());
}

#[tokio::test]
async fn unreachable_host_is_named_without_retries() {
    // A port that was free a moment ago: connecting is refused.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = client(|_| {});
    let url = format!("http://127.0.0.1:{port}/x");
    let t = Instant::now();
    let err = c.send("GET /x", |http| http.get(&url)).await.unwrap_err();
    match &err {
        CoreError::Unreachable { host, .. } => assert_eq!(host, &format!("127.0.0.1:{port}")),
        other => panic!("{other:?}"),
    }
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "refused connections are not retried"
    );
    assert!(err.to_string().contains(&format!("127.0.0.1:{port}")));
}

#[tokio::test]
async fn statuses_map_to_errors() {
    let s = Server::start().await;
    let c = client(|_| {});
    let e = get(&c, &s, "/unauthorized").await.unwrap_err();
    assert!(
        matches!(e, CoreError::BadCredentials { status: 401, .. }),
        "{e:?}"
    );
    let e = get(&c, &s, "/forbidden").await.unwrap_err();
    assert!(
        matches!(e, CoreError::BadCredentials { status: 403, .. }),
        "{e:?}"
    );
    let e = get(&c, &s, "/missing").await.unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    let e = get(&c, &s, "/invalid").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "Acme Help answered HTTP 422 at GET /invalid: body is not valid."
    );
    for path in ["/unauthorized", "/forbidden", "/missing", "/invalid"] {
        assert_eq!(s.hits(path), 1, "{path} must not be retried");
    }
}

#[tokio::test]
async fn garbage_names_provider_and_endpoint() {
    let s = Server::start().await;
    let c = client(|_| {});
    for path in ["/garbage", "/wrong-shape"] {
        let e = get(&c, &s, path).await.unwrap_err();
        match &e {
            CoreError::Garbage {
                provider, endpoint, ..
            } => {
                assert_eq!(provider, "Acme Help");
                assert_eq!(endpoint, &format!("GET {path}"));
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn limiter_paces_requests_after_the_burst() {
    let s = Server::start().await;
    // 120 per minute = one every 0.5 s, after a burst of 2.
    let c = client(|cfg| {
        cfg.requests_per_minute = 120;
        cfg.burst = 2;
    });
    let t = Instant::now();
    for _ in 0..4 {
        get(&c, &s, "/ok").await.unwrap();
    }
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(900), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    // Clones share the limiter.
    let c2 = c.clone();
    let t = Instant::now();
    get(&c2, &s, "/ok").await.unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(400),
        "{:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn limiter_off_at_zero() {
    let s = Server::start().await;
    let c = client(|cfg| cfg.requests_per_minute = 0);
    let t = Instant::now();
    for _ in 0..20 {
        get(&c, &s, "/ok").await.unwrap();
    }
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
}
