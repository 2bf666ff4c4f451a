//! `saas-history`: what earlier syncs found, kept in one SQLite file.
//!
//! Every completed sync is stored whole (users, memberships, evidence,
//! verdicts, seats and the run's counters) in one transaction, so a process
//! killed while storing leaves the database as it was. A partial sync is
//! stored and marked partial; [`diff`] never takes its verdicts for a
//! change of activity. Mutations (group changes, reclaims, seat releases)
//! are kept as operations with their actions and inverses: the audit trail
//! that `saas-host undo` plans from.
//!
//! The file holds names and email addresses: it is created readable by its
//! owner only (0600, in a 0700 folder), and [`History::prune`] forgets runs
//! older than a retention period.

mod audit;
mod convert;
pub mod diff;
mod error;
mod model;
mod read;
mod schema;
mod store;
mod write;

pub use audit::{Action, NewAction, Operation};
pub use convert::{RunMeta, user_rows};
pub use diff::{Change, Diff, UnitChange, diff};
pub use error::HistoryError;
pub use model::{Activity, EvidenceRow, MembershipRow, RunInfo, Snapshot, UnitRow, UserRow};
pub use store::History;

#[cfg(test)]
mod tests;
