//! The Secret Service (GNOME Keyring, KeePassXC) over D-Bus, spoken to
//! directly through the `secret-service` crate.
//!
//! The session is *plain*: secrets cross the session bus unencrypted. A
//! Diffie-Hellman session (what keyring-core's store hard-codes) costs 9–14
//! ms of key exchange per process, most of a cold `get`, and protects only
//! against a bus eavesdropper, who must already run as this user — and such
//! a process can ask the Secret Service for the same secret itself. git's
//! own libsecret helper negotiates the same plain session.
//!
//! Items keep the layout keyring-core's store gave them (`service`, and the
//! identity key as `username`), so tokens kept by earlier versions are
//! found; readable `protocol`, `host`, `user` and `path` attributes make
//! them easy to find with `secret-tool` and narrow each search. The secret
//! is escaped (`item::encode_escaped_secret`), since a passwordless GNOME
//! Keyring keeps only what a GKeyFile value can hold; items earlier
//! versions wrote are still read, and rewritten escaped by the next store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use secret_service::blocking::{Item, SecretService};
use secret_service::{EncryptionType, Error as ServiceError};

use super::item::{
    decode_escaped_item, encode_attribute, encode_escaped_secret, identity_attributes,
    identity_key, parse_identity_key,
};
use super::{SERVICE, Store, StoreError, with_deadline};
use crate::git::record::StoredCredential;
use crate::secret::Secret;

/// One connection per process, opened on first use, on the thread that
/// holds the deadline.
type Connection = Arc<Mutex<Option<SecretService<'static>>>>;

pub struct SecretServiceStore {
    timeout: Duration,
    connection: Connection,
}

impl SecretServiceStore {
    pub fn new(timeout: Duration) -> SecretServiceStore {
        SecretServiceStore {
            timeout,
            connection: Arc::new(Mutex::new(None)),
        }
    }

    /// Runs `work` against the service within the keyring timeout.
    fn within_deadline<T: Send + 'static>(
        &self,
        work: impl FnOnce(&SecretService<'static>) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        if !session_bus_configured() {
            return Err(StoreError::NoSessionBus);
        }
        let connection = Arc::clone(&self.connection);
        with_deadline(self.timeout, move || {
            let mut held = connection
                .lock()
                .map_err(|_| StoreError::Other("an earlier keyring call failed".into()))?;
            if held.is_none() {
                *held = Some(connect()?);
            }
            match held.as_ref() {
                Some(service) => work(service),
                None => Err(StoreError::NoSecretService),
            }
        })
    }
}

/// Whether a session bus could be there at all, by the rules zbus follows
/// to find one: `DBUS_SESSION_BUS_ADDRESS`, else the `bus` socket in the
/// runtime directory. Costs one `stat`, where asking zbus costs a thread
/// and an async runtime: on a headless machine every `get` asks.
pub(crate) fn session_bus_configured() -> bool {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|address| !address.is_empty()) {
        return true;
    }
    let runtime_dir = match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(dir) if !dir.is_empty() => std::path::PathBuf::from(dir),
        _ => format!("/run/user/{}", rustix::process::getuid().as_raw()).into(),
    };
    runtime_dir.join("bus").exists()
}

fn connect() -> Result<SecretService<'static>, StoreError> {
    let bus = zbus::blocking::Connection::session().map_err(|_| StoreError::NoSessionBus)?;
    // gnome-keyring registers a new client asynchronously (it asks the bus
    // for the caller's pid first); a plain OpenSession that arrives as the
    // connection's very first call can find no client and crash the daemon
    // (seen here about once in 300 cold reads). A first call that needs no
    // client lets that registration finish.
    let _ = bus.call_method(
        Some("org.freedesktop.secrets"),
        "/org/freedesktop/secrets",
        Some("org.freedesktop.DBus.Properties"),
        "Get",
        &("org.freedesktop.Secret.Service", "Collections"),
    );
    SecretService::connect_with_existing(EncryptionType::Plain, bus).map_err(from_service)
}

impl SecretServiceStore {
    /// Whether a Secret Service answers here, within the keyring timeout.
    pub fn answers(&self) -> Result<(), StoreError> {
        self.within_deadline(|_| Ok(()))
    }
}

impl Store for SecretServiceStore {
    fn list(
        &self,
        protocol: Option<&[u8]>,
        host: Option<&[u8]>,
    ) -> Result<Vec<StoredCredential>, StoreError> {
        let mut wanted = vec![("service", SERVICE.to_string())];
        // The service skips other hosts' items itself; `list` checks again.
        if let Some(protocol) = protocol {
            wanted.push(("protocol", encode_attribute(protocol)));
        }
        if let Some(host) = host {
            wanted.push(("host", encode_attribute(host)));
        }
        let (protocol, host) = (protocol.map(<[u8]>::to_vec), host.map(<[u8]>::to_vec));
        self.within_deadline(move |service| {
            let mut found = Vec::new();
            for item in search(service, &wanted)? {
                let attributes = item.get_attributes().map_err(from_service)?;
                let Some(identity) = attributes
                    .get("username")
                    .and_then(|key| parse_identity_key(key))
                else {
                    continue;
                };
                if protocol.as_ref().is_some_and(|p| *p != identity.protocol)
                    || host.as_ref().is_some_and(|h| *h != identity.host)
                {
                    continue;
                }
                let secret = Secret::new(item.get_secret().map_err(from_service)?);
                found.push(decode_escaped_item(identity, &secret));
            }
            if found.is_empty() {
                ensure_default_collection_open(service)?;
            }
            Ok(found)
        })
    }

    fn save(&self, credential: &StoredCredential) -> Result<(), StoreError> {
        let key = identity_key(credential);
        let secret = encode_escaped_secret(credential);
        let mut attributes = identity_attributes(credential);
        attributes.push(("service", SERVICE.to_string()));
        attributes.push(("username", key.clone()));
        // The format, outside the secret: an earlier version's plain
        // password that happens to begin with the escaped format's tag
        // cannot be told apart by its bytes. Items written before the mark
        // get it at their next write (the attributes differ, so they are
        // set again).
        attributes.push((FORMAT_ATTRIBUTE, ESCAPED_FORMAT.to_string()));
        self.within_deadline(move |service| {
            let borrowed: HashMap<&str, &str> = attributes
                .iter()
                .map(|(name, value)| (*name, value.as_str()))
                .collect();
            let mut existing = search(service, &same_identity(&key))?.into_iter();
            match existing.next() {
                // Rewrite the item in place, as keyring-core did: a reader
                // never finds it missing.
                Some(item) => {
                    // Two stores that raced can leave twins; keep exactly one.
                    for twin in existing {
                        twin.delete().map_err(from_service)?;
                    }
                    item.set_secret(secret.expose(), "application/octet-stream")
                        .map_err(from_service)?;
                    if item.get_attributes().map_err(from_service)?
                        != attributes
                            .iter()
                            .map(|(name, value)| (name.to_string(), value.clone()))
                            .collect::<HashMap<_, _>>()
                    {
                        item.set_attributes(borrowed).map_err(from_service)?;
                    }
                }
                None => {
                    let collection = service.get_default_collection().map_err(from_service)?;
                    if collection.is_locked().map_err(from_service)? {
                        collection.unlock().map_err(from_service)?;
                    }
                    collection
                        .create_item(
                            &format!("Git: {key}"),
                            borrowed,
                            secret.expose(),
                            true,
                            "application/octet-stream",
                        )
                        .map_err(from_service)?;
                }
            }
            Ok(())
        })
    }

    fn delete(&self, credential: &StoredCredential) -> Result<(), StoreError> {
        let key = identity_key(credential);
        self.within_deadline(move |service| {
            for item in search(service, &same_identity(&key))? {
                item.delete().map_err(from_service)?;
            }
            Ok(())
        })
    }

    fn describe(&self) -> String {
        "the Secret Service (D-Bus), e.g. GNOME Keyring".into()
    }
}

/// The attribute that names how an item's secret is written, and the one
/// value it has so far: [`encode_escaped_secret`].
const FORMAT_ATTRIBUTE: &str = "ghoauth_format";
const ESCAPED_FORMAT: &str = "escaped-v2";

/// A locked collection may hide its items from a search altogether:
/// oo7-daemon encrypts attributes with the collection's password, so a
/// search of a locked login keyring finds nothing, where gnome-keyring
/// lists the items as locked. "Nothing found" from a locked default
/// collection (where this helper keeps its items) is not "nothing there":
/// it is unlocked, which may prompt, or the search fails as locked, so
/// that nobody signs in again into a keyring that holds a token.
fn ensure_default_collection_open(service: &SecretService<'static>) -> Result<(), StoreError> {
    let Ok(collection) = service.get_default_collection() else {
        return Ok(());
    };
    if collection.is_locked().map_err(from_service)? {
        collection.unlock().map_err(from_service)?;
    }
    Ok(())
}

fn same_identity(key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("service", SERVICE.to_string()),
        ("username", key.to_string()),
    ]
}

/// The items with these attributes, unlocked (which may need a prompt the
/// deadline cuts short).
fn search<'a>(
    service: &'a SecretService<'static>,
    attributes: &[(&'static str, String)],
) -> Result<Vec<Item<'a>>, StoreError> {
    let borrowed: HashMap<&str, &str> = attributes
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    let found = service.search_items(borrowed).map_err(from_service)?;
    if !found.locked.is_empty() {
        let locked: Vec<&Item> = found.locked.iter().collect();
        service.unlock_all(&locked).map_err(from_service)?;
    }
    Ok(found.unlocked.into_iter().chain(found.locked).collect())
}

fn from_service(error: ServiceError) -> StoreError {
    match error {
        ServiceError::Locked
        | ServiceError::Prompt
        | ServiceError::PromptDisconnected
        | ServiceError::NoResult => StoreError::Locked,
        ServiceError::Unavailable => StoreError::NoSecretService,
        // The crate's errors carry no secret, but its Debug is not ours to
        // trust: only Display, which names the D-Bus error.
        other => {
            let detail = other.to_string();
            // A daemon that has no way to ask for the password fails the
            // unlock prompt itself (oo7-daemon: "CLI prompter failed",
            // naming its own prompter service): locked, not absent.
            if detail.to_ascii_lowercase().contains("prompter") {
                StoreError::Locked
            } else if detail.contains("ServiceUnknown")
                || detail.contains("org.freedesktop.secrets")
            {
                StoreError::NoSecretService
            } else {
                StoreError::Other(detail)
            }
        }
    }
}
