//! The `shotkeeper-sim` binary as the desktop end-to-end test starts it:
//! its one JSON line carries `expected`, audit counts included, equal to
//! what the library generates for the same options.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::sim_with;
use serde_json::Value;
use shotkeeper_sim::SimProvider;

const RULES: [&str; 7] = [
    "broken",
    "missing_alt",
    "heavy",
    "insecure",
    "hotlinked",
    "duplicate",
    "old",
];

#[tokio::test]
async fn prints_expected_with_audit_counts_per_rule() {
    // tests/e2e/desktop.test.mjs: --provider helpjuice --articles 30 --rate-limit off
    let mut child = Command::new(env!("CARGO_BIN_EXE_shotkeeper-sim"))
        .args(["--provider", "helpjuice", "--articles", "30"])
        .args(["--rate-limit", "off"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run shotkeeper-sim");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(30));
    let _ = child.kill();
    let _ = child.wait();
    let line = line.expect("shotkeeper-sim printed its line within 30 s");
    let printed: Value = serde_json::from_str(&line).expect("one JSON line");

    let audit = printed["expected"]["audit"]
        .as_object()
        .expect("expected.audit");
    let mut keys: Vec<&str> = audit.keys().map(String::as_str).collect();
    keys.sort();
    let mut rules = RULES.to_vec();
    rules.sort();
    assert_eq!(keys, rules);
    for rule in RULES {
        assert!(audit[rule].is_u64(), "{rule}: {}", audit[rule]);
    }

    let sim = sim_with(SimProvider::Helpjuice, |o| {
        o.articles = 30;
        o.rate_limit_per_minute = Some(0);
    })
    .await;
    assert_eq!(
        printed["expected"],
        serde_json::to_value(&sim.expected).unwrap()
    );
    sim.shutdown().await;
}
