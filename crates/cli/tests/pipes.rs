//! Every command that prints, piped into a reader that goes away early
//! (`shotkeeper revisions --json | head -1`): it stops printing quietly, no
//! panic, no backtrace, and exits with the status of what it did.

mod support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use shotkeeper_sim::SimProvider;
use support::{picture, sim, targets, Shotkeeper};

/// How the reader goes away.
#[derive(Clone, Copy, Debug)]
enum Reader {
    /// Closed before the command printed anything.
    ClosedAtOnce,
    /// Reads the first line, then closes (`| head -1`).
    HeadOne,
}

/// Runs `args` with stdout going to `reader`; returns (exit status, stderr).
fn run_into(sk: &Shotkeeper, args: &[&str], reader: Reader) -> (Option<i32>, String) {
    let mut child = sk
        .cmd(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    match reader {
        Reader::ClosedAtOnce => drop(stdout),
        Reader::HeadOne => {
            let mut first = String::new();
            BufReader::new(stdout).read_line(&mut first).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn every_printing_command_stops_quietly_when_its_reader_goes_away() {
    let sim = sim(SimProvider::Helpcenter, 12).await;
    let sk = Shotkeeper::new(&sim.token);
    let id = sk.connect("helpcenter", &sim);
    let job = sk.json(&["import", &id, "--json"]);
    let job_id = job["id"].as_str().unwrap().to_owned();
    let images = sk.json(&["job", &job_id, "--json"]);
    let target = targets(&images, 1).remove(0);
    let html = sim.article_html(&target.article, None).unwrap();
    sim.set_article_html(&target.article, None, &html);
    let shots = tempfile::tempdir().unwrap();
    let file = shots.path().join(&target.name);
    std::fs::write(&file, picture(7)).unwrap();
    let file = file.to_str().unwrap().to_owned();
    let plan = sk.json(&["match", &job_id, &file, "--json"]);
    let plan_id = plan["id"].as_str().unwrap().to_owned();
    let ext = target.article.as_str();

    // Each printing command, as a table (CSV for audit) and as JSON.
    let mut commands: Vec<Vec<&str>> = vec![
        vec!["integration", "list"],
        vec!["integration", "show", id.as_str()],
        vec!["integration", "verify", id.as_str()],
        vec!["integration", "update", id.as_str(), "--label", "Renamed"],
        vec!["jobs"],
        vec!["job", job_id.as_str()],
        vec!["job", job_id.as_str(), "--dimension", "articles"],
        vec!["article", id.as_str(), ext],
        vec!["broken", job_id.as_str()],
        vec!["audit", job_id.as_str()],
        vec!["audit", job_id.as_str(), "--csv"],
        vec!["match", job_id.as_str(), file.as_str()],
        vec!["match", job_id.as_str(), file.as_str(), "--diff"],
        vec!["apply", plan_id.as_str(), "--dry-run"],
        vec!["import", id.as_str()],
    ];
    let with_json: Vec<Vec<&str>> = commands
        .iter()
        .filter(|c| !c.contains(&"--csv"))
        .map(|c| [c.as_slice(), &["--json"][..]].concat())
        .collect();
    commands.extend(with_json);
    for args in &commands {
        for reader in [Reader::ClosedAtOnce, Reader::HeadOne] {
            let (code, err) = run_into(&sk, args, reader);
            assert_eq!(code, Some(0), "{args:?} into {reader:?}: {err}");
            assert!(
                !err.contains("panicked") && !err.contains("Broken pipe"),
                "{args:?} into {reader:?}: {err}"
            );
        }
    }

    // The commands that write, once each: the work is done although
    // nobody read what they printed.
    let (code, err) = run_into(&sk, &["apply", &plan_id, "--json"], Reader::HeadOne);
    assert_eq!(code, Some(0), "{err}");
    assert!(!sim.article_html(ext, None).unwrap().contains(&target.url));
    for reader in [Reader::ClosedAtOnce, Reader::HeadOne] {
        let (code, err) = run_into(&sk, &["revisions", ext, "--json"], reader);
        assert_eq!(code, Some(0), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        let (code, err) = run_into(&sk, &["revisions", ext], reader);
        assert_eq!(code, Some(0), "{err}");
    }
    let revs = sk.json(&["revisions", ext, "--json"]);
    let rev = revs[0]["id"].as_str().unwrap();
    let (code, err) = run_into(&sk, &["rollback", rev], Reader::ClosedAtOnce);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(sim.article_html(ext, None).unwrap(), html, "rolled back");

    let added = sk.json(&[
        "integration",
        "add",
        "helpcenterio",
        "--label",
        "Tmp",
        "--secret-env",
        "X",
        "--json",
    ]);
    let tmp = added["id"].as_str().unwrap();
    let (code, err) = run_into(&sk, &["integration", "delete", tmp], Reader::ClosedAtOnce);
    assert_eq!(code, Some(0), "{err}");
    let (code, err) = run_into(
        &sk,
        &[
            "integration",
            "add",
            "helpcenterio",
            "--label",
            "Piped",
            "--secret-env",
            "X",
        ],
        Reader::ClosedAtOnce,
    );
    assert_eq!(code, Some(0), "{err}");
    let list = sk.json(&["integration", "list", "--json"]);
    let labels: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"Piped") && !labels.contains(&"Tmp"),
        "{labels:?}"
    );

    // `demo --import` prints too.
    let (code, err) = run_into(
        &sk,
        &[
            "demo",
            "--provider",
            "helpjuice",
            "--articles",
            "4",
            "--import",
        ],
        Reader::ClosedAtOnce,
    );
    assert_eq!(code, Some(0), "{err}");
    sim.shutdown().await;
}

/// A failure keeps its exit status when nobody reads the output.
#[tokio::test(flavor = "multi_thread")]
async fn a_closed_pipe_does_not_hide_a_failure() {
    let sk = Shotkeeper::new("x");
    let (code, err) = run_into(
        &sk,
        &["apply", "no-such-plan", "--json"],
        Reader::ClosedAtOnce,
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.starts_with("error: "), "{err}");
}
