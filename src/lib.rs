//! git-credential-ghoauth: a git credential helper backed by the OS keyring.
//!
//! `main` asks [`run_plain_git_call`] first (git's own `get`, `store` and
//! `erase`, parsed without clap), else parses the command line with clap
//! and calls [`run`]. Either way `commands` runs one command, each in a
//! module of its own, on a `Helper`: the settings, the store and the clock.
//!
//! Where things live:
//! - `git/`: git's credential protocol on the wire, and the credential
//!   record with git's rules for which records a request means;
//! - `store/`: where credentials are kept (the Secret Service, the kernel
//!   keyring, the macOS and Windows stores), and the kernel-keyring cache;
//! - `config/`: git config, read for a remote and written for people;
//! - `oauth/`: signing in to GitHub and revoking, reached only when the
//!   store has nothing to give;
//! - `acquire/`: renewing expiring tokens and making parallel gits share
//!   one sign-in or renewal, through the cross-process `lock`.

#![forbid(unsafe_code)]

mod accounts;
mod acquire;
pub mod cli;
mod commands;
mod config;
mod digest;
#[cfg(test)]
mod fixtures;
mod git;
mod helper;
mod lock;
mod oauth;
mod report;
mod secret;
mod store;

/// The parsers the fuzz targets (tests/fuzz) feed, and nothing else; built
/// only under cargo-fuzz.
#[cfg(fuzzing)]
pub mod fuzzing {
    pub use crate::config::host::OAuthHost;
    pub use crate::git::protocol::Credential;
    pub use crate::oauth::github::{read_device_reply, read_token_reply, read_user_reply};
    pub use crate::oauth::listener::{MAX_HEAD_BYTES, parse_head};
}

use std::ffi::OsString;
use std::process::ExitCode;

use cli::Cli;

/// Keeps the tokens this process holds out of core files and away from
/// ptrace by other processes of the same user (which also hides
/// `/proc/PID/environ` from other users). One system call.
pub fn keep_memory_private() {
    #[cfg(target_os = "linux")]
    let _ = rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
}

/// git runs `git-credential-ghoauth get` (or `store`, `erase`), perhaps
/// with the helper's own `--store=...` from git config, on every command
/// that needs a credential. For exactly that call the command line is read
/// without clap (see [`cli::plain_git_call`]): building clap's whole
/// command tree costs about 0.15 ms and 0.5 MiB per run, a tenth of a cache
/// hit. `None` for anything else, including a value clap should complain
/// about.
pub fn run_plain_git_call() -> Option<ExitCode> {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let (operation, settings) = cli::plain_git_call(&args, |name| std::env::var_os(name))?;
    Some(commands::run_git_operation(settings, operation))
}

/// Whatever clap parsed: git's operations with other options, and every
/// command for people.
pub fn run(cli: Cli) -> ExitCode {
    commands::dispatch(cli.settings(), cli.operation)
}
