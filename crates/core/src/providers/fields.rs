//! A provider's settings: how each one is described to a person and what
//! values it takes. A provider declares a field's check with the field, so
//! no central code needs to know which provider calls what "domain".

use serde::{Deserialize, Serialize};

use super::registry::RATE_SETTING;

/// What values a setting takes, and how a value people type becomes the
/// value used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldCheck {
    /// Any text.
    #[default]
    Text,
    /// One label of a host name (letters, digits, '-'): it becomes part of
    /// the documented API host.
    HostLabel,
    /// A host label, or the full address of a site on this domain, cut back
    /// to its label (Freshdesk's "yourcompany.freshdesk.com").
    HostLabelOn(&'static str),
    /// A name that becomes one URL path segment (an id, a bucket).
    PathSegment,
    /// An http(s) URL.
    HttpUrl,
    /// A whole number (a rate override).
    WholeNumber,
}

impl FieldCheck {
    /// The value as Shotkeeper uses it, or what is wrong with it: words that
    /// follow the quoted value ("'x' must be …"). `example` is the field's
    /// placeholder.
    pub fn apply(self, value: &str, example: &str) -> Result<String, String> {
        let v = value.trim();
        match self {
            FieldCheck::Text => Ok(v.to_string()),
            FieldCheck::HostLabel => host_label(v).ok_or_else(|| {
                "must be only the name part (letters, digits, '-'), not a full address".into()
            }),
            FieldCheck::HostLabelOn(domain) => label_on(v, domain).ok_or_else(|| {
                format!("must be the name alone ({example}) or the address ({example}.{domain})")
            }),
            FieldCheck::PathSegment => {
                let bad = v
                    .chars()
                    .any(|c| c.is_whitespace() || matches!(c, '/' | '?' | '#'));
                match bad {
                    true => Err("must not contain spaces, '/', '?' or '#'".into()),
                    false => Ok(v.to_string()),
                }
            }
            FieldCheck::HttpUrl => http_url(v).map(|()| v.to_string()),
            FieldCheck::WholeNumber => v
                .parse::<u32>()
                .map(|_| v.to_string())
                .map_err(|_| "is not a whole number (0 turns the limiter off)".into()),
        }
    }
}

fn host_label(v: &str) -> Option<String> {
    let ok = !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    ok.then(|| v.to_string())
}

/// `acme`, `acme.DOMAIN` or `https://acme.DOMAIN/` all give `acme`.
fn label_on(v: &str, domain: &str) -> Option<String> {
    let v = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
        .unwrap_or(v)
        .trim_end_matches('/')
        .to_ascii_lowercase();
    let label = v.strip_suffix(&format!(".{domain}")).unwrap_or(&v);
    host_label(label)
}

/// Why `value` is not an http(s) URL with a host, if it is not.
pub fn http_url(value: &str) -> Result<(), String> {
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(()),
        Ok(u) => Err(format!("must be an http(s) URL, not '{}:'", u.scheme())),
        Err(e) => Err(format!("is not a valid URL ({e})")),
    }
}

/// A setting a provider needs, named the way that provider's settings page names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldSpec {
    /// The setting's key, as stored and as errors name it.
    pub key: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub required: bool,
    /// Example value shown as a placeholder.
    pub placeholder: &'static str,
    /// What values it takes; core checks them, front ends show the answer.
    #[serde(skip)]
    #[ts(skip)]
    pub check: FieldCheck,
}

/// A field of any text.
pub const fn field(
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
        check: FieldCheck::Text,
    }
}

impl FieldSpec {
    /// The same field, with its values checked by `check`.
    pub const fn checked(mut self, check: FieldCheck) -> Self {
        self.check = check;
        self
    }
}

/// The optional rate override every help center has. The placeholder stays
/// empty: the form shows the provider's own documented rate
/// (`ProviderSpec::requests_per_minute`) there.
pub fn rate_field(documented: &'static str) -> FieldSpec {
    field(RATE_SETTING, "Requests per minute", documented, false, "")
        .checked(FieldCheck::WholeNumber)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_labels_on_a_domain_accept_the_site_address() {
        let on = FieldCheck::HostLabelOn("freshdesk.com");
        for v in [
            "acme",
            " Acme.freshdesk.com ",
            "https://acme.freshdesk.com/",
        ] {
            assert_eq!(on.apply(v, "yourcompany").as_deref(), Ok("acme"), "{v}");
        }
        let e = on.apply("support.acme.com", "yourcompany").unwrap_err();
        assert!(e.contains("yourcompany.freshdesk.com"), "{e}");
        assert!(on.apply("", "x").is_err());
        assert!(FieldCheck::HostLabel
            .apply("acme.zendesk.com", "x")
            .is_err());
        assert_eq!(
            FieldCheck::HostLabel.apply("acme-1", "x").as_deref(),
            Ok("acme-1")
        );
    }

    #[test]
    fn other_checks() {
        assert!(FieldCheck::PathSegment.apply("a/b", "").is_err());
        assert!(FieldCheck::PathSegment.apply("abc-123", "").is_ok());
        assert!(FieldCheck::HttpUrl.apply("ftp://x", "").is_err());
        assert!(FieldCheck::HttpUrl.apply("https://x.example", "").is_ok());
        assert!(FieldCheck::WholeNumber.apply("fast", "").is_err());
        assert_eq!(FieldCheck::Text.apply(" a b ", "").as_deref(), Ok("a b"));
    }
}
