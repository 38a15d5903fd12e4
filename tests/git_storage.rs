//! git's storage-helper semantics, through real `git credential`, against
//! each store: a real Secret Service, the kernel keyring (in a user
//! namespace of its own per test, with no D-Bus at all), and Windows
//! Credential Manager (the Windows build under Wine).

use crate::common;

use common::{git_credential, git_credential_with, helper, host, secret, secret_tool_search};

/// What the store under test holds for `host`, as its own tools show it.
fn held(host: &str) -> String {
    if common::under_wine() {
        return crate::wine::wine().credentials();
    }
    match common::in_kernel_namespace() {
        true => common::kernel_keys(),
        false => secret_tool_search(host),
    }
}

fn fill(host: &str, extra: &str) -> common::Run {
    git_credential(
        "fill",
        &[],
        &format!("protocol=https\nhost={host}\n{extra}"),
    )
}

fn approve(host: &str, user: &str, password: &str) {
    let run = git_credential(
        "approve",
        &[],
        &format!("protocol=https\nhost={host}\nusername={user}\npassword={password}\n"),
    );
    assert!(run.status.success(), "approve failed: {}", run.stderr);
}

fn approve_then_fill_returns_the_credential() {
    let host = host("approve");
    let password = secret("approve");
    approve(&host, "alice", &password);
    let filled = fill(&host, "");
    assert!(filled.status.success(), "{}", filled.stderr);
    assert_eq!(
        filled.stdout_text(),
        format!("protocol=https\nhost={host}\nusername=alice\npassword={password}\n")
    );
    assert_eq!(filled.stderr, "", "nothing on stderr when all is well");
}

fn two_users_on_one_host_each_come_back_by_username() {
    let host = host("two-users");
    let (alice, bob) = (secret("alice"), secret("bob"));
    approve(&host, "alice", &alice);
    approve(&host, "bob", &bob);
    assert!(
        fill(&host, "username=alice\n")
            .stdout_text()
            .contains(&format!("password={alice}\n"))
    );
    assert!(
        fill(&host, "username=bob\n")
            .stdout_text()
            .contains(&format!("password={bob}\n"))
    );
    // No user named: the most recently stored one.
    assert!(fill(&host, "").stdout_text().contains("username=bob\n"));
    approve(&host, "alice", &alice);
    assert!(fill(&host, "").stdout_text().contains("username=alice\n"));
}

fn erase_with_an_old_password_leaves_the_new_one() {
    let host = host("old-new");
    let (old, new) = (secret("old"), secret("new"));
    approve(&host, "u", &old);
    approve(&host, "u", &new);
    // The second store replaced the first: one item, holding the new password.
    let listed = held(&host);
    assert!(listed.contains(&new) && !listed.contains(&old), "{listed}");
    let rejected = git_credential(
        "reject",
        &[],
        &format!("protocol=https\nhost={host}\nusername=u\npassword={old}\n"),
    );
    assert!(rejected.status.success(), "{}", rejected.stderr);
    assert!(
        fill(&host, "")
            .stdout_text()
            .contains(&format!("password={new}\n"))
    );

    let rejected = git_credential(
        "reject",
        &[],
        &format!("protocol=https\nhost={host}\nusername=u\npassword={new}\n"),
    );
    assert!(rejected.status.success());
    let after = fill(&host, "");
    assert!(
        !after.status.success(),
        "nothing left, so git (with prompts off) fails"
    );
    assert!(!after.stdout_text().contains("password="));
}

fn reject_without_password_erases_every_user_of_the_host_only() {
    let (host, other) = (host("reject-all"), common::host("reject-other"));
    approve(&host, "a", &secret("ra"));
    approve(&host, "b", &secret("rb"));
    approve(&other, "c", &secret("rc"));
    let erased = helper("erase", &format!("protocol=https\nhost={host}\n"));
    assert!(erased.status.success(), "{}", erased.stderr);
    assert!(!fill(&host, "").stdout_text().contains("password="));
    assert!(fill(&other, "").stdout_text().contains("username=c\n"));
}

fn expired_or_ephemeral_credentials_are_not_stored() {
    let host = host("expired");
    let password = secret("expired");
    // git itself only forwards `ephemeral` to helpers that announce the
    // authtype capability, which this one does not; so that case is sent
    // to the helper directly.
    for (extra, through_git) in [
        ("password_expiry_utc=1000000000\n", true),
        ("ephemeral=1\n", false),
    ] {
        let input =
            format!("protocol=https\nhost={host}\nusername=u\npassword={password}\n{extra}");
        // git learnt password_expiry_utc in 2.40; an older one drops it.
        if through_git && common::git_version() >= (2, 40) {
            assert!(git_credential("approve", &[], &input).status.success());
        }
        let direct = helper("store", &input);
        assert!(direct.status.success(), "{}", direct.stderr);
        assert_eq!(direct.stderr, "");
    }
    assert!(!fill(&host, "").stdout_text().contains("password="));
    assert!(!held(&host).contains(&password));
}

fn an_expiry_in_the_future_and_a_refresh_token_come_back() {
    let host = host("expiry");
    let (password, refresh) = (secret("expiring"), secret("refresh"));
    let stored = helper(
        "store",
        &format!(
            "protocol=https\nhost={host}\nusername=u\npassword={password}\npassword_expiry_utc=4102444800\noauth_refresh_token={refresh}\n"
        ),
    );
    assert!(stored.status.success(), "{}", stored.stderr);
    let got = helper("get", &format!("protocol=https\nhost={host}\n"));
    assert_eq!(
        got.stdout_text(),
        format!(
            "username=u\npassword={password}\npassword_expiry_utc=4102444800\noauth_refresh_token={refresh}\n"
        )
    );
}

fn path_matters_only_with_use_http_path() {
    let host = host("paths");
    let password = secret("paths");
    let use_path = ["credential.useHttpPath=true"];
    let approved = git_credential(
        "approve",
        &use_path,
        &format!("url=https://u@{host}/org/a.git\npassword={password}\n"),
    );
    assert!(approved.status.success(), "{}", approved.stderr);
    let same = git_credential(
        "fill",
        &use_path,
        &format!("url=https://{host}/org/a.git\n"),
    );
    assert!(
        same.stdout_text()
            .contains(&format!("password={password}\n")),
        "{}",
        same.stderr
    );
    let other_repo = git_credential(
        "fill",
        &use_path,
        &format!("url=https://{host}/org/b.git\n"),
    );
    assert!(!other_repo.stdout_text().contains("password="));
    // Without useHttpPath git sends no path, and the host's credential serves.
    let no_path = git_credential("fill", &[], &format!("url=https://{host}/org/b.git\n"));
    assert!(
        no_path
            .stdout_text()
            .contains(&format!("password={password}\n"))
    );
}

fn empty_username_and_password_round_trip() {
    let host = host("empty");
    assert!(
        helper(
            "store",
            &format!("protocol=https\nhost={host}\nusername=\npassword=\n")
        )
        .status
        .success()
    );
    let got = helper("get", &format!("protocol=https\nhost={host}\n"));
    assert_eq!(got.stdout_text(), "username=\npassword=\n");
}

fn non_utf8_values_survive_a_round_trip() {
    let host = host("bytes");
    let mut input = format!("protocol=https\nhost={host}\n").into_bytes();
    input.extend_from_slice(b"path=caf\xe9/r\xffpo\nusername=\xc3\x28user\npassword=p\xfe\xfd\n");
    let mut store = common::command(&common::helper_program());
    store.arg("store");
    assert!(common::run(store, &input).status.success());
    let mut get = common::command(&common::helper_program());
    get.arg("get");
    let mut request = format!("protocol=https\nhost={host}\n").into_bytes();
    request.extend_from_slice(b"path=caf\xe9/r\xffpo\n");
    let got = common::run(get, &request);
    assert_eq!(got.stdout, b"username=\xc3\x28user\npassword=p\xfe\xfd\n");
}

#[test]
fn a_huge_password_round_trips() {
    let host = host("huge");
    let password = "x".repeat(100_000);
    assert!(
        helper(
            "store",
            &format!("protocol=https\nhost={host}\nusername=u\npassword={password}\n")
        )
        .status
        .success()
    );
    for _ in 0..2 {
        // The second answer would come from the cache, if it fitted there.
        let got = helper("get", &format!("protocol=https\nhost={host}\n"));
        assert_eq!(
            got.stdout_text(),
            format!("username=u\npassword={password}\n")
        );
    }
}

fn the_keyring_holds_the_secret_and_no_file_does() {
    let host = host("where");
    let password = secret("where");
    approve(&host, "carol", &password);
    let listed = held(&host);
    assert!(listed.contains(&password), "the store holds it: {listed}");
    match common::in_kernel_namespace() {
        true => assert!(
            listed.contains(&format!("git-credential-ghoauth:https://carol@{host}")),
            "{listed}"
        ),
        false if common::under_wine() => assert!(
            listed.contains(&format!("https://carol@{host}.git-credential-ghoauth\n")),
            "{listed}"
        ),
        false => {
            assert!(listed.contains("attribute.user = carol"), "{listed}");
            assert!(listed.contains("attribute.protocol = https"), "{listed}");
        }
    }

    let session = common::session();
    let cwd = std::env::current_dir().unwrap();
    for root in [session.dir.clone(), cwd.join("target").join("tmp")] {
        assert_no_file_contains(&root, password.as_bytes());
    }
}

fn assert_no_file_contains(root: &std::path::Path, needle: &[u8]) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            assert_no_file_contains(&path, needle);
        } else if kind.is_file()
            && let Ok(bytes) = std::fs::read(&path)
        {
            assert!(
                !bytes.windows(needle.len()).any(|window| window == needle),
                "{} holds a secret in plain text",
                path.display()
            );
        }
    }
}

fn cached_answers_follow_store_and_erase() {
    let host = host("coherent");
    let (first, second) = (secret("first"), secret("second"));
    let request = format!("protocol=https\nhost={host}\n");
    approve(&host, "u", &first);
    for _ in 0..2 {
        assert!(helper("get", &request).stdout_text().contains(&first));
    }
    approve(&host, "u", &second);
    assert!(helper("get", &request).stdout_text().contains(&second));
    assert!(helper("get", &request).stdout_text().contains(&second));
    approve(&host, "v", &first);
    assert!(
        helper("get", &request)
            .stdout_text()
            .contains("username=v\n")
    );
    assert!(helper("erase", &request).status.success());
    assert_eq!(helper("get", &request).stdout_text(), "");
}

fn unknown_operations_are_ignored() {
    let run = helper("frobnicate", "protocol=https\nhost=x\n");
    assert!(run.status.success());
    assert!(run.stdout.is_empty());
    assert_eq!(run.stderr, "");
}

fn a_get_for_an_unknown_host_says_nothing() {
    let run = helper("get", &format!("protocol=https\nhost={}\n", host("nobody")));
    assert!(run.status.success());
    assert!(run.stdout.is_empty());
    assert_eq!(run.stderr, "");
}

#[test]
fn a_cache_hit_needs_no_dbus_and_a_zero_ttl_disables_the_cache() {
    // Any store or erase of this user's makes every cached answer stale
    // (one generation per user): the other tests wait meanwhile.
    let _still = common::keep_others_still();
    assert!(
        cache_hit_without_dbus(1),
        "the cached answer was not served"
    );
}

/// False when the cached answer was not served.
fn cache_hit_without_dbus(attempt: u32) -> bool {
    let own = common::start_session(common::KeyringState::Unlocked);
    let host = host(&format!("hit-{attempt}"));
    let password = secret(&format!("hit-{attempt}"));
    let in_own = |operation: &str, extra_args: &[&str], input: &str| {
        let mut command = common::command(common::HELPER);
        command
            .env("DBUS_SESSION_BUS_ADDRESS", &own.bus_address)
            .env("GHOAUTH_KEYRING_TIMEOUT", "5")
            .env("GHOAUTH_STORE", "secret-service")
            .args(extra_args)
            .arg(operation);
        common::run_alone(command, input.as_bytes())
    };
    let request = format!("protocol=https\nhost={host}\n");
    assert!(
        in_own(
            "store",
            &[],
            &format!("{request}username=u\npassword={password}\n")
        )
        .status
        .success()
    );
    assert!(
        in_own("get", &[], &request)
            .stdout_text()
            .contains(&password)
    );

    // Stop that session's bus and keyring; the address now leads nowhere.
    let (bus_address, dir) = (own.bus_address.clone(), own.dir.clone());
    drop(own);
    common::wait_until(
        std::time::Duration::from_secs(20),
        "the session to stop",
        || !dir.exists(),
    );
    let ask = |extra_args: &[&str]| {
        let mut command = common::command(common::HELPER);
        command
            .env("DBUS_SESSION_BUS_ADDRESS", &bus_address)
            .env("GHOAUTH_KEYRING_TIMEOUT", "5")
            .env("GHOAUTH_STORE", "secret-service")
            .args(extra_args)
            .arg("get");
        common::run_alone(command, request.as_bytes())
    };
    let hit = ask(&[]);
    if hit.stdout.is_empty() {
        assert!(hit.stderr.contains("D-Bus"), "{}", hit.stderr);
        return false;
    }
    assert_eq!(
        hit.stdout_text(),
        format!("username=u\npassword={password}\n")
    );
    assert_eq!(hit.stderr, "");
    let uncached = ask(&["--cache-seconds", "0"]);
    assert!(uncached.stdout.is_empty());
    assert!(uncached.stderr.contains("D-Bus"), "{}", uncached.stderr);
    true
}

#[test]
fn racing_gets_never_leave_a_stale_answer_behind() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let host = host("race");
    let request = format!("protocol=https\nhost={host}\n");
    let done = Arc::new(AtomicBool::new(false));
    // Gets on another thread keep filling the cache, each racing the stores.
    let racer = {
        let (done, request) = (done.clone(), request.clone());
        std::thread::spawn(move || {
            for _ in 0..400 {
                if done.load(Ordering::SeqCst) {
                    break;
                }
                helper("get", &request);
            }
        })
    };
    for round in 0..20 {
        let password = secret(&format!("race{round}"));
        let stored = helper(
            "store",
            &format!("{request}username=u\npassword={password}\n"),
        );
        assert!(stored.status.success(), "{}", stored.stderr);
        let got = helper("get", &request);
        assert_eq!(
            got.stdout_text(),
            format!("username=u\npassword={password}\n"),
            "round {round}: a get after a store must see that store"
        );
    }
    done.store(true, Ordering::SeqCst);
    racer.join().unwrap();
}

fn git_finds_the_helper_by_its_short_name_on_path() {
    let host = host("short-name");
    let password = secret("short-name");
    let helper = common::helper_program();
    let bin_dir = std::path::Path::new(&helper).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let git = |action: &str, input: String| {
        let mut command = common::command("git");
        command.env("PATH", &path).args([
            "-c",
            "credential.helper=",
            "-c",
            "credential.helper=ghoauth",
            "credential",
            action,
        ]);
        common::run(command, input.as_bytes())
    };
    let approved = git(
        "approve",
        format!("protocol=https\nhost={host}\nusername=u\npassword={password}\n"),
    );
    assert!(approved.status.success(), "{}", approved.stderr);
    let filled = git("fill", format!("protocol=https\nhost={host}\n"));
    assert!(
        filled
            .stdout_text()
            .contains(&format!("password={password}\n")),
        "{}",
        filled.stderr
    );
}

/// Each test above against the Secret Service, the kernel keyring and
/// Windows Credential Manager.
/// git 2.46's `capability[]=authtype`: a credential with a scheme of its
/// own (`Authorization: Bearer …`) and no user name answers only a git that
/// advertises the capability, and never stands in for a user's password.
fn git_246_an_authtype_credential_answers_only_a_git_that_can_take_it() {
    let Some(git) = common::git_246("authtype") else {
        return;
    };
    let host = host("authtype");
    let (password, bearer) = (secret("authtype-password"), secret("bearer"));
    approve(&host, "alice", &password);
    let stored = git_credential_with(
        &git,
        "approve",
        &format!(
            "capability[]=authtype\nauthtype=Bearer\ncredential={bearer}\nprotocol=https\nhost={host}\n"
        ),
    );
    assert!(stored.status.success(), "{}", stored.stderr);
    let fill = |input: &str| {
        git_credential_with(
            &git,
            "fill",
            &format!("{input}protocol=https\nhost={host}\n"),
        )
    };
    assert_eq!(
        fill("capability[]=authtype\n").stdout_text(),
        format!(
            "capability[]=authtype\nauthtype=Bearer\ncredential={bearer}\nprotocol=https\nhost={host}\n"
        )
    );
    let without = fill("");
    assert!(
        !without.stdout_text().contains(&bearer),
        "{}",
        without.stdout_text()
    );
    assert!(
        without
            .stdout_text()
            .contains(&format!("password={password}\n"))
    );
    let named = git_credential_with(
        &git,
        "fill",
        &format!("capability[]=authtype\nprotocol=https\nhost={host}\nusername=alice\n"),
    );
    assert!(
        named
            .stdout_text()
            .contains(&format!("password={password}\n")),
        "{}",
        named.stdout_text()
    );
    let rejected = git_credential_with(
        &git,
        "reject",
        &format!(
            "capability[]=authtype\nauthtype=Bearer\ncredential={bearer}\nprotocol=https\nhost={host}\n"
        ),
    );
    assert!(rejected.status.success(), "{}", rejected.stderr);
    let after = fill("capability[]=authtype\n").stdout_text();
    assert!(
        after.contains(&format!("password={password}\n")) && !after.contains(&bearer),
        "{after}"
    );
    assert!(!held(&host).contains(&bearer));
    git_credential("reject", &[], &format!("protocol=https\nhost={host}\n"));
}

/// git 2.46's `state[]`: the `store` after a `get` learns from a digest git
/// carries that it is handed back what was answered, and reads no
/// keyring; here the keyring is gone by then. Anything else it is handed
/// needs the keyring, and says so.
#[cfg(unix)]
#[test]
fn git_246_a_store_of_what_get_answered_needs_no_keyring() {
    use common::{KeyringState, in_session, start_session};
    let Some(git) = common::git_246("git_246_a_store_of_what_get_answered_needs_no_keyring") else {
        return;
    };
    let own = start_session(KeyringState::Unlocked);
    in_session(&own, || {
        let host = host("state");
        let password = secret("state");
        approve(&host, "alice", &password);
        let filled = git_credential_with(
            &git,
            "fill",
            &format!("capability[]=authtype\ncapability[]=state\nprotocol=https\nhost={host}\n"),
        );
        let answer = filled.stdout_text();
        assert!(
            answer.starts_with("capability[]=state\nprotocol=https\n"),
            "{answer}"
        );
        let state = answer
            .lines()
            .find_map(|line| line.strip_prefix("state[]="))
            .unwrap_or_else(|| panic!("a state[] line: {answer}"));
        assert!(
            state.starts_with("ghoauth:answered=") && !state.contains(&password),
            "{state}"
        );

        own.kill_keyring();
        let approve_with = |text: &str| {
            let mut command = common::command(&git);
            command
                .env("GHOAUTH_KEYRING_TIMEOUT", "5")
                .args(["-c", "credential.helper=", "-c"])
                .arg(format!("credential.helper={}", common::helper_program()))
                .args(["credential", "approve"]);
            common::run(command, text.as_bytes())
        };
        let handed_back = approve_with(&answer);
        assert!(handed_back.status.success(), "{}", handed_back.stderr);
        assert_eq!(handed_back.stderr, "", "no keyring was needed");

        let changed = approve_with(&answer.replace(&password, &secret("state-other")));
        let said: Vec<&str> = changed.stderr.lines().collect();
        assert_eq!(said.len(), 1, "{}", changed.stderr);
        assert!(
            said[0].contains("no Secret Service is running"),
            "{}",
            changed.stderr
        );
    });
}

macro_rules! on_every_store {
    ($($name:ident),* $(,)?) => {
        mod on_the_secret_service {
            $(#[test] fn $name() { super::$name() })*
        }
        mod on_the_kernel_keyring {
            $(#[test] fn $name() { crate::common::without_dbus(Some("kernel"), super::$name) })*
        }
        mod on_windows_credential_manager {
            $(#[test] fn $name() { crate::wine::on_windows(super::$name) })*
        }
    };
}

on_every_store!(
    approve_then_fill_returns_the_credential,
    git_246_an_authtype_credential_answers_only_a_git_that_can_take_it,
    two_users_on_one_host_each_come_back_by_username,
    erase_with_an_old_password_leaves_the_new_one,
    reject_without_password_erases_every_user_of_the_host_only,
    expired_or_ephemeral_credentials_are_not_stored,
    an_expiry_in_the_future_and_a_refresh_token_come_back,
    path_matters_only_with_use_http_path,
    empty_username_and_password_round_trip,
    non_utf8_values_survive_a_round_trip,
    the_keyring_holds_the_secret_and_no_file_does,
    cached_answers_follow_store_and_erase,
    unknown_operations_are_ignored,
    a_get_for_an_unknown_host_says_nothing,
    git_finds_the_helper_by_its_short_name_on_path,
);

#[test]
fn a_credential_too_large_for_the_kernel_is_refused_in_one_line() {
    common::without_dbus(Some("kernel"), || {
        let host = host("too-large");
        let password = "x".repeat(40_000);
        let stored = helper(
            "store",
            &format!("protocol=https\nhost={host}\nusername=u\npassword={password}\n"),
        );
        assert!(!stored.status.success());
        assert_eq!(stored.stderr.lines().count(), 1, "{}", stored.stderr);
        assert!(
            stored.stderr.contains("too large for the kernel keyring"),
            "{}",
            stored.stderr
        );
        assert_eq!(
            helper("get", &format!("protocol=https\nhost={host}\n")).stdout_text(),
            ""
        );
    });
}

#[test]
fn the_store_is_chosen_by_a_helper_argument_in_git_config() {
    common::without_dbus(None, || {
        let host = host("argument");
        let password = secret("argument");
        let git = |action: &str, input: String| {
            let mut command = common::command("git");
            command.args(["-c", "credential.helper=", "-c"]);
            command.arg(format!(
                "credential.helper={} --store=kernel",
                common::HELPER
            ));
            command.args(["credential", action]);
            common::run(command, input.as_bytes())
        };
        let approved = git(
            "approve",
            format!("protocol=https\nhost={host}\nusername=u\npassword={password}\n"),
        );
        assert!(approved.status.success(), "{}", approved.stderr);
        assert_eq!(approved.stderr, "", "an explicit choice needs no note");
        assert!(common::kernel_keys().contains(&password));
        let filled = git("fill", format!("protocol=https\nhost={host}\n"));
        assert!(
            filled
                .stdout_text()
                .contains(&format!("password={password}\n"))
        );
    });
}
