//! HelpCenter.io v1 simulator, black box (the HelpCenter.io API).

mod common;

use std::collections::BTreeSet;

use common::{client, header, json_of, sim_with};
use serde_json::{json, Value};
use shotkeeper_sim::{Faults, SimProvider};

const P: SimProvider = SimProvider::Helpcenterio;

#[tokio::test]
async fn apikey_header_only() {
    let sim = sim_with(P, |_| {}).await;
    let c = client();
    let url = format!("{}/articles", sim.api_base);
    let st = |r: reqwest::RequestBuilder| async move { r.send().await.unwrap().status().as_u16() };
    assert_eq!(st(c.get(&url).header("apikey", "sim-token")).await, 200);
    assert_eq!(st(c.get(&url).bearer_auth("sim-token")).await, 401);
    assert_eq!(st(c.get(&url).header("X-API-Key", "sim-token")).await, 401);
    assert_eq!(st(c.get(&url).header("apikey", "other")).await, 401);
    let (status, body) = json_of(c.get(&url).send().await.unwrap()).await;
    assert_eq!(status, 401);
    assert_eq!(body["status"], "error");
    assert!(body["message"].is_string());
    sim.shutdown().await;
}

#[tokio::test]
async fn pagination_meta_and_caps() {
    let sim = sim_with(P, |o| o.articles = 25).await;
    let c = client();
    let mut ids = BTreeSet::new();
    for page in 1..=3u64 {
        let url = format!("{}/articles?page={page}&limit=10", sim.api_base);
        let (status, body) = json_of(
            c.get(url)
                .header("apikey", "sim-token")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(body["status"], "success");
        assert_eq!(
            body["meta"],
            json!({"page": page, "per_page": 10, "total_pages": 3, "items_count": 25})
        );
        for a in body["articles"].as_array().unwrap() {
            assert!(a["content"]["en"].is_string());
            assert!(a["title"]["en"].is_string() && a["slug"]["en"].is_string());
            assert!(a["author"]["name"].is_string());
            ids.insert(a["id"].as_u64().unwrap());
        }
    }
    assert_eq!(ids.len(), 25);
    let get = |q: &str| {
        c.get(format!("{}/articles?{q}", sim.api_base))
            .header("apikey", "sim-token")
            .send()
    };
    let (status, body) = json_of(get("limit=101").await.unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(body["status"], "validation_error");
    assert!(body["errors"]["limit"][0].is_string());
    let (status, body) = json_of(get("page=0").await.unwrap()).await;
    assert_eq!(status, 400);
    assert!(body["errors"]["page"].is_array());
    let (_, body) = json_of(get("").await.unwrap()).await;
    assert_eq!(body["meta"]["per_page"], 100);
    sim.shutdown().await;
}

/// One article as the listing gives it (API v1 has no single-article GET).
async fn listed(sim: &shotkeeper_sim::Sim, key: &str, id: u64) -> Option<Value> {
    let (status, body) = json_of(
        client()
            .get(format!("{}/articles?limit=100", sim.api_base))
            .header("apikey", key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"].as_u64() == Some(id))
        .cloned()
}

#[tokio::test]
async fn no_single_article_get_and_languages_from_the_listing() {
    let sim = sim_with(P, |_| {}).await;
    let c = client();
    // "This is the full v1 surface today: list and create articles, update
    // articles, list and update categories": GET of one article is an
    // unknown route, answered like any other.
    let get = |path: String| c.get(path).header("apikey", "sim-token").send();
    let (status, one) = json_of(
        get(format!("{}/articles/5001", sim.api_base))
            .await
            .unwrap(),
    )
    .await;
    let (_, unknown) = json_of(
        get(format!("{}/no-such-route", sim.api_base))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(one, unknown);

    let a = listed(&sim, "sim-token", 5001).await.unwrap();
    assert_eq!(
        a["content"]["de"].as_str(),
        sim.article_html("5001", Some("de")).as_deref()
    );
    assert_eq!(
        a["content"]["en"].as_str(),
        sim.article_html("5001", None).as_deref()
    );
    assert!(a["url"]["de"].as_str().unwrap().contains("/kb/de/"));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_title_without_content_is_no_language_of_the_article() {
    // "Anything not translated stays untranslated and the article only
    // appears on the languages where it has content."
    let sim = sim_with(P, |_| {}).await;
    let (_, body) = json_of(
        client()
            .get(format!("{}/articles?limit=100", sim.api_base))
            .header("apikey", "sim-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let articles = body["articles"].as_array().unwrap();
    let title_only: Vec<&Value> = articles
        .iter()
        .filter(|a| a["title"]["de"].is_string() && a["content"].get("de").is_none())
        .collect();
    assert!(
        !title_only.is_empty(),
        "some articles have a German title only"
    );
    for a in &title_only {
        assert!(a["content"]["en"].as_str().is_some_and(|c| !c.is_empty()));
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn create_needs_the_default_language_title() {
    let sim = sim_with(P, |o| o.read_only_token = Some("ro-key".into())).await;
    let c = client();
    let url = format!("{}/articles", sim.api_base);
    let post = |key: &str, body: Value| c.post(&url).header("apikey", key).json(&body).send();
    // A German-only article: "title ... at minimum your site's default
    // language", content only in German.
    let body = json!({"title": {"en": "Billing", "de": "Abrechnung"}, "content": {"de": "<p>nur deutsch</p>"}});
    let (status, created) = json_of(post("sim-token", body.clone()).await.unwrap()).await;
    assert_eq!(status, 201, "{created}");
    let id = created["article"]["id"].as_u64().unwrap();
    let a = listed(&sim, "sim-token", id).await.unwrap();
    assert_eq!(a["content"], json!({"de": "<p>nur deutsch</p>"}));
    assert_eq!(a["title"]["en"], "Billing");
    assert_eq!(a["published"], false, "a draft unless published: true");

    let (status, _) = json_of(post("ro-key", body).await.unwrap()).await;
    assert_eq!(status, 403);
    let (status, e) = json_of(
        post("sim-token", json!({"title": {"de": "Nur"}}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(e.get("status").is_none(), "bare validation shape: {e}");
    sim.shutdown().await;
}

#[tokio::test]
async fn patch_is_partial_per_language_and_validated() {
    let sim = sim_with(P, |o| o.read_only_token = Some("ro-key".into())).await;
    let c = client();
    let url = format!("{}/articles/5001", sim.api_base);
    let en_before = sim.article_html("5001", None).unwrap();
    let patch = |key: &str, body: Value| c.patch(&url).header("apikey", key).json(&body).send();

    let (status, body) = json_of(
        patch("sim-token", json!({"content": {"de": "<p>neu</p>"}}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["article"]["content"]["de"], "<p>neu</p>");
    assert_eq!(
        body["article"]["content"]["en"].as_str(),
        Some(en_before.as_str())
    );
    assert_eq!(sim.article_html("5001", Some("de")).unwrap(), "<p>neu</p>");
    assert_eq!(sim.article_html("5001", None).unwrap(), en_before);
    let listed_now = listed(&sim, "sim-token", 5001).await.unwrap();
    assert_eq!(listed_now["content"]["de"], "<p>neu</p>");

    let (status, body) = json_of(
        patch("ro-key", json!({"content": {"en": "x"}}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 403);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("updating articles"),
        "{body}"
    );
    // Read-only keys can read.
    assert!(listed(&sim, "ro-key", 5001).await.is_some());

    let (status, body) = json_of(
        patch("sim-token", json!({"content": {"fr": "x"}}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["status"].as_str()), (400, Some("error")));
    let (status, body) = json_of(
        patch("sim-token", json!({"content": "<p>x</p>"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["content"][0].is_string() && body.get("status").is_none(),
        "{body}"
    );
    let (status, body) = json_of(
        patch("sim-token", json!({"published": "yes"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["published"].is_array());

    let form = c
        .patch(&url)
        .header("apikey", "sim-token")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("content[en]=x");
    assert_eq!(form.send().await.unwrap().status(), 415);
    let missing = c
        .patch(format!("{}/articles/1", sim.api_base))
        .header("apikey", "sim-token")
        .json(&json!({"content": {"en": "x"}}));
    assert_eq!(missing.send().await.unwrap().status(), 404);
    assert_eq!(sim.article_html("5001", None).unwrap(), en_before);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_429_lasts_until_the_minute_is_over_and_names_no_wait() {
    // "If you exceed it, you get a 429 Too Many Requests response and should
    // wait a minute before retrying": no header says how long, and a retry
    // within the window is refused again. The window is shortened here.
    let window = std::time::Duration::from_millis(400);
    let sim = sim_with(P, |o| {
        o.rate_limit_per_minute = Some(2);
        o.rate_limit_window = window;
        o.read_only_token = Some("ro".into());
    })
    .await;
    let c = client();
    let url = format!("{}/categories", sim.api_base);
    let get = |key: &'static str| c.get(&url).header("apikey", key).send();
    let started = std::time::Instant::now();
    assert_eq!(get("sim-token").await.unwrap().status(), 200);
    assert_eq!(get("sim-token").await.unwrap().status(), 200);
    let limited = get("sim-token").await.unwrap();
    assert_eq!(limited.status(), 429);
    for h in ["retry-after", "x-ratelimit-reset"] {
        assert_eq!(header(&limited, h), None, "{h}");
    }
    // Another token has its own budget.
    assert_eq!(get("ro").await.unwrap().status(), 200);
    tokio::time::sleep(window / 4).await;
    assert_eq!(
        get("sim-token").await.unwrap().status(),
        429,
        "still within the window"
    );
    tokio::time::sleep(
        window.saturating_sub(started.elapsed()) + std::time::Duration::from_millis(100),
    )
    .await;
    assert_eq!(
        get("sim-token").await.unwrap().status(),
        200,
        "a new window"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn documented_limit_is_60_and_faults_apply() {
    let sim = sim_with(P, |o| {
        o.faults = Faults {
            error_5xx: 2,
            ..Faults::default()
        }
    })
    .await;
    let c = client();
    let url = format!("{}/categories", sim.api_base);
    let started = std::time::Instant::now();
    let mut statuses = Vec::new();
    for _ in 0..200 {
        let st = c
            .get(&url)
            .header("apikey", "sim-token")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        statuses.push(st);
        if st == 429 {
            break;
        }
    }
    assert_eq!(&statuses[..2], &[503, 503]);
    let ok = statuses.iter().filter(|&&s| s == 200).count() as u64;
    // 60 in the minute's window, then 429 for the rest of it.
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert_eq!(ok, 60, "{ok} before the 429");
    assert_eq!(statuses.last(), Some(&429));
    sim.shutdown().await;
}
