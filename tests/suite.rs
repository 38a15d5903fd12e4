//! The one integration-test binary. Every module drives the built helper
//! through real git against a private gnome-keyring (see `common`), many
//! against the fake GitHub (`fake_github`, `world`), from the test support
//! crate under tests/support.

use ghoauth_test_support::{fake_github, wine, world};

/// The harness's `common`, and the helper as cargo built it for this test.
mod common {
    pub use ghoauth_test_support::common::*;
    pub const HELPER: &str = env!("CARGO_BIN_EXE_git-credential-ghoauth");
}

mod accounts;
mod bad_input;
mod browser_sign_in;
mod builtin_app;
mod demo;
mod device_sign_in;
mod docs;
mod doctor;
mod faults;
mod ghe_com;
mod git_storage;
mod github_answers;
mod github_com;
mod hardening;
mod headless;
mod layers;
mod lifecycle;
mod man_pages;
mod on_windows;
mod passwordless_keyring;
mod setup;
mod several_accounts;
mod supply_chain;
