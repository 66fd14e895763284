//! Zendesk Guide (Help Center API) simulator, black box.

mod common;

use std::collections::BTreeSet;

use common::{client, header, json_of, sim_with};
use serde_json::{json, Value};
use shotkeeper_sim::SimProvider;

const P: SimProvider = SimProvider::Zendesk;
const USER: &str = "agent@example.com/token";

fn authed(r: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    r.basic_auth(USER, Some("sim-token"))
}

#[tokio::test]
async fn basic_email_token_only() {
    let sim = sim_with(P, |_| {}).await;
    assert_eq!(sim.settings["subdomain"], "demo");
    assert_eq!(sim.settings["email"], "agent@example.com");
    let c = client();
    let url = format!("{}/users/me.json", sim.api_base);
    let st = |r: reqwest::RequestBuilder| async move { r.send().await.unwrap().status().as_u16() };
    assert_eq!(st(authed(c.get(&url))).await, 200);
    // The token as a Bearer (that is OAuth), as a password without
    // `/token`, for another agent, or wrong: 401.
    assert_eq!(st(c.get(&url).bearer_auth("sim-token")).await, 401);
    assert_eq!(
        st(c.get(&url)
            .basic_auth("agent@example.com", Some("sim-token")))
        .await,
        401
    );
    assert_eq!(
        st(c.get(&url)
            .basic_auth("other@example.com/token", Some("sim-token")))
        .await,
        401
    );
    assert_eq!(st(c.get(&url).basic_auth(USER, Some("nope"))).await, 401);
    let (status, body) = json_of(c.get(&url).send().await.unwrap()).await;
    assert_eq!(status, 401);
    assert_eq!(body, json!({"error": "Couldn't authenticate you"}));
    let (status, body) = json_of(authed(c.get(&url)).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["user"]["email"], "agent@example.com");
    sim.shutdown().await;
}

#[tokio::test]
async fn cursor_pagination_per_locale() {
    let sim = sim_with(P, |o| o.articles = 25).await;
    let c = client();
    let (_, locales) = json_of(
        authed(c.get(format!("{}/help_center/locales.json", sim.api_base)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        locales,
        json!({"locales": ["en-us", "de"], "default_locale": "en-us"})
    );
    let mut docs = 0u64;
    let mut ids = BTreeSet::new();
    let mut published = 0u64;
    for locale in ["en-us", "de"] {
        let mut url = format!(
            "{}/help_center/{locale}/articles.json?page[size]=10",
            sim.api_base
        );
        let mut pages = 0;
        loop {
            let (status, body) = json_of(authed(c.get(&url)).send().await.unwrap()).await;
            assert_eq!(status, 200, "{body}");
            pages += 1;
            for a in body["articles"].as_array().unwrap() {
                assert_eq!(a["locale"], locale);
                assert_eq!(a["source_locale"], "en-us");
                assert!(a["body"].is_string() && a["html_url"].is_string());
                docs += 1;
                published += u64::from(a["draft"] == false);
                ids.insert(a["id"].as_u64().unwrap());
            }
            if body["meta"]["has_more"] == true {
                assert!(body["meta"]["after_cursor"].is_string());
                url = body["links"]["next"].as_str().unwrap().to_string();
            } else {
                assert_eq!(body["links"]["next"], Value::Null);
                break;
            }
        }
        if locale == "en-us" {
            assert_eq!(pages, 3);
        }
    }
    assert_eq!(ids.len() as u64, sim.expected.articles);
    assert_eq!(docs, sim.expected.documents);
    assert_eq!(published, sim.expected.published);
    // Over 100, or a made-up cursor: 400.
    for q in ["page[size]=101", "page[size]=0", "page[after]=bogus"] {
        let (status, body) = json_of(
            authed(c.get(format!("{}/help_center/articles.json?{q}", sim.api_base)))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 400, "{q}");
        assert_eq!(body["error"], "InvalidPaginationParameter");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn translations_are_read_and_written_per_locale() {
    let sim = sim_with(P, |o| o.articles = 5).await;
    let c = client();
    // The first article has a German translation (every fourth from the first).
    let id = "360001000000";
    let (status, body) = json_of(
        authed(c.get(format!(
            "{}/help_center/articles/{id}/translations.json",
            sim.api_base
        )))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let locales: Vec<&str> = body["translations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["locale"].as_str().unwrap())
        .collect();
    assert_eq!(locales, ["en-us", "de"]);

    let url = format!(
        "{}/help_center/articles/{id}/translations/de.json",
        sim.api_base
    );
    let before = sim.article_html(id, None).unwrap();
    let (status, body) = json_of(
        authed(c.put(&url))
            .json(&json!({"translation": {"body": "<p>Neu</p>"}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["translation"]["body"], "<p>Neu</p>");
    assert_eq!(
        sim.article_html(id, Some("de")).as_deref(),
        Some("<p>Neu</p>")
    );
    assert_eq!(
        sim.article_html(id, None).unwrap(),
        before,
        "en-us untouched"
    );

    // Wrong body shapes change nothing.
    let bad = [
        json!({"body": "<p>x</p>"}),
        json!({"translation": "<p>x</p>"}),
        json!({"translation": {"body": 5}}),
        json!({"article": {"body": "<p>x</p>"}}),
    ];
    for b in bad {
        let (status, body) = json_of(authed(c.put(&url)).json(&b).send().await.unwrap()).await;
        assert_eq!(status, 400, "{b}");
        assert_eq!(body["error"], "RecordInvalid");
    }
    let resp = authed(c.put(&url))
        .header("content-type", "text/plain")
        .body("{\"translation\":{\"body\":\"x\"}}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert_eq!(
        sim.article_html(id, Some("de")).as_deref(),
        Some("<p>Neu</p>")
    );
    // An unknown locale or article: 404 RecordNotFound.
    let (status, body) = json_of(
        authed(c.get(format!(
            "{}/help_center/articles/{id}/translations/fr.json",
            sim.api_base
        )))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (404, Some("RecordNotFound"))
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn article_attachments_upload() {
    let sim = sim_with(P, |o| o.articles = 2).await;
    let c = client();
    let png = b"\x89PNG\r\n\x1a\nrest-of-png".to_vec();
    let form = reqwest::multipart::Form::new().text("inline", "true").part(
        "file",
        reqwest::multipart::Part::bytes(png.clone()).file_name("shot.png"),
    );
    let url = format!(
        "{}/help_center/articles/360001000000/attachments.json",
        sim.api_base
    );
    let (status, body) = json_of(authed(c.post(&url)).multipart(form).send().await.unwrap()).await;
    assert_eq!(status, 201, "{body}");
    let a = &body["article_attachment"];
    assert_eq!(a["inline"], true);
    assert_eq!(a["content_type"], "image/png");
    let got = c
        .get(a["content_url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(got.to_vec(), png);
    // No `file` field, or not multipart: 400.
    let form = reqwest::multipart::Form::new().text("inline", "true");
    let resp = authed(c.post(&url)).multipart(form).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let resp = authed(c.post(&url))
        .json(&json!({"file": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    sim.shutdown().await;
}

#[tokio::test]
async fn rate_limit_headers_and_429() {
    let sim = sim_with(P, |o| o.rate_limit_per_minute = Some(2)).await;
    let c = client();
    let url = format!("{}/users/me.json", sim.api_base);
    let r = authed(c.get(&url)).send().await.unwrap();
    assert_eq!(header(&r, "x-rate-limit").as_deref(), Some("2"));
    assert!(header(&r, "x-rate-limit-remaining").is_some());
    let _ = authed(c.get(&url)).send().await.unwrap();
    let r = authed(c.get(&url)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert!(header(&r, "retry-after").is_some());
    sim.shutdown().await;
}
