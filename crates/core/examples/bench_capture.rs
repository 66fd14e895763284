//! Capture speed: 50 element screenshots of a small settings page served on
//! 127.0.0.1 by this program, with 1, 2 and 4 tabs, one headless Chromium
//! (the system's, as `shotkeeper capture` finds it) for all runs.
//!
//! ```sh
//! cargo run --release -p shotkeeper-core --example bench_capture
//! cargo run --release -p shotkeeper-core --example bench_capture -- --scenarios 100 --tabs 1,2,4,8
//! ```
//!
//! Prints, per tab count, wall time and scenarios per second; then the peak
//! RSS of this process (Shotkeeper's side: driving the browser, masking,
//! stamping, writing PNGs) and the RSS of the browser's processes (all of
//! Chromium's, summed, read after the last run) apart.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::Path as UrlPath;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use shotkeeper_core::capture::{
    capture, find_chromium, parse_shots, select, CaptureOptions, CaptureProgress, Chromium,
};
use tokio_util::sync::CancellationToken;

/// A settings page: a header, a sidebar, a form card with a few fields,
/// web-safe fonts, a little CSS animation to be stilled.
async fn page(UrlPath(n): UrlPath<u32>) -> Html<String> {
    Html(format!(
        r#"<!doctype html><html><head><style>
body{{margin:0;font:14px sans-serif;background:#f4f5f7}}
header{{height:56px;background:#1f2937;color:#fff;display:flex;align-items:center;padding:0 24px}}
nav{{position:absolute;top:56px;left:0;width:200px;bottom:0;background:#fff;border-right:1px solid #ddd}}
main{{margin-left:224px;padding:24px}}
.card{{background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002;padding:24px;width:560px}}
label{{display:block;margin:12px 0 4px;color:#444}}
input{{width:100%;padding:8px;border:1px solid #ccc;border-radius:4px}}
.spinner{{width:16px;height:16px;border:3px solid #ccc;border-top-color:#06f;border-radius:50%;animation:spin 1s linear infinite;display:inline-block}}
@keyframes spin{{to{{transform:rotate(360deg)}}}}
</style></head><body>
<header>Acme settings <span class="spinner"></span></header>
<nav><p>Profile</p><p>Billing</p><p>Team</p></nav>
<main><div class="card" id="card">
<h2>Profile {n}</h2>
<label>Name</label><input value="Ada Lovelace">
<label>Email</label><input class="email" value="ada@example.com">
<label>Company</label><input value="Analytical Engines {n}">
<button>Save</button>
</div></main></body></html>"#
    ))
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// Resident memory of a process in KiB (`VmRSS`) or its peak (`VmHWM`).
fn status_kib(pid: &str, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// Sum of `VmRSS` over every descendant of this process (the browser and
/// its renderer, GPU and utility processes).
fn browser_rss_kib() -> u64 {
    let me = std::process::id().to_string();
    let mut parents = std::collections::HashMap::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for e in dir.flatten() {
            let pid = e.file_name().to_string_lossy().into_owned();
            if !pid.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
                // pid (comm) state ppid ...: comm may hold spaces.
                if let Some(rest) = stat.rsplit(')').next() {
                    if let Some(ppid) = rest.split_whitespace().nth(1) {
                        parents.insert(pid, ppid.to_string());
                    }
                }
            }
        }
    }
    let descends = |pid: &String| {
        let mut p = pid.clone();
        for _ in 0..32 {
            match parents.get(&p) {
                Some(pp) if *pp == me => return true,
                Some(pp) => p = pp.clone(),
                None => return false,
            }
        }
        false
    };
    parents
        .keys()
        .filter(|p| descends(p))
        .map(|p| status_kib(p, "VmRSS:"))
        .sum()
}

#[tokio::main]
async fn main() {
    let count: u32 = arg("--scenarios")
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let tabs: Vec<usize> = arg("--tabs")
        .unwrap_or_else(|| "1,2,4".into())
        .split(',')
        .filter_map(|t| t.trim().parse().ok())
        .collect();

    let app = Router::new().route("/settings/{n}", get(page));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });

    let mut text = format!("[defaults]\nbase_url = \"http://{addr}/\"\nviewport = {{ width = 1280, height = 800 }}\nscale = 2\nmask = [\".email\"]\n");
    for n in 0..count {
        text.push_str(&format!(
            "[[scenario]]\nid = \"settings-{n}\"\nurl = \"settings/{n}\"\nselector = \"#card\"\npadding = 8\n"
        ));
    }
    let file = parse_shots(&text, "bench shots.toml").unwrap();
    let chosen = select(&file, &[]).unwrap();
    let exe = match find_chromium(None) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let chromium = Chromium::launch(&exe).await.unwrap();
    println!(
        "browser: {} ({}), {count} element scenarios (scale 2, one mask each)",
        exe.display(),
        chromium.version().await.unwrap_or_default()
    );
    let quiet: CaptureProgress = Arc::new(|_| {});
    for t in tabs {
        let out = tempfile::tempdir().unwrap();
        let mut opts = CaptureOptions::new(out.path());
        opts.tabs = t;
        let start = Instant::now();
        let report = capture(
            &chromium,
            &chosen,
            &opts,
            quiet.clone(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
        let secs = start.elapsed().as_secs_f64();
        println!(
            "tabs {t}: {count} scenarios in {secs:.2} s = {:.2} scenarios/s ({} failed)",
            f64::from(count) / secs,
            report.failed()
        );
        for o in report.outcomes.iter().filter(|o| o.result.is_err()) {
            println!("  {}: {:?}", o.id, o.result.as_ref().err());
        }
    }
    let browser_kib = browser_rss_kib();
    println!(
        "peak RSS: shotkeeper {:.1} MiB; browser now {:.1} MiB (all Chromium processes)",
        status_kib("self", "VmHWM:") as f64 / 1024.0,
        browser_kib as f64 / 1024.0
    );
    chromium.close().await;
    let _ = stop.send(());
    let _ = server.await;
}
