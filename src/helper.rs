//! What every operation works with: how the helper is tuned, where
//! credentials live, and what time it is. Tests pass a store in memory and
//! a clock of their own.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::store::{CachedStore, StoreChoice};

pub(crate) struct Helper<'a> {
    pub settings: Settings,
    /// Every write through it makes the kernel-keyring cache's answers stale.
    pub store: CachedStore<'a>,
    pub clock: &'a dyn Clock,
}

impl Helper<'_> {
    pub fn now(&self) -> Duration {
        self.clock.since_epoch()
    }

    pub fn unix_seconds(&self) -> u64 {
        self.now().as_secs()
    }
}

pub(crate) trait Clock {
    /// Time since the Unix epoch.
    fn since_epoch(&self) -> Duration;
}

/// The system's clock.
pub(crate) struct SystemClock;

impl Clock for SystemClock {
    fn since_epoch(&self) -> Duration {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
    }
}

/// What every operation may be tuned by, from the helper's own arguments or
/// environment. Nothing here comes from `git config`: reading it would cost
/// a process spawn on every `get`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Settings {
    pub cache_seconds: u64,
    pub keyring_timeout: Duration,
    pub store: StoreChoice,
}

/// A cached answer lives a day at most: longer is a mistake, and the
/// kernel takes a key's timeout as an `unsigned int`, so a bigger number
/// could wrap into a key that never expires.
pub(crate) const MAX_CACHE_SECONDS: u64 = 24 * 60 * 60;
/// A keyring that has not answered in five minutes will not answer.
pub(crate) const MAX_KEYRING_TIMEOUT_SECONDS: u64 = 5 * 60;

impl Settings {
    /// Numbers from the environment or the command line, clamped so that
    /// no later arithmetic on them can overflow.
    pub(crate) fn new(
        cache_seconds: u64,
        keyring_timeout_seconds: u64,
        store: StoreChoice,
    ) -> Settings {
        Settings {
            cache_seconds: cache_seconds.min(MAX_CACHE_SECONDS),
            keyring_timeout: Duration::from_secs(
                keyring_timeout_seconds.clamp(1, MAX_KEYRING_TIMEOUT_SECONDS),
            ),
            store,
        }
    }
}
