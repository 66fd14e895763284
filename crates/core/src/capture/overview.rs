//! What a front end shows of a scenarios file and of a capture run: each
//! scenario with what it captures and its last PNG, and one status per
//! scenario as a run goes. Serialisable (and exported to TypeScript) so the
//! desktop's Capture view and the CLI describe scenarios in the same words.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::run::{CaptureEvent, ScenarioOutcome};
use super::scenarios::{ColorScheme, Scenario, ShotsFile, Target};

/// A scenarios file, read and checked, as a list to show.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ShotsOverview {
    /// The file, as opened.
    pub path: String,
    /// Where its captures are written, one `ID.png` per scenario.
    pub out_dir: String,
    pub scenarios: Vec<ScenarioSummary>,
}

/// One scenario: where it goes, what it keeps, and its last capture.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioSummary {
    pub id: String,
    pub url: String,
    /// What becomes the PNG: "element #plan-card", "viewport", "full page",
    /// "clip 0,0 640×400".
    pub target: String,
    /// "1280×800, 2x, dark".
    pub screen: String,
    /// The PNG of the last successful capture, when there is one.
    pub last: Option<LastCapture>,
}

/// A PNG a capture wrote.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct LastCapture {
    pub file: String,
    pub width: u32,
    pub height: u32,
    /// RFC 3339, from the file's modification time.
    pub captured_at: String,
}

/// A scenario's state during a run; the last one of each scenario is its
/// outcome.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum CaptureStatus {
    Capturing {
        id: String,
    },
    #[serde(rename_all = "camelCase")]
    Captured {
        id: String,
        capture: LastCapture,
        seconds: f64,
    },
    /// `error` says what went wrong and how long it waited (a page down, a
    /// selector that never appeared).
    #[serde(rename_all = "camelCase")]
    Failed {
        id: String,
        error: String,
        seconds: f64,
    },
}

/// Every scenario's outcome, in the file's order.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CaptureRun {
    pub outcomes: Vec<CaptureStatus>,
    /// The PNGs written, in scenario order: what a front end matches.
    pub files: Vec<String>,
    pub failed: u32,
}

impl ShotsOverview {
    pub fn new(path: &Path, out_dir: &Path, file: &ShotsFile) -> Self {
        ShotsOverview {
            path: path.display().to_string(),
            out_dir: out_dir.display().to_string(),
            scenarios: file
                .scenarios
                .iter()
                .map(|s| ScenarioSummary::new(s, out_dir))
                .collect(),
        }
    }
}

impl ScenarioSummary {
    fn new(s: &Scenario, out_dir: &Path) -> Self {
        let mut screen = format!("{}×{}", s.viewport.width, s.viewport.height);
        if s.scale != 1 {
            screen.push_str(&format!(", {}x", s.scale));
        }
        if s.color_scheme == ColorScheme::Dark {
            screen.push_str(", dark");
        }
        ScenarioSummary {
            id: s.id.clone(),
            url: s.url.clone(),
            target: describe_target(&s.target),
            screen,
            last: LastCapture::read(&png_path(out_dir, &s.id)),
        }
    }
}

fn describe_target(t: &Target) -> String {
    match t {
        Target::Viewport => "viewport".into(),
        Target::FullPage => "full page".into(),
        Target::Element {
            selector,
            padding: 0,
        } => format!("element {selector}"),
        Target::Element { selector, padding } => {
            format!("element {selector} + {padding} px")
        }
        Target::Clip(c) => format!("clip {},{} {}×{}", c.x, c.y, c.width, c.height),
    }
}

/// Where a run writes scenario `id`'s PNG.
pub fn png_path(out_dir: &Path, id: &str) -> PathBuf {
    out_dir.join(format!("{id}.png"))
}

impl LastCapture {
    /// The PNG at `path` with its size (read from its header, not decoded)
    /// and modification time; `None` when there is no readable PNG.
    pub fn read(path: &Path) -> Option<LastCapture> {
        let modified = std::fs::metadata(path).ok()?.modified().ok()?;
        let (width, height) = image::image_dimensions(path).ok()?;
        Some(LastCapture {
            file: path.display().to_string(),
            width,
            height,
            captured_at: chrono::DateTime::<chrono::Utc>::from(modified).to_rfc3339(),
        })
    }
}

impl CaptureStatus {
    pub fn id(&self) -> &str {
        match self {
            CaptureStatus::Capturing { id }
            | CaptureStatus::Captured { id, .. }
            | CaptureStatus::Failed { id, .. } => id,
        }
    }

    pub fn from_event(ev: &CaptureEvent<'_>) -> Self {
        match ev {
            CaptureEvent::Started { id } => CaptureStatus::Capturing {
                id: (*id).to_owned(),
            },
            CaptureEvent::Finished(o) => CaptureStatus::from_outcome(o),
        }
    }

    pub fn from_outcome(o: &ScenarioOutcome) -> Self {
        let seconds = (o.elapsed.as_secs_f64() * 10.0).round() / 10.0;
        match &o.result {
            // The run knows the PNG's size; it was written just now.
            Ok(c) => CaptureStatus::Captured {
                id: o.id.clone(),
                capture: LastCapture {
                    file: c.path.display().to_string(),
                    width: c.width,
                    height: c.height,
                    captured_at: chrono::Utc::now().to_rfc3339(),
                },
                seconds,
            },
            Err(e) => CaptureStatus::Failed {
                id: o.id.clone(),
                error: e.to_string(),
                seconds,
            },
        }
    }
}
