//! Integrations in the form of LaunchBrightly's Integration API: a `provider`,
//! a `platform` and a flat `credentials` object with camelCase keys, the
//! secret among them. This module translates that form to core's
//! integrations (settings in each provider's own snake_case terms, the
//! secret apart) and back (the secret masked), and verifies credentials
//! that are not stored. Any front end speaking that API (the REST server)
//! calls it, so the translation exists once.
//!
//! Keys: for S3/R2 `bucket accessKeyId secretAccessKey accountId region`
//! plus `endpoint publicBaseUrl prefix pathStyle`; for Zendesk `username
//! token subdomain` (`subdomain` may be a bare name or a full
//! `https://acme.zendesk.com`); for the other help centers the camelCase
//! of their settings (`account`, `centerId`, `projectId`, `domain`,
//! `region`, `requestsPerMinute`, `rateLimitWaitSeconds`) and the secret
//! as `apiKey` (`token` for Intercom, whose access token it is). Every
//! provider also takes `baseUrl` (simulators, gateways).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::app::App;
use crate::error::{CoreError, Result};
use crate::integrations::{NewIntegration, SecretInput, UpdateIntegration};
use crate::model::{Integration, Platform, ProviderKind, SecretSource, VerifyResult};
use crate::providers::registry;
use crate::storage::{Storage, StorageSettings};

/// The message of LaunchBrightly's integration API for help-center credentials that work.
pub const HELPCENTER_OK: &str = "The helpcenter credentials has been successfully validated";
/// The message of LaunchBrightly's integration API after an update.
pub const UPDATED: &str = "The Integration credentials have been successfully updated.";
/// What a stored secret shows as.
pub const MASK: &str = "********";

/// The name of the secret inside `credentials` for a provider.
pub fn secret_key(provider: ProviderKind) -> &'static str {
    match provider {
        ProviderKind::S3 | ProviderKind::R2 => "secretAccessKey",
        ProviderKind::Zendesk | ProviderKind::Intercom => "token",
        _ => "apiKey",
    }
}

/// (credentials key, settings key) pairs a provider accepts besides its secret.
fn setting_keys(provider: ProviderKind) -> Vec<(&'static str, &'static str)> {
    let rate = [
        ("requestsPerMinute", "requests_per_minute"),
        ("rateLimitWaitSeconds", "rate_limit_wait_seconds"),
    ];
    let mut keys: Vec<(&str, &str)> = match provider {
        ProviderKind::S3 => vec![
            ("bucket", "bucket"),
            ("accessKeyId", "access_key_id"),
            ("region", "region"),
            ("endpoint", "endpoint"),
            ("publicBaseUrl", "public_base_url"),
            ("prefix", "prefix"),
            ("pathStyle", "path_style"),
            // LaunchBrightly's S3 example sends it; S3 does not need it.
            ("accountId", "account_id"),
        ],
        ProviderKind::R2 => vec![
            ("bucket", "bucket"),
            ("accessKeyId", "access_key_id"),
            ("accountId", "account_id"),
            ("publicBaseUrl", "public_base_url"),
            ("prefix", "prefix"),
            // R2's region is always "auto"; accepted and kept.
            ("region", "region"),
        ],
        ProviderKind::Zendesk => vec![("username", "email"), ("subdomain", "subdomain")],
        ProviderKind::Helpjuice => vec![("account", "account")],
        ProviderKind::Helpcenter => vec![("centerId", "center_id")],
        ProviderKind::Knowledgeowl => vec![("projectId", "project_id")],
        ProviderKind::Freshdesk => vec![("domain", "domain")],
        ProviderKind::Intercom => vec![("region", "region")],
        ProviderKind::Helpscout | ProviderKind::Helpcenterio => vec![],
    };
    if provider.platform() == Platform::Helpcenter {
        keys.extend(rate);
    }
    keys
}

/// An integration in the form of LaunchBrightly's integration API, secret as given (never logged).
#[derive(Clone, Deserialize)]
pub struct CredentialsForm {
    pub provider: ProviderKind,
    pub platform: Option<Platform>,
    pub credentials: Map<String, Value>,
}

/// Core's form of the credentials of LaunchBrightly's integration API: base URL, settings, secret.
pub struct Translated {
    pub base_url: Option<String>,
    pub settings: BTreeMap<String, String>,
    pub secret: Option<String>,
}

impl std::fmt::Debug for Translated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Translated")
            .field("base_url", &self.base_url)
            .field("settings", &self.settings)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Checks that `platform` (when given) is the provider's.
pub fn check_platform(provider: ProviderKind, platform: Option<Platform>) -> Result<()> {
    match platform {
        Some(p) if p != provider.platform() => Err(CoreError::Invalid(format!(
            "platform: {} is a {} provider, so platform must be \"{}\"",
            provider.as_str(),
            match provider.platform() {
                Platform::Cloud => "cloud storage",
                Platform::Helpcenter => "help center",
            },
            match provider.platform() {
                Platform::Cloud => "cloud",
                Platform::Helpcenter => "helpcenter",
            }
        ))),
        _ => Ok(()),
    }
}

fn text_of(key: &str, v: &Value) -> Result<Option<String>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.trim().to_owned()).filter(|s| !s.is_empty())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        _ => Err(CoreError::Invalid(format!(
            "credentials.{key} must be a string"
        ))),
    }
}

/// The bare Zendesk subdomain of `acme`, `acme.zendesk.com` or
/// `https://acme.zendesk.com/...` (LaunchBrightly's example sends the last).
fn zendesk_subdomain(value: &str) -> String {
    let v = value.trim();
    let host = match url::Url::parse(v) {
        Ok(u) if u.host_str().is_some() => u.host_str().unwrap_or_default().to_owned(),
        _ => v.to_owned(),
    };
    host.trim_end_matches('/')
        .trim_end_matches(".zendesk.com")
        .to_owned()
}

/// Translates `credentials` for `provider`. Unknown keys are refused with
/// the list of valid ones, so a typo never silently drops a setting.
pub fn translate(provider: ProviderKind, credentials: &Map<String, Value>) -> Result<Translated> {
    let keys = setting_keys(provider);
    let secret_name = secret_key(provider);
    let mut out = Translated {
        base_url: None,
        settings: BTreeMap::new(),
        secret: None,
    };
    for (k, v) in credentials {
        let value = text_of(k, v)?;
        if k == secret_name {
            out.secret = value;
        } else if k == "baseUrl" {
            out.base_url = value;
        } else if let Some((_, setting)) = keys.iter().find(|(c, _)| c == k) {
            let Some(mut value) = value else { continue };
            if provider == ProviderKind::Zendesk && *setting == "subdomain" {
                value = zendesk_subdomain(&value);
            }
            out.settings.insert((*setting).to_owned(), value);
        } else {
            let mut valid: Vec<&str> = keys.iter().map(|(c, _)| *c).collect();
            valid.push(secret_name);
            valid.push("baseUrl");
            return Err(CoreError::Invalid(format!(
                "credentials.{k} is not a credential of {}: use {}",
                provider.display_name(),
                valid.join(", ")
            )));
        }
    }
    // Name the field in the API's own terms when a required setting is missing.
    for field in registry::spec(provider)
        .fields
        .iter()
        .filter(|f| f.required)
    {
        let implied = out.base_url.is_some()
            && matches!(field.key, "subdomain" | "account" | "domain" | "account_id");
        if !out.settings.contains_key(field.key) && !implied {
            if let Some((c, _)) = keys.iter().find(|(_, s)| *s == field.key) {
                return Err(CoreError::Invalid(format!(
                    "credentials.{c} is required for {}: {}",
                    provider.display_name(),
                    field.help
                )));
            }
        }
    }
    Ok(out)
}

/// An integration as LaunchBrightly's integration API shows it: credentials in its camelCase keys,
/// the secret masked (present only when one is stored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntegrationCredentialsView {
    pub id: String,
    pub label: String,
    pub provider: ProviderKind,
    pub platform: Platform,
    pub credentials: BTreeMap<String, String>,
    pub has_secret: bool,
    pub created_at: String,
    pub updated_at: String,
}

fn view_of(i: &Integration, has_secret: bool) -> IntegrationCredentialsView {
    let keys = setting_keys(i.provider);
    let mut credentials = BTreeMap::new();
    for (k, v) in &i.settings {
        let name = keys
            .iter()
            .find(|(_, s)| s == k)
            .map(|(c, _)| (*c).to_owned())
            .unwrap_or_else(|| camel(k));
        credentials.insert(name, v.clone());
    }
    if let Some(b) = &i.base_url {
        credentials.insert("baseUrl".into(), b.clone());
    }
    if has_secret && !matches!(i.secret_source, SecretSource::Env(_)) {
        credentials.insert(secret_key(i.provider).into(), MASK.into());
    }
    IntegrationCredentialsView {
        id: i.id.clone(),
        label: i.label.clone(),
        provider: i.provider,
        platform: i.platform,
        credentials,
        has_secret,
        created_at: i.created_at.clone(),
        updated_at: i.updated_at.clone(),
    }
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

impl App {
    /// Create, as LaunchBrightly's integration API does.
    pub async fn create_integration_from_credentials(
        &self,
        label: &str,
        form: CredentialsForm,
    ) -> Result<IntegrationCredentialsView> {
        check_platform(form.provider, form.platform)?;
        let t = translate(form.provider, &form.credentials)?;
        let secret = t.secret.ok_or_else(|| {
            CoreError::Invalid(format!(
                "credentials.{} is required: the {} secret",
                secret_key(form.provider),
                form.provider.display_name()
            ))
        })?;
        let view = self
            .add_integration(NewIntegration {
                label: label.to_owned(),
                provider: form.provider,
                base_url: t.base_url,
                settings: t.settings,
                secret: SecretInput::Value { value: secret },
            })
            .await?;
        Ok(view_of(&view.integration, view.has_secret))
    }

    /// Update, as LaunchBrightly's integration API does: label and credentials replaced; a secret left out
    /// (or sent back masked) keeps the stored one.
    pub async fn update_integration_from_credentials(
        &self,
        id: &str,
        label: Option<String>,
        form: CredentialsForm,
    ) -> Result<IntegrationCredentialsView> {
        let current = self.get_integration(id).await?;
        if current.integration.provider != form.provider {
            return Err(CoreError::Invalid(format!(
                "provider: integration {id} is {}; a provider cannot change, create a new integration instead",
                current.integration.provider.as_str()
            )));
        }
        check_platform(form.provider, form.platform)?;
        let t = translate(form.provider, &form.credentials)?;
        let secret = t
            .secret
            .filter(|s| s != MASK)
            .map(|value| SecretInput::Value { value });
        let view = self
            .update_integration(
                id,
                UpdateIntegration {
                    label,
                    base_url: Some(t.base_url.unwrap_or_default()),
                    settings: Some(t.settings),
                    secret,
                },
            )
            .await?;
        Ok(view_of(&view.integration, view.has_secret))
    }

    /// Fetch, as LaunchBrightly's integration API does: never the secret.
    pub async fn integration_credentials(&self, id: &str) -> Result<IntegrationCredentialsView> {
        let view = self.get_integration(id).await?;
        Ok(view_of(&view.integration, view.has_secret))
    }

    /// Verify with plain-text credentials: nothing is stored.
    /// A refused connection is a result with the reason, not an error.
    pub async fn verify_credentials(&self, form: CredentialsForm) -> Result<VerifyResult> {
        check_platform(form.provider, form.platform)?;
        let t = translate(form.provider, &form.credentials)?;
        let secret = t.secret.clone().ok_or_else(|| {
            CoreError::Invalid(format!(
                "credentials.{} is required to verify {} credentials",
                secret_key(form.provider),
                form.provider.display_name()
            ))
        })?;
        registry::validate_settings(form.provider, t.base_url.as_deref(), &t.settings)?;
        let ts = crate::db::now();
        let integration = Integration {
            id: "unsaved".into(),
            label: "the credentials given".into(),
            platform: form.provider.platform(),
            provider: form.provider,
            base_url: t.base_url.clone(),
            settings: t.settings.clone(),
            secret_source: SecretSource::Env(String::new()),
            created_at: ts.clone(),
            updated_at: ts,
        };
        let outcome = match form.provider.platform() {
            Platform::Helpcenter => {
                let client = registry::build(&integration, &secret)?;
                client
                    .verify()
                    .await
                    .map(|_| HELPCENTER_OK.to_owned())
                    .map_err(|e| registry::explain_verify_error(&integration, client.api_base(), e))
            }
            Platform::Cloud => {
                let settings = StorageSettings::from_settings(
                    form.provider,
                    t.base_url.as_deref(),
                    &t.settings,
                )?;
                Storage::new(settings, &secret)?.verify(false).await
            }
        };
        VerifyResult::from_outcome(outcome, seed_message)
    }

    /// Verify by id, with the sentence of LaunchBrightly's integration API for a help center
    /// that answers.
    pub async fn verify_integration_seed(&self, id: &str) -> Result<VerifyResult> {
        let view = self.get_integration(id).await?;
        let outcome = self.check_integration(id).await.map(|message| {
            if view.integration.platform == Platform::Helpcenter {
                HELPCENTER_OK.into()
            } else {
                message
            }
        });
        VerifyResult::from_outcome(outcome, seed_message)
    }
}

/// A failed verification's message: S3's own sentence first, as
/// LaunchBrightly answers ("The specified bucket does not exist."), then
/// what to do; other errors as core words them.
fn seed_message(e: CoreError) -> String {
    match e {
        CoreError::Storage(inner) => inner,
        other => other.to_string(),
    }
}
