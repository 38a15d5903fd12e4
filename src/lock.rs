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

use crate::report::say;

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
    let Ok(file) = open_lock_file(&path) else {
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

/// The file a lock for these would be taken on, for tests that watch who
/// waits on it (in /proc/locks).
#[cfg(all(test, target_os = "linux"))]
pub(crate) fn file_for(
    purpose: Purpose,
    protocol: &[u8],
    host: &[u8],
    account: &[u8],
) -> Option<PathBuf> {
    Some(lock_path(&lock_dir()?, purpose, protocol, host, account))
}

/// `<runtime dir>/git-credential-ghoauth`, else the same under the cache
/// dir: the first that is, or can be made, private to this user. Without
/// one there is no lock, and parallel gits may each sign in.
pub(crate) fn lock_dir() -> Option<PathBuf> {
    let base = directories::BaseDirs::new()?;
    let roots = base.runtime_dir().into_iter().chain([base.cache_dir()]);
    for dir in roots.map(|root| root.join("git-credential-ghoauth")) {
        match make_private_dir(&dir) {
            Ok(()) => return Some(dir),
            Err(why) => say(format!(
                "not using {} for lock files: {why}; remove it, and this helper will make \
                 its own",
                dir.display()
            )),
        }
    }
    None
}

/// Creates `dir` for this user alone, or checks that the one there is a
/// directory (not a symlink) that this user owns, and takes away any
/// access others have to it.
fn make_private_dir(dir: &Path) -> Result<(), NotPrivate> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(NotPrivate::CannotCreate)?;
        let found = std::fs::symlink_metadata(dir).map_err(NotPrivate::CannotExamine)?;
        let euid = rustix::process::geteuid().as_raw();
        match private_dir_verdict(found.is_dir(), found.uid(), found.mode(), euid) {
            DirVerdict::Private => Ok(()),
            DirVerdict::OursButOpen => {
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                    .map_err(NotPrivate::CannotNarrow)
            }
            DirVerdict::NotOurs(why) => Err(why),
        }
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir).map_err(NotPrivate::CannotCreate)
    }
}

/// Why a directory will not hold lock files.
#[derive(Debug)]
// The ownership checks are Unix's.
#[cfg_attr(not(unix), allow(dead_code))]
enum NotPrivate {
    CannotCreate(std::io::Error),
    CannotExamine(std::io::Error),
    CannotNarrow(std::io::Error),
    NotADirectory,
    OthersOwnIt { owner: u32, euid: u32 },
}

impl std::fmt::Display for NotPrivate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotPrivate::CannotCreate(error) => write!(f, "it cannot be created ({error})"),
            NotPrivate::CannotExamine(error) => write!(f, "it cannot be examined ({error})"),
            NotPrivate::CannotNarrow(error) => {
                write!(f, "its permissions cannot be narrowed ({error})")
            }
            NotPrivate::NotADirectory => f.write_str("it is not a directory (a symlink, say)"),
            NotPrivate::OthersOwnIt { owner, euid } => {
                write!(f, "it belongs to uid {owner}, not to you (uid {euid})")
            }
        }
    }
}

#[derive(Debug)]
#[cfg_attr(not(unix), allow(dead_code))]
enum DirVerdict {
    Private,
    /// Ours, but group or others have some access: narrow it.
    OursButOpen,
    NotOurs(NotPrivate),
}

/// What `lstat` says of a would-be lock directory, judged.
#[cfg_attr(not(unix), allow(dead_code))]
fn private_dir_verdict(is_dir: bool, owner: u32, mode: u32, euid: u32) -> DirVerdict {
    if !is_dir {
        DirVerdict::NotOurs(NotPrivate::NotADirectory)
    } else if owner != euid {
        DirVerdict::NotOurs(NotPrivate::OthersOwnIt { owner, euid })
    } else if mode & 0o077 != 0 {
        DirVerdict::OursButOpen
    } else {
        DirVerdict::Private
    }
}

/// Opens (creating) a lock file, never through a symlink: one planted in
/// its place makes the lock unavailable, not a file created elsewhere.
fn open_lock_file(path: &Path) -> std::io::Result<File> {
    let mut options = File::options();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(0o600)
            .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    options.open(path)
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
    let digest = crate::digest::hex_digest(&[protocol, host, account]);
    dir.join(format!("{name}-{digest}.lock"))
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

    /// A directory of its own per test, so tests running at once never
    /// meet; removed when the test is over, however it ends.
    struct Scratch(PathBuf);

    impl std::ops::Deref for Scratch {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn dir(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("ghoauth-lock-test-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_never_followed() {
        let dir = dir("symlink");
        let target = dir.join("their-choice");
        let planted = lock_path(&dir, Purpose::SignIn, b"https", b"h", b"");
        std::os::unix::fs::symlink(&target, &planted).unwrap();
        let soon = Instant::now() + Duration::from_secs(5);
        let taken = acquire_in(&dir, Purpose::SignIn, b"https", b"h", b"", soon);
        assert!(matches!(taken, Wait::Unavailable), "{taken:?}");
        assert!(!target.exists(), "the symlink was followed");
    }

    #[test]
    fn only_a_private_directory_of_ours_is_used() {
        assert!(matches!(
            private_dir_verdict(true, 1000, 0o40700, 1000),
            DirVerdict::Private
        ));
        assert!(matches!(
            private_dir_verdict(true, 1000, 0o40777, 1000),
            DirVerdict::OursButOpen
        ));
        assert!(matches!(
            private_dir_verdict(true, 1000, 0o40710, 1000),
            DirVerdict::OursButOpen
        ));
        assert!(matches!(
            private_dir_verdict(true, 1001, 0o40700, 1000),
            DirVerdict::NotOurs(_)
        ));
        assert!(matches!(
            private_dir_verdict(false, 1000, 0o120777, 1000),
            DirVerdict::NotOurs(_)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn an_open_directory_of_ours_is_narrowed_and_a_symlink_refused() {
        use std::os::unix::fs::PermissionsExt;
        let root = dir("narrowed");
        let open = root.join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
        make_private_dir(&open).unwrap();
        let mode = std::fs::metadata(&open).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        let link = root.join("link");
        std::os::unix::fs::symlink(&open, &link).unwrap();
        let refused = make_private_dir(&link).unwrap_err().to_string();
        assert!(refused.contains("not a directory"), "{refused}");
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
            let dir = dir.to_path_buf();
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
