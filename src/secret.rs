//! A byte string that must never be shown.
//!
//! Passwords and tokens travel in this type from the moment they are parsed
//! until the one place that writes them to git. `Debug` and `Display` print a
//! placeholder, so a stray `{:?}` in a log line or a panic message cannot leak
//! one; `expose` is greppable and marks every place a secret leaves.

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

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        // Best effort: do not leave the bytes behind in freed heap memory.
        for byte in self.0.iter_mut() {
            // SAFETY: `byte` is a valid, aligned &mut u8 for the duration of the write.
            unsafe { std::ptr::write_volatile(byte, 0) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let secret = Secret::new(b"gho_hunter2".to_vec());
        assert!(!format!("{secret:?}").contains("hunter2"));
        assert!(!format!("{secret}").contains("hunter2"));
        assert!(!format!("{:?}", Some(&secret)).contains("hunter2"));
        assert_eq!(secret.expose(), b"gho_hunter2");
    }
}
