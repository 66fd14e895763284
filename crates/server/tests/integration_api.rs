//! LaunchBrightly's Integration API, replayed request by request with its
//! own bodies (only ids, hosts and secrets changed) against the Zendesk
//! simulator and a real S3-compatible server (s3s-fs), answers checked field
//! by field; and the secrets sent are nowhere but sealed.

#[path = "../../core/tests/s3_server/mod.rs"]
mod s3_server;
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shotkeeper_sim::SimProvider;
use support::{error_body, TestServer};

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test]
async fn zendesk_integration_create_fetch_verify_update_delete() {
    let s = TestServer::start().await;
    let sim = support::sim(SimProvider::Zendesk, 3, |_| {}).await;
    let mut seen: Vec<String> = Vec::new();

    // Create, with the credentials of LaunchBrightly's Zendesk example
    // ("subdomain" as a full address) plus where the simulator listens.
    let (status, created) = s
        .post(
            "/integration",
            json!({
                "label": "Zendesk help center",
                "provider": "zendesk",
                "platform": "helpcenter",
                "credentials": {
                    "username": "agent@example.com",
                    "token": sim.token,
                    "subdomain": "https://demo.zendesk.com",
                    "baseUrl": sim.api_base
                }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    seen.push(created.to_string());
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(
        keys(&created),
        [
            "createdAt",
            "credentials",
            "hasSecret",
            "id",
            "label",
            "platform",
            "provider",
            "updatedAt"
        ]
    );
    assert_eq!(created["provider"], "zendesk");
    assert_eq!(created["platform"], "helpcenter");
    assert_eq!(
        created["credentials"],
        json!({
            "username": "agent@example.com",
            "subdomain": "demo",
            "baseUrl": sim.api_base,
            "token": "********"
        })
    );

    // Fetch: the same, the token masked.
    let (status, fetched) = s.get(&format!("/integration/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched, created);
    seen.push(fetched.to_string());

    // Verify by id: LaunchBrightly's sentence.
    let (status, verified) = s
        .post("/integration/verify", json!({ "integrationId": id }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        verified,
        json!({"isConnectionSuccessful": true, "message": "The helpcenter credentials has been successfully validated"})
    );

    // Verify plain-text credentials, as in its third example.
    let plain = |token: &str| {
        json!({
            "provider": "zendesk",
            "platform": "helpcenter",
            "credentials": {
                "username": "agent@example.com",
                "token": token,
                "subdomain": "https://demo.zendesk.com",
                "baseUrl": sim.api_base
            }
        })
    };
    let (status, verified) = s.post("/integration/verify", plain(&sim.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(verified["isConnectionSuccessful"], true);
    assert_eq!(
        verified["message"],
        "The helpcenter credentials has been successfully validated"
    );
    let (status, refused) = s.post("/integration/verify", plain("not-the-token")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(refused["isConnectionSuccessful"], false);
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("refused the credentials"),
        "{refused}"
    );
    assert_eq!(
        s.app.list_integrations().await.unwrap().len(),
        1,
        "verify stores nothing"
    );

    // Update: LaunchBrightly's answer shape; the token left masked is kept.
    let (status, updated) = s
        .put(
            "/integration",
            json!({
                "id": id,
                "label": "Zendesk (renamed)",
                "provider": "zendesk",
                "platform": "helpcenter",
                "credentials": {
                    "username": "agent@example.com",
                    "token": "********",
                    "subdomain": "demo",
                    "baseUrl": sim.api_base
                }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(keys(&updated), ["createdAt", "id", "message", "updatedAt"]);
    assert_eq!(updated["id"], id.as_str());
    assert_eq!(updated["createdAt"], created["createdAt"]);
    assert_eq!(
        updated["message"],
        "The Integration credentials have been successfully updated."
    );
    let (_, after) = s.get(&format!("/integration/{id}")).await;
    assert_eq!(after["label"], "Zendesk (renamed)");
    let (_, verified) = s
        .post("/integration/verify", json!({ "integrationId": id }))
        .await;
    assert_eq!(
        verified["isConnectionSuccessful"], true,
        "the kept token still works"
    );

    // The token is nowhere but sealed: not in any answer, not in the
    // SQLite file or its WAL.
    for answer in &seen {
        assert!(!answer.contains(&sim.token));
    }
    let db = std::fs::read(s.dir.path().join("shotkeeper.sqlite")).unwrap();
    let wal = std::fs::read(s.dir.path().join("shotkeeper.sqlite-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(!bytes
            .windows(sim.token.len())
            .any(|w| w == sim.token.as_bytes()));
    }
    let sealed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sealed_secrets WHERE integration_id = $1")
            .bind(&id)
            .fetch_one(s.app.pool())
            .await
            .unwrap();
    assert_eq!(sealed, 1);

    // Delete, then it is gone with the 404 of LaunchBrightly's integration API.
    let (status, deleted) = s
        .call(Method::DELETE, &format!("/integration/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        deleted,
        json!({"id": id, "message": "The Integration has been successfully deleted."})
    );
    let (status, gone) = s.get(&format!("/integration/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        gone["message"],
        format!("The record {id} does not exist or is invalid.")
    );
    assert_eq!(gone["statusCode"], 404);
    assert_eq!(gone["error"]["type"], "RESOURCE_NOT_FOUND");
    let sealed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sealed_secrets")
        .fetch_one(s.app.pool())
        .await
        .unwrap();
    assert_eq!(sealed, 0, "the sealed secret goes with the integration");

    // Unknown id for verify: the same 404.
    let (status, body) = s
        .post("/integration/verify", json!({ "integrationId": "nope" }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body["message"],
        "The record nope does not exist or is invalid."
    );
    s.stop().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn storage_credentials_verify_with_the_seed_sentences_and_update_as_the_seed_shows() {
    let s = TestServer::start().await;
    let s3 = s3_server::S3Server::start();
    // LaunchBrightly's plain-text R2 example, pointed at s3s-fs.
    let r2 = |bucket: &str| {
        json!({
            "platform": "cloud",
            "provider": "r2",
            "credentials": {
                "bucket": bucket,
                "accessKeyId": s3_server::ACCESS_KEY,
                "secretAccessKey": s3_server::SECRET_KEY,
                "accountId": "zzz",
                "region": "auto",
                "baseUrl": s3.endpoint()
            }
        })
    };
    let (status, body) = s.post("/integration/verify", r2("examplebucket")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(keys(&body), ["isConnectionSuccessful", "message"]);
    assert_eq!(body["isConnectionSuccessful"], false);
    // The sentence of LaunchBrightly's integration API, then what to do about it.
    let message = body["message"].as_str().unwrap();
    assert!(
        message.starts_with("The specified bucket does not exist. "),
        "{message}"
    );
    assert!(message.contains("check the bucket name"), "{message}");
    let (status, body) = s.post("/integration/verify", r2(s3_server::BUCKET)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"isConnectionSuccessful": true, "message": "The connection was successful"})
    );

    // Create S3 storage, then the update body of LaunchBrightly's integration API (same keys).
    let body = |label: &str| {
        json!({
            "label": label,
            "provider": "s3",
            "platform": "cloud",
            "credentials": {
                "bucket": s3_server::BUCKET,
                "accessKeyId": s3_server::ACCESS_KEY,
                "secretAccessKey": s3_server::SECRET_KEY,
                "accountId": "zzz",
                "region": "auto",
                "endpoint": s3.endpoint(),
                "pathStyle": true
            }
        })
    };
    let (status, created) = s
        .post("/integration", body("Dennis S3 Storage Credentials"))
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["credentials"]["secretAccessKey"], "********");
    assert_eq!(created["credentials"]["bucket"], s3_server::BUCKET);
    let mut update = body("Dennis S3 Storage Credentials");
    update["id"] = json!(id);
    let (status, updated) = s.put("/integration", update).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(
        updated["message"],
        "The Integration credentials have been successfully updated."
    );
    let (_, verified) = s
        .post("/integration/verify", json!({"integrationId": id}))
        .await;
    assert_eq!(
        verified,
        json!({"isConnectionSuccessful": true, "message": "The connection was successful"})
    );
    let db = std::fs::read(s.dir.path().join("shotkeeper.sqlite")).unwrap();
    let wal = std::fs::read(s.dir.path().join("shotkeeper.sqlite-wal")).unwrap_or_default();
    let secret = s3_server::SECRET_KEY.as_bytes();
    for bytes in [&db, &wal] {
        assert!(!bytes.windows(secret.len()).any(|w| w == secret));
    }

    // Update of an unknown id: 404 in the error object.
    let mut unknown = body("x");
    unknown["id"] = json!("55f5c789-1b87-4b82-91e5-3c3ad8b9393d");
    let (status, body) = s.put("/integration", unknown).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body["message"],
        "The record 55f5c789-1b87-4b82-91e5-3c3ad8b9393d does not exist or is invalid."
    );
    // A credential key no provider knows: 422 listing the valid ones.
    let (status, body) = s
        .post(
            "/integration/verify",
            json!({"platform": "cloud", "provider": "s3", "credentials": {"bukket": "x"}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body,
        error_body(
            422,
            "VALIDATION_ERROR",
            "credentials.bukket is not a credential of Amazon S3: use bucket, accessKeyId, region, endpoint, publicBaseUrl, prefix, pathStyle, accountId, secretAccessKey, baseUrl"
        )
    );
    s.stop().await;
}
