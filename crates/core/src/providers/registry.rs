//! The table of help centers, each declared by its own module (see
//! [`ProviderDef`]), and what every integration goes through whatever its
//! provider: its settings checked, its base URL completed, its client built.

use std::collections::BTreeMap;

use super::kit::{Connect, ProviderDef, Sites};
use super::{
    freshdesk, helpcenter, helpcenterio, helpjuice, helpscout, intercom, knowledgeowl, zendesk,
};
use super::{FieldSpec, HelpCenter, ProviderSpec};
use crate::error::{CoreError, Result};
use crate::http::HttpConfig;
use crate::model::{Integration, Platform, ProviderKind};

/// Optional on every help center: overrides the documented budget (a raised
/// limit, a simulator); `0` turns the limiter off.
pub const RATE_SETTING: &str = "requests_per_minute";

/// Optional on every help center: seconds to wait after a 429 that does not
/// say how long (no `Retry-After`, no `X-RateLimit-Reset`), in place of the
/// provider's documented wait (HelpCenter.io: one minute). Decimals allowed;
/// meant for simulators and tests with a shorter window.
pub const WAIT_SETTING: &str = "rate_limit_wait_seconds";

/// The help centers Shotkeeper connects to, in display order. A new
/// provider is one line here.
pub const HELP_CENTERS: [&ProviderDef; 8] = [
    &helpjuice::DEF,
    &helpcenterio::DEF,
    &helpcenter::DEF,
    &zendesk::DEF,
    &helpscout::DEF,
    &knowledgeowl::DEF,
    &intercom::DEF,
    &freshdesk::DEF,
];

/// The declaration of a help center; `None` for cloud storage.
pub fn def(kind: ProviderKind) -> Option<&'static ProviderDef> {
    HELP_CENTERS.into_iter().find(|d| d.kind == kind)
}

pub fn spec(kind: ProviderKind) -> ProviderSpec {
    match (def(kind), kind) {
        (Some(d), _) => (d.spec)(),
        (None, ProviderKind::R2) => crate::storage::r2_spec(),
        (None, _) => crate::storage::s3_spec(),
    }
}

/// The help centers, in display order.
pub fn help_center_specs() -> Vec<ProviderSpec> {
    HELP_CENTERS.iter().map(|d| (d.spec)()).collect()
}

/// Checks the settings of an integration before it is saved or used: every
/// required setting present and well formed, the base URL (if any) an http(s)
/// URL, the rate override a number. The first problem, as
/// [`setting_problems`] lists them.
pub fn validate_settings(
    kind: ProviderKind,
    base_url: Option<&str>,
    settings: &BTreeMap<String, String>,
) -> Result<()> {
    check_settings(&spec(kind), base_url, settings)
}

/// [`validate_settings`] against a given declaration's spec.
fn check_settings(
    spec: &ProviderSpec,
    base_url: Option<&str>,
    settings: &BTreeMap<String, String>,
) -> Result<()> {
    match spec_problems(spec, base_url, settings).into_iter().next() {
        Some((_, e)) => Err(e),
        None => Ok(()),
    }
}

/// What the base URL's problem is about in [`setting_problems`].
pub const BASE_URL_FIELD: &str = "baseUrl";

/// Every problem with an integration's base URL and settings, in form
/// order, each with what it is about: [`BASE_URL_FIELD`] or the setting's
/// key. Forms show each beside its field; saving refuses the first.
pub fn setting_problems(
    kind: ProviderKind,
    base_url: Option<&str>,
    settings: &BTreeMap<String, String>,
) -> Vec<(String, CoreError)> {
    spec_problems(&spec(kind), base_url, settings)
}

fn spec_problems(
    spec: &ProviderSpec,
    base_url: Option<&str>,
    settings: &BTreeMap<String, String>,
) -> Vec<(String, CoreError)> {
    let mut problems = Vec::new();
    let base_url = base_url.map(str::trim).filter(|b| !b.is_empty());
    if let Some(Err(e)) = base_url.map(|b| check_base_url(spec, b)) {
        problems.push((BASE_URL_FIELD.to_string(), e));
    }
    if let Some(v) = settings.get(WAIT_SETTING).map(|v| v.trim()) {
        if wait_seconds(v).is_none() {
            problems.push((WAIT_SETTING.to_string(), CoreError::Invalid(format!(
                "{} setting '{WAIT_SETTING}' = '{v}' is not a number of seconds (for example 60 or 0.5); remove it to use the documented wait",
                spec.display_name
            ))));
        }
    }
    for field in &spec.fields {
        let value = settings
            .get(field.key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty());
        let problem = match value {
            None if needed(spec, field, base_url.is_some()) => Some(missing(spec, field)),
            None => None,
            Some(v) => field
                .check
                .apply(v, field.placeholder)
                .err()
                .map(|why| setting_error(spec, field, format!("'{v}' {why}"))),
        };
        problems.extend(problem.map(|e| (field.key.to_string(), e)));
    }
    problems
}

/// Builds the client of a help-center integration: settings validated, the
/// limiter at the documented rate (or the `requests_per_minute` override),
/// the base URL from `integration.base_url` or the documented one.
pub fn build(integration: &Integration, secret: &str) -> Result<Box<dyn HelpCenter>> {
    let Some(def) = def(integration.provider) else {
        return Err(not_a_help_center(&spec(integration.provider)));
    };
    build_with(def, integration, secret)
}

/// [`build`] with the provider's declaration given instead of looked up
/// by `integration.provider`: every step (settings, base URL, rate, burst,
/// `connect`) then reads `def` alone. This is how a provider that is not
/// (yet) in [`HELP_CENTERS`] runs through the same path as those that are:
/// the conformance suite's made-up ninth provider does.
pub fn build_with(
    def: &ProviderDef,
    integration: &Integration,
    secret: &str,
) -> Result<Box<dyn HelpCenter>> {
    let spec = (def.spec)();
    check_settings(
        &spec,
        integration.base_url.as_deref(),
        &integration.settings,
    )?;
    if secret.trim().is_empty() {
        return Err(CoreError::Invalid(format!(
            "the {} of integration '{}' is empty; edit the integration and enter it again",
            spec.secret_label, integration.label
        )));
    }
    let overridden = integration.base_url.as_deref();
    let base = match overridden.map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) => complete_with(def, &spec, b),
        None => documented_base(&spec, &integration.settings),
    };
    (def.connect)(Connect {
        http: config_with(def.documented_burst, &spec, &integration.settings),
        base,
        base_overridden: overridden.is_some_and(|b| !b.trim().is_empty()),
        settings: &integration.settings,
        secret,
    })
}

/// The HTTP behaviour of an integration: the documented budget, or the
/// `requests_per_minute` override (0 = off).
pub fn http_config(spec: &ProviderSpec, settings: &BTreeMap<String, String>) -> HttpConfig {
    let documented = def(spec.kind).and_then(|d| d.documented_burst);
    config_with(documented, spec, settings)
}

fn config_with(
    documented: Option<u32>,
    spec: &ProviderSpec,
    settings: &BTreeMap<String, String>,
) -> HttpConfig {
    let overridden = settings
        .get(RATE_SETTING)
        .and_then(|v| v.trim().parse::<u32>().ok());
    let mut cfg = HttpConfig::new(spec.display_name);
    cfg.requests_per_minute = overridden.unwrap_or(spec.requests_per_minute);
    cfg.burst = match (documented, overridden) {
        (Some(burst), None) => burst,
        _ => default_burst(cfg.requests_per_minute),
    };
    cfg.rate_limit_wait = settings
        .get(WAIT_SETTING)
        .and_then(|v| wait_seconds(v.trim()));
    cfg
}

/// A `rate_limit_wait_seconds` value: finite, not negative, at most a day.
fn wait_seconds(v: &str) -> Option<std::time::Duration> {
    let secs: f64 = v.parse().ok()?;
    (secs.is_finite() && (0.0..=86_400.0).contains(&secs))
        .then(|| std::time::Duration::from_secs_f64(secs))
}

/// Where no burst is documented, a tenth of the minute's budget: quick
/// starts without letting one minute run far over the budget.
fn default_burst(per_minute: u32) -> u32 {
    (per_minute / 10).max(1)
}

/// The API base: the integration's override, completed by
/// [`complete_base_url`], or the documented base with `{setting}`
/// placeholders filled in (each value as its field's check makes it).
pub fn base_url(
    spec: &ProviderSpec,
    overridden: Option<&str>,
    settings: &BTreeMap<String, String>,
) -> String {
    if let Some(b) = overridden.map(str::trim).filter(|b| !b.is_empty()) {
        return complete_base_url(spec, b);
    }
    documented_base(spec, settings)
}

/// The documented base with `{setting}` placeholders filled in.
fn documented_base(spec: &ProviderSpec, settings: &BTreeMap<String, String>) -> String {
    let mut url = spec.default_base_url.to_string();
    for (key, value) in settings {
        let field = spec.fields.iter().find(|f| f.key == key);
        let value = field
            .and_then(|f| f.check.apply(value, f.placeholder).ok())
            .unwrap_or_else(|| value.trim().to_string());
        url = url.replace(&format!("{{{key}}}"), &value);
    }
    url
}

/// The path every documented API base of the provider ends with.
pub fn api_path(kind: ProviderKind) -> &'static str {
    // Storage has no API path.
    def(kind).map_or("", |d| d.api_path)
}

/// A base URL as people type it, made the API base: either the help
/// center's address or the API base is accepted for every provider.
/// - Already ending in the provider's API path (`…/api/v3`): kept (trailing
///   slash dropped). A Help.Center base that goes on into
///   `/v0/centers/ID` is cut back to `/v0`.
/// - A site address on a provider domain whose API lives elsewhere
///   (`https://acme.helpcenter.io`): the documented API base.
/// - A site address on the provider's own domain
///   (`https://acme.helpjuice.com/en_US`): that host with the API path.
/// - Anything else (a gateway, a simulator, `https://api.help.center`): the
///   API path is appended.
pub fn complete_base_url(spec: &ProviderSpec, given: &str) -> String {
    match def(spec.kind) {
        Some(d) => complete_with(d, spec, given),
        None => given.trim().trim_end_matches('/').to_string(),
    }
}

fn complete_with(def: &ProviderDef, spec: &ProviderSpec, given: &str) -> String {
    let trimmed = given.trim().trim_end_matches('/');
    let path = def.api_path;
    let Ok(mut url) = url::Url::parse(trimmed) else {
        return trimmed.to_string();
    };
    if path.is_empty() || url.query().is_some() || url.fragment().is_some() {
        return trimmed.to_string();
    }
    let current = url.path().trim_end_matches('/').to_string();
    if current.ends_with(path) {
        return trimmed.to_string();
    }
    if let Some(at) = current.find(&format!("{path}/")) {
        url.set_path(&current[..at + path.len()]);
        return url.as_str().trim_end_matches('/').to_string();
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let sites = def.sites;
    let on_sites = sites
        .domain()
        .is_some_and(|d| host == d || host.ends_with(&format!(".{d}")));
    let api_host = url::Url::parse(spec.default_base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string));
    let new_path = match sites {
        Sites::ApiElsewhere(_) if on_sites && api_host.as_deref() != Some(host.as_str()) => {
            return spec.default_base_url.to_string();
        }
        Sites::SameHost(_) if on_sites => path.to_string(),
        _ => format!("{current}{path}"),
    };
    url.set_path(&new_path);
    url.as_str().trim_end_matches('/').to_string()
}

/// A verify that got 404 at the API root means the base URL is not the
/// API: say which forms are expected instead of "not found".
pub fn explain_verify_error(integration: &Integration, api_base: &str, e: CoreError) -> CoreError {
    if !matches!(e, CoreError::NotFound { .. }) {
        return e;
    }
    let spec = spec(integration.provider);
    let path = api_path(spec.kind);
    let site = spec
        .default_base_url
        .strip_suffix(path)
        .filter(|_| !path.is_empty())
        .unwrap_or(spec.default_base_url);
    let also = spec
        .fields
        .iter()
        .filter(|f| f.required && !spec.default_base_url.contains(&format!("{{{}}}", f.key)))
        .map(|f| format!(" Check the {} setting too.", f.label))
        .collect::<String>();
    CoreError::WrongBaseUrl {
        provider: spec.display_name.to_string(),
        base: api_base.to_string(),
        expected: format!(
            "the help center's address ({site}) or its API base ({}); leave the base URL empty to use the documented one.{also}",
            spec.default_base_url
        ),
    }
}

/// A required setting may be left out when it only fills the documented base
/// URL and the integration gives its own base URL.
fn needed(spec: &ProviderSpec, field: &FieldSpec, has_base_url: bool) -> bool {
    let only_in_url = spec
        .default_base_url
        .contains(&format!("{{{}}}", field.key));
    field.required && !(has_base_url && only_in_url)
}

fn setting_error(spec: &ProviderSpec, field: &FieldSpec, problem: String) -> CoreError {
    CoreError::InvalidSetting {
        provider: spec.display_name.to_string(),
        key: field.key.to_string(),
        label: field.label.to_string(),
        problem,
        example: field.placeholder.to_string(),
    }
}

fn missing(spec: &ProviderSpec, field: &FieldSpec) -> CoreError {
    let help = if field.help.is_empty() {
        String::new()
    } else {
        format!(" ({})", field.help)
    };
    setting_error(spec, field, format!("it is required and empty{help}"))
}

fn check_base_url(spec: &ProviderSpec, base: &str) -> Result<()> {
    super::fields::http_url(base).map_err(|why| {
        CoreError::Invalid(format!(
            "the base URL '{base}' for {} {why}; leave it empty to use {}",
            spec.display_name, spec.default_base_url
        ))
    })
}

fn not_a_help_center(spec: &ProviderSpec) -> CoreError {
    debug_assert_eq!(spec.kind.platform(), Platform::Cloud);
    CoreError::Invalid(format!(
        "{} is cloud storage, not a help center; link it to a help-center integration for image uploads",
        spec.display_name
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_kind_has_a_spec() {
        for kind in ProviderKind::ALL {
            let s = spec(kind);
            assert_eq!(s.kind, kind);
            assert_eq!(s.display_name, kind.display_name());
            assert!(!s.secret_label.is_empty());
        }
        let kinds: Vec<_> = help_center_specs().iter().map(|s| s.kind).collect();
        let declared: Vec<_> = HELP_CENTERS.iter().map(|d| d.kind).collect();
        assert_eq!(kinds, declared, "each module's spec is of its own kind");
        assert_eq!(kinds.len(), 8);
    }

    #[test]
    fn every_declared_provider_agrees_with_its_own_spec() {
        for d in HELP_CENTERS {
            let s = (d.spec)();
            assert!(
                s.default_base_url.ends_with(d.api_path),
                "{:?}: {} ends with {}",
                d.kind,
                s.default_base_url,
                d.api_path
            );
            // Every `{key}` of the documented base URL is a setting of its own.
            let mut rest = s.default_base_url;
            while let Some(open) = rest.find('{') {
                let close = rest[open..].find('}').expect("closed") + open;
                let key = &rest[open + 1..close];
                assert!(
                    s.fields.iter().any(|f| f.key == key),
                    "{:?}: {{{key}}}",
                    d.kind
                );
                rest = &rest[close + 1..];
            }
            if let Some(domain) = d.sites.domain() {
                let site = format!("https://acme.{domain}");
                let completed = complete_base_url(&s, &site);
                assert!(completed.ends_with(d.api_path), "{:?}: {completed}", d.kind);
            }
        }
    }

    #[test]
    fn missing_setting_names_the_setting_in_words_for_any_front_end() {
        let e = validate_settings(ProviderKind::Helpcenter, None, &settings(&[])).unwrap_err();
        assert_eq!(e.setting(), Some("center_id"));
        let text = e.to_string();
        assert!(
            text.contains("(center_id)") && text.contains("required"),
            "{text}"
        );
        assert!(!text.contains("--"), "no CLI flag in core's words: {text}");
        let e = validate_settings(ProviderKind::Helpjuice, None, &settings(&[])).unwrap_err();
        assert_eq!(e.setting(), Some("account"));
    }

    #[test]
    fn base_url_makes_url_only_settings_optional() {
        let base = Some("http://127.0.0.1:9/api/v3/");
        assert!(validate_settings(ProviderKind::Helpjuice, base, &settings(&[])).is_ok());
        // center_id is part of every path, so it stays required.
        assert!(validate_settings(
            ProviderKind::Helpcenter,
            Some("http://x/v0"),
            &settings(&[])
        )
        .is_err());
        assert!(
            validate_settings(ProviderKind::Helpjuice, Some("ftp://x"), &settings(&[])).is_err()
        );
    }

    #[test]
    fn values_are_checked() {
        let bad = settings(&[("account", "acme.helpjuice.com")]);
        assert!(validate_settings(ProviderKind::Helpjuice, None, &bad).is_err());
        let bad = settings(&[("account", "acme"), (RATE_SETTING, "fast")]);
        assert!(validate_settings(ProviderKind::Helpjuice, None, &bad).is_err());
        let ok = settings(&[("account", "acme"), (RATE_SETTING, "0")]);
        assert!(validate_settings(ProviderKind::Helpjuice, None, &ok).is_ok());
        let s3 = settings(&[
            ("bucket", "b"),
            ("region", "eu-west-1"),
            ("access_key_id", "AK"),
        ]);
        assert!(validate_settings(ProviderKind::S3, None, &s3).is_ok());
    }

    #[test]
    fn freshdesk_domain_as_name_or_address() {
        let spec = spec(ProviderKind::Freshdesk);
        for d in ["acme", "acme.freshdesk.com", "https://acme.freshdesk.com/"] {
            let s = settings(&[("domain", d)]);
            assert!(
                validate_settings(ProviderKind::Freshdesk, None, &s).is_ok(),
                "{d}"
            );
            assert_eq!(
                base_url(&spec, None, &s),
                "https://acme.freshdesk.com/api/v2",
                "{d}"
            );
        }
        let bad = settings(&[("domain", "support.acme.com")]);
        let e = validate_settings(ProviderKind::Freshdesk, None, &bad).unwrap_err();
        assert_eq!(e.setting(), Some("domain"));
        assert!(e.to_string().contains("'support.acme.com'"), "{e}");
    }

    #[test]
    fn site_addresses_and_api_bases_are_both_accepted() {
        let cases = [
            (
                ProviderKind::Helpjuice,
                "https://acme.helpjuice.com",
                "https://acme.helpjuice.com/api/v3",
            ),
            (
                ProviderKind::Helpjuice,
                "https://acme.helpjuice.com/en_US/",
                "https://acme.helpjuice.com/api/v3",
            ),
            (
                ProviderKind::Helpjuice,
                "https://acme.helpjuice.com/api/v3/",
                "https://acme.helpjuice.com/api/v3",
            ),
            (
                ProviderKind::Helpcenter,
                "https://api.help.center",
                "https://api.help.center/v0",
            ),
            (
                ProviderKind::Helpcenter,
                "https://api.help.center/v0/centers/abc",
                "https://api.help.center/v0",
            ),
            (
                ProviderKind::Helpcenter,
                "https://support.help.center",
                "https://api.help.center/v0",
            ),
            (
                ProviderKind::Helpcenterio,
                "https://acme.helpcenter.io/",
                "https://api.helpcenter.io/v1",
            ),
            (
                ProviderKind::Helpcenterio,
                "https://api.helpcenter.io",
                "https://api.helpcenter.io/v1",
            ),
            (
                ProviderKind::Zendesk,
                "https://acme.zendesk.com/hc/en-us",
                "https://acme.zendesk.com/api/v2",
            ),
            (
                ProviderKind::Freshdesk,
                "https://acme.freshdesk.com",
                "https://acme.freshdesk.com/api/v2",
            ),
            (
                ProviderKind::Helpscout,
                "https://acme.helpscoutdocs.com",
                "https://docsapi.helpscout.net/v1",
            ),
            (
                ProviderKind::Helpscout,
                "https://docsapi.helpscout.net",
                "https://docsapi.helpscout.net/v1",
            ),
            (
                ProviderKind::Knowledgeowl,
                "https://acme.knowledgeowl.com/help",
                "https://app.knowledgeowl.com/api/head",
            ),
            (
                ProviderKind::Knowledgeowl,
                "https://app.knowledgeowl.com",
                "https://app.knowledgeowl.com/api/head",
            ),
            (
                ProviderKind::Intercom,
                "https://api.eu.intercom.io/",
                "https://api.eu.intercom.io",
            ),
            // A gateway or a simulator: the API path is added to what is there.
            (
                ProviderKind::Helpjuice,
                "http://127.0.0.1:9/helpjuice",
                "http://127.0.0.1:9/helpjuice/api/v3",
            ),
            (
                ProviderKind::Helpcenterio,
                "http://127.0.0.1:9",
                "http://127.0.0.1:9/v1",
            ),
        ];
        for (kind, given, want) in cases {
            assert_eq!(
                complete_base_url(&spec(kind), given),
                want,
                "{kind:?} {given}"
            );
        }
    }

    #[test]
    fn base_urls() {
        let s = settings(&[("account", "acme")]);
        assert_eq!(
            base_url(&spec(ProviderKind::Helpjuice), None, &s),
            "https://acme.helpjuice.com/api/v3"
        );
        assert_eq!(
            base_url(&spec(ProviderKind::Helpjuice), Some("http://h/api/v3/"), &s),
            "http://h/api/v3"
        );
    }

    #[test]
    fn rates_and_overrides() {
        let cfg = http_config(&spec(ProviderKind::Helpcenter), &settings(&[]));
        assert_eq!((cfg.requests_per_minute, cfg.burst), (100, 200));
        let cfg = http_config(&spec(ProviderKind::Helpcenterio), &settings(&[]));
        assert_eq!((cfg.requests_per_minute, cfg.burst), (60, 6));
        let cfg = http_config(
            &spec(ProviderKind::Helpjuice),
            &settings(&[(RATE_SETTING, "0")]),
        );
        assert_eq!(cfg.requests_per_minute, 0);
        assert_eq!(cfg.provider, "Helpjuice");
    }
}
