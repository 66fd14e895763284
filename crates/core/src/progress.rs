//! Progress for people: reports coalesced so a front end redraws a few times
//! a second however fast the work goes, without ever losing the last one.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often a front end is sent a report while nothing notable happens.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(60);

/// A report's stage (an import's phase) and whether it is the last one.
type StageOf<P> = Box<dyn Fn(&P) -> (String, bool) + Send + Sync>;

/// Sends a report at once when its stage changes, when it is the last one,
/// or when `interval` passed since the previous one; otherwise keeps it as
/// pending, replaced by newer ones, until [`Throttled::flush`].
pub struct Throttled<P> {
    interval: Duration,
    sink: Box<dyn Fn(P) + Send + Sync>,
    stage_of: StageOf<P>,
    state: Mutex<State<P>>,
}

struct State<P> {
    last_sent: Option<(Instant, String)>,
    pending: Option<P>,
}

impl<P: Send + 'static> Throttled<P> {
    pub fn new(
        interval: Duration,
        stage_of: impl Fn(&P) -> (String, bool) + Send + Sync + 'static,
        sink: impl Fn(P) + Send + Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(Throttled {
            interval,
            sink: Box::new(sink),
            stage_of: Box::new(stage_of),
            state: Mutex::new(State {
                last_sent: None,
                pending: None,
            }),
        })
    }

    /// Offers a report at `now`; sends it if it is due.
    pub fn offer_at(&self, p: P, now: Instant) {
        let (stage, last) = (self.stage_of)(&p);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let due = last
            || match &state.last_sent {
                None => true,
                Some((at, was)) => *was != stage || now.duration_since(*at) >= self.interval,
            };
        if due {
            state.last_sent = Some((now, stage));
            state.pending = None;
            drop(state);
            (self.sink)(p);
        } else {
            state.pending = Some(p);
        }
    }

    pub fn offer(&self, p: P) {
        self.offer_at(p, Instant::now());
    }

    /// Sends the report still pending, if any (call when the work ends).
    pub fn flush(&self) {
        let pending = self
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pending
            .take();
        if let Some(p) = pending {
            (self.sink)(p);
        }
    }

    /// The throttle as the progress callback core's long operations take.
    pub fn callback(self: &Arc<Self>) -> Arc<dyn Fn(P) + Send + Sync> {
        let me = self.clone();
        Arc::new(move |p| me.offer(p))
    }
}

impl Throttled<crate::import::ImportProgress> {
    /// An import's reports: each phase change and the end go out at once.
    pub fn import(
        sink: impl Fn(crate::import::ImportProgress) + Send + Sync + 'static,
    ) -> Arc<Self> {
        use crate::import::ImportPhase;
        Throttled::new(
            PROGRESS_INTERVAL,
            |p: &crate::import::ImportProgress| {
                (p.phase.as_str().to_owned(), p.phase == ImportPhase::Done)
            },
            sink,
        )
    }
}

impl Throttled<crate::update::ApplyProgress> {
    /// An update's reports: the one after the last article goes out at once.
    pub fn apply(sink: impl Fn(crate::update::ApplyProgress) + Send + Sync + 'static) -> Arc<Self> {
        Throttled::new(
            PROGRESS_INTERVAL,
            |p: &crate::update::ApplyProgress| (String::new(), p.articles_done >= p.articles_total),
            sink,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_stage_changes_spaced_reports_and_the_last_and_flushes_the_rest() {
        let sent = Arc::new(Mutex::new(Vec::new()));
        let t = {
            let sent = sent.clone();
            Throttled::new(
                Duration::from_millis(60),
                |p: &(&'static str, u32)| (p.0.to_owned(), p.0 == "done"),
                move |p| sent.lock().unwrap().push(p),
            )
        };
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        t.offer_at(("images", 1), t0);
        t.offer_at(("images", 2), ms(10)); // too soon: pending
        t.offer_at(("images", 3), ms(70)); // spaced: sent, replaces 2
        t.offer_at(("images", 4), ms(80)); // pending
        t.flush();
        t.offer_at(("done", 5), ms(81)); // the last: sent at once
        assert_eq!(
            *sent.lock().unwrap(),
            vec![("images", 1), ("images", 3), ("images", 4), ("done", 5)]
        );
    }
}
