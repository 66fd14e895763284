//! HelpCenter.io v1 simulator, black box (seed 002).

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

#[tokio::test]
async fn get_single_article_with_languages() {
    let sim = sim_with(P, |_| {}).await;
    let c = client();
    let (status, body) = json_of(
        c.get(format!("{}/articles/5001", sim.api_base))
            .header("apikey", "sim-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "success");
    let a = &body["article"];
    assert_eq!(
        a["content"]["de"].as_str(),
        sim.article_html("5001", Some("de")).as_deref()
    );
    assert_eq!(
        a["content"]["en"].as_str(),
        sim.article_html("5001", None).as_deref()
    );
    assert!(a["url"]["de"].as_str().unwrap().contains("/kb/de/"));
    let (status, body) = json_of(
        c.get(format!("{}/articles/1", sim.api_base))
            .header("apikey", "sim-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["status"].as_str()), (404, Some("error")));
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
    let (_, body) = json_of(
        c.get(&url)
            .header("apikey", "sim-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(body["article"]["content"]["de"], "<p>neu</p>");

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
    assert_eq!(
        c.get(&url)
            .header("apikey", "ro-key")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

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
async fn rate_limit_is_per_token_with_laravel_headers() {
    let sim = sim_with(P, |o| {
        o.rate_limit_per_minute = Some(2);
        o.read_only_token = Some("ro".into());
    })
    .await;
    let c = client();
    let url = format!("{}/categories", sim.api_base);
    let first = c
        .get(&url)
        .header("apikey", "sim-token")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&first, "x-ratelimit-limit").as_deref(), Some("2"));
    assert_eq!(
        header(&first, "x-ratelimit-remaining").as_deref(),
        Some("1")
    );
    assert_eq!(
        c.get(&url)
            .header("apikey", "sim-token")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let limited = c
        .get(&url)
        .header("apikey", "sim-token")
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), 429);
    assert!(header(&limited, "retry-after").is_some());
    assert_eq!(
        header(&limited, "x-ratelimit-remaining").as_deref(),
        Some("0")
    );
    // Another token has its own budget.
    assert_eq!(
        c.get(&url)
            .header("apikey", "ro")
            .send()
            .await
            .unwrap()
            .status(),
        200
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
    // 60 a minute: the bucket refills one request a second meanwhile.
    let refilled = started.elapsed().as_secs() + 1;
    assert!((60..=60 + refilled).contains(&ok), "{ok} before the 429");
    assert_eq!(statuses.last(), Some(&429));
    sim.shutdown().await;
}
