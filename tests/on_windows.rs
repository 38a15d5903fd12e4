//! The Windows build under Wine, signing in against the fake GitHub through
//! real git: what git's storage semantics (run on Windows in `git_storage`)
//! do not cover. Credential Manager is Wine's; what it holds is read back
//! with `credlist.exe` (tests/support/src/wine).
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common::*;
use crate::fake_github::{CLIENT_ID, DeviceUser, Gate, Lifetimes};
use crate::wine::{on_windows, wine};
use crate::world::*;

fn held() -> String {
    wine().credentials()
}

fn password(filled: &Run) -> String {
    filled
        .stdout_text()
        .lines()
        .find_map(|line| line.strip_prefix("password=").map(str::to_string))
        .unwrap_or_else(|| panic!("no password: {}", filled.stderr))
}

#[test]
fn a_push_signs_in_in_the_browser_once_and_reject_revokes() {
    on_windows(|| {
        let world = world("win-push");
        let work = world.clone_new_repo("octo/windows", "octocat");
        commit(&world, &work, "one.txt");
        let pushed = world.git(&work, &[], &["push", "-q", "origin", "main"]);
        assert!(pushed.status.success(), "first push: {}", pushed.stderr);
        assert_eq!(complaints(&pushed.stderr), Vec::<&str>::new());
        assert_eq!(world.fake.authorizations(), 1);
        assert_eq!(world.browser_opened(), 1);
        let token = world.live_tokens().pop().expect("a token was issued");
        let stored = held();
        assert!(
            stored.contains(&format!(
                "http://octocat@{}.git-credential-ghoauth\n{token}\n",
                world.fake.host
            )),
            "{stored}"
        );

        // The next git, in another process, gets it with no sign-in.
        commit(&world, &work, "two.txt");
        let pushed = world.git(&work, &[], &["push", "-q", "origin", "main"]);
        assert!(pushed.status.success(), "second push: {}", pushed.stderr);
        assert_eq!(pushed.stderr, "");
        assert_eq!(world.fake.authorizations(), 1, "no second sign-in");
        assert_eq!(world.browser_opened(), 1, "no second browser");

        let rejected = reject(&world, &token);
        assert!(rejected.status.success(), "{}", rejected.stderr);
        assert_eq!(rejected.stderr, "");
        assert!(!world.fake.is_live(&token), "revoked at GitHub");
        assert!(!held().contains(&token), "gone from Credential Manager");
    });
}

#[test]
fn the_device_flow_signs_in_and_the_next_fill_asks_nobody() {
    on_windows(|| {
        let world = world("win-device");
        world
            .fake
            .set_device_user(DeviceUser::EntersCodeAfterPolls(1));
        let device = [format!(
            "credential.{}.ghoauthFlow=device",
            world.fake.base_url
        )];
        let filled = world.fill(&device, "");
        assert_signed_in_as(&filled, "octocat");
        assert!(
            filled.stderr.contains("enter the code"),
            "{}",
            filled.stderr
        );
        assert_eq!(world.browser_opened(), 0);
        let again = world.fill(&device, "");
        assert_eq!(password(&again), password(&filled));
        assert_eq!(again.stderr, "");
        assert_eq!(world.fake.authorizations(), 1);
    });
}

#[test]
fn six_parallel_gits_share_one_sign_in() {
    on_windows(|| {
        let world = world("win-parallel");
        const GITS: usize = 6;
        // The first helper's consent page is held until the other five are
        // waiting on its lock, so that each of them really waits.
        world.fake.hold(Gate::ConsentPage);
        let input = world.fill_input("");
        let results = std::thread::scope(|scope| {
            let fills: Vec<_> = (0..GITS)
                .map(|_| {
                    let (fill, input) = (world.fill_command(&[]), input.clone());
                    scope.spawn(move || run(fill, input.as_bytes()))
                })
                .collect();
            wait_until(Duration::from_secs(50), "five gits to wait", || {
                windows_helpers_waiting_for_a_lock(&world) == GITS - 1
            });
            world.fake.release(Gate::ConsentPage);
            fills
                .into_iter()
                .map(|fill| fill.join().unwrap())
                .collect::<Vec<_>>()
        });
        let token = password(&results[0]);
        for result in &results {
            assert_eq!(password(result), token, "{}", result.stderr);
        }
        assert_eq!(world.fake.authorizations(), 1);
        assert_eq!(world.browser_opened(), 1);
        assert_eq!(world.live_tokens().len(), 1);
    });
}

/// How many of this world's Windows helpers have a thread named "lock"
/// (src/lock.rs). Wine gives a thread's Windows name to its Linux thread;
/// the helper's environment holds this world's `$BROWSER`, as a Windows path.
fn windows_helpers_waiting_for_a_lock(world: &World) -> usize {
    let browser =
        format!("BROWSER=Z:{}.exe", world.dir.join("browser").display()).replace('/', "\\");
    let Ok(processes) = std::fs::read_dir("/proc") else {
        return 0;
    };
    processes
        .flatten()
        .filter(|process| {
            let path = process.path();
            let has = |file: &str, needle: &[u8]| {
                std::fs::read(path.join(file))
                    .is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
            };
            let waiting = std::fs::read_dir(path.join("task")).is_ok_and(|threads| {
                threads.flatten().any(|thread| {
                    std::fs::read_to_string(thread.path().join("comm"))
                        .is_ok_and(|name| name.trim_end() == "lock")
                })
            });
            has("cmdline", b"git-credential-ghoauth.exe")
                && has("environ", browser.as_bytes())
                && waiting
        })
        .count()
}

#[test]
fn a_github_app_token_is_renewed_silently() {
    on_windows(|| {
        let world = world("win-renew");
        let six_months = Duration::from_secs(15_897_600);
        world.fake.issue_expiring_tokens(Lifetimes {
            access: Duration::from_secs(2),
            refresh: six_months,
        });
        let first = world.helper_get("");
        let old = password(&first);
        wait_until(Duration::from_secs(10), "the token to expire", || {
            !world.fake.is_live(&old)
        });
        world.fake.issue_expiring_tokens(Lifetimes {
            access: Duration::from_secs(8 * 3600),
            refresh: six_months,
        });
        let mut fill = world.fill_command(&[]);
        fill.env("GIT_TERMINAL_PROMPT", "0");
        let renewed = run(fill, world.fill_input("").as_bytes());
        assert_eq!(renewed.stderr, "", "silent");
        let new = password(&renewed);
        assert_ne!(new, old);
        assert!(world.fake.is_live(&new));
        assert_eq!(world.fake.refreshes(), 1);
        assert_eq!(world.fake.authorizations(), 1, "no new sign-in");
        let stored = held();
        assert!(stored.contains(&new) && !stored.contains(&old), "{stored}");
    });
}

/// The Windows helper with a global git config of the test's own (a Unix
/// path, which the Windows process reads as `Z:\…`).
fn windows_helper(world: &World, config: &Path, args: &[&str]) -> Run {
    let mut command = command(&helper_program());
    world.network(&mut command);
    command
        .env("GIT_CONFIG_GLOBAL", config)
        .env("BROWSER", world.dir.join("browser"))
        .env_remove("GIT_TERMINAL_PROMPT")
        .args(args);
    run(command, b"")
}

#[test]
fn configure_login_status_logout_unconfigure() {
    on_windows(|| {
        let world = world("win-people");
        let config: PathBuf = world.dir.join("gitconfig");
        std::fs::write(&config, "[user]\n\tname = Someone\n").unwrap();
        let url = world.fake.base_url.as_str();
        let helper = |args: &[&str]| windows_helper(&world, &config, args);

        let configured = helper(&["configure", "--host", url, "--client-id", CLIENT_ID]);
        assert!(configured.status.success(), "{}", configured.stderr);
        let written = std::fs::read_to_string(&config).unwrap();
        assert!(
            written.contains(&format!("ghoauthClientId = {CLIENT_ID}"))
                && written.contains("helper = "),
            "{written}"
        );

        // The secret comes with its id from the environment: configure's
        // secrets file would be included by a Windows path, which the Linux
        // git behind the tests' git.exe cannot read.
        let mut login = command(&helper_program());
        world.network(&mut login);
        login
            .env("GIT_CONFIG_GLOBAL", &config)
            .env("GHOAUTH_CLIENT_ID", CLIENT_ID)
            .env("GHOAUTH_CLIENT_SECRET", &world.client_secret)
            .env("BROWSER", world.dir.join("browser"))
            .env_remove("GIT_TERMINAL_PROMPT")
            .args(["login", "--host", url, "--browser"]);
        let login = run(login, b"");
        assert!(login.status.success(), "{}", login.stderr);
        assert!(
            login.stdout_text().contains("as octocat"),
            "{}",
            login.stdout_text()
        );
        let token = world.live_tokens().pop().expect("a token");

        let status = helper(&["status", "--host", url]);
        assert!(status.status.success(), "{}", status.stderr);
        let shown = status.stdout_text();
        assert!(shown.contains("octocat [default]"), "{shown}");
        assert!(shown.contains("Windows Credential Manager"), "{shown}");
        assert!(!shown.contains(&token), "never a whole token");

        let mut logout = command(&helper_program());
        world.network(&mut logout);
        logout
            .env("GIT_CONFIG_GLOBAL", &config)
            .env("GHOAUTH_CLIENT_ID", CLIENT_ID)
            .env("GHOAUTH_CLIENT_SECRET", &world.client_secret)
            .args(["logout", "--host", url]);
        let logout = run(logout, b"");
        assert!(logout.status.success(), "{}", logout.stderr);
        assert!(!world.fake.is_live(&token), "revoked");
        assert!(!held().contains(&token));

        let unconfigured = helper(&["unconfigure", "--host", url]);
        assert!(unconfigured.status.success(), "{}", unconfigured.stderr);
        assert_eq!(
            std::fs::read_to_string(&config).unwrap(),
            "[user]\n\tname = Someone\n"
        );
    });
}

/// A Windows profile folder often holds a space (`C:\\Users\\Jane Doe`).
/// For a helper off PATH there, `configure` writes a value that Git for
/// Windows' `sh` runs as exactly that file. Git for Windows is not here,
/// so the value is read by `sh` as git hands it over (`<value> get`,
/// after the `!`), and must name the program Wine sees, with `/`s.
#[test]
fn a_profile_path_with_a_space_is_written_for_gits_sh() {
    on_windows(|| {
        let world = world("win-spaced");
        let copy = wine().copy_helper_to(&world.dir.join("Jane Doe").join("bin"));
        let config = world.dir.join("gitconfig");
        std::fs::write(&config, "").unwrap();
        let mut configure = wine().windows_program(&copy);
        configure.env("GIT_CONFIG_GLOBAL", &config).args([
            "configure",
            "--host",
            &world.fake.base_url,
            "--client-id",
            CLIENT_ID,
        ]);
        let configured = run(configure, b"");
        assert!(
            configured.status.success(),
            "{:?} {} {}",
            configured.status,
            configured.stdout_text(),
            configured.stderr
        );
        let mut helpers = command("git");
        helpers.args(["config", "--file"]).arg(&config).args([
            "--get-all",
            &format!("credential.{}.helper", world.fake.base_url),
        ]);
        let value = run(helpers, b"")
            .stdout_text()
            .lines()
            .last()
            .unwrap_or_default()
            .to_string();
        let snippet = value
            .strip_prefix('!')
            .unwrap_or_else(|| panic!("a snippet: {value}"));
        let mut sh = command("sh");
        sh.args([
            "-c",
            &format!("set -- {snippet} get; printf '%s\\n' \"$@\""),
        ]);
        let words = run(sh, b"").stdout_text();
        let expected = format!("Z:{}", copy.display());
        assert_eq!(words, format!("{expected}\nget\n"), "{value}");
    });
}
