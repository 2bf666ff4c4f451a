//! Diagnostics and progress: the host's `log` import inside wasm
//! ([`HostLog`]), or any [`Logger`] natively ([`NoLog`], or a test's own).

/// Where log lines and progress go. The host may redact or drop anything;
/// nothing logged changes a call's result.
pub trait Logger {
    /// Something is off but the call goes on.
    fn warn(&self, message: &str);
    /// Debugging detail.
    fn debug(&self, message: &str);
    /// Progress of a long call, in `what` units.
    fn progress(&self, done: u64, total: Option<u64>, what: &str);
}

/// A logger that drops everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoLog;

impl Logger for NoLog {
    fn warn(&self, _: &str) {}
    fn debug(&self, _: &str) {}
    fn progress(&self, _: u64, _: Option<u64>, _: &str) {}
}

/// The host's `log` import.
#[cfg(target_arch = "wasm32")]
#[derive(Debug, Default, Clone, Copy)]
pub struct HostLog;

#[cfg(target_arch = "wasm32")]
impl Logger for HostLog {
    fn warn(&self, message: &str) {
        use crate::__bindings::saas::connector::log as l;
        l::write(l::Level::Warn, message);
    }

    fn debug(&self, message: &str) {
        use crate::__bindings::saas::connector::log as l;
        l::write(l::Level::Debug, message);
    }

    fn progress(&self, done: u64, total: Option<u64>, what: &str) {
        use crate::__bindings::saas::connector::log as l;
        l::report_progress(&l::Progress {
            done,
            total,
            what: what.to_string(),
        });
    }
}

/// The logger a connector's [`crate::Connector`] functions use: the host's
/// import inside wasm, nothing natively.
#[cfg(target_arch = "wasm32")]
pub fn logger() -> HostLog {
    HostLog
}

/// See the wasm version.
#[cfg(not(target_arch = "wasm32"))]
pub fn logger() -> NoLog {
    NoLog
}
