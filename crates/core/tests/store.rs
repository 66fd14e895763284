//! The store on either engine (SQLite in the data directory, or PostgreSQL
//! when the test command gives one): what a person sees when the database
//! is newer than their Shotkeeper, or cannot be reached.

mod common;

use shotkeeper_core::db::{self, Database};
use shotkeeper_core::integrations::{NewIntegration, SecretInput};
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::{App, CoreError};

async fn add_an_integration(app: &App) {
    app.add_integration(NewIntegration {
        label: "Docs".into(),
        provider: ProviderKind::Zendesk,
        base_url: Some("https://example.zendesk.com".into()),
        settings: [("email".to_string(), "docs@example.com".to_string())].into(),
        secret: SecretInput::Env {
            name: "SHOTKEEPER_STORE_TEST_TOKEN".into(),
        },
    })
    .await
    .expect("add an integration");
}

#[tokio::test]
async fn a_database_a_newer_shotkeeper_wrote_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    add_an_integration(&app).await;
    // A later version ran a migration this one does not have.
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(9_001_i64)
    .bind("a migration from the future")
    .bind(true)
    .bind(vec![0u8; 48])
    .bind(1_i64)
    .execute(app.pool())
    .await
    .unwrap();

    let database = common::database_of(dir.path()).await;
    let refused = App::open_with(dir.path(), database.clone()).await;
    let Err(err) = refused else {
        panic!("a newer database was opened")
    };
    assert!(
        matches!(
            err,
            CoreError::NewerDatabase {
                version: 9_001,
                known: 7,
                ..
            }
        ),
        "{err:?}"
    );
    let words = err.to_string();
    assert!(words.contains("newer Shotkeeper"), "{words}");
    assert!(words.contains("update Shotkeeper"), "{words}");
    assert!(words.contains(&database.describe()), "{words}");

    // Nothing was changed: the integration is there, the future migration too.
    assert_eq!(app.list_integrations().await.unwrap().len(), 1);
    let newest: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(newest, 9_001);
}

#[tokio::test]
async fn an_unreachable_team_database_is_named_without_its_password() {
    // Port 1 on loopback: nothing listens there.
    let database = Database::from_url("postgres://ana:hunter2-secret@127.0.0.1:1/docs").unwrap();
    let err = db::connect(&database).await.unwrap_err();
    let words = err.to_string();
    assert!(
        matches!(err, CoreError::DatabaseUnreachable { .. }),
        "{err:?}"
    );
    assert!(
        words.contains("postgres://ana:***@127.0.0.1:1/docs"),
        "{words}"
    );
    assert!(!words.contains("hunter2"), "{words}");
    assert!(!format!("{err:?}").contains("hunter2"));
    assert!(
        words.contains("Check that PostgreSQL is running"),
        "{words}"
    );
}

#[test]
fn database_addresses_are_checked_before_anything_connects() {
    assert!(matches!(
        Database::from_url("postgresql://ana@db.example.com/docs")
            .unwrap()
            .engine(),
        db::Engine::Postgres
    ));
    let sqlite = Database::from_url("sqlite:///var/lib/shotkeeper/shotkeeper.sqlite").unwrap();
    assert_eq!(
        sqlite,
        Database::Embedded {
            file: "/var/lib/shotkeeper/shotkeeper.sqlite".into()
        }
    );
    for bad in ["mysql://ana@db/docs", "not a url", "postgres:///docs"] {
        let err = Database::from_url(bad).unwrap_err().to_string();
        assert!(
            err.contains("postgres://USER:PASSWORD@HOST:PORT/DATABASE"),
            "{bad}: {err}"
        );
    }
}
