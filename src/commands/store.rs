//! `store`: git hands back a credential that worked. Keep it, replacing the
//! one with the same protocol, host, path and user, unless the keyring
//! holds it already (git sends back every token it was given) or holds a
//! renewed successor.

use std::io::Read;
use std::process::ExitCode;

use super::{after_keyring_write, read_request, since_epoch};
use crate::Settings;
use crate::keyring::{Keyring, with_deadline};
use crate::stored::{StoredCredential, already_holds, is_superseded};

pub fn run(settings: &Settings, input: impl Read) -> ExitCode {
    let request = match read_request(input) {
        Ok(request) => request,
        Err(code) => return code,
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
        let keyring = Keyring::open()?;
        let held = keyring.list(Some(&credential.protocol), Some(&credential.host))?;
        if already_holds(&request, &held) || is_superseded(&request, &held) {
            return Ok(false);
        }
        keyring.save(&credential).map(|()| true)
    });
    match saved {
        // Nothing changed, so every cached answer is still right.
        Ok(false) => ExitCode::SUCCESS,
        other => after_keyring_write(settings, other.map(|_| ()), "credential not stored"),
    }
}
