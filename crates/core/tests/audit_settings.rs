//! Audit thresholds remembered per help center: saved once, used by every
//! later audit and export of that help center's imports, kept across
//! restarts, and refused when they make no sense.

mod common;

use shotkeeper_core::audit::{AuditSettings, Rule};
use shotkeeper_sim::SimProvider;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn saved_thresholds_change_the_audit_of_that_help_center_only() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let sim = common::start_sim(SimProvider::Helpjuice, 8, |_| {}).await;
    let a = common::connect(&app, SimProvider::Helpjuice, &sim).await;
    let b = common::connect(&app, SimProvider::Helpjuice, &sim).await;
    let import = |id: String| {
        let app = &app;
        async move {
            app.run_import(&id, None, common::no_progress(), CancellationToken::new())
                .await
                .unwrap()
                .id
        }
    };
    let (job_a, job_b) = (import(a.clone()).await, import(b.clone()).await);

    assert_eq!(
        app.audit_settings(&a).await.unwrap(),
        AuditSettings::default()
    );
    let before = app.audit_job(&job_a).await.unwrap();
    assert_eq!(before.counts[&Rule::Heavy], sim.expected.audit.heavy);

    // 1 KiB: every downloadable image of any size is heavy now.
    let low = AuditSettings {
        heavy_kib: 1,
        old_days: 365,
    };
    app.save_audit_settings(&a, low).await.unwrap();
    let after = app.audit_job(&job_a).await.unwrap();
    assert!(
        after.counts[&Rule::Heavy] > before.counts[&Rule::Heavy],
        "{:?} -> {:?}",
        before.counts,
        after.counts
    );
    assert!(after
        .findings
        .iter()
        .any(|f| f.rule == Rule::Heavy && f.detail.contains("over the 1 KiB threshold")));
    // The other help center keeps the defaults.
    let other = app.audit_job(&job_b).await.unwrap();
    assert_eq!(other.counts[&Rule::Heavy], sim.expected.audit.heavy);

    // The export uses them too.
    let out = tempfile::tempdir().unwrap();
    let path = app
        .export_audit(
            &job_a,
            shotkeeper_core::app_update::AuditFormat::Json,
            out.path(),
        )
        .await
        .unwrap();
    let exported: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(exported["counts"]["heavy"], after.counts[&Rule::Heavy]);

    // Remembered across a restart.
    drop(app);
    let app = common::open_app(dir.path()).await;
    assert_eq!(app.audit_settings(&a).await.unwrap(), low);
    assert_eq!(app.job_audit_settings(&job_a).await.unwrap(), low);
    sim.shutdown().await;
}

#[tokio::test]
async fn thresholds_that_make_no_sense_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let sim = common::start_sim(SimProvider::Helpjuice, 2, |_| {}).await;
    let id = common::connect(&app, SimProvider::Helpjuice, &sim).await;
    for bad in [
        AuditSettings {
            heavy_kib: 0,
            old_days: 365,
        },
        AuditSettings {
            heavy_kib: 500,
            old_days: 0,
        },
        AuditSettings {
            heavy_kib: 500,
            old_days: -3,
        },
    ] {
        let err = app.save_audit_settings(&id, bad).await.unwrap_err();
        assert_eq!(err.kind(), "invalid", "{err}");
    }
    assert_eq!(
        app.audit_settings(&id).await.unwrap(),
        AuditSettings::default()
    );
    let err = app.audit_settings("no-such-integration").await.unwrap_err();
    assert_eq!(err.kind(), "not_found", "{err}");
    sim.shutdown().await;
}
