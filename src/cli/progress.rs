//! A progress bar on stderr for long runs: it appears only once a run has taken a second of
//! wall time, and indicatif hides it when stderr is not a terminal.

use crate::time::SimTime;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::{Duration, Instant};

/// Wall time after which a run shows its progress.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// Progress of one run.
pub struct Progress {
    started: Instant,
    total_s: u64,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Progress of a run of `duration_us` simulated microseconds.
    #[allow(clippy::disallowed_methods, reason = "the progress bar measures wall time, not simulated time")]
    pub fn new(duration_us: u64) -> Progress {
        Progress { started: Instant::now(), total_s: duration_us.div_ceil(1_000_000), bar: None }
    }

    /// Reports the simulated time reached.
    pub fn update(&mut self, now: SimTime) {
        if self.bar.is_none() && self.started.elapsed() >= SHOW_AFTER {
            let bar = ProgressBar::with_draw_target(Some(self.total_s), ProgressDrawTarget::stderr());
            let style =
                ProgressStyle::with_template("{spinner} simulating [{bar:40}] {pos}/{len} s ({eta} left)")
                    .map(|s| s.progress_chars("=> "))
                    .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(now.second().min(self.total_s));
        }
    }

    /// Removes the bar.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
