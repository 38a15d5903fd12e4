//! The OS keyring, through keyring-core: the Secret Service on Linux, the
//! Keychain on macOS, Credential Manager on Windows.
//!
//! One item per stored credential. keyring-core names an item by a service
//! and a "user"; ours are the constant [`SERVICE`] and an identity key built
//! from protocol, user, host and path, so that each credential git can tell
//! apart is its own item. Readable attributes (`protocol`, `host`, `path`,
//! `user`) make the items easy to find with
//! `secret-tool search --all service git-credential-ghoauth`.
//!
//! The item's secret holds the password on its first line (as git's libsecret
//! helper does), then `key=value` lines for the refresh token, the expiry and
//! the time of storing. Nothing is ever written to a file.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use keyring_core::{CredentialStore, Entry, Error as StoreError};

use crate::secret::Secret;
use crate::stored::{OAuthDetails, StoredCredential};

pub const SERVICE: &str = "git-credential-ghoauth";

/// Where credentials live on this platform, for people reading `status`.
pub const STORE_NAME: &str = if cfg!(target_os = "macos") {
    "the macOS Keychain"
} else if cfg!(target_os = "windows") {
    "Windows Credential Manager"
} else {
    "the Secret Service (D-Bus), e.g. GNOME Keyring"
};

/// Why the keyring could not be used, worded for the person at the terminal:
/// what happened, then what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyringError {
    NoSessionBus,
    NoSecretService,
    Locked,
    TimedOut(Duration),
    Other(String),
}

impl fmt::Display for KeyringError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyringError::NoSessionBus => f.write_str(
                "cannot reach the OS keyring: there is no D-Bus session bus \
                 (DBUS_SESSION_BUS_ADDRESS unset or dead); run git inside a desktop session, \
                 or start one with `dbus-run-session` and an unlocked gnome-keyring-daemon",
            ),
            KeyringError::NoSecretService => f.write_str(
                "cannot reach the OS keyring: no Secret Service is running on the D-Bus session bus; \
                 install and start one (gnome-keyring, or KeePassXC with Secret Service integration)",
            ),
            KeyringError::Locked => f.write_str(
                "the OS keyring is locked and cannot ask to be unlocked here; \
                 unlock it (log in to the desktop, or `gnome-keyring-daemon --unlock`) and retry",
            ),
            KeyringError::TimedOut(limit) => write!(
                f,
                "the OS keyring did not answer within {} s (a hidden unlock prompt, or a stuck \
                 keyring daemon); unlock or restart it, or raise GHOAUTH_KEYRING_TIMEOUT",
                limit.as_secs()
            ),
            KeyringError::Other(detail) => write!(f, "the OS keyring failed: {detail}"),
        }
    }
}

impl std::error::Error for KeyringError {}

impl From<StoreError> for KeyringError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NoStorageAccess(_) => KeyringError::Locked,
            StoreError::PlatformFailure(inner) => {
                let detail = inner.to_string();
                if detail.contains("org.freedesktop.secrets") || detail.contains("ServiceUnknown") {
                    KeyringError::NoSecretService
                } else if detail.contains("connect")
                    || detail.contains("address")
                    || detail.contains("No such file")
                    || detail.contains("Connection refused")
                {
                    KeyringError::NoSessionBus
                } else {
                    KeyringError::Other(detail)
                }
            }
            // Never format the error itself with Debug: some variants carry
            // the bytes of a secret.
            StoreError::BadEncoding(_) | StoreError::BadDataFormat(..) => {
                KeyringError::Other("an item's secret is not in the expected format".into())
            }
            other => KeyringError::Other(other.to_string()),
        }
    }
}

/// Runs `work` on its own thread and gives up after `limit`. A keyring
/// daemon that never answers (a prompt no one can see, a wedged D-Bus) must
/// not hang git; the abandoned thread ends with the process.
pub fn with_deadline<T: Send + 'static>(
    limit: Duration,
    work: impl FnOnce() -> Result<T, KeyringError> + Send + 'static,
) -> Result<T, KeyringError> {
    let (sender, receiver) = mpsc::channel();
    thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            let _ = sender.send(work());
        })
        .map_err(|err| KeyringError::Other(format!("could not start a thread: {err}")))?;
    receiver
        .recv_timeout(limit)
        .unwrap_or(Err(KeyringError::TimedOut(limit)))
}

pub struct Keyring {
    store: Arc<CredentialStore>,
}

impl Keyring {
    pub fn open() -> Result<Keyring, KeyringError> {
        Ok(Keyring {
            store: platform_store()?,
        })
    }

    /// Every credential stored for this protocol and host (either may be
    /// left out to mean "any"). Items this helper did not write are skipped.
    pub fn list(
        &self,
        protocol: Option<&[u8]>,
        host: Option<&[u8]>,
    ) -> Result<Vec<StoredCredential>, KeyringError> {
        let narrowing = search_narrowing(protocol, host);
        let mut spec: HashMap<&str, &str> = narrowing
            .iter()
            .map(|(key, value)| (*key, value.as_str()))
            .collect();
        spec.insert("service", SERVICE);
        let mut found = Vec::new();
        for entry in self.store.search(&spec)? {
            let Some((service, key)) = entry.get_specifiers() else {
                continue;
            };
            if service != SERVICE {
                continue;
            }
            let Some(identity) = parse_identity_key(&key) else {
                continue;
            };
            if protocol.is_some_and(|wanted| wanted != identity.protocol)
                || host.is_some_and(|wanted| wanted != identity.host)
            {
                continue;
            }
            let secret = Secret::new(entry.get_secret()?);
            found.push(decode_item(identity, &secret));
        }
        Ok(found)
    }

    /// Creates the item, or replaces the one with the same identity.
    pub fn save(&self, credential: &StoredCredential) -> Result<(), KeyringError> {
        let entry = self.entry_for(credential)?;
        let secret = encode_secret(credential);
        match entry.set_secret(secret.expose()) {
            // Two stores that raced can leave twins; keep exactly one.
            Err(StoreError::Ambiguous(twins)) => {
                for twin in twins {
                    twin.delete_credential()?;
                }
                entry.set_secret(secret.expose())?;
            }
            other => other?,
        }
        if cfg!(target_os = "linux") {
            // Readable attributes for people using secret-tool or Seahorse,
            // and for narrowing searches; the identity key stays the truth.
            let attributes = identity_attributes(credential);
            let borrowed: HashMap<&str, &str> = attributes
                .iter()
                .map(|(key, value)| (*key, value.as_str()))
                .collect();
            entry.update_attributes(&borrowed)?;
        }
        Ok(())
    }

    pub fn delete(&self, credential: &StoredCredential) -> Result<(), KeyringError> {
        match self.entry_for(credential)?.delete_credential() {
            Ok(()) | Err(StoreError::NoEntry) => Ok(()),
            Err(StoreError::Ambiguous(twins)) => {
                for twin in twins {
                    twin.delete_credential()?;
                }
                Ok(())
            }
            Err(other) => Err(other.into()),
        }
    }

    fn entry_for(&self, credential: &StoredCredential) -> Result<Entry, KeyringError> {
        let key = identity_key(credential);
        let label = format!("Git: {key}");
        let modifiers = HashMap::from([("label", label.as_str())]);
        Ok(self.store.build(SERVICE, &key, Some(&modifiers))?)
    }
}

#[cfg(target_os = "linux")]
fn platform_store() -> Result<Arc<CredentialStore>, KeyringError> {
    Ok(zbus_secret_service_keyring_store::Store::new()?)
}

#[cfg(target_os = "macos")]
fn platform_store() -> Result<Arc<CredentialStore>, KeyringError> {
    Ok(apple_native_keyring_store::keychain::Store::new()?)
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<Arc<CredentialStore>, KeyringError> {
    Ok(windows_native_keyring_store::Store::new()?)
}

/// Extra search attributes that let the store itself skip other hosts'
/// items. Only the Secret Service searches on arbitrary attributes; the
/// Keychain and Credential Manager get the service alone, and `list` filters.
fn search_narrowing(protocol: Option<&[u8]>, host: Option<&[u8]>) -> Vec<(&'static str, String)> {
    if !cfg!(target_os = "linux") {
        return Vec::new();
    }
    let mut narrowing = Vec::new();
    if let Some(protocol) = protocol {
        narrowing.push(("protocol", encode_attribute(protocol)));
    }
    if let Some(host) = host {
        narrowing.push(("host", encode_attribute(host)));
    }
    narrowing
}

/// `protocol://user@host[/path]`, each part percent-encoded so that the
/// separators cannot occur inside it: distinct identities, distinct keys.
/// No path and an empty path differ (`…@host` versus `…@host/`).
pub fn identity_key(credential: &StoredCredential) -> String {
    let mut key = format!(
        "{}://{}@{}",
        encode_strict(&credential.protocol),
        encode_strict(&credential.username),
        encode_strict(&credential.host)
    );
    if let Some(path) = &credential.path {
        key.push('/');
        key.push_str(&encode_strict(path));
    }
    key
}

fn identity_attributes(credential: &StoredCredential) -> Vec<(&'static str, String)> {
    let mut attributes = vec![
        ("protocol", encode_attribute(&credential.protocol)),
        ("host", encode_attribute(&credential.host)),
        ("user", encode_attribute(&credential.username)),
    ];
    if let Some(path) = &credential.path {
        attributes.push(("path", encode_attribute(path)));
    }
    attributes
}

/// The parts of an identity key, as [`identity_key`] wrote them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub protocol: Vec<u8>,
    pub username: Vec<u8>,
    pub host: Vec<u8>,
    pub path: Option<Vec<u8>>,
}

/// The inverse of [`identity_key`]; `None` for keys it did not write.
pub fn parse_identity_key(key: &str) -> Option<Identity> {
    let (protocol, rest) = key.split_once("://")?;
    let (username, rest) = rest.split_once('@')?;
    let (host, path) = match rest.split_once('/') {
        None => (rest, None),
        Some((host, path)) => (host, Some(path)),
    };
    Some(Identity {
        protocol: decode_attribute(protocol),
        username: decode_attribute(username),
        host: decode_attribute(host),
        path: path.map(decode_attribute),
    })
}

fn decode_item(identity: Identity, secret: &Secret) -> StoredCredential {
    let mut lines = secret.expose().split(|&b| b == b'\n');
    let password = Secret::new(lines.next().unwrap_or_default());
    let mut credential = StoredCredential {
        protocol: identity.protocol,
        host: identity.host,
        path: identity.path,
        username: identity.username,
        password,
        password_expiry_utc: None,
        oauth_refresh_token: None,
        stored_at: 0,
        oauth: None,
    };
    let mut client_id = None;
    let mut scopes = String::new();
    let mut refresh_token_expiry_utc = None;
    for line in lines {
        let Some(equals) = line.iter().position(|&b| b == b'=') else {
            continue;
        };
        let (key, value) = (&line[..equals], &line[equals + 1..]);
        let number = || std::str::from_utf8(value).ok()?.parse::<u128>().ok();
        match key {
            b"oauth_refresh_token" => credential.oauth_refresh_token = Some(Secret::new(value)),
            b"password_expiry_utc" => {
                credential.password_expiry_utc = number().and_then(|n| u64::try_from(n).ok())
            }
            b"stored_at" => credential.stored_at = number().unwrap_or(0),
            b"oauth_client_id" => client_id = Some(String::from_utf8_lossy(value).into_owned()),
            b"oauth_scopes" => scopes = String::from_utf8_lossy(value).into_owned(),
            b"oauth_refresh_token_expiry_utc" => {
                refresh_token_expiry_utc = number().and_then(|n| u64::try_from(n).ok())
            }
            _ => {}
        }
    }
    credential.oauth = client_id.map(|client_id| OAuthDetails {
        client_id,
        scopes,
        refresh_token_expiry_utc,
    });
    credential
}

fn encode_secret(credential: &StoredCredential) -> Secret {
    let mut bytes = credential.password.expose().to_vec();
    if let Some(token) = &credential.oauth_refresh_token {
        bytes.extend_from_slice(b"\noauth_refresh_token=");
        bytes.extend_from_slice(token.expose());
    }
    if let Some(expiry) = credential.password_expiry_utc {
        bytes.extend_from_slice(format!("\npassword_expiry_utc={expiry}").as_bytes());
    }
    bytes.extend_from_slice(format!("\nstored_at={}", credential.stored_at).as_bytes());
    if let Some(oauth) = &credential.oauth {
        // Both come from config or GitHub and hold no line breaks; strip any
        // anyway so that a line can never pose as another field.
        let clean = |text: &str| text.replace(['\n', '\r'], " ");
        bytes
            .extend_from_slice(format!("\noauth_client_id={}", clean(&oauth.client_id)).as_bytes());
        bytes.extend_from_slice(format!("\noauth_scopes={}", clean(&oauth.scopes)).as_bytes());
        if let Some(until) = oauth.refresh_token_expiry_utc {
            bytes.extend_from_slice(format!("\noauth_refresh_token_expiry_utc={until}").as_bytes());
        }
    }
    Secret::new(bytes)
}

/// Attribute values must be UTF-8 strings. Readable text stays as it is;
/// `%`, control bytes and anything that is not UTF-8 become `%XX`.
pub fn encode_attribute(bytes: &[u8]) -> String {
    let mut encoded = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for character in chunk.valid().chars() {
            if character == '%' || character.is_control() {
                let mut buffer = [0u8; 4];
                for byte in character.encode_utf8(&mut buffer).bytes() {
                    encoded.push_str(&format!("%{byte:02X}"));
                }
            } else {
                encoded.push(character);
            }
        }
        for byte in chunk.invalid() {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

pub fn decode_attribute(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%'
            && let Some(byte) = text
                .get(index + 1..index + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            decoded.push(byte);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    decoded
}

/// Everything but letters, digits and `-._~:` becomes `%XX`, so `://`, `@`
/// and `/` only ever appear as separators. [`decode_attribute`] undoes it.
fn encode_strict(bytes: &[u8]) -> String {
    const KEPT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b':');
    percent_encoding::percent_encode(bytes, KEPT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn credential(path: Option<&[u8]>, user: &[u8]) -> StoredCredential {
        StoredCredential {
            protocol: b"https".to_vec(),
            host: b"github.com".to_vec(),
            path: path.map(<[u8]>::to_vec),
            username: user.to_vec(),
            password: Secret::new(b"pw".to_vec()),
            password_expiry_utc: Some(1_900_000_000),
            oauth_refresh_token: Some(Secret::new(b"ghr_x".to_vec())),
            stored_at: 42,
            oauth: Some(OAuthDetails {
                client_id: "Iv1.app".into(),
                scopes: "repo workflow".into(),
                refresh_token_expiry_utc: Some(1_915_000_000),
            }),
        }
    }

    #[test]
    fn identity_keys_tell_every_identity_apart() {
        assert_eq!(
            identity_key(&credential(None, b"alice")),
            "https://alice@github.com"
        );
        assert_eq!(
            identity_key(&credential(Some(b""), b"alice")),
            "https://alice@github.com/"
        );
        assert_eq!(
            identity_key(&credential(Some(b"org/r.git"), b"a@b")),
            "https://a%40b@github.com/org%2Fr.git"
        );
    }

    #[test]
    fn items_decode_to_what_was_saved() {
        for path in [None, Some(&b""[..]), Some(&b"caf\xe9/r@p:o"[..])] {
            let original = credential(path, b"\xffus@er:/x");
            let identity = parse_identity_key(&identity_key(&original)).unwrap();
            assert_eq!(decode_item(identity, &encode_secret(&original)), original);
        }
    }

    #[test]
    fn foreign_keys_are_not_identities() {
        assert_eq!(parse_identity_key("keyring:someone"), None);
        assert_eq!(parse_identity_key("https://github.com"), None);
    }

    proptest! {
        #[test]
        fn identity_keys_round_trip(
            protocol in proptest::collection::vec(any::<u8>(), 0..16),
            user in proptest::collection::vec(any::<u8>(), 0..16),
            host in proptest::collection::vec(any::<u8>(), 0..16),
            path in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..16)),
        ) {
            let mut original = credential(path.as_deref(), &user);
            original.protocol = protocol;
            original.host = host;
            let identity = parse_identity_key(&identity_key(&original)).unwrap();
            prop_assert_eq!(identity.protocol, original.protocol);
            prop_assert_eq!(identity.username, original.username);
            prop_assert_eq!(identity.host, original.host);
            prop_assert_eq!(identity.path, original.path);
        }

        #[test]
        fn attribute_encoding_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(decode_attribute(&encode_attribute(&bytes)), bytes);
        }
    }
}
