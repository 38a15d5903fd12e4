//! `login`: sign in now, because a person asked, and keep the token.

use std::process::ExitCode;

use super::{Remote, USAGE, keep_token, since_epoch};
use crate::Settings;
use crate::config::RemoteConfig;
use crate::github::Endpoints;
use crate::keyring::{Keyring, with_deadline};
use crate::report::{printable_bytes, problem};
use crate::sign_in::{self, Flow, Surroundings};
use crate::stored::Freshness;

/// `forced` is `--browser` or `--device`; without it the remote's
/// `ghoauthFlow` decides, as it does for git.
pub fn run(settings: &Settings, host: &str, forced: Option<Flow>, again: bool) -> ExitCode {
    let remote = match Remote::parse(host) {
        Ok(remote) => remote,
        Err(error) => {
            problem(error);
            return ExitCode::from(USAGE);
        }
    };
    let url = remote.url();
    let config = match RemoteConfig::read(&remote.oauth_host, &remote.request()) {
        Ok(config) => config,
        Err(error) => {
            problem(error);
            return ExitCode::FAILURE;
        }
    };
    let Some(app) = &config.oauth_app else {
        problem(format!(
            "no OAuth app is configured for {url}; run `git credential-ghoauth configure \
             --host {url} --client-id <id> --client-secret <secret>` first"
        ));
        return ExitCode::FAILURE;
    };
    let endpoints = match Endpoints::for_host(&remote.oauth_host) {
        Ok(endpoints) => endpoints,
        Err(error) => {
            problem(error);
            return ExitCode::FAILURE;
        }
    };
    // A token that cannot be kept would be a sign-in for nothing.
    let (protocol, name) = (remote.protocol.clone(), remote.host.clone());
    let stored = with_deadline(settings.keyring_timeout, move || {
        Keyring::open()?.list(Some(protocol.as_bytes()), Some(name.as_bytes()))
    });
    let stored = match stored {
        Ok(stored) => stored,
        Err(error) => {
            problem(format!("not signing in: {error}"));
            return ExitCode::FAILURE;
        }
    };
    let now = since_epoch().as_secs();
    let working = stored
        .iter()
        .filter(|entry| entry.oauth.is_some() && entry.freshness(now) != Freshness::Dead)
        .max_by_key(|entry| entry.stored_at);
    if let (Some(entry), false) = (working, again) {
        println!(
            "Already logged in to {} as {}; `git credential-ghoauth login --host {url} --force` \
             signs in again.",
            remote.host,
            printable_bytes(&entry.username)
        );
        return ExitCode::SUCCESS;
    }
    let flow = forced.unwrap_or_else(|| {
        sign_in::choose(
            config.flow,
            &Surroundings::here(),
            app.client_secret.is_some(),
        )
    });
    let signed_in = match sign_in::sign_in(flow, endpoints, &config, app, None) {
        Ok(signed_in) => signed_in,
        Err(error) => {
            problem(format!("{error:#}"));
            return ExitCode::FAILURE;
        }
    };
    let (login, scopes) = (signed_in.login.clone(), signed_in.scopes.clone());
    let (_, kept) = keep_token(
        settings,
        &remote.oauth_host,
        app,
        signed_in,
        since_epoch().as_nanos(),
    );
    if let Err(error) = kept {
        problem(format!(
            "signed in as {login}, but the token could not be kept: {error}"
        ));
        return ExitCode::FAILURE;
    }
    let scopes = if scopes.is_empty() {
        "none".into()
    } else {
        scopes
    };
    println!(
        "Logged in to {} as {login} (scopes: {scopes}).",
        remote.host
    );
    ExitCode::SUCCESS
}
