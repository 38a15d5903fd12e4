//! What the unit tests share: a credential as a store holds one, a helper
//! working on a store in memory, and a clock that stands still. Nothing
//! here touches D-Bus, the kernel keyring, git config or the network.

use std::time::Duration;

use crate::git::record::StoredCredential;
use crate::helper::{Clock, Helper, Settings};
use crate::secret::Secret;
use crate::store::memory::MemoryStore;
use crate::store::{CachedStore, StoreChoice};

/// A clock that stands still at this many seconds since the epoch.
pub(crate) struct At(pub u64);

impl Clock for At {
    fn since_epoch(&self) -> Duration {
        Duration::from_secs(self.0)
    }
}

/// A plain credential for `https://<host>[/<path>]`, stored at `at`
/// (nanoseconds, as `stored_at` counts).
pub(crate) fn stored(
    host: &str,
    path: Option<&str>,
    user: &str,
    password: &str,
    at: u128,
) -> StoredCredential {
    StoredCredential {
        authtype: None,
        protocol: b"https".to_vec(),
        host: host.as_bytes().to_vec(),
        path: path.map(|p| p.as_bytes().to_vec()),
        username: user.as_bytes().to_vec(),
        password: Secret::new(password.as_bytes()),
        password_expiry_utc: None,
        oauth_refresh_token: None,
        stored_at: at,
        oauth: None,
    }
}

/// A helper on `store`, with the kernel-keyring cache off (no test may
/// touch the user's kernel keyring) and this keyring timeout.
pub(crate) fn helper_with_timeout<'a>(
    store: &'a MemoryStore,
    clock: &'a dyn Clock,
    keyring_timeout_seconds: u64,
) -> Helper<'a> {
    Helper {
        settings: Settings::new(0, keyring_timeout_seconds, StoreChoice::Auto),
        store: CachedStore::new(store, 0, false),
        clock,
    }
}

/// [`helper_with_timeout`] with 5 s.
pub(crate) fn helper<'a>(store: &'a MemoryStore, clock: &'a dyn Clock) -> Helper<'a> {
    helper_with_timeout(store, clock, 5)
}
