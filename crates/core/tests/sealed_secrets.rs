//! The sealed secret store of headless servers: an integration secret is
//! sealed in the database under a key kept outside it, the plaintext is in
//! neither the SQLite file nor its WAL, a wrong key opens nothing and says
//! so, and with neither keychain nor key the message says how to give one.
//!
//! One test function: the sealing key is process-wide, so the steps run in
//! order rather than in parallel tests that would race on it.

mod common;

use std::collections::BTreeMap;

use shotkeeper_core::integrations::{NewIntegration, SecretInput};
use shotkeeper_core::model::{ProviderKind, SecretSource};
use shotkeeper_core::sealed::{self, SealingKey};
use shotkeeper_core::CoreError;

const SECRET: &str = "hc-secret-4f9d2a7be1c3-do-not-leak";

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn sealed_secrets_stay_sealed_and_a_wrong_key_opens_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let key = SealingKey::generate();
    sealed::configure(Some(key.clone()));

    let mut settings = BTreeMap::new();
    settings.insert("center_id".to_string(), "c1".to_string());
    let view = app
        .add_integration(NewIntegration {
            label: "Sealed".into(),
            provider: ProviderKind::Helpcenter,
            base_url: Some("http://127.0.0.1:9/v0".into()),
            settings,
            secret: SecretInput::Value {
                value: SECRET.into(),
            },
        })
        .await
        .unwrap();
    assert_eq!(view.integration.secret_source, SecretSource::Sealed);
    assert!(view.has_secret);
    let integration = view.integration.clone();

    // Opened with the right key.
    let opened = shotkeeper_core::integrations::load_secret(app.pool(), &integration)
        .await
        .unwrap();
    assert_eq!(opened, SECRET);

    // Nowhere in plain text: not in a row (either engine), not the SQLite
    // file or its WAL (when the database is the embedded one), not the view.
    let rows: Vec<(String, String, Vec<u8>)> = sqlx::query_as(
        "SELECT i.settings, i.secret_source, s.ciphertext
         FROM integrations i JOIN sealed_secrets s ON s.integration_id = i.id",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    assert_eq!(rows.len(), 1, "one sealed secret is stored");
    for (settings, source, ciphertext) in &rows {
        assert!(!settings.contains(SECRET) && !source.contains(SECRET));
        assert!(!contains(ciphertext, SECRET));
    }
    if let Ok(db) = std::fs::read(dir.path().join("shotkeeper.sqlite")) {
        let wal = std::fs::read(dir.path().join("shotkeeper.sqlite-wal")).unwrap_or_default();
        assert!(!wal.is_empty() || !db.is_empty());
        assert!(!contains(&db, SECRET));
        assert!(!contains(&wal, SECRET));
    }
    assert!(!format!("{view:?}").contains(SECRET));
    assert!(!serde_json::to_string(&view).unwrap().contains(SECRET));
    assert!(!format!("{key:?}").contains(&key.to_hex()));

    // Another key: a clear error, nothing decrypted.
    sealed::configure(Some(SealingKey::generate()));
    let err = shotkeeper_core::integrations::load_secret(app.pool(), &integration)
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::SecretMissing { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("sealed under another secret key"), "{text}");
    assert!(!text.contains(SECRET));

    // No key at all: says which key to give.
    sealed::configure(None);
    let err = shotkeeper_core::integrations::load_secret(app.pool(), &integration)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("SHOTKEEPER_SECRET_KEY"), "{err}");

    // Keys: parsed from 64 hex digits, refused otherwise with the way out.
    let parsed = SealingKey::parse(&format!("  {}\n", key.to_hex()), "test").unwrap();
    assert_eq!(parsed.to_hex(), key.to_hex());
    let bad = SealingKey::parse("not a key", "the environment variable X").unwrap_err();
    assert_eq!(
        bad.to_string(),
        "the environment variable X does not hold a secret key (64 hex digits): make one with `shotkeeper secret-key generate`"
    );

    // Back to the right key: the secret opens again, and deleting the
    // integration removes the sealed copy.
    sealed::configure(Some(key));
    assert_eq!(
        shotkeeper_core::integrations::load_secret(app.pool(), &integration)
            .await
            .unwrap(),
        SECRET
    );
    app.delete_integration(&integration.id).await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sealed_secrets")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(left, 0);
    sealed::configure(None);
}
