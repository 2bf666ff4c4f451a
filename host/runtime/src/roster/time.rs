//! An optional time without padding, for records kept by the million.

/// An optional time in nine bytes: `Option<i64>` takes sixteen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, packed)]
pub(crate) struct Time {
    set: bool,
    at: i64,
}

impl Time {
    /// The time, kept.
    pub(crate) fn new(at: Option<i64>) -> Time {
        Time {
            set: at.is_some(),
            at: at.unwrap_or_default(),
        }
    }

    /// The time again.
    pub(crate) fn get(self) -> Option<i64> {
        self.set.then_some(self.at)
    }
}
