//! Settings › Team: which database a data directory works on, and the name
//! its member goes by. Every front end opens a data directory through
//! [`open_app`], so the desktop app and the CLI run on the same data
//! directory open the same database and act under the same name.
//!
//! A team database's address holds a password, so it is a secret: the whole
//! URL goes to the OS keychain (service [`secrets::SERVICE`], account
//! [`keychain_account`], one per data directory). `team.json` in the data
//! directory says only that team mode is on, the address with its password
//! replaced by `***` (for the UI), and the member's name. Leaving removes
//! both; the data directory's own SQLite file is never touched and is what
//! opens next.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::any::AnyConnectOptions;
use sqlx::{ConnectOptions as _, Connection as _};

use crate::app::{default_actor, person_name, App};
use crate::db::{self, Database, Engine};
use crate::error::{CoreError, Result};
use crate::model::SecretSource;
use crate::sealed::{self, SealingKey};
use crate::{secrets, team_key};

/// The non-secret record of a data directory's team choice and name.
pub const TEAM_FILE: &str = "team.json";

/// The environment variable that names the person for every front end (the
/// CLI's `--as` reads it too); it wins over the name saved in Settings.
pub const AS_ENV: &str = "SHOTKEEPER_AS";

/// How long testing an address waits for PostgreSQL to answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// The oldest PostgreSQL the team schema is written for.
const OLDEST_POSTGRES: i64 = 150_000;

/// What `team.json` holds. No field may ever hold a secret.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Saved {
    /// The team database's address as [`Database::describe`] shows it
    /// (password as `***`); present while team mode is on. The address
    /// itself is in the keychain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    team_database: Option<String>,
    /// The name this member's jobs and revisions record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

/// What Settings › Team shows.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamStatus {
    pub data_dir: String,
    /// The data directory's own SQLite file, used when not in a team.
    pub local_database: String,
    /// The team database (password hidden) when this data directory is in a team.
    pub team_database: Option<String>,
    /// The name saved in Settings, if any.
    pub name: Option<String>,
    /// The name jobs and revisions record now: SHOTKEEPER_AS, else the
    /// saved name, else the OS user.
    pub acting_as: String,
    /// Set when SHOTKEEPER_AS names the person and so wins over the saved name.
    pub name_from_env: bool,
    /// The database SHOTKEEPER_DATABASE_URL names (password hidden), which
    /// wins over the saved choice.
    pub database_from_env: Option<String>,
}

/// What opening a team database would do to its schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum SchemaState {
    /// No Shotkeeper tables yet: joining creates them.
    Empty,
    /// Written by this version of Shotkeeper.
    UpToDate,
    /// Written by an older Shotkeeper: joining brings it up to date.
    Older,
}

/// The answer to "Test connection": the server answered and this is what it holds.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamDatabaseCheck {
    /// The address tested, password hidden.
    pub database: String,
    /// PostgreSQL's `server_version`, e.g. "15.8 (Debian 15.8-0+deb12u1)".
    pub server_version: String,
    pub schema: SchemaState,
    /// Newest schema version the database has (0 when empty).
    pub schema_version: i64,
    /// Newest schema version this Shotkeeper knows.
    pub known_version: i64,
}

/// The keychain account that holds a data directory's team database
/// address: one per data directory (a hash of its path), so two data
/// directories on one computer can be in different teams.
pub fn keychain_account(data_dir: &Path) -> String {
    let path = std::fs::canonicalize(data_dir)
        .or_else(|_| std::path::absolute(data_dir))
        .unwrap_or_else(|_| data_dir.to_path_buf());
    let digest = Sha256::digest(path.to_string_lossy().as_bytes());
    format!("team-database-{}", hex::encode(&digest[..8]))
}

fn team_file(data_dir: &Path) -> PathBuf {
    data_dir.join(TEAM_FILE)
}

fn read_saved(data_dir: &Path) -> Result<Saved> {
    let path = team_file(data_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Saved::default()),
        Err(e) => return Err(CoreError::file("read", path.display(), e)),
    };
    serde_json::from_str(&text).map_err(|e| {
        CoreError::Invalid(format!(
            "{} cannot be read ({e}). Delete it to work on this computer's own database and choose the team and your name again in Settings › Team",
            path.display()
        ))
    })
}

fn write_saved(data_dir: &Path, saved: &Saved) -> Result<()> {
    let path = team_file(data_dir);
    if *saved == Saved::default() {
        return match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(CoreError::file("remove", path.display(), e)),
        };
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| CoreError::file("create", data_dir.display(), e))?;
    let text = serde_json::to_string_pretty(saved)
        .map_err(|e| CoreError::Internal(format!("team.json could not be written: {e}")))?;
    // Written beside and renamed over, so a crash leaves the old file or the new one.
    let tmp = data_dir.join(format!("{TEAM_FILE}.tmp"));
    std::fs::write(&tmp, text + "\n").map_err(|e| CoreError::file("write", tmp.display(), e))?;
    std::fs::rename(&tmp, &path).map_err(|e| CoreError::file("write", path.display(), e))
}

/// The name SHOTKEEPER_AS gives, if it can be one.
fn env_name() -> Option<String> {
    std::env::var(AS_ENV)
        .ok()
        .and_then(|n| person_name(&n).map(str::to_owned))
}

/// The data directory's team choice and name, for Settings › Team.
pub fn status(data_dir: &Path) -> Result<TeamStatus> {
    let saved = read_saved(data_dir)?;
    let from_env = env_name();
    let acting_as = from_env
        .clone()
        .or_else(|| saved.name.clone())
        .unwrap_or_else(default_actor);
    let database_from_env = match std::env::var(db::DATABASE_URL_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(
            Database::from_url(url.trim())
                .map(|d| d.describe())
                .unwrap_or_else(|_| format!("{} (not a usable address)", db::DATABASE_URL_ENV)),
        ),
        _ => None,
    };
    Ok(TeamStatus {
        data_dir: data_dir.display().to_string(),
        local_database: Database::embedded(data_dir).describe(),
        team_database: saved.team_database,
        name: saved.name,
        acting_as,
        name_from_env: from_env.is_some(),
        database_from_env,
    })
}

/// A team database address: PostgreSQL only (a SQLite file is not shared).
fn team_database(url: &str) -> Result<(Database, url::Url)> {
    let url = url.trim();
    if url.is_empty() {
        return Err(CoreError::Invalid(
            "enter the team database's address: postgres://USER:PASSWORD@HOST:PORT/DATABASE".into(),
        ));
    }
    match Database::from_url(url)? {
        Database::Team { url } => Ok((Database::Team { url: url.clone() }, url)),
        Database::Embedded { .. } => Err(CoreError::Invalid(
            "a team database is a PostgreSQL server everyone in the team reaches: give postgres://USER:PASSWORD@HOST:PORT/DATABASE (a SQLite file is this computer's own database, used when not in a team)".into(),
        )),
    }
}

/// Connects to the team database at `url` and says what joining it would
/// do, without migrating or writing anything (the session is read-only).
/// Unreachable, refused, or written by a newer Shotkeeper: the typed error,
/// naming the address without its password.
pub async fn test_team_database(url: &str) -> Result<TeamDatabaseCheck> {
    let (database, url) = team_database(url)?;
    inspect(&database, &url)
        .await
        .map_err(|e| without_password(&database, &url, e))
}

async fn inspect(database: &Database, url: &url::Url) -> Result<TeamDatabaseCheck> {
    sqlx::any::install_default_drivers();
    let unreachable = |detail: String| CoreError::DatabaseUnreachable {
        database: database.describe(),
        detail,
    };
    let options = AnyConnectOptions::from_url(url)
        .map_err(|e| unreachable(db::unreachable_detail(&e)))?
        .disable_statement_logging();
    let mut conn =
        match tokio::time::timeout(CONNECT_TIMEOUT, sqlx::AnyConnection::connect_with(&options))
            .await
        {
            Err(_) => {
                return Err(unreachable(format!(
                    "no answer within {} s",
                    CONNECT_TIMEOUT.as_secs()
                )))
            }
            Ok(Err(e)) => return Err(unreachable(db::unreachable_detail(&e))),
            Ok(Ok(conn)) => conn,
        };
    let check = inspect_schema(&mut conn, database).await;
    let _ = conn.close().await;
    // A query refused here (no right to read the catalog) is about the team
    // database, not a damaged data directory.
    check.map_err(|e| match e {
        CoreError::Db(e) => unreachable(db::unreachable_detail(&e)),
        other => other,
    })
}

async fn inspect_schema(
    conn: &mut sqlx::AnyConnection,
    database: &Database,
) -> Result<TeamDatabaseCheck> {
    // Whatever follows, this session cannot write.
    sqlx::query("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        .execute(&mut *conn)
        .await?;
    let server_version: String = sqlx::query_scalar("SELECT current_setting('server_version')")
        .fetch_one(&mut *conn)
        .await?;
    let version_num: i64 =
        sqlx::query_scalar("SELECT CAST(current_setting('server_version_num') AS BIGINT)")
            .fetch_one(&mut *conn)
            .await?;
    if version_num < OLDEST_POSTGRES {
        return Err(CoreError::Invalid(format!(
            "{} runs PostgreSQL {server_version}; Shotkeeper's team database needs PostgreSQL 15 or newer. Upgrade the server, or use another one",
            database.describe()
        )));
    }
    let has_migrations: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'",
    )
    .fetch_one(&mut *conn)
    .await?;
    let applied: Vec<i64> = if has_migrations > 0 {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await?
    } else {
        Vec::new()
    };
    let known: Vec<i64> = db::migrator(Engine::Postgres)
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| m.version)
        .collect();
    let known_version = known.iter().copied().max().unwrap_or(0);
    let schema_version = applied.iter().copied().max().unwrap_or(0);
    // Exactly what opening refuses (sqlx's "version missing"): a migration
    // this Shotkeeper does not have.
    if let Some(&version) = applied.iter().rev().find(|v| !known.contains(v)) {
        return Err(CoreError::NewerDatabase {
            database: database.describe(),
            version,
            known: known_version,
        });
    }
    let schema = if applied.is_empty() {
        SchemaState::Empty
    } else if known.iter().all(|v| applied.contains(v)) {
        SchemaState::UpToDate
    } else {
        SchemaState::Older
    };
    Ok(TeamDatabaseCheck {
        database: database.describe(),
        server_version,
        schema,
        schema_version,
        known_version,
    })
}

/// A last guard: an error whose words would repeat the password (a driver
/// quoting the address back) is replaced by one that does not.
fn without_password(database: &Database, url: &url::Url, e: CoreError) -> CoreError {
    let Some(password) = url.password().filter(|p| !p.is_empty()) else {
        return e;
    };
    let decoded = percent_decode(password);
    let words = e.to_string();
    if words.contains(password) || words.contains(&decoded) {
        CoreError::DatabaseUnreachable {
            database: database.describe(),
            detail: "the connection failed (the driver's words are withheld: they repeated the password)".into(),
        }
    } else {
        e
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("p={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_owned())
}

/// Tests `url` (see [`test_team_database`]) and, when it can be opened,
/// makes it this data directory's database: the address into the OS
/// keychain, "team mode, at postgres://ana:***@…" into `team.json`, and
/// `name` (when given) as the member's name. Nothing is saved when the test
/// fails. The database is migrated the next time the data directory is
/// opened (the desktop app restarts for it).
pub async fn join_team(data_dir: &Path, url: &str, name: Option<&str>) -> Result<TeamStatus> {
    let name = name.map(checked_name).transpose()?;
    let check = test_team_database(url).await?;
    std::fs::create_dir_all(data_dir)
        .map_err(|e| CoreError::file("create", data_dir.display(), e))?;
    let mut saved = read_saved(data_dir)?;
    let account = keychain_account(data_dir);
    secrets::store(&account, url.trim()).await?;
    saved.team_database = Some(check.database);
    if let Some(name) = name {
        saved.name = Some(name);
    }
    if let Err(e) = write_saved(data_dir, &saved) {
        // Not half joined: without the file the keychain entry means nothing.
        let _ = secrets::delete(&account).await;
        return Err(e);
    }
    tracing::info!(
        "data directory {} joined the team database {}",
        data_dir.display(),
        saved.team_database.as_deref().unwrap_or_default()
    );
    status(data_dir)
}

/// Back to this computer's own database: removes the team address from the
/// keychain and `team.json` (the name stays). The SQLite file in the data
/// directory is untouched and is what opens next.
pub async fn leave_team(data_dir: &Path) -> Result<TeamStatus> {
    let mut saved = read_saved(data_dir)?;
    saved.team_database = None;
    write_saved(data_dir, &saved)?;
    secrets::delete(&keychain_account(data_dir)).await?;
    // The team key belongs to that team: it goes with the address.
    secrets::delete(&team_key::keychain_account(data_dir)).await?;
    tracing::info!(
        "data directory {} left its team database",
        data_dir.display()
    );
    status(data_dir)
}

fn checked_name(name: &str) -> Result<String> {
    person_name(name).map(str::to_owned).ok_or_else(|| {
        CoreError::Invalid(format!(
            "{:?} cannot be a name: give 1 to 100 printable characters, e.g. \"Ana Lima\"",
            name.trim()
        ))
    })
}

/// Saves the name this member's jobs and revisions record (`None` or an
/// empty name: the OS user's, again). SHOTKEEPER_AS and `--as` still win.
pub fn set_member_name(data_dir: &Path, name: Option<&str>) -> Result<TeamStatus> {
    let name = match name.map(str::trim) {
        Some(n) if !n.is_empty() => Some(checked_name(n)?),
        _ => None,
    };
    let mut saved = read_saved(data_dir)?;
    saved.name = name;
    write_saved(data_dir, &saved)?;
    status(data_dir)
}

/// The database a front end opens for `data_dir`: the one `explicit_url`
/// names (`--database`, SHOTKEEPER_DATABASE_URL) when given, else the team
/// database chosen in Settings › Team, else the data directory's SQLite file.
pub async fn chosen_database(data_dir: &Path, explicit_url: Option<&str>) -> Result<Database> {
    if let Some(url) = explicit_url.map(str::trim).filter(|u| !u.is_empty()) {
        return Database::from_url(url);
    }
    let saved = read_saved(data_dir)?;
    let Some(described) = saved.team_database else {
        return Ok(Database::embedded(data_dir));
    };
    match secrets::load(&keychain_account(data_dir), &SecretSource::Keychain).await {
        Ok(url) => Database::from_url(&url),
        Err(CoreError::SecretMissing { .. }) => Err(CoreError::TeamAddressMissing {
            data_dir: data_dir.display().to_string(),
            database: described,
        }),
        Err(e) => Err(e),
    }
}

/// Opens `data_dir` the way every front end does: on [`chosen_database`],
/// acting as `explicit_name` (`--as`), else SHOTKEEPER_AS, else the name
/// saved in Settings › Team, else the OS user.
pub async fn open_app(
    data_dir: &Path,
    explicit_url: Option<&str>,
    explicit_name: Option<&str>,
) -> Result<App> {
    let database = chosen_database(data_dir, explicit_url).await?;
    tracing::info!("database: {}", database.describe());
    let name = match explicit_name {
        Some(name) => Some(name.to_owned()),
        None => env_name().or(read_saved(data_dir)?.name),
    };
    let team = matches!(database, Database::Team { .. });
    let app = App::open_with(data_dir, database).await?;
    let app = match name {
        Some(name) => app.with_actor(&name)?,
        None => app,
    };
    if team {
        // The key of --secret-key-file (the CLI configured it) or
        // SHOTKEEPER_SECRET_KEY, else the one in this computer's keychain.
        let given = match sealed::given() {
            Some(key) => Some(key),
            None => SealingKey::from_env()?,
        };
        team_key::establish(app.pool(), data_dir, given, app.actor()).await?;
    }
    Ok(app)
}
