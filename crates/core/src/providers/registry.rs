//! What each provider needs (its settings, named as on the provider's own
//! settings page, its secret, its documented base URL and rate) and how an
//! [`Integration`] becomes a working [`HelpCenter`].

use std::collections::BTreeMap;

use super::freshdesk::{self, Freshdesk};
use super::helpcenter::{self, HelpCenterV0};
use super::helpcenterio::{self, HelpCenterIo};
use super::helpjuice::{self, Helpjuice};
use super::helpscout::HelpScout;
use super::intercom::{self, Intercom};
use super::knowledgeowl::KnowledgeOwl;
use super::zendesk::{self, Zendesk};
use super::{FieldSpec, HelpCenter, ProviderSpec};
use crate::error::{CoreError, Result};
use crate::http::HttpConfig;
use crate::model::{Integration, ProviderKind};

/// Optional on every help center: overrides the documented budget (a raised
/// limit, a simulator); `0` turns the limiter off.
pub const RATE_SETTING: &str = "requests_per_minute";

/// Optional on every help center: seconds to wait after a 429 that does not
/// say how long (no `Retry-After`, no `X-RateLimit-Reset`), in place of the
/// provider's documented wait (HelpCenter.io: one minute). Decimals allowed;
/// meant for simulators and tests with a shorter window.
pub const WAIT_SETTING: &str = "rate_limit_wait_seconds";

/// The help centers `build` can connect to today.
const IMPLEMENTED: [ProviderKind; 8] = [
    ProviderKind::Helpjuice,
    ProviderKind::Helpcenterio,
    ProviderKind::Helpcenter,
    ProviderKind::Zendesk,
    ProviderKind::Helpscout,
    ProviderKind::Knowledgeowl,
    ProviderKind::Intercom,
    ProviderKind::Freshdesk,
];

pub fn spec(kind: ProviderKind) -> ProviderSpec {
    match kind {
        ProviderKind::Helpjuice => helpjuice_spec(),
        ProviderKind::Helpcenterio => helpcenterio_spec(),
        ProviderKind::Helpcenter => helpcenter_spec(),
        ProviderKind::Zendesk => zendesk_spec(),
        ProviderKind::Intercom => intercom_spec(),
        ProviderKind::Helpscout => helpscout_spec(),
        ProviderKind::Freshdesk => freshdesk_spec(),
        ProviderKind::Knowledgeowl => knowledgeowl_spec(),
        ProviderKind::S3 => s3_spec(),
        ProviderKind::R2 => r2_spec(),
    }
}

/// The help centers implemented so far, in display order.
pub fn help_center_specs() -> Vec<ProviderSpec> {
    IMPLEMENTED.into_iter().map(spec).collect()
}

/// Checks the settings of an integration before it is saved or used: every
/// required setting present and well formed, the base URL (if any) an http(s)
/// URL, the rate override a number.
pub fn validate_settings(
    kind: ProviderKind,
    base_url: Option<&str>,
    settings: &BTreeMap<String, String>,
) -> Result<()> {
    let spec = spec(kind);
    let base_url = base_url.map(str::trim).filter(|b| !b.is_empty());
    if let Some(base) = base_url {
        check_base_url(&spec, base)?;
    }
    if let Some(v) = settings.get(WAIT_SETTING).map(|v| v.trim()) {
        wait_seconds(v).ok_or_else(|| {
            CoreError::Invalid(format!(
                "{} setting '{WAIT_SETTING}' = '{v}' is not a number of seconds (for example 60 or 0.5); remove it to use the documented wait",
                spec.display_name
            ))
        })?;
    }
    for field in &spec.fields {
        let value = settings
            .get(field.key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty());
        match value {
            None if needed(&spec, field, base_url.is_some()) => return Err(missing(&spec, field)),
            None => {}
            Some(v) => check_value(&spec, field, v)?,
        }
    }
    Ok(())
}

/// Builds the client of a help-center integration: settings validated, the
/// limiter at the documented rate (or the `requests_per_minute` override),
/// the base URL from `integration.base_url` or the documented one.
pub fn build(integration: &Integration, secret: &str) -> Result<Box<dyn HelpCenter>> {
    let kind = integration.provider;
    let spec = spec(kind);
    if !IMPLEMENTED.contains(&kind) {
        return Err(not_supported(&spec));
    }
    validate_settings(kind, integration.base_url.as_deref(), &integration.settings)?;
    if secret.trim().is_empty() {
        return Err(CoreError::Invalid(format!(
            "the {} of integration '{}' is empty; edit the integration and enter it again",
            spec.secret_label, integration.label
        )));
    }
    let base = base_url(
        &spec,
        integration.base_url.as_deref(),
        &integration.settings,
    );
    let cfg = http_config(&spec, &integration.settings);
    let setting = |k: &str| {
        integration
            .settings
            .get(k)
            .map(|v| v.trim())
            .unwrap_or_default()
    };
    Ok(match kind {
        ProviderKind::Helpjuice => Box::new(Helpjuice::new(cfg, &base, secret)?),
        ProviderKind::Helpcenterio => Box::new(HelpCenterIo::new(cfg, &base, secret)?),
        ProviderKind::Helpcenter => {
            Box::new(HelpCenterV0::new(cfg, &base, setting("center_id"), secret)?)
        }
        ProviderKind::Zendesk => Box::new(Zendesk::new(cfg, &base, setting("email"), secret)?),
        ProviderKind::Intercom => {
            let overridden = integration.base_url.as_deref().map(str::trim);
            let base = match overridden.filter(|b| !b.is_empty()) {
                Some(_) => base,
                None => intercom::region_base(setting("region"))?.to_string(),
            };
            Box::new(Intercom::new(cfg, &base, secret)?)
        }
        ProviderKind::Helpscout => Box::new(HelpScout::new(cfg, &base, secret)?),
        ProviderKind::Freshdesk => Box::new(Freshdesk::new(cfg, &base, secret)?),
        ProviderKind::Knowledgeowl => Box::new(KnowledgeOwl::new(
            cfg,
            &base,
            setting("project_id"),
            secret,
        )?),
        _ => return Err(not_supported(&spec)),
    })
}

/// The HTTP behaviour of an integration: the documented budget, or the
/// `requests_per_minute` override (0 = off).
pub fn http_config(spec: &ProviderSpec, settings: &BTreeMap<String, String>) -> HttpConfig {
    let overridden = settings
        .get(RATE_SETTING)
        .and_then(|v| v.trim().parse::<u32>().ok());
    let mut cfg = HttpConfig::new(spec.display_name);
    cfg.requests_per_minute = overridden.unwrap_or(spec.requests_per_minute);
    cfg.burst = match (spec.kind, overridden) {
        (ProviderKind::Helpcenter, None) => helpcenter::BURST,
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
/// placeholders filled in.
pub fn base_url(
    spec: &ProviderSpec,
    overridden: Option<&str>,
    settings: &BTreeMap<String, String>,
) -> String {
    if let Some(b) = overridden.map(str::trim).filter(|b| !b.is_empty()) {
        return complete_base_url(spec, b);
    }
    let mut url = spec.default_base_url.to_string();
    for (key, value) in settings {
        // Freshdesk's domain may be given as the full address.
        let value = match key.as_str() {
            "domain" => freshdesk::domain_label(value).unwrap_or_else(|| value.trim().to_string()),
            _ => value.trim().to_string(),
        };
        url = url.replace(&format!("{{{key}}}"), &value);
    }
    url
}

/// The path every documented API base of the provider ends with.
pub fn api_path(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Helpjuice => "/api/v3",
        ProviderKind::Helpcenterio => "/v1",
        ProviderKind::Helpcenter => "/v0",
        ProviderKind::Zendesk | ProviderKind::Freshdesk => "/api/v2",
        ProviderKind::Helpscout => "/v1",
        ProviderKind::Knowledgeowl => "/api/head",
        // Intercom's API is at the root of its host; storage has no API path.
        ProviderKind::Intercom | ProviderKind::S3 | ProviderKind::R2 => "",
    }
}

/// Help-center sites whose API lives on another host: a site address there
/// (`https://acme.helpcenter.io`) means the documented API base. The key
/// names the site for these providers, so nothing is lost.
const SITE_DOMAINS: [(ProviderKind, &str); 4] = [
    (ProviderKind::Helpcenterio, "helpcenter.io"),
    (ProviderKind::Helpcenter, "help.center"),
    (ProviderKind::Helpscout, "helpscoutdocs.com"),
    (ProviderKind::Knowledgeowl, "knowledgeowl.com"),
];

/// Providers whose API is on the site's own host, under the API path.
const OWN_DOMAINS: [(ProviderKind, &str); 3] = [
    (ProviderKind::Helpjuice, "helpjuice.com"),
    (ProviderKind::Zendesk, "zendesk.com"),
    (ProviderKind::Freshdesk, "freshdesk.com"),
];

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
    let trimmed = given.trim().trim_end_matches('/');
    let path = api_path(spec.kind);
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
    let on = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    let api_host = url::Url::parse(spec.default_base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string));
    let elsewhere = SITE_DOMAINS.iter().any(|(k, d)| *k == spec.kind && on(d));
    if elsewhere && api_host.as_deref() != Some(host.as_str()) {
        return spec.default_base_url.to_string();
    }
    let own = OWN_DOMAINS.iter().any(|(k, d)| *k == spec.kind && on(d));
    let new_path = if own {
        path.to_string()
    } else {
        format!("{current}{path}")
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

fn check_value(spec: &ProviderSpec, field: &FieldSpec, value: &str) -> Result<()> {
    let bad = |why: &str| setting_error(spec, field, format!("'{value}' {why}"));
    match field.key {
        RATE_SETTING => value
            .parse::<u32>()
            .map(drop)
            .map_err(|_| bad("is not a whole number (0 turns the limiter off)")),
        // Values that become a host name label.
        "domain" => freshdesk::domain_label(value).map(drop).ok_or_else(|| {
            bad("must be your helpdesk name (yourcompany) or address (yourcompany.freshdesk.com)")
        }),
        "account" | "account_id" | "subdomain" => {
            let ok = value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            ok.then_some(()).ok_or_else(|| {
                bad("must be only the name part (letters, digits, '-'), not a full address")
            })
        }
        "center_id" | "bucket" | "project_id" => {
            let ok = !value
                .chars()
                .any(|c| c.is_whitespace() || matches!(c, '/' | '?' | '#'));
            ok.then_some(())
                .ok_or_else(|| bad("must not contain spaces, '/', '?' or '#'"))
        }
        "endpoint" | "public_base_url" => http_url(value).map_err(|why| bad(&why)),
        _ => Ok(()),
    }
}

fn check_base_url(spec: &ProviderSpec, base: &str) -> Result<()> {
    http_url(base).map_err(|why| {
        CoreError::Invalid(format!(
            "the base URL '{base}' for {} {why}; leave it empty to use {}",
            spec.display_name, spec.default_base_url
        ))
    })
}

fn http_url(value: &str) -> std::result::Result<(), String> {
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(()),
        Ok(u) => Err(format!("must be an http(s) URL, not '{}:'", u.scheme())),
        Err(e) => Err(format!("is not a valid URL ({e})")),
    }
}

fn not_supported(spec: &ProviderSpec) -> CoreError {
    if spec.kind.platform() == crate::model::Platform::Cloud {
        return CoreError::Invalid(format!(
            "{} is cloud storage, not a help center; link it to a help-center integration for image uploads",
            spec.display_name
        ));
    }
    let ready: Vec<&str> = IMPLEMENTED.iter().map(|k| k.display_name()).collect();
    CoreError::Invalid(format!(
        "{} is not supported yet; Shotkeeper can connect to {} today",
        spec.display_name,
        ready.join(", ")
    ))
}

// ---------------------------------------------------------------------------
// Specs. Labels and help follow each provider's own settings pages.
// ---------------------------------------------------------------------------

const fn field(
    key: &'static str,
    label: &'static str,
    help: &'static str,
    required: bool,
    placeholder: &'static str,
) -> FieldSpec {
    FieldSpec {
        key,
        label,
        help,
        required,
        placeholder,
    }
}

/// The placeholder stays empty: the form shows the provider's own
/// documented rate (`ProviderSpec::requests_per_minute`) there.
fn rate_field(documented: &'static str) -> FieldSpec {
    field(RATE_SETTING, "Requests per minute", documented, false, "")
}

fn helpjuice_spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::Helpjuice,
        display_name: "Helpjuice",
        fields: vec![
            field("account", "Account", "Your account name, the part before .helpjuice.com in your knowledge base address", true, "yourcompany"),
            rate_field("Leave empty for Helpjuice's documented 100 per minute; 0 turns the limiter off"),
        ],
        secret_label: "API key",
        secret_help: "Settings > API Credentials in Helpjuice; \"Require token for API?\" must be enabled there",
        default_base_url: "https://{account}.helpjuice.com/api/v3",
        requests_per_minute: helpjuice::REQUESTS_PER_MINUTE,
        has_image_upload: false,
    }
}

fn helpcenterio_spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::Helpcenterio,
        display_name: "HelpCenter.io",
        fields: vec![rate_field(
            "Leave empty for HelpCenter.io's documented 60 per minute per token; 0 turns the limiter off",
        )],
        secret_label: "API key",
        secret_help: "Settings > API Keys in your HelpCenter.io dashboard. A Read Only key can import; updating articles needs a Read & Write key",
        default_base_url: "https://api.helpcenter.io/v1",
        requests_per_minute: helpcenterio::REQUESTS_PER_MINUTE,
        has_image_upload: false,
    }
}

fn helpcenter_spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::Helpcenter,
        display_name: "Help.Center",
        fields: vec![
            field("center_id", "Center ID", "Shown on Settings > General > API in your Help.Center dashboard", true, "your-center-id"),
            rate_field("Leave empty for Help.Center's documented 100 per minute (burst 200); 0 turns the limiter off"),
        ],
        secret_label: "API key",
        secret_help: "Settings > General > API > Create API Key in Help.Center, with the content.read, content.write and content.publish scopes",
        default_base_url: "https://api.help.center/v0",
        requests_per_minute: helpcenter::REQUESTS_PER_MINUTE,
        has_image_upload: true,
    }
}

fn zendesk_spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::Zendesk,
        display_name: "Zendesk",
        fields: vec![
            field(
                "subdomain",
                "Subdomain",
                "The part before .zendesk.com in your Zendesk address",
                true,
                "yourcompany",
            ),
            field(
                "email",
                "Email",
                "The email address of the Zendesk agent the API token belongs to",
                true,
                "you@example.com",
            ),
        ],
        secret_label: "API token",
        secret_help:
            "Admin Center > Apps and integrations > APIs > Zendesk API, with token access enabled",
        default_base_url: "https://{subdomain}.zendesk.com/api/v2",
        requests_per_minute: zendesk::REQUESTS_PER_MINUTE,
        has_image_upload: true,
    }
}

fn intercom_spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::Intercom,
        display_name: "Intercom",
        fields: vec![field(
            "region",
            "Data region",
            "us, eu or au: where your Intercom workspace is hosted",
            false,
            "us",
        )],
        secret_label: "Access token",
        secret_help: "Developer Hub > your app > Authentication in Intercom",
        default_base_url: "https://api.intercom.io",
        requests_per_minute: intercom::REQUESTS_PER_MINUTE,
        has_image_upload: false,
    }
}

fn helpscout_spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::Helpscout,
        display_name: "Help Scout",
        fields: Vec::new(),
        secret_label: "Docs API key",
        secret_help: "Your profile > Authentication > API Keys in Help Scout",
        default_base_url: "https://docsapi.helpscout.net/v1",
        requests_per_minute: 200,
        has_image_upload: true,
    }
}

fn freshdesk_spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::Freshdesk,
        display_name: "Freshdesk",
        fields: vec![
            field(
                "domain",
                "Helpdesk domain",
                "The part before .freshdesk.com in your helpdesk address (the full yourcompany.freshdesk.com is accepted too)",
                true,
                "yourcompany",
            ),
            rate_field("Leave empty for Freshdesk's Growth-plan 200 per minute (Pro 400, Enterprise 700); 0 turns the limiter off"),
        ],
        secret_label: "API key",
        secret_help: "Profile settings > View API key in Freshdesk; the agent needs permission to manage solution articles",
        default_base_url: "https://{domain}.freshdesk.com/api/v2",
        requests_per_minute: freshdesk::REQUESTS_PER_MINUTE,
        has_image_upload: false,
    }
}

fn knowledgeowl_spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::Knowledgeowl,
        display_name: "KnowledgeOwl",
        fields: vec![field("project_id", "Knowledge base ID", "The ID of the knowledge base (project) to import, from Settings > Basic in KnowledgeOwl", true, "5f1e2d3c4b5a69788796a5b4")],
        secret_label: "API key",
        secret_help: "Your account > API in KnowledgeOwl",
        default_base_url: "https://app.knowledgeowl.com/api/head",
        requests_per_minute: 100,
        has_image_upload: true,
    }
}

fn s3_spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::S3,
        display_name: "Amazon S3",
        fields: vec![
            field("bucket", "Bucket name", "The S3 bucket new screenshots are uploaded to", true, "my-help-images"),
            field("region", "AWS Region", "The bucket's region code, as shown in the S3 console", true, "us-east-1"),
            field("endpoint", "Endpoint", "Only for S3-compatible services (MinIO, Garage...); leave empty for Amazon S3", false, "https://s3.example.com"),
            field("public_base_url", "Public base URL", "Where uploaded files are publicly readable (a CloudFront domain, for example); empty = the bucket's own URL", false, "https://images.example.com"),
            field("prefix", "Path prefix", "Folder inside the bucket for Shotkeeper's uploads", false, "shotkeeper/"),
            field("access_key_id", "Access key ID", "From IAM > Users > Security credentials, for a user allowed to write to the bucket", true, "AKIA…"),
        ],
        secret_label: "Secret access key",
        secret_help: "Shown once when the access key is created in IAM",
        default_base_url: "https://s3.{region}.amazonaws.com",
        requests_per_minute: 0,
        has_image_upload: true,
    }
}

fn r2_spec() -> ProviderSpec {
    ProviderSpec {
        kind: ProviderKind::R2,
        display_name: "Cloudflare R2",
        fields: vec![
            field(
                "account_id",
                "Account ID",
                "On the R2 overview page of the Cloudflare dashboard",
                true,
                "0123456789abcdef0123456789abcdef",
            ),
            field(
                "bucket",
                "Bucket name",
                "The R2 bucket new screenshots are uploaded to",
                true,
                "my-help-images",
            ),
            field(
                "public_base_url",
                "Public bucket URL",
                "The bucket's custom domain or r2.dev URL (Settings > Public access)",
                false,
                "https://images.example.com",
            ),
            field(
                "prefix",
                "Path prefix",
                "Folder inside the bucket for Shotkeeper's uploads",
                false,
                "shotkeeper/",
            ),
            field(
                "access_key_id",
                "Access Key ID",
                "From R2 > Manage R2 API Tokens, for a token with Object Read & Write",
                true,
                "a1b2c3d4e5f6...",
            ),
        ],
        secret_label: "Secret Access Key",
        secret_help: "Shown once when the R2 API token is created",
        default_base_url: "https://{account_id}.r2.cloudflarestorage.com",
        requests_per_minute: 0,
        has_image_upload: true,
    }
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
        assert_eq!(kinds, IMPLEMENTED);
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
