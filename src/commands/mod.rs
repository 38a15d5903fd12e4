//! One module per operation git sends, and what they share.

pub mod configure;
pub mod erase;
pub mod get;
pub mod login;
pub mod logout;
pub mod obtain;
pub mod status;
pub mod store;

use std::io::Read;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::Settings;
use crate::cache::Cache;
use crate::config::OAuthApp;
use crate::host::OAuthHost;
use crate::keyring::{Keyring, KeyringError, with_deadline};
use crate::protocol::Credential;
use crate::report::problem;
use crate::sign_in::SignedIn;
use crate::stored::{OAuthDetails, StoredCredential};

/// git's request, or the exit code for a malformed one (already reported):
/// nothing is printed on stdout and the keyring is not touched.
fn read_request(input: impl Read) -> Result<Credential, ExitCode> {
    Credential::read_from(input).map_err(|error| {
        problem(error);
        ExitCode::FAILURE
    })
}

/// Ends `store` and `erase`. Cached answers are made stale whatever the
/// outcome: even a write that timed out may have landed.
fn after_keyring_write(
    settings: &Settings,
    outcome: Result<(), KeyringError>,
    failed: &str,
) -> ExitCode {
    if let Some(cache) = Cache::open(settings.cache_seconds) {
        cache.invalidate();
    }
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            problem(format!("{failed}: {error}"));
            ExitCode::FAILURE
        }
    }
}

/// Keeps a token just obtained (signed in for, or renewed) and makes every
/// cached answer stale. `authorized_at` orders accounts: the one authorized
/// most recently is the host's default, and a renewal keeps its place.
/// Returns git's answer whether or not the keyring took it: the token is
/// good for this once either way.
fn keep_token(
    settings: &Settings,
    host: &OAuthHost,
    app: &OAuthApp,
    signed_in: SignedIn,
    authorized_at: u128,
) -> (Credential, Result<(), KeyringError>) {
    let now = since_epoch().as_secs();
    let grant = signed_in.grant;
    let credential = StoredCredential {
        protocol: host.protocol().into(),
        host: host.host().into_bytes(),
        // A token is good for every repository on the host.
        path: None,
        username: signed_in.login.into_bytes(),
        password: grant.access_token,
        password_expiry_utc: grant.expires_in.map(|seconds| now.saturating_add(seconds)),
        oauth_refresh_token: grant.refresh_token,
        stored_at: authorized_at,
        oauth: Some(OAuthDetails {
            client_id: app.client_id.clone(),
            scopes: signed_in.scopes,
            refresh_token_expiry_utc: grant
                .refresh_token_expires_in
                .map(|seconds| now.saturating_add(seconds)),
        }),
    };
    let answer = credential.answer();
    let saved = with_deadline(settings.keyring_timeout, move || {
        Keyring::open()?.save(&credential)
    });
    if let Some(cache) = Cache::open(settings.cache_seconds) {
        cache.invalidate();
    }
    (answer, saved)
}

/// A host as people name it on the command line: `github.com`, or a URL
/// such as `https://ghe.example.com` or `http://127.0.0.1:8080`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub protocol: String,
    pub host: String,
    /// The same, as everything OAuth names it.
    pub oauth_host: OAuthHost,
}

impl Remote {
    pub fn parse(text: &str) -> Result<Remote, String> {
        let text = text.trim();
        let (protocol, host) = match text.split_once("://") {
            None => ("https", text),
            Some((scheme, rest)) => {
                let url = url::Url::parse(text)
                    .map_err(|error| format!("--host '{text}' is not a URL ({error})"))?;
                if !matches!(url.scheme(), "https" | "http") {
                    return Err(format!(
                        "--host '{text}' must be an https:// (or loopback http://) URL"
                    ));
                }
                // Only the authority counts; a path, query or fragment is ignored.
                let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
                (
                    if scheme.eq_ignore_ascii_case("http") {
                        "http"
                    } else {
                        "https"
                    },
                    authority,
                )
            }
        };
        let host = OAuthHost::parse(protocol.as_bytes(), host.as_bytes()).map_err(|_| {
            format!("--host '{text}' is neither a host name nor a URL; try --host github.com")
        })?;
        if host.protocol() == "http" && !host.is_loopback() {
            return Err(format!(
                "--host '{text}': OAuth tokens are only sent over https (plain http only to a \
                 loopback address); use https://{}",
                host.host()
            ));
        }
        Ok(Remote {
            protocol: host.protocol().into(),
            host: host.host(),
            oauth_host: host,
        })
    }

    /// `protocol://host`, as git config keys and messages name it.
    pub fn url(&self) -> String {
        format!("{}://{}", self.protocol, self.host)
    }

    /// The request git would send for this host.
    pub fn request(&self) -> Credential {
        Credential {
            protocol: Some(self.protocol.clone().into_bytes()),
            host: Some(self.host.clone().into_bytes()),
            ..Credential::default()
        }
    }
}

/// What a command for people exits with when the command line itself was
/// wrong, as clap does.
const USAGE: u8 = 2;

pub(crate) fn since_epoch() -> std::time::Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::Remote;

    #[test]
    fn hosts_are_names_or_urls() {
        let remote = |text: &str| Remote::parse(text).map(|r| r.url());
        assert_eq!(remote("github.com").unwrap(), "https://github.com");
        assert_eq!(remote("GitHub.com").unwrap(), "https://github.com");
        assert_eq!(
            remote("https://ghe.example.com/").unwrap(),
            "https://ghe.example.com"
        );
        assert_eq!(
            remote("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(remote("https://[::1]:9/x").unwrap(), "https://[::1]:9");
        assert!(remote("ssh://github.com").is_err());
        assert!(remote("http://example.com").is_err());
        assert!(remote("https://evil.example\\@github.com").is_err());
        assert!(remote("evil.example\\@github.com").is_err());
        assert!(remote("github.com/org").is_err());
        assert!(remote("").is_err());
    }
}
