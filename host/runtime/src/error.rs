//! The host library's error type.

use std::time::Duration;

/// Every way the host fails to run a connector call (as opposed to the
/// connector answering with a `connector-error`).
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The file is not a WebAssembly component, or does not compile.
    #[error("cannot load the component: {0}")]
    Load(String),
    /// The component does not export the contract at all.
    #[error("not a saas:connector component: {0}")]
    NotAConnector(String),
    /// The component targets a contract version this host cannot run.
    #[error(
        "the component targets contract saas:connector@{found}, but this host implements \
         {supported}; rebuild the connector against one of those or use a matching host"
    )]
    ContractMismatch {
        /// Version the component was built against.
        found: String,
        /// Version this host implements.
        supported: String,
    },
    /// The component's imports or exports differ from the contract's world.
    #[error("the component does not match the contract: {}", .0.join("; "))]
    WorldMismatch(Vec<String>),
    /// The guest ran longer than its CPU budget.
    #[error("the connector used more than its CPU budget of {0:?} and was stopped")]
    CpuBudgetExceeded(Duration),
    /// The call took longer than its wall-clock limit.
    #[error("the connector's call took longer than its limit of {0:?} and was stopped")]
    WallClockExceeded(Duration),
    /// The guest tried to use more memory than allowed.
    #[error("the connector tried to use more than its {0} bytes of memory and was stopped")]
    MemoryLimitExceeded(usize),
    /// The guest trapped (a panic or a fault inside the connector).
    #[error("the connector crashed: {0}")]
    Trap(String),
    /// Reading or writing a local file failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Settings that the connector's contract version cannot take.
    #[error("unusable settings: {0}")]
    Config(String),
    /// A config or session made for a connector of another contract version.
    #[error(
        "a config or session of another contract version was passed to a contract {0} connector"
    )]
    ForeignValue(crate::wit::ContractVersion),
    /// A checkpoint that cannot be resumed, and why.
    #[error("cannot resume from the checkpoint {}: {reason}", path.display())]
    Checkpoint {
        /// The file.
        path: std::path::PathBuf,
        /// Why, with what to do.
        reason: String,
    },
    /// Setting up the engine or linker failed.
    #[error("host set-up failed: {0}")]
    Setup(String),
}
