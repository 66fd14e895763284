//! One scenario on one tab: open, settle, capture, stamp.
//!
//! Each scenario gets its own browser context (cookies and storage of one
//! never leak into another running at the same time) and its own tab.
//! Steps, each bounded by the scenario's timeout, and named when it runs out:
//! emulate (viewport, scale, colour scheme, reduced motion, locale), set
//! headers and cookies, load the page, run its `javascript`, wait for
//! `wait_for` (network idle, selector, delay) and the element to capture,
//! make the page still (transitions off, animations finished or cancelled,
//! caret hidden, fonts loaded, two frames painted), hide, capture, mask,
//! and write the PNG text chunks.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::emulation::{
    MediaFeature, SetDeviceMetricsOverrideParams, SetEmulatedMediaParams,
    SetFocusEmulationEnabledParams, SetLocaleOverrideParams,
};
use chromiumoxide::cdp::browser_protocol::network::{
    CookieParam, Headers, SetCookiesParams, SetExtraHttpHeadersParams,
};
use chromiumoxide::cdp::browser_protocol::page::{
    CaptureScreenshotFormat, CaptureScreenshotParams, EventLifecycleEvent, Viewport as ClipRect,
};
use chromiumoxide::cdp::browser_protocol::target::{
    CreateBrowserContextParams, CreateTargetParams,
};
use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
use chromiumoxide::Page;
use futures::StreamExt;
use serde::de::DeserializeOwned;

use super::browser::Chromium;
use super::scenarios::{Scenario, Target};
use super::stamp::{self, PixelRect};
use crate::error::CoreError;

/// How often a selector is looked for while waiting.
const POLL: Duration = Duration::from_millis(100);
/// Closing a tab and its context after the PNG is taken; never worth waiting on.
const CLEANUP: Duration = Duration::from_secs(5);

/// CSS that makes a page still: no transitions, no smooth scrolling, no
/// text caret. Animations are finished or cancelled by script (below).
const STILL_CSS: &str = "*,*::before,*::after{transition:none!important;caret-color:transparent!important;scroll-behavior:auto!important}";

/// A captured scenario: the stamped PNG and its size in pixels.
#[derive(Debug, Clone)]
pub struct Shot {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Why a step failed, before it is named for the user.
enum Fail {
    /// The scenario's time ran out while waiting for this.
    Timeout(String),
    Other(String),
}

type Step<T> = std::result::Result<T, Fail>;

/// The scenario's one deadline, shared by its steps.
struct Clock {
    start: Instant,
    limit: Duration,
}

impl Clock {
    fn left(&self) -> Duration {
        self.limit.saturating_sub(self.start.elapsed())
    }

    /// Runs `fut` with what is left of the deadline; `what` names the wait.
    async fn within<T>(
        &self,
        what: impl FnOnce() -> String,
        fut: impl std::future::Future<Output = Step<T>>,
    ) -> Step<T> {
        match tokio::time::timeout(self.left(), fut).await {
            Ok(r) => r,
            Err(_) => Err(Fail::Timeout(what())),
        }
    }
}

/// Captures one scenario. `headers` and `cookies` hold the values already
/// looked up (secrets included); they are never put into an error.
pub async fn shoot(
    chromium: &Chromium,
    s: &Scenario,
    headers: &BTreeMap<String, String>,
    cookies: &[(String, String)],
) -> Result<Shot, CoreError> {
    let clock = Clock {
        start: Instant::now(),
        limit: s.timeout,
    };
    let browser = &chromium.browser;
    let context = clock
        .within(|| "a new browser tab".into(), async {
            browser
                .create_browser_context(CreateBrowserContextParams::default())
                .await
                .map_err(|e| Fail::Other(format!("the browser could not open a tab: {e}")))
        })
        .await;
    let result = match context {
        Ok(ctx) => {
            let params = CreateTargetParams::builder()
                .url("about:blank")
                .browser_context_id(ctx.clone())
                .build()
                .map_err(Fail::Other);
            let page = match params {
                Ok(p) => {
                    clock
                        .within(|| "a new browser tab".into(), async {
                            browser.new_page(p).await.map_err(|e| {
                                Fail::Other(format!("the browser could not open a tab: {e}"))
                            })
                        })
                        .await
                }
                Err(e) => Err(e),
            };
            let result = match page {
                Ok(page) => {
                    let r = on_page(&page, &clock, s, headers, cookies).await;
                    let _ = tokio::time::timeout(CLEANUP, page.close()).await;
                    r
                }
                Err(e) => Err(e),
            };
            let _ = tokio::time::timeout(CLEANUP, browser.dispose_browser_context(ctx)).await;
            result
        }
        Err(e) => Err(e),
    };
    result.map_err(|f| {
        let waited = format!("{:.1} s", clock.start.elapsed().as_secs_f64());
        let detail = match f {
            Fail::Timeout(what) => format!(
                "timed out waiting for {what} (its timeout is {} ms; raise timeout_ms if the page is just slow)",
                s.timeout.as_millis()
            ),
            Fail::Other(d) => d,
        };
        CoreError::Capture {
            scenario: s.id.clone(),
            detail,
            waited,
        }
    })
}

fn cdp(what: &'static str) -> impl Fn(chromiumoxide::error::CdpError) -> Fail {
    move |e| Fail::Other(format!("{what}: {e}"))
}

async fn on_page(
    page: &Page,
    clock: &Clock,
    s: &Scenario,
    headers: &BTreeMap<String, String>,
    cookies: &[(String, String)],
) -> Step<Shot> {
    emulate(page, clock, s).await?;
    prepare_requests(page, clock, s, headers, cookies).await?;

    // Subscribed before navigating, so the event cannot be missed.
    let mut lifecycle = page
        .event_listener::<EventLifecycleEvent>()
        .await
        .map_err(cdp("listening to the page's lifecycle"))?;
    let url = s.url.clone();
    clock
        .within(|| format!("{url} to load"), async {
            page.goto(s.url.as_str()).await.map_err(|e| {
                Fail::Other(format!(
                    "could not open {}: {e}. Check that the app is running and the URL is right",
                    s.url
                ))
            })
        })
        .await?;
    let status: u32 = eval(
        page,
        clock,
        "the page's HTTP status",
        "(performance.getEntriesByType('navigation')[0]||{}).responseStatus||0",
    )
    .await?;
    if status >= 400 {
        return Err(Fail::Other(format!(
            "{} answered HTTP {status}; check the URL, and the headers or cookies if the page needs a signed-in user",
            s.url
        )));
    }

    if let Some(js) = &s.javascript {
        let expr = format!("(async () => {{\n{js}\n}})().then(() => true)");
        let _: bool = eval(page, clock, "the scenario's javascript", &expr)
            .await
            .map_err(|f| match f {
                Fail::Other(d) => Fail::Other(format!("its javascript failed: {d}")),
                t => t,
            })?;
    }

    if s.wait_for.network_idle {
        let main = page
            .mainframe()
            .await
            .map_err(cdp("finding the main frame"))?;
        clock
            .within(
                || "the network to be idle (500 ms without a request)".into(),
                async {
                    while let Some(ev) = lifecycle.next().await {
                        if ev.name == "networkIdle"
                            && main.as_ref().is_none_or(|m| *m == ev.frame_id)
                        {
                            return Ok(());
                        }
                    }
                    Err(Fail::Other(
                        "the tab closed while waiting for the network to be idle".into(),
                    ))
                },
            )
            .await?;
    }
    drop(lifecycle);
    if let Some(sel) = &s.wait_for.selector {
        wait_for_selector(page, clock, sel).await?;
    }
    if let Target::Element { selector, .. } = &s.target {
        wait_for_selector(page, clock, selector).await?;
    }
    if let Some(ms) = s.wait_for.delay_ms {
        let d = Duration::from_millis(ms);
        if d > clock.left() {
            tokio::time::sleep(clock.left()).await;
            return Err(Fail::Timeout(format!("the delay of {ms} ms")));
        }
        tokio::time::sleep(d).await;
    }

    make_still(page, clock, s).await?;
    let (clip, beyond) = clip_of(page, clock, s).await?;
    let masks = mask_rects(page, clock, s, &clip).await?;

    let params = CaptureScreenshotParams {
        format: Some(CaptureScreenshotFormat::Png),
        clip: Some(ClipRect {
            x: clip.x,
            y: clip.y,
            width: clip.width,
            height: clip.height,
            scale: 1.0,
        }),
        from_surface: Some(true),
        capture_beyond_viewport: Some(beyond),
        ..Default::default()
    };
    let shot = clock
        .within(|| "the screenshot".into(), async {
            page.execute(params)
                .await
                .map_err(cdp("taking the screenshot"))
        })
        .await?;
    let png = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        &shot.result.data,
    )
    .map_err(|e| {
        Fail::Other(format!(
            "the browser sent a screenshot that is not base64: {e}"
        ))
    })?;
    // Decoding, painting and re-encoding is CPU work: off the runtime that
    // carries every tab's DevTools messages.
    let (color, id, url) = (s.mask_color, s.id.clone(), s.url.clone());
    let png = tokio::task::spawn_blocking(move || {
        let png = stamp::paint_masks(png, &masks, color)?;
        stamp::stamp(&png, &id, &url)
    })
    .await
    .map_err(|e| Fail::Other(format!("finishing the PNG stopped: {e}")))?
    .map_err(|e| Fail::Other(e.to_string()))?;
    let (width, height) = png_size(&png)
        .ok_or_else(|| Fail::Other("the browser sent a screenshot that is not a PNG".into()))?;
    Ok(Shot { png, width, height })
}

async fn emulate(page: &Page, clock: &Clock, s: &Scenario) -> Step<()> {
    let metrics = SetDeviceMetricsOverrideParams::new(
        s.viewport.width,
        s.viewport.height,
        f64::from(s.scale),
        false,
    );
    let media = SetEmulatedMediaParams {
        media: None,
        features: Some(vec![
            MediaFeature::new("prefers-color-scheme", s.color_scheme.as_css()),
            // Pages that honour it skip their own motion.
            MediaFeature::new("prefers-reduced-motion", "reduce"),
        ]),
    };
    clock
        .within(|| "the browser to set the viewport".into(), async {
            page.execute(metrics)
                .await
                .map_err(cdp("setting the viewport"))?;
            page.execute(media)
                .await
                .map_err(cdp("setting the colour scheme"))?;
            // Several tabs render at once; each behaves as the focused one
            // (focus rings, :focus styles, timers) whatever the window order.
            page.execute(SetFocusEmulationEnabledParams::new(true))
                .await
                .map_err(cdp("emulating focus"))?;
            if let Some(locale) = &s.locale {
                let p = SetLocaleOverrideParams {
                    locale: Some(locale.clone()),
                };
                page.execute(p).await.map_err(|e| {
                    Fail::Other(format!("locale '{locale}' is not one Chromium knows: {e}"))
                })?;
            }
            Ok(())
        })
        .await
}

async fn prepare_requests(
    page: &Page,
    clock: &Clock,
    s: &Scenario,
    headers: &BTreeMap<String, String>,
    cookies: &[(String, String)],
) -> Step<()> {
    let mut all: serde_json::Map<String, serde_json::Value> = headers
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    if let Some(locale) = &s.locale {
        if !headers
            .keys()
            .any(|k| k.eq_ignore_ascii_case("accept-language"))
        {
            all.insert("Accept-Language".into(), locale.clone().into());
        }
    }
    let cookie_params: Vec<CookieParam> = s
        .cookies
        .iter()
        .zip(cookies)
        .map(|(c, (name, value))| CookieParam {
            name: name.clone(),
            value: value.clone(),
            url: c.domain.is_none().then(|| s.url.clone()),
            domain: c.domain.clone(),
            path: Some(c.path.clone().unwrap_or_else(|| "/".into())),
            ..CookieParam::new(name.clone(), value.clone())
        })
        .collect();
    clock
        .within(|| "the browser to set headers and cookies".into(), async {
            if !all.is_empty() {
                // The header names only: their values may be secrets.
                let names: Vec<&String> = all.keys().collect();
                let names = format!("{names:?}");
                page.execute(SetExtraHttpHeadersParams::new(Headers::new(
                    serde_json::Value::Object(all),
                )))
                .await
                .map_err(|e| {
                    Fail::Other(format!("the browser refused the headers {names}: {e}"))
                })?;
            }
            if !cookie_params.is_empty() {
                let names: Vec<String> = cookie_params.iter().map(|c| c.name.clone()).collect();
                page.execute(SetCookiesParams::new(cookie_params))
                    .await
                    .map_err(|e| {
                        Fail::Other(format!("the browser refused the cookies {names:?}: {e}"))
                    })?;
            }
            Ok(())
        })
        .await
}

/// Evaluates `expr` (a promise is awaited) and reads its value.
async fn eval<T: DeserializeOwned>(page: &Page, clock: &Clock, what: &str, expr: &str) -> Step<T> {
    let params = EvaluateParams::builder()
        .expression(expr)
        .await_promise(true)
        .return_by_value(true)
        .build()
        .map_err(Fail::Other)?;
    let value = clock
        .within(|| what.to_string(), async {
            page.evaluate_expression(params)
                .await
                .map_err(|e| Fail::Other(format!("{what}: {}", js_error(&e))))
        })
        .await?;
    value
        .into_value::<T>()
        .map_err(|e| Fail::Other(format!("{what}: unexpected answer from the page ({e})")))
}

/// A script exception as a person reads it (its text, not the whole object).
fn js_error(e: &chromiumoxide::error::CdpError) -> String {
    match e {
        chromiumoxide::error::CdpError::JavascriptException(ex) => ex
            .exception
            .as_ref()
            .and_then(|o| o.description.clone())
            .unwrap_or_else(|| ex.text.clone()),
        other => other.to_string(),
    }
}

fn js_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

async fn wait_for_selector(page: &Page, clock: &Clock, selector: &str) -> Step<()> {
    let expr = format!(
        "(() => {{ const e = document.querySelector({}); if (!e) return false; const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; }})()",
        js_string(selector)
    );
    let check = format!("selector '{selector}'");
    clock
        .within(
            || format!("selector '{selector}' to match a visible element"),
            async {
                loop {
                    let found: bool =
                        eval(page, clock, &check, &expr)
                            .await
                            .map_err(|f| match f {
                                Fail::Other(d) if d.contains("SyntaxError") => Fail::Other(
                                    format!("selector '{selector}' is not valid CSS: {d}"),
                                ),
                                other => other,
                            })?;
                    if found {
                        return Ok(());
                    }
                    tokio::time::sleep(POLL).await;
                }
            },
        )
        .await
}

/// Transitions off, caret hidden, hidden elements made invisible, running
/// animations finished (finite) or cancelled (infinite), fonts loaded, and
/// two frames painted after all that.
async fn make_still(page: &Page, clock: &Clock, s: &Scenario) -> Step<()> {
    let mut css = STILL_CSS.to_string();
    for sel in &s.hide {
        css.push_str(&format!("{sel}{{visibility:hidden!important}}"));
    }
    let selectors: Vec<String> = s.hide.iter().map(|h| js_string(h)).collect();
    let expr = format!(
        r#"(async () => {{
  for (const s of [{sels}]) {{
    try {{ document.querySelectorAll(s); }} catch (e) {{ throw new Error('hide selector ' + s + ' is not valid CSS'); }}
  }}
  const style = document.createElement('style');
  style.textContent = {css};
  (document.head || document.documentElement).appendChild(style);
  for (const a of document.getAnimations()) {{
    const t = a.effect && a.effect.getComputedTiming();
    if (t && Number.isFinite(t.endTime)) a.finish(); else a.cancel();
  }}
  await document.fonts.ready;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return true;
}})()"#,
        sels = selectors.join(","),
        css = js_string(&css),
    );
    let _: bool = eval(page, clock, "the page to settle (fonts, animations)", &expr).await?;
    Ok(())
}

/// A rectangle in CSS pixels of the page.
#[derive(Debug, Clone, Copy)]
struct CssRect {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

/// The capture rectangle, in whole CSS pixels of the page, and whether it
/// reaches beyond the viewport.
async fn clip_of(page: &Page, clock: &Clock, s: &Scenario) -> Step<(CssRect, bool)> {
    // [x, y, width, height] of the target, then the page's size, then the
    // viewport's position and size.
    let target = match &s.target {
        Target::Element { selector, .. } => format!(
            "(() => {{ const r = document.querySelector({}).getBoundingClientRect(); return [r.left + scrollX, r.top + scrollY, r.width, r.height]; }})()",
            js_string(selector)
        ),
        Target::Clip(c) => format!("[{}, {}, {}, {}]", c.x, c.y, c.width, c.height),
        Target::FullPage => "[0, 0, pw, ph]".into(),
        Target::Viewport => "[scrollX, scrollY, innerWidth, innerHeight]".into(),
    };
    let expr = format!(
        "(() => {{ const d = document.documentElement, b = document.body; const pw = Math.max(d.scrollWidth, b ? b.scrollWidth : 0); const ph = Math.max(d.scrollHeight, b ? b.scrollHeight : 0); return [{target}, [pw, ph], [scrollX, scrollY, innerWidth, innerHeight]]; }})()"
    );
    let (t, page_size, view): ([f64; 4], [f64; 2], [f64; 4]) =
        eval(page, clock, "the size of what to capture", &expr).await?;
    let pad = match &s.target {
        Target::Element { padding, .. } => f64::from(*padding),
        _ => 0.0,
    };
    let (max_w, max_h) = match &s.target {
        // A clip may ask for more than the page has: the browser paints the
        // background there, as asked.
        Target::Clip(_) => (f64::INFINITY, f64::INFINITY),
        _ => (page_size[0].max(view[2]), page_size[1].max(view[3])),
    };
    let x0 = (t[0] - pad).max(0.0).floor();
    let y0 = (t[1] - pad).max(0.0).floor();
    let x1 = (t[0] + t[2] + pad).min(max_w).ceil();
    let y1 = (t[1] + t[3] + pad).min(max_h).ceil();
    if x1 <= x0 || y1 <= y0 {
        return Err(Fail::Other(
            "what to capture has no size (an empty element or page)".into(),
        ));
    }
    let rect = CssRect {
        x: x0,
        y: y0,
        width: x1 - x0,
        height: y1 - y0,
    };
    let beyond = x0 < view[0] || y0 < view[1] || x1 > view[0] + view[2] || y1 > view[1] + view[3];
    Ok((rect, beyond))
}

/// The boxes of every element a mask selector matches, in the PNG's pixels.
async fn mask_rects(
    page: &Page,
    clock: &Clock,
    s: &Scenario,
    clip: &CssRect,
) -> Step<Vec<PixelRect>> {
    if s.mask.is_empty() {
        return Ok(Vec::new());
    }
    let selectors: Vec<String> = s.mask.iter().map(|m| js_string(m)).collect();
    let expr = format!(
        r#"(() => {{
  const out = [];
  for (const s of [{}]) {{
    let found;
    try {{ found = document.querySelectorAll(s); }} catch (e) {{ throw new Error('mask selector ' + s + ' is not valid CSS'); }}
    for (const e of found) {{
      const r = e.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) out.push([r.left + scrollX, r.top + scrollY, r.width, r.height]);
    }}
  }}
  return out;
}})()"#,
        selectors.join(",")
    );
    let boxes: Vec<[f64; 4]> = eval(page, clock, "the boxes to mask", &expr).await?;
    let scale = f64::from(s.scale);
    Ok(boxes
        .into_iter()
        .filter_map(|[x, y, w, h]| {
            // Cover every pixel the element touches.
            let left = ((x - clip.x) * scale).floor().max(0.0);
            let top = ((y - clip.y) * scale).floor().max(0.0);
            let right = ((x + w - clip.x) * scale).ceil();
            let bottom = ((y + h - clip.y) * scale).ceil();
            (right > left && bottom > top).then_some(PixelRect {
                x: left as u32,
                y: top as u32,
                width: (right - left) as u32,
                height: (bottom - top) as u32,
            })
        })
        .collect())
}

/// Width and height from a PNG's IHDR.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    let ihdr = png.get(16..24)?;
    let w = u32::from_be_bytes(ihdr[0..4].try_into().ok()?);
    let h = u32::from_be_bytes(ihdr[4..8].try_into().ok()?);
    Some((w, h))
}
