//! What the tests, the benches and the demo drive the helper with:
//! - `common`: a private D-Bus session with gnome-keyring, user namespaces
//!   for the kernel keyring, and bounded runs of the built helper and git;
//! - `fake_github`: a fake GitHub on loopback, strict where GitHub is
//!   strict (split by what it plays: OAuth and device flows, REST, the
//!   app manifest, git smart HTTP, TLS and a CONNECT proxy);
//! - `world`: a fake GitHub, a `$BROWSER` and git configured for a test;
//! - `wine`: the Windows build under Wine.
#![allow(dead_code)]

pub mod common;
pub mod fake_github;
pub mod wine;
pub mod world;
