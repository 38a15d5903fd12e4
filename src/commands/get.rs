//! `get`: answer from the kernel-keyring cache when it can, else from the
//! OS keyring, renewing a token that is about to expire, else, for a GitHub
//! host with an OAuth app configured, by signing in. A helper that cannot
//! help prints nothing and exits 0, so that git asks the next helper or the
//! user.

use std::io::{Read, Write};
use std::process::ExitCode;

use super::obtain::{self, unix_now};
use super::read_request;
use crate::Settings;
use crate::cache::Cache;
use crate::keyring::{Keyring, with_deadline};
use crate::protocol::Credential;
use crate::report::problem;
use crate::stored::{Freshness, pick_for_get};

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
    let answer = match pick_for_get(&request, &stored) {
        Some(found) => match found.freshness(unix_now()) {
            Freshness::Fresh => {
                let answer = found.answer();
                if let (Some(cache), Some(generation)) = (&cache, generation) {
                    cache.remember(&request, generation, &answer);
                }
                Some(answer)
            }
            Freshness::Renewable => obtain::renew(settings, &request, found),
            Freshness::Dead => obtain::replace_dead(settings, &request, found),
        },
        None => match &request.oauth_refresh_token {
            Some(refresh_token) => obtain::renew_from_git(settings, &request, refresh_token),
            None => obtain::sign_in_and_keep(settings, &request),
        },
    };
    match answer {
        Some(answer) => answer_git(&answer, output),
        None => ExitCode::SUCCESS,
    }
}

fn answer_git(answer: &Credential, output: impl Write) -> ExitCode {
    if let Err(error) = answer.write_answer(output) {
        problem(format!("could not answer git: {error}"));
    }
    ExitCode::SUCCESS
}
