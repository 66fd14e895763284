//! Settings › Team (core's `team`): testing a team database's address,
//! joining it, opening the data directory on it, leaving it, and the
//! member's name. Against the real Secret Service (scripts/with-keychain.sh)
//! and, for the tests marked ignored, a real PostgreSQL server
//! (scripts/with-postgres.sh exports SHOTKEEPER_TEST_POSTGRES_URL; run them
//! with `--ignored`).

mod common;

use std::path::Path;

use shotkeeper_core::db::{self, Database};
use shotkeeper_core::integrations::{NewIntegration, SecretInput};
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::team::{self, SchemaState};
use shotkeeper_core::{secrets, App, CoreError};

const PASSWORD: &str = "Tr0ub4dor-team-pw";

fn keychain_has_team_address(dir: &Path) -> bool {
    // Straight from the Secret Service, not through core.
    let out = std::process::Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            secrets::SERVICE,
            "username",
            &team::keychain_account(dir),
        ])
        .output()
        .expect("secret-tool (libsecret-tools) runs");
    out.status.success() && !out.stdout.is_empty()
}

fn team_file(dir: &Path) -> Option<String> {
    std::fs::read_to_string(dir.join(team::TEAM_FILE)).ok()
}

/// A fresh, empty PostgreSQL database on the test server, addressed with a
/// password (the test server trusts loopback, so any password is accepted:
/// what matters is where it ends up).
async fn scratch_team_url() -> String {
    let admin = std::env::var("SHOTKEEPER_TEST_POSTGRES_URL")
        .expect("SHOTKEEPER_TEST_POSTGRES_URL is not set: run through scripts/with-postgres.sh");
    let Database::Team { mut url } = db::create_scratch_postgres(&admin, "sk_team")
        .await
        .expect("a scratch database")
    else {
        unreachable!("a scratch database is a team database")
    };
    if url.username().is_empty() {
        url.set_username("shotkeeper").unwrap();
    }
    url.set_password(Some(PASSWORD)).unwrap();
    url.to_string()
}

async fn add_integration(app: &App, label: &str) {
    app.add_integration(NewIntegration {
        label: label.into(),
        provider: ProviderKind::Zendesk,
        base_url: Some("https://example.zendesk.com".into()),
        settings: [("email".to_string(), "docs@example.com".to_string())].into(),
        secret: SecretInput::Env {
            name: "SHOTKEEPER_TEAM_TEST_TOKEN".into(),
        },
    })
    .await
    .expect("add an integration");
}

async fn labels(app: &App) -> Vec<String> {
    let mut labels: Vec<String> = app
        .list_integrations()
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.integration.label)
        .collect();
    labels.sort();
    labels
}

#[tokio::test]
async fn an_unreachable_address_is_named_without_its_password_and_nothing_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    // Port 9 on loopback: nothing listens there.
    let url = format!("postgres://ana:{PASSWORD}@127.0.0.1:9/team");

    let err = team::test_team_database(&url).await.unwrap_err();
    assert!(
        matches!(err, CoreError::DatabaseUnreachable { .. }),
        "{err:?}"
    );
    let words = err.to_string();
    assert!(
        words.contains("postgres://ana:***@127.0.0.1:9/team"),
        "{words}"
    );
    assert!(!words.contains(PASSWORD), "{words}");

    let err = team::join_team(dir.path(), &url, Some("Ana"))
        .await
        .unwrap_err();
    assert!(!err.to_string().contains(PASSWORD), "{err}");
    assert_eq!(
        team_file(dir.path()),
        None,
        "nothing written to the data directory"
    );
    assert!(!keychain_has_team_address(dir.path()));
    let status = team::status(dir.path()).unwrap();
    assert_eq!(status.team_database, None);
    assert_eq!(status.name, None, "a failed join saves no name either");
    assert!(matches!(
        team::chosen_database(dir.path(), None).await.unwrap(),
        Database::Embedded { .. }
    ));
}

#[tokio::test]
async fn an_address_that_is_not_postgresql_is_refused_before_connecting() {
    for (url, says) in [
        ("", "enter the team database's address"),
        ("mysql://ana:pw@db/team", "not mysql"),
        (
            "sqlite:///tmp/x.sqlite",
            "PostgreSQL server everyone in the team reaches",
        ),
    ] {
        let err = team::test_team_database(url).await.unwrap_err();
        assert!(matches!(err, CoreError::Invalid(_)), "{url}: {err:?}");
        assert!(err.to_string().contains(says), "{url}: {err}");
    }
}

#[tokio::test]
async fn the_name_is_saved_checked_and_cleared() {
    if std::env::var_os(team::AS_ENV).is_some() {
        eprintln!("SHOTKEEPER_AS is set and wins over the saved name; not testing");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let status = team::set_member_name(dir.path(), Some("  Ana Lima ")).unwrap();
    assert_eq!(status.name.as_deref(), Some("Ana Lima"));
    assert_eq!(status.acting_as, "Ana Lima");
    assert!(!status.name_from_env);
    // The CLI and the desktop open the data directory as that person.
    let app = team::open_app(dir.path(), None, None).await.unwrap();
    assert_eq!(app.actor(), "Ana Lima");
    // --as wins.
    let app = team::open_app(dir.path(), None, Some("Ben")).await.unwrap();
    assert_eq!(app.actor(), "Ben");

    // The same rule as --as: no control characters, at most 100 characters.
    for bad in ["Ana\u{7}", &"x".repeat(101)] {
        let err = team::set_member_name(dir.path(), Some(bad)).unwrap_err();
        assert!(
            err.to_string().contains("1 to 100 printable characters"),
            "{err}"
        );
    }
    assert_eq!(
        team::status(dir.path()).unwrap().name.as_deref(),
        Some("Ana Lima")
    );

    // Empty: back to the OS user, and the file is gone.
    let status = team::set_member_name(dir.path(), Some(" ")).unwrap();
    assert_eq!(status.name, None);
    assert_eq!(status.acting_as, shotkeeper_core::app::default_actor());
    assert_eq!(team_file(dir.path()), None);
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/with-postgres.sh cargo test --test team_settings -- --ignored"]
async fn joining_opens_the_team_database_and_leaving_returns_to_the_local_one() {
    let url = scratch_team_url().await;
    let dir = tempfile::tempdir().unwrap();
    let colleague = tempfile::tempdir().unwrap();

    // Before the team: this computer's own database, with one integration.
    let solo = App::open(dir.path()).await.unwrap();
    add_integration(&solo, "Solo docs").await;
    drop(solo);

    // Testing says what joining will do, and changes nothing.
    let check = team::test_team_database(&url).await.unwrap();
    assert_eq!(check.schema, SchemaState::Empty);
    assert_eq!(check.schema_version, 0);
    assert!(check.known_version >= 9, "{check:?}");
    assert!(
        check.server_version.starts_with(char::is_numeric),
        "{check:?}"
    );
    assert!(check.database.contains("***") && !check.database.contains(PASSWORD));
    assert_eq!(
        team::test_team_database(&url).await.unwrap().schema,
        SchemaState::Empty
    );

    // Ana joins; a colleague's data directory joins the same database.
    let status = team::join_team(dir.path(), &url, Some("Ana"))
        .await
        .unwrap();
    assert_eq!(
        status.team_database.as_deref(),
        Some(check.database.as_str())
    );
    assert_eq!(status.name.as_deref(), Some("Ana"));
    team::join_team(colleague.path(), &url, Some("Ben"))
        .await
        .unwrap();

    // The address is in the keychain; team.json says team mode and shows
    // the address without the password.
    assert!(keychain_has_team_address(dir.path()));
    let file = team_file(dir.path()).expect("team.json");
    assert!(!file.contains(PASSWORD), "{file}");
    assert!(file.contains(":***@127.0.0.1"), "{file}");
    assert!(file.contains("\"Ana\""), "{file}");

    // Opening the data directory (what the CLI and the desktop do) opens the
    // team database: what one App writes, another on a colleague's data
    // directory sees; the local integration is not there.
    let ana = team::open_app(dir.path(), None, None).await.unwrap();
    assert_eq!(ana.actor(), "Ana");
    add_integration(&ana, "Team docs").await;
    let ben = team::open_app(colleague.path(), None, None).await.unwrap();
    assert_eq!(ben.actor(), "Ben");
    assert_eq!(labels(&ben).await, ["Team docs"]);
    drop((ana, ben));
    // Opened once, the schema is this version's.
    let check = team::test_team_database(&url).await.unwrap();
    assert_eq!(check.schema, SchemaState::UpToDate);
    assert_eq!(check.schema_version, check.known_version);

    // --database (or SHOTKEEPER_DATABASE_URL) still wins over the saved team.
    let explicit = format!("sqlite://{}", dir.path().join("other.sqlite").display());
    let database = team::chosen_database(dir.path(), Some(&explicit))
        .await
        .unwrap();
    assert!(
        matches!(database, Database::Embedded { .. }),
        "{database:?}"
    );

    // Leaving: the keychain entry and the team are gone, the name stays,
    // and the data directory opens its own database with its data intact.
    let status = team::leave_team(dir.path()).await.unwrap();
    assert_eq!(status.team_database, None);
    assert_eq!(status.name.as_deref(), Some("Ana"));
    assert!(!keychain_has_team_address(dir.path()));
    let file = team_file(dir.path()).expect("team.json keeps the name");
    assert!(!file.contains("postgres"), "{file}");
    let back = team::open_app(dir.path(), None, None).await.unwrap();
    assert_eq!(labels(&back).await, ["Solo docs"]);
    assert_eq!(back.actor(), "Ana");

    // The colleague is still in the team.
    let ben = team::open_app(colleague.path(), None, None).await.unwrap();
    assert_eq!(labels(&ben).await, ["Team docs"]);
    team::leave_team(colleague.path()).await.unwrap();
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/with-postgres.sh cargo test --test team_settings -- --ignored"]
async fn a_team_whose_address_left_the_keychain_says_what_to_do() {
    let url = scratch_team_url().await;
    let dir = tempfile::tempdir().unwrap();
    team::join_team(dir.path(), &url, None).await.unwrap();
    secrets::delete(&team::keychain_account(dir.path()))
        .await
        .unwrap();
    // The data directory does not quietly open its local database instead.
    let Err(err) = team::open_app(dir.path(), None, None).await else {
        panic!("opened without the team database's address");
    };
    assert!(
        matches!(err, CoreError::TeamAddressMissing { .. }),
        "{err:?}"
    );
    let words = err.to_string();
    assert!(words.contains("Settings › Team"), "{words}");
    assert!(
        words.contains("***") && !words.contains(PASSWORD),
        "{words}"
    );
    // Leaving is the way out.
    team::leave_team(dir.path()).await.unwrap();
    team::open_app(dir.path(), None, None).await.unwrap();
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/with-postgres.sh cargo test --test team_settings -- --ignored"]
async fn a_database_a_newer_shotkeeper_wrote_is_reported_and_not_joined() {
    let url = scratch_team_url().await;
    let database = Database::from_url(&url).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let app = App::open_with(elsewhere.path(), database).await.unwrap();
    let older = team::test_team_database(&url).await.unwrap();
    assert_eq!(older.schema, SchemaState::UpToDate);
    common::as_if_a_newer_shotkeeper_migrated(app.pool()).await;
    let migrations = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(app.pool())
            .await
            .unwrap()
    };
    let before = migrations().await;

    let err = team::test_team_database(&url).await.unwrap_err();
    assert!(
        matches!(err, CoreError::NewerDatabase { version: 9_001, .. }),
        "{err:?}"
    );
    let words = err.to_string();
    assert!(words.contains("newer Shotkeeper"), "{words}");
    assert!(!words.contains(PASSWORD), "{words}");

    let dir = tempfile::tempdir().unwrap();
    let err = team::join_team(dir.path(), &url, Some("Ana"))
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::NewerDatabase { .. }), "{err:?}");
    assert_eq!(team_file(dir.path()), None);
    assert!(!keychain_has_team_address(dir.path()));
    assert_eq!(
        migrations().await,
        before,
        "nothing was migrated or written"
    );
}

#[test]
fn two_data_directories_keep_their_team_addresses_apart() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    assert_ne!(
        team::keychain_account(a.path()),
        team::keychain_account(b.path())
    );
    // The same directory named two ways is one account.
    let dotted = a.path().join("sub").join("..");
    std::fs::create_dir_all(a.path().join("sub")).unwrap();
    assert_eq!(
        team::keychain_account(&dotted),
        team::keychain_account(a.path())
    );
    // And the account is never an integration's (those are UUIDs).
    assert!(team::keychain_account(a.path()).starts_with("team-database-"));
}
