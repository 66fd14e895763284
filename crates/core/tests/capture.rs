//! Capture with a real headless Chromium (Debian's `chromium`, installed by
//! scripts/setup.sh) against small pages this test serves on 127.0.0.1.
//! Run through scripts/with-keychain.sh: a header's value comes from the
//! real OS keychain.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use shotkeeper_core::capture::{
    capture, find_chromium, parse_shots, select, CaptureEvent, CaptureOptions, CaptureProgress,
    Chromium, ShotsFile,
};
use shotkeeper_core::imaging::{analyse, png_text_chunks, ImageLimits};
use shotkeeper_core::matching::{Candidate, MatchConfig, MatchIndex, MatchType};
use shotkeeper_core::update::screenshots::load_file;
use shotkeeper_core::CoreError;
use tokio_util::sync::CancellationToken;

/// The card's colour before and after "the UI changed".
const BLUE: [u8; 3] = [10, 120, 200];
const GREEN: [u8; 3] = [20, 160, 60];
const MASK: [u8; 3] = [255, 0, 255];
const TOKEN_ACCOUNT: &str = "shotkeeper-capture-test-token";
const TOKEN: &str = "capture-test-3f9a";

struct Site {
    addr: SocketAddr,
    redesigned: Arc<AtomicBool>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Site {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

#[derive(Clone)]
struct SiteState {
    redesigned: Arc<AtomicBool>,
}

const STYLE: &str = "body{margin:0;background:#fff;font-family:sans-serif}\
#banner{position:absolute;left:0;top:0;width:100%;height:20px;background:rgb(255,0,0)}\
#card{position:absolute;left:40px;top:30px;width:200px;height:120px}\
#email{position:absolute;left:20px;top:30px;width:100px;height:20px;background:rgb(250,250,0);color:#000;font-size:12px}";

async fn home(State(st): State<SiteState>) -> Html<String> {
    let [r, g, b] = if st.redesigned.load(Ordering::SeqCst) {
        GREEN
    } else {
        BLUE
    };
    Html(format!(
        "<!doctype html><html><head><style>{STYLE}#card{{background:rgb({r},{g},{b})}}</style></head>\
<body><div id=banner></div><div id=card><div id=email>a@b.c</div></div>\
<input id=field autofocus style='position:absolute;left:300px;top:40px'></body></html>"
    ))
}

/// Something moves all the time: an infinite animation, a transition that
/// starts on load, a blinking caret in a focused field.
async fn animated() -> Html<&'static str> {
    Html(
        "<!doctype html><html><head><style>\
body{margin:0;background:#fff}\
@keyframes spin{from{transform:rotate(0deg);background:#f00}to{transform:rotate(360deg);background:#00f}}\
#spin{position:absolute;left:20px;top:20px;width:60px;height:60px;animation:spin 700ms linear infinite}\
#slide{position:absolute;left:100px;top:20px;width:40px;height:40px;background:#0a0;transition:left 3s linear}\
</style></head><body><div id=spin></div><div id=slide></div><input id=f autofocus style='position:absolute;left:20px;top:100px'>\
<script>requestAnimationFrame(()=>requestAnimationFrame(()=>{document.getElementById('slide').style.left='300px'}))</script>\
</body></html>",
    )
}

/// A page for signed-in users: the token header and the session cookie.
async fn private(headers: HeaderMap) -> impl IntoResponse {
    let token = headers.get("x-token").and_then(|v| v.to_str().ok());
    let cookie = headers
        .get("cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if token == Some(TOKEN) && cookie.contains("session=abc123") {
        (StatusCode::OK, Html("<!doctype html><body style='margin:0'><div id=account style='width:50px;height:50px;background:#123456'></div></body>"))
    } else {
        (
            StatusCode::FORBIDDEN,
            Html("<!doctype html><body>sign in</body>"),
        )
    }
}

async fn serve() -> Site {
    let redesigned = Arc::new(AtomicBool::new(false));
    let app = Router::new()
        .route("/", get(home))
        .route("/animated", get(animated))
        .route("/private", get(private))
        .with_state(SiteState {
            redesigned: redesigned.clone(),
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    Site {
        addr,
        redesigned,
        stop: Some(stop),
    }
}

/// A port on 127.0.0.1 nobody listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// One browser test at a time: two Chromiums rendering on a 2-core machine
/// can take longer than the short timeouts these tests give on purpose,
/// and a page that is slow to load would fail a scenario for the wrong
/// reason.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn browser() -> Chromium {
    let exe = find_chromium(None).expect("Chromium is installed by scripts/setup.sh");
    Chromium::launch(&exe).await.expect("Chromium starts")
}

fn rgba(path: &Path) -> image::RgbaImage {
    image::open(path).unwrap().to_rgba8()
}

fn rgb_at(img: &image::RgbaImage, x: u32, y: u32) -> [u8; 3] {
    let p = img.get_pixel(x, y).0;
    [p[0], p[1], p[2]]
}

/// Records progress lines, as the CLI prints them.
fn recorder() -> (CaptureProgress, Arc<Mutex<Vec<String>>>) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    let progress: CaptureProgress = Arc::new(move |ev| {
        let line = match ev {
            CaptureEvent::Started { id } => format!("start {id}"),
            CaptureEvent::Finished(o) => format!("end {} {}", o.id, o.result.is_ok()),
        };
        sink.lock().unwrap().push(line);
    });
    (progress, lines)
}

fn shots(site: &Site) -> ShotsFile {
    let down = format!("http://127.0.0.1:{}/", closed_port());
    let text = format!(
        r##"
[defaults]
base_url = "{base}"
viewport = {{ width = 400, height = 300 }}
timeout_ms = 10000

[[scenario]]
id = "card"
url = "/"
selector = "#card"
scale = 2
mask = ["#email"]
mask_color = "#ff00ff"

[[scenario]]
id = "card-padded"
url = "/"
selector = "#card"
padding = 10

[[scenario]]
id = "banner-hidden"
url = "/"
clip = {{ x = 0, y = 0, width = 300, height = 20 }}
hide = ["#banner"]

[[scenario]]
id = "banner-shown"
url = "/"
clip = {{ x = 0, y = 0, width = 300, height = 20 }}

[[scenario]]
id = "animated-1"
url = "/animated"

[[scenario]]
id = "animated-2"
url = "/animated"
wait_for = {{ delay_ms = 350 }}

[[scenario]]
id = "signed-in"
url = "/private"
selector = "#account"
headers = {{ X-Token = {{ secret = "{TOKEN_ACCOUNT}" }} }}
cookies = [{{ name = "session", value = "abc123" }}]

[[scenario]]
id = "no-such-element"
url = "/"
selector = "#does-not-exist"
timeout_ms = 1500

[[scenario]]
id = "app-down"
url = "{down}"
"##,
        base = site.url("/")
    );
    parse_shots(&text, "shots.toml").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn captures_elements_masks_hides_stamps_and_survives_failures() {
    let _one = ONE_BROWSER.lock().await;
    shotkeeper_core::secrets::store(TOKEN_ACCOUNT, TOKEN)
        .await
        .expect("the test keychain is running (scripts/with-keychain.sh)");
    let site = serve().await;
    let file = shots(&site);
    let out = tempfile::tempdir().unwrap();
    let chromium = browser().await;
    let (progress, lines) = recorder();
    let mut opts = CaptureOptions::new(out.path());
    opts.tabs = 3;
    let all = select(&file, &[]).unwrap();
    let report = capture(&chromium, &all, &opts, progress, CancellationToken::new())
        .await
        .unwrap();
    chromium.close().await;
    site.stop();
    let _ = shotkeeper_core::secrets::delete(TOKEN_ACCOUNT).await;

    let by_id: BTreeMap<&str, &shotkeeper_core::capture::ScenarioOutcome> =
        report.outcomes.iter().map(|o| (o.id.as_str(), o)).collect();
    let ids: Vec<&str> = report.outcomes.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(
        ids,
        file.scenarios
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>(),
        "report in file order"
    );
    for ok in [
        "card",
        "card-padded",
        "banner-hidden",
        "banner-shown",
        "animated-1",
        "animated-2",
        "signed-in",
    ] {
        assert!(by_id[ok].result.is_ok(), "{ok}: {:?}", by_id[ok].result);
    }
    assert_eq!(report.failed(), 2);
    let progress = lines.lock().unwrap().clone();
    assert_eq!(progress.len(), 2 * file.scenarios.len(), "{progress:?}");

    // The element at scale 2: its 200x120 box, twice; known pixels.
    let card = rgba(&out.path().join("card.png"));
    assert_eq!(card.dimensions(), (400, 240));
    assert_eq!(rgb_at(&card, 380, 220), BLUE);
    assert_eq!(rgb_at(&card, 2, 2), BLUE);
    // #email sits at (20, 30) in the card, 100x20: a solid mask, no text.
    for y in 60..100 {
        for x in 40..240 {
            assert_eq!(rgb_at(&card, x, y), MASK, "masked pixel ({x}, {y})");
        }
    }
    assert_eq!(
        rgb_at(&card, 39, 80),
        BLUE,
        "the mask stops at the element's edge"
    );
    assert_eq!(rgb_at(&card, 241, 80), BLUE);

    // Padding grows the box on each side, at scale 1.
    let padded = rgba(&out.path().join("card-padded.png"));
    assert_eq!(padded.dimensions(), (220, 140));
    assert_eq!(
        rgb_at(&padded, 2, 2),
        [255, 255, 255],
        "padding shows the page around"
    );
    assert_eq!(rgb_at(&padded, 12, 12), BLUE);
    assert_eq!(
        rgb_at(&padded, 120, 58),
        [250, 250, 0],
        "unmasked here: the email box"
    );

    // Hidden: the red banner is gone, its place is the page's background.
    let hidden = rgba(&out.path().join("banner-hidden.png"));
    let shown = rgba(&out.path().join("banner-shown.png"));
    assert_eq!(hidden.dimensions(), (300, 20));
    assert!(
        hidden.pixels().all(|p| p.0 == [255, 255, 255, 255]),
        "hidden banner left pixels"
    );
    assert!(
        shown.pixels().all(|p| p.0 == [255, 0, 0, 255]),
        "the banner is red when not hidden"
    );

    // A running animation, a transition, a caret: the same pixels anyway,
    // however long the page ran before its capture.
    let a1 = rgba(&out.path().join("animated-1.png"));
    let a2 = rgba(&out.path().join("animated-2.png"));
    assert_eq!(a1.dimensions(), (400, 300));
    assert!(
        a1.as_raw() == a2.as_raw(),
        "two captures of an animated page differ"
    );

    // The header's value came from the keychain, the cookie from the file.
    let account = rgba(&out.path().join("signed-in.png"));
    assert_eq!(account.dimensions(), (50, 50));
    assert_eq!(rgb_at(&account, 25, 25), [0x12, 0x34, 0x56]);

    // The three text chunks.
    let chunks = png_text_chunks(&std::fs::read(out.path().join("card.png")).unwrap()).unwrap();
    assert_eq!(
        chunks.get("screenshot-id").map(String::as_str),
        Some("card")
    );
    assert_eq!(chunks.get("Source"), Some(&site_url(&file, "card")));
    assert_eq!(
        chunks.get("Software").map(String::as_str),
        Some("Shotkeeper")
    );

    // Failures name the scenario, what was waited for and how long; no file.
    let missing = by_id["no-such-element"]
        .result
        .as_ref()
        .unwrap_err()
        .to_string();
    assert!(missing.contains("'no-such-element'"), "{missing}");
    assert!(missing.contains("#does-not-exist"), "{missing}");
    assert!(
        missing.contains("timed out") && missing.contains("1500 ms"),
        "{missing}"
    );
    assert!(missing.contains("after 1."), "{missing}");
    let down = by_id["app-down"].result.as_ref().unwrap_err().to_string();
    assert!(
        down.contains("'app-down'") && down.contains("could not open"),
        "{down}"
    );
    assert!(down.contains("ERR_CONNECTION_REFUSED"), "{down}");
    let mut written: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "animated-1.png",
            "animated-2.png",
            "banner-hidden.png",
            "banner-shown.png",
            "card-padded.png",
            "card.png",
            "signed-in.png"
        ]
    );
}

fn site_url(file: &ShotsFile, id: &str) -> String {
    file.scenarios
        .iter()
        .find(|s| s.id == id)
        .unwrap()
        .url
        .clone()
}

/// The loop: a capture uploaded once carries its id; after the UI changed,
/// the new capture matches that image by `metadata`, not by look or name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_capture_matches_the_old_one_by_metadata_after_the_ui_changed() {
    let _one = ONE_BROWSER.lock().await;
    let site = serve().await;
    let text = format!(
        "[[scenario]]\nid = \"billing-card\"\nurl = \"{}\"\nselector = \"#card\"\n",
        site.url("/")
    );
    let file = parse_shots(&text, "shots.toml").unwrap();
    let chosen = select(&file, &[]).unwrap();
    let before = tempfile::tempdir().unwrap();
    let after = tempfile::tempdir().unwrap();
    let chromium = browser().await;
    let quiet: CaptureProgress = Arc::new(|_| {});
    let first = capture(
        &chromium,
        &chosen,
        &CaptureOptions::new(before.path()),
        quiet.clone(),
        CancellationToken::new(),
    )
    .await
    .unwrap();
    site.redesigned.store(true, Ordering::SeqCst);
    let second = capture(
        &chromium,
        &chosen,
        &CaptureOptions::new(after.path()),
        quiet,
        CancellationToken::new(),
    )
    .await
    .unwrap();
    chromium.close().await;
    site.stop();
    assert_eq!(first.failed() + second.failed(), 0, "{first:?} {second:?}");

    // The help center's images: the first capture (as uploaded, renamed by
    // the help center) and an unrelated screenshot under the same name.
    let old = std::fs::read(before.path().join("billing-card.png")).unwrap();
    let uploaded = candidate("https://help.example.com/img/9f1e.png", &old);
    let unrelated = {
        let mut png = std::io::Cursor::new(Vec::new());
        image::RgbImage::from_pixel(200, 120, image::Rgb([200, 200, 200]))
            .write_to(&mut png, image::ImageFormat::Png)
            .unwrap();
        candidate(
            "https://help.example.com/img/billing-card.png",
            &png.into_inner(),
        )
    };
    let index = MatchIndex::build(vec![unrelated, uploaded], MatchConfig::default());

    // The new capture, dropped like any file.
    let data = tempfile::tempdir().unwrap();
    let shot = load_file(data.path(), &after.path().join("billing-card.png")).unwrap();
    assert_ne!(
        rgb_at(&rgba(&after.path().join("billing-card.png")), 10, 10),
        BLUE,
        "the UI changed"
    );
    let result = index.match_one(&shot);
    assert_eq!(result.match_type, MatchType::Metadata, "{result:?}");
    assert_eq!(result.targets.len(), 1);
    assert_eq!(
        result.targets[0].url,
        "https://help.example.com/img/9f1e.png"
    );
    assert!(!result.targets[0].unchanged);
}

fn candidate(url: &str, bytes: &[u8]) -> Candidate {
    let a = analyse(bytes, &ImageLimits::default());
    Candidate {
        url: url.into(),
        name: String::new(),
        sha256: a.sha256,
        phash: a.phash,
        width: a.width,
        height: a.height,
        metadata: a.metadata,
        articles: Vec::new(),
    }
}

#[test]
fn a_typo_in_the_scenarios_file_names_its_line_and_column() {
    let text =
        "[[scenario]]\nid = \"home\"\nurl = \"http://127.0.0.1:1/\"\ncolour_scheme = \"dark\"\n";
    let e = parse_shots(text, "docs/shots.toml").unwrap_err();
    assert!(
        matches!(
            e,
            CoreError::Scenarios {
                line: 4,
                column: 1,
                ..
            }
        ),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(
        msg.starts_with("docs/shots.toml line 4, column 1:"),
        "{msg}"
    );
    assert!(
        msg.contains("colour_scheme") && msg.contains("color_scheme"),
        "names the key and the right one: {msg}"
    );

    let bad_value =
        "[[scenario]]\nid = \"home\"\nurl = \"http://127.0.0.1:1/\"\ncolor_scheme = \"sepia\"\n";
    let e = parse_shots(bad_value, "shots.toml").unwrap_err();
    assert!(
        matches!(
            e,
            CoreError::Scenarios {
                line: 4,
                column: 16,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("sepia"), "{e}");

    let bad_scale = "[[scenario]]\nid = \"home\"\nurl = \"http://127.0.0.1:1/\"\nscale = 3\n";
    let e = parse_shots(bad_scale, "shots.toml").unwrap_err();
    assert!(
        matches!(
            e,
            CoreError::Scenarios {
                line: 4,
                column: 9,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn a_missing_browser_says_how_to_install_one() {
    let e = find_chromium(Some(&PathBuf::from("/nonexistent/chromium"))).unwrap_err();
    assert!(matches!(e, CoreError::BrowserMissing { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("/nonexistent/chromium"), "{msg}");
    assert!(msg.contains("apt-get install chromium"), "{msg}");
}

/// The desktop's Capture view through core's `App`: a file opened is
/// remembered across restarts, captured into its own folder of the data
/// directory with a status per scenario, and listed with its last captures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_remembers_the_file_and_lists_each_scenarios_last_capture() {
    let _one = ONE_BROWSER.lock().await;
    use shotkeeper_core::capture::CaptureStatus;
    use shotkeeper_core::App;

    let site = serve().await;
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shots.toml");
    std::fs::write(
        &path,
        format!(
            "[defaults]\nbase_url = \"{}\"\nviewport = {{ width = 400, height = 300 }}\n\n\
             [[scenario]]\nid = \"card\"\nurl = \"/\"\nselector = \"#card\"\n\n\
             [[scenario]]\nid = \"gone\"\nurl = \"/\"\nselector = \"#does-not-exist\"\ntimeout_ms = 1500\n",
            site.url("/")
        ),
    )
    .unwrap();

    let app = App::open(data.path()).await.unwrap();
    assert_eq!(app.recent_shots().await.unwrap(), None);
    let opened = app.open_shots(&path).await.unwrap();
    let ids: Vec<&str> = opened.scenarios.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["card", "gone"]);
    assert_eq!(opened.scenarios[0].target, "element #card");
    assert_eq!(opened.scenarios[0].screen, "400×300");
    assert!(opened.scenarios.iter().all(|s| s.last.is_none()));

    // A restart opens the same file again.
    drop(app);
    let app = App::open(data.path()).await.unwrap();
    assert_eq!(
        app.recent_shots().await.unwrap().as_deref(),
        Some(path.as_path())
    );

    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let run = app
        .capture_shots(
            &path,
            &Default::default(),
            Arc::new(move |s| sink.lock().unwrap().push(s)),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    let card_png = app.capture_dir(&path).join("card.png");
    assert!(card_png.starts_with(data.path().join("captures")));
    assert_eq!(run.files, [card_png.display().to_string()]);
    assert_eq!(run.failed, 1);
    match &run.outcomes[1] {
        CaptureStatus::Failed { id, error, .. } => {
            assert_eq!(id, "gone");
            assert!(error.contains("#does-not-exist"), "{error}");
        }
        other => panic!("the missing selector fails its scenario: {other:?}"),
    }
    let seen = seen.lock().unwrap().clone();
    let started = seen
        .iter()
        .position(|s| matches!(s, CaptureStatus::Capturing { id } if id == "card"));
    let ended = seen
        .iter()
        .position(|s| matches!(s, CaptureStatus::Captured { id, .. } if id == "card"));
    assert!(started.is_some() && started < ended, "{seen:?}");

    let again = app.open_shots(&path).await.unwrap();
    let last = again.scenarios[0].last.as_ref().expect("card was captured");
    assert_eq!((last.width, last.height), (200, 120));
    assert!(
        again.scenarios[1].last.is_none(),
        "a failed scenario wrote nothing"
    );

    // Settings › Capture: a path that is not a browser is refused and
    // nothing is stored; a real one is what captures start from then on.
    let found = app.capture_browser().await.unwrap();
    assert_eq!(found.chosen, None);
    let chromium = found.effective.expect("Chromium is on PATH");
    let err = app
        .set_capture_browser(Some(Path::new("/nowhere/chromium")))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("/nowhere/chromium is not a file"), "{err}");
    assert_eq!(app.capture_browser().await.unwrap().chosen, None);
    let chosen = app
        .set_capture_browser(Some(Path::new(&chromium)))
        .await
        .unwrap();
    assert_eq!(chosen.chosen.as_deref(), Some(chromium.as_str()));
    assert_eq!(app.chromium(None).await.unwrap(), PathBuf::from(&chromium));
    assert_eq!(app.set_capture_browser(None).await.unwrap().chosen, None);

    // A mistake in the file is reported where it is; the file stays the
    // remembered one (what a person fixes and opens again).
    std::fs::write(
        &path,
        "[[scenario]]\nid = \"a\"\nurl = \"/\"\nselectr = \"#a\"\n",
    )
    .unwrap();
    let err = app.open_shots(&path).await.unwrap_err().to_string();
    assert!(err.contains("line 4, column 1"), "{err}");
    site.stop();
}
