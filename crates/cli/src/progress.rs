//! Import progress on stderr: one updating line on a terminal, a line per
//! second otherwise (CI logs stay readable).

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use shotkeeper_core::import::{ImportPhase, ImportProgress};

use crate::pipe::errln;

pub struct Printer {
    tty: bool,
    state: Mutex<State>,
}

struct State {
    last: Option<Instant>,
    job_id: Option<String>,
    last_phase: Option<ImportPhase>,
}

impl Printer {
    pub fn new() -> Self {
        Printer {
            tty: std::io::stderr().is_terminal(),
            state: Mutex::new(State {
                last: None,
                job_id: None,
                last_phase: None,
            }),
        }
    }

    pub fn job_id(&self) -> Option<String> {
        self.state.lock().ok()?.job_id.clone()
    }

    pub fn show(&self, p: &ImportProgress) {
        let Ok(mut s) = self.state.lock() else { return };
        if s.job_id.is_none() {
            errln!("job {}", p.job_id);
            s.job_id = Some(p.job_id.clone());
        }
        let every = if self.tty {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(1)
        };
        let phase_changed = s.last_phase != Some(p.phase);
        // A wait notice is new each second; keep it in step with core's countdown.
        let waiting = p.notice.is_some();
        if !phase_changed && !waiting && s.last.is_some_and(|t| t.elapsed() < every) {
            return;
        }
        s.last = Some(Instant::now());
        s.last_phase = Some(p.phase);
        let mut line = format!(
            "{:<8} articles {}/{} ({} failed)  images {}/{}  broken {}  duplicates {}",
            p.phase,
            p.articles_processed,
            p.articles_discovered,
            p.articles_failed,
            p.images_downloaded,
            p.images_to_download,
            p.broken,
            p.duplicates
        );
        if let Some(notice) = &p.notice {
            line.push_str("  ");
            line.push_str(notice);
        }
        if self.tty {
            crate::pipe::stderr(format_args!("\r\x1b[2K{line}"));
        } else {
            errln!("{line}");
        }
    }

    pub fn finish(&self) {
        if self.tty {
            errln!();
        }
    }
}
