//! The KnowledgeOwl simulator, black box: what the documented API accepts,
//! and what it rejects.

mod common;

use common::*;
use serde_json::{json, Value};
use shotkeeper_sim::{Sim, SimProvider};

const P: SimProvider = SimProvider::Knowledgeowl;

async fn sim() -> Sim {
    sim_with(P, |o| o.rate_limit_per_minute = Some(0)).await
}

fn project(sim: &Sim) -> String {
    sim.settings["project_id"].clone()
}

fn get(sim: &Sim, path: &str) -> reqwest::RequestBuilder {
    client()
        .get(format!("{}{path}", sim.api_base))
        .basic_auth(&sim.token, Some("X"))
}

async fn translated(sim: &Sim) -> Value {
    let path = format!("/article.json?project_id={}", project(sim));
    let (_, v) = json_of(get(sim, &path).send().await.unwrap()).await;
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["current_version"].get("de").is_some())
        .unwrap()
        .clone()
}

#[tokio::test]
async fn basic_auth_and_a_project_are_required() {
    let sim = sim().await;
    let p = project(&sim);
    let ok = get(&sim, &format!("/project/{p}.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let bearer = client()
        .get(format!("{}/article.json?project_id={p}", sim.api_base))
        .bearer_auth(&sim.token)
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(bearer).await;
    assert_eq!(status, 401);
    assert_eq!(body["valid"], false);
    let (status, body) = json_of(get(&sim, "/article.json").send().await.unwrap()).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("project_id"));
    let other = get(&sim, "/article.json?project_id=someoneelse")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn pages_and_language_versions() {
    let sim = sim_with(P, |o| {
        o.rate_limit_per_minute = Some(0);
        o.articles = 12;
    })
    .await;
    let p = project(&sim);
    let path = format!("/article.json?project_id={p}&page=2&limit=5");
    let (status, v) = json_of(get(&sim, &path).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(v["valid"], true);
    assert_eq!(v["page_stats"]["current_page"], 2);
    assert_eq!(v["page_stats"]["total_pages"], 3);
    assert_eq!(v["page_stats"]["total_records"], 12);
    assert_eq!(v["data"].as_array().unwrap().len(), 5);
    let a = translated(&sim).await;
    let id = a["id"].as_str().unwrap();
    assert_eq!(
        a["current_version"]["de"]["text"].as_str(),
        sim.article_html(id, Some("de")).as_deref()
    );
    let too_big = format!("/article.json?project_id={p}&limit=101");
    assert_eq!(get(&sim, &too_big).send().await.unwrap().status(), 400);
    sim.shutdown().await;
}

#[tokio::test]
async fn update_merges_one_language_and_rejects_wrong_shapes() {
    let sim = sim().await;
    let p = project(&sim);
    let a = translated(&sim).await;
    let id = a["id"].as_str().unwrap().to_string();
    let en_before = sim.article_html(&id, None);
    let url = format!("{}/article/{id}.json", sim.api_base);
    let put = |body: Value| {
        client()
            .put(&url)
            .basic_auth(&sim.token, Some("X"))
            .json(&body)
            .send()
    };
    let as_string = put(json!({"project_id": p, "current_version": "<p>x</p>"}))
        .await
        .unwrap();
    assert_eq!(as_string.status(), 400);
    let flat = put(json!({"project_id": p, "text": "<p>x</p>"}))
        .await
        .unwrap();
    assert_eq!(flat.status(), 400);
    let unknown_lang = put(json!({"project_id": p, "current_version": {"xx": {"text": "x"}}}))
        .await
        .unwrap();
    assert_eq!(unknown_lang.status(), 400);
    let no_project = put(json!({"current_version": {"de": {"text": "x"}}}))
        .await
        .unwrap();
    assert_eq!(no_project.status(), 400);

    let ok = put(json!({"project_id": p, "current_version": {"de": {"text": "<p>neu</p>"}}}))
        .await
        .unwrap();
    let (status, v) = json_of(ok).await;
    assert_eq!(status, 200);
    assert_eq!(v["data"]["current_version"]["de"]["text"], "<p>neu</p>");
    assert_eq!(
        sim.article_html(&id, Some("de")).as_deref(),
        Some("<p>neu</p>")
    );
    assert_eq!(sim.article_html(&id, None), en_before, "English kept");
    assert_eq!(
        v["data"]["current_version"]["de"]["title"], a["current_version"]["de"]["title"],
        "the title kept"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn files_need_a_project_and_a_file() {
    let sim = sim().await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let file = || reqwest::multipart::Part::bytes(png.clone()).file_name("a.png");
    let post = |form: reqwest::multipart::Form| {
        client()
            .post(format!("{}/file.json", sim.api_base))
            .basic_auth(&sim.token, Some("X"))
            .multipart(form)
            .send()
    };
    let no_project = post(reqwest::multipart::Form::new().part("file", file()))
        .await
        .unwrap();
    assert_eq!(no_project.status(), 400);
    let ok = post(
        reqwest::multipart::Form::new()
            .text("project_id", project(&sim))
            .part("file", file()),
    )
    .await
    .unwrap();
    let (status, v) = json_of(ok).await;
    assert_eq!(status, 200);
    assert!(v["data"]["url"]
        .as_str()
        .unwrap()
        .starts_with(&sim.site_base));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_429_carries_retry_after() {
    let sim = sim_with(P, |o| o.rate_limit_per_minute = Some(1)).await;
    let p = project(&sim);
    get(&sim, &format!("/project/{p}.json"))
        .send()
        .await
        .unwrap();
    let limited = get(&sim, &format!("/project/{p}.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), 429);
    assert!(header(&limited, "retry-after").is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn some_articles_come_in_the_older_shape() {
    // Older KnowledgeOwl answers: plain `text` and `title` strings beside
    // the language objects, and language objects without a `url`.
    let sim = sim().await;
    let path = format!("/article.json?project_id={}", project(&sim));
    let (_, v) = json_of(get(&sim, &path).send().await.unwrap()).await;
    let data = v["data"].as_array().unwrap();
    let older: Vec<&Value> = data
        .iter()
        .filter(|a| a["current_version"]["text"].is_string())
        .collect();
    assert!(!older.is_empty());
    assert!(
        older.len() < data.len(),
        "most articles are in today's shape"
    );
    for a in older {
        let cv = &a["current_version"];
        assert!(cv["title"].is_string());
        assert!(cv["en"]["text"].is_string());
        assert!(cv["en"].get("url").is_none());
    }
    sim.shutdown().await;
}
