//! Secret redaction: every secret the host hands a connector (and every
//! token a connector hands back) is replaced before a line is printed.

use std::borrow::Cow;
use std::sync::RwLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// What replaces a secret.
pub const MASK: &str = "[REDACTED]";

/// Shortest string treated as a secret (shorter ones would mask ordinary words).
const MIN_SECRET: usize = 6;

/// A growing set of secrets, shared by everything that prints.
#[derive(Debug, Default)]
pub struct Redactor {
    secrets: RwLock<Vec<String>>,
}

impl Redactor {
    /// An empty redactor.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a secret, with its URL-encoded form.
    pub fn add(&self, secret: &str) {
        let secret = secret.trim();
        if secret.len() < MIN_SECRET {
            return;
        }
        let mut forms = vec![secret.to_string()];
        let encoded: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        forms.push(encoded);
        let mut secrets = self.secrets.write().unwrap_or_else(|p| p.into_inner());
        for form in forms {
            if !secrets.contains(&form) {
                secrets.push(form);
            }
        }
        // Longest first, so a secret containing another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// Adds a `user:secret` pair and its Basic-auth encoding.
    pub fn add_basic(&self, user: &str, secret: &str) {
        self.add(secret);
        self.add(&STANDARD.encode(format!("{user}:{secret}")));
    }

    /// Masks every known secret in `text`.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let secrets = self.secrets.read().unwrap_or_else(|p| p.into_inner());
        let mut out = Cow::Borrowed(text);
        for s in secrets.iter() {
            if out.contains(s.as_str()) {
                out = Cow::Owned(out.replace(s.as_str(), MASK));
            }
        }
        out
    }

    /// Whether `text` contains a known secret.
    pub fn leaks(&self, text: &str) -> bool {
        let secrets = self.secrets.read().unwrap_or_else(|p| p.into_inner());
        secrets.iter().any(|s| text.contains(s.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secrets_and_their_encodings() {
        let r = Redactor::new();
        r.add_basic("me@example.com", "s3cret-token");
        let header = format!("Basic {}", STANDARD.encode("me@example.com:s3cret-token"));
        assert_eq!(r.redact("token s3cret-token here"), "token [REDACTED] here");
        assert_eq!(r.redact(&header), "Basic [REDACTED]");
        assert!(!r.leaks("nothing to see"));
    }

    #[test]
    fn ignores_secrets_too_short_to_mask_safely() {
        let r = Redactor::new();
        r.add("abc");
        assert_eq!(r.redact("abc abc"), "abc abc");
    }
}
