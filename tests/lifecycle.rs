//! A token's life after the first sign-in: renewal of a GitHub App's
//! expiring tokens, parallel gits that need a token at the same moment,
//! several accounts on one host, and the 401 that ends a revoked token.
//! Real git, the built helper, a real Secret Service, the fake GitHub.
// Drives processes the Unix way (signals, sessions, file modes, /proc).
#![cfg(unix)]

use crate::common;
use crate::fake_github;
use crate::world;

use std::process::Command;
use std::time::Duration;

use common::*;
use fake_github::{Consent, Gate, Lifetimes};
use world::*;

const EIGHT_HOURS: Duration = Duration::from_secs(8 * 3600);
const SIX_MONTHS: Duration = Duration::from_secs(15_897_600);
/// Inside the helper's five-minute renewal window, but not yet expired.
const ABOUT_TO_EXPIRE: Duration = Duration::from_secs(120);

fn github_app(world: &World, access: Duration) {
    world.fake.issue_expiring_tokens(Lifetimes {
        access,
        refresh: SIX_MONTHS,
    });
}

/// `key=value` from git's answer.
fn field(run: &Run, key: &str) -> Option<String> {
    run.stdout_text()
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{key}=")).map(str::to_string))
}

fn password(run: &Run) -> String {
    field(run, "password").unwrap_or_else(|| panic!("no password: {}", run.stderr))
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Runs every command at once, each on its own thread, and returns their
/// results in order once all have ended (each is bounded by `run`).
fn all_at_once(commands: Vec<Command>, input: &str) -> Vec<Run> {
    let threads: Vec<_> = commands
        .into_iter()
        .map(|command| {
            let input = input.to_string();
            std::thread::spawn(move || run(command, input.as_bytes()))
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

/// `count` fills started together while the fake holds `gate`. Once all
/// but the first are seen queued behind its lock, `meanwhile` runs and the
/// gate opens. Returns every fill's result.
fn queued_behind_the_first(
    world: &World,
    count: usize,
    gate: Gate,
    config: &[String],
    meanwhile: impl FnOnce(),
) -> Vec<Run> {
    world.fake.hold(gate);
    let fills = (0..count).map(|_| world.fill_command(config)).collect();
    let input = world.fill_input("");
    std::thread::scope(|scope| {
        let running = scope.spawn(|| all_at_once(fills, &input));
        wait_until(Duration::from_secs(50), "the others to queue", || {
            world.helpers_waiting_for_a_lock() == count - 1
        });
        meanwhile();
        world.fake.release(gate);
        running.join().unwrap()
    })
}

#[test]
fn an_expired_token_is_renewed_without_a_browser() {
    let world = world("expired");
    github_app(&world, Duration::from_secs(2));
    // The helper's own get: git itself would drop a token this short-lived.
    let first = world.helper_get("");
    assert!(first.status.success(), "{}", first.stderr);
    let old_token = password(&first);
    assert!(old_token.starts_with("ghu_"), "a GitHub App token");
    let old_refresh = world.fake.live_refresh_tokens();
    assert_eq!(old_refresh.len(), 1);
    assert_eq!(world.fake.authorizations(), 1);
    wait_until(Duration::from_secs(10), "the token to expire", || {
        !world.fake.is_live(&old_token)
    });

    github_app(&world, EIGHT_HOURS);
    // Non-interactive: a refresh needs nobody, so it happens all the same.
    let mut fill = world.fill_command(&[]);
    fill.env("GIT_TERMINAL_PROMPT", "0");
    let renewed = run(fill, world.fill_input("").as_bytes());
    assert!(renewed.status.success(), "{}", renewed.stderr);
    assert_eq!(renewed.stderr, "", "silent");
    let new_token = password(&renewed);
    assert_ne!(new_token, old_token);
    assert!(world.fake.is_live(&new_token));
    let expiry: u64 = field(&renewed, "password_expiry_utc")
        .unwrap()
        .parse()
        .unwrap();
    let expected = unix_now() + EIGHT_HOURS.as_secs();
    assert!(expiry.abs_diff(expected) < 60, "{expiry} vs {expected}");
    assert_eq!(
        field(&renewed, "oauth_refresh_token"),
        None,
        "stays in the keyring"
    );
    assert_eq!(world.fake.authorizations(), 1, "no new sign-in");
    assert_eq!(world.browser_opened(), 1, "no browser");
    assert_eq!(world.fake.refreshes(), 1);

    // The rotated pair replaced the old one in the keyring.
    let new_refresh = world.fake.live_refresh_tokens();
    assert_eq!(new_refresh.len(), 1);
    assert_ne!(new_refresh, old_refresh);
    let stored = world.keyring();
    assert!(
        stored.contains(&new_token) && stored.contains(&new_refresh[0]),
        "{stored}"
    );
    assert!(!stored.contains(&old_token) && !stored.contains(&old_refresh[0]));

    // A fresh token is handed out as it is; the old refresh token is never
    // presented again.
    let again = world.fill(&[], "");
    assert_eq!(password(&again), new_token);
    assert_eq!(world.fake.refreshes(), 1);
    assert_eq!(world.fake.spent_refresh_tokens_presented(), 0);

    // status tells that it renews itself, and shows neither whole token.
    let mut status = command(HELPER);
    status.args(["status", "--host", &world.fake.base_url]);
    let shown = run(status, b"");
    assert!(shown.status.success(), "{}", shown.stderr);
    let shown = shown.stdout_text();
    assert!(
        shown.contains("renews:  by itself when used, until 20"),
        "{shown}"
    );
    assert!(!shown.contains(&new_token) && !shown.contains(&new_refresh[0]));
}

#[test]
fn a_token_about_to_expire_is_renewed_before_git_uses_it() {
    let world = world("expiring");
    github_app(&world, ABOUT_TO_EXPIRE);
    let first = world.fill(&[], "");
    assert!(first.status.success(), "{}", first.stderr);
    let old_token = password(&first);
    let expiry: u64 = field(&first, "password_expiry_utc")
        .unwrap()
        .parse()
        .unwrap();
    assert!(expiry > unix_now(), "git is told when it expires");

    github_app(&world, EIGHT_HOURS);
    let renewed = world.fill(&[], "");
    assert_ne!(password(&renewed), old_token, "renewed, not cached");
    assert_eq!(world.fake.refreshes(), 1);
    assert!(!world.fake.is_live(&old_token), "GitHub killed the old one");
    assert_eq!(world.fake.authorizations(), 1);

    // A git that set out with the old token and finishes now hands it back:
    // the renewed pair must survive that.
    let late_store = git_credential(
        "approve",
        &[],
        &world.fill_input(&format!(
            "username=octocat\npassword={old_token}\npassword_expiry_utc={expiry}\n"
        )),
    );
    assert!(late_store.status.success(), "{}", late_store.stderr);
    let stored = world.keyring();
    assert!(!stored.contains(&old_token), "{stored}");
    assert!(stored.contains(&password(&renewed)));
    assert_eq!(password(&world.fill(&[], "")), password(&renewed));
    assert_eq!(world.fake.refreshes(), 1);
}

#[test]
fn oauth_app_tokens_never_expire_and_are_never_refreshed() {
    let world = world("no-expiry");
    let first = world.fill(&[], "");
    assert!(password(&first).starts_with("gho_"));
    assert_eq!(field(&first, "password_expiry_utc"), None);
    let again = world.fill(&[], "");
    assert_eq!(password(&again), password(&first));
    assert_eq!(world.fake.refreshes(), 0);
    assert!(!world.keyring().contains("oauth_refresh_token"));
}

#[test]
fn a_refused_refresh_removes_the_entry_and_signs_in_again() {
    let world = world("refused");
    github_app(&world, ABOUT_TO_EXPIRE);
    let first = password(&world.fill(&[], ""));
    world.fake.expire_refresh_tokens();

    // Without a person: the dead entry goes, one line says what to do, and
    // git gets nothing.
    let mut fill = world.fill_command(&[]);
    fill.env("GIT_TERMINAL_PROMPT", "0");
    let refused = run(fill, world.fill_input("").as_bytes());
    assert_eq!(refused.stdout_text(), "");
    let said = complaints(&refused.stderr);
    assert_eq!(said.len(), 1, "{}", refused.stderr);
    assert!(said[0].contains("bad_refresh_token"), "{}", said[0]);
    assert!(said[0].contains("login --host"), "{}", said[0]);
    assert!(!world.keyring().contains(&first), "the dead entry is gone");
    assert_eq!(world.fake.authorizations(), 1);

    // With a person: one new sign-in.
    world.fake.expire_refresh_tokens();
    let signed_in = world.fill(&[], "");
    assert!(signed_in.status.success(), "{}", signed_in.stderr);
    assert_ne!(password(&signed_in), first);
    assert_eq!(world.fake.authorizations(), 2);
    assert_eq!(world.browser_opened(), 2);
}

#[test]
fn a_token_past_both_expiries_is_removed_with_one_line() {
    let world = world("dead");
    world.fake.issue_expiring_tokens(Lifetimes {
        access: Duration::from_secs(1),
        refresh: Duration::from_secs(1),
    });
    let first = world.helper_get("");
    let token = password(&first);
    let expiry: u64 = field(&first, "password_expiry_utc")
        .unwrap()
        .parse()
        .unwrap();
    wait_until(Duration::from_secs(10), "both tokens to expire", || {
        unix_now() > expiry && !world.fake.is_live(&token)
    });

    let mut fill = world.fill_command(&[]);
    fill.env("GIT_TERMINAL_PROMPT", "0");
    let filled = run(fill, world.fill_input("").as_bytes());
    assert_eq!(filled.stdout_text(), "");
    let said = complaints(&filled.stderr);
    assert_eq!(said.len(), 1, "{}", filled.stderr);
    assert!(
        said[0].contains("expired and cannot be renewed"),
        "{}",
        said[0]
    );
    assert!(!world.keyring().contains(&token));
    assert_eq!(
        world.fake.refreshes(),
        0,
        "a dead refresh token is not even tried"
    );
    assert_eq!(world.fake.authorizations(), 1);
}

#[test]
fn a_refresh_token_from_an_earlier_helper_is_used_and_kept() {
    let world = world("passed-in");
    github_app(&world, EIGHT_HOURS);
    // Another tool signed octocat in; a storage helper before this one in
    // git's list kept the pair, and its access token has expired.
    let (stale, refresh_token) = world.fake.issue_pair_elsewhere("octocat");
    write_script(
        &world.dir.join("earlier-helper"),
        &format!(
            "[ \"$1\" = get ] || exit 0\ncat >/dev/null\n\
             printf 'username=octocat\\npassword={stale}\\npassword_expiry_utc=1\\noauth_refresh_token={refresh_token}\\n'"
        ),
    );
    let mut fill = command("git");
    fill.env_remove("GIT_TERMINAL_PROMPT")
        .env("BROWSER", world.dir.join("browser"))
        .args(["-c", "credential.helper=", "-c"])
        .arg(format!(
            "credential.helper={}",
            world.dir.join("earlier-helper").display()
        ))
        .args(["-c", &format!("credential.helper={HELPER}")]);
    for setting in world.oauth_config() {
        fill.args(["-c", &setting]);
    }
    fill.args(["credential", "fill"]);
    let filled = run(fill, world.fill_input("").as_bytes());
    assert!(filled.status.success(), "{}", filled.stderr);
    let token = password(&filled);
    assert_ne!(token, stale);
    assert!(world.fake.is_live(&token));
    assert_eq!(world.fake.refreshes(), 1);
    assert_eq!(world.fake.authorizations(), 0, "no sign-in");
    assert_eq!(world.browser_opened(), 0);
    assert!(world.keyring().contains(&token), "kept for next time");
}

#[test]
fn thirty_two_parallel_cold_fills_sign_in_once() {
    let world = world("cold-32");
    // The first helper's consent page is held until the other 31 are
    // queued behind its lock, so that every one of them really waits.
    let results = queued_behind_the_first(&world, 32, Gate::ConsentPage, &[], || {
        assert_eq!(world.browser_opened(), 1)
    });
    let answers: Vec<String> = results.iter().map(Run::stdout_text).collect();
    assert!(
        answers[0].contains("password=gho_"),
        "{}",
        results[0].stderr
    );
    assert!(
        answers.iter().all(|answer| *answer == answers[0]),
        "one token for all"
    );
    assert_eq!(world.fake.authorizations(), 1);
    assert_eq!(world.browser_opened(), 1);
    assert_eq!(world.live_tokens().len(), 1);
}

#[test]
fn thirty_two_parallel_fills_that_need_a_refresh_refresh_once() {
    let world = world("refresh-32");
    github_app(&world, ABOUT_TO_EXPIRE);
    let old_token = password(&world.fill(&[], ""));
    github_app(&world, EIGHT_HOURS);

    let results = queued_behind_the_first(&world, 32, Gate::TokenEndpoint, &[], || {});
    let tokens: Vec<String> = results.iter().map(password).collect();
    assert!(
        tokens.iter().all(|token| *token == tokens[0]),
        "one token for all"
    );
    assert_ne!(tokens[0], old_token);
    assert_eq!(world.fake.refreshes(), 1);
    assert_eq!(world.fake.spent_refresh_tokens_presented(), 0);
    assert_eq!(world.browser_opened(), 1, "only the first sign-in");
    for result in &results {
        assert_eq!(result.stderr, "");
    }
}

#[test]
fn parallel_fills_behind_a_declined_sign_in_do_not_open_more_browsers() {
    let world = world("declined");
    let cancel = world.cancel_reaches_the_helper();
    let results = queued_behind_the_first(&world, 4, Gate::ConsentPage, &cancel, || {
        world.fake.set_consent(Consent::Deny)
    });
    assert_eq!(world.browser_opened(), 1);
    let mut lines: Vec<&str> = results
        .iter()
        .inspect(|result| assert_eq!(result.stdout_text(), ""))
        .flat_map(|result| complaints(&result.stderr))
        .collect();
    lines.sort();
    assert_eq!(lines.len(), 4, "{lines:#?}");
    assert!(
        lines
            .iter()
            .filter(|l| l.contains("did not finish"))
            .count()
            == 3,
        "{lines:#?}"
    );
    assert!(lines.iter().any(|l| l.contains("cancelled")), "{lines:#?}");
}

/// A `git credential fill` left running while its user looks at the
/// consent page and never decides: it holds the sign-in lock until its
/// `ghoauthTimeout` (30 s here) or until killed.
fn start_undecided_sign_in(world: &World) -> std::process::Child {
    use std::io::Write;
    world.fake.set_consent(Consent::WalkAway);
    let mut child = world
        .fill_command(&[])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(world.fill_input("").as_bytes())
        .unwrap();
    // Until the page has been shown, a later change of consent could still
    // reach this browser.
    wait_until(
        Duration::from_secs(20),
        "the first consent page to be shown",
        || world.fake.consent_pages_shown() == 1,
    );
    child
}

/// SIGKILL to the process group of a git we spawned (command() makes it a
/// session leader), which takes its helper with it.
fn kill_group(mut child: std::process::Child) {
    // SAFETY: kill(2) on the process group of a child we spawned and own.
    unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
    child.wait().unwrap();
}

#[test]
fn a_sign_in_holder_that_dies_does_not_block_the_next_git() {
    let world = world("corpse");
    kill_group(start_undecided_sign_in(&world));

    // Were the lock still held, this would wait 30 s + 2 x 20 s, past
    // run()'s bound of 60 s.
    world.fake.set_consent(Consent::Approve);
    let filled = world.fill(&[], "");
    assert!(filled.status.success(), "{}", filled.stderr);
    assert_eq!(complaints(&filled.stderr), Vec::<&str>::new());
    assert_eq!(world.fake.authorizations(), 1);
}

#[test]
fn waiting_for_another_sign_in_is_bounded_by_the_flow_timeout() {
    let world = world("bounded-wait");
    let holder = start_undecided_sign_in(&world);

    // This git allows 1 s for a sign-in and 1 s for the keyring: it waits
    // 3 s for the holder, then gives up with one line.
    let mut fill = world.fill_command(&[format!(
        "credential.{}.ghoauthTimeout=1",
        world.fake.base_url
    )]);
    fill.env("GHOAUTH_KEYRING_TIMEOUT", "1");
    let waited = run(fill, world.fill_input("").as_bytes());
    kill_group(holder);
    assert_eq!(waited.stdout_text(), "");
    let said = complaints(&waited.stderr);
    assert_eq!(said.len(), 1, "{}", waited.stderr);
    assert!(
        said[0].contains("has been signing in to") && said[0].contains("for over 3 s"),
        "{}",
        said[0]
    );
    assert_eq!(world.browser_opened(), 1, "no second browser");
}

/// The sign-in lock's file name for a world's host, as src/lock.rs names it.
fn sign_in_lock_name(world: &World) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in [&b"http"[..], world.fake.host.as_bytes(), b""] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let digest: String = hasher.finalize()[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("sign-in-{digest}.lock")
}

#[test]
fn lock_files_live_in_the_runtime_dir_else_the_cache_dir() {
    let lock_in = |dir: &str, world: &World| {
        session()
            .dir
            .join(dir)
            .join("git-credential-ghoauth")
            .join(sign_in_lock_name(world))
    };
    let world = world("lock-home");
    assert!(world.fill(&[], "").status.success());
    assert!(lock_in("run", &world).is_file(), "in XDG_RUNTIME_DIR");
    assert!(!lock_in("cache", &world).exists());

    let elsewhere = world::world("lock-home-2");
    let mut fill = elsewhere.fill_command(&[]);
    fill.env_remove("XDG_RUNTIME_DIR");
    let filled = run(fill, elsewhere.fill_input("").as_bytes());
    assert!(filled.status.success(), "{}", filled.stderr);
    assert!(
        lock_in("cache", &elsewhere).is_file(),
        "else in XDG_CACHE_HOME"
    );
    assert!(!lock_in("run", &elsewhere).exists());
}

#[test]
fn two_accounts_on_one_host_each_chosen_by_username() {
    let world = world("two-accounts");
    github_app(&world, ABOUT_TO_EXPIRE);
    world.fake.sign_in_as("alice");
    let alice = password(&world.fill(&[], "username=alice\n"));
    world.fake.sign_in_as("bob");
    let bob = password(&world.fill(&[], "username=bob\n"));
    assert_eq!(world.fake.login_hints(), ["alice", "bob"]);
    assert_eq!(world.fake.authorizations(), 2);

    // Renewing alice's token does not make her the default: bob signed in
    // last.
    github_app(&world, EIGHT_HOURS);
    let alice = {
        let renewed = world.fill(&[], "username=alice\n");
        assert_eq!(field(&renewed, "username").unwrap(), "alice");
        assert_ne!(password(&renewed), alice);
        password(&renewed)
    };
    let default = world.fill(&[], "");
    assert_eq!(field(&default, "username").unwrap(), "bob");
    let bob = {
        assert_ne!(password(&default), bob, "bob's was due too");
        password(&default)
    };
    // credential.username picks an account as a URL's user name does.
    let configured = world.fill(&["credential.username=alice".to_string()], "");
    assert_eq!(password(&configured), alice);
    assert_eq!(
        world.fake.authorizations(),
        2,
        "no sign-in for a held account"
    );

    // Erasing bob touches bob only.
    let rejected = reject_with(&world, &world.fill_input("username=bob\n"));
    assert!(rejected.status.success(), "{}", rejected.stderr);
    assert!(!world.fake.is_live(&bob));
    assert!(world.fake.is_live(&alice));
    let left = world.fill(&[], "");
    assert_eq!(field(&left, "username").unwrap(), "alice");
    assert_eq!(password(&left), alice);
}

#[test]
fn a_revoked_token_is_erased_on_401_and_the_next_push_signs_in_once() {
    let world = world("401");
    let work = world.clone_new_repo("octo/cycle", "octocat");
    commit(&world, &work, "one.txt");
    let pushed = world.git(&work, &[], &["push", "-q", "origin", "main"]);
    assert!(pushed.status.success(), "{}", pushed.stderr);
    let token = world.live_tokens().remove(0);

    // The user revoked it in GitHub's settings.
    world.fake.revoke_behind_the_back(&token);
    commit(&world, &work, "two.txt");
    let refused = world.git(&work, &[], &["push", "-q", "origin", "main"]);
    assert!(!refused.status.success());
    assert!(
        refused.stderr.contains("Authentication failed"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        complaints(&refused.stderr),
        Vec::<&str>::new(),
        "nothing to say about a token GitHub already dropped"
    );
    assert!(!world.keyring().contains(&token), "git's erase removed it");
    assert_eq!(world.fake.revocations(), 0, "nothing was live to revoke");
    assert_eq!(world.fake.authorizations(), 1);

    let pushed = world.git(&work, &[], &["push", "-q", "origin", "main"]);
    assert!(pushed.status.success(), "{}", pushed.stderr);
    assert_eq!(world.fake.authorizations(), 2, "exactly one new sign-in");
    assert_eq!(world.browser_opened(), 2);
}
