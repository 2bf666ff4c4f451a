//! Progress and log lines on stderr: an indicatif bar fed by the
//! connector's progress events, and log lines through `tracing`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use saas_runtime::imports::{Events, Level, TracingEvents};

/// Shows connector progress as a bar on stderr (hidden when not a terminal).
pub struct BarEvents {
    bar: ProgressBar,
}

impl BarEvents {
    /// A bar, visible when `show` is set and stderr is a terminal.
    pub fn new(show: bool) -> Self {
        let bar = ProgressBar::with_draw_target(
            None,
            if show {
                ProgressDrawTarget::stderr()
            } else {
                ProgressDrawTarget::hidden()
            },
        );
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {msg} {pos}/{len} [{elapsed_precise}] {wide_bar}",
            )
            .expect("a valid template"),
        );
        BarEvents { bar }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Events for BarEvents {
    fn log(&self, level: Level, message: &str) {
        self.bar.suspend(|| TracingEvents.log(level, message));
    }

    fn progress(&self, done: u64, total: Option<u64>, what: &str) {
        if let Some(t) = total {
            self.bar.set_length(t);
        }
        self.bar.set_position(done);
        self.bar.set_message(what.to_string());
    }
}
