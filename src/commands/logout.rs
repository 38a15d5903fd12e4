//! `logout`: forget a host's tokens (one account, or all) and revoke them.

use std::process::ExitCode;

use anyhow::Context as _;

use crate::accounts::bindings;
use crate::config::host::OAuthHost;
use crate::git::record::StoredCredential;
use crate::helper::Helper;
use crate::oauth::revoke::{Revoked, revoke_at_github};
use crate::report::{printable_bytes, say};
use crate::store::Store;
use crate::store::StoreError;

pub fn run(helper: &Helper, host: &OAuthHost, user: Option<&str>) -> anyhow::Result<ExitCode> {
    let (protocol, name) = (host.protocol().to_string(), host.host());
    let only = user.map(|user| user.as_bytes().to_vec());
    let removed = remove_where(helper, Some((protocol, name)), move |stored| {
        only.as_ref().is_none_or(|only| *only == stored.username)
    })?;
    if removed.is_empty() {
        match user {
            Some(user) => println!("{user} is not logged in to {}.", host.host()),
            None => println!("Nobody is logged in to {}.", host.host()),
        }
        return Ok(ExitCode::SUCCESS);
    }
    Ok(revoke_and_report(&removed))
}

/// `logout --all`: every token this helper obtained, on every host.
/// Credentials git stored are not this helper's to take away.
pub fn everywhere(helper: &Helper) -> anyhow::Result<ExitCode> {
    let removed = remove_where(helper, None, |stored| stored.oauth.is_some())?;
    if removed.is_empty() {
        println!("Nobody is logged in anywhere.");
        return Ok(ExitCode::SUCCESS);
    }
    Ok(revoke_and_report(&removed))
}

/// Deletes the entries (of one `(protocol, host)`, or all) that `doomed`
/// picks, and makes cached answers stale.
fn remove_where(
    helper: &Helper,
    host: Option<(String, String)>,
    doomed: impl Fn(&StoredCredential) -> bool,
) -> anyhow::Result<Vec<StoredCredential>> {
    let removed = (|| -> Result<Vec<StoredCredential>, StoreError> {
        let listed = match &host {
            Some((protocol, name)) => helper
                .store
                .list(Some(protocol.as_bytes()), Some(name.as_bytes()))?,
            None => helper.store.list(None, None)?,
        };
        let mut removed = Vec::new();
        for stored in listed.into_iter().filter(|stored| doomed(stored)) {
            helper.store.delete(&stored)?;
            removed.push(stored);
        }
        Ok(removed)
    })();
    // Even a delete that failed halfway may have changed the store.
    removed.context("not logged out")
}

/// Revokes the tokens this helper obtained and says, entry by entry, what
/// became of it: "revoked" only for a token that really was.
fn revoke_and_report(removed: &[StoredCredential]) -> ExitCode {
    let mut all_revoked = true;
    for stored in removed {
        let outcome = match stored.oauth.as_ref().map(|_| revoke_at_github(stored)) {
            None => "",
            Some(Revoked::Now) => " and revoked its token at GitHub",
            Some(Revoked::Before) => "; GitHub had already ended its token",
            Some(Revoked::Not(why)) => {
                say(why);
                all_revoked = false;
                "; its token was NOT revoked at GitHub (see above)"
            }
        };
        println!(
            "Logged out {} from {}{outcome}.",
            printable_bytes(&stored.username),
            printable_bytes(&stored.host)
        );
        unbind(stored);
    }
    if all_revoked {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// A binding must not outlive its account: the owner's repositories go
/// back to being discovered.
fn unbind(removed: &StoredCredential) {
    if removed.oauth.is_none() {
        return;
    }
    let Ok(host) = OAuthHost::parse(&removed.protocol, &removed.host) else {
        return;
    };
    let login = String::from_utf8_lossy(&removed.username).into_owned();
    let outcome = bindings::unbind_login(&host, &login);
    let login = crate::report::printable(&login);
    match outcome {
        Ok(owners) if owners.is_empty() => {}
        Ok(owners) => {
            let owners: Vec<String> = owners.iter().map(ToString::to_string).collect();
            println!(
                "Removed the bindings of {login} on {}: {}.",
                host.host(),
                owners.join(", ")
            );
        }
        Err(error) => say(format!(
            "the bindings of {login} were not removed ({error:#}); remove them with \
             `git credential-ghoauth use --clear OWNER --host {}`",
            host.url()
        )),
    }
}
