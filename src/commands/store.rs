//! `store`: git hands back a credential that worked. Keep it, replacing the
//! one with the same protocol, host, path and user, unless it is what this
//! helper answered the `get` before (git 2.46's `state[]` says so, and then
//! the keyring is not even read), the store holds it already (git sends
//! back every token it was given), or holds a renewed successor.

use std::io::Read;
use std::process::ExitCode;

use super::{after_store_write, read_request};
use crate::git::record::{StoredCredential, already_holds, is_superseded};
use crate::git::state;
use crate::helper::Helper;
use crate::store::Store;

pub fn run(helper: &Helper, input: impl Read) -> ExitCode {
    let request = match read_request(input) {
        Ok(request) => request,
        Err(code) => return code,
    };
    if state::hands_back_our_answer(&request) {
        return ExitCode::SUCCESS;
    }
    let now = helper.now();
    // Incomplete, ephemeral and already expired credentials are not kept;
    // git's own helpers say nothing about them either.
    let Ok(credential) =
        StoredCredential::from_store_request(&request, now.as_secs(), now.as_nanos())
    else {
        return ExitCode::SUCCESS;
    };
    let held = helper
        .store
        .list(Some(&credential.protocol), Some(&credential.host));
    let saved = match held {
        // Nothing changes, so every cached answer is still right.
        Ok(held) if already_holds(&request, &held) || is_superseded(&request, &held) => {
            return ExitCode::SUCCESS;
        }
        Ok(_) => helper.store.save(&credential),
        Err(error) => Err(error),
    };
    after_store_write(saved, "credential not stored")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{At, helper};
    use crate::store::StoreError;
    use crate::store::memory::MemoryStore;

    #[test]
    fn store_keeps_replaces_and_skips_what_git_would_not_keep() {
        let store = MemoryStore::default();
        let clock = At(1_000);
        let helper = helper(&store, &clock);
        let keep = |input: &str| run(&helper, input.as_bytes());
        assert_eq!(
            keep("protocol=https\nhost=h\nusername=u\npassword=one\n"),
            ExitCode::SUCCESS
        );
        keep("protocol=https\nhost=h\nusername=u\npassword=two\n");
        keep("protocol=https\nhost=h\nusername=v\npassword=three\n");
        keep("protocol=https\nhost=h\nusername=u\npassword=old\npassword_expiry_utc=999\n");
        keep("protocol=https\nhost=h\nusername=w\npassword=p\nephemeral=1\n");
        keep("protocol=https\nhost=h\npassword=no-user\n");
        let kept = store.items();
        assert_eq!(kept.len(), 2, "{kept:?}");
        let of = |user: &[u8]| kept.iter().find(|item| item.username == user).unwrap();
        assert_eq!(of(b"u").password.expose(), b"two");
        assert_eq!(of(b"v").password.expose(), b"three");
    }

    #[test]
    fn a_store_that_fails_is_an_exit_1() {
        let store = MemoryStore::default();
        *store.failure.lock().unwrap() = Some(StoreError::Locked);
        let clock = At(1_000);
        let code = run(
            &helper(&store, &clock),
            &b"protocol=https\nhost=h\nusername=u\npassword=p\n"[..],
        );
        assert_eq!(code, ExitCode::FAILURE);
        *store.failure.lock().unwrap() = None;
        assert!(store.list(None, None).unwrap().is_empty());
    }

    #[test]
    fn malformed_input_changes_nothing() {
        let store = MemoryStore::default();
        let clock = At(1_000);
        let code = run(
            &helper(&store, &clock),
            &b"protocol=https\nhost=h\0\nusername=u\npassword=p\n"[..],
        );
        assert_eq!(code, ExitCode::FAILURE);
        assert!(store.items().is_empty());
    }
}
