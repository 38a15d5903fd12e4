//! `get`: answer from the kernel-keyring cache when it can, else from the
//! store, renewing a token that is about to expire, else, for a GitHub host
//! with an OAuth app configured, by signing in. A helper that cannot help
//! prints nothing and exits 0, so that git asks the next helper or the user.

use std::io::{Read, Write};
use std::process::ExitCode;

use super::read_request;
use crate::accounts;
use crate::acquire::{self, Answer, GitHubIssuer, Issuer, NoAnswer};
use crate::git::protocol::Credential;
use crate::git::record::{Freshness, StoredCredential, pick_for_get};
use crate::git::repository::Repository;
use crate::git::state;
use crate::helper::Helper;
use crate::report::say;
use crate::store::Store;

pub fn run(helper: &Helper, input: impl Read, output: impl Write) -> ExitCode {
    let request = match read_request(input) {
        Ok(request) => request,
        Err(code) => return code,
    };
    match answer(helper, &GitHubIssuer, &request) {
        Ok(answer) => answer_git(&request, answer, output),
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
    if let Some(answer) = cache.as_ref().and_then(|cache| {
        cache_keys(request)
            .iter()
            .find_map(|key| cache.lookup(key, helper.unix_seconds()))
    }) {
        return Ok(answer);
    }
    // Taken before the store read, so a store that lands in between makes
    // what we are about to cache stale instead of wrong.
    let generation = cache.as_ref().and_then(|cache| cache.generation());
    let stored = helper
        .store
        .list(request.protocol.as_deref(), request.host.as_deref())
        .map_err(NoAnswer::failed)?;
    let chosen = accounts::account_for(helper, issuer, request, &stored);
    let with_account;
    let request = match &chosen {
        Some(login) => {
            with_account = Credential {
                username: Some(login.clone()),
                ..request.clone()
            };
            &with_account
        }
        None => request,
    };
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
            let original = match chosen {
                Some(_) => Credential {
                    username: None,
                    ..request.clone()
                },
                None => request.clone(),
            };
            let key = cache_key_for(&original, found, &stored, chosen.is_some());
            if let (Some(cache), Some(generation), Some(key)) = (&cache, generation, key) {
                cache.remember(&key, generation, &answer, helper.unix_seconds());
            }
            Ok(answer)
        }
        Freshness::Renewable => acquire::renew(helper, issuer, request, found),
        Freshness::Dead => acquire::replace_dead(helper, issuer, request, found),
    }
}

/// Where a cached answer to `request` may be: under the host, for an
/// answer no path changes (one account, the common case, so it is looked
/// up first: one system call); under its owner, for an answer an owner's
/// binding chose; under the request itself. The first two let a hit in one
/// repository serve the next. Within one cache generation the store's
/// contents decide which kind is written (see [`cache_key_for`]), so no
/// two of them can disagree, and the order only decides the cost. git
/// forbids NUL in a path, so these keys can never be a path git sent.
fn cache_keys(request: &Credential) -> Vec<Credential> {
    let Some(path) = &request.path else {
        return vec![request.clone()];
    };
    let mut keys = vec![under_path(request, HOST_WIDE_KEY.to_vec())];
    if let Some(repository) = Repository::from_git_path(path) {
        keys.push(under_path(request, owner_key(&repository)));
    }
    keys.push(request.clone());
    keys
}

const HOST_WIDE_KEY: &[u8] = b"\0any repository";

fn owner_key(repository: &Repository) -> Vec<u8> {
    format!("\0owner {}", repository.owner.key()).into_bytes()
}

fn under_path(request: &Credential, path: Vec<u8>) -> Credential {
    Credential {
        path: Some(path),
        ..request.clone()
    }
}

/// The key to cache `found`, the answer to `request` (as git sent it),
/// under; `None` when it must not be cached (several accounts, and no
/// owner decided: discovery runs again next time).
fn cache_key_for(
    request: &Credential,
    found: &StoredCredential,
    stored: &[StoredCredential],
    chosen_by_owner: bool,
) -> Option<Credential> {
    let Some(path) = &request.path else {
        return Some(request.clone());
    };
    // Only a token for the whole host, where nothing stored is kept per
    // path, is the answer for other repositories too.
    let host_wide = found.oauth.is_some()
        && found.path.is_none()
        && stored.iter().all(|entry| entry.path.is_none());
    if !host_wide {
        return Some(request.clone());
    }
    if chosen_by_owner {
        let repository = Repository::from_git_path(path)?;
        return Some(under_path(request, owner_key(&repository)));
    }
    let one_answer_for_the_host =
        request.username.is_some() || accounts::host_accounts(request, stored).len() <= 1;
    match one_answer_for_the_host {
        true => Some(under_path(request, HOST_WIDE_KEY.to_vec())),
        false => None,
    }
}

/// Writes the answer, with a `state[]` that lets the `store` git sends
/// after a push know it is handed back this very answer (see
/// [`state`]), where git can carry one. Added here, after the cache: a
/// cached answer is the same for every git, old or new.
fn answer_git(request: &Credential, mut answer: Credential, output: impl Write) -> ExitCode {
    if request.has_capability(b"state") {
        answer.capability.push(b"state".to_vec());
        answer.state.push(state::answered(request, &answer));
    }
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

    fn token(user: &str, at: u128) -> StoredCredential {
        StoredCredential {
            oauth: Some(crate::git::record::OAuthDetails {
                client_id: "app".into(),
                scopes: "repo".into(),
                refresh_token_expiry_utc: None,
            }),
            ..stored(user, &format!("token-{user}"), at)
        }
    }

    fn request(text: &str) -> Credential {
        Credential::parse(text.as_bytes()).unwrap()
    }

    fn path_of(key: Option<Credential>) -> Option<Vec<u8>> {
        key.and_then(|key| key.path)
    }

    #[test]
    fn cache_keys_go_from_the_host_to_the_owner_to_the_request() {
        let keys = cache_keys(&request("protocol=https\nhost=h.test\npath=Acme/app.git\n"));
        let paths: Vec<Vec<u8>> = keys.into_iter().map(|key| key.path.unwrap()).collect();
        assert_eq!(
            paths,
            [
                HOST_WIDE_KEY.to_vec(),
                b"\0owner acme".to_vec(),
                b"Acme/app.git".to_vec(),
            ]
        );
        let no_path = cache_keys(&request("protocol=https\nhost=h.test\n"));
        assert_eq!(no_path.len(), 1);
        let odd_path = cache_keys(&request("protocol=https\nhost=h.test\npath=x\n"));
        assert_eq!(odd_path.len(), 2, "no owner in it, but the host's key");
    }

    #[test]
    fn an_answer_is_cached_as_widely_as_it_holds() {
        let with_path = request("protocol=https\nhost=h.test\npath=acme/app.git\n");
        let alice = token("alice", 1);
        // One account: the answer for every repository.
        let one = [alice.clone()];
        assert_eq!(
            path_of(cache_key_for(&with_path, &alice, &one, false)),
            Some(HOST_WIDE_KEY.to_vec())
        );
        // Chosen by the owner: the owner's.
        let two = [alice.clone(), token("bob", 2)];
        assert_eq!(
            path_of(cache_key_for(&with_path, &alice, &two, true)),
            Some(b"\0owner acme".to_vec())
        );
        // Several accounts and nothing decided: not cached, so that
        // discovery runs again.
        assert_eq!(cache_key_for(&with_path, &alice, &two, false), None);
        // A user name git sent decides by itself.
        let named = request("protocol=https\nhost=h.test\npath=acme/app.git\nusername=bob\n");
        assert_eq!(
            path_of(cache_key_for(&named, &two[1], &two, false)),
            Some(HOST_WIDE_KEY.to_vec())
        );
        // Something kept per path, or a plain credential: only this request.
        let per_path = fixtures::stored("h.test", Some("acme/other.git"), "carol", "pw", 3);
        let mixed = [alice.clone(), per_path];
        assert_eq!(
            path_of(cache_key_for(&with_path, &alice, &mixed, false)),
            Some(b"acme/app.git".to_vec())
        );
        let plain = stored("dave", "pw", 4);
        assert_eq!(
            path_of(cache_key_for(
                &with_path,
                &plain,
                std::slice::from_ref(&plain),
                false
            )),
            Some(b"acme/app.git".to_vec())
        );
        // No path: the request, whatever else.
        let bare = request("protocol=https\nhost=h.test\n");
        assert_eq!(
            cache_key_for(&bare, &alice, &two, false),
            Some(bare.clone())
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
