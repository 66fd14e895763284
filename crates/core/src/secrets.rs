//! Secrets live in the OS keychain (Secret Service on Linux, Keychain on
//! macOS, Credential Manager on Windows) through the `keyring` crate, under
//! service [`SERVICE`] and the integration id as account. Or, where no
//! keychain is reachable, they are read from an environment variable at run
//! time and stored nowhere. Nothing here ever logs or formats a secret.

use crate::error::{CoreError, Result};
use crate::model::SecretSource;

pub const SERVICE: &str = "shotkeeper";

/// The running demo help center's token (see [`SecretSource::Demo`]).
static DEMO_TOKEN: std::sync::RwLock<Option<String>> = std::sync::RwLock::new(None);

/// Remembers the token of the demo help center this process runs.
pub fn set_demo_token(token: &str) {
    if let Ok(mut t) = DEMO_TOKEN.write() {
        *t = Some(token.to_owned());
    }
}

fn demo_token() -> Option<String> {
    DEMO_TOKEN.read().ok().and_then(|t| t.clone())
}

fn entry(integration_id: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, integration_id).map_err(map_err)
}

fn map_err(e: keyring::Error) -> CoreError {
    match e {
        keyring::Error::NoStorageAccess(inner) => CoreError::KeychainUnavailable {
            detail: inner.to_string(),
        },
        keyring::Error::PlatformFailure(inner) => CoreError::KeychainUnavailable {
            detail: inner.to_string(),
        },
        other => CoreError::KeychainUnavailable {
            detail: other.to_string(),
        },
    }
}

/// Stores `secret` for the integration. Blocking D-Bus work runs off the async runtime.
pub async fn store(integration_id: &str, secret: &str) -> Result<()> {
    let id = integration_id.to_owned();
    let secret = secret.to_owned();
    blocking(move || entry(&id)?.set_password(&secret).map_err(map_err)).await
}

/// Reads the secret of an integration from wherever its source says.
pub async fn load(integration_id: &str, source: &SecretSource) -> Result<String> {
    match source {
        SecretSource::Env(name) => std::env::var(name).map_err(|_| CoreError::SecretMissing {
            integration: integration_id.to_owned(),
            detail: format!("environment variable {name} is not set; export it before running"),
        }),
        SecretSource::Demo => demo_token().ok_or_else(|| CoreError::SecretMissing {
            integration: integration_id.to_owned(),
            detail: "the demo help center is not running; it runs while the desktop app (or the demo command) does".into(),
        }),
        // Opened by `crate::sealed`, which needs the database; callers
        // with a pool go through `integrations::load_secret`.
        SecretSource::Sealed => Err(CoreError::SecretMissing {
            integration: integration_id.to_owned(),
            detail: "its secret is sealed in the database; open it through the integration".into(),
        }),
        SecretSource::Keychain => {
            let id = integration_id.to_owned();
            blocking(move || match entry(&id)?.get_password() {
                Ok(s) => Ok(s),
                Err(keyring::Error::NoEntry) => Err(CoreError::SecretMissing {
                    integration: id.clone(),
                    detail: "the keychain has no entry for it".into(),
                }),
                Err(e) => Err(map_err(e)),
            })
            .await
        }
    }
}

/// Whether a keychain secret exists (never returns it).
pub async fn exists(integration_id: &str, source: &SecretSource) -> bool {
    match source {
        SecretSource::Env(name) => std::env::var_os(name).is_some(),
        SecretSource::Demo => demo_token().is_some(),
        SecretSource::Keychain => load(integration_id, source).await.is_ok(),
        SecretSource::Sealed => false,
    }
}

/// Removes the keychain entry; a missing entry is fine.
pub async fn delete(integration_id: &str) -> Result<()> {
    let id = integration_id.to_owned();
    blocking(move || match entry(&id)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(map_err(e)),
    })
    .await
}

/// Checks that a keychain answers at all, so a front end can say so up front.
pub async fn probe() -> Result<()> {
    blocking(|| match entry("shotkeeper-probe")?.get_password() {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(map_err(e)),
    })
    .await
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CoreError::KeychainUnavailable {
            detail: format!("keychain worker stopped: {e}"),
        })?
}
