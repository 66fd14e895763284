//! The store on either engine (SQLite in the data directory, or PostgreSQL
//! when the test command gives one): what a person sees when the database
//! is newer than their Shotkeeper, or cannot be reached.

mod common;

use std::sync::Arc;

use shotkeeper_core::app_update::PlanRequest;
use shotkeeper_core::db::{self, Database};
use shotkeeper_core::integrations::{NewIntegration, SecretInput};
use shotkeeper_core::model::JobView;
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::providers::ArticleRef;
use shotkeeper_core::update::revisions::{Revision, RollbackMode};
use shotkeeper_core::update::{ArticleStatus, UpdatePlan, UpdateResult};
use shotkeeper_core::{App, CoreError};
use shotkeeper_sim::{Sim, SimProvider};
use tokio_util::sync::CancellationToken;

async fn add_an_integration(app: &App) {
    app.add_integration(NewIntegration {
        label: "Docs".into(),
        provider: ProviderKind::Zendesk,
        base_url: Some("https://example.zendesk.com".into()),
        settings: [("email".to_string(), "docs@example.com".to_string())].into(),
        secret: SecretInput::Env {
            name: "SHOTKEEPER_STORE_TEST_TOKEN".into(),
        },
    })
    .await
    .expect("add an integration");
}

#[tokio::test]
async fn a_database_a_newer_shotkeeper_wrote_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    add_an_integration(&app).await;
    // A later version ran a migration this one does not have.
    common::as_if_a_newer_shotkeeper_migrated(app.pool()).await;

    let database = common::database_of(dir.path()).await;
    let refused = App::open_with(dir.path(), database.clone()).await;
    let Err(err) = refused else {
        panic!("a newer database was opened")
    };
    assert!(
        matches!(
            err,
            CoreError::NewerDatabase {
                version: 9_001,
                // This build's newest migration (0009 when this was written).
                known: 9..=9_000,
                ..
            }
        ),
        "{err:?}"
    );
    let words = err.to_string();
    assert!(words.contains("newer Shotkeeper"), "{words}");
    assert!(words.contains("update Shotkeeper"), "{words}");
    assert!(words.contains(&database.describe()), "{words}");

    // Nothing was changed: the integration is there, the future migration too.
    assert_eq!(app.list_integrations().await.unwrap().len(), 1);
    let newest: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(newest, 9_001);
}

#[tokio::test]
async fn an_unreachable_team_database_is_named_without_its_password() {
    // Port 1 on loopback: nothing listens there.
    let database = Database::from_url("postgres://ana:hunter2-secret@127.0.0.1:1/docs").unwrap();
    let err = db::connect(&database).await.unwrap_err();
    let words = err.to_string();
    assert!(
        matches!(err, CoreError::DatabaseUnreachable { .. }),
        "{err:?}"
    );
    assert!(
        words.contains("postgres://ana:***@127.0.0.1:1/docs"),
        "{words}"
    );
    assert!(!words.contains("hunter2"), "{words}");
    assert!(!format!("{err:?}").contains("hunter2"));
    assert!(
        words.contains("Check that PostgreSQL is running"),
        "{words}"
    );
}

#[test]
fn database_addresses_are_checked_before_anything_connects() {
    assert!(matches!(
        Database::from_url("postgresql://ana@db.example.com/docs")
            .unwrap()
            .engine(),
        db::Engine::Postgres
    ));
    let sqlite = Database::from_url("sqlite:///var/lib/shotkeeper/shotkeeper.sqlite").unwrap();
    assert_eq!(
        sqlite,
        Database::Embedded {
            file: "/var/lib/shotkeeper/shotkeeper.sqlite".into()
        }
    );
    for bad in ["mysql://ana@db/docs", "not a url", "postgres:///docs"] {
        let err = Database::from_url(bad).unwrap_err().to_string();
        assert!(
            err.contains("postgres://USER:PASSWORD@HOST:PORT/DATABASE"),
            "{bad}: {err}"
        );
    }
}

/// Two members, Ana and Ben, on one database (one data directory stands
/// for the shared database here; on PostgreSQL it is the team's), and Ana's
/// import of a 12-article Zendesk whose every API answer takes `slow_ms`.
async fn ana_and_ben_after_anas_import(
    dir: &std::path::Path,
    slow_ms: u64,
) -> (App, App, Sim, String, JobView) {
    let ana = common::open_app(dir).await.with_actor("Ana").unwrap();
    let ben = common::open_app(dir).await.with_actor(" Ben ").unwrap();
    let sim = common::start_sim(SimProvider::Zendesk, 12, |o| o.faults.slow_ms = slow_ms).await;
    let id = common::connect(&ana, SimProvider::Zendesk, &sim).await;
    let job = ana
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await
        .unwrap();
    (ana, ben, sim, id, job)
}

#[tokio::test]
async fn the_team_sees_who_started_each_import_and_who_made_each_revision() {
    let dir = tempfile::tempdir().unwrap();
    let shots = tempfile::tempdir().unwrap();
    let (ana, ben, sim, id, job) = ana_and_ben_after_anas_import(dir.path(), 0).await;
    assert_eq!(ben.actor(), "Ben", "a name is trimmed");
    for refused in ["", "   ", "a\u{7}b"] {
        let err = common::open_app(dir.path())
            .await
            .with_actor(refused)
            .err()
            .expect("not a name");
        assert!(err.to_string().contains("--as"), "{err}");
    }
    let jobs = ben.list_jobs().await.unwrap();
    assert_eq!(jobs[0].started_by.as_deref(), Some("Ana"));

    // Ben replaces one image; Ana rolls his update back.
    let rows = ben.image_rows(&job.id).await.unwrap();
    let target = common::uniquely_named(&rows, |_| true);
    let path = shots.path().join(&target.name);
    std::fs::write(&path, shotkeeper_sim::fresh_png(7)).unwrap();
    let plan = ben
        .plan_update(PlanRequest {
            job_id: job.id.clone(),
            paths: vec![path],
            ..Default::default()
        })
        .await
        .unwrap();
    let applied = ben
        .apply_plan(&plan.id, false, Arc::new(|_| {}), CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(applied.summary.failed, 0, "{:?}", applied.articles);
    let article = &plan.articles[0];
    let address = ArticleRef {
        id: article.external_id.clone(),
        locale: article.locale.clone(),
    };
    let by_ben = ana.revisions(Some(&id), &address).await.unwrap();
    assert_eq!(by_ben.len(), 1);
    assert_eq!(by_ben[0].author.as_deref(), Some("Ben"));

    let undone = ana.rollback(&by_ben[0].id, false).await.unwrap();
    let after = ben.revisions(Some(&id), &address).await.unwrap();
    let rollback = after
        .iter()
        .find(|r| Some(&r.id) == undone.rollback_revision_id.as_ref())
        .expect("the rollback's revision");
    assert_eq!(rollback.author.as_deref(), Some("Ana"));
    sim.shutdown().await;
}

/// An article with two images that only it uses, each with a file name no
/// other image has: a screenshot named like either replaces that one alone.
async fn article_with_two_own_images(
    app: &App,
    job: &str,
) -> (shotkeeper_core::report::ArticleDetail, String, String) {
    let all = app.image_rows(job).await.unwrap();
    let own = |i: &shotkeeper_core::report::ImageRow| {
        i.status_code == 200
            && i.articles_count == 1
            && all.iter().filter(|o| o.name == i.name).count() == 1
    };
    for row in app.article_rows(job).await.unwrap() {
        let detail = app.article_detail(job, &row.id).await.unwrap();
        let mut names: Vec<String> = detail
            .images
            .iter()
            .filter(|i| own(i))
            .map(|i| i.name.clone())
            .collect();
        names.dedup();
        if names.len() >= 2 {
            let (a, b) = (names[0].clone(), names[1].clone());
            return (detail, a, b);
        }
    }
    panic!("no article has two images of its own");
}

/// Ana and Ben apply their plans at the same moment (both made before
/// either update); their results, Ana's first.
async fn apply_together(
    (ana, plan_a): (&App, &UpdatePlan),
    (ben, plan_b): (&App, &UpdatePlan),
) -> (UpdateResult, UpdateResult) {
    // Each member's help-center client has made its first calls (a dry
    // run reads the article), so the two updates below start together.
    for (app, plan) in [(ana, plan_a), (ben, plan_b)] {
        app.apply_plan(&plan.id, true, Arc::new(|_| {}), CancellationToken::new())
            .await
            .unwrap();
    }
    let apply = |app: &App, plan_id: &str| {
        let (app, plan_id) = (app.clone(), plan_id.to_owned());
        tokio::spawn(async move {
            app.apply_plan(&plan_id, false, Arc::new(|_| {}), CancellationToken::new())
                .await
                .unwrap()
        })
    };
    let (done_a, done_b) = (apply(ana, &plan_a.id), apply(ben, &plan_b.id));
    let done = (done_a.await.unwrap(), done_b.await.unwrap());
    for d in [&done.0, &done.1] {
        assert_eq!(
            (d.summary.success, d.summary.failed),
            (1, 0),
            "{:?}",
            d.articles
        );
    }
    done
}

/// Rolls every revision of the article back, newest first, each exactly;
/// the article is then as it was.
async fn roll_back_newest_first(app: &App, revisions: &[Revision]) {
    for r in revisions {
        let undone = app.rollback(&r.id, false).await.unwrap();
        assert_eq!(
            undone.mode,
            RollbackMode::Exact,
            "revision by {:?}",
            r.author
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_members_updating_one_article_at_once_both_land_and_both_roll_back() {
    let dir = tempfile::tempdir().unwrap();
    let shots = tempfile::tempdir().unwrap();
    // Every API answer takes 300 ms: reading, uploading and writing one
    // article takes long enough for two writers to meet in the middle.
    let (ana, ben, sim, id, job) = ana_and_ben_after_anas_import(dir.path(), 300).await;
    let (article, name_a, name_b) = article_with_two_own_images(&ana, &job.id).await;
    let sim_locale = article.locale.as_deref().filter(|l| *l != "en");
    let original = sim
        .article_html(&article.external_article_id, sim_locale)
        .unwrap();

    let fresh = shotkeeper_sim::fresh_png;
    let plan_a = common::plan_one(&ana, &job.id, shots.path(), &name_a, fresh(11)).await;
    let plan_b = common::plan_one(&ben, &job.id, shots.path(), &name_b, fresh(22)).await;
    apply_together((&ana, &plan_a), (&ben, &plan_b)).await;

    let address = ArticleRef {
        id: article.external_article_id.clone(),
        locale: article.locale.clone(),
    };
    let revisions = ana.revisions(Some(&id), &address).await.unwrap();
    assert_eq!(revisions.len(), 2);
    let mut authors: Vec<_> = revisions.iter().filter_map(|r| r.author.clone()).collect();
    authors.sort();
    assert_eq!(authors, ["Ana", "Ben"]);
    // Neither write was lost: both new screenshots are in the article.
    let now = sim
        .article_html(&article.external_article_id, sim_locale)
        .unwrap();
    for r in &revisions {
        for new_url in r.replacements.values() {
            let path = new_url.split("/uploads/").nth(1).unwrap_or(new_url);
            assert!(now.contains(path), "{new_url} is in the article:\n{now}");
        }
    }

    roll_back_newest_first(&ben, &revisions).await;
    let back = sim
        .article_html(&article.external_article_id, sim_locale)
        .unwrap();
    assert_eq!(back, original);
    sim.shutdown().await;
}

/// A new capture of one screen, as a capture tool writes it: different
/// pixels each time, the same identifying PNG text.
fn capture_of_billing(seed: u8) -> Vec<u8> {
    let screen = [("Screen".to_string(), "Settings / Billing".to_string())].into();
    shotkeeper_core::imaging::write_png_text(&shotkeeper_sim::fresh_png(seed), &screen).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_members_replacing_one_image_at_once_the_later_is_rematched_onto_the_earlier() {
    let dir = tempfile::tempdir().unwrap();
    let shots = tempfile::tempdir().unwrap();
    let (ana, ben, sim, id, job) = ana_and_ben_after_anas_import(dir.path(), 300).await;
    let (article, name, _) = article_with_two_own_images(&ana, &job.id).await;
    let sim_locale = article.locale.as_deref().filter(|l| *l != "en");
    let original = sim
        .article_html(&article.external_article_id, sim_locale)
        .unwrap();
    let imported_url = article
        .images
        .iter()
        .find(|i| i.name == name)
        .map(|i| i.url.clone())
        .unwrap();

    // Both captured the billing screen again and both plans replace the
    // imported image named like it.
    let plan_a = common::plan_one(&ana, &job.id, shots.path(), &name, capture_of_billing(11)).await;
    let plan_b = common::plan_one(&ben, &job.id, shots.path(), &name, capture_of_billing(22)).await;
    for plan in [&plan_a, &plan_b] {
        assert_eq!(plan.articles[0].changes[0].old_url, imported_url);
    }
    let (done_a, done_b) = apply_together((&ana, &plan_a), (&ben, &plan_b)).await;

    let address = ArticleRef {
        id: article.external_article_id.clone(),
        locale: article.locale.clone(),
    };
    // Newest first: the later writer's revision, then the earlier's.
    let revisions = ana.revisions(Some(&id), &address).await.unwrap();
    assert_eq!(revisions.len(), 2, "both members wrote the article");
    let (later, earlier) = (&revisions[0], &revisions[1]);
    let earlier_url = earlier.replacements[&imported_url].clone();
    let (earlier_name, later_result) = match earlier.author.as_deref() {
        Some("Ana") => ("Ana", &done_b),
        _ => ("Ben", &done_a),
    };
    // The later plan was re-matched: the earlier member's screenshot, which
    // its plan never saw, was found in place of the imported image (by the
    // screen named in both captures) and replaced; nothing was written blind.
    let outcome = &later_result.articles[0];
    assert_eq!(outcome.status, ArticleStatus::Updated, "{outcome:?}");
    assert_eq!(
        outcome
            .changed_since_plan
            .as_ref()
            .and_then(|c| c.by.as_deref()),
        Some(earlier_name)
    );
    assert_eq!(outcome.rematched, vec![earlier_url.clone()]);
    assert_eq!(
        later.replacements.keys().collect::<Vec<_>>(),
        [&earlier_url]
    );
    let later_url = &later.replacements[&earlier_url];

    // The article shows the later capture once, and neither the earlier
    // capture nor the imported image (compared by path: the help center
    // may write its own host's URLs relative).
    let path = |url: &str| url.splitn(4, '/').nth(3).unwrap().to_owned();
    assert!(original.contains(&path(&imported_url)), "{original}");
    let now = sim
        .article_html(&article.external_article_id, sim_locale)
        .unwrap();
    assert_eq!(now.matches(&path(later_url)).count(), 1, "{now}");
    assert!(!now.contains(&path(&earlier_url)), "{now}");
    assert!(!now.contains(&path(&imported_url)), "{now}");

    roll_back_newest_first(&ana, &revisions).await;
    let back = sim
        .article_html(&article.external_article_id, sim_locale)
        .unwrap();
    assert_eq!(back, original);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_colleague_sees_an_update_while_it_is_being_written() {
    let dir = tempfile::tempdir().unwrap();
    let shots = tempfile::tempdir().unwrap();
    // Every API answer takes 300 ms: the update lasts long enough to watch.
    let (ana, ben, sim, _, job) = ana_and_ben_after_anas_import(dir.path(), 300).await;
    let rows = ana.image_rows(&job.id).await.unwrap();
    let shared = common::most_used_uniquely_named(&rows);
    let fresh = shotkeeper_sim::fresh_png(9);
    let plan = common::plan_one(&ana, &job.id, shots.path(), &shared.name, fresh).await;
    let total = plan.articles_to_update() as u64;
    assert!(total >= 2, "the image is in several articles");
    assert!(ben.updates_elsewhere().await.unwrap().is_empty());

    let applying = {
        let (ana, id) = (ana.clone(), plan.id.clone());
        tokio::spawn(async move {
            ana.apply_plan(&id, false, Arc::new(|_| {}), CancellationToken::new())
                .await
        })
    };
    // Ben's app, polling as the desktop does, sees Ana's update while it runs.
    let mut seen = None;
    for _ in 0..200 {
        let now = ben.updates_elsewhere().await.unwrap();
        if let Some(a) = now.into_iter().find(|a| a.articles_written >= 1) {
            seen = Some(a);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let seen = seen.expect("Ben saw Ana's update within 10 s");
    assert_eq!(seen.plan_id, plan.id);
    assert_eq!(seen.author.as_deref(), Some("Ana"));
    assert_eq!(seen.articles_total, total);
    assert!(seen.articles_written < total, "seen while it ran: {seen:?}");
    assert!(
        ana.updates_elsewhere().await.unwrap().is_empty(),
        "not her own"
    );

    let done = applying.await.unwrap().unwrap();
    assert_eq!(done.summary.failed, 0);
    assert!(
        ben.updates_elsewhere().await.unwrap().is_empty(),
        "finished"
    );
    sim.shutdown().await;
}
