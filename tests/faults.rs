//! Faults injected on purpose, against real daemons and the fake GitHub.
//! Each test names its store, breaks one thing, and checks three things:
//! what is still stored, the one line the user sees (naming the fix), and
//! that the next git works with at most one new sign-in.
//!
//! The sessions here have no D-Bus service files, so no daemon is started
//! behind a test's back: each test kills and restarts its own.
#![cfg(unix)]

use std::time::{Duration, Instant};

use crate::common::{self, KeyringState, Run, in_session, start_session};
use crate::world::{World, complaints, world};

fn field(run: &Run, key: &str) -> Option<String> {
    run.stdout_text()
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{key}=")).map(str::to_string))
}

/// `git credential fill` with the cache off, so that every answer comes
/// from the Secret Service itself, within `keyring_timeout` seconds.
fn fill_uncached(world: &World, keyring_timeout: u64) -> Run {
    let mut fill = world.fill_command(&[]);
    fill.env("GHOAUTH_CACHE_SECONDS", "0")
        .env("GHOAUTH_KEYRING_TIMEOUT", keyring_timeout.to_string());
    common::run(fill, world.fill_input("").as_bytes())
}

fn signed_in(world: &World) -> String {
    let first = fill_uncached(world, 20);
    assert!(first.status.success(), "{}", first.stderr);
    assert_eq!(world.fake.authorizations(), 1);
    field(&first, "password").expect("a token")
}

/// Secret Service (gnome-keyring, no password), SIGKILLed and started
/// again between two gits, as a crash and a re-login do: the same token
/// answers, and nobody signs in.
#[test]
fn a_killed_passwordless_keyring_gives_the_same_token_after_a_restart() {
    let own = start_session(KeyringState::Passwordless);
    in_session(&own, || {
        let world = world("fault-kill-passwordless");
        let token = signed_in(&world);
        common::wait_until(Duration::from_secs(10), "the keyring file", || {
            own.passwordless_keyring_file().contains("value=octocat")
        });
        own.kill_keyring();
        own.restart_keyring(None);
        let again = fill_uncached(&world, 20);
        assert_eq!(field(&again, "password"), Some(token), "{}", again.stderr);
        assert_eq!(complaints(&again.stderr), Vec::<&str>::new());
        assert_eq!(world.fake.authorizations(), 1, "no new sign-in");
        assert_eq!(world.browser_opened(), 1);
    });
}

/// Secret Service (gnome-keyring with a password): after a kill and a
/// restart without the login password, the keyring is locked. The helper
/// says so in one line, deletes nothing and does not sign in (Git
/// Credential Manager deletes credentials here: its issue 694). Once the
/// keyring is unlocked, the same token answers.
#[test]
fn a_killed_keyring_that_comes_back_locked_is_named_and_nothing_is_lost() {
    let own = start_session(KeyringState::Unlocked);
    in_session(&own, || {
        let world = world("fault-kill-locked");
        let token = signed_in(&world);
        own.kill_keyring();
        own.restart_keyring(None);

        let locked = fill_uncached(&world, 5);
        assert!(field(&locked, "password").is_none(), "{}", locked.stdout_text());
        let said = complaints(&locked.stderr);
        assert_eq!(said.len(), 1, "{}", locked.stderr);
        assert!(said[0].contains("locked") && said[0].contains("unlock"), "{said:?}");
        assert_eq!(world.fake.authorizations(), 1, "no sign-in");
        assert_eq!(world.browser_opened(), 1);
        assert!(world.fake.is_live(&token), "nothing revoked");

        own.kill_keyring();
        own.restart_keyring(Some("test-password"));
        let unlocked = fill_uncached(&world, 20);
        assert_eq!(field(&unlocked, "password"), Some(token), "{}", unlocked.stderr);
        assert_eq!(world.fake.authorizations(), 1);
    });
}

/// `--store=secret-service` while the daemon is gone: git gets one line
/// within the keyring timeout, and the token is there once it is back.
#[test]
fn with_the_secret_service_gone_git_is_told_at_once_and_the_token_waits() {
    let own = start_session(KeyringState::Passwordless);
    in_session(&own, || {
        let world = world("fault-gone");
        let token = signed_in(&world);
        common::wait_until(Duration::from_secs(10), "the keyring file", || {
            own.passwordless_keyring_file().contains("value=octocat")
        });
        own.kill_keyring();

        let started = Instant::now();
        let gone = fill_uncached(&world, 5);
        assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
        assert!(field(&gone, "password").is_none());
        let said = complaints(&gone.stderr);
        assert_eq!(said.len(), 1, "{}", gone.stderr);
        assert!(
            said[0].contains("no Secret Service is running") && said[0].contains("--store=kernel"),
            "{said:?}"
        );
        assert_eq!(world.fake.authorizations(), 1, "no sign-in into nowhere");

        own.restart_keyring(None);
        let back = fill_uncached(&world, 20);
        assert_eq!(field(&back, "password"), Some(token), "{}", back.stderr);
        assert_eq!(world.fake.authorizations(), 1);
    });
}
