//! Help.Center v0 simulator, black box (the Help.Center API).

mod common;

use std::collections::BTreeSet;

use common::{client, header, json_of, sim_with};
use serde_json::{json, Value};
use shotkeeper_sim::{Sim, SimProvider};

const P: SimProvider = SimProvider::Helpcenter;

fn base(sim: &Sim) -> String {
    format!("{}/centers/{}", sim.api_base, sim.settings["center_id"])
}

async fn get(sim: &Sim, path: &str, key: &str) -> (u16, Value) {
    let resp = client()
        .get(format!("{}{path}", base(sim)))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    json_of(resp).await
}

#[tokio::test]
async fn bearer_only_and_unknown_center() {
    let sim = sim_with(P, |_| {}).await;
    let c = client();
    let url = base(&sim);
    assert_eq!(
        c.get(&url)
            .bearer_auth("sim-token")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    for req in [
        c.get(&url).header("Authorization", "sim-token"),
        c.get(&url).header("apikey", "sim-token"),
        c.get(&url).bearer_auth("wrong"),
        c.get(&url),
    ] {
        let (status, body) = json_of(req.send().await.unwrap()).await;
        assert_eq!(status, 401);
        assert_eq!(body["error"]["type"], "authentication_error");
        assert_eq!(body["error"]["code"], "invalid_api_key");
    }
    let (status, body) = json_of(
        c.get(format!("{}/centers/nope/articles", sim.api_base))
            .bearer_auth("sim-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "resource_missing");
    let (_, center) = get(&sim, "", "sim-token").await;
    assert_eq!(center["default_language"], "en");
    assert!(center["additional_languages"]
        .as_array()
        .unwrap()
        .contains(&json!("es")));
    sim.shutdown().await;
}

#[tokio::test]
async fn cursor_pagination_over_drafts_and_live_lists() {
    let sim = sim_with(P, |o| o.articles = 55).await;
    let mut ids = Vec::new();
    let mut cursor = String::new();
    for _ in 0..10 {
        let (status, body) = get(
            &sim,
            &format!("/articles/drafts?limit=12{cursor}"),
            "sim-token",
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(body["object"], "list");
        let data = body["data"].as_array().unwrap();
        assert!(
            data.iter().all(|a| a.get("content").is_none()),
            "content only when expanded"
        );
        ids.extend(data.iter().map(|a| a["id"].as_str().unwrap().to_string()));
        if body["has_more"] == false {
            break;
        }
        cursor = format!("&starting_after={}", ids.last().unwrap());
    }
    assert_eq!(ids.len() as u64, sim.expected.articles);
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len());

    // The live list only has articles with a live version.
    let (_, live) = get(&sim, "/articles?limit=100&expand[]=content", "sim-token").await;
    let live = live["data"].as_array().unwrap();
    assert!(live.len() < ids.len());
    assert!(live
        .iter()
        .all(|a| a["status"] != "unpublished" && a["content"]["html"].is_string()));
    let (_, drafts) = get(&sim, "/articles/drafts?status=unpublished", "sim-token").await;
    assert_eq!(
        drafts["data"].as_array().unwrap().len() + live.len(),
        ids.len()
    );

    // Backwards from the end.
    let (_, back) = get(
        &sim,
        &format!("/articles/drafts?limit=3&ending_before={}", ids[10]),
        "sim-token",
    )
    .await;
    let back: Vec<&str> = back["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(back, [&ids[7], &ids[8], &ids[9]]);

    for bad in [
        "/articles?limit=101",
        "/articles?limit=0",
        "/articles?starting_after=nope",
        "/articles?expand[]=author",
    ] {
        let (status, body) = get(&sim, bad, "sim-token").await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["error"]["type"], "invalid_request_error");
    }
    let (_, default) = get(&sim, "/articles/drafts", "sim-token").await;
    assert_eq!(default["data"].as_array().unwrap().len(), 50);
    assert_eq!(default["has_more"], true);
    sim.shutdown().await;
}

#[tokio::test]
async fn draft_edit_publish_and_read_only_scope() {
    let sim = sim_with(P, |o| o.read_only_token = Some("ro".into())).await;
    let c = client();
    let (_, list) = get(&sim, "/articles?limit=1", "sim-token").await;
    let id = list["data"][0]["id"].as_str().unwrap().to_string();
    let live_before = sim.article_html(&id, None).unwrap();
    let (_, art) = get(
        &sim,
        &format!("/articles/{id}?expand[]=content"),
        "sim-token",
    )
    .await;
    assert_eq!(art["content"]["html"].as_str(), Some(live_before.as_str()));
    assert_eq!(art["status"], "published");

    let draft_url = format!("{}/articles/{id}/draft", base(&sim));
    let patch = |key: &str, body: Value| c.patch(&draft_url).bearer_auth(key).json(&body).send();
    let (status, body) = json_of(patch("ro", json!({"html": "<p>x</p>"})).await.unwrap()).await;
    assert_eq!(status, 403);
    assert_eq!(
        body,
        json!({"error": {"type": "invalid_request_error", "message": "You do not have the 'content.write' scope", "code": "insufficient_scope"}})
    );
    let (status, body) = json_of(
        patch(
            "sim-token",
            json!({"html": "<p>v2</p><script>x()</script>"}),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "published_with_changes");
    assert_eq!(body["content"]["html"], "<p>v2</p>", "sanitized");
    // Live unchanged until published.
    assert_eq!(sim.article_html(&id, None).unwrap(), live_before);
    let (_, draft) = get(
        &sim,
        &format!("/articles/{id}/draft?expand[]=content"),
        "ro",
    )
    .await;
    assert_eq!(draft["content"]["html"], "<p>v2</p>");

    for bad in [json!({}), json!({"html": 3})] {
        assert_eq!(patch("sim-token", bad).await.unwrap().status(), 400);
    }
    let publish = format!("{}/articles/{id}/publish", base(&sim));
    let (status, body) = json_of(c.post(&publish).bearer_auth("ro").send().await.unwrap()).await;
    assert_eq!(status, 403);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("content.publish"));
    let (status, body) = json_of(
        c.post(&publish)
            .bearer_auth("sim-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["status"].as_str()), (200, Some("published")));
    assert_eq!(sim.article_html(&id, None).unwrap(), "<p>v2</p>");
    let (_, art) = get(
        &sim,
        &format!("/articles/{id}?expand[]=content"),
        "sim-token",
    )
    .await;
    assert_eq!(art["content"]["html"], "<p>v2</p>");
    let (status, _) = get(&sim, "/articles/nope", "sim-token").await;
    assert_eq!(status, 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn translations_read_edit_publish() {
    let sim = sim_with(P, |o| o.articles = 8).await;
    let c = client();
    let (_, drafts) = get(&sim, "/articles/drafts?limit=100", "sim-token").await;
    let all = drafts["data"].as_array().unwrap();
    let with_es = all
        .iter()
        .find(|a| a["translations"] == json!(["es"]))
        .expect("an es translation");
    let id = with_es["id"].as_str().unwrap();
    let (status, tr) = get(
        &sim,
        &format!("/articles/{id}/translations/es?expand[]=content"),
        "sim-token",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (tr["language"].as_str(), tr["status"].as_str()),
        (Some("es"), Some("published"))
    );
    assert_eq!(
        tr["content"]["html"].as_str(),
        sim.article_html(id, Some("es")).as_deref()
    );
    assert!(tr["url"].as_str().unwrap().contains("/kb/es/"));
    let (status, _) = get(
        &sim,
        &format!("/articles/{id}/translations/it"),
        "sim-token",
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = get(
        &sim,
        &format!("/articles/{id}/translations/fr"),
        "sim-token",
    )
    .await;
    assert_eq!(status, 404);

    let tr_url = format!("{}/articles/{id}/translations/es", base(&sim));
    let resp = c
        .patch(format!("{tr_url}/draft"))
        .bearer_auth("sim-token")
        .json(&json!({"html": "<p>hola</p>"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(resp).await.1["status"], "published_with_changes");
    assert_ne!(sim.article_html(id, Some("es")).unwrap(), "<p>hola</p>");
    let resp = c
        .post(format!("{tr_url}/publish"))
        .bearer_auth("sim-token")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(sim.article_html(id, Some("es")).unwrap(), "<p>hola</p>");

    // A translation of an unpublished article cannot be published.
    let unpublished = all
        .iter()
        .find(|a| a["status"] == "unpublished")
        .expect("an unpublished article");
    let uid = unpublished["id"].as_str().unwrap();
    let fr = format!("{}/articles/{uid}/translations/fr", base(&sim));
    let resp = c
        .patch(format!("{fr}/draft"))
        .bearer_auth("sim-token")
        .json(&json!({"title": "Bonjour", "html": "<p>b</p>"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(resp).await.1["status"], "unpublished");
    let (status, body) = json_of(
        c.post(format!("{fr}/publish"))
            .bearer_auth("sim-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    sim.shutdown().await;
}

#[tokio::test]
async fn image_upload_sniffs_caps_and_serves() {
    let sim = sim_with(P, |o| o.read_only_token = Some("ro".into())).await;
    let c = client();
    let url = format!("{}/articles/images", base(&sim));
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0u8; 64]);
    let form = |bytes: Vec<u8>, field: &str| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name("new billing.png");
        reqwest::multipart::Form::new().part(field.to_string(), part)
    };
    let (status, body) = json_of(
        c.post(&url)
            .bearer_auth("sim-token")
            .multipart(form(png.clone(), "image"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["success"], true);
    assert_eq!(body["data"]["size"], png.len());
    let served_url = body["data"]["url"].as_str().unwrap();
    assert!(served_url.starts_with(&format!("{}/uploads/", sim.site_base)));
    let served = c.get(served_url).send().await.unwrap();
    assert_eq!(
        header(&served, "content-type").as_deref(),
        Some("image/png")
    );
    assert_eq!(served.bytes().await.unwrap().to_vec(), png);

    let (status, body) = json_of(
        c.post(&url)
            .bearer_auth("sim-token")
            .multipart(form(b"hello, not an image".to_vec(), "image"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_file_type"))
    );
    let svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec();
    assert_eq!(
        c.post(&url)
            .bearer_auth("sim-token")
            .multipart(form(svg, "image"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let (status, _) = json_of(
        c.post(&url)
            .bearer_auth("sim-token")
            .multipart(form(png.clone(), "file"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    let (status, body) = json_of(
        c.post(&url)
            .bearer_auth("ro")
            .multipart(form(png.clone(), "image"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("insufficient_scope"))
    );
    let mut big = png.clone();
    big.resize(10 * 1024 * 1024 + 1, 0);
    let (status, body) = json_of(
        c.post(&url)
            .bearer_auth("sim-token")
            .multipart(form(big, "image"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (413, Some("file_too_large"))
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn rate_limit_headers_on_every_answer_and_429() {
    // 2 a minute with the documented burst of twice that: 4 requests pass.
    let sim = sim_with(P, |o| o.rate_limit_per_minute = Some(2)).await;
    let c = client();
    let url = base(&sim);
    for remaining in (0..4).rev() {
        let resp = c.get(&url).bearer_auth("sim-token").send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(header(&resp, "x-ratelimit-limit").as_deref(), Some("2"));
        assert_eq!(
            header(&resp, "x-ratelimit-remaining"),
            Some(remaining.to_string())
        );
        assert!(header(&resp, "x-ratelimit-reset").is_some());
    }
    let resp = c.get(&url).bearer_auth("sim-token").send().await.unwrap();
    assert_eq!(resp.status(), 429);
    let reset: u64 = header(&resp, "x-ratelimit-reset").unwrap().parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(reset > now && reset <= now + 31, "reset {reset} now {now}");
    let (_, body) = json_of(resp).await;
    assert_eq!(body["error"]["type"], "rate_limit_error");
    sim.shutdown().await;
}

#[tokio::test]
async fn injected_429_carries_reset_header() {
    let sim = sim_with(P, |o| o.faults.burst_429 = 1).await;
    let c = client();
    let resp = c
        .get(base(&sim))
        .bearer_auth("sim-token")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(header(&resp, "x-ratelimit-remaining").as_deref(), Some("0"));
    assert!(header(&resp, "x-ratelimit-reset").is_some());
    assert_eq!(
        c.get(base(&sim))
            .bearer_auth("sim-token")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    sim.shutdown().await;
}
