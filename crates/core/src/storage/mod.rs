//! Cloud storage for new images: Amazon S3, Cloudflare R2 and other
//! S3-compatible stores (LaunchBrightly's integration API).
//!
//! This file holds what needs no network: the settings an integration
//! stores, object keys and public URLs. `s3.rs` talks to the store.
//!
//! Keys are `<prefix>/<sha256>.<ext>`: content-addressed, so uploading the
//! same bytes twice names the same object and the second upload is skipped.

mod s3;

use std::collections::BTreeMap;

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::model::{CloudObject, ProviderKind};
use crate::providers::fields::{field, FieldCheck};
use crate::providers::ProviderSpec;
pub use s3::{Storage, StoredObject};

/// `Cache-Control` of every uploaded image: keys are content hashes, so an
/// object never changes and may be cached for a year.
pub const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// The non-secret settings of a storage integration. The secret access key
/// is passed separately to [`Storage::new`] and is kept nowhere else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageSettings {
    /// `S3` or `R2`.
    pub provider: ProviderKind,
    pub bucket: String,
    /// Required for S3 on AWS; `auto` for R2.
    pub region: Option<String>,
    /// Cloudflare account id (R2 only).
    pub account_id: Option<String>,
    /// A custom S3-compatible endpoint (MinIO, Garage, a test server...).
    pub endpoint: Option<String>,
    /// Where objects are publicly readable (CloudFront, an R2 custom domain
    /// or r2.dev); without it, the bucket's own URL.
    pub public_base_url: Option<String>,
    /// Folder for every key, without leading or trailing `/` (may be empty).
    pub prefix: String,
    pub access_key_id: String,
    /// Address buckets as `endpoint/bucket/key` instead of `bucket.endpoint/key`.
    pub force_path_style: bool,
}

/// What an upload produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Uploaded {
    /// Public URL to put in the article.
    pub url: String,
    pub key: String,
    pub bucket: String,
    /// The object was already there with the same size: nothing was sent.
    pub already_existed: bool,
    /// The LaunchBrightly import API's `cloud {upload, fileObject, bucket}`.
    pub cloud: CloudObject,
}

/// Look a setting up by its snake_case name or the LaunchBrightly integration API's camelCase one.
fn setting<'a>(settings: &'a BTreeMap<String, String>, names: &[&str]) -> Option<&'a str> {
    names
        .iter()
        .find_map(|n| settings.get(*n))
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
}

fn check_http_url(what: &str, value: &str) -> Result<String> {
    let parsed = url::Url::parse(value).map_err(|e| {
        CoreError::Invalid(format!(
            "{what} '{value}' is not a URL ({e}): enter it as https://host[:port]"
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(CoreError::Invalid(format!(
            "{what} '{value}' must be an http(s) URL with a host, e.g. https://host[:port]"
        )));
    }
    Ok(value.trim_end_matches('/').to_string())
}

/// Bucket names are DNS labels (S3 and R2 rules): 3-63 of a-z 0-9 . -.
fn check_bucket(bucket: &str) -> Result<()> {
    let ok_chars = bucket
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
    if (3..=63).contains(&bucket.len()) && ok_chars {
        return Ok(());
    }
    Err(CoreError::Invalid(format!(
        "bucket '{bucket}' is not a valid bucket name: use 3 to 63 lowercase letters, digits, dots or hyphens"
    )))
}

fn parse_bool(key: &str, value: &str) -> Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(CoreError::Invalid(format!(
            "{key} '{value}' is not a yes/no value: use true or false"
        ))),
    }
}

impl StorageSettings {
    /// Read an integration's stored settings. `base_url` (the integration's
    /// API-base override) is used as the endpoint when `endpoint` is not set.
    /// Keys: bucket, region, account_id, endpoint, public_base_url, prefix,
    /// access_key_id, path_style (the LaunchBrightly integration API's camelCase spellings also work).
    pub fn from_settings(
        kind: ProviderKind,
        base_url: Option<&str>,
        settings: &BTreeMap<String, String>,
    ) -> Result<Self> {
        if !matches!(kind, ProviderKind::S3 | ProviderKind::R2) {
            return Err(CoreError::Invalid(format!(
                "{} is not a storage provider: use s3 or r2",
                kind.display_name()
            )));
        }
        let get = |names: &[&str]| setting(settings, names).map(str::to_string);
        let bucket = get(&["bucket"]).ok_or_else(|| {
            CoreError::Invalid(format!(
                "the {} integration needs a bucket: set bucket in its settings",
                kind.display_name()
            ))
        })?;
        check_bucket(&bucket)?;
        let access_key_id = get(&["access_key_id", "accessKeyId"]).ok_or_else(|| {
            CoreError::Invalid(format!(
                "the {} integration needs an access key id: set access_key_id in its settings",
                kind.display_name()
            ))
        })?;
        let endpoint = get(&["endpoint"])
            .or_else(|| {
                base_url
                    .map(str::trim)
                    .filter(|b| !b.is_empty())
                    .map(str::to_string)
            })
            .map(|e| check_http_url("endpoint", &e))
            .transpose()?;
        let public_base_url = get(&["public_base_url", "publicBaseUrl"])
            .map(|u| check_http_url("public_base_url", &u))
            .transpose()?;
        let force_path_style = match get(&["path_style", "pathStyle", "force_path_style"]) {
            Some(v) => parse_bool("path_style", &v)?,
            // S3-compatible servers rarely have wildcard DNS for buckets.
            None => endpoint.is_some(),
        };
        let s = StorageSettings {
            provider: kind,
            bucket,
            region: get(&["region"]),
            account_id: get(&["account_id", "accountId"]),
            endpoint,
            public_base_url,
            prefix: get(&["prefix"])
                .unwrap_or_default()
                .trim_matches('/')
                .to_string(),
            access_key_id,
            force_path_style,
        };
        s.validate()?;
        Ok(s)
    }

    /// The checks a hand-built value also needs before a client is made.
    pub fn validate(&self) -> Result<()> {
        check_bucket(&self.bucket)?;
        if self.access_key_id.trim().is_empty() {
            return Err(CoreError::Invalid(
                "the access key id is empty: enter the storage integration's access key id".into(),
            ));
        }
        self.resolved_region()?;
        self.resolved_endpoint()?;
        Ok(())
    }

    /// R2 is always `auto`; S3 on AWS needs its region; a custom endpoint
    /// defaults to `us-east-1`, which S3-compatible servers accept.
    pub fn resolved_region(&self) -> Result<String> {
        match (self.provider, self.region.as_deref(), &self.endpoint) {
            (ProviderKind::R2, _, _) => Ok("auto".into()),
            (_, Some(r), _) if !r.trim().is_empty() => Ok(r.trim().to_string()),
            (_, _, Some(_)) => Ok("us-east-1".into()),
            _ => Err(CoreError::Invalid(
                "the Amazon S3 integration needs the bucket's region (e.g. us-east-1, eu-west-1): set region in its settings"
                    .into(),
            )),
        }
    }

    /// The endpoint requests go to, or `None` for AWS's own (the SDK
    /// resolves it from the region).
    pub fn resolved_endpoint(&self) -> Result<Option<String>> {
        if let Some(e) = &self.endpoint {
            return Ok(Some(e.trim_end_matches('/').to_string()));
        }
        if self.provider != ProviderKind::R2 {
            return Ok(None);
        }
        let account = self
            .account_id
            .as_deref()
            .map(str::trim)
            .unwrap_or_default();
        if account.is_empty() || !account.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(CoreError::Invalid(
                "the Cloudflare R2 integration needs the Cloudflare account id (32 letters and digits, shown in the R2 dashboard): set account_id in its settings"
                    .into(),
            ));
        }
        Ok(Some(format!("https://{account}.r2.cloudflarestorage.com")))
    }

    /// Where requests go, for messages.
    pub fn endpoint_for_messages(&self) -> String {
        match self.resolved_endpoint() {
            Ok(Some(e)) => e,
            _ => {
                let region = self
                    .resolved_region()
                    .unwrap_or_else(|_| "us-east-1".into());
                format!("https://s3.{region}.amazonaws.com")
            }
        }
    }

    /// `<prefix>/<sha256>.<ext>`, lowercase, no double slashes; the same
    /// bytes always get the same key.
    pub fn key_for(&self, sha256: &str, ext: &str) -> String {
        let ext: String = ext
            .trim()
            .trim_start_matches('.')
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        let file = match ext.is_empty() {
            true => sha256.trim().to_ascii_lowercase(),
            false => format!("{}.{ext}", sha256.trim().to_ascii_lowercase()),
        };
        let prefix: Vec<&str> = self.prefix.split('/').filter(|p| !p.is_empty()).collect();
        match prefix.is_empty() {
            true => file,
            false => format!("{}/{file}", prefix.join("/")),
        }
    }

    /// The public URL of a key: the configured base URL, else the bucket's
    /// own URL (virtual-hosted on AWS, path-style on custom endpoints or
    /// when path style is forced). An R2 bucket is only public through a
    /// base URL (r2.dev or a custom domain).
    pub fn public_url(&self, key: &str) -> String {
        let key = encode_key(key);
        if let Some(base) = &self.public_base_url {
            return format!("{}/{key}", base.trim_end_matches('/'));
        }
        let bucket = &self.bucket;
        match self.resolved_endpoint().ok().flatten() {
            Some(ep) if self.force_path_style => format!("{ep}/{bucket}/{key}"),
            Some(ep) => match ep.split_once("://") {
                Some((scheme, host)) => format!("{scheme}://{bucket}.{host}/{key}"),
                None => format!("{ep}/{bucket}/{key}"),
            },
            None => {
                let region = self
                    .resolved_region()
                    .unwrap_or_else(|_| "us-east-1".into());
                // Dotted bucket names break the TLS wildcard of virtual hosts.
                if self.force_path_style || bucket.contains('.') {
                    format!("https://s3.{region}.amazonaws.com/{bucket}/{key}")
                } else {
                    format!("https://{bucket}.s3.{region}.amazonaws.com/{key}")
                }
            }
        }
    }

    /// The LaunchBrightly import API's `cloud` object for a key.
    pub fn cloud_object(&self, key: &str) -> CloudObject {
        CloudObject {
            upload: self.provider.as_str().to_string(),
            file_object: key.to_string(),
            bucket: self.bucket.clone(),
        }
    }
}

/// Characters escaped in a key's URL path; `/` stays a separator.
const KEY_PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'+');

fn encode_key(key: &str) -> String {
    utf8_percent_encode(key.trim_start_matches('/'), KEY_PATH).to_string()
}

// Settings of the storage integrations, named as the S3 and R2 consoles name them.

pub fn s3_spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::S3,
        display_name: "Amazon S3",
        fields: vec![
            field("bucket", "Bucket name", "The S3 bucket new screenshots are uploaded to", true, "my-help-images").checked(FieldCheck::PathSegment),
            field("region", "AWS Region", "The bucket's region code, as shown in the S3 console", true, "us-east-1"),
            field("endpoint", "Endpoint", "Only for S3-compatible services (MinIO, Garage...); leave empty for Amazon S3", false, "https://s3.example.com").checked(FieldCheck::HttpUrl),
            field("public_base_url", "Public base URL", "Where uploaded files are publicly readable (a CloudFront domain, for example); empty = the bucket's own URL", false, "https://images.example.com").checked(FieldCheck::HttpUrl),
            field("prefix", "Path prefix", "Folder inside the bucket for Shotkeeper's uploads", false, "shotkeeper/"),
            field("access_key_id", "Access key ID", "From IAM > Users > Security credentials, for a user allowed to write to the bucket", true, "AKIA…"),
        ],
        secret_label: "Secret access key",
        secret_help: "Shown once when the access key is created in IAM",
        default_base_url: "https://s3.{region}.amazonaws.com",
        requests_per_minute: 0,
        has_image_upload: true,
    }
}

pub fn r2_spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::R2,
        display_name: "Cloudflare R2",
        fields: vec![
            field(
                "account_id",
                "Account ID",
                "On the R2 overview page of the Cloudflare dashboard",
                true,
                "0123456789abcdef0123456789abcdef",
            )
            .checked(FieldCheck::HostLabel),
            field(
                "bucket",
                "Bucket name",
                "The R2 bucket new screenshots are uploaded to",
                true,
                "my-help-images",
            )
            .checked(FieldCheck::PathSegment),
            field(
                "public_base_url",
                "Public bucket URL",
                "The bucket's custom domain or r2.dev URL (Settings > Public access)",
                false,
                "https://images.example.com",
            )
            .checked(FieldCheck::HttpUrl),
            field(
                "prefix",
                "Path prefix",
                "Folder inside the bucket for Shotkeeper's uploads",
                false,
                "shotkeeper/",
            ),
            field(
                "access_key_id",
                "Access Key ID",
                "From R2 > Manage R2 API Tokens, for a token with Object Read & Write",
                true,
                "a1b2c3d4e5f6...",
            ),
        ],
        secret_label: "Secret Access Key",
        secret_help: "Shown once when the R2 API token is created",
        default_base_url: "https://{account_id}.r2.cloudflarestorage.com",
        requests_per_minute: 0,
        has_image_upload: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn r2_uses_the_account_endpoint_and_region_auto() {
        let s = StorageSettings::from_settings(
            ProviderKind::R2,
            None,
            &map(&[
                ("bucket", "shots"),
                ("accountId", "abc123"),
                ("access_key_id", "k"),
            ]),
        )
        .unwrap();
        assert_eq!(s.resolved_region().unwrap(), "auto");
        assert_eq!(
            s.resolved_endpoint().unwrap().as_deref(),
            Some("https://abc123.r2.cloudflarestorage.com")
        );
    }

    #[test]
    fn missing_settings_are_named() {
        let err = StorageSettings::from_settings(
            ProviderKind::S3,
            None,
            &map(&[("bucket", "shots"), ("access_key_id", "k")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("region"), "{err}");
        let err = StorageSettings::from_settings(
            ProviderKind::R2,
            None,
            &map(&[("bucket", "shots"), ("access_key_id", "k")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("account id"), "{err}");
        let err = StorageSettings::from_settings(
            ProviderKind::S3,
            None,
            &map(&[("bucket", "Bad_Bucket")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("bucket"), "{err}");
        let err =
            StorageSettings::from_settings(ProviderKind::Zendesk, None, &map(&[])).unwrap_err();
        assert!(err.to_string().contains("not a storage provider"), "{err}");
    }

    #[test]
    fn keys_and_urls() {
        let mut s = StorageSettings::from_settings(
            ProviderKind::S3,
            None,
            &map(&[
                ("bucket", "shots"),
                ("region", "eu-west-1"),
                ("access_key_id", "k"),
                ("prefix", "/help/img/"),
            ]),
        )
        .unwrap();
        assert_eq!(s.key_for("ABC", ".PNG"), "help/img/abc.png");
        assert_eq!(
            s.public_url("help/img/abc.png"),
            "https://shots.s3.eu-west-1.amazonaws.com/help/img/abc.png"
        );
        s.prefix = String::new();
        assert_eq!(s.key_for("abc", ""), "abc");
        s.public_base_url = Some("https://cdn.example.com/".into());
        assert_eq!(s.public_url("a b.png"), "https://cdn.example.com/a%20b.png");
        s.public_base_url = None;
        s.endpoint = Some("http://127.0.0.1:9000".into());
        s.force_path_style = true;
        assert_eq!(s.public_url("k.png"), "http://127.0.0.1:9000/shots/k.png");
    }
}
