//! How a token is obtained when the store cannot simply hand one out: by
//! renewing an expiring one with its refresh token, or by signing in; and
//! how tokens this helper obtained are kept, forgotten and revoked.
//!
//! Renewing and signing in happen one process at a time (see `lock`).
//! Whoever waited re-reads the store once the holder is done, and acts only
//! if that is not enough, so that 32 gits that miss together make one
//! sign-in or one refresh, and all print the same token.
//!
//! GitHub is reached through [`Issuer`], so that these rules can be tested
//! against a store in memory and an issuer that only counts.

mod renew;
mod sign_in_turn;

use std::time::Instant;

pub(crate) use renew::{renew, renew_from_git};
pub(crate) use sign_in_turn::{sign_in, sign_in_and_keep};

use crate::config::host::{NotOAuthHost, OAuthHost};
use crate::config::{OAuthApp, RemoteConfig, must_not_prompt};
use crate::git::protocol::Credential;
use crate::git::record::{OAuthDetails, StoredCredential};
use crate::git::repository::Repository;
use crate::helper::Helper;
use crate::lock::{self, Purpose, Wait};
use crate::oauth::github::{Access, Endpoints, GitHub, GitHubError, Grant};
use crate::oauth::sign_in::{self, Flow, SignedIn};
use crate::report::{printable_bytes, say};
use crate::secret::Secret;
use crate::store::Store;
use crate::store::StoreError;

/// Why `get` gives git no answer. git asks its next helper, or the person,
/// either way; `commands::get` says the reason, once, where there is one
/// to say. Tests ask for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NoAnswer {
    /// The request names no protocol or no host: nothing to look up.
    Incomplete,
    /// Nothing stored, and the host is not one this helper signs in to (no
    /// OAuth app configured, or another protocol): git's other helpers may
    /// have it.
    NotOurs,
    /// An OAuth host, but git must not wait for a person here
    /// (`GIT_TERMINAL_PROMPT=0`, `credential.interactive`).
    MayNotPrompt,
    /// Something is in the way: one line naming it and the fix.
    Failed(String),
}

impl NoAnswer {
    pub(crate) fn failed(why: impl std::fmt::Display) -> NoAnswer {
        NoAnswer::Failed(why.to_string())
    }

    /// What to tell the person, if anything: "not ours" and "may not
    /// prompt" are git's business, said by git if at all.
    pub(crate) fn reason(&self) -> Option<&str> {
        match self {
            NoAnswer::Failed(why) => Some(why),
            NoAnswer::Incomplete | NoAnswer::NotOurs | NoAnswer::MayNotPrompt => None,
        }
    }
}

/// git's answer, or why there is none.
pub(crate) type Answer = Result<Credential, NoAnswer>;

/// The GitHub side of acquiring a token.
pub(crate) trait Issuer {
    /// A sign-in the chosen way, bounded by the remote's timeout.
    fn sign_in(
        &self,
        remote: &OAuthRemote,
        flow: Flow,
        wanted_login: Option<&str>,
    ) -> anyhow::Result<SignedIn>;

    /// Trades a refresh token for a new pair.
    fn refresh(
        &self,
        remote: &OAuthRemote,
        refresh_token: &Secret,
        deadline: Instant,
    ) -> Result<Grant, GitHubError>;

    /// Asks GitHub whose token this is, and keeps it only for the account
    /// the request names, if it names one.
    fn identify(
        &self,
        remote: &OAuthRemote,
        grant: Grant,
        deadline: Instant,
    ) -> anyhow::Result<SignedIn>;

    /// Asks, with each token, what its account may do in `repository`
    /// (`None`: it cannot see it): all at once, each within `deadline`.
    fn repository_access(
        &self,
        remote: &OAuthRemote,
        tokens: &[&Secret],
        repository: &Repository,
        deadline: Instant,
    ) -> Vec<anyhow::Result<Option<Access>>>;
}

/// The real GitHub (or GitHub Enterprise Server), over HTTPS.
pub(crate) struct GitHubIssuer;

impl Issuer for GitHubIssuer {
    fn sign_in(
        &self,
        remote: &OAuthRemote,
        flow: Flow,
        wanted_login: Option<&str>,
    ) -> anyhow::Result<SignedIn> {
        let endpoints = remote.endpoints.clone();
        let wanted = sign_in::Wanted {
            login: wanted_login,
            pick: remote.pick_account,
        };
        sign_in::sign_in(flow, endpoints, &remote.config, &remote.app, wanted)
    }

    fn refresh(
        &self,
        remote: &OAuthRemote,
        refresh_token: &Secret,
        deadline: Instant,
    ) -> Result<Grant, GitHubError> {
        GitHub::new(remote.endpoints.clone(), &remote.config.http, deadline)?
            .refresh(&remote.app, refresh_token)
    }

    fn identify(
        &self,
        remote: &OAuthRemote,
        grant: Grant,
        deadline: Instant,
    ) -> anyhow::Result<SignedIn> {
        let github = GitHub::new(remote.endpoints.clone(), &remote.config.http, deadline)?;
        sign_in::identify(&github, &remote.app, grant, remote.wanted_login())
    }

    fn repository_access(
        &self,
        remote: &OAuthRemote,
        tokens: &[&Secret],
        repository: &Repository,
        deadline: Instant,
    ) -> Vec<anyhow::Result<Option<Access>>> {
        // One thread and client per account, so that discovery costs one
        // round trip, not one per account.
        std::thread::scope(|scope| {
            let probes: Vec<_> = tokens
                .iter()
                .map(|token| {
                    scope.spawn(move || {
                        GitHub::new(remote.endpoints.clone(), &remote.config.http, deadline)?
                            .repository_access(token, repository)
                    })
                })
                .collect();
            probes
                .into_iter()
                .map(|probe| {
                    probe
                        .join()
                        .unwrap_or_else(|_| Err(anyhow::anyhow!("a repository probe failed")))
                })
                .collect()
        })
    }
}

/// A remote this helper signs in to: git config names an OAuth app for it.
pub(crate) struct OAuthRemote {
    pub host: OAuthHost,
    /// git's request with the host's one canonical name: what the OAuth
    /// store entries, the lock and the endpoints all go by.
    pub request: Credential,
    pub config: RemoteConfig,
    pub app: OAuthApp,
    pub endpoints: Endpoints,
    /// False where git would fail rather than wait for a person.
    pub may_prompt: bool,
    /// The sign-in adds or chooses an account: GitHub shows its account
    /// picker rather than approve the browser's current account unasked.
    pub pick_account: bool,
}

impl OAuthRemote {
    /// Costs one `git config` run. [`NoAnswer::NotOurs`] for remotes that
    /// are not OAuth hosts.
    pub fn read(request: &Credential) -> Result<OAuthRemote, NoAnswer> {
        let host = oauth_host(request)?;
        let config = RemoteConfig::read(&host, request).map_err(NoAnswer::failed)?;
        let app = config.oauth_app.clone().ok_or(NoAnswer::NotOurs)?;
        let endpoints = Endpoints::for_host(&host).map_err(NoAnswer::failed)?;
        Ok(OAuthRemote::new(host, request, config, app, endpoints))
    }

    pub fn new(
        host: OAuthHost,
        request: &Credential,
        config: RemoteConfig,
        app: OAuthApp,
        endpoints: Endpoints,
    ) -> OAuthRemote {
        let mut canonical = request.clone();
        canonical.protocol = Some(host.protocol().as_bytes().to_vec());
        canonical.host = Some(host.host().into_bytes());
        OAuthRemote {
            may_prompt: !must_not_prompt(&config),
            pick_account: false,
            host,
            request: canonical,
            config,
            app,
            endpoints,
        }
    }

    /// The user name git asked for, if any: a token for another account
    /// must not be stored under it.
    fn wanted_login(&self) -> Option<&str> {
        self.request
            .username
            .as_deref()
            .filter(|name| !name.is_empty())
            .and_then(|name| std::str::from_utf8(name).ok())
    }

    fn lock(&self, purpose: Purpose, account: &[u8], deadline: Instant) -> Wait {
        lock::acquire(
            purpose,
            self.host.protocol().as_bytes(),
            self.host.host().as_bytes(),
            account,
            deadline,
        )
    }

    /// Everything the store holds for this host.
    fn read_store(&self, helper: &Helper) -> Result<Vec<StoredCredential>, NoAnswer> {
        helper.store.list_host(&self.host).map_err(NoAnswer::failed)
    }

    /// Keeps a token for git's sake: git gets it either way, and a store
    /// that failed is reported.
    fn keep_for_git(
        &self,
        helper: &Helper,
        signed_in: SignedIn,
        authorized_at: u128,
    ) -> Credential {
        let (answer, kept) = keep_token(helper, &self.host, &self.app, signed_in, authorized_at);
        if let Err(error) = kept {
            say(format!(
                "got a token from {}, but the token could not be kept, so the next git command \
                 will sign in again: {error}",
                self.host
            ));
        }
        answer
    }
}

/// Keeps a token just obtained (signed in for, or renewed) and makes every
/// cached answer stale. `authorized_at` orders accounts: the one authorized
/// most recently is the host's default, and a renewal keeps its place.
/// Returns git's answer whether or not the store took it: the token is good
/// for this once either way.
pub(crate) fn keep_token(
    helper: &Helper,
    host: &OAuthHost,
    app: &OAuthApp,
    signed_in: SignedIn,
    authorized_at: u128,
) -> (Credential, Result<(), StoreError>) {
    let now = helper.unix_seconds();
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
        authtype: None,
    };
    let saved = helper.store.save(&credential);
    (credential.answer(), saved)
}

/// `dead` expired and nothing can renew it: remove it, say so, and sign in
/// anew where git may wait for a person.
pub(crate) fn replace_dead(
    helper: &Helper,
    issuer: &dyn Issuer,
    request: &Credential,
    dead: &StoredCredential,
) -> Answer {
    forget(helper, dead);
    say(format!(
        "the token of {} at {} expired and cannot be renewed, so it was removed",
        printable_bytes(&dead.username),
        printable_bytes(&dead.host),
    ));
    sign_in_and_keep(helper, issuer, &OAuthRemote::read(request)?)
}

/// Removes an entry that can never work again (expired, and its refresh
/// token refused or gone). Nothing to revoke: GitHub has let it go already.
fn forget(helper: &Helper, dead: &StoredCredential) {
    let removed = helper.store.delete(dead);
    if let Err(error) = removed {
        say(format!("could not remove an expired token: {error}"));
    }
}

/// Whether `held` still works now: a token that cannot be renewed is
/// handed out all the same until it expires.
fn still_works(helper: &Helper, held: &StoredCredential) -> bool {
    held.password_expiry_utc
        .is_none_or(|expiry| expiry > helper.unix_seconds())
}

/// `held` could not be renewed, for the reason `why`: while it still
/// works it is the answer, and `why` a warning; once expired, `why` is why
/// there is no answer.
fn still_valid_or(helper: &Helper, held: &StoredCredential, why: String) -> Answer {
    match still_works(helper, held) {
        true => {
            say(why);
            Ok(held.answer())
        }
        false => Err(NoAnswer::Failed(why)),
    }
}

/// The request's host as the one name everything OAuth goes by. A host
/// that two URL parsers could read apart gets no sign-in, and a line.
fn oauth_host(request: &Credential) -> Result<OAuthHost, NoAnswer> {
    let (Some(protocol), Some(host)) = (request.protocol.as_deref(), request.host.as_deref())
    else {
        return Err(NoAnswer::Incomplete);
    };
    match OAuthHost::parse(protocol, host) {
        Ok(host) => Ok(host),
        Err(NotOAuthHost::OtherProtocol) => Err(NoAnswer::NotOurs),
        Err(NotOAuthHost::Malformed(why)) => Err(NoAnswer::Failed(format!(
            "not signing in to the host {}: {why}, so it is not a plain host name; check \
             the remote URL (a host is a name or an IP address, with an optional port)",
            quoted(host)
        ))),
    }
}

/// A hostile host, safe to print: quoted, with control bytes escaped.
fn quoted(bytes: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(bytes))
}

#[cfg(test)]
mod tests;
