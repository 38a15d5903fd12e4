//! How one credential is written into a store that keeps a name and a
//! secret per item: the Secret Service, the kernel keyring, the macOS and
//! Windows stores.
//!
//! The name is an identity key built from protocol, user, host and path, so
//! that each credential git can tell apart is its own item. The secret holds
//! the password on its first line (as git's libsecret helper does), then
//! `key=value` lines for the refresh token, the expiry, the time of storing
//! and what this helper knows of a token it obtained.
//!
//! The Secret Service gets that secret escaped ([`encode_escaped_secret`]):
//! a passwordless GNOME Keyring keeps its items in a GKeyFile, which keeps
//! only the first line of a value, decodes backslash escapes and strips
//! leading whitespace. The kernel keyring and the macOS and Windows stores
//! keep every byte, and Windows keeps at most 2,560 of them, so they keep
//! the plain lines.

use crate::git::record::{AuthType, OAuthDetails, StoredCredential};
use crate::secret::Secret;

/// `protocol://user@host[/path]`, each part percent-encoded so that the
/// separators cannot occur inside it: distinct identities, distinct keys.
/// No path and an empty path differ (`…@host` versus `…@host/`), and so do
/// no user (`protocol://host`, an `authtype` credential git gave no user
/// name) and an empty one (`protocol://@host`).
pub(crate) fn identity_key(credential: &StoredCredential) -> String {
    let user = match credential.username_if_any() {
        Some(username) => format!("{}@", encode_strict(username)),
        None => String::new(),
    };
    let mut key = format!(
        "{}://{user}{}",
        encode_strict(&credential.protocol),
        encode_strict(&credential.host)
    );
    if let Some(path) = &credential.path {
        key.push('/');
        key.push_str(&encode_strict(path));
    }
    key
}

#[cfg(target_os = "linux")]
pub(crate) fn identity_attributes(credential: &StoredCredential) -> Vec<(&'static str, String)> {
    let mut attributes = vec![
        ("protocol", encode_attribute(&credential.protocol)),
        ("host", encode_attribute(&credential.host)),
    ];
    if let Some(username) = credential.username_if_any() {
        attributes.push(("user", encode_attribute(username)));
    }
    if let Some(path) = &credential.path {
        attributes.push(("path", encode_attribute(path)));
    }
    attributes
}

/// The parts of an identity key, as [`identity_key`] wrote them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    pub protocol: Vec<u8>,
    /// `None`: git gave no user name (an `authtype` credential's right).
    pub username: Option<Vec<u8>>,
    pub host: Vec<u8>,
    pub path: Option<Vec<u8>>,
}

/// The inverse of [`identity_key`]; `None` for keys it did not write.
pub(crate) fn parse_identity_key(key: &str) -> Option<Identity> {
    let (protocol, rest) = key.split_once("://")?;
    let (authority, path) = match rest.split_once('/') {
        None => (rest, None),
        Some((authority, path)) => (authority, Some(path)),
    };
    let (username, host) = match authority.split_once('@') {
        Some((username, host)) => (Some(username), host),
        None => (None, authority),
    };
    Some(Identity {
        protocol: decode_attribute(protocol),
        username: username.map(decode_attribute),
        host: decode_attribute(host),
        path: path.map(decode_attribute),
    })
}

pub(crate) fn decode_item(identity: Identity, secret: &Secret) -> StoredCredential {
    let mut lines = secret.expose().split(|&b| b == b'\n');
    let password = Secret::new(lines.next().unwrap_or_default());
    let mut credential = StoredCredential {
        protocol: identity.protocol,
        host: identity.host,
        path: identity.path,
        username: identity.username.clone().unwrap_or_default(),
        password,
        password_expiry_utc: None,
        oauth_refresh_token: None,
        stored_at: 0,
        oauth: None,
        authtype: None,
    };
    let mut scheme = None;
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
            b"authtype" => scheme = Some(value.to_vec()),
            _ => {}
        }
    }
    // An item with no user name is an authtype credential's, whatever its
    // lines say: it must never answer a request that names a user.
    let without_username = identity.username.is_none();
    if scheme.is_some() || without_username {
        credential.authtype = Some(AuthType {
            scheme: scheme.unwrap_or_default(),
            without_username,
        });
    }
    credential.oauth = client_id.map(|client_id| OAuthDetails {
        client_id,
        scopes,
        refresh_token_expiry_utc,
    });
    credential
}

pub(crate) fn encode_secret(credential: &StoredCredential) -> Secret {
    let mut bytes = credential.password.expose().to_vec();
    if let Some(token) = &credential.oauth_refresh_token {
        bytes.extend_from_slice(b"\noauth_refresh_token=");
        bytes.extend_from_slice(token.expose());
    }
    if let Some(expiry) = credential.password_expiry_utc {
        bytes.extend_from_slice(format!("\npassword_expiry_utc={expiry}").as_bytes());
    }
    bytes.extend_from_slice(format!("\nstored_at={}", credential.stored_at).as_bytes());
    if let Some(authtype) = &credential.authtype {
        // git's protocol holds no line breaks in a value; strip any anyway.
        let scheme: Vec<u8> = authtype
            .scheme
            .iter()
            .copied()
            .filter(|&b| b != b'\n')
            .collect();
        bytes.extend_from_slice(b"\nauthtype=");
        bytes.extend_from_slice(&scheme);
    }
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

/// What begins an escaped secret: the format's version, so that a later
/// format can tell it apart, in letters no plain password of an earlier
/// version is likely to begin with.
#[cfg(target_os = "linux")]
const ESCAPED_TAG: &[u8] = b"ghoauth-item-v2:";

/// Bytes an escaped secret keeps as they are: nothing a GKeyFile value
/// changes (no whitespace, no backslash, no line break) and nothing
/// `%`-decoding could misread.
#[cfg(target_os = "linux")]
const ESCAPED_KEPT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// [`encode_secret`], tagged and `%`-escaped into letters, digits and
/// `-._~%`: what any Secret Service gives back unchanged, whatever its
/// storage format. Tokens are letters, digits and `_`, so a token's item
/// grows only by its separators.
#[cfg(target_os = "linux")]
pub(crate) fn encode_escaped_secret(credential: &StoredCredential) -> Secret {
    let plain = encode_secret(credential);
    let mut escaped = ESCAPED_TAG.to_vec();
    escaped.extend(
        percent_encoding::percent_encode(plain.expose(), ESCAPED_KEPT).flat_map(str::bytes),
    );
    Secret::new(escaped)
}

/// Reads either format: an escaped secret, or the plain lines earlier
/// versions wrote. A plain item a keyring has cut to its first line reads
/// as a plain password, as it now is.
#[cfg(target_os = "linux")]
pub(crate) fn decode_escaped_item(identity: Identity, secret: &Secret) -> StoredCredential {
    match unescape(secret.expose()) {
        Some(plain) => decode_item(identity, &plain),
        None => decode_item(identity, secret),
    }
}

/// The plain secret inside an escaped one; `None` for anything else (a
/// secret from an earlier version, or one with a byte no escaping writes).
#[cfg(target_os = "linux")]
fn unescape(bytes: &[u8]) -> Option<Secret> {
    let escaped = bytes.strip_prefix(ESCAPED_TAG)?;
    let well_formed = escaped.iter().enumerate().all(|(at, &byte)| match byte {
        b'%' => {
            escaped.get(at + 1).is_some_and(u8::is_ascii_hexdigit)
                && escaped.get(at + 2).is_some_and(u8::is_ascii_hexdigit)
        }
        _ => byte.is_ascii_alphanumeric() || b"-._~".contains(&byte),
    });
    well_formed.then(|| Secret::new(percent_encoding::percent_decode(escaped).collect::<Vec<u8>>()))
}

/// Attribute values must be UTF-8 strings. Readable text stays as it is;
/// `%`, control bytes and anything that is not UTF-8 become `%XX`.
#[cfg(target_os = "linux")]
pub(crate) fn encode_attribute(bytes: &[u8]) -> String {
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

/// The inverse of [`encode_attribute`] and [`encode_strict`]. A `%` not
/// followed by two hex digits is kept as it is (`%+5` stays three bytes).
pub(crate) fn decode_attribute(text: &str) -> Vec<u8> {
    percent_encoding::percent_decode_str(text).collect()
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
            authtype: None,
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

    #[cfg(target_os = "linux")]
    #[test]
    fn attributes_name_the_parts_readably() {
        let with_path = credential(Some(b"org/r.git"), b"al%ice");
        assert_eq!(
            identity_attributes(&with_path),
            vec![
                ("protocol", "https".to_string()),
                ("host", "github.com".to_string()),
                ("user", "al%25ice".to_string()),
                ("path", "org/r.git".to_string()),
            ]
        );
        assert_eq!(identity_attributes(&credential(None, b"bob")).len(), 3);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn escaped_secrets_decode_to_what_was_saved_and_keep_to_a_safe_alphabet() {
        let mut original = credential(Some(b"org/r.git"), b"alice");
        original.password = Secret::new(b"  lead\\s pa\\ss \r\t trail  \xff=%".to_vec());
        let escaped = encode_escaped_secret(&original);
        assert!(escaped.expose().starts_with(b"ghoauth-item-v2:"));
        assert!(
            escaped
                .expose()
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~%:".contains(b)),
            "{:?}",
            String::from_utf8_lossy(escaped.expose())
        );
        let identity = || parse_identity_key(&identity_key(&original)).unwrap();
        assert_eq!(decode_escaped_item(identity(), &escaped), original);
        // What earlier versions wrote still reads.
        assert_eq!(
            decode_escaped_item(identity(), &encode_secret(&original)),
            original
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_token_item_grows_only_by_its_separators() {
        let original = credential(None, b"alice");
        let plain = encode_secret(&original).expose().len();
        let escaped = encode_escaped_secret(&original).expose().len();
        // 16 for the tag, 2 more for each of the six `\n` and six `=`,
        // and for the space between the two scopes.
        assert_eq!(escaped, plain + 16 + 2 * 13);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_cut_or_malformed_escaped_secret_reads_as_a_plain_password() {
        let identity = || parse_identity_key("https://alice@github.com").unwrap();
        // A keyring that kept only the first line of an earlier item.
        let cut = decode_escaped_item(identity(), &Secret::new(b"ghu_token".to_vec()));
        assert_eq!(cut.password.expose(), b"ghu_token");
        assert_eq!(cut.oauth, None);
        assert_eq!(cut.oauth_refresh_token, None);
        for malformed in [
            &b"ghoauth-item-v2:a%4"[..],
            b"ghoauth-item-v2:a%%41",
            b"ghoauth-item-v2:a b",
            b"ghoauth-item-v2:%zz",
        ] {
            let read = decode_escaped_item(identity(), &Secret::new(malformed.to_vec()));
            assert_eq!(read.password.expose(), malformed);
        }
        let tag_only = decode_escaped_item(identity(), &Secret::new(b"ghoauth-item-v2:".to_vec()));
        assert_eq!(tag_only.password.expose(), b"");
    }

    #[test]
    fn foreign_keys_are_not_identities() {
        assert_eq!(parse_identity_key("keyring:someone"), None);
        assert_eq!(parse_identity_key("github.com"), None);
    }

    #[test]
    fn no_user_name_and_an_empty_one_are_two_identities() {
        let mut bearer = credential(None, b"");
        bearer.authtype = Some(AuthType {
            scheme: b"Bearer".to_vec(),
            without_username: true,
        });
        let empty_user = credential(None, b"");
        assert_eq!(identity_key(&bearer), "https://github.com");
        assert_eq!(identity_key(&empty_user), "https://@github.com");
        let key = identity_key(&bearer);
        let read = decode_item(parse_identity_key(&key).unwrap(), &encode_secret(&bearer));
        assert_eq!(read.authtype, bearer.authtype);
        assert_eq!(read.username_if_any(), None);
        let read = decode_item(
            parse_identity_key(&identity_key(&empty_user)).unwrap(),
            &encode_secret(&empty_user),
        );
        assert_eq!(
            (&read.authtype, read.username_if_any()),
            (&None, Some(&b""[..]))
        );
    }

    #[test]
    fn a_percent_without_two_hex_digits_is_kept() {
        assert_eq!(decode_attribute("%+5"), b"%+5");
        assert_eq!(decode_attribute("a%2"), b"a%2");
        assert_eq!(decode_attribute("%41%zz"), b"A%zz");
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
            prop_assert_eq!(identity.username, Some(original.username));
            prop_assert_eq!(identity.host, original.host);
            prop_assert_eq!(identity.path, original.path);
        }

        #[cfg(target_os = "linux")]
        #[test]
        fn escaped_items_round_trip(
            password in proptest::collection::vec(any::<u8>().prop_filter("git's values hold no LF or NUL", |b| *b != b'\n' && *b != 0), 0..64),
            refresh in proptest::option::of(proptest::collection::vec(any::<u8>().prop_filter("one line", |b| *b != b'\n'), 1..32)),
        ) {
            let mut original = credential(None, b"alice");
            original.password = Secret::new(password);
            original.oauth_refresh_token = refresh.map(Secret::new);
            let identity = parse_identity_key(&identity_key(&original)).unwrap();
            prop_assert_eq!(decode_escaped_item(identity, &encode_escaped_secret(&original)), original);
        }

        #[cfg(target_os = "linux")]
        #[test]
        fn attribute_encoding_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(decode_attribute(&encode_attribute(&bytes)), bytes);
        }
    }
}
