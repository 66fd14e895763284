//! Secrets against the real Secret Service (gnome-keyring, started by
//! scripts/with-keychain.sh): the secret is in the keychain and nowhere in
//! the SQLite files; deleting the integration removes it.

use std::collections::BTreeMap;

use shotkeeper_core::integrations::{NewIntegration, SecretInput, UpdateIntegration};
use shotkeeper_core::model::{ProviderKind, SecretSource};
use shotkeeper_core::{secrets, App};

const SECRET: &str = "hj-secret-7f3a9c1e5b2d4f60a8e1c3b5d7f9a2c4";

fn db_bytes_contain(dir: &std::path::Path, needle: &str) -> bool {
    std::fs::read_dir(dir).unwrap().flatten().any(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        name.starts_with("shotkeeper.sqlite")
            && std::fs::read(e.path())
                .map(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
                .unwrap_or(false)
    })
}

fn keychain_entry(id: &str) -> Result<String, keyring_probe::Error> {
    keyring_probe::get(id)
}

/// Reads the keychain directly (not through core) to check what is stored.
mod keyring_probe {
    pub type Error = String;
    pub fn get(id: &str) -> Result<String, Error> {
        let out = std::process::Command::new("secret-tool")
            .args(["lookup", "service", "shotkeeper", "username", id])
            .output();
        match out {
            Ok(o) if o.status.success() => Ok(String::from_utf8_lossy(&o.stdout).into_owned()),
            Ok(o) => Err(format!(
                "secret-tool: {}",
                String::from_utf8_lossy(&o.stderr)
            )),
            Err(e) => Err(e.to_string()),
        }
    }
}

#[tokio::test]
async fn secret_lives_in_the_keychain_and_nowhere_in_sqlite() {
    secrets::probe().await.expect(
        "no Secret Service: run the tests through scripts/test.sh (it starts gnome-keyring)",
    );
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await.unwrap();
    let mut settings = BTreeMap::new();
    settings.insert("account".to_owned(), "acme".to_owned());
    let view = app
        .add_integration(NewIntegration {
            label: "Acme Helpjuice".into(),
            provider: ProviderKind::Helpjuice,
            base_url: None,
            settings,
            secret: SecretInput::Value {
                value: SECRET.into(),
            },
        })
        .await
        .unwrap();
    let id = view.integration.id.clone();
    assert_eq!(view.integration.secret_source, SecretSource::Keychain);
    assert!(view.has_secret);
    assert!(
        !serde_json::to_string(&view).unwrap().contains(SECRET),
        "never sent back"
    );

    // In the keychain, under service "shotkeeper" and the integration id.
    assert_eq!(
        secrets::load(&id, &SecretSource::Keychain).await.unwrap(),
        SECRET
    );
    // Read back with secret-tool, independently of the keyring crate.
    assert_eq!(
        keychain_entry(&id).expect("secret-tool lookup").trim(),
        SECRET
    );
    // Nowhere in the database files (main file and WAL).
    sqlx::query("PRAGMA wal_checkpoint(FULL)")
        .execute(app.pool())
        .await
        .unwrap();
    assert!(!db_bytes_contain(dir.path(), SECRET));
    assert!(
        db_bytes_contain(dir.path(), "Acme Helpjuice"),
        "the check reads the right files"
    );

    // Replacing the secret replaces it in the keychain.
    let replaced = format!("{SECRET}-rotated");
    app.update_integration(
        &id,
        UpdateIntegration {
            label: None,
            base_url: None,
            settings: None,
            secret: Some(SecretInput::Value {
                value: replaced.clone(),
            }),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        secrets::load(&id, &SecretSource::Keychain).await.unwrap(),
        replaced
    );
    assert!(!db_bytes_contain(dir.path(), &replaced));

    // Deleting the integration deletes the keychain entry.
    app.delete_integration(&id).await.unwrap();
    let gone = secrets::load(&id, &SecretSource::Keychain)
        .await
        .unwrap_err();
    assert_eq!(gone.kind(), "secret_missing", "{gone}");
}

#[tokio::test]
async fn env_secret_source_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await.unwrap();
    std::env::set_var("SHOTKEEPER_TEST_ENV_SECRET", SECRET);
    let view = app
        .add_integration(NewIntegration {
            label: "Env secret".into(),
            provider: ProviderKind::Helpcenterio,
            base_url: None,
            settings: BTreeMap::new(),
            secret: SecretInput::Env {
                name: "SHOTKEEPER_TEST_ENV_SECRET".into(),
            },
        })
        .await
        .unwrap();
    assert_eq!(
        view.integration.secret_source,
        SecretSource::Env("SHOTKEEPER_TEST_ENV_SECRET".into())
    );
    assert_eq!(
        secrets::load(&view.integration.id, &view.integration.secret_source)
            .await
            .unwrap(),
        SECRET
    );
    sqlx::query("PRAGMA wal_checkpoint(FULL)")
        .execute(app.pool())
        .await
        .unwrap();
    assert!(!db_bytes_contain(dir.path(), SECRET));
}
