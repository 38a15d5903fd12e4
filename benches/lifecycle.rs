//! Wall time of the moments when many gits need a token at once, against
//! the test suite's fake GitHub on loopback and a private gnome-keyring:
//!
//! - 32 `git credential fill` started together on a cold keyring (one
//!   sign-in through the scripted browser, 31 waiting on the lock);
//! - 32 started together when the stored token needs renewing (one
//!   refresh, 31 waiting);
//! - one `git credential fill` whose token is renewed silently.
//!
//!   cargo bench --locked --bench lifecycle [-- ROUNDS]

use ghoauth_test_support::{common, fake_github, world};

use std::time::{Duration, Instant};

use fake_github::Lifetimes;
use world::World;

const PARALLEL: usize = 32;
const ABOUT_TO_EXPIRE: Duration = Duration::from_secs(120);
const SIX_MONTHS: Duration = Duration::from_secs(15_897_600);

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(5);

    let mut cold = Vec::new();
    let mut renewals = Vec::new();
    let mut held = Vec::new();
    let mut single = Vec::new();
    for round in 0..rounds {
        let world = world::world(&format!("bench-cold-{round}"));
        let (elapsed, answers) = fill_all_at_once(&world);
        assert_eq!(world.fake.authorizations(), 1, "cold round {round}");
        assert!(answers.iter().all(|answer| *answer == answers[0]));
        cold.push(elapsed);

        let world = world::world(&format!("bench-refresh-{round}"));
        expiring(&world, ABOUT_TO_EXPIRE);
        assert!(world.fill(&[], "").status.success());
        expiring(&world, Duration::from_secs(8 * 3600));
        let (elapsed, answers) = fill_all_at_once(&world);
        assert_eq!(world.fake.refreshes(), 1, "refresh round {round}");
        assert!(answers.iter().all(|answer| *answer == answers[0]));
        renewals.push(elapsed);

        // For scale: the same crowd when the token is held and fresh, each
        // reading the Secret Service (cache off), with no lock at all.
        let (elapsed, _) = fill_all_at_once(&world);
        assert_eq!(world.fake.refreshes(), 1, "held round {round}");
        held.push(elapsed);
    }

    // Every token this world issues is due for renewal at once, so every
    // fill renews.
    let world = world::world("bench-single");
    expiring(&world, ABOUT_TO_EXPIRE);
    assert!(world.fill(&[], "").status.success());
    for _ in 0..rounds * 6 {
        let started = Instant::now();
        let filled = world.fill(&[], "");
        single.push(started.elapsed());
        assert!(filled.status.success() && filled.stderr.is_empty());
    }
    assert_eq!(world.fake.refreshes(), rounds * 6);

    println!("rounds: {rounds} (single renewals: {})", single.len());
    report("32 parallel cold fills, one sign-in", &mut cold);
    report("32 parallel fills, one refresh", &mut renewals);
    report("32 parallel fills, token held (no lock)", &mut held);
    report("one fill with a silent refresh", &mut single);
}

fn expiring(world: &World, access: Duration) {
    world.fake.issue_expiring_tokens(Lifetimes {
        access,
        refresh: SIX_MONTHS,
    });
}

/// Starts every fill, then waits for the last to end.
fn fill_all_at_once(world: &World) -> (Duration, Vec<Vec<u8>>) {
    let input = world.fill_input("");
    let commands: Vec<_> = (0..PARALLEL)
        .map(|_| {
            let mut command = world.fill_command(&[]);
            command.env("GHOAUTH_CACHE_SECONDS", "0");
            command
        })
        .collect();
    let started = Instant::now();
    let threads: Vec<_> = commands
        .into_iter()
        .map(|command| {
            let input = input.clone();
            std::thread::spawn(move || common::run(command, input.as_bytes()))
        })
        .collect();
    let results: Vec<common::Run> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let elapsed = started.elapsed();
    let said: Vec<&str> = results
        .iter()
        .flat_map(|r| world::complaints(&r.stderr))
        .collect();
    assert!(said.is_empty(), "the helpers complained: {said:#?}");
    let answers = results
        .into_iter()
        .map(|filled| {
            assert!(filled.status.success());
            filled.stdout
        })
        .collect();
    (elapsed, answers)
}

fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what:<40} median {:>8.1} ms   min {:>8.1}   max {:>8.1}",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
}
