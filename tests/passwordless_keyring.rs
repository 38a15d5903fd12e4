//! The keyring an autologin desktop, a kiosk or a Raspberry Pi has: a
//! GNOME Keyring login keyring with no password, which gnome-keyring keeps
//! as a plaintext GKeyFile and reads back with GKeyFile's rules (first line
//! only, backslash escapes decoded, leading whitespace stripped) after every
//! restart. Each test restarts the daemon, as a re-login does, and checks
//! that what was stored comes back whole.
#![cfg(unix)]

use std::time::Duration;

use crate::common::{self, KeyringState, in_session, start_session, wait_until};
use crate::fake_github::Lifetimes;
use crate::world::{World, reject, world};

const SIX_MONTHS: Duration = Duration::from_secs(15_897_600);
const EIGHT_HOURS: Duration = Duration::from_secs(8 * 3600);

fn field(run: &common::Run, key: &str) -> Option<String> {
    run.stdout_text()
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{key}=")).map(str::to_string))
}

#[test]
fn a_github_app_token_survives_a_restart_and_renews_status_and_revokes() {
    let own = start_session(KeyringState::Passwordless);
    in_session(&own, || {
        let world = world("passwordless-app");
        world.fake.issue_expiring_tokens(Lifetimes {
            access: Duration::from_secs(2),
            refresh: SIX_MONTHS,
        });
        // The helper's own get: git itself would drop a token this short-lived.
        let first = world.helper_get("");
        assert!(first.status.success(), "{}", first.stderr);
        let old_token = field(&first, "password").expect("a token");
        assert_eq!(world.fake.authorizations(), 1);
        own.wait_until_written("value=octocat");
        let file = own.passwordless_keyring_file();
        assert!(
            !file.contains("oauth_refresh_token="),
            "every field stays inside the item's one value: {file}"
        );

        own.kill_keyring();
        own.restart_keyring(None);
        wait_until(Duration::from_secs(10), "the token to expire", || {
            !world.fake.is_live(&old_token)
        });

        world.fake.issue_expiring_tokens(Lifetimes {
            access: EIGHT_HOURS,
            refresh: SIX_MONTHS,
        });
        let mut fill = world.fill_command(&[]);
        fill.env("GIT_TERMINAL_PROMPT", "0");
        let renewed = common::run(fill, world.fill_input("").as_bytes());
        assert!(renewed.status.success(), "{}", renewed.stderr);
        assert_eq!(renewed.stderr, "", "silent");
        let token = field(&renewed, "password").expect("a renewed token");
        assert_ne!(token, old_token);
        assert_eq!(
            world.fake.refreshes(),
            1,
            "renewed with the kept refresh token"
        );
        assert_eq!(world.fake.authorizations(), 1, "no new sign-in");
        assert_eq!(world.browser_opened(), 1);

        own.kill_keyring();
        own.restart_keyring(None);
        let status = status_of(&world);
        assert!(
            status.contains("app:"),
            "signed in by this helper: {status}"
        );
        assert!(status.contains("renews:"), "{status}");
        assert!(!status.contains("from:    git"), "{status}");

        own.kill_keyring();
        own.restart_keyring(None);
        let erased = reject(&world, &token);
        assert!(erased.status.success(), "{}", erased.stderr);
        assert!(!world.fake.is_live(&token), "revoked at GitHub");
        // The token, and the one its refresh token bought when it was spent.
        assert_eq!(world.fake.revocations(), 2);
        assert!(!world.keyring().contains("octocat"), "{}", world.keyring());
    });
}

fn status_of(world: &World) -> String {
    let url = world.fake.base_url.clone();
    let shown = common::run(world.helper_command(&["status", "--host", &url]), b"");
    assert!(shown.status.success(), "{}", shown.stderr);
    shown.stdout_text()
}

#[test]
fn plain_passwords_come_back_byte_for_byte_after_a_restart() {
    let own = start_session(KeyringState::Passwordless);
    in_session(&own, || {
        let host = common::host("passwordless-plain");
        let tail = common::secret("passwordless-plain");
        let passwords = [
            format!("pa\\sss-{tail}"),
            format!("back\\\\slash-{tail}"),
            format!("   leading-{tail}"),
            format!("trailing-{tail}   "),
            format!("tab\tand\\nnot-a-newline-{tail}"),
        ];
        for (index, password) in passwords.iter().enumerate() {
            let input =
                format!("protocol=https\nhost={host}\nusername=user{index}\npassword={password}\n");
            let stored = common::git_credential("approve", &[], &input);
            assert!(stored.status.success(), "{}", stored.stderr);
        }
        wait_until(
            Duration::from_secs(10),
            "all five items in the file",
            || {
                let file = own.passwordless_keyring_file();
                (0..passwords.len()).all(|index| file.contains(&format!("value=user{index}\n")))
            },
        );
        own.kill_keyring();
        own.restart_keyring(None);
        for (index, password) in passwords.iter().enumerate() {
            let filled = common::git_credential(
                "fill",
                &["credential.interactive=never"],
                &format!("protocol=https\nhost={host}\nusername=user{index}\n"),
            );
            assert_eq!(
                field(&filled, "password").as_deref(),
                Some(password.as_str()),
                "{}",
                filled.stderr
            );
        }
    });
}

/// An item an earlier version wrote, which the keyring has cut to its
/// first line, reads as the plain password it now is, and the next store
/// writes it whole.
#[test]
fn an_item_cut_by_an_earlier_restart_reads_as_a_password_and_is_rewritten_whole() {
    let own = start_session(KeyringState::Passwordless);
    in_session(&own, || {
        let host = common::host("passwordless-cut");
        let password = common::secret("passwordless-cut");
        // What an earlier version stored: the password, then its fields.
        let mut store = common::command("secret-tool");
        store.args([
            "store",
            "--label=Git: earlier",
            "service",
            "git-credential-ghoauth",
            "username",
            &format!("https://u@{host}"),
            "protocol",
            "https",
            "host",
            &host,
            "user",
            "u",
        ]);
        let stored = common::run(store, format!("{password}\nstored_at=1").as_bytes());
        assert!(stored.status.success(), "{}", stored.stderr);
        own.wait_until_written("stored_at=1");
        own.kill_keyring();
        own.restart_keyring(None);

        let request = format!("protocol=https\nhost={host}\n");
        let get = common::helper("get", &request);
        assert_eq!(
            field(&get, "password"),
            Some(password.clone()),
            "{}",
            get.stderr
        );
        let again = common::helper(
            "store",
            &format!("{request}username=u\npassword={password}\n"),
        );
        assert!(again.status.success(), "{}", again.stderr);
        wait_until(
            Duration::from_secs(10),
            "the item to be rewritten whole",
            || {
                let file = own.passwordless_keyring_file();
                file.contains("ghoauth-item-v2:") && !file.contains("stored_at=1")
            },
        );
    });
}
