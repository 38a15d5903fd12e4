//! Headless Linux, as over SSH, in a container or on WSL without a desktop:
//! no display and no D-Bus at all. The device flow signs in, and the token
//! lands in the kernel's persistent keyring, which outlives the login
//! session. Each test runs in a user namespace of its own, so its
//! persistent keyring is its alone (see `common::without_dbus`).
#![cfg(target_os = "linux")]

use std::process::Command;
use std::time::Duration;

use crate::common::*;
use crate::fake_github::{DeviceUser, Lifetimes};
use crate::world::*;

/// An SSH session: no display, no browser.
fn over_ssh(mut command: Command) -> Command {
    for name in ["DISPLAY", "WAYLAND_DISPLAY", "BROWSER", "WSL_DISTRO_NAME"] {
        command.env_remove(name);
    }
    command.env("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22");
    command
}

fn fill_over_ssh(world: &World) -> Run {
    run(
        over_ssh(world.fill_command(&[])),
        world.fill_input("").as_bytes(),
    )
}

/// The same fill, from a new login session: a session keyring of its own,
/// as `keyctl session -` gives (what a second SSH login would have).
fn fill_from_a_new_session(world: &World) -> Run {
    let mut command = over_ssh(command("keyctl"));
    command
        .env_remove("GIT_TERMINAL_PROMPT")
        .env("BROWSER", world.dir.join("browser"))
        .args(["session", "-", "git", "-c", "credential.helper=", "-c"])
        .arg(format!("credential.helper={HELPER}"));
    for setting in world.oauth_config() {
        command.args(["-c", &setting]);
    }
    command.args(["credential", "fill"]);
    run(command, world.fill_input("").as_bytes())
}

fn token_key(world: &World, login: &str) -> String {
    format!("git-credential-ghoauth:http://{login}@{}", world.fake.host)
}

#[test]
fn the_device_flow_keeps_the_token_in_the_kernel_for_the_next_login_session() {
    without_dbus(None, || {
        let world = world("headless-device");
        world
            .fake
            .set_device_user(DeviceUser::EntersCodeAfterPolls(1));
        let filled = fill_over_ssh(&world);
        assert_signed_in_as(&filled, "octocat");
        assert!(
            filled
                .stderr
                .contains(&format!("open {}/login/device", world.fake.base_url)),
            "the device flow, not a browser: {}",
            filled.stderr
        );
        // Where it went is a note, for a terminal only (below).
        assert_eq!(complaints(&filled.stderr), Vec::<&str>::new());
        assert_eq!(world.browser_opened(), 0);
        assert!(kernel_keys().contains(&token_key(&world, "octocat")));

        // A second login session finds it, and nobody signs in again.
        let again = fill_from_a_new_session(&world);
        assert_signed_in_as(&again, "octocat");
        assert_eq!(complaints(&again.stderr), Vec::<&str>::new());
        assert_eq!(world.fake.authorizations(), 1);
        assert!(
            again.stdout_text().contains(&format!(
                "password={}\n",
                world.fake.live_tokens_of("octocat")[0]
            )),
            "the token GitHub issued"
        );

        let status = helper_for(&world, &["status", "--host", &world.fake.base_url]);
        assert!(
            status
                .stdout_text()
                .contains("Stored in the kernel's persistent keyring (until reboot; expires after"),
            "{}",
            status.stdout_text()
        );
    });
}

/// The helper itself, for a person, with the world's app configured.
fn helper_for(world: &World, args: &[&str]) -> Run {
    let mut command = world.helper_get_command();
    // helper_get_command ends with `get`; a person's command instead.
    let mut person = command_like(&mut command);
    person.args(args);
    run(person, b"")
}

/// A command for the helper with the same environment as `template`.
fn command_like(template: &mut Command) -> Command {
    let mut command = command(HELPER);
    for (key, value) in template.get_envs() {
        match value {
            Some(value) => command.env(key, value),
            None => command.env_remove(key),
        };
    }
    command
}

#[test]
fn a_silent_refresh_rotates_the_token_in_place_in_the_kernel() {
    without_dbus(Some("kernel"), || {
        let world = world("headless-refresh");
        world.fake.issue_expiring_tokens(Lifetimes {
            // Inside the five-minute renewal window from the start.
            access: Duration::from_secs(120),
            refresh: Duration::from_secs(15_897_600),
        });
        let first = fill_over_ssh(&world);
        assert_signed_in_as(&first, "octocat");
        let before = kernel_keys();
        let renewed = fill_from_a_new_session(&world);
        assert_signed_in_as(&renewed, "octocat");
        assert_eq!(world.fake.refreshes(), 1, "{}", renewed.stderr);
        assert_eq!(world.fake.authorizations(), 1, "no second sign-in");
        let after = kernel_keys();
        assert_ne!(before, after, "the pair was replaced");
        assert_eq!(
            after.matches(&token_key(&world, "octocat")).count(),
            1,
            "in place: one key, not two: {after}"
        );
        let live = world.fake.live_refresh_tokens();
        assert_eq!(live.len(), 1);
        assert!(after.contains(&live[0]), "the new refresh token is kept");
    });
}

#[test]
fn erase_and_logout_delete_the_token_and_revoke_it() {
    without_dbus(Some("kernel"), || {
        let world = world("headless-erase");
        let first = fill_over_ssh(&world);
        assert_signed_in_as(&first, "octocat");
        let token = world.fake.live_tokens_of("octocat")[0].clone();
        let rejected = reject(&world, &token);
        assert!(rejected.status.success(), "{}", rejected.stderr);
        assert!(!world.fake.is_live(&token), "revoked at GitHub");
        assert!(!kernel_keys().contains(&token_key(&world, "octocat")));

        let second = fill_over_ssh(&world);
        assert_signed_in_as(&second, "octocat");
        let token = world.fake.live_tokens_of("octocat")[0].clone();
        let logout = helper_for(&world, &["logout", "--host", &world.fake.base_url]);
        assert!(logout.status.success(), "{}", logout.stderr);
        assert!(logout.stdout_text().contains("revoked its token"));
        assert!(!world.fake.is_live(&token));
        assert!(!kernel_keys().contains(&token_key(&world, "octocat")));
    });
}

#[test]
fn a_bus_without_a_secret_service_falls_back_to_the_kernel() {
    let bare = start_session(KeyringState::Absent);
    without_dbus(None, || {
        let host = host("bare-bus");
        let password = secret("bare-bus");
        let with_bus = |operation: &str, input: String| {
            let mut command = command(HELPER);
            command
                .env("DBUS_SESSION_BUS_ADDRESS", &bare.bus_address)
                .arg(operation);
            run(command, input.as_bytes())
        };
        let stored = with_bus(
            "store",
            format!("protocol=https\nhost={host}\nusername=u\npassword={password}\n"),
        );
        assert!(stored.status.success(), "{}", stored.stderr);
        assert!(kernel_keys().contains(&password));
        let got = with_bus("get", format!("protocol=https\nhost={host}\n"));
        assert_eq!(
            got.stdout_text(),
            format!("username=u\npassword={password}\n")
        );
    });
}

/// A session bus that takes connections and never says a word: a Secret
/// Service that does not answer (an unlock prompt over SSH nobody sees).
/// It holds what it accepts until dropped, or for 60 s at most.
pub(crate) struct MuteBus {
    pub(crate) address: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl MuteBus {
    pub(crate) fn start(name: &str) -> MuteBus {
        use std::sync::atomic::{AtomicBool, Ordering};
        let path = session().dir.join(format!("{name}.bus"));
        let socket = std::os::unix::net::UnixListener::bind(&path).unwrap();
        socket.set_nonblocking(true).unwrap();
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            let until = std::time::Instant::now() + Duration::from_secs(60);
            while !stopping.load(Ordering::SeqCst) && std::time::Instant::now() < until {
                match socket.accept() {
                    Ok((connection, _)) => held.push(connection),
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        MuteBus {
            address: format!("unix:path={}", path.display()),
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for MuteBus {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[test]
fn a_secret_service_that_does_not_answer_is_an_error_not_an_absence() {
    let mute = MuteBus::start("mute");
    without_dbus(None, || {
        let host = host("mute-bus");
        let password = secret("mute-bus");
        let helper = |args: &[&str], input: String| {
            let mut command = command(HELPER);
            command
                .env("DBUS_SESSION_BUS_ADDRESS", &mute.address)
                .env("GHOAUTH_KEYRING_TIMEOUT", "1")
                .args(args);
            run(command, input.as_bytes())
        };
        let one_line_naming_the_timeout = |run: &Run| {
            assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
            assert!(
                run.stderr.contains("did not answer within 1 s"),
                "{}",
                run.stderr
            );
        };
        let stored = helper(
            &["store"],
            format!("protocol=https\nhost={host}\nusername=u\npassword={password}\n"),
        );
        assert_eq!(stored.status.code(), Some(1), "{}", stored.stderr);
        one_line_naming_the_timeout(&stored);
        assert!(
            !kernel_keys().contains(&password),
            "not kept behind the locked store's back"
        );
        let got = helper(&["get"], format!("protocol=https\nhost={host}\n"));
        assert!(got.status.success());
        assert_eq!(got.stdout_text(), "");
        one_line_naming_the_timeout(&got);
        let erased = helper(&["erase"], format!("protocol=https\nhost={host}\n"));
        assert_eq!(erased.status.code(), Some(1), "{}", erased.stderr);
        one_line_naming_the_timeout(&erased);
        let logout = helper(
            &["logout", "--host", &format!("https://{host}")],
            String::new(),
        );
        assert_eq!(logout.status.code(), Some(1), "{}", logout.stdout_text());
        assert!(!logout.stdout_text().contains("Nobody is logged in"));
        one_line_naming_the_timeout(&logout);
    });
}

/// Where the first credential went is a note: a person at a terminal sees
/// it; git's helper tests and scripts, which count any stderr as failure,
/// do not.
#[test]
fn the_kernel_note_is_for_a_terminal_only() {
    without_dbus(None, || {
        let (quiet, shown) = (host("note-piped"), host("note-terminal"));
        let approved = git_credential(
            "approve",
            &[],
            &format!("protocol=https\nhost={quiet}\nusername=u\npassword=p\n"),
        );
        assert!(approved.status.success(), "{}", approved.stderr);
        assert_eq!(approved.stderr, "", "as t0303 demands");

        // A fresh namespace's keyring is empty again for the next first time.
        without_dbus(None, || {
            let mut at_terminal = command("script");
            at_terminal.args([
                "-qec",
                &format!(
                    "printf 'protocol=https\\nhost={shown}\\nusername=u\\npassword=p\\n' | '{HELPER}' store"
                ),
                "/dev/null",
            ]);
            let stored = run(at_terminal, b"");
            assert!(stored.status.success(), "{}", stored.stdout_text());
            assert!(
                stored
                    .stdout_text()
                    .contains("no Secret Service here, so credentials are kept in the kernel"),
                "{}",
                stored.stdout_text()
            );
        });
    });
}
