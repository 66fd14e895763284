//! What the server's tests share: a data directory with a real SQLite file,
//! the sealed secret store (no keychain needed), an API key, the server on
//! 127.0.0.1:0, and a reqwest client that sends the key.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shotkeeper_core::sealed::{self, SealingKey};
use shotkeeper_core::App;
use shotkeeper_server::{Bound, ServeOptions};
use shotkeeper_sim::{Sim, SimOptions, SimProvider};

pub struct TestServer {
    pub dir: tempfile::TempDir,
    pub app: App,
    pub base: String,
    pub key: String,
    pub http: reqwest::Client,
    bound: Bound,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestServer {
    pub async fn start() -> TestServer {
        // One key per test process: secrets created through the API are
        // sealed in the database, as on a headless server.
        if !sealed::configured() {
            sealed::configure(Some(SealingKey::generate()));
        }
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(dir.path()).await.unwrap();
        let key = app.create_api_key("tests").await.unwrap().key;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let bound =
            shotkeeper_server::start(app.clone(), ServeOptions::loopback_any_port(), async move {
                let _ = rx.await;
            })
            .await
            .unwrap();
        TestServer {
            base: format!("http://{}", bound.addr),
            dir,
            app,
            key,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            bound,
            stop: Some(tx),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends with the key; the status and the JSON answer.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, self.url(path))
            .header("x-api-key", &self.key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        answer(req.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(body)).await
    }

    /// Connects a simulator through `POST /integration`, as a client would;
    /// returns the integration id.
    pub async fn connect(&self, provider: SimProvider, sim: &Sim) -> String {
        let (status, body) = self
            .post("/integration", integration_body(provider, sim))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    /// Starts an import through the API and polls it (bounded) until it ends.
    pub async fn import(&self, integration_id: &str) -> (String, Value) {
        let (status, started) = self
            .post(
                "/helpcenter/import",
                json!({ "integrationId": integration_id }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{started}");
        let id = started["id"].as_str().unwrap().to_owned();
        self.wait_done(&id).await;
        let (_, list) = self.get("/helpcenter/import").await;
        let item = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|j| j["id"] == id.as_str())
            .unwrap()
            .clone();
        assert_eq!(item["status"], "completed", "{item}");
        let (_, view) = self.get(&format!("/helpcenter/import/{id}")).await;
        (id, view)
    }

    pub async fn wait_done(&self, id: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let (status, view) = self.get(&format!("/helpcenter/import/{id}")).await;
            assert_eq!(status, StatusCode::OK, "{view}");
            if !self.app.import_running(id) {
                return view;
            }
            assert!(
                Instant::now() < deadline,
                "import {id} did not end in 120 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        self.bound.shutdown();
    }
}

pub async fn answer(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.unwrap();
    let value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("answer {status} is not JSON ({e}): {text}"));
    (status, value)
}

/// The `credentials` of LaunchBrightly's Integration API for a simulator.
pub fn integration_body(provider: SimProvider, sim: &Sim) -> Value {
    let mut credentials = serde_json::Map::new();
    credentials.insert("baseUrl".into(), json!(sim.api_base));
    credentials.insert("requestsPerMinute".into(), json!("0"));
    let secret_name = match provider {
        SimProvider::Zendesk | SimProvider::Intercom => "token",
        _ => "apiKey",
    };
    credentials.insert(secret_name.into(), json!(sim.token));
    for (k, v) in &sim.settings {
        let key = match (provider, k.as_str()) {
            (SimProvider::Zendesk, "email") => "username".to_owned(),
            (_, "center_id") => "centerId".into(),
            (_, "project_id") => "projectId".into(),
            _ => k.clone(),
        };
        credentials.insert(key, json!(v));
    }
    json!({
        "label": format!("{provider:?} simulator"),
        "provider": provider.as_str(),
        "platform": "helpcenter",
        "credentials": credentials,
    })
}

pub async fn sim(
    provider: SimProvider,
    articles: usize,
    tweak: impl FnOnce(&mut SimOptions),
) -> Sim {
    let mut o = SimOptions::unlimited(provider, articles);
    tweak(&mut o);
    shotkeeper_sim::start(o).await.unwrap()
}

/// The error object of LaunchBrightly's API, exactly.
pub fn error_body(status: u16, kind: &str, message: &str) -> Value {
    json!({
        "message": message,
        "statusCode": status,
        "error": { "message": message, "type": kind }
    })
}

#[allow(unused_imports)] // not every test file uses it
pub use shotkeeper_sim::fresh_png as picture;

/// A file host on 127.0.0.1:0 serving `files` (path → bytes, content type)
/// — where CI puts screenshots before PUTting their URLs. Stopped on drop.
pub struct FileHost {
    pub base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for FileHost {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

pub async fn file_host(files: Vec<(&'static str, Vec<u8>, &'static str)>) -> FileHost {
    use axum::routing::get;
    let mut router = axum::Router::new();
    for (path, bytes, ctype) in files {
        router = router.route(
            path,
            get(move || {
                let bytes = bytes.clone();
                async move { ([(axum::http::header::CONTENT_TYPE, ctype)], bytes) }
            }),
        );
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
    });
    FileHost {
        base,
        stop: Some(tx),
    }
}
