//! One sign-in or refresh at a time, across processes.
//!
//! git runs helpers in parallel (`git fetch --all --jobs=8`, submodules, an
//! IDE's background fetches). When they all miss at once, exactly one may
//! open the browser or spend the refresh token; the others wait here and
//! then read what it stored. The lock is `flock` on a file in the runtime
//! directory (the cache directory without one), so a holder that dies
//! releases it and nobody waits for a corpse.
//!
//! Lock files are never removed: removing one while another process waits
//! on it would let a third lock a new file of the same name.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::cache::hex_digest;

/// What a lock guards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A sign-in, per host: the account is not known until GitHub says who
    /// signed in, and a browser is signed in to one account at a time.
    SignIn,
    /// Spending one account's refresh token, which works exactly once.
    Refresh,
}

/// Held until dropped (or the process ends).
#[derive(Debug)]
pub struct Held {
    _file: File,
}

#[derive(Debug)]
pub enum Wait {
    /// Nobody else was at it: ours until dropped.
    Held(Held),
    /// Another process was at it and has finished, and the lock is not
    /// held: read what it left, and take the lock again only if that is not
    /// enough. Every waiter wakes at once, so they read side by side
    /// instead of one after another.
    WaitedFor,
    /// The other process kept the lock past the deadline.
    TimedOut,
    /// No lock can be had here (no writable directory, no flock): carry on
    /// without one, as a helper that cannot coordinate still helps.
    Unavailable,
}

/// Takes the lock for `purpose` on `protocol://account@host`, waiting for
/// another holder no later than `deadline`.
pub fn acquire(
    purpose: Purpose,
    protocol: &[u8],
    host: &[u8],
    account: &[u8],
    deadline: Instant,
) -> Wait {
    match lock_dir() {
        Some(dir) => acquire_in(&dir, purpose, protocol, host, account, deadline),
        None => Wait::Unavailable,
    }
}

fn acquire_in(
    dir: &Path,
    purpose: Purpose,
    protocol: &[u8],
    host: &[u8],
    account: &[u8],
    deadline: Instant,
) -> Wait {
    let path = lock_path(dir, purpose, protocol, host, account);
    let Ok(file) = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
    else {
        return Wait::Unavailable;
    };
    match file.try_lock() {
        Ok(()) => return Wait::Held(Held { _file: file }),
        Err(TryLockError::WouldBlock) => {}
        Err(TryLockError::Error(_)) => return Wait::Unavailable,
    }
    // A shared lock is granted only once the exclusive holder lets go, and
    // to all waiters together; it is dropped at once. flock(2) has no
    // timeout, so a thread blocks in it, abandoned if the deadline passes:
    // it dies with the process, which is about to end.
    let (sender, receiver) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("lock".into())
        .spawn(move || {
            let _ = sender.send(file.lock_shared());
        });
    if spawned.is_err() {
        return Wait::Unavailable;
    }
    let left = deadline.saturating_duration_since(Instant::now());
    match receiver.recv_timeout(left) {
        Ok(Ok(())) => Wait::WaitedFor,
        Ok(Err(_)) => Wait::Unavailable,
        Err(_) => Wait::TimedOut,
    }
}

/// `<runtime dir>/git-credential-ghoauth`, made private to this user.
fn lock_dir() -> Option<PathBuf> {
    let base = directories::BaseDirs::new()?;
    let root = base
        .runtime_dir()
        .map(PathBuf::from)
        .unwrap_or_else(|| base.cache_dir().to_path_buf());
    let dir = root.join("git-credential-ghoauth");
    make_private_dir(&dir)?;
    Some(dir)
}

/// `<purpose>-<digest>.lock`: the digest keeps host and account names
/// (which may hold any byte) out of the file name.
fn lock_path(
    dir: &Path,
    purpose: Purpose,
    protocol: &[u8],
    host: &[u8],
    account: &[u8],
) -> PathBuf {
    let (name, account) = match purpose {
        Purpose::SignIn => ("sign-in", &b""[..]),
        Purpose::Refresh => ("refresh", account),
    };
    let digest = hex_digest(&[protocol, host, account]);
    dir.join(format!("{name}-{digest}.lock"))
}

/// Only this user may create or lock files in it.
fn make_private_dir(dir: &Path) -> Option<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .ok()
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir).ok()
    }
}

/// How long a waiter gives a sign-in: what the holder may spend once it has
/// the lock, which is a keyring read, the flow (every request in it is
/// bounded by the flow's deadline), and a keyring write.
pub fn sign_in_wait(flow_timeout: Duration, keyring_timeout: Duration) -> Duration {
    flow_timeout + 2 * keyring_timeout
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory of its own per test, so tests running at once never meet.
    fn dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("ghoauth-lock-test-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_second_taker_waits_for_the_first_then_finds_it_free() {
        let dir = dir("wait");
        fn take(dir: &Path) -> Wait {
            let soon = Instant::now() + Duration::from_secs(5);
            acquire_in(dir, Purpose::Refresh, b"https", b"h", b"a", soon)
        }
        let Wait::Held(first) = take(&dir) else {
            panic!("the first taker gets the lock");
        };
        let (sender, receiver) = mpsc::channel();
        let second = {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let taken = take(&dir);
                sender.send(()).unwrap();
                taken
            })
        };
        // flock locks belong to the open file, so a second open in this
        // process contends as another process would.
        assert!(
            receiver.recv_timeout(Duration::from_millis(300)).is_err(),
            "the second taker must wait"
        );
        drop(first);
        let second = second.join().unwrap();
        assert!(matches!(second, Wait::WaitedFor), "{second:?}");
        // The waiter did not keep the lock: the next taker gets it at once.
        assert!(matches!(take(&dir), Wait::Held(_)));
    }

    #[test]
    fn a_wait_ends_at_its_deadline() {
        let dir = dir("deadline");
        let soon = Instant::now() + Duration::from_secs(5);
        let Wait::Held(_held) = acquire_in(&dir, Purpose::SignIn, b"https", b"h", b"", soon) else {
            panic!("the first taker gets the lock");
        };
        let started = Instant::now();
        let deadline = started + Duration::from_millis(200);
        let taken = acquire_in(&dir, Purpose::SignIn, b"https", b"h", b"", deadline);
        assert!(matches!(taken, Wait::TimedOut), "{taken:?}");
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn accounts_refresh_apart_but_sign_in_together() {
        let dir = dir("apart");
        let soon = || Instant::now() + Duration::from_millis(100);
        let take =
            |purpose, account: &[u8]| acquire_in(&dir, purpose, b"https", b"h", account, soon());
        let alice = take(Purpose::Refresh, b"alice");
        let bob = take(Purpose::Refresh, b"bob");
        assert!(matches!((&alice, &bob), (Wait::Held(_), Wait::Held(_))));
        let signing_in = take(Purpose::SignIn, b"alice");
        assert!(matches!(signing_in, Wait::Held(_)));
        let other = take(Purpose::SignIn, b"bob");
        assert!(matches!(other, Wait::TimedOut), "{other:?}");
    }
}
