//! The macOS Keychain and Windows Credential Manager, through keyring-core.
//!
//! keyring-core names an item by a service and a "user"; ours are the
//! constant service and the identity key (see `item`). These stores cannot
//! search on other attributes, so `list` reads the service's items and
//! filters.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use keyring_core::{CredentialStore, Entry, Error as KeyringCoreError};

use super::item::{decode_item, encode_secret, identity_key, parse_identity_key};
use super::{SERVICE, Store, StoreError, with_deadline};
use crate::secret::Secret;
use crate::stored::StoredCredential;

pub struct NativeStore {
    timeout: Duration,
}

impl NativeStore {
    pub fn new(timeout: Duration) -> NativeStore {
        NativeStore { timeout }
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

fn entry_for(store: &CredentialStore, key: &str) -> Result<Entry, StoreError> {
    let label = format!("Git: {key}");
    let modifiers = HashMap::from([("label", label.as_str())]);
    store
        .build(SERVICE, key, Some(&modifiers))
        .map_err(from_keyring_core)
}

impl Store for NativeStore {
    fn list(
        &self,
        protocol: Option<&[u8]>,
        host: Option<&[u8]>,
    ) -> Result<Vec<StoredCredential>, StoreError> {
        let (protocol, host) = (protocol.map(<[u8]>::to_vec), host.map(<[u8]>::to_vec));
        with_deadline(self.timeout, move || {
            let store = platform_store()?;
            let spec = HashMap::from([("service", SERVICE)]);
            let mut found = Vec::new();
            for entry in store.search(&spec).map_err(from_keyring_core)? {
                let Some((service, key)) = entry.get_specifiers() else {
                    continue;
                };
                let Some(identity) = (service == SERVICE)
                    .then(|| parse_identity_key(&key))
                    .flatten()
                else {
                    continue;
                };
                if protocol.as_ref().is_some_and(|p| *p != identity.protocol)
                    || host.as_ref().is_some_and(|h| *h != identity.host)
                {
                    continue;
                }
                let secret = Secret::new(entry.get_secret().map_err(from_keyring_core)?);
                found.push(decode_item(identity, &secret));
            }
            Ok(found)
        })
    }

    fn save(&self, credential: &StoredCredential) -> Result<(), StoreError> {
        let key = identity_key(credential);
        let secret = encode_secret(credential);
        with_deadline(self.timeout, move || {
            let entry = entry_for(platform_store()?.as_ref(), &key)?;
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
        let key = identity_key(credential);
        with_deadline(self.timeout, move || {
            match entry_for(platform_store()?.as_ref(), &key)?.delete_credential() {
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
        if cfg!(target_os = "macos") {
            "the macOS Keychain".into()
        } else {
            "Windows Credential Manager".into()
        }
    }

    fn wants_cache(&self) -> bool {
        false
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
        other => StoreError::Other(other.to_string()),
    }
}
