//! The team key (issue 15, part 3: shared secrets without sharing
//! plaintext). A keychain is per person, so in team mode (the store is a
//! team's PostgreSQL) every integration secret entered as a value is sealed
//! in the database (`crate::sealed`, ChaCha20-Poly1305) under one team key,
//! never put in the member's own keychain where colleagues could not read
//! it. Each member holds the key themselves: the desktop app in the OS
//! keychain (account [`keychain_account`], next to the team database's
//! address), a server or CLI in a key file (`--secret-key-file`) or
//! SHOTKEEPER_SECRET_KEY.
//!
//! The database never holds the key, but it can tell a right key from a
//! wrong one: the `team_key` row keeps the key's id (a digest) and a fixed
//! text sealed under the key, which only the right key opens. The first
//! member to open a team database without that row makes the key (or
//! adopts the one given by file) and records the check. A member without
//! the key sees the integrations; using one fails with
//! [`CoreError::TeamKeyMissing`], which says how to get the key. A wrong key
//! is refused when it is given ([`CoreError::WrongTeamKey`]).
//!
//! Rotating re-seals every secret and the check under a new key in one
//! transaction; one secret the current key cannot open stops it with
//! nothing changed ([`CoreError::RotationBlocked`]).

use std::path::Path;

use serde::Serialize;

use crate::db::sealed_secrets::SealedRow;
use crate::db::team_key::KeyCheckRow;
use crate::db::{self, Engine, Pool};
use crate::error::{CoreError, Result};
use crate::model::SecretSource;
use crate::sealed::{self, SealingKey};
use crate::secrets;

/// The associated data of the key check, so that it cannot be confused
/// with a sealed secret (those carry their integration id).
const CHECK_AAD: &[u8] = b"shotkeeper team key check";
/// What the key check seals. Not secret: its only use is that the right key opens it.
const CHECK_TEXT: &[u8] = b"Shotkeeper team key check v1";

/// Where this process's team key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// This computer's OS keychain (the desktop app).
    Keychain,
    /// A key file (`--secret-key-file`) or SHOTKEEPER_SECRET_KEY.
    Given,
}

/// Holds `key` (process-wide, as `crate::sealed` does) from `source`.
fn set_held(key: Option<SealingKey>, source: Option<KeySource>) {
    sealed::set(key, source == Some(KeySource::Given));
}

/// What Settings › Team › Team key shows. Never the key.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamKeyStatus {
    /// The store is a team database (the team key applies).
    pub team_mode: bool,
    /// The team database has a team key (its check is recorded).
    pub recorded: bool,
    /// This process holds the team's current key.
    pub held: bool,
    /// Where the key held comes from.
    pub source: Option<KeySource>,
    /// The team key's public id (a digest, to tell keys apart), e.g. "3f9a0c1d52e4b7a6".
    pub key_id: Option<String>,
    pub created_at: Option<String>,
    pub created_by: Option<String>,
    pub rotated_at: Option<String>,
    pub rotated_by: Option<String>,
    /// Why the key is not held, and what to do, when it is not.
    pub problem: Option<String>,
}

/// The keychain account holding a data directory's team key: next to
/// [`crate::team::keychain_account`] (same hash of the data directory).
pub fn keychain_account(data_dir: &Path) -> String {
    crate::team::keychain_account(data_dir).replacen("team-database-", "team-key-", 1)
}

/// Whether the store is a team database, where secrets are sealed under the team key.
pub fn is_team(pool: &Pool) -> bool {
    db::engine(pool) == Engine::Postgres
}

fn opens_check(key: &SealingKey, row: &KeyCheckRow) -> bool {
    key.id() == row.key_id
        && key.open(CHECK_AAD, &row.sealed_check()).as_deref() == Some(CHECK_TEXT)
}

fn when_rotated(row: &KeyCheckRow) -> String {
    match (&row.rotated_at, &row.rotated_by) {
        (Some(at), Some(by)) => format!("the team key was rotated by {by} at {at}"),
        _ => format!(
            "the team key was made by {} at {}",
            row.created_by, row.created_at
        ),
    }
}

/// A key given for the team is its key, or the typed refusal.
fn check_given(key: &SealingKey, row: &KeyCheckRow, origin: &str) -> Result<()> {
    if opens_check(key, row) {
        return Ok(());
    }
    Err(CoreError::WrongTeamKey {
        origin: origin.to_owned(),
        detail: format!(
            "it does not open the team database's key check (the team key's id is {}; this key's is {}; {})",
            row.key_id,
            key.id(),
            when_rotated(row)
        ),
    })
}

/// A key being adopted for a database with no check yet must open every
/// secret already sealed there (sealed by a server before the check existed).
async fn check_opens_all(pool: &Pool, key: &SealingKey, origin: &str) -> Result<()> {
    let mut tx = pool.begin().await?;
    let rows = db::team_key::all_sealed(&mut tx).await?;
    drop(tx);
    for r in rows {
        let sealed = SealedRow {
            nonce: r.nonce,
            ciphertext: r.ciphertext,
        };
        if key.open(r.integration_id.as_bytes(), &sealed).is_none() {
            return Err(CoreError::WrongTeamKey {
                origin: origin.to_owned(),
                detail: format!(
                    "the team database has no key check yet, and this key does not open the secret already sealed there for integration '{}'",
                    r.label.unwrap_or(r.integration_id)
                ),
            });
        }
    }
    Ok(())
}

fn make_check(key: &SealingKey) -> Result<SealedRow> {
    key.seal(CHECK_AAD, CHECK_TEXT)
}

/// Called by [`crate::team::open_app`] on a team database: settles which
/// team key this process holds. `given` is the key of `--secret-key-file`
/// or SHOTKEEPER_SECRET_KEY; it must be the team's (else
/// [`CoreError::WrongTeamKey`]), or becomes it when the team has none yet.
/// Without one, the key in this data directory's keychain account is used
/// when it is the team's. A team database with no key and no sealed secret
/// gets a new key, kept in the keychain; whoever cannot keep one (no
/// keychain) holds none, and adding a secret says so.
pub async fn establish(
    pool: &Pool,
    data_dir: &Path,
    given: Option<SealingKey>,
    actor: &str,
) -> Result<()> {
    let origin = "the key of --secret-key-file (or SHOTKEEPER_SECRET_KEY)";
    let row = db::team_key::get(pool).await?;
    if let Some(key) = given {
        match row {
            Some(row) => check_given(&key, &row, origin)?,
            None => {
                check_opens_all(pool, &key, origin).await?;
                let check = make_check(&key)?;
                if !db::team_key::insert_if_absent(pool, &key.id(), &check, actor).await? {
                    // Another member recorded theirs a moment ago.
                    let row = db::team_key::get(pool)
                        .await?
                        .ok_or_else(|| CoreError::Internal("the team key check vanished".into()))?;
                    check_given(&key, &row, origin)?;
                } else {
                    tracing::info!("team key {} adopted from the key given", key.id());
                }
            }
        }
        set_held(Some(key), Some(KeySource::Given));
        return Ok(());
    }
    let account = keychain_account(data_dir);
    let kept = match secrets::load(&account, &SecretSource::Keychain).await {
        Ok(text) => SealingKey::parse(&text, "the team key in the OS keychain").ok(),
        Err(CoreError::SecretMissing { .. }) => None,
        Err(e) => {
            tracing::warn!("the team key cannot be read from the keychain: {e}");
            set_held(None, None);
            return Ok(());
        }
    };
    match (row, kept) {
        (Some(row), Some(key)) if opens_check(&key, &row) => {
            set_held(Some(key), Some(KeySource::Keychain))
        }
        (Some(_), _) => set_held(None, None),
        (None, Some(key)) if check_opens_all(pool, &key, "").await.is_ok() => {
            // Kept from an earlier join of a database that has since lost
            // its check: record it again rather than make another.
            db::team_key::insert_if_absent(pool, &key.id(), &make_check(&key)?, actor).await?;
            return establish_from_keychain_after_race(pool, &account).await;
        }
        (None, _) => {
            if db::team_key::count_sealed(pool).await? > 0 {
                // Secrets sealed before the check existed: only the key they
                // were sealed under may become the team key.
                tracing::warn!("the team database holds sealed secrets but no team key check: give the key they were sealed under");
                set_held(None, None);
                return Ok(());
            }
            let key = SealingKey::generate();
            let id = key.id();
            if !db::team_key::insert_if_absent(pool, &id, &make_check(&key)?, actor).await? {
                // Another member made the key first: ask them for it.
                set_held(None, None);
                return Ok(());
            }
            if let Err(e) = secrets::store(&account, &key.to_hex()).await {
                // Nobody could hold it: take the check back.
                tracing::warn!("a new team key could not be kept in the keychain: {e}");
                db::team_key::delete_if(pool, &id).await?;
                set_held(None, None);
                return Ok(());
            }
            tracing::info!("made the team key {id} and kept it in this computer's keychain");
            set_held(Some(key), Some(KeySource::Keychain));
        }
    }
    Ok(())
}

/// After recording a check for the keychain's key (which another member may
/// have beaten): holds the keychain's key only if it is the team's.
async fn establish_from_keychain_after_race(pool: &Pool, account: &str) -> Result<()> {
    let row = db::team_key::get(pool).await?;
    let key = secrets::load(account, &SecretSource::Keychain)
        .await
        .ok()
        .and_then(|t| SealingKey::parse(&t, "the keychain").ok());
    match (row, key) {
        (Some(row), Some(key)) if opens_check(&key, &row) => {
            set_held(Some(key), Some(KeySource::Keychain))
        }
        _ => set_held(None, None),
    }
    Ok(())
}

/// What Settings › Team › Team key shows.
pub async fn status(pool: &Pool, data_dir: &Path) -> Result<TeamKeyStatus> {
    let team_mode = is_team(pool);
    let row = db::team_key::get(pool).await?;
    let current = sealed::current();
    let held = match (&row, &current) {
        (Some(row), Some(key)) => opens_check(key, row),
        (None, Some(_)) => !team_mode,
        _ => false,
    };
    let source = match (held, sealed::given()) {
        (false, _) => None,
        (true, Some(_)) => Some(KeySource::Given),
        (true, None) => Some(KeySource::Keychain),
    };
    let problem = if !team_mode || held {
        None
    } else {
        Some(match &row {
            None if db::team_key::count_sealed(pool).await? > 0 => "the team database holds sealed secrets but no team key has been recorded: add the key they were sealed under (the one the team's server uses, --secret-key-file)".to_owned(),
            None => "the team has no key yet, and none could be made (is the keychain unlocked?): add one, or restart the app with the keychain unlocked".to_owned(),
            Some(row) => {
                let kept = secrets::load(&keychain_account(data_dir), &SecretSource::Keychain)
                    .await
                    .ok()
                    .and_then(|t| SealingKey::parse(&t, "").ok());
                let ask = "ask a teammate who has the team key to share it (Settings › Team › Team key › Save key to file…), then add it in Settings › Team › Team key (the CLI and `serve`: --secret-key-file FILE)";
                match kept {
                    Some(_) => format!(
                        "the team key saved on this computer is not the current one ({}): {ask}",
                        when_rotated(row)
                    ),
                    None => ask.to_owned(),
                }
            }
        })
    };
    Ok(TeamKeyStatus {
        team_mode,
        recorded: row.is_some(),
        held,
        source,
        key_id: row.as_ref().map(|r| r.key_id.clone()),
        created_at: row.as_ref().map(|r| r.created_at.clone()),
        created_by: row.as_ref().map(|r| r.created_by.clone()),
        rotated_at: row.as_ref().and_then(|r| r.rotated_at.clone()),
        rotated_by: row.as_ref().and_then(|r| r.rotated_by.clone()),
        problem,
    })
}

/// Adds the team key a teammate shared (64 hex digits, pasted): checked
/// against the team database's key check, then kept in this data
/// directory's keychain account and held at once. A wrong key is refused
/// and nothing is saved.
pub async fn add_key(
    pool: &Pool,
    data_dir: &Path,
    text: &str,
    actor: &str,
) -> Result<TeamKeyStatus> {
    let origin = "the key entered";
    let key = SealingKey::parse(text, origin).map_err(|_| {
        CoreError::Invalid(
            "the key entered is not a team key (64 hex digits, as in the file Team key › Save key to file… writes): paste the whole key".into(),
        )
    })?;
    match db::team_key::get(pool).await? {
        Some(row) => check_given(&key, &row, origin)?,
        None => {
            check_opens_all(pool, &key, origin).await?;
            if !db::team_key::insert_if_absent(pool, &key.id(), &make_check(&key)?, actor).await? {
                let row = db::team_key::get(pool)
                    .await?
                    .ok_or_else(|| CoreError::Internal("the team key check vanished".into()))?;
                check_given(&key, &row, origin)?;
            }
        }
    }
    secrets::store(&keychain_account(data_dir), &key.to_hex()).await?;
    set_held(Some(key), Some(KeySource::Keychain));
    status(pool, data_dir).await
}

/// Writes the team key this process holds to a new file (owner-only), for
/// handing to a teammate or a server. The key never leaves core otherwise.
pub async fn save_to_file(pool: &Pool, path: &Path) -> Result<()> {
    let key = held_key(pool).await?;
    key.write_new_file(path)?;
    tracing::info!("team key {} written to {}", key.id(), path.display());
    Ok(())
}

/// The team's current key as held here, or why not.
async fn held_key(pool: &Pool) -> Result<SealingKey> {
    let key = sealed::current();
    let row = db::team_key::get(pool).await?;
    match (key, row) {
        (Some(key), Some(row)) if opens_check(&key, &row) => Ok(key),
        (Some(key), None) if !is_team(pool) => Ok(key),
        (_, row) => Err(CoreError::TeamKeyMissing {
            integration: "(every integration)".into(),
            detail: match row {
                Some(row) => format!(
                    "this computer does not hold the team's current key ({})",
                    when_rotated(&row)
                ),
                None => "this computer does not hold a team key".into(),
            },
        }),
    }
}

/// Where a rotation keeps the new key: it is kept before the rotation
/// commits, so that a key the database is sealed under always exists
/// somewhere.
pub enum NewKeyHome<'a> {
    /// This data directory's keychain account (the desktop app).
    Keychain { data_dir: &'a Path },
    /// A new file (the CLI's `team-key rotate --out FILE`).
    File(&'a Path),
}

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Rotation {
    pub old_key_id: String,
    pub new_key_id: String,
    /// Sealed secrets re-sealed under the new key.
    pub secrets: u32,
}

/// Rotates the team key: in one transaction, opens every sealed secret
/// with the current key and seals it again under a new one, and rewrites
/// the key check (rotated by `actor`, now). If any secret does not open,
/// nothing changes and the error names its integration. The new key is
/// kept where `home` says before the transaction commits (and taken back if
/// it does not), then held by this process.
pub async fn rotate(pool: &Pool, actor: &str, home: NewKeyHome<'_>) -> Result<Rotation> {
    let current = held_key(pool).await?;
    let new = SealingKey::generate();
    let mut tx = pool.begin().await?;
    // Locks the check: a secret sealed meanwhile waits, then sees the new key's id.
    if let Some(row) = db::team_key::get_locked(&mut tx, pool, true).await? {
        check_given(&current, &row, "the team key this computer holds")?;
    }
    let rows = db::team_key::all_sealed(&mut tx).await?;
    let mut resealed = Vec::with_capacity(rows.len());
    for r in rows {
        let sealed = SealedRow {
            nonce: r.nonce,
            ciphertext: r.ciphertext,
        };
        let Some(plain) = current.open(r.integration_id.as_bytes(), &sealed) else {
            return Err(CoreError::RotationBlocked {
                integration: r.label.unwrap_or_else(|| r.integration_id.clone()),
                detail: "it was sealed under another key".into(),
            });
        };
        resealed.push((
            r.integration_id.clone(),
            new.seal(r.integration_id.as_bytes(), &plain)?,
        ));
    }
    for (id, row) in &resealed {
        db::team_key::put_sealed(&mut tx, id, row).await?;
    }
    db::team_key::rotate(&mut tx, &new.id(), &make_check(&new)?, actor).await?;
    // Keep the new key first; if that fails, the transaction rolls back.
    keep(&home, &new).await?;
    if let Err(e) = tx.commit().await {
        undo_keep(&home, &current).await;
        return Err(e.into());
    }
    tracing::info!(
        "team key rotated by {actor}: {} -> {}, {} secret(s) re-sealed",
        current.id(),
        new.id(),
        resealed.len()
    );
    let source = match home {
        NewKeyHome::Keychain { .. } => KeySource::Keychain,
        NewKeyHome::File(_) => KeySource::Given,
    };
    set_held(Some(new.clone()), Some(source));
    Ok(Rotation {
        old_key_id: current.id(),
        new_key_id: new.id(),
        secrets: u32::try_from(resealed.len()).unwrap_or(u32::MAX),
    })
}

async fn keep(home: &NewKeyHome<'_>, key: &SealingKey) -> Result<()> {
    match home {
        NewKeyHome::Keychain { data_dir } => {
            secrets::store(&keychain_account(data_dir), &key.to_hex()).await
        }
        NewKeyHome::File(path) => key.write_new_file(path),
    }
}

async fn undo_keep(home: &NewKeyHome<'_>, old: &SealingKey) {
    match home {
        NewKeyHome::Keychain { data_dir } => {
            let _ = secrets::store(&keychain_account(data_dir), &old.to_hex()).await;
        }
        NewKeyHome::File(path) => {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Seals an integration's secret on a team database, under the key held,
/// which must still be the team's (a rotation by a colleague may have
/// replaced it): checked under a shared lock on the key check, so a
/// rotation cannot miss this secret or re-seal around it.
pub(crate) async fn seal_for_team(
    pool: &Pool,
    integration_id: &str,
    label: &str,
    secret: &str,
) -> Result<()> {
    let Some(key) = sealed::current() else {
        return Err(missing(pool, label).await);
    };
    let mut tx = pool.begin().await?;
    if let Some(row) = db::team_key::get_locked(&mut tx, pool, false).await? {
        if !opens_check(&key, &row) {
            return Err(no_longer_the_teams(label, &row));
        }
    }
    let sealed = key.seal(integration_id.as_bytes(), secret.as_bytes())?;
    db::team_key::put_sealed(&mut tx, integration_id, &sealed).await?;
    tx.commit().await?;
    Ok(())
}

/// The key held opens secrets no longer: a colleague rotated it.
fn no_longer_the_teams(label: &str, row: &KeyCheckRow) -> CoreError {
    CoreError::TeamKeyMissing {
        integration: label.to_owned(),
        detail: format!(
            "the key this computer holds is no longer the team's ({})",
            when_rotated(row)
        ),
    }
}

/// Opens an integration's secret on a team database: the typed
/// [`CoreError::TeamKeyMissing`] when the key held is not the team's.
pub(crate) async fn open_for_team(
    pool: &Pool,
    integration_id: &str,
    label: &str,
) -> Result<String> {
    let Some(key) = sealed::current() else {
        return Err(missing(pool, label).await);
    };
    if let Some(row) = db::team_key::get(pool).await? {
        if !opens_check(&key, &row) {
            return Err(no_longer_the_teams(label, &row));
        }
    }
    sealed::load(pool, integration_id).await
}

async fn missing(pool: &Pool, label: &str) -> CoreError {
    let detail = match db::team_key::get(pool).await {
        Ok(Some(row)) => format!(
            "this computer does not hold it (team key {}; {})",
            row.key_id,
            when_rotated(&row)
        ),
        _ => "this computer does not hold it".to_owned(),
    };
    CoreError::TeamKeyMissing {
        integration: label.to_owned(),
        detail,
    }
}

/// Settings › Team › Team key, for every front end.
impl crate::App {
    pub async fn team_key_status(&self) -> Result<TeamKeyStatus> {
        status(self.pool(), self.data_dir()).await
    }

    /// See [`add_key`].
    pub async fn add_team_key(&self, key: &str) -> Result<TeamKeyStatus> {
        add_key(self.pool(), self.data_dir(), key, self.actor()).await
    }

    /// See [`save_to_file`].
    pub async fn save_team_key_to_file(&self, path: &Path) -> Result<()> {
        save_to_file(self.pool(), path).await
    }

    /// See [`rotate`]; the rotation records this app's member name.
    pub async fn rotate_team_key(&self, home: NewKeyHome<'_>) -> Result<Rotation> {
        rotate(self.pool(), self.actor(), home).await
    }
}
