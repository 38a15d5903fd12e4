//! The browser sign-in, end to end: real git, the built helper, a real
//! Secret Service, and the fake GitHub on loopback. The "browser" is a
//! `$BROWSER` script that follows the consent page's redirect with curl.
// Drives processes the Unix way (signals, sessions, file modes, /proc).
#![cfg(unix)]

use crate::common;
use crate::fake_github;
use crate::world;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use fake_github::{CLIENT_ID, Consent, Lifetimes, Permission, TokenEndpoint};
use world::*;

#[test]
fn first_push_signs_in_once_and_the_second_does_not() {
    let world = world("push");
    let work = world.clone_new_repo("octo/hello", "octocat");
    assert_eq!(
        world.fake.authorizations(),
        0,
        "a public clone needs no sign-in"
    );

    commit(&world, &work, "one.txt");
    let pushed = world.git(&work, &[], &["push", "-q", "origin", "main"]);
    assert!(pushed.status.success(), "first push: {}", pushed.stderr);
    assert_eq!(world.fake.authorizations(), 1);
    assert_eq!(world.browser_opened(), 1);
    assert!(
        pushed.stderr.contains("    http://127.0.0.1:") && pushed.stderr.contains("/start\n"),
        "the address is shown: {}",
        pushed.stderr
    );
    assert_eq!(complaints(&pushed.stderr), Vec::<&str>::new());
    let page = world.page_shown();
    assert!(
        page.contains(&format!("Signed in to {} as octocat", world.fake.host)),
        "the tab says who signed in: {page}"
    );

    let tokens = world.live_tokens();
    assert_eq!(tokens.len(), 1);
    let token = &tokens[0];
    let stored = world.keyring();
    assert!(stored.contains("attribute.user = octocat"), "{stored}");
    assert!(
        stored.contains(token.as_str()),
        "the token is in the keyring"
    );
    let stored_at = |listing: &str| {
        listing
            .lines()
            .find(|line| line.contains("stored_at="))
            .map(str::to_string)
    };
    let first_stored_at = stored_at(&stored);

    commit(&world, &work, "two.txt");
    let pushed = world.git(&work, &[], &["push", "-q", "origin", "main"]);
    assert!(pushed.status.success(), "second push: {}", pushed.stderr);
    assert_eq!(world.fake.authorizations(), 1, "no second sign-in");
    assert_eq!(world.browser_opened(), 1, "no second browser");
    assert_eq!(pushed.stderr, "");
    assert_eq!(
        stored_at(&world.keyring()),
        first_stored_at,
        "git's store of the held token wrote nothing"
    );
    let pushes = world
        .fake
        .git_requests()
        .into_iter()
        .filter(|(request, status)| request.ends_with("/git-receive-pack") && *status == 200)
        .count();
    assert_eq!(pushes, 2);

    assert_eq!(
        files_containing(&session().dir, token),
        Vec::<PathBuf>::new(),
        "the token is on disk"
    );

    // git reject: the token leaves the keyring and dies at GitHub.
    let rejected = reject(&world, token);
    assert!(rejected.status.success(), "{}", rejected.stderr);
    assert_eq!(rejected.stderr, "");
    assert!(!world.fake.is_live(token), "revoked at GitHub");
    assert_eq!(world.fake.revocations(), 1);
    assert!(
        !world.keyring().contains("octocat"),
        "gone from the keyring"
    );
}

#[test]
fn erasing_a_token_github_already_dropped_is_quiet() {
    let world = world("gone");
    assert!(world.fill(&[], "").stdout_text().contains("password="));
    let token = world.live_tokens().remove(0);
    world.fake.revoke_behind_the_back(&token);
    let rejected = reject(&world, &token);
    assert!(rejected.status.success());
    assert_eq!(rejected.stderr, "");
    assert!(!world.keyring().contains("octocat"));
}

#[test]
fn a_revocation_that_cannot_reach_github_is_only_a_warning() {
    let world = world("offline");
    assert!(world.fill(&[], "").stdout_text().contains("password="));
    let token = world.live_tokens().remove(0);
    let World {
        fake,
        dir,
        client_secret,
    } = world;
    let host = fake.host.clone();
    let base_url = fake.base_url.clone();
    drop(fake);
    let mut command = command("git");
    command
        .args(["-c", "credential.helper=", "-c"])
        .arg(format!("credential.helper={HELPER}"))
        .args([
            "-c",
            &format!("credential.{base_url}.ghoauthClientId={CLIENT_ID}"),
        ])
        .args([
            "-c",
            &format!("credential.{base_url}.ghoauthClientSecret={client_secret}"),
        ])
        .args(["credential", "reject"]);
    let input = format!("protocol=http\nhost={host}\nusername=octocat\npassword={token}\n");
    let rejected = run(command, input.as_bytes());
    assert!(rejected.status.success(), "a warning, not a failure");
    let lines: Vec<&str> = rejected.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", rejected.stderr);
    assert!(
        lines[0].contains("deleted here but NOT revoked"),
        "{}",
        lines[0]
    );
    assert!(
        !secret_tool_search(&host).contains("octocat"),
        "erased all the same"
    );
    let _ = dir;
}

/// A static binary in a container with no CA certificates at all (a
/// `FROM scratch` image): the system has no roots, so Mozilla's, built in,
/// are used rather than none; the test CA is not among them, so the one
/// line says which set was checked and how to trust a private CA.
#[test]
fn with_no_system_roots_mozillas_built_in_ones_are_used_and_said() {
    let world = https_world("no-system-roots");
    let work = https_clone_with_a_commit(&world, "corp/bare");
    let no_roots = world.dir.join("no-roots");
    std::fs::create_dir_all(&no_roots).unwrap();
    let none = [
        ("SSL_CERT_FILE", no_roots.join("none.pem")),
        ("SSL_CERT_DIR", no_roots.clone()),
    ];
    let env: Vec<(&str, &Path)> = none.iter().map(|(k, v)| (*k, v.as_path())).collect();
    let pushed = world.git_with_env(&work, &env, &[], &["push", "-q", "origin", "main"]);
    assert!(!pushed.status.success());
    let complaints = complaints(&pushed.stderr);
    assert_eq!(complaints.len(), 1, "{}", pushed.stderr);
    assert!(
        complaints[0].contains("no CA certificates, so Mozilla's built-in ones were checked")
            && complaints[0].contains("http.sslCAInfo"),
        "{complaints:?}"
    );
    assert_eq!(world.live_tokens(), Vec::<String>::new());

    // doctor says which set is in use.
    let url = world.fake.base_url.clone();
    let mut doctor = world.helper_command(&["doctor", "--host", &url]);
    doctor.envs(env.iter().copied());
    let said = run(doctor, b"").stdout_text();
    assert!(
        said.contains("CA certificates: Mozilla's, built in"),
        "{said}"
    );
}

/// A clone of a new public repository on an https world's fake, with one
/// commit to push, made without signing in.
fn https_clone_with_a_commit(world: &World, owner_and_name: &str) -> PathBuf {
    let remote = world.fake.create_repo(owner_and_name);
    world
        .fake
        .add_collaborator(owner_and_name, "octocat", Permission::Push);
    assert!(remote.starts_with("https://127.0.0.1:"), "{remote}");
    let work = world
        .dir
        .join(format!("work-{}", owner_and_name.replace('/', "-")));
    let cloned = world.git(
        &world.dir,
        &[],
        &["clone", "-q", &remote, work.to_str().unwrap()],
    );
    assert!(cloned.status.success(), "{}", cloned.stderr);
    commit(world, &work, "one.txt");
    work
}

#[test]
fn an_enterprise_server_over_https_with_a_private_ca() {
    let world = https_world("ghes-https");
    let work = https_clone_with_a_commit(&world, "corp/tool");

    // Without the CA the helper refuses the server, and says what to do.
    let pushed = world.git(&work, &[], &["push", "-q", "origin", "main"]);
    assert!(!pushed.status.success());
    let complaints = complaints(&pushed.stderr);
    assert_eq!(complaints.len(), 1, "{}", pushed.stderr);
    assert!(complaints[0].contains("SSL_CERT_FILE"), "{complaints:?}");
    assert_eq!(world.live_tokens(), Vec::<String>::new());

    // With it: TLS with the ring provider, and GHES's /api/v3 paths.
    let ca = world.fake.ca_file.clone().unwrap();
    let pushed = world.git_with_env(
        &work,
        &[("SSL_CERT_FILE", &ca)],
        &[],
        &["push", "-q", "origin", "main"],
    );
    assert!(pushed.status.success(), "{}", pushed.stderr);
    assert_eq!(world.live_tokens().len(), 1);
    let pushed_again = world.git(
        &work,
        &[],
        &["push", "-q", "origin", "HEAD:refs/heads/again"],
    );
    assert!(
        pushed_again.status.success(),
        "the kept token needs no TLS: {}",
        pushed_again.stderr
    );
    assert_eq!(
        world.fake.authorizations(),
        2,
        "one refused exchange, one sign-in"
    );
}

#[test]
fn cancelled_consent_stores_nothing() {
    let world = world("deny");
    world.fake.set_consent(Consent::Deny);
    let filled = world.fill(&world.cancel_reaches_the_helper(), "");
    assert_fails_cleanly(&world, &filled, "sign-in was cancelled in the browser");
}

#[test]
fn a_tampered_state_gets_400_and_is_never_exchanged() {
    let world = world("state");
    world.fake.set_consent(Consent::TamperState);
    let url = &world.fake.base_url;
    // The listener ignores the forged callback and waits for the real one,
    // which never comes; the terminal says one came and was ignored.
    let filled = world.fill(&[format!("credential.{url}.ghoauthTimeout=3")], "");
    assert_fails_cleanly(
        &world,
        &filled,
        "no sign-in came back from the browser within 3 s, so nothing was stored; a callback \
         from another sign-in (a stale or forged link) came and was ignored: only the newest \
         sign-in link works",
    );
    assert!(
        world.page_shown().contains("state mismatch"),
        "the tab says why"
    );
}

#[test]
fn a_code_bound_to_another_verifier_is_refused() {
    let world = world("pkce");
    world.fake.set_consent(Consent::SwapChallenge);
    let filled = world.fill(&[], "");
    assert_fails_cleanly(&world, &filled, "code_verifier does not match");
}

#[test]
fn every_sign_in_sends_a_pkce_challenge() {
    let world = world("pkce-always");
    let filled = world.fill(&[], "");
    assert_signed_in_as(&filled, "octocat");
    let asked = world.fake.authorize_requests();
    assert_eq!(asked.len(), 1);
    for request in asked {
        let challenge = request.code_challenge.expect("a code_challenge");
        // base64url of a SHA-256: 43 characters, no padding.
        assert_eq!(challenge.len(), 43, "{challenge}");
        assert!(
            challenge
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }
}

#[test]
fn a_redirect_uri_mismatch_names_the_callback_to_register() {
    let world = world("redirect-mismatch");
    world
        .fake
        .set_token_endpoint(TokenEndpoint::Refuses("redirect_uri_mismatch"));
    let filled = world.fill(&[], "");
    assert_fails_cleanly(&world, &filled, "register http://127.0.0.1:17829/callback");
    assert!(
        filled.stderr.contains("redirect_uri_mismatch"),
        "{}",
        filled.stderr
    );
}

#[test]
fn the_browser_flow_without_a_client_secret_says_what_is_missing() {
    let world = world("no-secret-browser");
    let url = &world.fake.base_url;
    // The app as configured, minus its secret, and the browser flow forced.
    let mut bare = command("git");
    bare.env_remove("GIT_TERMINAL_PROMPT")
        .env("BROWSER", world.dir.join("browser"))
        .args(["-c", "credential.helper=", "-c"])
        .arg(format!("credential.helper={HELPER}"))
        .args([
            "-c",
            &format!("credential.{url}.ghoauthClientId={CLIENT_ID}"),
        ])
        .args(["-c", &format!("credential.{url}.ghoauthFlow=browser")])
        .args(["credential", "fill"]);
    let filled = run(bare, world.fill_input("").as_bytes());
    assert_fails_cleanly(&world, &filled, "no client secret is configured for");
    assert_eq!(world.browser_opened(), 0);
    assert_eq!(world.fake.authorizations(), 0);
}

#[test]
fn a_wrong_client_secret_names_the_keys_to_check() {
    let world = world("secret");
    let url = &world.fake.base_url;
    let filled = world.fill(&[format!("credential.{url}.ghoauthClientSecret=wrong")], "");
    assert_fails_cleanly(&world, &filled, "ghoauthClientSecret");
    assert!(
        filled.stderr.contains("incorrect_client_credentials"),
        "{}",
        filled.stderr
    );
}

#[test]
fn a_user_who_walks_away_times_out() {
    let world = world("walk-away");
    world.fake.set_consent(Consent::WalkAway);
    let url = &world.fake.base_url;
    let filled = world.fill(&[format!("credential.{url}.ghoauthTimeout=2")], "");
    assert_fails_cleanly(
        &world,
        &filled,
        "no sign-in came back from the browser within 2 s",
    );
}

#[test]
fn a_stalled_token_endpoint_is_abandoned() {
    let world = world("stall");
    world.fake.set_token_endpoint(TokenEndpoint::Stalls);
    let url = &world.fake.base_url;
    let filled = world.fill(&[format!("credential.{url}.ghoauthTimeout=3")], "");
    assert_fails_cleanly(&world, &filled, "did not answer within");
    assert_eq!(world.fake.authorizations(), 1);
}

#[test]
fn a_failing_token_endpoint_is_named() {
    let world = world("http-500");
    world.fake.set_token_endpoint(TokenEndpoint::Fails);
    let filled = world.fill(&[], "");
    assert_fails_cleanly(&world, &filled, "answered HTTP 500");
    let page = world.page_shown();
    assert!(
        page.contains("Sign-in failed"),
        "the tab says so too: {page}"
    );
}

#[test]
fn a_flood_from_the_token_endpoint_is_cut_off() {
    let world = world("flood");
    world.fake.set_token_endpoint(TokenEndpoint::Floods);
    let filled = world.fill(&[], "");
    assert_fails_cleanly(&world, &filled, "answered with more than 1 MiB");
}

#[test]
fn a_fixed_redirect_port_is_used_and_a_busy_one_is_named() {
    let world = world("fixed-port");
    let url = &world.fake.base_url;
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy_port = busy.local_addr().unwrap().port();
    let filled = world.fill(
        &[format!(
            "credential.{url}.ghoauthRedirectUri=http://127.0.0.1:{busy_port}/callback"
        )],
        "",
    );
    assert_fails_cleanly(
        &world,
        &filled,
        &format!("cannot listen on 127.0.0.1:{busy_port}"),
    );
    assert_eq!(
        world.browser_opened(),
        0,
        "no browser for a flow that cannot finish"
    );

    // A port that is free now; the fake accepts any port on 127.0.0.1.
    let free_port = busy.local_addr().unwrap().port();
    drop(busy);
    let filled = world.fill(
        &[format!(
            "credential.{url}.ghoauthRedirectUri=http://127.0.0.1:{free_port}/callback"
        )],
        "",
    );
    assert_signed_in_as(&filled, "octocat");
    assert!(
        filled
            .stderr
            .contains(&format!("http://127.0.0.1:{free_port}/start")),
        "{}",
        filled.stderr
    );
}

#[test]
fn non_interactive_git_never_opens_a_browser() {
    let world = world("quiet");
    let mut command = command("git");
    command
        .env("BROWSER", world.dir.join("browser"))
        .env("GIT_TERMINAL_PROMPT", "0")
        .args(["-c", "credential.helper=", "-c"])
        .arg(format!("credential.helper={HELPER}"));
    for setting in world.oauth_config() {
        command.args(["-c", &setting]);
    }
    command.args(["credential", "fill"]);
    let input = format!("protocol=http\nhost={}\n", world.fake.host);
    let filled = run(command, input.as_bytes());
    assert!(!filled.stdout_text().contains("password="));
    assert!(
        !filled.stderr.contains("git-credential-ghoauth"),
        "{}",
        filled.stderr
    );

    let filled = world.fill(&["credential.interactive=never".to_string()], "");
    assert!(!filled.stdout_text().contains("password="));
    assert!(
        !filled.stderr.contains("git-credential-ghoauth"),
        "{}",
        filled.stderr
    );

    assert_eq!(world.browser_opened(), 0);
    assert_eq!(world.fake.authorizations(), 0);
}

#[test]
fn the_browsers_stdout_never_reaches_git() {
    let world = world("noisy-browser");
    write_script(
        &world.dir.join("browser"),
        &format!(
            "echo password=from-the-browser\nprintf '%s\\n' \"$1\" >>'{log}'\nexec curl -sS -L --noproxy '*' --max-time 30 \"$1\"",
            log = world.dir.join("browser.log").display()
        ),
    );
    let filled = world.fill(&[], "");
    let stdout = filled.stdout_text();
    let token = &world.live_tokens()[0];
    assert_eq!(
        stdout,
        format!(
            "protocol=http\nhost={}\nusername=octocat\npassword={token}\n",
            world.fake.host
        )
    );
}

#[test]
fn the_browser_gets_no_secret_in_its_arguments_or_environment() {
    let world = world("browser-env");
    let seen = world.dir.join("browser-saw");
    write_script(
        &world.dir.join("browser"),
        &format!(
            "{{ printf 'arg %s\\n' \"$@\"; env; }} >'{seen}'\nexec curl -sS -L --noproxy '*' --max-time 30 -o /dev/null \"$1\"",
            seen = seen.display()
        ),
    );
    // The helper's own get, with the app in GIT_CONFIG_KEY_n/VALUE_n as
    // `git -c` hands it down.
    let filled = world.helper_get("").stdout_text();
    assert!(filled.contains("password="), "signed in");
    let saw = std::fs::read_to_string(&seen).unwrap();
    assert!(
        saw.contains("arg http://127.0.0.1:") && saw.contains("/start\n"),
        "{saw}"
    );
    let authorized = world.fake.authorize_requests();
    assert_eq!(authorized.len(), 1);
    assert!(
        !saw.contains(&authorized[0].state),
        "the state reached argv: {saw}"
    );
    for line in saw.lines() {
        assert!(
            !line.starts_with("GIT_") && !line.starts_with("GHOAUTH_"),
            "the browser got {line}"
        );
    }
    assert!(
        !saw.contains(&world.client_secret),
        "the client secret reached the browser"
    );
    for (token, _) in world.fake.tokens() {
        assert!(!saw.contains(&token));
    }
}

#[test]
fn one_token_serves_every_repository_on_the_host() {
    let world = world("paths");
    let use_path = ["credential.useHttpPath=true".to_string()];
    let first = world.fill(&use_path, "path=octo/a.git\n");
    assert_signed_in_as(&first, "octocat");
    let second = world.fill(&use_path, "path=octo/b.git\n");
    assert_signed_in_as(&second, "octocat");
    assert_eq!(world.fake.authorizations(), 1);
}

#[test]
fn another_account_than_the_one_asked_for_is_not_stored() {
    let world = world("mismatch");
    let filled = world.fill(&[], "username=alice\n");
    assert_eq!(world.fake.login_hints(), vec!["alice".to_string()]);
    assert!(!filled.stdout_text().contains("password="));
    let complaints = complaints(&filled.stderr);
    assert_eq!(complaints.len(), 1, "{}", filled.stderr);
    assert!(complaints[0].contains("'octocat'") && complaints[0].contains("'alice'"));
    assert!(!world.keyring().contains("octocat"));
}

#[test]
fn plain_http_to_a_real_host_is_refused() {
    let world = world("plain-http");
    let mut command = command("git");
    command
        .env_remove("GIT_TERMINAL_PROMPT")
        .env("BROWSER", world.dir.join("browser"))
        .args(["-c", "credential.helper=", "-c"])
        .arg(format!("credential.helper={HELPER}"))
        .args([
            "-c",
            &format!("credential.http://example.invalid.ghoauthClientId={CLIENT_ID}"),
        ])
        .args(["credential", "fill"]);
    let filled = run(command, b"protocol=http\nhost=example.invalid\n");
    assert!(!filled.stdout_text().contains("password="));
    let complaints = complaints(&filled.stderr);
    assert_eq!(complaints.len(), 1, "{}", filled.stderr);
    assert!(
        complaints[0].contains("only sent over https"),
        "{complaints:?}"
    );
    assert_eq!(world.browser_opened(), 0);
}

#[test]
fn without_an_oauth_app_a_miss_stays_silent() {
    // No client id: nothing but the foundation's behaviour, and silence.
    let filled = git_credential("fill", &[], "protocol=https\nhost=unconfigured.invalid\n");
    assert!(!filled.stdout_text().contains("password="));
    assert!(
        !filled.stderr.contains("git-credential-ghoauth"),
        "{}",
        filled.stderr
    );
}

#[test]
fn ctrl_c_while_waiting_closes_the_listener() {
    let world = world("ctrl-c");
    world.fake.set_consent(Consent::WalkAway);
    let config = world.dir.join("gitconfig");
    let url = &world.fake.base_url;
    std::fs::write(
        &config,
        format!(
            "[credential \"{url}\"]\n\tghoauthClientId = {CLIENT_ID}\n\tghoauthClientSecret = {}\n",
            world.client_secret
        ),
    )
    .unwrap();
    let mut helper = command(HELPER)
        .env("GIT_CONFIG_GLOBAL", &config)
        .env("BROWSER", world.dir.join("browser"))
        .env_remove("GIT_TERMINAL_PROMPT")
        .arg("get")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = helper.stdin.take().unwrap();
        write!(stdin, "protocol=http\nhost={}\n", world.fake.host).unwrap();
    }
    // Waiting for the user: the browser has been sent to the consent page.
    wait_until(Duration::from_secs(20), "the browser to open", || {
        world.browser_opened() == 1
    });
    let opened = std::fs::read_to_string(world.dir.join("browser.log")).unwrap();
    // The browser is sent to the listener's /start.
    let port = url::Url::parse(opened.trim()).unwrap().port().unwrap();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());

    // SAFETY: kill(2) with SIGINT on the pid of the child spawned above.
    unsafe { libc::kill(helper.id() as i32, libc::SIGINT) };
    let mut status = None;
    wait_until(Duration::from_secs(20), "the helper to stop", || {
        status = helper.try_wait().unwrap();
        status.is_some()
    });
    assert!(!status.unwrap().success());
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut helper.stdout.take().unwrap(), &mut stdout).unwrap();
    assert_eq!(stdout, "", "nothing for git");
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the listener is closed"
    );
    assert!(!world.keyring().contains("octocat"), "nothing stored");
    assert_eq!(world.live_tokens(), Vec::<String>::new());
}

#[test]
fn gits_own_ca_setting_is_trusted() {
    let world = https_world("ghes-sslcainfo");
    let url = world.fake.base_url.clone();
    let ca = world.fake.ca_file.clone().unwrap();
    let filled = world.fill(&[format!("http.{url}.sslCAInfo={}", ca.display())], "");
    assert_signed_in_as(&filled, "octocat");
}

/// A proxy that refuses every request and CONNECT, and writes down each
/// request line it saw. It stops when dropped, or after a minute.
struct RefusingProxy {
    port: u16,
    seen: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl RefusingProxy {
    fn start() -> RefusingProxy {
        use std::io::{BufRead, Read, Write};
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let proxy = RefusingProxy {
            port,
            seen: Default::default(),
            stop: Default::default(),
        };
        let (seen, stop) = (proxy.seen.clone(), proxy.stop.clone());
        std::thread::spawn(move || {
            let until = std::time::Instant::now() + Duration::from_secs(60);
            while !stop.load(Ordering::SeqCst) && std::time::Instant::now() < until {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                stream.set_nonblocking(false).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                let mut line = String::new();
                let mut reader = std::io::BufReader::new((&stream).take(16 * 1024));
                let _ = reader.read_line(&mut line);
                seen.lock().unwrap().push(line.trim_end().to_string());
                let _ = (&stream).write_all(
                    b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        proxy
    }
}

impl Drop for RefusingProxy {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn gits_own_proxy_setting_carries_the_sign_in() {
    let proxy = RefusingProxy::start();
    let mut fill = command("git");
    fill.env_remove("GIT_TERMINAL_PROMPT")
        .args(["-c", "credential.helper=", "-c"])
        .arg(format!("credential.helper={HELPER}"))
        .args([
            "-c",
            "credential.https://github.com.ghoauthClientId=Iv1.behindaproxy",
        ])
        .args(["-c", "credential.https://github.com.ghoauthFlow=device"])
        .args(["-c", &format!("http.proxy=127.0.0.1:{}", proxy.port)])
        .args(["credential", "fill"]);
    let filled = run(fill, b"protocol=https\nhost=github.com\n");
    assert!(!filled.stdout_text().contains("password="));
    let seen = proxy.seen.lock().unwrap().clone();
    assert!(
        seen.iter()
            .any(|line| line.starts_with("CONNECT github.com:443 ")),
        "the proxy saw {seen:?}; the helper said {}",
        filled.stderr
    );
    let said = complaints(&filled.stderr);
    assert_eq!(said.len(), 1, "{}", filled.stderr);
    assert!(
        said[0].contains("could not reach https://github.com/login/device/code"),
        "{said:?}"
    );
}

/// Where no browser opens, the person is shown the loopback `/start`, not
/// the consent address: the state and the PKCE challenge never reach a
/// terminal. Opening it by hand signs in.
#[test]
fn with_no_browser_the_person_opens_start_and_never_sees_the_state() {
    use std::io::{BufRead, BufReader};
    let world = world("no-browser");
    let mut fill = world.fill_command(&[format!(
        "credential.{}.ghoauthFlow=browser",
        world.fake.base_url
    )]);
    fill.env_remove("BROWSER")
        .env("PATH", "/usr/bin:/bin")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = fill.spawn().unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(world.fill_input("").as_bytes())
        .unwrap();
    let (lines, seen) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let mut shown = Vec::new();
    let start = loop {
        let line = seen
            .recv_timeout(Duration::from_secs(30))
            .expect("the helper shows an address within 30 s");
        shown.push(line.clone());
        if let Some(address) = line.trim().strip_prefix("http://")
            && address.ends_with("/start")
        {
            break format!("http://{address}");
        }
    };
    // The person opens it: the same curl the tests' browser is.
    let opened = std::process::Command::new(world.dir.join("browser"))
        .arg(&start)
        .status()
        .unwrap();
    assert!(opened.success());
    let mut status = None;
    wait_until(Duration::from_secs(30), "the sign-in to finish", || {
        status = child.try_wait().unwrap();
        status.is_some()
    });
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut answer).unwrap();
    reader.join().unwrap();
    shown.extend(seen.try_iter());
    assert!(status.unwrap().success());
    assert!(answer.contains("username=octocat\n"), "{answer} {shown:?}");
    let said = shown.join("\n");
    assert!(
        !said.contains("state=")
            && !said.contains("code_challenge")
            && !said.contains("/authorize"),
        "{said}"
    );
    let asked = world.fake.authorize_requests();
    assert_eq!(asked.len(), 1);
    assert!(!said.contains(&asked[0].state));
}

/// A login with shell syntax, as a hostile server could answer `/user`,
/// is refused at sign-in, in one line: it would end up in commands people
/// paste. The pair GitHub issued is ended, not left alive unheld.
#[test]
fn a_login_github_never_issues_is_refused_at_sign_in() {
    let world = world("shell-login");
    world.fake.sign_in_as("x;touch${IFS}/tmp/PWNED");
    world.fake.issue_expiring_tokens(Lifetimes {
        access: Duration::from_secs(8 * 3600),
        refresh: Duration::from_secs(15_897_600),
    });
    let filled = world.fill(&[], "");
    let issued = world.fake.tokens();
    assert!(!issued.is_empty(), "a token was issued");
    assert!(issued.iter().all(|(_, live)| !live), "and none is alive");
    // As at logout: the refresh spends GitHub's refresh token, and the pair
    // it buys never leaves the helper's memory.
    assert_eq!(world.fake.refreshes(), 1, "its refresh token was spent");
    assert_eq!(filled.stdout_text(), "");
    let lines = complaints(&filled.stderr);
    assert_eq!(lines.len(), 1, "{}", filled.stderr);
    assert!(
        lines[0].contains(
            "answered with a login that holds characters other than letters, digits, '-' and '_'"
        ),
        "{lines:?}"
    );
    assert!(!world.keyring().contains("PWNED"), "nothing stored");
}
