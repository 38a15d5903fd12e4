//! `erase`: git reports a credential that was refused. Remove every match;
//! when git names the password that failed, only entries holding it. Tokens
//! this helper obtained are also revoked at GitHub, so that an erased token
//! is dead, not merely forgotten.

use std::io::Read;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use super::{after_keyring_write, read_request};
use crate::Settings;
use crate::config::RemoteConfig;
use crate::github::{Endpoints, GitHub, Revocation};
use crate::keyring::{Keyring, with_deadline};
use crate::protocol::Credential;
use crate::report::problem;
use crate::stored::{StoredCredential, erase_is_too_broad, pick_for_erase};

/// git waits for `erase`; a revocation that cannot finish in this long is
/// reported and left.
const REVOKE_TIME: Duration = Duration::from_secs(15);

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
    let pattern = request.clone();
    let erased = with_deadline(settings.keyring_timeout, move || {
        let keyring = Keyring::open()?;
        let stored = keyring.list(pattern.protocol.as_deref(), pattern.host.as_deref())?;
        let mut obtained = Vec::new();
        for doomed in pick_for_erase(&pattern, &stored) {
            keyring.delete(doomed)?;
            if doomed.oauth.is_some() {
                obtained.push(doomed.clone());
            }
        }
        Ok(obtained)
    });
    let (outcome, obtained) = match erased {
        Ok(obtained) => (Ok(()), obtained),
        Err(error) => (Err(error), Vec::new()),
    };
    let code = after_keyring_write(settings, outcome, "credential not erased");
    if !obtained.is_empty() {
        revoke_all(&request, &obtained);
    }
    code
}

/// Best effort: a token GitHub no longer knows is already what we want, and
/// any other failure is a warning, never a failed erase.
fn revoke_all(request: &Credential, obtained: &[StoredCredential]) {
    let warn = |login: &[u8], why: &dyn std::fmt::Display| {
        problem(format!(
            "the token of {} was removed from the keyring but not revoked at GitHub: {why}; \
             revoke it under Settings > Applications > Authorized OAuth Apps",
            String::from_utf8_lossy(login)
        ))
    };
    let config = match RemoteConfig::read(request) {
        Ok(config) => config,
        Err(error) => return warn(&obtained[0].username, &error),
    };
    let protocol = String::from_utf8_lossy(&obtained[0].protocol).into_owned();
    let host = String::from_utf8_lossy(&obtained[0].host).into_owned();
    let github = Endpoints::for_remote(&protocol, &host)
        .map_err(anyhow::Error::msg)
        .and_then(|endpoints| GitHub::new(endpoints, Instant::now() + REVOKE_TIME));
    let github = match github {
        Ok(github) => github,
        Err(error) => return warn(&obtained[0].username, &format!("{error:#}")),
    };
    for token in obtained {
        let issuer = token.oauth.as_ref().map(|oauth| oauth.client_id.as_str());
        let app = config
            .oauth_app
            .as_ref()
            .filter(|app| Some(app.client_id.as_str()) == issuer);
        let Some(app) = app else {
            warn(
                &token.username,
                &format!(
                    "the OAuth app that issued it ({}) is no longer configured for {}",
                    issuer.unwrap_or("unknown"),
                    config.url
                ),
            );
            continue;
        };
        match github.revoke(app, &token.password) {
            Ok(Revocation::Revoked | Revocation::AlreadyGone) => {}
            Err(error) => warn(&token.username, &format!("{error:#}")),
        }
    }
}
