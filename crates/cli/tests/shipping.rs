//! What a person who installed the package checks: one version everywhere
//! (`shotkeeper --version`, the workspace, the Tauri config, the UI), where
//! the data and the logs are (`--paths`), and log files that a full run
//! writes without a single secret in them.

mod support;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::Value;
use shotkeeper_sim::{SimOptions, SimProvider};
use support::Shotkeeper;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn json_file(rel: &str) -> Value {
    let path = repo().join(rel);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn one_version_for_the_workspace_the_tauri_config_and_the_ui() {
    let cargo = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let workspace = cargo
        .split("[workspace.package]")
        .nth(1)
        .and_then(|s| s.lines().find(|l| l.starts_with("version")))
        .and_then(|l| l.split('"').nth(1))
        .expect("version in [workspace.package] of Cargo.toml");
    assert_eq!(workspace, VERSION, "the CLI inherits the workspace version");
    let tauri = json_file("src-tauri/tauri.conf.json");
    assert_eq!(tauri["version"], VERSION, "src-tauri/tauri.conf.json");
    let ui = json_file("ui/package.json");
    assert_eq!(ui["version"], VERSION, "ui/package.json");
    let lock = json_file("ui/package-lock.json");
    assert_eq!(lock["version"], VERSION, "ui/package-lock.json");
    assert_eq!(
        lock["packages"][""]["version"], VERSION,
        "ui/package-lock.json"
    );
}

#[test]
fn version_prints_the_version() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shotkeeper"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("shotkeeper {VERSION}\n")
    );
}

#[test]
fn paths_names_the_data_and_log_directories_and_the_database() {
    let sk = Shotkeeper::new("unused");
    let out = sk
        .cmd(&["--paths"])
        .env_remove("SHOTKEEPER_LOG_DIR")
        .output()
        .unwrap();
    assert!(out.status.success());
    let dir = sk.dir.path().display().to_string();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "version         {VERSION}\ndata directory  {dir}\nlog directory   {dir}/logs\ndatabase        {dir}/shotkeeper.sqlite\n"
        )
    );
}

#[test]
fn without_a_command_it_says_what_to_do() {
    let sk = Shotkeeper::new("unused");
    let out = sk.run(&["-v"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        support::stderr(&out).contains("no command given: see shotkeeper --help"),
        "{}",
        support::stderr(&out)
    );
}

fn log_text(dir: &Path) -> (usize, String) {
    let mut text = String::new();
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        files += 1;
        text.push_str(&std::fs::read_to_string(&path).unwrap());
    }
    (files, text)
}

/// Every secret form that could leak: the token itself and the HTTP Basic
/// encodings providers use (Zendesk `email/token:TOKEN`, Freshdesk `TOKEN:X`).
fn secret_forms(token: &str) -> Vec<String> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    vec![
        token.to_owned(),
        b64(token),
        b64(&format!("{token}:X")),
        b64(&format!("{token}:")),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_run_writes_log_files_without_a_secret_in_them() {
    for (provider, kind) in [
        ("zendesk", SimProvider::Zendesk),
        ("freshdesk", SimProvider::Freshdesk),
        ("helpcenter", SimProvider::Helpcenter),
    ] {
        let token = format!("sk-{provider}-{}", std::process::id());
        let mut options = SimOptions::new(kind);
        options.articles = 6;
        options.token = token.clone();
        let sim = shotkeeper_sim::start(options).await.unwrap();
        let sk = Shotkeeper::new(&token);
        let integration = sk.connect(provider, &sim);
        // -vv: debug lines in the file too, the most a person can ask for.
        let verify = sk.run(&["-vv", "integration", "verify", &integration]);
        assert!(verify.status.success(), "{}", support::stderr(&verify));
        let job = sk.json(&["-vv", "import", &integration, "--json"]);
        let job_id = job["id"].as_str().unwrap();
        let images = sk.run(&["-vv", "job", job_id, "--json"]);
        assert!(images.status.success());
        sim.shutdown().await;

        let (files, text) = log_text(&sk.dir.path().join("logs"));
        assert!(
            files >= 1,
            "{provider}: a log file in the data directory's logs folder"
        );
        for line in [
            "Shotkeeper cli",
            "integration verify: exit 0",
            "import: exit 0",
            "job: exit 0",
        ] {
            assert!(
                text.contains(line),
                "{provider}: the log file has '{line}':\n{text}"
            );
        }
        for form in secret_forms(&token) {
            assert!(
                !text.contains(&form),
                "{provider}: a secret reached the log file: {form}"
            );
            for out in [&verify, &images] {
                assert!(!String::from_utf8_lossy(&out.stderr).contains(&form));
            }
        }
    }
}
