//! Log files and crash reports as a person finds them in the log directory:
//! a child process (this test binary run again) sets up logging like a
//! front end, logs, and panics; the parent reads what it left behind.

use std::path::Path;
use std::process::Command;

const CHILD_ENV: &str = "SHOTKEEPER_TEST_CRASH_CHILD";

fn files(dir: &Path, prefix: &str) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(prefix))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

#[test]
fn a_panic_leaves_a_crash_report_and_the_log_file_says_where() {
    if let Some(dir) = std::env::var_os(CHILD_ENV) {
        // The child: what a front end does at start, then an internal error.
        let mut options =
            shotkeeper_core::logging::LogOptions::new("cli", std::path::PathBuf::from(dir));
        options.stderr_level = None;
        shotkeeper_core::logging::init(options);
        tracing::info!("about to fail on purpose");
        let items: Vec<u32> = Vec::new();
        let _ = items[std::hint::black_box(3)];
        unreachable!();
    }

    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_panic_leaves_a_crash_report_and_the_log_file_says_where",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &logs)
        .env_remove("SHOTKEEPER_LOG")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the child was meant to panic");
    let stderr = String::from_utf8_lossy(&out.stderr);

    let reports = files(&logs, "crash-cli-");
    assert_eq!(reports.len(), 1, "one crash report in {}", logs.display());
    let report = std::fs::read_to_string(&reports[0]).unwrap();
    assert!(report.contains(&format!("version:  {}", env!("CARGO_PKG_VERSION"))));
    assert!(report.contains("message:  index out of bounds"), "{report}");
    assert!(
        report.contains("location: crates/core/tests/logging.rs:"),
        "{report}"
    );
    assert!(report.contains("backtrace:"));
    assert!(
        stderr.contains(&reports[0].display().to_string()),
        "stderr names the crash report: {stderr}"
    );

    let log_files = files(&logs, "cli.");
    assert_eq!(log_files.len(), 1, "one log file for today");
    let log = std::fs::read_to_string(&log_files[0]).unwrap();
    assert!(log.contains("about to fail on purpose"), "{log}");
    assert!(log.contains("crash report:"), "{log}");
    assert!(log.contains(&reports[0].display().to_string()), "{log}");
}
