//! What the helper does with input and surroundings it cannot work with:
//! one line on stderr, nothing on stdout that git could misread, the keyring
//! untouched, and `get` still exits 0 so that git moves on.
// Drives processes the Unix way (signals, sessions, file modes, /proc).
#![cfg(unix)]

use crate::common;

use std::os::unix::net::UnixListener;

use common::{helper, host, secret, secret_tool_search};

fn assert_one_line(stderr: &str, mentions: &str) {
    assert_eq!(
        stderr.lines().count(),
        1,
        "expected one line, got: {stderr:?}"
    );
    assert!(stderr.starts_with("git-credential-ghoauth: "), "{stderr}");
    assert!(
        stderr.contains(mentions),
        "expected {mentions:?} in {stderr:?}"
    );
}

#[test]
fn a_line_without_equals_is_refused_and_nothing_is_stored() {
    let host = host("no-equals");
    let password = secret("no-equals");
    let run = helper(
        "store",
        &format!("protocol=https\nhost={host}\nusername=u\npassword={password}\ngarbage\n"),
    );
    assert!(!run.status.success());
    assert!(run.stdout.is_empty());
    assert_one_line(&run.stderr, "line 5 has no '='");
    assert!(!secret_tool_search(&host).contains(&password));
}

#[test]
fn nul_and_carriage_returns_inside_values_are_refused() {
    for (input, mentions) in [
        (&b"protocol=https\nhost=a\0b\n"[..], "NUL"),
        (&b"protocol=https\nhost=a\rb\n"[..], "carriage return"),
    ] {
        let mut get = common::command(common::HELPER);
        get.arg("get");
        let run = common::run(get, input);
        assert!(!run.status.success());
        assert!(run.stdout.is_empty());
        assert_one_line(&run.stderr, mentions);
    }
}

#[test]
fn crlf_line_ends_are_accepted() {
    let host = host("crlf");
    let password = secret("crlf");
    let stored = helper(
        "store",
        &format!("protocol=https\r\nhost={host}\r\nusername=u\r\npassword={password}\r\n"),
    );
    assert!(stored.status.success(), "{}", stored.stderr);
    let got = helper("get", &format!("protocol=https\r\nhost={host}\r\n"));
    assert_eq!(
        got.stdout_text(),
        format!("username=u\npassword={password}\n")
    );
}

#[test]
fn oversized_input_is_refused() {
    let run = helper(
        "get",
        &format!(
            "protocol=https\nhost=h\nwwwauth[]={}\n",
            "a".repeat(2 << 20)
        ),
    );
    assert!(!run.status.success());
    assert!(run.stdout.is_empty());
    assert_one_line(&run.stderr, "more than");
}

#[test]
fn an_erase_without_protocol_or_host_is_refused() {
    let host = host("broad");
    let password = secret("broad");
    assert!(
        helper(
            "store",
            &format!("protocol=https\nhost={host}\nusername=u\npassword={password}\n")
        )
        .status
        .success()
    );
    let run = helper("erase", "username=u\n");
    assert!(!run.status.success());
    assert_one_line(&run.stderr, "refusing to erase");
    assert!(secret_tool_search(&host).contains(&password));
}

fn with_bus(address: &str, operation: &str, input: &str, timeout: &str) -> common::Run {
    let mut command = common::command(common::HELPER);
    command
        .env("DBUS_SESSION_BUS_ADDRESS", address)
        .env("GHOAUTH_KEYRING_TIMEOUT", timeout)
        // The Secret Service alone: `auto` would use the kernel instead.
        .env("GHOAUTH_STORE", "secret-service")
        .arg(operation);
    common::run(command, input.as_bytes())
}

#[test]
fn without_dbus_get_exits_0_with_one_clear_line() {
    let dir = common::session().dir.join("no-bus");
    std::fs::create_dir_all(&dir).unwrap();
    let dead = format!("unix:path={}", dir.join("missing-socket").display());
    let get = with_bus(&dead, "get", "protocol=https\nhost=github.com\n", "20");
    assert!(get.status.success());
    assert!(get.stdout.is_empty());
    assert_one_line(&get.stderr, "D-Bus");

    let password = secret("no-bus");
    let store = with_bus(
        &dead,
        "store",
        &format!("protocol=https\nhost=github.com\nusername=u\npassword={password}\n"),
        "20",
    );
    assert!(!store.status.success());
    assert_one_line(&store.stderr, "not stored");
    let erase = with_bus(&dead, "erase", "protocol=https\nhost=github.com\n", "20");
    assert!(!erase.status.success());
    assert_one_line(&erase.stderr, "not erased");
}

#[test]
fn a_keyring_that_never_answers_is_abandoned() {
    let dir = common::session().dir.join("stuck-bus");
    std::fs::create_dir_all(&dir).unwrap();
    let socket = dir.join("socket");
    // Bound but never accepting: connect succeeds, and no reply ever comes.
    let _listener = UnixListener::bind(&socket).unwrap();
    let stuck = format!("unix:path={}", socket.display());
    let get = with_bus(&stuck, "get", "protocol=https\nhost=github.com\n", "1");
    assert!(get.status.success());
    assert!(get.stdout.is_empty());
    assert_one_line(&get.stderr, "did not answer within 1 s");
}

#[test]
fn help_shows_no_environment_values() {
    let mut command = common::command(common::HELPER);
    command.env("GHOAUTH_CACHE_SECONDS", "987654").arg("--help");
    let run = common::run(command, b"");
    assert!(run.status.success());
    let text = run.stdout_text();
    assert!(text.contains("GHOAUTH_CACHE_SECONDS"));
    assert!(!text.contains("987654"));
}

fn in_session(session: &common::Session, operation: &str, input: &str) -> common::Run {
    let mut command = common::command(common::HELPER);
    command
        .env("DBUS_SESSION_BUS_ADDRESS", &session.bus_address)
        .env("GHOAUTH_KEYRING_TIMEOUT", "20")
        .env("GHOAUTH_STORE", "secret-service")
        .arg(operation);
    common::run(command, input.as_bytes())
}

#[test]
fn a_bus_without_a_secret_service_is_named_as_such() {
    let bare = common::start_session(common::KeyringState::Absent);
    let get = in_session(&bare, "get", "protocol=https\nhost=github.com\n");
    assert!(get.status.success());
    assert!(get.stdout.is_empty());
    assert_one_line(&get.stderr, "no Secret Service is running");
}

#[test]
fn a_locked_keyring_that_cannot_prompt_refuses_the_store_clearly() {
    let locked = common::start_session(common::KeyringState::Locked);
    let password = secret("locked");
    let input = format!(
        "protocol=https\nhost={}\nusername=u\npassword={password}\n",
        host("locked")
    );
    let store = in_session(&locked, "store", &input);
    assert!(!store.status.success());
    assert!(store.stdout.is_empty());
    assert_one_line(&store.stderr, "locked");
    let get = in_session(
        &locked,
        "get",
        &format!("protocol=https\nhost={}\n", host("locked")),
    );
    assert!(get.status.success());
    assert!(get.stdout.is_empty());
}

#[test]
fn a_bad_setting_in_the_environment_is_reported_not_ignored() {
    // git's plain `get` skips clap for speed; a value clap would refuse
    // must still reach clap and be refused there.
    let mut command = common::command(common::HELPER);
    command.env("GHOAUTH_CACHE_SECONDS", "soon").arg("get");
    let ran = common::run(command, b"protocol=https\nhost=example.com\n");
    assert_eq!(ran.status.code(), Some(2));
    assert!(ran.stdout.is_empty());
    assert!(ran.stderr.contains("--cache-seconds"), "{}", ran.stderr);
}

/// A client id becomes a segment of a URL's path (`/applications/{id}/token`,
/// where the app's secret goes): `..` or a slash is refused at the door.
#[test]
fn a_client_id_that_is_no_path_segment_is_refused() {
    for bad in ["..", "a/b", "."] {
        let mut configure = crate::common::command(crate::common::HELPER);
        configure.args([
            "configure",
            "--host",
            "https://ghe.example.com",
            "--client-id",
            bad,
        ]);
        let refused = crate::common::run(configure, b"");
        assert_eq!(refused.status.code(), Some(2), "{bad}: {}", refused.stderr);
        assert!(
            refused.stderr.contains("a client id is letters"),
            "{}",
            refused.stderr
        );
    }
}
