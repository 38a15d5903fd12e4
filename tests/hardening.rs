//! What a security review found, each as behaviour an attacker cannot get
//! around: on the same machine (forged callbacks, planted directories,
//! reading argv in /proc) or behind a hostile server (terminal escapes,
//! absurd numbers), through the built helper and real git.
// Drives processes the Unix way (signals, sessions, file modes, /proc).
#![cfg(unix)]

use crate::common;
use crate::fake_github;
use crate::world;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::*;
use fake_github::{CLIENT_ID, FakeGitHub};
use world::*;

/// The helper's own `get` for `input`, with the world's OAuth settings in
/// its environment and `env` on top.
fn helper_get_with(world: &World, env: &[(&str, &str)], input: &str) -> Run {
    let mut command = world.helper_get_command();
    command.envs(env.iter().copied());
    run(command, input.as_bytes())
}

#[test]
fn a_host_two_parsers_read_apart_reaches_no_server() {
    let world = world("two-readings");
    let evil_dir = world.dir.join("evil");
    let evil = FakeGitHub::start(&evil_dir.join("repos"), "evil-secret", watch_secret);
    let (good, bad) = (&world.fake.host, &evil.host);
    let bad_port = bad.rsplit(':').next().unwrap();
    let hostile = [
        format!("{bad}\\@{good}"),
        format!("{bad}\\\\@{good}"),
        format!("{bad}/..\\@{good}"),
        format!("{bad}\t@{good}"),
        format!("{bad}#@{good}"),
        format!("{bad}?@{good}"),
        format!("localhost:{bad_port}@{good}"),
        format!("127.0.0.1:{bad_port}%5c@{good}"),
    ];
    let good_requests = world.fake.requests();
    for host in &hostile {
        let input = format!("protocol=http\nhost={host}\n");
        let filled = run(world.fill_command(&[]), input.as_bytes());
        assert!(
            !filled.stdout_text().contains("password="),
            "{host:?}: {}",
            filled.stdout_text()
        );
        let direct = helper_get_with(&world, &[], &input);
        assert!(direct.status.success(), "{host:?}: {}", direct.stderr);
        assert_eq!(direct.stdout_text(), "", "{host:?}");
        let said = complaints(&direct.stderr);
        assert_eq!(said.len(), 1, "{host:?}: {}", direct.stderr);
        assert!(said[0].contains("not signing in to the host"), "{said:?}");
        assert!(said[0].contains("check the remote URL"), "{said:?}");
    }
    assert_eq!(
        evil.requests(),
        0,
        "the second server heard from the helper"
    );
    assert_eq!(world.fake.requests(), good_requests, "nor did the first");
    assert_eq!(world.browser_opened(), 0, "no browser for a hostile host");
    assert!(!world.keyring().contains("octocat"));
}

#[test]
fn a_host_in_another_case_or_with_its_default_port_is_the_same_oauth_host() {
    let world = world("canonical");
    let signed_in = world.fill(&[], "");
    assert_signed_in_as(&signed_in, "octocat");
    let token = world.live_tokens()[0].clone();
    // localhost:PORT is another host (and another config section); but the
    // same host spelled with a default port is github.com's own rule.
    let host = &world.fake.host;
    let again = helper_get_with(
        &world,
        &[],
        &format!("protocol=HTTP\nhost={}\n", host.to_uppercase()),
    );
    assert!(
        again.stdout_text().contains(&format!("password={token}\n")),
        "{}",
        again.stderr
    );
    assert_eq!(world.fake.authorizations(), 1, "no second sign-in");
}

#[test]
fn forged_callbacks_before_the_real_one_change_nothing() {
    let world = world("forged-callbacks");
    write_script(
        &world.dir.join("browser"),
        &format!(
            "port=$(printf %s \"$1\" | sed 's#.*:\\([0-9]*\\)/start$#\\1#')
for forged in 'code=forged' 'code=forged&state=wrong' 'error=access_denied' 'error=access_denied&state=wrong'; do
    curl -sS --noproxy '*' --max-time 10 -o /dev/null -w '%{{http_code}}\\n' \"http://127.0.0.1:$port/callback?$forged\" >>'{codes}'
done
curl -sS --noproxy '*' --max-time 10 -o /dev/null -w '%{{http_code}}\\n' -H 'Host: evil.example' \"$1\" >>'{codes}'
exec curl -sS -L --noproxy '*' --max-time 30 -o '{page}' \"$1\"",
            codes = world.dir.join("codes").display(),
            page = world.dir.join("page.html").display(),
        ),
    );
    let filled = world.fill(&[], "");
    assert_signed_in_as(&filled, "octocat");
    let codes = std::fs::read_to_string(world.dir.join("codes")).unwrap();
    assert_eq!(codes, "400\n400\n400\n400\n400\n", "every forgery refused");
    assert_eq!(world.fake.authorizations(), 1);
    assert!(world.page_shown().contains("Signed in"));
}

#[test]
fn the_start_link_works_once() {
    let world = world("start-twice");
    write_script(
        &world.dir.join("browser"),
        &format!(
            "curl -sS --noproxy '*' --max-time 10 -o /dev/null \"$1\"
exec curl -sS -L --noproxy '*' --max-time 30 -o '{page}' \"$1\"",
            page = world.dir.join("page.html").display(),
        ),
    );
    let filled = world.fill(&[], "");
    assert_fails_cleanly(&world, &filled, "opened twice");
    assert!(world.page_shown().contains("opened twice"));
    assert_eq!(
        world.fake.authorizations(),
        0,
        "nobody got as far as a code"
    );
}

/// Runs `command` under `strace -f -e trace=execve`, returning the run and
/// every argv that was executed.
fn traced(command: Command, trace: &Path, input: &[u8]) -> (Run, String) {
    let program = command.get_program().to_owned();
    let args: Vec<_> = command.get_args().map(|a| a.to_owned()).collect();
    let mut strace = common::command("strace");
    strace.args(["-f", "-qq", "-s", "65536", "-e", "trace=execve", "-o"]);
    strace.arg(trace).arg(program).args(args);
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => strace.env(key, value),
            None => strace.env_remove(key),
        };
    }
    let ran = run(strace, input);
    let argv = std::fs::read_to_string(trace).expect("strace (package strace) wrote its log");
    (ran, argv)
}

#[test]
fn no_secret_state_or_challenge_in_any_argv() {
    let world = world("argv");
    let config = world.dir.join("gitconfig");
    let url = world.fake.base_url.clone();

    let mut configure = command(HELPER);
    configure
        .env("GIT_CONFIG_GLOBAL", &config)
        .env("GHOAUTH_CLIENT_SECRET", &world.client_secret)
        .args(["configure", "--host", &url, "--client-id", CLIENT_ID]);
    let (configured, configure_argv) = traced(configure, &world.dir.join("configure.trace"), b"");
    assert!(configured.status.success(), "{}", configured.stderr);
    assert!(
        configure_argv.contains("execve("),
        "strace saw the helper run"
    );

    let written = std::fs::read_to_string(&config).unwrap();
    assert!(!written.contains(&world.client_secret), "{written}");
    let secrets = world.dir.join(".git-credential-ghoauth-secrets");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secrets).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the secrets file is {mode:o}");
    }
    assert!(
        std::fs::read_to_string(&secrets)
            .unwrap()
            .contains(&world.client_secret)
    );

    let mut fill = command("git");
    fill.env("GIT_CONFIG_GLOBAL", &config)
        .env("BROWSER", world.dir.join("browser"))
        .env_remove("GIT_TERMINAL_PROMPT")
        .args(["credential", "fill"]);
    let (filled, fill_argv) = traced(
        fill,
        &world.dir.join("fill.trace"),
        world.fill_input("").as_bytes(),
    );
    assert_signed_in_as(&filled, "octocat");
    // The address printed for a person is /start too: no state, no challenge.
    assert!(
        filled.stderr.contains("/start") && !filled.stderr.contains("code_challenge="),
        "{}",
        filled.stderr
    );
    assert!(
        fill_argv.contains("/start"),
        "the browser was started: {fill_argv}"
    );

    let authorized = world.fake.authorize_requests();
    assert_eq!(authorized.len(), 1);
    let challenge = authorized[0]
        .code_challenge
        .clone()
        .expect("a PKCE challenge");
    for argv in [&configure_argv, &fill_argv] {
        assert!(
            !argv.contains(&world.client_secret),
            "the client secret in argv"
        );
        assert!(!argv.contains(&authorized[0].state), "the state in argv");
        assert!(!argv.contains(&challenge), "the challenge in argv");
        for token in world.live_tokens() {
            assert!(!argv.contains(&token), "a token in argv");
        }
    }
}

#[test]
fn a_login_that_would_drive_the_terminal_is_refused() {
    let world = world("escape-login");
    world.fake.sign_in_as("bob\u{1b}]0;PWNED\u{7}\u{1b}[2J");
    for extra in ["", "username=bob\n"] {
        let filled = world.fill(&[], extra);
        assert_eq!(filled.stdout_text(), "", "nothing for git");
        assert!(!filled.stderr.contains('\u{1b}'), "{:?}", filled.stderr);
        let said = complaints(&filled.stderr);
        assert_eq!(said.len(), 1, "{}", filled.stderr);
        assert!(
            said[0].contains("login that holds characters other than letters, digits"),
            "{said:?}"
        );
    }
    assert!(!world.keyring().contains("bob"), "nothing stored");
}

#[test]
fn numbers_near_their_limits_are_clamped_not_panicked_on() {
    let world = world("huge-numbers");
    let url = world.fake.base_url.clone();
    let huge_timeout = world.fill(
        &[format!(
            "credential.{url}.ghoauthTimeout=18446744073709551615"
        )],
        "",
    );
    assert_signed_in_as(&huge_timeout, "octocat");
    assert!(
        !huge_timeout.stderr.contains("panicked"),
        "{}",
        huge_timeout.stderr
    );

    let other = world_with("huge-numbers-2", FakeGitHub::start);
    let mut fill = other.fill_command(&[]);
    fill.env("GHOAUTH_KEYRING_TIMEOUT", "9223372036854775808");
    let huge_keyring_timeout = run(fill, other.fill_input("").as_bytes());
    assert_signed_in_as(&huge_keyring_timeout, "octocat");

    let device = world_with("huge-numbers-device", FakeGitHub::start);
    device
        .fake
        .set_device_timing(Duration::from_secs(1), Duration::from_secs(u64::MAX));
    let url = device.fake.base_url.clone();
    let huge_expiry = device.fill(&[format!("credential.{url}.ghoauthFlow=device")], "");
    assert_signed_in_as(&huge_expiry, "octocat");
}

/// The cache's keys in the kernel: `id timeout description` per key.
fn cache_keys() -> Vec<(String, String, String)> {
    let keys = std::fs::read_to_string("/proc/keys").unwrap();
    // The cache's keys only: the kernel store's (other tests', in their
    // namespaces) never expire, by design.
    keys.lines()
        .filter(|line| {
            line.contains("git-credential-ghoauth/answer/")
                || line.contains("git-credential-ghoauth/generation/")
        })
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            (
                fields[0].to_string(),
                fields[3].to_string(),
                fields[8].to_string(),
            )
        })
        .collect()
}

#[test]
fn a_cache_time_past_32_bits_never_makes_a_permanent_key() {
    let host = host("cache-wrap");
    let stored = helper(
        "store",
        &format!("protocol=https\nhost={host}\nusername=u\npassword=p\n"),
    );
    assert!(stored.status.success(), "{}", stored.stderr);
    let before: Vec<String> = cache_keys().into_iter().map(|(id, _, _)| id).collect();
    let mut get = command(HELPER);
    get.env("GHOAUTH_CACHE_SECONDS", "4294967296").arg("get");
    let got = run(get, format!("protocol=https\nhost={host}\n").as_bytes());
    assert!(got.stdout_text().contains("password=p"), "{}", got.stderr);
    let new: Vec<_> = cache_keys()
        .into_iter()
        .filter(|(id, _, _)| !before.contains(id))
        .collect();
    assert!(
        new.iter()
            .any(|(_, _, description)| description.contains("/answer/")),
        "the answer was cached: {new:?}"
    );
    for (_, timeout, description) in new {
        assert_ne!(timeout, "perm", "{description} never expires");
    }
}

#[test]
fn an_erase_through_another_spelling_of_the_bus_empties_the_cache() {
    let address = &session().bus_address;
    let (bare, guid) = address
        .split_once(",guid=")
        .expect("the bus address names its guid");
    assert!(!guid.is_empty());
    // No other test's write may make the cached answer stale meanwhile.
    let _still = keep_others_still();
    let helper_on = |bus: &str, operation: &str, input: &str| {
        let mut command = command(HELPER);
        command.env("DBUS_SESSION_BUS_ADDRESS", bus).arg(operation);
        run_alone(command, input.as_bytes())
    };
    let host = host("bus-spelling");
    let request = format!("protocol=https\nhost={host}\n");
    let stored = helper_on(
        address,
        "store",
        &format!("{request}username=u\npassword=erased\n"),
    );
    assert!(stored.status.success(), "{}", stored.stderr);
    let cached = helper_on(address, "get", &request);
    assert!(cached.stdout_text().contains("password=erased"));

    let erased = helper_on(bare, "erase", &request);
    assert!(erased.status.success(), "{}", erased.stderr);
    let after = helper_on(address, "get", &request);
    assert_eq!(
        after.stdout_text(),
        "",
        "the cache served an erased password"
    );
}

#[test]
fn a_lock_directory_that_is_not_ours_is_not_used() {
    let world = world("planted-lock-dir");
    let runtime = world.dir.join("runtime");
    let attacker = world.dir.join("attacker");
    let cache = world.dir.join("cache");
    for dir in [&runtime, &attacker] {
        std::fs::create_dir_all(dir).unwrap();
    }
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::set_permissions(&attacker, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    std::os::unix::fs::symlink(&attacker, runtime.join("git-credential-ghoauth")).unwrap();
    let mut fill = world.fill_command(&[]);
    fill.env("XDG_RUNTIME_DIR", &runtime)
        .env("XDG_CACHE_HOME", &cache);
    let filled = run(fill, world.fill_input("").as_bytes());
    assert_signed_in_as(&filled, "octocat");
    let said = complaints(&filled.stderr);
    assert_eq!(said.len(), 1, "{}", filled.stderr);
    assert!(
        said[0].contains("not using") && said[0].contains("not a directory"),
        "{said:?}"
    );
    assert_eq!(
        std::fs::read_dir(&attacker).unwrap().count(),
        0,
        "a file in the planted directory"
    );
    let locks: Vec<_> = std::fs::read_dir(cache.join("git-credential-ghoauth"))
        .expect("the cache directory took over")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        locks.iter().any(|name| name.starts_with("sign-in-")),
        "{locks:?}"
    );
}

#[test]
fn the_helper_keeps_its_memory_from_other_processes() {
    // Run as an unprivileged user, whose /proc files belong to root only
    // once the process is non-dumpable.
    // SAFETY: geteuid(2) cannot fail and touches no memory.
    let as_root = unsafe { libc::geteuid() } == 0;
    let mut helper = if as_root {
        let mut command = command("setpriv");
        command.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            HELPER,
            "get",
        ]);
        command
    } else {
        let mut command = command(HELPER);
        command.arg("get");
        command
    };
    let mut child = helper
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("setpriv (package util-linux)");
    let pid = child.id();
    let owner = |name: &str| {
        std::fs::metadata(format!("/proc/{pid}/{name}"))
            .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
            .ok()
    };
    // Waiting on stdin: the helper is running, and made itself private
    // first thing.
    let mut private = false;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if comm.starts_with("git-credential")
            && owner("environ") == Some(0)
            && owner("mem") == Some(0)
        {
            private = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(child.stdin.take());
    let _ = child.wait();
    assert!(
        private,
        "/proc/{pid}/environ stayed readable by the helper's user"
    );
}

/// Runs `command` and returns it with its own peak resident memory in KiB:
/// the kernel's high-water mark (`VmHWM`), read while it runs. Not
/// `ru_maxrss`, which also counts the children it reaped: the tests'
/// browser script among them, whose 64 MiB pipe made this test fail on a
/// busy machine, where the helper lived long enough to reap it. Only a
/// helper that exits before the first reading falls back to `ru_maxrss`.
// The child is reaped by wait4, which clippy does not know of.
#[allow(clippy::zombie_processes)]
fn run_measuring_peak(mut command: Command, input: &[u8]) -> (i32, i64) {
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input).unwrap();
    }
    let pid = child.id() as i32;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value of that plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut high_water: Option<i64> = None;
    loop {
        // Before the wait: the process is still there to read, as a zombie
        // at worst, until wait4 reaps it.
        let reading = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find_map(|line| line.strip_prefix("VmHWM:"))
                    .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse::<i64>().ok())
            });
        if let Some(kib) = reading {
            high_water = Some(high_water.map_or(kib, |seen| seen.max(kib)));
        }
        // SAFETY: wait4 on our own, not yet reaped child, with valid
        // pointers to locals; WNOHANG so the wait stays bounded.
        let waited = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if waited == pid {
            break;
        }
        assert_eq!(waited, 0, "wait4 failed");
        if std::time::Instant::now() > deadline {
            // SAFETY: kill(2) of our child, which has not been reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("the helper did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (status, high_water.unwrap_or(usage.ru_maxrss))
}

#[test]
fn a_64_mib_header_costs_little_and_the_real_callback_still_signs_in() {
    let world = world("huge-header");
    std::fs::write(
        world.dir.join("browser"),
        format!(
            "#!/bin/bash
# The listener's port, from /start (or from the redirect_uri of a consent
# address, should the browser ever be sent there directly).
port=$(printf %s \"$1\" | sed -n -e 's#^http://127\\.0\\.0\\.1:\\([0-9]*\\)/start$#\\1#p' \\
    -e 's#.*redirect_uri=http%3A%2F%2F127\\.0\\.0\\.1%3A\\([0-9]*\\)%2F.*#\\1#p')
( printf 'GET /callback HTTP/1.1\\r\\nHost: 127.0.0.1:%s\\r\\nX-Junk: ' \"$port\"
  head -c 67108864 /dev/zero | tr '\\0' a ) >/dev/tcp/127.0.0.1/$port 2>/dev/null
exec curl -sS -L --noproxy '*' --max-time 30 -o '{page}' \"$1\"
",
            page = world.dir.join("page.html").display()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            world.dir.join("browser"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
    let get = world.helper_get_command();
    let (status, peak_kib) = run_measuring_peak(get, world.fill_input("").as_bytes());
    assert_eq!(status, 0);
    assert!(
        world.page_shown().contains("Signed in"),
        "the real callback signed in"
    );
    assert!(
        world.keyring().contains("octocat"),
        "and the token was kept"
    );
    assert!(peak_kib < 48 * 1024, "peak {peak_kib} KiB");
}

/// The helper with a global git config of the test's own.
fn helper_in(config: &Path, env: &[(&str, &str)], args: &[&str], input: &[u8]) -> Run {
    let mut command = command(HELPER);
    command
        .env("GIT_CONFIG_GLOBAL", config)
        .env_remove("GHOAUTH_CLIENT_SECRET")
        .envs(env.iter().copied())
        .args(args);
    run(command, input)
}

#[test]
fn configure_takes_the_secret_from_stdin_and_warns_about_argv() {
    let world = world("secret-sources");
    let config = world.dir.join("gitconfig");
    let secrets = world.dir.join(".git-credential-ghoauth-secrets");
    let url = world.fake.base_url.as_str();
    let args = ["configure", "--host", url, "--client-id", CLIENT_ID];

    let from_stdin = helper_in(
        &config,
        &[],
        &[&args[..], &["--client-secret-stdin"]].concat(),
        format!("{}\n", world.client_secret).as_bytes(),
    );
    assert!(from_stdin.status.success(), "{}", from_stdin.stderr);
    assert_eq!(complaints(&from_stdin.stderr), Vec::<&str>::new());
    assert!(
        std::fs::read_to_string(&secrets)
            .unwrap()
            .contains(&world.client_secret)
    );
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(!written.contains(&world.client_secret), "{written}");
    assert!(
        written.contains(".git-credential-ghoauth-secrets"),
        "{written}"
    );

    // git reads the secret through the include: a sign-in works.
    let mut fill = command("git");
    fill.env("GIT_CONFIG_GLOBAL", &config)
        .env("BROWSER", world.dir.join("browser"))
        .env_remove("GIT_TERMINAL_PROMPT")
        .args(["credential", "fill"]);
    assert_signed_in_as(&run(fill, world.fill_input("").as_bytes()), "octocat");

    let other = secret("secret-on-argv");
    let from_argv = helper_in(
        &config,
        &[],
        &[&args[..], &["--client-secret", &other]].concat(),
        b"",
    );
    assert!(from_argv.status.success(), "{}", from_argv.stderr);
    let said = complaints(&from_argv.stderr);
    assert_eq!(said.len(), 1, "{}", from_argv.stderr);
    assert!(said[0].contains("visible to every local user"), "{said:?}");
    let kept = std::fs::read_to_string(&secrets).unwrap();
    assert!(
        kept.contains(&other) && !kept.contains(&world.client_secret),
        "replaced"
    );

    let removed = helper_in(&config, &[], &["unconfigure", "--host", url], b"");
    assert!(removed.status.success(), "{}", removed.stderr);
    assert!(
        !secrets.exists(),
        "the secrets file goes with the last secret"
    );
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        "",
        "and so does the include"
    );
}

#[test]
fn install_sh_takes_the_secret_from_stdin() {
    let world = world("install-stdin");
    let config = world.dir.join("gitconfig");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh");
    let mut install = command("sh");
    install
        .arg(&script)
        .args([
            "--prefix",
            world.dir.join("prefix").to_str().unwrap(),
            "--binary",
            HELPER,
        ])
        .args(["--client-id", CLIENT_ID, "--client-secret-stdin"])
        .env("GIT_CONFIG_GLOBAL", &config)
        .env_remove("GHOAUTH_CLIENT_SECRET");
    let installed = run(install, format!("{}\n", world.client_secret).as_bytes());
    assert!(installed.status.success(), "{}", installed.stderr);
    let secrets = world.dir.join(".git-credential-ghoauth-secrets");
    assert!(
        std::fs::read_to_string(secrets)
            .unwrap()
            .contains(&world.client_secret)
    );
    assert!(
        !std::fs::read_to_string(&config)
            .unwrap()
            .contains(&world.client_secret)
    );
}

#[test]
fn a_stored_user_name_cannot_drive_the_terminal_of_logout() {
    let host = host("escape-user");
    let stored = helper(
        "store",
        &format!("protocol=https\nhost={host}\nusername=eve\u{1b}]0;PWNED\u{7}\npassword=p\n"),
    );
    assert!(stored.status.success(), "{}", stored.stderr);
    let mut logout = command(HELPER);
    logout.args(["logout", "--host", &host]);
    let out = run(logout, b"");
    assert!(out.status.success(), "{}", out.stderr);
    let said = out.stdout_text();
    assert!(said.contains("Logged out eve ]0;PWNED "), "{said:?}");
    assert!(
        !said.contains('\u{1b}') && !said.contains('\u{7}'),
        "{said:?}"
    );
}
