//! The sealed secret store, for machines without an OS keychain (a headless
//! server running `shotkeeper serve`): each integration secret is encrypted
//! with ChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`, an AEAD) under a
//! 32-byte key that never touches the database. The key comes from the
//! `SHOTKEEPER_SECRET_KEY` environment variable or a key file
//! (`--secret-key-file`, made by `shotkeeper secret-key generate`); front
//! ends read it and hand it over with [`configure`]. The integration id is
//! the associated data, so a sealed secret cannot be moved to another
//! integration, and a wrong key decrypts nothing (the tag check fails).

use std::path::Path;
use std::sync::RwLock;

use crate::db::Pool;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;

use crate::db;
use crate::db::sealed_secrets::SealedRow;
use crate::error::{CoreError, Result};

/// The environment variable holding the key (64 hex digits).
pub const KEY_ENV: &str = "SHOTKEEPER_SECRET_KEY";

/// A sealing key. Holds the bytes only; `Debug` never shows them.
#[derive(Clone)]
pub struct SealingKey([u8; 32]);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(<redacted>)")
    }
}

impl SealingKey {
    /// A new random key.
    pub fn generate() -> SealingKey {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        SealingKey(k)
    }

    /// The key as 64 hex digits: the form of the key file and the variable.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex digits (surrounding whitespace ignored). `origin` names
    /// where the text came from, for the message.
    pub fn parse(text: &str, origin: &str) -> Result<SealingKey> {
        let bytes = hex::decode(text.trim()).ok().filter(|b| b.len() == 32);
        let bytes = bytes.ok_or_else(|| {
            CoreError::Invalid(format!(
                "{origin} does not hold a secret key (64 hex digits): make one with `shotkeeper secret-key generate`"
            ))
        })?;
        let mut k = [0u8; 32];
        k.copy_from_slice(&bytes);
        Ok(SealingKey(k))
    }

    pub fn from_file(path: &Path) -> Result<SealingKey> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            CoreError::Invalid(format!(
                "the secret key file {} cannot be read ({e}): make one with `shotkeeper secret-key generate --out {}`",
                path.display(),
                path.display()
            ))
        })?;
        SealingKey::parse(&text, &format!("the secret key file {}", path.display()))
    }

    /// The key of [`KEY_ENV`], if set.
    pub fn from_env() -> Result<Option<SealingKey>> {
        match std::env::var(KEY_ENV) {
            Ok(v) if !v.trim().is_empty() => {
                SealingKey::parse(&v, &format!("the environment variable {KEY_ENV}")).map(Some)
            }
            _ => Ok(None),
        }
    }

    fn cipher(&self) -> ChaCha20Poly1305 {
        ChaCha20Poly1305::new(Key::from_slice(&self.0))
    }

    /// A short public name of the key: the first 8 bytes of a SHA-256 of
    /// it (domain-separated), as hex. The team database keeps it to tell a
    /// member's key right from wrong (and the UI shows it to tell keys
    /// apart); a digest of a 256-bit random key gives nothing away.
    pub fn id(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"shotkeeper team key id v1\0");
        h.update(self.0);
        hex::encode(&h.finalize()[..8])
    }

    /// Seals `msg` under this key with a fresh random nonce; `aad` is bound
    /// to it (the integration id, or the team key check's fixed label).
    pub(crate) fn seal(&self, aad: &[u8], msg: &[u8]) -> Result<SealedRow> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher()
            .encrypt(Nonce::from_slice(&nonce), Payload { msg, aad })
            .map_err(|_| CoreError::Invalid("the secret could not be sealed".into()))?;
        Ok(SealedRow {
            nonce: nonce.to_vec(),
            ciphertext,
        })
    }

    /// Opens what [`seal`](Self::seal) sealed with the same `aad`; `None`
    /// when this key did not seal it (or the row is damaged).
    pub(crate) fn open(&self, aad: &[u8], row: &SealedRow) -> Option<Vec<u8>> {
        if row.nonce.len() != 12 {
            return None;
        }
        self.cipher()
            .decrypt(
                Nonce::from_slice(&row.nonce),
                Payload {
                    msg: &row.ciphertext,
                    aad,
                },
            )
            .ok()
    }

    /// Writes the key (64 hex digits and a newline) to a new file readable
    /// by its owner only; an existing file is never overwritten.
    pub fn write_new_file(&self, path: &Path) -> Result<()> {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                CoreError::Invalid(format!(
                    "{} already exists: choose a new file name, so that no key is ever overwritten",
                    path.display()
                ))
            } else {
                CoreError::file("create", path.display(), e)
            }
        })?;
        writeln!(f, "{}", self.to_hex())
            .and_then(|()| f.sync_all())
            .map_err(|e| CoreError::file("write", path.display(), e))
    }
}

/// The key, and whether a front end gave it (`configure`: a key file or
/// the variable) rather than the team key code finding it in the keychain.
static KEY: RwLock<(Option<SealingKey>, bool)> = RwLock::new((None, false));

/// Makes this process seal new secrets under `key` (and open sealed ones).
/// `None` goes back to the OS keychain for new secrets. In team mode the key
/// given here is the one `crate::team::open_app` checks against the team's.
pub fn configure(key: Option<SealingKey>) {
    set(key, true);
}

/// Holds `key`; `given` says a front end gave it (else the keychain did).
pub(crate) fn set(key: Option<SealingKey>, given: bool) {
    if let Ok(mut k) = KEY.write() {
        *k = (key, given);
    }
}

/// The key a front end gave with [`configure`], if that is the key held.
pub(crate) fn given() -> Option<SealingKey> {
    KEY.read()
        .ok()
        .and_then(|k| if k.1 { k.0.clone() } else { None })
}

/// Whether a sealing key is configured in this process.
pub fn configured() -> bool {
    KEY.read().map(|k| k.0.is_some()).unwrap_or(false)
}

pub(crate) fn current() -> Option<SealingKey> {
    KEY.read().ok().and_then(|k| k.0.clone())
}

fn no_key(integration: &str) -> CoreError {
    CoreError::SecretMissing {
        integration: integration.to_owned(),
        detail: format!(
            "its secret is sealed in the database and no secret key is set: set {KEY_ENV} or pass --secret-key-file with the key it was stored under"
        ),
    }
}

/// Seals `secret` for the integration and stores nonce and ciphertext.
pub async fn store(pool: &Pool, integration_id: &str, secret: &str) -> Result<()> {
    let key = current().ok_or_else(|| no_key(integration_id))?;
    let row = key.seal(integration_id.as_bytes(), secret.as_bytes())?;
    db::sealed_secrets::put(pool, integration_id, &row).await?;
    Ok(())
}

/// Opens the sealed secret of an integration. A wrong key opens nothing and
/// says so.
pub async fn load(pool: &Pool, integration_id: &str) -> Result<String> {
    let SealedRow { nonce, ciphertext } = db::sealed_secrets::get(pool, integration_id)
        .await?
        .ok_or_else(|| CoreError::SecretMissing {
            integration: integration_id.to_owned(),
            detail: "the sealed secret store has no entry for it".into(),
        })?;
    let key = current().ok_or_else(|| no_key(integration_id))?;
    if nonce.len() != 12 {
        return Err(CoreError::SecretMissing {
            integration: integration_id.to_owned(),
            detail: "its sealed secret is damaged".into(),
        });
    }
    let plain = key
        .cipher()
        .decrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &ciphertext,
                aad: integration_id.as_bytes(),
            },
        )
        .map_err(|_| CoreError::SecretMissing {
            integration: integration_id.to_owned(),
            detail: format!(
                "its secret was sealed under another secret key, and the key set now ({KEY_ENV} or --secret-key-file) cannot open it: start with the key it was stored under, or enter the secret again"
            ),
        })?;
    String::from_utf8(plain).map_err(|_| CoreError::SecretMissing {
        integration: integration_id.to_owned(),
        detail: "its sealed secret is damaged".into(),
    })
}

/// Whether a sealed secret is stored (never opens it).
pub async fn exists(pool: &Pool, integration_id: &str) -> bool {
    db::sealed_secrets::exists(pool, integration_id)
        .await
        .unwrap_or(false)
}

pub async fn delete(pool: &Pool, integration_id: &str) -> Result<()> {
    db::sealed_secrets::delete(pool, integration_id).await
}
