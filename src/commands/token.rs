//! `token`: a token that works now, on stdout, for scripts
//! (`GH_TOKEN=$(git credential-ghoauth token) gh pr list`). It is what `get`
//! would hand git for the host, renewed or signed in for as `get` would,
//! and nothing else: never a refresh token, never a line of text around it,
//! and never a plain password git stored for the host unless asked for
//! (`--include-passwords`): the command promises a token.

use anyhow::bail;

use super::get;
use crate::acquire::{GitHubIssuer, NoAnswer};
use crate::config::host::OAuthHost;
use crate::helper::Helper;
use crate::secret::Secret;
use crate::store::Store as _;

/// The token to print; [`super::print_token`] prints it.
pub fn run(
    helper: &Helper,
    host: &OAuthHost,
    user: Option<&str>,
    include_passwords: bool,
) -> anyhow::Result<Secret> {
    let url = host.url();
    let mut request = host.request();
    request.username = user.map(|user| user.as_bytes().to_vec());
    let answer = match get::answer(helper, &GitHubIssuer, &request) {
        Ok(answer) => answer,
        Err(NoAnswer::Failed(why)) => bail!(why),
        Err(NoAnswer::MayNotPrompt) => bail!(
            "no working token is stored for {url}, and signing in needs a person \
             (GIT_TERMINAL_PROMPT=0 or credential.interactive is off here); run \
             `git credential-ghoauth login --host {url}` at a terminal first"
        ),
        Err(NoAnswer::NotOurs | NoAnswer::Incomplete) => bail!(
            "nothing is stored for {url}, and no OAuth app is configured for it; run \
             `git credential-ghoauth setup --host {url}` (or `configure`) first"
        ),
    };
    let Some(token) = answer.password.filter(|token| !token.expose().is_empty()) else {
        bail!("the credential stored for {url} holds no password or token");
    };
    let obtained_here = helper
        .store
        .list_host(host)
        .unwrap_or_default()
        .iter()
        .any(|entry| entry.oauth.is_some() && entry.password.expose() == token.expose());
    if !obtained_here && !include_passwords {
        bail!(
            "what is stored for {url} is a password git kept, not a token this helper obtained; \
             `git credential-ghoauth login --host {url}` signs in for one, or pass \
             --include-passwords to print the password"
        );
    }
    Ok(token)
}
