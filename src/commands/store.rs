//! `store`: git hands back a credential that worked. Keep it, replacing the
//! one with the same protocol, host, path and user, unless the store holds
//! it already (git sends back every token it was given) or holds a renewed
//! successor.

use std::io::Read;
use std::process::ExitCode;

use super::{after_store_write, read_request};
use crate::Context;
use crate::stored::{StoredCredential, already_holds, is_superseded};

pub fn run(context: &Context, input: impl Read) -> ExitCode {
    let request = match read_request(input) {
        Ok(request) => request,
        Err(code) => return code,
    };
    let now = context.now();
    // Incomplete, ephemeral and already expired credentials are not kept;
    // git's own helpers say nothing about them either.
    let Ok(credential) =
        StoredCredential::from_store_request(&request, now.as_secs(), now.as_nanos())
    else {
        return ExitCode::SUCCESS;
    };
    let held = context
        .store
        .list(Some(&credential.protocol), Some(&credential.host));
    let saved = match held {
        // Nothing changes, so every cached answer is still right.
        Ok(held) if already_holds(&request, &held) || is_superseded(&request, &held) => {
            return ExitCode::SUCCESS;
        }
        Ok(_) => context.store.save(&credential),
        Err(error) => Err(error),
    };
    after_store_write(context, saved, "credential not stored")
}
