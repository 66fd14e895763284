//! Helpjuice v3 simulator, black box (Helpjuice API v3).

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::{client, header, json_of, sim_with};
use serde_json::{json, Value};
use shotkeeper_sim::{Faults, SimProvider};

const P: SimProvider = SimProvider::Helpjuice;

#[tokio::test]
async fn auth_header_bearer_or_query_and_403_otherwise() {
    let sim = sim_with(P, |_| {}).await;
    let c = client();
    let url = format!("{}/articles", sim.api_base);
    let ok = |r: reqwest::RequestBuilder| async move { r.send().await.unwrap().status().as_u16() };
    assert_eq!(
        ok(c.get(&url).header("Authorization", "sim-token")).await,
        200
    );
    assert_eq!(
        ok(c.get(&url).header("Authorization", "Bearer sim-token")).await,
        200
    );
    assert_eq!(ok(c.get(format!("{url}?api_key=sim-token"))).await, 200);
    // Basic auth impersonates a user; the key then comes from the query.
    let basic = c
        .get(format!("{url}?api_key=sim-token"))
        .basic_auth("a@b.c", Some(""));
    assert_eq!(ok(basic).await, 200);
    assert_eq!(ok(c.get(&url).basic_auth("a@b.c", Some(""))).await, 403);
    assert_eq!(ok(c.get(&url).header("apikey", "sim-token")).await, 403);

    let (status, body) = json_of(c.get(&url).send().await.unwrap()).await;
    assert_eq!(status, 403);
    assert!(body["errors"][0]["api_key"].is_string(), "{body}");
    let (status, _) = json_of(
        c.get(&url)
            .header("Authorization", "nope")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(sim.api_requests(), 8);
    sim.shutdown().await;
}

#[tokio::test]
async fn pagination_walks_every_page_with_documented_meta() {
    let sim = sim_with(P, |o| o.articles = 30).await;
    let c = client();
    let mut ids = BTreeSet::new();
    for page in 1..=6u64 {
        let url = format!("{}/articles?page={page}&limit=7", sim.api_base);
        let (status, body) = json_of(
            c.get(url)
                .header("Authorization", &sim.token)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            body["meta"],
            json!({"current": page, "limit": 7, "total_pages": 5, "total_count": 30})
        );
        let articles = body["articles"].as_array().unwrap();
        let want = if page <= 4 {
            7
        } else if page == 5 {
            2
        } else {
            0
        };
        assert_eq!(articles.len(), want, "page {page}");
        for a in articles {
            assert!(a["id"].is_u64());
            assert_eq!(a["answer"][0]["format"], "html");
            assert!(a["answer"][0]["body"].as_str().unwrap().contains("<p>"));
            ids.insert(a["id"].as_u64().unwrap());
        }
    }
    assert_eq!(ids.len(), 30);
    // Default page size is 25.
    let url = format!("{}/articles", sim.api_base);
    let (_, body) = json_of(
        c.get(url)
            .header("Authorization", &sim.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(body["articles"].as_array().unwrap().len(), 25);
    assert_eq!(body["meta"]["limit"], 25);
    sim.shutdown().await;
}

#[tokio::test]
async fn page_size_cap_and_bad_params_are_422() {
    let sim = sim_with(P, |_| {}).await;
    let c = client();
    let get = |q: &str| {
        c.get(format!("{}/articles?{q}", sim.api_base))
            .header("Authorization", "sim-token")
            .send()
    };
    let (status, body) = json_of(get("limit=1001").await.unwrap()).await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({"errors": [{"limit": "must be less than or equal to 1000"}]})
    );
    assert_eq!(get("limit=1000").await.unwrap().status(), 200);
    assert_eq!(get("limit=0").await.unwrap().status(), 422);
    assert_eq!(get("page=abc").await.unwrap().status(), 422);
    let (_, body) = json_of(get("filter[is_published]=false").await.unwrap()).await;
    assert!(body["articles"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["published"] == false));
    sim.shutdown().await;
}

#[tokio::test]
async fn get_update_and_read_back() {
    let sim = sim_with(P, |_| {}).await;
    let c = client();
    let url = format!("{}/articles/3844201", sim.api_base);
    let (status, body) = json_of(
        c.get(&url)
            .header("Authorization", "sim-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let article = &body["article"];
    assert_eq!(
        article["answer"][0]["body"].as_str(),
        sim.article_html("3844201", None).as_deref()
    );
    assert!(article["url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}/kb/", sim.site_base)));
    let before = article["updated_at"].as_str().unwrap().to_string();

    let put = |body: Value| {
        c.put(&url)
            .header("Authorization", "sim-token")
            .json(&body)
            .send()
    };
    let (status, body) = json_of(
        put(json!({"article": {"body": "<p>new</p>"}}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["article"]["answer"][0]["body"], "<p>new</p>");
    let (_, body) = json_of(
        c.get(&url)
            .header("Authorization", "sim-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(body["article"]["answer"][0]["body"], "<p>new</p>");
    assert_ne!(body["article"]["updated_at"].as_str().unwrap(), before);
    assert_eq!(sim.article_html("3844201", None).unwrap(), "<p>new</p>");

    // What Rails' params.require(:article) rejects, and wrong types.
    for bad in [
        json!({"body": "<p>x</p>"}),
        json!({"article": "x"}),
        json!({"article": {}}),
        json!({"article": {"body": 5}}),
    ] {
        let (status, body) = json_of(put(bad.clone()).await.unwrap()).await;
        assert_eq!(status, 422, "{bad}");
        assert!(body["errors"][0].is_object());
    }
    let form = c
        .put(&url)
        .header("Authorization", "sim-token")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("article[body]=x");
    assert_eq!(form.send().await.unwrap().status(), 422);
    let broken = c
        .put(&url)
        .header("Authorization", "sim-token")
        .header("Content-Type", "application/json")
        .body("{not json");
    assert_eq!(broken.send().await.unwrap().status(), 400);
    assert_eq!(sim.article_html("3844201", None).unwrap(), "<p>new</p>");

    // A body over the server's limit still gets a JSON error.
    let huge = json!({"article": {"body": "x".repeat(3 * 1024 * 1024)}});
    let (status, body) = json_of(put(huge).await.unwrap()).await;
    assert_eq!(status, 413);
    assert!(body["errors"].is_array());

    // An edit in Helpjuice's own editor shows up on the next read.
    sim.set_article_html("3844201", None, "<p>edited</p>");
    let (_, body) = json_of(
        c.get(&url)
            .header("Authorization", "sim-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(body["article"]["answer"][0]["body"], "<p>edited</p>");

    let (status, body) = json_of(
        c.get(format!("{}/articles/999", sim.api_base))
            .header("Authorization", "sim-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    assert!(body["errors"].is_array());
    sim.shutdown().await;
}

#[tokio::test]
async fn every_answer_is_json_verify_404_405() {
    let sim = sim_with(P, |_| {}).await;
    let c = client();
    let (status, body) = json_of(
        c.get(format!("{}/settings/account", sim.api_base))
            .header("Authorization", "sim-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["account"]["subdomain"], "demo");
    let (status, _) = json_of(
        c.get(format!("{}/nothing", sim.api_base))
            .header("Authorization", "sim-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = json_of(
        c.delete(format!("{}/settings/account", sim.api_base))
            .header("Authorization", "sim-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 405);
    sim.shutdown().await;
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let sim = sim_with(P, |o| o.rate_limit_per_minute = Some(3)).await;
    let c = client();
    let url = format!("{}/settings/account", sim.api_base);
    for _ in 0..3 {
        assert_eq!(
            c.get(&url)
                .header("Authorization", "sim-token")
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
    let resp = c
        .get(&url)
        .header("Authorization", "sim-token")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    let retry: u64 = header(&resp, "retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let (_, body) = json_of(resp).await;
    assert!(body["errors"].is_array());
    sim.shutdown().await;
}

#[tokio::test]
async fn documented_limit_is_100_per_minute() {
    let sim = sim_with(P, |_| {}).await;
    let c = client();
    let url = format!("{}/settings/account", sim.api_base);
    let started = Instant::now();
    let mut first_429 = None;
    for i in 0..300u64 {
        if c.get(&url)
            .header("Authorization", "sim-token")
            .send()
            .await
            .unwrap()
            .status()
            == 429
        {
            first_429 = Some(i);
            break;
        }
    }
    // 100 a minute: the bucket refills 5 requests every 3 s meanwhile.
    let refilled = started.elapsed().as_secs() * 5 / 3 + 2;
    let ok = first_429.expect("limited eventually");
    assert!((100..=100 + refilled).contains(&ok), "{ok} before the 429");
    sim.shutdown().await;
}

#[tokio::test]
async fn faults_burst_then_5xx_then_ok_and_garbage_list() {
    let faults = Faults {
        burst_429: 2,
        error_5xx: 1,
        slow_ms: 50,
        garbage_list: true,
        ..Faults::default()
    };
    let sim = sim_with(P, |o| o.faults = faults).await;
    let c = client();
    let url = format!("{}/articles", sim.api_base);
    let started = Instant::now();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let resp = c
            .get(&url)
            .header("Authorization", "sim-token")
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
        if resp.status() == 429 {
            assert_eq!(header(&resp, "retry-after").as_deref(), Some("1"));
        }
        let text = resp.text().await.unwrap();
        if statuses.len() == 4 {
            assert!(
                serde_json::from_str::<Value>(&text).is_err(),
                "garbage expected: {text}"
            );
        }
    }
    assert_eq!(statuses, [429, 429, 503, 200]);
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(sim.api_requests(), 4);
    sim.shutdown().await;
}
