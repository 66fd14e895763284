//! `shotkeeper capture` with the real headless Chromium that
//! scripts/setup.sh installs: exit statuses, progress on stderr, and the
//! loop through a simulated help center (capture, match by name, apply,
//! re-import, change the UI, capture again: matched by metadata).

mod support;

use std::path::Path;

use shotkeeper_sim::SimProvider;
use support::{sim, stderr, Shotkeeper};

/// A local page (file://, no server) with a card of the given colour.
fn write_page(path: &Path, color: &str) {
    let html = format!(
        "<!doctype html><html><body style='margin:0;background:#fff'>\
<div id=card style='margin:20px;width:160px;height:90px;background:{color}'></div></body></html>"
    );
    std::fs::write(path, html).unwrap();
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

#[test]
fn a_typo_exits_2_with_line_and_column_and_writes_nothing() {
    let sk = Shotkeeper::new("unused");
    let dir = tempfile::tempdir().unwrap();
    let shots = dir.path().join("shots.toml");
    std::fs::write(
        &shots,
        "[[scenario]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\nselectr = \"#a\"\n",
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let out = sk.run(&[
        "capture",
        shots.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("shots.toml line 4, column 1: unknown field `selectr`"),
        "{}",
        stderr(&out)
    );
    assert!(!out_dir.exists(), "nothing written");
}

#[test]
fn one_failing_scenario_exits_5_and_the_others_are_written() {
    let sk = Shotkeeper::new("unused");
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    write_page(&page, "rgb(10,120,200)");
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let shots = dir.path().join("shots.toml");
    std::fs::write(
        &shots,
        format!(
            "[[scenario]]\nid = \"down\"\nurl = \"http://127.0.0.1:{closed}/\"\n\n[[scenario]]\nid = \"card\"\nurl = \"{}\"\nselector = \"#card\"\nscale = 2\n",
            file_url(&page)
        ),
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let out = sk.run(&[
        "capture",
        shots.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--json",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains("capturing card") && err.contains("captured card 320x180"),
        "{err}"
    );
    assert!(
        err.contains("FAILED down: scenario 'down' failed after"),
        "{err}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report[0]["id"], "down");
    assert_eq!(report[0]["ok"], false);
    assert_eq!(report[1]["ok"], true);
    assert_eq!(report[1]["width"], 320);
    assert!(out_dir.join("card.png").is_file());
    assert!(!out_dir.join("down.png").exists());

    // --only runs just the named scenario.
    let out = sk.run(&[
        "capture",
        shots.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--only",
        "card",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("down"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_loop_closes_name_first_then_metadata_after_the_ui_changed() {
    let sim = sim(SimProvider::Helpcenter, 16).await;
    let sk = Shotkeeper::new(&sim.token);
    let integration = sk.connect("helpcenter", &sim);
    let job = sk.json(&["import", &integration, "--json"]);
    let images = sk.json(&["job", job["id"].as_str().unwrap(), "--json"]);
    let all = images["images"].as_array().unwrap();
    // A PNG used in one published article, its name used by no other image:
    // a capture with that name replaces it and nothing else.
    let target = all
        .iter()
        .find(|i| {
            i["statusCode"] == 200
                && i["articlesCount"] == 1
                && i["articles"][0]["isPublished"] == true
                && i["name"].as_str().is_some_and(|n| n.ends_with(".png"))
                && all.iter().filter(|o| o["name"] == i["name"]).count() == 1
        })
        .expect("the sample help center has a PNG used once");
    let name = target["name"].as_str().unwrap();
    let id = name.trim_end_matches(".png");
    let article = target["articles"][0]["external_article_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Settle any colleague's pending draft in the sample data first.
    let html = sim.article_html(&article, None).unwrap();
    sim.set_article_html(&article, None, &html);

    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    write_page(&page, "rgb(10,120,200)");
    let shots = dir.path().join("shots.toml");
    std::fs::write(
        &shots,
        format!(
            "[[scenario]]\nid = \"{id}\"\nurl = \"{}\"\nselector = \"#card\"\n",
            file_url(&page)
        ),
    )
    .unwrap();
    let capture_and_match = |job_id: &str, out: &str| {
        let out_dir = dir.path().join(out);
        sk.json(&[
            "capture",
            shots.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--match",
            job_id,
            "--json",
        ])
    };

    // First time: the help center's image has no metadata; the name matches.
    let plan = capture_and_match(job["id"].as_str().unwrap(), "first");
    let s = &plan["screenshots"][0];
    assert_eq!(s["match"]["matchType"], "name", "{s}");
    let applied = sk.json(&["apply", plan["id"].as_str().unwrap(), "--json"]);
    assert_eq!(applied["summary"]["success"], 1, "{applied}");

    // The UI changes; the help center is imported again; the new capture
    // finds the image it replaced by its screenshot-id.
    write_page(&page, "rgb(20,160,60)");
    let job2 = sk.json(&["import", &integration, "--json"]);
    let plan = capture_and_match(job2["id"].as_str().unwrap(), "second");
    let s = &plan["screenshots"][0];
    assert_eq!(s["match"]["matchType"], "metadata", "{s}");
    assert_eq!(
        s["match"]["targets"][0]["metadata"]["screenshot-id"], id,
        "{s}"
    );

    // Unattended, as a CI job runs it: capture, match and apply in one
    // command, which prints the update's result and exits 0.
    write_page(&page, "rgb(200,60,20)");
    let out = sk.run(&[
        "capture",
        shots.to_str().unwrap(),
        "--out",
        dir.path().join("third").to_str().unwrap(),
        "--match",
        job2["id"].as_str().unwrap(),
        "--apply",
        "--json",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("applying plan ") && err.contains("1 change(s) in 1 article(s)"),
        "{err}"
    );
    let applied: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(applied["summary"]["total"], 1, "{applied}");
    assert_eq!(applied["summary"]["success"], 1, "{applied}");
    assert_eq!(
        applied["screenshots"][0]["matchType"], "metadata",
        "{applied}"
    );
    let now = sim.article_html(&article, None).unwrap();
    assert_ne!(now, html, "the article was updated");
}
