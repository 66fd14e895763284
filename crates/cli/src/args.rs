//! The command-line shape. Scripts and CI pipelines call exactly this.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "shotkeeper",
    version,
    about = "Keep the screenshots in your help center current",
    arg_required_else_help = true
)]
pub struct Cli {
    /// Directory holding the SQLite database and thumbnails (default: the platform data directory).
    #[arg(long, global = true, env = "SHOTKEEPER_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// A team's PostgreSQL (postgres://USER:PASSWORD@HOST:PORT/DATABASE)
    /// instead of the data directory's SQLite file: every member's CLI,
    /// desktop app and `serve` then work on the same imports, plans and
    /// revisions. Thumbnails stay in the data directory unless the team
    /// shares files (`team-files`).
    #[arg(
        long,
        global = true,
        env = "SHOTKEEPER_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub database: Option<String>,

    /// The name recorded on the import jobs you start and the revisions you
    /// write, so a team sees who did what (default: your OS user name).
    #[arg(long = "as", global = true, env = "SHOTKEEPER_AS", value_name = "NAME")]
    pub actor: Option<String>,

    /// File holding the 64-hex-digit key that seals integration secrets in
    /// the database where no OS keychain is (servers); see `secret-key generate`.
    /// SHOTKEEPER_SECRET_KEY gives the key itself instead.
    #[arg(
        long,
        global = true,
        env = "SHOTKEEPER_SECRET_KEY_FILE",
        value_name = "FILE"
    )]
    pub secret_key_file: Option<PathBuf>,

    /// Show logs on stderr (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Print the version, the data directory and the log directory (log
    /// files and crash reports to send with a problem report), then exit.
    #[arg(long)]
    pub paths: bool,

    /// Required unless --paths is given.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add, list, show, update, delete and verify integrations.
    #[command(subcommand)]
    Integration(IntegrationCmd),
    /// Import every article and image of a help-center integration.
    Import {
        integration_id: String,
        /// Resume an interrupted or cancelled job instead of starting a new one.
        #[arg(long, value_name = "JOB_ID")]
        resume: Option<String>,
        /// Most image downloads in flight at once per image host (fewer
        /// while the CPU, not the network, limits the import).
        #[arg(long, default_value_t = shotkeeper_core::import::DEFAULT_IMAGE_CONCURRENCY)]
        concurrency: usize,
        #[arg(long)]
        json: bool,
    },
    /// List past import jobs.
    Jobs {
        #[arg(long)]
        json: bool,
    },
    /// Show an import job's results in one of the two dimensions of LaunchBrightly's import API.
    Job {
        job_id: String,
        #[arg(long, default_value = "images", value_parser = ["images", "articles"])]
        dimension: String,
        #[arg(long)]
        json: bool,
    },
    /// Fetch one article live from the help center and analyse its images.
    Article {
        integration_id: String,
        /// The provider's article id; `ID@locale` for a translation.
        external_id: String,
        #[arg(long)]
        json: bool,
    },
    /// List broken images with the articles that use them.
    Broken {
        job_id: String,
        #[arg(long)]
        json: bool,
    },
    /// Run a local demo help center (simulator) and print how to connect to it.
    Demo(DemoArgs),
    /// Take the screenshots a scenarios file (shots.toml) describes with headless Chromium; see README "Capture".
    Capture(CaptureArgs),
    /// Match new screenshots against an import and make an update plan.
    Match {
        job_id: String,
        /// Screenshot files or folders of them.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Only this article (its external id, `ID@locale` for a translation).
        #[arg(long)]
        article: Option<String>,
        /// S3/R2 integration the new images will be uploaded to (default: the help center's own upload).
        #[arg(long)]
        storage: Option<String>,
        /// Largest perceptual-hash distance (bits of 256 that differ) that still matches (default 40).
        #[arg(long)]
        threshold: Option<u32>,
        /// Compare each match with the old image and print the changed share.
        #[arg(long)]
        diff: bool,
        #[arg(long)]
        json: bool,
    },
    /// The LaunchBrightly import API's "update an article": match screenshots against one article as it is now and update it.
    Update {
        integration_id: String,
        external_id: String,
        /// Screenshot files, folders, or a JSON file with a list of {metadata, hash, name, url}.
        #[arg(long, required = true, num_args = 1..)]
        screenshots: Vec<PathBuf>,
        #[arg(long)]
        storage: Option<String>,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Apply an update plan made by `match`.
    Apply {
        plan_id: String,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// List the revisions of an article (newest first).
    Revisions {
        /// The article's external id (`ID@locale` for a translation).
        article: String,
        /// Only revisions made through this integration.
        #[arg(long)]
        integration: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Put an article back as it was before a revision.
    Rollback {
        revision_id: String,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Find images that need care: broken, no alt text, heavy, insecure, hotlinked, duplicated, old.
    Audit {
        job_id: String,
        /// Images above this many KiB are heavy (default: the help center's
        /// audit settings from the desktop app, else 500).
        #[arg(long)]
        heavy_kib: Option<u64>,
        /// Images last modified more than this many days ago are old
        /// (default: the help center's audit settings, else 365).
        #[arg(long)]
        old_days: Option<i64>,
        /// Print the findings as CSV instead of a table.
        #[arg(long, conflicts_with = "json")]
        csv: bool,
        #[arg(long)]
        json: bool,
    },
    /// Serve LaunchBrightly's import/sync and Integration REST API over this data directory.
    Serve(ServeArgs),
    /// Create, list and revoke the keys of the REST API (`serve`).
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCmd),
    /// Make the key that seals integration secrets where no OS keychain is.
    #[command(subcommand, name = "secret-key")]
    SecretKey(SecretKeyCmd),
    /// Show or choose the S3/R2 storage integration that keeps a team's
    /// thumbnails and screenshots, so every member's app shows them.
    #[command(name = "team-files")]
    TeamFiles {
        /// The storage integration to keep them in (checked for write access).
        #[arg(long, value_name = "INTEGRATION_ID", conflicts_with = "off")]
        storage: Option<String>,
        /// Stop sharing: each machine keeps its own files again.
        #[arg(long)]
        off: bool,
        #[arg(long)]
        json: bool,
    },
    /// The team key that seals integration secrets in a team database:
    /// check the key held, or rotate it.
    #[command(subcommand, name = "team-key")]
    TeamKey(TeamKeyCmd),
}

#[derive(Debug, Subcommand)]
pub enum TeamKeyCmd {
    /// Check that the key held (--secret-key-file, SHOTKEEPER_SECRET_KEY or
    /// this data directory's keychain entry) is the team's current key;
    /// exits 3 (credentials) when it is not.
    Check {
        #[arg(long)]
        json: bool,
    },
    /// Re-seal every integration secret under a new team key, in one
    /// transaction, and write the new key to FILE (which must not exist).
    /// Every member then needs the new key.
    Rotate {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on. Loopback by default; any other
    /// address needs --tls-cert/--tls-key (or --insecure-listen).
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub listen: std::net::SocketAddr,
    /// PEM certificate chain: serve HTTPS.
    #[arg(long, requires = "tls_key", value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, requires = "tls_cert", value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// Listen on a non-loopback address over plain HTTP. API keys and
    /// integration secrets then cross the network readable by anyone on it:
    /// only on a network you trust completely.
    #[arg(long)]
    pub insecure_listen: bool,
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCmd {
    /// Create a key and print it once; only its hash is kept.
    Create {
        #[arg(long)]
        label: String,
        #[arg(long)]
        json: bool,
    },
    /// List keys (label, created, last used; never the key).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key: requests with it are refused from now on.
    Revoke {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SecretKeyCmd {
    /// Write a new random key to FILE (readable by you only), or print it.
    Generate {
        /// Where to write the key; refuses to overwrite an existing file.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// helpjuice, helpcenterio, helpcenter, zendesk, intercom, helpscout, knowledgeowl or freshdesk.
    #[arg(long, default_value = "helpcenter")]
    pub provider: String,
    #[arg(long, default_value_t = 40)]
    pub articles: usize,
    /// Connect it as an integration, import it, print the results and exit.
    #[arg(long)]
    pub import: bool,
}

#[derive(Debug, Subcommand)]
pub enum IntegrationCmd {
    /// Add an integration. Provider settings use the provider's own terms:
    ///   helpjuice: account (your-account in your-account.helpjuice.com)
    ///   helpcenterio: (none; the API key identifies the site)
    ///   helpcenter: center_id (Settings > General > API)
    ///   s3: bucket, region, [endpoint, path_style=true, public_base_url, prefix], access_key_id
    ///   r2: account_id, bucket, [public_base_url, prefix], access_key_id
    ///   any help center: requests_per_minute=N overrides the documented rate limit (0 = off);
    ///   rate_limit_wait_seconds=S overrides the documented wait after a bare 429
    Add {
        /// zendesk, intercom, helpscout, helpjuice, freshdesk, knowledgeowl, helpcenterio, helpcenter, s3 or r2.
        provider: String,
        #[arg(long)]
        label: String,
        /// Override the provider's API base URL (simulators, staging, self-hosted gateways):
        /// the help center's address or its API base; the API path is added when missing.
        #[arg(long)]
        base_url: Option<String>,
        /// A provider setting, KEY=VALUE; repeat for several.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        settings: Vec<String>,
        #[command(flatten)]
        secret: SecretArgs,
        #[arg(long)]
        json: bool,
    },
    /// List integrations.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one integration (never its secret).
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Change an integration's label, base URL, settings or secret.
    Update {
        id: String,
        #[arg(long)]
        label: Option<String>,
        /// New base URL; an empty value removes the override.
        #[arg(long)]
        base_url: Option<String>,
        /// Replace a setting, KEY=VALUE (KEY= removes it); repeat for several.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        settings: Vec<String>,
        #[command(flatten)]
        secret: OptionalSecretArgs,
        #[arg(long)]
        json: bool,
    },
    /// Make one cheap authenticated call and say whether it worked.
    Verify {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete an integration and its keychain entry.
    Delete {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct SecretArgs {
    /// Read the secret from this environment variable at run time; nothing secret is stored.
    #[arg(long, value_name = "NAME")]
    pub secret_env: Option<String>,
    /// Read the secret from standard input and store it in the OS keychain.
    #[arg(long)]
    pub secret_stdin: bool,
}

#[derive(Debug, Args)]
#[group(required = false, multiple = false)]
pub struct OptionalSecretArgs {
    #[arg(long, value_name = "NAME")]
    pub secret_env: Option<String>,
    #[arg(long)]
    pub secret_stdin: bool,
}

#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// The scenarios file (shots.toml).
    pub shots: PathBuf,
    /// Only the scenarios with these ids.
    #[arg(long, num_args = 1.., value_name = "ID")]
    pub only: Vec<String>,
    /// Folder the PNGs are written to, one ID.png per scenario.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Join the scenarios' relative URLs to this base instead of the file's
    /// [defaults] base_url (read as a folder: a missing trailing / is added),
    /// e.g. the demo app's URL that `shotkeeper demo` prints.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Scenarios captured at once (browser tabs).
    #[arg(long, default_value_t = shotkeeper_core::capture::DEFAULT_TABS)]
    pub tabs: usize,
    /// Chromium or Chrome executable (default: the one chosen in the desktop's Settings › Capture, else chromium on PATH).
    #[arg(long, env = "SHOTKEEPER_CHROMIUM", value_name = "PATH")]
    pub browser: Option<PathBuf>,
    /// Also match the captures against this import and make an update plan (as `match` does).
    #[arg(long = "match", value_name = "JOB_ID")]
    pub match_job: Option<String>,
    /// With --match: S3/R2 integration the new images will be uploaded to.
    #[arg(long, requires = "match_job")]
    pub storage: Option<String>,
    /// With --match: apply the plan at once (every article updated, its
    /// previous content kept as a revision) and print the update's result,
    /// for unattended runs.
    #[arg(long, requires = "match_job")]
    pub apply: bool,
    #[arg(long)]
    pub json: bool,
}
