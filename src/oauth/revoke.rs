//! Revoking tokens this helper obtained, so that a token taken out of the
//! store is dead at GitHub too, not merely forgotten: the access token, and
//! the refresh token beside it.
//!
//! GitHub's revocation (`DELETE /applications/{client_id}/token`) answers
//! 404 and does nothing for a token that is no longer active, and a GitHub
//! App's access token expires after 8 hours while its refresh token lives 6
//! months. Whether revoking a live access token ends its refresh token is
//! not documented. So the refresh token is always spent as well: a refresh
//! kills it, and the access token it hands out, which never leaves memory,
//! is revoked in turn. The whole grant (`DELETE …/grant`) is never revoked:
//! that would sign out every other machine.

use std::time::{Duration, Instant};

use crate::config::host::OAuthHost;
use crate::config::{ConfigError, OAuthApp, RemoteConfig};
use crate::git::protocol::Credential;
use crate::git::record::StoredCredential;
use crate::oauth::github::{Endpoints, GitHub, Grant, NoEndpoints, Revocation};
use crate::report::printable_bytes;
use crate::secret::Secret;

/// git waits for `erase`; a revocation that cannot finish in this long is
/// reported and left.
const REVOKE_TIME: Duration = Duration::from_secs(15);

/// What became of a token at GitHub once it left the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Revoked {
    /// GitHub took the revocation: neither the token nor its refresh token
    /// works any more.
    Now,
    /// GitHub had ended it already (expired, or revoked elsewhere), and no
    /// refresh token of it works.
    Before,
    /// It may still work at GitHub: the line that says why, and where to
    /// revoke it by hand, for the command to say.
    Not(String),
}

/// Best effort: any failure is a warning, never a failed erase. The token
/// goes to its own host, with the app configured there.
pub(crate) fn revoke_at_github(token: &StoredCredential) -> Revoked {
    match revoke(token) {
        Ok(revoked) => revoked,
        Err(why) => Revoked::Not(format!(
            "the token of {} was deleted here but NOT revoked at {}: {why}; revoke it by hand at {}",
            printable_bytes(&token.username),
            printable_bytes(&token.host),
            by_hand(token)
        )),
    }
}

/// Revokes, best effort and quietly, a grant that is not kept (for another
/// account than the one asked for, or with an answer about its account that
/// cannot be trusted): a token that nobody holds must not stay alive at
/// GitHub. Without a client secret GitHub revokes nothing.
pub(crate) fn discard(github: &GitHub, app: &OAuthApp, grant: &Grant) {
    if app.client_secret.is_none() {
        return;
    }
    let _ = github.revoke(app, &grant.access_token);
    if let Some(refresh_token) = &grant.refresh_token {
        let _ = spend(github, app, refresh_token);
    }
}

/// The page where a person revokes an app's access: GitHub Apps and OAuth
/// apps each have their own.
fn by_hand(token: &StoredCredential) -> String {
    let web = OAuthHost::parse(&token.protocol, &token.host)
        .ok()
        .and_then(|host| Endpoints::for_host(&host).ok())
        .map_or_else(
            || format!("https://{}", printable_bytes(&token.host)),
            |endpoints| endpoints.web.as_str().trim_end_matches('/').to_string(),
        );
    match is_github_app_token(token) {
        true => format!("{web}/settings/apps/authorizations"),
        false => format!("{web}/settings/applications"),
    }
}

/// A GitHub App's user token expires and comes with a refresh token; an
/// OAuth app's does neither.
fn is_github_app_token(token: &StoredCredential) -> bool {
    token.oauth_refresh_token.is_some() || token.password_expiry_utc.is_some()
}

/// Why a token taken out of the store may still be alive at GitHub.
#[derive(Debug)]
enum NotRevoked {
    NotAnOAuthHost,
    Config(ConfigError),
    AppGone { issuer: String, url: String },
    NoSecret { url: String },
    NoEndpoints(NoEndpoints),
    GitHub(anyhow::Error),
    RefreshTokenLeft(anyhow::Error),
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
            NotRevoked::NoSecret { url } => write!(
                f,
                "GitHub revokes a token only for the app's client secret, and none is configured \
                 for {url}"
            ),
            NotRevoked::NoEndpoints(error) => error.fmt(f),
            NotRevoked::GitHub(error) => write!(f, "{error:#}"),
            NotRevoked::RefreshTokenLeft(error) => write!(
                f,
                "its refresh token could not be spent, so it may still mint tokens ({error:#})"
            ),
        }
    }
}

fn revoke(token: &StoredCredential) -> Result<Revoked, NotRevoked> {
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
    if app.client_secret.is_none() {
        return Err(NotRevoked::NoSecret { url: config.url });
    }
    let endpoints = Endpoints::for_host(&host).map_err(NotRevoked::NoEndpoints)?;
    let github = GitHub::new(endpoints, &config.http, Instant::now() + REVOKE_TIME)
        .map_err(NotRevoked::GitHub)?;
    let access = github
        .revoke(app, &token.password)
        .map_err(NotRevoked::GitHub)?;
    let refresh = match &token.oauth_refresh_token {
        Some(refresh_token) => spend(&github, app, refresh_token)?,
        None => Revocation::AlreadyGone,
    };
    Ok(match (access, refresh) {
        (Revocation::AlreadyGone, Revocation::AlreadyGone) => Revoked::Before,
        _ => Revoked::Now,
    })
}

/// Spends a refresh token and revokes the access token it buys: after
/// this, the refresh token is dead whatever GitHub does with refresh
/// tokens on revocation. One GitHub refuses is dead already.
fn spend(
    github: &GitHub,
    app: &OAuthApp,
    refresh_token: &Secret,
) -> Result<Revocation, NotRevoked> {
    match github.refresh(app, refresh_token) {
        Ok(grant) => github
            .revoke(app, &grant.access_token)
            .map(|_| Revocation::Revoked)
            .map_err(NotRevoked::GitHub),
        Err(error) if error.is_dead_refresh_token(app.client_secret.is_some()) => {
            Ok(Revocation::AlreadyGone)
        }
        Err(error) => Err(NotRevoked::RefreshTokenLeft(error.into())),
    }
}
