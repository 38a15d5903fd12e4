//! `configure` and `unconfigure`: the global git config that makes a host an
//! OAuth host served by this helper (see `config::global`).

use std::process::ExitCode;

use anyhow::Context;

use crate::config::draft::Draft;
use crate::config::host::{Flavour, OAuthHost};
use crate::config::{FlowSetting, global};
use crate::secret::Secret;

pub fn configure(
    remote: &OAuthHost,
    client_id: &str,
    client_secret: Option<&Secret>,
    flow: Option<FlowSetting>,
) -> anyhow::Result<ExitCode> {
    let url = remote.url();
    let draft = Draft::of_global_config()?;
    global::write_app(
        &draft,
        remote,
        client_id,
        client_secret,
        flow.map(FlowSetting::name),
    )?;
    draft.commit()?;
    if !global::has_secret_for(remote) {
        println!(
            "Note: no client secret is configured, so signing in uses the device flow (tick \
             \"Enable Device Flow\" in the app's settings) and logout cannot revoke tokens. \
             To add one: GHOAUTH_CLIENT_SECRET=<secret> git credential-ghoauth configure \
             --host {url} --client-id {client_id}"
        );
    }
    println!("Configured {url} in your global git config: git will sign in with this helper.");
    if remote.flavour() == Flavour::GheComTenant {
        println!(
            "{} is {}: sign-in happens at {url}, and the REST API is https://api.{}.",
            remote.host(),
            remote.flavour(),
            remote.host()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `configure` with no `--client-id`: github.com with the app built into
/// this binary. The helper lines are written as for any host, and no
/// client id, so that the built-in app answers (and a later build's
/// takes over); an app configured before is dropped with its secret.
pub fn configure_builtin(
    remote: &OAuthHost,
    flow: Option<FlowSetting>,
) -> anyhow::Result<ExitCode> {
    let url = remote.url();
    if *remote != OAuthHost::github_com() {
        anyhow::bail!(
            "{url} needs --client-id: only github.com can have an app built in; run `git \
             credential-ghoauth setup --host {url}` for one of your own"
        );
    }
    let Some((id, _)) = crate::config::BUILTIN_APP else {
        anyhow::bail!(
            "this build has no app built in for github.com; run `git credential-ghoauth setup` \
             (your own GitHub App, one command), or configure --client-id ID for an OAuth app \
             you registered"
        );
    };
    let draft = Draft::of_global_config()?;
    global::write_builtin(&draft, remote, flow.map(FlowSetting::name))?;
    draft.commit()?;
    println!(
        "Configured {url} in your global git config with the app built into this helper ({id}): \
         the next git push signs in."
    );
    Ok(ExitCode::SUCCESS)
}

pub fn unconfigure(remote: &OAuthHost) -> anyhow::Result<ExitCode> {
    let draft = Draft::of_global_config()?;
    let removed = global::remove_app(&draft, remote)?;
    draft.commit()?;
    match removed {
        true => println!(
            "Removed this helper's settings for {} from your global git config.",
            remote.url()
        ),
        false => println!(
            "Nothing of this helper's is configured for {}.",
            remote.url()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// `unconfigure --all`: every host that has a client id in the global
/// config, as `install.sh --uninstall` needs. One host that cannot be
/// undone does not stop the rest; what could not be is the error.
pub fn unconfigure_all() -> anyhow::Result<ExitCode> {
    let urls = global::configured_urls();
    if urls.is_empty() {
        println!("Nothing of this helper's is configured.");
        return Ok(ExitCode::SUCCESS);
    }
    let mut left = Vec::new();
    for url in urls {
        let done = OAuthHost::from_argument(&url)
            .with_context(|| format!("left credential.{url} as it is"))
            .and_then(|host| unconfigure(&host));
        if let Err(error) = done {
            left.push(format!("{error:#}"));
        }
    }
    match left.is_empty() {
        true => Ok(ExitCode::SUCCESS),
        false => anyhow::bail!(left.join("; ")),
    }
}

/// The client secret for `configure`: from standard input, from
/// `GHOAUTH_CLIENT_SECRET`, or from the command line, which every local
/// user can read in the process list, and is warned about.
pub fn client_secret_from(
    argument: Option<String>,
    from_stdin: bool,
) -> anyhow::Result<Option<Secret>> {
    if from_stdin {
        let line = read_secret_line().context("could not read the client secret from stdin")?;
        let line = line.trim_end_matches(['\n', '\r']);
        if line.is_empty() {
            anyhow::bail!("--client-secret-stdin: standard input held no secret");
        }
        return Ok(Some(Secret::new(line)));
    }
    if let Some(argument) = argument {
        return Ok(Some(Secret::new(argument)));
    }
    Ok(std::env::var_os("GHOAUTH_CLIENT_SECRET")
        .filter(|value| !value.is_empty())
        .map(|value| Secret::new(value.as_encoded_bytes())))
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
