//! The runtime of `saas:connector` components. It knows no vendor and no
//! command line: an embedder loads a component, gives it settings and
//! credentials, and lists users through the one listing loop.
//!
//! - [`Runtime`] loads a `.wasm` (compile cache, contract version, world)
//!   and [`Connector`] calls it, each call in a fresh sandboxed store;
//! - [`wit`]: one module per contract version and the dispatch between
//!   them; [`values`]: what goes back into a component in its own version;
//! - [`egress`]: the HTTP client behind the `http` import, its policy
//!   behind [`egress::EgressHooks`];
//! - [`listing`] (the loop), [`merge`] (into a compact [`roster`]),
//!   [`checkpoint`] (the host's own format) and [`sync`] (authenticate,
//!   list, compute statuses);
//! - [`settings`]: settings and credentials from a connector's declarations;
//!   [`credentials`]: where credentials the upstream renewed are kept;
//! - [`consent`]: the host's half of a declared browser consent flow;
//! - [`redact`]: secret masking for everything printed.

pub mod cache;
pub mod checkpoint;
pub mod connector;
pub mod consent;
pub mod contract;
pub mod credentials;
pub mod egress;
pub mod error;
mod groups;
pub mod imports;
pub mod json_style;
pub mod listing;
pub mod merge;
pub mod names;
pub mod redact;
pub mod report;
pub mod roster;
pub mod runtime;
pub mod settings;
pub mod status_chunks;
mod status_wire;
pub mod sync;
pub mod values;
pub mod wit;

pub use connector::{Connector, Outcome};
pub use error::HostError;
pub use groups::SignedIn;
pub use imports::{Events, Io};
pub use runtime::{Runtime, RuntimeOptions};
pub use values::{Config, Page, Session};
pub use wit::{ContractVersion, latest};
