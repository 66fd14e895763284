//! Serde types shared by every front end. Field names follow LaunchBrightly's import API
//! (camelCase where LaunchBrightly's import API uses it, snake_case where it does).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::CoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Platform {
    Helpcenter,
    Cloud,
}

/// Every provider Shotkeeper can connect to. The string form is the
/// `provider` value of LaunchBrightly's integration API.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord, ts_rs::TS,
)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ProviderKind {
    Zendesk,
    Intercom,
    Helpscout,
    Helpjuice,
    Freshdesk,
    Knowledgeowl,
    Helpcenterio,
    Helpcenter,
    S3,
    R2,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 10] = [
        ProviderKind::Zendesk,
        ProviderKind::Intercom,
        ProviderKind::Helpscout,
        ProviderKind::Helpjuice,
        ProviderKind::Freshdesk,
        ProviderKind::Knowledgeowl,
        ProviderKind::Helpcenterio,
        ProviderKind::Helpcenter,
        ProviderKind::S3,
        ProviderKind::R2,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Zendesk => "zendesk",
            ProviderKind::Intercom => "intercom",
            ProviderKind::Helpscout => "helpscout",
            ProviderKind::Helpjuice => "helpjuice",
            ProviderKind::Freshdesk => "freshdesk",
            ProviderKind::Knowledgeowl => "knowledgeowl",
            ProviderKind::Helpcenterio => "helpcenterio",
            ProviderKind::Helpcenter => "helpcenter",
            ProviderKind::S3 => "s3",
            ProviderKind::R2 => "r2",
        }
    }

    /// The name people know the product by, for messages and the UI.
    pub fn display_name(self) -> &'static str {
        match self {
            ProviderKind::Zendesk => "Zendesk",
            ProviderKind::Intercom => "Intercom",
            ProviderKind::Helpscout => "Help Scout",
            ProviderKind::Helpjuice => "Helpjuice",
            ProviderKind::Freshdesk => "Freshdesk",
            ProviderKind::Knowledgeowl => "KnowledgeOwl",
            ProviderKind::Helpcenterio => "HelpCenter.io",
            ProviderKind::Helpcenter => "Help.Center",
            ProviderKind::S3 => "Amazon S3",
            ProviderKind::R2 => "Cloudflare R2",
        }
    }

    pub fn platform(self) -> Platform {
        match self {
            ProviderKind::S3 | ProviderKind::R2 => Platform::Cloud,
            _ => Platform::Helpcenter,
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProviderKind {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        ProviderKind::ALL
            .into_iter()
            .find(|p| p.as_str() == lower)
            .ok_or_else(|| {
                let names: Vec<_> = ProviderKind::ALL.iter().map(|p| p.as_str()).collect();
                CoreError::Invalid(format!(
                    "unknown provider '{s}': use one of {}",
                    names.join(", ")
                ))
            })
    }
}

/// Where an integration's secret lives. Never the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", content = "name", rename_all = "lowercase")]
pub enum SecretSource {
    /// The OS keychain, under service `shotkeeper`, account = integration id.
    Keychain,
    /// Read from this environment variable at run time; nothing is stored.
    Env(String),
    /// The built-in demo help center's token: it guards a simulator on
    /// 127.0.0.1 inside this process and is no secret, so it is held in
    /// memory while the demo runs and needs no keychain.
    Demo,
    /// Sealed (encrypted) in the database under a key kept outside it, for
    /// machines without a keychain, and in team mode under the team key;
    /// see `crate::sealed` and `crate::team_key`.
    Sealed,
}

/// A stored connection (LaunchBrightly's integration API), without its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Integration {
    pub id: String,
    pub label: String,
    pub platform: Platform,
    pub provider: ProviderKind,
    /// Overrides the provider's documented API base (simulators, staging, gateways).
    pub base_url: Option<String>,
    /// Non-secret settings in the provider's own terms (subdomain, bucket, center_id...).
    pub settings: BTreeMap<String, String>,
    pub secret_source: SecretSource,
    pub created_at: String,
    pub updated_at: String,
}

/// Result of `verify` (LaunchBrightly's integration API shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerifyResult {
    pub is_connection_successful: bool,
    pub message: String,
}

impl VerifyResult {
    /// A connection check's outcome as a result: the provider's refusal is
    /// an answer (`describe` words it), while a failure of Shotkeeper's own
    /// database stays an error.
    pub fn from_outcome(
        outcome: crate::error::Result<String>,
        describe: impl FnOnce(crate::error::CoreError) -> String,
    ) -> crate::error::Result<VerifyResult> {
        match outcome {
            Ok(message) => Ok(VerifyResult {
                is_connection_successful: true,
                message,
            }),
            Err(crate::error::CoreError::Db(e)) => Err(crate::error::CoreError::Db(e)),
            Err(e) => Ok(VerifyResult {
                is_connection_successful: false,
                message: describe(e),
            }),
        }
    }
}

// ---------------------------------------------------------------------------
// Import job shapes (LaunchBrightly's import API)
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    pub total: u64,
    pub success: u64,
    pub pending: u64,
    pub failed: u64,
    pub skipped: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArticleTotals {
    pub discovered: u64,
    pub processed: u64,
    pub total: u64,
    pub success: u64,
    pub pending: u64,
    pub failed: u64,
    pub skipped: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImageTotals {
    /// Image references: every use of an image in every document.
    pub total: u64,
    /// Distinct images: a downloaded image once per distinct content
    /// (SHA-256), anything else (broken, not yet downloaded) once per URL.
    pub unique: u64,
    /// Repeated uses: references beyond each distinct image's first
    /// (`total - unique`), as LaunchBrightly's import API counts them. Not
    /// the Images view's duplicates, which are image URLs whose file is also
    /// at another URL.
    pub duplicate: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Totals {
    pub articles: ArticleTotals,
    pub images: ImageTotals,
    pub authors: u64,
}

/// `cloud` of an uploaded image (LaunchBrightly's import API).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CloudObject {
    pub upload: String,
    pub file_object: String,
    pub bucket: String,
}

/// One image as LaunchBrightly's import API shows it.
/// The one definition of a broken image: its download did not answer 2xx
/// (LaunchBrightly's import API keeps a broken image's 404 as its
/// `statusCode`). Every count, filter and badge of every front end uses it,
/// through this function or the `isBroken` flag core sends.
pub fn is_broken_status(status_code: u16) -> bool {
    !(200..300).contains(&status_code)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImageView {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<CloudObject>,
    pub name: String,
    pub alt: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub width: u32,
    pub height: u32,
    pub status_code: u16,
    pub size: u64,
    pub hash: String,
    pub metadata: BTreeMap<String, String>,
}

impl ImageView {
    pub fn is_broken(&self) -> bool {
        is_broken_status(self.status_code)
    }
}

/// An article reference inside the images dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArticleRefView {
    pub kbid: String,
    #[serde(rename = "external_article_id")]
    pub external_article_id: String,
    pub url: String,
    pub title: String,
    pub is_published: bool,
}

/// An image in the images dimension: the image plus who uses it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImageWithArticles {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<CloudObject>,
    pub name: String,
    pub alt: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub width: u32,
    pub height: u32,
    pub status_code: u16,
    pub size: u64,
    pub hash: String,
    pub tags: Vec<String>,
    pub metadata: BTreeMap<String, String>,
    pub articles_count: u64,
    pub articles: Vec<ArticleRefView>,
}

/// An article in the articles dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArticleView {
    pub id: String,
    #[serde(rename = "external_article_id")]
    pub external_article_id: String,
    pub kbid: String,
    /// Locale of a translation document; absent for the default language.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub locale: Option<String>,
    pub title: String,
    pub is_published: bool,
    pub url: String,
    pub status: String,
    pub images: Vec<ImageView>,
    pub tags: Vec<String>,
    pub content: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    #[default]
    Images,
    Articles,
}

impl FromStr for Dimension {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "images" => Ok(Dimension::Images),
            "articles" => Ok(Dimension::Articles),
            other => Err(CoreError::Invalid(format!(
                "unknown dimension '{other}': use images or articles"
            ))),
        }
    }
}

/// A finished or running import job in the LaunchBrightly import API's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobView {
    pub id: String,
    pub name: String,
    pub summary: Summary,
    pub total: Totals,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub articles: Option<Vec<ArticleView>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<ImageWithArticles>>,
}

/// "Retrieve an article" of LaunchBrightly's import API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetrievedArticle {
    pub id: String,
    pub is_published: bool,
    pub content: String,
    pub images: Vec<ImageView>,
    #[serde(rename = "images_count")]
    pub images_count: u64,
    pub title: String,
    pub url: String,
    pub import_request_id: String,
    pub created_on: String,
    pub tags: Vec<String>,
}
