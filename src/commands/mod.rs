//! One module per operation git sends, and what they share.

pub mod erase;
pub mod get;
pub mod store;

use std::io::Read;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::Settings;
use crate::cache::Cache;
use crate::config::OAuthApp;
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

/// Keeps a token just obtained, as the newest for its host, and makes every
/// cached answer stale. Returns git's answer whether or not the keyring took
/// it: the token is good for this once either way.
fn keep_token(
    settings: &Settings,
    protocol: &str,
    host: &str,
    app: &OAuthApp,
    signed_in: SignedIn,
) -> (Credential, Result<(), KeyringError>) {
    let credential = StoredCredential {
        protocol: protocol.into(),
        host: host.into(),
        // A token is good for every repository on the host.
        path: None,
        username: signed_in.login.into_bytes(),
        password: signed_in.token,
        password_expiry_utc: None,
        oauth_refresh_token: None,
        stored_at: since_epoch().as_nanos(),
        oauth: Some(OAuthDetails {
            client_id: app.client_id.clone(),
            scopes: signed_in.scopes,
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

fn since_epoch() -> std::time::Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}
