//! One client (and so one rate limiter) per integration for the life of an
//! `App`, rebuilt when the integration changes; one import of an
//! integration at a time.

mod common;

use std::sync::Arc;

use shotkeeper_core::integrations::UpdateIntegration;
use shotkeeper_sim::SimProvider;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn an_integration_has_one_client_until_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
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
    let app = common::open_app(dir.path()).await;
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

/// Requests per minute the rate test gives its integration, and the burst
/// core's limiter allows at that rate (a tenth of a minute's budget).
const TEST_RATE_PER_MINUTE: u32 = 120;
const TEST_BURST: usize = 12;

/// The most API requests the simulator saw in any one-second window.
fn busiest_second(times: &[std::time::Instant]) -> usize {
    let second = std::time::Duration::from_secs(1);
    (0..times.len())
        .map(|i| {
            times[i..]
                .iter()
                .take_while(|t| t.duration_since(times[i]) < second)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn an_import_and_an_apply_on_one_integration_stay_within_its_rate() {
    use shotkeeper_core::app_update::PlanRequest;

    let dir = tempfile::tempdir().unwrap();
    let shots = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    // Help Scout reads each article with its own GET, so an import makes
    // many API requests; it has its own upload, so an apply needs no S3.
    let sim = common::start_sim(SimProvider::Helpscout, 30, |_| {}).await;
    let id = common::connect(&app, SimProvider::Helpscout, &sim).await;
    let first = app
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await
        .unwrap();

    // A plan that rewrites the articles of the most used, uniquely named image.
    let rows = app.image_rows(&first.id).await.unwrap();
    let target = common::most_used_uniquely_named(&rows);
    let picture = image::RgbaImage::from_fn(64, 40, |x, y| image::Rgba([x as u8, y as u8, 9, 255]));
    let path = shots.path().join(&target.name);
    picture
        .save_with_format(&path, image::ImageFormat::Png)
        .unwrap();
    let plan = app
        .plan_update(PlanRequest {
            job_id: first.id.clone(),
            paths: vec![path],
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(plan.articles_to_update() >= 1);
    assert_eq!(
        plan.storage_integration_id, None,
        "Help Scout's own upload is core's default"
    );

    // Now give the integration a budget: its one client is rebuilt with it.
    let mut settings = sim.settings.clone();
    settings.insert(
        "requests_per_minute".into(),
        TEST_RATE_PER_MINUTE.to_string(),
    );
    app.update_integration(
        &id,
        UpdateIntegration {
            label: None,
            base_url: None,
            settings: Some(settings),
            secret: None,
        },
    )
    .await
    .unwrap();

    let before = sim.api_request_times().len();
    let started = std::time::Instant::now();
    let (import, applied) = tokio::join!(
        app.run_import(&id, None, common::no_progress(), CancellationToken::new()),
        app.apply_plan(&plan.id, false, Arc::new(|_| {}), CancellationToken::new()),
    );
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(import.unwrap().summary.failed, 0);
    assert_eq!(applied.unwrap().summary.failed, 0);

    let times = sim.api_request_times()[before..].to_vec();
    let per_second = f64::from(TEST_RATE_PER_MINUTE) / 60.0;
    // Enough work that two budgets would show: each alone could spend a burst.
    assert!(times.len() > 2 * TEST_BURST, "{} requests", times.len());
    let allowed = TEST_BURST as f64 + per_second * elapsed + 1.0;
    assert!(
        times.len() as f64 <= allowed,
        "{} requests in {elapsed:.1} s: more than one budget of {TEST_RATE_PER_MINUTE}/min \
         (burst {TEST_BURST}) allows ({allowed:.0})",
        times.len()
    );
    let busiest = busiest_second(&times);
    assert!(
        busiest <= TEST_BURST + per_second.ceil() as usize,
        "{busiest} requests in one second: the import and the apply each had a budget"
    );
    sim.shutdown().await;
}
