//! LaunchBrightly's import/sync API replayed against a simulator through the
//! server: start an import, watch it, read both dimensions, retrieve an
//! article, update it with screenshots given by URL (some unusable), two
//! updates of one article at once, revisions and rollback.

mod support;

use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::{json, Value};
use shotkeeper_core::model::Dimension;
use shotkeeper_sim::SimProvider;
use support::TestServer;

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn import_progress_dimensions_and_unknown_job() {
    let s = TestServer::start().await;
    let sim = support::sim(SimProvider::Helpjuice, 12, |_| {}).await;
    let integration = s.connect(SimProvider::Helpjuice, &sim).await;
    let (job, images) = s.import(&integration).await;

    // Exactly what core says of the job, in the shape of LaunchBrightly's import API.
    let core = s.app.job_view(&job, Some(Dimension::Images)).await.unwrap();
    assert_eq!(images, serde_json::to_value(&core).unwrap());
    // Gzipped to a client that accepts it (the answer above came through
    // reqwest's transparent gzip), plain JSON to one that does not.
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    for (accept, encoding) in [("gzip, deflate", Some("gzip")), ("identity", None)] {
        let resp = raw
            .get(s.url(&format!("/helpcenter/import/{job}")))
            .header("x-api-key", &s.key)
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(
            resp.headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            encoding
        );
        let body = resp.bytes().await.unwrap();
        if encoding.is_none() {
            assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), images);
        } else {
            assert_eq!(&body[..2], &[0x1f, 0x8b], "a gzip stream");
        }
    }
    assert_eq!(
        keys(&images),
        sorted(&["id", "name", "summary", "total", "images"])
    );
    assert_eq!(images["name"], "Helpjuice simulator Import");
    assert_eq!(
        keys(&images["summary"]),
        sorted(&["total", "success", "pending", "failed", "skipped"])
    );
    assert_eq!(
        keys(&images["total"]["articles"]),
        sorted(&[
            "discovered",
            "processed",
            "total",
            "success",
            "pending",
            "failed",
            "skipped"
        ])
    );
    assert_eq!(
        keys(&images["total"]["images"]),
        sorted(&["total", "unique", "duplicate"])
    );
    assert_eq!(images["summary"]["pending"], 0);
    let first = &images["images"][0];
    assert_eq!(
        keys(first),
        sorted(&[
            "url",
            "name",
            "alt",
            "type",
            "width",
            "height",
            "statusCode",
            "size",
            "hash",
            "tags",
            "metadata",
            "articlesCount",
            "articles"
        ])
    );
    assert_eq!(
        keys(&first["articles"][0]),
        sorted(&["kbid", "external_article_id", "url", "title", "isPublished"])
    );

    // The default dimension is images; articles on request.
    let (_, explicit) = s
        .get(&format!("/helpcenter/import/{job}?dimension=images"))
        .await;
    assert_eq!(explicit, images);
    let (status, articles) = s
        .get(&format!("/helpcenter/import/{job}?dimension=articles"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let core = s
        .app
        .job_view(&job, Some(Dimension::Articles))
        .await
        .unwrap();
    assert_eq!(articles, serde_json::to_value(&core).unwrap());
    assert_eq!(
        keys(&articles),
        sorted(&["id", "name", "summary", "total", "articles"])
    );
    assert_eq!(
        keys(&articles["articles"][0]),
        sorted(&[
            "id",
            "external_article_id",
            "kbid",
            "title",
            "isPublished",
            "url",
            "status",
            "images",
            "tags",
            "content",
            "createdAt",
            "updatedAt"
        ])
    );
    let (status, body) = s
        .get(&format!("/helpcenter/import/{job}?dimension=authors"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["message"],
        "dimension: unknown dimension 'authors': use images or articles"
    );

    // LaunchBrightly's 404, word for word.
    let unknown = "05364d66-90ee-45b8-a04f-9eb539fa0000";
    let (status, body) = s.get(&format!("/helpcenter/import/{unknown}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body,
        json!({
            "message": "The record 05364d66-90ee-45b8-a04f-9eb539fa0000 does not exist or is invalid.",
            "statusCode": 404,
            "error": {
                "message": "The ImportRequest id could not be found: 05364d66-90ee-45b8-a04f-9eb539fa0000",
                "type": "RESOURCE_NOT_FOUND"
            }
        })
    );

    // The job list, newest first, paginated.
    let (_, list) = s.get("/helpcenter/import?page=1&pageSize=10").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], job.as_str());
    assert_eq!(list["items"][0]["status"], "completed");

    // The audit of the import.
    let (status, audit) = s.get(&format!("/helpcenter/import/{job}/audit")).await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    let (status, _) = s.get(&format!("/helpcenter/import/{unknown}/audit")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Resuming a completed job says why not; cancelling a finished one too.
    let (status, body) = s
        .post(&format!("/helpcenter/import/{job}/resume"), json!({}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["message"].as_str().unwrap().contains("is completed"));
    let (status, _) = s
        .post(&format!("/helpcenter/import/{job}/cancel"), json!({}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    s.stop().await;
    sim.shutdown().await;
}

/// An article with `n` images whose file names no other image of the
/// import has, so that a screenshot of that name replaces exactly it.
fn article_with_unique_images(images: &Value, n: usize) -> (String, Vec<(String, String)>) {
    let all = images["images"].as_array().unwrap();
    let mut by_article: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for i in all {
        if i["statusCode"] == 200
            // One article (its translations may share the image).
            && i["articles"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["external_article_id"] == i["articles"][0]["external_article_id"])
            && i["articles"][0]["isPublished"] == true
            && all.iter().filter(|o| o["name"] == i["name"]).count() == 1
        {
            by_article
                .entry(
                    i["articles"][0]["external_article_id"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                )
                .or_default()
                .push((
                    i["name"].as_str().unwrap().to_owned(),
                    i["url"].as_str().unwrap().to_owned(),
                ));
        }
    }
    let mut found: Vec<_> = by_article
        .into_iter()
        .filter(|(_, v)| v.len() >= n)
        .collect();
    found.sort();
    let (article, mut imgs) = found
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no article has {n} uniquely named images: {images}"));
    imgs.truncate(n);
    (article, imgs)
}

#[tokio::test]
async fn retrieve_and_update_an_article_with_screenshots_by_url() {
    let s = TestServer::start().await;
    let sim = support::sim(SimProvider::Helpcenter, 16, |o| o.images_per_article = 6).await;
    let integration = s.connect(SimProvider::Helpcenter, &sim).await;
    let (job, images) = s.import(&integration).await;
    let (article, targets) = article_with_unique_images(&images, 3);

    // Retrieve: integrationId in the body as LaunchBrightly sends it...
    let resp = s
        .http
        .get(s.url(&format!("/helpcenter/article/{article}")))
        .header("x-api-key", &s.key)
        .json(&json!({ "integrationId": integration }))
        .send()
        .await
        .unwrap();
    let (status, retrieved) = support::answer(resp).await;
    assert_eq!(status, StatusCode::OK, "{retrieved}");
    assert_eq!(
        keys(&retrieved),
        sorted(&[
            "id",
            "isPublished",
            "content",
            "images",
            "images_count",
            "title",
            "url",
            "importRequestId",
            "createdOn",
            "tags"
        ])
    );
    assert_eq!(retrieved["id"], article.as_str());
    assert_eq!(retrieved["importRequestId"], job.as_str());
    assert_eq!(
        retrieved["images_count"].as_u64().unwrap() as usize,
        retrieved["images"].as_array().unwrap().len()
    );
    assert_eq!(
        keys(&retrieved["images"][0]),
        sorted(&[
            "url",
            "alt",
            "name",
            "type",
            "width",
            "height",
            "size",
            "statusCode",
            "hash",
            "metadata"
        ])
    );
    // ...or as a query parameter; the same article.
    let (status, by_query) = s
        .get(&format!(
            "/helpcenter/article/{article}?integrationId={integration}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_query["content"], retrieved["content"]);
    // Neither: 422 naming the field.
    let (status, body) = s.get(&format!("/helpcenter/article/{article}")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["message"]
        .as_str()
        .unwrap()
        .starts_with("integrationId: required"));
    // An article the help center does not have: 5xx, RUNTIME_ERROR.
    let (status, body) = s
        .get(&format!(
            "/helpcenter/article/999999999?integrationId={integration}"
        ))
        .await;
    assert!(status.is_server_error(), "{status} {body}");
    assert_eq!(body["statusCode"], status.as_u16());
    assert_eq!(body["error"]["type"], "RUNTIME_ERROR");

    // Update: one good screenshot (named as the image it replaces), and
    // three that cannot be used, each failing alone with its reason.
    let (name, old_url) = targets[0].clone();
    let host = support::file_host(vec![
        ("/shots/one.png", support::picture(11), "image/png"),
        ("/shots/two.png", support::picture(22), "image/png"),
        ("/shots/three.png", support::picture(33), "image/png"),
        (
            "/shots/notes.txt",
            b"just text, not a picture".to_vec(),
            "text/plain",
        ),
    ])
    .await;
    let shot = |name: &str, url: String| json!({"metadata": {"name": "John", "surname": "Doe"}, "hash": "4d441888f21eceed2443eef4ba9b4e4d6c198f86904c258d476fed10a6b2e555", "name": name, "url": url});
    let (status, result) = s
        .put(
            &format!("/helpcenter/article/{article}"),
            json!({
                "integrationId": integration,
                "screenshots": [
                    shot(&name, format!("{}/shots/one.png", host.base)),
                    shot("ftp.png", "ftp://example.com/a.png".into()),
                    shot("gone.png", format!("{}/shots/gone.png", host.base)),
                    shot("notes.png", format!("{}/shots/notes.txt", host.base)),
                ]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(
        result["summary"],
        json!({"total": 4, "success": 1, "failed": 3})
    );
    let shots = result["screenshots"].as_array().unwrap();
    let ok = &shots[0];
    assert_eq!(ok["status"], "success", "{result}");
    assert_eq!(ok["matchType"], "name");
    assert_eq!(ok["name"], name.as_str());
    let image = images["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["url"] == old_url.as_str())
        .unwrap();
    assert_eq!(
        ok["hash"], image["hash"],
        "the hash of the image replaced, as in the seed"
    );
    for key in ["metadata", "hash", "name", "status", "matchType"] {
        assert!(ok.get(key).is_some(), "{key} in {ok}");
    }
    let reasons: Vec<(&str, &str)> = shots[1..]
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(shots[1]["status"], "failed");
    assert_eq!(
        reasons[0],
        ("ftp.png", "url must be http:// or https://, not ftp:")
    );
    assert_eq!(reasons[1], ("gone.png", "the url answered HTTP 404"));
    assert_eq!(reasons[2].0, "notes.png");
    assert!(reasons[2].1.starts_with("the download"), "{}", reasons[2].1);
    // Compared by path: the article may reference its images relatively.
    let old_url = old_url.replace(&sim.site_base, "");
    let html = sim.article_html(&article, None).unwrap();
    assert!(!html.contains(&old_url), "the old image is gone");
    assert_eq!(
        html.matches(&format!("{}/uploads/", sim.site_base)).count(),
        1,
        "the upload is in"
    );

    // Two updates of the same article at once, each replacing another
    // image: run one after the other, both changes are in the article.
    let (second_name, second_url) = targets[1].clone();
    let (third_name, third_url) = targets[2].clone();
    let path = format!("/helpcenter/article/{article}");
    let first = s.put(
        &path,
        json!({"integrationId": integration, "screenshots": [shot(&second_name, format!("{}/shots/two.png", host.base))]}),
    );
    let second = s.put(
        &path,
        json!({"integrationId": integration, "screenshots": [shot(&third_name, format!("{}/shots/three.png", host.base))]}),
    );
    let ((s1, r1), (s2, r2)) = tokio::join!(first, second);
    let second_url = second_url.replace(&sim.site_base, "");
    let third_url = third_url.replace(&sim.site_base, "");
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK), "{r1} {r2}");
    assert_eq!(
        r1["summary"],
        json!({"total": 1, "success": 1, "failed": 0}),
        "{r1}"
    );
    assert_eq!(
        r2["summary"],
        json!({"total": 1, "success": 1, "failed": 0}),
        "{r2}"
    );
    let html = sim.article_html(&article, None).unwrap();
    assert!(!html.contains(&second_url), "the second image is replaced");
    assert!(!html.contains(&third_url), "the third image is replaced");
    assert!(!html.contains(&old_url), "the first replacement is kept");
    assert_eq!(
        html.matches(&format!("{}/uploads/", sim.site_base)).count(),
        3
    );

    // Revisions of the article, newest first; roll the latest back.
    let (status, revs) = s
        .get(&format!(
            "/helpcenter/article/{article}/revisions?integrationId={integration}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{revs}");
    let list = revs["revisions"].as_array().unwrap();
    assert!(list.len() >= 2, "{revs}");
    let latest = list[0]["id"].as_str().unwrap();
    let (status, rolled) = s
        .post(
            &format!("/helpcenter/revision/{latest}/rollback"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rolled}");
    let change = &list[0]["changes"][0];
    let html = sim.article_html(&article, None).unwrap();
    assert!(
        html.contains(change["oldValue"].as_str().unwrap()),
        "the rollback put the image of the latest update back"
    );
    assert!(!html.contains(change["newValue"].as_str().unwrap()));
    assert_eq!(
        html.matches(&format!("{}/uploads/", sim.site_base)).count(),
        2
    );
    let (status, body) = s
        .post("/helpcenter/revision/no-such-revision/rollback", json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    // An article no import of the integration has: 404 saying to import it.
    let (status, body) = s
        .put(
            "/helpcenter/article/999999999",
            json!({"integrationId": integration, "screenshots": [shot("a.png", format!("{}/shots/one.png", host.base))]}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("import it first"),
        "{body}"
    );

    // An integration that does not exist: 404, nothing downloaded.
    let (status, body) = s
        .put(
            &format!("/helpcenter/article/{article}"),
            json!({"integrationId": "nope", "screenshots": [shot("a.png", format!("{}/shots/one.png", host.base))]}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    s.stop().await;
    sim.shutdown().await;
}
