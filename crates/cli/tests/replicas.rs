//! Two `shotkeeper serve` replicas on one PostgreSQL share the import jobs.
//! Four imports of 2,000-article help centers run, twenty clients poll them,
//! and one replica is killed with SIGKILL in the middle: the other takes its
//! jobs over once their leases end and finishes every job with exactly the
//! counts the simulators expect, without downloading again an image stored
//! before the kill.
//!
//! Needs the PostgreSQL server the test command starts
//! (scripts/with-postgres.sh): ignored in the SQLite run.

mod support;

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use shotkeeper_sim::{ScreenshotPool, Sim, SimOptions, SimProvider};

const IMPORTS: usize = 4;
const ARTICLES: usize = 2_000;
const POLLERS: usize = 20;
/// Short leases, so the takeover happens within seconds of the kill.
const LEASE_SECS: &str = "2";

struct Replica {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary in a data directory of its own, on the team database, with
/// every simulator's token in SIM_TOKEN_<n>.
fn shotkeeper(dir: &std::path::Path, database: &str, sims: &[Sim]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shotkeeper"));
    c.arg("--data-dir").arg(dir).arg("--database").arg(database);
    for (n, sim) in sims.iter().enumerate() {
        c.env(format!("SIM_TOKEN_{n}"), &sim.token);
    }
    c.env(shotkeeper_core::db::job_leases::LEASE_ENV, LEASE_SECS)
        .stdin(Stdio::null());
    c
}

fn run_json(mut c: Command) -> Value {
    let out = c.output().expect("run shotkeeper");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// A new API key, created with the CLI on the team database.
fn create_key(dir: &std::path::Path, database: &str, sims: &[Sim]) -> String {
    let mut c = shotkeeper(dir, database, sims);
    c.args(["api-key", "create", "--label", "replicas test"]);
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Connects simulator `n` (its token in SIM_TOKEN_<n>); returns the
/// integration's id.
fn add_help_center(dir: &std::path::Path, database: &str, sims: &[Sim], n: usize) -> String {
    let sim = &sims[n];
    let mut c = shotkeeper(dir, database, sims);
    c.args([
        "integration",
        "add",
        "helpjuice",
        "--label",
        &format!("Center {n}"),
    ])
    .args(["--base-url", &sim.api_base])
    .args(["--secret-env", &format!("SIM_TOKEN_{n}")])
    .args(["--set", "requests_per_minute=0", "--json"]);
    for (k, v) in &sim.settings {
        c.args(["--set", &format!("{k}={v}")]);
    }
    run_json(c)["id"].as_str().unwrap().to_owned()
}

async fn replica(database: &str, sims: &[Sim], http: &reqwest::Client) -> Replica {
    let dir = tempfile::tempdir().unwrap();
    let port = support::free_port();
    let child = shotkeeper(dir.path(), database, sims)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let replica = Replica {
        child,
        base: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = http.get(format!("{}/healthz", replica.base)).send().await {
            if r.status().is_success() {
                return replica;
            }
        }
        assert!(Instant::now() < deadline, "serve did not answer in 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A help center of 2,000 articles, 400 of them with two screenshots of 60
/// distinct ones; every API answer 10 ms late and every image 100 ms (a
/// distant CDN), so the imports last long enough to be killed in the
/// middle of their images.
async fn help_center(seed: u64) -> Sim {
    let mut o = SimOptions::unlimited(SimProvider::Helpjuice, ARTICLES);
    o.seed = seed;
    o.faults.slow_ms = 10;
    o.faults.slow_images_ms = 100;
    o.screenshot_pool = Some(ScreenshotPool {
        articles_with_images: 400,
        refs_per_article: 2,
        distinct: 60,
        width: 320,
        height: 200,
    });
    shotkeeper_sim::start(o).await.unwrap()
}

async fn get(http: &reqwest::Client, key: &str, url: String) -> reqwest::Result<Value> {
    http.get(url)
        .header("x-api-key", key)
        .timeout(Duration::from_secs(30))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await
}

async fn post(http: &reqwest::Client, key: &str, url: String, body: Value) -> Value {
    let resp = http
        .post(url)
        .header("x-api-key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let v: Value = resp.json().await.unwrap();
    assert!(status.is_success(), "{status} {v}");
    v
}

async fn pool_of(database: &str) -> shotkeeper_core::db::Pool {
    let db = shotkeeper_core::db::Database::from_url(database).unwrap();
    shotkeeper_core::db::connect(&db).await.unwrap()
}

async fn stored_urls(pool: &shotkeeper_core::db::Pool, job: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT url FROM images WHERE job_id = $1")
        .bind(job)
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn count(pool: &shotkeeper_core::db::Pool, table: &str, job: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE job_id = $1"))
        .bind(job)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Polls its job on its replica every 100 ms, moving to the other replica
/// when its own stops answering, until told to stop; counts the answers
/// the surviving replica failed.
struct Polls {
    answered: AtomicU64,
    failed_by_survivor: AtomicU64,
    latencies_ms: Mutex<Vec<u64>>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: scripts/with-postgres.sh cargo test --test replicas -- --ignored"]
async fn two_replicas_share_four_imports_and_finish_them_after_one_is_killed() {
    let database = support::scratch_team_database()
        .await
        .expect("SHOTKEEPER_TEST_POSTGRES_URL is not set: run through scripts/with-postgres.sh");
    let mut sims = Vec::new();
    for n in 0..IMPORTS {
        sims.push(help_center(n as u64 + 1).await);
    }
    let admin = tempfile::tempdir().unwrap();
    let key = create_key(admin.path(), &database, &sims);
    let integrations: Vec<String> = (0..sims.len())
        .map(|n| add_help_center(admin.path(), &database, &sims, n))
        .collect();

    let http = reqwest::Client::new();
    let a = replica(&database, &sims, &http).await;
    let b = replica(&database, &sims, &http).await;

    // Two imports started on each replica.
    let mut jobs = Vec::new();
    for (n, integration) in integrations.iter().enumerate() {
        let base = if n < 2 { &a.base } else { &b.base };
        let started = post(
            &http,
            &key,
            format!("{base}/helpcenter/import"),
            json!({ "integrationId": integration }),
        )
        .await;
        jobs.push(started["id"].as_str().unwrap().to_owned());
    }

    // Twenty clients poll the jobs, ten on each replica.
    let a_down = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let polls = Arc::new(Polls {
        answered: AtomicU64::new(0),
        failed_by_survivor: AtomicU64::new(0),
        latencies_ms: Mutex::new(Vec::new()),
    });
    let mut pollers = Vec::new();
    for p in 0..POLLERS {
        let (http, key, polls) = (http.clone(), key.clone(), polls.clone());
        let (a_base, b_base) = (a.base.clone(), b.base.clone());
        let (a_down, stop) = (a_down.clone(), stop.clone());
        let job = jobs[p % IMPORTS].clone();
        pollers.push(tokio::spawn(async move {
            let deadline = Instant::now() + Duration::from_secs(600);
            while !stop.load(Ordering::Acquire) && Instant::now() < deadline {
                let on_a = p % 2 == 0 && !a_down.load(Ordering::Acquire);
                let base = if on_a { &a_base } else { &b_base };
                let t = Instant::now();
                match get(&http, &key, format!("{base}/helpcenter/import/{job}")).await {
                    Ok(_) => {
                        polls.answered.fetch_add(1, Ordering::Relaxed);
                        let ms = t.elapsed().as_millis() as u64;
                        polls.latencies_ms.lock().unwrap().push(ms);
                    }
                    Err(_) if on_a => {} // the killed replica
                    Err(_) => {
                        polls.failed_by_survivor.fetch_add(1, Ordering::Relaxed);
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }));
    }

    // Kill A once each of its jobs has stored images and neither is done.
    let pool = pool_of(&database).await;
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let mut started = true;
        for job in &jobs[..2] {
            started &= count(&pool, "images", job).await > 0;
        }
        if started {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "replica A stored no image in 300 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut a = a;
    a.child.kill().unwrap(); // SIGKILL
    a.child.wait().unwrap();
    a_down.store(true, Ordering::Release);
    let mut stored_before_kill = Vec::new();
    for job in &jobs[..2] {
        let status: String = sqlx::query_scalar("SELECT status FROM jobs WHERE id = $1")
            .bind(job)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(
            status, "running",
            "job {job} ended before the kill: the test did not kill in the middle"
        );
        stored_before_kill.push(stored_urls(&pool, job).await);
    }
    let requests_before: Vec<Vec<u64>> = stored_before_kill
        .iter()
        .zip(&sims)
        .map(|(urls, sim)| {
            urls.iter()
                .map(|u| sim.image_requests_for(&u.replace(&sim.site_base, "")))
                .collect()
        })
        .collect();

    // B finishes all four.
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let list = get(&http, &key, format!("{}/helpcenter/import", b.base))
            .await
            .unwrap();
        let items = list["items"].as_array().unwrap();
        let done = jobs.iter().all(|job| {
            items
                .iter()
                .any(|i| i["id"] == job.as_str() && i["status"] == "completed")
        });
        if done {
            break;
        }
        for i in items {
            let status = i["status"].as_str().unwrap_or_default();
            assert!(
                ["queued", "running", "interrupted", "completed"].contains(&status),
                "a job stopped: {i}"
            );
        }
        assert!(
            Instant::now() < deadline,
            "the surviving replica did not finish every job in 600 s: {list}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    stop.store(true, Ordering::Release);
    for p in pollers {
        p.await.unwrap();
    }

    // Every job: exactly the simulator's counts, no row lost or doubled.
    for (n, (job, sim)) in jobs.iter().zip(&sims).enumerate() {
        let e = &sim.expected;
        let view = get(&http, &key, format!("{}/helpcenter/import/{job}", b.base))
            .await
            .unwrap();
        assert_eq!(view["summary"]["pending"], 0, "{view}");
        assert_eq!(view["total"]["articles"]["success"], e.documents, "job {n}");
        assert_eq!(view["total"]["images"]["total"], e.image_refs, "job {n}");
        assert_eq!(
            view["total"]["images"]["unique"], e.unique_images,
            "job {n}"
        );
        assert_eq!(
            count(&pool, "articles", job).await as u64,
            e.documents,
            "job {n}"
        );
        assert_eq!(
            count(&pool, "images", job).await as u64,
            e.unique_images,
            "job {n}"
        );
        if n >= 2 {
            assert_eq!(
                sim.image_requests(),
                e.distinct_urls,
                "B's job {n} downloaded once"
            );
        }
    }
    // The jobs A held were taken over without downloading again what A stored.
    for (n, urls) in stored_before_kill.iter().enumerate() {
        let sim = &sims[n];
        let after: Vec<u64> = urls
            .iter()
            .map(|u| sim.image_requests_for(&u.replace(&sim.site_base, "")))
            .collect();
        assert_eq!(
            after, requests_before[n],
            "job {n} downloaded a stored image again"
        );
    }
    let jobs_left: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE runner IS NOT NULL OR status <> 'completed'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(jobs_left, 0, "every lease was given up");

    assert_eq!(
        polls.failed_by_survivor.load(Ordering::Relaxed),
        0,
        "the surviving replica failed no poll"
    );
    let mut ms = polls.latencies_ms.lock().unwrap().clone();
    ms.sort_unstable();
    let p99 = ms
        .get(ms.len().saturating_sub(1) * 99 / 100)
        .copied()
        .unwrap_or(0);
    eprintln!(
        "replicas: {} polls answered, p99 {p99} ms (debug build)",
        polls.answered.load(Ordering::Relaxed)
    );
    drop(b);
    pool.close().await;
    for sim in sims {
        sim.shutdown().await;
    }
}

/// A server stopped with SIGTERM while another runs on the same database
/// hands its import over: the job goes back to the queue, the other server
/// takes it up at once and finishes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/with-postgres.sh cargo test --test replicas -- --ignored"]
async fn a_server_that_stops_hands_its_import_to_the_other() {
    let database = support::scratch_team_database()
        .await
        .expect("SHOTKEEPER_TEST_POSTGRES_URL is not set: run through scripts/with-postgres.sh");
    let sims = vec![help_center(7).await];
    let admin = tempfile::tempdir().unwrap();
    let key = create_key(admin.path(), &database, &sims);
    let integration = add_help_center(admin.path(), &database, &sims, 0);
    let http = reqwest::Client::new();
    let a = replica(&database, &sims, &http).await;
    let b = replica(&database, &sims, &http).await;
    // B has said it is alive before A stops (it does so once a second).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let started = post(
        &http,
        &key,
        format!("{}/helpcenter/import", a.base),
        json!({ "integrationId": integration }),
    )
    .await;
    let job = started["id"].as_str().unwrap().to_owned();
    let pool = pool_of(&database).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    while count(&pool, "images", &job).await == 0 {
        assert!(Instant::now() < deadline, "no image stored within 120 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut a = a;
    let pid = a.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let stopped = a.child.wait().unwrap();
    assert!(
        stopped.success(),
        "serve stops cleanly on SIGTERM: {stopped}"
    );
    let status: String = sqlx::query_scalar("SELECT status FROM jobs WHERE id = $1")
        .bind(&job)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_ne!(
        status, "interrupted",
        "handed over, not left for a person to resume"
    );
    assert_ne!(
        status, "completed",
        "the import ended before the stop: nothing was handed over"
    );

    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let list = get(&http, &key, format!("{}/helpcenter/import", b.base))
            .await
            .unwrap();
        if list["items"][0]["status"] == "completed" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "B did not finish the job: {list}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let view = get(&http, &key, format!("{}/helpcenter/import/{job}", b.base))
        .await
        .unwrap();
    let e = &sims[0].expected;
    assert_eq!(view["total"]["articles"]["success"], e.documents);
    assert_eq!(view["total"]["images"]["unique"], e.unique_images);
    drop(b);
    pool.close().await;
}

/// A member's laptop and one team server on a scratch team database, with
/// the team's key, which seals the help center's token in the database
/// where the server can open it.
struct LaptopAndServer {
    database: String,
    sims: Vec<Sim>,
    team_key: String,
    laptop: tempfile::TempDir,
    integration: String,
    /// Started once the help center is connected.
    server: Option<Replica>,
    pool: shotkeeper_core::db::Pool,
}

impl LaptopAndServer {
    async fn start(seed: u64) -> Self {
        let database = support::scratch_team_database().await.expect(
            "SHOTKEEPER_TEST_POSTGRES_URL is not set: run through scripts/with-postgres.sh",
        );
        let sims = vec![help_center(seed).await];
        let team_key = shotkeeper_core::sealed::SealingKey::generate().to_hex();
        let laptop = tempfile::tempdir().unwrap();
        let mut me = LaptopAndServer {
            integration: String::new(),
            server: None,
            pool: pool_of(&database).await,
            database,
            sims,
            team_key,
            laptop,
        };
        me.integration = me.add_sealed_help_center();
        me.server = Some(me.serve());
        let deadline = Instant::now() + Duration::from_secs(30);
        while count_replicas(&me.pool).await == 0 {
            assert!(
                Instant::now() < deadline,
                "the server never said it is alive"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        me
    }

    fn server_pid(&self) -> u32 {
        self.server.as_ref().unwrap().child.id()
    }

    /// The binary with the team's key, in `dir`.
    fn shotkeeper(&self, dir: &std::path::Path) -> Command {
        let mut c = shotkeeper(dir, &self.database, &self.sims);
        c.env(shotkeeper_core::sealed::KEY_ENV, &self.team_key);
        c
    }

    fn add_sealed_help_center(&self) -> String {
        let mut add = self.shotkeeper(self.laptop.path());
        add.args(["integration", "add", "helpjuice", "--label", "Docs"])
            .args(["--base-url", &self.sims[0].api_base, "--secret-stdin"])
            .args(["--set", "requests_per_minute=0", "--json"]);
        for (k, v) in &self.sims[0].settings {
            add.args(["--set", &format!("{k}={v}")]);
        }
        let mut add = add
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        let token = self.sims[0].token.as_bytes();
        add.stdin.take().unwrap().write_all(token).unwrap();
        let added = add.wait_with_output().unwrap();
        assert!(
            added.status.success(),
            "{}",
            String::from_utf8_lossy(&added.stderr)
        );
        let v: Value = serde_json::from_slice(&added.stdout).unwrap();
        v["id"].as_str().unwrap().to_owned()
    }

    fn serve(&self) -> Replica {
        let dir = tempfile::tempdir().unwrap();
        let port = support::free_port();
        Replica {
            child: self
                .shotkeeper(dir.path())
                .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
            base: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        }
    }

    /// `shotkeeper import` on the laptop, which follows the job.
    fn import(&self) -> Child {
        self.shotkeeper(self.laptop.path())
            .args(["import", &self.integration, "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// The runners seen holding the job until it completes, polled every 50
    /// ms; `on_poll` runs after each poll with the images stored so far.
    async fn runners_until_completed(&self, mut on_poll: impl FnMut(i64)) -> BTreeSet<u32> {
        let mut runners = BTreeSet::new();
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            let rows: Vec<(String, String, Option<String>)> =
                sqlx::query_as("SELECT id, status, runner FROM jobs WHERE integration_id = $1")
                    .bind(&self.integration)
                    .fetch_all(&self.pool)
                    .await
                    .unwrap();
            runners.extend(rows.iter().filter_map(|(_, _, r)| r.clone()));
            if rows.iter().any(|(_, s, _)| s == "completed") {
                break;
            }
            if let Some((job, _, _)) = rows.first() {
                on_poll(count(&self.pool, "images", job).await);
            }
            assert!(
                Instant::now() < deadline,
                "the import did not finish: {rows:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let pid = |r: &String| r.split('/').nth(1).unwrap().parse::<u32>().unwrap();
        runners.iter().map(pid).collect()
    }

    /// The laptop's CLI ended well and printed the simulator's exact
    /// counts; returns what it said on stderr.
    fn assert_exact_counts(&self, import: Child) -> String {
        let out = import.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let view: Value = serde_json::from_slice(&out.stdout).unwrap();
        let e = &self.sims[0].expected;
        assert_eq!(view["total"]["articles"]["success"], e.documents);
        assert_eq!(view["total"]["images"]["unique"], e.unique_images);
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/with-postgres.sh cargo test --test replicas -- --ignored"]
async fn an_import_started_on_a_laptop_runs_on_the_teams_server() {
    let team = LaptopAndServer::start(11).await;
    let import = team.import();
    let laptop = import.id();
    let runners = team.runners_until_completed(|_| {}).await;
    assert!(!runners.is_empty(), "a runner held the job while it ran");
    let server = team.server_pid();
    assert!(
        runners.iter().all(|r| *r == server),
        "only the server ({server}) ran the job, not the laptop ({laptop}): {runners:?}"
    );
    let said = team.assert_exact_counts(import);
    assert!(
        said.contains("running on the team's server"),
        "the laptop says where its import runs:\n{said}"
    );
    team.pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/with-postgres.sh cargo test --test replicas -- --ignored"]
async fn the_laptop_finishes_its_import_when_the_only_server_stops() {
    let mut team = LaptopAndServer::start(12).await;
    let import = team.import();
    let (laptop, server) = (import.id(), team.server_pid());
    let mut stopped = false;
    let runners = team
        .runners_until_completed(|images| {
            if images > 0 && !stopped {
                // The server stops (SIGTERM) while it runs the job: no
                // other server is alive to take it.
                let pid = server.to_string();
                assert!(Command::new("kill")
                    .args(["-TERM", &pid])
                    .status()
                    .unwrap()
                    .success());
                stopped = true;
            }
        })
        .await;
    assert!(stopped, "the import ended before the server was stopped");
    let ended = team.server.as_mut().unwrap().child.wait().unwrap();
    assert!(ended.success(), "serve stops cleanly on SIGTERM: {ended}");
    assert_eq!(
        runners,
        BTreeSet::from([laptop, server]),
        "the server began, the laptop finished"
    );
    team.assert_exact_counts(import);
    team.pool.close().await;
}

async fn count_replicas(pool: &shotkeeper_core::db::Pool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM replicas")
        .fetch_one(pool)
        .await
        .unwrap()
}
