//! What the exit-status and pipe tests share: a data directory, the binary
//! run in it, a simulator connected as an integration, and screenshots.

#![allow(dead_code)]

use std::process::{Command, Output, Stdio};

use serde_json::Value;
use shotkeeper_sim::{Sim, SimOptions, SimProvider};

pub struct Shotkeeper {
    pub dir: tempfile::TempDir,
    /// The secret the integration reads from `SIM_TOKEN`.
    pub token: String,
    /// A team database (`--database`) instead of the directory's SQLite.
    pub database: Option<String>,
}

impl Shotkeeper {
    pub fn new(token: &str) -> Self {
        Shotkeeper {
            dir: tempfile::tempdir().unwrap(),
            token: token.to_owned(),
            database: None,
        }
    }

    /// A member of a team: a data directory of their own, the team's database.
    pub fn on_team_database(token: &str, database: &str) -> Self {
        Shotkeeper {
            database: Some(database.to_owned()),
            ..Shotkeeper::new(token)
        }
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_shotkeeper"));
        c.arg("--data-dir").arg(self.dir.path());
        if let Some(url) = &self.database {
            c.arg("--database").arg(url);
        }
        c.args(args)
            .env("SIM_TOKEN", &self.token)
            .stdin(Stdio::null());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run shotkeeper")
    }

    /// Runs a command that must succeed and returns its JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("JSON on stdout")
    }

    /// Adds the simulator as an integration; returns its id.
    pub fn connect(&self, provider: &str, sim: &Sim) -> String {
        let mut args: Vec<String> = [
            "integration",
            "add",
            provider,
            "--label",
            "Sim",
            "--base-url",
            &sim.api_base,
            "--secret-env",
            "SIM_TOKEN",
            "--set",
            "requests_per_minute=0",
            "--json",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for (k, v) in &sim.settings {
            args.push("--set".into());
            args.push(format!("{k}={v}"));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.json(&args)["id"].as_str().unwrap().to_owned()
    }
}

/// An empty database of the test's own on the PostgreSQL server the test
/// command started (scripts/with-postgres.sh sets
/// SHOTKEEPER_TEST_POSTGRES_URL); `None` without one.
pub async fn scratch_team_database() -> Option<String> {
    let admin = std::env::var("SHOTKEEPER_TEST_POSTGRES_URL").ok()?;
    let database = shotkeeper_core::db::create_scratch_postgres(&admin, "sk_cli_test")
        .await
        .expect("create a scratch PostgreSQL database");
    match database {
        shotkeeper_core::db::Database::Team { url } => Some(url.to_string()),
        other => panic!("not a team database: {other:?}"),
    }
}

/// A port nothing listens on now, on loopback, for a server a test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub async fn sim(provider: SimProvider, articles: usize) -> Sim {
    shotkeeper_sim::start(SimOptions::unlimited(provider, articles))
        .await
        .unwrap()
}

#[allow(unused_imports)] // not every test file uses it
pub use shotkeeper_sim::fresh_png as picture;

/// An image of the import used in one published article only, with a file
/// name no other image has: a screenshot of that name replaces it and
/// nothing else.
pub struct Target {
    pub name: String,
    pub url: String,
    pub article: String,
}

/// Up to `n` such images, each in a different article.
pub fn targets(images: &Value, n: usize) -> Vec<Target> {
    let all = images["images"].as_array().unwrap();
    let mut out: Vec<Target> = Vec::new();
    for i in all {
        let article = i["articles"][0]["external_article_id"]
            .as_str()
            .unwrap_or("");
        if i["statusCode"] == 200
            && i["articlesCount"] == 1
            && i["articles"][0]["isPublished"] == true
            && all.iter().filter(|o| o["name"] == i["name"]).count() == 1
            && !out.iter().any(|t| t.article == article)
        {
            out.push(Target {
                name: i["name"].as_str().unwrap().to_owned(),
                url: i["url"].as_str().unwrap().to_owned(),
                article: article.to_owned(),
            });
        }
        if out.len() == n {
            break;
        }
    }
    assert_eq!(out.len(), n, "the import has {n} images used once");
    out
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
