//! The Linux kernel's keyring as a store, for machines with no Secret
//! Service: SSH servers, containers, WSL, CI runners.
//!
//! Items live in the user's *persistent* keyring, which outlives login
//! sessions: the kernel drops it at reboot, or after it has gone unused for
//! `/proc/sys/kernel/keys/persistent_keyring_expiry` seconds (3 days by
//! default; every use restarts the clock). Where the kernel refuses a
//! persistent keyring, the user keyring serves instead, which lasts only
//! while some process of this user runs.
//!
//! One `user` key per credential, described `git-credential-ghoauth:` plus
//! the identity key (see `item`), holding what a Secret Service item holds.
//! Keys are readable and writable by this user only; nothing is written to
//! disk. Any process of the same user can read them, and so can root.

use std::cell::OnceCell;

use linux_keyutils::{
    Key, KeyError, KeyPermissionsBuilder, KeyRing, KeyRingIdentifier, KeySerialId, KeyType,
    Permission,
};

use super::item::{decode_item, encode_secret, identity_key, parse_identity_key};
use super::{SERVICE, Store, StoreError};
use crate::git::record::StoredCredential;
use crate::secret::Secret;

/// A `user` key's payload is at most 32767 bytes.
const MAX_PAYLOAD: usize = 32 * 1024 - 1;

/// Which keyring the items went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    /// Until reboot, or this many seconds unused.
    Persistent { unused_seconds: Option<u64> },
    /// Until this user's last process ends.
    UserSession,
}

struct Opened {
    ring: KeyRing,
    serial: KeySerialId,
    lifetime: Lifetime,
}

pub struct KernelStore {
    opened: OnceCell<Result<Opened, StoreError>>,
}

impl KernelStore {
    pub fn new() -> KernelStore {
        KernelStore {
            opened: OnceCell::new(),
        }
    }

    fn opened(&self) -> Result<&Opened, StoreError> {
        self.opened.get_or_init(open).as_ref().map_err(Clone::clone)
    }

    /// Where items go, once the kernel has been asked.
    pub fn lifetime(&self) -> Result<Lifetime, StoreError> {
        self.opened().map(|opened| opened.lifetime)
    }

    /// True when this store holds nothing of ours yet.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.list(None, None)?.is_empty())
    }

    fn key_of(&self, credential: &StoredCredential) -> Result<Option<Key>, StoreError> {
        let opened = self.opened()?;
        match opened.ring.search(&description(&identity_key(credential))) {
            Ok(key) => Ok(Some(key)),
            Err(KeyError::KeyDoesNotExist) => Ok(None),
            Err(error) => Err(refused(error)),
        }
    }
}

/// The persistent keyring, linked into this process's own keyring so that
/// we possess it; else the user keyring.
fn open() -> Result<Opened, StoreError> {
    let persistent = || KeyRing::get_persistent(KeyRingIdentifier::Process);
    let found = match persistent() {
        // This process's own keyring, which the persistent one is linked
        // into, is a key too: at a full quota, the cache's answers make
        // room. Falling back to the user keyring here would split the
        // store, keeping this credential where the next git does not look.
        Err(KeyError::QuotaExceeded) if forget_cached_answers() > 0 => persistent(),
        found => found,
    };
    let (ring, lifetime) = match found {
        Ok(ring) => (
            ring,
            Lifetime::Persistent {
                unused_seconds: persistent_expiry(),
            },
        ),
        Err(KeyError::QuotaExceeded) => {
            return Err(StoreError::KernelQuotaFull(KeyQuota::of_this_user()));
        }
        Err(_) => (
            KeyRing::from_special_id(KeyRingIdentifier::User, true).map_err(refused)?,
            Lifetime::UserSession,
        ),
    };
    let serial = serial_of(&ring)
        .ok_or_else(|| StoreError::KernelRefused("could not name the keyring".into()))?;
    Ok(Opened {
        ring,
        serial,
        lifetime,
    })
}

/// linux-keyutils keeps a keyring's serial number private and offers only a
/// listing whose buffer it sizes unsafely; the serial is what its `Debug`
/// prints, and with it the listing is read here, safely, in full.
fn serial_of(ring: &KeyRing) -> Option<KeySerialId> {
    let shown = format!("{ring:?}");
    let digits: String = shown
        .split("KeySerialId(")
        .nth(1)?
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    Some(KeySerialId::new(digits.parse().ok()?))
}

fn persistent_expiry() -> Option<u64> {
    std::fs::read_to_string("/proc/sys/kernel/keys/persistent_keyring_expiry")
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn description(identity_key: &str) -> String {
    format!("{SERVICE}:{identity_key}")
}

/// Removes this user's cached answers from the user keyring (see
/// `cache`); returns how many went.
fn forget_cached_answers() -> usize {
    let Some(user_ring) = KeyRing::from_special_id(KeyRingIdentifier::User, false)
        .ok()
        .as_ref()
        .and_then(serial_of)
    else {
        return 0;
    };
    let Ok(linked) = links(user_ring) else {
        return 0;
    };
    linked
        .into_iter()
        .map(Key::from_id)
        .filter(|key| {
            key.metadata().is_ok_and(|metadata| {
                metadata
                    .get_description()
                    .starts_with(super::cache::ANSWER_PREFIX)
            })
        })
        .filter(|key| key.invalidate().is_ok())
        .count()
}

/// How much of the kernel's per-user key quota is in use
/// (`/proc/key-users`: `uid: usage keys/instantiated keys/maxkeys
/// bytes/maxbytes`), for saying so when it is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyQuota {
    pub keys: u64,
    pub max_keys: u64,
    pub bytes: u64,
    pub max_bytes: u64,
}

impl KeyQuota {
    fn of_this_user() -> Option<KeyQuota> {
        let uid = rustix::process::getuid().as_raw();
        let table = std::fs::read_to_string("/proc/key-users").ok()?;
        KeyQuota::parse(&table, uid)
    }

    fn parse(table: &str, uid: u32) -> Option<KeyQuota> {
        let line = table.lines().find(|line| {
            line.split(':')
                .next()
                .is_some_and(|first| first.trim().parse() == Ok(uid))
        })?;
        let mut fields = line.split_whitespace().skip(3);
        let pair = |field: Option<&str>| -> Option<(u64, u64)> {
            let (used, max) = field?.split_once('/')?;
            Some((used.parse().ok()?, max.parse().ok()?))
        };
        let (keys, max_keys) = pair(fields.next())?;
        let (bytes, max_bytes) = pair(fields.next())?;
        Some(KeyQuota {
            keys,
            max_keys,
            bytes,
            max_bytes,
        })
    }
}

fn refused(error: KeyError) -> StoreError {
    StoreError::KernelRefused(format!("{error:?}"))
}

/// The serial numbers of every key linked into `ring`.
fn links(ring: KeySerialId) -> Result<Vec<KeySerialId>, StoreError> {
    let listing = Key::from_id(ring);
    let mut buffer = vec![0u8; 4096];
    loop {
        let length = listing.read(&mut buffer).map_err(refused)?;
        if length <= buffer.len() {
            buffer.truncate(length);
            break;
        }
        // The keyring grew past the buffer; read it again, whole.
        buffer.resize(length, 0);
    }
    Ok(buffer
        .chunks_exact(4)
        .map(|id| KeySerialId::new(i32::from_ne_bytes([id[0], id[1], id[2], id[3]])))
        .collect())
}

impl Store for KernelStore {
    fn list(
        &self,
        protocol: Option<&[u8]>,
        host: Option<&[u8]>,
    ) -> Result<Vec<StoredCredential>, StoreError> {
        let opened = self.opened()?;
        let prefix = description("");
        let mut found = Vec::new();
        for serial in links(opened.serial)? {
            let key = Key::from_id(serial);
            // Keys that vanish or are not ours to view are someone else's.
            let Ok(metadata) = key.metadata() else {
                continue;
            };
            let Some(identity) = (metadata.get_type() == KeyType::User)
                .then(|| metadata.get_description().strip_prefix(&prefix))
                .flatten()
                .and_then(parse_identity_key)
            else {
                continue;
            };
            if protocol.is_some_and(|wanted| wanted != identity.protocol)
                || host.is_some_and(|wanted| wanted != identity.host)
            {
                continue;
            }
            let mut payload = vec![0u8; MAX_PAYLOAD];
            let Ok(length) = key.read(&mut payload) else {
                continue;
            };
            payload.truncate(length.min(MAX_PAYLOAD));
            found.push(decode_item(identity, &Secret::new(payload)));
        }
        Ok(found)
    }

    fn save(&self, credential: &StoredCredential) -> Result<(), StoreError> {
        let opened = self.opened()?;
        let payload = encode_secret(credential);
        if payload.expose().len() > MAX_PAYLOAD {
            return Err(StoreError::TooLarge {
                store: "the kernel keyring",
                limit_bytes: MAX_PAYLOAD,
            });
        }
        // Adding a key of the same description replaces the old one in
        // one step: a reader sees the old item or the new, never neither.
        let add = || {
            opened
                .ring
                .add_key(&description(&identity_key(credential)), payload.expose())
        };
        let key = match add() {
            // The cache's answers count against the same per-user quota,
            // and a kept credential matters more than a faster next `get`.
            Err(KeyError::QuotaExceeded) if forget_cached_answers() > 0 => add(),
            added => added,
        }
        .map_err(|error| match error {
            KeyError::QuotaExceeded => StoreError::KernelQuotaFull(KeyQuota::of_this_user()),
            other => refused(other),
        })?;
        let owner_only = KeyPermissionsBuilder::builder()
            .posessor(Permission::ALL)
            .user(
                Permission::VIEW
                    | Permission::READ
                    | Permission::WRITE
                    | Permission::SEARCH
                    | Permission::SETATTR,
            )
            .build();
        key.set_perms(owner_only).map_err(refused)
    }

    fn delete(&self, credential: &StoredCredential) -> Result<(), StoreError> {
        match self.key_of(credential)? {
            None => Ok(()),
            Some(key) => match key.invalidate() {
                Ok(()) | Err(KeyError::KeyDoesNotExist) => Ok(()),
                Err(error) => Err(refused(error)),
            },
        }
    }

    fn describe(&self) -> String {
        match self.lifetime() {
            Ok(Lifetime::Persistent {
                unused_seconds: Some(seconds),
            }) => format!(
                "the kernel's persistent keyring (until reboot; expires after {} unused)",
                days(seconds)
            ),
            Ok(Lifetime::Persistent {
                unused_seconds: None,
            }) => "the kernel's persistent keyring (until reboot, or days unused)".into(),
            Ok(Lifetime::UserSession) => {
                "the kernel's user keyring (until your last process ends, and at most until \
                 reboot)"
                    .into()
            }
            Err(error) => format!("the kernel keyring, which cannot be used here: {error}"),
        }
    }
}

fn days(seconds: u64) -> String {
    match seconds {
        86_400 => "1 day".into(),
        s if s % 86_400 == 0 => format!("{} days", s / 86_400),
        s if s % 3_600 == 0 => format!("{} hours", s / 3_600),
        s => format!("{s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credentials_key_is_named_after_its_identity() {
        assert_eq!(
            description("https://u@github.com"),
            "git-credential-ghoauth:https://u@github.com"
        );
    }

    #[test]
    fn no_credential_is_ever_taken_for_a_cached_answer() {
        for protocol in ["answer", "generation", "https", "answer:x"] {
            let credential = crate::fixtures::stored("h", None, "u", "p", 1);
            let credential = StoredCredential {
                protocol: protocol.as_bytes().to_vec(),
                ..credential
            };
            let described = description(&identity_key(&credential));
            assert!(
                !described.starts_with(super::super::cache::ANSWER_PREFIX),
                "{described}"
            );
        }
    }

    #[test]
    fn a_keyrings_serial_is_read_from_its_debug_form() {
        let ring =
            KeyRing::from_special_id(KeyRingIdentifier::Process, true).expect("a process keyring");
        let serial = serial_of(&ring).expect("the serial");
        assert!(serial.as_raw_id() > 0, "{ring:?}");
        assert!(format!("{ring:?}").contains(&serial.as_raw_id().to_string()));
    }

    #[test]
    fn the_quota_is_read_for_this_uid_alone() {
        let table = "    0:    11 10/10 5/1000000 263/25000000\n 1000:   201 201/201 200/200 19876/20000\n10000:     1 1/1 1/200 9/20000\n";
        assert_eq!(
            KeyQuota::parse(table, 1000),
            Some(KeyQuota {
                keys: 200,
                max_keys: 200,
                bytes: 19876,
                max_bytes: 20000
            })
        );
        assert_eq!(
            KeyQuota::parse(table, 0).map(|q| q.max_keys),
            Some(1_000_000)
        );
        assert_eq!(KeyQuota::parse(table, 100), None);
        assert_eq!(KeyQuota::parse(" 1000: 1 1/1 x/200 9/20000", 1000), None);
    }

    #[test]
    fn lifetimes_read_as_people_count() {
        assert_eq!(days(259_200), "3 days");
        assert_eq!(days(86_400), "1 day");
        assert_eq!(days(7_200), "2 hours");
        assert_eq!(days(90), "90 s");
    }
}
