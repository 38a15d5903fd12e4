//! The commands for people — configure, login, status, logout, unconfigure —
//! and install.sh, through the real Secret Service and the fake GitHub.
//! Each test has its own global git config (GIT_CONFIG_GLOBAL).
// Drives processes the Unix way (signals, sessions, file modes, a pty).
#![cfg(unix)]

use crate::common;
use crate::fake_github;
use crate::world;

use std::path::{Path, PathBuf};

use common::*;
use fake_github::{CLIENT_ID, DeviceUser};
use world::*;

/// The helper with a global git config of the test's own.
fn helper_with(world: &World, config: &Path, args: &[&str]) -> Run {
    let mut command = command(HELPER);
    command
        .env("GIT_CONFIG_GLOBAL", config)
        .env("GHOAUTH_CLIENT_SECRET", &world.client_secret)
        .env("BROWSER", world.dir.join("browser"))
        .env_remove("GIT_TERMINAL_PROMPT")
        .args(args);
    run(command, b"")
}

fn configured(world: &World) -> PathBuf {
    let config = world.dir.join("gitconfig");
    let url = world.fake.base_url.as_str();
    let done = helper_with(
        world,
        &config,
        &["configure", "--host", url, "--client-id", CLIENT_ID],
    );
    assert!(done.status.success(), "{}", done.stderr);
    config
}

/// The one working token of `login` at the fake.
fn token_of(world: &World, login: &str) -> String {
    let tokens = world.fake.live_tokens_of(login);
    assert_eq!(
        tokens.len(),
        1,
        "{login} has {} working tokens",
        tokens.len()
    );
    tokens[0].clone()
}

#[test]
fn login_status_logout() {
    let world = world("accounts");
    let config = configured(&world);
    let url = world.fake.base_url.as_str();

    let login = helper_with(&world, &config, &["login", "--host", url, "--browser"]);
    assert!(login.status.success(), "{}", login.stderr);
    assert_eq!(
        login.stdout_text(),
        format!(
            "Logged in to {} as octocat with the app {CLIENT_ID} (scopes: repo workflow).\n",
            world.fake.host
        )
    );
    let token = token_of(&world, "octocat");

    let status = helper_with(&world, &config, &["status", "--host", url]);
    assert!(status.status.success(), "{}", status.stderr);
    let shown = status.stdout_text();
    assert!(shown.contains("octocat [default]"), "{shown}");
    assert!(
        shown.contains(&format!("{}…{}", &token[..4], &token[token.len() - 4..])),
        "{shown}"
    );
    assert!(!shown.contains(&token), "status never shows a whole token");
    assert!(shown.contains("scopes:  repo workflow"), "{shown}");
    assert!(shown.contains("expires: never"), "{shown}");
    assert!(shown.contains("Secret Service"), "{shown}");
    assert!(
        shown.contains(&format!(
            "App for {url}: {CLIENT_ID} (configured; with a client secret)."
        )),
        "{shown}"
    );
    let version = helper_with(&world, &config, &["--version"]).stdout_text();
    assert!(
        version.contains("(no built-in app: configure one for github.com)"),
        "{version}"
    );
    let everything = helper_with(&world, &config, &["status"]);
    assert!(everything.stdout_text().contains(&world.fake.base_url));

    // The helper entry configure wrote is what git runs.
    let mut fill = command("git");
    fill.env("GIT_CONFIG_GLOBAL", &config)
        .args(["credential", "fill"]);
    let filled = run(
        fill,
        format!("protocol=http\nhost={}\n", world.fake.host).as_bytes(),
    );
    assert!(
        filled.stdout_text().contains(&format!("password={token}")),
        "{}",
        filled.stderr
    );

    let logout = helper_with(&world, &config, &["logout", "--host", url]);
    assert!(logout.status.success(), "{}", logout.stderr);
    assert_eq!(
        logout.stdout_text(),
        format!(
            "Logged out octocat from {} and revoked its token at GitHub.\n",
            world.fake.host
        )
    );
    assert!(!world.fake.is_live(&token));
    let status = helper_with(&world, &config, &["status", "--host", url]);
    assert_eq!(status.status.code(), Some(1), "nothing stored is exit 1");
    assert!(status.stdout_text().contains("Nothing is stored"));
    let again = helper_with(&world, &config, &["logout", "--host", url]);
    assert!(again.status.success());
    assert!(again.stdout_text().contains("Nobody is logged in"));
}

#[test]
fn login_with_the_device_flow() {
    let world = world("accounts-device");
    world
        .fake
        .set_device_user(DeviceUser::EntersCodeAfterPolls(1));
    let config = configured(&world);
    let url = world.fake.base_url.as_str();
    let login = helper_with(&world, &config, &["login", "--host", url, "--device"]);
    assert!(login.status.success(), "{}", login.stderr);
    assert!(login.stderr.contains("enter the code"), "{}", login.stderr);
    assert!(login.stdout_text().contains("as octocat"));
    assert_eq!(world.browser_opened(), 0);
}

#[test]
fn logout_of_one_account_keeps_the_other() {
    // `logout --all` takes every token this helper obtained in the
    // keyring: a keyring of this test's own, so that other tests' tokens
    // are not among them.
    let own = start_session(KeyringState::Unlocked);
    in_session(&own, || {
        let world = world("accounts-two");
        let config = configured(&world);
        let url = world.fake.base_url.as_str();
        world.fake.sign_in_as("alice");
        assert!(
            helper_with(&world, &config, &["login", "--host", url, "--browser"])
                .status
                .success()
        );
        let alice = token_of(&world, "alice");
        world.fake.sign_in_as("bob");
        let without_force = helper_with(&world, &config, &["login", "--host", url, "--browser"]);
        assert!(without_force.status.success(), "{}", without_force.stderr);
        assert!(
            without_force.stdout_text().contains("Already logged in")
                && without_force.stdout_text().contains("--force"),
            "{}",
            without_force.stdout_text()
        );
        assert_eq!(
            world.fake.authorizations(),
            1,
            "no second sign-in without --force"
        );
        assert!(
            helper_with(
                &world,
                &config,
                &["login", "--host", url, "--browser", "--force"]
            )
            .status
            .success()
        );
        assert_eq!(world.fake.authorizations(), 2);

        let shown = helper_with(&world, &config, &["status", "--host", url]).stdout_text();
        assert!(
            shown.contains("bob [default]") && shown.contains("  alice\n"),
            "{shown}"
        );

        let logout = helper_with(
            &world,
            &config,
            &["logout", "--host", url, "--user", "alice"],
        );
        assert!(logout.status.success(), "{}", logout.stderr);
        assert!(!world.fake.is_live(&alice));
        let shown = helper_with(&world, &config, &["status", "--host", url]).stdout_text();
        assert!(shown.contains("bob") && !shown.contains("alice"), "{shown}");
        // bob's token still works at GitHub after alice's logout.
        let bob = token_of(&world, "bob");

        let everywhere = helper_with(&world, &config, &["logout", "--all"]);
        assert!(everywhere.status.success(), "{}", everywhere.stderr);
        assert!(
            everywhere.stdout_text().contains("Logged out bob"),
            "{}",
            everywhere.stdout_text()
        );
        assert!(!world.fake.is_live(&bob), "logout --all revoked it");
        assert!(!world.keyring().contains("bob"));
    });
}

/// The helper with the test's own global config and no client secret
/// anywhere in its environment.
fn helper_without_secret(world: &World, config: &Path, args: &[&str]) -> Run {
    let mut command = command(HELPER);
    command
        .env("GIT_CONFIG_GLOBAL", config)
        .env_remove("GHOAUTH_CLIENT_SECRET")
        .env("BROWSER", world.dir.join("browser"))
        .env("DISPLAY", ":0")
        .env_remove("GIT_TERMINAL_PROMPT")
        .args(args);
    run(command, b"")
}

#[test]
fn an_app_without_a_secret_signs_in_by_device_and_logout_says_it_could_not_revoke() {
    let world = world("accounts-no-secret");
    let config = world.dir.join("gitconfig");
    let url = world.fake.base_url.as_str();
    let configured = helper_without_secret(
        &world,
        &config,
        &["configure", "--host", url, "--client-id", CLIENT_ID],
    );
    assert!(configured.status.success(), "{}", configured.stderr);
    assert!(
        configured
            .stdout_text()
            .contains("no client secret is configured")
            && configured.stdout_text().contains("cannot revoke"),
        "{}",
        configured.stdout_text()
    );

    // A display and $BROWSER are there, but auto takes the device flow.
    let login = helper_without_secret(&world, &config, &["login", "--host", url]);
    assert!(login.status.success(), "{}", login.stderr);
    assert!(login.stderr.contains("enter the code"), "{}", login.stderr);
    assert_eq!(world.browser_opened(), 0);

    let logout = helper_without_secret(&world, &config, &["logout", "--host", url]);
    assert_eq!(logout.status.code(), Some(1), "{}", logout.stderr);
    let said = logout.stdout_text();
    assert!(!said.contains("and revoked its token"), "{said}");
    assert!(said.contains("NOT revoked"), "{said}");
    assert_eq!(world.live_tokens().len(), 1, "it was indeed not revoked");
}

#[test]
fn a_new_client_id_drops_the_old_apps_secret() {
    let world = world("accounts-new-app");
    let config = configured(&world);
    let secrets = world.dir.join(".git-credential-ghoauth-secrets");
    assert!(secrets.exists());
    let url = world.fake.base_url.as_str();
    let other = helper_without_secret(
        &world,
        &config,
        &[
            "configure",
            "--host",
            url,
            "--client-id",
            "Ov23liAnotherApp",
        ],
    );
    assert!(other.status.success(), "{}", other.stderr);
    assert!(
        other
            .stdout_text()
            .contains("Removed the client secret of the previous app"),
        "{}",
        other.stdout_text()
    );
    assert!(!secrets.exists());
}

#[test]
fn status_with_nothing_stored_says_how_to_sign_in() {
    let world = world("accounts-empty-status");
    let config = configured(&world);
    let status = helper_with(
        &world,
        &config,
        &["status", "--host", &format!("https://{}", host("empty"))],
    );
    assert_eq!(status.status.code(), Some(1));
    assert!(
        status
            .stdout_text()
            .contains("git credential-ghoauth login --host https://"),
        "{}",
        status.stdout_text()
    );
}

#[test]
fn a_mistyped_command_at_a_terminal_gets_a_guess() {
    // `script` gives the helper a terminal on stdin, as a person has.
    let mut typed = command("script");
    typed.args(["-qec", &format!("'{HELPER}' stauts"), "/dev/null"]);
    let at_terminal = run(typed, b"");
    assert_eq!(
        at_terminal.status.code(),
        Some(2),
        "{}",
        at_terminal.stdout_text()
    );
    assert!(
        at_terminal
            .stdout_text()
            .contains("unknown command 'stauts'; did you mean 'status'?"),
        "{}",
        at_terminal.stdout_text()
    );
    // git's calls have a pipe on stdin: an unknown operation is ignored.
    let from_git = helper("stauts", "protocol=https\nhost=x\n");
    assert!(from_git.status.success());
    assert_eq!(
        (from_git.stdout_text(), from_git.stderr),
        (String::new(), String::new())
    );
}

#[test]
fn install_sh_without_cargo_points_at_a_rust_that_is_new_enough() {
    let world = world("install-no-cargo");
    let bin = world.dir.join("bin-without-cargo");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink("/usr/bin/dirname", bin.join("dirname")).unwrap();
    let mut install = command("/bin/sh");
    install
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh"))
        .args(["--prefix", world.dir.join("prefix").to_str().unwrap()])
        .env("PATH", &bin);
    let ran = run(install, b"");
    assert_eq!(ran.status.code(), Some(1));
    assert!(
        ran.stderr.contains("rustup") && ran.stderr.contains("rustc-web cargo-web"),
        "{}",
        ran.stderr
    );
}

/// An unpacked release archive: the binary beside install.sh, no sources,
/// and no cargo anywhere on PATH.
#[test]
fn install_sh_from_an_archive_installs_the_binary_beside_it_without_cargo() {
    let world = world("install-archive");
    let archive = world.dir.join("git-credential-ghoauth-0.0.0-x86_64-linux");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(archive.join("man/completions")).unwrap();
    std::fs::copy(root.join("install.sh"), archive.join("install.sh")).unwrap();
    std::fs::copy(HELPER, archive.join("git-credential-ghoauth")).unwrap();
    for entry in std::fs::read_dir(root.join("man")).unwrap().flatten() {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), archive.join("man").join(entry.file_name())).unwrap();
        }
    }
    for entry in std::fs::read_dir(root.join("man/completions"))
        .unwrap()
        .flatten()
    {
        std::fs::copy(
            entry.path(),
            archive.join("man/completions").join(entry.file_name()),
        )
        .unwrap();
    }
    let tools = world.dir.join("tools-without-cargo");
    std::fs::create_dir_all(&tools).unwrap();
    for tool in [
        "dirname", "mkdir", "install", "rm", "sed", "basename", "id", "ls", "awk",
    ] {
        let found = ["/usr/bin", "/bin"]
            .iter()
            .map(|dir| Path::new(dir).join(tool))
            .find(|path| path.exists())
            .unwrap();
        std::os::unix::fs::symlink(found, tools.join(tool)).unwrap();
    }
    let prefix = world.dir.join("archive-prefix");
    let mut install = command("/bin/sh");
    install
        .arg(archive.join("install.sh"))
        .args(["--prefix", prefix.to_str().unwrap()])
        .env("PATH", &tools);
    let ran = run(install, b"");
    assert!(ran.status.success(), "{}", ran.stderr);
    let installed = prefix.join("bin/git-credential-ghoauth");
    assert_eq!(
        std::fs::read(&installed).unwrap(),
        std::fs::read(HELPER).unwrap()
    );
    assert!(
        prefix
            .join("share/man/man1/git-credential-ghoauth-use.1")
            .is_file()
    );
    assert!(
        ran.stdout_text().contains("is not on your PATH"),
        "{}",
        ran.stdout_text()
    );

    // A relative --prefix is the caller's, not the archive's.
    let caller = world.dir.join("caller");
    std::fs::create_dir_all(&caller).unwrap();
    let mut relative = command("/bin/sh");
    relative
        .current_dir(&caller)
        .arg(archive.join("install.sh"))
        .args(["--prefix", "./relative-prefix"])
        .env("PATH", &tools);
    let ran = run(relative, b"");
    assert!(ran.status.success(), "{}", ran.stderr);
    assert!(
        caller
            .join("relative-prefix/bin/git-credential-ghoauth")
            .is_file()
    );
    assert!(!archive.join("relative-prefix").exists());

    // root with a user's HOME: refused, with what to run instead.
    // SAFETY: getuid(2) has no preconditions.
    if unsafe { libc::getuid() } == 0 {
        let users_home = world.dir.join("users-home");
        std::fs::create_dir_all(&users_home).unwrap();
        std::os::unix::fs::chown(&users_home, Some(471_000), Some(471_000)).unwrap();
        let mut as_root = command("/bin/sh");
        as_root
            .arg(archive.join("install.sh"))
            .env("HOME", &users_home)
            .env("PATH", &tools);
        let refused = run(as_root, b"");
        assert_eq!(refused.status.code(), Some(1));
        assert!(
            refused.stderr.contains("belongs to uid 471000")
                && refused.stderr.contains("without sudo"),
            "{}",
            refused.stderr
        );
        assert!(!users_home.join(".local").exists(), "nothing written there");
    }
}

#[test]
fn login_without_an_app_says_how_to_configure_one() {
    let world = world("accounts-unconfigured");
    let config = world.dir.join("empty-gitconfig");
    let login = helper_with(&world, &config, &["login", "--host", "https://ghe.invalid"]);
    assert_eq!(login.status.code(), Some(1));
    assert_eq!(login.stdout_text(), "");
    assert_eq!(login.stderr.lines().count(), 1, "{}", login.stderr);
    assert!(
        login
            .stderr
            .contains("git credential-ghoauth configure --host https://ghe.invalid")
    );
    let bad = helper_with(&world, &config, &["status", "--host", "ssh://github.com"]);
    assert_eq!(bad.status.code(), Some(2), "a bad --host is a usage error");
    // What would fail later is refused now: plain http off loopback.
    let plain = helper_with(
        &world,
        &config,
        &[
            "configure",
            "--host",
            "http://example.com",
            "--client-id",
            "x",
        ],
    );
    assert_eq!(plain.status.code(), Some(2), "{}", plain.stderr);
    assert!(
        plain.stderr.contains("only sent over https"),
        "{}",
        plain.stderr
    );
    assert!(
        !config.exists()
            || !std::fs::read_to_string(&config)
                .unwrap()
                .contains("example.com")
    );
}

const USER_CONFIG: &str = "[user]\n\tname = Me\n[credential]\n\thelper = cache --timeout 600\n\
[credential \"https://github.com\"]\n\thelper = \n\thelper = !gh auth git-credential\n\tusername = me\n\
[alias]\n\tst = status\n";

#[test]
fn configure_then_unconfigure_leaves_the_config_as_it_was() {
    let world = world("configure");
    let config = world.dir.join("user-gitconfig");
    std::fs::write(&config, USER_CONFIG).unwrap();
    for host in ["github.com", "https://ghe.example.com:8443"] {
        let args = [
            "configure",
            "--host",
            host,
            "--client-id",
            "Ov23liSomeApp",
            "--flow",
            "device",
        ];
        let first = helper_with(&world, &config, &args);
        assert!(first.status.success(), "{}", first.stderr);
        let after_first = std::fs::read_to_string(&config).unwrap();
        assert!(
            after_first.contains("ghoauthClientId = Ov23liSomeApp"),
            "{after_first}"
        );
        assert!(after_first.contains("ghoauthFlow = device"));
        assert!(
            after_first.contains("helper = !gh auth git-credential"),
            "others stay"
        );
        assert!(
            after_first.contains("helper = cache --timeout 600"),
            "others stay"
        );

        let second = helper_with(&world, &config, &args);
        assert!(second.status.success());
        assert_eq!(
            std::fs::read_to_string(&config).unwrap(),
            after_first,
            "configure is idempotent"
        );

        let removed = helper_with(&world, &config, &["unconfigure", "--host", host]);
        assert!(removed.status.success(), "{}", removed.stderr);
        assert_eq!(std::fs::read_to_string(&config).unwrap(), USER_CONFIG);
        let again = helper_with(&world, &config, &["unconfigure", "--host", host]);
        assert!(again.status.success());
        assert!(
            again
                .stdout_text()
                .contains("Nothing of this helper's is configured")
        );
        assert_eq!(std::fs::read_to_string(&config).unwrap(), USER_CONFIG);
    }
}

/// A dotfiles-managed global config: `~/.gitconfig` a symlink to a private
/// file. unconfigure rewrites it where the section holds two empty helper
/// entries (gh's and ours): through the link, keeping its mode.
#[test]
fn unconfigure_writes_through_a_symlinked_config_and_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let world = world("configure-symlink");
    let dotfiles = world.dir.join("dotfiles");
    std::fs::create_dir_all(&dotfiles).unwrap();
    let target = dotfiles.join("gitconfig");
    std::fs::write(&target, USER_CONFIG).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = world.dir.join("linked-gitconfig");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let args = [
        "configure",
        "--host",
        "github.com",
        "--client-id",
        "Ov23liSomeApp",
    ];
    let configured = helper_with(&world, &link, &args);
    assert!(configured.status.success(), "{}", configured.stderr);
    let removed = helper_with(&world, &link, &["unconfigure", "--host", "github.com"]);
    assert!(removed.status.success(), "{}", removed.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link is still a link"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), USER_CONFIG);
    assert_eq!(
        std::fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(!dotfiles.join("gitconfig.lock").exists());
}

#[test]
fn install_sh_installs_configures_and_uninstalls() {
    let world = world("install");
    let prefix = world.dir.join("prefix");
    let config = world.dir.join("install-gitconfig");
    std::fs::write(&config, USER_CONFIG).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh");
    let install = |args: &[&str]| {
        let mut command = command("sh");
        command
            .arg(&script)
            .args(["--prefix", prefix.to_str().unwrap(), "--binary", HELPER])
            .args(args)
            .env("GIT_CONFIG_GLOBAL", &config);
        run(command, b"")
    };
    let installed = install(&["--client-id", "Ov23liFromInstall"]);
    assert!(installed.status.success(), "{}", installed.stderr);
    assert!(prefix.join("bin/git-credential-ghoauth").is_file());
    let completions = [
        "share/bash-completion/completions/git-credential-ghoauth",
        "share/zsh/site-functions/_git-credential-ghoauth",
        "share/fish/vendor_completions.d/git-credential-ghoauth.fish",
    ];
    for completion in completions {
        assert!(prefix.join(completion).is_file(), "{completion}");
    }
    assert!(
        prefix
            .join("share/man/man1/git-credential-ghoauth.1")
            .is_file()
    );
    assert!(installed.stdout_text().contains("not on your PATH"));
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(
        written.contains("ghoauthClientId = Ov23liFromInstall"),
        "{written}"
    );

    let again = install(&["--client-id", "Ov23liFromInstall"]);
    assert!(again.status.success(), "{}", again.stderr);
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        written,
        "idempotent"
    );

    // A second host, configured with the installed helper: --uninstall
    // removes every host's settings.
    let mut second = command(prefix.join("bin/git-credential-ghoauth").to_str().unwrap());
    second
        .env("GIT_CONFIG_GLOBAL", &config)
        .env("GHOAUTH_CLIENT_SECRET", &world.client_secret)
        .args([
            "configure",
            "--host",
            "https://ghe.example.com",
            "--client-id",
            "Ov23liSecondHost",
        ]);
    assert!(run(second, b"").status.success());
    assert!(
        std::fs::read_to_string(&config)
            .unwrap()
            .contains("Ov23liSecondHost")
    );

    let removed = install(&["--uninstall"]);
    assert!(removed.status.success(), "{}", removed.stderr);
    assert!(!prefix.join("bin/git-credential-ghoauth").exists());
    for completion in completions {
        assert!(!prefix.join(completion).exists(), "{completion}");
    }
    assert!(
        !prefix
            .join("share/man/man1/git-credential-ghoauth.1")
            .exists()
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), USER_CONFIG);
}

#[test]
fn login_without_a_keyring_does_not_sign_in_for_nothing() {
    let world = world("accounts-no-keyring");
    let config = configured(&world);
    let bare = start_session(KeyringState::Absent);
    let mut command = command(HELPER);
    command
        .env("DBUS_SESSION_BUS_ADDRESS", &bare.bus_address)
        // The Secret Service alone: `auto` would keep it in the kernel.
        .env("GHOAUTH_STORE", "secret-service")
        .env("GIT_CONFIG_GLOBAL", &config)
        .env("BROWSER", world.dir.join("browser"))
        .env_remove("GIT_TERMINAL_PROMPT")
        .args(["login", "--host", &world.fake.base_url, "--browser"]);
    let login = run(command, b"");
    assert_eq!(login.status.code(), Some(1));
    assert_eq!(login.stderr.lines().count(), 1, "{}", login.stderr);
    assert!(
        login
            .stderr
            .contains("not signing in: cannot reach the OS keyring"),
        "{}",
        login.stderr
    );
    assert_eq!(world.browser_opened(), 0);
    assert_eq!(world.fake.authorizations(), 0);
}

#[test]
fn get_store_and_erase_at_a_terminal_say_what_they_expect() {
    for (operation, pointer) in [
        ("get", "git credential-ghoauth status"),
        ("store", "git credential-ghoauth login"),
        ("erase", "git credential-ghoauth logout --host"),
    ] {
        let mut typed = command("script");
        typed.args(["-qec", &format!("'{HELPER}' {operation}"), "/dev/null"]);
        let at_terminal = run(typed, b"");
        assert_eq!(at_terminal.status.code(), Some(2), "{operation}");
        let said = at_terminal.stdout_text();
        assert!(
            said.contains("on standard input") && said.contains(pointer),
            "{said}"
        );
        assert_eq!(said.trim_end().lines().count(), 1, "one line: {said}");
    }
}

#[test]
fn erase_with_a_host_is_a_persons_logout() {
    let world = world("accounts-erase-host");
    let config = configured(&world);
    let url = world.fake.base_url.as_str();
    let login = helper_with(&world, &config, &["login", "--host", url, "--browser"]);
    assert!(login.status.success(), "{}", login.stderr);
    let token = token_of(&world, "octocat");
    let erased = helper_with(
        &world,
        &config,
        &["erase", "--host", url, "--user", "octocat"],
    );
    assert!(erased.status.success(), "{}", erased.stderr);
    assert!(
        erased.stdout_text().contains("and revoked its token"),
        "{}",
        erased.stdout_text()
    );
    assert!(!world.fake.is_live(&token));
    assert!(!world.keyring().contains("octocat"));
}

/// `token` for scripts: the token and a newline on stdout, nothing else;
/// renewed when it is about to expire; never the refresh token; exit 1 with
/// one line when there is none to be had.
#[test]
fn token_prints_a_working_token_and_nothing_else() {
    let world = world("accounts-token");
    let config = configured(&world);
    let url = world.fake.base_url.as_str();

    let nothing = {
        let mut command = command(HELPER);
        command
            .env("GIT_CONFIG_GLOBAL", &config)
            .env("GIT_TERMINAL_PROMPT", "0")
            .args(["token", "--host", url]);
        run(command, b"")
    };
    assert_eq!(nothing.status.code(), Some(1));
    assert_eq!(nothing.stdout_text(), "");
    assert_eq!(nothing.stderr.lines().count(), 1, "{}", nothing.stderr);
    assert!(
        nothing.stderr.contains("login --host"),
        "{}",
        nothing.stderr
    );

    world.fake.issue_expiring_tokens(fake_github::Lifetimes {
        // Inside the five-minute renewal window from the start.
        access: std::time::Duration::from_secs(120),
        refresh: std::time::Duration::from_secs(15_897_600),
    });
    let login = helper_with(
        &world,
        &config,
        &["login", "--host", url, "--flow", "browser"],
    );
    assert!(login.status.success(), "{}", login.stderr);
    let signed_in = token_of(&world, "octocat");
    let refresh_tokens_before = world.fake.live_refresh_tokens();
    // Renewed tokens last eight hours, so the second `token` finds it fresh.
    world.fake.issue_expiring_tokens(fake_github::Lifetimes {
        access: std::time::Duration::from_secs(8 * 3600),
        refresh: std::time::Duration::from_secs(15_897_600),
    });

    let printed = helper_with(&world, &config, &["token", "--host", url]);
    assert!(printed.status.success(), "{}", printed.stderr);
    assert_eq!(printed.stderr, "");
    let token = printed.stdout_text();
    assert!(
        token.ends_with('\n') && token.lines().count() == 1,
        "{token:?}"
    );
    let token = token.trim_end();
    assert_ne!(token, signed_in, "renewed first: it was about to expire");
    assert_eq!(world.fake.refreshes(), 1);
    assert!(world.fake.is_live(token));
    for refresh in refresh_tokens_before
        .iter()
        .chain(&world.fake.live_refresh_tokens())
    {
        assert!(
            !printed.stdout_text().contains(refresh.as_str()),
            "never a refresh token"
        );
    }
    let again = helper_with(
        &world,
        &config,
        &["token", "--host", url, "--user", "octocat"],
    );
    assert_eq!(again.stdout_text().trim_end(), token);

    let unconfigured = helper_with(
        &world,
        &config,
        &["token", "--host", "https://nothing.invalid"],
    );
    assert_eq!(unconfigured.status.code(), Some(1));
    assert_eq!(unconfigured.stdout_text(), "");
    assert!(
        unconfigured.stderr.contains("setup --host"),
        "{}",
        unconfigured.stderr
    );
}

/// A password git stored for the OAuth host is no token: `token` refuses
/// it in one line unless asked (`--include-passwords`), and `status` shows
/// none of it, as text or JSON.
#[test]
fn a_plain_password_for_the_host_is_neither_printed_by_token_nor_shown_by_status() {
    let world = world("accounts-plain-password");
    let config = configured(&world);
    let url = world.fake.base_url.as_str();
    // Ends in letters no port number or date in status could hold.
    let password = format!("{}-Q7zK", secret("plain-for-the-oauth-host"));
    let mut approve = command("git");
    approve
        .env("GIT_CONFIG_GLOBAL", &config)
        .args(["credential", "approve"]);
    let stored = run(
        approve,
        world
            .fill_input(&format!("username=someone\npassword={password}\n"))
            .as_bytes(),
    );
    assert!(stored.status.success(), "{}", stored.stderr);

    let refused = helper_with(&world, &config, &["token", "--host", url]);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(refused.stdout_text(), "");
    assert_eq!(refused.stderr.lines().count(), 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("--include-passwords"),
        "{}",
        refused.stderr
    );
    let asked = helper_with(
        &world,
        &config,
        &["token", "--host", url, "--include-passwords"],
    );
    assert!(asked.status.success(), "{}", asked.stderr);
    assert_eq!(asked.stdout_text(), format!("{password}\n"));

    for args in [
        &["status", "--host", url][..],
        &["status", "--host", url, "--json"],
    ] {
        let shown = helper_with(&world, &config, args).stdout_text();
        assert!(shown.contains("(a password, hidden)"), "{shown}");
        for piece in [&password[..6], &password[password.len() - 4..]] {
            assert!(
                !shown.contains(piece),
                "{piece:?} of the password in {shown}"
            );
        }
    }
}

/// `status --json`: the same facts, one object, never a whole token.
#[test]
fn status_as_json_for_scripts() {
    let world = world("accounts-status-json");
    let config = configured(&world);
    let url = world.fake.base_url.as_str();
    let empty = helper_with(&world, &config, &["status", "--host", url, "--json"]);
    assert_eq!(empty.status.code(), Some(1));
    let nothing: serde_json::Value = serde_json::from_slice(&empty.stdout).unwrap();
    assert_eq!(nothing["hosts"], serde_json::json!([]));
    assert_eq!(nothing["app"]["client_id"], CLIENT_ID);
    assert_eq!(nothing["app"]["client_secret"], true);

    let login = helper_with(
        &world,
        &config,
        &["login", "--host", url, "--flow", "browser"],
    );
    assert!(login.status.success(), "{}", login.stderr);
    let token = token_of(&world, "octocat");
    let shown = helper_with(&world, &config, &["status", "--host", url, "--json"]);
    assert!(shown.status.success(), "{}", shown.stderr);
    let text = shown.stdout_text();
    assert!(!text.contains(&token), "never a whole token: {text}");
    let status: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(
        status["store"].as_str().unwrap().contains("Secret Service"),
        "{text}"
    );
    let hosts = status["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 1, "{text}");
    assert_eq!(hosts[0]["url"], url);
    let account = &hosts[0]["accounts"][0];
    assert_eq!(account["login"], "octocat");
    assert_eq!(account["default"], true);
    assert_eq!(account["obtained_here"], true);
    assert_eq!(account["scopes"], "repo workflow");
    assert_eq!(account["client_id"], CLIENT_ID);
    assert_eq!(account["expires_utc"], serde_json::Value::Null);
    assert_eq!(account["expired"], false);
    assert_eq!(
        account["token"],
        format!("{}…{}", &token[..4], &token[token.len() - 4..])
    );
}

/// A client id written into git config by hand is shown only when it is
/// one GitHub could have issued; anything else is named as wrong, and its
/// control characters never reach the terminal.
#[test]
fn status_never_prints_a_configured_client_id_raw() {
    let world = world("accounts-raw-client-id");
    let config = configured(&world);
    let url = world.fake.base_url.as_str();
    let mut set = command("git");
    set.args(["config", "--file"]).arg(&config).args([
        &format!("credential.{url}.ghoauthClientId"),
        "Iv1.x\x1b]0;pwned\x07",
    ]);
    assert!(run(set, b"").status.success());
    let shown = helper_with(&world, &config, &["status", "--host", url]).stdout_text();
    assert!(
        !shown.contains('\x1b') && !shown.contains('\x07'),
        "{shown:?}"
    );
    assert!(shown.contains("not a client id GitHub issues"), "{shown}");
}

/// With the helper off PATH in a folder whose name holds a space and a
/// `'`, `configure` writes a value that git's `sh` runs as exactly that
/// file: a sign-in through real git works, doctor and status see the
/// helper, and `unconfigure` finds and removes it.
#[test]
fn a_helper_in_a_folder_with_a_space_and_a_quote_runs_from_git() {
    let world = world("spaced-path");
    let folder = world.dir.join("My Tools").join("it's");
    std::fs::create_dir_all(&folder).unwrap();
    let helper = folder.join("git-credential-ghoauth");
    std::fs::copy(HELPER, &helper).unwrap();
    let config = world.dir.join("gitconfig");
    let url = world.fake.base_url.clone();
    let moved = |args: &[&str]| {
        let mut command = command(helper.to_str().unwrap());
        command
            .env("GIT_CONFIG_GLOBAL", &config)
            .env("GHOAUTH_CLIENT_SECRET", &world.client_secret)
            .env("BROWSER", world.dir.join("browser"))
            .env_remove("GIT_TERMINAL_PROMPT")
            .args(args);
        run(command, b"")
    };
    let configured = moved(&["configure", "--host", &url, "--client-id", CLIENT_ID]);
    assert!(configured.status.success(), "{}", configured.stderr);
    let mut helpers = command("git");
    helpers
        .args(["config", "--file"])
        .arg(&config)
        .args(["--get-all", &format!("credential.{url}.helper")]);
    let helpers = run(helpers, b"").stdout_text();
    assert!(
        helpers
            .lines()
            .last()
            .is_some_and(|value| value.starts_with("!'")),
        "{helpers}"
    );

    let mut fill = command("git");
    fill.env("GIT_CONFIG_GLOBAL", &config)
        .env("GHOAUTH_CLIENT_SECRET", &world.client_secret)
        .env("BROWSER", world.dir.join("browser"))
        .env_remove("GIT_TERMINAL_PROMPT")
        .args(["credential", "fill"]);
    let filled = run(fill, format!("url={url}/octo/hello.git\n\n").as_bytes());
    assert_signed_in_as(&filled, "octocat");

    let doctor = moved(&["doctor", "--host", &url, "--offline", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&doctor.stdout).unwrap();
    let reached = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|check| check["id"] == "chain.reached")
        .cloned()
        .unwrap_or_default();
    assert_eq!(reached["status"], "ok", "{:#}", json["checks"]);

    let unconfigured = moved(&["unconfigure", "--host", &url]);
    assert!(unconfigured.status.success(), "{}", unconfigured.stderr);
    let left = std::fs::read_to_string(&config).unwrap();
    assert!(!left.contains("git-credential-ghoauth"), "{left}");
}

/// A global config that is a symlink to a file not made yet (a dotfile
/// manager's): `configure` writes the file it points to, as git would, and
/// the link stays a link.
#[test]
fn a_dangling_symlinked_global_config_gets_its_file() {
    let world = world("dangling-config");
    let dotfiles = world.dir.join("dotfiles");
    std::fs::create_dir_all(&dotfiles).unwrap();
    let link = world.dir.join("gitconfig-link");
    std::os::unix::fs::symlink("dotfiles/gitconfig", &link).unwrap();
    let url = world.fake.base_url.as_str();
    let done = helper_with(
        &world,
        &link,
        &["configure", "--host", url, "--client-id", CLIENT_ID],
    );
    assert!(done.status.success(), "{}", done.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced by a file"
    );
    let written = std::fs::read_to_string(dotfiles.join("gitconfig")).unwrap();
    assert!(written.contains(CLIENT_ID), "{written}");
}

/// An item an earlier version wrote, whose plain password happens to begin
/// with the escaped format's tag, reads with fields injected through it (a
/// client id here): it cannot be told from a real escaped item. What it
/// claims never decides where a token goes: status names the app
/// configured for the host, and an erase sends it to no app but that one.
/// The next write marks the item's format outside its secret.
#[test]
fn an_old_item_cannot_steer_a_token_to_another_app() {
    let world = world("injected-item");
    let config = configured(&world);
    let host = world.fake.host.clone();
    let injected =
        "ghoauth-item-v2:ghu_planted%0Aoauth_client_id%3DIv1.elsewhere%0Aoauth_scopes%3Drepo";
    watch_secret("ghu_planted");
    let mut plant = command("secret-tool");
    plant.args([
        "store",
        "--label=Git: planted",
        "service",
        "git-credential-ghoauth",
        "username",
        &format!("http://octocat@{host}"),
        "protocol",
        "http",
        "host",
        &host,
        "user",
        "octocat",
    ]);
    let planted = run(plant, injected.as_bytes());
    assert!(planted.status.success(), "{}", planted.stderr);

    let url = world.fake.base_url.clone();
    let status = helper_with(&world, &config, &["status", "--host", &url]);
    let said = status.stdout_text();
    assert!(said.contains(&format!("app:     {CLIENT_ID}")), "{said}");
    assert!(!said.contains("Iv1.elsewhere"), "{said}");
    let json = helper_with(&world, &config, &["status", "--host", &url, "--json"]);
    assert!(
        !json.stdout_text().contains("Iv1.elsewhere"),
        "{}",
        json.stdout_text()
    );

    let before = world.fake.requests();
    let mut reject = command("git");
    reject
        .env("GIT_CONFIG_GLOBAL", &config)
        .args(["credential", "reject"]);
    let rejected = run(
        reject,
        format!("protocol=http\nhost={host}\nusername=octocat\npassword=ghu_planted\n").as_bytes(),
    );
    assert!(rejected.status.success(), "{}", rejected.stderr);
    assert!(
        rejected
            .stderr
            .contains("(Iv1.elsewhere) is no longer configured"),
        "{}",
        rejected.stderr
    );
    assert_eq!(world.fake.requests(), before, "sent nowhere");
    assert!(!world.keyring().contains("octocat"), "erased");

    let stored = helper_with(
        &world,
        &config,
        &["login", "--host", &url, "--flow", "browser"],
    );
    assert!(stored.status.success(), "{}", stored.stderr);
    assert!(
        world
            .keyring()
            .contains("attribute.ghoauth_format = escaped-v2"),
        "{}",
        world.keyring()
    );
}

/// `configure` with no `--client-id`, in a build with no app built in:
/// one line that names `setup`, and nothing written; another host than
/// github.com always needs the client id.
#[test]
fn configure_with_no_client_id_needs_a_built_in_app() {
    let world = world("no-builtin");
    let config = world.dir.join("gitconfig");
    std::fs::write(&config, "").unwrap();
    let plain = helper_with(&world, &config, &["configure"]);
    assert!(!plain.status.success());
    let lines = complaints(&plain.stderr);
    assert_eq!(lines.len(), 1, "{}", plain.stderr);
    assert!(
        lines[0].contains("no app built in for github.com")
            && lines[0].contains("git credential-ghoauth setup"),
        "{lines:?}"
    );
    let url = world.fake.base_url.as_str();
    let elsewhere = helper_with(&world, &config, &["configure", "--host", url]);
    assert!(!elsewhere.status.success());
    assert!(
        elsewhere.stderr.contains("needs --client-id"),
        "{}",
        elsewhere.stderr
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "");
}
