//! The team key (core's `team_key`): in team mode integration secrets are
//! sealed in the team database under one key each member holds themselves.
//! A second member with the key (from a shared key file) uses them; one
//! without it sees them but is told how to get the key; a wrong key is
//! refused when entered; the plaintext is in no row and in no team.json;
//! rotating re-seals everything in one transaction or changes nothing.
//!
//! Against the real Secret Service (scripts/with-keychain.sh) and, for the
//! team tests (ignored in the SQLite run), a real PostgreSQL server
//! (scripts/with-postgres.sh; run them with `--include-ignored`). The
//! rotation test runs on whichever engine the run gives (see
//! `common::database_of`).
//!
//! The key a process holds is process-wide (as the `serve` sealed store's
//! is), so the tests take turns through one lock and a "member" is a data
//! directory opened with `team::open_app`, one after another, as separate
//! processes would.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use shotkeeper_core::db::{self, Database};
use shotkeeper_core::integrations::{self, NewIntegration, SecretInput};
use shotkeeper_core::model::{ProviderKind, SecretSource};
use shotkeeper_core::sealed::{self, SealingKey};
use shotkeeper_core::team_key::{self, KeySource, NewKeyHome};
use shotkeeper_core::{secrets, team, App, CoreError};
use shotkeeper_sim::SimProvider;

static TURNS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Straight from the Secret Service, not through core.
fn keychain_entry(account: &str) -> Option<String> {
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", secrets::SERVICE, "username", account])
        .output()
        .expect("secret-tool (libsecret-tools) runs");
    (out.status.success() && !out.stdout.is_empty())
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

async fn scratch_team_url() -> String {
    let admin = std::env::var("SHOTKEEPER_TEST_POSTGRES_URL")
        .expect("SHOTKEEPER_TEST_POSTGRES_URL is not set: run through scripts/with-postgres.sh");
    let Database::Team { url } = db::create_scratch_postgres(&admin, "sk_teamkey")
        .await
        .expect("a scratch database")
    else {
        unreachable!("a scratch database is a team database")
    };
    url.to_string()
}

/// Every row of the tables that could hold a secret, as bytes: text
/// columns as they are, byte columns raw.
async fn all_rows(app: &App) -> Vec<u8> {
    let mut out = Vec::new();
    let rows: Vec<(String, String, String, Option<String>)> =
        sqlx::query_as("SELECT id, label, settings, base_url FROM integrations ORDER BY id")
            .fetch_all(app.pool())
            .await
            .unwrap();
    for (a, b, c, d) in rows {
        for t in [a, b, c, d.unwrap_or_default()] {
            out.extend_from_slice(t.as_bytes());
        }
    }
    for (id, n, c) in sealed_rows(app).await {
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(&n);
        out.extend_from_slice(&c);
    }
    let check: Vec<(String, Vec<u8>, Vec<u8>, String)> =
        sqlx::query_as("SELECT key_id, check_nonce, check_ciphertext, created_by FROM team_key")
            .fetch_all(app.pool())
            .await
            .unwrap();
    for (a, b, c, d) in check {
        out.extend_from_slice(a.as_bytes());
        out.extend_from_slice(&b);
        out.extend_from_slice(&c);
        out.extend_from_slice(d.as_bytes());
    }
    out
}

async fn sealed_rows(app: &App) -> Vec<(String, Vec<u8>, Vec<u8>)> {
    sqlx::query_as(
        "SELECT integration_id, nonce, ciphertext FROM sealed_secrets ORDER BY integration_id",
    )
    .fetch_all(app.pool())
    .await
    .unwrap()
}

/// Every byte of the sealed secrets and the key check, to compare a
/// failed rotation's before and after.
async fn sealed_snapshot(app: &App) -> Vec<(String, Vec<u8>, Vec<u8>, String)> {
    let mut rows: Vec<(String, Vec<u8>, Vec<u8>, String)> = sqlx::query_as(
        "SELECT integration_id, nonce, ciphertext, updated_at FROM sealed_secrets ORDER BY integration_id",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    let check: Vec<(String, Vec<u8>, Vec<u8>, String)> = sqlx::query_as(
        "SELECT key_id, check_nonce, check_ciphertext, COALESCE(rotated_at, created_at) FROM team_key",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    rows.extend(check);
    rows
}

async fn add_sealed(app: &App, label: &str, secret: &str, sim: &shotkeeper_sim::Sim) -> String {
    let view = app
        .add_integration(NewIntegration {
            label: label.into(),
            provider: common::kind_of(SimProvider::Helpcenter),
            base_url: Some(sim.api_base.clone()),
            settings: sim.settings.clone(),
            secret: SecretInput::Value {
                value: secret.into(),
            },
        })
        .await
        .unwrap();
    assert_eq!(view.integration.secret_source, SecretSource::Sealed);
    view.integration.id
}

fn team_json(dir: &Path) -> String {
    std::fs::read_to_string(dir.join(team::TEAM_FILE)).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/with-postgres.sh cargo test --test team_key -- --include-ignored"]
async fn members_share_sealed_secrets_through_the_team_key_and_not_without_it() {
    let _turn = TURNS.lock().await;
    sealed::configure(None);
    let url = scratch_team_url().await;
    let sim = common::start_sim(SimProvider::Helpcenter, 3, |_| {}).await;
    let secret = sim.token.clone();
    let (ana_dir, ben_dir, srv_dir, files) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );

    // Ana is the first member: opening the team database makes the team
    // key, keeps it in her keychain next to the address, and records the check.
    team::join_team(ana_dir.path(), &url, Some("Ana"))
        .await
        .unwrap();
    let ana = team::open_app(ana_dir.path(), None, None).await.unwrap();
    let status = ana.team_key_status().await.unwrap();
    assert!(
        status.team_mode && status.recorded && status.held,
        "{status:?}"
    );
    assert_eq!(status.source, Some(KeySource::Keychain));
    assert_eq!(status.created_by.as_deref(), Some("Ana"));
    assert_eq!(status.problem, None);
    let ana_key = keychain_entry(&team_key::keychain_account(ana_dir.path()))
        .expect("the team key is in Ana's keychain");
    let ana_key = SealingKey::parse(&ana_key, "keychain").unwrap();
    assert_eq!(status.key_id.as_deref(), Some(ana_key.id().as_str()));

    // Her new secret is sealed in the team database, not in her keychain.
    let id = add_sealed(&ana, "Team help center", &secret, &sim).await;
    assert_eq!(keychain_entry(&id), None, "not in the personal keychain");
    ana.check_integration(&id).await.expect("Ana uses it");

    // She shares the key as a file (owner-only); core writes it.
    let key_file = files.path().join("team.key");
    ana.save_team_key_to_file(&key_file).await.unwrap();
    assert_eq!(
        std::fs::read_to_string(&key_file).unwrap().trim(),
        ana_key.to_hex()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = ana.save_team_key_to_file(&key_file).await.unwrap_err();
    assert!(again.to_string().contains("already exists"), "{again}");
    drop(ana);

    // Ben joins without the key: he sees the integration, cannot use it,
    // and is told what happened and what to do.
    team::join_team(ben_dir.path(), &url, Some("Ben"))
        .await
        .unwrap();
    let ben = team::open_app(ben_dir.path(), None, None).await.unwrap();
    let status = ben.team_key_status().await.unwrap();
    assert!(status.recorded && !status.held, "{status:?}");
    assert!(
        status
            .problem
            .as_deref()
            .unwrap()
            .contains("ask a teammate"),
        "{status:?}"
    );
    let seen = ben.list_integrations().await.unwrap();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].has_secret);
    let err = ben.check_integration(&id).await.unwrap_err();
    assert!(matches!(err, CoreError::TeamKeyMissing { .. }), "{err:?}");
    let words = err.to_string();
    for says in [
        "'Team help center'",
        "does not hold it",
        "Save key to file",
        "Add team key",
        "--secret-key-file",
    ] {
        assert!(words.contains(says), "{says}: {words}");
    }
    assert!(!words.contains(&secret) && !words.contains(&ana_key.to_hex()));
    // Nor can he add a secret the team could not read.
    let err = ben
        .add_integration(NewIntegration {
            label: "Ben's".into(),
            provider: ProviderKind::Helpcenter,
            base_url: Some(sim.api_base.clone()),
            settings: sim.settings.clone(),
            secret: SecretInput::Value {
                value: "ben-secret".into(),
            },
        })
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::TeamKeyMissing { .. }), "{err:?}");
    assert_eq!(ben.list_integrations().await.unwrap().len(), 1);

    // A wrong key is refused when entered, with its own message; nothing is saved.
    let wrong = SealingKey::generate();
    let err = ben.add_team_key(&wrong.to_hex()).await.unwrap_err();
    assert!(matches!(err, CoreError::WrongTeamKey { .. }), "{err:?}");
    assert!(err.to_string().contains("is not your team's key"), "{err}");
    assert!(!err.to_string().contains(&wrong.to_hex()), "{err}");
    let err = ben.add_team_key("not a key").await.unwrap_err();
    assert!(err.to_string().contains("64 hex digits"), "{err}");
    assert_eq!(
        keychain_entry(&team_key::keychain_account(ben_dir.path())),
        None
    );
    assert!(!ben.team_key_status().await.unwrap().held);

    // The key Ana shared: accepted, kept in Ben's keychain, and he uses the integration.
    let shared = std::fs::read_to_string(&key_file).unwrap();
    let status = ben.add_team_key(&shared).await.unwrap();
    assert!(status.held, "{status:?}");
    assert!(keychain_entry(&team_key::keychain_account(ben_dir.path())).is_some());
    ben.check_integration(&id).await.expect("Ben uses it now");
    drop(ben);
    // And still after a restart, from his keychain.
    let ben = team::open_app(ben_dir.path(), None, None).await.unwrap();
    ben.check_integration(&id).await.expect("from the keychain");
    drop(ben);

    // A server member with the key file (--secret-key-file): uses it.
    sealed::configure(Some(SealingKey::from_file(&key_file).unwrap()));
    let server = team::open_app(srv_dir.path(), Some(&url), None)
        .await
        .unwrap();
    assert_eq!(
        server.team_key_status().await.unwrap().source,
        Some(KeySource::Given)
    );
    server
        .check_integration(&id)
        .await
        .expect("the server uses it");
    drop(server);
    // A wrong key file is refused at once.
    sealed::configure(Some(wrong.clone()));
    let err = team::open_app(srv_dir.path(), Some(&url), None)
        .await
        .err()
        .expect("a wrong key file is refused");
    assert!(matches!(err, CoreError::WrongTeamKey { .. }), "{err:?}");
    assert!(err.to_string().contains("--secret-key-file"), "{err}");
    sealed::configure(None);

    // The plaintext and the key are in no row and in no team.json.
    let ana = team::open_app(ana_dir.path(), None, None).await.unwrap();
    let rows = all_rows(&ana).await;
    assert!(!rows.is_empty());
    assert!(
        !contains(&rows, secret.as_bytes()),
        "the secret is in a row"
    );
    assert!(!contains(&rows, ana_key.to_hex().as_bytes()));
    assert!(!contains(&rows, &hex::decode(ana_key.to_hex()).unwrap()));
    for dir in [ana_dir.path(), ben_dir.path()] {
        let file = team_json(dir);
        assert!(!file.is_empty());
        assert!(
            !file.contains(&secret) && !file.contains(&ana_key.to_hex()),
            "{file}"
        );
    }

    // Ben rotates from his desktop: the new key goes to his keychain, the
    // old one opens nothing any more, and Ana (still holding the old one)
    // is told so, and who rotated.
    drop(ana);
    let ben = team::open_app(ben_dir.path(), None, None).await.unwrap();
    let rotation = ben
        .rotate_team_key(NewKeyHome::Keychain {
            data_dir: ben_dir.path(),
        })
        .await
        .unwrap();
    assert_eq!(rotation.secrets, 1);
    assert_eq!(rotation.old_key_id, ana_key.id());
    let ben_new = keychain_entry(&team_key::keychain_account(ben_dir.path())).unwrap();
    let ben_new = SealingKey::parse(&ben_new, "keychain").unwrap();
    assert_eq!(rotation.new_key_id, ben_new.id());
    ben.check_integration(&id).await.expect("under the new key");
    drop(ben);
    let ana = team::open_app(ana_dir.path(), None, None).await.unwrap();
    let status = ana.team_key_status().await.unwrap();
    assert!(!status.held);
    assert_eq!(status.rotated_by.as_deref(), Some("Ben"));
    assert!(
        status
            .problem
            .as_deref()
            .unwrap()
            .contains("not the current one"),
        "{status:?}"
    );
    let err = ana.check_integration(&id).await.unwrap_err();
    assert!(matches!(err, CoreError::TeamKeyMissing { .. }), "{err:?}");
    assert!(err.to_string().contains("rotated by Ben"), "{err}");
    // The old key file is now a wrong key.
    let err = ana.add_team_key(&shared).await.unwrap_err();
    assert!(matches!(err, CoreError::WrongTeamKey { .. }), "{err:?}");
    drop(ana);

    // Leaving the team takes the team key out of the keychain with the address.
    team::leave_team(ben_dir.path()).await.unwrap();
    assert_eq!(
        keychain_entry(&team_key::keychain_account(ben_dir.path())),
        None
    );
    sealed::configure(None);
    sim.shutdown().await;
}

/// One engine or the other (the run decides): a rotation that meets a
/// secret the current key cannot open changes no byte; one that can
/// re-seals every secret under the new key, written to a new file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_reseals_every_secret_or_changes_nothing() {
    let _turn = TURNS.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let sim = common::start_sim(SimProvider::Helpcenter, 2, |_| {}).await;
    let app = common::open_app(dir.path())
        .await
        .with_actor("Ana")
        .unwrap();
    let old = SealingKey::generate();
    // As `serve --secret-key-file` would: the key given becomes the team's.
    team_key::establish(app.pool(), dir.path(), Some(old.clone()), "Ana")
        .await
        .unwrap();

    let secrets: BTreeMap<String, String> = [
        ("One", "s3cret-one"),
        ("Two", "s3cret-two"),
        ("Three", "s3cret-three"),
    ]
    .into_iter()
    .map(|(label, s)| (label.to_string(), s.to_string()))
    .collect();
    let mut ids = BTreeMap::new();
    for (label, s) in &secrets {
        ids.insert(label.clone(), add_sealed(&app, label, s, &sim).await);
    }

    // A fourth secret sealed under some other key (a row written by
    // someone else's server): the rotation must stop at it.
    let stray = app
        .add_integration(NewIntegration {
            label: "Stray".into(),
            provider: ProviderKind::Helpcenter,
            base_url: Some(sim.api_base.clone()),
            settings: sim.settings.clone(),
            secret: SecretInput::Env {
                name: "SHOTKEEPER_TEAM_KEY_TEST_UNUSED".into(),
            },
        })
        .await
        .unwrap();
    sealed::configure(Some(SealingKey::generate()));
    sealed::store(app.pool(), &stray.integration.id, "sealed-elsewhere")
        .await
        .unwrap();
    sealed::configure(Some(old.clone()));

    let before = sealed_snapshot(&app).await;
    assert_eq!(before.len(), 5, "four secrets and the check");
    let first_out = files.path().join("new.key");
    let err = app
        .rotate_team_key(NewKeyHome::File(&first_out))
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::RotationBlocked { .. }), "{err:?}");
    assert!(err.to_string().contains("'Stray'"), "{err}");
    assert!(err.to_string().contains("Nothing was changed"), "{err}");
    assert_eq!(sealed_snapshot(&app).await, before, "every byte as it was");
    assert!(!first_out.exists(), "no new key file left behind");
    for (label, s) in &secrets {
        let i = app.get_integration(&ids[label]).await.unwrap().integration;
        assert_eq!(&integrations::load_secret(app.pool(), &i).await.unwrap(), s);
    }

    // Without the stray secret the rotation goes through.
    app.delete_integration(&stray.integration.id).await.unwrap();
    let out = files.path().join("rotated.key");
    let rotation = app.rotate_team_key(NewKeyHome::File(&out)).await.unwrap();
    assert_eq!(rotation.secrets, 3);
    assert_eq!(rotation.old_key_id, old.id());
    let new = SealingKey::from_file(&out).unwrap();
    assert_eq!(rotation.new_key_id, new.id());
    let status = app.team_key_status().await.unwrap();
    assert_eq!(status.key_id.as_deref(), Some(new.id().as_str()));
    assert_eq!(status.rotated_by.as_deref(), Some("Ana"));
    assert!(status.rotated_at.is_some() && status.held);

    // Every row changed; every secret opens under the new key, none under the old.
    let after = sealed_rows(&app).await;
    for (id, nonce, ciphertext) in &after {
        let was = before.iter().find(|b| &b.0 == id).unwrap();
        assert!(
            was.1 != *nonce && was.2 != *ciphertext,
            "{id} was re-sealed"
        );
    }
    sealed::configure(Some(new.clone()));
    for (label, s) in &secrets {
        let i = app.get_integration(&ids[label]).await.unwrap().integration;
        assert_eq!(&integrations::load_secret(app.pool(), &i).await.unwrap(), s);
    }
    sealed::configure(Some(old.clone()));
    for label in secrets.keys() {
        let i = app.get_integration(&ids[label]).await.unwrap().integration;
        let err = integrations::load_secret(app.pool(), &i).await.unwrap_err();
        assert!(
            matches!(
                err,
                CoreError::TeamKeyMissing { .. } | CoreError::SecretMissing { .. }
            ),
            "{err:?}"
        );
    }
    // The old key is refused where a key is given.
    let err = team_key::establish(app.pool(), dir.path(), Some(old.clone()), "Ana")
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::WrongTeamKey { .. }), "{err:?}");
    sealed::configure(None);
    sim.shutdown().await;
}
