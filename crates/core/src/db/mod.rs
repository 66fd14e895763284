//! The store: SQLite in the data directory (the embedded default), or a
//! team's PostgreSQL, through sqlx's `Any` driver with embedded migrations
//! per engine. One file per concern: integrations, jobs (articles and images
//! written by an import), views (the read side used by reports and the UI).
//!
//! Why `sqlx::Any` and not one pool type per engine behind a trait: the SQL
//! is the same text on both engines (numbered `$1` placeholders, which SQLite
//! reads too; `ON CONFLICT` upserts; a `rowid` column PostgreSQL's schema
//! declares), so one function per query serves both, and the few statements
//! that must differ ask [`engine`]. `Any` carries only integers, floats,
//! text and bytes, which is all the schema stores.

pub mod api_keys;
pub mod article_locks;
pub mod articles;
pub mod audit_settings;
pub mod capture;
pub mod integrations;
pub mod job_leases;
pub mod jobs;
pub mod plans;
pub mod revisions;
pub mod sealed_secrets;
pub mod team_key;
pub mod team_settings;
pub mod views;

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Executor};

use crate::error::{CoreError, Result};

/// A pool of connections to either engine.
pub type Pool = sqlx::AnyPool;

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "shotkeeper.sqlite";

/// The embedded database's migrations (`migrations/sqlite`).
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
/// The team database's migrations (`migrations/postgres`), one per SQLite
/// migration of the same number.
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which engine a pool talks to, for the few statements that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Where Shotkeeper keeps its data.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// `shotkeeper.sqlite` in the data directory: one person, one machine.
    Embedded { file: PathBuf },
    /// A team's PostgreSQL (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`).
    Team { url: url::Url },
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// The environment variable that names a team database for every front end
/// (the CLI's `--database` reads it too).
pub const DATABASE_URL_ENV: &str = "SHOTKEEPER_DATABASE_URL";

impl Database {
    /// The database a front end opens: the team database `url` names when
    /// one is given (and not empty), else the data directory's SQLite file.
    pub fn chosen(data_dir: &Path, url: Option<&str>) -> Result<Database> {
        match url.map(str::trim) {
            Some(url) if !url.is_empty() => Database::from_url(url),
            _ => Ok(Database::embedded(data_dir)),
        }
    }

    /// The embedded database of a data directory.
    pub fn embedded(data_dir: &Path) -> Database {
        Database::Embedded {
            file: data_dir.join(DB_FILE),
        }
    }

    /// A `postgres://` (or `postgresql://`) URL, or a `sqlite://` path.
    pub fn from_url(url: &str) -> Result<Database> {
        let invalid = |why: &str| {
            CoreError::Invalid(format!(
                "the database address is not usable ({why}): give postgres://USER:PASSWORD@HOST:PORT/DATABASE for a team database, or leave it out to use the data directory's"
            ))
        };
        let parsed = url::Url::parse(url).map_err(|_| invalid("not a URL"))?;
        match parsed.scheme() {
            "postgres" | "postgresql" => {
                if parsed.host_str().unwrap_or("").is_empty() {
                    return Err(invalid("no host"));
                }
                Ok(Database::Team { url: parsed })
            }
            "sqlite" => {
                let opts: SqliteConnectOptions = url
                    .parse()
                    .map_err(|_| invalid("not a SQLite file address"))?;
                Ok(Database::Embedded {
                    file: opts.get_filename().to_path_buf(),
                })
            }
            other => Err(invalid(&format!(
                "Shotkeeper speaks SQLite and PostgreSQL, not {other}"
            ))),
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Database::Embedded { .. } => Engine::Sqlite,
            Database::Team { .. } => Engine::Postgres,
        }
    }

    /// Where it is, for messages and the UI: never the password.
    pub fn describe(&self) -> String {
        match self {
            Database::Embedded { file } => file.display().to_string(),
            Database::Team { url } => {
                let mut shown = url.clone();
                if shown.password().is_some() {
                    let _ = shown.set_password(Some("***"));
                }
                shown.set_query(None);
                shown.to_string()
            }
        }
    }
}

/// Opens (creating if needed) the database in `data_dir` and runs migrations.
pub async fn open(data_dir: &Path) -> Result<Pool> {
    std::fs::create_dir_all(data_dir)?;
    connect(&Database::embedded(data_dir)).await
}

/// Connects to the database and brings its schema up to date; refuses a
/// database a newer Shotkeeper migrated further, before touching it.
pub async fn connect(database: &Database) -> Result<Pool> {
    sqlx::any::install_default_drivers();
    let (pool, migrator) = match database {
        Database::Embedded { file } => (connect_sqlite(file).await?, &SQLITE_MIGRATIONS),
        Database::Team { url } => (connect_postgres(database, url).await?, &POSTGRES_MIGRATIONS),
    };
    match migrator.run(&pool).await {
        Ok(()) => Ok(pool),
        Err(MigrateError::VersionMissing(version)) => Err(CoreError::NewerDatabase {
            database: database.describe(),
            version,
            known: migrator.iter().map(|m| m.version).max().unwrap_or(0),
        }),
        Err(e) => Err(e.into()),
    }
}

async fn connect_sqlite(file: &Path) -> Result<Pool> {
    let url = SqliteConnectOptions::new()
        .filename(file)
        .create_if_missing(true)
        .to_url_lossy();
    let options = AnyConnectOptions::from_url(&url)?;
    Ok(AnyPoolOptions::new()
        .max_connections(4)
        .after_connect(|conn, _| {
            Box::pin(async move {
                // WAL keeps readers (the UI) unblocked while an import
                // writes; a writer waits up to 10 s for another's lock.
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                )
                .await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await?)
}

async fn connect_postgres(database: &Database, url: &url::Url) -> Result<Pool> {
    use sqlx::Connection;
    let options = AnyConnectOptions::from_url(url)?;
    let unreachable = |e: sqlx::Error| CoreError::DatabaseUnreachable {
        database: database.describe(),
        detail: unreachable_detail(&e),
    };
    // One connection first: a pool retries a refused connection until its
    // timeout, where a person wants the refusal at once.
    sqlx::AnyConnection::connect_with(&options)
        .await
        .map_err(unreachable)?
        .close()
        .await
        .map_err(unreachable)?;
    AnyPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(15))
        .connect_with(options)
        .await
        .map_err(unreachable)
}

/// sqlx's words for a failed connection, without anything of the URL.
pub(crate) fn unreachable_detail(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => db.message().to_string(),
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::PoolTimedOut => "no answer within 15 s".into(),
        sqlx::Error::Tls(_) => "the TLS handshake failed".into(),
        other => other.to_string(),
    }
}

/// Runs a write transaction, again when PostgreSQL aborted it as one of two
/// that waited on each other (SQLSTATE 40P01, "deadlock_detected"; the
/// PostgreSQL manual's answer is to retry the transaction). Every write of
/// a job also bumps that job's row in `job_view_versions`, so two writers
/// of one job that touch the same rows in crossing order can meet there.
/// SQLite has one writer at a time and never answers this.
pub(crate) async fn retrying_deadlocks<T, F, Fut>(mut write: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    const ATTEMPTS: u32 = 5;
    let mut attempt = 1;
    loop {
        match write().await {
            Err(CoreError::Db(sqlx::Error::Database(e)))
                if e.code().as_deref() == Some("40P01") && attempt < ATTEMPTS =>
            {
                tracing::info!("a write transaction met another (deadlock); attempt {attempt} of {ATTEMPTS}, running it again");
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(20 * u64::from(attempt))).await;
            }
            other => return other,
        }
    }
}

/// The migrations this Shotkeeper knows for an engine, so Settings › Team
/// can say what opening a database would do without running them.
pub(crate) fn migrator(engine: Engine) -> &'static Migrator {
    match engine {
        Engine::Sqlite => &SQLITE_MIGRATIONS,
        Engine::Postgres => &POSTGRES_MIGRATIONS,
    }
}

/// The engine behind a pool.
pub fn engine(pool: &Pool) -> Engine {
    match pool.connect_options().database_url.scheme() {
        "postgres" | "postgresql" => Engine::Postgres,
        _ => Engine::Sqlite,
    }
}

/// Current time as RFC 3339 with milliseconds, the form LaunchBrightly's import API uses.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Creates an empty database on the PostgreSQL server `admin_url` points at
/// (a role allowed to `CREATE DATABASE`), named `prefix` and a random
/// suffix, and returns where it is: every test or benchmark run starts from
/// an empty team database of its own.
pub async fn create_scratch_postgres(admin_url: &str, prefix: &str) -> Result<Database> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let Database::Team { url } = Database::from_url(admin_url)? else {
        return Err(CoreError::Invalid(format!(
            "{admin_url} is not a PostgreSQL address"
        )));
    };
    let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::AnyConnection::connect(url.as_str())
        .await
        .map_err(|e| CoreError::DatabaseUnreachable {
            database: Database::Team { url: url.clone() }.describe(),
            detail: unreachable_detail(&e),
        })?;
    admin
        .execute(format!("CREATE DATABASE \"{name}\"").as_str())
        .await?;
    admin.close().await?;
    let mut url = url;
    url.set_path(&name);
    Ok(Database::Team { url })
}

/// Rows per multi-row statement of `columns` parameters each.
///
/// PostgreSQL: 200, one round trip per 200 rows instead of one per row, far
/// below its 65,535 bound parameters. SQLite runs in this process, so a
/// statement costs no round trip, but it finds a numbered parameter (`$N`)
/// by walking the statement's list of names, when preparing and again when
/// binding: a statement's cost grows with the square of its parameters,
/// and 200 rows of 15 columns cost more than 200 statements. A few dozen
/// parameters a statement keeps that walk short.
pub(crate) fn rows_per_statement(pool: &Pool, columns: usize) -> usize {
    match engine(pool) {
        Engine::Postgres => 200,
        Engine::Sqlite => (SQLITE_PARAMS_PER_STATEMENT / columns.max(1)).max(1),
    }
}

const SQLITE_PARAMS_PER_STATEMENT: usize = 60;

/// `$first, $first+1, …`: `count` placeholders, for an `IN (…)` list.
pub(crate) fn placeholders_from(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, $2, …), ($n+1, …)`: the `VALUES` list of `rows` rows of `columns`
/// placeholders each, numbered from 1, for a multi-row `INSERT`.
pub(crate) fn values_list(rows: usize, columns: usize) -> String {
    let mut out = String::with_capacity(rows * columns * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..columns {
            if c > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(r * columns + c + 1).to_string());
        }
        out.push(')');
    }
    out
}

#[cfg(test)]
mod values_list_tests {
    #[test]
    fn numbers_every_placeholder_once_in_row_order() {
        assert_eq!(super::values_list(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(super::values_list(1, 1), "($1)");
        assert_eq!(super::placeholders_from(2, 3), "$2, $3, $4");
        assert_eq!(super::placeholders_from(1, 1), "$1");
    }
}
