//! One module per operation git sends, and what they share.

pub mod configure;
pub mod erase;
pub mod get;
pub mod login;
pub mod logout;
pub mod setup;
pub mod status;
pub mod store;

use std::io::Read;
use std::process::ExitCode;

use crate::Context;
use crate::protocol::Credential;
use crate::report::say;
use crate::store::StoreError;

/// git's request, or the exit code for a malformed one (already reported):
/// nothing is printed on stdout and the store is not touched.
fn read_request(input: impl Read) -> Result<Credential, ExitCode> {
    Credential::read_from(input).map_err(|error| {
        say(error);
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
            say(format!("{failed}: {error}"));
            ExitCode::FAILURE
        }
    }
}
