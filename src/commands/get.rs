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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acquire::GitHubIssuer;
    use crate::secret::Secret;
    use crate::store::memory::MemoryStore;
    use crate::store::{StoreChoice, StoreError};
    use crate::stored::StoredCredential;
    use crate::{Settings, SystemClock};

    fn stored(user: &str, password: &str, at: u128) -> StoredCredential {
        StoredCredential {
            protocol: b"https".to_vec(),
            host: b"h.test".to_vec(),
            path: None,
            username: user.as_bytes().to_vec(),
            password: Secret::new(password),
            password_expiry_utc: None,
            oauth_refresh_token: None,
            stored_at: at,
            oauth: None,
        }
    }

    fn get(store: &MemoryStore, input: &str) -> Option<Credential> {
        let context = Context {
            settings: Settings::new(0, 5, StoreChoice::Auto),
            store,
            clock: &SystemClock,
        };
        // A plain host: no OAuth app, so no sign-in and no network.
        let request = Credential::parse(input.as_bytes()).unwrap();
        answer(&context, &GitHubIssuer, &request)
    }

    #[test]
    fn get_answers_the_named_user_or_else_the_newest() {
        let store = MemoryStore::holding(vec![stored("u", "old", 1), stored("v", "new", 2)]);
        let password = |answer: Option<Credential>| answer.unwrap().password.unwrap();
        let named = get(&store, "protocol=cert\nhost=h.test\nusername=u\n");
        assert_eq!(named, None, "another protocol matches nothing");
        let named = get(&store, "protocol=https\nhost=h.test\nusername=u\n");
        assert_eq!(password(named).expose(), b"old");
        let newest = get(&store, "protocol=https\nhost=h.test\n");
        assert_eq!(password(newest).expose(), b"new");
    }

    #[test]
    fn get_without_a_host_asks_nothing() {
        let store = MemoryStore::holding(vec![stored("u", "p", 1)]);
        *store.failure.lock().unwrap() = Some(StoreError::Locked);
        assert_eq!(get(&store, "protocol=https\n"), None);
    }

    #[test]
    fn a_store_that_fails_answers_nothing() {
        let store = MemoryStore::holding(vec![stored("u", "p", 1)]);
        *store.failure.lock().unwrap() =
            Some(StoreError::TimedOut(std::time::Duration::from_secs(5)));
        assert_eq!(get(&store, "protocol=https\nhost=h.test\n"), None);
    }
}
