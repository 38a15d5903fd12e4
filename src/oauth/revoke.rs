//! Revoking tokens this helper obtained, so that a token taken out of the
//! store is dead at GitHub too, not merely forgotten.

use std::time::{Duration, Instant};

use crate::config::host::OAuthHost;
use crate::config::{ConfigError, RemoteConfig};
use crate::git::protocol::Credential;
use crate::git::record::StoredCredential;
use crate::oauth::github::{Endpoints, GitHub, NoEndpoints, Revocation};
use crate::report::{printable_bytes, say};

/// git waits for `erase`; a revocation that cannot finish in this long is
/// reported and left.
const REVOKE_TIME: Duration = Duration::from_secs(15);

/// Best effort: a token GitHub no longer knows is already what we want, and
/// any other failure is a warning, never a failed erase. The token goes to
/// its own host, with the app configured there. True when it is dead at
/// GitHub.
pub(crate) fn revoke_or_warn(token: &StoredCredential) -> bool {
    let Err(why) = revoke(token) else {
        return true;
    };
    say(format!(
        "the token of {} was removed from the keyring but not revoked at {}: {why}; \
         revoke it in GitHub under Settings > Applications > Authorized OAuth Apps",
        printable_bytes(&token.username),
        printable_bytes(&token.host),
    ));
    false
}

/// Why a token taken out of the store is still alive at GitHub.
#[derive(Debug)]
enum NotRevoked {
    NotAnOAuthHost,
    Config(ConfigError),
    AppGone { issuer: String, url: String },
    NoEndpoints(NoEndpoints),
    GitHub(anyhow::Error),
}

impl std::fmt::Display for NotRevoked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotRevoked::NotAnOAuthHost => {
                f.write_str("its host is not one this helper signs in to")
            }
            NotRevoked::Config(error) => error.fmt(f),
            NotRevoked::AppGone { issuer, url } => write!(
                f,
                "the OAuth app that issued it ({issuer}) is no longer configured for {url}"
            ),
            NotRevoked::NoEndpoints(error) => error.fmt(f),
            NotRevoked::GitHub(error) => write!(f, "{error:#}"),
        }
    }
}

fn revoke(token: &StoredCredential) -> Result<(), NotRevoked> {
    let host =
        OAuthHost::parse(&token.protocol, &token.host).map_err(|_| NotRevoked::NotAnOAuthHost)?;
    let config = RemoteConfig::read(&host, &Credential::default()).map_err(NotRevoked::Config)?;
    let issuer = token
        .oauth
        .as_ref()
        .map_or("", |oauth| oauth.client_id.as_str());
    let Some(app) = config
        .oauth_app
        .as_ref()
        .filter(|app| app.client_id == issuer)
    else {
        return Err(NotRevoked::AppGone {
            issuer: issuer.to_string(),
            url: config.url.clone(),
        });
    };
    let endpoints = Endpoints::for_host(&host).map_err(NotRevoked::NoEndpoints)?;
    let github = GitHub::new(endpoints, &config.http, Instant::now() + REVOKE_TIME)
        .map_err(NotRevoked::GitHub)?;
    match github.revoke(app, &token.password) {
        Ok(Revocation::Revoked | Revocation::AlreadyGone) => Ok(()),
        Err(error) => Err(NotRevoked::GitHub(error)),
    }
}
