//! Signing in to GitHub in the browser: the web application flow with a
//! loopback redirect (RFC 8252), `state` against forged redirects and PKCE
//! S256 (RFC 7636) against a stolen code.

use std::time::Instant;

use anyhow::{anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::browser;
use crate::config::{OAuthApp, RemoteConfig};
use crate::github::{Endpoints, GitHub, Refusal};
use crate::listener::{CallbackError, Listener, Page};
use crate::report::problem;
use crate::secret::Secret;

/// A token GitHub issued, and whose it is.
#[derive(Debug)]
pub struct SignedIn {
    pub login: String,
    pub token: Secret,
    pub scopes: String,
}

/// Runs the whole flow: listen, show and open the consent page, wait for the
/// redirect, exchange the code, and ask GitHub whose token it is. Bounded by
/// the remote's `ghoauthTimeout`. Every error is one sentence that says
/// what to do.
pub fn with_browser(
    endpoints: Endpoints,
    config: &RemoteConfig,
    app: &OAuthApp,
    wanted_login: Option<&str>,
) -> anyhow::Result<SignedIn> {
    let deadline = Instant::now() + config.timeout;
    let url = &config.url;
    if app.client_secret.is_none() {
        bail!(
            "no client secret is configured for {url}, and GitHub needs one to finish a browser \
             sign-in; set it with `git config --global credential.{url}.ghoauthClientSecret <secret>`"
        );
    }
    // Bound before the browser opens, and held until the redirect arrives.
    let listener =
        Listener::bind(config.redirect_uri.as_deref()).map_err(|error| anyhow!(error))?;
    let redirect_uri = listener.redirect_uri().to_string();
    let state = random_text()?;
    let verifier = Secret::new(random_text()?);
    let consent = consent_url(
        &endpoints,
        app,
        &config.scopes,
        &redirect_uri,
        &state,
        &verifier,
        wanted_login,
    );

    // The address first, always: the browser may never appear (SSH, WSL,
    // containers), and the user can open it by hand.
    problem(format!(
        "to sign in to {}, approve access in your browser. If no browser opens, visit:\n    {consent}",
        endpoints.host
    ));
    if let Err(error) = browser::open(consent.as_str()) {
        problem(error);
    }

    let callback = listener.wait(&state, deadline).map_err(|error| match error {
        CallbackError::TimedOut => anyhow!(
            "no sign-in came back from the browser within {} s, so nothing was stored; run the \
             git command again (if the browser showed a GitHub error page, check \
             credential.{url}.ghoauthClientId; for more time, raise credential.{url}.ghoauthTimeout)",
            config.timeout.as_secs()
        ),
        other => anyhow!(other),
    })?;

    let finished = redeem(
        &endpoints,
        deadline,
        app,
        &callback.code,
        &redirect_uri,
        &verifier,
        config,
    )
    .and_then(|signed_in| check_account(signed_in, wanted_login));
    let page = match &finished {
        Ok(signed_in) => Page {
            succeeded: true,
            message: format!(
                "Signed in to {} as {}. git can go on.",
                endpoints.host, signed_in.login
            ),
        },
        Err(error) => Page {
            succeeded: false,
            message: format!("{error:#}"),
        },
    };
    callback.finish(page);
    finished
}

fn redeem(
    endpoints: &Endpoints,
    deadline: Instant,
    app: &OAuthApp,
    code: &Secret,
    redirect_uri: &str,
    verifier: &Secret,
    config: &RemoteConfig,
) -> anyhow::Result<SignedIn> {
    let github = GitHub::new(endpoints.clone(), deadline)?;
    let grant = github
        .exchange_code(app, code, redirect_uri, verifier)
        .map_err(|error| match error.downcast_ref::<Refusal>() {
            Some(refusal) => anyhow!(explain(refusal, &config.url, redirect_uri)),
            None => error,
        })?;
    let user = github.user(&grant.access_token)?;
    Ok(SignedIn {
        login: user.login,
        token: grant.access_token,
        // The header tells what was granted; the token reply what was asked.
        scopes: if user.scopes.is_empty() {
            grant.scopes
        } else {
            user.scopes
        },
    })
}

/// A username in the remote URL or `credential.username` names the account
/// git wants; a token for another account must not be stored under it.
fn check_account(signed_in: SignedIn, wanted_login: Option<&str>) -> anyhow::Result<SignedIn> {
    match wanted_login {
        Some(wanted) if !wanted.eq_ignore_ascii_case(&signed_in.login) => bail!(
            "you authorized the GitHub account '{}', but git asked for '{wanted}', so nothing was \
             stored; sign in to GitHub as {wanted} (signing out of {} first) and run the git \
             command again, or drop the user name from the remote URL",
            signed_in.login,
            signed_in.login
        ),
        _ => Ok(signed_in),
    }
}

/// GitHub's token errors, with what to check for each.
fn explain(refusal: &Refusal, url: &str, redirect_uri: &str) -> String {
    match refusal.error.as_str() {
        "bad_verification_code" => format!(
            "GitHub refused the authorization code: {refusal}. A code works once and for 10 \
             minutes; run the git command again to get a fresh one"
        ),
        "incorrect_client_credentials" => format!(
            "GitHub refused the OAuth app's client id or secret: {refusal}; check \
             credential.{url}.ghoauthClientId and credential.{url}.ghoauthClientSecret against \
             the app's page (Settings > Developer settings > OAuth Apps)"
        ),
        "redirect_uri_mismatch" => format!(
            "GitHub refused the redirect address {redirect_uri}: {refusal}; register \
             http://127.0.0.1/callback as the app's callback URL, or set \
             credential.{url}.ghoauthRedirectUri to the one it has"
        ),
        _ => format!("GitHub refused to issue a token: {refusal}"),
    }
}

/// The consent page's address, with everything GitHub needs to come back.
pub fn consent_url(
    endpoints: &Endpoints,
    app: &OAuthApp,
    scopes: &str,
    redirect_uri: &str,
    state: &str,
    verifier: &Secret,
    wanted_login: Option<&str>,
) -> url::Url {
    let mut consent = endpoints.authorize.clone();
    {
        let mut query = consent.query_pairs_mut();
        query
            .append_pair("client_id", &app.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", scopes)
            .append_pair("state", state)
            .append_pair("code_challenge", &code_challenge(verifier))
            .append_pair("code_challenge_method", "S256");
        if let Some(login) = wanted_login {
            query.append_pair("login", login);
        }
    }
    consent
}

/// RFC 7636 S256: base64url(SHA-256(verifier)), unpadded.
pub fn code_challenge(verifier: &Secret) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose()))
}

/// 32 random bytes from the OS as 43 URL-safe characters: enough for both
/// `state` and a PKCE verifier (which must be 43 to 128 characters).
fn random_text() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| anyhow!("no randomness from the OS: {error}"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_matches_rfc_7636_appendix_b() {
        let verifier = Secret::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            code_challenge(&verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn random_text_is_long_enough_and_fresh() {
        let (a, b) = (random_text().unwrap(), random_text().unwrap());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }

    #[test]
    fn consent_url_carries_pkce_state_and_hint() {
        let endpoints = Endpoints::for_remote("https", "github.com").unwrap();
        let app = OAuthApp {
            client_id: "Iv1.abc".into(),
            client_secret: None,
        };
        let verifier = Secret::new("v".repeat(43));
        let url = consent_url(
            &endpoints,
            &app,
            "repo workflow",
            "http://127.0.0.1:5000/callback",
            "st",
            &verifier,
            Some("alice"),
        );
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(url.path(), "/login/oauth/authorize");
        assert_eq!(get("client_id"), Some("Iv1.abc"));
        assert_eq!(get("redirect_uri"), Some("http://127.0.0.1:5000/callback"));
        assert_eq!(get("scope"), Some("repo workflow"));
        assert_eq!(get("state"), Some("st"));
        assert_eq!(get("code_challenge_method"), Some("S256"));
        assert_eq!(
            get("code_challenge"),
            Some(code_challenge(&verifier).as_str())
        );
        assert_eq!(get("login"), Some("alice"));
        assert!(
            !url.as_str().contains(&"v".repeat(43)),
            "the verifier never leaves"
        );
    }

    #[test]
    fn every_known_refusal_says_what_to_check() {
        let refusal = |error: &str| Refusal {
            error: error.into(),
            description: Some("from GitHub".into()),
        };
        let url = "https://github.com";
        let redirect = "http://127.0.0.1:1/callback";
        assert!(
            explain(&refusal("bad_verification_code"), url, redirect)
                .contains("run the git command again")
        );
        assert!(
            explain(&refusal("incorrect_client_credentials"), url, redirect)
                .contains("credential.https://github.com.ghoauthClientSecret")
        );
        assert!(
            explain(&refusal("redirect_uri_mismatch"), url, redirect)
                .contains("http://127.0.0.1/callback")
        );
        assert!(explain(&refusal("something_new"), url, redirect).contains("something_new"));
    }

    #[test]
    fn another_account_is_refused_by_name() {
        let signed_in = || SignedIn {
            login: "bob".into(),
            token: Secret::new("t"),
            scopes: String::new(),
        };
        assert!(check_account(signed_in(), None).is_ok());
        assert!(check_account(signed_in(), Some("BOB")).is_ok());
        let error = check_account(signed_in(), Some("alice"))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("'bob'") && error.contains("'alice'"),
            "{error}"
        );
    }
}
