//! Image downloads: only http(s), a bounded number of redirects each checked
//! before it is followed, a byte cap, and the same retries as API calls.

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, LAST_MODIFIED, LOCATION};
use reqwest::Url;
use serde::{Deserialize, Serialize};

use super::errors::{host_of, status_error, transport_error};
use super::retry::{classify, delay, retryable_transport, Failure, Outcome};
use super::HttpConfig;
use crate::error::{CoreError, Result};

/// Redirect hops followed before giving up.
const MAX_REDIRECTS: usize = 5;

/// What a download produced. A 404 or other non-2xx is a result, not an
/// error: a broken image is recorded with its status, `bytes` empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchedImage {
    pub status: u16,
    /// The file; empty for a non-2xx answer or when `too_large`.
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    pub last_modified: Option<String>,
    /// Where the bytes came from after redirects.
    pub final_url: String,
    /// The image is larger than the cap; reading stopped and nothing was kept.
    pub too_large: bool,
}

enum Step {
    Redirect(String),
    Done(FetchedImage),
}

pub(super) async fn fetch(
    client: &reqwest::Client,
    cfg: &HttpConfig,
    url: &str,
    max_bytes: usize,
) -> Result<FetchedImage> {
    let mut current = parse_http_url(url)?;
    for hop in 0..=MAX_REDIRECTS {
        match fetch_hop(client, cfg, &current, max_bytes).await? {
            Step::Done(image) => return Ok(image),
            Step::Redirect(_) if hop == MAX_REDIRECTS => break,
            Step::Redirect(location) => current = redirect_target(&current, &location)?,
        }
    }
    Err(CoreError::Invalid(format!(
        "the image {} redirects more than {MAX_REDIRECTS} times; open it in a browser to find where it really is and use that URL",
        shown(&parse_http_url(url)?)
    )))
}

/// Only http(s) is ever fetched: a `file:`, `ftp:` or `data:` URL in an
/// article must not make Shotkeeper read local files or other services.
fn parse_http_url(raw: &str) -> Result<Url> {
    let url = Url::parse(raw.trim()).map_err(|e| {
        CoreError::Invalid(format!(
            "the image URL '{}' is not a valid absolute URL ({e}); resolve it against the article URL first",
            cut(raw)
        ))
    })?;
    match url.scheme() {
        "http" | "https" if url.host_str().is_some() => Ok(url),
        scheme => Err(CoreError::Invalid(format!(
            "the image URL uses '{scheme}:'; only http and https images are downloaded, so it was skipped"
        ))),
    }
}

fn redirect_target(from: &Url, location: &str) -> Result<Url> {
    let target = from.join(location.trim()).map_err(|e| {
        CoreError::Invalid(format!(
            "the image {} redirects to an invalid address ({e})",
            shown(from)
        ))
    })?;
    match target.scheme() {
        "http" | "https" => Ok(target),
        scheme => Err(CoreError::Invalid(format!(
            "the image {} redirects to a '{scheme}:' URL; only http and https are followed, so it was not downloaded",
            shown(from)
        ))),
    }
}

/// One hop, retried like an API call.
async fn fetch_hop(
    client: &reqwest::Client,
    cfg: &HttpConfig,
    url: &Url,
    max_bytes: usize,
) -> Result<Step> {
    let endpoint = format!("GET {}", shown(url));
    let host = host_of(url);
    let mut attempt = 1;
    loop {
        let result = client
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "image/*,*/*;q=0.8")
            .send()
            .await;
        let wait = match classify(result, attempt, cfg) {
            Outcome::Done(resp) => match read_capped(resp, url, max_bytes).await {
                Ok(image) => return Ok(Step::Done(image)),
                Err(e) if attempt < cfg.max_attempts && retryable_transport(&e) => {
                    delay(attempt, cfg, None)
                }
                Err(e) => return Err(transport_error(&e, cfg, &endpoint, &host, attempt)),
            },
            Outcome::Retry(wait, _) => wait,
            Outcome::Fail(Failure::Transport(e)) => {
                return Err(transport_error(&e, cfg, &endpoint, &host, attempt))
            }
            Outcome::Fail(Failure::Status(resp)) => {
                return final_status(resp, cfg, &endpoint, attempt)
            }
        };
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// A redirect to follow, a broken image to record, or (when retries ran out
/// on 429/5xx) an error, since that image may well be fine later.
fn final_status(
    resp: reqwest::Response,
    cfg: &HttpConfig,
    endpoint: &str,
    attempts: u32,
) -> Result<Step> {
    let status = resp.status();
    if status.is_redirection() {
        if let Some(location) = header(&resp, LOCATION) {
            return Ok(Step::Redirect(location));
        }
    }
    if super::retry::retryable_status(status) {
        return Err(status_error(cfg, endpoint, status, "", attempts));
    }
    Ok(Step::Done(FetchedImage {
        status: status.as_u16(),
        bytes: Vec::new(),
        content_type: header(&resp, CONTENT_TYPE),
        last_modified: header(&resp, LAST_MODIFIED),
        final_url: resp.url().to_string(),
        too_large: false,
    }))
}

/// Streams the body, stopping as soon as it passes `max_bytes`.
async fn read_capped(
    mut resp: reqwest::Response,
    url: &Url,
    max_bytes: usize,
) -> Result<FetchedImage, reqwest::Error> {
    let mut image = FetchedImage {
        status: resp.status().as_u16(),
        bytes: Vec::new(),
        content_type: header(&resp, CONTENT_TYPE),
        last_modified: header(&resp, LAST_MODIFIED),
        final_url: url.to_string(),
        too_large: false,
    };
    let declared = header(&resp, CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max_bytes as u64) {
        image.too_large = true;
        return Ok(image);
    }
    while let Some(chunk) = resp.chunk().await? {
        if image.bytes.len() + chunk.len() > max_bytes {
            image.bytes = Vec::new();
            image.too_large = true;
            break;
        }
        image.bytes.extend_from_slice(&chunk);
    }
    Ok(image)
}

fn header(resp: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// A URL for messages: without query or fragment, which may carry signatures.
fn shown(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    cut(u.as_str())
}

fn cut(s: &str) -> String {
    match s.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls() {
        assert!(parse_http_url("https://a.example/x.png").is_ok());
        assert!(parse_http_url("http://a.example/x.png").is_ok());
        for bad in [
            "file:///etc/passwd",
            "ftp://a/x.png",
            "data:image/png;base64,AA",
            "/rel.png",
            "//cdn/x.png",
            "http://",
        ] {
            assert!(
                matches!(parse_http_url(bad), Err(CoreError::Invalid(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn redirects_resolve_and_are_checked() {
        let from = Url::parse("https://a.example/img/x.png").unwrap();
        assert_eq!(
            redirect_target(&from, "/y.png").unwrap().as_str(),
            "https://a.example/y.png"
        );
        assert_eq!(
            redirect_target(&from, "http://b.example/z")
                .unwrap()
                .as_str(),
            "http://b.example/z"
        );
        assert!(redirect_target(&from, "file:///etc/passwd").is_err());
    }

    #[test]
    fn messages_hide_query() {
        let u = Url::parse("https://a.example/x.png?X-Amz-Signature=secret#f").unwrap();
        assert_eq!(shown(&u), "https://a.example/x.png");
    }
}
