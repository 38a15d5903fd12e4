//! The helper's commands, one module each: git's operations (`get`,
//! `store`, `erase`, each reading git's request on stdin) and the commands
//! for people (`setup`, `login`, `status`, `logout`, `configure` and
//! `unconfigure`, `token`). [`dispatch`] runs the one the command line names, and is
//! the one place a person's command's failure is said and made exit 1.

pub mod configure;
pub mod doctor;
pub mod erase;
pub mod get;
pub mod login;
pub mod logout;
pub mod setup;
pub mod status;
pub mod store;
pub mod token;
pub mod use_account;

use std::ffi::OsString;
use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use crate::cli::{self, GitOperation, Operation};
use crate::git::protocol::Credential;
use crate::helper::{Helper, Settings, SystemClock};
use crate::oauth::sign_in::Flow;
use crate::report::{self, say};
use crate::secret::Secret;
use crate::store::{CachedStore, StoreError};

/// Runs what the command line asked for.
pub fn dispatch(settings: Settings, operation: Operation) -> ExitCode {
    let git_operation = match operation {
        Operation::Get => Some(GitOperation::Get),
        Operation::Store => Some(GitOperation::Store),
        Operation::Erase { host: None, .. } => Some(GitOperation::Erase),
        _ => None,
    };
    if let Some(git_operation) = git_operation {
        return run_git_operation(settings, git_operation);
    }
    match with_helper(settings, |helper| for_people(helper, operation)) {
        Ok(code) => code,
        Err(error) => {
            // `{:#}` gives the causes on one line, and never a backtrace.
            say(format!("{error:#}"));
            ExitCode::FAILURE
        }
    }
}

fn for_people(helper: &Helper, operation: Operation) -> anyhow::Result<ExitCode> {
    match operation {
        Operation::Get | Operation::Store | Operation::Erase { host: None, .. } => {
            unreachable!("git's operations are run before a store is opened")
        }
        // `erase --host`: a person's erase, which is logout (see cli).
        Operation::Erase {
            host: Some(host),
            user,
        } => logout::run(helper, &host, user.as_deref()),
        Operation::Login {
            host,
            flow,
            browser,
            device,
            force,
        } => {
            let flow = flow
                .or(browser.then_some(Flow::Browser))
                .or(device.then_some(Flow::Device));
            login::run(helper, &host.name, flow, force)
        }
        Operation::Setup { host, org, force } => {
            setup::run(helper, &host.name, org.as_deref(), force)
        }
        Operation::Logout { host, user, all } => match all {
            true => logout::everywhere(helper),
            false => logout::run(helper, &host.name, user.as_deref()),
        },
        Operation::Status { host, json } => status::run(helper, host.as_ref(), json),
        Operation::Doctor {
            host,
            offline,
            json,
        } => doctor::run(helper, host.as_ref(), offline, json),
        Operation::Token {
            host,
            user,
            include_passwords,
        } => token::run(helper, &host.name, user.as_deref(), include_passwords)
            .and_then(|token| print_token(&token)),
        Operation::Use {
            login,
            owner,
            host,
            default,
            clear,
        } => use_account::run(
            helper,
            use_account::Choice {
                login: login.as_deref(),
                owner: owner.as_deref(),
                host,
                default,
                clear: clear.as_deref(),
            },
        ),
        other => about_configuration(other),
    }
}

/// The commands that touch no store: git config, and the shell.
fn about_configuration(operation: Operation) -> anyhow::Result<ExitCode> {
    match operation {
        Operation::Configure {
            host,
            client_id,
            client_secret,
            client_secret_stdin,
            flow,
        } => {
            if client_secret.is_some() {
                say(
                    "warning: --client-secret is visible to every local user in the process \
                     list; prefer GHOAUTH_CLIENT_SECRET or --client-secret-stdin",
                );
            }
            let secret = configure::client_secret_from(client_secret, client_secret_stdin)?;
            match client_id {
                Some(client_id) => {
                    configure::configure(&host.name, &client_id, secret.as_ref(), flow)
                }
                None => configure::configure_builtin(&host.name, flow),
            }
        }
        Operation::Unconfigure { host, all } => match all {
            true => configure::unconfigure_all(),
            false => configure::unconfigure(&host.name),
        },
        Operation::Completions { shell } => {
            use std::io::Write;
            std::io::stdout()
                .lock()
                .write_all(&cli::completions(shell))?;
            Ok(ExitCode::SUCCESS)
        }
        Operation::Unknown(words) => Ok(unknown_command(&words)),
        _ => unreachable!("for_people runs the commands that use a store"),
    }
}

/// git's `get`, `store` or `erase`, on git's request on stdin.
pub fn run_git_operation(settings: Settings, operation: GitOperation) -> ExitCode {
    let stdin = std::io::stdin().lock();
    // git always writes its request into a pipe; a terminal means a person,
    // who would otherwise wait on a silent prompt.
    if stdin.is_terminal() {
        say(match operation {
            GitOperation::Get => {
                "get reads git's request on standard input (protocol=…, host=…, then an empty \
                 line); to see what is stored, run `git credential-ghoauth status`"
            }
            GitOperation::Store => {
                "store reads a credential on standard input, as git sends it; to sign in, run \
                 `git credential-ghoauth login`"
            }
            GitOperation::Erase => {
                "erase reads git's request on standard input; to sign out of a host and revoke \
                 its tokens, run `git credential-ghoauth logout --host <host>` (or `erase --host \
                 <host>`)"
            }
        });
        return ExitCode::from(2);
    }
    with_helper(settings, |helper| match operation {
        GitOperation::Get => get::run(helper, stdin, std::io::stdout().lock()),
        GitOperation::Store => store::run(helper, stdin),
        GitOperation::Erase => erase::run(helper, stdin),
    })
}

/// Runs `work` on the chosen store, opened but not yet touched (a `get`
/// answered from the cache never connects to anything).
fn with_helper<T>(settings: Settings, work: impl FnOnce(&Helper) -> T) -> T {
    let opened = crate::store::open(settings.store, settings.keyring_timeout);
    let helper = Helper {
        settings,
        store: CachedStore::new(
            opened.store.as_ref(),
            settings.cache_seconds,
            opened.read_cache,
        ),
        clock: &SystemClock,
    };
    work(&helper)
}

/// git's rule for helpers: an operation they do not know is ignored, in
/// silence, because a future git may send new ones. git's own calls have a
/// pipe on stdin; a person at a terminal gets told, with a guess.
fn unknown_command(words: &[OsString]) -> ExitCode {
    if !std::io::stdin().is_terminal() {
        return ExitCode::SUCCESS;
    }
    let typed = words
        .first()
        .map(|word| word.to_string_lossy().into_owned())
        .unwrap_or_default();
    let typed = report::printable(&typed);
    match cli::closest_command(&typed) {
        Some(guess) => say(format!(
            "unknown command '{typed}'; did you mean '{guess}'?"
        )),
        None => say(format!(
            "unknown command '{typed}'; see `git credential-ghoauth --help`"
        )),
    }
    ExitCode::from(2)
}

/// `token`'s one line on stdout; at a terminal, a word first on where it
/// stays.
fn print_token(token: &Secret) -> anyhow::Result<ExitCode> {
    use std::io::{IsTerminal, Write};
    if std::io::stdout().is_terminal() {
        say(
            "printing a credential on the terminal, where it stays in the scrollback; \
             capture it instead: GH_TOKEN=$(git credential-ghoauth token)",
        );
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(token.expose())?;
    stdout.write_all(b"\n")?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// git's request, or the exit code for a malformed one (already reported):
/// nothing is printed on stdout and the store is not touched.
fn read_request(input: impl Read) -> Result<Credential, ExitCode> {
    Credential::read_from(input).map_err(|error| {
        say(error);
        ExitCode::FAILURE
    })
}

/// Ends `store` and `erase` (the store made cached answers stale already).
fn after_store_write(outcome: Result<(), StoreError>, failed: &str) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            say(format!("{failed}: {error}"));
            ExitCode::FAILURE
        }
    }
}
