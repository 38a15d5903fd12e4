//! How `get` obtains a token the keyring cannot simply hand out: by renewing
//! an expiring one with its refresh token, or by signing in.
//!
//! Both happen one process at a time (see `lock`). Whoever waited re-reads
//! the keyring once the holder is done, and acts only if that is not
//! enough, so that 32 gits that miss together make one sign-in or one
//! refresh, and all print the same token.

use std::time::{Duration, Instant};

use super::{keep_token, since_epoch};
use crate::Settings;
use crate::cache::Cache;
use crate::config::{OAuthApp, RemoteConfig, must_not_prompt};
use crate::github::{Endpoints, GitHub, Refusal};
use crate::host::{NotOAuthHost, OAuthHost};
use crate::keyring::{Keyring, with_deadline};
use crate::lock::{self, Purpose, Wait};
use crate::protocol::Credential;
use crate::report::{printable_bytes, problem};
use crate::secret::Secret;
use crate::sign_in::{self, SignedIn, Surroundings};
use crate::stored::{Freshness, StoredCredential, pick_for_get};

/// A refresh is one request; nobody waits longer than this for another
/// process's refresh, whatever the sign-in timeout.
const REFRESH_TIME: Duration = Duration::from_secs(45);

/// A remote this helper signs in to: git config names an OAuth app for it.
struct OAuthRemote {
    host: OAuthHost,
    /// git's request with the host's one canonical name: what the OAuth
    /// keyring entries, the lock and the endpoints all go by.
    request: Credential,
    config: RemoteConfig,
    app: OAuthApp,
}

impl OAuthRemote {
    /// Costs one `git config` run. `None` (after one line saying why, if
    /// something is wrong) for remotes that are not OAuth hosts.
    fn read(request: &Credential) -> Option<OAuthRemote> {
        let host = oauth_host(request)?;
        let config = RemoteConfig::read(&host, request)
            .inspect_err(|error| problem(error))
            .ok()?;
        let app = config.oauth_app.clone()?;
        let mut canonical = request.clone();
        canonical.protocol = Some(host.protocol().as_bytes().to_vec());
        canonical.host = Some(host.host().into_bytes());
        Some(OAuthRemote {
            host,
            request: canonical,
            config,
            app,
        })
    }

    fn endpoints(&self) -> Option<Endpoints> {
        Endpoints::for_host(&self.host)
            .inspect_err(|error| problem(error))
            .ok()
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

    fn keep(&self, settings: &Settings, signed_in: SignedIn, authorized_at: u128) -> Credential {
        let (answer, kept) = keep_token(settings, &self.host, &self.app, signed_in, authorized_at);
        if let Err(error) = kept {
            problem(format!(
                "got a token from {}, but it could not be kept, so the next git command will \
                 sign in again: {error}",
                self.host
            ));
        }
        answer
    }
}

/// The keyring had nothing for this request. If the remote is an OAuth host
/// and git may wait for a person, sign in and keep the token.
pub fn sign_in_and_keep(settings: &Settings, request: &Credential) -> Option<Credential> {
    sign_in_to(&OAuthRemote::read(request)?, settings)
}

fn sign_in_to(remote: &OAuthRemote, settings: &Settings) -> Option<Credential> {
    let request = &remote.request;
    let endpoints = remote.endpoints()?;
    // git would fail fast here rather than prompt; so does the helper,
    // without a browser and without a word.
    if must_not_prompt(&remote.config) {
        return None;
    }
    let started = since_epoch().as_nanos();
    let wait = lock::sign_in_wait(remote.config.timeout, settings.keyring_timeout);
    let deadline = Instant::now() + wait;
    let mut waited = false;
    let _held = loop {
        let held = match remote.lock(Purpose::SignIn, b"", deadline) {
            Wait::Held(held) => Some(held),
            Wait::WaitedFor => None,
            Wait::TimedOut => {
                problem(format!(
                    "another git command has been signing in to {} for over {} s; finish or \
                     cancel that sign-in, then run this git command again",
                    remote.host,
                    wait.as_secs()
                ));
                return None;
            }
            Wait::Unavailable => break None,
        };
        // Whoever held the lock last may have stored what this request needs.
        let stored = read_keyring(settings, request)?;
        if let Some(found) = pick_for_get(request, &stored)
            && found.freshness(unix_now()) == Freshness::Fresh
        {
            return Some(found.answer());
        }
        waited |= held.is_none();
        let someone_signed_in = stored
            .iter()
            .any(|entry| entry.oauth.is_some() && entry.stored_at > started);
        if waited && !someone_signed_in {
            // Declined, abandoned or failed: one attempt per batch of
            // parallel gits, not one browser tab after another.
            problem(format!(
                "another git command's sign-in to {} did not finish, so this one is not \
                 starting a second; run the git command again",
                remote.host
            ));
            return None;
        }
        if held.is_some() {
            break held;
        }
        // Someone signed in, but to another account: queue for our turn.
    };
    let wanted_login = request
        .username
        .as_deref()
        .filter(|name| !name.is_empty())
        .and_then(|name| std::str::from_utf8(name).ok());
    let flow = sign_in::choose(
        remote.config.flow,
        &Surroundings::here(),
        remote.app.client_secret.is_some(),
    );
    let signed_in = sign_in::sign_in(flow, endpoints, &remote.config, &remote.app, wanted_login)
        .inspect_err(|error| problem(format!("{error:#}")))
        .ok()?;
    Some(remote.keep(settings, signed_in, since_epoch().as_nanos()))
}

/// `held` expires within minutes and has a refresh token: trade it for a
/// new pair, without a browser. One process per account does so; the rest
/// wait and find the new pair in the keyring.
pub fn renew(
    settings: &Settings,
    request: &Credential,
    held: &StoredCredential,
) -> Option<Credential> {
    let Some(remote) = OAuthRemote::read(request) else {
        return still_valid(held);
    };
    let request = &remote.request;
    let issuer = held.oauth.as_ref().map(|oauth| oauth.client_id.as_str());
    if issuer != Some(remote.app.client_id.as_str()) {
        problem(format!(
            "the token for {} at {} expires soon, and the OAuth app that issued it ({}) is no \
             longer configured for {}, so it cannot be renewed; configure it again, or sign in \
             anew with `git credential-ghoauth logout` and `login`",
            printable_bytes(&held.username),
            remote.host,
            issuer.unwrap_or("unknown"),
            remote.config.url
        ));
        return still_valid(held);
    }
    let endpoints = remote.endpoints()?;
    let wait = REFRESH_TIME.min(remote.config.timeout);
    let deadline = Instant::now() + wait;
    let (lock, current) = loop {
        // Renew only holding the lock, or where no lock can be had at all.
        let (lock, may_renew) = match remote.lock(Purpose::Refresh, &held.username, deadline) {
            Wait::Held(lock) => (Some(lock), true),
            Wait::WaitedFor => (None, false),
            Wait::TimedOut => {
                problem(format!(
                    "another git command has been renewing the token for {} at {} for over \
                     {} s; run this git command again",
                    printable_bytes(&held.username),
                    remote.host,
                    wait.as_secs()
                ));
                return still_valid(held);
            }
            Wait::Unavailable => (None, true),
        };
        // Another process may have renewed it (or given up on it) meanwhile.
        let stored = read_keyring(settings, request)?;
        let Some(current) = stored
            .into_iter()
            .find(|entry| entry.username == held.username && entry.oauth.is_some())
        else {
            drop(lock);
            return sign_in_to(&remote, settings);
        };
        match current.freshness(unix_now()) {
            Freshness::Fresh => return Some(current.answer()),
            Freshness::Dead => {
                forget(settings, &current);
                drop(lock);
                return sign_in_to(&remote, settings);
            }
            Freshness::Renewable if may_renew => break (lock, current),
            // The holder could not renew it; try in turn.
            Freshness::Renewable => {}
        }
    };
    let refresh_token = current.oauth_refresh_token.as_ref()?;
    let account = String::from_utf8_lossy(&current.username).into_owned();
    let shown = printable_bytes(&current.username);
    let refreshed = GitHub::new(endpoints, &remote.config.http, Instant::now() + wait)
        .and_then(|github| github.refresh(&remote.app, refresh_token));
    match refreshed {
        Ok(grant) => {
            let signed_in = SignedIn {
                login: account,
                // GitHub Apps' permissions live on the app, not the token.
                scopes: current
                    .oauth
                    .as_ref()
                    .map(|oauth| oauth.scopes.clone())
                    .unwrap_or_default(),
                grant,
            };
            // Keeps its place among the host's accounts.
            Some(remote.keep(settings, signed_in, current.stored_at))
        }
        Err(error) => match error.downcast_ref::<Refusal>() {
            Some(refusal) if refusal.error == "bad_refresh_token" => {
                forget(settings, &current);
                problem(format!(
                    "GitHub will no longer renew the sign-in of {shown} at {} ({refusal}), so \
                     it was removed; sign in again (`git credential-ghoauth login --host {}`)",
                    remote.host, remote.config.url
                ));
                drop(lock);
                sign_in_to(&remote, settings)
            }
            _ => {
                problem(format!(
                    "could not renew the token for {shown} at {}: {error:#}",
                    remote.host
                ));
                still_valid(&current)
            }
        },
    }
}

/// git passed a refresh token from a helper earlier in its list, and the
/// keyring holds nothing for this request: renew with it, find out whose
/// token came back, and keep it here.
pub fn renew_from_git(
    settings: &Settings,
    request: &Credential,
    refresh_token: &Secret,
) -> Option<Credential> {
    let remote = OAuthRemote::read(request)?;
    let request = &remote.request;
    let endpoints = remote.endpoints()?;
    let wanted_login = request
        .username
        .as_deref()
        .filter(|name| !name.is_empty())
        .and_then(|name| std::str::from_utf8(name).ok());
    let wait = REFRESH_TIME.min(remote.config.timeout);
    let account = wanted_login.unwrap_or_default().as_bytes();
    // Timed out or not, go on: this refresh token is nobody else's to spend.
    let lock = remote.lock(Purpose::Refresh, account, Instant::now() + wait);
    let stored = read_keyring(settings, request)?;
    if let Some(found) = pick_for_get(request, &stored)
        && found.freshness(unix_now()) == Freshness::Fresh
    {
        return Some(found.answer());
    }
    let renewed =
        GitHub::new(endpoints, &remote.config.http, Instant::now() + wait).and_then(|github| {
            let grant = github.refresh(&remote.app, refresh_token)?;
            sign_in::identify(&github, grant).and_then(|s| sign_in::check_account(s, wanted_login))
        });
    match renewed {
        Ok(signed_in) => Some(remote.keep(settings, signed_in, since_epoch().as_nanos())),
        Err(error) => {
            let refused = error
                .downcast_ref::<Refusal>()
                .is_some_and(|refusal| refusal.error == "bad_refresh_token");
            if refused {
                drop(lock);
                sign_in_to(&remote, settings)
            } else {
                problem(format!(
                    "could not renew the token git passed in for {}: {error:#}",
                    remote.host
                ));
                None
            }
        }
    }
}

/// `dead` expired and nothing can renew it: remove it, say so, and sign in
/// anew where git may wait for a person.
pub fn replace_dead(
    settings: &Settings,
    request: &Credential,
    dead: &StoredCredential,
) -> Option<Credential> {
    forget(settings, dead);
    problem(format!(
        "the token of {} at {} expired and cannot be renewed, so it was removed",
        printable_bytes(&dead.username),
        printable_bytes(&dead.host),
    ));
    sign_in_and_keep(settings, request)
}

/// Removes an entry that can never work again (expired, and its refresh
/// token refused or gone). Nothing to revoke: GitHub has let it go already.
fn forget(settings: &Settings, dead: &StoredCredential) {
    let dead = dead.clone();
    let removed = with_deadline(settings.keyring_timeout, move || {
        Keyring::open()?.delete(&dead)
    });
    if let Some(cache) = Cache::open(settings.cache_seconds) {
        cache.invalidate();
    }
    if let Err(error) = removed {
        problem(format!("could not remove an expired token: {error}"));
    }
}

/// The request's host as the one name everything OAuth goes by. A host
/// that two URL parsers could read apart gets one line and no sign-in.
fn oauth_host(request: &Credential) -> Option<OAuthHost> {
    let (protocol, host) = (request.protocol.as_deref()?, request.host.as_deref()?);
    match OAuthHost::parse(protocol, host) {
        Ok(host) => Some(host),
        Err(NotOAuthHost::OtherProtocol) => None,
        Err(NotOAuthHost::Malformed(why)) => {
            problem(format!(
                "not signing in to the host {}: {why}, so it is not a plain host name; check \
                 the remote URL (a host is a name or an IP address, with an optional port)",
                quoted(host)
            ));
            None
        }
    }
}

/// A hostile host, safe to print: quoted, with control bytes escaped.
fn quoted(bytes: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(bytes))
}

/// A token that cannot be renewed now is still handed out while it works.
fn still_valid(held: &StoredCredential) -> Option<Credential> {
    held.password_expiry_utc
        .is_none_or(|expiry| expiry > unix_now())
        .then(|| held.answer())
}

fn read_keyring(settings: &Settings, request: &Credential) -> Option<Vec<StoredCredential>> {
    let (protocol, host) = (request.protocol.clone(), request.host.clone());
    with_deadline(settings.keyring_timeout, move || {
        Keyring::open()?.list(protocol.as_deref(), host.as_deref())
    })
    .inspect_err(|error| problem(error))
    .ok()
}

pub fn unix_now() -> u64 {
    since_epoch().as_secs()
}
