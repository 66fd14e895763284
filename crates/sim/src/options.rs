//! What a simulator is asked to be: provider, data size, limits and faults.

use crate::kit::SimApi;

/// The help centers the simulator can play: the eight built in, or one
/// written outside this crate.
#[derive(Clone, Copy)]
pub enum SimProvider {
    Helpjuice,
    Helpcenterio,
    Helpcenter,
    Helpscout,
    Knowledgeowl,
    Zendesk,
    Intercom,
    Freshdesk,
    /// A simulator implemented elsewhere (a test's made-up provider), run
    /// by the same server, guard, data and image host as the built-in ones.
    Custom(&'static dyn SimApi),
}

impl SimProvider {
    /// The simulated API itself.
    pub fn api(self) -> &'static dyn SimApi {
        match self {
            SimProvider::Helpjuice => &crate::helpjuice::Api,
            SimProvider::Helpcenterio => &crate::helpcenterio::Api,
            SimProvider::Helpcenter => &crate::helpcenter::Api,
            SimProvider::Helpscout => &crate::helpscout::Api,
            SimProvider::Knowledgeowl => &crate::knowledgeowl::Api,
            SimProvider::Zendesk => &crate::zendesk::Api,
            SimProvider::Intercom => &crate::intercom::Api,
            SimProvider::Freshdesk => &crate::freshdesk::Api,
            SimProvider::Custom(api) => api,
        }
    }

    /// The documented rate limit, requests per minute.
    pub fn documented_limit(self) -> u32 {
        self.api().about().documented_limit
    }

    /// The provider id Shotkeeper uses (`helpjuice`, `helpcenterio`, `helpcenter`).
    pub fn as_str(self) -> &'static str {
        self.api().about().name
    }
}

/// Two simulators are the same when they have the same name.
impl PartialEq for SimProvider {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SimProvider {}

impl std::fmt::Debug for SimProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SimProvider::Custom(api) => write!(f, "Custom({})", api.about().name),
            p => {
                let name = p.as_str();
                let mut chars = name.chars();
                let first = chars.next().map(|c| c.to_ascii_uppercase());
                write!(f, "{}{}", first.unwrap_or_default(), chars.as_str())
            }
        }
    }
}

impl std::str::FromStr for SimProvider {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "helpjuice" => Ok(SimProvider::Helpjuice),
            "helpcenterio" => Ok(SimProvider::Helpcenterio),
            "helpcenter" => Ok(SimProvider::Helpcenter),
            "helpscout" => Ok(SimProvider::Helpscout),
            "knowledgeowl" => Ok(SimProvider::Knowledgeowl),
            "zendesk" => Ok(SimProvider::Zendesk),
            "intercom" => Ok(SimProvider::Intercom),
            "freshdesk" => Ok(SimProvider::Freshdesk),
            other => Err(format!(
                "unknown provider {other:?} (helpjuice, helpcenterio, helpcenter, helpscout, knowledgeowl, zendesk, intercom, freshdesk)"
            )),
        }
    }
}

/// Injected misbehaviour, to prove that clients cope.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// The first N API requests (not image requests) answer 429 with the
    /// provider's rate-limit headers (retry after 1 s).
    pub burst_429: u32,
    /// The next N API requests after those answer 503.
    pub error_5xx: u32,
    /// Delay every API response by this much.
    pub slow_ms: u64,
    /// Delay every image-host response (`/images/...`, `/uploads/...`) by
    /// this much, as a CDN far away does; 0 answers at once.
    pub slow_images_ms: u64,
    /// The image host cuts every PNG body in half (Content-Length matching
    /// the cut body).
    pub truncate_images: bool,
    /// The article list endpoint answers 200 with invalid JSON.
    pub garbage_list: bool,
    /// HelpCenter.io and KnowledgeOwl: the first article of every listing
    /// page comes with its content field as a number, which no client can
    /// read; the rest of the page is as usual.
    pub unreadable_article: bool,
}

/// A help center shaped for measuring import speed instead of the varied
/// sample data: evenly spread articles with images, every reference an
/// absolute URL to one of `distinct` screenshots of one size, each at its
/// own path, drawn with text-like detail so that its PNG weighs what a real
/// screenshot does (about 140 KB at 1280x800). No photos, broken links,
/// inline icons or planted audit findings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScreenshotPool {
    /// Articles carrying images, spread evenly over all articles.
    pub articles_with_images: usize,
    /// `<img>` elements in each of those articles.
    pub refs_per_article: usize,
    /// Distinct screenshots; references go round them in order.
    pub distinct: usize,
    pub width: u32,
    pub height: u32,
}

#[derive(Clone, Debug)]
pub struct SimOptions {
    pub provider: SimProvider,
    /// Number of articles (default 30).
    pub articles: usize,
    /// Average image references per article document (default 3).
    pub images_per_article: usize,
    /// Same seed, same data (default 1).
    pub seed: u64,
    /// `None`: the provider's documented limit; `Some(0)`: no limit.
    pub rate_limit_per_minute: Option<u32>,
    pub faults: Faults,
    /// The valid API key/token with every permission (default `sim-token`).
    pub token: String,
    /// HelpCenter.io "Read Only" key / Help.Center key with only
    /// `content.read`. Ignored for Helpjuice, which has one key per account.
    pub read_only_token: Option<String>,
    /// 0: any free port.
    pub port: u16,
    /// HelpCenter.io only: the length of its rate-limit window. The API
    /// allows "up to 60 requests per minute per token"; past them every
    /// request is refused until the minute is over ("wait a minute before
    /// retrying"). Default one minute; tests shorten it.
    pub rate_limit_window: std::time::Duration,
    /// `Some`: generate the benchmark-shaped help center described by
    /// [`ScreenshotPool`] (`images_per_article` is then ignored).
    pub screenshot_pool: Option<ScreenshotPool>,
}

impl SimOptions {
    /// `articles` articles and no rate limit: what tests of anything but
    /// the limit itself want (the documented limits would only slow them).
    pub fn unlimited(provider: SimProvider, articles: usize) -> Self {
        SimOptions {
            articles,
            rate_limit_per_minute: Some(0),
            ..SimOptions::new(provider)
        }
    }

    pub fn new(provider: SimProvider) -> Self {
        SimOptions {
            provider,
            articles: 30,
            images_per_article: 3,
            seed: 1,
            rate_limit_per_minute: None,
            faults: Faults::default(),
            token: "sim-token".to_string(),
            read_only_token: None,
            port: 0,
            rate_limit_window: std::time::Duration::from_secs(60),
            screenshot_pool: None,
        }
    }

    /// Requests per minute in force (0 = unlimited).
    pub fn effective_limit(&self) -> u32 {
        self.rate_limit_per_minute
            .unwrap_or_else(|| self.provider.documented_limit())
    }
}
