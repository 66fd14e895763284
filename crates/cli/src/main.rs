//! `shotkeeper`: the headless front end. Each subcommand parses its
//! arguments, calls `shotkeeper_core`, and presents the result as a table or,
//! with `--json`, in the exact shapes of LaunchBrightly's import API. Errors are one line on
//! stderr and a non-zero exit status.

mod args;
mod capture_cmd;
mod commands;
mod exit;
mod output;
mod pipe;
mod progress;
mod serve_cmds;
mod team_key_cmd;
mod update_cmds;

use clap::{CommandFactory, FromArgMatches};

#[tokio::main]
async fn main() {
    let matches = args::Cli::command().get_matches();
    let name = command_name(&matches);
    let cli = args::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let data_dir = cli
        .data_dir
        .clone()
        .or_else(|| shotkeeper_core::App::default_data_dir().ok());
    let log_dir = data_dir
        .as_deref()
        .and_then(|d| shotkeeper_core::logging::log_dir_for(d).ok());
    if cli.paths {
        print_paths(
            data_dir.as_deref(),
            log_dir.as_deref(),
            cli.database.as_deref(),
        );
        std::process::exit(exit::OK);
    }
    init_logging(cli.verbose, log_dir);
    tracing::info!("{name}: started");
    let mut code = match commands::run(cli).await {
        Ok(()) => exit::OK,
        Err(e) => {
            pipe::errln!("error: {}", e.message);
            // The log file keeps what stderr said (stderr shows info with -v only).
            tracing::info!("{name}: error: {}", e.message);
            e.code
        }
    };
    if let Some(e) = pipe::finish() {
        pipe::errln!("error: could not write the output: {e}");
        if code == exit::OK {
            code = exit::FAILED;
        }
    }
    tracing::info!("{name}: exit {code}");
    std::process::exit(code);
}

/// The subcommand's name for the log file (`import`, `integration add`),
/// never its arguments.
fn command_name(matches: &clap::ArgMatches) -> String {
    let mut names = Vec::new();
    let mut current = matches;
    while let Some((sub, m)) = current.subcommand() {
        names.push(sub);
        current = m;
    }
    if names.is_empty() {
        "shotkeeper".into()
    } else {
        names.join(" ")
    }
}

/// `shotkeeper --paths`: what the desktop's About window shows.
fn print_paths(
    data_dir: Option<&std::path::Path>,
    log_dir: Option<&std::path::Path>,
    database: Option<&str>,
) {
    let show = |p: Option<&std::path::Path>| {
        p.map(|p| p.display().to_string())
            .unwrap_or_else(|| "(no home directory: pass --data-dir DIR)".into())
    };
    println!("version         {}", env!("CARGO_PKG_VERSION"));
    println!("data directory  {}", show(data_dir));
    println!("log directory   {}", show(log_dir));
    // Where the rows are: the team's PostgreSQL (password hidden), or the
    // data directory's SQLite file.
    let database = match database {
        Some(url) => shotkeeper_core::db::Database::from_url(url)
            .map(|d| d.describe())
            .unwrap_or_else(|e| format!("(not usable: {e})")),
        // The team chosen in the desktop app's Settings › Team, if any.
        None => data_dir
            .map(|d| match shotkeeper_core::team::status(d) {
                Ok(s) => s
                    .team_database
                    .map(|t| format!("{t} (team, from Settings › Team)"))
                    .unwrap_or(s.local_database),
                Err(e) => format!("(not usable: {e})"),
            })
            .unwrap_or_else(|| "(no home directory: pass --data-dir DIR)".into()),
    };
    println!("database        {database}");
}

/// Logs go to a daily log file in the log directory (info and up; see
/// `shotkeeper --paths`) and to stderr, where they are off by default
/// (warnings only); `-v` shows info, `-vv` debug. A panic leaves a crash
/// report beside the log files. Secrets never reach them: core never
/// formats a secret.
fn init_logging(verbose: u8, log_dir: Option<std::path::PathBuf>) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let Some(dir) = log_dir else {
        let filter = tracing_subscriber::EnvFilter::try_from_env("SHOTKEEPER_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
        return;
    };
    let mut options = shotkeeper_core::logging::LogOptions::new("cli", dir);
    options.stderr_level = Some(level.into());
    if verbose >= 2 {
        options.file_level = "debug".into();
    }
    let logging = shotkeeper_core::logging::init(options);
    if let Some(e) = logging.file_error {
        // Not worth a line on stderr for every command: the command itself
        // says what is wrong with an unusable data directory.
        tracing::info!("{e}");
    }
}
