/// Every command the UI may call. Each gets an `allow-<name>` permission that
/// capabilities/default.json grants explicitly; a command missing there is
/// refused at run time.
const COMMANDS: &[&str] = &[
    "app_info",
    "provider_specs",
    "list_integrations",
    "get_integration",
    "check_integration",
    "add_integration",
    "update_integration",
    "delete_integration",
    "verify_integration",
    "start_import",
    "cancel_import",
    "list_jobs",
    "job_view",
    "image_rows",
    "image_detail",
    "article_rows",
    "article_detail",
    "plan_update",
    "get_plan",
    "save_plan",
    "diff_match",
    "apply_plan",
    "cancel_update",
    "article_revisions",
    "rollback_revision",
    "audit_job",
    "audit_settings",
    "save_audit_settings",
    "export_audit",
    "local_api_status",
    "start_local_api",
    "stop_local_api",
    "list_api_keys",
    "create_api_key",
    "revoke_api_key",
    "open_shots",
    "open_demo_shots",
    "recent_shots",
    "capture_shots",
    "cancel_capture",
    "capture_browser",
    "set_capture_browser",
    "team_status",
    "test_team_database",
    "join_team",
    "leave_team",
    "set_member_name",
    "restart_app",
    "shared_files_status",
    "set_shared_files",
    "local_copy",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
