//! `doctor`: each fault, injected against the fake GitHub, the private
//! Secret Service or git config, shows up as the check named, with a fix;
//! a clean set-up has no problem; `--offline` asks the network nothing;
//! and a stalled server cannot hold it past its bound.
// A stalled Secret Service is the headless tests' mute bus, Linux's alone.
#![cfg(target_os = "linux")]

use crate::common;
use crate::fake_github;
use crate::world;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use fake_github::{CLIENT_ID, Lifetimes, Permission};
use serde_json::Value;
use world::*;

struct Doctor {
    world: World,
    config: PathBuf,
}

impl Doctor {
    /// A world whose host `configure` set up, in a global config of its own.
    fn configured(name: &str) -> Doctor {
        Doctor::configured_with(name, world(name), CLIENT_ID)
    }

    fn configured_with(name: &str, world: World, client_id: &str) -> Doctor {
        let secret = world.client_secret.clone();
        Doctor::configured_as(name, world, client_id, &secret)
    }

    /// With `secret` as the app's client secret ("" for none).
    fn configured_with_secret(name: &str, secret: &str) -> Doctor {
        Doctor::configured_as(name, world(name), CLIENT_ID, secret)
    }

    fn configured_as(name: &str, world: World, client_id: &str, secret: &str) -> Doctor {
        let doctor = Doctor {
            config: world.dir.join(format!("gitconfig-{name}")),
            world,
        };
        let url = doctor.url();
        let secret = secret.to_string();
        let done = doctor.helper(
            &["configure", "--host", &url, "--client-id", client_id],
            &[("GHOAUTH_CLIENT_SECRET", &secret)],
        );
        assert!(done.status.success(), "{}", done.stderr);
        doctor
    }

    fn url(&self) -> String {
        self.world.fake.base_url.clone()
    }

    fn helper(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        self.helper_in(&self.world.dir, args, env)
    }

    fn helper_in(&self, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = command(HELPER);
        let helper_dir = Path::new(HELPER).parent().unwrap();
        let path = std::env::join_paths(std::iter::once(helper_dir.to_path_buf()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))
        .unwrap();
        command
            .current_dir(dir)
            .env("PATH", path)
            .env("GIT_CONFIG_GLOBAL", &self.config)
            .env("BROWSER", self.world.dir.join("browser"))
            .env_remove("GIT_TERMINAL_PROMPT")
            .envs(env.iter().copied())
            .args(args);
        self.world.network(&mut command);
        run(command, b"")
    }

    fn git_config(&self, args: &[&str]) {
        let mut command = command("git");
        command
            .env("GIT_CONFIG_GLOBAL", &self.config)
            .args(["config", "--global"])
            .args(args);
        assert!(run(command, b"").status.success(), "git config {args:?}");
    }

    fn login(&self) -> String {
        let url = self.url();
        let done = self.helper(&["login", "--host", &url, "--flow", "browser"], &[]);
        assert!(done.status.success(), "{}", done.stderr);
        self.world.fake.live_tokens_of("octocat").pop().unwrap()
    }

    /// `doctor --host URL --json` and its object.
    fn run(&self, extra: &[&str], env: &[(&str, &str)]) -> (Run, Value) {
        self.run_in(&self.world.dir, extra, env)
    }

    fn run_in(&self, dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> (Run, Value) {
        let url = self.url();
        let mut args = vec!["doctor", "--host", &url, "--json"];
        args.extend_from_slice(extra);
        let ran = self.helper_in(dir, &args, env);
        let json: Value = serde_json::from_slice(&ran.stdout)
            .unwrap_or_else(|_| panic!("not JSON: {}\n{}", ran.stdout_text(), ran.stderr));
        assert_eq!(
            ran.status.code(),
            Some(if json["problems"] == 0 { 0 } else { 1 }),
            "exit status follows the problems"
        );
        for check in json["checks"].as_array().unwrap() {
            assert!(
                check["id"].is_string() && check["summary"].is_string(),
                "{check}"
            );
            if check["status"] == "problem" {
                assert!(
                    check["fix"].is_string(),
                    "every problem names its fix: {check}"
                );
            }
        }
        (ran, json)
    }
}

/// The check `id` with `status`, whose summary holds `said` and whose fix
/// holds `fix`.
fn assert_check(json: &Value, id: &str, status: &str, said: &str, fix: &str) {
    let found = json["checks"].as_array().unwrap().iter().find(|check| {
        check["id"] == id
            && check["status"] == status
            && check["summary"].as_str().unwrap().contains(said)
            && check["fix"].as_str().unwrap_or_default().contains(fix)
    });
    assert!(
        found.is_some(),
        "no {status} {id} saying {said:?} with fix {fix:?} in:\n{:#}",
        json["checks"]
    );
}

#[test]
fn a_clean_set_up_has_no_problem_and_offline_asks_the_network_nothing() {
    let doctor = Doctor::configured("doctor-clean");
    let token = doctor.login();
    let (ran, json) = doctor.run(&[], &[]);
    assert_eq!(json["problems"], 0, "{:#}", json["checks"]);
    assert_check(&json, "chain.reached", "ok", "git asks this helper", "");
    assert_check(&json, "network.client_id", "ok", "knows the client id", "");
    assert_check(&json, "network.device_flow", "ok", "abandoned", "");
    assert_check(&json, "account.token", "ok", "accepts octocat's token", "");
    assert_check(&json, "account.scopes", "ok", "repo, workflow", "");
    assert_check(&json, "git.on_path", "ok", "git runs this program", "");
    assert_eq!(
        doctor.world.fake.authorizations(),
        1,
        "the probe authorized nothing"
    );
    for secret in [token.as_str(), doctor.world.client_secret.as_str()] {
        assert!(!ran.stdout_text().contains(secret) && !ran.stderr.contains(secret));
    }

    let before = doctor.world.fake.requests();
    let (_, offline) = doctor.run(&["--offline"], &[]);
    assert_eq!(offline["problems"], 0);
    assert_eq!(
        doctor.world.fake.requests(),
        before,
        "--offline asks nothing"
    );

    let url = doctor.url();
    let text = doctor.helper(&["doctor", "--host", &url], &[]);
    assert!(text.status.success());
    assert!(
        text.stdout_text().contains("0 problems"),
        "{}",
        text.stdout_text()
    );
}

#[test]
fn a_helper_before_this_one_in_another_config_file() {
    let world = world("doctor-before");
    let doctor = Doctor {
        config: world.dir.join("gitconfig"),
        world,
    };
    let system = doctor.world.dir.join("system-gitconfig");
    std::fs::write(&system, "[credential]\n\thelper = store\n").unwrap();
    let url = doctor.url();
    doctor.git_config(&[&format!("credential.{url}.ghoauthClientId"), CLIENT_ID]);
    doctor.git_config(&["credential.helper", HELPER]);
    let (_, json) = doctor.run(
        &["--offline"],
        &[
            ("GIT_CONFIG_SYSTEM", system.to_str().unwrap()),
            ("GIT_CONFIG_NOSYSTEM", "0"),
        ],
    );
    assert_check(
        &json,
        "chain.before",
        "problem",
        &format!("'store' (system config, {})", system.display()),
        "git credential-ghoauth configure",
    );
}

#[test]
fn store_after_this_helper() {
    let doctor = Doctor::configured("doctor-after");
    doctor.git_config(&["--add", "credential.helper", "store"]);
    let (_, json) = doctor.run(&["--offline"], &[]);
    assert_check(
        &json,
        "chain.after",
        "problem",
        "plain text",
        "--unset-all 'credential.helper' '^store$'",
    );
}

/// doctor's fix lines are made to be pasted into a shell: a helper value
/// with a quote in it is removed exactly, as printed; one with a control
/// character gets no command (printed, it could drive the terminal) and
/// no raw control character reaches the output; an inline shell helper,
/// which may hold a secret, is named as one, never shown.
#[test]
fn fix_lines_are_safe_to_paste() {
    let doctor = Doctor::configured("doctor-paste");
    let quoted = "store --file=/tmp/it's; touch /tmp/ghoauth-pwned";
    doctor.git_config(&["--add", "credential.helper", quoted]);
    let (_, json) = doctor.run(&["--offline"], &[]);
    let fix = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|check| check["id"] == "chain.after")
        .and_then(|check| check["fix"].as_str())
        .unwrap()
        .to_string();
    let mut pasted = command("sh");
    pasted.args(["-c", &fix]);
    let ran = run(pasted, b"");
    assert!(ran.status.success(), "{fix}: {}", ran.stderr);
    let mut left = command("git");
    left.args(["config", "--file"])
        .arg(&doctor.config)
        .args(["--get-regexp", "^credential\\..*helper$"]);
    let left = run(left, b"").stdout_text();
    assert!(!left.contains("it's"), "{fix} left {left}");
    assert!(left.contains("ghoauth"), "only that entry went: {left}");

    let inline_secret = "S3cretInlineHelper";
    doctor.git_config(&[
        "--add",
        "credential.helper",
        &format!("!f() {{ echo password={inline_secret}; }}; f"),
    ]);
    doctor.git_config(&[
        "--add",
        "credential.helper",
        "store --file=/tmp/\x1b]0;pwned\x07",
    ]);
    let text = doctor.helper(&["doctor", "--host", &doctor.url(), "--offline"], &[]);
    let (_, json) = doctor.run(&["--offline"], &[]);
    for shown in [text.stdout_text(), json.to_string()] {
        assert!(
            !shown.contains('\x1b') && !shown.contains('\x07'),
            "{shown}"
        );
        assert!(!shown.contains(inline_secret), "{shown}");
    }
    assert!(
        text.stdout_text().contains("an inline shell helper"),
        "{}",
        text.stdout_text()
    );
    assert_check(
        &json,
        "chain.after",
        "problem",
        "plain text",
        "in an editor",
    );
}

#[test]
fn an_absent_or_stalled_secret_service() {
    let doctor = Doctor::configured("doctor-store");
    let (_, absent) = doctor.run(
        &["--offline"],
        &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")],
    );
    assert_check(&absent, "store.answers", "problem", "", "--store=kernel");

    let mute = crate::headless::MuteBus::start("doctor-mute");
    let started = Instant::now();
    let (_, stalled) = doctor.run(
        &["--offline"],
        &[
            ("DBUS_SESSION_BUS_ADDRESS", &mute.address),
            ("GHOAUTH_KEYRING_TIMEOUT", "2"),
        ],
    );
    assert_check(
        &stalled,
        "store.answers",
        "problem",
        "did not answer within 2 s",
        "unlock prompt",
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_secrets_file_others_can_read_and_another_copy_first_on_path() {
    use std::os::unix::fs::PermissionsExt;
    let doctor = Doctor::configured("doctor-files");
    let secrets = doctor.world.dir.join(".git-credential-ghoauth-secrets");
    assert!(
        secrets.is_file(),
        "configure kept the secret in {}",
        secrets.display()
    );
    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (_, json) = doctor.run(&["--offline"], &[]);
    assert_check(
        &json,
        "app.secrets_file",
        "problem",
        "mode 644",
        "chmod 600",
    );

    // An older copy earlier on PATH than this one.
    let older = doctor.world.dir.join("older-bin");
    std::fs::create_dir_all(&older).unwrap();
    write_script(&older.join("git-credential-ghoauth"), "exit 0");
    let path = std::env::join_paths(
        std::iter::once(older.clone())
            .chain(std::iter::once(
                Path::new(HELPER).parent().unwrap().to_path_buf(),
            ))
            .chain(std::env::split_paths(
                &std::env::var_os("PATH").unwrap_or_default(),
            )),
    )
    .unwrap();
    let (_, json) = doctor.run(&["--offline"], &[("PATH", path.to_str().unwrap())]);
    assert_check(
        &json,
        "git.on_path",
        "problem",
        &older.join("git-credential-ghoauth").display().to_string(),
        "remove",
    );
}

#[test]
fn a_busy_redirect_port() {
    let doctor = Doctor::configured("doctor-port");
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let url = doctor.url();
    doctor.git_config(&[
        &format!("credential.{url}.ghoauthRedirectUri"),
        &format!("http://127.0.0.1:{port}/callback"),
    ]);
    let (_, json) = doctor.run(&["--offline"], &[]);
    assert_check(
        &json,
        "app.redirect_ports",
        "problem",
        &port.to_string(),
        "setup --host",
    );
}

#[test]
fn an_unknown_client_id() {
    let doctor = Doctor::configured_with(
        "doctor-client",
        world("doctor-client"),
        "Ov23liNobodyKnowsMe0",
    );
    let (_, json) = doctor.run(&[], &[]);
    assert_client_check(
        &json,
        "problem",
        "does not know the client id Ov23liNobodyKnowsMe0 (unknown client id: HTTP 404)",
        "--client-id",
    );
}

/// What doctor says of a client id GitHub knows, with the secret it takes.
const KNOWN_PAIR: &str = "knows the client id and takes the client secret";

fn assert_client_check(json: &Value, status: &str, said: &str, fix: &str) {
    assert_check(json, "network.client_id", status, said, fix);
}

/// GitHub's authorize page sends every client id to its sign-in page, so
/// doctor asks the token endpoint, which tells a wrong secret from a good
/// pair; with no secret, the device-code endpoint tells a known id.
#[test]
fn a_wrong_secret_a_good_pair_and_no_secret_each_named() {
    let doctor = Doctor::configured("doctor-secret");
    let (_, json) = doctor.run(&[], &[]);
    assert_client_check(&json, "ok", KNOWN_PAIR, "");
    for (secret, status, said, fix) in [
        (
            "not-the-secret",
            "problem",
            "refuses its client secret (incorrect_client_credentials)",
            "--client-secret-stdin",
        ),
        (
            "",
            "ok",
            "no client secret is configured, so none was checked",
            "",
        ),
    ] {
        let name = format!("doctor-secret-{}", secret.len());
        let doctor = Doctor::configured_with_secret(&name, secret);
        let (_, json) = doctor.run(&[], &[]);
        assert_client_check(&json, status, said, fix);
    }
}

/// The same check where the web and API hosts differ: github.com (through
/// its proxy) and a GHE.com tenant, for a known and an unknown client id.
#[test]
fn the_client_check_on_github_com_and_ghe_com() {
    type StartWorld = fn(&str) -> World;
    let worlds: [(&str, StartWorld); 2] = [
        ("doctor-client-dotcom", github_com_world),
        ("doctor-client-ghe-com", ghe_com_tenant_world),
    ];
    for (name, start) in worlds {
        let good = Doctor::configured_with(name, start(name), CLIENT_ID);
        let (_, json) = good.run(&[], &[]);
        assert_client_check(&json, "ok", KNOWN_PAIR, "");
        let unknown_name = format!("{name}-unknown");
        let unknown =
            Doctor::configured_with(&unknown_name, start(&unknown_name), "Ov23liNobodyKnowsMe0");
        let (_, json) = unknown.run(&[], &[]);
        assert_client_check(
            &json,
            "problem",
            "does not know the client id Ov23liNobodyKnowsMe0",
            "--client-id",
        );
    }
}

/// A rate-limited `GET /user` is the rate limit, not a revoked token.
#[test]
fn a_rate_limit_is_named_as_one() {
    let doctor = Doctor::configured("doctor-rate");
    doctor.login();
    for limit in [
        fake_github::RateLimit::Primary(Duration::from_secs(600)),
        fake_github::RateLimit::Secondary429(Duration::from_secs(60)),
    ] {
        doctor.world.fake.set_rate_limit(limit);
        let (_, json) = doctor.run(&[], &[]);
        assert_check(
            &json,
            "account.token",
            "warning",
            "rate limit was hit",
            "once the limit lifts",
        );
        let refused = json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|check| check["summary"].as_str().unwrap().contains("refuses"));
        assert!(!refused, "{:#}", json["checks"]);
    }
}

#[test]
fn the_device_flow_disabled() {
    let doctor = Doctor::configured("doctor-device");
    doctor.world.fake.disable_device_flow();
    let url = doctor.url();
    doctor.git_config(&[&format!("credential.{url}.ghoauthFlow"), "device"]);
    let (_, json) = doctor.run(&[], &[]);
    assert_check(
        &json,
        "network.device_flow",
        "problem",
        "does not allow the device flow",
        "Enable Device Flow",
    );
}

#[test]
fn a_server_clock_ten_minutes_off() {
    let doctor = Doctor::configured("doctor-clock");
    doctor.world.fake.set_clock_ahead(Duration::from_secs(600));
    let (_, json) = doctor.run(&[], &[]);
    assert_check(
        &json,
        "network.clock",
        "warning",
        "10 min behind",
        "set-ntp",
    );
}

#[test]
fn a_revoked_token() {
    let doctor = Doctor::configured("doctor-revoked");
    let token = doctor.login();
    doctor.world.fake.revoke_behind_the_back(&token);
    let (_, json) = doctor.run(&[], &[]);
    assert_check(
        &json,
        "account.token",
        "problem",
        "refuses octocat's token (HTTP 401)",
        "logout",
    );
}

/// Run in a repository, doctor asks what each account may do there, and
/// names SAML SSO with its authorization address where GitHub says it
/// stands in the way.
#[test]
fn in_a_repository_whose_organisation_enforces_sso() {
    let doctor = Doctor::configured("doctor-sso");
    doctor.login();
    let fake = &doctor.world.fake;
    fake.create_repo("acme/app");
    fake.make_private("acme/app", &[("octocat", Permission::Push)]);
    let work = doctor.world.dir.join("acme-app");
    std::fs::create_dir_all(&work).unwrap();
    for args in [
        vec!["init", "-q"],
        vec![
            "remote",
            "add",
            "origin",
            &format!("{}/acme/app.git", doctor.url()),
        ],
    ] {
        let mut git = command("git");
        git.current_dir(&work).args(&args);
        assert!(run(git, b"").status.success(), "git {args:?}");
    }
    let (_, json) = doctor.run_in(&work, &[], &[]);
    assert_check(
        &json,
        "account.repository",
        "ok",
        "octocat can push to acme/app",
        "",
    );

    fake.require_sso("acme", "octocat");
    let (ran, json) = doctor.run_in(&work, &[], &[]);
    assert_check(
        &json,
        "account.repository",
        "problem",
        "octocat cannot reach acme/app: the acme organisation enforces SAML single sign-on",
        "authorize the token",
    );
    assert!(
        ran.stdout_text()
            .contains("/orgs/acme/sso?authorization_request="),
        "{}",
        ran.stdout_text()
    );
    // Outside any repository there is nothing to ask.
    let (_, json) = doctor.run(&[], &[]);
    assert!(!json.to_string().contains("account.repository"), "{json}");
}

#[test]
fn missing_scopes() {
    let doctor = Doctor::configured("doctor-scopes");
    let url = doctor.url();
    doctor.git_config(&[&format!("credential.{url}.ghoauthScopes"), "read:user"]);
    doctor.login();
    let (_, json) = doctor.run(&[], &[]);
    assert_check(
        &json,
        "account.scopes",
        "problem",
        "lacks the repo scope",
        "ghoauthScopes 'repo workflow'",
    );
}

#[test]
fn an_expired_refresh_token() {
    let doctor = Doctor::configured("doctor-refresh");
    doctor.world.fake.issue_expiring_tokens(Lifetimes {
        access: Duration::from_secs(3600),
        refresh: Duration::ZERO,
    });
    doctor.login();
    let (_, json) = doctor.run(&["--offline"], &[]);
    assert_check(
        &json,
        "account.expiry",
        "problem",
        "refresh token has expired",
        "login --host",
    );
}

#[test]
fn a_proxy_that_refuses() {
    let doctor =
        Doctor::configured_with("doctor-proxy", github_com_world("doctor-proxy"), CLIENT_ID);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    doctor.git_config(&["http.proxy", &format!("http://127.0.0.1:{port}")]);
    let (_, json) = doctor.run(&[], &[]);
    assert_check(
        &json,
        "network.proxy",
        "ok",
        &format!("127.0.0.1:{port} (git's http.proxy)"),
        "",
    );
    assert_check(
        &json,
        "network.reach",
        "problem",
        "could not reach",
        "http.proxy",
    );
}

#[test]
fn a_stalled_server_cannot_hold_doctor_past_its_bound() {
    let doctor = Doctor::configured("doctor-stalled");
    doctor.login();
    doctor.world.fake.stall_everything();
    let started = Instant::now();
    let (_, json) = doctor.run(&[], &[]);
    let took = started.elapsed();
    assert_check(&json, "network.reach", "problem", "", "network");
    assert!(took < Duration::from_secs(20), "doctor took {took:?}");
}

/// A lock file a stopped git left beside the global config blocks every
/// change of it, git's own included: doctor names it and how to remove it.
#[test]
fn a_leftover_global_config_lock_is_named_with_its_removal() {
    let doctor = Doctor::configured("doctor-config-lock");
    let (_, clean) = doctor.run(&["--offline"], &[]);
    assert!(
        !clean.to_string().contains("git.config_lock"),
        "said only when present"
    );
    let lock = doctor.world.dir.join("gitconfig-doctor-config-lock.lock");
    std::fs::write(&lock, "").unwrap();
    let (_, json) = doctor.run(&["--offline"], &[]);
    assert_check(
        &json,
        "git.config_lock",
        "problem",
        "nothing can change your global git config",
        &format!("rm '{}'", lock.display()),
    );
    std::fs::remove_file(&lock).unwrap();
}

/// doctor's output is made to be pasted into bug reports, and a `get`'s
/// errors land in CI logs: a proxy's password is in neither. (HTTPS_PROXY
/// goes through the same masking; this world sets it to its own proxy.)
#[test]
fn a_proxy_password_is_never_printed() {
    let password = "Pr0xyPassw0rd";
    watch_secret(password);
    let doctor = Doctor::configured_with(
        "doctor-proxy-password",
        github_com_world("doctor-proxy-password"),
        CLIENT_ID,
    );
    let proxy = doctor.world.fake.proxy_url.clone().unwrap();
    let with_password = proxy.replace("http://", &format!("http://alice:{password}@"));
    doctor.git_config(&["http.proxy", &with_password]);
    let (ran, json) = doctor.run(&[], &[]);
    assert!(
        !ran.stdout_text().contains(password),
        "{}",
        ran.stdout_text()
    );
    assert_check(&json, "network.proxy", "ok", "alice:***@127.0.0.1", "");
    let text = doctor.helper(&["doctor", "--host", &doctor.url()], &[]);
    assert!(!text.stdout_text().contains(password));
    assert!(
        text.stdout_text().contains("alice:***@"),
        "{}",
        text.stdout_text()
    );

    // A password holding `/`, `?` or `#` makes a broken URL: masked all
    // the same, up to the last `@`.
    let broken = proxy.replace("http://", &format!("http://alice:{password}/x?y#z@"));
    doctor.git_config(&["http.proxy", &broken]);
    let (ran, json) = doctor.run(&[], &[]);
    assert!(
        !ran.stdout_text().contains(password),
        "{}",
        ran.stdout_text()
    );
    assert_check(&json, "network.proxy", "ok", "alice:***@127.0.0.1", "");

    // Not a URL at all: `get` says so, without the password.
    doctor.git_config(&["http.proxy", &format!("http://alice:{password}@[::1")]);
    let mut get = command(HELPER);
    get.env("GIT_CONFIG_GLOBAL", &doctor.config)
        .env("GHOAUTH_CLIENT_SECRET", &doctor.world.client_secret)
        .env("BROWSER", doctor.world.dir.join("browser"))
        .env_remove("GIT_TERMINAL_PROMPT")
        .arg("get");
    doctor.world.network(&mut get);
    // A user nobody stored: github.com's keyring entries are shared with
    // the other github.com tests, and a stored token needs no proxy.
    let refused = run(
        get,
        doctor
            .world
            .fill_input("username=proxy-password-nobody\n")
            .as_bytes(),
    );
    assert!(
        refused.stderr.contains("is not a proxy URL"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("alice:***@"), "{}", refused.stderr);
}

/// The helper's requests carry every account's tokens (doctor's account
/// checks, discovery) and the app's secret (refresh, revocation), where git
/// alone sends one credential: a repository's own `http.proxy` and
/// `http.sslCAInfo` do not steer them, and a CA file that never ends is
/// refused, not read forever.
#[test]
fn a_repositorys_own_http_settings_do_not_steer_the_helper() {
    // github.com's entries are one for every test that plays it: a
    // keyring of this test's own, so that its sign-in is its own.
    let own = start_session(KeyringState::Unlocked);
    in_session(&own, || {
        let doctor = Doctor::configured_with(
            "doctor-repo-http",
            github_com_world("doctor-repo-http"),
            CLIENT_ID,
        );
        doctor.login();
        let repository = doctor.world.dir.join("repo-with-its-own-http");
        let mut init = command("git");
        init.args(["init", "-q"]).arg(&repository);
        assert!(run(init, b"").status.success());
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let closed_port = closed.local_addr().unwrap().port();
        drop(closed);
        for (key, value) in [
            ("http.proxy", format!("http://127.0.0.1:{closed_port}")),
            ("http.sslCAInfo", "/dev/zero".to_string()),
        ] {
            let mut set = command("git");
            set.current_dir(&repository).args(["config", key, &value]);
            assert!(run(set, b"").status.success());
        }
        let mut inside = command(HELPER);
        inside
            .current_dir(&repository)
            .env("GIT_CONFIG_GLOBAL", &doctor.config)
            .args(["doctor", "--host", &doctor.url(), "--json"]);
        doctor.world.network(&mut inside);
        let ran = run(inside, b"");
        let json: Value = serde_json::from_slice(&ran.stdout).unwrap();
        assert!(
            !json.to_string().contains(&closed_port.to_string()),
            "{json:#}"
        );
        assert_check(&json, "network.reach", "ok", "", "");

        doctor.git_config(&["http.sslCAInfo", "/dev/zero"]);
        let started = Instant::now();
        let (_, json) = doctor.run(&[], &[]);
        assert!(started.elapsed() < Duration::from_secs(20));
        assert!(json.to_string().contains("larger than 8 MiB"), "{json:#}");
    });
}
