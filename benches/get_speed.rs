//! Whole-process wall time of `git-credential-ghoauth get` for a stored
//! credential, against git's plaintext-file helper (`git credential-store
//! get`) for the same credential, in one run, on the same machine.
//!
//! Runs against a private gnome-keyring (as the tests do), interleaving the
//! two commands so that machine noise hits both alike. Prints the medians,
//! their ratio, the cache-off figure, and the peak RSS of a cache-hit get.
//!
//!   cargo bench --locked --bench get_speed [-- RUNS]

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(200);
    let host = common::host("bench");
    let store_input = format!(
        "protocol=https\nhost={host}\nusername=bench\npassword=gho_benchmarktoken0123456789\n"
    );
    let get_input = format!("protocol=https\nhost={host}\n");
    let expected = "username=bench\npassword=gho_benchmarktoken0123456789\n";

    let stored = common::helper("store", &store_input);
    assert!(stored.status.success(), "{}", stored.stderr);
    let plaintext = common::session().dir.join("git-credentials");
    let mut git_store = common::command("git");
    git_store
        .args(["credential-store", "--file"])
        .arg(&plaintext)
        .arg("store");
    assert!(
        common::run(git_store, store_input.as_bytes())
            .status
            .success()
    );

    let ours = || {
        let mut command = common::command(common::HELPER);
        command.arg("get");
        command
    };
    let ours_uncached = || {
        let mut command = common::command(common::HELPER);
        command.args(["--cache-seconds", "0", "get"]);
        command
    };
    let gits = || {
        let mut command = common::command("git");
        command
            .args(["credential-store", "--file"])
            .arg(&plaintext)
            .arg("get");
        command
    };

    // Warm up, and check both answer alike (the first get fills the cache).
    for _ in 0..10 {
        assert_eq!(time(ours(), &get_input).1, expected);
        assert_eq!(time(gits(), &get_input).1, expected);
    }

    let (mut ours_times, mut git_times, mut uncached_times) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        ours_times.push(time(ours(), &get_input).0);
        git_times.push(time(gits(), &get_input).0);
        if run % 4 == 0 {
            uncached_times.push(time(ours_uncached(), &get_input).0);
        }
    }
    let ours_median = median(&mut ours_times);
    let git_median = median(&mut git_times);
    let uncached_median = median(&mut uncached_times);
    let peak_rss_kib = (0..5)
        .map(|_| peak_rss_kib(ours(), &get_input))
        .max()
        .unwrap();

    println!(
        "runs per command: {runs} (cache off: {})",
        uncached_times.len()
    );
    println!(
        "git-credential-ghoauth get (cache hit)     median {:>7.2} ms",
        ms(ours_median)
    );
    println!(
        "git credential-store get (plaintext file)  median {:>7.2} ms",
        ms(git_median)
    );
    println!(
        "ratio ghoauth / credential-store                  {:>7.2}",
        ms(ours_median) / ms(git_median)
    );
    println!(
        "git-credential-ghoauth get (cache off)     median {:>7.2} ms",
        ms(uncached_median)
    );
    println!(
        "peak RSS of a cache-hit get                       {:>7.2} MiB",
        peak_rss_kib as f64 / 1024.0
    );
}

fn time(command: Command, input: &str) -> (Duration, String) {
    let started = Instant::now();
    let output = spawn_with_input(command, input, Stdio::piped())
        .wait_with_output()
        .unwrap();
    (
        started.elapsed(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

fn spawn_with_input(mut command: Command, input: &str, stdout: Stdio) -> std::process::Child {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(stdout)
        .stderr(Stdio::null())
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
