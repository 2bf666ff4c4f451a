//! Sealed cursors. A cursor goes back to the host, which keeps it in a
//! checkpoint file that anyone may edit and a crash may damage; a sealed
//! cursor is the base64url of the connector's state and a checksum of it,
//! so that a damaged one is refused before anything is built from it. The
//! checksum is no MAC (the host sees the state anyway): what a connector
//! builds requests from still needs checking after [`open`].

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// FNV-1a over bytes: compact, and stable across builds and platforms.
pub fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The cursor text of a connector's serialised state.
pub fn seal(state: &[u8]) -> String {
    let mut bytes = Vec::with_capacity(state.len() + 8);
    bytes.extend_from_slice(state);
    bytes.extend_from_slice(&checksum(state).to_be_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The state sealed in `text`; none for anything that is not a whole,
/// undamaged sealed cursor.
pub fn open(text: &str) -> Option<Vec<u8>> {
    let mut bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
    let split = bytes.len().checked_sub(8)?;
    let check = u64::from_be_bytes(bytes[split..].try_into().ok()?);
    bytes.truncate(split);
    (checksum(&bytes) == check).then_some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_state_opens_and_any_damage_is_refused() {
        let text = seal(br#"{"phase":"users","start":2000}"#);
        assert_eq!(open(&text).unwrap(), br#"{"phase":"users","start":2000}"#);
        let mut bytes = URL_SAFE_NO_PAD.decode(&text).unwrap();
        for i in 0..bytes.len() {
            bytes[i] ^= 1;
            assert_eq!(open(&URL_SAFE_NO_PAD.encode(&bytes)), None, "byte {i}");
            bytes[i] ^= 1;
        }
        for bad in ["", "!!", "e30", &text[..text.len() - 3]] {
            assert_eq!(open(bad), None, "{bad}");
        }
    }
}
