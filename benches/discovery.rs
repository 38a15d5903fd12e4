//! What choosing an account costs, against the test suite's fake GitHub on
//! loopback with latency injected into `GET /repos/{owner}/{repo}`, and a
//! private gnome-keyring:
//!
//! - the first `git credential fill` for an owner with two accounts stored
//!   (discovery: one request per account, in parallel, and a binding);
//! - the next fill for that owner, with the cache off (the binding is read
//!   with one `git config`; no request);
//! - the same fill with one account stored (nothing of the above runs).
//!
//!   cargo bench --locked --bench discovery [-- ROUNDS]

use ghoauth_test_support::{common, fake_github, world};

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fake_github::{CLIENT_ID, Permission};
use world::World;

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(20);
    println!("rounds: {rounds} per row; medians of whole `git credential fill` wall time");
    for latency_ms in [0u64, 50, 200] {
        let latency = Duration::from_millis(latency_ms);
        let two = Setup::new(
            &format!("bench-discovery-{latency_ms}"),
            &["work_acme", "me"],
        );
        two.world.fake.set_repository_api_latency(latency);
        let (mut first, mut bound) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            let owner = format!("owner{round}");
            two.private_repo(&owner, "work_acme");
            let before = two.world.fake.repository_api_requests();
            first.push(two.timed_fill(&owner, "work_acme"));
            assert_eq!(two.world.fake.repository_api_requests() - before, 2);
            bound.push(two.timed_fill(&owner, "work_acme"));
            assert_eq!(two.world.fake.repository_api_requests() - before, 2);
        }
        report(
            &format!("2 accounts, first fill of an owner, API +{latency_ms} ms"),
            &mut first,
        );
        report(
            &format!("2 accounts, owner bound, API +{latency_ms} ms"),
            &mut bound,
        );
    }
    let one = Setup::new("bench-discovery-one", &["me"]);
    let mut single = Vec::new();
    for round in 0..rounds {
        let owner = format!("owner{round}");
        one.private_repo(&owner, "me");
        single.push(one.timed_fill(&owner, "me"));
    }
    assert_eq!(one.world.fake.repository_api_requests(), 0);
    report("1 account (no discovery)", &mut single);
}

struct Setup {
    world: World,
    config: PathBuf,
}

impl Setup {
    /// A world configured with `configure`, and `logins` signed in (the
    /// last one the default).
    fn new(name: &str, logins: &[&str]) -> Setup {
        let world = world::world(name);
        let setup = Setup {
            config: world.dir.join("gitconfig"),
            world,
        };
        let url = setup.world.fake.base_url.clone();
        setup.helper(&["configure", "--host", &url, "--client-id", CLIENT_ID]);
        for login in logins {
            setup.world.fake.sign_in_as(login);
            setup.helper(&["use", login, "--default", "--host", &url]);
        }
        setup
    }

    fn helper(&self, args: &[&str]) {
        let mut command = common::command(common::helper_exe());
        command
            .env("GIT_CONFIG_GLOBAL", &self.config)
            .env("GHOAUTH_CLIENT_SECRET", &self.world.client_secret)
            .env("BROWSER", self.world.dir.join("browser"))
            .env_remove("GIT_TERMINAL_PROMPT")
            .args(args);
        let done = common::run(command, b"");
        assert!(done.status.success(), "{args:?}: {}", done.stderr);
    }

    fn private_repo(&self, owner: &str, pusher: &str) {
        let name = format!("{owner}/app");
        self.world.fake.create_repo(&name);
        self.world
            .fake
            .make_private(&name, &[(pusher, Permission::Push)]);
    }

    fn timed_fill(&self, owner: &str, expected: &str) -> Duration {
        let mut command = common::command("git");
        command
            .current_dir(&self.world.dir)
            .env("GIT_CONFIG_GLOBAL", &self.config)
            .env("GHOAUTH_CACHE_SECONDS", "0")
            .args(["credential", "fill"]);
        let input = format!("url={}/{owner}/app.git\n\n", self.world.fake.base_url);
        let started = Instant::now();
        let filled = common::run(command, input.as_bytes());
        let elapsed = started.elapsed();
        assert!(
            filled
                .stdout_text()
                .contains(&format!("username={expected}\n")),
            "{}",
            filled.stderr
        );
        elapsed
    }
}

fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what:<48} median {:>7.1} ms   min {:>7.1}   max {:>7.1}",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
}
