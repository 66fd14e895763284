//! The Help Scout Docs simulator, black box: what the documented API
//! accepts, and what it rejects.

mod common;

use common::*;
use serde_json::{json, Value};
use shotkeeper_sim::{Sim, SimProvider};

const P: SimProvider = SimProvider::Helpscout;

async fn sim() -> Sim {
    sim_with(P, |o| o.rate_limit_per_minute = Some(0)).await
}

fn get(sim: &Sim, path: &str) -> reqwest::RequestBuilder {
    client()
        .get(format!("{}{path}", sim.api_base))
        .basic_auth(&sim.token, Some("X"))
}

async fn first_collection(sim: &Sim) -> String {
    let (_, v) = json_of(get(sim, "/collections").send().await.unwrap()).await;
    v["collections"]["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn first_article(sim: &Sim) -> Value {
    let c = first_collection(sim).await;
    let path = format!("/collections/{c}/articles");
    let (_, v) = json_of(get(sim, &path).send().await.unwrap()).await;
    v["articles"]["items"][0].clone()
}

#[tokio::test]
async fn basic_auth_with_the_key_as_user_only() {
    let sim = sim().await;
    let ok = get(&sim, "/sites").send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert!(header(&ok, "x-ratelimit-limit").is_none(), "limiter off");
    let bearer = client()
        .get(format!("{}/sites", sim.api_base))
        .bearer_auth(&sim.token)
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(bearer).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], 401);
    assert!(body["error"].is_string());
    let wrong = client()
        .get(format!("{}/sites", sim.api_base))
        .basic_auth("not-the-key", Some("X"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    sim.shutdown().await;
}

#[tokio::test]
async fn collections_then_article_refs_without_text() {
    let sim = sim().await;
    let c = first_collection(&sim).await;
    let path = format!("/collections/{c}/articles?page=1&pageSize=100");
    let (status, v) = json_of(get(&sim, &path).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let list = &v["articles"];
    assert_eq!(list["page"], 1);
    assert!(list["pages"].as_u64().unwrap() >= 1);
    let item = &list["items"][0];
    assert!(item.get("text").is_none());
    assert!(matches!(
        item["status"].as_str(),
        Some("published" | "notpublished")
    ));
    let id = item["id"].as_str().unwrap();
    let (_, one) = json_of(get(&sim, &format!("/articles/{id}")).send().await.unwrap()).await;
    assert_eq!(
        one["article"]["text"].as_str(),
        sim.article_html(id, None).as_deref()
    );
    let too_big = format!("/collections/{c}/articles?pageSize=101");
    let (status, e) = json_of(get(&sim, &too_big).send().await.unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(e["code"], 400);
    sim.shutdown().await;
}

#[tokio::test]
async fn update_takes_json_text_only_in_the_documented_shape() {
    let sim = sim().await;
    let id = first_article(&sim).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let url = format!("{}/articles/{id}", sim.api_base);
    let put = || client().put(&url).basic_auth(&sim.token, Some("X"));
    let before = sim.article_html(&id, None);

    let form = put().form(&[("text", "<p>x</p>")]).send().await.unwrap();
    assert_eq!(form.status(), 415);
    let wrapped = put()
        .json(&json!({"article": {"text": "<p>x</p>"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrapped.status(), 400);
    let not_string = put().json(&json!({"text": 5})).send().await.unwrap();
    assert_eq!(not_string.status(), 400);
    assert_eq!(sim.article_html(&id, None), before);

    let ok = put()
        .json(&json!({"text": "<p>new</p>"}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(sim.article_html(&id, None).as_deref(), Some("<p>new</p>"));
    let missing = client()
        .put(format!("{}/articles/nope", sim.api_base))
        .basic_auth(&sim.token, Some("X"))
        .json(&json!({"text": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn article_assets_need_key_article_id_asset_type_and_file() {
    // Help Scout Docs API, Create Article Asset: key, articleId and
    // assetType are required; the example sends `-u API_KEY:X -F key=API_KEY`.
    let sim = sim().await;
    let id = first_article(&sim).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let post = |form: reqwest::multipart::Form| {
        client()
            .post(format!("{}/assets/article", sim.api_base))
            .basic_auth(&sim.token, Some("X"))
            .multipart(form)
            .send()
    };
    let file = || reqwest::multipart::Part::bytes(png.clone()).file_name("a.png");
    let form = |key: Option<&str>, kind: Option<&str>| {
        let mut f = reqwest::multipart::Form::new().text("articleId", id.clone());
        if let Some(k) = key {
            f = f.text("key", k.to_string());
        }
        if let Some(t) = kind {
            f = f.text("assetType", t.to_string());
        }
        f
    };
    let no_article = post(
        reqwest::multipart::Form::new()
            .text("key", sim.token.clone())
            .text("assetType", "image")
            .part("file", file()),
    )
    .await
    .unwrap();
    assert_eq!(no_article.status(), 400);
    let wrong_field = post(form(Some(&sim.token), Some("image")).part("image", file()))
        .await
        .unwrap();
    assert_eq!(wrong_field.status(), 400);
    let (status, body) = json_of(
        post(form(None, Some("image")).part("file", file()))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400, "no key: {body}");
    assert!(body["error"].as_str().unwrap().contains("key"), "{body}");
    let no_type = post(form(Some(&sim.token), None).part("file", file()))
        .await
        .unwrap();
    assert_eq!(no_type.status(), 400);
    let bad_key = post(form(Some("wrong"), Some("image")).part("file", file()))
        .await
        .unwrap();
    assert_eq!(bad_key.status(), 401);
    let ok = post(form(Some(&sim.token), Some("image")).part("file", file()))
        .await
        .unwrap();
    let (status, v) = json_of(ok).await;
    assert_eq!(status, 201);
    let link = v["filelink"].as_str().unwrap();
    assert!(link.starts_with(&sim.site_base));
    sim.shutdown().await;
}

#[tokio::test]
async fn rate_limit_headers_and_429() {
    let sim = sim_with(P, |o| o.rate_limit_per_minute = Some(2)).await;
    let first = get(&sim, "/sites").send().await.unwrap();
    assert_eq!(header(&first, "x-ratelimit-limit").as_deref(), Some("2"));
    assert!(header(&first, "x-ratelimit-remaining").is_some());
    let reset: u64 = header(&first, "x-ratelimit-reset")
        .unwrap()
        .parse()
        .unwrap();
    assert!(reset <= 60, "seconds until the window resets, not a time");
    get(&sim, "/sites").send().await.unwrap();
    let limited = get(&sim, "/sites").send().await.unwrap();
    assert_eq!(limited.status(), 429);
    assert!(header(&limited, "retry-after").is_some());
    let (_, body) = json_of(limited).await;
    assert_eq!(body["code"], 429);
    sim.shutdown().await;
}
