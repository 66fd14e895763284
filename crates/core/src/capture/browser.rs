//! Finding and starting the headless Chromium that takes the screenshots.
//!
//! The browser is the system's (Debian's `chromium` package, or any Chromium
//! or Chrome given by path), driven over the Chrome DevTools Protocol with
//! the `chromiumoxide` crate. Shotkeeper never downloads a browser.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::detection::{self, DetectionOptions};
use futures::StreamExt;
use tokio::task::JoinHandle;

use crate::error::{CoreError, Result};

/// Where to find the browser when no path is given.
pub const BROWSER_ENV: &str = "SHOTKEEPER_CHROMIUM";

/// How long Chromium may take to start and print its DevTools address.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(30);

/// The Chromium executable to use: `configured` if given (it must exist),
/// else [`BROWSER_ENV`], else the first of chromium, chromium-browser,
/// google-chrome... on PATH (chromiumoxide's detection, which also knows the
/// usual install places on macOS and Windows).
pub fn find_chromium(configured: Option<&Path>) -> Result<PathBuf> {
    pick_chromium(configured, None)
}

/// [`find_chromium`] with a stored choice (Settings › Capture) that comes
/// after `given` and [`BROWSER_ENV`] and before PATH: the one place that
/// says which browser wins.
pub fn pick_chromium(given: Option<&Path>, chosen: Option<&Path>) -> Result<PathBuf> {
    let configured = given
        .map(Path::to_path_buf)
        .or_else(|| {
            std::env::var_os(BROWSER_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .or_else(|| chosen.map(Path::to_path_buf));
    if let Some(path) = configured {
        return if path.is_file() {
            Ok(path)
        } else {
            Err(CoreError::BrowserMissing {
                detail: format!("the browser path {} is not a file", path.display()),
            })
        };
    }
    detection::default_executable(DetectionOptions::default()).map_err(|_| {
        CoreError::BrowserMissing {
            detail: "none of chromium, chromium-browser, google-chrome or chrome is on PATH".into(),
        }
    })
}

/// A running headless Chromium with its own throw-away profile. Close it
/// with [`Chromium::close`]; dropped, its process is killed.
pub struct Chromium {
    pub(crate) browser: Browser,
    handler: JoinHandle<()>,
    executable: PathBuf,
    // Removed when the browser is gone; one per browser, so several
    // Shotkeeper processes (or tests) never share a profile lock.
    _profile: tempfile::TempDir,
}

impl std::fmt::Debug for Chromium {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chromium")
            .field("executable", &self.executable)
            .finish_non_exhaustive()
    }
}

impl Chromium {
    /// Starts Chromium headless. `executable` as [`find_chromium`] gives it.
    pub async fn launch(executable: &Path) -> Result<Chromium> {
        let profile = tempfile::Builder::new()
            .prefix("shotkeeper-chromium-")
            .tempdir()
            .map_err(|e| CoreError::file("create", std::env::temp_dir().display(), e))?;
        let mut config = BrowserConfig::builder()
            .chrome_executable(executable)
            .new_headless_mode()
            .user_data_dir(profile.path())
            .launch_timeout(LAUNCH_TIMEOUT)
            // Each scenario sets its own viewport (capture/shoot.rs).
            .viewport(None)
            // Same pixels on every run: no GPU rasterisation differences,
            // grayscale anti-aliasing, no font hinting.
            .arg("disable-gpu")
            .arg("disable-lcd-text")
            .arg(("font-render-hinting", "none"))
            .arg("disable-font-subpixel-positioning")
            .arg("no-default-browser-check");
        if running_as_root() {
            // Chromium refuses to start its sandbox as root (containers, CI).
            config = config.no_sandbox();
        }
        let config = config
            .build()
            .map_err(|detail| CoreError::BrowserMissing { detail })?;
        let (browser, mut handler) =
            Browser::launch(config)
                .await
                .map_err(|e| CoreError::BrowserMissing {
                    detail: format!("{} did not start: {e}", executable.display()),
                })?;
        // The handler carries every DevTools message; one it cannot read is
        // skipped, and it ends when the browser's connection closes.
        let handler = tokio::spawn(async move { while handler.next().await.is_some() {} });
        Ok(Chromium {
            browser,
            handler,
            executable: executable.to_path_buf(),
            _profile: profile,
        })
    }

    /// The executable this browser runs.
    pub fn executable(&self) -> &Path {
        &self.executable
    }

    /// The browser's product and version ("Chrome/131.0.6778.85").
    pub async fn version(&self) -> Result<String> {
        let v = self
            .browser
            .version()
            .await
            .map_err(|e| CoreError::BrowserMissing {
                detail: format!("{} does not answer: {e}", self.executable.display()),
            })?;
        Ok(v.product)
    }

    /// Ends the browser process and removes its profile.
    pub async fn close(mut self) {
        if self.browser.close().await.is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(5), self.browser.wait()).await;
        }
        let _ = self.browser.kill().await;
        self.handler.abort();
    }
}

#[cfg(unix)]
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

#[cfg(not(unix))]
fn running_as_root() -> bool {
    false
}
