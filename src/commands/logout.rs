//! `logout`: forget a host's tokens (one account, or all) and revoke them.

use std::process::ExitCode;

use super::{Remote, USAGE, after_keyring_write};
use crate::Settings;
use crate::commands::erase::revoke_all;
use crate::keyring::{Keyring, with_deadline};
use crate::report::{printable_bytes, problem};

pub fn run(settings: &Settings, host: &str, user: Option<&str>) -> ExitCode {
    let remote = match Remote::parse(host) {
        Ok(remote) => remote,
        Err(error) => {
            problem(error);
            return ExitCode::from(USAGE);
        }
    };
    let (protocol, name) = (remote.protocol.clone(), remote.host.clone());
    let only = user.map(|user| user.as_bytes().to_vec());
    let removed = with_deadline(settings.keyring_timeout, move || {
        let keyring = Keyring::open()?;
        let mut removed = Vec::new();
        for stored in keyring.list(Some(protocol.as_bytes()), Some(name.as_bytes()))? {
            if only.as_ref().is_none_or(|only| *only == stored.username) {
                keyring.delete(&stored)?;
                removed.push(stored);
            }
        }
        Ok(removed)
    });
    let (outcome, removed) = match removed {
        Ok(removed) => (Ok(()), removed),
        Err(error) => (Err(error), Vec::new()),
    };
    let code = after_keyring_write(settings, outcome, "not logged out");
    if code != ExitCode::SUCCESS {
        return code;
    }
    if removed.is_empty() {
        match user {
            Some(user) => println!("{user} is not logged in to {}.", remote.host),
            None => println!("Nobody is logged in to {}.", remote.host),
        }
        return ExitCode::SUCCESS;
    }
    let obtained: Vec<_> = removed
        .iter()
        .filter(|s| s.oauth.is_some())
        .cloned()
        .collect();
    let mut revoked = revoke_all(&obtained).into_iter();
    let mut all_revoked = true;
    for stored in &removed {
        // "revoked" only for a token that really was; the warning above
        // says why another was not.
        let outcome = if stored.oauth.is_none() {
            ""
        } else if revoked.next() == Some(true) {
            " and revoked its token"
        } else {
            all_revoked = false;
            "; its token was NOT revoked (see above)"
        };
        println!(
            "Logged out {} from {}{outcome}.",
            printable_bytes(&stored.username),
            remote.host
        );
    }
    if all_revoked {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
