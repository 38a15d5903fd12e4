//! Signing in to GitHub: in the browser, with the web application flow, a
//! loopback redirect (RFC 8252), `state` against forged redirects and PKCE
//! S256 (RFC 7636) against a stolen code; or, where no browser can open, with
//! the device flow (RFC 8628): a code the user types at GitHub from any
//! device. Both end the same way: ask GitHub whose token it is.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::config::{AppSource, FlowSetting, OAuthApp, RemoteConfig};
use crate::oauth::github::{
    ClientVerdict, Endpoints, GitHub, GitHubError, Grant, MAX_POLL_INTERVAL_SECONDS, Refusal,
};
use crate::oauth::listener::{CallbackError, CannotListen, Listener, Page};
use crate::oauth::{browser, revoke};
use crate::report::{printable, say};
use crate::secret::Secret;

/// A token GitHub issued, and whose it is.
#[derive(Debug)]
pub struct SignedIn {
    pub login: String,
    /// What the token may do, as GitHub reported it.
    pub scopes: String,
    pub grant: Grant,
}

/// Which way to sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Flow {
    Browser,
    Device,
}

/// Where the browser flow cannot work, as the environment tells it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Surroundings {
    pub linux: bool,
    pub display: bool,
    pub browser_variable: bool,
    pub ssh: bool,
    pub wsl: bool,
    pub wslview: bool,
}

impl Surroundings {
    pub fn here() -> Surroundings {
        let set = |name: &str| std::env::var_os(name).is_some_and(|value| !value.is_empty());
        let wsl = cfg!(target_os = "linux")
            && (set("WSL_DISTRO_NAME")
                || std::fs::read_to_string("/proc/sys/kernel/osrelease")
                    .is_ok_and(|release| release.to_ascii_lowercase().contains("microsoft")));
        Surroundings {
            linux: cfg!(target_os = "linux"),
            display: set("DISPLAY") || set("WAYLAND_DISPLAY"),
            browser_variable: set("BROWSER"),
            ssh: set("SSH_CONNECTION") || set("SSH_TTY"),
            wsl,
            wslview: wsl && crate::config::on_path("wslview"),
        }
    }
}

/// `auto` takes the device flow when no client secret is configured, and
/// when no browser can open: on Linux without
/// a display or `$BROWSER`, over SSH without a display, and on WSL without
/// `wslview`. Otherwise the browser flow.
pub fn choose(setting: FlowSetting, around: &Surroundings, has_client_secret: bool) -> Flow {
    match setting {
        FlowSetting::Browser => Flow::Browser,
        FlowSetting::Device => Flow::Device,
        // GitHub finishes a browser sign-in only with the app's secret; the
        // device flow needs none.
        FlowSetting::Auto if !has_client_secret => Flow::Device,
        FlowSetting::Auto => {
            let headless = around.linux && !around.display && !around.browser_variable;
            let remote = around.ssh && !around.display && !around.browser_variable;
            let wsl_without_opener = around.wsl && !around.wslview && !around.browser_variable;
            if headless || remote || wsl_without_opener {
                Flow::Device
            } else {
                Flow::Browser
            }
        }
    }
}

/// Where an OAuth app registered as the README says (`http://127.0.0.1:
/// 17829/callback`) gets its redirects. A code may come back to any port
/// of a registered loopback callback, but GitHub sends a Cancel to the
/// registered URL itself, never to the request's `redirect_uri` (GitHub
/// Docs, "Troubleshooting authorization request errors"), so the helper
/// listens here whenever the port is free. Below the ephemeral ranges of
/// Linux (32768) and Windows (49152), so that no outgoing connection holds
/// it by chance.
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:17829/callback";

/// Which account a browser sign-in is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wanted<'a> {
    /// The account git (or `use`) asked for: GitHub's `login` hint, and
    /// checked against whoever signs in.
    pub login: Option<&'a str>,
    /// Show GitHub's account picker (`prompt=select_account`): the sign-in
    /// adds or chooses an account, and GitHub would otherwise approve the
    /// browser's current one without a page.
    pub pick: bool,
}

/// Signs in the chosen way, bounded by the remote's `ghoauthTimeout`.
pub fn sign_in(
    flow: Flow,
    endpoints: Endpoints,
    config: &RemoteConfig,
    app: &OAuthApp,
    wanted: Wanted<'_>,
) -> anyhow::Result<SignedIn> {
    let wanted_login = wanted.login;
    match flow {
        Flow::Browser => with_browser(endpoints, config, app, wanted),
        Flow::Device => with_device(endpoints, config, app, wanted_login),
    }
}

/// The device flow: show a code, then poll GitHub until the user has
/// entered it, refused, or the code expired.
pub fn with_device(
    endpoints: Endpoints,
    config: &RemoteConfig,
    app: &OAuthApp,
    wanted_login: Option<&str>,
) -> anyhow::Result<SignedIn> {
    let started = Instant::now();
    let url = &config.url;
    let github = GitHub::new(endpoints, &config.http, started + config.timeout)?;
    let code = github
        .request_device_code(app, &config.scopes)
        .map_err(|error| explain_device_error(error, url))?;
    let mut interval = Duration::from_secs(code.interval.max(1));
    // GitHub says when the code expires (expired_token); one more poll
    // after its lifetime lets it say so.
    let deadline = started
        + config
            .timeout
            .min(Duration::from_secs(code.expires_in) + interval);
    say(format!(
        "to sign in to {} with {}, open {} on any device and enter the code:\n    {}",
        github.endpoints().host,
        which_app(app),
        code.verification_uri,
        code.user_code
    ));
    loop {
        if Instant::now() + interval >= deadline {
            bail!(
                "the code {} was not entered within {} s, so nothing was stored; run the git \
                 command again (for more time, raise credential.{url}.ghoauthTimeout)",
                code.user_code,
                deadline.saturating_duration_since(started).as_secs()
            );
        }
        // GitHub refuses polls faster than the interval it gave.
        std::thread::sleep(interval);
        let refusal = match github.poll_device(app, &code.device_code) {
            Ok(grant) => {
                return identify(&github, app, grant, wanted_login);
            }
            Err(GitHubError::Refused(refusal)) => refusal,
            Err(GitHubError::Failed(error)) => return Err(error),
        };
        match refusal.error.as_str() {
            "authorization_pending" => {}
            "slow_down" => interval = slowed_down(interval, refusal.interval),
            _ => return Err(explain_device_error(GitHubError::Refused(refusal), url)),
        }
    }
}

/// RFC 8628 §3.5: a `slow_down` adds five seconds for good, and its reply
/// may name the new interval, which wins when longer (GitHub's docs say it
/// adds 5 s; what it sends is what it enforces). Clamped as the first
/// interval is.
fn slowed_down(interval: Duration, returned: Option<u64>) -> Duration {
    let at_least = interval + Duration::from_secs(5);
    let returned = Duration::from_secs(returned.unwrap_or(0).min(MAX_POLL_INTERVAL_SECONDS));
    at_least
        .max(returned)
        .min(Duration::from_secs(MAX_POLL_INTERVAL_SECONDS))
}

fn explain_device_error(error: GitHubError, url: &str) -> anyhow::Error {
    let refusal = match error {
        GitHubError::Refused(refusal) => refusal,
        GitHubError::Failed(error) => return error,
    };
    let message = match refusal.error.as_str() {
        "expired_token" => format!(
            "the device code expired before it was entered ({refusal}); run the git command again"
        ),
        "access_denied" => format!(
            "sign-in was cancelled at GitHub ({refusal}); run the git command again and authorize"
        ),
        "device_flow_disabled" => format!(
            "the OAuth app does not allow the device flow ({refusal}); tick \"Enable Device Flow\" \
             in the app's settings, or set credential.{url}.ghoauthFlow browser"
        ),
        "incorrect_client_credentials" | "unauthorized_client" | "Not Found" => format!(
            "GitHub does not know the OAuth app ({refusal}); check credential.{url}.ghoauthClientId"
        ),
        _ => format!("GitHub refused the device sign-in: {refusal}"),
    };
    anyhow!(message)
}

/// Runs the whole browser flow: listen, show and open the consent page,
/// wait for the redirect, exchange the code, and ask GitHub whose token it
/// is. Every error is one sentence that says what to do.
pub fn with_browser(
    endpoints: Endpoints,
    config: &RemoteConfig,
    app: &OAuthApp,
    wanted: Wanted<'_>,
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
    let (listener, cancel_unseen) = listen_for_redirect(config)?;
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
        wanted,
    );

    // Dropped before the listener, whichever way this ends: a browser that
    // fails because the listener closed is not worth a second line.
    let _browser = show_where_to_sign_in(&endpoints, app, &listener, cancel_unseen);
    // GitHub shows a 404 page for an unknown client id, and nothing comes
    // back from it: asked alongside the wait, so that such an app ends the
    // sign-in at once, at no cost to a good one.
    let client_check = check_client_meanwhile(&endpoints, config, app, deadline);

    let callback = listener
        .wait_unless(&state, consent.as_str(), deadline, &client_check)
        .map_err(|error| explain_callback(error, config))?;
    let finished = GitHub::new(endpoints.clone(), &config.http, deadline).and_then(|github| {
        redeem(
            &github,
            app,
            &callback.code,
            &redirect_uri,
            &verifier,
            config,
            wanted.login,
        )
    });
    callback.finish(final_page(&endpoints, &finished));
    finished
}

/// The listener for GitHub's redirect, on the first configured redirect
/// whose port is free, else on [`DEFAULT_REDIRECT_URI`], else (an OAuth
/// app takes any port of its loopback callback) on any free port; and,
/// when that is not where GitHub sends a Cancel, the line that says so.
fn listen_for_redirect(config: &RemoteConfig) -> anyhow::Result<(Listener, Option<String>)> {
    let configured = config.all_redirect_uris();
    let (listener, cancel_goes_to) = match configured.first() {
        Some(first) => (Listener::bind_first_free(&configured)?, first.clone()),
        None => match Listener::bind(Some(DEFAULT_REDIRECT_URI)) {
            Err(CannotListen::Bind { .. } | CannotListen::Ipv6Taken { .. }) => {
                (Listener::bind(None)?, DEFAULT_REDIRECT_URI.to_string())
            }
            bound => (bound?, DEFAULT_REDIRECT_URI.to_string()),
        },
    };
    let unseen = (listener.redirect_uri() != cancel_goes_to).then(|| {
        format!(
            "another program holds the port of {}, where GitHub sends a Cancel on its page, so \
             this helper cannot see one: if you cancel there, press Ctrl-C here to stop waiting",
            printable(&cancel_goes_to)
        )
    });
    Ok((listener, unseen))
}

/// Asks GitHub about the app on a thread of its own; the wait reads the
/// answer when it comes, and ends early only on an unknown client id or a
/// wrong secret. A check that fails or stalls changes nothing.
fn check_client_meanwhile(
    endpoints: &Endpoints,
    config: &RemoteConfig,
    app: &OAuthApp,
    deadline: Instant,
) -> mpsc::Receiver<CallbackError> {
    let (verdicts, received) = mpsc::channel();
    let (endpoints, http, app, url) = (
        endpoints.clone(),
        config.http.clone(),
        app.clone(),
        config.url.clone(),
    );
    let spawned = std::thread::Builder::new()
        .name("client-check".into())
        .spawn(move || {
            let Ok(github) = GitHub::new(endpoints, &http, deadline) else {
                return;
            };
            let why = match github.check_client(&app).map(|check| check.verdict) {
                Ok(ClientVerdict::UnknownId) => format!(
                    "GitHub does not know the client id {} (unknown client id), so no sign-in \
                     can come back; check credential.{url}.ghoauthClientId against the app's page",
                    printable(&app.client_id)
                ),
                Ok(ClientVerdict::WrongSecret) => format!(
                    "GitHub refuses the OAuth app's client secret (incorrect_client_credentials), \
                     so no sign-in could be finished; check credential.{url}.ghoauthClientSecret \
                     against the app's page"
                ),
                _ => return,
            };
            let _ = verdicts.send(CallbackError::Abandoned(why));
        });
    drop(spawned);
    received
}

/// Which app a sign-in is for, as the person chose it: the one built into
/// this helper (an OAuth app's broad `repo` scope), or theirs.
pub fn which_app(app: &OAuthApp) -> String {
    match app.source {
        AppSource::BuiltIn => "the app built into this helper".to_string(),
        _ => format!("the app {}", printable(&app.client_id)),
    }
}

/// The address first, always: the browser may never appear (SSH, WSL,
/// containers), and the user can open it by hand. Both the browser and the
/// person get the loopback `/start`, which redirects once to the consent
/// page: the consent address holds the state and the PKCE challenge, which
/// another local user could otherwise read off a command line or a
/// terminal and use for a login-CSRF. A second fetch of `/start` ends the
/// sign-in. Over SSH, `/start` works through a forward of a fixed port.
fn show_where_to_sign_in(
    endpoints: &Endpoints,
    app: &OAuthApp,
    listener: &Listener,
    cancel_unseen: Option<String>,
) -> Option<browser::Opened> {
    say(format!(
        "to sign in to {} with {}, approve access in your browser. If no browser opens, \
         visit:\n    {}",
        endpoints.host,
        which_app(app),
        listener.start_uri()
    ));
    if let Some(warning) = cancel_unseen {
        say(warning);
    }
    browser::open_or_say_why(listener.start_uri())
}

fn explain_callback(error: CallbackError, config: &RemoteConfig) -> anyhow::Error {
    let url = &config.url;
    match error {
        CallbackError::TimedOut { ignored: 0 } => anyhow!(
            "no sign-in came back from the browser within {} s, so nothing was stored; run the \
             git command again (if the browser showed a GitHub error page, check \
             credential.{url}.ghoauthClientId; for more time, raise credential.{url}.ghoauthTimeout)",
            config.timeout.as_secs()
        ),
        CallbackError::TimedOut { ignored } => anyhow!(
            "no sign-in came back from the browser within {} s, so nothing was stored; {}: run \
             the git command again and use the link it opens",
            config.timeout.as_secs(),
            crate::oauth::listener::ignored_callbacks(ignored)
        ),
        other => anyhow!(other),
    }
}

/// What the browser tab says once the sign-in is over.
fn final_page(endpoints: &Endpoints, finished: &anyhow::Result<SignedIn>) -> Page {
    match finished {
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
    }
}

fn redeem(
    github: &GitHub,
    app: &OAuthApp,
    code: &Secret,
    redirect_uri: &str,
    verifier: &Secret,
    config: &RemoteConfig,
    wanted_login: Option<&str>,
) -> anyhow::Result<SignedIn> {
    let grant = github
        .exchange_code(app, code, redirect_uri, verifier)
        .map_err(|error| match error {
            GitHubError::Refused(refusal) => anyhow!(explain(&refusal, &config.url, redirect_uri)),
            GitHubError::Failed(error) => error,
        })?;
    identify(github, app, grant, wanted_login)
}

/// Asks GitHub whose token it is: the login is what git will show as the
/// username, and what later requests for that account look for. A grant
/// for another account than `wanted_login`, or whose account GitHub's
/// answer does not tell, is not kept, and is revoked.
pub fn identify(
    github: &GitHub,
    app: &OAuthApp,
    grant: Grant,
    wanted_login: Option<&str>,
) -> anyhow::Result<SignedIn> {
    let user = github
        .user(&grant.access_token)
        .and_then(|user| check_account(&user.login, wanted_login).map(|()| user));
    match user {
        Ok(user) => Ok(SignedIn {
            login: user.login,
            // The header tells what was granted; the token reply what was asked.
            scopes: if user.scopes.is_empty() {
                grant.scopes.clone()
            } else {
                user.scopes
            },
            grant,
        }),
        Err(error) => {
            revoke::discard(github, app, &grant);
            Err(error)
        }
    }
}

/// A username in the remote URL or `credential.username` names the account
/// git wants; a token for another account must not be stored under it.
pub(crate) fn check_account(login: &str, wanted_login: Option<&str>) -> anyhow::Result<()> {
    match wanted_login {
        Some(wanted) if !wanted.eq_ignore_ascii_case(login) => {
            // The name comes from a remote URL (a submodule's, say): it may
            // carry terminal escapes.
            let (wanted, login) = (printable(wanted), printable(login));
            bail!(
                "you authorized the GitHub account '{login}', but git asked for '{wanted}', so \
                 nothing was stored; sign in to GitHub as {wanted} (signing out of {login} \
                 first) and run the git command again, or drop the user name from the remote URL"
            )
        }
        _ => Ok(()),
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
             {DEFAULT_REDIRECT_URI} as the app's callback URL, or set \
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
    wanted: Wanted<'_>,
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
        if let Some(login) = wanted.login {
            query.append_pair("login", login);
        }
        if wanted.pick {
            query.append_pair("prompt", "select_account");
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
pub(crate) fn random_text() -> anyhow::Result<String> {
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
        let host = crate::config::host::OAuthHost::parse(b"https", b"github.com").unwrap();
        let endpoints = Endpoints::for_host(&host).unwrap();
        let app = OAuthApp {
            client_id: "Iv1.abc".into(),
            client_secret: None,
            source: Default::default(),
        };
        let verifier = Secret::new("v".repeat(43));
        let url = consent_url(
            &endpoints,
            &app,
            "repo workflow",
            "http://127.0.0.1:5000/callback",
            "st",
            &verifier,
            Wanted {
                login: Some("alice"),
                pick: true,
            },
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
        assert_eq!(get("prompt"), Some("select_account"));
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
            interval: None,
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
                .contains("http://127.0.0.1:17829/callback")
        );
        assert!(explain(&refusal("something_new"), url, redirect).contains("something_new"));
    }

    #[test]
    fn slow_down_waits_at_least_five_more_seconds_or_what_github_names() {
        let secs = Duration::from_secs;
        assert_eq!(slowed_down(secs(5), None), secs(10));
        assert_eq!(slowed_down(secs(5), Some(10)), secs(10));
        assert_eq!(slowed_down(secs(5), Some(17)), secs(17));
        assert_eq!(slowed_down(secs(5), Some(2)), secs(10));
        assert_eq!(slowed_down(secs(5), Some(u64::MAX)), secs(60));
        assert_eq!(slowed_down(secs(58), None), secs(60));
    }

    #[test]
    fn auto_takes_the_device_flow_only_where_no_browser_can_open() {
        let desktop = Surroundings {
            linux: true,
            display: true,
            ..Surroundings::default()
        };
        assert_eq!(choose(FlowSetting::Auto, &desktop, true), Flow::Browser);
        let headless = Surroundings {
            linux: true,
            ..Surroundings::default()
        };
        assert_eq!(choose(FlowSetting::Auto, &headless, true), Flow::Device);
        let with_browser_variable = Surroundings {
            browser_variable: true,
            ..headless.clone()
        };
        assert_eq!(
            choose(FlowSetting::Auto, &with_browser_variable, true),
            Flow::Browser
        );
        let mac_over_ssh = Surroundings {
            ssh: true,
            ..Surroundings::default()
        };
        assert_eq!(choose(FlowSetting::Auto, &mac_over_ssh, true), Flow::Device);
        let mac = Surroundings::default();
        assert_eq!(choose(FlowSetting::Auto, &mac, true), Flow::Browser);
        let wsl = Surroundings {
            linux: true,
            display: true,
            wsl: true,
            ..Surroundings::default()
        };
        assert_eq!(choose(FlowSetting::Auto, &wsl, true), Flow::Device);
        let wsl_with_wslview = Surroundings {
            wslview: true,
            ..wsl
        };
        assert_eq!(
            choose(FlowSetting::Auto, &wsl_with_wslview, true),
            Flow::Browser
        );
        assert_eq!(choose(FlowSetting::Browser, &headless, true), Flow::Browser);
        assert_eq!(choose(FlowSetting::Device, &desktop, true), Flow::Device);
        assert_eq!(choose(FlowSetting::Auto, &desktop, false), Flow::Device);
        assert_eq!(choose(FlowSetting::Browser, &desktop, false), Flow::Browser);
    }

    #[test]
    fn another_account_is_refused_by_name() {
        assert!(check_account("bob", None).is_ok());
        assert!(check_account("bob", Some("BOB")).is_ok());
        let error = check_account("bob", Some("alice")).unwrap_err().to_string();
        assert!(
            error.contains("'bob'") && error.contains("'alice'"),
            "{error}"
        );
        let escaped = check_account("bob", Some("eve\x1b]0;PWNED\x07"))
            .unwrap_err()
            .to_string();
        assert!(
            !escaped.contains('\x1b') && !escaped.contains('\x07'),
            "{escaped:?}"
        );
    }
}
