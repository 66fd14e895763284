//! One help-center client per integration for the life of an [`crate::App`],
//! and at most one import of an integration at a time.
//!
//! A client owns the integration's rate limiter: an import, an update and a
//! rollback running together on one integration must share one budget, or
//! together they exceed the provider's documented rate. A client is built
//! on first use and rebuilt when the integration changed (its `updated_at`
//! moves on every edit, secret included) or was deleted.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use crate::db::Pool;

use crate::error::{CoreError, Result};
use crate::integrations;
use crate::model::Integration;
use crate::providers::HelpCenter;

/// A shared client and the integration version it was built from.
struct Cached {
    updated_at: String,
    client: Arc<dyn HelpCenter>,
}

#[derive(Default, Clone)]
pub struct Clients {
    help_centers: Arc<Mutex<HashMap<String, Cached>>>,
    importing: Arc<Mutex<HashSet<String>>>,
}

impl Clients {
    /// The integration and its one client, built from the stored settings
    /// and secret the first time, or again after the integration changed.
    pub async fn help_center(
        &self,
        pool: &Pool,
        id: &str,
    ) -> Result<(Integration, Arc<dyn HelpCenter>)> {
        let integration = crate::db::integrations::get(pool, id).await?;
        if let Some(c) = self.cached(id, &integration.updated_at) {
            return Ok((integration, c));
        }
        let (integration, built) = integrations::help_center(pool, id).await?;
        let built: Arc<dyn HelpCenter> = Arc::from(built);
        // Two first uses at once (an import and an apply) both build one;
        // the first stored wins and the other is dropped before it sends
        // anything, so they still share one rate limiter.
        let Ok(mut map) = self.help_centers.lock() else {
            return Ok((integration, built));
        };
        let client = match map.get(id) {
            Some(c) if c.updated_at == integration.updated_at => c.client.clone(),
            _ => {
                map.insert(
                    id.to_owned(),
                    Cached {
                        updated_at: integration.updated_at.clone(),
                        client: built.clone(),
                    },
                );
                built
            }
        };
        Ok((integration, client))
    }

    fn cached(&self, id: &str, updated_at: &str) -> Option<Arc<dyn HelpCenter>> {
        let map = self.help_centers.lock().ok()?;
        map.get(id)
            .filter(|c| c.updated_at == updated_at)
            .map(|c| c.client.clone())
    }

    /// Drops the client of an integration that was edited or deleted.
    pub fn forget(&self, id: &str) {
        if let Ok(mut map) = self.help_centers.lock() {
            map.remove(id);
        }
    }

    /// Claims the integration for an import; refused while another import
    /// of it runs in this process. Released when the guard is dropped.
    pub fn claim_import(&self, id: &str, label: &str) -> Result<ImportClaim> {
        // Nothing panics while holding the lock, so a poisoned one is still sound.
        let mut set = self.importing.lock().unwrap_or_else(|e| e.into_inner());
        if !set.insert(id.to_owned()) {
            return Err(CoreError::Invalid(format!(
                "an import of '{label}' is already running: wait for it to finish, or cancel it, before starting another"
            )));
        }
        Ok(ImportClaim {
            importing: self.importing.clone(),
            id: id.to_owned(),
        })
    }
}

/// While held, no other import of the integration starts.
pub struct ImportClaim {
    importing: Arc<Mutex<HashSet<String>>>,
    id: String,
}

impl Drop for ImportClaim {
    fn drop(&mut self) {
        if let Ok(mut set) = self.importing.lock() {
            set.remove(&self.id);
        }
    }
}
