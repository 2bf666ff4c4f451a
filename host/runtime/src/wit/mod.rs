//! The contract versions this host speaks, one module each, and the choice
//! between them. Each module runs `bindgen!` over its own frozen `wit/`
//! folder; nothing is shared across versions (the interface names carry the
//! version, so a shared interface would link under the wrong name). Results
//! the host reads are converted into [`latest`] types; what the host passes
//! back to a guest (config, session) stays in the guest's own version (see
//! [`crate::values`]).

pub mod v0_1_0;
pub mod v0_2_0;

pub use v0_2_0 as latest;

use semver::Version;

use crate::error::HostError;

/// The package every contract interface belongs to.
pub const PACKAGE: &str = "saas:connector";

/// A contract version this host implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContractVersion {
    /// `saas:connector@0.1.0`, released and frozen.
    V0_1_0,
    /// `saas:connector@0.2.0`, the latest (a draft until its issues are done).
    V0_2_0,
}

impl ContractVersion {
    /// Every version this host implements, oldest first.
    pub const ALL: [ContractVersion; 2] = [ContractVersion::V0_1_0, ContractVersion::V0_2_0];

    /// The newest version: the host's own types come from it.
    pub const LATEST: ContractVersion = ContractVersion::V0_2_0;

    /// The version's number, as its WIT package names it.
    pub fn number(self) -> Version {
        match self {
            ContractVersion::V0_1_0 => v0_1_0::MIN_VERSION,
            ContractVersion::V0_2_0 => v0_2_0::MIN_VERSION,
        }
    }

    /// The version's WIT package, concatenated into one document.
    pub fn wit_source(self) -> &'static str {
        match self {
            ContractVersion::V0_1_0 => v0_1_0::WIT_SOURCE,
            ContractVersion::V0_2_0 => v0_2_0::WIT_SOURCE,
        }
    }

    /// The implemented versions as one phrase, for messages: `0.1.0 and 0.2.0`.
    pub fn supported() -> String {
        let all: Vec<String> = Self::ALL.iter().map(|v| v.number().to_string()).collect();
        match all.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        }
    }

    /// The version a component built against contract `found` runs as:
    /// below 1.0 the same minor version (0.2.x runs as 0.2.0), from 1.0 on
    /// the same major version, never a newer one than the host knows.
    pub fn of_component(found: &str) -> Result<Self, HostError> {
        let mismatch = || HostError::ContractMismatch {
            found: found.to_string(),
            supported: Self::supported(),
        };
        let v = Version::parse(found.trim()).map_err(|_| mismatch())?;
        Self::ALL
            .iter()
            .rev()
            .copied()
            .find(|known| {
                let k = known.number();
                let same_line = if k.major == 0 {
                    v.major == 0 && v.minor == k.minor
                } else {
                    v.major == k.major && v.minor >= k.minor
                };
                same_line && v >= Version::new(k.major, k.minor, 0)
            })
            .ok_or_else(mismatch)
    }
}

impl std::fmt::Display for ContractVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.number())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_run_as_the_version_of_their_minor_line() {
        use ContractVersion::*;
        assert_eq!(ContractVersion::of_component("0.1.0").unwrap(), V0_1_0);
        assert_eq!(ContractVersion::of_component("0.2.0").unwrap(), V0_2_0);
        assert_eq!(ContractVersion::of_component("0.2.7").unwrap(), V0_2_0);
        // A pre-release of a contract is not the contract.
        assert!(ContractVersion::of_component("0.2.0-rc.1").is_err());
        for unknown in ["0.3.0", "1.0.0", "0.0.9", "garbage", ""] {
            let err = ContractVersion::of_component(unknown).unwrap_err();
            let text = err.to_string();
            assert!(text.contains("0.1.0 and 0.2.0"), "{text}");
        }
    }
}
