//! `cargo run --example demo`: the whole thing on your own machine, with no
//! GitHub OAuth app of your own. It starts the test suite's fake GitHub on
//! loopback, clones a throwaway repository from it, and pushes twice: the
//! first push opens your browser on the fake consent page, the second takes
//! the token from your keyring. At the end the token is erased from the
//! keyring and revoked, and everything is removed.
//!
//! Where no browser can open (a server over SSH, a container), the demo
//! says so and signs in with the device flow instead, playing you at the
//! fake's device page itself: it enters the code the helper shows.
//!
//! The demo is its own credential helper: git runs `<demo> helper get`, and
//! that runs the same code as `git-credential-ghoauth get`.

use ghoauth_test_support::fake_github;

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use clap::Parser;
use fake_github::{CLIENT_ID, Consent, DeviceUser, FakeGitHub};
use git_credential_ghoauth::cli::Cli;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|arg| arg == "helper") {
        let helper_args = std::iter::once(OsString::from("git-credential-ghoauth"))
            .chain(args[2..].iter().cloned());
        return git_credential_ghoauth::run(Cli::parse_from(helper_args));
    }
    match demo() {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("demo: {why}");
            ExitCode::FAILURE
        }
    }
}

fn demo() -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("ghoauth-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let outcome = run_demo(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

/// Whether a browser can open here: what the helper itself looks at
/// before it tries (a `$BROWSER`, a display, or a desktop platform).
fn a_browser_can_open() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|value| !value.is_empty());
    cfg!(any(target_os = "macos", target_os = "windows"))
        || set("BROWSER")
        || set("DISPLAY")
        || set("WAYLAND_DISPLAY")
        || set("WSL_DISTRO_NAME")
}

fn run_demo(dir: &Path) -> Result<(), String> {
    let client_secret = format!("demo-secret-{}", std::process::id());
    let fake = FakeGitHub::start(&dir.join("server"), &client_secret, |_| {});
    fake.set_consent(Consent::AskUser);
    let with_browser = a_browser_can_open();
    let flow = match with_browser {
        true => "browser",
        false => {
            // The demo plays the person at the device page: the code is
            // entered after the helper's first poll, which comes after 1 s.
            fake.set_device_user(DeviceUser::EntersCodeAfterPolls(1));
            fake.set_device_timing(
                std::time::Duration::from_secs(1),
                std::time::Duration::from_secs(120),
            );
            "device"
        }
    };
    let remote = fake.create_repo("demo/hello");
    fake.add_collaborator("demo/hello", "octocat", fake_github::Permission::Push);
    let url = fake.base_url.clone();
    let me = std::env::current_exe().map_err(|e| format!("where am I? {e}"))?;
    let config = [
        "credential.helper=".to_string(),
        // `!` makes git run it through the shell, quoted, whatever the path.
        format!("credential.helper=!'{}' helper", me.display()),
        format!("credential.{url}.ghoauthClientId={CLIENT_ID}"),
        format!("credential.{url}.ghoauthClientSecret={client_secret}"),
        format!("credential.{url}.ghoauthFlow={flow}"),
        "user.name=Demo".to_string(),
        "user.email=demo@example.com".to_string(),
    ];
    let git = |cwd: &Path, args: &[&str], input: Option<&str>| -> Result<(), String> {
        let mut command = Command::new("git");
        command
            .current_dir(cwd)
            // Your own global config stays out of the way, and is untouched.
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GIT_TERMINAL_PROMPT");
        for setting in &config {
            command.args(["-c", setting]);
        }
        command.args(args).stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
            let _ = stdin.write_all(input.as_bytes());
        }
        let status = child.wait().map_err(|e| format!("git: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`git {}` failed ({status})", args.join(" ")))
        }
    };

    println!("git-credential-ghoauth demo");
    println!("A fake GitHub is serving {url} (loopback only; the test suite's own).\n");

    println!("1/4  git clone {remote}   (a public repository: no sign-in)");
    let work = dir.join("hello");
    git(
        dir,
        &["clone", "-q", &remote, work.to_str().unwrap_or("hello")],
        None,
    )?;

    match with_browser {
        true => println!(
            "\n2/4  git push   (the helper opens your browser on the fake consent page: press \
             Authorize)"
        ),
        false => println!(
            "\n2/4  git push   (no browser can open here: no $BROWSER, DISPLAY or \
             WAYLAND_DISPLAY. So the helper signs in with the device flow: it shows a code to \
             enter at the fake's device page, and the demo plays you there, entering the code \
             and pressing Authorize itself)"
        ),
    }
    std::fs::write(work.join("first.txt"), "first\n").map_err(|e| e.to_string())?;
    git(&work, &["add", "first.txt"], None)?;
    git(&work, &["commit", "-q", "-m", "first"], None)?;
    git(&work, &["push", "-q", "origin", "main"], None)?;
    println!("     pushed; sign-ins so far: {}", fake.authorizations());

    println!("\n3/4  git push again   (the token now comes from your keyring: no browser)");
    std::fs::write(work.join("second.txt"), "second\n").map_err(|e| e.to_string())?;
    git(&work, &["add", "second.txt"], None)?;
    git(&work, &["commit", "-q", "-m", "second"], None)?;
    git(&work, &["push", "-q", "origin", "main"], None)?;
    let sign_ins = fake.authorizations();
    println!("     pushed; sign-ins so far: {sign_ins}");

    println!("\n4/4  git credential reject   (erase the token from your keyring and revoke it)");
    for (token, live) in fake.tokens() {
        if live {
            let request = format!(
                "protocol=http\nhost={}\nusername=octocat\npassword={token}\n",
                fake.host
            );
            git(dir, &["credential", "reject"], Some(&request))?;
        }
    }
    let still_live = fake.tokens().iter().filter(|(_, live)| *live).count();
    println!("     revoked; live tokens left: {still_live}");
    if sign_ins != 1 || still_live != 0 {
        return Err(format!(
            "expected exactly one sign-in and no live token, got {sign_ins} and {still_live}"
        ));
    }
    println!("\nDone: one sign-in, two pushes, nothing left behind.");
    Ok(())
}
