//! Log files a person can send, and crash reports beside them.
//!
//! Every front end (the desktop shell, the `shotkeeper` CLI, `serve`) calls
//! [`init`] once at start. It writes a daily-rotated log file, keeping the
//! last [`KEEP_LOG_FILES`], in the log directory, mirrors what the front end
//! wants on stderr, and installs a panic hook that writes a short crash
//! report (`crash-*.txt`) there before the process ends.
//!
//! Where: the platform log directory Tauri calls `app_log_dir` (Linux:
//! `$XDG_DATA_HOME/app.shotkeeper.desktop/logs`, macOS:
//! `~/Library/Logs/app.shotkeeper.desktop`, Windows:
//! `%LOCALAPPDATA%\app.shotkeeper.desktop\logs`), so the desktop's Help menu
//! and `shotkeeper --paths` name the same folder. A data directory chosen
//! with `--data-dir` or `SHOTKEEPER_DATA_DIR` keeps its logs in its own
//! `logs` folder (so a test or a second setup never writes into the
//! person's own logs); `SHOTKEEPER_LOG_DIR` overrides both.
//!
//! Secrets: core never formats a secret into a message (see `error.rs`),
//! and the HTTP and storage libraries, whose debug output carries request
//! details, are held at `warn` in the file whatever `SHOTKEEPER_LOG` asks.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::app::{App, APP_IDENTIFIER};
use crate::error::{CoreError, Result};

/// Daily files kept in the log directory per program; older ones are deleted.
pub const KEEP_LOG_FILES: usize = 7;

/// Environment variable that moves the log directory.
pub const LOG_DIR_ENV: &str = "SHOTKEEPER_LOG_DIR";

/// Libraries whose debug output can carry request details (headers, URLs
/// with query strings): never below `warn` in a log file.
const QUIET_LIBRARIES: &str = "hyper=warn,hyper_util=warn,reqwest=warn,h2=warn,rustls=warn,\
aws_smithy_runtime=warn,aws_smithy_http_client=warn,aws_sdk_s3=warn,aws_sigv4=warn,\
sqlx=warn,tao=warn,wry=warn";

/// The platform log directory (Tauri's `app_log_dir` for our identifier).
pub fn default_log_dir() -> Result<PathBuf> {
    let dirs = directories::BaseDirs::new().ok_or_else(|| {
        CoreError::Invalid(format!(
            "no home directory to keep logs in: set {LOG_DIR_ENV}=DIR"
        ))
    })?;
    if cfg!(target_os = "macos") {
        Ok(dirs.home_dir().join("Library/Logs").join(APP_IDENTIFIER))
    } else {
        Ok(dirs.data_local_dir().join(APP_IDENTIFIER).join("logs"))
    }
}

/// The log directory for a process working on `data_dir`: `SHOTKEEPER_LOG_DIR`
/// when set; the platform log directory when `data_dir` is the default one;
/// otherwise `data_dir/logs`.
pub fn log_dir_for(data_dir: &Path) -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os(LOG_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    match App::default_data_dir() {
        Ok(default) if default == data_dir => default_log_dir(),
        _ => Ok(data_dir.join("logs")),
    }
}

/// What a front end asks of [`init`].
#[derive(Debug, Clone)]
pub struct LogOptions {
    /// `desktop`, `cli` or `server`: names the log files (`desktop.2026-11-30.log`)
    /// and the crash reports.
    pub program: &'static str,
    /// Where the files go (see [`log_dir_for`]).
    pub dir: PathBuf,
    /// Filter for the log file when `SHOTKEEPER_LOG` is not set (`info`).
    pub file_level: String,
    /// Filter for stderr (`SHOTKEEPER_LOG` wins when set); `None`: nothing on stderr.
    pub stderr_level: Option<String>,
}

impl LogOptions {
    pub fn new(program: &'static str, dir: PathBuf) -> LogOptions {
        LogOptions {
            program,
            dir,
            file_level: "info".into(),
            stderr_level: Some("warn".into()),
        }
    }
}

/// What [`init`] set up.
#[derive(Debug, Clone)]
pub struct Logging {
    pub dir: PathBuf,
    /// Why there is no log file (the directory could not be created), when so:
    /// the program goes on with stderr only and can say so.
    pub file_error: Option<String>,
}

/// Installs the global subscriber (log file + stderr) and the crash-report
/// panic hook. Call once, first thing in `main`. Never fails: a log
/// directory that cannot be created leaves stderr logging and says why in
/// [`Logging::file_error`], for the front end to show as it sees fit.
pub fn init(options: LogOptions) -> Logging {
    let from_env = std::env::var("SHOTKEEPER_LOG")
        .ok()
        .filter(|s| !s.trim().is_empty());
    let file_filter = format!(
        "{},{QUIET_LIBRARIES}",
        from_env.as_deref().unwrap_or(&options.file_level)
    );
    let stderr_layer = options.stderr_level.as_ref().map(|level| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_filter(EnvFilter::new(from_env.as_deref().unwrap_or(level)))
    });

    let (file_layer, file_error) = match open_appender(&options) {
        Ok(appender) => (
            Some(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    // Synchronous writes: the desktop's event loop ends the
                    // process with `exit`, which would drop lines still
                    // queued in a background writer.
                    .with_writer(appender)
                    .with_filter(EnvFilter::new(file_filter)),
            ),
            None,
        ),
        Err(e) => (None, Some(e)),
    };

    // A second call (tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(stderr_layer)
        .with(file_layer)
        .try_init();
    install_crash_reporter(options.program, options.dir.clone());
    if file_error.is_none() {
        tracing::info!(
            "Shotkeeper {} {} started (pid {}); logs in {}",
            options.program,
            env!("CARGO_PKG_VERSION"),
            std::process::id(),
            options.dir.display()
        );
    }
    Logging {
        dir: options.dir,
        file_error,
    }
}

fn open_appender(options: &LogOptions) -> std::result::Result<RollingFileAppender, String> {
    let cannot = |e: &dyn std::fmt::Display| {
        format!(
            "cannot write log files in {}: {e}; logging to stderr only (set {LOG_DIR_ENV}=DIR to choose another folder)",
            options.dir.display()
        )
    };
    std::fs::create_dir_all(&options.dir).map_err(|e| cannot(&e))?;
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(options.program)
        .filename_suffix("log")
        .max_log_files(KEEP_LOG_FILES)
        .build(&options.dir)
        .map_err(|e| cannot(&e))
}

/// Installs a panic hook that writes a crash report in `dir` (and logs
/// where), then runs the hook that was there before (the message on stderr).
pub fn install_crash_reporter(program: &'static str, dir: PathBuf) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = panic_message(info.payload());
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_else(|| "unknown".into());
        let backtrace = std::backtrace::Backtrace::force_capture().to_string();
        match write_crash_report(&dir, program, &message, &location, &backtrace) {
            Ok(path) => {
                tracing::error!(
                    "panic at {location}: {message}; crash report: {}",
                    path.display()
                );
                eprintln!(
                    "Shotkeeper stopped on an internal error. A crash report was written to {}; please attach it (and the log files beside it) when you report the problem.",
                    path.display()
                );
            }
            Err(e) => tracing::error!(
                "panic at {location}: {message}; the crash report could not be written in {}: {e}",
                dir.display()
            ),
        }
        previous(info);
    }));
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}

/// Writes `crash-<program>-<UTC time>-<pid>.txt` in `dir` and returns its path.
pub fn write_crash_report(
    dir: &Path,
    program: &str,
    message: &str,
    location: &str,
    backtrace: &str,
) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let now = chrono::Utc::now();
    let path = dir.join(format!(
        "crash-{program}-{}-{}.txt",
        now.format("%Y%m%dT%H%M%SZ"),
        std::process::id()
    ));
    let thread = std::thread::current();
    let mut text = String::new();
    let _ = writeln!(text, "Shotkeeper crash report");
    let _ = writeln!(text, "program:  {program}");
    let _ = writeln!(text, "version:  {}", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(text, "time:     {}", now.to_rfc3339());
    let _ = writeln!(
        text,
        "system:   {} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    let _ = writeln!(text, "thread:   {}", thread.name().unwrap_or("unnamed"));
    let _ = writeln!(text, "location: {location}");
    let _ = writeln!(text, "message:  {message}");
    let _ = writeln!(text, "\nbacktrace:\n{backtrace}");
    let mut file = std::fs::File::create(&path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_data_dir_keeps_its_logs_inside_it() {
        let dir = tempfile::tempdir().unwrap();
        if std::env::var_os(LOG_DIR_ENV).is_none() {
            assert_eq!(log_dir_for(dir.path()).unwrap(), dir.path().join("logs"));
        }
    }

    #[test]
    fn the_default_data_dir_logs_in_the_platform_log_dir() {
        if std::env::var_os(LOG_DIR_ENV).is_some() {
            return;
        }
        let Ok(default) = App::default_data_dir() else {
            return;
        };
        let logs = log_dir_for(&default).unwrap();
        assert_eq!(logs, default_log_dir().unwrap());
        assert!(logs.ends_with(if cfg!(target_os = "macos") {
            "Library/Logs/app.shotkeeper.desktop".to_owned()
        } else {
            format!("{APP_IDENTIFIER}/logs")
        }));
    }

    #[test]
    fn a_crash_report_names_the_version_the_place_and_the_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_crash_report(
            &dir.path().join("logs"),
            "cli",
            "index out of bounds",
            "src/x.rs:1:2",
            "0: main",
        )
        .unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("crash-cli-") && name.ends_with(".txt"),
            "{name}"
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(&format!("version:  {}", env!("CARGO_PKG_VERSION"))));
        assert!(text.contains("location: src/x.rs:1:2"));
        assert!(text.contains("message:  index out of bounds"));
        assert!(text.contains("0: main"));
    }
}
