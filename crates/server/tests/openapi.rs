//! `/openapi.json` is generated (utoipa) and describes exactly the routes
//! the server has: every documented operation is served (neither 404 nor
//! 405), and every route the server lists is documented.

mod support;

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use shotkeeper_server::ROUTES;
use support::TestServer;

#[tokio::test]
async fn the_openapi_document_and_the_routes_agree() {
    let s = TestServer::start().await;
    let resp = s.http.get(s.url("/openapi.json")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let doc: serde_json::Value = resp.json().await.unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["api_key"],
        serde_json::json!({"type": "apiKey", "in": "header", "name": "x-api-key"})
    );

    let mut documented = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let listed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .filter(|(_, p)| !["/healthz", "/openapi.json"].contains(p))
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(documented, listed);

    // Each listed route is served: filled-in parameters reach a handler,
    // which may answer 404 for the record, but never "no such route" or
    // "method not allowed".
    for (method, path) in ROUTES {
        let concrete = path
            .replace("{id}", "no-such-id")
            .replace("{external_article_id}", "no-such-article");
        let (status, body) = s
            .call(
                Method::from_bytes(method.as_bytes()).unwrap(),
                &concrete,
                None,
            )
            .await;
        assert_ne!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {body}"
        );
        assert_ne!(
            body["error"]["type"], "ROUTE_NOT_FOUND",
            "{method} {path}: {body}"
        );
    }
    s.stop().await;
}
