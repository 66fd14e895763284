//! The one error type of core. Every variant's message says what went wrong
//! and what the user can do about it, and never contains a secret.

use thiserror::Error;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

#[derive(Debug, Error)]
pub enum CoreError {
    /// 401/403 from a provider: the stored credentials were refused.
    #[error("{provider} refused the credentials (HTTP {status}) at {endpoint}: check the API key/token and its permissions, then update the integration")]
    BadCredentials {
        provider: String,
        endpoint: String,
        status: u16,
    },

    /// The provider understood us but will not allow this operation (e.g. a read-only key).
    #[error("{provider} does not allow this with the stored key ({endpoint}): {detail}")]
    Forbidden {
        provider: String,
        endpoint: String,
        detail: String,
    },

    /// DNS failure, connection refused, TLS failure.
    #[error("could not reach {host}: {detail}. Check the base URL and your network connection, then try again")]
    Unreachable { host: String, detail: String },

    #[error("{provider} did not answer in time at {endpoint} after {attempts} attempt(s); try again later")]
    Timeout {
        provider: String,
        endpoint: String,
        attempts: u32,
    },

    #[error("{provider} kept answering 429 Too Many Requests at {endpoint} after {attempts} attempt(s); wait a minute and resume")]
    RateLimited {
        provider: String,
        endpoint: String,
        attempts: u32,
    },

    /// Any other non-success status, with the provider's own message when it sent one.
    #[error("{provider} answered HTTP {status} at {endpoint}: {detail}")]
    Http {
        provider: String,
        endpoint: String,
        status: u16,
        detail: String,
    },

    /// The provider answered 2xx with something we cannot use.
    #[error("{provider} sent an answer Shotkeeper cannot read at {endpoint}: {detail}. Nothing was saved from it; if this persists, report it with this message")]
    Garbage {
        provider: String,
        endpoint: String,
        detail: String,
    },

    #[error("{what} was not found")]
    NotFound { what: String },

    /// The base URL answers 404 at the API root: it is not the provider's API.
    #[error("{provider} has no API at {base} (HTTP 404). The base URL should be {expected}")]
    WrongBaseUrl {
        provider: String,
        base: String,
        expected: String,
    },

    /// User input that cannot be used; the message names the field and the fix.
    #[error("{0}")]
    Invalid(String),

    /// One setting of an integration is missing or malformed. The message
    /// names the setting by its label and says what it should be, in words
    /// that fit any front end; `key` lets each front end point at it (the
    /// form's field, the CLI's `--set KEY=VALUE`).
    #[error("{provider} needs a valid {label} ({key}): {problem}. For example: {example}")]
    InvalidSetting {
        provider: String,
        key: String,
        label: String,
        problem: String,
        example: String,
    },

    #[error("the OS keychain is not reachable ({detail}). Start your desktop's keyring (GNOME Keyring or KWallet, which provide the Secret Service) and unlock it, then try again")]
    KeychainUnavailable { detail: String },

    /// Neither a keychain nor a sealing key: nowhere to keep a secret.
    #[error("there is nowhere to keep the secret: the OS keychain is not reachable ({detail}) and no secret key is set. On a server, make a key with `shotkeeper secret-key generate --out FILE` and pass --secret-key-file FILE (or set SHOTKEEPER_SECRET_KEY to its 64 hex digits); on a desktop, start and unlock your keyring")]
    NoSecretStore { detail: String },

    #[error("no secret is stored for integration {integration}: {detail}. Edit the integration and enter the secret again")]
    SecretMissing { integration: String, detail: String },

    #[error("the image could not be read: {0}")]
    Image(String),

    #[error("storage: {0}")]
    Storage(String),

    #[error("the operation was cancelled")]
    Cancelled,

    #[error("the import ran on the team's server {runner} and failed there: {detail}. Fix what it says and start the import again")]
    ImportFailedOnServer { runner: String, detail: String },

    #[error(
        "database error: {0}. Your data directory may be damaged or in use by another Shotkeeper"
    )]
    Db(#[from] sqlx::Error),

    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),

    /// The database has schema changes this Shotkeeper does not know: it was
    /// opened by a newer version. Nothing is migrated or written.
    #[error("{database} was written by a newer Shotkeeper (schema version {version}; this one knows up to {known}). Nothing was changed: update Shotkeeper on this machine to open it")]
    NewerDatabase {
        database: String,
        version: i64,
        known: i64,
    },

    /// The team database (PostgreSQL) could not be reached or refused us.
    #[error("could not open the team database at {database}: {detail}. Check that PostgreSQL is running there and that the address, user, password and database name are right (postgres://USER:PASSWORD@HOST:PORT/DATABASE), then try again")]
    DatabaseUnreachable { database: String, detail: String },

    /// The data directory is set to a team database (Settings › Team) whose
    /// address, kept in the OS keychain, is gone.
    #[error("this data directory ({data_dir}) is set to work on the team database {database}, but its address is no longer in the OS keychain. Join the team again in the desktop app's Settings › Team, or leave the team there to use this computer's own database (the CLI can also be given --database URL)")]
    TeamAddressMissing { data_dir: String, database: String },

    /// Team mode: the integration's secret is sealed under the team key and
    /// this process does not hold the team's current key.
    #[error("integration '{integration}' keeps its secret sealed under your team's key, and {detail}. Ask a teammate who has the key to share it (Settings › Team › Team key › Save key to file…), then add it in Settings › Team › Team key › Add team key… (the CLI and `serve`: --secret-key-file FILE, or SHOTKEEPER_SECRET_KEY)")]
    TeamKeyMissing { integration: String, detail: String },

    /// A key given for the team (pasted, a key file, the variable) is not the
    /// team's current one; nothing was saved.
    #[error("{origin} is not your team's key: {detail}. Nothing was saved. Ask a teammate for the current team key (Settings › Team › Team key › Save key to file…); a key from before the last rotation no longer works")]
    WrongTeamKey { origin: String, detail: String },

    /// A rotation stopped before changing anything.
    #[error("the team key was not rotated: the secret of integration '{integration}' cannot be opened with the current team key ({detail}). Nothing was changed: enter that integration's secret again (or delete the integration), then rotate again")]
    RotationBlocked { integration: String, detail: String },

    #[error("file error: {0}")]
    Io(#[from] std::io::Error),

    /// A file Shotkeeper had to read or write could not be (not the user's
    /// bad input: permissions, a full disk, a file that went away).
    #[error("could not {action} {path}: {detail}. Check that it exists and that you may {action} it, then try again")]
    File {
        action: &'static str,
        path: String,
        detail: String,
    },

    /// A scenarios file (`shots.toml`, see `crate::capture`) that cannot be
    /// used: a TOML syntax error, an unknown key, a bad value. Line and
    /// column are 1-based and point at the offending text.
    #[error("{path} line {line}, column {column}: {message}. Fix it and run again")]
    Scenarios {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },

    /// No headless browser to capture with.
    #[error("no Chromium to capture screenshots with: {detail}. Install it (Debian/Ubuntu: `apt-get install chromium`) or give the path of a Chromium or Chrome executable (`shotkeeper capture --browser PATH`, or SHOTKEEPER_CHROMIUM=PATH; in the desktop app, Settings › Capture)")]
    BrowserMissing { detail: String },

    /// One scenario of a capture could not be captured; `waited` says how
    /// long it had been trying when it gave up.
    #[error("scenario '{scenario}' failed after {waited}: {detail}")]
    Capture {
        scenario: String,
        detail: String,
        waited: String,
    },

    /// Something inside Shotkeeper that should not fail did.
    #[error(
        "{0}. This is a fault in Shotkeeper, not in your input: please report it with this message"
    )]
    Internal(String),
}

impl CoreError {
    /// A file that could not be read or written, with its path.
    pub fn file(action: &'static str, path: impl std::fmt::Display, e: std::io::Error) -> Self {
        CoreError::File {
            action,
            path: path.to_string(),
            detail: e.to_string(),
        }
    }

    /// The setting an error is about, for front ends that point at it.
    pub fn setting(&self) -> Option<&str> {
        match self {
            CoreError::InvalidSetting { key, .. } => Some(key),
            _ => None,
        }
    }

    /// Whether retrying the same call later could succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            CoreError::Timeout { .. }
                | CoreError::RateLimited { .. }
                | CoreError::Unreachable { .. }
        ) || matches!(self, CoreError::Http { status, .. } if *status >= 500)
    }

    /// A short machine-readable kind, for front ends that style errors.
    pub fn kind(&self) -> &'static str {
        match self {
            CoreError::BadCredentials { .. } => "bad_credentials",
            CoreError::Forbidden { .. } => "forbidden",
            CoreError::Unreachable { .. } => "unreachable",
            CoreError::Timeout { .. } => "timeout",
            CoreError::RateLimited { .. } => "rate_limited",
            CoreError::Http { .. } => "http",
            CoreError::Garbage { .. } => "garbage",
            CoreError::NotFound { .. } => "not_found",
            CoreError::WrongBaseUrl { .. } => "wrong_base_url",
            CoreError::Invalid(_) => "invalid",
            CoreError::InvalidSetting { .. } => "invalid_setting",
            CoreError::KeychainUnavailable { .. } => "keychain_unavailable",
            CoreError::SecretMissing { .. } => "secret_missing",
            CoreError::NoSecretStore { .. } => "no_secret_store",
            CoreError::Image(_) => "image",
            CoreError::Storage(_) => "storage",
            CoreError::Cancelled => "cancelled",
            CoreError::ImportFailedOnServer { .. } => "import_failed_on_server",
            CoreError::Db(_) | CoreError::Migrate(_) => "database",
            CoreError::NewerDatabase { .. } => "newer_database",
            CoreError::DatabaseUnreachable { .. } => "database_unreachable",
            CoreError::TeamAddressMissing { .. } => "team_address_missing",
            CoreError::TeamKeyMissing { .. } => "team_key_missing",
            CoreError::WrongTeamKey { .. } => "wrong_team_key",
            CoreError::RotationBlocked { .. } => "rotation_blocked",
            CoreError::Io(_) | CoreError::File { .. } => "io",
            CoreError::Scenarios { .. } => "scenarios",
            CoreError::BrowserMissing { .. } => "browser_missing",
            CoreError::Capture { .. } => "capture",
            CoreError::Internal(_) => "internal",
        }
    }
}
