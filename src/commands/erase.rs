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
use crate::host::OAuthHost;
use crate::keyring::{Keyring, with_deadline};
use crate::protocol::Credential;
use crate::report::{printable_bytes, problem};
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
    let erased = with_deadline(settings.keyring_timeout, move || {
        let keyring = Keyring::open()?;
        let stored = keyring.list(request.protocol.as_deref(), request.host.as_deref())?;
        let mut obtained = Vec::new();
        for doomed in pick_for_erase(&request, &stored) {
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
    revoke_all(&obtained);
    code
}

/// Best effort: a token GitHub no longer knows is already what we want, and
/// any other failure is a warning, never a failed erase. Each token goes to
/// its own host, with the app configured there. Says, token by token,
/// whether it is revoked.
pub(crate) fn revoke_all(obtained: &[StoredCredential]) -> Vec<bool> {
    let mut revoked = Vec::with_capacity(obtained.len());
    for token in obtained {
        let outcome = revoke(token);
        revoked.push(outcome.is_ok());
        if let Err(why) = outcome {
            problem(format!(
                "the token of {} was removed from the keyring but not revoked at {}: {why}; \
                 revoke it in GitHub under Settings > Applications > Authorized OAuth Apps",
                printable_bytes(&token.username),
                printable_bytes(&token.host),
            ));
        }
    }
    revoked
}

fn revoke(token: &StoredCredential) -> Result<(), String> {
    let host = OAuthHost::parse(&token.protocol, &token.host)
        .map_err(|_| "its host is not one this helper signs in to".to_string())?;
    let config = RemoteConfig::read(&host, &Credential::default())?;
    let issuer = token
        .oauth
        .as_ref()
        .map_or("", |oauth| oauth.client_id.as_str());
    let Some(app) = config
        .oauth_app
        .as_ref()
        .filter(|app| app.client_id == issuer)
    else {
        return Err(format!(
            "the OAuth app that issued it ({issuer}) is no longer configured for {}",
            config.url
        ));
    };
    let endpoints = Endpoints::for_host(&host)?;
    let github = GitHub::new(endpoints, &config.http, Instant::now() + REVOKE_TIME)
        .map_err(|e| format!("{e:#}"))?;
    match github.revoke(app, &token.password) {
        Ok(Revocation::Revoked | Revocation::AlreadyGone) => Ok(()),
        Err(error) => Err(format!("{error:#}")),
    }
}
