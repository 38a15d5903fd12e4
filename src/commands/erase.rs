//! `erase`: git reports a credential that was refused. Remove every match;
//! when git names the password that failed, only entries holding it. Tokens
//! this helper obtained are also revoked at GitHub, so that an erased token
//! is dead, not merely forgotten.

use std::io::Read;
use std::process::ExitCode;

use super::{after_store_write, read_request};
use crate::git::protocol::Credential;
use crate::git::record::{StoredCredential, erase_is_too_broad, pick_for_erase};
use crate::helper::Helper;
use crate::oauth::revoke::{Revoked, revoke_at_github};
use crate::report::say;
use crate::store::Store;
use crate::store::StoreError;

pub fn run(helper: &Helper, input: impl Read) -> ExitCode {
    let request = match read_request(input) {
        Ok(request) => request,
        Err(code) => return code,
    };
    if erase_is_too_broad(&request) {
        say(
            "refusing to erase: the request names neither a protocol nor a host, \
             and would match every server",
        );
        return ExitCode::FAILURE;
    }
    let (outcome, obtained) = match remove_matches(helper, &request) {
        Ok(obtained) => (Ok(()), obtained),
        Err(error) => (Err(error), Vec::new()),
    };
    let code = after_store_write(outcome, "credential not erased");
    for token in &obtained {
        if let Revoked::Not(why) = revoke_at_github(token) {
            say(why);
        }
    }
    code
}

/// Removes what the request matches; returns the tokens this helper
/// obtained among them, to be revoked.
pub(crate) fn remove_matches(
    helper: &Helper,
    request: &Credential,
) -> Result<Vec<StoredCredential>, StoreError> {
    let stored = helper
        .store
        .list(request.protocol.as_deref(), request.host.as_deref())?;
    let mut obtained = Vec::new();
    for doomed in pick_for_erase(request, &stored) {
        helper.store.delete(doomed)?;
        if doomed.oauth.is_some() {
            obtained.push(doomed.clone());
        }
    }
    Ok(obtained)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use crate::helper::SystemClock;
    use crate::store::memory::MemoryStore;

    fn stored(user: &str, password: &str) -> StoredCredential {
        fixtures::stored("h", None, user, password, 1)
    }

    fn erase(store: &MemoryStore, input: &str) -> ExitCode {
        run(&fixtures::helper(store, &SystemClock), input.as_bytes())
    }

    #[test]
    fn erase_with_a_password_takes_only_entries_holding_it() {
        let store = MemoryStore::holding(vec![stored("u", "new"), stored("v", "other")]);
        assert_eq!(
            erase(&store, "protocol=https\nhost=h\nusername=u\npassword=old\n"),
            ExitCode::SUCCESS
        );
        assert_eq!(store.items().len(), 2, "a newer password survives");
        erase(&store, "protocol=https\nhost=h\nusername=u\npassword=new\n");
        assert_eq!(store.items(), vec![stored("v", "other")]);
    }

    #[test]
    fn erase_without_protocol_or_host_is_refused() {
        let store = MemoryStore::holding(vec![stored("u", "p")]);
        assert_eq!(erase(&store, "username=u\n"), ExitCode::FAILURE);
        assert_eq!(store.items().len(), 1);
    }

    #[test]
    fn erase_of_a_host_takes_every_user_of_it() {
        let store = MemoryStore::holding(vec![stored("u", "p"), stored("v", "q")]);
        erase(&store, "protocol=https\nhost=h\n");
        assert!(store.items().is_empty());
    }
}
