//! Renewing a token that expires soon with its refresh token, without a
//! browser. A refresh token works exactly once, so one process per account
//! spends it; the rest wait and find the new pair in the store.

use std::time::{Duration, Instant};

use super::{
    Answer, Issuer, NoAnswer, OAuthRemote, forget, sign_in_and_keep, still_valid_or, still_works,
};
use crate::git::protocol::Credential;
use crate::git::record::{Freshness, StoredCredential, pick_for_get};
use crate::helper::Helper;
use crate::lock::{Held, Purpose, Wait};
use crate::oauth::sign_in::SignedIn;
use crate::report::{printable_bytes, say};
use crate::secret::Secret;

/// A refresh is one request; nobody waits longer than this for another
/// process's refresh, whatever the sign-in timeout.
pub(crate) const REFRESH_TIME: Duration = Duration::from_secs(45);

/// How long a renewal may take, waiting included: the sign-in timeout, but
/// never more than [`REFRESH_TIME`].
pub(crate) fn refresh_wait(sign_in_timeout: Duration) -> Duration {
    REFRESH_TIME.min(sign_in_timeout)
}

/// What came of waiting for a turn to renew.
enum Turn {
    /// Ours to renew: this entry, holding the lock (or with none to be had).
    Ours(Option<Held>, StoredCredential),
    /// Someone else renewed it.
    Found(Box<Credential>),
    /// Nothing left to renew: the lock is let go, sign in instead.
    SignIn,
    /// Stop here with this: the old token while it still works, else why not.
    GiveUp(Answer),
}

/// `held` expires within minutes and has a refresh token: trade it for a
/// new pair. When that cannot be done now, a token that still works is
/// handed out all the same.
pub(crate) fn renew(
    helper: &Helper,
    issuer: &dyn Issuer,
    request: &Credential,
    held: &StoredCredential,
) -> Answer {
    match OAuthRemote::read(request) {
        Ok(remote) => renew_at(helper, issuer, &remote, held),
        // Not ours to renew any more (no app, say): while it works, it works.
        Err(why) if still_works(helper, held) => {
            if let Some(why) = why.reason() {
                say(why);
            }
            Ok(held.answer())
        }
        Err(why) => Err(why),
    }
}

pub(crate) fn renew_at(
    helper: &Helper,
    issuer: &dyn Issuer,
    remote: &OAuthRemote,
    held: &StoredCredential,
) -> Answer {
    let issued_by = held.oauth.as_ref().map(|oauth| oauth.client_id.as_str());
    if issued_by != Some(remote.app.client_id.as_str()) {
        let why = format!(
            "the token for {} at {} expires soon, and the OAuth app that issued it ({}) is no \
             longer configured for {}, so it cannot be renewed; configure it again, or sign in \
             anew with `git credential-ghoauth logout` and `login`",
            printable_bytes(&held.username),
            remote.host,
            issued_by.unwrap_or("unknown"),
            remote.config.url
        );
        return still_valid_or(helper, held, why);
    }
    let deadline = Instant::now() + refresh_wait(remote.config.timeout);
    match wait_for_turn(helper, remote, held, deadline) {
        Turn::Ours(lock, current) => spend(helper, issuer, remote, lock, &current, deadline),
        Turn::Found(answer) => Ok(*answer),
        Turn::SignIn => sign_in_and_keep(helper, issuer, remote),
        Turn::GiveUp(answer) => answer,
    }
}

/// Takes the account's refresh lock, or waits for whoever holds it, then
/// re-reads the store: another process may have renewed the token, or
/// given up on it, meanwhile.
fn wait_for_turn(
    helper: &Helper,
    remote: &OAuthRemote,
    held: &StoredCredential,
    deadline: Instant,
) -> Turn {
    loop {
        // Renew only holding the lock, or where no lock can be had at all.
        let (lock, may_renew) = match remote.lock(Purpose::Refresh, &held.username, deadline) {
            Wait::Held(lock) => (Some(lock), true),
            Wait::WaitedFor => (None, false),
            Wait::Unavailable => (None, true),
            Wait::TimedOut => {
                let why = format!(
                    "another git command has been renewing the token for {} at {} for over \
                     {} s; run this git command again",
                    printable_bytes(&held.username),
                    remote.host,
                    refresh_wait(remote.config.timeout).as_secs()
                );
                return Turn::GiveUp(still_valid_or(helper, held, why));
            }
        };
        let stored = match remote.read_store(helper) {
            Ok(stored) => stored,
            Err(why) => return Turn::GiveUp(Err(why)),
        };
        let Some(current) = stored
            .into_iter()
            .find(|entry| entry.username == held.username && entry.oauth.is_some())
        else {
            return Turn::SignIn;
        };
        match current.freshness(helper.unix_seconds()) {
            Freshness::Fresh => return Turn::Found(Box::new(current.answer())),
            Freshness::Dead => {
                forget(helper, &current);
                return Turn::SignIn;
            }
            Freshness::Renewable if may_renew => return Turn::Ours(lock, current),
            // The holder could not renew it; try in turn.
            Freshness::Renewable => {}
        }
    }
}

/// Spends the refresh token, holding `lock`, and keeps the new pair. A
/// refresh token GitHub refuses is forgotten and a sign-in follows; any
/// other failure hands out the old token while it works.
fn spend(
    helper: &Helper,
    issuer: &dyn Issuer,
    remote: &OAuthRemote,
    lock: Option<Held>,
    current: &StoredCredential,
    deadline: Instant,
) -> Answer {
    // Only entries with a refresh token are renewable.
    let Some(refresh_token) = current.oauth_refresh_token.as_ref() else {
        return Err(NoAnswer::NotOurs);
    };
    let shown = printable_bytes(&current.username);
    match issuer.refresh(remote, refresh_token, deadline) {
        Ok(grant) => {
            let signed_in = SignedIn {
                login: String::from_utf8_lossy(&current.username).into_owned(),
                // GitHub Apps' permissions live on the app, not the token.
                scopes: current
                    .oauth
                    .as_ref()
                    .map(|oauth| oauth.scopes.clone())
                    .unwrap_or_default(),
                grant,
            };
            // Keeps its place among the host's accounts.
            Ok(remote.keep_for_git(helper, signed_in, current.stored_at))
        }
        Err(error) if error.is_dead_refresh_token(remote.app.client_secret.is_some()) => {
            forget(helper, current);
            say(format!(
                "GitHub will no longer renew the sign-in of {shown} at {}: its refresh token is \
                 spent or expired ({error}), so it was removed; sign in again (`git \
                 credential-ghoauth login --host {}`)",
                remote.host, remote.config.url
            ));
            drop(lock);
            sign_in_and_keep(helper, issuer, remote)
        }
        Err(error) => {
            let what_now = match still_works(helper, current) {
                true => "the current one still works and is used until then",
                false => "and it has expired",
            };
            let why = format!(
                "could not renew the token for {shown} at {}: {error}; {what_now}",
                remote.host
            );
            still_valid_or(helper, current, why)
        }
    }
}

/// git passed a refresh token from a helper earlier in its list, and the
/// store holds nothing for this request: renew with it, find out whose
/// token came back, and keep it here.
pub(crate) fn renew_from_git(
    helper: &Helper,
    issuer: &dyn Issuer,
    request: &Credential,
    refresh_token: &Secret,
) -> Answer {
    renew_from_git_at(helper, issuer, &OAuthRemote::read(request)?, refresh_token)
}

pub(crate) fn renew_from_git_at(
    helper: &Helper,
    issuer: &dyn Issuer,
    remote: &OAuthRemote,
    refresh_token: &Secret,
) -> Answer {
    let wanted_login = remote.wanted_login();
    let deadline = Instant::now() + refresh_wait(remote.config.timeout);
    let account = wanted_login.unwrap_or_default().as_bytes();
    // Timed out or not, go on: this refresh token is nobody else's to spend.
    let lock = remote.lock(Purpose::Refresh, account, deadline);
    let stored = remote.read_store(helper)?;
    if let Some(found) = pick_for_get(&remote.request, &stored)
        && found.freshness(helper.unix_seconds()) == Freshness::Fresh
    {
        return Ok(found.answer());
    }
    let renewed = match issuer.refresh(remote, refresh_token, deadline) {
        Ok(grant) => issuer.identify(remote, grant, deadline),
        Err(error) if error.is_dead_refresh_token(remote.app.client_secret.is_some()) => {
            drop(lock);
            return sign_in_and_keep(helper, issuer, remote);
        }
        Err(error) => Err(error.into()),
    };
    match renewed {
        Ok(signed_in) => Ok(remote.keep_for_git(helper, signed_in, helper.now().as_nanos())),
        Err(error) => Err(NoAnswer::Failed(format!(
            "could not renew the token git passed in for {}: {error:#}",
            remote.host
        ))),
    }
}
