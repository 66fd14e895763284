//! Help-center providers: one file per provider, all behind [`HelpCenter`].
//! Each file declares itself with a [`kit::ProviderDef`] (its settings,
//! API path, sites, burst and how to connect), builds its requests on the
//! shared [`crate::http::ApiBase`], and is listed once in
//! [`registry::HELP_CENTERS`].
//!
//! An article in a help center can have several documents (translations,
//! locales); each document is addressed by an [`ArticleRef`] and is imported,
//! matched and written back on its own.

pub mod fields;
pub mod freshdesk;
pub mod helpcenter;
pub mod helpcenterio;
pub mod helpjuice;
pub mod helpscout;
pub mod intercom;
pub mod kit;
pub mod knowledgeowl;
pub mod registry;
pub mod zendesk;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::ProviderKind;

pub use fields::FieldSpec;

/// Addresses one document of an article: the provider's article id and,
/// for a translation, its locale. `locale: None` is the article's default
/// language document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub struct ArticleRef {
    pub id: String,
    pub locale: Option<String>,
}

impl ArticleRef {
    pub fn new(id: impl Into<String>) -> Self {
        ArticleRef {
            id: id.into(),
            locale: None,
        }
    }

    pub fn with_locale(id: impl Into<String>, locale: Option<String>) -> Self {
        ArticleRef {
            id: id.into(),
            locale,
        }
    }

    /// `ID` or `ID@locale`, the form users type on the command line.
    pub fn parse(s: &str) -> Self {
        match s.split_once('@') {
            Some((id, loc)) if !loc.is_empty() => ArticleRef::with_locale(id, Some(loc.into())),
            _ => ArticleRef::new(s),
        }
    }
}

impl std::fmt::Display for ArticleRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.locale {
            Some(l) => write!(f, "{}@{}", self.id, l),
            None => f.write_str(&self.id),
        }
    }
}

/// One article document as the provider returned it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteArticle {
    pub article: ArticleRef,
    pub title: String,
    /// Public URL of the article; relative image URLs resolve against it.
    pub url: String,
    /// The article HTML; `None` when the listing does not carry bodies and
    /// `get_article` must be called.
    pub html: Option<String>,
    pub is_published: bool,
    pub author: Option<String>,
    pub tags: Vec<String>,
    /// RFC 3339 where the provider gives it.
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

/// One page of a listing, and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticlePage {
    pub articles: Vec<RemoteArticle>,
    /// Opaque resume token for the next page (page number or cursor); `None`
    /// on the last page. Persisted by the import so a resumed job continues here.
    pub next: Option<String>,
    /// Total number of articles, when the provider says.
    pub total: Option<u64>,
    /// Articles of this page that could not be read. Each is counted failed
    /// with its reason and the import goes on: one odd article never fails
    /// the job or its page.
    pub failed: Vec<UnreadableArticle>,
}

/// A listed article that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnreadableArticle {
    pub article: ArticleRef,
    /// The title when it could be read, otherwise `""`.
    pub title: String,
    /// What was wrong with it, for the person reading the import's results.
    pub reason: String,
}

/// One entry of a listing page, decoded on its own so that an odd article
/// fails alone instead of making its page unreadable.
#[derive(Debug)]
pub enum Entry<T> {
    Read(T),
    /// The entry as sent, and why it could not be read.
    Unreadable(serde_json::Value, String),
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Entry<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        Ok(match T::deserialize(&value) {
            Ok(t) => Entry::Read(t),
            Err(e) => Entry::Unreadable(value, e.to_string()),
        })
    }
}

/// The readable entries of a listing page, and the unreadable ones as
/// failed articles of `provider`.
pub fn split_entries<T>(
    entries: Vec<Entry<T>>,
    provider: &str,
) -> (Vec<T>, Vec<UnreadableArticle>) {
    let mut read = Vec::with_capacity(entries.len());
    let mut failed = Vec::new();
    for e in entries {
        match e {
            Entry::Read(t) => read.push(t),
            Entry::Unreadable(v, why) => {
                failed.push(UnreadableArticle::from_listing(&v, provider, why))
            }
        }
    }
    (read, failed)
}

impl UnreadableArticle {
    /// An entry of a listing that failed to decode: its `id` if it has one
    /// (a string or a number), and the decoding error.
    pub fn from_listing(
        entry: &serde_json::Value,
        provider: &str,
        error: impl std::fmt::Display,
    ) -> Self {
        let id = match entry.get("id") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let title = ["title", "name"]
            .iter()
            .find_map(|k| entry.get(*k).and_then(serde_json::Value::as_str))
            .unwrap_or_default()
            .to_string();
        UnreadableArticle {
            article: ArticleRef::new(id),
            title,
            reason: format!(
                "{provider} sent this article in a shape Shotkeeper cannot read ({error}); the rest of the import went on"
            ),
        }
    }
}

/// An image uploaded through a help center's own upload endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadedImage {
    pub url: String,
}

/// What Shotkeeper needs of every help center.
#[async_trait]
pub trait HelpCenter: Send + Sync {
    fn kind(&self) -> ProviderKind;

    /// The API base requests go to (what relative image URLs of a document
    /// without a public URL resolve against; see [`image_base`]).
    fn api_base(&self) -> &str;

    /// One cheap authenticated call. Ok(message) on success.
    async fn verify(&self) -> Result<String>;

    /// One page of the article listing, starting at `cursor` (`None` = first page).
    /// Translations that are separate documents appear as separate entries.
    async fn list_articles(&self, cursor: Option<&str>) -> Result<ArticlePage>;

    /// The current state of one document, HTML included.
    async fn get_article(&self, article: &ArticleRef) -> Result<RemoteArticle>;

    /// Writes back the HTML of one document, changing nothing else.
    async fn update_article_html(&self, article: &ArticleRef, html: &str) -> Result<()>;

    /// Whether the provider has its own image upload.
    fn supports_upload(&self) -> bool {
        false
    }

    /// Uploads an image through the provider's own endpoint.
    async fn upload_image(
        &self,
        _article: &ArticleRef,
        _file_name: &str,
        _content_type: &str,
        _bytes: Vec<u8>,
    ) -> Result<UploadedImage> {
        Err(crate::error::CoreError::Invalid(format!(
            "{} has no image upload; link an S3 or R2 integration instead",
            self.kind().display_name()
        )))
    }
}

/// What relative and protocol-relative image URLs of a document resolve
/// against: its public URL, or the provider's API base where it gives none
/// (a KnowledgeOwl `//cdn…/app/image/id/…` URL then still becomes an https
/// URL instead of nothing). Import, update, rollback and live retrieval all
/// resolve through this one rule, so the URLs they compare agree.
pub fn image_base<'a>(help_center: &'a dyn HelpCenter, public_url: &'a str) -> &'a str {
    if public_url.trim().is_empty() {
        help_center.api_base()
    } else {
        public_url
    }
}

/// Static description of a provider: its settings, its secret, its defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ProviderSpec {
    pub kind: ProviderKind,
    pub display_name: &'static str,
    pub fields: Vec<FieldSpec>,
    /// Label of the secret field (e.g. "API key", "Secret access key").
    pub secret_label: &'static str,
    pub secret_help: &'static str,
    /// Documented API base, with `{key}` placeholders filled from settings.
    pub default_base_url: &'static str,
    /// Documented request budget, used by the rate limiter.
    pub requests_per_minute: u32,
    pub has_image_upload: bool,
}
