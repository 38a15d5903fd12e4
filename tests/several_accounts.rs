//! Several accounts on one host: each owner's repositories get the right
//! account, found by asking GitHub once per owner and kept as a binding;
//! `use` binds, switches and clears; through real git against the fake,
//! with a global git config of each test's own, written by `configure`.
// Drives processes the Unix way, as the other store tests do.
#![cfg(unix)]

use crate::common;
use crate::fake_github;
use crate::world;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use fake_github::{CLIENT_ID, Permission, RateLimit, RepositoryApi};
use world::*;

/// A world and the global git config `configure` wrote for its host.
struct Accounts {
    world: World,
    config: PathBuf,
}

impl Accounts {
    fn new(name: &str) -> Accounts {
        // The same test runs on two stores, side by side.
        let store = match in_kernel_namespace() {
            true => "kernel",
            false => "secret-service",
        };
        Accounts::configured(world(&format!("{name}-{store}")))
    }

    fn configured(world: World) -> Accounts {
        let config = world.dir.join("gitconfig");
        let accounts = Accounts { world, config };
        let url = accounts.url();
        let done = accounts.helper(&["configure", "--host", &url, "--client-id", CLIENT_ID]);
        assert!(done.status.success(), "{}", done.stderr);
        accounts
    }

    fn url(&self) -> String {
        self.world.fake.base_url.clone()
    }

    fn helper(&self, args: &[&str]) -> Run {
        self.helper_in(&self.world.dir, args)
    }

    fn helper_in(&self, dir: &Path, args: &[&str]) -> Run {
        let mut command = command(HELPER);
        command
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", &self.config)
            .env("GHOAUTH_CLIENT_SECRET", &self.world.client_secret)
            .env("BROWSER", self.world.dir.join("browser"))
            .env_remove("GIT_TERMINAL_PROMPT")
            .args(args);
        self.world.network(&mut command);
        run(command, b"")
    }

    /// git with only the config `configure` wrote, never prompting: no
    /// sign-in can happen behind a test's back.
    fn git(&self, dir: &Path, args: &[&str]) -> Run {
        let mut command = command("git");
        command
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", &self.config)
            .args(["-c", "user.name=Tester", "-c", "user.email=t@example.com"])
            .args(args);
        self.world.network(&mut command);
        run(command, b"")
    }

    /// Signs `login` in (through `use`, which signs in for a login with no
    /// token) and makes it the default.
    fn sign_in(&self, login: &str) {
        self.world.fake.sign_in_as(login);
        let url = self.url();
        let used = self.helper(&["use", login, "--default", "--host", &url]);
        assert!(used.status.success(), "{}", used.stderr);
        assert!(
            used.stdout_text()
                .contains(&format!("{login} is now the default")),
            "{}",
            used.stdout_text()
        );
    }

    fn fill(&self, path: &str) -> Run {
        let mut command = command("git");
        command
            .current_dir(&self.world.dir)
            .env("GIT_CONFIG_GLOBAL", &self.config)
            .args(["credential", "fill"]);
        self.world.network(&mut command);
        let url = format!("{}/{path}", self.url());
        run(command, format!("url={url}\n\n").as_bytes())
    }

    /// What a person writes into the global config by hand.
    fn write_config(&self, args: &[&str]) {
        let mut command = command("git");
        command
            .env("GIT_CONFIG_GLOBAL", &self.config)
            .args(["config", "--global"])
            .args(args);
        assert!(run(command, b"").status.success(), "git config {args:?}");
    }

    /// The bindings in the global config, as written.
    fn bindings(&self) -> Vec<String> {
        let mut command = command("git");
        command.args(["config", "--file"]).arg(&self.config).args([
            "--get-all",
            &format!("credential.{}.ghoauthAccount", self.url()),
        ]);
        run(command, b"")
            .stdout_text()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn clone_and_push(&self, owner_and_name: &str) -> Run {
        let work = self.world.dir.join(owner_and_name.replace('/', "-"));
        let remote = format!("{}/{owner_and_name}.git", self.url());
        let cloned = self.git(
            &self.world.dir,
            &["clone", "-q", &remote, work.to_str().unwrap()],
        );
        if !cloned.status.success() {
            return cloned;
        }
        std::fs::write(work.join("change.txt"), "change\n").unwrap();
        assert!(self.git(&work, &["add", "change.txt"]).status.success());
        assert!(
            self.git(&work, &["commit", "-q", "-m", "change"])
                .status
                .success()
        );
        self.git(&work, &["push", "-q", "origin", "main"])
    }
}

/// A personal account and an Enterprise Managed User account
/// (`name_shortcode`), each the only one that may push to its owner's
/// repository; the work account is also a reader of the personal one.
fn two_accounts(name: &str) -> Accounts {
    with_two_accounts(Accounts::new(name))
}

fn with_two_accounts(accounts: Accounts) -> Accounts {
    let fake = &accounts.world.fake;
    fake.create_repo("alice/notes");
    fake.create_repo("acme/app");
    fake.make_private(
        "alice/notes",
        &[
            ("alice", Permission::Push),
            ("alice_acme", Permission::Pull),
        ],
    );
    fake.make_private(
        "acme/app",
        &[
            ("alice_acme", Permission::Push),
            ("alice", Permission::Pull),
        ],
    );
    accounts.sign_in("alice_acme");
    accounts.sign_in("alice");
    accounts
}

fn first_push_to_each_owner_uses_the_account_that_can_push() {
    let accounts = two_accounts("owners");
    let fake = &accounts.world.fake;
    assert_eq!(accounts.world.browser_opened(), 2);

    // The default (alice) can only read acme's repository: discovery must
    // prefer the account that can push there.
    let acme = accounts.clone_and_push("acme/app");
    assert!(acme.status.success(), "{}", acme.stderr);
    assert_eq!(accounts.bindings(), ["acme alice_acme"]);
    assert_eq!(fake.repository_api_requests(), 2, "one request per account");

    let personal = accounts.clone_and_push("alice/notes");
    assert!(personal.status.success(), "{}", personal.stderr);
    assert_eq!(accounts.bindings(), ["acme alice_acme", "alice alice"]);
    assert_eq!(
        fake.repository_api_requests(),
        4,
        "once per owner, not per git call"
    );

    // Each binding written once; no browser after the two sign-ins; and
    // the pushes really went through as the account that may push.
    let pushes: Vec<(String, u16)> = fake
        .git_requests()
        .into_iter()
        .filter(|(request, _)| request.starts_with("POST") && request.ends_with("git-receive-pack"))
        .collect();
    assert_eq!(pushes.len(), 2, "{pushes:?}");
    assert!(
        pushes.iter().all(|(_, status)| *status == 200),
        "{pushes:?}"
    );
    assert_eq!(accounts.world.browser_opened(), 2);

    // Another repository of a bound owner asks GitHub nothing.
    fake.create_repo("acme/site");
    fake.make_private("acme/site", &[("alice_acme", Permission::Push)]);
    let site = accounts.clone_and_push("acme/site");
    assert!(site.status.success(), "{}", site.stderr);
    assert_eq!(fake.repository_api_requests(), 4);
    assert_eq!(accounts.bindings().len(), 2);

    let status = accounts
        .helper(&["status", "--host", &accounts.url()])
        .stdout_text();
    assert!(status.contains("acme → alice_acme"), "{status}");
    assert!(status.contains("alice → alice"), "{status}");
    assert!(status.contains("alice [default]"), "{status}");
}

/// Discovery on a GHE.com tenant asks the tenant's API host, and binds as
/// on any other host.
#[test]
#[cfg(target_os = "linux")]
fn discovery_between_two_accounts_of_a_ghe_com_tenant_asks_its_api_host() {
    without_dbus(Some("kernel"), || {
        let accounts = with_two_accounts(Accounts::configured(ghe_com_tenant_world(
            "tenant-discovery",
        )));
        let acme = accounts.clone_and_push("acme/app");
        assert!(acme.status.success(), "{}", acme.stderr);
        assert_eq!(accounts.bindings(), ["acme alice_acme"]);
        let personal = accounts.clone_and_push("alice/notes");
        assert!(personal.status.success(), "{}", personal.stderr);
        assert_eq!(accounts.bindings(), ["acme alice_acme", "alice alice"]);
        let fake = &accounts.world.fake;
        assert_eq!(fake.repository_api_requests(), 4);
        let asked: Vec<String> = fake
            .seen()
            .into_iter()
            .filter(|(_, _, path)| path.starts_with("/repos/"))
            .map(|(host, _, _)| host)
            .collect();
        assert_eq!(asked.len(), 4);
        assert!(
            asked.iter().all(|host| host == "api.acme.ghe.com"),
            "{asked:?}"
        );
        assert_eq!(accounts.world.browser_opened(), 2);
    });
}

fn with_one_account_github_is_never_asked() {
    let accounts = Accounts::new("one-account");
    let fake = &accounts.world.fake;
    fake.create_repo("acme/app");
    fake.make_private("acme/app", &[("alice", Permission::Push)]);
    accounts.sign_in("alice");
    let pushed = accounts.clone_and_push("acme/app");
    assert!(pushed.status.success(), "{}", pushed.stderr);
    assert_eq!(fake.repository_api_requests(), 0);
    assert!(accounts.bindings().is_empty());
}

on_both_stores!(
    first_push_to_each_owner_uses_the_account_that_can_push,
    with_one_account_github_is_never_asked,
);

/// A rate-limited answer says nothing about access: the account that could
/// not be asked must not lose the owner to one that could. Nothing is
/// bound, one line says when the limit lifts, the default answers; the
/// next git after it lifts chooses as usual.
#[test]
fn a_rate_limit_binds_nothing_and_the_next_git_after_it_chooses() {
    let limits = [
        RateLimit::Primary(Duration::from_secs(600)),
        RateLimit::Secondary403(Duration::from_secs(60)),
        RateLimit::Secondary429(Duration::from_secs(60)),
    ];
    for (n, limit) in limits.into_iter().enumerate() {
        let accounts = two_accounts(&format!("rate-{n}"));
        let fake = &accounts.world.fake;
        fake.set_rate_limit_for("alice_acme", limit);
        let limited = accounts.fill("acme/app.git");
        assert_signed_in_as(&limited, "alice");
        let lines = complaints(&limited.stderr);
        assert_eq!(lines.len(), 1, "{}", limited.stderr);
        let lifts = match n {
            0 => "it lifts in 10 min",
            _ => "it lifts in 1 min",
        };
        assert!(
            lines[0].contains("rate limit was hit") && lines[0].contains(lifts),
            "{lines:?}"
        );
        assert!(accounts.bindings().is_empty(), "{:?}", accounts.bindings());
        fake.lift_rate_limit();
        let chosen = accounts.fill("acme/app.git");
        assert_signed_in_as(&chosen, "alice_acme");
        assert_eq!(accounts.bindings(), ["acme alice_acme"]);
    }
}

/// `GET /repos/{old}` of a renamed repository answers 301 to
/// `/repositories/{id}` on the API host: followed there, and bound as
/// usual; a redirect to anywhere else is not followed, and no token goes
/// there.
#[test]
fn a_renamed_repository_is_followed_on_the_api_host_only() {
    let accounts = two_accounts("renamed");
    accounts.world.fake.rename_repo("acme/old-app", "acme/app");
    let filled = accounts.fill("acme/old-app.git");
    assert_signed_in_as(&filled, "alice_acme");
    assert_eq!(accounts.bindings(), ["acme alice_acme"]);

    let accounts = two_accounts("renamed-away");
    let elsewhere = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    elsewhere.set_nonblocking(true).unwrap();
    let port = elsewhere.local_addr().unwrap().port();
    accounts.world.fake.redirect_repo_to(
        "acme/app",
        &format!("http://127.0.0.1:{port}/repositories/1"),
    );
    let filled = accounts.fill("acme/app.git");
    assert_signed_in_as(&filled, "alice");
    assert!(accounts.bindings().is_empty());
    assert!(elsewhere.accept().is_err(), "nothing went elsewhere");
}

/// As on GitHub, only a public repository's owner and collaborators may
/// push: discovery binds the collaborator over the default, who can only
/// read. `use NAME` for an account with no token asked for GitHub's
/// account picker.
#[test]
fn in_a_public_repository_the_collaborator_is_chosen() {
    let accounts = two_accounts("public");
    let fake = &accounts.world.fake;
    fake.create_repo("octo/public");
    fake.add_collaborator("octo/public", "alice_acme", Permission::Push);
    let pushed = accounts.clone_and_push("octo/public");
    assert!(pushed.status.success(), "{}", pushed.stderr);
    assert_eq!(accounts.bindings(), ["octo alice_acme"]);
    let prompts: Vec<Option<String>> = fake
        .authorize_requests()
        .into_iter()
        .map(|request| request.prompt)
        .collect();
    assert_eq!(prompts, vec![Some("select_account".to_string()); 2]);
}

/// The commands in `text` a person would paste: every span in backticks,
/// and everything from each `git ` on (prose after it is harmless: the
/// shell that runs it finds nothing on its PATH but a `git` that does
/// nothing).
fn printed_commands(text: &str) -> Vec<String> {
    let mut commands: Vec<String> = text
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| span.starts_with("git "))
        .map(str::to_string)
        .collect();
    for line in text.lines() {
        let mut rest = line;
        while let Some(at) = rest
            .find("git credential-ghoauth ")
            .or_else(|| rest.find("git config "))
        {
            let command = rest[at..].split('`').next().unwrap_or_default();
            commands.push(command.to_string());
            rest = &rest[at + 4..];
        }
    }
    commands
}

/// Values from git config, the keyring and GitHub end up in the commands
/// `status`, `use` and `doctor` print for people to paste. Every one of
/// them, run in bash with a `git` that does nothing, runs nothing else,
/// even where a config key is shell syntax; a binding to a login GitHub
/// never issues is not read at all.
#[test]
fn every_printed_command_runs_only_git_when_pasted() {
    let accounts = two_accounts("paste");
    let dir = &accounts.world.dir;
    let pwned = dir.join("pwned");
    let payload = format!("x;echo${{IFS}}PWNED>>{}", pwned.display());
    let url = accounts.url();
    accounts.write_config(&[&format!("credential.{url}/{payload};.username"), "bob"]);
    accounts.write_config(&[
        "--add",
        &format!("credential.{url}.ghoauthAccount"),
        &format!("evil {payload}"),
    ]);
    accounts.write_config(&[
        "--add",
        &format!("credential.{url}.ghoauthAccount"),
        "ghost nobody-here",
    ]);
    let fake_bin = dir.join("fake-bin");
    std::fs::create_dir_all(&fake_bin).unwrap();
    write_script(&fake_bin.join("git"), "exit 0");

    let status = accounts.helper(&["status", "--host", &url]).stdout_text();
    assert!(!status.contains("evil"), "{status}");
    let used = accounts.helper(&["use", "alice", "--for", "acme", "--host", &url]);
    let doctor = accounts
        .helper(&["doctor", "--host", &url, "--json"])
        .stdout_text();
    let json: serde_json::Value = serde_json::from_str(&doctor).unwrap();
    let fixes: Vec<String> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|check| check["fix"].as_str().map(str::to_string))
        .collect();
    let mut commands = printed_commands(&status);
    commands.extend(printed_commands(&used.stdout_text()));
    for fix in &fixes {
        commands.extend(printed_commands(fix));
    }
    assert!(
        commands.iter().any(|command| command.contains("PWNED")),
        "the hostile key is printed in a command: {commands:#?}"
    );
    assert!(
        commands
            .iter()
            .any(|command| command.contains("use nobody-here --for ghost")),
        "{commands:#?}"
    );
    for command in &commands {
        let mut bash = std::process::Command::new("/bin/bash");
        bash.env_clear()
            .env("PATH", &fake_bin)
            .current_dir(dir)
            .args(["-c", command]);
        run(bash, b"");
        assert!(!pwned.exists(), "pasting ran more than git: {command}");
    }
}

/// `--for` a URL on another host than `--host`: refused before anything
/// is asked, so that no host hears of another's repository.
#[test]
fn use_for_a_url_on_another_host_is_refused() {
    let accounts = two_accounts("use-other-host");
    let before = accounts.world.fake.requests();
    let used = accounts.helper(&[
        "use",
        "alice",
        "--for",
        "https://elsewhere.example/acme/app",
        "--host",
        &accounts.url(),
    ]);
    assert!(!used.status.success());
    assert!(used.stderr.contains("name one host"), "{}", used.stderr);
    assert!(accounts.bindings().is_empty());
    assert_eq!(accounts.world.fake.requests(), before);
}

#[test]
fn an_owner_in_another_case_gets_the_same_account() {
    let accounts = two_accounts("owner-case");
    let used = accounts.helper(&[
        "use",
        "alice_acme",
        "--for",
        "acme",
        "--host",
        &accounts.url(),
    ]);
    assert!(used.status.success(), "{}", used.stderr);
    for path in [
        "acme/app.git",
        "ACME/app.git",
        "Acme/other",
        "acme/app.git/info/lfs/objects/batch",
    ] {
        let filled = accounts.fill(path);
        assert_signed_in_as(&filled, "alice_acme");
    }
    assert_eq!(
        accounts.world.fake.repository_api_requests(),
        0,
        "all bound"
    );
    // Another owner, whose repository none of them can see: the default,
    // and nothing bound.
    assert_signed_in_as(&accounts.fill("acme-corp/app.git"), "alice");
    assert_eq!(
        accounts.world.fake.repository_api_requests(),
        2,
        "{:#?}",
        accounts.world.fake.seen()
    );
    assert_eq!(accounts.bindings(), ["acme alice_acme"]);
}

#[test]
fn use_binds_switches_clears_and_unconfigure_keeps_a_persons_username() {
    let accounts = two_accounts("use");
    let url = accounts.url();
    let used = accounts.helper(&["use", "alice_acme", "--for", "acme", "--host", &url]);
    assert!(used.status.success(), "{}", used.stderr);
    assert!(
        used.stdout_text().contains("acme: alice_acme from now on"),
        "{}",
        used.stdout_text()
    );
    assert_signed_in_as(&accounts.fill("acme/app.git"), "alice_acme");

    // Switch, by URL: one binding, replaced.
    let switched = accounts.helper(&["use", "alice", "--for", &format!("{url}/ACME")]);
    assert!(switched.status.success(), "{}", switched.stderr);
    assert_eq!(accounts.bindings(), ["acme alice"]);
    assert_signed_in_as(&accounts.fill("acme/app.git"), "alice");

    let cleared = accounts.helper(&["use", "--clear", "acme", "--host", &url]);
    assert!(cleared.status.success(), "{}", cleared.stderr);
    assert!(accounts.bindings().is_empty());

    // Inside a clone, the push remote's owner.
    accounts
        .world
        .fake
        .make_private("acme/app", &[("alice_acme", Permission::Push)]);
    let used = accounts.helper(&["use", "alice_acme", "--for", "acme", "--host", &url]);
    assert!(used.status.success());
    let cloned = accounts.clone_and_push("acme/app");
    assert!(cloned.status.success(), "{}", cloned.stderr);
    assert!(
        accounts
            .helper(&["use", "--clear", "acme", "--host", &url])
            .status
            .success()
    );
    let inside = accounts.helper_in(&accounts.world.dir.join("acme-app"), &["use", "alice_acme"]);
    assert!(inside.status.success(), "{}", inside.stderr);
    assert_eq!(accounts.bindings(), ["acme alice_acme"]);

    // An SSH push remote: git never asks a helper for it, so the binding
    // goes to the HTTPS host configured under the same name, and says so;
    // an SSH host with nothing configured is refused, asking for --host.
    let clone = accounts.world.dir.join("acme-app");
    assert!(
        accounts
            .helper(&["use", "--clear", "acme", "--host", &url])
            .status
            .success()
    );
    let over_ssh = |push_url: &str| {
        let set = accounts.git(&clone, &["remote", "set-url", "--push", "origin", push_url]);
        assert!(set.status.success(), "{}", set.stderr);
        accounts.helper_in(&clone, &["use", "alice_acme"])
    };
    let mapped = over_ssh("git@127.0.0.1:acme/app.git");
    assert!(mapped.status.success(), "{}", mapped.stderr);
    assert!(
        mapped.stdout_text().contains("is an SSH remote")
            && mapped.stdout_text().contains("HTTPS access to 127.0.0.1"),
        "{}",
        mapped.stdout_text()
    );
    assert_eq!(accounts.bindings(), ["acme alice_acme"]);
    assert!(
        accounts
            .helper(&["use", "--clear", "acme", "--host", &url])
            .status
            .success()
    );
    let unknown = over_ssh("git@ghe.unknown.test:acme/app.git");
    assert_eq!(unknown.status.code(), Some(1), "{}", unknown.stdout_text());
    assert!(
        unknown.stderr.contains("ghe.unknown.test") && unknown.stderr.contains("--host"),
        "{}",
        unknown.stderr
    );
    assert!(accounts.bindings().is_empty());
    let config = std::fs::read_to_string(&accounts.config).unwrap();
    assert!(
        !config.contains("github.com"),
        "nothing bound on github.com instead:\n{config}"
    );
    let restored = accounts.git(
        &clone,
        &["remote", "set-url", "--delete", "--push", "origin", ".*"],
    );
    assert!(restored.status.success(), "{}", restored.stderr);
    assert!(
        accounts
            .helper_in(&clone, &["use", "alice_acme"])
            .status
            .success()
    );

    // A person's own username stays; everything this helper wrote goes.
    accounts.write_config(&[&format!("credential.{url}/acme.username"), "person"]);
    let gone = accounts.helper(&["unconfigure", "--host", &url]);
    assert!(gone.status.success(), "{}", gone.stderr);
    let left = std::fs::read_to_string(&accounts.config).unwrap();
    assert!(left.contains("username = person"), "{left}");
    for ours in [
        "ghoauthAccount",
        "useHttpPath",
        "ghoauthWrote",
        "ghoauthClientId",
    ] {
        assert!(!left.contains(ours), "{ours} left in:\n{left}");
    }
}

#[test]
fn use_signs_in_for_a_login_without_a_token_and_refuses_another_account() {
    let accounts = Accounts::new("use-sign-in");
    let url = accounts.url();
    accounts.world.fake.sign_in_as("bob");
    let wrong = accounts.helper(&["use", "alice", "--for", "acme", "--host", &url]);
    assert!(!wrong.status.success());
    assert!(
        wrong
            .stderr
            .contains("you authorized the GitHub account 'bob'"),
        "{}",
        wrong.stderr
    );
    assert!(
        accounts.bindings().is_empty(),
        "a sign-in as another account writes nothing"
    );
    assert_eq!(
        accounts.world.fake.live_tokens_of("bob"),
        Vec::<String>::new(),
        "and leaves no token of it alive"
    );
    assert_eq!(accounts.world.fake.login_hints(), ["alice"]);

    accounts.world.fake.sign_in_as("alice");
    let right = accounts.helper(&["use", "alice", "--for", "acme", "--host", &url]);
    assert!(right.status.success(), "{}", right.stderr);
    assert_eq!(accounts.bindings(), ["acme alice"]);
}

#[test]
fn a_host_wide_username_written_after_a_binding_is_named_by_status() {
    let accounts = two_accounts("username-override");
    let url = accounts.url();
    assert!(
        accounts
            .helper(&["use", "alice_acme", "--for", "acme", "--host", &url])
            .status
            .success()
    );
    accounts.write_config(&["credential.username", "alice"]);

    // git sends that name, and a name git sends wins...
    assert_signed_in_as(&accounts.fill("acme/app.git"), "alice");
    // ...which status says plainly, with the fix.
    let status = accounts.helper(&["status", "--host", &url]).stdout_text();
    assert!(
        status.contains("overridden: credential.username = alice")
            && status.contains("git config --global --unset credential.username"),
        "{status}"
    );
    let json: serde_json::Value = serde_json::from_slice(
        &accounts
            .helper(&["status", "--host", &url, "--json"])
            .stdout,
    )
    .unwrap();
    let host = &json["hosts"][0];
    assert_eq!(host["bindings"][0]["owner"], "acme");
    assert_eq!(host["bindings"][0]["login"], "alice_acme");
    assert_eq!(host["bindings"][0]["account_stored"], true);
    assert_eq!(host["username_settings"][0]["key"], "credential.username");
}

#[test]
fn a_binding_to_a_reader_is_what_git_uses_and_github_refuses_its_push() {
    let accounts = two_accounts("reader-bound");
    let url = accounts.url();
    assert!(
        accounts
            .helper(&["use", "alice", "--for", "acme", "--host", &url])
            .status
            .success()
    );
    let pushed = accounts.clone_and_push("acme/app");
    assert!(!pushed.status.success());
    assert!(pushed.stderr.contains("403"), "{}", pushed.stderr);
    assert_eq!(accounts.world.fake.repository_api_requests(), 0);

    // A binding whose account is gone is named, with the fix.
    accounts.write_config(&[
        "--add",
        &format!("credential.{url}.ghoauthAccount"),
        "octo-org ghost",
    ]);
    let status = accounts.helper(&["status", "--host", &url]).stdout_text();
    assert!(
        status.contains("octo-org → ghost") && status.contains("no token is stored for ghost"),
        "{status}"
    );
}

#[test]
fn discovery_with_github_unreachable_binds_nothing_and_still_answers() {
    let accounts = two_accounts("unreachable");
    let fake = &accounts.world.fake;
    fake.set_repository_api(RepositoryApi::Unreachable);
    let filled = accounts.fill("acme/app.git");
    assert_signed_in_as(&filled, "alice");
    assert!(complaints(&filled.stderr).is_empty(), "{}", filled.stderr);
    assert!(accounts.bindings().is_empty());
    assert_eq!(fake.repository_api_requests(), 2);

    // Tried again next time, not served from the cache.
    fake.set_repository_api(RepositoryApi::Works);
    assert_signed_in_as(&accounts.fill("acme/app.git"), "alice_acme");
    assert_eq!(accounts.bindings(), ["acme alice_acme"]);
    assert_eq!(fake.repository_api_requests(), 4);
}

#[test]
fn parallel_gits_that_discover_at_once_write_one_binding() {
    let accounts = two_accounts("parallel-discovery");
    let answers: Vec<Run> = std::thread::scope(|scope| {
        let fills: Vec<_> = (0..6)
            .map(|_| scope.spawn(|| accounts.fill("acme/app.git")))
            .collect();
        fills.into_iter().map(|fill| fill.join().unwrap()).collect()
    });
    for answer in &answers {
        assert_signed_in_as(answer, "alice_acme");
    }
    assert_eq!(accounts.bindings(), ["acme alice_acme"]);
}

/// Fault: eight gits, each discovering a new owner at once, contend for
/// git's lock on the global config. Every binding is kept: a write that
/// finds the lock taken tries again, within a bound.
#[test]
fn eight_parallel_gits_discovering_eight_owners_keep_all_eight_bindings() {
    let accounts = two_accounts("eight-owners");
    let owners: Vec<String> = (0..8).map(|index| format!("org{index}")).collect();
    for owner in &owners {
        let repository = format!("{owner}/app");
        accounts.world.fake.create_repo(&repository);
        accounts.world.fake.make_private(
            &repository,
            &[
                ("alice_acme", Permission::Push),
                ("alice", Permission::Pull),
            ],
        );
    }
    let answers: Vec<Run> = std::thread::scope(|scope| {
        let fills: Vec<_> = owners
            .iter()
            .map(|owner| {
                let accounts = &accounts;
                scope.spawn(move || accounts.fill(&format!("{owner}/app.git")))
            })
            .collect();
        fills.into_iter().map(|fill| fill.join().unwrap()).collect()
    });
    for answer in &answers {
        assert_signed_in_as(answer, "alice_acme");
    }
    let mut bindings = accounts.bindings();
    bindings.sort();
    let expected: Vec<String> = owners
        .iter()
        .map(|owner| format!("{owner} alice_acme"))
        .collect();
    assert_eq!(bindings, expected);
}

/// An organisation that enforces SAML SSO refuses the account that can
/// push, whose token is not yet authorized for it: discovery binds no
/// other account in its place, says which one, and gives the page that
/// authorizes it.
#[test]
fn an_account_that_only_lacks_sso_authorization_is_named_and_nothing_is_bound() {
    let accounts = two_accounts("sso");
    accounts.world.fake.require_sso("acme", "alice_acme");
    let filled = accounts.fill("acme/app.git");
    assert_signed_in_as(&filled, "alice");
    let said = complaints(&filled.stderr);
    assert_eq!(said.len(), 1, "{}", filled.stderr);
    assert!(
        said[0].contains("alice_acme cannot be chosen yet")
            && said[0].contains("the acme organisation enforces SAML single sign-on")
            && said[0].contains(&format!(
                "{}/orgs/acme/sso?authorization_request=",
                accounts.url()
            )),
        "{said:?}"
    );
    assert!(
        accounts.bindings().is_empty(),
        "the reader was not bound in its place"
    );
}

/// `use` inside a clone binds the push remote's owner, then asks GitHub
/// what the account may do there: SAML SSO in the way is named, with its
/// authorization address, and the binding stands.
#[test]
fn use_inside_a_clone_names_sso_that_stands_in_the_way() {
    let accounts = two_accounts("use-sso");
    accounts.world.fake.require_sso("acme", "alice_acme");
    let clone = accounts.world.dir.join("acme-app-sso");
    let remote = format!("{}/acme/app.git", accounts.url());
    let cloned = accounts.git(
        &accounts.world.dir,
        &["clone", "-q", &remote, clone.to_str().unwrap()],
    );
    assert!(cloned.status.success(), "{}", cloned.stderr);
    let used = accounts.helper_in(&clone, &["use", "alice_acme"]);
    assert!(used.status.success(), "{}", used.stderr);
    let said = used.stdout_text();
    assert!(
        said.contains(
            "Note: alice_acme cannot reach acme/app yet: the acme organisation enforces SAML \
             single sign-on"
        ) && said.contains("/orgs/acme/sso?authorization_request="),
        "{said}"
    );
    assert_eq!(accounts.bindings(), ["acme alice_acme"]);

    // A reader is told it cannot push; the binding stands all the same.
    let used = accounts.helper_in(&clone, &["use", "alice"]);
    assert!(used.status.success(), "{}", used.stderr);
    assert!(
        used.stdout_text()
            .contains("Note: alice can read acme/app but not push to it."),
        "{}",
        used.stdout_text()
    );
}

#[test]
fn logout_of_an_account_removes_its_bindings() {
    let accounts = two_accounts("logout-bindings");
    let url = accounts.url();
    assert!(
        accounts
            .helper(&["use", "alice_acme", "--for", "acme", "--host", &url])
            .status
            .success()
    );
    assert!(
        accounts
            .helper(&["use", "alice", "--for", "alice", "--host", &url])
            .status
            .success()
    );
    let logout = accounts.helper(&["logout", "--host", &url, "--user", "alice_acme"]);
    assert!(logout.status.success(), "{}", logout.stderr);
    assert!(
        logout
            .stdout_text()
            .contains("Removed the bindings of alice_acme"),
        "{}",
        logout.stdout_text()
    );
    assert_eq!(accounts.bindings(), ["alice alice"]);
}

/// Each test above on the Secret Service and on the kernel keyring.
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod on_the_secret_service {
            $(#[test] fn $name() { super::$name() })*
        }
        mod on_the_kernel_keyring {
            $(#[test] fn $name() { crate::common::without_dbus(Some("kernel"), super::$name) })*
        }
    };
}
use on_both_stores;
