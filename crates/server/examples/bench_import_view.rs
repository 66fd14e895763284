//! Latency of `GET /helpcenter/import/:id` (LaunchBrightly's "Check an
//! Import Progress") for a job of 20,000 images under 16 concurrent
//! clients, in both dimensions, and the peak resident memory of the process.
//!
//! Run: `cargo run --release -p shotkeeper-server --example bench_import_view`
//! (`BENCH_IMAGES`, `BENCH_REQUESTS` override 20000 and 20 per client;
//! `BENCH_POSTGRES=ADMIN_URL` puts the job on that PostgreSQL server).
//!
//! The job is written straight into a real SQLite file (5,000 articles of
//! four images each, all distinct), as a finished import leaves it. Runs:
//! each dimension of the finished job without and with gzip (the bytes on
//! the wire are read, not decompressed), then the images while the job
//! changes every 250 ms as a running import changes it, each client
//! polling every 100 ms (so polls pay for rebuilds). Server and clients share this process; the clients read each
//! answer to its end without keeping it, so the peak RSS printed per run is
//! the server's plus the clients' buffers in flight.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use shotkeeper_core::integrations::{NewIntegration, SecretInput};
use shotkeeper_core::model::{Dimension, ProviderKind};
use shotkeeper_core::App;
use shotkeeper_server::ServeOptions;

const CLIENTS: usize = 16;

/// How often the job changes in the third run, as a running import's
/// writes would change it.
const CHANGE_EVERY_MS: u64 = 250;

/// Resets VmHWM (Linux: writing 5 to /proc/self/clear_refs), so each run's
/// peak is its own; the peak before the first reset includes filling the
/// database.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// VmHWM of /proc/self/status: the peak resident set, in MiB.
fn peak_rss_mib() -> Option<f64> {
    status_mib("VmHWM:")
}

/// VmRSS: the resident set now, in MiB (what a run starts from).
fn rss_mib() -> Option<f64> {
    status_mib("VmRSS:")
}

fn mib(v: Option<f64>) -> String {
    match v {
        Some(m) => format!("{m:.0} MiB"),
        None => "not available here".into(),
    }
}

fn status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

async fn fill(app: &App, images: usize) -> String {
    std::env::set_var("BENCH_UNUSED_TOKEN", "x");
    let mut settings = BTreeMap::new();
    settings.insert("account".to_string(), "bench".to_string());
    let integration = app
        .add_integration(NewIntegration {
            label: "Bench".into(),
            provider: ProviderKind::Helpjuice,
            base_url: Some("http://127.0.0.1:9/api/v3".into()),
            settings,
            secret: SecretInput::Env {
                name: "BENCH_UNUSED_TOKEN".into(),
            },
        })
        .await
        .unwrap()
        .integration
        .id;
    let job =
        shotkeeper_core::db::jobs::create(app.pool(), &integration, "Bench Import", app.actor())
            .await
            .unwrap()
            .id;
    let ts = shotkeeper_core::db::now();
    let per_article = 4;
    let mut tx = app.pool().begin().await.unwrap();
    for a in 0..images.div_ceil(per_article) {
        let article_id = format!("art-{a}");
        sqlx::query(
            "INSERT INTO articles (id, job_id, external_id, locale, title, url, is_published, tags, content, status, created_at, updated_at)
             VALUES ($1, $2, $3, '', $4, $5, 1, '[]', $6, 'completed', $7, $8)",
        )
        .bind(&article_id)
        .bind(&job)
        .bind(format!("{}", 3_844_000 + a))
        .bind(format!("Article {a}"))
        .bind(format!("https://bench.example.com/kb/article-{a}"))
        .bind("<p>Welcome! This article shows four screenshots.</p>")
        .bind(&ts)
        .bind(&ts)
        .execute(&mut *tx)
        .await
        .unwrap();
        for p in 0..per_article {
            let n = a * per_article + p;
            if n >= images {
                break;
            }
            let url = format!("https://static.example.com/uploads/{n}/screenshot-{n}.png");
            sqlx::query(
                "INSERT INTO article_images (article_id, position, url, alt) VALUES ($1, $2, $3, '')",
            )
            .bind(&article_id)
            .bind(p as i64)
            .bind(&url)
            .execute(&mut *tx)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO images (job_id, url, name, status_code, kind, width, height, size, hash, metadata, fetched_at)
                 VALUES ($1, $2, $3, 200, 'png', 890, 1444, 52913, $4, '{}', $5)",
            )
            .bind(&job)
            .bind(&url)
            .bind(format!("screenshot-{n}.png"))
            .bind(format!("{n:064x}"))
            .bind(&ts)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    tx.commit().await.unwrap();
    shotkeeper_core::db::jobs::set_status(
        app.pool(),
        &job,
        shotkeeper_core::db::jobs::JobStatus::Completed,
        None,
    )
    .await
    .unwrap();
    job
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[tokio::main]
async fn main() {
    let images = env_or("BENCH_IMAGES", 20_000);
    let per_client = env_or("BENCH_REQUESTS", 20);
    let dir = tempfile::tempdir().unwrap();
    // BENCH_POSTGRES=postgres://USER@HOST:PORT/postgres: the job lives in a
    // fresh database on that PostgreSQL server (team mode), not SQLite.
    let database = match std::env::var("BENCH_POSTGRES") {
        Ok(admin) => shotkeeper_core::db::create_scratch_postgres(&admin, "sk_bench")
            .await
            .expect("a scratch PostgreSQL database"),
        Err(_) => shotkeeper_core::db::Database::embedded(dir.path()),
    };
    println!("database: {}", database.describe());
    let app = App::open_with(dir.path(), database).await.unwrap();
    let started = Instant::now();
    let job = fill(&app, images).await;
    println!(
        "job of {images} images written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let key = app.create_api_key("bench").await.unwrap().key;
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let bound =
        shotkeeper_server::start(app.clone(), ServeOptions::loopback_any_port(), async move {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    // No transparent decompression: the clients read the bytes on the wire
    // and ask for gzip explicitly where a run says so.
    let http = reqwest::Client::builder().no_gzip().build().unwrap();
    // Build cost of one answer (what a poll after a change pays), straight
    // from core, before the server has kept anything.
    for dimension in [Dimension::Images, Dimension::Articles] {
        let t = Instant::now();
        let view = app.job_view(&job, Some(dimension)).await.unwrap();
        let json = serde_json::to_vec(&view).unwrap();
        println!(
            "one build of dimension={dimension:?} from SQL and serialisation: {:.0} ms ({:.1} MiB)",
            t.elapsed().as_secs_f64() * 1000.0,
            json.len() as f64 / (1024.0 * 1024.0)
        );
    }
    // (dimension, gzip accepted, the job changing every so often)
    let scenarios = [
        ("images", false, None),
        ("images", true, None),
        ("articles", false, None),
        ("articles", true, None),
        ("images", true, Some(Duration::from_millis(CHANGE_EVERY_MS))),
    ];
    for (dimension, gzip, change_every) in scenarios {
        reset_peak_rss();
        let rss_before = rss_mib();
        // A running import writes the job every so often: each write makes
        // the next poll rebuild the answer.
        let writer = change_every.map(|every| {
            let (pool, job) = (app.pool().clone(), job.clone());
            tokio::spawn(async move {
                let mut n = 0i64;
                loop {
                    tokio::time::sleep(every).await;
                    n += 1;
                    sqlx::query("UPDATE images SET fetched_at = $1 WHERE job_id = $2 AND url = (SELECT url FROM images WHERE job_id = $3 LIMIT 1 OFFSET $4)")
                        .bind(shotkeeper_core::db::now())
                        .bind(&job)
                        .bind(&job)
                        .bind(n % 1000)
                        .execute(&pool)
                        .await
                        .unwrap();
                }
            })
        });
        let url = format!(
            "http://{}/helpcenter/import/{job}?dimension={dimension}",
            bound.addr
        );
        // One warm-up request, checked.
        let encoding = if gzip { "gzip" } else { "identity" };
        let first = http
            .get(&url)
            .header("x-api-key", &key)
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert!(first.status().is_success(), "{}", first.status());
        let bytes = first.bytes().await.unwrap().len();
        // While the job changes, answers differ in length only by chance
        // (same-length timestamps): compared only when it does not change.
        let expected = change_every.is_none().then_some(bytes);
        let pause = change_every.map(|_| Duration::from_millis(100));
        let wall = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..CLIENTS {
            let (http, url, key) = (http.clone(), url.clone(), key.clone());
            tasks.push(tokio::spawn(async move {
                let mut times = Vec::with_capacity(per_client);
                for _ in 0..per_client {
                    let t = Instant::now();
                    let mut resp = http
                        .get(&url)
                        .header("x-api-key", &key)
                        .header("accept-encoding", encoding)
                        .send()
                        .await
                        .unwrap();
                    assert!(resp.status().is_success());
                    // Read to the end without keeping the answer, as a
                    // client that parses as it reads would: the RSS
                    // printed is then the server's, not 16 copies of it.
                    let mut read = 0;
                    while let Some(chunk) = resp.chunk().await.unwrap() {
                        read += chunk.len();
                    }
                    if let Some(expected) = expected {
                        assert_eq!(read, expected, "a whole answer");
                    }
                    times.push(t.elapsed());
                    // While the job changes, clients poll as a dashboard
                    // does (every 100 ms), so the run spans many changes.
                    if let Some(pause) = pause {
                        tokio::time::sleep(pause).await;
                    }
                }
                times
            }));
        }
        let mut all: Vec<Duration> = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all.sort();
        if let Some(w) = writer {
            w.abort();
        }
        let changing = match change_every {
            Some(d) => format!(", job changing every {} ms", d.as_millis()),
            None => String::new(),
        };
        println!(
            "dimension={dimension}, {encoding}{changing}: {} requests by {CLIENTS} clients in {:.1} s, answer {:.1} MiB, p50 {:.0} ms, p99 {:.0} ms, peak RSS {} (from {} at the start of the run)",
            all.len(),
            wall.elapsed().as_secs_f64(),
            bytes as f64 / (1024.0 * 1024.0),
            percentile(&all, 0.50).as_secs_f64() * 1000.0,
            percentile(&all, 0.99).as_secs_f64() * 1000.0,
            mib(peak_rss_mib()),
            mib(rss_before),
        );
    }
    bound.shutdown();
}
