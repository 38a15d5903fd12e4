//! What real GitHub does where an earlier fake did otherwise: a Cancel
//! goes to the app's registered callback, revoking an expired token does
//! nothing, a dead device-flow refresh token sent without a secret is "bad
//! credentials", `slow_down` names the new interval, and the account picker
//! comes only when asked for. Each behaviour's source is in
//! tests/support/fake-github.md.
// Drives processes the Unix way, as the other sign-in tests do.
#![cfg(unix)]

use crate::common;
use crate::fake_github;
use crate::world;

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::*;
use fake_github::{Consent, DeviceUser, Lifetimes, OAUTH_APP_CALLBACK};
use world::*;

const SIX_MONTHS: Duration = Duration::from_secs(15_897_600);

fn github_app(world: &World, access: Duration) {
    world.fake.issue_expiring_tokens(Lifetimes {
        access,
        refresh: SIX_MONTHS,
    });
}

fn password(run: &Run) -> String {
    run.stdout_text()
        .lines()
        .find_map(|line| line.strip_prefix("password=").map(str::to_string))
        .unwrap_or_else(|| panic!("no password: {}", run.stderr))
}

/// Holds a port and answers every request with an empty page, as another
/// program listening there would (bounded: it stops when dropped, or after
/// a minute).
struct Squatter {
    stop: std::sync::Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Squatter {
    fn on(address: &str) -> Option<Squatter> {
        let socket = TcpListener::bind(address).ok()?;
        socket.set_nonblocking(true).unwrap();
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            let until = std::time::Instant::now() + Duration::from_secs(60);
            while !stopped.load(Ordering::SeqCst) && std::time::Instant::now() < until {
                match socket.accept() {
                    Ok((connection, _)) => answer_empty(connection),
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Some(Squatter {
            stop,
            thread: Some(thread),
        })
    }
}

fn answer_empty(mut connection: std::net::TcpStream) {
    use std::io::{Read, Write};
    let _ = connection.set_nonblocking(false);
    let _ = connection.set_read_timeout(Some(Duration::from_secs(2)));
    let mut head = [0u8; 4096];
    let _ = connection.read(&mut head);
    let _ =
        connection.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
}

impl Drop for Squatter {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The only test that leaves the helper its default callback port (every
/// other command gets a port of its own, see `own_redirect`): an OAuth app
/// registered as the README says gets its Cancel there. Then, with that
/// port held by another program, the helper says at once that a Cancel
/// cannot reach it, and how to stop.
#[test]
fn a_cancel_reaches_the_helper_on_the_default_callback_port_or_it_says_why_not() {
    let world = world("cancel-default");
    assert_eq!(OAUTH_APP_CALLBACK, "http://127.0.0.1:17829/callback");
    world.fake.set_consent(Consent::Deny);
    let mut fill = world.fill_command(&[]);
    without_own_redirect(&mut fill);
    let cancelled = run(fill, world.fill_input("").as_bytes());
    assert_fails_cleanly(&world, &cancelled, "sign-in was cancelled in the browser");
    let redirect = world.fake.authorize_requests()[0].redirect_uri.clone();
    assert_eq!(redirect.as_deref(), Some(OAUTH_APP_CALLBACK));

    let Some(_squatter) = Squatter::on("127.0.0.1:17829") else {
        panic!("the default callback port was taken while this test ran");
    };
    let url = &world.fake.base_url;
    let mut fill = world.fill_command(&[format!("credential.{url}.ghoauthTimeout=2")]);
    without_own_redirect(&mut fill);
    let unseen = run(fill, world.fill_input("").as_bytes());
    let lines = complaints(&unseen.stderr);
    assert_eq!(lines.len(), 2, "{}", unseen.stderr);
    assert!(
        lines[0].contains(&format!(
            "another program holds the port of {OAUTH_APP_CALLBACK}"
        )) && lines[0].contains("press Ctrl-C"),
        "{lines:?}"
    );
    assert!(lines[1].contains("within 2 s"), "{lines:?}");
    let redirect = world.fake.authorize_requests()[1].redirect_uri.clone();
    assert_ne!(
        redirect.as_deref(),
        Some(OAUTH_APP_CALLBACK),
        "another port"
    );
    assert_eq!(world.live_tokens(), Vec::<String>::new());
}

/// The fake sends a Cancel where GitHub does, to the registered callback,
/// not to the request's redirect_uri: a helper elsewhere never sees it.
#[test]
fn a_cancel_never_goes_to_the_requests_redirect_uri() {
    let world = world("cancel-elsewhere");
    world.fake.set_consent(Consent::Deny);
    let registered = world.cancel_reaches_the_helper();
    let registered_uri = registered[0].split_once('=').unwrap().1.to_string();
    let address = registered_uri
        .trim_start_matches("http://")
        .trim_end_matches("/callback")
        .to_string();
    let _registered_port = Squatter::on(&address).expect("the registered port");
    let url = &world.fake.base_url;
    let filled = world.fill(&[format!("credential.{url}.ghoauthTimeout=2")], "");
    assert_fails_cleanly(&world, &filled, "within 2 s");
}

/// After `logout`, no token the helper stored works at GitHub, whatever
/// the token's age and whichever way GitHub treats a revoked token's
/// refresh token (undocumented, so played both ways).
#[test]
fn logout_leaves_no_stored_token_alive_at_any_age() {
    for (ends_refresh, expired) in [(false, true), (true, true), (false, false), (true, false)] {
        let world = world(&format!("logout-{ends_refresh}-{expired}"));
        github_app(&world, Duration::from_secs(if expired { 2 } else { 3600 }));
        world.fake.set_revoking_ends_refresh_token(ends_refresh);
        let first = world.helper_get("");
        assert!(first.status.success(), "{}", first.stderr);
        let (access, refresh) = (password(&first), world.fake.live_refresh_tokens());
        assert_eq!(refresh.len(), 1);
        if expired {
            wait_until(Duration::from_secs(20), "the token to expire", || {
                world.live_tokens().is_empty()
            });
        }
        let url = world.fake.base_url.clone();
        let logout = run(world.helper_command(&["logout", "--host", &url]), b"");
        assert!(logout.status.success(), "{}", logout.stderr);
        assert_eq!(
            logout.stdout_text(),
            format!(
                "Logged out octocat from {} and revoked its token at GitHub.\n",
                world.fake.host
            ),
            "{}",
            logout.stderr
        );
        assert!(
            !world.fake.refresh_token_works(&refresh[0]),
            "{ends_refresh} {expired}"
        );
        assert!(!world.live_tokens().contains(&access));
        assert_eq!(
            world.live_tokens(),
            Vec::<String>::new(),
            "not even the new one"
        );
        assert_eq!(
            world.fake.live_refresh_tokens().len(),
            usize::from(!ends_refresh),
            "only a refresh token that never left memory"
        );
    }
}

/// `git credential reject` of a live GitHub App token spends its refresh
/// token too, with a GitHub that leaves it alive on revocation.
#[test]
fn reject_of_a_live_token_spends_its_refresh_token() {
    let world = world("reject-refresh");
    github_app(&world, Duration::from_secs(3600));
    let first = world.helper_get("");
    let (access, refresh) = (password(&first), world.fake.live_refresh_tokens());
    let rejected = reject(&world, &access);
    assert!(rejected.status.success(), "{}", rejected.stderr);
    assert_eq!(rejected.stderr, "");
    assert!(!world.fake.refresh_token_works(&refresh[0]));
    assert_eq!(world.live_tokens(), Vec::<String>::new());
}

/// With no client secret GitHub cannot be asked to revoke: logout says the
/// token was deleted here only, and where to revoke it by hand.
#[test]
fn without_a_client_secret_logout_says_the_token_was_not_revoked() {
    let world = world("logout-no-secret");
    let url = world.fake.base_url.clone();
    let device = format!("credential.{url}.ghoauthFlow=device");
    let no_secret = format!("credential.{url}.ghoauthClientSecret=");
    let filled = world.fill(&[device.clone(), no_secret.clone()], "");
    assert_signed_in_as(&filled, "octocat");
    let mut logout = world.helper_command(&["logout", "--host", &url]);
    logout.env("GIT_CONFIG_PARAMETERS", format!("'{no_secret}'"));
    let logout = run(logout, b"");
    assert!(!logout.status.success(), "a token still alive is a failure");
    assert!(
        logout
            .stdout_text()
            .contains("its token was NOT revoked at GitHub"),
        "{}",
        logout.stdout_text()
    );
    let lines = complaints(&logout.stderr);
    assert_eq!(lines.len(), 1, "{}", logout.stderr);
    assert!(
        lines[0].contains("deleted here but NOT revoked")
            && lines[0].contains("only for the app's client secret, and none is configured")
            && lines[0].contains(&format!("{url}/settings/applications")),
        "{lines:?}"
    );
    assert_eq!(world.fake.revocations(), 0);
}

/// A device-flow token with no client secret, after its refresh token
/// died: GitHub answers `incorrect_client_credentials`, which here can only
/// mean the refresh token. An unattended git says to sign in again; an
/// interactive one signs in again, once.
#[test]
fn a_dead_device_refresh_token_without_a_secret_means_signing_in_again() {
    let world = world("dead-device-refresh");
    github_app(&world, Duration::from_secs(1));
    let url = world.fake.base_url.clone();
    let no_secret = [
        format!("credential.{url}.ghoauthFlow=device"),
        format!("credential.{url}.ghoauthClientSecret="),
    ];
    assert_signed_in_as(&world.fill(&no_secret, ""), "octocat");
    world.fake.expire_refresh_tokens();
    wait_until(Duration::from_secs(20), "the token to expire", || {
        world.live_tokens().is_empty()
    });

    let mut unattended = world.fill_command(&no_secret);
    unattended.env("GIT_TERMINAL_PROMPT", "0");
    let unattended = run(unattended, world.fill_input("").as_bytes());
    assert_eq!(unattended.stdout_text(), "");
    let lines = complaints(&unattended.stderr);
    assert_eq!(lines.len(), 1, "{}", unattended.stderr);
    assert!(
        lines[0].contains("refresh token is spent or expired")
            && lines[0].contains(&format!("git credential-ghoauth login --host {url}")),
        "{lines:?}"
    );
    assert_eq!(world.fake.authorizations(), 1, "no sign-in unattended");

    world
        .fake
        .set_device_user(DeviceUser::EntersCodeAfterPolls(1));
    assert_signed_in_as(&world.fill(&no_secret, ""), "octocat");
    assert_eq!(world.fake.authorizations(), 2, "one more sign-in");
}

/// A client id GitHub does not know ends the browser sign-in at once, in
/// one line, instead of leaving the person at GitHub's 404 page until the
/// timeout.
#[test]
fn an_unknown_client_id_ends_the_browser_sign_in_at_once() {
    let world = world("unknown-client-at-once");
    let url = &world.fake.base_url;
    let started = std::time::Instant::now();
    let filled = world.fill(
        &[
            format!("credential.{url}.ghoauthClientId=Ov23liNoSuchApp"),
            format!("credential.{url}.ghoauthTimeout=60"),
        ],
        "",
    );
    assert_fails_cleanly(&world, &filled, "unknown client id");
    assert!(filled.stderr.contains("ghoauthClientId"));
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "not the timeout"
    );
    assert_eq!(world.fake.authorizations(), 0);
}

/// `login --force` where an account is kept is how a second one is added:
/// it asks for GitHub's account picker. A first sign-in does not.
#[test]
fn login_again_asks_for_the_account_picker() {
    let world = world("picker");
    let url = world.fake.base_url.clone();
    let login = |args: &[&str]| {
        let done = run(world.helper_command(args), b"");
        assert!(done.status.success(), "{}", done.stderr);
    };
    login(&["login", "--host", &url, "--flow", "browser"]);
    world.fake.sign_in_as("hubot");
    login(&["login", "--host", &url, "--flow", "browser", "--force"]);
    let prompts: Vec<Option<String>> = world
        .fake
        .authorize_requests()
        .into_iter()
        .map(|request| request.prompt)
        .collect();
    assert_eq!(prompts, [None, Some("select_account".to_string())]);
}
