//! Keys and refusals: every endpoint but /healthz needs a live key, and
//! every refusal (401, 400, 413, 422, 404, 405) comes in the error object
//! of LaunchBrightly's API and changes nothing.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::{answer, error_body, TestServer};

#[tokio::test]
async fn healthz_is_open_and_everything_else_needs_a_live_key() {
    let s = TestServer::start().await;
    let (status, body) = answer(s.http.get(s.url("/healthz")).send().await.unwrap()).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "ok"})));

    let (status, body) = answer(
        s.http
            .get(s.url("/helpcenter/import"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body,
        error_body(
            401,
            "UNAUTHORIZED",
            "the x-api-key header is missing: create a key with `shotkeeper api-key create --label NAME` and send it as x-api-key"
        )
    );

    let wrong = format!("{}0", &s.key[..s.key.len() - 1]);
    let wrong = if wrong == s.key {
        format!("{}1", &s.key[..s.key.len() - 1])
    } else {
        wrong
    };
    let (status, body) = answer(
        s.http
            .get(s.url("/helpcenter/import"))
            .header("x-api-key", wrong)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["type"], "UNAUTHORIZED");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("not a valid key"));

    // The live key works; the answer is the empty job list.
    let (status, body) = s.get("/helpcenter/import").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"items": [], "page": 1, "pageSize": 50, "total": 0})
    );

    // Its use is recorded, the key itself is nowhere in the database.
    let keys = s.app.list_api_keys().await.unwrap();
    assert!(keys[0].last_used_at.is_some());
    let db = std::fs::read(s.dir.path().join("shotkeeper.sqlite")).unwrap();
    let wal = std::fs::read(s.dir.path().join("shotkeeper.sqlite-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(!bytes.windows(s.key.len()).any(|w| w == s.key.as_bytes()));
    }

    // Revoked: refused from the next request on.
    s.app.revoke_api_key(&keys[0].id).await.unwrap();
    let (status, _) = s.get("/helpcenter/import").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    s.stop().await;
}

#[tokio::test]
async fn malformed_oversized_unknown_and_misrouted_requests_get_the_error_object() {
    let s = TestServer::start().await;
    // 400: not JSON.
    let (status, body) = answer(
        s.http
            .post(s.url("/integration"))
            .header("x-api-key", &s.key)
            .header("content-type", "application/json")
            .body("{\"label\": ")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["statusCode"], 400);
    assert_eq!(body["error"]["type"], "BAD_REQUEST");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .starts_with("the request body is not valid JSON"));

    // 422: unknown provider, named with the valid values.
    let (status, body) = s
        .post(
            "/integration",
            json!({"label": "x", "provider": "dropbox", "platform": "cloud", "credentials": {}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body,
        error_body(
            422,
            "VALIDATION_ERROR",
            "provider: unknown provider 'dropbox': use one of zendesk, intercom, helpscout, helpjuice, freshdesk, knowledgeowl, helpcenterio, helpcenter, s3, r2"
        )
    );

    // 422: a wrong type names its field by path.
    let (status, body) = s
        .post("/helpcenter/import", json!({"integrationId": 42}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["type"], "VALIDATION_ERROR");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("integrationId: invalid type: integer `42`, expected a string"),
        "{body}"
    );

    // 422: a missing field is named.
    let (status, body) = s.post("/helpcenter/import", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["message"], "missing field `integrationId`");

    // 422: an S3 credential missing, in the API's own key.
    let (status, body) = s
        .post(
            "/integration",
            json!({"label": "S3", "provider": "s3", "platform": "cloud",
                   "credentials": {"accessKeyId": "a", "secretAccessKey": "b", "region": "auto"}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("credentials.bucket is required for Amazon S3"),
        "{body}"
    );

    // 422: platform that does not fit the provider.
    let (status, body) = s
        .post(
            "/integration",
            json!({"label": "S3", "provider": "s3", "platform": "helpcenter", "credentials": {}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["message"],
        "platform: s3 is a cloud storage provider, so platform must be \"cloud\""
    );

    // 413: over the body limit.
    let big = format!("{{\"integrationId\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let (status, body) = answer(
        s.http
            .post(s.url("/helpcenter/import"))
            .header("x-api-key", &s.key)
            .header("content-type", "application/json")
            .body(big)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["statusCode"], 413);
    assert_eq!(body["error"]["type"], "PAYLOAD_TOO_LARGE");

    // 404: no such route.
    let (status, body) = s.get("/helpcenter/nothing").await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            error_body(
                404,
                "ROUTE_NOT_FOUND",
                "there is no endpoint GET /helpcenter/nothing: see GET /openapi.json for the endpoints"
            )
        )
    );

    // 405: a route, but not this method.
    let (status, body) = s
        .call(reqwest::Method::DELETE, "/helpcenter/import", None)
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::METHOD_NOT_ALLOWED,
            error_body(
                405,
                "METHOD_NOT_ALLOWED",
                "DELETE is not allowed on /helpcenter/import: see GET /openapi.json for the methods of each endpoint"
            )
        )
    );

    // Nothing of the refused requests was stored.
    assert!(s.app.list_integrations().await.unwrap().is_empty());
    assert!(s.app.list_jobs().await.unwrap().is_empty());
    s.stop().await;
}

#[test]
fn a_non_loopback_address_needs_tls_or_an_explicit_risk() {
    use shotkeeper_server::{check_listen, ServeOptions};
    let open = ServeOptions {
        listen: "0.0.0.0:8787".parse().unwrap(),
        tls: None,
        insecure_listen: false,
        take_queued_jobs: true,
    };
    let e = check_listen(&open).unwrap_err();
    assert!(e.0.contains("--tls-cert FILE --tls-key FILE"), "{e}");
    assert!(check_listen(&ServeOptions {
        insecure_listen: true,
        ..open.clone()
    })
    .is_ok());
    assert!(check_listen(&ServeOptions {
        tls: Some(("c.pem".into(), "k.pem".into())),
        ..open.clone()
    })
    .is_ok());
    assert!(check_listen(&ServeOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..open
    })
    .is_ok());
}
