//! One module per operation git sends, and what they share.

pub mod erase;
pub mod get;
pub mod store;

use std::io::Read;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::Settings;
use crate::cache::Cache;
use crate::keyring::KeyringError;
use crate::protocol::Credential;
use crate::report::problem;

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

fn since_epoch() -> std::time::Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}
