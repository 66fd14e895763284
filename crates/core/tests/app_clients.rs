//! One client (and so one rate limiter) per integration for the life of an
//! `App`, rebuilt when the integration changes; one import of an
//! integration at a time.

mod common;

use std::sync::Arc;

use shotkeeper_core::integrations::UpdateIntegration;
use shotkeeper_core::App;
use shotkeeper_sim::SimProvider;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn an_integration_has_one_client_until_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await.unwrap();
    let sim = common::start_sim(SimProvider::Helpjuice, 3, |_| {}).await;
    let id = common::connect(&app, SimProvider::Helpjuice, &sim).await;

    let (_, first) = app.help_center(&id).await.unwrap();
    let (_, again) = app.help_center(&id).await.unwrap();
    assert!(
        Arc::ptr_eq(&first, &again),
        "an import and an update share one client, so one rate limiter"
    );
    // A clone of the App (what each front end's task holds) shares it too.
    let (_, from_clone) = app.clone().help_center(&id).await.unwrap();
    assert!(Arc::ptr_eq(&first, &from_clone));

    app.update_integration(
        &id,
        UpdateIntegration {
            label: Some("Renamed".into()),
            base_url: None,
            settings: None,
            secret: None,
        },
    )
    .await
    .unwrap();
    let (integration, rebuilt) = app.help_center(&id).await.unwrap();
    assert_eq!(integration.label, "Renamed");
    assert!(
        !Arc::ptr_eq(&first, &rebuilt),
        "an edit builds a new client"
    );

    app.delete_integration(&id).await.unwrap();
    assert!(app.help_center(&id).await.is_err());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_second_import_of_the_same_integration_is_refused_while_one_runs() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await.unwrap();
    // Slow answers keep the first import running while the second is asked for.
    let sim = common::start_sim(SimProvider::Helpjuice, 20, |o| o.faults.slow_ms = 150).await;
    let id = common::connect(&app, SimProvider::Helpjuice, &sim).await;

    let cancel = CancellationToken::new();
    let running = {
        let (app, id, cancel) = (app.clone(), id.clone(), cancel.clone());
        tokio::spawn(async move {
            app.run_import(&id, None, common::no_progress(), cancel)
                .await
        })
    };
    // Wait (bounded) until the first import has created its job.
    for _ in 0..100 {
        if !app.list_jobs().await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let second = app
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await;
    let message = second.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains("is already running"),
        "the second import is refused: {message}"
    );
    assert_eq!(
        app.list_jobs().await.unwrap().len(),
        1,
        "no second job was created"
    );

    cancel.cancel();
    let _ = running.await.unwrap();
    // Once the first has stopped, the integration can be imported again.
    let view = app
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(view.summary.failed, 0);
    sim.shutdown().await;
}
