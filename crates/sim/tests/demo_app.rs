//! The demo web app under `/app/`: its pages, its theme query, and the
//! UI-version switch a test flips to make "the UI changed".

mod common;

use common::{client, header, sim_with};
use shotkeeper_sim::{demo_shots_with_base, SimProvider, UiVersion, DEMO_SHOTS};

#[tokio::test]
async fn pages_themes_and_the_ui_version_switch() {
    let sim = sim_with(SimProvider::Helpcenter, |o| o.articles = 3).await;
    assert_eq!(sim.app_base(), format!("{}/app/", sim.site_base));
    let c = client();
    let get = |path: &str| c.get(format!("{}{path}", sim.site_base)).send();

    // Every screen of the shipped scenarios file is a page, no external resource.
    for path in [
        "/app/",
        "/app/billing",
        "/app/billing/invoices",
        "/app/team",
        "/app/settings",
        "/app/settings/notifications",
        "/app/settings/api-keys",
        "/app/settings/security",
        "/app/profile",
    ] {
        let r = get(path).await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(
            header(&r, "content-type").as_deref(),
            Some("text/html; charset=utf-8")
        );
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"main\""), "{path}");
        assert!(html.contains("data-ui-version=\"1\""), "{path}");
        for external in ["http://", "https://", "src=\"//"] {
            assert!(!html.contains(external), "{path} loads {external}");
        }
    }
    assert_eq!(get("/app/nowhere").await.unwrap().status(), 404);
    let home = get("/app").await.unwrap();
    assert_eq!(home.url().path(), "/app/", "redirected to the folder");

    // The theme: the system's, or forced.
    let system = get("/app/profile").await.unwrap().text().await.unwrap();
    assert!(system.contains("prefers-color-scheme:dark"));
    let dark = get("/app/profile?theme=dark")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!dark.contains("prefers-color-scheme") && dark.contains("--bar:#1e40af"));

    // The roles modal opens from the URL too.
    let team = get("/app/team?dialog=roles")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(team.contains("<body class=\"dialog-open\">"));

    // The UI version: documented POST, the Sim method, a clear refusal.
    let v1 = get("/app/billing").await.unwrap().text().await.unwrap();
    let post = |q: &str| {
        c.post(format!("{}/app/ui-version{q}", sim.site_base))
            .send()
    };
    assert_eq!(post("?version=2").await.unwrap().status(), 204);
    assert_eq!(sim.ui_version(), UiVersion::V2);
    let text = get("/app/ui-version").await.unwrap().text().await.unwrap();
    assert_eq!(text, "2");
    let v2 = get("/app/billing").await.unwrap().text().await.unwrap();
    assert!(v2.contains("data-ui-version=\"2\"") && v2.contains("--bar:#0f766e"));
    assert_ne!(v1, v2);
    let refused = post("?version=3").await.unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("?version=1"));
    sim.set_ui_version(UiVersion::V1);
    assert_eq!(get("/app/billing").await.unwrap().text().await.unwrap(), v1);
    sim.shutdown().await;
}

#[test]
fn the_shipped_scenarios_file_gets_a_base() {
    assert!(!DEMO_SHOTS.contains("base_url ="), "the port is not known");
    let text = demo_shots_with_base("http://127.0.0.1:4100/app/");
    assert_eq!(
        text.matches("base_url = \"http://127.0.0.1:4100/app/\"")
            .count(),
        1
    );
    assert!(text.contains("id = \"billing-settings\""));
}
