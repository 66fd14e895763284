//! The scenarios file (`shots.toml`): one `[[scenario]]` table per screen,
//! with shared `[defaults]`. Read with the `toml` crate and serde; unknown
//! keys and bad values are refused with the line and column `toml` reports
//! (its error spans), and checks across fields (two capture targets, a
//! repeated id) point at the field with `toml::Spanned`.
//!
//! The full format, with an example, is in README.md ("Capture").

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;
use std::time::Duration;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use toml::Spanned;

use crate::error::{CoreError, Result};

/// How long a scenario may take, from opening its tab to its PNG, unless it
/// or `[defaults]` says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
const DEFAULT_VIEWPORT: Viewport = Viewport {
    width: 1280,
    height: 800,
};

/// A scenarios file, checked, with `[defaults]` applied to every scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ShotsFile {
    pub scenarios: Vec<Scenario>,
}

/// One screen to capture, every value resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The identity written into the PNG (`screenshot-id`) and its file name.
    pub id: String,
    /// Absolute URL (a relative `url` is joined to `base_url`).
    pub url: String,
    pub viewport: Viewport,
    /// Device pixel ratio: 1 or 2.
    pub scale: u8,
    pub color_scheme: ColorScheme,
    /// BCP 47 tag (`fr-FR`): the page's `navigator.language`, `Intl` and the
    /// Accept-Language header.
    pub locale: Option<String>,
    pub wait_for: WaitFor,
    pub target: Target,
    /// Elements made invisible (their space is kept, so nothing moves).
    pub hide: Vec<String>,
    /// Elements painted over with `mask_color` in the PNG (personal data).
    pub mask: Vec<String>,
    pub mask_color: [u8; 3],
    /// Run in the page after it loaded and before waiting for `wait_for`
    /// (open a modal, pick a tab); a returned promise is awaited.
    pub javascript: Option<String>,
    pub headers: BTreeMap<String, Value>,
    pub cookies: Vec<Cookie>,
    /// The most the whole scenario may take.
    pub timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorScheme {
    #[default]
    Light,
    Dark,
}

impl ColorScheme {
    pub fn as_css(self) -> &'static str {
        match self {
            ColorScheme::Light => "light",
            ColorScheme::Dark => "dark",
        }
    }
}

/// What the page must reach before it is captured. Every part given is
/// waited for, in this order: network idle, the selector, the delay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitFor {
    /// A CSS selector that must match a rendered element (with a box).
    pub selector: Option<String>,
    /// No network connection for 500 ms after the page loaded (Chromium's
    /// `networkIdle` lifecycle event).
    #[serde(default)]
    pub network_idle: bool,
    /// A fixed pause, in milliseconds, after everything else.
    pub delay_ms: Option<u64>,
}

/// What part of the page becomes the PNG.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// The visible viewport (the default).
    Viewport,
    /// The whole page, however long.
    FullPage,
    /// One element's border box, grown by `padding` CSS pixels on each side.
    Element { selector: String, padding: u32 },
    /// A rectangle of the page, in CSS pixels from its top left corner.
    Clip(Clip),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clip {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// A header or cookie value: written in the file, or named and looked up
/// when the scenario runs, so the file holds no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Plain(String),
    /// `{ secret = "NAME" }`: Shotkeeper's secret store (the OS keychain,
    /// service `shotkeeper`, account NAME).
    Secret(String),
    /// `{ env = "NAME" }`: an environment variable, read at run time.
    Env(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cookie {
    pub name: String,
    pub value: Value,
    /// Defaults to the scenario URL's host.
    pub domain: Option<String>,
    /// Defaults to `/`.
    pub path: Option<String>,
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(r#"a string, { secret = "NAME" } or { env = "NAME" }"#)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Value, E> {
                Ok(Value::Plain(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Value, A::Error> {
                let Some(key) = map.next_key::<String>()? else {
                    return Err(de::Error::custom(
                        r#"an empty table: write { secret = "NAME" } or { env = "NAME" }"#,
                    ));
                };
                let name: String = map.next_value()?;
                let value = match key.as_str() {
                    "secret" => Value::Secret(name),
                    "env" => Value::Env(name),
                    other => return Err(de::Error::unknown_field(other, &["secret", "env"])),
                };
                if map.next_key::<String>()?.is_some() {
                    return Err(de::Error::custom(
                        "a value names one source: either `secret` or `env`",
                    ));
                }
                Ok(value)
            }
        }
        d.deserialize_any(V)
    }
}

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    defaults: RawDefaults,
    #[serde(default)]
    scenario: Vec<RawScenario>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    base_url: Option<Spanned<String>>,
    viewport: Option<Viewport>,
    scale: Option<Spanned<u8>>,
    color_scheme: Option<ColorScheme>,
    locale: Option<String>,
    wait_for: Option<WaitFor>,
    #[serde(default)]
    hide: Vec<String>,
    #[serde(default)]
    mask: Vec<String>,
    mask_color: Option<Spanned<String>>,
    #[serde(default)]
    headers: BTreeMap<String, Value>,
    #[serde(default)]
    cookies: Vec<Cookie>,
    timeout_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    id: Spanned<String>,
    url: Spanned<String>,
    viewport: Option<Viewport>,
    scale: Option<Spanned<u8>>,
    color_scheme: Option<ColorScheme>,
    locale: Option<String>,
    wait_for: Option<WaitFor>,
    selector: Option<Spanned<String>>,
    padding: Option<Spanned<u32>>,
    clip: Option<Spanned<Clip>>,
    full_page: Option<Spanned<bool>>,
    #[serde(default)]
    hide: Vec<String>,
    #[serde(default)]
    mask: Vec<String>,
    mask_color: Option<Spanned<String>>,
    javascript: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, Value>,
    #[serde(default)]
    cookies: Vec<Cookie>,
    timeout_ms: Option<u64>,
}

/// Reads and checks a scenarios file.
pub fn load_shots(path: &Path) -> Result<ShotsFile> {
    load_shots_at(path, None)
}

/// Reads and checks a scenarios file whose relative `url`s are joined to
/// `base_url` instead of the file's own `[defaults] base_url` (for a site
/// whose address changes from run to run, such as the demo app on the
/// simulator's random port). `None` keeps the file's.
pub fn load_shots_at(path: &Path, base_url: Option<&str>) -> Result<ShotsFile> {
    let text =
        std::fs::read_to_string(path).map_err(|e| CoreError::file("read", path.display(), e))?;
    parse_shots_at(&text, &path.display().to_string(), base_url)
}

/// Checks a scenarios file's text; `origin` names it in errors.
pub fn parse_shots(text: &str, origin: &str) -> Result<ShotsFile> {
    parse_shots_at(text, origin, None)
}

/// [`parse_shots`] with the base URL given from outside (see
/// [`load_shots_at`]). It names a folder: `http://host/app` is read as
/// `http://host/app/`, so that `url = "billing"` is `http://host/app/billing`.
pub fn parse_shots_at(text: &str, origin: &str, base_url: Option<&str>) -> Result<ShotsFile> {
    let given_base = match base_url {
        Some(b) => Some(override_base(b).map_err(CoreError::Invalid)?),
        None => None,
    };
    let at = |offset: usize, message: String| {
        let (line, column) = line_column(text, offset);
        CoreError::Scenarios {
            path: origin.to_string(),
            line,
            column,
            message,
        }
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        at(offset, e.message().trim_end_matches('\n').to_string())
    })?;
    if raw.scenario.is_empty() {
        return Err(at(
            text.len(),
            "no scenarios: add at least one [[scenario]] table with an id and a url".into(),
        ));
    }
    let d = raw.defaults;
    let base = match (given_base, &d.base_url) {
        (Some(given), _) => Some(given),
        (None, Some(b)) => Some(url::Url::parse(b.get_ref()).map_err(|e| {
            at(
                b.span().start,
                format!("base_url '{}' is not an absolute URL ({e})", b.get_ref()),
            )
        })?),
        (None, None) => None,
    };
    let default_scale = match &d.scale {
        Some(s) => check_scale(s).map_err(|m| at(s.span().start, m))?,
        None => 1,
    };
    let default_mask = match &d.mask_color {
        Some(c) => parse_color(c.get_ref()).map_err(|m| at(c.span().start, m))?,
        None => [0, 0, 0],
    };

    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut scenarios = Vec::with_capacity(raw.scenario.len());
    for s in raw.scenario {
        let id = s.id.get_ref().trim().to_string();
        check_id(&id).map_err(|m| at(s.id.span().start, m))?;
        if let Some(first) = seen.insert(id.clone(), s.id.span().start) {
            let (line, _) = line_column(text, first);
            return Err(at(
                s.id.span().start,
                format!("scenario id '{id}' is used twice (first on line {line}); ids name the PNG files and must be unique"),
            ));
        }
        let url =
            resolve_url(s.url.get_ref(), base.as_ref()).map_err(|m| at(s.url.span().start, m))?;
        let scale = match &s.scale {
            Some(v) => check_scale(v).map_err(|m| at(v.span().start, m))?,
            None => default_scale,
        };
        let mask_color = match &s.mask_color {
            Some(c) => parse_color(c.get_ref()).map_err(|m| at(c.span().start, m))?,
            None => default_mask,
        };
        let target = target_of(&s, &at)?;
        let viewport = s.viewport.or(d.viewport).unwrap_or(DEFAULT_VIEWPORT);
        if !(1..=10_000).contains(&viewport.width) || !(1..=10_000).contains(&viewport.height) {
            return Err(at(
                spanned_start(&s.id),
                format!("scenario '{id}': viewport {}x{} is out of range; width and height go from 1 to 10000", viewport.width, viewport.height),
            ));
        }
        let mut headers = d.headers.clone();
        headers.extend(s.headers);
        let mut cookies = d.cookies.clone();
        cookies.extend(s.cookies);
        scenarios.push(Scenario {
            id,
            url,
            viewport,
            scale,
            color_scheme: s.color_scheme.or(d.color_scheme).unwrap_or_default(),
            locale: s.locale.or_else(|| d.locale.clone()),
            wait_for: s
                .wait_for
                .or_else(|| d.wait_for.clone())
                .unwrap_or_default(),
            target,
            hide: d.hide.iter().cloned().chain(s.hide).collect(),
            mask: d.mask.iter().cloned().chain(s.mask).collect(),
            mask_color,
            javascript: s.javascript.filter(|j| !j.trim().is_empty()),
            headers,
            cookies,
            timeout: s
                .timeout_ms
                .or(d.timeout_ms)
                .map_or(DEFAULT_TIMEOUT, Duration::from_millis),
        });
    }
    Ok(ShotsFile { scenarios })
}

fn spanned_start<T>(s: &Spanned<T>) -> usize {
    s.span().start
}

fn target_of(s: &RawScenario, at: &impl Fn(usize, String) -> CoreError) -> Result<Target> {
    let id = s.id.get_ref();
    let full_page = s.full_page.as_ref().filter(|f| *f.get_ref());
    let given: Vec<(&str, usize)> = [
        s.selector.as_ref().map(|v| ("selector", v.span().start)),
        s.clip.as_ref().map(|v| ("clip", v.span().start)),
        full_page.map(|v| ("full_page", v.span().start)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let [_, (second, offset), ..] = given.as_slice() {
        return Err(at(
            *offset,
            format!(
                "scenario '{id}' sets both {} and {second}: capture one element (selector), one rectangle (clip), the full page (full_page = true) or, with none of them, the viewport",
                given[0].0
            ),
        ));
    }
    if let (Some(p), None) = (&s.padding, &s.selector) {
        return Err(at(
            p.span().start,
            format!("scenario '{id}': padding only applies to an element capture; add a selector or remove padding"),
        ));
    }
    if let Some(sel) = &s.selector {
        if sel.get_ref().trim().is_empty() {
            return Err(at(
                sel.span().start,
                "selector is empty: give a CSS selector such as \"#plan-card\"".into(),
            ));
        }
        return Ok(Target::Element {
            selector: sel.get_ref().trim().to_string(),
            padding: s.padding.as_ref().map_or(0, |p| *p.get_ref()),
        });
    }
    if let Some(c) = &s.clip {
        let clip = *c.get_ref();
        if clip.width == 0 || clip.height == 0 {
            return Err(at(
                c.span().start,
                format!(
                    "scenario '{id}': clip {}x{} is empty; give a width and height of at least 1",
                    clip.width, clip.height
                ),
            ));
        }
        return Ok(Target::Clip(clip));
    }
    Ok(if full_page.is_some() {
        Target::FullPage
    } else {
        Target::Viewport
    })
}

/// Ids become file names (`ID.png`) and PNG text: keep them portable.
fn check_id(id: &str) -> std::result::Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 79
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!("scenario id '{id}' must be 1 to 79 letters, digits, '-', '_' or '.', not starting with '.' (it becomes the file name ID.png)"))
    }
}

fn check_scale(s: &Spanned<u8>) -> std::result::Result<u8, String> {
    match *s.get_ref() {
        v @ (1 | 2) => Ok(v),
        v => Err(format!(
            "scale {v} is not supported: use 1 or 2 (the device pixel ratio)"
        )),
    }
}

fn resolve_url(raw: &str, base: Option<&url::Url>) -> std::result::Result<String, String> {
    let parsed = match base {
        Some(b) => b.join(raw.trim()),
        None => url::Url::parse(raw.trim()),
    };
    let u = parsed.map_err(|e| match base {
        Some(_) => format!("url '{raw}' cannot be read ({e})"),
        None => format!("url '{raw}' is not an absolute URL ({e}); write it in full (http://...), set base_url in [defaults] or give a base URL for the run (shotkeeper capture --base-url URL)"),
    })?;
    if !matches!(u.scheme(), "http" | "https" | "file") {
        return Err(format!("url '{raw}' must be http, https or file"));
    }
    Ok(u.to_string())
}

/// A base URL given from outside the file: absolute http(s), read as a
/// folder.
fn override_base(raw: &str) -> std::result::Result<url::Url, String> {
    let mut u = url::Url::parse(raw.trim()).map_err(|e| {
        format!("the base URL '{raw}' is not an absolute URL ({e}); give it in full, e.g. http://127.0.0.1:8080/app/, and run again")
    })?;
    if !matches!(u.scheme(), "http" | "https" | "file") {
        return Err(format!(
            "the base URL '{raw}' must be http, https or file; give it in full, e.g. http://127.0.0.1:8080/app/, and run again"
        ));
    }
    if !u.path().ends_with('/') {
        let folder = format!("{}/", u.path());
        u.set_path(&folder);
    }
    Ok(u)
}

/// `#rrggbb` to RGB.
fn parse_color(c: &str) -> std::result::Result<[u8; 3], String> {
    let digits = c.trim().strip_prefix('#').unwrap_or_default();
    let bytes = (digits.len() == 6)
        .then(|| hex::decode(digits).ok())
        .flatten()
        .filter(|b| b.len() == 3);
    bytes.map(|b| [b[0], b[1], b[2]]).ok_or_else(|| {
        format!("mask_color '{c}' is not a colour: write it as #rrggbb, e.g. \"#000000\"")
    })
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..offset].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_column("ab\ncdé\nx", 0), (1, 1));
        assert_eq!(line_column("ab\ncdé\nx", 3), (2, 1));
        assert_eq!(line_column("ab\ncdé\nx", 8), (3, 1));
    }

    #[test]
    fn defaults_apply_and_scenarios_override() {
        let f = parse_shots(
            r##"
[defaults]
base_url = "http://127.0.0.1:9/app/"
scale = 2
hide = [".banner"]
headers = { "X-Team" = "docs" }

[[scenario]]
id = "billing"
url = "billing"
selector = "#plan"
padding = 8
hide = [".clock"]
headers = { Authorization = { secret = "demo-token" } }

[[scenario]]
id = "home"
url = "http://127.0.0.1:9/"
scale = 1
full_page = true
"##,
            "shots.toml",
        )
        .unwrap();
        let b = &f.scenarios[0];
        assert_eq!(b.url, "http://127.0.0.1:9/app/billing");
        assert_eq!(b.scale, 2);
        assert_eq!(b.hide, vec![".banner", ".clock"]);
        assert_eq!(
            b.headers["Authorization"],
            Value::Secret("demo-token".into())
        );
        assert_eq!(b.headers["X-Team"], Value::Plain("docs".into()));
        assert_eq!(
            b.target,
            Target::Element {
                selector: "#plan".into(),
                padding: 8
            }
        );
        assert_eq!(f.scenarios[1].target, Target::FullPage);
        assert_eq!(f.scenarios[1].scale, 1);
    }

    #[test]
    fn a_base_url_from_outside_replaces_the_files() {
        let text = "[defaults]\nbase_url = \"http://old.example/app/\"\n[[scenario]]\nid = \"b\"\nurl = \"billing\"\n[[scenario]]\nid = \"h\"\nurl = \"./\"\n[[scenario]]\nid = \"x\"\nurl = \"http://elsewhere.example/x\"\n";
        let f = parse_shots_at(text, "shots.toml", Some("http://127.0.0.1:4321/app")).unwrap();
        assert_eq!(f.scenarios[0].url, "http://127.0.0.1:4321/app/billing");
        assert_eq!(f.scenarios[1].url, "http://127.0.0.1:4321/app/");
        assert_eq!(f.scenarios[2].url, "http://elsewhere.example/x");
        assert_eq!(
            parse_shots(text, "shots.toml").unwrap().scenarios[0].url,
            "http://old.example/app/billing"
        );
        let e = parse_shots_at(text, "shots.toml", Some("127.0.0.1:4321")).unwrap_err();
        assert!(e.to_string().contains("'127.0.0.1:4321'"), "{e}");
        let no_base = "[[scenario]]\nid = \"b\"\nurl = \"billing\"\n";
        let e = parse_shots(no_base, "shots.toml").unwrap_err();
        assert!(e.to_string().contains("--base-url"), "{e}");
        assert!(parse_shots_at(no_base, "shots.toml", Some("http://127.0.0.1:1/app/")).is_ok());
    }

    #[test]
    fn cross_field_mistakes_point_at_the_field() {
        let text = "[[scenario]]\nid = \"a\"\nurl = \"http://x/\"\nselector = \"#a\"\nclip = { x = 0, y = 0, width = 5, height = 5 }\n";
        let e = parse_shots(text, "shots.toml").unwrap_err();
        assert!(
            matches!(
                e,
                CoreError::Scenarios {
                    line: 5,
                    column: 8,
                    ..
                }
            ),
            "{e}"
        );
        let dup = "[[scenario]]\nid = \"a\"\nurl = \"http://x/\"\n[[scenario]]\nid = \"a\"\nurl = \"http://x/\"\n";
        let e = parse_shots(dup, "shots.toml").unwrap_err();
        assert!(matches!(e, CoreError::Scenarios { line: 5, .. }), "{e}");
        assert!(e.to_string().contains("first on line 2"), "{e}");
    }
}
