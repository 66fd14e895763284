//! Import speed and memory, end to end into a fresh SQLite file, against a
//! simulator running in a child process (so that this process's CPU time
//! and peak RSS are the importer's alone).
//!
//! ```sh
//! # Issue 13's workload: a Helpjuice-shaped help center of 2,000 articles,
//! # 1,000 with images, 3,000 references to 300 distinct 1280x800 PNG
//! # screenshots of about 140 KB; every answer (API and images) 50 ms late.
//! cargo run --release -p shotkeeper-core --example bench_import -- workload --latency-ms 50
//! cargo run --release -p shotkeeper-core --example bench_import -- workload --latency-ms 0
//! # Memory: 20,000 distinct images, one reference each (smaller pictures
//! # by default, so the simulator draws them in reasonable time).
//! cargo run --release -p shotkeeper-core --example bench_import -- many --distinct 20000
//! # The varied sample data of the simulator (photos, duplicates, broken links).
//! cargo run --release -p shotkeeper-core --example bench_import -- sample --articles 2000
//! ```
//!
//! `--python THREADS` also runs `import_baseline.py` (requests + Pillow +
//! imagehash, installed with pip), the script issue 13 compares with,
//! sequential and on THREADS threads, against the same simulator.
//!
//! `--postgres postgres://USER@HOST:PORT/postgres` imports into a fresh
//! database on that PostgreSQL server (team mode) instead of SQLite.
//!
//! Flags (any mode): `--latency-ms N`, `--concurrency N` (image downloads
//! per host, the import's option), `--articles N`, `--with-images N`,
//! `--refs N`, `--distinct N`, `--width PX`, `--height PX`, `--provider P`
//! (sample mode). Prints wall time, CPU time (getrusage), busy time per
//! import stage (from the core's `import.*` tracing spans, summed over
//! threads), peak RSS, and the local bound: decoding and SHA-256 of the
//! same distinct files on every core in this process, with the ratio; then
//! the analysis bound: the per-image work the import cannot skip (decode,
//! SHA-256, perceptual hash, thumbnail) on the same files and cores, with
//! no network, database or files, and the ratio to it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shotkeeper_core::imaging::{self, ImageLimits};
use shotkeeper_core::import::ImportOptions;
use shotkeeper_core::integrations::{NewIntegration, SecretInput};
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::App;
use shotkeeper_sim::{Faults, ScreenshotPool, SimOptions, SimProvider};
use tokio_util::sync::CancellationToken;
use tracing::span;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// Command-line flags, `--name value` pairs after the mode.
struct Args {
    mode: String,
    flags: BTreeMap<String, String>,
}

impl Args {
    fn parse() -> Args {
        let mut raw = std::env::args().skip(1).peekable();
        let mode = match raw.peek() {
            Some(m) if !m.starts_with("--") => raw.next().unwrap_or_default(),
            _ => "workload".to_owned(),
        };
        let mut flags = BTreeMap::new();
        while let Some(k) = raw.next() {
            let Some(name) = k.strip_prefix("--") else {
                panic!("unexpected argument {k:?}: flags are --name value");
            };
            let v = raw.next().unwrap_or_default();
            flags.insert(name.to_owned(), v);
        }
        Args { mode, flags }
    }

    fn num(&self, name: &str, default: u64) -> u64 {
        self.flags.get(name).map_or(default, |v| {
            v.parse()
                .unwrap_or_else(|_| panic!("--{name} wants a number, got {v:?}"))
        })
    }
}

/// What the child process serves: the simulator's options as flags.
fn sim_options(args: &Args) -> SimOptions {
    let provider: SimProvider = args
        .flags
        .get("provider")
        .map_or(Ok(SimProvider::Helpjuice), |p| p.parse())
        .expect("provider");
    let mut o = SimOptions::new(provider);
    o.rate_limit_per_minute = Some(0);
    let latency = args.num("latency-ms", 0);
    o.faults = Faults {
        slow_ms: latency,
        slow_images_ms: latency,
        ..Faults::default()
    };
    match args.mode.as_str() {
        "workload" => {
            o.articles = args.num("articles", 2000) as usize;
            o.screenshot_pool = Some(ScreenshotPool {
                articles_with_images: args.num("with-images", 1000) as usize,
                refs_per_article: args.num("refs", 3) as usize,
                distinct: args.num("distinct", 300) as usize,
                width: args.num("width", 1280) as u32,
                height: args.num("height", 800) as u32,
            });
        }
        "many" => {
            let distinct = args.num("distinct", 20_000) as usize;
            o.articles = args.num("articles", distinct as u64 / 4) as usize;
            o.screenshot_pool = Some(ScreenshotPool {
                articles_with_images: o.articles,
                refs_per_article: distinct.div_ceil(o.articles.max(1)),
                distinct,
                width: args.num("width", 480) as u32,
                height: args.num("height", 300) as u32,
            });
        }
        "sample" => {
            o.articles = args.num("articles", 2000) as usize;
            o.images_per_article = args.num("refs", 3) as usize;
        }
        other => panic!("unknown mode {other:?}: workload, many or sample"),
    }
    o
}

/// The child: starts the simulator, draws every image, prints one JSON line
/// and serves until its standard input closes.
fn serve(args: &Args) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let sim = shotkeeper_sim::start(sim_options(args))
            .await
            .expect("simulator");
        let t = Instant::now();
        sim.prerender_images();
        let line = serde_json::json!({
            "api_base": sim.api_base,
            "site_base": sim.site_base,
            "token": sim.token,
            "settings": sim.settings,
            "expected": sim.expected,
            "render_secs": t.elapsed().as_secs_f64(),
        });
        println!("{line}");
        std::io::stdout().flush().ok();
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            std::io::stdin().read_to_end(&mut sink).ok();
        })
        .await
        .ok();
        sim.shutdown().await;
    });
}

/// Busy time per `import.*` span, from creation to close, summed over
/// every span of that name (threads add up, so CPU stages can exceed the
/// wall time; `import.fetch` is time in flight, latency included).
#[derive(Default)]
struct Stages(Mutex<BTreeMap<&'static str, Stage>>);

/// One stage's spans: busy time, count, and when (since the import
/// started) the first began and the last ended, to show the overlap.
#[derive(Default)]
struct Stage {
    busy: Duration,
    /// CPU time of the spans that began and ended on one thread (the
    /// analysis stages): their busy time without the waits for a core.
    cpu: Duration,
    count: u64,
    first: Option<Instant>,
    last: Option<Instant>,
}

struct Started(Instant, std::thread::ThreadId, Duration);

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    // SAFETY: clock_gettime writes into the zeroed struct we own.
    let mut t: libc::timespec = unsafe { std::mem::zeroed() };
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

struct StageLayer(Arc<Stages>);

impl<S> Layer<S> for StageLayer
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        if !attrs.metadata().name().starts_with("import.") {
            return;
        }
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Started(
                Instant::now(),
                std::thread::current().id(),
                thread_cpu(),
            ));
        }
    }

    fn on_close(&self, id: span::Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let Some((started, thread, cpu0)) =
            span.extensions().get::<Started>().map(|s| (s.0, s.1, s.2))
        else {
            return;
        };
        let now = Instant::now();
        // Async spans (fetch, list, database) move between threads and
        // wait on the network: only the synchronous stages have a CPU time.
        let sync = !matches!(
            span.name(),
            "import.fetch" | "import.list" | "import.database"
        );
        let cpu = if sync && thread == std::thread::current().id() {
            thread_cpu().saturating_sub(cpu0)
        } else {
            Duration::ZERO
        };
        let mut totals = self.0 .0.lock().unwrap();
        let e = totals.entry(span.name()).or_default();
        e.busy += now - started;
        e.cpu += cpu;
        e.count += 1;
        e.first = Some(e.first.map_or(started, |f| f.min(started)));
        e.last = Some(e.last.map_or(now, |l| l.max(now)));
    }
}

/// CPU seconds (user + system) and peak RSS (MiB) of this process.
fn rusage() -> (f64, f64) {
    // SAFETY: getrusage writes into the zeroed struct we own.
    let mut r: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut r) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (
        secs(r.ru_utime) + secs(r.ru_stime),
        r.ru_maxrss as f64 / 1024.0,
    )
}

/// Decode + SHA-256 of `files` on every core, best of three runs.
fn local_bound(files: &[Vec<u8>]) -> f64 {
    let limits = ImageLimits::default();
    best_on_every_core(files, |bytes| {
        std::hint::black_box(imaging::sha256_hex(bytes));
        let img = imaging::decode(bytes, &limits).expect("decodes");
        std::hint::black_box(img);
    })
}

/// The analysis the import must do for each file, without network,
/// database or files: what `imaging::analyse_with_thumbnail` does (SHA-256,
/// PNG text, decode, perceptual hash, thumbnail PNG), best of three runs
/// on every core.
fn analysis_bound(files: &[Vec<u8>]) -> f64 {
    let limits = ImageLimits::default();
    best_on_every_core(files, |bytes| {
        std::hint::black_box(imaging::analyse_with_thumbnail(bytes, &limits, 320));
    })
}

/// Best wall time of three runs of `work` over `files`, shared between
/// one thread per core.
fn best_on_every_core(files: &[Vec<u8>], work: impl Fn(&[u8]) + Sync) -> f64 {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut best = f64::MAX;
    for _ in 0..3 {
        let next = AtomicUsize::new(0);
        let t = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(bytes) = files.get(i) else { break };
                    work(bytes);
                });
            }
        });
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
}

/// Issue 13's baseline beside the import, against the same simulator:
/// `import_baseline.py` (requests + Pillow + imagehash) sequential and with
/// `threads` threads, each timed by the script itself.
fn python_baseline(info: &serde_json::Value, import_wall: f64, threads: u64) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/import_baseline.py");
    println!("\n| Python baseline (no thumbnails, no database) | time | import faster by |\n|---|---|---|");
    for n in [1, threads] {
        let out = Command::new("python3")
            .arg(script)
            .args(["--api", info["api_base"].as_str().unwrap()])
            .args(["--site", info["site_base"].as_str().unwrap()])
            .args(["--token", info["token"].as_str().unwrap()])
            .args(["--threads", &n.to_string()])
            .output()
            .expect("python3 (install requests, Pillow and imagehash with pip)");
        assert!(
            out.status.success(),
            "the baseline failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("baseline JSON");
        let secs = r["seconds"].as_f64().unwrap_or(f64::NAN);
        println!(
            "| {n} thread(s): {} articles, {} references, {} images | {secs:.2} s | {:.1}x |",
            r["articles"],
            r["references"],
            r["distinct"],
            secs / import_wall
        );
    }
}

/// Bytes of every file under `dir`.
fn bytes_under(dir: &std::path::Path) -> u64 {
    walk(dir)
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum()
}

/// One SHA-256 over what the import stored about each image (every row of
/// `images` but its URL and thumbnail path, which change from run to run)
/// and over every thumbnail file by name: equal digests from two builds
/// mean the same hashes, sizes, metadata and thumbnail bytes.
async fn results_digest(app: &App, thumbnails: &std::path::Path) -> String {
    use sha2::{Digest, Sha256};
    type Row = (
        String,
        i64,
        i64,
        i64,
        String,
        Option<String>,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT kind, width, height, size, hash, phash, metadata, problem FROM images \
         ORDER BY hash, url",
    )
    .fetch_all(app.pool())
    .await
    .expect("image rows");
    let mut digest = Sha256::new();
    for row in &rows {
        digest.update(format!("{row:?}\n"));
    }
    let mut files: Vec<_> = walk(thumbnails);
    files.sort_by_key(|p| p.file_name().map(|n| n.to_owned()));
    for f in files {
        digest.update(f.file_name().unwrap_or_default().as_encoded_bytes());
        digest.update(std::fs::read(&f).expect("thumbnail"));
    }
    format!("{:x}", digest.finalize())[..16].to_owned()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|e| {
            let p = e.path();
            if p.is_dir() {
                walk(&p)
            } else {
                vec![p]
            }
        })
        .collect()
}

/// What the database holds on disk once the import is done: the SQLite file
/// and its write-ahead log, or PostgreSQL's size of the whole database.
async fn database_bytes(app: &App, database: &shotkeeper_core::db::Database) -> u64 {
    match database {
        shotkeeper_core::db::Database::Embedded { file } => {
            let wal = file.with_extension("sqlite-wal");
            [file.clone(), wal]
                .iter()
                .filter_map(|f| std::fs::metadata(f).ok())
                .map(|m| m.len())
                .sum()
        }
        shotkeeper_core::db::Database::Team { .. } => {
            let bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
                .fetch_one(app.pool())
                .await
                .expect("pg_database_size");
            bytes as u64
        }
    }
}

fn main() {
    let args = Args::parse();
    if args.mode == "serve" {
        let inner = Args {
            mode: args
                .flags
                .get("shape")
                .cloned()
                .unwrap_or_else(|| "workload".into()),
            flags: args.flags.clone(),
        };
        return serve(&inner);
    }
    let stages = Arc::new(Stages::default());
    let import_start: Mutex<Option<Instant>> = Mutex::new(None);
    tracing::subscriber::set_global_default(
        tracing_subscriber::registry()
            .with(StageLayer(stages.clone()))
            .with(
                tracing_subscriber::filter::Targets::new()
                    .with_target("shotkeeper_core", tracing::Level::DEBUG),
            ),
    )
    .expect("subscriber");

    // The simulator, in a child process of this same program.
    let mut child_args = vec!["serve".to_owned(), "--shape".into(), args.mode.clone()];
    for (k, v) in &args.flags {
        child_args.push(format!("--{k}"));
        child_args.push(v.clone());
    }
    let mut child = Command::new(std::env::current_exe().expect("own path"))
        .args(&child_args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("simulator process");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("simulator line");
    let info: serde_json::Value = serde_json::from_str(&line).expect("simulator JSON");
    let expected = &info["expected"];
    println!(
        "simulator: {} documents, {} image references, {} distinct URLs; drew the images in {:.1}s",
        expected["documents"],
        expected["image_refs"],
        expected["distinct_urls"],
        info["render_secs"].as_f64().unwrap_or(0.0)
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let latency = args.num("latency-ms", 0);
    let report = rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        // `--postgres ADMIN_URL`: the rows go to a fresh database on that
        // PostgreSQL server (team mode) instead of the directory's SQLite.
        let database = match args.flags.get("postgres") {
            Some(admin) => shotkeeper_core::db::create_scratch_postgres(admin, "sk_bench")
                .await
                .expect("a scratch PostgreSQL database"),
            None => shotkeeper_core::db::Database::embedded(dir.path()),
        };
        let app = App::open_with(dir.path(), database.clone()).await.unwrap();
        std::env::set_var("BENCH_TOKEN", info["token"].as_str().unwrap());
        let mut settings: BTreeMap<String, String> =
            serde_json::from_value(info["settings"].clone()).unwrap();
        settings.insert("requests_per_minute".into(), "0".into());
        let kind: ProviderKind = serde_json::from_value(serde_json::Value::String(
            args.flags
                .get("provider")
                .cloned()
                .unwrap_or_else(|| "helpjuice".into()),
        ))
        .expect("provider kind");
        let id = app
            .add_integration(NewIntegration {
                label: "bench".into(),
                provider: kind,
                base_url: Some(info["api_base"].as_str().unwrap().to_owned()),
                settings,
                secret: SecretInput::Env {
                    name: "BENCH_TOKEN".into(),
                },
            })
            .await
            .unwrap()
            .integration
            .id;
        let mut options = ImportOptions::default();
        if let Some(c) = args.flags.get("concurrency") {
            options.image_concurrency = c.parse().expect("--concurrency N");
        }

        let (cpu0, _) = rusage();
        let t = Instant::now();
        *import_start.lock().unwrap() = Some(t);
        let view = app
            .run_import_with(
                &id,
                None,
                options,
                Arc::new(|_| {}),
                CancellationToken::new(),
            )
            .await
            .expect("import");
        let wall = t.elapsed().as_secs_f64();
        let (cpu1, peak) = rusage();
        assert_eq!(
            view.total.articles.success,
            expected["documents"].as_u64().unwrap(),
            "every article imported"
        );
        assert_eq!(
            view.total.images.total,
            expected["image_refs"].as_u64().unwrap(),
            "every reference recorded"
        );
        let bytes = database_bytes(&app, &database).await;
        let thumbnails = bytes_under(&dir.path().join("thumbnails"));
        let digest = results_digest(&app, &dir.path().join("thumbnails")).await;
        (
            wall,
            cpu1 - cpu0,
            peak,
            view.total.images.unique,
            app.pool().clone(),
            (database, bytes, thumbnails, digest),
        )
    });
    let (wall, cpu, peak, unique, pool, (database, bytes, thumbnails, digest)) = report;

    println!(
        "import: {unique} unique images; latency {latency} ms; concurrency {}",
        args.flags
            .get("concurrency")
            .map_or("default".to_owned(), Clone::clone)
    );
    println!("| figure | value |\n|---|---|");
    println!("| wall time | {wall:.2} s |");
    println!("| CPU time (user + system) | {cpu:.2} s |");
    println!("| peak RSS | {peak:.1} MiB |");
    let mib = bytes as f64 / (1024.0 * 1024.0);
    println!(
        "| database ({}) | {mib:.1} MiB, {:.1} MiB per 10,000 images |",
        match database.engine() {
            shotkeeper_core::db::Engine::Sqlite => "SQLite",
            shotkeeper_core::db::Engine::Postgres =>
                "PostgreSQL; its server's CPU and memory are not in the figures above",
        },
        mib * 10_000.0 / unique.max(1) as f64
    );
    let thumbs = thumbnails as f64 / (1024.0 * 1024.0);
    println!(
        "| thumbnails (data directory) | {thumbs:.1} MiB, {:.1} MiB per 10,000 images |",
        thumbs * 10_000.0 / unique.max(1) as f64
    );
    println!("| results (image rows and thumbnail files) | SHA-256 {digest} |");
    println!(
        "\n| stage | spans | busy time (sum over threads) | per span | CPU per span | from | to |\n|---|---|---|---|---|---|---|"
    );
    let start = import_start.lock().unwrap().unwrap_or_else(Instant::now);
    let at =
        |i: Option<Instant>| i.map_or(0.0, |i| i.saturating_duration_since(start).as_secs_f64());
    for (name, st) in stages.0.lock().unwrap().iter() {
        println!(
            "| {} | {} | {:.3} s | {:.2} ms | {} | {:.2} s | {:.2} s |",
            name.trim_start_matches("import."),
            st.count,
            st.busy.as_secs_f64(),
            st.busy.as_secs_f64() * 1000.0 / st.count.max(1) as f64,
            if st.cpu.is_zero() {
                "-".to_owned()
            } else {
                format!(
                    "{:.2} ms",
                    st.cpu.as_secs_f64() * 1000.0 / st.count.max(1) as f64
                )
            },
            at(st.first),
            at(st.last),
        );
    }

    // The local bound, on the distinct files this import downloaded.
    if args.mode != "sample" {
        let files = rt.block_on(async {
            let urls: Vec<String> =
                sqlx::query_scalar("SELECT DISTINCT url FROM images ORDER BY url")
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            let client = reqwest::Client::new();
            let mut files = Vec::new();
            for u in urls.iter().take(args.num("bound-files", 300) as usize) {
                let b = client.get(u).send().await.unwrap().bytes().await.unwrap();
                files.push(b.to_vec());
            }
            files
        });
        let mean_kb = files.iter().map(Vec::len).sum::<usize>() as f64 / files.len() as f64 / 1e3;
        let bound = local_bound(&files);
        let per_file = bound / files.len() as f64;
        // Scaled to the number of distinct images this import analysed.
        let scaled = per_file * unique as f64;
        println!(
            "\nlocal bound: decode + SHA-256 of {} files (mean {mean_kb:.0} KB) on {} threads: {bound:.3} s; for {unique} images {scaled:.3} s",
            files.len(),
            std::thread::available_parallelism().map_or(1, usize::from)
        );
        println!("ratio wall / local bound: {:.2}", wall / scaled);
        let analysis = analysis_bound(&files) / files.len() as f64 * unique as f64;
        println!(
            "analysis bound: decode, SHA-256, perceptual hash and thumbnail of the same files on every core: {analysis:.3} s for {unique} images; ratio wall / analysis bound: {:.2}",
            wall / analysis
        );
    }
    if args.flags.contains_key("python") {
        python_baseline(&info, wall, args.num("python", 16));
    }
    drop(child.stdin.take());
    let _ = child.wait();
}
