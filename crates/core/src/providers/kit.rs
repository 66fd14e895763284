//! The provider kit: what one provider module declares about itself, so
//! that adding a help center is one client file that exports a
//! [`ProviderDef`], one line in the registry's table, a simulator and a short
//! test file (the conformance suite runs against it from one line).

use std::collections::BTreeMap;

use super::{HelpCenter, ProviderSpec};
use crate::error::Result;
use crate::http::HttpConfig;
use crate::model::ProviderKind;

/// Everything Shotkeeper needs to know about one help center.
pub struct ProviderDef {
    pub kind: ProviderKind,
    /// Its settings, secret, documented base URL, rate and features, as
    /// forms show them.
    pub spec: fn() -> ProviderSpec,
    /// The path every documented API base ends with (`/api/v3`); empty
    /// where the API is at the root of its host.
    pub api_path: &'static str,
    /// Where its customers' help-center sites live, so that a site address
    /// typed as the base URL becomes the API base.
    pub sites: Sites,
    /// Requests that may leave at once at the documented rate, where the
    /// provider documents a burst; otherwise a tenth of the minute's budget.
    pub documented_burst: Option<u32>,
    /// The client of one integration.
    pub connect: fn(Connect<'_>) -> Result<Box<dyn HelpCenter>>,
}

/// Where a provider hosts its customers' sites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sites {
    /// No site address is recognised: only the API host.
    ApiOnly,
    /// Sites on this domain serve the API on their own host, under the API
    /// path (`acme.helpjuice.com/api/v3`).
    SameHost(&'static str),
    /// Sites on this domain; the API is on the documented base's host
    /// (`acme.helpcenter.io` → `api.helpcenter.io/v1`).
    ApiElsewhere(&'static str),
}

impl Sites {
    pub fn domain(self) -> Option<&'static str> {
        match self {
            Sites::ApiOnly => None,
            Sites::SameHost(d) | Sites::ApiElsewhere(d) => Some(d),
        }
    }
}

/// What a provider's `connect` gets: validated settings and the secret.
pub struct Connect<'a> {
    /// Its HTTP behaviour: the rate limiter's budget, retries, redaction.
    pub http: HttpConfig,
    /// The API base: the integration's own (completed to the API path) or
    /// the documented one with its settings filled in.
    pub base: String,
    /// Whether the integration gave its own base URL.
    pub base_overridden: bool,
    pub settings: &'a BTreeMap<String, String>,
    pub secret: &'a str,
}

impl<'a> Connect<'a> {
    /// A setting's value, trimmed; empty when unset.
    pub fn setting(&self, key: &str) -> &'a str {
        self.settings.get(key).map(|v| v.trim()).unwrap_or_default()
    }
}
