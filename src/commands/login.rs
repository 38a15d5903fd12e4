//! `login`: sign in now, because a person asked, and keep the token.

use std::process::ExitCode;

use anyhow::{Context as _, bail};

use crate::acquire::{self, GitHubIssuer, OAuthRemote};
use crate::config::RemoteConfig;
use crate::config::host::OAuthHost;
use crate::git::record::Freshness;
use crate::helper::Helper;
use crate::oauth::github::Endpoints;
use crate::oauth::sign_in::Flow;
use crate::report::printable_bytes;
use crate::store::Store;

/// `forced` is `--flow browser` or `--flow device`; without it the remote's
/// `ghoauthFlow` decides, as it does for git.
pub fn run(
    helper: &Helper,
    host: &OAuthHost,
    forced: Option<Flow>,
    again: bool,
) -> anyhow::Result<ExitCode> {
    let url = host.url();
    let config = RemoteConfig::read(host, &host.request())?;
    let Some(app) = config.oauth_app.clone() else {
        bail!(
            "no OAuth app is configured for {url}; run `git credential-ghoauth configure \
             --host {url} --client-id <id> --client-secret-stdin` first"
        );
    };
    let endpoints = Endpoints::for_host(host)?;
    // A token that cannot be kept would be a sign-in for nothing.
    let stored = helper.store.list_host(host).context("not signing in")?;
    let now = helper.unix_seconds();
    let working = stored
        .iter()
        .filter(|entry| entry.oauth.is_some() && entry.freshness(now) != Freshness::Dead)
        .max_by_key(|entry| entry.stored_at);
    if let (Some(entry), false) = (working, again) {
        println!(
            "Already logged in to {} as {}; `git credential-ghoauth login --host {url} --force` \
             signs in again.",
            host.host(),
            printable_bytes(&entry.username)
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut remote = OAuthRemote::new(host.clone(), &host.request(), config, app, endpoints);
    // Signing in again where an account is kept is how a second one is
    // added: GitHub would approve the browser's current account unasked.
    remote.pick_account = stored.iter().any(|entry| entry.oauth.is_some());
    let app = crate::oauth::sign_in::which_app(&remote.app);
    let (login, scopes) = acquire::sign_in(helper, &GitHubIssuer, &remote, forced)?;
    let scopes = if scopes.is_empty() {
        "none".into()
    } else {
        scopes
    };
    println!(
        "Logged in to {} as {login} with {app} (scopes: {scopes}).",
        host.host()
    );
    Ok(ExitCode::SUCCESS)
}
