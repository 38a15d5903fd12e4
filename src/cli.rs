//! The command line, as git and people call it.

use std::ffi::OsString;

use clap::{Parser, Subcommand};
use clap_complete::Shell;

use crate::config::FlowSetting;
use crate::config::host::OAuthHost;
use crate::helper::Settings;
use crate::oauth::sign_in::Flow;
use crate::store::StoreChoice;

pub(crate) const DEFAULT_CACHE_SECONDS: u64 = 900;
pub(crate) const DEFAULT_KEYRING_TIMEOUT: u64 = 20;

#[derive(Debug, Parser)]
#[command(
    name = "git-credential-ghoauth",
    version = version_text(),
    about = "A git credential helper that signs in to GitHub with OAuth and keeps tokens in the OS keyring",
    long_about = "A git credential helper that signs in to GitHub with OAuth and keeps credentials \
in the OS keyring (the Secret Service on Linux, the Keychain on macOS, Credential Manager on Windows).\n\n\
git runs it as a credential helper; people use setup, login, status and \
logout. Set it up for github.com with\n\n    \
git credential-ghoauth setup\n\n\
which creates your own GitHub App, installs it and signs in (or, with an OAuth app you \
registered by hand, git credential-ghoauth configure --client-id <id> --client-secret-stdin)\n\n\
(or, to use it for plain storage everywhere, git config --global credential.helper ghoauth), \
and git will call git-credential-ghoauth get, store and erase, writing the request \
to standard input. It stores credentials the way git's own storage helpers do: one per \
protocol, host, path and user; a request without a user gets the most recently stored \
one; erase with a password removes only entries holding that password. With git 2.46 or \
later it also keeps an authtype and credential (capability[]=authtype), answered only to a \
git that advertises the capability, and adds a state[] digest to its answer, so that the \
store after a push skips the keyring when handed back what get answered.\n\n\
When the keyring has nothing for a GitHub host that has an OAuth app configured \
(credential.<url>.ghoauthClientId), get signs in: it prints a loopback address that leads to the consent page \
on standard error, opens the browser, catches GitHub's redirect on a loopback port \
(127.0.0.1, with PKCE and a random state), keeps the token in the keyring and hands it to \
git. Where no browser can open (no display, SSH, WSL without wslview) it uses GitHub's \
device flow instead: a code to type at GitHub from any device. github.com and gist.github.com use GitHub's public endpoints; \
SUBDOMAIN.ghe.com is taken to be a GHE.com tenant, whose REST API is api.SUBDOMAIN.ghe.com; any other configured \
host is taken to be a GitHub Enterprise Server. It never signs in when git must not wait \
for a person (GIT_TERMINAL_PROMPT=0, or credential.interactive false or never). store \
of a token it already holds writes nothing; erase of a token it obtained also revokes \
it at GitHub.\n\n\
A credential found in the keyring is also kept for a short while in the Linux kernel \
keyring (readable by your user only), so that the next get costs no D-Bus round trip. \
store and erase make every such copy stale at once.",
    after_help = "Example, by hand:\n  \
printf 'protocol=https\\nhost=example.com\\nusername=me\\npassword=secret\\n' | git credential-ghoauth store\n  \
printf 'protocol=https\\nhost=example.com\\n' | git credential-ghoauth get\n\n\
See --help for the git config keys and environment variables.",
    after_long_help = "Git config keys (per remote URL, read with git's URL matching):\n  \
credential.<url>.ghoauthClientId\n      the OAuth app's client id; makes <url> an OAuth host\n  \
credential.<url>.ghoauthClientSecret\n      the app's client secret (for the browser flow and revoking)\n  \
credential.<url>.ghoauthScopes\n      scopes to ask for (default: repo workflow)\n  \
credential.<url>.ghoauthRedirectUri\n      loopback redirects to listen on, tried in order; unset: http://127.0.0.1:17829/callback,\n      else any free port\n  \
credential.<url>.ghoauthTimeout\n      seconds to wait for a sign-in (default: 300, at most 3600)\n  \
credential.<url>.ghoauthFlow\n      browser, device, or auto (default: auto)\n  \
credential.interactive\n      false or never: do not sign in, as git does not prompt\n  \
credential.<url>.ghoauthAccount\n      OWNER LOGIN: the account for OWNER's repositories when a host has\n      several (written by use and by discovery; see use --help)\n  \
credential.<url>.useHttpPath\n      true (configure sets it): git sends the repository's path, whose\n      owner picks the account\n  \
credential.username\n      a user name git sends for every request; it wins over bindings\n  \
http.<url>.proxy, http.proxy\n      the proxy for GitHub's requests, as for git's own (empty: none)\n  \
http.<url>.sslCAInfo\n      a PEM file of CAs to trust instead of the system's\n\n\
Expiring tokens (GitHub Apps) are renewed without a browser when\n\
5 minutes or less remain. Parallel git commands share one sign-in\n\
or renewal: the others wait on a lock file in\n\
$XDG_RUNTIME_DIR/git-credential-ghoauth (or the cache directory).\n\n\
Numbers are clamped to these ranges, whatever their source:\n  \
ghoauthTimeout 1-3600 s, --keyring-timeout 1-300 s,\n  \
--cache-seconds 0-86400 s; from a server, a device code's life\n  \
1-3600 s and its poll interval 1-60 s.\n\n\
Environment:\n  \
GHOAUTH_CLIENT_ID, GHOAUTH_CLIENT_SECRET\n      override the configured client id and secret\n  \
GHOAUTH_CACHE_SECONDS, GHOAUTH_KEYRING_TIMEOUT, GHOAUTH_STORE\n      the options above\n  \
GIT_TERMINAL_PROMPT=0\n      do not sign in (git will not prompt either)\n  \
BROWSER\n      the command that opens the consent page\n  \
DISPLAY, WAYLAND_DISPLAY, SSH_CONNECTION, WSL_DISTRO_NAME\n      let ghoauthFlow=auto tell whether a browser can open\n  \
SSL_CERT_FILE\n      a CA file to trust, where git config names none\n\n\
Exit status:\n  \
get, store, erase\n      0, also when the helper cannot help (one line on\n      \
stderr says why); 1 for malformed input, or when\n      \
store or erase could not reach the keyring\n  \
login, logout, configure, unconfigure\n      0 on success, 1 on failure, 2 for a bad command line\n  \
status\n      0 when something is stored, 1 when nothing is,\n      2 for a bad command line\n  \
an unknown command typed at a terminal\n      2, with a guess; from git (stdin not a terminal),\n      ignored with 0\n\n\
Example, for github.com, with an OAuth app whose callback URL is\n  \
http://127.0.0.1:17829/callback:\n  \
git credential-ghoauth configure --client-id <id> \\\n      \
--client-secret-stdin\n  \
git credential-ghoauth login\n  \
git credential-ghoauth status",
    allow_external_subcommands = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// Seconds a credential found in the keyring stays in the kernel keyring cache (0 turns the cache off; at most 86400)
    #[arg(
        long,
        value_name = "SECONDS",
        env = "GHOAUTH_CACHE_SECONDS",
        hide_env_values = true,
        default_value_t = DEFAULT_CACHE_SECONDS
    )]
    pub(crate) cache_seconds: u64,

    /// Seconds to wait for the OS keyring before giving up, so that git never hangs (1 to 300)
    #[arg(
        long,
        value_name = "SECONDS",
        env = "GHOAUTH_KEYRING_TIMEOUT",
        hide_env_values = true,
        default_value_t = DEFAULT_KEYRING_TIMEOUT
    )]
    pub(crate) keyring_timeout: u64,

    /// Where to keep credentials on Linux: auto (the Secret Service if there is one, else the kernel keyring), secret-service, or kernel (the kernel's persistent keyring: no D-Bus needed, gone at reboot)
    #[arg(
        long,
        value_name = "STORE",
        env = "GHOAUTH_STORE",
        value_enum,
        default_value = "auto"
    )]
    pub(crate) store: StoreChoice,

    #[command(subcommand)]
    pub(crate) operation: Operation,
}

impl Cli {
    /// The settings every command works with, clamped.
    pub(crate) fn settings(&self) -> Settings {
        Settings::new(self.cache_seconds, self.keyring_timeout, self.store)
    }
}

/// The operations git sends; each reads git's request on stdin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GitOperation {
    Get,
    Store,
    Erase,
}

/// git's own call, `[--store=S | --store S] get|store|erase`, read as clap
/// would read it (the same names, the same environment variables and
/// defaults) but without building clap's command tree: that costs a tenth
/// of a cache hit. `None` for anything else, including a value clap should
/// complain about, which clap then does. Pure, so that a table test can
/// hold it to clap's reading.
pub(crate) fn plain_git_call(
    args: &[OsString],
    env: impl Fn(&str) -> Option<OsString>,
) -> Option<(GitOperation, Settings)> {
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
    let number = |name: &str, default: u64| match env(name) {
        None => Some(default),
        Some(value) => value.to_str()?.parse().ok(),
    };
    let store = match (store, env("GHOAUTH_STORE")) {
        (Some(value), _) => StoreChoice::parse(value)?,
        (None, Some(value)) => StoreChoice::parse(value.to_str()?)?,
        (None, None) => StoreChoice::default(),
    };
    let settings = Settings::new(
        number("GHOAUTH_CACHE_SECONDS", DEFAULT_CACHE_SECONDS)?,
        number("GHOAUTH_KEYRING_TIMEOUT", DEFAULT_KEYRING_TIMEOUT)?,
        store,
    );
    Some((operation, settings))
}

#[derive(Debug, Subcommand)]
pub(crate) enum Operation {
    /// Answer git's request on standard input with a stored credential, or sign in to an OAuth host
    #[command(
        after_help = "Example:\n  printf 'protocol=https\\nhost=github.com\\n' | git credential-ghoauth get"
    )]
    Get,
    /// Keep the credential on standard input (git sends this after it was accepted)
    #[command(after_help = "Example:\n  \
printf 'protocol=https\\nhost=example.com\\nusername=me\\npassword=secret\\n' | git credential-ghoauth store")]
    Store,
    /// Remove the matching credentials and revoke tokens obtained here (git sends this after one was refused); with --host, a person's logout
    #[command(
        after_help = "Without --host it reads git's request on standard input. With --host it \
is a person's form of the same, as logout is.\n\n\
Examples:\n  \
printf 'protocol=https\\nhost=example.com\\nusername=me\\n' | git credential-ghoauth erase\n  \
git credential-ghoauth erase --host github.com --user octocat"
    )]
    Erase {
        /// Erase (and revoke) this host's credentials, as logout does, instead of reading stdin
        #[arg(long, value_name = "HOST", value_parser = OAuthHost::from_argument)]
        host: Option<OAuthHost>,
        /// With --host: only this account
        #[arg(long, value_name = "LOGIN", requires = "host")]
        user: Option<String>,
    },
    /// Create your own GitHub App, install it and sign in: setup with nothing to copy or paste
    #[command(
        after_help = "Opens the browser three times: to create the app (GitHub's app \
manifest flow: press \"Create GitHub App\"), to install it on the repositories you choose, and \
to sign in. The app's client id and secret go into your global git config and the private \
secrets file, as configure writes them; its private key and webhook secret are never kept. \
Each step waits at most credential.<url>.ghoauthTimeout seconds.\n\n\
Examples:\n  \
git credential-ghoauth setup\n  \
git credential-ghoauth setup --host https://ghe.example.com\n  \
git credential-ghoauth setup --org my-org"
    )]
    Setup {
        #[command(flatten)]
        host: HostArg,
        /// Create the app for this organisation (you must be one of its owners)
        #[arg(long, value_name = "ORG", value_parser = org_name)]
        org: Option<String>,
        /// Set up again even when the host already has an app configured
        #[arg(long)]
        force: bool,
    },
    /// Sign in to a GitHub host now, keep the token, and say who is signed in
    #[command(after_help = "Examples:\n  \
git credential-ghoauth login\n  \
git credential-ghoauth login --host https://ghe.example.com --flow device")]
    Login {
        #[command(flatten)]
        host: HostArg,
        /// How to sign in: in the browser, or with a code typed at GitHub (default: as credential.<url>.ghoauthFlow says)
        #[arg(long, value_enum, value_name = "FLOW")]
        flow: Option<Flow>,
        /// Old spelling of --flow browser
        #[arg(long, hide = true, conflicts_with_all = ["flow", "device"])]
        browser: bool,
        /// Old spelling of --flow device
        #[arg(long, hide = true, conflicts_with = "flow")]
        device: bool,
        /// Sign in again even when a working token is stored
        #[arg(long)]
        force: bool,
    },
    /// Forget the host's tokens and revoke them at GitHub (one account, or all)
    #[command(after_help = "Examples:\n  \
git credential-ghoauth logout\n  \
git credential-ghoauth logout --host https://ghe.example.com --user alice\n  \
git credential-ghoauth logout --all")]
    Logout {
        #[command(flatten)]
        host: HostArg,
        /// Only this account
        #[arg(long, value_name = "LOGIN")]
        user: Option<String>,
        /// Every token this helper obtained, on every host (credentials git stored stay)
        #[arg(long, conflicts_with = "user")]
        all: bool,
    },
    /// Choose which account answers for an owner's repositories, or the host's default account
    #[command(
        long_about = "Choose which account answers for an owner's repositories on a host, or the \
host's default account.\n\n\
When a host has several accounts and git names none (no user name in the remote URL), the \
owner of the repository decides: `use LOGIN --for OWNER` binds LOGIN to OWNER's repositories. \
Without --for, inside a repository, it binds the owner of the remote the current branch pushes \
to (or origin). Bindings are kept in your global git config as \
credential.<url>.ghoauthAccount = OWNER LOGIN, owners matched without regard to case; \
unconfigure removes them all. A user name git sends (from the remote URL, or a \
credential.username setting, which status names) still wins.\n\n\
An owner that has no binding yet gets one the first time git asks for it: the helper asks \
GitHub which of your accounts can push to the repository (one request per account, once per \
owner) and binds that one, saying so on a terminal.\n\n\
If LOGIN has no token yet, use signs in for it first (asking GitHub to sign in as LOGIN), and \
writes nothing if you sign in as someone else.\n\n\
Answers are cached per owner for up to --cache-seconds: use makes them stale at once, while a \
binding edited by hand in git config applies once they expire.",
        after_help = "Examples:\n  \
git credential-ghoauth use alice-acme --for acme\n  \
git credential-ghoauth use alice-acme             (inside a clone of an acme repository)\n  \
git credential-ghoauth use alice --default\n  \
git credential-ghoauth use --clear acme\n  \
git credential-ghoauth use bob --for https://ghe.example.com/platform"
    )]
    Use {
        /// The GitHub login to use
        #[arg(value_name = "LOGIN", required_unless_present = "clear", value_parser = login_name)]
        login: Option<String>,
        /// The owner (a user or organisation name, or a URL under the host) whose repositories LOGIN is for (default: the owner of the current repository's push remote)
        #[arg(long = "for", value_name = "OWNER")]
        owner: Option<String>,
        /// A host name (github.com) or URL (default: the host of --for's URL or of the push remote, else github.com)
        #[arg(long, value_name = "HOST", value_parser = OAuthHost::from_argument)]
        host: Option<OAuthHost>,
        /// Make LOGIN the host's default account: the one that answers when git names none and no binding applies
        #[arg(long, conflicts_with = "owner")]
        default: bool,
        /// Remove OWNER's binding instead
        #[arg(long, value_name = "OWNER", conflicts_with_all = ["login", "owner", "default"])]
        clear: Option<String>,
    },
    /// Find what keeps git and this helper from working together, and name each fix
    #[command(
        long_about = "Check git, the helpers git runs for each GitHub host, the store, the app, \
the network and each account, one line per check (ok, warning or problem), with the command that \
fixes each problem under it.\n\n\
Checks: git's version and which git-credential-ghoauth git runs; the helper chain for each host \
as git will run it (every credential.helper that applies, with its file; helpers before this one, \
which may answer first; helpers after it, such as store, which would write tokens to a plain \
file); the store (which one, whether it answers in time, what it holds, the lock directory); the \
app (client id, where the secret comes from, the secrets file's mode, the redirect ports, which \
flow a sign-in uses here and why); unless --offline, the network (proxy and CA, a connection to \
the host, the clock against the server's Date, whether GitHub knows the client id, whether the \
device flow is enabled, which asks GitHub for a code and abandons it) and each account (the token \
accepted, its scopes, its expiry, the app's installations). All network checks together take at \
most 10 s.\n\n\
With --json, one JSON object, a stable format: {\"problems\": count, \"warnings\": count, \
\"checks\": [{\"id\": a stable name such as chain.after or network.clock, \"host\": the host's \
URL or null, \"status\": \"ok\", \"warning\" or \"problem\", \"summary\", \"fix\": the command \
that fixes it, or null}]}. Fields and ids may be added; none is removed or renamed. Never a \
secret.",
        after_help = "Exit status: 0 when there is no problem (warnings allowed), 1 otherwise.\n\n\
Examples:\n  \
git credential-ghoauth doctor\n  \
git credential-ghoauth doctor --host https://ghe.example.com --offline\n  \
git credential-ghoauth doctor --json"
    )]
    Doctor {
        /// Only this host (a name or a URL); every configured host when left out
        #[arg(long, value_name = "HOST", value_parser = OAuthHost::from_argument)]
        host: Option<OAuthHost>,
        /// Make no network request
        #[arg(long)]
        offline: bool,
        /// One JSON object (a stable format: see the man page's description)
        #[arg(long)]
        json: bool,
    },
    /// Print a token that works now, for scripts: the credential itself, so treat the output as a password
    #[command(
        long_about = "Print a token that works now for the host, and a newline, and nothing else on \
standard output: renewed first if it is about to expire, or signed in for when nothing is stored \
and a person may be asked (as git's own get would). Never a refresh token, and only a token this \
helper obtained: a password git stored for the host is printed only with --include-passwords. \
The output is the credential itself: keep it out of logs, files and command lines; at a terminal \
a warning on standard error says so first.",
        after_help = "Exit status: 0 with a token on standard output; 1, with one line on standard error, \
when there is none and none can be had.\n\n\
Examples:\n  \
GH_TOKEN=$(git credential-ghoauth token) gh pr list\n  \
git credential-ghoauth token --host https://ghe.example.com --user octocat"
    )]
    Token {
        #[command(flatten)]
        host: HostArg,
        /// The account, when the host has several (default: the one git would get)
        #[arg(long, value_name = "LOGIN")]
        user: Option<String>,
        /// Also print a password git stored for the host (not a token this helper obtained)
        #[arg(long)]
        include_passwords: bool,
    },
    /// Show the stored accounts: login, scopes, expiry, where, and the token masked
    #[command(
        long_about = "Show the stored accounts: login, scopes, expiry, where, and the token masked.\n\n\
With --json, one JSON object, a stable format: {\"store\": where credentials are kept, \
\"app\": the app for the host asked about (or github.com) as {\"url\", \"client_id\", \
\"source\", \"client_secret\": true or false} or null, \"hosts\": [{\"url\", \"flavour\": \"github.com\", \"ghe.com tenant\" or \"enterprise server\", \"accounts\": \
[{\"login\", \"path\" (or null), \"default\": true for the account a request without a user \
name gets, \"token\": a GitHub token's prefix and last four characters (ghu_…wxyz), or \
\"(a password, hidden)\" for anything else, \"obtained_here\": true for a \
token this helper signed in for, \"scopes\", \"client_id\" (or null), \"expires_utc\" (Unix \
seconds, or null for never), \"expired\", \"renews_until_utc\" (Unix seconds, or null)}], \
\"bindings\": [{\"owner\", \"login\", \"origin\": the config file, as git config --show-origin names \
it, \"account_stored\": false when no token is stored for that login}], \"username_settings\": \
[{\"key\", \"value\", \"origin\"}]: credential username settings that reach the host, whose user \
name git sends and which win over the bindings}]}. \
Never a whole token, never a refresh token. Fields may be added; none is removed or renamed.",
        after_help = "Exit status: 0 when at least one credential is stored, 1 when none is.\n\n\
Examples:\n  \
git credential-ghoauth status\n  \
git credential-ghoauth status --host github.com\n  \
git credential-ghoauth status --json"
    )]
    Status {
        /// Only this host (a name or a URL); all hosts when left out
        #[arg(long, value_name = "HOST", value_parser = OAuthHost::from_argument)]
        host: Option<OAuthHost>,
        /// The same facts as one JSON object (a stable format: see the man page's description)
        #[arg(long)]
        json: bool,
    },
    /// Write the git config that makes a host an OAuth host served by this helper
    #[command(
        after_help = "Writes credential.<url>.ghoauthClientId (and Flow) and a host-scoped helper \
entry, preceded by an empty one that resets the helpers before it for that host, to your global \
git config. Other helpers are never removed or reordered. Running it again changes nothing.\n\n\
It also sets credential.<url>.useHttpPath = true, unless you set it yourself, so that git sends \
the repository's path: when you have several accounts on the host, the owner in that path picks \
the account (see use --help). This helper's tokens stay one per account; a password that git \
itself asks for and stores for that host is then kept per repository.\n\n\
The client secret (from GHOAUTH_CLIENT_SECRET, --client-secret-stdin or --client-secret) goes \
into ~/.git-credential-ghoauth-secrets (beside $GIT_CONFIG_GLOBAL when that is set), mode 0600, \
which the global config includes: never onto a command line, never into a file others can read.\n\n\
Examples:\n  \
git credential-ghoauth configure --client-id Ov23liAbCdEf --client-secret-stdin < secret.txt\n  \
GHOAUTH_CLIENT_SECRET=9a2b... git credential-ghoauth configure --host https://ghe.example.com --client-id Ov23liXyZ --flow device"
    )]
    Configure {
        #[command(flatten)]
        host: HostArg,
        /// The OAuth app's client id; without it, github.com uses the app built into this
        /// binary, when it has one (see --version)
        #[arg(long, value_name = "ID", value_parser = client_id)]
        client_id: Option<String>,
        /// The OAuth app's client secret; visible to other users in the process list, so
        /// prefer GHOAUTH_CLIENT_SECRET or --client-secret-stdin
        #[arg(long, value_name = "SECRET", conflicts_with = "client_secret_stdin")]
        client_secret: Option<String>,
        /// Read the client secret from the first line of standard input
        #[arg(long)]
        client_secret_stdin: bool,
        /// browser, device or auto
        #[arg(long, value_name = "FLOW", value_enum)]
        flow: Option<FlowSetting>,
    },
    /// Remove exactly what configure wrote for the host
    #[command(after_help = "Examples:\n  \
git credential-ghoauth unconfigure --host https://ghe.example.com\n  \
git credential-ghoauth unconfigure --all")]
    Unconfigure {
        #[command(flatten)]
        host: HostArg,
        /// Every host configure wrote settings for
        #[arg(long)]
        all: bool,
    },
    /// Print shell completions (bash, zsh or fish) for this command
    #[command(after_help = "Examples:\n  \
git credential-ghoauth completions bash > ~/.local/share/bash-completion/completions/git-credential-ghoauth\n  \
git credential-ghoauth completions fish > ~/.config/fish/completions/git-credential-ghoauth.fish")]
    Completions {
        /// bash, zsh or fish
        #[arg(value_name = "SHELL", value_enum)]
        shell: Shell,
    },
    /// Any operation a future git may send: ignored, as git asks of helpers
    #[command(external_subcommand)]
    Unknown(Vec<OsString>),
}

#[derive(Debug, clap::Args)]
pub(crate) struct HostArg {
    /// A host name (github.com) or URL (https://ghe.example.com, http://127.0.0.1:8080)
    #[arg(
        long = "host",
        value_name = "HOST",
        default_value = "github.com",
        value_parser = OAuthHost::from_argument
    )]
    pub(crate) name: OAuthHost,
}

/// The completion script for `shell` (bash, zsh or fish), as
/// `completions SHELL` prints it and `man/completions/` keeps it.
pub fn completions(shell: Shell) -> Vec<u8> {
    use clap::CommandFactory;
    let mut script = Vec::new();
    clap_complete::generate(
        shell,
        &mut Cli::command(),
        "git-credential-ghoauth",
        &mut script,
    );
    script
}

/// `--version`: the version, and which app github.com uses when git
/// config names none (a packager may have built one in).
pub(crate) fn version_text() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        let app = match crate::config::BUILTIN_APP {
            Some((id, _)) => format!("built-in github.com app {id}"),
            None => "no built-in app: configure one for github.com".to_string(),
        };
        format!("{} ({app})", env!("CARGO_PKG_VERSION"))
    })
}

/// The subcommand a typo most likely meant: one edit away (two for longer
/// words), a swap of neighbours counting as one edit.
pub(crate) fn closest_command(typed: &str) -> Option<String> {
    use clap::CommandFactory;
    let allowed = if typed.chars().count() > 5 { 2 } else { 1 };
    Cli::command()
        .get_subcommands()
        .map(|sub| {
            (
                edit_distance(typed, sub.get_name()),
                sub.get_name().to_string(),
            )
        })
        .filter(|(distance, _)| *distance <= allowed)
        .min()
        .map(|(_, name)| name)
}

/// Optimal string alignment distance: insertions, deletions, substitutions
/// and swaps of adjacent characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// A client id as GitHub issues them: it becomes a segment of a URL's path.
fn client_id(text: &str) -> Result<String, String> {
    match crate::oauth::github::is_path_segment(text) {
        true => Ok(text.to_string()),
        false => {
            Err("a client id is letters, digits, '.', '-' and '_', as GitHub issues them".into())
        }
    }
}

/// A GitHub login, as `use` takes it: letters, digits, '-' and '_'.
fn login_name(text: &str) -> Result<String, String> {
    match crate::git::repository::Owner::parse(text) {
        Some(_) => Ok(text.to_string()),
        None => Err("a GitHub login is letters, digits, '-' and '_'".into()),
    }
}

/// A GitHub organisation's login: letters, digits and hyphens.
fn org_name(text: &str) -> Result<String, BadOrg> {
    let plain = !text.is_empty()
        && text.len() <= 39
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    match plain {
        true => Ok(text.to_string()),
        false => Err(BadOrg),
    }
}

/// An `--org` that is no organisation's name.
#[derive(Debug)]
pub(crate) struct BadOrg;

impl std::fmt::Display for BadOrg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an organisation's name holds only letters, digits and hyphens")
    }
}

impl std::error::Error for BadOrg {}

#[cfg(test)]
mod tests {
    use super::*;

    /// What clap makes of `args` when it is one of git's plain calls.
    fn clap_reading(args: &[&str]) -> Option<(GitOperation, Settings)> {
        let cli = Cli::try_parse_from(
            std::iter::once("git-credential-ghoauth").chain(args.iter().copied()),
        )
        .ok()?;
        let operation = match cli.operation {
            Operation::Get => GitOperation::Get,
            Operation::Store => GitOperation::Store,
            Operation::Erase { host: None, .. } => GitOperation::Erase,
            _ => return None,
        };
        Some((operation, cli.settings()))
    }

    /// The fast path takes a call only when clap would read it the same
    /// way, in whatever environment this runs (see the next test).
    #[test]
    fn the_fast_path_reads_git_calls_as_clap_does() {
        let cases: &[&[&str]] = &[
            &["get"],
            &["store"],
            &["erase"],
            &["--store=kernel", "get"],
            &["--store", "secret-service", "store"],
            &["--store=auto", "erase"],
            &["--store=bogus", "get"],
            &["--store=", "get"],
            &["--store"],
            &["--cache-seconds", "5", "get"],
            &["--cache-seconds=5", "get"],
            &["get", "extra"],
            &["erase", "--host", "github.com"],
            &["frobnicate"],
            &["--help"],
            &[],
        ];
        let mut taken = 0;
        for args in cases {
            let os: Vec<OsString> = args.iter().map(OsString::from).collect();
            let fast = plain_git_call(&os, |name| std::env::var_os(name));
            if let Some(fast) = fast {
                taken += 1;
                assert_eq!(Some(fast), clap_reading(args), "{args:?}");
            }
        }
        let tuned = [
            "GHOAUTH_STORE",
            "GHOAUTH_CACHE_SECONDS",
            "GHOAUTH_KEYRING_TIMEOUT",
        ]
        .iter()
        .any(|name| std::env::var_os(name).is_some());
        if !tuned {
            assert_eq!(
                taken, 6,
                "the fast path takes git's plain calls, and only those"
            );
        }
    }

    /// clap reads its `env =` values from the process environment, which
    /// the crate cannot set (unsafe in edition 2024, and forbidden here): so
    /// the test above runs again in a child, once per environment.
    #[test]
    fn the_fast_path_agrees_with_clap_in_every_environment() {
        let test_binary = std::env::current_exe().unwrap();
        let environments: &[&[(&str, &str)]] = &[
            &[("GHOAUTH_STORE", "kernel")],
            &[("GHOAUTH_STORE", "secret-service")],
            &[("GHOAUTH_STORE", "bogus")],
            &[("GHOAUTH_STORE", "")],
            &[
                ("GHOAUTH_CACHE_SECONDS", "0"),
                ("GHOAUTH_KEYRING_TIMEOUT", "1"),
            ],
            &[
                ("GHOAUTH_CACHE_SECONDS", "99999999"),
                ("GHOAUTH_KEYRING_TIMEOUT", "99999"),
            ],
            &[("GHOAUTH_CACHE_SECONDS", "-1")],
            &[("GHOAUTH_KEYRING_TIMEOUT", "x")],
        ];
        for environment in environments {
            let mut child = std::process::Command::new(&test_binary);
            child.args([
                "--exact",
                "cli::tests::the_fast_path_reads_git_calls_as_clap_does",
                "--test-threads=1",
            ]);
            for name in [
                "GHOAUTH_STORE",
                "GHOAUTH_CACHE_SECONDS",
                "GHOAUTH_KEYRING_TIMEOUT",
            ] {
                child.env_remove(name);
            }
            child.envs(environment.iter().copied());
            let ran = child.output().unwrap();
            assert!(
                ran.status.success(),
                "{environment:?}: {}",
                String::from_utf8_lossy(&ran.stdout)
            );
            assert!(
                String::from_utf8_lossy(&ran.stdout).contains("1 passed"),
                "the child ran the table"
            );
        }
    }

    #[test]
    fn typos_find_their_command() {
        let guess = |typed: &str| closest_command(typed);
        assert_eq!(guess("stauts").as_deref(), Some("status"));
        assert_eq!(guess("lgoin").as_deref(), Some("login"));
        assert_eq!(guess("logut").as_deref(), Some("logout"));
        assert_eq!(guess("configur").as_deref(), Some("configure"));
        assert_eq!(closest_command("frobnicate"), None);
        assert_eq!(closest_command("capability"), None);
        // Five letters allow one edit, six allow two.
        assert_eq!(guess("lxgxn"), None);
        assert_eq!(guess("xtatux").as_deref(), Some("status"));
        assert_eq!(edit_distance("status", "status"), 0);
        assert_eq!(edit_distance("login", "logni"), 1, "a swap is one edit");
        assert_eq!(edit_distance("setup", "set"), 2);
        assert_eq!(edit_distance("", "get"), 3);
    }

    #[test]
    fn ids_and_orgs_that_become_url_paths_are_checked() {
        assert_eq!(client_id("Ov23liAbC-d_e.f"), Ok("Ov23liAbC-d_e.f".into()));
        for bad in ["", "..", ".", "a/b", "a b", "é"] {
            assert!(client_id(bad).is_err(), "{bad:?}");
        }
        assert_eq!(org_name("my-org1").ok().as_deref(), Some("my-org1"));
        assert!(org_name(&"a".repeat(39)).is_ok());
        for bad in ["", "my_org", "my.org", "a/b", &"a".repeat(40)] {
            assert!(org_name(bad).is_err(), "{bad:?}");
        }
        assert!(!BadOrg.to_string().is_empty());
    }
}
