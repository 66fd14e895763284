//! README's offline capture, as a user types it: `shotkeeper demo` prints
//! the demo app's URL, and `shotkeeper capture demo/shots.toml --base-url
//! URL --out DIR` captures it with a real headless Chromium (Debian's
//! `chromium`, installed by scripts/setup.sh).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Stops the demo server however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn shotkeeper(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shotkeeper"));
    c.arg("--data-dir").arg(dir);
    c
}

#[test]
fn the_demo_prints_its_app_and_the_shipped_file_captures_it() {
    let data = tempfile::tempdir().unwrap();
    let mut child = shotkeeper(data.path())
        .args(["demo", "--articles", "6"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run shotkeeper demo");
    let stderr = child.stderr.take().unwrap();
    let _demo = Running(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let app_line = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no demo app line within 60 s: {seen:?}"));
        if line.starts_with("demo app") {
            break line;
        }
        seen.push(line);
    };
    let base = app_line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:") && w.ends_with("/app/"))
        .unwrap_or_else(|| panic!("no app URL in {app_line:?}"))
        .to_string();
    assert!(
        app_line.contains(&format!("--base-url {base}")),
        "{app_line}"
    );

    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/shots.toml");
    let out = tempfile::tempdir().unwrap();
    let run = shotkeeper(data.path())
        .arg("capture")
        .arg(&shots)
        .args([
            "--base-url",
            &base,
            "--only",
            "billing-settings",
            "api-keys",
        ])
        .arg("--out")
        .arg(out.path())
        .stdin(Stdio::null())
        .output()
        .expect("run shotkeeper capture");
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{err}");
    for id in ["billing-settings", "api-keys"] {
        let png = out.path().join(format!("{id}.png"));
        assert_eq!(
            image::image_dimensions(&png).unwrap(),
            (960, 600),
            "{id}: {err}"
        );
    }

    // Without a base, the file's relative URLs say what to do.
    let run = shotkeeper(data.path())
        .arg("capture")
        .arg(&shots)
        .arg("--out")
        .arg(out.path().join("none"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(err.contains("--base-url"), "{err}");
    assert!(!out.path().join("none").exists(), "nothing written");
}
