//! The native menu. Items that belong to the UI emit a "menu" event with
//! their id; the UI maps ids to actions (ui/src/lib/menu.ts). The Help menu
//! is native only: About (the system's About window: version, data
//! directory, log directory) and Open Log Folder (the file manager).

use std::path::PathBuf;

use shotkeeper_core::logging;
use shotkeeper_core::{App, APP_IDENTIFIER};
use tauri::menu::{
    AboutMetadataBuilder, Menu, MenuBuilder, MenuItemBuilder, PredefinedMenuItem, SubmenuBuilder,
};
use tauri::{AppHandle, Emitter, Runtime};
use tauri_plugin_opener::OpenerExt;

/// Help > Open Log Folder.
const OPEN_LOG_FOLDER: &str = "open-log-folder";

/// Where this process keeps its data and its logs, as About shows them.
#[derive(Debug, Clone)]
pub struct Paths {
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
}

impl Paths {
    /// The data directory main.rs opens (SHOTKEEPER_DATA_DIR, else the
    /// platform data directory, the one Tauri calls app_data_dir) and its log
    /// directory (shotkeeper_core::logging::log_dir_for).
    pub fn resolve() -> Paths {
        let data_dir = match std::env::var_os("SHOTKEEPER_DATA_DIR") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => App::default_data_dir()
                .unwrap_or_else(|_| std::env::temp_dir().join(APP_IDENTIFIER)),
        };
        let log_dir = logging::log_dir_for(&data_dir).unwrap_or_else(|_| data_dir.join("logs"));
        Paths { data_dir, log_dir }
    }
}

/// The About window's text under the name and version.
pub fn about_text(paths: &Paths) -> String {
    format!(
        "Keeps the screenshots in your help center current.\n\n\
         Data directory: {}\n\
         Log directory: {}\n\n\
         Send the log files (and any crash-*.txt) from the log directory with a problem report.",
        paths.data_dir.display(),
        paths.log_dir.display()
    )
}

fn about<R: Runtime>(app: &AppHandle<R>, paths: &Paths) -> tauri::Result<PredefinedMenuItem<R>> {
    let metadata = AboutMetadataBuilder::new()
        .name(Some("Shotkeeper"))
        .version(Some(env!("CARGO_PKG_VERSION")))
        .comments(Some(about_text(paths)))
        .license(Some(
            "MIT. Third-party licences: /usr/share/doc/shotkeeper/ when installed from the package.",
        ))
        .build();
    PredefinedMenuItem::about(app, Some("About Shotkeeper"), Some(metadata))
}

/// Ids the UI understands, with their labels and accelerators.
pub const ACTIONS: &[(&str, &str, &str)] = &[
    ("add-integration", "Add Integration…", "CmdOrCtrl+N"),
    ("import", "Import", "CmdOrCtrl+I"),
    ("view-images", "Images", "CmdOrCtrl+1"),
    ("view-articles", "Articles", "CmdOrCtrl+2"),
    ("reload", "Reload", "CmdOrCtrl+R"),
    ("find", "Find", "CmdOrCtrl+F"),
];

fn item<R: Runtime>(app: &AppHandle<R>, id: &str) -> tauri::Result<tauri::menu::MenuItem<R>> {
    let (id, label, accel) = ACTIONS
        .iter()
        .find(|(i, _, _)| *i == id)
        .copied()
        .expect("menu action is listed in ACTIONS");
    MenuItemBuilder::with_id(id, label)
        .accelerator(accel)
        .build(app)
}

pub fn build<R: Runtime>(app: &AppHandle<R>, paths: &Paths) -> tauri::Result<Menu<R>> {
    let file = SubmenuBuilder::new(app, "File")
        .item(&item(app, "add-integration")?)
        .item(&item(app, "import")?)
        .separator()
        .close_window()
        .quit()
        .build()?;
    let edit = SubmenuBuilder::new(app, "Edit")
        .undo()
        .redo()
        .separator()
        .cut()
        .copy()
        .paste()
        .select_all()
        .separator()
        .item(&item(app, "find")?)
        .build()?;
    let view = SubmenuBuilder::new(app, "View")
        .item(&item(app, "view-images")?)
        .item(&item(app, "view-articles")?)
        .separator()
        .item(&item(app, "reload")?)
        .separator()
        .fullscreen()
        .build()?;
    let window = SubmenuBuilder::new(app, "Window")
        .minimize()
        .maximize()
        .build()?;
    let help = SubmenuBuilder::new(app, "Help")
        .item(&MenuItemBuilder::with_id(OPEN_LOG_FOLDER, "Open Log Folder").build(app)?)
        .separator()
        .item(&about(app, paths)?)
        .build()?;

    let mut menu = MenuBuilder::new(app);
    #[cfg(target_os = "macos")]
    {
        let app_menu = SubmenuBuilder::new(app, "Shotkeeper")
            .item(&about(app, paths)?)
            .separator()
            .services()
            .separator()
            .hide()
            .hide_others()
            .show_all()
            .separator()
            .quit()
            .build()?;
        menu = menu.item(&app_menu);
    }
    menu = menu.items(&[&file, &edit, &view, &window, &help]);
    menu.build()
}

/// Forwards a menu click to the main window's UI; opens the log folder.
pub fn on_event<R: Runtime>(app: &AppHandle<R>, id: &str) {
    if id == OPEN_LOG_FOLDER {
        let dir = Paths::resolve().log_dir;
        let shown = std::fs::create_dir_all(&dir)
            .map_err(|e| e.to_string())
            .and_then(|_| {
                app.opener()
                    .open_path(dir.to_string_lossy(), None::<&str>)
                    .map_err(|e| e.to_string())
            });
        match shown {
            Ok(()) => tracing::info!("opened the log folder {}", dir.display()),
            Err(e) => tracing::warn!(
                "could not open the log folder {} in the file manager ({e}); open it by hand",
                dir.display()
            ),
        }
        return;
    }
    if ACTIONS.iter().any(|(i, _, _)| *i == id) {
        if let Err(e) = app.emit_to("main", "menu", id) {
            tracing::warn!("could not forward menu action {id}: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn about_names_the_data_and_log_directories() {
        let paths = Paths {
            data_dir: PathBuf::from("/home/ana/.local/share/app.shotkeeper.desktop"),
            log_dir: PathBuf::from("/home/ana/.local/share/app.shotkeeper.desktop/logs"),
        };
        let text = about_text(&paths);
        assert!(text.contains("Data directory: /home/ana/.local/share/app.shotkeeper.desktop\n"));
        assert!(
            text.contains("Log directory: /home/ana/.local/share/app.shotkeeper.desktop/logs\n")
        );
    }

    #[test]
    fn the_log_directory_is_beside_an_explicit_data_directory() {
        if std::env::var_os(logging::LOG_DIR_ENV).is_some() {
            return;
        }
        let dir = std::env::temp_dir().join("shotkeeper-menu-test");
        std::env::set_var("SHOTKEEPER_DATA_DIR", &dir);
        let paths = Paths::resolve();
        std::env::remove_var("SHOTKEEPER_DATA_DIR");
        assert_eq!(paths.data_dir, dir);
        assert_eq!(paths.log_dir, dir.join("logs"));
    }
}
