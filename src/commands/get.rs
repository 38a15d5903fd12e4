//! `get`: answer from the kernel-keyring cache when it can, else from the
//! OS keyring, else, for a GitHub host with an OAuth app configured, by
//! signing in in the browser. A helper that cannot help prints nothing and
//! exits 0, so that git asks the next helper or the user.

use std::io::{Read, Write};
use std::process::ExitCode;

use super::{keep_token, read_request};
use crate::Settings;
use crate::cache::Cache;
use crate::config::{RemoteConfig, must_not_prompt};
use crate::github::Endpoints;
use crate::keyring::{Keyring, with_deadline};
use crate::protocol::Credential;
use crate::report::problem;
use crate::sign_in::{self, Surroundings};
use crate::stored::pick_for_get;

pub fn run(settings: &Settings, input: impl Read, output: impl Write) -> ExitCode {
    let request = match read_request(input) {
        Ok(request) => request,
        Err(code) => return code,
    };
    if request.protocol.is_none() || request.host.is_none() {
        return ExitCode::SUCCESS;
    }

    // The hot path: no D-Bus, no process, no runtime.
    let cache = Cache::open(settings.cache_seconds);
    if let Some(answer) = cache.as_ref().and_then(|cache| cache.lookup(&request)) {
        return answer_git(&answer, output);
    }

    // Taken before the keyring read, so a store that lands in between makes
    // what we are about to cache stale instead of wrong.
    let generation = cache.as_ref().and_then(Cache::generation);
    let (protocol, host) = (request.protocol.clone(), request.host.clone());
    let stored = with_deadline(settings.keyring_timeout, move || {
        Keyring::open()?.list(protocol.as_deref(), host.as_deref())
    });
    let stored = match stored {
        Ok(stored) => stored,
        Err(error) => {
            problem(error);
            return ExitCode::SUCCESS;
        }
    };
    let Some(found) = pick_for_get(&request, &stored) else {
        return match sign_in_and_keep(settings, &request) {
            Some(answer) => answer_git(&answer, output),
            None => ExitCode::SUCCESS,
        };
    };
    let answer = found.answer();
    if let (Some(cache), Some(generation)) = (&cache, generation) {
        cache.remember(&request, generation, &answer);
    }
    answer_git(&answer, output)
}

/// The keyring had nothing. If this remote is a GitHub host with an OAuth
/// app configured, and git may wait for a person, sign in and keep the
/// token. Costs one `git config` run for any remote, and nothing more for
/// remotes that are not OAuth hosts.
fn sign_in_and_keep(settings: &Settings, request: &Credential) -> Option<Credential> {
    let config = RemoteConfig::read(request)
        .inspect_err(|error| problem(error))
        .ok()?;
    let app = config.oauth_app.as_ref()?;
    let protocol = std::str::from_utf8(request.protocol.as_deref()?).ok()?;
    let host = std::str::from_utf8(request.host.as_deref()?).ok()?;
    let endpoints = Endpoints::for_remote(protocol, host)
        .inspect_err(|error| problem(error))
        .ok()?;
    // git would fail fast here rather than prompt; so does the helper,
    // without a browser and without a word.
    if must_not_prompt(&config) {
        return None;
    }
    let wanted_login = request
        .username
        .as_deref()
        .filter(|name| !name.is_empty())
        .and_then(|name| std::str::from_utf8(name).ok());
    let flow = sign_in::choose(config.flow, &Surroundings::here());
    let signed_in = sign_in::sign_in(flow, endpoints, &config, app, wanted_login)
        .inspect_err(|error| problem(format!("{error:#}")))
        .ok()?;
    let (answer, kept) = keep_token(settings, protocol, host, app, signed_in);
    if let Err(error) = kept {
        problem(format!(
            "signed in, but the token could not be kept, so the next git command will ask \
             again: {error}"
        ));
    }
    Some(answer)
}

fn answer_git(answer: &Credential, output: impl Write) -> ExitCode {
    if let Err(error) = answer.write_answer(output) {
        problem(format!("could not answer git: {error}"));
    }
    ExitCode::SUCCESS
}
