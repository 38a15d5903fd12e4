//! Names made of digests: a lock's file, a cache entry's key, a shortened
//! keyring item name, the `state[]` a `get` hands git. Below every other
//! folder, so that any of them may use it.

use sha2::{Digest, Sha256};

/// A short, fixed-length name for parts of any bytes: 16 bytes of SHA-256,
/// in hex, each part framed by its length so that no two lists collide.
pub(crate) fn hex_digest(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.finalize()[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_framed_so_that_no_two_lists_collide() {
        assert_ne!(hex_digest(&[b"ab", b"c"]), hex_digest(&[b"a", b"bc"]));
        assert_ne!(hex_digest(&[b"", b"x"]), hex_digest(&[b"x"]));
        assert_eq!(hex_digest(&[b"x"]).len(), 32);
        assert_eq!(hex_digest(&[b"x"]), hex_digest(&[b"x"]));
    }
}
