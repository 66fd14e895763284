//! The API started and stopped from inside another program, as the
//! desktop's Settings › Local API does: on loopback only, one server per
//! controller, a clear refusal when the port is taken, and nothing
//! listening once stopped.

use std::time::Duration;

use shotkeeper_core::App;
use shotkeeper_server::local::{LocalApi, DEFAULT_PORT};

#[tokio::test]
async fn start_serves_on_loopback_and_stop_closes_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await.unwrap();
    let key = app.create_api_key("desktop").await.unwrap().key;
    let api = LocalApi::default();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();

    let before = api.status().await;
    assert!(!before.running);
    assert_eq!(before.base_url, None);
    assert_eq!(before.port, DEFAULT_PORT);

    let status = api.start(app.clone(), 0).await.unwrap();
    assert!(status.running);
    let base = status.base_url.clone().unwrap();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert_eq!(status.openapi_url, Some(format!("{base}/openapi.json")));
    assert_eq!(api.status().await, status);
    // Starting again changes nothing.
    assert_eq!(api.start(app.clone(), 0).await.unwrap(), status);

    let health = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), reqwest::StatusCode::OK);
    let doc: serde_json::Value = http
        .get(status.openapi_url.clone().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/helpcenter/import/{id}"].is_object());
    let jobs = http
        .get(format!("{base}/helpcenter/import"))
        .header("x-api-key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(jobs.status(), reqwest::StatusCode::OK);

    let stopped = api.stop().await;
    assert!(!stopped.running);
    assert_eq!(stopped.base_url, None);
    assert!(
        http.get(format!("{base}/healthz")).send().await.is_err(),
        "nothing answers once stopped"
    );
    assert!(!api.status().await.running);
}

#[tokio::test]
async fn a_taken_port_is_refused_saying_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await.unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let err = LocalApi::default().start(app, port).await.unwrap_err();
    assert!(
        err.0
            .contains(&format!("cannot listen on 127.0.0.1:{port}"))
            && err.0.contains("choose another port"),
        "{err}"
    );
}
