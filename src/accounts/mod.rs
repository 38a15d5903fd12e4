//! Which account answers for a repository, when a host has several.
//!
//! git sends no user name for most remotes, and a host's default account
//! (the one authorized most recently) is the wrong one for half of the
//! repositories of someone with a personal and a work account. So, when a
//! host has two or more accounts and git's request names none, the owner
//! in git's `path` (sent with `credential.useHttpPath`, which `configure`
//! turns on) decides:
//! 1. a binding of that owner (see [`bindings`]) names the account;
//! 2. else the helper asks GitHub, with each account's token, what that
//!    account may do in the repository, answers with one that may push
//!    (the default first), and binds it, so that this happens once per
//!    owner.
//!
//! With one account none of this runs: no `git config`, no request.

pub(crate) mod bindings;
mod remote_url;

use std::time::{Duration, Instant};

pub(crate) use remote_url::{owner_in_url, repository_in_url, ssh_host};

use crate::acquire::{Issuer, OAuthRemote};
use crate::config::host::OAuthHost;
use crate::git::protocol::Credential;
use crate::git::record::StoredCredential;
use crate::git::repository::Repository;
use crate::helper::Helper;
use crate::oauth::github::{Access, RateLimited, SsoRequired};
use crate::report::{note, printable_bytes, say};

/// All of discovery's requests together get no longer than this: a `get`
/// must not keep git waiting on an API that stalls.
pub(crate) const DISCOVERY_BOUND: Duration = Duration::from_secs(8);

/// The account a request that names none should get, when the host has
/// several and the repository's owner decides: its login. `None` leaves
/// the choice to the host's default, as before.
pub(crate) fn account_for(
    helper: &Helper,
    issuer: &dyn Issuer,
    request: &Credential,
    stored: &[StoredCredential],
) -> Option<Vec<u8>> {
    if request.username.is_some() {
        return None;
    }
    let accounts = host_accounts(request, stored);
    if accounts.len() < 2 {
        return None;
    }
    let repository = Repository::from_git_path(request.path.as_deref()?)?;
    let host = OAuthHost::parse(request.protocol.as_deref()?, request.host.as_deref()?).ok()?;
    let bindings = bindings::read(&host);
    if let Some(binding) = bindings::bound(&bindings, &repository.owner)
        && let Some(account) = accounts
            .iter()
            .find(|account| login_is(account, &binding.login))
    {
        return Some(account.username.clone());
    }
    discover(helper, issuer, request, &host, &repository, &accounts)
}

/// Asks GitHub which account belongs in `repository`, and binds it.
fn discover(
    helper: &Helper,
    issuer: &dyn Issuer,
    request: &Credential,
    host: &OAuthHost,
    repository: &Repository,
    accounts: &[&StoredCredential],
) -> Option<Vec<u8>> {
    let remote = OAuthRemote::read(request).ok()?;
    let probed = worth_probing(accounts, helper.unix_seconds());
    let tokens: Vec<_> = probed.iter().map(|account| &account.password).collect();
    let outcomes = issuer.repository_access(
        &remote,
        &tokens,
        repository,
        Instant::now() + DISCOVERY_BOUND,
    );
    let (accesses, unauthorized) = sort_outcomes(host, &probed, outcomes)?;
    let choice = choose(&probed, &accesses);
    // An account that only lacks SSO authorization may be the one that
    // belongs here: bind no other, unless another can push anyway.
    if !unauthorized.is_empty() && !choice.is_some_and(|(_, access)| access.push) {
        for (account, sso) in unauthorized {
            say(format!(
                "{}/{}: {} cannot be chosen yet: {sso}; until then nothing is bound there, and \
                 the default account answers",
                host.host(),
                repository.owner,
                printable_bytes(&account.username)
            ));
        }
        return None;
    }
    let (chosen, access) = choice?;
    let login = String::from_utf8_lossy(&chosen.username).into_owned();
    // Another git holding the config lock binds it next time instead.
    if bindings::bind(host, &repository.owner, &login).is_ok() {
        let why = match access.push {
            true => "it can push there",
            false => "it can read there; none of your accounts can push",
        };
        note(format!(
            "{}/{}: using {login} ({why}); change with git credential-ghoauth use",
            host.host(),
            repository.owner
        ));
    }
    Some(chosen.username.clone())
}

/// Each account's access, and apart the accounts that only lack SAML SSO
/// authorization; `None` when GitHub could not be asked: nothing is
/// bound then, and the next git asks again.
type Outcomes<'a> = (
    Vec<Option<Access>>,
    Vec<(&'a StoredCredential, SsoRequired)>,
);

fn sort_outcomes<'a>(
    host: &OAuthHost,
    probed: &[&'a StoredCredential],
    outcomes: Vec<anyhow::Result<Option<Access>>>,
) -> Option<Outcomes<'a>> {
    let mut accesses = Vec::new();
    let mut unauthorized = Vec::new();
    for (account, outcome) in probed.iter().zip(outcomes) {
        match outcome {
            Ok(access) => accesses.push(access),
            Err(error) => match error.downcast::<SsoRequired>() {
                Ok(sso) => {
                    unauthorized.push((*account, sso));
                    accesses.push(None);
                }
                // A rate limit says nothing of access: an account that
                // could not be asked must not lose to one that could.
                Err(error) => {
                    if let Ok(limited) = error.downcast::<RateLimited>() {
                        say(format!(
                            "{limited}, so no account was chosen for this repository on {}; \
                             the default account answers until it lifts, and the next git after \
                             that chooses",
                            host.host()
                        ));
                    }
                    return None;
                }
            },
        }
    }
    Some((accesses, unauthorized))
}

/// The accounts whose token can say anything: one past its expiry
/// proves nothing either way.
fn worth_probing<'a>(accounts: &[&'a StoredCredential], now: u64) -> Vec<&'a StoredCredential> {
    accounts
        .iter()
        .filter(|account| {
            account
                .password_expiry_utc
                .is_none_or(|expiry| expiry > now)
        })
        .copied()
        .collect()
}

/// Of the accounts probed (default first) and what each may do, the one
/// to bind: one that may push, else one that may read. `None` when none
/// can see the repository.
fn choose<'a>(
    probed: &[&'a StoredCredential],
    accesses: &[Option<Access>],
) -> Option<(&'a StoredCredential, Access)> {
    let with_access = || {
        probed
            .iter()
            .zip(accesses)
            .filter_map(|(account, access)| Some((*account, (*access)?)))
    };
    with_access()
        .find(|(_, access)| access.push)
        .or_else(|| with_access().next())
}

/// The host's accounts a request without a user name chooses among: one
/// per login, for tokens this helper obtained for the whole host, the
/// default (the newest) first.
pub(crate) fn host_accounts<'a>(
    request: &Credential,
    stored: &'a [StoredCredential],
) -> Vec<&'a StoredCredential> {
    let mut accounts: Vec<&StoredCredential> = stored
        .iter()
        .filter(|entry| {
            entry.oauth.is_some()
                && entry.path.is_none()
                && request.protocol.as_deref() == Some(entry.protocol.as_slice())
                && request.host.as_deref() == Some(entry.host.as_slice())
        })
        .collect();
    accounts.sort_by_key(|entry| std::cmp::Reverse(entry.stored_at));
    let mut seen: Vec<&[u8]> = Vec::new();
    accounts.retain(|entry| {
        let first = !seen.contains(&entry.username.as_slice());
        seen.push(&entry.username);
        first
    });
    accounts
}

fn login_is(account: &StoredCredential, login: &str) -> bool {
    account.username.eq_ignore_ascii_case(login.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use crate::git::record::OAuthDetails;

    fn account(user: &str, at: u128) -> StoredCredential {
        StoredCredential {
            oauth: Some(OAuthDetails {
                client_id: "app".into(),
                scopes: "repo".into(),
                refresh_token_expiry_utc: None,
            }),
            ..fixtures::stored("github.com", None, user, &format!("token-{user}"), at)
        }
    }

    #[test]
    fn accounts_are_the_hosts_own_tokens_newest_first_one_per_login() {
        let plain = fixtures::stored("github.com", None, "someone", "pw", 9);
        let elsewhere = StoredCredential {
            host: b"ghe.example.com".to_vec(),
            ..account("carol", 8)
        };
        let stored = vec![
            account("alice", 1),
            account("bob", 3),
            plain,
            elsewhere,
            account("alice", 2),
        ];
        let request =
            Credential::parse(b"protocol=https\nhost=github.com\npath=acme/app.git\n").unwrap();
        let logins: Vec<(&[u8], u128)> = host_accounts(&request, &stored)
            .iter()
            .map(|entry| (entry.username.as_slice(), entry.stored_at))
            .collect();
        assert_eq!(logins, [(&b"bob"[..], 3), (&b"alice"[..], 2)]);
    }

    #[test]
    fn only_tokens_that_still_work_are_probed() {
        let expired = StoredCredential {
            password_expiry_utc: Some(100),
            ..account("expired", 3)
        };
        let at_the_second = StoredCredential {
            password_expiry_utc: Some(101),
            ..account("edge", 2)
        };
        let lasting = StoredCredential {
            password_expiry_utc: Some(102),
            ..account("lasting", 2)
        };
        let never = account("never", 1);
        let probed = worth_probing(&[&expired, &at_the_second, &lasting, &never], 101);
        let logins: Vec<&[u8]> = probed.iter().map(|a| a.username.as_slice()).collect();
        assert_eq!(logins, [&b"lasting"[..], &b"never"[..]]);
    }

    #[test]
    fn a_pusher_wins_then_a_reader_then_nobody() {
        let (default, other) = (account("default", 2), account("other", 1));
        let probed = [&default, &other];
        let push = Some(Access { push: true });
        let read = Some(Access { push: false });
        let chosen = |accesses: [Option<Access>; 2]| {
            choose(&probed, &accesses)
                .map(|(account, access)| (account.username.clone(), access.push))
        };
        assert_eq!(chosen([read, push]), Some((b"other".to_vec(), true)));
        assert_eq!(
            chosen([push, push]),
            Some((b"default".to_vec(), true)),
            "the default first"
        );
        assert_eq!(chosen([None, read]), Some((b"other".to_vec(), false)));
        assert_eq!(chosen([None, None]), None);
    }
}
