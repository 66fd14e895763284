//! What the shell keeps between commands: the core `App`, the demo
//! simulator, and the cancellation token of each running import and update.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use shotkeeper_core::app::App;
use tokio_util::sync::CancellationToken;

use crate::error::{CmdResult, CommandError};

pub struct Shell {
    /// `Err` when the data directory could not be opened; every command then
    /// answers with that error so the UI can say what to do. Behind a lock
    /// so Settings › Team can change the name it acts under.
    app: RwLock<Result<App, CommandError>>,
    /// The data directory, known even when it could not be opened, so
    /// Settings › Team can still leave a team database that is down.
    pub data_dir: PathBuf,
    pub demo: DemoStatus,
    pub imports: Running,
    pub updates: Running,
    /// Capture runs, by scenarios file.
    pub captures: Running,
    /// Keeps the in-process demo simulator serving for the app's lifetime.
    sim: Option<shotkeeper_sim::Sim>,
}

#[derive(Debug, Clone, Default)]
pub struct DemoStatus {
    pub integration_id: Option<String>,
    pub error: Option<String>,
}

impl Shell {
    pub fn new(
        data_dir: PathBuf,
        app: Result<App, CommandError>,
        demo: DemoStatus,
        sim: Option<shotkeeper_sim::Sim>,
    ) -> Self {
        Shell {
            app: RwLock::new(app),
            data_dir,
            demo,
            imports: Running::default(),
            updates: Running::default(),
            captures: Running::default(),
            sim,
        }
    }

    pub fn app(&self) -> CmdResult<App> {
        self.app.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Acts as `name` from the next command on (a name saved in Settings ›
    /// Team applies at once; only a database change needs a restart).
    pub fn act_as(&self, name: &str) -> CmdResult<()> {
        let mut app = self.app.write().unwrap_or_else(|p| p.into_inner());
        if let Ok(current) = app.as_ref() {
            *app = Ok(current.clone().with_actor(name)?);
        }
        Ok(())
    }

    /// The demo web app's address (`http://127.0.0.1:PORT/app/`) while the
    /// demo simulator runs.
    pub fn demo_app_base(&self) -> Option<String> {
        self.sim.as_ref().map(|s| s.app_base())
    }
}

/// Cancellation tokens of running tasks: imports by job id (an import learns
/// its job id from its first progress report, or up front when it resumes a
/// job), updates by plan id.
#[derive(Clone, Default)]
pub struct Running {
    tokens: Arc<Mutex<HashMap<String, CancellationToken>>>,
}

impl Running {
    pub fn register(&self, job_id: &str, token: &CancellationToken) {
        let mut map = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(job_id.to_owned())
            .or_insert_with(|| token.clone());
    }

    pub fn remove(&self, job_id: &str) {
        let mut map = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(job_id);
    }

    /// Cancels the job's import; false when no import of that job is running.
    pub fn cancel(&self, job_id: &str) -> bool {
        let map = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(job_id) {
            Some(t) => {
                t.cancel();
                true
            }
            None => false,
        }
    }

    #[cfg(test)]
    pub fn is_running(&self, job_id: &str) -> bool {
        let map = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        map.contains_key(job_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_reaches_the_registered_token_only() {
        let imports = Running::default();
        let a = CancellationToken::new();
        let b = CancellationToken::new();
        imports.register("job-a", &a);
        imports.register("job-b", &b);
        assert!(imports.cancel("job-a"));
        assert!(a.is_cancelled());
        assert!(!b.is_cancelled());
        assert!(!imports.cancel("job-x"));
        imports.remove("job-a");
        assert!(!imports.is_running("job-a"));
        assert!(imports.is_running("job-b"));
    }

    #[test]
    fn first_registration_wins() {
        let imports = Running::default();
        let a = CancellationToken::new();
        let b = CancellationToken::new();
        imports.register("job", &a);
        imports.register("job", &b);
        imports.cancel("job");
        assert!(a.is_cancelled());
        assert!(!b.is_cancelled());
    }
}
