//! What every provider client shares: one integration's [`HttpClient`], its
//! API base, and the headers every request carries (the credential, marked
//! sensitive, and any fixed headers the provider documents). The secret is
//! registered for redaction here, once, so no provider can forget it.

use base64::Engine;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION};

use super::{secret_header, HttpClient, HttpConfig};
use crate::error::{CoreError, Result};

/// How a provider's API takes its credential.
pub enum Auth<'a> {
    /// The secret as the whole value of a header (Helpjuice's
    /// `Authorization: KEY`, HelpCenter.io's `apikey: KEY`).
    Header(HeaderName),
    /// `Authorization: Bearer SECRET` (Help.Center, Intercom).
    Bearer,
    /// HTTP Basic with the secret as the user name and `X` as the password,
    /// as Freshdesk, Help Scout Docs and KnowledgeOwl document it.
    BasicKeyAsUser,
    /// HTTP Basic with this user and the secret as the password (Zendesk's
    /// `email/token` form).
    BasicWithUser(&'a str),
}

/// One provider's API: where requests go and what they carry. Cheap to share
/// by reference; the client inside is the integration's only one.
pub struct ApiBase {
    http: HttpClient,
    base: String,
    headers: HeaderMap,
}

impl ApiBase {
    /// `secret_name` is what the provider calls the credential ("API key",
    /// "access token"); errors say "the Freshdesk API key …" and never quote it.
    pub fn new(
        mut cfg: HttpConfig,
        base_url: &str,
        secret: &str,
        secret_name: &str,
        auth: Auth<'_>,
    ) -> Result<Self> {
        let secret = secret.trim();
        let what = format!("{} {secret_name}", cfg.provider);
        // Checked on its own first, so that an error never quotes the secret
        // inside an encoded form.
        secret_header(secret, &what)?;
        let (name, value) = match auth {
            Auth::Header(name) => (name, secret.to_string()),
            Auth::Bearer => (AUTHORIZATION, format!("Bearer {secret}")),
            Auth::BasicKeyAsUser => (AUTHORIZATION, basic(secret, "X")),
            Auth::BasicWithUser(user) => (AUTHORIZATION, basic(user.trim(), secret)),
        };
        cfg.redact.push(secret.to_string());
        let mut headers = HeaderMap::new();
        headers.insert(name, secret_header(&value, &what)?);
        Ok(ApiBase {
            http: HttpClient::new(cfg)?,
            base: base_url.trim().trim_end_matches('/').to_string(),
            headers,
        })
    }

    /// A fixed header every request carries (`Accept`, an API version).
    pub fn with_header(mut self, name: HeaderName, value: &'static str) -> Self {
        self.headers.insert(name, HeaderValue::from_static(value));
        self
    }

    /// The integration's shared client (limiter included).
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// The API base, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A request to `path` under the API base, with the provider's headers.
    pub fn request(
        &self,
        c: &reqwest::Client,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        c.request(method, format!("{}{path}", self.base))
            .headers(self.headers.clone())
    }
}

fn basic(user: &str, password: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}

/// The page number a listing cursor holds (`None` is the first page), for
/// the providers that page by number.
pub fn page_number(cursor: Option<&str>, provider: &str) -> Result<u64> {
    match cursor {
        None => Ok(1),
        Some(c) => c.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
            CoreError::Invalid(format!(
                "'{c}' is not a page number of the {provider} listing; restart the import from the beginning"
            ))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> HttpConfig {
        HttpConfig::new("Example")
    }

    #[test]
    fn every_request_carries_the_credential_marked_sensitive() {
        let api = ApiBase::new(
            cfg(),
            "http://h/api/",
            " k3y ",
            "API key",
            Auth::BasicKeyAsUser,
        )
        .unwrap()
        .with_header(reqwest::header::ACCEPT, "application/json");
        let c = reqwest::Client::new();
        let req = api
            .request(&c, reqwest::Method::GET, "/articles")
            .build()
            .unwrap();
        assert_eq!(req.url().as_str(), "http://h/api/articles");
        let auth = &req.headers()[AUTHORIZATION];
        assert!(auth.is_sensitive());
        assert_eq!(auth, &basic("k3y", "X"));
        assert_eq!(req.headers()[reqwest::header::ACCEPT], "application/json");
        assert_eq!(api.http().config().redact, vec!["k3y".to_string()]);
    }

    #[test]
    fn a_secret_that_cannot_be_a_header_is_refused_without_quoting_it() {
        let e = ApiBase::new(cfg(), "http://h", "a\nsecret", "API key", Auth::Bearer)
            .err()
            .expect("refused")
            .to_string();
        assert!(
            e.contains("Example API key") && !e.contains("secret\n"),
            "{e}"
        );
        assert!(!e.contains("a\nsecret"), "{e}");
    }

    #[test]
    fn page_numbers() {
        assert_eq!(page_number(None, "X").unwrap(), 1);
        assert_eq!(page_number(Some("3"), "X").unwrap(), 3);
        let e = page_number(Some("0"), "Helpjuice").unwrap_err().to_string();
        assert!(e.contains("page number of the Helpjuice listing"), "{e}");
    }
}
