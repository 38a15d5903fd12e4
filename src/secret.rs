//! A byte string that must never be shown.
//!
//! Passwords and tokens travel in this type from the moment they are parsed
//! until the one place that writes them to git. `Debug` prints a placeholder,
//! so a stray `{:?}` in a log line or a panic message cannot leak one; there
//! is no `Display` at all, so `{}` does not compile. `expose` is greppable
//! and marks every place a secret leaves. The bytes are zeroed when dropped.

use std::fmt;

#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Secret(bytes.into())
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The secret as text, for HTTP headers and JSON bodies; tokens from
    /// GitHub are ASCII, and anything else is refused rather than mangled.
    pub fn expose_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        // Best effort: do not leave the bytes behind in freed heap memory.
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts() {
        let secret = Secret::new(b"gho_hunter2".to_vec());
        assert!(!format!("{secret:?}").contains("hunter2"));
        assert!(!format!("{:?}", Some(&secret)).contains("hunter2"));
        assert_eq!(secret.expose(), b"gho_hunter2");
    }
}
