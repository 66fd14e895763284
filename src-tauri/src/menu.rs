//! The native menu. Items that belong to the UI emit a "menu" event with
//! their id; the UI maps ids to actions (ui/src/lib/menu.ts).

use tauri::menu::{Menu, MenuBuilder, MenuItemBuilder, SubmenuBuilder};
use tauri::{AppHandle, Emitter, Runtime};

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

pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
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

    let mut menu = MenuBuilder::new(app);
    #[cfg(target_os = "macos")]
    {
        let app_menu = SubmenuBuilder::new(app, "Shotkeeper")
            .about(None)
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
    menu = menu.items(&[&file, &edit, &view, &window]);
    menu.build()
}

/// Forwards a menu click to the main window's UI.
pub fn on_event<R: Runtime>(app: &AppHandle<R>, id: &str) {
    if ACTIONS.iter().any(|(i, _, _)| *i == id) {
        if let Err(e) = app.emit_to("main", "menu", id) {
            tracing::warn!("could not forward menu action {id}: {e}");
        }
    }
}
