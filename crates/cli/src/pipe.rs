//! Standard output and standard error of the whole CLI, written in one
//! place. When the reader goes away (`shotkeeper revisions --json | head -1`)
//! further output is dropped quietly, as Unix tools do, instead of Rust's
//! `println!` panicking with "failed printing to stdout: Broken pipe"; the
//! command still finishes and exits with the status of what it did.
//! Every `outln!`/`out!`/`errln!` of the CLI goes through here.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

static STDOUT_GONE: AtomicBool = AtomicBool::new(false);
static STDERR_GONE: AtomicBool = AtomicBool::new(false);
/// A write error other than a vanished reader (e.g. a full disk behind
/// `> file`): reported at exit, since the output is then incomplete.
static STDOUT_ERROR: Mutex<Option<String>> = Mutex::new(None);

/// Whether a write error means the reader is gone rather than a failure.
fn reader_gone(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe || e.raw_os_error() == Some(9) // EBADF
}

fn write_to(w: &mut dyn Write, gone: &AtomicBool, args: fmt::Arguments) -> Option<io::Error> {
    if gone.load(Ordering::Relaxed) {
        return None;
    }
    let e = w.write_fmt(args).err()?;
    gone.store(true, Ordering::Relaxed);
    (!reader_gone(&e)).then_some(e)
}

pub fn stdout(args: fmt::Arguments) {
    if let Some(e) = write_to(&mut io::stdout().lock(), &STDOUT_GONE, args) {
        if let Ok(mut slot) = STDOUT_ERROR.lock() {
            slot.get_or_insert(e.to_string());
        }
    }
}

pub fn stderr(args: fmt::Arguments) {
    let _ = write_to(&mut io::stderr().lock(), &STDERR_GONE, args);
}

/// Flushes standard output before exit; returns the write error to report,
/// if any output was lost for another reason than a reader that went away.
pub fn finish() -> Option<String> {
    if !STDOUT_GONE.load(Ordering::Relaxed) {
        if let Err(e) = io::stdout().lock().flush() {
            STDOUT_GONE.store(true, Ordering::Relaxed);
            if !reader_gone(&e) {
                return Some(e.to_string());
            }
        }
    }
    STDOUT_ERROR.lock().ok().and_then(|mut s| s.take())
}

/// `println!` that never panics.
macro_rules! outln {
    () => { $crate::pipe::stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::pipe::stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `print!` that never panics.
macro_rules! out {
    ($($arg:tt)*) => { $crate::pipe::stdout(format_args!($($arg)*)) };
}

/// `eprintln!` that never panics.
macro_rules! errln {
    () => { $crate::pipe::stderr(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::pipe::stderr(format_args!("{}\n", format_args!($($arg)*))) };
}

pub(crate) use {errln, out, outln};
