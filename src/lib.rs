//! git-credential-ghoauth: a git credential helper backed by the OS keyring.
//!
//! `main` parses the command line and calls [`run`]; each operation lives in
//! its own module under `commands`. The wire format (`protocol`), git's
//! storage rules (`stored`), the keyring (`keyring`) and the kernel-keyring
//! cache (`cache`) know nothing of each other's I/O.
//!
//! Signing in is reached only when the keyring has nothing: `config` reads
//! git config for the remote, `sign_in` runs the browser flow with the
//! `listener` and the `browser` launcher, and `github` makes the requests.

pub mod browser;
pub mod cache;
pub mod cli;
pub mod commands;
pub mod config;
pub mod github;
pub mod keyring;
pub mod listener;
pub mod protocol;
pub mod report;
pub mod secret;
pub mod sign_in;
pub mod stored;

use std::process::ExitCode;
use std::time::Duration;

use cli::{Cli, Operation};

/// What every operation may be tuned by, from the helper's own arguments or
/// environment. Nothing here comes from `git config`: reading it would cost
/// a process spawn on every `get`.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub cache_seconds: u64,
    pub keyring_timeout: Duration,
}

pub fn run(cli: Cli) -> ExitCode {
    let settings = Settings {
        cache_seconds: cli.cache_seconds,
        keyring_timeout: Duration::from_secs(cli.keyring_timeout.max(1)),
    };
    let stdin = std::io::stdin().lock();
    match cli.operation {
        Operation::Get => commands::get::run(&settings, stdin, std::io::stdout().lock()),
        Operation::Store => commands::store::run(&settings, stdin),
        Operation::Erase => commands::erase::run(&settings, stdin),
        Operation::Login {
            host,
            browser,
            device,
        } => {
            let forced = match (browser, device) {
                (true, _) => Some(sign_in::Flow::Browser),
                (_, true) => Some(sign_in::Flow::Device),
                _ => None,
            };
            commands::login::run(&settings, &host.name, forced)
        }
        Operation::Logout { host, user } => {
            commands::logout::run(&settings, &host.name, user.as_deref())
        }
        Operation::Status { host } => commands::status::run(&settings, host.as_deref()),
        Operation::Configure {
            host,
            client_id,
            client_secret,
            flow,
        } => commands::configure::configure(
            &host.name,
            &client_id,
            client_secret.as_deref(),
            flow.as_deref(),
        ),
        Operation::Unconfigure { host } => commands::configure::unconfigure(&host.name),
        Operation::Unknown(_) => ExitCode::SUCCESS,
    }
}
