//! git's credential-helper wire format: `key=value` lines, ended by a blank
//! line or EOF. Values are bytes, not text: a percent-encoded URL path
//! arrives as raw non-UTF-8 bytes and must come back unchanged.
//!
//! This module does no I/O beyond the `Read` and `Write` it is handed.

use std::fmt;
use std::io::{self, Read, Write};

use crate::secret::Secret;

/// More than git ever sends; a bound so that a runaway producer cannot make
/// the helper allocate without limit.
pub const MAX_INPUT_BYTES: u64 = 1 << 20;

/// Everything git 2.46+ may send to a helper. Unknown keys are dropped, as
/// git drops them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credential {
    pub protocol: Option<Vec<u8>>,
    pub host: Option<Vec<u8>>,
    pub path: Option<Vec<u8>>,
    pub username: Option<Vec<u8>>,
    pub password: Option<Secret>,
    /// Unix seconds. git treats an unparsable value as "never expires".
    pub password_expiry_utc: Option<u64>,
    pub oauth_refresh_token: Option<Secret>,
    pub wwwauth: Vec<Vec<u8>>,
    pub capability: Vec<Vec<u8>>,
    pub authtype: Option<Vec<u8>>,
    pub credential: Option<Secret>,
    pub ephemeral: bool,
    pub state: Vec<Vec<u8>>,
    pub continue_: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError {
    reason: String,
}

impl ProtocolError {
    fn new(reason: impl Into<String>) -> Self {
        ProtocolError {
            reason: reason.into(),
        }
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "malformed input: {}; a credential helper expects key=value lines as git writes them \
             (see `git help credential`)",
            self.reason
        )
    }
}

impl std::error::Error for ProtocolError {}

impl Credential {
    /// Whether git advertised `capability[]=<name>` (`authtype`, `state`).
    pub fn has_capability(&self, name: &[u8]) -> bool {
        self.capability.iter().any(|capability| capability == name)
    }

    /// Reads one credential description: up to a blank line or EOF.
    pub fn read_from(input: impl Read) -> Result<Credential, ProtocolError> {
        let mut bytes = Vec::new();
        input
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|err| ProtocolError::new(format!("could not read standard input ({err})")))?;
        if bytes.len() as u64 > MAX_INPUT_BYTES {
            return Err(ProtocolError::new(format!(
                "more than {MAX_INPUT_BYTES} bytes on standard input"
            )));
        }
        Credential::parse(&bytes)
    }

    pub fn parse(bytes: &[u8]) -> Result<Credential, ProtocolError> {
        let mut credential = Credential::default();
        for (index, raw_line) in bytes.split(|&b| b == b'\n').enumerate() {
            let line_number = index + 1;
            // git's own reader accepts CRLF line ends.
            let line = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
            if line.is_empty() {
                // A blank line ends the description; so does EOF, which
                // shows up here as the empty piece after the last newline.
                break;
            }
            if line.contains(&0) {
                return Err(ProtocolError::new(format!(
                    "line {line_number} contains a NUL byte"
                )));
            }
            if line.contains(&b'\r') {
                return Err(ProtocolError::new(format!(
                    "line {line_number} contains a carriage return inside a value"
                )));
            }
            let Some(equals) = line.iter().position(|&b| b == b'=') else {
                return Err(ProtocolError::new(format!(
                    "line {line_number} has no '=' (expected key=value)"
                )));
            };
            credential.set(&line[..equals], &line[equals + 1..])?;
        }
        Ok(credential)
    }

    fn set(&mut self, key: &[u8], value: &[u8]) -> Result<(), ProtocolError> {
        let owned = || Some(value.to_vec());
        match key {
            b"protocol" => self.protocol = owned(),
            b"host" => self.host = owned(),
            b"path" => self.path = owned(),
            b"username" => self.username = owned(),
            b"password" => self.password = Some(Secret::new(value)),
            b"password_expiry_utc" => self.password_expiry_utc = parse_expiry(value),
            b"oauth_refresh_token" => self.oauth_refresh_token = Some(Secret::new(value)),
            b"url" => self.apply_url(value)?,
            b"authtype" => self.authtype = owned(),
            b"credential" => self.credential = Some(Secret::new(value)),
            b"ephemeral" => self.ephemeral = parse_bool(value),
            b"continue" => self.continue_ = parse_bool(value),
            b"wwwauth[]" => push_or_reset(&mut self.wwwauth, value),
            b"capability[]" => push_or_reset(&mut self.capability, value),
            b"state[]" => push_or_reset(&mut self.state, value),
            _ => {}
        }
        Ok(())
    }

    /// Expands `url=` the way git's `credential_from_url` does: the whole
    /// description is reset, then filled from the URL's parts.
    fn apply_url(&mut self, url: &[u8]) -> Result<(), ProtocolError> {
        let Some(scheme_end) = find(url, b"://").filter(|&at| at > 0) else {
            return Err(ProtocolError::new("url= value has no scheme"));
        };
        *self = Credential::default();
        self.protocol = Some(url[..scheme_end].to_vec());

        let rest = &url[scheme_end + 3..];
        let authority_end = rest
            .iter()
            .position(|b| b"/?#".contains(b))
            .unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        // git splits at the first '@', and the user part at its first ':'.
        let host = match authority.iter().position(|&b| b == b'@') {
            None => authority,
            Some(at) => {
                let userinfo = &authority[..at];
                match userinfo.iter().position(|&b| b == b':') {
                    None => self.username = Some(percent_decode(userinfo)),
                    Some(colon) => {
                        self.username = Some(percent_decode(&userinfo[..colon]));
                        self.password = Some(Secret::new(percent_decode(&userinfo[colon + 1..])));
                    }
                }
                &authority[at + 1..]
            }
        };
        self.host = Some(percent_decode(host));

        let mut path = &rest[authority_end..];
        while let Some(stripped) = path.strip_prefix(b"/") {
            path = stripped;
        }
        if !path.is_empty() {
            let mut decoded = percent_decode(path);
            while decoded.len() > 1 && decoded.ends_with(b"/") {
                decoded.pop();
            }
            self.path = Some(decoded);
        }

        let decoded_parts = [
            self.username.as_deref(),
            self.password.as_ref().map(Secret::expose),
            self.host.as_deref(),
            self.path.as_deref(),
        ];
        if decoded_parts
            .into_iter()
            .flatten()
            .any(|part| part.contains(&b'\n') || part.contains(&0))
        {
            return Err(ProtocolError::new(
                "url= value decodes to a newline or NUL byte",
            ));
        }
        Ok(())
    }

    /// Writes what `get` answers: the account and its secrets, and what
    /// git 2.46 reads besides (capabilities first, as git wants them, an
    /// `authtype` credential, `state[]`). `protocol`, `host` and `url` are
    /// never written back, because git would take them as a switch to
    /// another server.
    pub fn write_answer(&self, mut out: impl Write) -> io::Result<()> {
        // Destructured in full so that adding a field is a compile error
        // here until someone decides whether git should see it.
        let Credential {
            protocol: _,
            host: _,
            path: _,
            username,
            password,
            password_expiry_utc,
            oauth_refresh_token,
            wwwauth: _,
            capability,
            authtype,
            credential,
            ephemeral: _,
            state,
            continue_: _,
        } = self;
        let expiry = password_expiry_utc.map(|seconds| seconds.to_string().into_bytes());
        let mut fields: Vec<(&str, Option<&[u8]>)> = capability
            .iter()
            .map(|name| ("capability[]", Some(name.as_slice())))
            .collect();
        fields.extend([
            ("authtype", authtype.as_deref()),
            ("credential", credential.as_ref().map(Secret::expose)),
            ("username", username.as_deref()),
            ("password", password.as_ref().map(Secret::expose)),
            ("password_expiry_utc", expiry.as_deref()),
            (
                "oauth_refresh_token",
                oauth_refresh_token.as_ref().map(Secret::expose),
            ),
        ]);
        fields.extend(
            state
                .iter()
                .map(|value| ("state[]", Some(value.as_slice()))),
        );
        let buffer = assemble(fields)?;
        out.write_all(&buffer)?;
        out.flush()
    }
}

/// `key=value` lines, assembled before any is written, so that a value git
/// could misread means nothing is written at all rather than half an answer.
fn assemble(fields: Vec<(&str, Option<&[u8]>)>) -> io::Result<Vec<u8>> {
    let mut buffer = Vec::new();
    for (key, value) in fields {
        let Some(value) = value else { continue };
        if value.iter().any(|b| matches!(b, b'\0' | b'\r' | b'\n')) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the stored {key} contains a NUL, CR or LF byte and cannot be sent to git"),
            ));
        }
        buffer.extend_from_slice(key.as_bytes());
        buffer.push(b'=');
        buffer.extend_from_slice(value);
        buffer.push(b'\n');
    }
    Ok(buffer)
}

/// git: "a key with an empty value clears the list" for the `[]` keys.
fn push_or_reset(list: &mut Vec<Vec<u8>>, value: &[u8]) {
    if value.is_empty() {
        list.clear();
    } else {
        list.push(value.to_vec());
    }
}

fn parse_expiry(value: &[u8]) -> Option<u64> {
    std::str::from_utf8(value)
        .ok()?
        .parse::<u64>()
        .ok()
        .filter(|&seconds| seconds != 0)
}

/// git_config_bool's spelling of true.
fn parse_bool(value: &[u8]) -> bool {
    let lowered = value.to_ascii_lowercase();
    match lowered.as_slice() {
        b"true" | b"yes" | b"on" => true,
        other => std::str::from_utf8(other)
            .ok()
            .and_then(|text| text.parse::<i64>().ok())
            .is_some_and(|number| number != 0),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// `%XX` decoding as git's url_decode does it: `+` stays `+`, and a `%` not
/// followed by two hex digits is kept as it is.
/// `%XX` to the byte, as git's URL reader does; a `%` without two hex
/// digits after it stays as it is.
fn percent_decode(input: &[u8]) -> Vec<u8> {
    percent_encoding::percent_decode(input).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(text: &[u8]) -> Credential {
        Credential::parse(text).expect("valid input")
    }

    fn answer(credential: &Credential) -> Vec<u8> {
        let mut out = Vec::new();
        credential.write_answer(&mut out).expect("writable");
        out
    }

    #[test]
    fn reads_what_git_sends_without_a_final_blank_line() {
        let c = parse(b"capability[]=authtype\ncapability[]=state\nprotocol=https\nhost=github.com\nwwwauth[]=Basic realm=\"GitHub\"");
        assert_eq!(c.protocol.as_deref(), Some(&b"https"[..]));
        assert_eq!(c.host.as_deref(), Some(&b"github.com"[..]));
        assert_eq!(c.capability, vec![b"authtype".to_vec(), b"state".to_vec()]);
        assert_eq!(c.wwwauth, vec![b"Basic realm=\"GitHub\"".to_vec()]);
    }

    #[test]
    fn stops_at_a_blank_line_and_accepts_crlf() {
        let c = parse(b"protocol=https\r\nhost=example.com\r\n\r\nusername=ignored\n");
        assert_eq!(c.host.as_deref(), Some(&b"example.com"[..]));
        assert_eq!(c.username, None);
    }

    #[test]
    fn the_first_equals_sign_splits() {
        let c = parse(b"password=a=b=c\n");
        assert_eq!(c.password.unwrap().expose(), b"a=b=c");
    }

    #[test]
    fn empty_values_are_values() {
        let c = parse(b"username=\npassword=\n");
        assert_eq!(c.username, Some(Vec::new()));
        assert_eq!(c.password, Some(Secret::new(Vec::new())));
        assert_eq!(answer(&c), b"username=\npassword=\n");
    }

    #[test]
    fn later_scalars_win_and_unknown_keys_are_dropped() {
        let c = parse(b"host=a\nfrobnicate=1\nhost=b\n");
        assert_eq!(c.host.as_deref(), Some(&b"b"[..]));
    }

    #[test]
    fn non_utf8_values_survive() {
        let c = parse(b"path=caf\xe9/repo\nusername=\xff\xfe\n");
        assert_eq!(c.path.as_deref(), Some(&b"caf\xe9/repo"[..]));
        assert_eq!(answer(&c), b"username=\xff\xfe\n");
    }

    #[test]
    fn bad_lines_are_refused_with_the_reason() {
        let no_equals = Credential::parse(b"protocol=https\nhost\n").unwrap_err();
        assert!(
            no_equals.to_string().contains("line 2 has no '='"),
            "{no_equals}"
        );
        let nul = Credential::parse(b"host=a\0b\n").unwrap_err();
        assert!(nul.to_string().contains("NUL"));
        let cr = Credential::parse(b"host=a\rb\n").unwrap_err();
        assert!(cr.to_string().contains("carriage return"));
    }

    #[test]
    fn oversized_input_is_refused() {
        let huge = vec![b'a'; MAX_INPUT_BYTES as usize + 10];
        let err = Credential::read_from(&huge[..]).unwrap_err();
        assert!(err.to_string().contains("more than"));
    }

    #[test]
    fn url_is_expanded_like_git() {
        let c = parse(
            b"host=old\nurl=https://al%40ice:s%3Acret@ghe.example.com:8443//org/repo.git//\n",
        );
        assert_eq!(c.protocol.as_deref(), Some(&b"https"[..]));
        assert_eq!(c.host.as_deref(), Some(&b"ghe.example.com:8443"[..]));
        assert_eq!(c.username.as_deref(), Some(&b"al@ice"[..]));
        assert_eq!(c.password.as_ref().unwrap().expose(), b"s:cret");
        assert_eq!(c.path.as_deref(), Some(&b"org/repo.git"[..]));
    }

    #[test]
    fn url_without_path_or_user_and_later_keys_override() {
        let c = parse(b"url=https://github.com\nusername=bob\n");
        assert_eq!(c.host.as_deref(), Some(&b"github.com"[..]));
        assert_eq!(c.path, None);
        assert_eq!(c.username.as_deref(), Some(&b"bob"[..]));
    }

    #[test]
    fn url_problems_are_refused() {
        assert!(Credential::parse(b"url=github.com/x\n").is_err());
        assert!(Credential::parse(b"url=https://a%0ab@host\n").is_err());
    }

    #[test]
    fn answer_never_carries_protocol_host_or_url() {
        let c = parse(b"protocol=https\nhost=github.com\npath=x\nusername=u\npassword=p\npassword_expiry_utc=1700000000\noauth_refresh_token=r\n");
        assert_eq!(
            answer(&c),
            b"username=u\npassword=p\npassword_expiry_utc=1700000000\noauth_refresh_token=r\n"
        );
    }

    #[test]
    fn answer_refuses_values_git_would_misread() {
        let c = Credential {
            username: Some(b"u".to_vec()),
            password: Some(Secret::new(b"p\nhost=evil".to_vec())),
            ..Credential::default()
        };
        let mut out = Vec::new();
        let err = c.write_answer(&mut out).unwrap_err();
        assert!(out.is_empty());
        assert!(
            !err.to_string().contains("evil"),
            "the error must not echo the secret"
        );
    }

    #[test]
    fn booleans_and_expiry_parse_like_git() {
        assert!(parse(b"ephemeral=1\n").ephemeral);
        assert!(parse(b"ephemeral=TRUE\n").ephemeral);
        assert!(!parse(b"ephemeral=0\n").ephemeral);
        assert_eq!(
            parse(b"password_expiry_utc=junk\n").password_expiry_utc,
            None
        );
        assert_eq!(
            parse(b"password_expiry_utc=42\n").password_expiry_utc,
            Some(42)
        );
    }

    fn value() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            any::<u8>().prop_filter("no framing bytes", |b| !matches!(b, b'\0' | b'\r' | b'\n')),
            0..64,
        )
    }

    proptest! {
        #[test]
        fn answers_round_trip(
            username in proptest::option::of(value()),
            password in proptest::option::of(value()),
            expiry in proptest::option::of(1u64..),
            refresh in proptest::option::of(value()),
        ) {
            let original = Credential {
                username,
                password: password.map(Secret::new),
                password_expiry_utc: expiry,
                oauth_refresh_token: refresh.map(Secret::new),
                ..Credential::default()
            };
            let printed = answer(&original);
            prop_assert_eq!(Credential::parse(&printed).unwrap(), original);
        }

        #[test]
        fn parsing_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = Credential::parse(&bytes);
        }

        #[test]
        fn every_identity_field_round_trips(
            protocol in value(), host in value(), path in value(), username in value()
        ) {
            let mut text = Vec::new();
            for (key, value) in [("protocol", &protocol), ("host", &host), ("path", &path), ("username", &username)] {
                text.extend_from_slice(key.as_bytes());
                text.push(b'=');
                text.extend_from_slice(value);
                text.push(b'\n');
            }
            let c = Credential::parse(&text).unwrap();
            prop_assert_eq!(c.protocol, Some(protocol));
            prop_assert_eq!(c.host, Some(host));
            prop_assert_eq!(c.path, Some(path));
            prop_assert_eq!(c.username, Some(username));
        }
    }
}
