//! Shared helpers of core's integration tests: a fresh data directory, a
//! simulator, and an integration pointing at it (secret read from an env var,
//! so these tests need no keychain).

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use shotkeeper_core::db::Database;
use shotkeeper_core::import::ImportProgress;
use shotkeeper_core::integrations::{NewIntegration, SecretInput};
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::App;
use shotkeeper_sim::{Sim, SimOptions, SimProvider};
use tokio_util::sync::CancellationToken;

pub fn kind_of(p: SimProvider) -> ProviderKind {
    p.as_str()
        .parse()
        .expect("a built-in simulator is a provider kind")
}

static ENV_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Where a test's database lives: the data directory's SQLite file, or,
/// when `SHOTKEEPER_TEST_POSTGRES_URL` names a PostgreSQL server (the test
/// command starts one with scripts/with-postgres.sh), a fresh database of
/// its own there. The choice is written into the directory, so opening the
/// same directory again (a restart) finds the same database.
pub async fn database_of(dir: &std::path::Path) -> Database {
    let Ok(admin) = std::env::var("SHOTKEEPER_TEST_POSTGRES_URL") else {
        return Database::embedded(dir);
    };
    let marker = dir.join("test-database-url");
    if let Ok(url) = std::fs::read_to_string(&marker) {
        return Database::from_url(&url).expect("the test's database URL");
    }
    let database = shotkeeper_core::db::create_scratch_postgres(&admin, "sk_test")
        .await
        .expect("create a scratch PostgreSQL database");
    let Database::Team { url } = &database else {
        unreachable!("a scratch database is a team database")
    };
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(&marker, url.as_str()).unwrap();
    database
}

/// Opens the app on `dir` with [`database_of`]'s database.
pub async fn open_app(dir: &std::path::Path) -> App {
    App::open_with(dir, database_of(dir).await)
        .await
        .expect("open the app")
}

/// Connects `sim` as an integration whose secret is read from a fresh env var.
pub async fn connect(app: &App, provider: SimProvider, sim: &Sim) -> String {
    let var = format!(
        "SHOTKEEPER_TEST_TOKEN_{}_{}",
        std::process::id(),
        ENV_COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    std::env::set_var(&var, &sim.token);
    let mut settings = sim.settings.clone();
    // The simulators' documented limits would slow the tests; the limiter
    // itself is tested in the http tests.
    settings.insert("requests_per_minute".into(), "0".into());
    let view = app
        .add_integration(NewIntegration {
            label: format!("{provider:?} simulator"),
            provider: kind_of(provider),
            base_url: Some(sim.api_base.clone()),
            settings,
            secret: SecretInput::Env { name: var },
        })
        .await
        .expect("add integration");
    view.integration.id
}

pub async fn start_sim(
    provider: SimProvider,
    articles: usize,
    tweak: impl FnOnce(&mut SimOptions),
) -> Sim {
    let mut o = SimOptions::unlimited(provider, articles);
    tweak(&mut o);
    shotkeeper_sim::start(o).await.expect("start simulator")
}

pub fn no_progress() -> Arc<dyn Fn(ImportProgress) + Send + Sync> {
    Arc::new(|_| {})
}

// --- whole flows shared by the provider tests --------------------------------

/// Imports a 30-article simulator and checks every count against its known answers.
pub async fn import_counts_equal_the_known_answers(p: SimProvider) {
    let dir = tempfile::tempdir().unwrap();
    let app = open_app(dir.path()).await;
    let sim = start_sim(p, 30, |_| {}).await;
    let id = connect(&app, p, &sim).await;
    let view = app
        .run_import(&id, None, no_progress(), CancellationToken::new())
        .await
        .expect("import");
    assert_counts_are_the_known_answers(&app, &view, &sim).await;
    sim.shutdown().await;
}

/// Import, then replace one uniquely named image with a new picture of the
/// same name: the plan uploads it through the provider's own upload and
/// writes the new URL back into every document that used the old one.
pub async fn import_then_update_round_trip(p: SimProvider) {
    use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
    use shotkeeper_core::app_update::PlanRequest;

    let dir = tempfile::tempdir().unwrap();
    let shots = tempfile::tempdir().unwrap();
    let app = open_app(dir.path()).await;
    let sim = start_sim(p, 12, |_| {}).await;
    let id = connect(&app, p, &sim).await;
    let view = app
        .run_import(&id, None, no_progress(), CancellationToken::new())
        .await
        .unwrap();
    let rows = app.image_rows(&view.id).await.unwrap();
    let target = uniquely_named(&rows, |_| true);
    let img = DynamicImage::ImageRgba8(RgbaImage::from_fn(97, 41, |x, y| {
        Rgba([(x * 3) as u8, (y * 5) as u8, 77, 255])
    }));
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, ImageFormat::Png).unwrap();
    let path = shots.path().join(&target.name);
    std::fs::write(&path, png.into_inner()).unwrap();

    let plan = app
        .plan_update(PlanRequest {
            job_id: view.id.clone(),
            paths: vec![path],
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(plan.articles_to_update() >= 1);
    let result = app
        .apply_plan(&plan.id, false, Arc::new(|_| {}), CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(result.summary.failed, 0, "{:?}", result.articles);
    assert!(result.summary.success >= 1);
    for a in &plan.articles {
        let sim_locale = a.locale.as_deref().filter(|l| *l != "en");
        let html = sim.article_html(&a.external_id, sim_locale).unwrap();
        assert!(
            html.contains(&format!("{}/uploads/", sim.site_base)),
            "{} {:?} holds the uploaded image",
            a.external_id,
            a.locale
        );
    }
    sim.shutdown().await;
}

/// A downloaded image whose file name no other downloaded image shares,
/// so a screenshot of that name matches it alone.
pub fn uniquely_named(
    rows: &[shotkeeper_core::report::ImageRow],
    keep: impl Fn(&shotkeeper_core::report::ImageRow) -> bool,
) -> shotkeeper_core::report::ImageRow {
    uniquely_named_images(rows, keep)
        .next()
        .expect("a uniquely named image")
}

/// The uniquely named image that the most articles use.
pub fn most_used_uniquely_named(
    rows: &[shotkeeper_core::report::ImageRow],
) -> shotkeeper_core::report::ImageRow {
    uniquely_named_images(rows, |_| true)
        .max_by_key(|r| r.articles_count)
        .expect("a uniquely named image")
}

fn uniquely_named_images<'a>(
    rows: &'a [shotkeeper_core::report::ImageRow],
    keep: impl Fn(&shotkeeper_core::report::ImageRow) -> bool,
) -> impl Iterator<Item = shotkeeper_core::report::ImageRow> + 'a {
    let ok: Vec<_> = rows
        .iter()
        .filter(|r| r.status_code == 200 && !r.is_duplicate && keep(r))
        .collect();
    let unique: Vec<_> = ok
        .iter()
        .filter(|r| {
            ok.iter()
                .filter(|o| o.name.eq_ignore_ascii_case(&r.name))
                .count()
                == 1
        })
        .map(|r| (*r).clone())
        .collect();
    unique.into_iter()
}

/// Every count of a finished import equals the simulator's known answers.
pub async fn assert_counts_are_the_known_answers(
    app: &App,
    view: &shotkeeper_core::model::JobView,
    sim: &Sim,
) {
    let e = &sim.expected;
    let a = &view.total.articles;
    assert_eq!(a.discovered, e.documents);
    assert_eq!(a.success, e.documents);
    assert_eq!((a.failed, a.skipped, a.pending), (0, 0, 0));
    assert_eq!(view.total.images.total, e.image_refs);
    assert_eq!(view.total.images.unique, e.unique_images);
    assert_eq!(view.total.images.duplicate, e.duplicate);
    assert_eq!(view.total.authors, e.authors);
    assert_eq!(sim.image_requests(), e.distinct_urls);
    let broken = app.broken_images(&view.id).await.unwrap();
    assert_eq!(broken.len() as u64, e.broken_urls);
}

/// Records a migration (version 9001) this build does not have, as a newer
/// Shotkeeper would have left the database.
pub async fn as_if_a_newer_shotkeeper_migrated(pool: &shotkeeper_core::db::Pool) {
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(9_001_i64)
    .bind("a migration from the future")
    .bind(true)
    .bind(vec![0u8; 48])
    .bind(1_i64)
    .execute(pool)
    .await
    .unwrap();
}

/// A plan of `app` made from `job`: one screenshot, `bytes`, saved as
/// `name` in a folder of its own under `dir`.
pub async fn plan_one(
    app: &App,
    job: &str,
    dir: &std::path::Path,
    name: &str,
    bytes: Vec<u8>,
) -> shotkeeper_core::update::UpdatePlan {
    let folder = dir.join(uuid::Uuid::new_v4().to_string());
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join(name);
    std::fs::write(&path, bytes).unwrap();
    app.plan_update(shotkeeper_core::app_update::PlanRequest {
        job_id: job.to_owned(),
        paths: vec![path],
        ..Default::default()
    })
    .await
    .unwrap()
}
