//! `get`: answer from the kernel-keyring cache when it can, else from the
//! store, renewing a token that is about to expire, else, for a GitHub host
//! with an OAuth app configured, by signing in. A helper that cannot help
//! prints nothing and exits 0, so that git asks the next helper or the user.

use std::io::{Read, Write};
use std::process::ExitCode;

use super::read_request;
use crate::Context;
use crate::acquire::{self, GitHubIssuer, Issuer};
use crate::protocol::Credential;
use crate::report::say;
use crate::stored::{Freshness, pick_for_get};

pub fn run(context: &Context, input: impl Read, output: impl Write) -> ExitCode {
    let request = match read_request(input) {
        Ok(request) => request,
        Err(code) => return code,
    };
    match answer(context, &GitHubIssuer, &request) {
        Some(answer) => answer_git(&answer, output),
        None => ExitCode::SUCCESS,
    }
}

/// git's answer, or `None` when this helper cannot help (after one line on
/// stderr saying why, where there is something to say).
pub(crate) fn answer(
    context: &Context,
    issuer: &dyn Issuer,
    request: &Credential,
) -> Option<Credential> {
    if request.protocol.is_none() || request.host.is_none() {
        return None;
    }
    // The hot path: no D-Bus, no process, no runtime.
    let cache = context.cache();
    if let Some(answer) = cache
        .as_ref()
        .and_then(|cache| cache.lookup(request, context.unix_seconds()))
    {
        return Some(answer);
    }
    // Taken before the store read, so a store that lands in between makes
    // what we are about to cache stale instead of wrong.
    let generation = cache.as_ref().and_then(|cache| cache.generation());
    let stored = context
        .store
        .list(request.protocol.as_deref(), request.host.as_deref())
        .inspect_err(|error| say(error))
        .ok()?;
    let Some(found) = pick_for_get(request, &stored) else {
        return match &request.oauth_refresh_token {
            Some(refresh_token) => acquire::renew_from_git(context, issuer, request, refresh_token),
            None => {
                acquire::sign_in_and_keep(context, issuer, &acquire::OAuthRemote::read(request)?)
            }
        };
    };
    match found.freshness(context.unix_seconds()) {
        Freshness::Fresh => {
            let answer = found.answer();
            if let (Some(cache), Some(generation), true) =
                (&cache, generation, context.store.wants_cache())
            {
                cache.remember(request, generation, &answer, context.unix_seconds());
            }
            Some(answer)
        }
        Freshness::Renewable => acquire::renew(context, issuer, request, found),
        Freshness::Dead => acquire::replace_dead(context, issuer, request, found),
    }
}

fn answer_git(answer: &Credential, output: impl Write) -> ExitCode {
    if let Err(error) = answer.write_answer(output) {
        say(format!("could not answer git: {error}"));
    }
    ExitCode::SUCCESS
}
