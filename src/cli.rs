//! The command line, as git and people call it.

use std::ffi::OsString;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "git-credential-ghoauth",
    version,
    about = "A git credential helper that keeps credentials in the OS keyring",
    long_about = "A git credential helper that keeps credentials in the OS keyring \
(the Secret Service on Linux, the Keychain on macOS, Credential Manager on Windows).\n\n\
git runs it; people rarely do. Configure it with\n\n    \
git config --global credential.helper ghoauth\n\n\
and git will call `git-credential-ghoauth get`, `store` and `erase`, writing the request \
to standard input. It stores credentials the way git's own storage helpers do: one per \
protocol, host, path and user; a request without a user gets the most recently stored \
one; `erase` with a password removes only entries holding that password.\n\n\
A credential found in the keyring is also kept for a short while in the Linux kernel \
keyring (readable by your user only), so that the next `get` costs no D-Bus round trip. \
`store` and `erase` make every such copy stale at once.",
    after_help = "Example, by hand:\n  \
printf 'protocol=https\\nhost=example.com\\nusername=me\\npassword=secret\\n' | git credential-ghoauth store\n  \
printf 'protocol=https\\nhost=example.com\\n' | git credential-ghoauth get",
    allow_external_subcommands = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// Seconds a credential found in the keyring stays in the kernel keyring cache (0 turns the cache off)
    #[arg(
        long,
        value_name = "SECONDS",
        env = "GHOAUTH_CACHE_SECONDS",
        hide_env_values = true,
        default_value_t = 900
    )]
    pub cache_seconds: u64,

    /// Seconds to wait for the OS keyring before giving up, so that git never hangs
    #[arg(
        long,
        value_name = "SECONDS",
        env = "GHOAUTH_KEYRING_TIMEOUT",
        hide_env_values = true,
        default_value_t = 20
    )]
    pub keyring_timeout: u64,

    #[command(subcommand)]
    pub operation: Operation,
}

#[derive(Debug, Subcommand)]
pub enum Operation {
    /// Answer git's request on standard input with a stored credential, if there is one
    Get,
    /// Keep the credential on standard input (git sends this after it was accepted)
    Store,
    /// Remove the matching credentials (git sends this after one was refused)
    Erase,
    /// Any operation a future git may send: ignored, as git asks of helpers
    #[command(external_subcommand)]
    Unknown(Vec<OsString>),
}
