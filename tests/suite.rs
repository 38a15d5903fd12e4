//! The one integration-test binary. Every module drives the built helper
//! through real git against a private gnome-keyring (see `common`), many
//! against the fake GitHub (`fake_github`, `world`); as one binary the
//! harness and the fake are compiled once, not once per file.

mod common;
mod fake_github;
mod wine;
mod world;

mod accounts;
mod bad_input;
mod browser_sign_in;
mod demo;
mod device_sign_in;
mod git_storage;
mod github_com;
mod hardening;
mod headless;
mod lifecycle;
mod man_pages;
mod on_windows;
mod setup;
