//! The `shotkeeper` binary as scripts call it: exit codes, stderr reasons,
//! and the exact JSON shapes, against the simulators.

mod support;

use std::process::{Command, Output, Stdio};

use serde_json::Value;
use shotkeeper_sim::{Sim, SimProvider};
use support::sim;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_shotkeeper"));
        c.arg("--data-dir").arg(self.dir.path()).args(args);
        c.stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str], envs: &[(&str, &str)]) -> Output {
        let mut c = self.cmd(args);
        for (k, v) in envs {
            c.env(k, v);
        }
        c.output().expect("run shotkeeper")
    }

    fn json(&self, args: &[&str], envs: &[(&str, &str)]) -> Value {
        let out = self.run(args, envs);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("JSON on stdout")
    }
}

fn add_args<'a>(provider: &'a str, sim: &'a Sim, extra: &'a mut Vec<String>) -> Vec<&'a str> {
    extra.push("requests_per_minute=0".into());
    for (k, v) in &sim.settings {
        extra.push(format!("{k}={v}"));
    }
    let mut args = vec![
        "integration",
        "add",
        provider,
        "--label",
        "Sim",
        "--base-url",
        &sim.api_base,
        "--secret-env",
        "SIM_TOKEN",
        "--json",
    ];
    for s in extra.iter() {
        args.push("--set");
        args.push(s);
    }
    args
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_verify_import_and_read_results() {
    let sim = sim(SimProvider::Helpjuice, 12).await;
    let env = Env::new();
    let token = [("SIM_TOKEN", sim.token.as_str())];
    let mut extra = Vec::new();
    let added = env.json(&add_args("helpjuice", &sim, &mut extra), &token);
    let id = added["id"].as_str().unwrap().to_owned();
    assert_eq!(added["provider"], "helpjuice");
    assert_eq!(added["secretSource"]["kind"], "env");

    let out = env.run(&["integration", "verify", &id], &token);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok:"));

    let job = env.json(&["import", &id, "--json"], &token);
    let e = &sim.expected;
    assert_eq!(job["total"]["articles"]["discovered"], e.documents);
    assert_eq!(job["total"]["images"]["total"], e.image_refs);
    assert_eq!(job["total"]["images"]["unique"], e.unique_images);
    assert_eq!(job["total"]["images"]["duplicate"], e.duplicate);
    assert_eq!(job["summary"]["success"], e.documents);
    let job_id = job["id"].as_str().unwrap();

    let articles = env.json(&["job", job_id, "--dimension", "articles", "--json"], &[]);
    assert_eq!(
        articles["articles"].as_array().unwrap().len() as u64,
        e.documents
    );
    let images = env.json(&["job", job_id, "--json"], &[]);
    assert!(images["images"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["articlesCount"].as_u64().unwrap() >= 1));

    let broken = env.json(&["broken", job_id, "--json"], &[]);
    assert_eq!(broken.as_array().unwrap().len() as u64, e.broken_urls);

    let table = env.run(&["job", job_id, "--dimension", "articles"], &[]);
    assert!(String::from_utf8_lossy(&table.stdout).contains("ARTICLE"));

    let ext = articles["articles"][0]["external_article_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let live = env.json(&["article", &id, &ext, "--json"], &token);
    assert_eq!(live["id"], ext.as_str());
    assert_eq!(
        live["images_count"],
        live["images"].as_array().unwrap().len()
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_credentials_and_bad_input_fail_with_one_line_reasons() {
    let sim = sim(SimProvider::Helpcenterio, 3).await;
    let env = Env::new();
    let mut extra = Vec::new();
    let added = env.json(
        &add_args("helpcenterio", &sim, &mut extra),
        &[("SIM_TOKEN", "wrong")],
    );
    let id = added["id"].as_str().unwrap().to_owned();
    let out = env.run(&["integration", "verify", &id], &[("SIM_TOKEN", "wrong")]);
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("refused the credentials") && stdout.contains("401"),
        "{stdout}"
    );

    let out = env.run(&["import", &id], &[("SIM_TOKEN", "wrong")]);
    assert_ne!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("error: ") && l.contains("credentials")),
        "{stderr}"
    );

    // Unknown provider, file: base URL, missing secret option.
    let out = env.run(
        &[
            "integration",
            "add",
            "nosuch",
            "--label",
            "x",
            "--secret-env",
            "X",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("use one of"));
    let out = env.run(
        &[
            "integration",
            "add",
            "helpcenterio",
            "--label",
            "x",
            "--base-url",
            "file:///etc",
            "--secret-env",
            "X",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("https://"));

    // Unreachable host is named as such.
    let added = env.json(
        &[
            "integration",
            "add",
            "helpcenterio",
            "--label",
            "Down",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--secret-env",
            "SIM_TOKEN",
            "--json",
        ],
        &[],
    );
    let down = added["id"].as_str().unwrap();
    let out = env.run(&["integration", "verify", down], &[("SIM_TOKEN", "x")]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("could not reach 127.0.0.1"));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_import_resumes_without_downloading_stored_images_again() {
    let sim = sim(SimProvider::Helpjuice, 80).await;
    let env = Env::new();
    let token = [("SIM_TOKEN", sim.token.as_str())];
    let mut extra = Vec::new();
    let added = env.json(&add_args("helpjuice", &sim, &mut extra), &token);
    let id = added["id"].as_str().unwrap().to_owned();

    let mut child = env
        .cmd(&["import", &id, "--concurrency", "2"])
        .env("SIM_TOKEN", &sim.token)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it (SIGKILL, no chance to clean up) once downloads are under way.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while sim.image_requests() < 40 && std::time::Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}/shotkeeper.sqlite",
        env.dir.path().display()
    ))
    .await
    .unwrap();
    let job_id: String = sqlx::query_scalar("SELECT id FROM jobs")
        .fetch_one(&pool)
        .await
        .unwrap();
    let stored: Vec<String> = sqlx::query_scalar("SELECT url FROM images WHERE job_id = $1")
        .bind(&job_id)
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert!(
        !stored.is_empty(),
        "some images were stored before the kill"
    );
    assert!(
        (stored.len() as u64) < sim.expected.distinct_urls,
        "killed before the end"
    );

    let jobs = env.json(&["jobs", "--json"], &[]);
    assert_eq!(jobs[0]["status"], "interrupted");

    let job = env.json(&["import", &id, "--resume", &job_id, "--json"], &token);
    assert_eq!(job["id"], job_id.as_str());
    assert_eq!(job["total"]["articles"]["success"], sim.expected.documents);
    assert_eq!(job["total"]["images"]["unique"], sim.expected.unique_images);
    for url in stored.iter().filter(|u| !u.starts_with("data:")) {
        let path = url::Url::parse(url).unwrap().path().to_owned();
        assert_eq!(
            sim.image_requests_for(&path),
            1,
            "{url} downloaded again after resume"
        );
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_exit_status_follows_the_reason() {
    // The documented Help.Center base without /v0 works; a base URL that
    // is no API answers 404 and exits 2 (bad input), not 3 (credentials).
    let sim = sim(SimProvider::Helpcenter, 3).await;
    let env = Env::new();
    let token = [("SIM_TOKEN", sim.token.as_str())];
    let center = format!("center_id={}", sim.settings["center_id"]);
    let add = |base: String| {
        let args = [
            "integration",
            "add",
            "helpcenter",
            "--label",
            "Sim",
            "--base-url",
            &base,
            "--secret-env",
            "SIM_TOKEN",
            "--set",
            &center,
            "--json",
        ];
        env.json(&args, &token)["id"].as_str().unwrap().to_owned()
    };
    let host_only = add(sim.site_base.clone());
    let out = env.run(&["integration", "verify", &host_only], &token);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let wrong = add(format!("{}/api", sim.site_base));
    let out = env.run(&["integration", "verify", &wrong], &token);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("has no API at") && stdout.contains("https://api.help.center/v0"),
        "{stdout}"
    );
    assert!(!stdout.contains("refused the credentials"), "{stdout}");
    sim.shutdown().await;
}
