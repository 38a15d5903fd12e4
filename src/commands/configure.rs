//! `configure` and `unconfigure`: the global git config that makes a host an
//! OAuth host served by this helper (see `global_config`).

use std::process::ExitCode;

use anyhow::Context;

use crate::global_config;
use crate::host::OAuthHost;
use crate::report::say;
use crate::secret::Secret;

pub fn configure(
    remote: &OAuthHost,
    client_id: &str,
    client_secret: Option<&Secret>,
    flow: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let url = remote.url();
    global_config::write_app(remote, client_id, client_secret, flow)?;
    if !global_config::has_secret_for(remote) {
        println!(
            "Note: no client secret is configured, so signing in uses the device flow (tick \
             \"Enable Device Flow\" in the app's settings) and logout cannot revoke tokens. \
             To add one: GHOAUTH_CLIENT_SECRET=<secret> git credential-ghoauth configure \
             --host {url} --client-id {client_id}"
        );
    }
    println!("Configured {url} in your global git config: git will sign in with this helper.");
    Ok(ExitCode::SUCCESS)
}

pub fn unconfigure(remote: &OAuthHost) -> anyhow::Result<ExitCode> {
    match global_config::remove_app(remote)? {
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
/// config, as `install.sh --uninstall` needs.
pub fn unconfigure_all() -> anyhow::Result<ExitCode> {
    let urls = global_config::configured_urls();
    if urls.is_empty() {
        println!("Nothing of this helper's is configured.");
        return Ok(ExitCode::SUCCESS);
    }
    let mut code = ExitCode::SUCCESS;
    for url in urls {
        // One host that cannot be undone is said, and the rest still go.
        let done = OAuthHost::from_argument(&url)
            .with_context(|| format!("left credential.{url} as it is"))
            .and_then(|host| unconfigure(&host));
        if let Err(error) = done {
            say(format!("{error:#}"));
            code = ExitCode::FAILURE;
        }
    }
    Ok(code)
}
