//! Zendesk Guide (Help Center API), following developer.zendesk.com:
//! - api-reference/introduction/security-and-auth/ — API token auth is
//!   HTTP Basic with `{email}/token` as user and the token as password;
//! - api-reference/introduction/pagination/ — cursor pagination,
//!   `page[size]` (max 100), `page[after]`, `meta.has_more`,
//!   `meta.after_cursor`;
//! - api-reference/introduction/rate-limits/ — 429 with `Retry-After`
//!   (plan limits: 200 per minute on the smallest plan), `X-Rate-Limit` and
//!   `X-Rate-Limit-Remaining`;
//! - api-reference/help_center/help-center-api/help_center_locales/ —
//!   `GET /help_center/locales.json` (`locales`, `default_locale`);
//! - api-reference/help_center/help-center-api/articles/ — `GET
//!   /help_center/{locale}/articles.json` lists the articles of one locale,
//!   HTML in `body`, `draft`; "Update Article" does not change the body;
//! - api-reference/help_center/help-center-api/translations/ — `GET|PUT
//!   /help_center/articles/{id}/translations/{locale}.json`, `{"translation":
//!   {"body": ...}}` is how a body is written back;
//! - api-reference/help_center/help-center-api/article_attachments/ —
//!   `POST /help_center/articles/{id}/attachments` (multipart `file`,
//!   `inline=true`, 20 MB) returning `article_attachment.content_url`;
//! - api-reference/ticketing/users/users/ — verify with `GET /users/me.json`.
//!
//! Documents: every (article, locale) is one document. The article's source
//! locale is addressed as `locale: None`, the others by their Zendesk
//! locale (`de`, `fr-ca`). The listing walks the help center's locales one
//! after the other; the resume token is `LOCALES|AFTER` (remaining locales,
//! current first, and Zendesk's `after_cursor`).

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

use super::fields::{field, FieldCheck};
use super::kit::{Connect, ProviderDef, Sites};
use super::ProviderSpec;
use super::{
    split_entries, ArticlePage, ArticleRef, Entry, HelpCenter, RemoteArticle, UploadedImage,
};
use crate::error::{CoreError, Result};
use crate::http::json::id_string;
use crate::http::{segment, ApiBase, Auth, HttpClient, HttpConfig};
use crate::model::ProviderKind;

/// Cursor pagination maximum.
pub const PAGE_SIZE: u32 = 100;
/// Help Center API limit of the smallest plan (Suite Team).
pub const REQUESTS_PER_MINUTE: u32 = 200;
/// Article attachment limit.
pub const MAX_ATTACHMENT: usize = 20 * 1024 * 1024;

pub struct Zendesk {
    api: ApiBase,
}

#[derive(Deserialize)]
struct Me {
    user: User,
}

#[derive(Deserialize)]
struct User {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    role: Option<String>,
}

#[derive(Deserialize)]
struct Locales {
    locales: Vec<String>,
    #[serde(default)]
    default_locale: Option<String>,
}

#[derive(Deserialize)]
struct ArticleList {
    /// Decoded one by one: an odd article fails alone.
    articles: Vec<Entry<Article>>,
    #[serde(default)]
    meta: Option<Meta>,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(default)]
    has_more: bool,
    #[serde(default)]
    after_cursor: Option<String>,
}

#[derive(Deserialize)]
struct OneArticle {
    article: Article,
}

#[derive(Deserialize)]
struct Article {
    #[serde(deserialize_with = "id_string")]
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    html_url: Option<String>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    source_locale: Option<String>,
    #[serde(default)]
    label_names: Vec<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
}

#[derive(Deserialize)]
struct OneTranslation {
    translation: Translation,
}

#[derive(Deserialize)]
struct Translation {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    html_url: Option<String>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
}

#[derive(Deserialize)]
struct Attachment {
    article_attachment: AttachmentBody,
}

#[derive(Deserialize)]
struct AttachmentBody {
    content_url: String,
}

impl Zendesk {
    /// `base_url` is the API base (`https://acme.zendesk.com/api/v2`);
    /// `email` is the agent the API token belongs to.
    pub fn new(cfg: HttpConfig, base_url: &str, email: &str, token: &str) -> Result<Self> {
        let email = email.trim();
        if email.is_empty() || !email.contains('@') {
            return Err(CoreError::Invalid(
                "Zendesk needs the email address of the agent the API token belongs to".into(),
            ));
        }
        // Zendesk's API token authentication: `{email}/token` as the user.
        let user = format!("{email}/token");
        let auth = Auth::BasicWithUser(&user);
        Ok(Zendesk {
            api: ApiBase::new(cfg, base_url, token, "API token", auth)?,
        })
    }

    pub fn http(&self) -> &HttpClient {
        self.api.http()
    }

    async fn locales(&self) -> Result<Vec<String>> {
        let l: Locales = self
            .http()
            .get_json("GET /help_center/locales.json", |c| {
                self.api
                    .request(c, reqwest::Method::GET, "/help_center/locales.json")
            })
            .await?;
        Ok(order_locales(l))
    }

    /// The source locale of an article (where `locale: None` writes go).
    async fn source_locale(&self, id: &str) -> Result<String> {
        let a = self.get_source(id).await?;
        Ok(a.source_locale
            .or(a.locale)
            .unwrap_or_else(|| "en-us".into()))
    }

    async fn get_source(&self, id: &str) -> Result<Article> {
        let path = format!("/help_center/articles/{}.json", segment(id));
        let one: OneArticle = self
            .http()
            .get_json(&format!("GET {path}"), |c| {
                self.api.request(c, reqwest::Method::GET, &path)
            })
            .await?;
        Ok(one.article)
    }
}

/// The default locale first, then the others in Zendesk's order.
fn order_locales(l: Locales) -> Vec<String> {
    let mut out: Vec<String> = l.default_locale.into_iter().collect();
    for x in l.locales {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&x)) {
            out.push(x);
        }
    }
    out
}

/// `LOCALES|AFTER`: the locales still to list (current first) and the
/// cursor within the current one.
fn encode_cursor(locales: &[String], after: Option<&str>) -> String {
    format!("{}|{}", locales.join(","), after.unwrap_or(""))
}

fn decode_cursor(c: &str) -> Result<(Vec<String>, Option<String>)> {
    let bad = || {
        CoreError::Invalid(format!(
            "'{c}' is not a Zendesk listing position; restart the import from the beginning"
        ))
    };
    let (locales, after) = c.split_once('|').ok_or_else(bad)?;
    let locales: Vec<String> = locales
        .split(',')
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if locales.is_empty() {
        return Err(bad());
    }
    Ok((locales, (!after.is_empty()).then(|| after.to_string())))
}

impl Article {
    fn into_remote(self) -> RemoteArticle {
        let locale = match (&self.locale, &self.source_locale) {
            (Some(l), Some(s)) if !l.eq_ignore_ascii_case(s) => Some(l.clone()),
            _ => None,
        };
        RemoteArticle {
            article: ArticleRef::with_locale(self.id, locale),
            title: self.title,
            url: self.html_url.unwrap_or_default(),
            html: Some(self.body.unwrap_or_default()),
            is_published: !self.draft,
            author: None,
            tags: self.label_names,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

#[async_trait]
impl HelpCenter for Zendesk {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Zendesk
    }

    fn api_base(&self) -> &str {
        self.api.base()
    }

    async fn verify(&self) -> Result<String> {
        let me: Me = self
            .http()
            .get_json("GET /users/me.json", |c| {
                self.api.request(c, reqwest::Method::GET, "/users/me.json")
            })
            .await?;
        // Zendesk answers anonymous callers with an end-user-less "anonymous"
        // user rather than an error.
        if me.user.email.is_none() || me.user.role.as_deref() == Some("anonymous") {
            return Err(CoreError::BadCredentials {
                provider: "Zendesk".into(),
                endpoint: "GET /users/me.json".into(),
                status: 401,
            });
        }
        let who = me.user.name.or(me.user.email).unwrap_or_default();
        Ok(format!("Connected to Zendesk as \u{201c}{who}\u{201d}"))
    }

    async fn list_articles(&self, cursor: Option<&str>) -> Result<ArticlePage> {
        let (locales, after) = match cursor {
            None => (self.locales().await?, None),
            Some(c) => decode_cursor(c)?,
        };
        let Some(locale) = locales.first().cloned() else {
            return Ok(ArticlePage {
                failed: Vec::new(),
                articles: Vec::new(),
                next: None,
                total: None,
            });
        };
        let path = format!("/help_center/{}/articles.json", segment(&locale));
        let endpoint = format!("GET {path}");
        let list: ArticleList = self
            .http()
            .get_json(&endpoint, |c| {
                let mut q = vec![("page[size]", PAGE_SIZE.to_string())];
                if let Some(a) = &after {
                    q.push(("page[after]", a.clone()));
                }
                self.api.request(c, reqwest::Method::GET, &path).query(&q)
            })
            .await?;
        let meta = list.meta.unwrap_or(Meta {
            has_more: false,
            after_cursor: None,
        });
        let next = match (meta.has_more, meta.after_cursor) {
            (true, Some(a)) => Some(encode_cursor(&locales, Some(&a))),
            (true, None) => {
                return Err(self
                    .http()
                    .garbage(&endpoint, "meta.has_more without meta.after_cursor"))
            }
            (false, _) if locales.len() > 1 => Some(encode_cursor(&locales[1..], None)),
            (false, _) => None,
        };
        let (articles, failed) = split_entries(list.articles, "Zendesk");
        Ok(ArticlePage {
            failed,
            articles: articles.into_iter().map(Article::into_remote).collect(),
            next,
            total: None,
        })
    }

    async fn get_article(&self, article: &ArticleRef) -> Result<RemoteArticle> {
        let Some(locale) = &article.locale else {
            let mut r = self.get_source(&article.id).await?.into_remote();
            r.article.locale = None;
            return Ok(r);
        };
        let path = format!(
            "/help_center/articles/{}/translations/{}.json",
            segment(&article.id),
            segment(locale)
        );
        let one: OneTranslation = self
            .http()
            .get_json(&format!("GET {path}"), |c| {
                self.api.request(c, reqwest::Method::GET, &path)
            })
            .await?;
        let t = one.translation;
        Ok(RemoteArticle {
            article: article.clone(),
            title: t.title,
            url: t.html_url.unwrap_or_default(),
            html: Some(t.body.unwrap_or_default()),
            is_published: !t.draft,
            author: None,
            tags: Vec::new(),
            created_at: t.created_at,
            updated_at: t.updated_at,
        })
    }

    async fn update_article_html(&self, article: &ArticleRef, html: &str) -> Result<()> {
        let locale = match &article.locale {
            Some(l) => l.clone(),
            None => self.source_locale(&article.id).await?,
        };
        let path = format!(
            "/help_center/articles/{}/translations/{}.json",
            segment(&article.id),
            segment(&locale)
        );
        let body = json!({ "translation": { "body": html } });
        self.http()
            .send(&format!("PUT {path}"), |c| {
                self.api.request(c, reqwest::Method::PUT, &path).json(&body)
            })
            .await?;
        Ok(())
    }

    fn supports_upload(&self) -> bool {
        true
    }

    async fn upload_image(
        &self,
        article: &ArticleRef,
        file_name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<UploadedImage> {
        if bytes.len() > MAX_ATTACHMENT {
            return Err(CoreError::Invalid(format!(
                "{file_name} is larger than Zendesk's 20 MB attachment limit"
            )));
        }
        let bytes = bytes::Bytes::from(bytes);
        let path = format!(
            "/help_center/articles/{}/attachments.json",
            segment(&article.id)
        );
        let endpoint = format!("POST {path}");
        let up: Attachment = self
            .http()
            .get_json(&endpoint, |c| {
                let fresh = || {
                    reqwest::multipart::Part::stream_with_length(
                        reqwest::Body::from(bytes.clone()),
                        bytes.len() as u64,
                    )
                    .file_name(file_name.to_string())
                };
                let part = fresh().mime_str(content_type).unwrap_or_else(|_| fresh());
                let mut form = reqwest::multipart::Form::new()
                    .text("inline", "true")
                    .part("file", part);
                if let Some(l) = &article.locale {
                    form = form.text("locale", l.clone());
                }
                self.api
                    .request(c, reqwest::Method::POST, &path)
                    .multipart(form)
            })
            .await?;
        Ok(UploadedImage {
            url: up.article_attachment.content_url,
        })
    }
}

/// Zendesk, as the registry lists it (see [`ProviderDef`]).
pub const DEF: ProviderDef = ProviderDef {
    kind: ProviderKind::Zendesk,
    spec,
    api_path: "/api/v2",
    sites: Sites::SameHost("zendesk.com"),
    documented_burst: None,
    connect,
};

fn connect(c: Connect<'_>) -> Result<Box<dyn HelpCenter>> {
    let email = c.setting("email");
    Ok(Box::new(Zendesk::new(c.http, &c.base, email, c.secret)?))
}

/// Labels and help follow the provider's own settings pages.
fn spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::Zendesk,
        display_name: "Zendesk",
        fields: vec![
            field(
                "subdomain",
                "Subdomain",
                "The part before .zendesk.com in your Zendesk address",
                true,
                "yourcompany",
            )
            .checked(FieldCheck::HostLabel),
            field(
                "email",
                "Email",
                "The email address of the Zendesk agent the API token belongs to",
                true,
                "you@example.com",
            ),
        ],
        secret_label: "API token",
        secret_help:
            "Admin Center > Apps and integrations > APIs > Zendesk API, with token access enabled",
        default_base_url: "https://{subdomain}.zendesk.com/api/v2",
        requests_per_minute: REQUESTS_PER_MINUTE,
        has_image_upload: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip() {
        let l = vec!["en-us".to_string(), "de".to_string()];
        let c = encode_cursor(&l, Some("abc"));
        assert_eq!(decode_cursor(&c).unwrap(), (l.clone(), Some("abc".into())));
        let c = encode_cursor(&l[1..], None);
        assert_eq!(decode_cursor(&c).unwrap(), (vec!["de".into()], None));
        assert!(decode_cursor("nonsense").is_err());
        assert!(decode_cursor("|x").is_err());
    }

    #[test]
    fn default_locale_first() {
        let l = Locales {
            locales: vec!["de".into(), "en-us".into(), "fr".into()],
            default_locale: Some("en-us".into()),
        };
        assert_eq!(order_locales(l), vec!["en-us", "de", "fr"]);
    }

    #[test]
    fn source_locale_is_the_unnamed_document() {
        let a: Article = serde_json::from_value(json!({
            "id": 1, "title": "T", "body": "<p/>", "draft": true,
            "locale": "de", "source_locale": "en-us", "html_url": "https://x/hc/de/articles/1"
        }))
        .unwrap();
        let r = a.into_remote();
        assert_eq!(r.article, ArticleRef::with_locale("1", Some("de".into())));
        assert!(!r.is_published);
        let a: Article = serde_json::from_value(json!({
            "id": 1, "locale": "en-us", "source_locale": "en-us"
        }))
        .unwrap();
        assert_eq!(a.into_remote().article.locale, None);
    }
}
