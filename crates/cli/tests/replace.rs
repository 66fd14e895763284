//! `match`, `apply`, `revisions`, `rollback` and `audit` as scripts call them,
//! against the Help.Center simulator (which has its own image upload).

use std::process::{Command, Stdio};

use serde_json::Value;
use shotkeeper_sim::{SimOptions, SimProvider};

fn run(dir: &std::path::Path, args: &[&str], token: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_shotkeeper"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("SIM_TOKEN", token)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

fn picture() -> Vec<u8> {
    let img = image::RgbaImage::from_fn(97, 41, |x, y| {
        image::Rgba([(x * 5) as u8, (y * 9) as u8, 200, 255])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgba8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

#[tokio::test(flavor = "multi_thread")]
async fn match_apply_revisions_rollback_and_audit() {
    let mut o = SimOptions::new(SimProvider::Helpcenter);
    o.articles = 16;
    o.rate_limit_per_minute = Some(0);
    let sim = shotkeeper_sim::start(o).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let t = sim.token.as_str();
    let center = format!("center_id={}", sim.settings["center_id"]);
    let added = run(
        d,
        &[
            "integration",
            "add",
            "helpcenter",
            "--label",
            "Sim",
            "--base-url",
            &sim.api_base,
            "--set",
            &center,
            "--set",
            "requests_per_minute=0",
            "--secret-env",
            "SIM_TOKEN",
            "--json",
        ],
        t,
    );
    let id = added["id"].as_str().unwrap().to_owned();
    let job = run(d, &["import", &id, "--json"], t);
    let job_id = job["id"].as_str().unwrap().to_owned();

    // Audit: the broken count is the simulator's known answer; CSV has a header.
    let audit = run(d, &["audit", &job_id, "--json"], t);
    assert_eq!(audit["counts"]["broken"], sim.expected.broken_urls);
    assert!(audit["counts"]["missing_alt"].as_u64().unwrap() > 0);
    assert!(audit["counts"]["duplicate"].as_u64().unwrap() > 0);
    let csv = Command::new(env!("CARGO_BIN_EXE_shotkeeper"))
        .arg("--data-dir")
        .arg(d)
        .args(["audit", &job_id, "--csv"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&csv.stdout)
        .starts_with("rule,image_url,detail,wasted_bytes,article_id"));

    // A new picture under the file name of an image used in exactly one place.
    let images = run(d, &["job", &job_id, "--json"], t);
    let target = images["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["statusCode"] == 200
                && i["articlesCount"] == 1
                && i["articles"][0]["isPublished"] == true
                && images["images"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|o| o["name"] == i["name"])
                    .count()
                    == 1
        })
        .expect("an image used once");
    let name = target["name"].as_str().unwrap();
    let old_url = target["url"].as_str().unwrap().to_owned();
    let ext = target["articles"][0]["external_article_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let shots = tempfile::tempdir().unwrap();
    let file = shots.path().join(name);
    std::fs::write(&file, picture()).unwrap();

    let plan = run(d, &["match", &job_id, file.to_str().unwrap(), "--json"], t);
    let s = &plan["screenshots"][0];
    assert_eq!(s["match"]["status"], "matched", "{s}");
    assert_eq!(s["match"]["matchType"], "name");
    let plan_id = plan["id"].as_str().unwrap().to_owned();

    // Settle any colleague's pending draft in the sample data first.
    let original = sim.article_html(&ext, None).unwrap();
    sim.set_article_html(&ext, None, &original);

    let dry = run(d, &["apply", &plan_id, "--dry-run", "--json"], t);
    assert_eq!(dry["dryRun"], true);
    assert_eq!(
        sim.article_html(&ext, None).unwrap(),
        original,
        "a dry run writes nothing"
    );

    let applied = run(d, &["apply", &plan_id, "--json"], t);
    assert_eq!(applied["summary"]["success"], 1, "{applied}");
    assert_eq!(applied["screenshots"][0]["matchType"], "name");
    let now = sim.article_html(&ext, None).unwrap();
    assert!(!now.contains(&old_url), "the old image URL is gone");
    assert!(
        now.contains("/uploads/"),
        "the new image is the help center's upload"
    );

    let revs = run(d, &["revisions", &ext, "--json"], t);
    assert_eq!(revs.as_array().unwrap().len(), 1);
    assert_eq!(revs[0]["status"], "applied");
    let rev = revs[0]["id"].as_str().unwrap().to_owned();

    let rb = run(d, &["rollback", &rev, "--json"], t);
    assert_eq!(rb["mode"], "exact");
    assert_eq!(
        sim.article_html(&ext, None).unwrap(),
        original,
        "byte for byte"
    );
    sim.shutdown().await;
}
