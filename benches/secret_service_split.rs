//! Where a cold Secret Service read spends its time, step by step, in one
//! process against a private gnome-keyring: connecting to the bus, opening
//! a session (plain, as the helper does, and Diffie-Hellman, as
//! keyring-core's store does), searching, and reading the item's attributes
//! and secret. Medians of RUNS rounds, each step timed on its own.
//!
//!   cargo bench --locked --bench secret_service_split [-- RUNS]

#[cfg(target_os = "linux")]
use ghoauth_test_support::common;

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("the Secret Service is Linux's; nothing to measure here");
}

#[cfg(target_os = "linux")]
fn main() {
    use std::collections::HashMap;
    use std::time::{Duration, Instant};

    use secret_service::EncryptionType;
    use secret_service::blocking::SecretService;

    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(200);
    let session = common::start_session(common::KeyringState::Unlocked);
    let host = common::host("split");
    let mut store = common::command(common::helper_exe());
    store
        .env("DBUS_SESSION_BUS_ADDRESS", &session.bus_address)
        .arg("store");
    let stored = common::run(
        store,
        format!("protocol=https\nhost={host}\nusername=u\npassword=gho_split\n").as_bytes(),
    );
    assert!(stored.status.success(), "{}", stored.stderr);
    // SAFETY: no other thread of this process runs yet; zbus reads the
    // address from the environment.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &session.bus_address) };

    let steps = [
        "connect to the session bus",
        "first call (gnome-keyring registers us)",
        "open a plain session",
        "open a Diffie-Hellman session",
        "search the items",
        "read attributes and secret",
    ];
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); steps.len()];
    for _ in 0..runs {
        let timed = |index: usize, samples: &mut Vec<Vec<Duration>>, started: Instant| {
            samples[index].push(started.elapsed());
        };
        let started = Instant::now();
        let bus = zbus::blocking::Connection::session().expect("the private bus");
        timed(0, &mut samples, started);

        // As the helper does (see src/store/secret_service.rs): without it
        // gnome-keyring can crash on a plain session opened first thing.
        let started = Instant::now();
        bus.call_method(
            Some("org.freedesktop.secrets"),
            "/org/freedesktop/secrets",
            Some("org.freedesktop.DBus.Properties"),
            "Get",
            &("org.freedesktop.Secret.Service", "Collections"),
        )
        .expect("the Secret Service answers");
        timed(1, &mut samples, started);

        let started = Instant::now();
        let service = SecretService::connect_with_existing(EncryptionType::Plain, bus.clone())
            .expect("a plain session");
        timed(2, &mut samples, started);

        let started = Instant::now();
        let dh =
            SecretService::connect_with_existing(EncryptionType::Dh, bus).expect("a DH session");
        timed(3, &mut samples, started);
        drop(dh);

        let started = Instant::now();
        let found = service
            .search_items(HashMap::from([
                ("service", "git-credential-ghoauth"),
                ("host", host.as_str()),
            ]))
            .expect("search");
        timed(4, &mut samples, started);

        let started = Instant::now();
        let item = found.unlocked.first().expect("the stored item");
        let attributes = item.get_attributes().expect("attributes");
        let secret = item.get_secret().expect("secret");
        timed(5, &mut samples, started);
        assert!(attributes.contains_key("username"));
        assert!(secret.starts_with(b"gho_split"));
    }
    println!("runs: {runs}, in one process (no process start-up)");
    for (step, samples) in steps.iter().zip(&mut samples) {
        samples.sort();
        println!(
            "{step:<40} median {:>7.3} ms",
            samples[samples.len() / 2].as_secs_f64() * 1000.0
        );
    }
    drop(session);
}
