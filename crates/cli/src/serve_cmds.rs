//! `serve`, `api-key` and `secret-key`: the REST API and what it needs.

use std::io::Write;
use std::path::Path;

use shotkeeper_core::sealed::{self, SealingKey};
use shotkeeper_core::App;

use crate::args::{ApiKeyCmd, SecretKeyCmd, ServeArgs};
use crate::commands::{CliError, CliResult};
use crate::exit;
use crate::output::show;
use crate::pipe::{errln, outln};

/// Configures the sealed secret store from --secret-key-file or
/// SHOTKEEPER_SECRET_KEY (the file wins when both are given).
pub fn configure_secret_key(file: Option<&Path>) -> CliResult {
    let key = match file {
        Some(f) => Some(SealingKey::from_file(f)?),
        None => SealingKey::from_env()?,
    };
    sealed::configure(key);
    Ok(())
}

pub fn secret_key(cmd: SecretKeyCmd) -> CliResult {
    let SecretKeyCmd::Generate { out } = cmd;
    let key = SealingKey::generate();
    match out {
        None => {
            outln!("{}", key.to_hex());
            Ok(())
        }
        Some(path) => {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut f = options.open(&path).map_err(|e| CliError {
                message: format!(
                    "could not create {} ({e}); it must not exist yet, so an existing key is never overwritten",
                    path.display()
                ),
                code: exit::BAD_INPUT,
            })?;
            writeln!(f, "{}", key.to_hex()).map_err(|e| CliError {
                message: format!("could not write {}: {e}", path.display()),
                code: exit::FAILED,
            })?;
            errln!(
                "wrote a new secret key to {}: keep it safe and start the server with --secret-key-file {}; secrets sealed under it cannot be read without it",
                path.display(),
                path.display()
            );
            Ok(())
        }
    }
}

pub async fn api_key(app: &App, cmd: ApiKeyCmd) -> CliResult {
    match cmd {
        ApiKeyCmd::Create { label, json } => show(&app.create_api_key(&label).await?, json),
        ApiKeyCmd::List { json } => show(app.list_api_keys().await?.as_slice(), json),
        ApiKeyCmd::Revoke { id, json } => show(&app.revoke_api_key(&id).await?, json),
    }
}

pub async fn serve(app: &App, args: ServeArgs) -> CliResult {
    let opts = shotkeeper_server::ServeOptions {
        listen: args.listen,
        tls: args.tls_cert.zip(args.tls_key),
        insecure_listen: args.insecure_listen,
        take_queued_jobs: true,
    };
    let https = opts.tls.is_some();
    let bound = shotkeeper_server::start(app.clone(), opts, stop_signal())
        .await
        .map_err(|e| CliError {
            message: e.0,
            code: exit::BAD_INPUT,
        })?;
    if app
        .list_api_keys()
        .await?
        .iter()
        .all(|k| k.revoked_at.is_some())
    {
        errln!("no live API key: every request but GET /healthz will be refused; create one with `shotkeeper api-key create --label NAME`");
    }
    errln!(
        "serving LaunchBrightly's import/sync and Integration API on {}://{} (Ctrl-C stops)",
        if https { "https" } else { "http" },
        bound.addr
    );
    bound.wait().await.map_err(|e| CliError {
        message: e.0,
        code: exit::FAILED,
    })
}

/// Ctrl-C or SIGTERM (what service managers send).
async fn stop_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
