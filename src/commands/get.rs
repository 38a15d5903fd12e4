//! `get`: answer from the kernel-keyring cache when it can, else from the
//! store, renewing a token that is about to expire, else, for a GitHub host
//! with an OAuth app configured, by signing in. A helper that cannot help
//! prints nothing and exits 0, so that git asks the next helper or the user.

use std::io::{Read, Write};
use std::process::ExitCode;

use super::read_request;
use crate::acquire::{self, Answer, GitHubIssuer, Issuer, NoAnswer};
use crate::git::protocol::Credential;
use crate::git::record::{Freshness, pick_for_get};
use crate::helper::Helper;
use crate::report::say;
use crate::store::Store;

pub fn run(helper: &Helper, input: impl Read, output: impl Write) -> ExitCode {
    let request = match read_request(input) {
        Ok(request) => request,
        Err(code) => return code,
    };
    match answer(helper, &GitHubIssuer, &request) {
        Ok(answer) => answer_git(&answer, output),
        // git moves on either way: to its next helper, or the person.
        Err(no_answer) => {
            if let Some(why) = no_answer.reason() {
                say(why);
            }
            ExitCode::SUCCESS
        }
    }
}

/// git's answer, or why this helper cannot help.
pub(crate) fn answer(helper: &Helper, issuer: &dyn Issuer, request: &Credential) -> Answer {
    if request.protocol.is_none() || request.host.is_none() {
        return Err(NoAnswer::Incomplete);
    }
    // The hot path: no D-Bus, no process, no runtime.
    let cache = helper.store.cache();
    if let Some(answer) = cache
        .as_ref()
        .and_then(|cache| cache.lookup(request, helper.unix_seconds()))
    {
        return Ok(answer);
    }
    // Taken before the store read, so a store that lands in between makes
    // what we are about to cache stale instead of wrong.
    let generation = cache.as_ref().and_then(|cache| cache.generation());
    let stored = helper
        .store
        .list(request.protocol.as_deref(), request.host.as_deref())
        .map_err(NoAnswer::failed)?;
    let Some(found) = pick_for_get(request, &stored) else {
        return match &request.oauth_refresh_token {
            Some(refresh_token) => acquire::renew_from_git(helper, issuer, request, refresh_token),
            None => {
                acquire::sign_in_and_keep(helper, issuer, &acquire::OAuthRemote::read(request)?)
            }
        };
    };
    match found.freshness(helper.unix_seconds()) {
        Freshness::Fresh => {
            let answer = found.answer();
            if let (Some(cache), Some(generation)) = (&cache, generation) {
                cache.remember(request, generation, &answer, helper.unix_seconds());
            }
            Ok(answer)
        }
        Freshness::Renewable => acquire::renew(helper, issuer, request, found),
        Freshness::Dead => acquire::replace_dead(helper, issuer, request, found),
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
    use crate::fixtures;
    use crate::git::record::StoredCredential;
    use crate::helper::SystemClock;
    use crate::store::StoreError;
    use crate::store::memory::MemoryStore;

    fn stored(user: &str, password: &str, at: u128) -> StoredCredential {
        fixtures::stored("h.test", None, user, password, at)
    }

    fn get(store: &MemoryStore, input: &str) -> Answer {
        // A plain host: no OAuth app, so no sign-in and no network.
        let request = Credential::parse(input.as_bytes()).unwrap();
        answer(
            &fixtures::helper(store, &SystemClock),
            &GitHubIssuer,
            &request,
        )
    }

    #[test]
    fn get_answers_the_named_user_or_else_the_newest() {
        let store = MemoryStore::holding(vec![stored("u", "old", 1), stored("v", "new", 2)]);
        let password = |answer: Answer| answer.unwrap().password.unwrap();
        let named = get(&store, "protocol=cert\nhost=h.test\nusername=u\n");
        assert_eq!(
            named,
            Err(NoAnswer::NotOurs),
            "another protocol matches nothing"
        );
        let named = get(&store, "protocol=https\nhost=h.test\nusername=u\n");
        assert_eq!(password(named).expose(), b"old");
        let newest = get(&store, "protocol=https\nhost=h.test\n");
        assert_eq!(password(newest).expose(), b"new");
        assert_eq!(
            get(&store, "protocol=https\nhost=no-app.test\n"),
            Err(NoAnswer::NotOurs),
            "nothing stored and no app: the next helper's turn"
        );
    }

    #[test]
    fn get_without_a_host_asks_nothing() {
        let store = MemoryStore::holding(vec![stored("u", "p", 1)]);
        *store.failure.lock().unwrap() = Some(StoreError::Locked);
        assert_eq!(get(&store, "protocol=https\n"), Err(NoAnswer::Incomplete));
    }

    #[test]
    fn a_store_that_fails_answers_nothing() {
        let store = MemoryStore::holding(vec![stored("u", "p", 1)]);
        *store.failure.lock().unwrap() =
            Some(StoreError::TimedOut(std::time::Duration::from_secs(5)));
        let failed = get(&store, "protocol=https\nhost=h.test\n");
        assert!(
            matches!(&failed, Err(NoAnswer::Failed(why)) if why.contains("did not answer within 5 s")),
            "{failed:?}"
        );
    }
}
