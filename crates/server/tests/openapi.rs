//! `/openapi.json` is generated (utoipa) and describes exactly the routes
//! the server has: every documented operation is served (neither 404 nor
//! 405), and every route the server lists is documented. Every response
//! names its schema (generated from the Rust types), and real answers of
//! every endpoint, success and error, match it field by field.

mod support;

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shotkeeper_server::ROUTES;
use shotkeeper_sim::SimProvider;
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

/// Follows a `$ref` into `components.schemas`.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("a $ref outside components.schemas: {r}"));
            let target = &doc["components"]["schemas"][name];
            assert!(!target.is_null(), "{r} names no schema");
            resolve(doc, target)
        }
        None => schema,
    }
}

fn type_matches(t: &str, value: &Value) -> bool {
    match t {
        "null" => value.is_null(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        other => panic!("unknown JSON type {other}"),
    }
}

/// Whether `value` is what `schema` documents, strictly: every field of an
/// answer is a documented property (or falls under additionalProperties),
/// every required property is present, every type is right. The path
/// says where it is not.
fn check(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(doc, schema);
    if let Some(all) = schema["allOf"].as_array() {
        // The properties of every part together (a flattened struct).
        let mut merged = serde_json::Map::new();
        let mut required = Vec::new();
        for part in all {
            let part = resolve(doc, part);
            if let Some(p) = part["properties"].as_object() {
                merged.extend(p.clone());
            }
            if let Some(r) = part["required"].as_array() {
                required.extend(r.clone());
            }
        }
        let joined = json!({"type": "object", "properties": merged, "required": required});
        return check(doc, &joined, value, at);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(any) = schema[key].as_array() {
            let errors: Vec<String> = any
                .iter()
                .filter_map(|s| check(doc, s, value, at).err())
                .collect();
            return if errors.len() < any.len() {
                Ok(())
            } else {
                Err(errors.join(" | "))
            };
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        if !values.contains(value) {
            return Err(format!("{at}: {value} is not one of {values:?}"));
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return Ok(()), // any value (serde_json::Value fields)
    };
    if !types.iter().any(|t| type_matches(t, value)) {
        return Err(format!("{at}: {value} is not {types:?}"));
    }
    match value {
        Value::Object(fields) => {
            let props = schema["properties"].as_object();
            for (k, v) in fields {
                let sub = props.and_then(|p| p.get(k));
                match (sub, &schema["additionalProperties"]) {
                    (Some(s), _) => check(doc, s, v, &format!("{at}.{k}"))?,
                    (None, extra) if extra.is_object() => {
                        check(doc, extra, v, &format!("{at}.{k}"))?
                    }
                    (None, Value::Bool(true)) => {}
                    _ => return Err(format!("{at}.{k} is not documented")),
                }
            }
            for r in schema["required"].as_array().into_iter().flatten() {
                let r = r.as_str().unwrap();
                if !fields.contains_key(r) {
                    return Err(format!("{at}.{r} is required but absent"));
                }
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                check(doc, &schema["items"], v, &format!("{at}[{i}]"))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The schema an operation documents for a status.
fn documented<'a>(doc: &'a Value, method: &str, path: &str, status: u16) -> &'a Value {
    let schema = &doc["paths"][path][method.to_lowercase()]["responses"][status.to_string()]
        ["content"]["application/json"]["schema"];
    assert!(
        !schema.is_null(),
        "{method} {path} documents no JSON schema for {status}"
    );
    schema
}

#[tokio::test]
async fn every_response_names_its_schema_and_real_answers_conform() {
    let s = TestServer::start().await;
    let doc: Value = s
        .http
        .get(s.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    // Every documented response of every operation names a schema, and
    // every schema it reaches exists.
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            for (status, response) in op["responses"].as_object().unwrap() {
                let schema = &response["content"]["application/json"]["schema"];
                assert!(
                    !schema.is_null(),
                    "{method} {path} {status} names no schema: {response}"
                );
                let text = schema.to_string();
                for piece in text.split("\"$ref\":\"").skip(1) {
                    let r = piece.split('"').next().unwrap();
                    let name = r.trim_start_matches("#/components/schemas/");
                    assert!(
                        !doc["components"]["schemas"][name].is_null(),
                        "{method} {path} {status}: {r} names no schema"
                    );
                }
            }
        }
    }
    let job_view = documented(&doc, "GET", "/helpcenter/import/{id}", 200);
    assert_eq!(job_view["$ref"], "#/components/schemas/JobView");

    // Real answers, checked field by field against what the document says.
    let sim = support::sim(SimProvider::Helpjuice, 4, |_| {}).await;
    let integration = s.connect(SimProvider::Helpjuice, &sim).await;
    let (job, _) = s.import(&integration).await;
    let (_, articles) = s
        .get(&format!("/helpcenter/import/{job}?dimension=articles"))
        .await;
    let article = articles["articles"][0]["external_article_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let calls: Vec<(Method, String, &str, Option<Value>)> = vec![
        (Method::GET, "/integration".into(), "/integration", None),
        (
            Method::GET,
            format!("/integration/{integration}"),
            "/integration/{id}",
            None,
        ),
        (
            Method::GET,
            "/integration/no-such-id".into(),
            "/integration/{id}",
            None,
        ),
        (
            Method::POST,
            "/integration/verify".into(),
            "/integration/verify",
            Some(json!({ "integrationId": integration })),
        ),
        (
            Method::GET,
            "/helpcenter/import".into(),
            "/helpcenter/import",
            None,
        ),
        (
            Method::GET,
            format!("/helpcenter/import/{job}"),
            "/helpcenter/import/{id}",
            None,
        ),
        (
            Method::GET,
            format!("/helpcenter/import/{job}?dimension=articles"),
            "/helpcenter/import/{id}",
            None,
        ),
        (
            Method::GET,
            "/helpcenter/import/no-such-job".into(),
            "/helpcenter/import/{id}",
            None,
        ),
        (
            Method::GET,
            format!("/helpcenter/import/{job}/audit"),
            "/helpcenter/import/{id}/audit",
            None,
        ),
        (
            Method::GET,
            format!("/helpcenter/article/{article}?integrationId={integration}"),
            "/helpcenter/article/{external_article_id}",
            None,
        ),
        (
            Method::PUT,
            format!("/helpcenter/article/{article}"),
            "/helpcenter/article/{external_article_id}",
            Some(json!({
                "integrationId": integration,
                "screenshots": [{"metadata": {}, "hash": "", "name": "x.png", "url": "ftp://example.com/x.png"}],
            })),
        ),
        (
            Method::GET,
            format!("/helpcenter/article/{article}/revisions?integrationId={integration}"),
            "/helpcenter/article/{external_article_id}/revisions",
            None,
        ),
        (
            Method::POST,
            "/helpcenter/revision/no-such-revision/rollback".into(),
            "/helpcenter/revision/{id}/rollback",
            None,
        ),
        (
            Method::DELETE,
            format!("/integration/{integration}"),
            "/integration/{id}",
            None,
        ),
    ];
    // The check itself refuses what is not documented.
    let error_schema = documented(&doc, "GET", "/helpcenter/import/{id}", 404);
    let mut extra = support::error_body(404, "RESOURCE_NOT_FOUND", "m");
    assert!(check(&doc, error_schema, &extra, "answer").is_ok());
    extra["undocumented"] = json!(1);
    assert!(check(&doc, error_schema, &extra, "answer").is_err());
    assert!(check(&doc, error_schema, &json!({"message": "m"}), "answer").is_err());

    for (method, url, path, body) in calls {
        let (status, answer) = s.call(method.clone(), &url, body).await;
        let schema = documented(&doc, method.as_str(), path, status.as_u16());
        if let Err(e) = check(&doc, schema, &answer, "answer") {
            panic!("{method} {url} answered {status} not as documented: {e}\n{answer}");
        }
    }
    s.stop().await;
}
