//! Team mode from the command line: two members, each with a data directory
//! of their own, on one PostgreSQL. What one does, the other sees.
//!
//! These need the PostgreSQL server the test command starts
//! (scripts/with-postgres.sh), so they are ignored in the SQLite run and run
//! with `--ignored` in the PostgreSQL one.

mod support;

use shotkeeper_sim::SimProvider;
use support::Shotkeeper;

async fn team_database() -> String {
    support::scratch_team_database()
        .await
        .expect("SHOTKEEPER_TEST_POSTGRES_URL is not set: run through scripts/with-postgres.sh")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/with-postgres.sh cargo test --test team -- --ignored"]
async fn one_members_import_is_every_members_import() {
    let database = team_database().await;
    let sim = support::sim(SimProvider::Helpjuice, 30).await;
    let ana = Shotkeeper::on_team_database(&sim.token, &database);
    let ben = Shotkeeper::on_team_database(&sim.token, &database);

    // Ana connects the help center; Ben sees it without adding it again.
    let id = ana.connect("helpjuice", &sim);
    let listed = ben.json(&["integration", "list", "--json"]);
    let listed = listed.as_array().expect("a list of integrations");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], id.as_str());

    // Ben imports it; Ana's past jobs show his job with the simulator's counts.
    let job = ben.json(&["--as", "Ben", "import", &id, "--json"]);
    let job_id = job["id"].as_str().unwrap();
    let jobs = ana.json(&["jobs", "--json"]);
    let jobs = jobs.as_array().expect("a list of jobs");
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0]["id"], job_id);
    assert_eq!(jobs[0]["status"], "completed");
    assert_eq!(jobs[0]["startedBy"], "Ben", "who started it is shown");
    let seen = ana.json(&["job", job_id, "--json"]);
    let e = &sim.expected;
    assert_eq!(seen["total"]["articles"]["success"], e.documents);
    assert_eq!(seen["total"]["images"]["total"], e.image_refs);
    assert_eq!(seen["total"]["images"]["unique"], e.unique_images);
    assert_eq!(sim.image_requests(), e.distinct_urls, "downloaded once");

    // Nothing of the rows went to either member's directory.
    for member in [&ana, &ben] {
        assert!(!member.dir.path().join("shotkeeper.sqlite").exists());
    }
    sim.shutdown().await;
}

#[test]
fn a_team_database_that_is_down_is_named_and_nothing_is_written() {
    // Port 1 on loopback: nothing listens there.
    let member = Shotkeeper::on_team_database("t", "postgres://ana:s3cret-pw@127.0.0.1:1/team");
    let out = member.run(&["jobs", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", support::stderr(&out));
    let said = support::stderr(&out);
    assert!(
        said.contains("could not open the team database at postgres://ana:***@127.0.0.1:1/team"),
        "{said}"
    );
    assert!(
        said.contains("--database, SHOTKEEPER_DATABASE_URL"),
        "{said}"
    );
    assert!(!said.contains("s3cret-pw"), "{said}");
    assert!(!member.dir.path().join("shotkeeper.sqlite").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and the OS keychain: scripts/with-keychain.sh scripts/with-postgres.sh cargo test --test team -- --ignored"]
async fn the_cli_opens_the_team_and_name_chosen_in_settings() {
    let database = team_database().await;
    let sim = support::sim(SimProvider::Helpjuice, 5).await;
    let ana = Shotkeeper::on_team_database(&sim.token, &database);
    let id = ana.connect("helpjuice", &sim);

    // Ben joined in the desktop app's Settings › Team (what its join_team
    // command calls); his CLI is given no --database and no --as.
    let ben = Shotkeeper::new(&sim.token);
    shotkeeper_core::team::join_team(ben.dir.path(), &database, Some("Ben"))
        .await
        .expect("join the team");
    let listed = ben.json(&["integration", "list", "--json"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed:?}");
    assert_eq!(listed[0]["id"], id.as_str());
    let job = ben.json(&["import", &id, "--json"]);
    let jobs = ana.json(&["jobs", "--json"]);
    assert_eq!(jobs[0]["id"], job["id"]);
    assert_eq!(jobs[0]["startedBy"], "Ben", "the name saved in Settings");
    let paths = ben.run(&["--paths"]);
    let paths = String::from_utf8_lossy(&paths.stdout);
    assert!(paths.contains("(team, from Settings › Team)"), "{paths}");
    assert!(!ben.dir.path().join("shotkeeper.sqlite").exists());

    // Left: the CLI is back on Ben's own (empty) database.
    shotkeeper_core::team::leave_team(ben.dir.path())
        .await
        .expect("leave the team");
    let listed = ben.json(&["integration", "list", "--json"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "{listed:?}");
    sim.shutdown().await;
}
