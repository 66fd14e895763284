//! The demo help center on a machine with no keychain at all: its token
//! guards a simulator on 127.0.0.1 and is no secret, so `shotkeeper demo`
//! works where no Secret Service answers, and an integration with a real
//! secret still says what to do there.

use std::process::{Command, Stdio};

/// The binary with no session bus: the keychain (Secret Service over
/// D-Bus) cannot be reached.
fn headless(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_shotkeeper"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/shotkeeper-no-bus",
        )
        .env("SHOTKEEPER_TEST_HEADLESS_SECRET", "not-used")
        .stdin(Stdio::null())
        .output()
        .expect("run shotkeeper")
}

#[test]
fn the_demo_imports_without_a_keychain() {
    let dir = tempfile::tempdir().unwrap();
    let out = headless(dir.path(), &["demo", "--articles", "6", "--import"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "demo failed headless: {stderr}");
    assert!(!stderr.contains("keychain"), "{stderr}");
    let jobs = headless(dir.path(), &["jobs", "--json"]);
    let jobs: serde_json::Value = serde_json::from_slice(&jobs.stdout).expect("jobs JSON");
    let text = jobs.to_string();
    assert!(text.contains("completed"), "{text}");
}

#[test]
fn a_real_secret_without_a_keychain_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_shotkeeper"))
        .arg("--data-dir")
        .arg(dir.path())
        .args([
            "integration",
            "add",
            "helpjuice",
            "--label",
            "Acme",
            "--set",
            "account=acme",
            "--secret-stdin",
        ])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/shotkeeper-no-bus",
        )
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run shotkeeper");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(b"hj-key-123\n").expect("write the key");
    }
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("keychain is not reachable"), "{stderr}");
    assert!(stderr.contains("--secret-env NAME"), "{stderr}");
    assert!(
        !stderr.contains("hj-key-123"),
        "the secret never reaches an error"
    );
}
