//! git-credential-ghoauth: a git credential helper backed by the OS keyring.
//!
//! `main` parses the command line and calls [`run`]; each subcommand lives
//! in its own module under `commands`, and works on a [`Context`]: the
//! settings, the store and the clock. The wire format (`protocol`), git's
//! storage rules (`stored`), the stores (`store`) and the kernel-keyring
//! cache (`cache`) know nothing of each other's I/O.
//!
//! Signing in is reached only when the store has nothing: `config` reads
//! git config for the remote, `sign_in` runs the browser flow with the
//! `listener` and the `browser` launcher, and `github` makes the requests.
//! `acquire` renews expiring tokens and makes parallel gits share one
//! sign-in or renewal, through the cross-process `lock`.

#![forbid(unsafe_code)]

mod acquire;
mod browser;
mod cache;
pub mod cli;
mod client_secrets;
mod commands;
mod config;
mod github;
mod global_config;
mod host;
mod listener;
mod lock;
mod protocol;
mod report;
mod secret;
mod sign_in;
mod store;
mod stored;
mod urlmatch;

/// The parsers the fuzz targets (tests/fuzz) feed, and nothing else; built
/// only under cargo-fuzz.
#[cfg(fuzzing)]
pub mod fuzzing {
    pub use crate::github::{read_device_reply, read_token_reply, read_user_reply};
    pub use crate::host::OAuthHost;
    pub use crate::listener::{MAX_HEAD_BYTES, parse_head};
    pub use crate::protocol::Credential;
}

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cli::{Cli, Operation};
use store::{Store, StoreChoice};

/// What every operation works with: how it is tuned, where credentials
/// live, and what time it is. Tests pass a store in memory and a clock of
/// their own.
pub(crate) struct Context<'a> {
    pub settings: Settings,
    pub store: &'a dyn Store,
    pub clock: &'a dyn Clock,
}

pub(crate) trait Clock {
    /// Time since the Unix epoch.
    fn since_epoch(&self) -> Duration;
}

/// The system's clock.
pub(crate) struct SystemClock;

impl Clock for SystemClock {
    fn since_epoch(&self) -> Duration {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
    }
}

impl Context<'_> {
    pub fn now(&self) -> Duration {
        self.clock.since_epoch()
    }

    pub fn unix_seconds(&self) -> u64 {
        self.now().as_secs()
    }

    /// The kernel-keyring cache, where it is worth reading: in front of a
    /// store that costs a D-Bus session, not in front of the kernel.
    fn cache(&self) -> Option<cache::Cache> {
        match self.store.wants_cache() {
            true => cache::Cache::open(self.settings.cache_seconds),
            false => None,
        }
    }

    /// Makes every cached answer stale. Call after writing the store, of
    /// whatever kind: another configuration may have cached from it.
    fn invalidate_cache(&self) {
        if let Some(cache) = cache::Cache::open(self.settings.cache_seconds) {
            cache.invalidate();
        }
    }
}

/// What every operation may be tuned by, from the helper's own arguments or
/// environment. Nothing here comes from `git config`: reading it would cost
/// a process spawn on every `get`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub cache_seconds: u64,
    pub keyring_timeout: Duration,
    pub store: StoreChoice,
}

/// A cached answer lives a day at most: longer is a mistake, and the
/// kernel takes a key's timeout as an `unsigned int`, so a bigger number
/// could wrap into a key that never expires.
pub(crate) const MAX_CACHE_SECONDS: u64 = 24 * 60 * 60;
/// A keyring that has not answered in five minutes will not answer.
pub(crate) const MAX_KEYRING_TIMEOUT_SECONDS: u64 = 5 * 60;

impl Settings {
    /// Numbers from the environment or the command line, clamped so that
    /// no later arithmetic on them can overflow.
    pub(crate) fn new(
        cache_seconds: u64,
        keyring_timeout_seconds: u64,
        store: StoreChoice,
    ) -> Settings {
        Settings {
            cache_seconds: cache_seconds.min(MAX_CACHE_SECONDS),
            keyring_timeout: Duration::from_secs(
                keyring_timeout_seconds.clamp(1, MAX_KEYRING_TIMEOUT_SECONDS),
            ),
            store,
        }
    }
}

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
/// here, without clap: building clap's whole command tree costs about 0.15
/// ms and 0.5 MiB per run, a tenth of a cache hit. `None` for anything else,
/// including a value clap should complain about.
pub fn run_plain_git_call() -> Option<ExitCode> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let args: Vec<&str> = args.iter().map(|arg| arg.to_str()).collect::<Option<_>>()?;
    let (operation, options) = args.split_last()?;
    let store = match options {
        [] => None,
        [option] => Some(option.strip_prefix("--store=")?),
        ["--store", value] => Some(*value),
        _ => return None,
    };
    let operation = match *operation {
        "get" => GitOperation::Get,
        "store" => GitOperation::Store,
        "erase" => GitOperation::Erase,
        _ => return None,
    };
    let number = |name: &str, default: u64| match std::env::var_os(name) {
        None => Some(default),
        Some(value) => value.to_str()?.parse().ok(),
    };
    let store = match (store, std::env::var_os("GHOAUTH_STORE")) {
        (Some(value), _) => StoreChoice::parse(value)?,
        (None, Some(value)) => StoreChoice::parse(value.to_str()?)?,
        (None, None) => StoreChoice::default(),
    };
    let settings = Settings::new(
        number("GHOAUTH_CACHE_SECONDS", cli::DEFAULT_CACHE_SECONDS)?,
        number("GHOAUTH_KEYRING_TIMEOUT", cli::DEFAULT_KEYRING_TIMEOUT)?,
        store,
    );
    Some(run_git_operation(settings, operation))
}

/// Everything but git's plain `get`, `store` and `erase`. The one place a
/// command's failure is said (one line on stderr) and turned into exit 1.
pub fn run(cli: Cli) -> ExitCode {
    let settings = Settings::new(
        cli.cache_seconds,
        cli.keyring_timeout,
        StoreChoice::parse(&cli.store).unwrap_or_default(),
    );
    let store = store::open(settings.store, settings.keyring_timeout);
    let context = Context {
        settings,
        store: store.as_ref(),
        clock: &SystemClock,
    };
    match try_run(&context, cli.operation) {
        Ok(code) => code,
        Err(error) => {
            // `{:#}` gives the causes on one line, and never a backtrace.
            report::say(format!("{error:#}"));
            ExitCode::FAILURE
        }
    }
}

fn try_run(context: &Context, operation: Operation) -> anyhow::Result<ExitCode> {
    let settings = context.settings;
    match operation {
        Operation::Get => Ok(run_git_operation(settings, GitOperation::Get)),
        Operation::Store => Ok(run_git_operation(settings, GitOperation::Store)),
        Operation::Erase { host: None, .. } => Ok(run_git_operation(settings, GitOperation::Erase)),
        Operation::Erase {
            host: Some(host),
            user,
        } => commands::logout::run(context, &host, user.as_deref()),
        Operation::Login {
            host,
            browser,
            device,
            force,
        } => {
            let forced = match (browser, device) {
                (true, _) => Some(sign_in::Flow::Browser),
                (_, true) => Some(sign_in::Flow::Device),
                _ => None,
            };
            commands::login::run(context, &host.name, forced, force)
        }
        Operation::Setup { host, org, force } => {
            commands::setup::run(context, &host.name, org.as_deref(), force)
        }
        Operation::Logout { host, user, all } => match all {
            true => commands::logout::everywhere(context),
            false => commands::logout::run(context, &host.name, user.as_deref()),
        },
        Operation::Status { host } => commands::status::run(context, host.as_ref()),
        Operation::Configure {
            host,
            client_id,
            client_secret,
            client_secret_stdin,
            flow,
        } => {
            let secret = client_secret_from(client_secret, client_secret_stdin)?;
            commands::configure::configure(&host.name, &client_id, secret.as_ref(), flow.as_deref())
        }
        Operation::Unconfigure { host, all } => match all {
            true => commands::configure::unconfigure_all(),
            false => commands::configure::unconfigure(&host.name),
        },
        Operation::Completions { shell } => {
            use std::io::Write;
            std::io::stdout()
                .lock()
                .write_all(&cli::completions(&shell))?;
            Ok(ExitCode::SUCCESS)
        }
        Operation::Unknown(words) => Ok(unknown_command(&words)),
    }
}

/// One line from stdin. At a terminal, a prompt on stderr and no echo, so
/// the secret is not left on the screen.
fn read_secret_line() -> std::io::Result<String> {
    use std::io::IsTerminal;
    let stdin = std::io::stdin();
    let mut line = String::new();
    if !stdin.is_terminal() {
        stdin.read_line(&mut line)?;
        return Ok(line);
    }
    #[cfg(unix)]
    let saved = {
        use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
        let saved = tcgetattr(&stdin).ok();
        if let Some(mut quiet) = saved.clone() {
            quiet.local_modes.remove(LocalModes::ECHO);
            let _ = tcsetattr(&stdin, OptionalActions::Now, &quiet);
        }
        saved
    };
    eprint!("Client secret (not shown): ");
    let read = stdin.read_line(&mut line);
    #[cfg(unix)]
    if let Some(saved) = saved {
        let _ = rustix::termios::tcsetattr(&stdin, rustix::termios::OptionalActions::Now, &saved);
    }
    eprintln!();
    read.map(|_| line)
}

/// git's rule for helpers: an operation they do not know is ignored, in
/// silence, because a future git may send new ones. git's own calls have a
/// pipe on stdin; a person at a terminal gets told, with a guess.
fn unknown_command(words: &[std::ffi::OsString]) -> ExitCode {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return ExitCode::SUCCESS;
    }
    let typed = words
        .first()
        .map(|word| word.to_string_lossy().into_owned())
        .unwrap_or_default();
    let typed = report::printable(&typed);
    match cli::closest_command(&typed) {
        Some(guess) => report::say(format!(
            "unknown command '{typed}'; did you mean '{guess}'?"
        )),
        None => report::say(format!(
            "unknown command '{typed}'; see `git credential-ghoauth --help`"
        )),
    }
    ExitCode::from(2)
}

/// The client secret for `configure`: from standard input, from
/// `GHOAUTH_CLIENT_SECRET`, or from the command line, which every local
/// user can read in the process list, and is warned about.
fn client_secret_from(
    argument: Option<String>,
    from_stdin: bool,
) -> anyhow::Result<Option<secret::Secret>> {
    use anyhow::Context as _;
    if from_stdin {
        let line = read_secret_line().context("could not read the client secret from stdin")?;
        let line = line.trim_end_matches(['\n', '\r']);
        if line.is_empty() {
            anyhow::bail!("--client-secret-stdin: standard input held no secret");
        }
        return Ok(Some(secret::Secret::new(line)));
    }
    if let Some(argument) = argument {
        report::say(
            "warning: --client-secret is visible to every local user in the process list; \
             prefer GHOAUTH_CLIENT_SECRET or --client-secret-stdin",
        );
        return Ok(Some(secret::Secret::new(argument)));
    }
    Ok(std::env::var_os("GHOAUTH_CLIENT_SECRET")
        .filter(|value| !value.is_empty())
        .map(|value| secret::Secret::new(value.as_encoded_bytes())))
}

/// The operations git sends; each reads git's request on stdin.
#[derive(Debug, Clone, Copy)]
enum GitOperation {
    Get,
    Store,
    Erase,
}

fn run_git_operation(settings: Settings, operation: GitOperation) -> ExitCode {
    use std::io::IsTerminal;
    let stdin = std::io::stdin().lock();
    // git always writes its request into a pipe; a terminal means a person,
    // who would otherwise wait on a silent prompt.
    if stdin.is_terminal() {
        report::say(match operation {
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
    let store = store::open(settings.store, settings.keyring_timeout);
    let context = Context {
        settings,
        store: store.as_ref(),
        clock: &SystemClock,
    };
    match operation {
        GitOperation::Get => commands::get::run(&context, stdin, std::io::stdout().lock()),
        GitOperation::Store => commands::store::run(&context, stdin),
        GitOperation::Erase => commands::erase::run(&context, stdin),
    }
}
