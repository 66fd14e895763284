//! Turning a failed call into a [`CoreError`] a person can act on: the
//! provider's own message when it sent one, the endpoint, never the secret.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::Value;

use super::retry::Failure;
use super::HttpConfig;
use crate::error::CoreError;

/// Longest provider message quoted in an error.
const MAX_DETAIL_CHARS: usize = 300;
/// Most of an error body that is read; error bodies are small, a runaway one
/// must not be buffered whole.
const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// A final non-2xx answer, as handed to a provider's [`ErrorHook`].
#[derive(Debug, Clone, Copy)]
pub struct ErrorResponse<'a> {
    pub provider: &'a str,
    pub endpoint: &'a str,
    pub status: u16,
    /// The body as text (at most 64 KiB).
    pub body: &'a str,
    /// The provider's message extracted from `body`, already truncated.
    pub detail: &'a str,
}

/// Returns `Some` to replace the default mapping of a failed answer.
pub type ErrorHook = Arc<dyn Fn(&ErrorResponse<'_>) -> Option<CoreError> + Send + Sync>;

pub(super) async fn into_error(
    failure: Failure,
    cfg: &HttpConfig,
    endpoint: &str,
    host: &str,
    attempts: u32,
) -> CoreError {
    match failure {
        Failure::Transport(e) => transport_error(&e, cfg, endpoint, host, attempts),
        Failure::Status(resp) => {
            let status = resp.status();
            let body = read_capped(resp).await;
            status_error(cfg, endpoint, status, &body, attempts)
        }
    }
}

/// The default mapping of a final status, after the provider's hook.
pub(super) fn status_error(
    cfg: &HttpConfig,
    endpoint: &str,
    status: StatusCode,
    body: &str,
    attempts: u32,
) -> CoreError {
    let body = &redact(body, &cfg.redact);
    let detail = extract_detail(body);
    let answer = ErrorResponse {
        provider: &cfg.provider,
        endpoint,
        status: status.as_u16(),
        body,
        detail: &detail,
    };
    if let Some(err) = cfg.on_error.as_ref().and_then(|hook| hook(&answer)) {
        return err;
    }
    let provider = cfg.provider.clone();
    let endpoint = endpoint.to_string();
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => CoreError::BadCredentials {
            provider,
            endpoint,
            status: status.as_u16(),
        },
        StatusCode::NOT_FOUND => CoreError::NotFound {
            what: format!("{provider} resource at {endpoint}"),
        },
        StatusCode::TOO_MANY_REQUESTS => CoreError::RateLimited {
            provider,
            endpoint,
            attempts,
        },
        _ => CoreError::Http {
            provider,
            endpoint,
            status: status.as_u16(),
            detail: if detail.is_empty() {
                status
                    .canonical_reason()
                    .unwrap_or("no message")
                    .to_string()
            } else {
                detail
            },
        },
    }
}

pub(super) fn transport_error(
    e: &reqwest::Error,
    cfg: &HttpConfig,
    endpoint: &str,
    host: &str,
    attempts: u32,
) -> CoreError {
    if e.is_timeout() {
        return CoreError::Timeout {
            provider: cfg.provider.clone(),
            endpoint: endpoint.to_string(),
            attempts,
        };
    }
    CoreError::Unreachable {
        host: host.to_string(),
        detail: transport_detail(e),
    }
}

/// The root cause of a transport error ("Connection refused (os error
/// 111)"), without the URL reqwest puts in its own message.
pub(super) fn transport_detail(e: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let text = cause.to_string();
    if std::ptr::addr_eq(cause, e as &dyn std::error::Error) {
        // No deeper cause: reqwest's own text, minus the URL it appends.
        let without_url = text.split(" for url (").next().unwrap_or(&text);
        return truncate(without_url);
    }
    truncate(&text)
}

/// `host` or `host:port`, for "could not reach ..." messages.
pub(super) fn host_of(url: &reqwest::Url) -> String {
    let host = url.host_str().unwrap_or("(no host)");
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

async fn read_capped(mut resp: reqwest::Response) -> String {
    let mut buf = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        buf.extend_from_slice(&chunk);
        if buf.len() >= MAX_ERROR_BODY_BYTES {
            buf.truncate(MAX_ERROR_BODY_BYTES);
            break;
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// The provider's message from an error body, in the shapes the supported
/// providers use: `{"error":{"message"}}`, `{"error":"..."}`,
/// `{"message"}`, `{"errors":[{field: msg}]}`, `{"errors":{field:[msg]}}`,
/// bare `{field:[msg]}`; plain text as is; an HTML page is not quoted.
pub fn extract_detail(body: &str) -> String {
    let trimmed = body.trim();
    if trimmed.is_empty() || trimmed.starts_with('<') {
        return String::new();
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(v) => truncate(&json_message(&v).unwrap_or_default()),
        Err(_) => truncate(trimmed),
    }
}

fn json_message(v: &Value) -> Option<String> {
    let obj = v.as_object()?;
    for key in ["error", "message", "detail", "error_description"] {
        match obj.get(key) {
            Some(Value::String(s)) if !s.is_empty() => return Some(s.clone()),
            Some(nested @ Value::Object(_)) => {
                if let Some(m) = json_message(nested) {
                    return Some(m);
                }
            }
            _ => {}
        }
    }
    if let Some(errors) = obj.get("errors") {
        return Some(field_messages(errors));
    }
    // The bare validation shape {field: [msg]}.
    obj.values()
        .all(|v| v.is_array())
        .then(|| field_messages(v))
        .filter(|s| !s.is_empty())
}

/// `email is not valid; title must be present`.
fn field_messages(v: &Value) -> String {
    let mut out = Vec::new();
    collect_fields(v, None, &mut out);
    out.join("; ")
}

fn collect_fields(v: &Value, field: Option<&str>, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(match field {
            Some(f) => format!("{f} {s}"),
            None => s.clone(),
        }),
        Value::Array(items) => items.iter().for_each(|i| collect_fields(i, field, out)),
        Value::Object(map) => map
            .iter()
            .for_each(|(k, v)| collect_fields(v, Some(k.as_str()), out)),
        _ => {}
    }
}

/// `text` with every secret (of at least 4 characters: shorter ones would
/// blank out ordinary words) replaced.
fn redact(text: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .map(|s| s.trim())
        .filter(|s| s.len() >= 4)
        .fold(text.to_string(), |acc, secret| {
            acc.replace(secret, "[redacted]")
        })
}

fn truncate(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(MAX_DETAIL_CHARS) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_from_each_shape() {
        let cases = [
            (
                r#"{"error":{"type":"invalid_request_error","message":"You do not have the 'content.publish' scope","code":"insufficient_scope"}}"#,
                "You do not have the 'content.publish' scope",
            ),
            (
                r#"{"errors":[{"email":"is not valid."}]}"#,
                "email is not valid.",
            ),
            (
                r#"{"status":"validation_error","errors":{"limit":["must be at most 100"]}}"#,
                "limit must be at most 100",
            ),
            (
                r#"{"title":["The title field is required."]}"#,
                "title The title field is required.",
            ),
            (
                r#"{"status":"error","message":"Unsupported language"}"#,
                "Unsupported language",
            ),
            (r#"{"error":"nope"}"#, "nope"),
            ("plain words", "plain words"),
            ("<html><body>502</body></html>", ""),
            ("", ""),
        ];
        for (body, want) in cases {
            assert_eq!(extract_detail(body), want, "body {body}");
        }
    }

    #[test]
    fn long_details_are_cut() {
        let long = "x".repeat(1000);
        let d = extract_detail(&long);
        assert_eq!(d.chars().count(), MAX_DETAIL_CHARS + 1);
        assert!(d.ends_with('…'));
    }

    #[test]
    fn default_mapping() {
        let cfg = HttpConfig::new("Acme");
        let e = status_error(&cfg, "GET /x", StatusCode::UNAUTHORIZED, "", 1);
        assert!(matches!(e, CoreError::BadCredentials { status: 401, .. }));
        let e = status_error(&cfg, "GET /x", StatusCode::NOT_FOUND, "", 1);
        assert!(matches!(e, CoreError::NotFound { .. }));
        let e = status_error(
            &cfg,
            "GET /x",
            StatusCode::UNPROCESSABLE_ENTITY,
            r#"{"errors":[{"body":"is bad"}]}"#,
            1,
        );
        assert_eq!(
            e.to_string(),
            "Acme answered HTTP 422 at GET /x: body is bad"
        );
        let e = status_error(&cfg, "GET /x", StatusCode::TOO_MANY_REQUESTS, "", 5);
        assert!(matches!(e, CoreError::RateLimited { attempts: 5, .. }));
    }

    #[test]
    fn echoed_secrets_are_redacted() {
        let mut cfg = HttpConfig::new("Acme");
        cfg.redact = vec!["tok-123456".into()];
        let body = r#"{"message":"Invalid API key 'tok-123456'"}"#;
        let e = status_error(&cfg, "GET /x", StatusCode::BAD_REQUEST, body, 1).to_string();
        assert!(!e.contains("tok-123456") && e.contains("[redacted]"), "{e}");
    }

    #[test]
    fn hook_overrides() {
        let mut cfg = HttpConfig::new("Acme");
        cfg.on_error = Some(Arc::new(|r: &ErrorResponse<'_>| {
            (r.status == 403).then(|| CoreError::Forbidden {
                provider: r.provider.into(),
                endpoint: r.endpoint.into(),
                detail: r.detail.into(),
            })
        }));
        let e = status_error(
            &cfg,
            "PATCH /a",
            StatusCode::FORBIDDEN,
            r#"{"message":"read only"}"#,
            1,
        );
        assert_eq!(e.kind(), "forbidden");
        assert!(e.to_string().contains("read only"));
        let e = status_error(&cfg, "PATCH /a", StatusCode::UNAUTHORIZED, "", 1);
        assert_eq!(e.kind(), "bad_credentials");
    }
}
