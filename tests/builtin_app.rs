//! A build with the project's app built in (`GHOAUTH_BUILTIN_CLIENT_ID`,
//! `GHOAUTH_BUILTIN_CLIENT_SECRET` at compile time, as the release workflow
//! builds it): an install plus `configure` with no arguments is the whole
//! set-up for github.com. tests/run.sh builds it beside the suite and runs
//! these tests (named `builtin_app_`) once it is there, with its path in
//! GHOAUTH_TEST_BUILTIN_HELPER.
#![cfg(unix)]

use std::path::{Path, PathBuf};

use crate::common::*;
use crate::fake_github::{BUILTIN_APP_SECRET, CLIENT_ID, FakeGitHub, Permission};
use crate::world::*;

/// The second build, or `None` (said, and a failure in CI) without it.
fn builtin_helper() -> Option<PathBuf> {
    match std::env::var_os("GHOAUTH_TEST_BUILTIN_HELPER") {
        Some(path) => Some(PathBuf::from(path)),
        None => {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "CI runs the built-in app's tests (tests/run.sh builds it)"
            );
            eprintln!("skipped: no GHOAUTH_TEST_BUILTIN_HELPER (tests/run.sh builds it)");
            None
        }
    }
}

fn run_in(world: &World, program: &Path, config: &Path, dir: &Path, args: &[&str]) -> Run {
    let mut command = command(program.to_str().unwrap());
    command
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", config)
        .env("BROWSER", world.dir.join("browser"))
        .env_remove("GIT_TERMINAL_PROMPT")
        .env_remove("GHOAUTH_CLIENT_ID")
        .env_remove("GHOAUTH_CLIENT_SECRET")
        .args(args);
    world.network(&mut command);
    run(command, b"")
}

/// An empty global config, `configure` with no arguments, then a clone and
/// a push to github.com with one sign-in; status, its JSON and doctor name
/// the built-in app; `unconfigure --all` finds the host with no client id.
#[test]
fn builtin_app_configure_with_no_arguments_is_the_whole_set_up() {
    let Some(helper) = builtin_helper() else {
        return;
    };
    // github.com's entries are one for every test that plays it.
    let own = start_session(KeyringState::Unlocked);
    in_session(&own, || whole_set_up(&helper));
}

fn whole_set_up(helper: &Path) {
    let world = world_with_secret(
        "builtin-app",
        FakeGitHub::start_as_github_com,
        BUILTIN_APP_SECRET,
    );
    let config = world.dir.join("gitconfig");
    std::fs::write(&config, "").unwrap();
    let helper_run = |args: &[&str]| run_in(&world, helper, &config, &world.dir, args);

    let version = helper_run(&["--version"]).stdout_text();
    assert!(
        version.contains(&format!("built-in github.com app {CLIENT_ID}")),
        "{version}"
    );
    let configured = helper_run(&["configure"]);
    assert!(configured.status.success(), "{}", configured.stderr);
    assert!(
        configured
            .stdout_text()
            .contains("with the app built into this helper"),
        "{}",
        configured.stdout_text()
    );
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(!written.contains("ghoauthClientId"), "{written}");
    assert!(written.contains("useHttpPath = true"), "{written}");

    world.fake.create_repo("octo/hello");
    world
        .fake
        .add_collaborator("octo/hello", "octocat", Permission::Push);
    let git = |dir: &Path, args: &[&str]| {
        let mut full = vec!["-c", "user.name=New", "-c", "user.email=new@example.com"];
        full.extend_from_slice(args);
        run_in(&world, Path::new("git"), &config, dir, &full)
    };
    let work = world.dir.join("hello");
    let cloned = git(
        &world.dir,
        &[
            "clone",
            "-q",
            "https://github.com/octo/hello.git",
            work.to_str().unwrap(),
        ],
    );
    assert!(cloned.status.success(), "{}", cloned.stderr);
    std::fs::write(work.join("first.txt"), "first push\n").unwrap();
    assert!(git(&work, &["add", "first.txt"]).status.success());
    assert!(
        git(&work, &["commit", "-q", "-m", "first"])
            .status
            .success()
    );
    let pushed = git(&work, &["push", "-q", "origin", "main"]);
    assert!(pushed.status.success(), "{}", pushed.stderr);
    assert_eq!(world.fake.authorizations(), 1, "one sign-in");
    assert!(
        pushed
            .stderr
            .contains("to sign in to github.com with the app built into this helper"),
        "{}",
        pushed.stderr
    );
    let again = git(&work, &["push", "-q", "origin", "main"]);
    assert!(again.status.success(), "{}", again.stderr);
    assert_eq!(world.fake.authorizations(), 1, "and only one");

    let status = helper_run(&["status"]).stdout_text();
    assert!(
        status.contains(&format!("{CLIENT_ID} (built in")),
        "{status}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&helper_run(&["status", "--json"]).stdout).unwrap();
    assert_eq!(json["app"]["source"], "built in", "{json}");
    assert_eq!(json["app"]["client_id"], CLIENT_ID, "{json}");
    let doctor = helper_run(&["doctor", "--offline"]).stdout_text();
    assert!(
        doctor.contains(&format!("client id {CLIENT_ID} (built in)")),
        "{doctor}"
    );

    let unconfigured = helper_run(&["unconfigure", "--all"]);
    assert!(unconfigured.status.success(), "{}", unconfigured.stderr);
    let left = std::fs::read_to_string(&config).unwrap();
    assert!(!left.contains("github.com"), "{left}");
}

/// install.sh sees the built-in app in `--version`: it offers the one
/// command, and with `--configure` runs it.
#[test]
fn builtin_app_install_sh_offers_or_runs_the_one_command() {
    let Some(helper) = builtin_helper() else {
        return;
    };
    let world = world("builtin-install");
    let config = world.dir.join("gitconfig");
    std::fs::write(&config, "").unwrap();
    let install = |extra: &[&str]| {
        let mut install = command("/bin/sh");
        install
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh"))
            .args(["--binary", helper.to_str().unwrap()])
            .args(["--prefix", world.dir.join("prefix").to_str().unwrap()])
            .args(extra)
            .env("GIT_CONFIG_GLOBAL", &config);
        run(install, b"")
    };
    let offered = install(&[]);
    assert!(offered.status.success(), "{}", offered.stderr);
    assert!(
        offered
            .stdout_text()
            .contains("This build has an app built in for github.com"),
        "{}",
        offered.stdout_text()
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "");
    let configured = install(&["--configure"]);
    assert!(configured.status.success(), "{}", configured.stderr);
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(
        written.contains("[credential \"https://github.com\"]"),
        "{written}"
    );
}
