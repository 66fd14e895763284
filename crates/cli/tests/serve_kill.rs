//! `shotkeeper serve` killed with SIGKILL in the middle of an import: once
//! the job's lease ends it reads `interrupted`, and the restarted server
//! takes it over by itself and finishes it, downloading only the images that
//! were not stored yet. Secrets are sealed
//! under SHOTKEEPER_SECRET_KEY (no keychain on a server). On the data
//! directory's SQLite, and on a team's PostgreSQL when the test command
//! started one (scripts/with-postgres.sh).

mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use shotkeeper_sim::{SimOptions, SimProvider};

const SECRET_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

struct Served {
    child: Child,
    base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where the test's rows are: the data directory, or a team database.
struct Store {
    dir: tempfile::TempDir,
    team: Option<String>,
}

impl Store {
    async fn new() -> Store {
        Store {
            dir: tempfile::tempdir().unwrap(),
            team: support::scratch_team_database().await,
        }
    }

    fn database(&self) -> shotkeeper_core::db::Database {
        match &self.team {
            Some(url) => shotkeeper_core::db::Database::from_url(url).unwrap(),
            None => shotkeeper_core::db::Database::embedded(self.dir.path()),
        }
    }
}

fn shotkeeper(store: &Store) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shotkeeper"));
    c.arg("--data-dir").arg(store.dir.path());
    if let Some(url) = &store.team {
        c.arg("--database").arg(url);
    }
    c.env("SHOTKEEPER_SECRET_KEY", SECRET_KEY)
        // Short leases: the takeover follows the kill within seconds.
        .env(shotkeeper_core::db::job_leases::LEASE_ENV, "1")
        .stdin(Stdio::null());
    c
}

async fn serve(dir: &Store, http: &reqwest::Client) -> Served {
    let port = support::free_port();
    let child = shotkeeper(dir)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let served = Served {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = http.get(format!("{}/healthz", served.base)).send().await {
            if r.status().is_success() {
                return served;
            }
        }
        assert!(
            Instant::now() < deadline,
            "serve did not answer /healthz in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn call(
    http: &reqwest::Client,
    key: &str,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> Value {
    let mut req = http.request(method, url).header("x-api-key", key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let v: Value = resp.json().await.unwrap();
    assert!(status.is_success(), "{status} {v}");
    v
}

/// URLs of the images the job has stored (downloaded and analysed).
async fn stored_urls(store: &Store, job: &str) -> Vec<String> {
    let pool = shotkeeper_core::db::connect(&store.database())
        .await
        .unwrap();
    let urls = sqlx::query_scalar("SELECT url FROM images WHERE job_id = $1")
        .bind(job)
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    urls
}

async fn stored_images(dir: &Store, job: &str) -> i64 {
    stored_urls(dir, job).await.len() as i64
}

#[tokio::test]
async fn kill_9_during_an_import_then_the_restarted_server_finishes_it() {
    let store = Store::new().await;
    let http = reqwest::Client::new();
    let out = shotkeeper(&store)
        .args(["api-key", "create", "--label", "kill test"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = String::from_utf8(out.stdout).unwrap().trim().to_owned();

    let mut o = SimOptions::new(SimProvider::Helpjuice);
    o.articles = 40;
    o.rate_limit_per_minute = Some(0);
    o.faults.slow_ms = 60;
    let sim = shotkeeper_sim::start(o).await.unwrap();

    let first = serve(&store, &http).await;
    let created = call(
        &http,
        &key,
        reqwest::Method::POST,
        format!("{}/integration", first.base),
        Some(json!({
            "label": "Helpjuice", "provider": "helpjuice", "platform": "helpcenter",
            "credentials": {"account": sim.settings["account"], "apiKey": sim.token,
                            "baseUrl": sim.api_base, "requestsPerMinute": 0}
        })),
    )
    .await;
    let integration = created["id"].as_str().unwrap().to_owned();
    let started = call(
        &http,
        &key,
        reqwest::Method::POST,
        format!("{}/helpcenter/import", first.base),
        Some(json!({ "integrationId": integration })),
    )
    .await;
    let job = started["id"].as_str().unwrap().to_owned();

    // Wait until some images are stored, then SIGKILL.
    let deadline = Instant::now() + Duration::from_secs(60);
    while stored_images(&store, &job).await == 0 {
        assert!(Instant::now() < deadline, "no image stored within 60 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut first = first;
    first.child.kill().unwrap(); // SIGKILL on Unix
    first.child.wait().unwrap();

    // The lease of the dead process ends: the job reads interrupted.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let listed = shotkeeper(&store)
        .args(["jobs", "--json"])
        .output()
        .unwrap();
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed[0]["id"], job.as_str());
    assert_eq!(listed[0]["status"], "interrupted", "{listed}");
    let done_before = stored_urls(&store, &job).await;
    assert!(!done_before.is_empty());
    let path_of = |u: &str| u.replace(&sim.site_base, "");
    let requests_before: Vec<u64> = done_before
        .iter()
        .map(|u| sim.image_requests_for(&path_of(u)))
        .collect();

    // The restarted server takes it up by itself.
    let second = serve(&store, &http).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        let list = call(
            &http,
            &key,
            reqwest::Method::GET,
            format!("{}/helpcenter/import", second.base),
            None,
        )
        .await;
        let status = list["items"][0]["status"].as_str().unwrap().to_owned();
        if !["queued", "running", "interrupted"].contains(&status.as_str()) {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the resumed import did not end in 120 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(status, "completed");
    let view = call(
        &http,
        &key,
        reqwest::Method::GET,
        format!("{}/helpcenter/import/{job}", second.base),
        None,
    )
    .await;
    assert_eq!(view["summary"]["pending"], 0);
    let unique = stored_images(&store, &job).await;
    assert!(
        unique as usize > done_before.len(),
        "the resume stored the rest"
    );
    let requests_after: Vec<u64> = done_before
        .iter()
        .map(|u| sim.image_requests_for(&path_of(u)))
        .collect();
    assert_eq!(
        requests_after, requests_before,
        "no image stored before the kill was downloaded again"
    );
    drop(second);
    sim.shutdown().await;
}
