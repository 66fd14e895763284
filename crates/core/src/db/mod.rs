//! SQLite through sqlx, with embedded migrations. One file per concern:
//! integrations, jobs (articles and images written by an import), views
//! (the read side used by reports and the UI).

pub mod api_keys;
pub mod articles;
pub mod audit_settings;
pub mod capture;
pub mod integrations;
pub mod jobs;
pub mod plans;
pub mod revisions;
pub mod sealed_secrets;
pub mod views;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::error::Result;

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "shotkeeper.sqlite";

/// Opens (creating if needed) the database in `data_dir` and runs migrations.
pub async fn open(data_dir: &Path) -> Result<SqlitePool> {
    std::fs::create_dir_all(data_dir)?;
    let path = data_dir.join(DB_FILE);
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .create_if_missing(true)
        // WAL keeps readers (the UI) unblocked while an import writes.
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

/// Current time as RFC 3339 with milliseconds, the form LaunchBrightly's import API uses.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
