//! The helper's only voice: one line on stderr. stdout belongs to git.

use std::fmt::Display;
use std::io::Write;

/// Writes `git-credential-ghoauth: <message>` as a single write, so that
/// parallel gits sharing a terminal do not interleave half lines.
pub fn problem(message: impl Display) {
    let line = format!("git-credential-ghoauth: {message}\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}
