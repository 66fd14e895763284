//! `shotkeeper`: the headless front end. Each subcommand parses its
//! arguments, calls `shotkeeper_core`, and presents the result as a table or,
//! with `--json`, in the exact shapes of LaunchBrightly's import API. Errors are one line on
//! stderr and a non-zero exit status.

mod args;
mod commands;
mod exit;
mod output;
mod pipe;
mod progress;
mod serve_cmds;
mod update_cmds;

use clap::Parser;

#[tokio::main]
async fn main() {
    let cli = args::Cli::parse();
    init_logging(cli.verbose);
    let mut code = match commands::run(cli).await {
        Ok(()) => exit::OK,
        Err(e) => {
            pipe::errln!("error: {}", e.message);
            e.code
        }
    };
    if let Some(e) = pipe::finish() {
        pipe::errln!("error: could not write the output: {e}");
        if code == exit::OK {
            code = exit::FAILED;
        }
    }
    std::process::exit(code);
}

/// Logs go to stderr, off by default; `-v` shows them. Secrets never reach
/// them: core never formats a secret.
fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("SHOTKEEPER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
