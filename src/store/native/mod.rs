//! The macOS Keychain and Windows Credential Manager, through keyring-core.
//!
//! keyring-core names an item by a service and a "user"; ours are the
//! constant service and the identity key (see `item`). Each platform crate
//! accepts its own few keys and refuses every other one at run time, which
//! no type-check sees: so what we pass is decided in one place, [`Platform`],
//! and held to each crate's documented contract by the doubles in
//! `contract_doubles`, which run on Linux.

#[cfg(test)]
mod contract_doubles;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use keyring_core::{CredentialStore, Entry, Error as KeyringCoreError};

use super::item::{decode_item, encode_secret, identity_key, parse_identity_key};
use super::{SERVICE, Store, StoreError, with_deadline};
use crate::git::record::StoredCredential;
use crate::secret::Secret;

/// Which crate's rules apply. Everything that differs between the two
/// lives here; the store's logic does not branch on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// Each platform builds one of the two; the tests build both.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) enum Platform {
    /// apple-native-keyring-store 1.0, `keychain::Store`.
    Keychain,
    /// windows-native-keyring-store 1.1.
    CredentialManager,
}

/// The longest user specifier Windows keeps (`CRED_MAX_USERNAME_LENGTH`);
/// the crate refuses a longer one when the entry is built.
const WINDOWS_MAX_USER_BYTES: usize = 513;
/// The largest secret Windows keeps (`CRED_MAX_CREDENTIAL_BLOB_SIZE`).
pub(crate) const WINDOWS_MAX_SECRET_BYTES: usize = 2560;
/// A shortened identity key: the head of the full one, `#` (which the
/// key's own encoding never leaves bare), and a 32-digit digest of the whole.
const SHORTENED_HEAD_BYTES: usize = WINDOWS_MAX_USER_BYTES - 1 - 32;
/// The secret's line that carries the full key of a shortened one.
const FULL_KEY_FIELD: &[u8] = b"identity_key=";

impl Platform {
    #[cfg(target_os = "macos")]
    const CURRENT: Platform = Platform::Keychain;
    #[cfg(not(target_os = "macos"))]
    const CURRENT: Platform = Platform::CredentialManager;

    /// The search for this helper's items. The Keychain matches the
    /// service; Windows takes only a regex on the target name, which the
    /// crate lays out as `{user}.{service}`.
    fn search_spec(self) -> HashMap<&'static str, &'static str> {
        match self {
            Platform::Keychain => HashMap::from([("service", SERVICE)]),
            Platform::CredentialManager => {
                HashMap::from([("pattern", r"^.+\.git-credential-ghoauth$")])
            }
        }
    }

    /// Modifiers for building an entry. The Keychain takes none we need;
    /// on Windows, `Local` keeps the token on this machine, as git's own
    /// wincred helper does, instead of roaming with a domain profile.
    fn modifiers(self) -> Option<HashMap<&'static str, &'static str>> {
        match self {
            Platform::Keychain => None,
            Platform::CredentialManager => Some(HashMap::from([("persistence", "Local")])),
        }
    }

    fn max_user_bytes(self) -> Option<usize> {
        match self {
            Platform::Keychain => None,
            Platform::CredentialManager => Some(WINDOWS_MAX_USER_BYTES),
        }
    }

    fn max_secret_bytes(self) -> Option<usize> {
        match self {
            Platform::Keychain => None,
            Platform::CredentialManager => Some(WINDOWS_MAX_SECRET_BYTES),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Platform::Keychain => "the macOS Keychain",
            Platform::CredentialManager => "Windows Credential Manager",
        }
    }
}

pub struct NativeStore {
    timeout: Duration,
    platform: Platform,
    /// A store handed in by a test; `None` opens the platform's own.
    given: Option<Arc<CredentialStore>>,
}

impl NativeStore {
    #[cfg_attr(test, allow(dead_code))]
    pub fn new(timeout: Duration) -> NativeStore {
        NativeStore {
            timeout,
            platform: Platform::CURRENT,
            given: None,
        }
    }

    #[cfg(test)]
    pub(crate) fn with_store(platform: Platform, store: Arc<CredentialStore>) -> NativeStore {
        NativeStore {
            timeout: Duration::from_secs(5),
            platform,
            given: Some(store),
        }
    }

    /// Opens the store on the thread that will use it: the platform's
    /// may block (a Keychain prompt), and must not block git past the
    /// deadline.
    fn opener(&self) -> impl FnOnce() -> Result<Arc<CredentialStore>, StoreError> + Send + 'static {
        let given = self.given.clone();
        move || match given {
            Some(store) => Ok(store),
            None => platform_store(),
        }
    }

    /// The user specifier for `credential`, and the full identity key when
    /// that had to be shortened to fit the platform.
    fn item_name(&self, credential: &StoredCredential) -> (String, Option<String>) {
        let key = identity_key(credential);
        match self.platform.max_user_bytes() {
            Some(limit) if key.len() > limit => (shortened(&key), Some(key)),
            _ => (key, None),
        }
    }
}

#[cfg(target_os = "macos")]
fn platform_store() -> Result<Arc<CredentialStore>, StoreError> {
    Ok(apple_native_keyring_store::keychain::Store::new().map_err(from_keyring_core)?)
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<Arc<CredentialStore>, StoreError> {
    Ok(windows_native_keyring_store::Store::new().map_err(from_keyring_core)?)
}

/// Linux runs this module only in its tests, always with a given store.
#[cfg(not(any(target_os = "macos", target_os = "windows")))]
fn platform_store() -> Result<Arc<CredentialStore>, StoreError> {
    Err(StoreError::Other("no native store on this platform".into()))
}

/// The identity key's head (identity keys are ASCII, so any byte is a
/// character boundary) and a digest of all of it: distinct keys stay
/// distinct, and the full key travels in the secret.
fn shortened(key: &str) -> String {
    format!(
        "{}#{}",
        &key[..SHORTENED_HEAD_BYTES],
        crate::digest::hex_digest(&[key.as_bytes()])
    )
}

fn entry_for(store: &CredentialStore, platform: Platform, name: &str) -> Result<Entry, StoreError> {
    store
        .build(SERVICE, name, platform.modifiers().as_ref())
        .map_err(from_keyring_core)
}

/// The credential an item holds, or `None` for an item this helper did not
/// write (or a shortened name whose full key is missing or does not match).
fn read_item(name: &str, secret: Secret) -> Option<StoredCredential> {
    let identity = match name.split_once('#') {
        None => parse_identity_key(name)?,
        Some((head, _)) => {
            let full = secret
                .expose()
                .split(|&b| b == b'\n')
                .find_map(|line| line.strip_prefix(FULL_KEY_FIELD))?;
            let full = std::str::from_utf8(full).ok()?;
            if !full.starts_with(head) || shortened(full) != name {
                return None;
            }
            parse_identity_key(full)?
        }
    };
    Some(decode_item(identity, &secret))
}

impl Store for NativeStore {
    fn list(
        &self,
        protocol: Option<&[u8]>,
        host: Option<&[u8]>,
    ) -> Result<Vec<StoredCredential>, StoreError> {
        let (protocol, host) = (protocol.map(<[u8]>::to_vec), host.map(<[u8]>::to_vec));
        let (open, platform) = (self.opener(), self.platform);
        with_deadline(self.timeout, move || {
            let store = open()?;
            let mut found = Vec::new();
            for entry in store
                .search(&platform.search_spec())
                .map_err(from_keyring_core)?
            {
                let Some((service, name)) = entry.get_specifiers() else {
                    continue;
                };
                if service != SERVICE {
                    continue;
                }
                // Another process may delete an item between the search
                // and this read (git's erase of another host, say): it
                // is simply not there any more.
                let secret = match entry.get_secret() {
                    Ok(secret) => Secret::new(secret),
                    Err(KeyringCoreError::NoEntry) => continue,
                    Err(error) => return Err(from_keyring_core(error)),
                };
                let Some(credential) = read_item(&name, secret) else {
                    continue;
                };
                if protocol.as_ref().is_some_and(|p| *p != credential.protocol)
                    || host.as_ref().is_some_and(|h| *h != credential.host)
                {
                    continue;
                }
                found.push(credential);
            }
            Ok(found)
        })
    }

    fn save(&self, credential: &StoredCredential) -> Result<(), StoreError> {
        let (name, full_key) = self.item_name(credential);
        let mut secret = encode_secret(credential).expose().to_vec();
        if let Some(full_key) = full_key {
            secret.push(b'\n');
            secret.extend_from_slice(FULL_KEY_FIELD);
            secret.extend_from_slice(full_key.as_bytes());
        }
        let secret = Secret::new(secret);
        if let Some(limit) = self.platform.max_secret_bytes()
            && secret.expose().len() > limit
        {
            return Err(StoreError::TooLarge {
                store: self.platform.describe(),
                limit_bytes: limit,
            });
        }
        let (open, platform) = (self.opener(), self.platform);
        with_deadline(self.timeout, move || {
            let entry = entry_for(open()?.as_ref(), platform, &name)?;
            match entry.set_secret(secret.expose()) {
                // Two stores that raced can leave twins; keep exactly one.
                Err(KeyringCoreError::Ambiguous(twins)) => {
                    for twin in twins {
                        twin.delete_credential().map_err(from_keyring_core)?;
                    }
                    entry.set_secret(secret.expose()).map_err(from_keyring_core)
                }
                other => other.map_err(from_keyring_core),
            }
        })
    }

    fn delete(&self, credential: &StoredCredential) -> Result<(), StoreError> {
        let (name, _) = self.item_name(credential);
        let (open, platform) = (self.opener(), self.platform);
        with_deadline(self.timeout, move || {
            match entry_for(open()?.as_ref(), platform, &name)?.delete_credential() {
                Ok(()) | Err(KeyringCoreError::NoEntry) => Ok(()),
                Err(KeyringCoreError::Ambiguous(twins)) => {
                    for twin in twins {
                        twin.delete_credential().map_err(from_keyring_core)?;
                    }
                    Ok(())
                }
                Err(other) => Err(from_keyring_core(other)),
            }
        })
    }

    fn describe(&self) -> String {
        self.platform.describe().into()
    }
}

fn from_keyring_core(error: KeyringCoreError) -> StoreError {
    match error {
        KeyringCoreError::NoStorageAccess(_) => StoreError::Locked,
        // Never format the error itself with Debug: some variants carry
        // the bytes of a secret.
        KeyringCoreError::BadEncoding(_) | KeyringCoreError::BadDataFormat(..) => {
            StoreError::Other("an item's secret is not in the expected format".into())
        }
        KeyringCoreError::TooLong(what, limit) => StoreError::Other(format!(
            "the item's {} is longer than the {limit} bytes the OS keyring keeps",
            crate::report::printable(&what)
        )),
        other => StoreError::Other(other.to_string()),
    }
}
