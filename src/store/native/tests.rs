//! The native store's logic against each platform crate's contract double.
//! Every test runs on both: what one crate refuses, the other may not.

use std::sync::Arc;

use super::contract_doubles::{Inspect, StrictCredentialManager, StrictKeychain};
use super::*;
use crate::git::record::OAuthDetails;
use keyring_core::api::CredentialStoreApi;
use std::collections::HashMap;

fn each_platform(test: impl Fn(&NativeStore, &dyn Inspect, Platform)) {
    let keychain = Arc::new(StrictKeychain::default());
    test(
        &NativeStore::with_store(Platform::Keychain, keychain.clone()),
        keychain.as_ref(),
        Platform::Keychain,
    );
    let manager = Arc::new(StrictCredentialManager::default());
    test(
        &NativeStore::with_store(Platform::CredentialManager, manager.clone()),
        manager.as_ref(),
        Platform::CredentialManager,
    );
}

fn credential(host: &str, user: &str, password: &str, path: Option<&[u8]>) -> StoredCredential {
    StoredCredential {
        authtype: None,
        protocol: b"https".to_vec(),
        host: host.as_bytes().to_vec(),
        path: path.map(<[u8]>::to_vec),
        username: user.as_bytes().to_vec(),
        password: Secret::new(password),
        password_expiry_utc: None,
        oauth_refresh_token: None,
        stored_at: 7,
        oauth: None,
    }
}

/// A GitHub App token as long as GitHub says tokens may grow (255
/// characters), with its refresh token and all our metadata.
fn longest_oauth_credential(path: Option<&[u8]>) -> StoredCredential {
    StoredCredential {
        password_expiry_utc: Some(4_000_000_000),
        oauth_refresh_token: Some(Secret::new(format!("ghr_{}", "r".repeat(251)))),
        oauth: Some(OAuthDetails {
            client_id: format!("Iv23{}", "c".repeat(36)),
            scopes: "repo workflow read:org gist admin:public_key".into(),
            refresh_token_expiry_utc: Some(4_100_000_000),
        }),
        ..credential(
            "github.example.com",
            "octocat",
            &format!("ghu_{}", "t".repeat(251)),
            path,
        )
    }
}

#[test]
fn what_is_saved_is_listed_back_whole() {
    each_platform(|store, _, platform| {
        let saved = longest_oauth_credential(None);
        store
            .save(&saved)
            .unwrap_or_else(|e| panic!("{platform:?}: {e}"));
        assert_eq!(store.list(None, None).unwrap(), vec![saved.clone()]);
        assert_eq!(
            store
                .list(Some(b"https"), Some(b"github.example.com"))
                .unwrap(),
            vec![saved]
        );
        assert!(store.list(Some(b"http"), None).unwrap().is_empty());
        assert!(store.list(None, Some(b"other.test")).unwrap().is_empty());
    });
}

#[test]
fn a_second_save_replaces_the_first() {
    each_platform(|store, double, platform| {
        store.save(&credential("h.test", "u", "old", None)).unwrap();
        store.save(&credential("h.test", "u", "new", None)).unwrap();
        let listed = store.list(None, None).unwrap();
        assert_eq!(listed.len(), 1, "{platform:?}");
        assert_eq!(listed[0].password.expose(), b"new");
        assert_eq!(double.item_names().len(), 1);
    });
}

#[test]
fn users_hosts_and_paths_are_items_of_their_own() {
    each_platform(|store, double, _| {
        for saved in [
            credential("h.test", "alice", "a", None),
            credential("h.test", "bob", "b", None),
            credential("h.test", "alice", "c", Some(b"org/repo.git")),
            credential("other.test", "alice", "d", None),
        ] {
            store.save(&saved).unwrap();
        }
        assert_eq!(double.item_names().len(), 4);
        assert_eq!(store.list(None, Some(b"h.test")).unwrap().len(), 3);
    });
}

#[test]
fn delete_removes_one_item_and_a_missing_one_is_fine() {
    each_platform(|store, double, _| {
        let (kept, deleted) = (
            credential("h.test", "keep", "k", None),
            credential("h.test", "drop", "d", None),
        );
        store.save(&kept).unwrap();
        store.save(&deleted).unwrap();
        store.delete(&deleted).unwrap();
        store.delete(&deleted).unwrap();
        assert_eq!(store.list(None, None).unwrap(), vec![kept]);
        assert_eq!(double.item_names().len(), 1);
    });
}

#[test]
fn items_of_other_programs_are_left_alone() {
    let manager = Arc::new(StrictCredentialManager::default());
    // What git's wincred helper, or another program, keeps beside ours.
    for (service, user) in [("git:https://github.com", "alice"), ("other", "x.y")] {
        manager
            .build(service, user, None)
            .unwrap()
            .set_secret(b"theirs")
            .unwrap();
    }
    let store = NativeStore::with_store(Platform::CredentialManager, manager.clone());
    store
        .save(&credential("h.test", "u", "ours", None))
        .unwrap();
    assert_eq!(store.list(None, None).unwrap().len(), 1);
    assert_eq!(manager.item_names().len(), 3);

    let keychain = Arc::new(StrictKeychain::default());
    keychain
        .build("git:https://github.com", "alice", None)
        .unwrap()
        .set_secret(b"theirs")
        .unwrap();
    let store = NativeStore::with_store(Platform::Keychain, keychain);
    assert!(store.list(None, None).unwrap().is_empty());
}

#[test]
fn an_item_deleted_between_the_search_and_the_read_is_skipped() {
    let manager = Arc::new(StrictCredentialManager::default());
    manager
        .vanished
        .lock()
        .unwrap()
        .push("https://gone@h.test.git-credential-ghoauth".into());
    let store = NativeStore::with_store(Platform::CredentialManager, manager.clone());
    let kept = credential("h.test", "here", "p", None);
    store.save(&kept).unwrap();
    assert_eq!(store.list(None, None).unwrap(), vec![kept]);
}

#[test]
fn a_long_path_is_shortened_to_fit_windows_and_comes_back_whole() {
    each_platform(|store, double, platform| {
        let long = |last: u8| {
            let mut path = b"org/".to_vec();
            path.extend(std::iter::repeat_n(b'p', 1500));
            path.push(last);
            path
        };
        let (first, second) = (
            longest_oauth_credential(Some(&long(b'1'))),
            longest_oauth_credential(Some(&long(b'2'))),
        );
        store
            .save(&first)
            .unwrap_or_else(|e| panic!("{platform:?}: {e}"));
        store.save(&second).unwrap();
        let mut listed = store.list(None, None).unwrap();
        listed.sort_by(|a, b| a.path.cmp(&b.path));
        assert_eq!(listed, vec![first.clone(), second]);
        assert_eq!(double.item_names().len(), 2, "two paths, two items");
        if platform == Platform::CredentialManager {
            assert!(
                double
                    .item_names()
                    .iter()
                    .all(|name| name.len() <= 513 + 23)
            );
        }
        store.delete(&first).unwrap();
        assert_eq!(store.list(None, None).unwrap().len(), 1);
    });
}

#[test]
fn a_shortened_name_whose_full_key_does_not_match_is_not_ours() {
    let full = format!("https://u@h.test/{}", "p".repeat(600));
    let forged = format!(
        "x\nstored_at=1\nidentity_key=https://u@h.test/{}",
        "q".repeat(600)
    );
    assert_eq!(read_item(&shortened(&full), Secret::new(forged)), None);
    let honest = format!("x\nstored_at=1\nidentity_key={full}");
    assert!(read_item(&shortened(&full), Secret::new(honest)).is_some());
}

#[test]
fn a_credential_too_large_for_windows_is_refused_in_words() {
    each_platform(|store, double, platform| {
        let huge = credential("h.test", "u", &"x".repeat(3000), None);
        match (platform, store.save(&huge)) {
            (Platform::Keychain, outcome) => assert_eq!(outcome, Ok(())),
            (Platform::CredentialManager, outcome) => {
                let error = outcome.unwrap_err();
                assert_eq!(
                    error,
                    StoreError::TooLarge {
                        store: "Windows Credential Manager",
                        limit_bytes: 2560
                    }
                );
                assert!(error.to_string().contains("credential-store"), "{error}");
                assert!(double.item_names().is_empty());
            }
        }
    });
}

#[test]
fn each_double_refuses_what_its_crate_refuses() {
    let keychain = StrictKeychain::default();
    let label = std::collections::HashMap::from([("label", "Git: x")]);
    assert!(keychain.build(SERVICE, "u", Some(&label)).is_err());
    assert!(keychain.build(SERVICE, "", None).is_err());
    assert!(
        keychain
            .search(&std::collections::HashMap::from([("pattern", ".*")]))
            .is_err()
    );
    let manager = StrictCredentialManager::default();
    assert!(manager.build(SERVICE, "u", Some(&label)).is_err());
    assert!(manager.build(SERVICE, &"u".repeat(514), None).is_err());
    assert!(
        manager
            .search(&std::collections::HashMap::from([("service", SERVICE)]))
            .is_err()
    );
}

#[test]
fn each_platform_searches_and_builds_as_its_crate_documents() {
    assert_eq!(
        Platform::Keychain.search_spec(),
        HashMap::from([("service", SERVICE)])
    );
    assert_eq!(
        Platform::CredentialManager.search_spec(),
        HashMap::from([("pattern", r"^.+\.git-credential-ghoauth$")])
    );
    assert_eq!(Platform::Keychain.modifiers(), None);
    let manager = Arc::new(StrictCredentialManager::default());
    let store = NativeStore::with_store(Platform::CredentialManager, manager.clone());
    store.save(&credential("h.test", "u", "p", None)).unwrap();
    assert_eq!(
        manager
            .persistence
            .lock()
            .unwrap()
            .values()
            .collect::<Vec<_>>(),
        vec!["local"],
        "this machine only, as git's wincred keeps it"
    );
    assert_eq!(store.describe(), "Windows Credential Manager");
    let keychain = NativeStore::with_store(Platform::Keychain, Arc::new(StrictKeychain::default()));
    assert_eq!(keychain.describe(), "the macOS Keychain");
}

#[test]
fn the_limits_are_exact() {
    let manager = Arc::new(StrictCredentialManager::default());
    let store = NativeStore::with_store(Platform::CredentialManager, manager.clone());
    // A key of exactly 513 bytes is kept whole; one byte more is shortened.
    let path_for = |key_bytes: usize| {
        let base = identity_key(&credential("h.test", "u", "p", Some(b""))).len();
        "p".repeat(key_bytes - base)
    };
    let whole = credential("h.test", "u", "p", Some(path_for(513).as_bytes()));
    let (name, full) = store.item_name(&whole);
    assert_eq!((name.len(), full), (513, None));
    let longer = credential("h.test", "u", "p", Some(path_for(514).as_bytes()));
    assert!(store.item_name(&longer).1.is_some());
    // A secret of exactly 2,560 bytes is kept; one byte more is refused.
    let base = encode_secret(&credential("s.test", "u", "", None))
        .expose()
        .len();
    let fits = credential(
        "s.test",
        "u",
        &"x".repeat(WINDOWS_MAX_SECRET_BYTES - base),
        None,
    );
    assert_eq!(store.save(&fits), Ok(()));
    let over = credential(
        "s.test",
        "v",
        &"x".repeat(WINDOWS_MAX_SECRET_BYTES - base + 1),
        None,
    );
    assert!(store.save(&over).is_err());
}

#[test]
fn a_full_key_with_the_right_head_but_another_tail_is_not_ours() {
    let full = format!("https://u@h.test/{}", "p".repeat(600));
    let name = shortened(&full);
    let same_head_other_tail = format!("{}{}", &full[..SHORTENED_HEAD_BYTES], "q".repeat(200));
    let forged = format!("x\nstored_at=1\nidentity_key={same_head_other_tail}");
    assert_eq!(read_item(&name, Secret::new(forged)), None);
}
