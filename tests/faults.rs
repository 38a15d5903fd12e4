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
use crate::fake_github::{Lifetimes, TokenEndpoint};
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
        own.wait_until_written("value=octocat");
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
        assert!(
            field(&locked, "password").is_none(),
            "{}",
            locked.stdout_text()
        );
        let said = complaints(&locked.stderr);
        assert_eq!(said.len(), 1, "{}", locked.stderr);
        assert!(
            said[0].contains("locked") && said[0].contains("unlock"),
            "{said:?}"
        );
        assert_eq!(world.fake.authorizations(), 1, "no sign-in");
        assert_eq!(world.browser_opened(), 1);
        assert!(world.fake.is_live(&token), "nothing revoked");

        own.kill_keyring();
        own.restart_keyring(Some("test-password"));
        let unlocked = fill_uncached(&world, 20);
        assert_eq!(
            field(&unlocked, "password"),
            Some(token),
            "{}",
            unlocked.stderr
        );
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
        own.wait_until_written("value=octocat");
        own.kill_keyring();

        let started = Instant::now();
        let gone = fill_uncached(&world, 5);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
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

/// The kernel store as a user other than root, whose keys the kernel caps
/// (`kernel.keys.maxkeys`, 200, and `maxbytes`, 20,000, by default). Root's
/// quota is far larger, and a user namespace made by root still counts as
/// root, so this runs as a uid of its own (`setpriv`), one no one else
/// uses. Cached answers share the quota: a store drops them rather than
/// fail. Every store that was acknowledged is found again, and the one
/// that is not names the quota and the fix.
#[test]
fn a_full_kernel_key_quota_is_named_and_every_acknowledged_store_is_kept() {
    let Some(uid) = unprivileged_uid() else {
        eprintln!("SKIPPED: the key-quota test needs root, to run as a uid of its own");
        return;
    };
    let dir = common::session().dir.join(format!("quota-{uid}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::chown(&dir, Some(uid), Some(uid)).unwrap();
    let as_user = |program: &str, args: &[&str], input: &str| {
        let mut command = std::process::Command::new("setpriv");
        command
            .args([
                &format!("--reuid={uid}"),
                &format!("--regid={uid}"),
                "--clear-groups",
                "--",
                program,
            ])
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &dir)
            .env("XDG_RUNTIME_DIR", &dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GHOAUTH_STORE", "kernel");
        common::run(command, input.as_bytes())
    };
    let keyctl = |script: &str| as_user("keyctl", &["session", "-", "sh", "-c", script], "");
    // Cached answers, as a Secret Service `get` leaves them, and a
    // credential whose protocol is `answer`, as the user-keyring fallback
    // keeps it: the clean-up must take the one and leave the other.
    let cached = keyctl(
        "for i in $(seq 1 40); do keyctl add user git-credential-ghoauth/answer/$i cached @u >/dev/null || exit 1; done; \
         keyctl add user git-credential-ghoauth:answer://host kept @u >/dev/null",
    );
    assert!(cached.status.success(), "{}", cached.stderr);

    let host = common::host("quota");
    let password = common::secret("quota");
    let mut acknowledged = 0;
    let mut refusal = None;
    for index in 0..400 {
        let stored = as_user(
            common::HELPER,
            &["store"],
            &format!(
                "protocol=https\nhost={host}\nusername=u{index}\npassword={password}-{index}\n"
            ),
        );
        if stored.status.success() {
            acknowledged += 1;
        } else {
            refusal = Some(stored);
            break;
        }
    }
    let refusal = refusal.expect("the quota ran out within 400 stores");
    assert!(refusal.stdout.is_empty());
    let said: Vec<&str> = refusal.stderr.lines().collect();
    assert_eq!(said.len(), 1, "{}", refusal.stderr);
    let max_keys = std::fs::read_to_string("/proc/sys/kernel/keys/maxkeys").unwrap();
    assert!(
        said[0].contains("key quota is used up")
            && said[0].contains(&format!("of {} keys", max_keys.trim()))
            && said[0].contains("kernel.keys.maxkeys"),
        "{said:?}"
    );
    assert!(!said[0].contains("seccomp"), "{said:?}");
    // The cached answers went first: the stores got their room.
    let left = keyctl("keyctl search @u user git-credential-ghoauth/answer/1");
    assert!(!left.status.success(), "the cached answers were dropped");
    let credential = keyctl("keyctl search @u user git-credential-ghoauth:answer://host");
    assert!(
        credential.status.success(),
        "a credential is no cached answer"
    );
    assert!(acknowledged > 120, "only {acknowledged} stores were kept");

    for index in (0..acknowledged).step_by(7).chain([acknowledged - 1]) {
        // A get needs one key of quota while it runs (its process keyring);
        // at a full quota it says so in one line, and the kernel frees the
        // keyrings of finished processes moments later.
        let mut got = None;
        common::wait_until(Duration::from_secs(10), "room for a get", || {
            let run = as_user(
                common::HELPER,
                &["get"],
                &format!("protocol=https\nhost={host}\nusername=u{index}\n"),
            );
            let waits = run.stderr.contains("key quota is used up");
            got = Some(run);
            !waits
        });
        let got = got.unwrap();
        assert_eq!(
            field(&got, "password"),
            Some(format!("{password}-{index}")),
            "store {index} of {acknowledged}: {}",
            got.stderr
        );
    }
    let cleared = keyctl("keyctl clear @u && keyctl clear \"$(keyctl get_persistent @s)\"");
    assert!(cleared.status.success(), "{}", cleared.stderr);
}

/// A uid above every system and login range that holds no keys now, or
/// `None` when this is not root and cannot act as another user.
fn unprivileged_uid() -> Option<u32> {
    if rustix_uid() != 0 {
        return None;
    }
    let in_use = std::fs::read_to_string("/proc/key-users").unwrap_or_default();
    (0..1000)
        .map(|offset| 470_000 + (std::process::id() % 1000 + offset) % 1000)
        .find(|uid| {
            !in_use
                .lines()
                .any(|line| line.trim_start().starts_with(&format!("{uid}:")))
        })
}

fn rustix_uid() -> u32 {
    // SAFETY: getuid(2) has no preconditions.
    unsafe { libc::getuid() }
}

/// A git started now, in a process group of its own (see `common::command`),
/// that the test can kill whole, helper and browser included.
fn spawn_fill(world: &World) -> std::process::Child {
    use std::io::Write;
    let mut child = world
        .fill_command(&[])
        .env("GHOAUTH_CACHE_SECONDS", "0")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(world.fill_input("").as_bytes()).unwrap();
    child
}

fn kill_group(mut child: std::process::Child) {
    // SAFETY: kill(2) on the process group of a child we spawned and own.
    unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
    child.wait().unwrap();
}

/// Kills the git (and its helper) once GitHub has done an exchange whose
/// reply the helper never gets.
fn kill_after_github_answered(world: &World, done_before: usize) {
    world
        .fake
        .set_token_endpoint(TokenEndpoint::AnswersThenStalls);
    let git = spawn_fill(world);
    common::wait_until(Duration::from_secs(30), "GitHub's exchange", || {
        world.fake.replies_held_back() == done_before + 1
    });
    kill_group(git);
    world.fake.set_token_endpoint(TokenEndpoint::Works);
}

/// The helper dies after GitHub has spent the refresh token and issued a
/// new pair, before the pair is kept: the keyring holds a spent refresh
/// token. A git that cannot sign in is told so in one line (no loop, no
/// panic); the next interactive git signs in once, and works.
#[test]
fn a_helper_killed_mid_refresh_costs_one_sign_in_and_nothing_else() {
    let world = world("fault-kill-refresh");
    world.fake.issue_expiring_tokens(Lifetimes {
        access: Duration::from_secs(2),
        refresh: Duration::from_secs(15_897_600),
    });
    // The helper's own get: git itself would drop a token this short-lived.
    let first = world.helper_get("");
    let old_token = field(&first, "password").expect("a token");
    common::wait_until(Duration::from_secs(10), "the token to expire", || {
        !world.fake.is_live(&old_token)
    });
    world.fake.issue_expiring_tokens(Lifetimes {
        access: Duration::from_secs(8 * 3600),
        refresh: Duration::from_secs(15_897_600),
    });

    kill_after_github_answered(&world, 0);
    assert_eq!(world.fake.refreshes(), 1, "GitHub rotated the pair");

    let mut unattended = world.fill_command(&[]);
    unattended
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GHOAUTH_CACHE_SECONDS", "0");
    let told = common::run(unattended, world.fill_input("").as_bytes());
    assert!(field(&told, "password").is_none(), "{}", told.stdout_text());
    let said = complaints(&told.stderr);
    assert_eq!(said.len(), 1, "{}", told.stderr);
    assert!(
        said[0].contains("sign in again") && said[0].contains("login --host"),
        "{said:?}"
    );
    assert_eq!(
        world.fake.authorizations(),
        1,
        "no sign-in without a person"
    );

    let signed_in = fill_uncached(&world, 20);
    let token = field(&signed_in, "password").expect("a token after one sign-in");
    assert!(world.fake.is_live(&token));
    assert_eq!(world.fake.authorizations(), 2, "exactly one more sign-in");
    let again = fill_uncached(&world, 20);
    assert_eq!(field(&again, "password"), Some(token));
    assert_eq!(world.fake.authorizations(), 2);
}

/// The helper dies after the sign-in's code exchange, before the token is
/// kept: exactly one more sign-in, and then every git works.
#[test]
fn a_helper_killed_after_the_code_exchange_costs_exactly_one_more_sign_in() {
    let world = world("fault-kill-exchange");
    kill_after_github_answered(&world, 0);
    assert_eq!(world.fake.authorizations(), 1);
    assert!(!world.keyring().contains("octocat"), "nothing was kept");

    let signed_in = fill_uncached(&world, 20);
    assert!(signed_in.status.success(), "{}", signed_in.stderr);
    let token = field(&signed_in, "password").expect("a token");
    assert_eq!(world.fake.authorizations(), 2);
    let again = fill_uncached(&world, 20);
    assert_eq!(field(&again, "password"), Some(token));
    assert_eq!(world.fake.authorizations(), 2);
}

/// The helper dies in `erase`'s revocation, after GitHub has spent the
/// stored refresh token for a new pair the helper never receives: the item
/// is gone, no token it held works at GitHub, and the pair in flight was
/// never kept anywhere. The next git signs in once.
#[test]
fn a_helper_killed_mid_revocation_leaves_no_stored_token_alive() {
    use std::io::Write;
    let world = world("fault-kill-revoke");
    world.fake.issue_expiring_tokens(Lifetimes {
        access: Duration::from_secs(8 * 3600),
        refresh: Duration::from_secs(15_897_600),
    });
    let token = signed_in(&world);
    let stored_refresh_tokens = world.fake.live_refresh_tokens();
    assert_eq!(stored_refresh_tokens.len(), 1);
    assert!(world.keyring().contains("octocat"), "the item is kept");

    world
        .fake
        .set_token_endpoint(TokenEndpoint::AnswersThenStalls);
    let mut rejecting = crate::world::reject_command(&world)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let input = world.fill_input(&format!("username=octocat\npassword={token}\n"));
    let mut stdin = rejecting.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    common::wait_until(Duration::from_secs(30), "the refresh of erase", || {
        world.fake.replies_held_back() == 1
    });
    kill_group(rejecting);
    world.fake.set_token_endpoint(TokenEndpoint::Works);

    assert!(!world.keyring().contains("octocat"), "the item is gone");
    assert!(!world.fake.is_live(&token), "its access token is revoked");
    let live = world.fake.live_refresh_tokens();
    assert!(
        stored_refresh_tokens
            .iter()
            .all(|spent| !live.contains(spent)),
        "its refresh token is spent"
    );

    let again = fill_uncached(&world, 20);
    assert!(again.status.success(), "{}", again.stderr);
    assert_ne!(field(&again, "password"), Some(token));
    assert_eq!(world.fake.authorizations(), 2, "exactly one more sign-in");
}

/// A `git` first on PATH that counts its calls and, at the `KILL_AT`-th,
/// SIGKILLs its parent (the helper) instead of running; otherwise it runs
/// the real git.
fn killing_git(dir: &std::path::Path) -> std::path::PathBuf {
    let real = String::from_utf8(
        std::process::Command::new("sh")
            .args(["-c", "command -v git"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    crate::world::write_script(
        &bin.join("git"),
        &format!(
            "n=$(( $(cat \"$GIT_CALLS\" 2>/dev/null || echo 0) + 1 ))\necho $n >\"$GIT_CALLS\"\n\
             if [ \"$n\" = \"$KILL_AT\" ]; then kill -9 $PPID; exit 1; fi\nexec '{}' \"$@\"",
            real.trim()
        ),
    );
    bin
}

/// Fault: the helper killed at each of the `git` calls `configure` and
/// `unconfigure` make in turn. Every time, the global config is either as
/// it was or complete, never half (a client id with no secret include,
/// say), and the next command cleans up what the killed one left.
#[test]
fn a_helper_killed_while_it_changes_the_global_config_leaves_it_whole() {
    let dir = common::session().dir.join("fault-config-kill");
    let bin = killing_git(&dir);
    let config = dir.join("gitconfig");
    let secrets = dir.join(".git-credential-ghoauth-secrets");
    let calls = dir.join("calls");
    let original = "[user]\n\tname = Someone\n[credential]\n\thelper = cache\n".to_string();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let helper = |args: &[&str], kill_at: usize| {
        let _ = std::fs::remove_file(&calls);
        let mut command = common::command(common::HELPER);
        command
            .env("PATH", &path)
            .env("GIT_CONFIG_GLOBAL", &config)
            .env("GHOAUTH_CLIENT_SECRET", common::secret("fault-config"))
            .env("GIT_CALLS", &calls)
            .env("KILL_AT", kill_at.to_string())
            .args(args);
        let ran = common::run(command, b"");
        let count: usize = std::fs::read_to_string(&calls)
            .map(|n| n.trim().parse().unwrap())
            .unwrap_or(0);
        (ran, count)
    };
    let configure = [
        "configure",
        "--host",
        "https://ghe.fault.test",
        "--client-id",
        "Iv1.fault",
    ];
    let unconfigure = ["unconfigure", "--host", "https://ghe.fault.test"];
    let state = || {
        (
            std::fs::read_to_string(&config).unwrap_or_default(),
            std::fs::read_to_string(&secrets).ok(),
        )
    };
    let set_state = |(text, secret): &(String, Option<String>)| {
        std::fs::write(&config, text).unwrap();
        match secret {
            Some(secret) => std::fs::write(&secrets, secret).unwrap(),
            None => {
                let _ = std::fs::remove_file(&secrets);
            }
        }
    };

    let before = (original.clone(), None);
    set_state(&before);
    let (done, configure_calls) = helper(&configure, 0);
    assert!(done.status.success(), "{}", done.stderr);
    let configured = state();
    assert!(configured.0.contains("include"), "{}", configured.0);
    let (undone, unconfigure_calls) = helper(&unconfigure, 0);
    assert!(undone.status.success(), "{}", undone.stderr);
    let unconfigured = state();
    assert!(configure_calls >= 5 && unconfigure_calls >= 5);

    for (args, from, to, count) in [
        (&configure[..], &before, &configured, configure_calls),
        (
            &unconfigure[..],
            &configured,
            &unconfigured,
            unconfigure_calls,
        ),
    ] {
        for kill_at in 1..=count {
            set_state(from);
            let (killed, _) = helper(args, kill_at);
            assert!(
                !killed.status.success(),
                "{args:?} was not killed at {kill_at}"
            );
            let text = std::fs::read_to_string(&config).unwrap();
            assert!(
                text == from.0 || text == to.0,
                "{args:?} killed at git call {kill_at} of {count} left half a config:\n{text}"
            );
        }
    }
    // The next command that finishes removes the drafts the killed left.
    set_state(&before);
    let (done, _) = helper(&configure, 0);
    assert!(done.status.success(), "{}", done.stderr);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("ghoauth-draft"))
        .collect();
    assert_eq!(leftovers, Vec::<String>::new());
}

/// Fault: a lock file another git left beside the global config blocks
/// every change of it (git's own `git config --global` too). The command
/// that fails on it says so, with the command that removes it, and
/// changes nothing.
#[test]
fn a_leftover_config_lock_is_named_with_its_fix_and_nothing_changes() {
    let dir = common::session().dir.join("fault-config-lock");
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("gitconfig");
    let original = "[user]\n\tname = Someone\n";
    std::fs::write(&config, original).unwrap();
    std::fs::write(dir.join("gitconfig.lock"), "").unwrap();
    let mut command = common::command(common::HELPER);
    command.env("GIT_CONFIG_GLOBAL", &config).args([
        "configure",
        "--host",
        "https://ghe.lock.test",
        "--client-id",
        "Iv1.lock",
    ]);
    let refused = common::run(command, b"");
    assert!(!refused.status.success());
    let said: Vec<&str> = refused.stderr.lines().collect();
    assert_eq!(said.len(), 1, "{}", refused.stderr);
    assert!(
        said[0].contains(&format!("rm '{}'", dir.join("gitconfig.lock").display())),
        "{said:?}"
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), original);
}

/// Fault: a full disk (a 64 KiB tmpfs, filled, in a mount namespace of
/// the test's own) under `configure`, with and without a client secret:
/// the config is as it was, and the one line names the full disk.
#[test]
fn a_full_disk_under_configure_leaves_the_config_as_it_was_and_says_so() {
    let dir = common::session().dir.join("fault-disk-full");
    std::fs::create_dir_all(&dir).unwrap();
    let script = r#"
        mount -t tmpfs -o size=64k tmpfs "$D" || exit 97
        printf '[user]\n\tname = Someone\n' >"$D/gitconfig"
        cp "$D/gitconfig" "$D/before"
        dd if=/dev/zero of="$D/fill" bs=1k 2>/dev/null
        for secret in with without; do
            if [ $secret = with ]; then export GHOAUTH_CLIENT_SECRET=s3cret-disk; else unset GHOAUTH_CLIENT_SECRET; fi
            said=$(GIT_CONFIG_GLOBAL="$D/gitconfig" "$HELPER" configure --host https://ghe.disk.test --client-id Iv1.disk 2>&1 >/dev/null)
            echo "status=$?"
            echo "said=$said"
            cmp -s "$D/gitconfig" "$D/before" && echo unchanged
            ls -a "$D" | grep -c ghoauth-draft
        done
    "#;
    let mut command = std::process::Command::new("unshare");
    command
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", script])
        .env("D", &dir)
        .env("HELPER", common::HELPER)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", &dir);
    let ran = common::run(command, b"");
    if ran.status.code() == Some(97) {
        eprintln!("SKIPPED: this machine refuses a tmpfs in a user namespace");
        return;
    }
    let out = ran.stdout_text();
    let runs: Vec<&str> = out.split("status=").skip(1).collect();
    assert_eq!(runs.len(), 2, "{:?} {out}{}", ran.status, ran.stderr);
    for run in runs {
        assert!(!run.starts_with('0'), "the command failed: {run}");
        assert!(run.contains("unchanged"), "the config was changed: {run}");
        assert!(
            run.trim_end().ends_with("\n0"),
            "no draft is left behind: {run}"
        );
        let said = run
            .lines()
            .find_map(|line| line.strip_prefix("said="))
            .unwrap();
        assert!(
            said.contains("is full") && said.contains("free some space"),
            "{said}"
        );
        assert_eq!(run.matches("git-credential-ghoauth:").count(), 1, "{run}");
        assert!(!said.contains("s3cret-disk"));
    }
}

/// `auto` (the default) when the Secret Service daemon is gone but the
/// bus is there: that is every SSH session on a systemd machine, where the
/// kernel keyring is the right store, so `auto` uses it and signs in again
/// into it. Nothing in the Secret Service is touched: once the daemon is
/// back, its token answers again.
#[test]
fn auto_with_the_secret_service_gone_uses_the_kernel_and_keeps_the_keyring_as_it_was() {
    let own = start_session(KeyringState::Passwordless);
    in_session(&own, || {
        common::auto_with_dbus(|| {
            let world = world("fault-gone-auto");
            let token = signed_in(&world);
            own.wait_until_written("value=octocat");
            own.kill_keyring();
            let headless = fill_uncached(&world, 5);
            let kernel_token = field(&headless, "password").expect("a token from a new sign-in");
            assert_ne!(kernel_token, token);
            assert_eq!(
                world.fake.authorizations(),
                2,
                "one sign-in, into the kernel"
            );
            assert!(common::kernel_keys().contains(&kernel_token));

            own.restart_keyring(None);
            let back = fill_uncached(&world, 20);
            assert_eq!(field(&back, "password"), Some(token), "{}", back.stderr);
            assert_eq!(world.fake.authorizations(), 2);
        })
    });
}
