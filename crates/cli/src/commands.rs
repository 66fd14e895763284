//! One function per subcommand: parse, call core, present.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

use shotkeeper_core::integrations::{NewIntegration, SecretInput, UpdateIntegration};
use shotkeeper_core::model::{Dimension, ProviderKind, VerifyResult};
use shotkeeper_core::providers::ArticleRef;
use shotkeeper_core::{App, CoreError};
use tokio_util::sync::CancellationToken;

use crate::args::{Cli, Command, DemoArgs, IntegrationCmd, OptionalSecretArgs, SecretArgs};
use crate::pipe::errln;
use crate::{exit, output, progress};

/// A failure as the shell sees it: one line and an exit status.
pub struct CliError {
    pub message: String,
    pub code: i32,
}

impl From<CoreError> for CliError {
    fn from(e: CoreError) -> Self {
        let code = match &e {
            CoreError::Invalid(_)
            | CoreError::InvalidSetting { .. }
            | CoreError::NotFound { .. }
            | CoreError::WrongBaseUrl { .. }
            | CoreError::Scenarios { .. } => exit::BAD_INPUT,
            CoreError::BadCredentials { .. }
            | CoreError::Forbidden { .. }
            | CoreError::SecretMissing { .. }
            | CoreError::TeamKeyMissing { .. }
            | CoreError::WrongTeamKey { .. } => exit::CREDENTIALS,
            CoreError::KeychainUnavailable { .. } | CoreError::NoSecretStore { .. } => {
                exit::NO_KEYCHAIN
            }
            CoreError::Cancelled => exit::CANCELLED,
            _ => exit::FAILED,
        };
        let mut message = e.to_string();
        if let CoreError::InvalidSetting { key, example, .. } = &e {
            // Core names the setting; the command line says how to give it.
            message.push_str(&format!(
                ". Set it with --set {key}=VALUE, for example --set {key}={example}"
            ));
        }
        if let CoreError::DatabaseUnreachable { .. } = &e {
            message.push_str(" (the address comes from --database, SHOTKEEPER_DATABASE_URL, or the desktop app's Settings › Team)");
        }
        if matches!(
            e,
            CoreError::KeychainUnavailable { .. } | CoreError::NoSecretStore { .. }
        ) {
            // The command line has a way round a missing keychain.
            message.push_str(". On a headless machine, add the integration with --secret-env NAME so the secret is read from that environment variable at run time");
        }
        CliError { message, code }
    }
}

fn usage(message: impl Into<String>) -> CliError {
    CliError {
        message: message.into(),
        code: exit::BAD_INPUT,
    }
}

/// Exit 5 when some of the work failed and the rest was done: the output
/// above lists what failed.
pub fn partly_failed(failed: u64, what: &str) -> CliResult {
    if failed == 0 {
        return Ok(());
    }
    Err(CliError {
        message: format!("{failed} {what} failed; everything else was done (see above)"),
        code: exit::PARTLY_FAILED,
    })
}

pub type CliResult = Result<(), CliError>;

pub async fn run(cli: Cli) -> CliResult {
    let data_dir = match cli.data_dir {
        Some(d) => d,
        None => App::default_data_dir()?,
    };
    let Some(command) = cli.command else {
        return Err(usage("no command given: see shotkeeper --help"));
    };
    if let Command::SecretKey(cmd) = command {
        return crate::serve_cmds::secret_key(cmd);
    }
    crate::serve_cmds::configure_secret_key(cli.secret_key_file.as_deref())?;
    // --database and --as when given, else the team and name chosen in the
    // desktop app's Settings › Team for this data directory.
    let app =
        shotkeeper_core::team::open_app(&data_dir, cli.database.as_deref(), cli.actor.as_deref())
            .await?;
    match command {
        Command::Serve(args) => crate::serve_cmds::serve(&app, args).await,
        Command::ApiKey(cmd) => crate::serve_cmds::api_key(&app, cmd).await,
        Command::TeamFiles { storage, off, json } => {
            let status = match (storage, off) {
                (Some(id), _) => app.set_shared_files(Some(&id)).await?,
                (None, true) => app.set_shared_files(None).await?,
                (None, false) => app.shared_files_status().await?,
            };
            output::show(&status, json)
        }
        Command::TeamKey(cmd) => crate::team_key_cmd::run(&app, cmd).await,
        Command::Integration(cmd) => integration(&app, cmd).await,
        Command::Import {
            integration_id,
            resume,
            concurrency,
            json,
        } => import(&app, &integration_id, resume, concurrency, json).await,
        Command::Jobs { json } => output::show(app.list_jobs().await?.as_slice(), json),
        Command::Job {
            job_id,
            dimension,
            json,
        } => {
            let dim: Dimension = dimension.parse()?;
            output::show(
                &output::Shown {
                    value: &app.job_view(&job_id, Some(dim)).await?,
                    how: dim,
                },
                json,
            )
        }
        Command::Article {
            integration_id,
            external_id,
            json,
        } => {
            let article = ArticleRef::parse(&external_id);
            output::show(
                &app.retrieve_article(&integration_id, &article).await?,
                json,
            )
        }
        Command::Broken { job_id, json } => {
            output::show(app.broken_images(&job_id).await?.as_slice(), json)
        }
        Command::Demo(args) => demo(&app, args).await,
        Command::Capture(args) => crate::capture_cmd::run(&app, args).await,
        other => crate::update_cmds::run(&app, other).await,
    }
}

fn parse_settings(pairs: &[String]) -> Result<BTreeMap<String, String>, CliError> {
    pairs
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .ok_or_else(|| usage(format!("--set '{p}' is not KEY=VALUE")))
        })
        .collect()
}

fn read_secret_stdin() -> Result<String, CliError> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).map_err(|e| {
        usage(format!(
            "could not read the secret from standard input: {e}"
        ))
    })?;
    let s = s.trim().to_owned();
    if s.is_empty() {
        return Err(usage("standard input was empty: pipe the secret in, e.g. `printf %s \"$TOKEN\" | shotkeeper integration add ... --secret-stdin`"));
    }
    Ok(s)
}

fn secret_input(
    secret_env: Option<String>,
    secret_stdin: bool,
) -> Result<Option<SecretInput>, CliError> {
    Ok(match (secret_env, secret_stdin) {
        (Some(name), _) => Some(SecretInput::Env { name }),
        (None, true) => Some(SecretInput::Value {
            value: read_secret_stdin()?,
        }),
        (None, false) => None,
    })
}

async fn integration(app: &App, cmd: IntegrationCmd) -> CliResult {
    match cmd {
        IntegrationCmd::Add {
            provider,
            label,
            base_url,
            settings,
            secret:
                SecretArgs {
                    secret_env,
                    secret_stdin,
                },
            json,
        } => {
            let provider: ProviderKind = provider.parse()?;
            let secret = secret_input(secret_env, secret_stdin)?
                .ok_or_else(|| usage("give --secret-env NAME or --secret-stdin"))?;
            let input = NewIntegration {
                label,
                provider,
                base_url,
                settings: parse_settings(&settings)?,
                secret,
            };
            output::show(&app.add_integration(input).await?, json)
        }
        IntegrationCmd::List { json } => {
            output::show(app.list_integrations().await?.as_slice(), json)
        }
        IntegrationCmd::Show { id, json } => output::show(&app.get_integration(&id).await?, json),
        IntegrationCmd::Update {
            id,
            label,
            base_url,
            settings,
            secret:
                OptionalSecretArgs {
                    secret_env,
                    secret_stdin,
                },
            json,
        } => {
            let current = app.get_integration(&id).await?;
            let settings = if settings.is_empty() {
                None
            } else {
                let mut merged = current.integration.settings.clone();
                merged.extend(parse_settings(&settings)?);
                Some(merged)
            };
            let input = UpdateIntegration {
                label,
                base_url,
                settings,
                secret: secret_input(secret_env, secret_stdin)?,
            };
            output::show(&app.update_integration(&id, input).await?, json)
        }
        IntegrationCmd::Verify { id, json } => {
            // The exit status follows the reason: 3 only for refused
            // credentials, 2 for a wrong base URL or setting, 1 otherwise.
            app.get_integration(&id).await?;
            let (result, failure) = match app.check_integration(&id).await {
                Ok(message) => (
                    VerifyResult {
                        is_connection_successful: true,
                        message,
                    },
                    None,
                ),
                Err(e @ CoreError::Db(_)) => return Err(e.into()),
                Err(e) => (
                    VerifyResult {
                        is_connection_successful: false,
                        message: e.to_string(),
                    },
                    Some(CliError::from(e).code),
                ),
            };
            output::show(&result, json)?;
            match failure {
                None => Ok(()),
                Some(code) => Err(CliError {
                    message: "verification failed".into(),
                    code,
                }),
            }
        }
        IntegrationCmd::Delete { id, json } => {
            app.delete_integration(&id).await?;
            output::show(
                &output::Deleted {
                    id: &id,
                    deleted: true,
                },
                json,
            )
        }
    }
}

async fn import(
    app: &App,
    integration_id: &str,
    resume: Option<String>,
    concurrency: usize,
    json: bool,
) -> CliResult {
    let cancel = CancellationToken::new();
    let on_ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            errln!("\ncancelling… (the job can be resumed)");
            on_ctrl_c.cancel();
        }
    });
    let printer = Arc::new(progress::Printer::new());
    let sink = printer.clone();
    let options = shotkeeper_core::import::ImportOptions {
        image_concurrency: concurrency.max(1),
        ..Default::default()
    };
    let result = app
        .run_import_with(
            integration_id,
            resume,
            options,
            Arc::new(move |p| sink.show(&p)),
            cancel,
        )
        .await;
    printer.finish();
    match result {
        Ok(view) => {
            output::show(&view, json)?;
            partly_failed(view.total.articles.failed, "article(s)")
        }
        Err(CoreError::Cancelled) => Err(CliError {
            message: match printer.job_id() {
                Some(job) => format!("import cancelled; resume it with `shotkeeper import {integration_id} --resume {job}`"),
                None => "import cancelled".into(),
            },
            code: exit::CANCELLED,
        }),
        Err(e) => {
            let mut err = CliError::from(e);
            if let Some(job) = printer.job_id() {
                err.message.push_str(&format!(" (resume with `shotkeeper import {integration_id} --resume {job}`)"));
            }
            Err(err)
        }
    }
}

/// Starts a simulator in this process, connects it, and either serves until
/// Ctrl-C or imports it once and prints the result.
async fn demo(app: &App, args: DemoArgs) -> CliResult {
    let provider = match args.provider.as_str() {
        "helpjuice" => shotkeeper_sim::SimProvider::Helpjuice,
        "helpcenterio" => shotkeeper_sim::SimProvider::Helpcenterio,
        "helpcenter" => shotkeeper_sim::SimProvider::Helpcenter,
        "helpscout" => shotkeeper_sim::SimProvider::Helpscout,
        "knowledgeowl" => shotkeeper_sim::SimProvider::Knowledgeowl,
        "zendesk" => shotkeeper_sim::SimProvider::Zendesk,
        "intercom" => shotkeeper_sim::SimProvider::Intercom,
        "freshdesk" => shotkeeper_sim::SimProvider::Freshdesk,
        other => {
            return Err(usage(format!(
                "no demo for '{other}': use helpjuice, helpcenterio, helpcenter, helpscout, knowledgeowl, zendesk, intercom or freshdesk"
            )))
        }
    };
    let mut options = shotkeeper_sim::SimOptions::new(provider);
    options.articles = args.articles;
    let sim = shotkeeper_sim::start(options).await.map_err(|e| CliError {
        message: format!("could not start the demo help center: {e}"),
        code: exit::FAILED,
    })?;
    let kind: ProviderKind = args.provider.parse()?;
    let demo = shotkeeper_core::app::DemoHelpCenter {
        provider: kind,
        api_base: sim.api_base.clone(),
        token: sim.token.clone(),
        settings: sim.settings.clone(),
    };
    let integration = app.ensure_demo(demo).await?;
    errln!(
        "demo help center at {} — integration {}",
        sim.site_base,
        integration.integration.id
    );
    errln!(
        "demo app (the product its articles show) at {} — capture it with: shotkeeper capture demo/shots.toml --base-url {} --out shots",
        sim.app_base(),
        sim.app_base()
    );
    if args.import {
        import(app, &integration.integration.id, None, 8, false).await?;
        sim.shutdown().await;
        return Ok(());
    }
    errln!(
        "serving until Ctrl-C; in another terminal: shotkeeper import {}",
        integration.integration.id
    );
    let _ = tokio::signal::ctrl_c().await;
    sim.shutdown().await;
    Ok(())
}
