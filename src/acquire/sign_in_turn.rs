//! Signing in, one process per host at a time: the first git to miss opens
//! the browser (or shows a device code); the others wait and find its token.

use std::time::Instant;

use super::{Answer, Issuer, NoAnswer, OAuthRemote};
use crate::git::protocol::Credential;
use crate::git::record::{Freshness, StoredCredential, pick_for_get};
use crate::helper::Helper;
use crate::lock::{self, Purpose, Wait};
use crate::oauth::sign_in::{self, Flow, Surroundings};
use anyhow::Context as _;

/// What came of a turn at the sign-in lock.
enum Turn {
    /// Ours: sign in now, holding this (or with no lock to be had).
    Ours(Option<lock::Held>),
    /// Whoever went first left what the request needs.
    Found(Box<Credential>),
    /// Nothing to do but stop, for this reason.
    GiveUp(NoAnswer),
}

/// The store had nothing for git's request. If git may wait for a person,
/// sign in and keep the token.
pub(crate) fn sign_in_and_keep(
    helper: &Helper,
    issuer: &dyn Issuer,
    remote: &OAuthRemote,
) -> Answer {
    // git would fail fast here rather than prompt; so does the helper,
    // without a browser and without a word.
    if !remote.may_prompt {
        return Err(NoAnswer::MayNotPrompt);
    }
    let _held = match wait_for_turn(helper, remote) {
        Turn::Ours(held) => held,
        Turn::Found(answer) => return Ok(*answer),
        Turn::GiveUp(why) => return Err(why),
    };
    let flow = choose_flow(remote);
    let signed_in = issuer
        .sign_in(remote, flow, remote.wanted_login())
        .map_err(|error| NoAnswer::Failed(format!("{error:#}")))?;
    Ok(remote.keep_for_git(helper, signed_in, helper.now().as_nanos()))
}

/// `login`: a person asked to sign in, so there is no answer to find in the
/// store first; still one sign-in per host at a time. The token is kept or
/// the error says why not.
pub(crate) fn sign_in(
    helper: &Helper,
    issuer: &dyn Issuer,
    remote: &OAuthRemote,
    forced: Option<Flow>,
) -> anyhow::Result<(String, String)> {
    let wait = lock::sign_in_wait(remote.config.timeout, helper.settings.keyring_timeout);
    let _held = match remote.lock(Purpose::SignIn, b"", Instant::now() + wait) {
        Wait::Held(held) => Some(held),
        Wait::Unavailable | Wait::WaitedFor => None,
        Wait::TimedOut => anyhow::bail!(busy_signing_in(remote, wait.as_secs())),
    };
    let flow = forced.unwrap_or_else(|| choose_flow(remote));
    // `use` asks for one account; `login` takes whoever signs in.
    let signed_in = issuer.sign_in(remote, flow, remote.wanted_login())?;
    let (login, scopes) = (signed_in.login.clone(), signed_in.scopes.clone());
    let authorized_at = helper.now().as_nanos();
    let (_, kept) = super::keep_token(helper, &remote.host, &remote.app, signed_in, authorized_at);
    kept.with_context(|| format!("signed in as {login}, but the token could not be kept"))?;
    Ok((login, scopes))
}

fn choose_flow(remote: &OAuthRemote) -> Flow {
    sign_in::choose(
        remote.config.flow,
        &Surroundings::here(),
        remote.app.client_secret.is_some(),
    )
}

/// Takes the sign-in lock, or waits for whoever holds it and reads what
/// they left. One attempt per batch of parallel gits: when the holder's
/// sign-in failed, the waiters do not open a browser tab each.
fn wait_for_turn(helper: &Helper, remote: &OAuthRemote) -> Turn {
    let started = helper.now().as_nanos();
    let wait = lock::sign_in_wait(remote.config.timeout, helper.settings.keyring_timeout);
    let deadline = Instant::now() + wait;
    let mut waited = false;
    loop {
        let held = match remote.lock(Purpose::SignIn, b"", deadline) {
            Wait::Held(held) => Some(held),
            Wait::WaitedFor => None,
            Wait::TimedOut => {
                return Turn::GiveUp(NoAnswer::Failed(busy_signing_in(remote, wait.as_secs())));
            }
            Wait::Unavailable => return Turn::Ours(None),
        };
        waited |= held.is_none();
        // Whoever held the lock last may have stored what this request needs.
        let stored = match remote.read_store(helper) {
            Ok(stored) => stored,
            Err(why) => return Turn::GiveUp(why),
        };
        match after_someone_else(helper, remote, &stored, waited, started) {
            Some(turn) => return turn,
            None if held.is_some() => return Turn::Ours(held),
            // Someone signed in, but to another account: queue for our turn.
            None => {}
        }
    }
}

/// What the store, read after a turn at the lock, leaves to do: `None` to
/// go on (sign in, if the lock is ours).
fn after_someone_else(
    helper: &Helper,
    remote: &OAuthRemote,
    stored: &[StoredCredential],
    waited: bool,
    started: u128,
) -> Option<Turn> {
    if let Some(found) = pick_for_get(&remote.request, stored)
        && found.freshness(helper.unix_seconds()) == Freshness::Fresh
    {
        return Some(Turn::Found(Box::new(found.answer())));
    }
    let someone_signed_in = stored
        .iter()
        .any(|entry| entry.oauth.is_some() && entry.stored_at > started);
    if waited && !someone_signed_in {
        // Declined, abandoned or failed: one attempt per batch of
        // parallel gits, not one browser tab after another.
        return Some(Turn::GiveUp(NoAnswer::Failed(format!(
            "another git command's sign-in to {} did not finish, so this one is not \
             starting a second; run the git command again",
            remote.host
        ))));
    }
    None
}

fn busy_signing_in(remote: &OAuthRemote, seconds: u64) -> String {
    format!(
        "another git command has been signing in to {} for over {seconds} s; finish or \
         cancel that sign-in, then run this git command again",
        remote.host
    )
}
