//! The team's shared files. On a team database, the thumbnails an import
//! makes and the copies of dropped screenshots are also kept in one S3/R2
//! storage integration the team chooses, under `shotkeeper-team/`, so a
//! colleague's desktop shows them and can apply a colleague's plan: each
//! machine's data directory is then a cache in front of the bucket. On the
//! data directory's own SQLite file (one person) they stay on disk only.
//! Diffs are not shared: any machine makes them again from the shared
//! screenshot and the help center's image.

use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::db::{self, team_settings, Engine};
use crate::error::{CoreError, Result};
use crate::integrations;
use crate::storage::Storage;

/// The team setting naming the storage integration.
pub const SETTING: &str = "shared_files_storage";
/// Where the team's files go in the bucket.
pub const KEY_PREFIX: &str = "shotkeeper-team";
/// The folders of a data directory whose files are shared.
const SHARED_FOLDERS: [&str; 2] = ["thumbnails", "screenshots"];

/// Where the team's files are kept, for Settings and the CLI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SharedFilesStatus {
    /// Whether files can be shared at all: only on a team database.
    pub team_database: bool,
    /// The S3/R2 integration that keeps them, when one is chosen.
    pub storage_integration_id: Option<String>,
    pub storage_label: Option<String>,
}

impl App {
    /// Shares what an import made (its thumbnails) with the team; a failure
    /// is logged, not the import's: the import itself is complete.
    pub(crate) async fn share_import_files(&self, job_id: &str) {
        let folder = self.data_dir().join("thumbnails").join(job_id);
        match self.share_folder(&folder).await {
            Ok(0) => {}
            Ok(n) => tracing::info!("shared {n} thumbnails of import {job_id} with the team"),
            Err(e) => tracing::warn!(
                "the thumbnails of import {job_id} could not be shared with the team: {e}"
            ),
        }
    }

    /// Points a plan's dropped screenshots at this machine's copies,
    /// fetched from the team's storage when the plan was made elsewhere. A
    /// screenshot that cannot be had keeps its path, and applying the plan
    /// says it cannot be read.
    pub(crate) async fn localise_plan(&self, plan: &mut crate::update::UpdatePlan) {
        for p in &mut plan.screenshots {
            let source = &mut p.screenshot.source;
            if source.starts_with("http://") || source.starts_with("https://") || source.is_empty()
            {
                continue;
            }
            match self.local_copy(Path::new(source.as_str())).await {
                Ok(local) => *source = local.to_string_lossy().into_owned(),
                Err(e) => tracing::warn!(
                    "screenshot {} is not on this machine: {e}",
                    p.screenshot.name
                ),
            }
        }
    }

    pub async fn shared_files_status(&self) -> Result<SharedFilesStatus> {
        let team_database = db::engine(self.pool()) == Engine::Postgres;
        let id = match team_database {
            true => team_settings::get(self.pool(), SETTING).await?,
            false => None,
        };
        let label = match &id {
            Some(id) => db::integrations::get(self.pool(), id)
                .await
                .ok()
                .map(|i| i.label),
            None => None,
        };
        Ok(SharedFilesStatus {
            team_database,
            storage_integration_id: id,
            storage_label: label,
        })
    }

    /// Chooses the S3/R2 integration that keeps the team's files (after
    /// checking it can be written), or stops sharing them with `None`.
    pub async fn set_shared_files(&self, storage: Option<&str>) -> Result<SharedFilesStatus> {
        if db::engine(self.pool()) != Engine::Postgres {
            return Err(CoreError::Invalid(
                "shared files are for a team database, and this Shotkeeper keeps its data in its own SQLite file: join a team first (Settings › Team, or --database postgres://…)".into(),
            ));
        }
        if let Some(id) = storage {
            let (_, store) = integrations::storage(self.pool(), id).await?;
            store.verify(true).await?;
        }
        team_settings::set(self.pool(), SETTING, storage, self.actor()).await?;
        self.shared_files_status().await
    }

    /// The team's storage for shared files; `None` when files stay on disk.
    async fn shared_storage(&self) -> Result<Option<Storage>> {
        let status = self.shared_files_status().await?;
        match status.storage_integration_id {
            Some(id) => Ok(Some(integrations::storage(self.pool(), &id).await?.1)),
            None => Ok(None),
        }
    }

    /// Copies the files under `folder` (a shared folder of the data
    /// directory) to the team's storage; returns how many were sent (a file
    /// already there is not sent again). Nothing happens off a team.
    pub async fn share_folder(&self, folder: &Path) -> Result<usize> {
        let Some(store) = self.shared_storage().await? else {
            return Ok(0);
        };
        let mut files: Vec<PathBuf> = match std::fs::read_dir(folder) {
            Ok(dir) => dir
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect(),
            Err(_) => return Ok(0),
        };
        files.retain(|p| !p.to_string_lossy().ends_with(".part"));
        let mut sent = 0;
        for file in files {
            sent += usize::from(self.send(&store, &file).await?);
        }
        Ok(sent)
    }

    /// Copies one file of a shared folder to the team's storage.
    pub async fn share_file(&self, file: &Path) -> Result<bool> {
        match self.shared_storage().await? {
            Some(store) => self.send(&store, file).await,
            None => Ok(false),
        }
    }

    async fn send(&self, store: &Storage, file: &Path) -> Result<bool> {
        let rel = self.shared_name(file)?;
        let bytes = std::fs::read(file).map_err(|e| CoreError::file("read", file.display(), e))?;
        let kind = crate::imaging::sniff_kind(&bytes);
        let content_type = crate::update::screenshots::content_type_for(kind);
        store
            .put_at(&format!("{KEY_PREFIX}/{rel}"), bytes, content_type)
            .await
    }

    /// The file of this machine's data directory that stands for `path`
    /// (a path in a shared folder, perhaps written on a colleague's machine
    /// into their data directory), fetched from the team's storage when it
    /// is not here yet. A path outside the shared folders is refused.
    pub async fn local_copy(&self, path: &Path) -> Result<PathBuf> {
        let local = self.here(path)?;
        let rel = self.shared_name(&local)?;
        if local.exists() {
            return Ok(local);
        }
        let Some(store) = self.shared_storage().await? else {
            return Err(CoreError::NotFound {
                what: format!("{} (this team keeps no shared files: choose a storage for them in Settings › Team)", local.display()),
            });
        };
        let object = store.get_object(&format!("{KEY_PREFIX}/{rel}")).await?;
        if let Some(dir) = local.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // Written aside, then renamed: a reader never sees half a file.
        let part = local.with_extension(format!("{}.part", uuid::Uuid::new_v4()));
        std::fs::write(&part, &object.bytes)?;
        std::fs::rename(&part, &local)?;
        Ok(local)
    }

    /// `path` moved into this data directory: a path written on another
    /// machine keeps its place under the shared folder it names.
    fn here(&self, path: &Path) -> Result<PathBuf> {
        if path.starts_with(self.data_dir()) {
            return Ok(path.to_path_buf());
        }
        let parts: Vec<&str> = path
            .components()
            .filter_map(|c| match c {
                Component::Normal(p) => p.to_str(),
                _ => None,
            })
            .collect();
        // The last shared folder named in the path, and what follows it.
        let start = parts.iter().rposition(|p| SHARED_FOLDERS.contains(p));
        match start {
            Some(i) => Ok(parts[i..]
                .iter()
                .fold(self.data_dir().to_path_buf(), |dir, p| dir.join(p))),
            None => Err(not_shared(path)),
        }
    }

    /// `thumbnails/…` or `screenshots/…`: a file's name in the team's storage.
    fn shared_name(&self, file: &Path) -> Result<String> {
        let rel = file
            .strip_prefix(self.data_dir())
            .map_err(|_| not_shared(file))?;
        let parts: Vec<&str> = rel
            .components()
            .map(|c| match c {
                Component::Normal(p) => p.to_str(),
                _ => None,
            })
            .collect::<Option<_>>()
            .ok_or_else(|| not_shared(file))?;
        match parts.first() {
            Some(first) if SHARED_FOLDERS.contains(first) && parts.len() > 1 => Ok(parts.join("/")),
            _ => Err(not_shared(file)),
        }
    }
}

fn not_shared(path: &Path) -> CoreError {
    CoreError::Invalid(format!(
        "{} is not a thumbnail or a screenshot of Shotkeeper's data directory",
        path.display()
    ))
}
