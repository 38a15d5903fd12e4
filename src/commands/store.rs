//! `store`: git hands back a credential that worked. Keep it, replacing the
//! one with the same protocol, host, path and user.

use std::io::Read;
use std::process::ExitCode;

use super::since_epoch;
use crate::Settings;
use crate::cache::Cache;
use crate::keyring::{Keyring, with_deadline};
use crate::protocol::Credential;
use crate::report::problem;
use crate::stored::StoredCredential;

pub fn run(settings: &Settings, input: impl Read) -> ExitCode {
    let request = match Credential::read_from(input) {
        Ok(request) => request,
        Err(error) => {
            problem(error);
            return ExitCode::FAILURE;
        }
    };
    let now = since_epoch();
    // Incomplete, ephemeral and already expired credentials are not kept;
    // git's own helpers say nothing about them either.
    let Ok(credential) =
        StoredCredential::from_store_request(&request, now.as_secs(), now.as_nanos())
    else {
        return ExitCode::SUCCESS;
    };
    let saved = with_deadline(settings.keyring_timeout, move || {
        Keyring::open()?.save(&credential)
    });
    // Even a timed-out write may have landed: make cached answers stale either way.
    if let Some(cache) = Cache::open(settings.cache_seconds) {
        cache.invalidate();
    }
    match saved {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            problem(format!("credential not stored: {error}"));
            ExitCode::FAILURE
        }
    }
}
