//! Where credentials are kept, behind one small trait.
//!
//! [`Store`] lists, saves and deletes whole credentials; git's rules for
//! which ones a request means live in `git::record`, on top. The homes:
//! - the Secret Service on Linux desktops (`secret_service`), and the macOS
//!   and Windows stores through keyring-core (`native`);
//! - the kernel's persistent keyring on Linux machines with no Secret
//!   Service: SSH servers, containers, WSL, CI (`kernel`);
//! - memory, for unit tests (`memory`).
//!
//! On Linux, `auto` (the default) uses the Secret Service when the session
//! bus has one, and the kernel when there is no bus or no Secret Service on
//! it; one that is there but does not answer in time is an error (`auto`).

#[cfg(target_os = "linux")]
mod auto;
pub(crate) mod cache;
mod item;
#[cfg(target_os = "linux")]
mod kernel;
#[cfg(test)]
pub(crate) mod memory;
// Built on Linux too, in tests, against doubles of the platform crates.
#[cfg(any(target_os = "macos", target_os = "windows", test))]
mod native;
#[cfg(target_os = "linux")]
mod secret_service;
#[cfg(target_os = "linux")]
pub(crate) use secret_service::session_bus_configured;

use std::fmt;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::config::host::OAuthHost;
use crate::git::record::StoredCredential;

/// The service name every item carries: what `secret-tool search --all
/// service git-credential-ghoauth` finds, and the prefix of kernel keys.
pub(crate) const SERVICE: &str = "git-credential-ghoauth";

pub trait Store {
    /// Every credential kept for this protocol and host (either may be left
    /// out to mean "any"). Items this helper did not write are skipped.
    fn list(
        &self,
        protocol: Option<&[u8]>,
        host: Option<&[u8]>,
    ) -> Result<Vec<StoredCredential>, StoreError>;

    /// Creates the item, or replaces the one with the same identity.
    fn save(&self, credential: &StoredCredential) -> Result<(), StoreError>;

    /// Removes the item with this identity; one that is gone already is fine.
    fn delete(&self, credential: &StoredCredential) -> Result<(), StoreError>;

    /// Where the credentials live, for people reading `status`.
    fn describe(&self) -> String;

    /// Every credential kept for one OAuth host.
    fn list_host(&self, host: &OAuthHost) -> Result<Vec<StoredCredential>, StoreError> {
        self.list(
            Some(host.protocol().as_bytes()),
            Some(host.host().as_bytes()),
        )
    }
}

/// The store as every command sees it. Each write through it makes the
/// kernel-keyring cache's answers stale, whatever the outcome (even a
/// write that timed out may have landed), so that no new write path can
/// forget to; and it says whether reading the cache first pays.
pub struct CachedStore<'a> {
    store: &'a dyn Store,
    cache_seconds: u64,
    read_cache: bool,
}

impl<'a> CachedStore<'a> {
    /// `read_cache`: whether the cache is worth reading in front of
    /// `store`, as [`Opened::read_cache`] says.
    pub fn new(store: &'a dyn Store, cache_seconds: u64, read_cache: bool) -> CachedStore<'a> {
        CachedStore {
            store,
            cache_seconds,
            read_cache,
        }
    }

    /// The kernel-keyring cache, where it is worth reading first.
    pub fn cache(&self) -> Option<cache::Cache> {
        self.read_cache
            .then(|| cache::Cache::open(self.cache_seconds))
            .flatten()
    }

    /// Makes every cached answer stale: after each write, and after a
    /// binding changes, since answers are cached per owner.
    pub(crate) fn invalidate(&self) {
        // Another configuration may have cached from this store: every
        // write makes every answer stale, cached in front of it or not.
        if let Some(cache) = cache::Cache::open(self.cache_seconds) {
            cache.invalidate();
        }
    }
}

impl Store for CachedStore<'_> {
    fn list(
        &self,
        protocol: Option<&[u8]>,
        host: Option<&[u8]>,
    ) -> Result<Vec<StoredCredential>, StoreError> {
        self.store.list(protocol, host)
    }

    fn save(&self, credential: &StoredCredential) -> Result<(), StoreError> {
        let saved = self.store.save(credential);
        self.invalidate();
        saved
    }

    fn delete(&self, credential: &StoredCredential) -> Result<(), StoreError> {
        let deleted = self.store.delete(credential);
        self.invalidate();
        deleted
    }

    fn describe(&self) -> String {
        self.store.describe()
    }
}

/// Which store to use, from `--store=` or `GHOAUTH_STORE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum StoreChoice {
    #[default]
    Auto,
    SecretService,
    Kernel,
}

impl StoreChoice {
    /// clap's own reading of the name, for the fast path that skips clap.
    pub fn parse(text: &str) -> Option<StoreChoice> {
        clap::ValueEnum::from_str(text, false).ok()
    }
}

/// The store chosen, not yet touched: opening costs nothing, so a `get`
/// answered from the cache never connects to anything.
pub struct Opened {
    pub store: Box<dyn Store>,
    /// Whether the kernel-keyring cache is worth reading first: it is in
    /// front of a store that costs a D-Bus session per read, not in front
    /// of the kernel or a native store.
    pub read_cache: bool,
}

pub fn open(choice: StoreChoice, timeout: Duration) -> Opened {
    #[cfg(target_os = "linux")]
    {
        let (store, read_cache): (Box<dyn Store>, bool) = match choice {
            // With no session bus, auto is the kernel.
            StoreChoice::Auto => (
                Box::new(auto::AutoStore::new(timeout)),
                secret_service::session_bus_configured(),
            ),
            StoreChoice::SecretService => (
                Box::new(secret_service::SecretServiceStore::new(timeout)),
                true,
            ),
            StoreChoice::Kernel => (Box::new(kernel::KernelStore::new()), false),
        };
        Opened { store, read_cache }
    }
    #[cfg(not(target_os = "linux"))]
    {
        // Only the native store exists here; the choice is Linux's.
        let _ = choice;
        Opened {
            store: Box::new(native::NativeStore::new(timeout)),
            read_cache: false,
        }
    }
}

/// Why a store could not be used, worded for the person at the terminal:
/// what happened, then what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
// The D-Bus and kernel variants are Linux's.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub enum StoreError {
    NoSessionBus,
    NoSecretService,
    Locked,
    TimedOut(Duration),
    /// The kernel keyring refused (a seccomp filter, no keyutils).
    KernelRefused(String),
    /// This user's kernel key quota is used up (how much, where the
    /// kernel says).
    #[cfg(target_os = "linux")]
    KernelQuotaFull(Option<kernel::KeyQuota>),
    /// Neither the Secret Service nor the kernel keyring can be used.
    NoStoreAtAll {
        secret_service: Box<StoreError>,
        kernel: Box<StoreError>,
    },
    /// More than `store` keeps in one item.
    TooLarge {
        store: &'static str,
        limit_bytes: usize,
    },
    Other(String),
}

#[cfg(target_os = "linux")]
fn write_quota_full(f: &mut fmt::Formatter<'_>, quota: Option<&kernel::KeyQuota>) -> fmt::Result {
    f.write_str("the kernel keyring is full: this user's key quota is used up")?;
    if let Some(quota) = quota {
        write!(
            f,
            " ({} of {} keys, {} of {} bytes)",
            quota.keys, quota.max_keys, quota.bytes, quota.max_bytes
        )?;
    }
    f.write_str(
        "; erase credentials you no longer need (`git credential reject`, or \
             `git credential-ghoauth logout`), or as root raise the quota with `sysctl \
             -w kernel.keys.maxkeys=2000 kernel.keys.maxbytes=2000000`",
    )
}

impl StoreError {
    /// True when there is no Secret Service here at all: `auto` then uses
    /// the kernel. One that is there but does not answer in time (an
    /// unlock prompt nobody sees over SSH, a wedged bus) is not absent: its
    /// tokens are still in it, so using the kernel instead would hide them
    /// from `erase` and `logout`, and sign in again.
    #[cfg(target_os = "linux")]
    pub(crate) fn means_absent(&self) -> bool {
        matches!(self, StoreError::NoSessionBus | StoreError::NoSecretService)
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::NoSessionBus => f.write_str(
                "cannot reach the OS keyring: there is no D-Bus session bus \
                 (DBUS_SESSION_BUS_ADDRESS unset or dead); run git inside a desktop session, \
                 or use the kernel keyring with `helper = ghoauth --store=kernel`",
            ),
            StoreError::NoSecretService => f.write_str(
                "cannot reach the OS keyring: no Secret Service is running on the D-Bus session \
                 bus; install and start one (gnome-keyring, or KeePassXC with Secret Service \
                 integration), or use the kernel keyring with `helper = ghoauth --store=kernel`",
            ),
            StoreError::Locked => f.write_str(
                "the OS keyring is locked and cannot ask to be unlocked here; \
                 unlock it (log in to the desktop, or `gnome-keyring-daemon --unlock`) and retry",
            ),
            StoreError::TimedOut(limit) => write!(
                f,
                "the OS keyring did not answer within {} s (a hidden unlock prompt, or a stuck \
                 keyring daemon); unlock or restart it, or raise GHOAUTH_KEYRING_TIMEOUT",
                limit.as_secs()
            ),
            StoreError::KernelRefused(why) => write!(
                f,
                "the kernel keyring refused ({why}); containers often block it (Docker's default \
                 seccomp profile does): add git's own `credential-cache` after this helper"
            ),
            #[cfg(target_os = "linux")]
            StoreError::KernelQuotaFull(quota) => write_quota_full(f, quota.as_ref()),
            StoreError::NoStoreAtAll {
                secret_service,
                kernel,
            } => write!(
                f,
                "nowhere to keep a token: no Secret Service ({}) and no kernel keyring ({}); add \
                 git's own credential cache after this helper (`git config --global --add \
                 credential.helper cache`)",
                secret_service.short(),
                kernel.short()
            ),
            StoreError::TooLarge { store, limit_bytes } => write!(
                f,
                "the credential is too large for {store} ({limit_bytes} bytes at most); keep this \
                 host's credentials with git's own credential-store or credential-cache instead"
            ),
            StoreError::Other(detail) => write!(f, "the OS keyring failed: {detail}"),
        }
    }
}

impl StoreError {
    /// A few words, for naming two failures in one line.
    fn short(&self) -> String {
        match self {
            StoreError::NoSessionBus => "no D-Bus session bus".into(),
            StoreError::NoSecretService => "nothing answers on the session bus".into(),
            StoreError::Locked => "locked".into(),
            StoreError::TimedOut(limit) => format!("no answer within {} s", limit.as_secs()),
            StoreError::KernelRefused(why) => why.clone(),
            #[cfg(target_os = "linux")]
            StoreError::KernelQuotaFull(_) => "key quota full".into(),
            StoreError::NoStoreAtAll { .. } => "neither store".into(),
            StoreError::TooLarge { .. } => "too large".into(),
            StoreError::Other(detail) => detail.clone(),
        }
    }
}

impl std::error::Error for StoreError {}

/// Runs `work` on its own thread and gives up after `limit`. A keyring
/// daemon that never answers (a prompt no one can see, a wedged D-Bus) must
/// not hang git; the abandoned thread ends with the process.
pub(crate) fn with_deadline<T: Send + 'static>(
    limit: Duration,
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let (sender, receiver) = mpsc::channel();
    thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            let _ = sender.send(work());
        })
        .map_err(|err| StoreError::Other(format!("could not start a thread: {err}")))?;
    receiver
        .recv_timeout(limit)
        .unwrap_or(Err(StoreError::TimedOut(limit)))
}
