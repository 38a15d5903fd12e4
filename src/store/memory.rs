//! A store in memory, for unit tests of everything above the store.

use std::sync::Mutex;

use super::item::identity_key;
use super::{Store, StoreError};
use crate::git::record::StoredCredential;

#[derive(Default)]
pub struct MemoryStore {
    items: Mutex<Vec<StoredCredential>>,
    /// When set, every call fails with this, as a stuck or missing keyring would.
    pub failure: Mutex<Option<StoreError>>,
}

impl MemoryStore {
    pub fn holding(items: Vec<StoredCredential>) -> MemoryStore {
        MemoryStore {
            items: Mutex::new(items),
            failure: Mutex::new(None),
        }
    }

    pub fn items(&self) -> Vec<StoredCredential> {
        self.items.lock().unwrap().clone()
    }

    fn check(&self) -> Result<(), StoreError> {
        match self.failure.lock().unwrap().clone() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

impl Store for MemoryStore {
    fn list(
        &self,
        protocol: Option<&[u8]>,
        host: Option<&[u8]>,
    ) -> Result<Vec<StoredCredential>, StoreError> {
        self.check()?;
        Ok(self
            .items
            .lock()
            .unwrap()
            .iter()
            .filter(|item| protocol.is_none_or(|p| p == item.protocol))
            .filter(|item| host.is_none_or(|h| h == item.host))
            .cloned()
            .collect())
    }

    fn save(&self, credential: &StoredCredential) -> Result<(), StoreError> {
        self.check()?;
        let key = identity_key(credential);
        let mut items = self.items.lock().unwrap();
        items.retain(|item| identity_key(item) != key);
        items.push(credential.clone());
        Ok(())
    }

    fn delete(&self, credential: &StoredCredential) -> Result<(), StoreError> {
        self.check()?;
        let key = identity_key(credential);
        self.items
            .lock()
            .unwrap()
            .retain(|item| identity_key(item) != key);
        Ok(())
    }

    fn describe(&self) -> String {
        "memory".into()
    }
}
