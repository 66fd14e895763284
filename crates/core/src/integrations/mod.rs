//! Integrations (LaunchBrightly's integration API): add, list, show, update, delete, verify.
//! Non-secret settings go to SQLite, the secret to the keychain (or an env var
//! name), and nothing secret ever comes back out of this module.

use std::collections::BTreeMap;

use crate::db::Pool;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::{self, now};
use crate::error::{CoreError, Result};
use crate::model::{Integration, Platform, ProviderKind, SecretSource, VerifyResult};
use crate::providers::{registry, HelpCenter};
use crate::storage::{Storage, StorageSettings};
use crate::{sealed, secrets, team_key};

mod draft;
pub use draft::{check_draft, FieldProblem, IntegrationDraft, SecretDraft};

/// How a new secret is given. The value is consumed by core and never returned.
#[derive(Clone, Deserialize, Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SecretInput {
    Value {
        value: String,
    },
    Env {
        name: String,
    },
    /// The demo help center's token (see [`SecretSource::Demo`]); only core
    /// gives it, front ends cannot send it.
    #[serde(skip)]
    Demo {
        token: String,
    },
}

impl std::fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretInput::Value { .. } => f.write_str("SecretInput::Value(<redacted>)"),
            SecretInput::Env { name } => write!(f, "SecretInput::Env({name})"),
            SecretInput::Demo { .. } => f.write_str("SecretInput::Demo"),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct NewIntegration {
    pub label: String,
    pub provider: ProviderKind,
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
    pub secret: SecretInput,
}

#[derive(Debug, Clone, Deserialize, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateIntegration {
    pub label: Option<String>,
    /// `Some("")` clears the override.
    pub base_url: Option<String>,
    /// Replaces the settings when given.
    pub settings: Option<BTreeMap<String, String>>,
    /// `None` keeps the stored secret.
    pub secret: Option<SecretInput>,
}

/// What front ends see of an integration: never the secret, only whether one is there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationView {
    #[serde(flatten)]
    pub integration: Integration,
    pub has_secret: bool,
    pub is_demo: bool,
}

fn clean_base_url(base_url: Option<String>) -> Result<Option<String>> {
    let Some(raw) = base_url
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
    else {
        return Ok(None);
    };
    let parsed = url::Url::parse(&raw).map_err(|e| {
        CoreError::Invalid(format!(
            "base URL '{raw}' is not a URL ({e}); use e.g. https://example.com/api"
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(CoreError::Invalid(format!(
            "base URL '{raw}' must start with https:// (or http:// for a local simulator)"
        )));
    }
    Ok(Some(raw.trim_end_matches('/').to_owned()))
}

fn validate_label(label: &str) -> Result<String> {
    match draft::label_problem(label) {
        Some(e) => Err(e),
        None => Ok(label.trim().to_owned()),
    }
}

fn validate_secret(secret: &SecretInput) -> Result<()> {
    let problem = match secret {
        SecretInput::Value { value } if value.trim().is_empty() => Some(CoreError::Invalid(
            "the secret is empty: paste the API key or token".into(),
        )),
        SecretInput::Value { .. } => None,
        SecretInput::Env { name } => draft::env_name_problem(name),
        SecretInput::Demo { .. } => None,
    };
    problem.map_or(Ok(()), Err)
}

/// Stores the secret where the input says and returns where it lives: a
/// value goes to the sealed store when this process has a sealing key (a
/// server), else to the OS keychain.
///
/// On a team database a value is always sealed, under the team key
/// (`crate::team_key`): the member's own keychain is one colleagues cannot
/// read. Without the team key it is refused, with how to get the key.
async fn put_secret(
    pool: &Pool,
    id: &str,
    label: &str,
    secret: &SecretInput,
) -> Result<SecretSource> {
    match secret {
        SecretInput::Value { value } if team_key::is_team(pool) => {
            team_key::seal_for_team(pool, id, label, value.trim()).await?;
            Ok(SecretSource::Sealed)
        }
        SecretInput::Value { value } if sealed::configured() => {
            sealed::store(pool, id, value.trim()).await?;
            Ok(SecretSource::Sealed)
        }
        SecretInput::Value { value } => match secrets::store(id, value.trim()).await {
            Ok(()) => Ok(SecretSource::Keychain),
            Err(CoreError::KeychainUnavailable { detail }) => {
                Err(CoreError::NoSecretStore { detail })
            }
            Err(e) => Err(e),
        },
        SecretInput::Env { name } => Ok(SecretSource::Env(name.trim().to_owned())),
        SecretInput::Demo { token } => {
            secrets::set_demo_token(token);
            Ok(SecretSource::Demo)
        }
    }
}

pub async fn view(pool: &Pool, integration: Integration) -> Result<IntegrationView> {
    let has_secret = match integration.secret_source {
        SecretSource::Sealed => sealed::exists(pool, &integration.id).await,
        _ => secrets::exists(&integration.id, &integration.secret_source).await,
    };
    let is_demo = db::integrations::is_demo(pool, &integration.id).await?;
    Ok(IntegrationView {
        integration,
        has_secret,
        is_demo,
    })
}

pub async fn add(pool: &Pool, input: NewIntegration, is_demo: bool) -> Result<IntegrationView> {
    let label = validate_label(&input.label)?;
    let base_url = clean_base_url(input.base_url)?;
    let settings = trimmed(input.settings);
    registry::validate_settings(input.provider, base_url.as_deref(), &settings)?;
    validate_secret(&input.secret)?;
    let id = Uuid::new_v4().to_string();
    // Secret first: if the keychain refuses, nothing is half-written in SQLite.
    let secret_source = put_secret(pool, &id, &label, &input.secret).await?;
    let ts = now();
    let integration = Integration {
        id,
        label,
        platform: input.provider.platform(),
        provider: input.provider,
        base_url,
        settings,
        secret_source,
        created_at: ts.clone(),
        updated_at: ts,
    };
    if let Err(e) = db::integrations::insert(pool, &integration, is_demo).await {
        let _ = secrets::delete(&integration.id).await;
        let _ = sealed::delete(pool, &integration.id).await;
        return Err(e);
    }
    view(pool, integration).await
}

pub async fn update(pool: &Pool, id: &str, input: UpdateIntegration) -> Result<IntegrationView> {
    let mut integration = db::integrations::get(pool, id).await?;
    if let Some(label) = input.label {
        integration.label = validate_label(&label)?;
    }
    if let Some(base_url) = input.base_url {
        integration.base_url = clean_base_url(Some(base_url))?;
    }
    if let Some(settings) = input.settings {
        integration.settings = trimmed(settings);
    }
    registry::validate_settings(
        integration.provider,
        integration.base_url.as_deref(),
        &integration.settings,
    )?;
    if let Some(secret) = &input.secret {
        validate_secret(secret)?;
        let source = put_secret(pool, id, &integration.label, secret).await?;
        if integration.secret_source == SecretSource::Sealed && source != SecretSource::Sealed {
            sealed::delete(pool, id).await?;
        }
        if integration.secret_source == SecretSource::Keychain && source != SecretSource::Keychain {
            // Leaving the keychain: drop the old copy. The demo never needs
            // the keychain, so a keychain that is gone does not stop it.
            let dropped = secrets::delete(id).await;
            if !matches!(source, SecretSource::Demo | SecretSource::Sealed) {
                dropped?;
            }
        }
        integration.secret_source = source;
    }
    integration.updated_at = now();
    db::integrations::update(pool, &integration).await?;
    view(pool, integration).await
}

pub async fn delete(pool: &Pool, id: &str) -> Result<()> {
    let integration = db::integrations::get(pool, id).await?;
    db::integrations::delete(pool, id).await?;
    if integration.secret_source == SecretSource::Keychain {
        secrets::delete(id).await?;
    }
    sealed::delete(pool, id).await?;
    Ok(())
}

fn trimmed(settings: BTreeMap<String, String>) -> BTreeMap<String, String> {
    settings
        .into_iter()
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        .collect()
}

/// Builds the client of a help-center integration, with its secret.
pub async fn help_center(pool: &Pool, id: &str) -> Result<(Integration, Box<dyn HelpCenter>)> {
    let integration = db::integrations::get(pool, id).await?;
    if integration.platform != Platform::Helpcenter {
        return Err(CoreError::Invalid(format!(
            "integration '{}' is {} storage, not a help center",
            integration.label,
            integration.provider.display_name()
        )));
    }
    let secret = load_secret(pool, &integration).await?;
    let client = registry::build(&integration, &secret)?;
    Ok((integration, client))
}

/// Builds the storage client of a cloud integration, with its secret.
pub async fn storage(pool: &Pool, id: &str) -> Result<(Integration, Storage)> {
    let integration = db::integrations::get(pool, id).await?;
    if integration.platform != Platform::Cloud {
        return Err(CoreError::Invalid(format!(
            "integration '{}' is a help center, not S3/R2 storage",
            integration.label
        )));
    }
    let secret = load_secret(pool, &integration).await?;
    let settings = StorageSettings::from_settings(
        integration.provider,
        integration.base_url.as_deref(),
        &integration.settings,
    )?;
    Ok((integration, Storage::new(settings, &secret)?))
}

/// One cheap authenticated call: the success message, or the typed reason it
/// failed (a 404 at the API root explained as a wrong base URL).
pub async fn check(pool: &Pool, id: &str) -> Result<String> {
    let integration = db::integrations::get(pool, id).await?;
    match integration.platform {
        Platform::Helpcenter => {
            let (integration, client) = help_center(pool, id).await?;
            client.verify().await.map_err(|e| {
                crate::providers::registry::explain_verify_error(&integration, client.api_base(), e)
            })
        }
        Platform::Cloud => storage(pool, id).await?.1.verify(false).await,
    }
}

/// One cheap authenticated call. Provider failures are a result, not an error:
/// the message says exactly what went wrong.
pub async fn verify(pool: &Pool, id: &str) -> Result<VerifyResult> {
    db::integrations::get(pool, id).await?;
    VerifyResult::from_outcome(check(pool, id).await, |e| e.to_string())
}

/// The secret of an integration, from wherever it lives.
pub async fn load_secret(pool: &Pool, integration: &Integration) -> Result<String> {
    match integration.secret_source {
        SecretSource::Sealed if team_key::is_team(pool) => {
            team_key::open_for_team(pool, &integration.id, &integration.label).await
        }
        SecretSource::Sealed => sealed::load(pool, &integration.id).await,
        _ => secrets::load(&integration.id, &integration.secret_source).await,
    }
}
