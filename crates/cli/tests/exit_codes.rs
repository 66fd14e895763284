//! The exit statuses of the commands that write, as README's "Exit status"
//! table lists them: 0 all done, 1 stopped on an error, 2 bad input,
//! 3 credentials refused, 4 no keychain, 5 partly failed, 130 cancelled.

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use shotkeeper_sim::{SimOptions, SimProvider};
use support::{picture, sim, stderr, targets, Shotkeeper};

/// A Help.Center import with two screenshots matched to two articles.
struct Planned {
    sk: Shotkeeper,
    sim: shotkeeper_sim::Sim,
    integration: String,
    plan_id: String,
    /// (article, old image URL, screenshot path)
    changes: Vec<(String, String, std::path::PathBuf)>,
    _shots: tempfile::TempDir,
}

async fn planned() -> Planned {
    let sim = sim(SimProvider::Helpcenter, 16).await;
    let sk = Shotkeeper::new(&sim.token);
    let integration = sk.connect("helpcenter", &sim);
    let job = sk.json(&["import", &integration, "--json"]);
    let job_id = job["id"].as_str().unwrap().to_owned();
    let images = sk.json(&["job", &job_id, "--json"]);
    let shots = tempfile::tempdir().unwrap();
    let mut changes = Vec::new();
    for (n, t) in targets(&images, 2).into_iter().enumerate() {
        let file = shots.path().join(&t.name);
        std::fs::write(&file, picture(n as u8 * 100)).unwrap();
        // Settle any colleague's pending draft in the sample data first.
        let html = sim.article_html(&t.article, None).unwrap();
        sim.set_article_html(&t.article, None, &html);
        changes.push((t.article, t.url, file));
    }
    let mut args = vec!["match", job_id.as_str()];
    for (_, _, f) in &changes {
        args.push(f.to_str().unwrap());
    }
    args.push("--json");
    let plan = sk.json(&args);
    let plan_id = plan["id"].as_str().unwrap().to_owned();
    Planned {
        sk,
        sim,
        integration,
        plan_id,
        changes,
        _shots: shots,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_write_exits_5_and_the_other_articles_are_updated() {
    let p = planned().await;
    let (refused, refused_url, refused_file) = &p.changes[0];
    let (fine, fine_url, _) = &p.changes[1];
    p.sim.refuse_writes_to(refused);

    let out = p.sk.run(&["apply", &p.plan_id, "--json"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let status = |ext: &str| {
        result["articles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["externalId"] == ext)
            .map(|a| a["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(status(refused).as_deref(), Some("failed"), "{result}");
    assert_eq!(status(fine).as_deref(), Some("updated"), "{result}");
    assert!(p
        .sim
        .article_html(refused, None)
        .unwrap()
        .contains(refused_url));
    assert!(!p.sim.article_html(fine, None).unwrap().contains(fine_url));
    assert!(
        stderr(&out).contains("error: 1 article(s) failed"),
        "{}",
        stderr(&out)
    );

    // An update (LaunchBrightly's import API) of one article whose only write is refused.
    let out = p.sk.run(&[
        "update",
        &p.integration,
        refused,
        "--screenshots",
        refused_file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("failed"));

    // A rollback is one article: a refused write stops it with 1, and the
    // revision stays applied (it can be rolled back later).
    let revs = p.sk.json(&["revisions", fine, "--json"]);
    let rev = revs[0]["id"].as_str().unwrap().to_owned();
    p.sim.refuse_writes_to(fine);
    let out = p.sk.run(&["rollback", &rev]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("HTTP 400"), "{}", stderr(&out));
    let revs = p.sk.json(&["revisions", fine, "--json"]);
    let status = |id: &str| {
        revs.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["status"].clone())
    };
    assert_eq!(status(&rev), Some("applied".into()), "{revs}");
    // The refused attempt is recorded, newest first, as failed.
    assert_eq!(revs[0]["status"], "failed", "{revs}");
    assert_eq!(revs[0]["rollbackOf"], rev.as_str(), "{revs}");
    p.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_complete_apply_and_rollback_exit_0() {
    let p = planned().await;
    let out = p.sk.run(&["apply", &p.plan_id]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (article, url, _) = &p.changes[0];
    let revs = p.sk.json(&["revisions", article, "--json"]);
    let out = p.sk.run(&["rollback", revs[0]["id"].as_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(p.sim.article_html(article, None).unwrap().contains(url));
    p.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_article_that_cannot_be_read_makes_the_import_exit_5() {
    // Help Scout reads every article's body on its own.
    let sim = sim(SimProvider::Helpscout, 6).await;
    let sk = Shotkeeper::new(&sim.token);
    let id = sk.connect("helpscout", &sim);
    let first = sk.json(&["import", &id, "--json"]);
    let job_id = first["id"].as_str().unwrap();
    let articles = sk.json(&["job", job_id, "--dimension", "articles", "--json"]);
    let unreadable = articles["articles"][0]["external_article_id"]
        .as_str()
        .unwrap()
        .to_owned();
    sim.refuse_reads_of(&unreadable);

    let out = sk.run(&["import", &id, "--json"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let job: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(job["total"]["articles"]["failed"], 1, "{job}");
    assert_eq!(
        job["total"]["articles"]["success"],
        sim.expected.documents - 1
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_to_a_writing_command_exits_2() {
    let p = planned().await;
    for args in [
        vec!["apply", "no-such-plan"],
        vec!["rollback", "no-such-revision"],
        vec!["match", "no-such-job", "/nonexistent.png"],
        vec![
            "update",
            p.integration.as_str(),
            "no-such-article",
            "--screenshots",
            "/nonexistent.png",
        ],
        vec![
            "integration",
            "update",
            "no-such-integration",
            "--label",
            "x",
        ],
        vec!["integration", "delete", "no-such-integration"],
        vec![
            "integration",
            "add",
            "helpcenter",
            "--label",
            "x",
            "--set",
            "center_id",
            "--secret-env",
            "X",
        ],
    ] {
        let out = p.sk.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).starts_with("error: "),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    p.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_credentials_exit_3() {
    let sim = sim(SimProvider::Helpcenter, 4).await;
    let sk = Shotkeeper::new("wrong");
    let id = sk.connect("helpcenter", &sim);
    for args in [
        vec!["import", id.as_str()],
        vec!["integration", "verify", id.as_str()],
    ] {
        let out = sk.run(&args);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("error: "), "{}", stderr(&out));
    }
    sim.shutdown().await;
}

#[test]
fn no_keychain_exits_4() {
    let sk = Shotkeeper::new("x");
    let mut child = sk
        .cmd(&[
            "integration",
            "add",
            "helpcenterio",
            "--label",
            "x",
            "--secret-stdin",
        ])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/shotkeeper-test-bus",
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"secret").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("--secret-env"), "{}", stderr(&out));
    // Nothing half-made is left behind.
    let list = sk.json(&["integration", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 0, "{list}");
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_cancels_an_import_with_130() {
    // Help Scout reads each article on its own: slowed, an import of 100
    // takes seconds.
    let mut o = SimOptions::new(SimProvider::Helpscout);
    o.articles = 100;
    o.rate_limit_per_minute = Some(0);
    o.faults.slow_ms = 40;
    let sim = shotkeeper_sim::start(o).await.unwrap();
    let sk = Shotkeeper::new(&sim.token);
    let id = sk.connect("helpscout", &sim);
    let before = sim.api_requests();
    let child = sk
        .cmd(&["import", &id, "--concurrency", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while sim.api_requests() < before + 5 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(stderr(&out).contains("--resume"), "{}", stderr(&out));
    sim.shutdown().await;
}

#[test]
fn a_missing_setting_exits_2_and_says_how_to_give_it_on_the_command_line() {
    let sk = Shotkeeper::new("unused");
    let out = sk.run(&[
        "integration",
        "add",
        "zendesk",
        "--label",
        "Support",
        "--set",
        "email=agent@example.com",
        "--secret-env",
        "SIM_TOKEN",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    // Core names the setting; the command line adds its own way to give it.
    assert!(err.contains("Subdomain (subdomain)"), "{err}");
    assert!(err.contains("--set subdomain=VALUE"), "{err}");
}
