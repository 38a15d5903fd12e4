//! `setup` against the fake GitHub: the manifest flow creates the app, the
//! installation page installs it, a sign-in follows, and a push needs no
//! further prompt. The browser is a script that posts the manifest form as
//! a browser would, and follows every redirect.
#![cfg(unix)]

use std::path::{Path, PathBuf};

use crate::common::*;
use crate::fake_github::{CLIENT_ID, Consent, InstallUser, ManifestUser};
use crate::world::*;

/// A `$BROWSER` that submits the helper's manifest page (what its script
/// does in a real browser) and otherwise follows redirects, like the
/// other tests' browser.
fn setup_browser(world: &World) -> PathBuf {
    let browser = world.dir.join("setup-browser");
    let log = world.dir.join("browser.log");
    let page = world.dir.join("page.html");
    write_script(
        &browser,
        &format!(
            r#"printf '%s\n' "$1" >>'{log}'
fetch() {{ curl -sS -L {network} --max-time 30 "$@"; }}
first=$(fetch "$1")
case "$first" in
*'name="manifest"'*)
    action=$(printf '%s' "$first" | sed -n 's/.*action="\([^"]*\)".*/\1/p' | sed 's/&amp;/\&/g')
    manifest=$(printf '%s' "$first" | sed -n 's/.*name="manifest" value="\([^"]*\)".*/\1/p' \
        | sed 's/&quot;/"/g; s/&lt;/</g; s/&gt;/>/g; s/&#39;/'"'"'/g; s/&amp;/\&/g')
    fetch -o '{page}' --data-urlencode "manifest=$manifest" "$action" ;;
*) printf '%s' "$first" >'{page}' ;;
esac"#,
            log = log.display(),
            page = page.display(),
            network = curl_network(&world.fake)
        ),
    );
    browser
}

fn setup_command(world: &World, config: &Path, args: &[&str]) -> Run {
    let mut command = command(HELPER);
    command
        .env("GIT_CONFIG_GLOBAL", config)
        .env("BROWSER", setup_browser(world))
        .env_remove("GIT_TERMINAL_PROMPT")
        .env_remove("GHOAUTH_CLIENT_ID")
        .env_remove("GHOAUTH_CLIENT_SECRET")
        .args(["setup", "--host", &world.fake.base_url])
        .args(args);
    world.network(&mut command);
    run(command, b"")
}

fn global_config(world: &World, timeout: Option<u64>) -> PathBuf {
    let config = world.dir.join("gitconfig");
    let text = match timeout {
        Some(seconds) => format!(
            "[credential \"{}\"]\n\tghoauthTimeout = {seconds}\n",
            world.fake.base_url
        ),
        None => String::new(),
    };
    std::fs::write(&config, text).unwrap();
    config
}

#[test]
fn setup_creates_installs_and_signs_in_and_the_push_needs_nothing_more() {
    creates_installs_signs_in_and_pushes(&world("setup"));
}

/// A GHE.com tenant: the app pages on `acme.ghe.com`, the manifest's
/// conversion and the installations on `api.acme.ghe.com`. In a kernel
/// namespace of its own, as every test of a tenant is: the tenant's name
/// is the same in each.
#[test]
#[cfg(target_os = "linux")]
fn setup_against_a_ghe_com_tenant_uses_its_web_and_api_hosts() {
    without_dbus(Some("kernel"), || {
        let world = ghe_com_tenant_world("setup-tenant");
        creates_installs_signs_in_and_pushes(&world);
        let seen = world.fake.seen();
        let reached = |host: &str, path: &str| {
            seen.iter()
                .any(|(h, _, p)| h == host && p.starts_with(path))
        };
        assert!(reached("acme.ghe.com", "/settings/apps/new"), "{seen:?}");
        assert!(reached("acme.ghe.com", "/apps/"), "{seen:?}");
        assert!(reached("api.acme.ghe.com", "/app-manifests/"), "{seen:?}");
        assert!(reached("api.acme.ghe.com", "/user"), "{seen:?}");
        for (host, _, path) in &seen {
            assert_eq!(
                host == "api.acme.ghe.com",
                !(path.starts_with("/login/")
                    || path.starts_with("/settings/")
                    || path.starts_with("/apps/")
                    || path.starts_with("/acme/")
                    || path.starts_with("/octo/")),
                "{host} {path}"
            );
        }
    });
}

fn creates_installs_signs_in_and_pushes(world: &World) {
    let config = global_config(world, None);
    let done = setup_command(world, &config, &[]);
    assert!(done.status.success(), "{}", done.stderr);
    let said = done.stdout_text();
    assert!(
        said.contains(&format!(
            "Set up {} with your GitHub App",
            world.fake.base_url
        )) && said.contains("logged in as octocat"),
        "{said}"
    );
    assert!(said.contains("Enable Device Flow"), "{said}");
    assert!(
        done.stderr
            .contains("its private key and webhook secret were not kept"),
        "{}",
        done.stderr
    );
    assert_eq!(world.fake.apps_created(), 1);
    assert_eq!(world.fake.installations(), 1);
    assert_eq!(world.fake.authorizations(), 1);
    assert_eq!(world.browser_opened(), 3, "create, install, sign in");

    let manifest = world.fake.manifest().expect("a manifest");
    assert_eq!(manifest["callback_urls"].as_array().unwrap().len(), 10);
    assert_eq!(manifest["default_permissions"]["contents"], "write");
    assert_eq!(manifest["default_permissions"]["workflows"], "write");
    assert_eq!(manifest["hook_attributes"]["active"], false);
    assert!(manifest["name"].as_str().unwrap().len() <= 34);

    let written = std::fs::read_to_string(&config).unwrap();
    assert!(
        written.contains(&format!("ghoauthClientId = {CLIENT_ID}")),
        "{written}"
    );
    assert_eq!(
        written
            .matches("ghoauthRedirectUri = http://127.0.0.1:")
            .count(),
        10
    );
    assert!(
        !written.contains(&world.client_secret),
        "no secret in the config"
    );
    let secrets = world.dir.join(".git-credential-ghoauth-secrets");
    assert!(
        std::fs::read_to_string(&secrets)
            .unwrap()
            .contains(&world.client_secret)
    );

    // A push with nothing but the global config: the token is there.
    let work = world.clone_new_repo("octo/setup", "octocat");
    commit(world, &work, "one.txt");
    let mut push = command("git");
    world.network(&mut push);
    push.current_dir(&work)
        .env("GIT_CONFIG_GLOBAL", &config)
        .env_remove("GIT_TERMINAL_PROMPT")
        .args(["push", "-q", "origin", "main"]);
    let pushed = run(push, b"");
    assert!(pushed.status.success(), "{}", pushed.stderr);
    assert_eq!(world.fake.authorizations(), 1, "no second sign-in");
    assert_eq!(world.browser_opened(), 3, "no browser for the push");

    // Set up already: says so and changes nothing.
    let again = setup_command(world, &config, &[]);
    assert!(again.status.success(), "{}", again.stderr);
    assert!(
        again.stdout_text().contains("already set up"),
        "{}",
        again.stdout_text()
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), written);
    assert_eq!(world.fake.apps_created(), 1);
    assert_eq!(world.browser_opened(), 3);
}

#[test]
fn an_app_that_is_never_created_leaves_nothing_configured() {
    let world = world("setup-walk-away");
    world.fake.set_manifest_user(ManifestUser::WalksAway);
    let config = global_config(&world, Some(3));
    let done = setup_command(&world, &config, &[]);
    assert_eq!(done.status.code(), Some(1), "{}", done.stderr);
    let said = complaints(&done.stderr);
    assert_eq!(said.len(), 1, "{}", done.stderr);
    assert!(
        said[0].contains("did not say it created the app within 3 s"),
        "{}",
        said[0]
    );
    assert!(
        !std::fs::read_to_string(&config)
            .unwrap()
            .contains("ghoauthClientId")
    );
}

#[test]
fn a_code_that_was_converted_already_is_refused() {
    let world = world("setup-replay");
    world.fake.set_manifest_user(ManifestUser::ReplaysACode);
    let config = global_config(&world, Some(10));
    let done = setup_command(&world, &config, &[]);
    assert_eq!(done.status.code(), Some(1), "{}", done.stderr);
    let said = complaints(&done.stderr);
    assert_eq!(said.len(), 1, "{}", done.stderr);
    assert!(said[0].contains("works once"), "{}", said[0]);
    assert!(
        !std::fs::read_to_string(&config)
            .unwrap()
            .contains("ghoauthClientId")
    );
    assert!(world.page_shown().contains("could not be created"));
}

#[test]
fn an_app_created_but_not_installed_is_named_so_it_can_be_deleted() {
    let world = world("setup-no-install");
    world.fake.set_install_user(InstallUser::WalksAway);
    let config = global_config(&world, Some(3));
    let done = setup_command(&world, &config, &[]);
    assert_eq!(done.status.code(), Some(1), "{}", done.stderr);
    let said = complaints(&done.stderr);
    let last = said.last().copied().unwrap_or_default();
    assert!(
        last.contains("was created, but not installed")
            && last.contains("delete the app at")
            && last.contains("--force"),
        "{}",
        done.stderr
    );
    assert_eq!(world.fake.installations(), 0);
    assert_eq!(world.fake.authorizations(), 0);
}

/// Ctrl-C while setup waits at step `waits_at` (1: creating the app, 2:
/// installing it): the helper stops at once, and nothing is configured
/// that was not already there.
fn interrupted_at(name: &str, waits_at: usize) {
    let world = world(name);
    match waits_at {
        1 => world.fake.set_manifest_user(ManifestUser::WalksAway),
        _ => world.fake.set_install_user(InstallUser::WalksAway),
    }
    let config = global_config(&world, Some(60));
    let mut setup = command(HELPER);
    let mut helper = setup
        .env("GIT_CONFIG_GLOBAL", &config)
        .env("BROWSER", setup_browser(&world))
        .env_remove("GIT_TERMINAL_PROMPT")
        .args(["setup", "--host", &world.fake.base_url])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_until(std::time::Duration::from_secs(20), "the browser", || {
        world.browser_opened() == waits_at
    });
    // SAFETY: kill(2) with SIGINT on the pid of the child spawned above.
    unsafe { libc::kill(helper.id() as i32, libc::SIGINT) };
    let mut status = None;
    wait_until(
        std::time::Duration::from_secs(20),
        "the helper to stop",
        || {
            status = helper.try_wait().unwrap();
            status.is_some()
        },
    );
    assert!(!status.unwrap().success());
    let written = std::fs::read_to_string(&config).unwrap();
    match waits_at {
        1 => assert!(!written.contains("ghoauthClientId"), "{written}"),
        // The app exists by then; it is configured, and setup --force
        // finishes the job.
        _ => assert!(written.contains("ghoauthClientId"), "{written}"),
    }
    assert_eq!(world.fake.authorizations(), 0);
    assert!(world.live_tokens().is_empty(), "no token");
}

#[test]
fn ctrl_c_while_the_app_is_being_created_configures_nothing() {
    interrupted_at("setup-ctrl-c-create", 1);
}

#[test]
fn ctrl_c_while_the_app_is_being_installed_signs_in_nobody() {
    interrupted_at("setup-ctrl-c-install", 2);
}

/// setup to the end with GitHub's documented minimum: the installation
/// redirect without the state, and a renamed app whose conversion reply
/// has no slug. GitHub's list of the user's installations confirms it.
#[test]
fn setup_needs_only_what_github_documents() {
    let world = world("setup-documented");
    world
        .fake
        .set_install_user(InstallUser::InstallsWithoutState);
    world.fake.set_manifest_user(ManifestUser::CreatesRenamed);
    let config = global_config(&world, Some(20));
    let done = setup_command(&world, &config, &[]);
    assert!(done.status.success(), "{}", done.stderr);
    assert_eq!(complaints(&done.stderr), Vec::<&str>::new());
    let said = done.stdout_text();
    assert!(said.contains("(Renamed!)"), "{said}");
    assert!(said.contains("/apps/ghoauth-"), "{said}");
    assert!(said.contains("-renamed/installations/new"), "{said}");
    assert_eq!(world.fake.installations(), 1);
    assert_eq!(world.fake.authorizations(), 1);
    assert!(
        world
            .fake
            .seen()
            .iter()
            .any(|(_, method, path)| method == "GET" && path == "/api/v3/user/installations"),
        "setup asked GitHub whether the app is installed"
    );
}

/// A redirect to the setup URL is no proof: when GitHub does not list the
/// installation, setup says so in one line, keeps the token, and exits 1.
#[test]
fn an_installation_github_does_not_list_is_named_and_exits_1() {
    let world = world("setup-spoofed");
    world
        .fake
        .set_install_user(InstallUser::RedirectsWithoutInstalling);
    let config = global_config(&world, Some(20));
    let done = setup_command(&world, &config, &[]);
    assert_eq!(done.status.code(), Some(1), "{}", done.stderr);
    let said = complaints(&done.stderr);
    assert_eq!(said.len(), 1, "{}", done.stderr);
    assert!(
        said[0].contains("as installed for octocat")
            && said[0].contains("/installations/new")
            && !said[0].contains("state="),
        "{}",
        said[0]
    );
    assert_eq!(world.fake.installations(), 0);
    assert_eq!(world.live_tokens().len(), 1, "the token is kept");
}

/// setup writes ten callbacks; a sign-in takes the first whose port is
/// free. git's `--get-urlmatch` returns only the last of them, so this
/// holds the first and the last, and reads them all through real git.
#[test]
fn a_sign_in_after_setup_takes_a_free_callback_when_others_are_busy() {
    let world = world("setup-busy-ports");
    let config = global_config(&world, Some(20));
    let done = setup_command(&world, &config, &[]);
    assert!(done.status.success(), "{}", done.stderr);
    let written = std::fs::read_to_string(&config).unwrap();
    let ports: Vec<u16> = written
        .lines()
        .filter_map(|line| {
            line.trim()
                .strip_prefix("ghoauthRedirectUri = http://127.0.0.1:")
        })
        .filter_map(|rest| rest.strip_suffix("/callback")?.parse().ok())
        .collect();
    assert_eq!(ports.len(), 10, "{written}");

    let url = world.fake.base_url.as_str();
    let helper = |args: &[&str]| {
        let mut command = command(HELPER);
        command
            .env("GIT_CONFIG_GLOBAL", &config)
            .env("BROWSER", world.dir.join("browser"))
            .env_remove("GIT_TERMINAL_PROMPT")
            .args(args);
        run(command, b"")
    };
    let logout = helper(&["logout", "--host", url]);
    assert!(logout.status.success(), "{}", logout.stderr);
    let first = std::net::TcpListener::bind(("127.0.0.1", ports[0])).unwrap();
    let _last = std::net::TcpListener::bind(("127.0.0.1", ports[9])).unwrap();
    let login = helper(&["login", "--host", url, "--flow", "browser"]);
    assert!(login.status.success(), "{}", login.stderr);
    let asked = world.fake.authorize_requests();
    assert_eq!(
        asked
            .last()
            .and_then(|request| request.redirect_uri.clone()),
        Some(format!("http://127.0.0.1:{}/callback", ports[1])),
        "the first free callback"
    );
    // GitHub sends a Cancel to the first registered callback: said at once.
    assert!(
        login.stderr.contains(&format!(
            "another program holds the port of http://127.0.0.1:{}/callback",
            ports[0]
        )) && login.stderr.contains("press Ctrl-C"),
        "{}",
        login.stderr
    );

    // With the first port free, the helper listens there and sees a Cancel.
    drop(first);
    world.fake.set_consent(Consent::Deny);
    let cancelled = helper(&["login", "--host", url, "--flow", "browser", "--force"]);
    assert!(!cancelled.status.success());
    assert!(
        cancelled
            .stderr
            .contains("sign-in was cancelled in the browser")
            && !cancelled.stderr.contains("another program holds"),
        "{}",
        cancelled.stderr
    );
}
