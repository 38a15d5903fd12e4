//! One module per operation git sends, and what they share.

pub mod configure;
pub mod erase;
pub mod get;
pub mod login;
pub mod logout;
pub mod status;
pub mod store;

use std::io::Read;
use std::process::ExitCode;

use crate::Context;
use crate::host::OAuthHost;
use crate::protocol::Credential;
use crate::report::problem;
use crate::store::StoreError;

/// git's request, or the exit code for a malformed one (already reported):
/// nothing is printed on stdout and the store is not touched.
fn read_request(input: impl Read) -> Result<Credential, ExitCode> {
    Credential::read_from(input).map_err(|error| {
        problem(error);
        ExitCode::FAILURE
    })
}

/// Ends `store` and `erase`. Cached answers are made stale whatever the
/// outcome: even a write that timed out may have landed.
fn after_store_write(context: &Context, outcome: Result<(), StoreError>, failed: &str) -> ExitCode {
    context.invalidate_cache();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            problem(format!("{failed}: {error}"));
            ExitCode::FAILURE
        }
    }
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
