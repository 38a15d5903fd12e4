//! Doubles of the two platform crates, as strict as the real ones: each
//! refuses what its crate refuses, with keyring-core's own key parser, and
//! names items the way its crate does. A type-check cannot see a refused
//! key; these doubles can, on Linux, in every test run.
//!
//! They follow the crates' sources at the versions locked today. When
//! Cargo.lock moves either crate, re-read it and update the double:
//! - [`StrictKeychain`]: apple-native-keyring-store 1.0.2, `keychain::Store`
//!   (src/keychain.rs): `build` takes the modifier `keychain` only and
//!   refuses an empty service or user; `search` takes `service` and `user`;
//!   an item is a (service, account) pair.
//! - [`StrictCredentialManager`]: windows-native-keyring-store 1.1.0
//!   (src/store.rs, src/cred.rs, src/utils.rs): `build` takes `target` and
//!   `persistence` (Session, Local or Enterprise); the target name is
//!   `{user}.{service}`; a user over 513 bytes or a target over 32,767 is
//!   `TooLong`; a secret over 2,560 bytes is `TooLong` when set; `search`
//!   takes `pattern` only, a regex on the target name, and gives back
//!   specifiers by splitting the name at its last `.`.

use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use keyring_core::api::{CredentialApi, CredentialStoreApi};
use keyring_core::attributes::parse_attributes;
use keyring_core::{Credential, Entry, Error, Result};

type Items = Arc<Mutex<BTreeMap<String, Vec<u8>>>>;
/// The persistence each Windows target was last written with.
type Persistence = Arc<Mutex<BTreeMap<String, String>>>;

fn invalid(what: &str, why: &str) -> Error {
    Error::Invalid(what.into(), why.into())
}

/// What a double holds, by its own item names, for tests to inspect.
pub(crate) trait Inspect {
    fn item_names(&self) -> Vec<String>;
}

#[derive(Debug, Default)]
pub(crate) struct StrictKeychain {
    items: Items,
}

impl StrictKeychain {
    fn item_name(service: &str, account: &str) -> String {
        format!("{service}\0{account}")
    }
}

impl Inspect for StrictKeychain {
    fn item_names(&self) -> Vec<String> {
        self.items.lock().unwrap().keys().cloned().collect()
    }
}

impl CredentialStoreApi for StrictKeychain {
    fn vendor(&self) -> String {
        "a double of apple-native-keyring-store 1.0.2".into()
    }

    fn id(&self) -> String {
        "strict keychain".into()
    }

    fn build(
        &self,
        service: &str,
        user: &str,
        modifiers: Option<&HashMap<&str, &str>>,
    ) -> Result<Entry> {
        let modifiers = parse_attributes(&["keychain"], modifiers)?;
        if let Some(keychain) = modifiers.get("keychain")
            && !["user", "system", "common", "dynamic"]
                .contains(&keychain.to_ascii_lowercase().as_str())
        {
            return Err(invalid(
                "keychain",
                "must be User, System, Common or Dynamic",
            ));
        }
        if service.is_empty() {
            return Err(invalid("service", "cannot be empty"));
        }
        if user.is_empty() {
            return Err(invalid("user", "cannot be empty"));
        }
        Ok(Entry::new_with_credential(Arc::new(Item {
            items: self.items.clone(),
            name: StrictKeychain::item_name(service, user),
            specifiers: Some((service.into(), user.into())),
            max_secret_bytes: None,
            persistence: None,
        })))
    }

    fn search(&self, spec: &HashMap<&str, &str>) -> Result<Vec<Entry>> {
        let spec = parse_attributes(&["service", "user"], Some(spec))?;
        let items = self.items.lock().unwrap();
        Ok(items
            .keys()
            .filter_map(|name| {
                let (service, account) = name.split_once('\0')?;
                let wanted = |key: &str, value: &str| spec.get(key).is_none_or(|v| v == value);
                (wanted("service", service) && wanted("user", account)).then(|| {
                    Entry::new_with_credential(Arc::new(Item {
                        items: self.items.clone(),
                        name: name.clone(),
                        specifiers: Some((service.into(), account.into())),
                        max_secret_bytes: None,
                        persistence: None,
                    }))
                })
            })
            .collect())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[derive(Debug, Default)]
pub(crate) struct StrictCredentialManager {
    items: Items,
    /// The persistence each target was last written with, as the crate
    /// applies it when the secret is set.
    pub persistence: Persistence,
    /// Target names a search still reports after another process deleted
    /// them, as happens when a delete lands between the enumeration and the
    /// read.
    pub vanished: Mutex<Vec<String>>,
}

const CRED_MAX_USERNAME_LENGTH: u32 = 513;
const CRED_MAX_GENERIC_TARGET_NAME_LENGTH: u32 = 32767;
const CRED_MAX_CREDENTIAL_BLOB_SIZE: u32 = 5 * 512;

impl Inspect for StrictCredentialManager {
    fn item_names(&self) -> Vec<String> {
        self.items.lock().unwrap().keys().cloned().collect()
    }
}

impl StrictCredentialManager {
    fn entry(
        &self,
        target: String,
        specifiers: Option<(String, String)>,
        persistence: &str,
    ) -> Entry {
        Entry::new_with_credential(Arc::new(Item {
            items: self.items.clone(),
            name: target,
            specifiers,
            max_secret_bytes: Some(CRED_MAX_CREDENTIAL_BLOB_SIZE),
            persistence: Some((self.persistence.clone(), persistence.to_ascii_lowercase())),
        }))
    }
}

impl CredentialStoreApi for StrictCredentialManager {
    fn vendor(&self) -> String {
        "a double of windows-native-keyring-store 1.1.0".into()
    }

    fn id(&self) -> String {
        "strict credential manager".into()
    }

    fn build(
        &self,
        service: &str,
        user: &str,
        modifiers: Option<&HashMap<&str, &str>>,
    ) -> Result<Entry> {
        let modifiers = parse_attributes(&["target", "persistence"], modifiers)?;
        if let Some(persistence) = modifiers.get("persistence")
            && !["session", "local", "enterprise"]
                .contains(&persistence.to_ascii_lowercase().as_str())
        {
            return Err(invalid(
                persistence,
                "must be Session, Local, or Enterprise",
            ));
        }
        let (target, specifiers) = match modifiers.get("target") {
            Some(target) => (target.clone(), None),
            None => (
                format!("{user}.{service}"),
                Some((service.to_string(), user.to_string())),
            ),
        };
        let user = specifiers.as_ref().map_or("", |(_, user)| user.as_str());
        if user.len() > CRED_MAX_USERNAME_LENGTH as usize {
            return Err(Error::TooLong("user".into(), CRED_MAX_USERNAME_LENGTH));
        }
        if target.is_empty() {
            return Err(invalid("target", "cannot be empty"));
        }
        if target.len() > CRED_MAX_GENERIC_TARGET_NAME_LENGTH as usize {
            return Err(Error::TooLong(
                "target".into(),
                CRED_MAX_GENERIC_TARGET_NAME_LENGTH,
            ));
        }
        let persistence = modifiers
            .get("persistence")
            .map_or("Enterprise", String::as_str);
        Ok(self.entry(target, specifiers, persistence))
    }

    fn search(&self, spec: &HashMap<&str, &str>) -> Result<Vec<Entry>> {
        let spec = parse_attributes(&["pattern"], Some(spec))?;
        let pattern = match spec.get("pattern") {
            None => None,
            Some(text) => Some(
                regex::Regex::new(text)
                    .map_err(|_| invalid(text, "is not a valid regular expression"))?,
            ),
        };
        let layout = regex::Regex::new(r"^(.*)\.(.*)$").unwrap();
        let mut targets: Vec<String> = self.items.lock().unwrap().keys().cloned().collect();
        targets.extend(self.vanished.lock().unwrap().iter().cloned());
        Ok(targets
            .into_iter()
            .filter(|target| pattern.as_ref().is_none_or(|p| p.is_match(target)))
            .map(|target| {
                let specifiers = layout
                    .captures(&target)
                    .map(|parts| (parts[2].to_string(), parts[1].to_string()));
                self.entry(target, specifiers, "Enterprise")
            })
            .collect())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// One item of either double.
#[derive(Debug)]
struct Item {
    items: Items,
    name: String,
    specifiers: Option<(String, String)>,
    max_secret_bytes: Option<u32>,
    /// Windows only: where to record the persistence a write applies.
    persistence: Option<(Persistence, String)>,
}

impl CredentialApi for Item {
    fn set_secret(&self, secret: &[u8]) -> Result<()> {
        if let Some(limit) = self.max_secret_bytes
            && secret.len() > limit as usize
        {
            return Err(Error::TooLong("secret".into(), limit));
        }
        self.items
            .lock()
            .unwrap()
            .insert(self.name.clone(), secret.to_vec());
        if let Some((written, persistence)) = &self.persistence {
            written
                .lock()
                .unwrap()
                .insert(self.name.clone(), persistence.clone());
        }
        Ok(())
    }

    fn get_secret(&self) -> Result<Vec<u8>> {
        self.items
            .lock()
            .unwrap()
            .get(&self.name)
            .cloned()
            .ok_or(Error::NoEntry)
    }

    fn delete_credential(&self) -> Result<()> {
        match self.items.lock().unwrap().remove(&self.name) {
            Some(_) => Ok(()),
            None => Err(Error::NoEntry),
        }
    }

    fn get_credential(&self) -> Result<Option<Arc<Credential>>> {
        self.get_secret().map(|_| None)
    }

    fn get_specifiers(&self) -> Option<(String, String)> {
        self.specifiers.clone()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
