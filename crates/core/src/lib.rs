//! Shotkeeper core: every behaviour of the product lives here, once.
//! Front ends (the `shotkeeper` CLI, the Tauri desktop shell) only parse,
//! call into this crate, and present.

pub mod activity;
pub mod api_keys;
pub mod app;
pub mod app_capture;
pub mod app_update;
pub mod audit;
pub mod background;
pub mod bindings;
pub mod capture;
pub mod clients;
pub mod credentials;
pub mod db;
pub mod diff;
pub mod error;
pub mod held_job;
pub mod html;
pub mod http;
pub mod imaging;
pub mod import;
pub mod import_on_server;
pub mod integrations;
pub mod job_view_cache;
pub mod logging;
pub mod matching;
pub mod model;
pub mod progress;
pub mod providers;
pub mod remote_update;
pub mod report;
pub mod sealed;
pub mod secrets;
pub mod shared_files;
pub mod storage;
pub mod team;
pub mod team_key;
pub mod update;

pub use app::{App, APP_IDENTIFIER};
pub use error::{CoreError, Result};
