//! The demo product: a small web app, "Shotkeeper Demo", whose screens are
//! the ones the demo help center's articles show (their images are named
//! after [`crate::text::SCREENS`]). It is served by the simulator's site
//! under `/app/`, as plain server-rendered HTML and CSS with no external
//! resource, so that `demo/shots.toml` ([`DEMO_SHOTS`]) can be captured
//! offline and the captures matched against the demo help center.
//!
//! Pages (each one screen; the file stem of its screenshot in brackets):
//!
//! - `/app/` dashboard (`dashboard-overview`)
//! - `/app/billing` plan and payment method (`billing-settings`)
//! - `/app/billing/invoices` (`invoice-history`)
//! - `/app/team` members (`team-members`); the "Edit roles" button, or
//!   `?dialog=roles`, opens the roles modal `#role-dialog` (`user-roles`)
//! - `/app/settings` workspace (`workspace-settings`)
//! - `/app/settings/notifications` (`notification-preferences`)
//! - `/app/settings/api-keys` (`api-keys`)
//! - `/app/settings/security` (`two-factor-setup`)
//! - `/app/profile` (`profile-settings`)
//!
//! States:
//!
//! - Theme: the browser's `prefers-color-scheme`, or forced with
//!   `?theme=dark` / `?theme=light`.
//! - UI version ([`UiVersion`]): `POST /app/ui-version?version=2` (or
//!   [`crate::Sim::set_ui_version`]) switches every page to the redesign:
//!   another colour scheme and the navigation moved from a sidebar to a tab
//!   strip, with the same element ids, so a scenario written for version 1
//!   still captures the same element. `GET /app/ui-version` answers the
//!   current version (`1` or `2`). This is how a test makes "the UI changed".
//!
//! Colours a test can look for (sRGB, in a 960 px wide viewport the top
//! bar's right end at (956, 4) and the page's background at (956, 596)):
//! top bar `#2563eb` (version 1, light), `#1e40af` (version 1, dark),
//! `#0f766e` (version 2, light), `#134e4a` (version 2, dark); page
//! background `#f8fafc` (light) and `#0f172a` (dark).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use crate::api::{param, query_pairs};
use crate::state::Shared;

/// The scenarios file for the demo app, as shipped in `demo/shots.toml`:
/// relative URLs, no `base_url` (the simulator's port is chosen when it
/// starts). Give the base with `shotkeeper capture --base-url`, or write the
/// file out with [`demo_shots_with_base`].
pub const DEMO_SHOTS: &str = include_str!("../../../demo/shots.toml");

/// Where the demo app lives on the simulator's site.
pub const APP_PATH: &str = "/app/";

/// [`DEMO_SHOTS`] with `base_url` set in its `[defaults]`, e.g.
/// `http://127.0.0.1:PORT/app/` ([`crate::Sim::app_base`]): a file that
/// captures this running simulator's demo app as it is.
pub fn demo_shots_with_base(app_base: &str) -> String {
    let line = format!("[defaults]\nbase_url = \"{app_base}\"\n");
    DEMO_SHOTS.replacen("[defaults]\n", &line, 1)
}

/// The demo app's look: the original UI, or the redesign a test switches to
/// to simulate a product release.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UiVersion {
    /// Blue top bar, navigation in a left sidebar, square corners.
    V1,
    /// Teal top bar, navigation in a tab strip under it, rounded cards.
    V2,
}

impl UiVersion {
    pub fn number(self) -> u8 {
        match self {
            UiVersion::V1 => 1,
            UiVersion::V2 => 2,
        }
    }

    pub fn from_number(n: u8) -> Option<Self> {
        match n {
            1 => Some(UiVersion::V1),
            2 => Some(UiVersion::V2),
            _ => None,
        }
    }
}

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/app", get(|| async { Redirect::permanent(APP_PATH) }))
        .route("/app/", get(page))
        .route("/app/ui-version", get(version).post(set_version))
        .route("/app/{*rest}", get(page))
}

async fn version(State(s): State<Arc<Shared>>) -> String {
    s.ui_version.load(Ordering::SeqCst).to_string()
}

async fn set_version(State(s): State<Arc<Shared>>, uri: Uri) -> Response {
    let pairs = query_pairs(&uri);
    let chosen = param(&pairs, "version")
        .and_then(|v| v.parse::<u8>().ok())
        .and_then(UiVersion::from_number);
    match chosen {
        Some(v) => {
            s.ui_version.store(v.number(), Ordering::SeqCst);
            StatusCode::NO_CONTENT.into_response()
        }
        None => (
            StatusCode::BAD_REQUEST,
            "give the UI version as ?version=1 (original) or ?version=2 (redesign)\n",
        )
            .into_response(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Theme {
    /// The browser's `prefers-color-scheme`.
    System,
    Light,
    Dark,
}

/// One screen: its path under `/app/`, navigation label and body.
struct Screen {
    path: &'static str,
    nav: &'static str,
    title: &'static str,
    body: fn() -> String,
}

const SCREENS: &[Screen] = &[
    Screen {
        path: "",
        nav: "Dashboard",
        title: "Overview",
        body: dashboard,
    },
    Screen {
        path: "billing",
        nav: "Billing",
        title: "Billing",
        body: billing,
    },
    Screen {
        path: "billing/invoices",
        nav: "Invoices",
        title: "Invoice history",
        body: invoices,
    },
    Screen {
        path: "team",
        nav: "Team",
        title: "Team members",
        body: team,
    },
    Screen {
        path: "settings",
        nav: "Workspace",
        title: "Workspace settings",
        body: workspace,
    },
    Screen {
        path: "settings/notifications",
        nav: "Notifications",
        title: "Notification preferences",
        body: notifications,
    },
    Screen {
        path: "settings/api-keys",
        nav: "API keys",
        title: "API keys",
        body: api_keys,
    },
    Screen {
        path: "settings/security",
        nav: "Security",
        title: "Two-factor authentication",
        body: security,
    },
    Screen {
        path: "profile",
        nav: "Profile",
        title: "Your profile",
        body: profile,
    },
];

async fn page(State(s): State<Arc<Shared>>, uri: Uri) -> Response {
    let path = uri
        .path()
        .strip_prefix(APP_PATH)
        .unwrap_or_default()
        .trim_end_matches('/');
    let Some(screen) = SCREENS.iter().find(|sc| sc.path == path) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!doctype html><title>Not found</title><p>No such page in the demo app.</p>",
        )
            .into_response();
    };
    let pairs = query_pairs(&uri);
    let theme = match param(&pairs, "theme") {
        Some("dark") => Theme::Dark,
        Some("light") => Theme::Light,
        _ => Theme::System,
    };
    let version =
        UiVersion::from_number(s.ui_version.load(Ordering::SeqCst)).unwrap_or(UiVersion::V1);
    let dialog = screen.path == "team" && param(&pairs, "dialog") == Some("roles");
    let html = render(screen, version, theme, dialog);
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

/// The colour variables of one UI version in one theme.
fn palette(version: UiVersion, dark: bool) -> &'static str {
    match (version, dark) {
        (UiVersion::V1, false) => "--bg:#f8fafc;--panel:#ffffff;--text:#0f172a;--muted:#64748b;--line:#e2e8f0;--side:#e2e8f0;--side-text:#334155;--bar:#2563eb;--accent:#2563eb;--soft:#dbeafe",
        (UiVersion::V1, true) => "--bg:#0f172a;--panel:#1e293b;--text:#e2e8f0;--muted:#94a3b8;--line:#334155;--side:#111827;--side-text:#cbd5e1;--bar:#1e40af;--accent:#3b82f6;--soft:#1e3a8a",
        (UiVersion::V2, false) => "--bg:#f8fafc;--panel:#ffffff;--text:#134e4a;--muted:#5b7083;--line:#ccfbf1;--side:#f0fdfa;--side-text:#115e59;--bar:#0f766e;--accent:#0d9488;--soft:#ccfbf1",
        (UiVersion::V2, true) => "--bg:#0f172a;--panel:#112826;--text:#ccfbf1;--muted:#8fb3ad;--line:#1f4f4a;--side:#0b1f1d;--side-text:#99f6e4;--bar:#134e4a;--accent:#14b8a6;--soft:#134e4a",
    }
}

const BASE_CSS: &str = "\
*{box-sizing:border-box}\
html,body{margin:0;height:100%}\
body{background:var(--bg);color:var(--text);font:14px/1.45 sans-serif}\
#topbar{height:56px;background:var(--bar);color:#fff;display:flex;align-items:center;justify-content:space-between;padding:0 20px}\
#brand{font-weight:700;font-size:16px}\
#account{font-size:13px;opacity:.9}\
#layout{display:flex;min-height:calc(100% - 56px)}\
#sidebar{width:190px;background:var(--side);padding:16px 0;flex:none}\
#sidebar a{display:block;padding:7px 20px;color:var(--side-text);text-decoration:none}\
#sidebar a.active{background:var(--soft);font-weight:700;border-left:3px solid var(--accent);padding-left:17px}\
#main{flex:1;padding:24px 32px}\
h1{font-size:22px;margin:0 0 16px}\
h2{font-size:15px;margin:0 0 10px}\
.card{background:var(--panel);border:1px solid var(--line);border-radius:var(--radius);padding:16px 20px;margin-bottom:16px}\
.muted{color:var(--muted)}\
.row{display:flex;align-items:center;justify-content:space-between;gap:16px}\
.grid3{display:grid;grid-template-columns:repeat(3,1fr);gap:16px}\
.stat{font-size:24px;font-weight:700}\
.btn{display:inline-block;background:var(--accent);color:#fff;border:1px solid var(--accent);border-radius:var(--radius);padding:7px 14px;font:inherit;font-weight:700;cursor:pointer}\
.btn.secondary{background:transparent;color:var(--accent)}\
table{width:100%;border-collapse:collapse}\
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid var(--line)}\
th{font-size:11px;text-transform:uppercase;color:var(--muted)}\
.badge{display:inline-block;padding:1px 8px;border-radius:10px;background:var(--soft);color:var(--accent);font-size:12px;font-weight:700}\
.field{margin-bottom:12px}\
.field label{display:block;font-size:12px;color:var(--muted);margin-bottom:4px}\
.input{border:1px solid var(--line);border-radius:var(--radius);padding:7px 10px;background:var(--bg);max-width:420px}\
.switch{width:36px;height:20px;border-radius:10px;background:var(--line);position:relative;flex:none}\
.switch::after{content:'';position:absolute;top:3px;left:3px;width:14px;height:14px;border-radius:7px;background:#fff}\
.switch.on{background:var(--accent)}\
.switch.on::after{left:19px}\
.avatar{width:64px;height:64px;border-radius:32px;background:var(--accent);color:#fff;display:flex;align-items:center;justify-content:center;font-size:22px;font-weight:700}\
#usage-chart{display:flex;align-items:flex-end;gap:10px;height:120px;padding-top:8px}\
#usage-chart div{flex:1;background:var(--accent);border-radius:var(--radius) var(--radius) 0 0}\
#overlay{display:none;position:fixed;left:0;top:0;right:0;bottom:0;background:rgba(15,23,42,.55)}\
#role-dialog{display:none;position:fixed;left:250px;top:80px;width:460px;background:var(--panel);border:1px solid var(--line);border-radius:var(--radius);padding:20px 24px}\
body.dialog-open #overlay,body.dialog-open #role-dialog{display:block}\
";

/// The redesign: the navigation becomes a tab strip, the corners round.
const V2_CSS: &str = "\
#topbar{height:64px;padding:0 32px}\
#layout{display:block;min-height:calc(100% - 64px)}\
#sidebar{width:auto;display:flex;gap:4px;padding:8px 24px;border-bottom:1px solid var(--line)}\
#sidebar a{display:inline-block;padding:6px 12px;border-radius:16px}\
#sidebar a.active{border-left:0;padding-left:12px;background:var(--accent);color:#fff}\
#main{padding:24px 48px}\
h1{font-size:26px;font-weight:800}\
";

fn render(screen: &Screen, version: UiVersion, theme: Theme, dialog: bool) -> String {
    let radius = match version {
        UiVersion::V1 => "3px",
        UiVersion::V2 => "12px",
    };
    let light = palette(version, false);
    let dark = palette(version, true);
    let colours = match theme {
        Theme::System => format!(
            ":root{{{light};--radius:{radius}}}@media (prefers-color-scheme:dark){{:root{{{dark}}}}}"
        ),
        Theme::Light => format!(":root{{{light};--radius:{radius}}}"),
        Theme::Dark => format!(":root{{{dark};--radius:{radius}}}"),
    };
    let extra = match version {
        UiVersion::V1 => "",
        UiVersion::V2 => V2_CSS,
    };
    let scheme = match theme {
        Theme::System => "light dark",
        Theme::Light => "light",
        Theme::Dark => "dark",
    };
    let nav: String = SCREENS
        .iter()
        .map(|sc| {
            let class = if sc.path == screen.path {
                " class=\"active\""
            } else {
                ""
            };
            format!(
                "<a id=\"nav-{id}\" href=\"{APP_PATH}{path}\"{class}>{label}</a>",
                id = if sc.path.is_empty() {
                    "dashboard".to_string()
                } else {
                    sc.path.replace('/', "-")
                },
                path = sc.path,
                label = sc.nav
            )
        })
        .collect();
    let body_class = if dialog { " class=\"dialog-open\"" } else { "" };
    let v = version.number();
    format!(
        "<!doctype html>\n<html lang=\"en\" data-ui-version=\"{v}\"><head><meta charset=\"utf-8\">\
<meta name=\"color-scheme\" content=\"{scheme}\"><title>{title} · Shotkeeper Demo</title>\
<style>{colours}{BASE_CSS}{extra}</style></head>\n<body{body_class}>\
<header id=\"topbar\"><span id=\"brand\">Shotkeeper Demo</span><span id=\"account\">Maya Chen · Acme Inc.</span></header>\
<div id=\"layout\"><nav id=\"sidebar\">{nav}</nav><main id=\"main\"><h1 id=\"page-title\">{title}</h1>\n{body}</main></div>\n</body></html>\n",
        title = screen.title,
        body = (screen.body)()
    )
}

fn dashboard() -> String {
    let bars: String = [42, 55, 48, 70, 66, 81, 77, 90, 62, 58, 74, 95]
        .iter()
        .map(|h| format!("<div style=\"height:{h}%\"></div>"))
        .collect();
    format!(
        "<div class=\"grid3\">\
<div class=\"card\" id=\"stat-users\"><div class=\"muted\">Active users</div><div class=\"stat\">1,284</div><div class=\"muted\">+8% this month</div></div>\
<div class=\"card\" id=\"stat-storage\"><div class=\"muted\">Storage used</div><div class=\"stat\">37.2 GB</div><div class=\"muted\">of 100 GB</div></div>\
<div class=\"card\" id=\"stat-uptime\"><div class=\"muted\">Uptime</div><div class=\"stat\">99.98%</div><div class=\"muted\">last 30 days</div></div>\
</div>\
<div class=\"card\"><div class=\"row\"><h2>Usage over the last 12 months</h2><span class=\"badge\">Team plan</span></div>\
<div id=\"usage-chart\">{bars}</div></div>"
    )
}

fn billing() -> String {
    "<div class=\"card\" id=\"plan-card\"><div class=\"row\"><div><h2>Team plan</h2>\
<div class=\"stat\">$49 <span class=\"muted\" style=\"font-size:14px;font-weight:400\">per month, billed monthly</span></div>\
<div class=\"muted\">10 seats · 100 GB storage · priority support</div></div>\
<button class=\"btn\" id=\"change-plan\">Change plan</button></div></div>\
<div class=\"card\" id=\"payment-method\"><div class=\"row\"><div><h2>Payment method</h2>\
<div>Visa ending in 4242 · expires 08/2028</div></div><button class=\"btn secondary\" id=\"update-card\">Update</button></div></div>\
<div class=\"card\" id=\"billing-contact\"><h2>Billing contact</h2><div class=\"muted\">Invoices are sent to billing@acme.example</div></div>"
        .to_string()
}

fn invoices() -> String {
    let rows: String = [
        ("INV-2031", "Jun 1, 2026", "$49.00", "Paid"),
        ("INV-1987", "May 1, 2026", "$49.00", "Paid"),
        ("INV-1942", "Apr 1, 2026", "$49.00", "Paid"),
        ("INV-1899", "Mar 1, 2026", "$39.00", "Paid"),
        ("INV-1851", "Feb 1, 2026", "$39.00", "Paid"),
        ("INV-1806", "Jan 1, 2026", "$39.00", "Refunded"),
    ]
    .iter()
    .map(|(n, d, a, s)| {
        format!("<tr><td>{n}</td><td>{d}</td><td>{a}</td><td><span class=\"badge\">{s}</span></td><td><a href=\"#\">PDF</a></td></tr>")
    })
    .collect();
    format!(
        "<div class=\"card\"><table id=\"invoices\"><thead><tr><th>Invoice</th><th>Date</th><th>Amount</th><th>Status</th><th></th></tr></thead>\
<tbody>{rows}</tbody></table></div>"
    )
}

fn team() -> String {
    let rows: String = [
        ("Maya Chen", "maya@acme.example", "Owner"),
        ("Jonas Weber", "jonas@acme.example", "Admin"),
        ("Priya Natarajan", "priya@acme.example", "Editor"),
        ("Tom Okafor", "tom@acme.example", "Editor"),
        ("Lea Martin", "lea@acme.example", "Viewer"),
    ]
    .iter()
    .map(|(n, e, r)| {
        format!("<tr><td>{n}</td><td class=\"muted\">{e}</td><td><span class=\"badge\">{r}</span></td></tr>")
    })
    .collect();
    let roles: String = [
        ("Owner", "Everything, including billing and deleting the workspace", true),
        ("Admin", "Manage members, settings and integrations", true),
        ("Editor", "Create and edit content", true),
        ("Viewer", "Read-only access", false),
    ]
    .iter()
    .map(|(r, d, on)| {
        let class = if *on { "switch on" } else { "switch" };
        format!("<div class=\"row\" style=\"padding:8px 0;border-bottom:1px solid var(--line)\"><div><strong>{r}</strong><div class=\"muted\">{d}</div></div><div class=\"{class}\"></div></div>")
    })
    .collect();
    format!(
        "<div class=\"row\" style=\"margin-bottom:16px\"><div class=\"muted\">5 of 10 seats used</div>\
<div><button class=\"btn secondary\" id=\"edit-roles\">Edit roles</button> <button class=\"btn\" id=\"invite\">Invite member</button></div></div>\
<div class=\"card\"><table id=\"members\"><thead><tr><th>Name</th><th>Email</th><th>Role</th></tr></thead><tbody>{rows}</tbody></table></div>\
<div id=\"overlay\"></div>\
<div id=\"role-dialog\" role=\"dialog\" aria-labelledby=\"role-title\"><h2 id=\"role-title\">Edit roles</h2>\
<div class=\"muted\" style=\"margin-bottom:8px\">Choose which roles members can be given.</div>{roles}\
<div style=\"margin-top:16px;text-align:right\"><button class=\"btn secondary\" id=\"roles-cancel\">Cancel</button> <button class=\"btn\" id=\"roles-save\">Save roles</button></div></div>\
<script>document.getElementById('edit-roles').addEventListener('click',function(){{document.body.classList.add('dialog-open')}});\
document.getElementById('roles-cancel').addEventListener('click',function(){{document.body.classList.remove('dialog-open')}});</script>"
    )
}

fn workspace() -> String {
    "<div class=\"card\" id=\"workspace-form\">\
<div class=\"field\"><label>Workspace name</label><div class=\"input\">Acme Inc.</div></div>\
<div class=\"field\"><label>Workspace URL</label><div class=\"input\">acme.shotkeeper-demo.example</div></div>\
<div class=\"field\"><label>Time zone</label><div class=\"input\">(UTC+01:00) Berlin</div></div>\
<div class=\"field\"><label>Default language</label><div class=\"input\">English</div></div>\
<button class=\"btn\" id=\"save-workspace\">Save changes</button></div>"
        .to_string()
}

fn notifications() -> String {
    let rows: String = [
        ("Weekly summary", "A digest of activity every Monday", true),
        ("New member joined", "When someone accepts an invitation", true),
        ("Invoice available", "When a new invoice is ready", true),
        ("Product updates", "News about features and improvements", false),
        ("Security alerts", "Sign-ins from a new device", true),
    ]
    .iter()
    .map(|(t, d, on)| {
        let class = if *on { "switch on" } else { "switch" };
        format!("<div class=\"row\" style=\"padding:10px 0;border-bottom:1px solid var(--line)\"><div><strong>{t}</strong><div class=\"muted\">{d}</div></div><div class=\"{class}\"></div></div>")
    })
    .collect();
    format!("<div class=\"card\" id=\"notification-list\"><h2>Email notifications</h2>{rows}</div>")
}

fn api_keys() -> String {
    let rows: String = [
        ("Production", "sk_live_••••••••3f9a", "Mar 3, 2026", "2 hours ago"),
        ("Staging", "sk_test_••••••••b21c", "Jan 18, 2026", "yesterday"),
        ("CI pipeline", "sk_test_••••••••77de", "Nov 9, 2025", "5 days ago"),
    ]
    .iter()
    .map(|(n, k, c, u)| {
        format!("<tr><td>{n}</td><td><code>{k}</code></td><td class=\"muted\">{c}</td><td class=\"muted\">{u}</td></tr>")
    })
    .collect();
    format!(
        "<div class=\"row\" style=\"margin-bottom:16px\"><div class=\"muted\">Keys give full access to your workspace: keep them secret.</div>\
<button class=\"btn\" id=\"create-key\">Create key</button></div>\
<div class=\"card\"><table id=\"api-key-list\"><thead><tr><th>Name</th><th>Key</th><th>Created</th><th>Last used</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )
}

/// A fixed 21x21 pattern in the style of a QR code (not a readable code):
/// three finder squares and deterministic modules.
fn qr_svg() -> String {
    let mut rects = String::new();
    for y in 0..21u32 {
        for x in 0..21u32 {
            let finder = |fx: u32, fy: u32| {
                let (dx, dy) = (x.wrapping_sub(fx), y.wrapping_sub(fy));
                (dx < 7 && dy < 7).then(|| {
                    let ring = dx == 0 || dx == 6 || dy == 0 || dy == 6;
                    let core = (2..=4).contains(&dx) && (2..=4).contains(&dy);
                    ring || core
                })
            };
            let on = finder(0, 0)
                .or_else(|| finder(14, 0))
                .or_else(|| finder(0, 14))
                .unwrap_or_else(|| (x * 7 + y * 13 + x * y) % 5 < 2);
            if on {
                rects.push_str(&format!(
                    "<rect x=\"{}\" y=\"{}\" width=\"8\" height=\"8\"/>",
                    x * 8,
                    y * 8
                ));
            }
        }
    }
    format!("<svg id=\"qr-code\" width=\"168\" height=\"168\" viewBox=\"0 0 168 168\" style=\"background:#fff;padding:0\"><g fill=\"#0f172a\">{rects}</g></svg>")
}

fn security() -> String {
    format!(
        "<div class=\"card\" id=\"two-factor\"><div class=\"row\" style=\"align-items:flex-start\">\
<div><h2>Set up an authenticator app</h2><ol class=\"muted\" style=\"padding-left:18px\">\
<li>Install an authenticator app on your phone.</li><li>Scan the code with the app.</li><li>Enter the 6-digit code it shows.</li></ol>\
<div class=\"field\"><label>Verification code</label><div class=\"input\" style=\"width:160px;letter-spacing:4px\">492 817</div></div>\
<button class=\"btn\" id=\"verify-code\">Verify and turn on</button></div>{}</div></div>",
        qr_svg()
    )
}

fn profile() -> String {
    "<div class=\"card\" id=\"profile-card\"><div class=\"row\" style=\"justify-content:flex-start\">\
<div class=\"avatar\">MC</div><div><h2 style=\"margin:0\">Maya Chen</h2><div class=\"muted\">Owner · joined March 2024</div></div></div></div>\
<div class=\"card\" id=\"profile-form\">\
<div class=\"field\"><label>Full name</label><div class=\"input\">Maya Chen</div></div>\
<div class=\"field\"><label>Email</label><div class=\"input\">maya@acme.example</div></div>\
<div class=\"field\"><label>Language</label><div class=\"input\">English (United States)</div></div>\
<button class=\"btn\" id=\"save-profile\">Save profile</button></div>"
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_screen_renders_both_versions_with_the_same_ids() {
        for sc in SCREENS {
            let v1 = render(sc, UiVersion::V1, Theme::System, false);
            let v2 = render(sc, UiVersion::V2, Theme::System, false);
            assert_ne!(v1, v2);
            let ids = |h: &str| -> Vec<String> {
                h.split("id=\"")
                    .skip(1)
                    .map(|s| s.split('"').next().unwrap().to_string())
                    .collect()
            };
            assert_eq!(ids(&v1), ids(&v2), "{}", sc.path);
            assert!(!v1.contains("http://") && !v1.contains("https://"));
        }
    }

    #[test]
    fn the_shipped_file_gets_its_base() {
        let text = demo_shots_with_base("http://127.0.0.1:9/app/");
        assert!(text.contains("[defaults]\nbase_url = \"http://127.0.0.1:9/app/\"\n"));
    }
}
