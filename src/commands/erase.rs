//! `erase`: git reports a credential that was refused. Remove every match;
//! when git names the password that failed, only entries holding it.

use std::io::Read;
use std::process::ExitCode;

use super::{after_keyring_write, read_request};
use crate::Settings;
use crate::keyring::{Keyring, with_deadline};
use crate::report::problem;
use crate::stored::{erase_is_too_broad, pick_for_erase};

pub fn run(settings: &Settings, input: impl Read) -> ExitCode {
    let request = match read_request(input) {
        Ok(request) => request,
        Err(code) => return code,
    };
    if erase_is_too_broad(&request) {
        problem(
            "refusing to erase: the request names neither a protocol nor a host, \
             and would match every server",
        );
        return ExitCode::FAILURE;
    }
    let erased = with_deadline(settings.keyring_timeout, move || {
        let keyring = Keyring::open()?;
        let stored = keyring.list(request.protocol.as_deref(), request.host.as_deref())?;
        for doomed in pick_for_erase(&request, &stored) {
            keyring.delete(doomed)?;
        }
        Ok(())
    });
    after_keyring_write(settings, erased, "credential not erased")
}
