//! Shotkeeper desktop: a thin Tauri 2 shell over `shotkeeper-core`.
//! Every behaviour lives in core; this crate opens it, starts the built-in
//! demo help center, and exposes core to the UI as commands.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod bindings;
mod commands;
mod error;
mod menu;
mod state;

use std::path::PathBuf;
use std::time::Duration;

use shotkeeper_core::app::{App, DemoHelpCenter};
use shotkeeper_core::db;
use shotkeeper_core::logging::{self, LogOptions};
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::team;
use shotkeeper_sim::{SimOptions, SimProvider};
use tauri::Manager;

use crate::error::CommandError;
use crate::state::{DemoStatus, Shell};

/// Articles in the built-in demo help center.
const DEMO_ARTICLES: usize = 40;

fn main() {
    // Log files (and crash reports) from the first line on, in the folder
    // Help > Open Log Folder opens and Help > About names.
    let paths = menu::Paths::resolve();
    let mut log_options = LogOptions::new("desktop", paths.log_dir.clone());
    log_options.stderr_level = Some("info,tao=warn,wry=warn".into());
    if let Some(e) = logging::init(log_options).file_error {
        tracing::warn!("{e}");
    }

    tauri::Builder::default()
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_opener::init())
        // "Choose screenshots…": the system's file chooser, for those who do not drag.
        .plugin(tauri_plugin_dialog::init())
        .menu(move |app| menu::build(app, &paths))
        .on_menu_event(|app, event| menu::on_event(app, event.id().as_ref()))
        .setup(|app| {
            let data_dir = data_dir(app.handle())?;
            // Thumbnails and the copies of dropped screenshots (shown in
            // review) are served through the asset protocol, scoped to these
            // two folders of the data directory (also set statically in
            // tauri.conf.json for the default location).
            for folder in ["thumbnails", "screenshots"] {
                let dir = data_dir.join(folder);
                std::fs::create_dir_all(&dir)?;
                app.asset_protocol_scope().allow_directory(&dir, true)?;
            }

            let shell = tauri::async_runtime::block_on(open(data_dir));
            app.manage(shell);
            // Settings › Local API: off until the person starts it.
            app.manage(shotkeeper_server::local::LocalApi::default());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::provider_specs,
            commands::list_integrations,
            commands::get_integration,
            commands::check_integration,
            commands::add_integration,
            commands::update_integration,
            commands::delete_integration,
            commands::verify_integration,
            commands::start_import,
            commands::cancel_import,
            commands::list_jobs,
            commands::job_view,
            commands::image_rows,
            commands::image_detail,
            commands::article_rows,
            commands::article_detail,
            commands::replace::plan_update,
            commands::replace::get_plan,
            commands::replace::save_plan,
            commands::replace::diff_match,
            commands::replace::apply_plan,
            commands::replace::cancel_update,
            commands::replace::article_revisions,
            commands::replace::rollback_revision,
            commands::capture::open_shots,
            commands::capture::open_demo_shots,
            commands::capture::recent_shots,
            commands::capture::capture_shots,
            commands::capture::cancel_capture,
            commands::capture::capture_browser,
            commands::capture::set_capture_browser,
            commands::audit::audit_job,
            commands::audit::audit_settings,
            commands::audit::save_audit_settings,
            commands::audit::export_audit,
            commands::local_api::local_api_status,
            commands::local_api::start_local_api,
            commands::local_api::stop_local_api,
            commands::local_api::list_api_keys,
            commands::local_api::create_api_key,
            commands::local_api::revoke_api_key,
            commands::team::team_status,
            commands::team::test_team_database,
            commands::team::join_team,
            commands::team::leave_team,
            commands::team::set_member_name,
            commands::team::restart_app,
            commands::shared_files::shared_files_status,
            commands::shared_files::set_shared_files,
            commands::shared_files::local_copy,
            commands::replace::updates_elsewhere,
            commands::team::team_key_status,
            commands::team::add_team_key,
            commands::team::save_team_key,
            commands::team::rotate_team_key,
        ])
        .run(tauri::generate_context!())
        .expect("Shotkeeper could not start its window");
}

/// The platform data directory (Tauri's app_data_dir, the same one the CLI
/// uses), or SHOTKEEPER_DATA_DIR when set, as for the CLI.
fn data_dir(app: &tauri::AppHandle) -> tauri::Result<PathBuf> {
    match std::env::var_os("SHOTKEEPER_DATA_DIR") {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => app.path().app_data_dir(),
    }
}

/// Opens core and starts the demo help center. Never fails: what went wrong
/// is kept and shown by the UI where it matters.
async fn open(data_dir: PathBuf) -> Shell {
    // SHOTKEEPER_DATABASE_URL and SHOTKEEPER_AS when set (as for the CLI and
    // `serve`), else the team and name chosen in Settings › Team.
    let url = std::env::var(db::DATABASE_URL_ENV).ok();
    let app = match team::open_app(&data_dir, url.as_deref(), None).await {
        Ok(app) => app,
        Err(e) => {
            tracing::error!("cannot open {}: {e}", data_dir.display());
            let mut error = CommandError::from(e);
            // A team database chosen in Settings that is down: Settings ›
            // Team still works (it needs only the data directory) and can leave it.
            let from_settings = url.as_deref().is_none_or(|u| u.trim().is_empty())
                && team::status(&data_dir).is_ok_and(|s| s.team_database.is_some());
            if from_settings && error.kind == "database_unreachable" {
                error.message.push_str(". To work on this computer's own database meanwhile, leave the team in Settings › Team");
            }
            return Shell::new(data_dir, Err(error), DemoStatus::default(), None);
        }
    };
    let (demo, sim) = match tokio::time::timeout(Duration::from_secs(20), start_demo(&app)).await {
        Ok(Ok((sim, id))) => (
            DemoStatus {
                integration_id: Some(id),
                error: None,
            },
            Some(sim),
        ),
        Ok(Err(message)) => {
            tracing::warn!("demo help center unavailable: {message}");
            (
                DemoStatus {
                    integration_id: None,
                    error: Some(message),
                },
                None,
            )
        }
        Err(_) => {
            let message = "the demo help center did not start within 20 seconds; your own integrations work as usual".to_owned();
            tracing::warn!("{message}");
            (
                DemoStatus {
                    integration_id: None,
                    error: Some(message),
                },
                None,
            )
        }
    };
    Shell::new(data_dir, Ok(app), demo, sim)
}

/// Starts the simulator on 127.0.0.1 and points the "Demo help center"
/// integration at it.
async fn start_demo(app: &App) -> Result<(shotkeeper_sim::Sim, String), String> {
    let mut opts = SimOptions::new(SimProvider::Helpcenter);
    opts.articles = DEMO_ARTICLES;
    // Local and private: no rate limit on either side.
    opts.rate_limit_per_minute = Some(0);
    let sim = shotkeeper_sim::start(opts)
        .await
        .map_err(|e| format!("could not start the demo help center on 127.0.0.1: {e}"))?;
    let mut settings = sim.settings.clone();
    settings.insert("requests_per_minute".into(), "0".into());
    let demo = DemoHelpCenter {
        provider: ProviderKind::Helpcenter,
        api_base: sim.api_base.clone(),
        token: sim.token.clone(),
        settings,
    };
    let view = app.ensure_demo(demo).await.map_err(|e| e.to_string())?;
    tracing::info!(
        "demo help center ready at {} (integration {})",
        sim.site_base,
        view.integration.id
    );
    Ok((sim, view.integration.id))
}
