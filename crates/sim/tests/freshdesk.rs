//! The Freshdesk Solutions simulator, black box: what the documented API
//! accepts, and what it rejects.

mod common;

use common::*;
use serde_json::json;
use shotkeeper_sim::{Sim, SimProvider};

const P: SimProvider = SimProvider::Freshdesk;
const FIRST: &str = "43000500000";

async fn sim() -> Sim {
    sim_with(P, |o| o.rate_limit_per_minute = Some(0)).await
}

fn get(sim: &Sim, path: &str) -> reqwest::RequestBuilder {
    client()
        .get(format!("{}{path}", sim.api_base))
        .basic_auth(&sim.token, Some("X"))
}

fn put(sim: &Sim, path: &str) -> reqwest::RequestBuilder {
    client()
        .put(format!("{}{path}", sim.api_base))
        .basic_auth(&sim.token, Some("X"))
}

async fn first_folder(sim: &Sim) -> u64 {
    let (_, cats) = json_of(get(sim, "/solutions/categories").send().await.unwrap()).await;
    let cat = cats[0]["id"].as_u64().unwrap();
    let path = format!("/solutions/categories/{cat}/folders");
    let (_, folders) = json_of(get(sim, &path).send().await.unwrap()).await;
    folders[0]["id"].as_u64().unwrap()
}

/// The validation error of a 400, as `(field, code)` pairs.
async fn validation_errors(resp: reqwest::Response) -> Vec<(String, String)> {
    let (status, body) = json_of(resp).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["description"], "Validation failed", "{body}");
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
            (
                e["field"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn basic_auth_with_the_api_key_as_user_only() {
    let sim = sim().await;
    let ok = get(&sim, "/agents/me").send().await.unwrap();
    let (status, me) = json_of(ok).await;
    assert_eq!(status, 200);
    assert_eq!(me["contact"]["name"], "Maya Chen");

    let bearer = client()
        .get(format!("{}/agents/me", sim.api_base))
        .bearer_auth(&sim.token)
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(bearer).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "invalid_credentials");
    assert_eq!(
        body["message"],
        "You have to be logged in to perform this action."
    );
    let wrong = client()
        .get(format!("{}/agents/me", sim.api_base))
        .basic_auth("not-the-key", Some("X"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let none = client()
        .get(format!("{}/solutions/categories", sim.api_base))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
    sim.shutdown().await;
}

#[tokio::test]
async fn categories_folders_and_pages_linked_by_the_link_header() {
    let sim = sim_with(P, |o| {
        o.rate_limit_per_minute = Some(0);
        o.articles = 100;
        o.images_per_article = 1;
    })
    .await;
    let folder = first_folder(&sim).await;
    // 25 articles in the first category, 10 of them in its top-level folder
    // (the others in its subfolders): per_page=4 is three pages.
    let mut path = format!("/solutions/folders/{folder}/articles?per_page=4");
    let mut seen = Vec::new();
    for n in 1..=3 {
        let resp = get(&sim, &path).send().await.unwrap();
        let link = header(&resp, "link");
        let (status, list) = json_of(resp).await;
        assert_eq!(status, 200);
        let items = list.as_array().unwrap();
        for a in items {
            assert_eq!(a["folder_id"], folder);
            assert!(matches!(a["status"].as_u64(), Some(1 | 2)));
            let id = a["id"].as_u64().unwrap().to_string();
            assert_eq!(
                a["description"].as_str(),
                sim.article_html(&id, None).as_deref()
            );
            assert!(a["description_text"].is_string());
            seen.push(id);
        }
        if n < 3 {
            assert_eq!(items.len(), 4);
            let link = link.expect("a next link");
            assert!(link.ends_with("; rel=\"next\""), "{link}");
            let url = link
                .trim_start_matches('<')
                .split('>')
                .next()
                .unwrap()
                .to_string();
            assert!(url.contains(&format!("page={}", n + 1)), "{url}");
            path = url.trim_start_matches(&sim.api_base).to_string();
        } else {
            assert_eq!(items.len(), 2);
            assert!(link.is_none(), "no next page after the last");
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 10);

    let too_big = format!("/solutions/folders/{folder}/articles?per_page=101");
    let errors = validation_errors(get(&sim, &too_big).send().await.unwrap()).await;
    assert_eq!(
        errors,
        [("per_page".to_string(), "invalid_value".to_string())]
    );
    let zero = format!("/solutions/folders/{folder}/articles?page=0&per_page=100");
    let errors = validation_errors(get(&sim, &zero).send().await.unwrap()).await;
    assert_eq!(errors, [("page".to_string(), "invalid_value".to_string())]);
    let ok = format!("/solutions/folders/{folder}/articles?per_page=100");
    assert_eq!(get(&sim, &ok).send().await.unwrap().status(), 200);
    let unknown = get(&sim, "/solutions/folders/1/articles")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    sim.shutdown().await;
}

/// "List a Folder's Subfolders": `GET /solutions/folders/{folder_id}/subfolders`.
fn subfolders_path(folder: u64) -> String {
    format!("/solutions/folders/{folder}/subfolders")
}

#[tokio::test]
async fn the_subfolders_endpoint_needs_the_api_key() {
    let sim = sim().await;
    let folder = first_folder(&sim).await;
    let url = format!("{}{}", sim.api_base, subfolders_path(folder));
    let none = client().get(&url).send().await.unwrap();
    let (status, body) = json_of(none).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "invalid_credentials");
    let bearer = client()
        .get(&url)
        .bearer_auth(&sim.token)
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), 401);
    let wrong = client()
        .get(&url)
        .basic_auth("not-the-key", Some("X"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let ok = get(&sim, &subfolders_path(folder)).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    sim.shutdown().await;
}

/// The ids of the articles a folder's listing shows (all on one page).
async fn articles_in(sim: &Sim, folder: u64) -> Vec<u64> {
    let path = format!("/solutions/folders/{folder}/articles?per_page=100");
    let resp = get(sim, &path).send().await.unwrap();
    assert!(header(&resp, "link").is_none());
    let (status, list) = json_of(resp).await;
    assert_eq!(status, 200);
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| {
            assert_eq!(a["folder_id"], folder, "{a}");
            let h = a["hierarchy"].as_array().unwrap();
            assert_eq!(h.last().unwrap()["data"]["id"], folder, "{a}");
            a["id"].as_u64().unwrap()
        })
        .collect()
}

#[tokio::test]
async fn subfolders_nest_as_documented_and_hold_the_other_articles() {
    let sim = sim_with(P, |o| {
        o.rate_limit_per_minute = Some(0);
        o.articles = 40;
        o.images_per_article = 1;
    })
    .await;
    let (_, cats) = json_of(get(&sim, "/solutions/categories").send().await.unwrap()).await;
    let mut all: Vec<u64> = Vec::new();
    let mut deepest = 0;
    for cat in cats.as_array().unwrap() {
        let cat = cat["id"].as_u64().unwrap();
        let path = format!("/solutions/categories/{cat}/folders");
        let (_, folders) = json_of(get(&sim, &path).send().await.unwrap()).await;
        for top in folders.as_array().unwrap() {
            assert!(top.get("parent_folder_id").is_none(), "{top}");
            assert_eq!(top["sub_folders_count"], 1, "{top}");
            // Walk down: each level's answer is a bare array of the direct
            // subfolders, every field of the documented sample.
            let mut parent = top.clone();
            let mut level = 1;
            loop {
                let id = parent["id"].as_u64().unwrap();
                let ids = articles_in(&sim, id).await;
                assert_eq!(parent["articles_count"], ids.len(), "{parent}");
                all.extend(ids);
                let resp = get(&sim, &subfolders_path(id)).send().await.unwrap();
                assert!(header(&resp, "link").is_none(), "one answer, no pages");
                let (status, subs) = json_of(resp).await;
                assert_eq!(status, 200);
                let subs = subs.as_array().unwrap().clone();
                assert_eq!(
                    subs.len() as u64,
                    parent["sub_folders_count"].as_u64().unwrap()
                );
                let Some(sub) = subs.first() else { break };
                level += 1;
                deepest = deepest.max(level);
                for key in [
                    "id",
                    "name",
                    "description",
                    "parent_folder_id",
                    "hierarchy",
                    "articles_count",
                    "sub_folders_count",
                    "visibility",
                    "created_at",
                    "updated_at",
                ] {
                    assert!(sub.get(key).is_some(), "{key} in {sub}");
                }
                assert_eq!(sub["parent_folder_id"], id);
                let h = sub["hierarchy"].as_array().unwrap();
                assert_eq!(h.len(), level + 1, "category, then each folder level");
                assert_eq!(h[0]["type"], "category");
                assert_eq!(h[0]["data"]["id"], cat);
                for (n, entry) in h.iter().enumerate() {
                    assert_eq!(entry["level"], n);
                }
                assert_eq!(h[1]["data"]["id"], top["id"]);
                assert_eq!(h[level - 1]["data"]["id"], id);
                assert_eq!(h[level]["data"]["id"], sub["id"]);
                assert_eq!(h[level]["type"], "folder");
                parent = sub.clone();
            }
        }
    }
    assert_eq!(deepest, 3, "a sub-subfolder below every top-level folder");
    // Every article is in exactly one folder of the tree.
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n);
    assert_eq!(n as u64, sim.expected.articles);

    let unknown = get(&sim, &subfolders_path(1)).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn translations_are_listed_and_read_per_language() {
    let sim = sim().await;
    let (_, settings) = json_of(get(&sim, "/settings/helpdesk").send().await.unwrap()).await;
    assert_eq!(settings["primary_language"], "en");
    assert_eq!(settings["supported_languages"], json!(["de"]));

    let folder = first_folder(&sim).await;
    let path = format!("/solutions/folders/{folder}/articles/de");
    let (status, list) = json_of(get(&sim, &path).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let ids: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_u64().unwrap().to_string())
        .collect();
    assert!(ids.contains(&FIRST.to_string()), "{ids:?}");
    for a in list.as_array().unwrap() {
        let id = a["id"].as_u64().unwrap().to_string();
        assert_eq!(
            a["description"].as_str(),
            sim.article_html(&id, Some("de")).as_deref()
        );
    }

    let (status, de) = json_of(
        get(&sim, &format!("/solutions/articles/{FIRST}/de"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        de["description"].as_str(),
        sim.article_html(FIRST, Some("de")).as_deref()
    );
    assert_eq!(de["hierarchy"][0]["data"]["language"], "de");
    let (_, en) = json_of(
        get(&sim, &format!("/solutions/articles/{FIRST}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_ne!(en["description"], de["description"]);
    assert_eq!(en["id"], de["id"], "a translation keeps the article id");

    for missing in [
        format!("/solutions/articles/{FIRST}/fr"),
        "/solutions/articles/43000500001/de".to_string(),
        "/solutions/articles/1".to_string(),
    ] {
        let resp = get(&sim, &missing).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{missing}");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn update_takes_json_with_known_fields_only() {
    let sim = sim().await;
    let path = format!("/solutions/articles/{FIRST}");
    let before = sim.article_html(FIRST, None);

    let form = put(&sim, &path)
        .form(&[("description", "<p>x</p>")])
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(form).await;
    assert_eq!(status, 415);
    assert_eq!(body["code"], "invalid_content_type");

    let empty = put(&sim, &path).json(&json!({})).send().await.unwrap();
    assert_eq!(
        validation_errors(empty).await,
        [("description".to_string(), "missing_field".to_string())]
    );
    let other_providers_shape = put(&sim, &path)
        .json(&json!({"body": "<p>x</p>"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        validation_errors(other_providers_shape).await,
        [("body".to_string(), "invalid_field".to_string())]
    );
    let wrapped = put(&sim, &path)
        .json(&json!({"article": {"description": "<p>x</p>"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        validation_errors(wrapped).await,
        [("article".to_string(), "invalid_field".to_string())]
    );
    let not_string = put(&sim, &path)
        .json(&json!({"description": 5, "status": 3}))
        .send()
        .await
        .unwrap();
    let mut errors = validation_errors(not_string).await;
    errors.sort();
    assert_eq!(
        errors,
        [
            ("description".to_string(), "datatype_mismatch".to_string()),
            ("status".to_string(), "invalid_value".to_string())
        ]
    );
    let not_json = put(&sim, &path)
        .header("content-type", "application/json")
        .body("{\"description\": ")
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(not_json).await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "invalid_json");
    assert_eq!(sim.article_html(FIRST, None), before, "nothing changed");

    let (_, old) = json_of(get(&sim, &path).send().await.unwrap()).await;
    let ok = put(&sim, &path)
        .json(&json!({"description": "<p>new</p>"}))
        .send()
        .await
        .unwrap();
    let (status, new) = json_of(ok).await;
    assert_eq!(status, 200);
    assert_eq!(new["description"], "<p>new</p>");
    assert_eq!(
        (&new["title"], &new["status"]),
        (&old["title"], &old["status"]),
        "only the body changed"
    );
    assert_eq!(sim.article_html(FIRST, None).as_deref(), Some("<p>new</p>"));
    assert_ne!(
        sim.article_html(FIRST, Some("de")).as_deref(),
        Some("<p>new</p>")
    );

    // A translation is written at its own language.
    let ok = put(&sim, &format!("{path}/de"))
        .json(&json!({"description": "<p>neu</p>"}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(
        sim.article_html(FIRST, Some("de")).as_deref(),
        Some("<p>neu</p>")
    );
    assert_eq!(sim.article_html(FIRST, None).as_deref(), Some("<p>new</p>"));

    let missing = put(&sim, "/solutions/articles/1")
        .json(&json!({"description": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn rate_limit_headers_and_429() {
    let sim = sim_with(P, |o| o.rate_limit_per_minute = Some(2)).await;
    let first = get(&sim, "/agents/me").send().await.unwrap();
    assert_eq!(header(&first, "x-ratelimit-total").as_deref(), Some("2"));
    assert!(header(&first, "x-ratelimit-remaining").is_some());
    assert_eq!(
        header(&first, "x-ratelimit-used-currentrequest").as_deref(),
        Some("1")
    );
    get(&sim, "/agents/me").send().await.unwrap();
    let limited = get(&sim, "/agents/me").send().await.unwrap();
    assert_eq!(limited.status(), 429);
    let wait: u64 = header(&limited, "retry-after").unwrap().parse().unwrap();
    assert!(wait >= 1);
    let (_, body) = json_of(limited).await;
    assert!(body["message"].is_string());
    sim.shutdown().await;
}

#[tokio::test]
async fn the_documented_limit_is_the_growth_plan() {
    assert_eq!(P.documented_limit(), 200);
    assert_eq!(P.as_str(), "freshdesk");
    assert_eq!("freshdesk".parse::<SimProvider>(), Ok(P));
}

#[tokio::test]
async fn article_image_urls_are_absolute() {
    // Freshdesk article JSON has no public URL to resolve relative URLs
    // against, so the sample HTML only has absolute ones.
    let sim = sim().await;
    for i in 0..30u64 {
        let id = (43_000_500_000 + i).to_string();
        let html = sim.article_html(&id, None).unwrap();
        for attr in ["src=\"", "data-src=\"", "srcset=\""] {
            for part in html.split(attr).skip(1) {
                let url = part.split('"').next().unwrap();
                assert!(
                    url.starts_with("http://") || url.starts_with("data:image/"),
                    "{id}: {attr}{url}"
                );
            }
        }
    }
    sim.shutdown().await;
}
