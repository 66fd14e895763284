//! `shotkeeper-sim`: runs one simulator, prints one JSON line describing it
//! (`api_base`, `site_base`, `token`, `settings`, `expected`) and serves
//! until Ctrl-C.

use clap::Parser;
use shotkeeper_sim::{start, Faults, SimOptions, SimProvider};

#[derive(Parser, Debug)]
#[command(
    name = "shotkeeper-sim",
    about = "Local help-center simulator with known answers"
)]
struct Args {
    /// helpjuice, helpcenterio, helpcenter, zendesk, intercom, helpscout, knowledgeowl or freshdesk
    #[arg(long, value_parser = clap::value_parser!(SimProviderArg))]
    provider: SimProviderArg,
    /// Number of articles.
    #[arg(long, default_value_t = 30)]
    articles: usize,
    /// Average image references per article document.
    #[arg(long, default_value_t = 3)]
    images_per_article: usize,
    /// Same seed, same data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// 0 picks a free port.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Requests per minute, or `off`; default: the provider's documented limit.
    #[arg(long)]
    rate_limit: Option<RateLimit>,
    /// The valid API key with every permission.
    #[arg(long, default_value = "sim-token")]
    token: String,
    /// A read-only key (HelpCenter.io Read Only, Help.Center content.read).
    #[arg(long)]
    read_only_token: Option<String>,
    /// The first N API requests answer 429.
    #[arg(long, default_value_t = 0)]
    burst_429: u32,
    /// The next N API requests answer 503.
    #[arg(long, default_value_t = 0)]
    error_5xx: u32,
    /// Delay every API response by this many milliseconds.
    #[arg(long, default_value_t = 0)]
    slow_ms: u64,
    /// Serve every PNG cut in half.
    #[arg(long)]
    truncate_images: bool,
    /// The article list answers 200 with invalid JSON.
    #[arg(long)]
    garbage_list: bool,
    /// Instead of serving: write three new screenshots for this help center
    /// (one per matching tier) into DIR, print them as JSON and exit.
    #[arg(long, value_name = "DIR")]
    write_replacements: Option<std::path::PathBuf>,
}

#[derive(Clone, Copy, Debug)]
struct SimProviderArg(SimProvider);

impl std::str::FromStr for SimProviderArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        s.parse().map(SimProviderArg)
    }
}

#[derive(Clone, Copy, Debug)]
struct RateLimit(u32);

impl std::str::FromStr for RateLimit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "off" {
            return Ok(RateLimit(0));
        }
        s.parse()
            .map(RateLimit)
            .map_err(|_| format!("expected a number or `off`, got {s:?}"))
    }
}

impl Args {
    fn options(self) -> SimOptions {
        let mut o = SimOptions::new(self.provider.0);
        o.articles = self.articles;
        o.images_per_article = self.images_per_article;
        o.seed = self.seed;
        o.port = self.port;
        o.rate_limit_per_minute = self.rate_limit.map(|r| r.0);
        o.token = self.token;
        o.read_only_token = self.read_only_token;
        o.faults = Faults {
            burst_429: self.burst_429,
            error_5xx: self.error_5xx,
            slow_ms: self.slow_ms,
            slow_images_ms: 0,
            truncate_images: self.truncate_images,
            garbage_list: self.garbage_list,
            unreadable_article: false,
        };
        o
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args = Args::parse();
    if let Some(dir) = args.write_replacements.clone() {
        let written = shotkeeper_sim::replacements::write_replacements(&args.options(), &dir)?;
        println!("{}", serde_json::to_string(&written)?);
        return Ok(());
    }
    let sim = start(args.options()).await?;
    let line = serde_json::json!({
        "api_base": sim.api_base,
        "site_base": sim.site_base,
        "token": sim.token,
        "settings": sim.settings,
        "expected": sim.expected,
    });
    println!("{line}");
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}
