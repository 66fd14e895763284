//! Intercom Articles simulator, black box.

mod common;

use std::collections::BTreeSet;

use common::{client, header, json_of, sim_with};
use serde_json::json;
use shotkeeper_sim::SimProvider;

const P: SimProvider = SimProvider::Intercom;

fn authed(r: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    r.bearer_auth("sim-token")
        .header("Intercom-Version", "2.11")
}

#[tokio::test]
async fn bearer_and_version_header_required() {
    let sim = sim_with(P, |_| {}).await;
    let c = client();
    let url = format!("{}/me", sim.api_base);
    let st = |r: reqwest::RequestBuilder| async move { r.send().await.unwrap().status().as_u16() };
    assert_eq!(st(authed(c.get(&url))).await, 200);
    // Wrong scheme or token: 401 unauthorized.
    let v = |r: reqwest::RequestBuilder| r.header("Intercom-Version", "2.11");
    assert_eq!(
        st(v(c.get(&url).basic_auth("sim-token", Some("X")))).await,
        401
    );
    assert_eq!(
        st(v(c.get(&url).header("Authorization", "sim-token"))).await,
        401
    );
    assert_eq!(st(v(c.get(&url).bearer_auth("nope"))).await, 401);
    let (status, body) = json_of(v(c.get(&url)).send().await.unwrap()).await;
    assert_eq!(status, 401);
    assert_eq!(body["type"], "error.list");
    assert_eq!(body["errors"][0]["code"], "unauthorized");
    // No Intercom-Version, or one that does not exist: 400.
    let (status, body) = json_of(c.get(&url).bearer_auth("sim-token").send().await.unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["code"], "intercom_version_invalid");
    let resp = c
        .get(&url)
        .bearer_auth("sim-token")
        .header("Intercom-Version", "9.9")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    // Rate-limit headers on every answer.
    let resp = authed(c.get(&url)).send().await.unwrap();
    assert_eq!(header(&resp, "x-ratelimit-limit").as_deref(), Some("1000"));
    assert!(header(&resp, "x-ratelimit-remaining").is_some());
    assert!(header(&resp, "x-ratelimit-reset").is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn pages_and_translated_content() {
    let sim = sim_with(P, |o| o.articles = 25).await;
    let c = client();
    let mut ids = BTreeSet::new();
    let mut docs = 0u64;
    let mut published = 0u64;
    for page in 1..=3u64 {
        let (status, body) = json_of(
            authed(c.get(format!("{}/articles?page={page}&per_page=10", sim.api_base)))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["type"], "list");
        assert_eq!(body["total_count"], 25);
        assert_eq!(body["pages"]["page"], page);
        assert_eq!(body["pages"]["total_pages"], 3);
        assert_eq!(body["pages"]["next"].is_string(), page < 3);
        for a in body["data"].as_array().unwrap() {
            ids.insert(a["id"].as_str().unwrap().to_string());
            assert!(a["created_at"].is_i64());
            let t = a["translated_content"].as_object().unwrap();
            assert_eq!(t["en"]["body"], a["body"]);
            for (k, v) in t {
                if k != "type" {
                    docs += 1;
                    published += u64::from(v["state"] == "published");
                }
            }
        }
    }
    assert_eq!(ids.len() as u64, sim.expected.articles);
    assert_eq!(docs, sim.expected.documents);
    assert_eq!(published, sim.expected.published);
    let (status, _) = json_of(
        authed(c.get(format!("{}/articles?per_page=251", sim.api_base)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    sim.shutdown().await;
}

#[tokio::test]
async fn updates_change_only_what_is_sent() {
    let sim = sim_with(P, |o| o.articles = 5).await;
    let c = client();
    let id = "9300000"; // has a Spanish translation
    let url = format!("{}/articles/{id}", sim.api_base);
    let en = sim.article_html(id, None).unwrap();
    let (status, body) = json_of(
        authed(c.put(&url))
            .json(&json!({"translated_content": {"es": {"body": "<p>Hola</p>"}}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["translated_content"]["es"]["body"], "<p>Hola</p>");
    assert_eq!(
        sim.article_html(id, Some("es")).as_deref(),
        Some("<p>Hola</p>")
    );
    assert_eq!(sim.article_html(id, None).unwrap(), en);
    let (status, _) = json_of(
        authed(c.put(&url))
            .json(&json!({"body": "<p>Hi</p>"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(sim.article_html(id, None).as_deref(), Some("<p>Hi</p>"));
    assert_eq!(
        sim.article_html(id, Some("es")).as_deref(),
        Some("<p>Hola</p>")
    );

    let bad = [
        json!(["<p>x</p>"]),
        json!({"body": 5}),
        json!({"translated_content": "x"}),
        json!({"translated_content": {"es": "<p>x</p>"}}),
        json!({"translated_content": {"fr": {"body": "<p>x</p>"}}}),
        json!({"state": "live"}),
    ];
    for b in bad {
        let (status, body) = json_of(authed(c.put(&url)).json(&b).send().await.unwrap()).await;
        assert_eq!(status, 400, "{b}");
        assert_eq!(body["errors"][0]["code"], "parameter_invalid");
    }
    let resp = authed(c.put(&url))
        .header("content-type", "text/plain")
        .body("{\"body\":\"x\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert_eq!(sim.article_html(id, None).as_deref(), Some("<p>Hi</p>"));
    let (status, body) = json_of(
        authed(c.get(format!("{}/articles/1", sim.api_base)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["code"].as_str()),
        (404, Some("not_found"))
    );
    sim.shutdown().await;
}
