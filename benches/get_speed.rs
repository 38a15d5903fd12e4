//! Whole-process wall time of `git-credential-ghoauth get` for a stored
//! credential, each way it can be answered, against git's own helpers for
//! the same credential: the plaintext file (`git credential-store`) and,
//! where it can be built, git's libsecret helper. All in one run, the
//! commands interleaved so that machine noise hits each alike.
//!
//! Every timed run's answer is checked, and the bench stops with an error
//! when one is wrong. Cache hits are proven: their Secret Service is shut
//! down before the timed runs, so a miss would answer nothing and stop the
//! bench.
//!
//!   cargo bench --locked --bench get_speed [-- RUNS]
//!
//! Then the `store` git runs after a push: `git credential approve` of what
//! a `fill` answered, through a git of 2.46 or later (`GHOAUTH_TEST_GIT_246`,
//! which tests/run.sh builds, or the git on PATH when it is new enough),
//! with the `state[]` line the fill carried, and without it as an older git
//! sends it, against git's credential-store; skipped, saying so, without
//! such a git.
//!
//! git's libsecret helper is built from git's contrib sources (Debian:
//! /usr/share/doc/git/contrib/credential/libsecret, with libsecret-1-dev);
//! without them its figure is skipped, and the bench says so.

use ghoauth_test_support::common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{KeyringState, Session, start_session};

const TOKEN: &str = "gho_benchmarktoken0123456789";

struct Timed {
    label: &'static str,
    command: Box<dyn Fn() -> Command>,
    samples: Vec<Duration>,
}

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(200);
    let host = common::host("bench");
    let store_input = format!("protocol=https\nhost={host}\nusername=bench\npassword={TOKEN}\n");
    let get_input = format!("protocol=https\nhost={host}\n");
    let expected = format!("username=bench\npassword={TOKEN}\n");

    let alive = start_session(KeyringState::Unlocked);
    let doomed = start_session(KeyringState::Unlocked);
    let bare = start_session(KeyringState::Absent);
    let _kernel = KernelItem::keep(&store_input, &get_input);

    store(
        on_bus(helper(&["--store=secret-service", "store"]), &alive),
        &store_input,
    );
    store(
        on_bus(helper(&["--store=secret-service", "store"]), &doomed),
        &store_input,
    );
    let plaintext = alive.dir.join("git-credentials");
    let credential_store = {
        let plaintext = plaintext.clone();
        move |operation: &str| {
            let mut command = common::command("git");
            command
                .args(["credential-store", "--file"])
                .arg(&plaintext)
                .arg(operation);
            command
        }
    };
    store(credential_store("store"), &store_input);
    let libsecret = build_libsecret_helper();
    if let Some(libsecret) = &libsecret {
        let mut command = on_bus(common::command(&libsecret.display().to_string()), &alive);
        command.arg("store");
        store(command, &store_input);
    }

    // The cache is filled through the doomed session, then its bus and
    // keyring stop: from here on only a cache hit can answer there.
    let doomed_address = doomed.bus_address.clone();
    let cache_hit = move || {
        let mut command = helper(&["get"]);
        command
            .env("DBUS_SESSION_BUS_ADDRESS", &doomed_address)
            .env("GHOAUTH_CACHE_SECONDS", "86400");
        command
    };
    check(cache_hit(), &get_input, &expected, "filling the cache");
    stop(doomed);

    let mut timed = vec![
        Timed::new("get, cache hit (Secret Service stopped)", cache_hit),
        Timed::new("git credential-store get (plaintext file)", move || {
            credential_store("get")
        }),
        Timed::new("get --store=kernel", || helper(&["--store=kernel", "get"])),
        Timed::new("get, auto, no D-Bus at all (kernel)", || {
            let mut command = helper(&["get"]);
            command
                .env_remove("GHOAUTH_STORE")
                .env_remove("DBUS_SESSION_BUS_ADDRESS");
            command
        }),
        Timed::new("get, auto, a bus but no Secret Service", {
            let address = bare.bus_address.clone();
            move || {
                let mut command = helper(&["get"]);
                command
                    .env_remove("GHOAUTH_STORE")
                    .env("DBUS_SESSION_BUS_ADDRESS", &address);
                command
            }
        }),
        Timed::new("get, Secret Service read (cache off)", {
            let address = alive.bus_address.clone();
            move || {
                let mut command =
                    helper(&["--cache-seconds", "0", "--store=secret-service", "get"]);
                command.env("DBUS_SESSION_BUS_ADDRESS", &address);
                command
            }
        }),
    ];
    if let Some(libsecret) = libsecret.clone() {
        let address = alive.bus_address.clone();
        timed.push(Timed::new("git's libsecret helper get", move || {
            let mut command = common::command(&libsecret.display().to_string());
            command.env("DBUS_SESSION_BUS_ADDRESS", &address).arg("get");
            command
        }));
    }

    // Warm up: every command answers right before any is timed.
    for _ in 0..5 {
        for each in &timed {
            check((each.command)(), &get_input, &expected, each.label);
        }
    }
    for run in 0..runs {
        // Rotated, so that no command always follows the same one.
        let count = timed.len();
        for offset in 0..count {
            let each = &mut timed[(run + offset) % count];
            let started = Instant::now();
            check((each.command)(), &get_input, &expected, each.label);
            each.samples.push(started.elapsed());
        }
    }

    println!("runs per command: {runs}, interleaved");
    let medians: Vec<f64> = timed
        .iter_mut()
        .map(|each| ms(median(&mut each.samples)))
        .collect();
    for (each, median) in timed.iter().zip(&medians) {
        println!("{:<46} median {:>7.2} ms", each.label, median);
    }
    println!("ratios:");
    let ratio = |a: usize, b: usize| medians[a] / medians[b];
    println!(
        "  cache hit / credential-store                 {:>7.2}",
        ratio(0, 1)
    );
    println!(
        "  --store=kernel / credential-store            {:>7.2}",
        ratio(2, 1)
    );
    println!(
        "  auto, no D-Bus / credential-store            {:>7.2}",
        ratio(3, 1)
    );
    println!(
        "  auto, bus without Secret Service / cred.-store {:>5.2}",
        ratio(4, 1)
    );
    match libsecret {
        Some(_) => println!(
            "  Secret Service read / libsecret helper       {:>7.2}",
            ratio(5, 6)
        ),
        None => println!(
            "  Secret Service read / libsecret helper: skipped (install libsecret-1-dev; git's \
             contrib sources are in /usr/share/doc/git/contrib/credential/libsecret)"
        ),
    }
    let peak_rss_kib = (0..5)
        .map(|_| peak_rss_kib((timed[0].command)(), &get_input))
        .max()
        .unwrap();
    println!(
        "peak RSS of a cache-hit get                    {:>7.2} MiB",
        peak_rss_kib as f64 / 1024.0
    );
    approvals(&alive, &plaintext, &host, runs);
    drop(alive);
    drop(bare);
}

/// A label, the `git credential approve` to time, and what it is handed.
type Approval = (&'static str, Box<dyn Fn() -> Command>, String);

/// `git credential approve` of what `fill` answered, timed per store, with
/// and without the `state[]` that lets the helper skip its keyring read.
fn approvals(alive: &Session, plaintext: &Path, host: &str, runs: usize) {
    let Some(git) = std::env::var("GHOAUTH_TEST_GIT_246")
        .ok()
        .or_else(|| (common::git_version() >= (2, 46)).then(|| "git".to_string()))
    else {
        println!("approve after fill: skipped (needs git 2.46 or later: GHOAUTH_TEST_GIT_246)");
        return;
    };
    let fill_input = format!("capability[]=state\nprotocol=https\nhost={host}\n");
    let git_with = |helper_value: String| {
        let (git, address) = (git.clone(), alive.bus_address.clone());
        move |operation: &str| {
            let mut command = common::command(&git);
            command
                .env("DBUS_SESSION_BUS_ADDRESS", &address)
                .args(["-c", "credential.helper=", "-c"])
                .arg(format!("credential.helper={helper_value}"))
                .args(["credential", operation]);
            command
        }
    };
    let ours = |store: &str| {
        let program = std::env::var("GHOAUTH_BENCH_HELPER")
            .unwrap_or_else(|_| common::helper_exe().to_string());
        git_with(format!("{program} --store={store}"))
    };
    let plain = git_with(format!("store --file {}", plaintext.display()));
    let secret_service = ours("secret-service");
    let kernel = ours("kernel");
    let filled = |git: &dyn Fn(&str) -> Command| {
        let run = common::run(git("fill"), fill_input.as_bytes());
        assert!(run.status.success(), "fill: {}", run.stderr);
        run.stdout_text()
    };
    let without_state = |answer: &str| -> String {
        answer
            .lines()
            .filter(|line| !line.starts_with("state[]=") && *line != "capability[]=state")
            .map(|line| format!("{line}\n"))
            .collect()
    };
    let answered = [filled(&plain), filled(&secret_service), filled(&kernel)];
    assert!(answered[1].contains("state[]=ghoauth:"), "{}", answered[1]);
    let cases: Vec<Approval> = vec![
        (
            "approve, git credential-store",
            Box::new(move || plain("approve")),
            answered[0].clone(),
        ),
        (
            "approve, Secret Service, with state[]",
            Box::new({
                let ours = secret_service.clone();
                move || ours("approve")
            }),
            answered[1].clone(),
        ),
        (
            "approve, Secret Service, without state[]",
            Box::new({
                let ours = secret_service.clone();
                move || ours("approve")
            }),
            without_state(&answered[1]),
        ),
        (
            "approve, kernel, with state[]",
            Box::new({
                let ours = kernel.clone();
                move || ours("approve")
            }),
            answered[2].clone(),
        ),
        (
            "approve, kernel, without state[]",
            Box::new(move || kernel("approve")),
            without_state(&answered[2]),
        ),
    ];
    let mut samples: Vec<Vec<Duration>> = cases.iter().map(|_| Vec::new()).collect();
    for run in 0..runs.min(100) + 3 {
        for offset in 0..cases.len() {
            let at = (run + offset) % cases.len();
            let (label, command, input) = &cases[at];
            let started = Instant::now();
            check(command(), input, "", label);
            if run >= 3 {
                samples[at].push(started.elapsed());
            }
        }
    }
    let medians: Vec<f64> = samples.iter_mut().map(|each| ms(median(each))).collect();
    println!("approve after fill, through {git}, runs: {}", runs.min(100));
    for ((label, _, _), median) in cases.iter().zip(&medians) {
        println!("{label:<46} median {median:>7.2} ms");
    }
    for (at, label) in [
        (1, "Secret Service with state[]"),
        (2, "Secret Service without state[]"),
        (3, "kernel with state[]"),
        (4, "kernel without state[]"),
    ] {
        let ratio = format!("{label} / credential-store");
        println!("  {ratio:<52} {:>5.2}", medians[at] / medians[0]);
    }
}

impl Timed {
    fn new(label: &'static str, command: impl Fn() -> Command + 'static) -> Timed {
        Timed {
            label,
            command: Box::new(command),
            samples: Vec::new(),
        }
    }
}

/// The helper under test: the one cargo built, or another build's
/// (`GHOAUTH_BENCH_HELPER`, as .ci/measure-profiles compares profiles).
fn helper(args: &[&str]) -> Command {
    let program =
        std::env::var("GHOAUTH_BENCH_HELPER").unwrap_or_else(|_| common::helper_exe().to_string());
    let mut command = common::command(&program);
    command.args(args);
    command
}

fn on_bus(mut command: Command, session: &Session) -> Command {
    command.env("DBUS_SESSION_BUS_ADDRESS", &session.bus_address);
    command
}

fn store(command: Command, input: &str) {
    let stored = common::run(command, input.as_bytes());
    assert!(stored.status.success(), "store failed: {}", stored.stderr);
}

/// Stops a session's bus and keyring, and waits until they are gone.
fn stop(session: Session) {
    let dir = session.dir.clone();
    drop(session);
    common::wait_until(Duration::from_secs(20), "the session to stop", || {
        !dir.exists()
    });
}

/// Runs `command` and stops the bench unless it answered `expected`.
fn check(command: Command, input: &str, expected: &str, label: &str) {
    let output = spawn_with_input(command, input, Stdio::piped())
        .wait_with_output()
        .unwrap();
    let answer = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() || answer != expected {
        eprintln!(
            "{label}: wrong answer {answer:?} (status {}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        std::process::exit(1);
    }
}

/// The credential kept in this user's kernel keyring for the bench, and
/// erased again however the bench ends.
struct KernelItem {
    erase: String,
}

impl KernelItem {
    fn keep(store_input: &str, get_input: &str) -> KernelItem {
        store(helper(&["--store=kernel", "store"]), store_input);
        KernelItem {
            erase: get_input.to_string(),
        }
    }
}

impl Drop for KernelItem {
    fn drop(&mut self) {
        let _ = common::run(helper(&["--store=kernel", "erase"]), self.erase.as_bytes());
    }
}

/// git's libsecret helper, compiled from git's contrib sources, or `None`
/// (with a line saying why) where they or libsecret's headers are missing.
fn build_libsecret_helper() -> Option<PathBuf> {
    let source =
        Path::new("/usr/share/doc/git/contrib/credential/libsecret/git-credential-libsecret.c");
    let flags = Command::new("pkg-config")
        .args(["--cflags", "--libs", "libsecret-1", "glib-2.0"])
        .output()
        .ok()
        .filter(|output| output.status.success())?;
    if !source.is_file() {
        eprintln!("git's libsecret helper: no source at {}", source.display());
        return None;
    }
    let built =
        std::env::temp_dir().join(format!("git-credential-libsecret-{}", std::process::id()));
    let flags = String::from_utf8_lossy(&flags.stdout).into_owned();
    let compiled = Command::new("cc")
        .args(["-O2", "-o"])
        .arg(&built)
        .arg(source)
        .args(flags.split_whitespace())
        .status()
        .ok()?;
    compiled.success().then_some(built)
}

fn spawn_with_input(mut command: Command, input: &str, stdout: Stdio) -> std::process::Child {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    child
}

/// ru_maxrss of exactly that child, from wait4(2).
#[cfg(unix)]
// wait4 below reaps the child; clippy cannot see that.
#[allow(clippy::zombie_processes)]
fn peak_rss_kib(command: Command, input: &str) -> i64 {
    let child = spawn_with_input(command, input, Stdio::null());
    let mut status = 0;
    // SAFETY: zeroed rusage is a valid out-parameter; the pid is our own
    // un-reaped child, and std never waits on it after this.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(reaped, child.id() as i32);
    usage.ru_maxrss
}

/// The benchmark needs a Secret Service and a kernel keyring: it runs on
/// Linux, and only type-checks elsewhere.
#[cfg(not(unix))]
fn peak_rss_kib(_command: Command, _input: &str) -> i64 {
    unimplemented!("peak memory is measured with wait4(2), on Unix only")
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
