//! Team mode from the command line: two members, each with a data directory
//! of their own, on one PostgreSQL. What one does, the other sees.
//!
//! These need the PostgreSQL server the test command starts
//! (scripts/with-postgres.sh), so they are ignored in the SQLite run and run
//! with `--ignored` in the PostgreSQL one.

mod support;

use shotkeeper_sim::SimProvider;
use support::Shotkeeper;

async fn team_database() -> String {
    support::scratch_team_database()
        .await
        .expect("SHOTKEEPER_TEST_POSTGRES_URL is not set: run through scripts/with-postgres.sh")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/with-postgres.sh cargo test --test team -- --ignored"]
async fn one_members_import_is_every_members_import() {
    let database = team_database().await;
    let sim = support::sim(SimProvider::Helpjuice, 30).await;
    let ana = Shotkeeper::on_team_database(&sim.token, &database);
    let ben = Shotkeeper::on_team_database(&sim.token, &database);

    // Ana connects the help center; Ben sees it without adding it again.
    let id = ana.connect("helpjuice", &sim);
    let listed = ben.json(&["integration", "list", "--json"]);
    let listed = listed.as_array().expect("a list of integrations");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], id.as_str());

    // Ben imports it; Ana's past jobs show his job with the simulator's counts.
    let job = ben.json(&["--as", "Ben", "import", &id, "--json"]);
    let job_id = job["id"].as_str().unwrap();
    let jobs = ana.json(&["jobs", "--json"]);
    let jobs = jobs.as_array().expect("a list of jobs");
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0]["id"], job_id);
    assert_eq!(jobs[0]["status"], "completed");
    assert_eq!(jobs[0]["startedBy"], "Ben", "who started it is shown");
    let seen = ana.json(&["job", job_id, "--json"]);
    let e = &sim.expected;
    assert_eq!(seen["total"]["articles"]["success"], e.documents);
    assert_eq!(seen["total"]["images"]["total"], e.image_refs);
    assert_eq!(seen["total"]["images"]["unique"], e.unique_images);
    assert_eq!(sim.image_requests(), e.distinct_urls, "downloaded once");

    // Nothing of the rows went to either member's directory.
    for member in [&ana, &ben] {
        assert!(!member.dir.path().join("shotkeeper.sqlite").exists());
    }
    sim.shutdown().await;
}

#[test]
fn a_team_database_that_is_down_is_named_and_nothing_is_written() {
    // Port 1 on loopback: nothing listens there.
    let member = Shotkeeper::on_team_database("t", "postgres://ana:s3cret-pw@127.0.0.1:1/team");
    let out = member.run(&["jobs", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", support::stderr(&out));
    let said = support::stderr(&out);
    assert!(
        said.contains("could not open the team database at postgres://ana:***@127.0.0.1:1/team"),
        "{said}"
    );
    assert!(
        said.contains("--database, SHOTKEEPER_DATABASE_URL"),
        "{said}"
    );
    assert!(!said.contains("s3cret-pw"), "{said}");
    assert!(!member.dir.path().join("shotkeeper.sqlite").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and the OS keychain: scripts/with-keychain.sh scripts/with-postgres.sh cargo test --test team -- --ignored"]
async fn the_cli_opens_the_team_and_name_chosen_in_settings() {
    let database = team_database().await;
    let sim = support::sim(SimProvider::Helpjuice, 5).await;
    let ana = Shotkeeper::on_team_database(&sim.token, &database);
    let id = ana.connect("helpjuice", &sim);

    // Ben joined in the desktop app's Settings › Team (what its join_team
    // command calls); his CLI is given no --database and no --as.
    let ben = Shotkeeper::new(&sim.token);
    shotkeeper_core::team::join_team(ben.dir.path(), &database, Some("Ben"))
        .await
        .expect("join the team");
    let listed = ben.json(&["integration", "list", "--json"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed:?}");
    assert_eq!(listed[0]["id"], id.as_str());
    let job = ben.json(&["import", &id, "--json"]);
    let jobs = ana.json(&["jobs", "--json"]);
    assert_eq!(jobs[0]["id"], job["id"]);
    assert_eq!(jobs[0]["startedBy"], "Ben", "the name saved in Settings");
    let paths = ben.run(&["--paths"]);
    let paths = String::from_utf8_lossy(&paths.stdout);
    assert!(paths.contains("(team, from Settings › Team)"), "{paths}");
    assert!(!ben.dir.path().join("shotkeeper.sqlite").exists());

    // Left: the CLI is back on Ben's own (empty) database.
    shotkeeper_core::team::leave_team(ben.dir.path())
        .await
        .expect("leave the team");
    let listed = ben.json(&["integration", "list", "--json"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "{listed:?}");
    sim.shutdown().await;
}

/// Runs `shotkeeper` as a member of the team with `--secret-key-file`
/// (or none), returning exit status, stdout and stderr.
fn as_member(
    member: &Shotkeeper,
    key_file: Option<&std::path::Path>,
    args: &[&str],
    stdin: Option<&str>,
) -> (Option<i32>, String, String) {
    use std::io::Write;
    let mut cmd = member.cmd(&[]);
    if let Some(f) = key_file {
        cmd.arg("--secret-key-file").arg(f);
    }
    cmd.args(args)
        .env_remove("SHOTKEEPER_SECRET_KEY")
        .env_remove("SHOTKEEPER_SECRET_KEY_FILE")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    if stdin.is_some() {
        cmd.stdin(std::process::Stdio::piped());
    }
    let mut child = cmd.spawn().expect("run shotkeeper");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and the OS keychain: scripts/with-keychain.sh scripts/with-postgres.sh cargo test --test team -- --ignored"]
async fn servers_share_sealed_secrets_through_the_team_key_file_and_rotate_it() {
    let database = team_database().await;
    let sim = support::sim(SimProvider::Helpcenter, 3).await;
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("team.key");
    let wrong = keys.path().join("wrong.key");
    for f in [&key, &wrong] {
        let out =
            Shotkeeper::new("t").run(&["secret-key", "generate", "--out", f.to_str().unwrap()]);
        assert!(out.status.success(), "{}", support::stderr(&out));
    }
    let ana = Shotkeeper::on_team_database("unused", &database);
    let ben = Shotkeeper::on_team_database("unused", &database);

    // Ana's server: the first on the team database adopts its key file as
    // the team key and seals the secret (read from stdin) under it.
    let mut add: Vec<String> = [
        "integration",
        "add",
        "helpcenter",
        "--label",
        "Shared",
        "--base-url",
        &sim.api_base,
        "--secret-stdin",
        "--json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (k, v) in &sim.settings {
        add.push("--set".into());
        add.push(format!("{k}={v}"));
    }
    let add: Vec<&str> = add.iter().map(String::as_str).collect();
    let (code, out, err) = as_member(&ana, Some(&key), &add, Some(&sim.token));
    assert_eq!(code, Some(0), "{err}");
    let view: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(view["secretSource"]["kind"], "sealed", "{view}");
    let id = view["id"].as_str().unwrap().to_owned();
    let (code, out, _) = as_member(&ana, Some(&key), &["team-key", "check"], None);
    assert_eq!(code, Some(0));
    assert!(out.contains("held here"), "{out}");

    // Ben without the key: sees the integration, cannot use it, is told how to get the key.
    let (code, out, _) = as_member(&ben, None, &["integration", "list", "--json"], None);
    assert_eq!(code, Some(0));
    assert!(out.contains(&id));
    let (code, out, _) = as_member(&ben, None, &["integration", "verify", &id, "--json"], None);
    assert_eq!(code, Some(3), "{out}");
    assert!(
        out.contains("Save key to file") && out.contains("--secret-key-file"),
        "{out}"
    );
    assert!(!out.contains(&sim.token));
    let (code, _, err) = as_member(&ben, None, &["team-key", "check"], None);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("ask a teammate"), "{err}");

    // With a wrong key file: refused, with its own message.
    let (code, _, err) = as_member(&ben, Some(&wrong), &["integration", "list"], None);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("is not your team's key"), "{err}");

    // With the team's key file: Ben's server uses the integration.
    let (code, out, err) = as_member(
        &ben,
        Some(&key),
        &["integration", "verify", &id, "--json"],
        None,
    );
    assert_eq!(code, Some(0), "{out} {err}");

    // Ana rotates: the new key is written to a new file, the old one no
    // longer works anywhere, the new one does.
    let rotated = keys.path().join("rotated.key");
    let (code, out, err) = as_member(
        &ana,
        Some(&key),
        &[
            "--as",
            "Ana",
            "team-key",
            "rotate",
            "--out",
            rotated.to_str().unwrap(),
            "--json",
        ],
        None,
    );
    assert_eq!(code, Some(0), "{err}");
    let rotation: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rotation["secrets"], 1, "{rotation}");
    assert!(
        err.contains("every member and server needs it now"),
        "{err}"
    );
    let (code, _, err) = as_member(&ben, Some(&key), &["integration", "verify", &id], None);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("is not your team's key") && err.contains("rotated by Ana"),
        "{err}"
    );
    let (code, out, err) = as_member(
        &ben,
        Some(&rotated),
        &["integration", "verify", &id, "--json"],
        None,
    );
    assert_eq!(code, Some(0), "{out} {err}");

    // A rotation never overwrites a file: refused before anything changes.
    let (code, _, err) = as_member(
        &ana,
        Some(&rotated),
        &["team-key", "rotate", "--out", key.to_str().unwrap()],
        None,
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("already exists"), "{err}");
    let (code, out, _) = as_member(&ben, Some(&rotated), &["team-key", "check", "--json"], None);
    assert_eq!(code, Some(0), "{out}");
    sim.shutdown().await;
}
