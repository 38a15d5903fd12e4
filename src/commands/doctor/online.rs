//! What only GitHub can tell: whether the host can be reached (through
//! which proxy, with which CA), whether its clock agrees with ours, whether
//! it knows the app and lets it use the device flow, and whether each
//! stored token still works, with the scopes git needs, and in the
//! repository doctor runs in (where SAML SSO may stand in the way). Every request is
//! bounded, and all of them together by [`super::NETWORK_BOUND`].

use std::time::{Duration, Instant, SystemTime};

use super::{Check, shown};
use crate::acquire::OAuthRemote;
use crate::config::FlowSetting;
use crate::config::draft::shell_word;
use crate::config::host::OAuthHost;
use crate::git::record::StoredCredential;
use crate::git::repository::Repository;
use crate::oauth::github::{Access, ClientVerdict, GitHub, GitHubError, RateLimited, SsoRequired};
use crate::oauth::roots::Roots;
use crate::report::{printable_bytes, proxy_without_password};

/// Expiry and renewal depend on the clocks agreeing this closely.
const CLOCK_TOLERANCE: Duration = Duration::from_secs(120);

pub(super) fn network_checks(remote: &OAuthRemote, deadline: Instant) -> Vec<Check> {
    let url = remote.host.url();
    let mut checks = vec![Check::ok("network.proxy", proxy_and_ca(remote))];
    let github = match GitHub::new(remote.endpoints.clone(), &remote.config.http, deadline) {
        Ok(github) => github,
        Err(error) => {
            checks.push(Check::problem(
                "network.reach",
                format!("{error:#}"),
                "fix the setting it names in git config",
            ));
            return checks;
        }
    };
    let check = match github.check_client(&remote.app) {
        Ok(check) => check,
        Err(error) => {
            checks.push(Check::problem(
                "network.reach",
                format!("{error:#}"),
                format!(
                    "check the proxy (git config http.proxy, or HTTPS_PROXY), the CA \
                     (http.sslCAInfo, or SSL_CERT_FILE) and the network; then `git \
                     credential-ghoauth doctor --host {url}` again"
                ),
            ));
            return checks;
        }
    };
    let secure = match remote.host.protocol() {
        "https" => "a TLS connection",
        _ => "a connection (plain HTTP, loopback only)",
    };
    checks.push(Check::ok(
        "network.reach",
        format!("{secure} to {} works", remote.host.host()),
    ));
    checks.extend(clock_check(check.server_clock));
    let known = !matches!(check.verdict, ClientVerdict::UnknownId);
    checks.push(client_check(remote, check.verdict));
    if known && remote.config.flow != FlowSetting::Browser {
        checks.push(device_flow_check(&github, remote));
    }
    checks
}

/// What GitHub's token endpoint (or, for an app with no secret, its
/// device-code endpoint) says of the client id and secret.
fn client_check(remote: &OAuthRemote, verdict: ClientVerdict) -> Check {
    let url = remote.host.url();
    let id = shown(&remote.app.client_id);
    match verdict {
        ClientVerdict::Known => Check::ok(
            "network.client_id",
            "GitHub knows the client id and takes the client secret",
        ),
        ClientVerdict::KnownNoSecret => Check::ok(
            "network.client_id",
            "GitHub knows the client id; no client secret is configured, so none was checked",
        ),
        ClientVerdict::UnknownId => Check::problem(
            "network.client_id",
            format!("GitHub does not know the client id {id} (unknown client id: HTTP 404)"),
            format!(
                "copy the client id from the app's settings page: git credential-ghoauth \
                 configure --host {url} --client-id <id>; or create a new app with \
                 `git credential-ghoauth setup --host {url} --force`"
            ),
        ),
        ClientVerdict::WrongSecret => Check::problem(
            "network.client_id",
            format!(
                "GitHub knows the client id {id} but refuses its client secret \
                 (incorrect_client_credentials)"
            ),
            format!(
                "generate a new client secret on the app's settings page, then: git \
                 credential-ghoauth configure --host {url} --client-id {} --client-secret-stdin",
                shell_word(&remote.app.client_id)
            ),
        ),
        ClientVerdict::Unclear(answer) => Check::warning(
            "network.client_id",
            format!("GitHub's answer about the client id {id} says neither yes nor no ({answer})"),
            "see the network checks above",
        ),
    }
}

fn proxy_and_ca(remote: &OAuthRemote) -> String {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let proxy = match remote.config.http.proxy.as_deref() {
        _ if remote.endpoints.is_loopback() => "none (a loopback host)".to_string(),
        Some("") => "none (http.proxy is empty)".to_string(),
        Some(proxy) => format!(
            "{} (git's http.proxy)",
            shown(proxy_without_password(proxy))
        ),
        None => match env("HTTPS_PROXY").or_else(|| env("https_proxy")) {
            Some(proxy) => format!("{} (HTTPS_PROXY)", shown(proxy_without_password(&proxy))),
            None => "none".to_string(),
        },
    };
    let ca = match &remote.config.http.ca_info {
        Some(file) => format!(
            "{} (git's http.sslCAInfo)",
            shown(file.display().to_string())
        ),
        None => match (Roots::in_use(), env("SSL_CERT_FILE")) {
            (Roots::System, Some(file)) => format!("{} (SSL_CERT_FILE)", shown(file)),
            (roots, _) => roots.describe().to_string(),
        },
    };
    format!("proxy: {proxy}; CA certificates: {ca}")
}

fn clock_check(server: Option<SystemTime>) -> Option<Check> {
    let server = server?;
    let now = SystemTime::now();
    let (off, direction) = match server.duration_since(now) {
        Ok(ahead) => (ahead, "behind"),
        Err(behind) => (behind.duration(), "ahead of"),
    };
    Some(match off > CLOCK_TOLERANCE {
        true => Check::warning(
            "network.clock",
            format!(
                "this machine's clock is {} min {direction} the server's: token expiry and \
                 renewal are judged by it",
                (off.as_secs() + 30) / 60
            ),
            "set the clock right and keep it so: `timedatectl set-ntp true` (or your \
             system's time settings)",
        ),
        false => Check::ok(
            "network.clock",
            format!(
                "the clock agrees with the server's (within {} s)",
                off.as_secs().max(1)
            ),
        ),
    })
}

/// GitHub says whether an app may use the device flow only when asked for
/// a code: this asks for one and abandons it (it expires unused).
fn device_flow_check(github: &GitHub, remote: &OAuthRemote) -> Check {
    let device_needed =
        remote.config.flow == FlowSetting::Device || remote.app.client_secret.is_none();
    match github.request_device_code(&remote.app, &remote.config.scopes) {
        Ok(_) => Check::ok(
            "network.device_flow",
            "the device flow is enabled (asked GitHub for a code, then abandoned it)",
        ),
        Err(GitHubError::Refused(refusal)) if refusal.error == "device_flow_disabled" => {
            let summary = "the app does not allow the device flow, which sign-ins here need where no browser can open";
            let fix = "tick \"Enable Device Flow\" in the app's settings on GitHub (Settings → Developer settings → your app)";
            match device_needed {
                true => Check::problem("network.device_flow", summary, fix),
                false => Check::warning("network.device_flow", summary, fix),
            }
        }
        Err(error) => Check::warning(
            "network.device_flow",
            format!("could not ask for a device code: {error}"),
            "see the network checks above",
        ),
    }
}

/// Each account's token, asked about at GitHub.
pub(super) fn account_checks(
    remote: &OAuthRemote,
    stored: &[StoredCredential],
    here: Option<&Repository>,
    now: u64,
    deadline: Instant,
) -> Vec<Check> {
    let mut checks = offline_account_checks(&remote.host, stored, now);
    let Ok(github) = GitHub::new(remote.endpoints.clone(), &remote.config.http, deadline) else {
        return checks;
    };
    let url = remote.host.url();
    for account in stored.iter().filter(|entry| entry.oauth.is_some()) {
        let login = printable_bytes(&account.username);
        let relogin = {
            let (url, login) = (shell_word(&url), shell_word(&login));
            format!(
                "git credential-ghoauth logout --host {url} --user {login}; git credential-ghoauth \
                 use {login} --default --host {url}"
            )
        };
        let user = match token_check(&github, account, &login, &relogin) {
            Ok(user) => user,
            Err(check) => {
                checks.push(check);
                continue;
            }
        };
        checks.push(Check::ok(
            "account.token",
            format!("GitHub accepts {login}'s token"),
        ));
        let github_app = account
            .oauth
            .as_ref()
            .is_some_and(|oauth| oauth.scopes.is_empty())
            && user.scopes.is_empty();
        checks.push(match github_app {
            true => installations_check(&github, account, &login, &url),
            false => scopes_check(&user.scopes, &login, &url, &relogin),
        });
        if let Some(repository) = here {
            checks.push(repository_check(&github, account, &login, repository));
        }
    }
    checks
}

/// Who GitHub says the account's token belongs to, or the check that says
/// why it would not say.
fn token_check(
    github: &GitHub,
    account: &StoredCredential,
    login: &str,
    relogin: &str,
) -> Result<crate::oauth::github::User, Check> {
    match github.user_or_status(&account.password) {
        Ok(Ok(user)) => Ok(user),
        Ok(Err(status)) => Err(Check::problem(
            "account.token",
            format!(
                "GitHub refuses {login}'s token (HTTP {status}): it was revoked, or \
                 pushed out by newer sign-ins"
            ),
            relogin,
        )),
        Err(error) => Err(match error.downcast::<RateLimited>() {
            Ok(limited) => rate_limited("account.token", &limited, &format!("{login}'s token")),
            Err(error) => Check::warning(
                "account.token",
                format!("could not ask GitHub about {login}'s token: {error:#}"),
                "see the network checks above",
            ),
        }),
    }
}

/// What the account may do in the repository doctor runs in: what
/// discovery would ask, with SAML SSO named where it is in the way.
fn repository_check(
    github: &GitHub,
    account: &StoredCredential,
    login: &str,
    repository: &Repository,
) -> Check {
    let name = format!("{}/{}", repository.owner, repository.name);
    match github.repository_access(&account.password, repository) {
        Ok(Some(Access { push: true })) => {
            Check::ok("account.repository", format!("{login} can push to {name}"))
        }
        Ok(Some(Access { push: false })) => Check::warning(
            "account.repository",
            format!("{login} can read {name} but not push to it"),
            format!(
                "ask an owner of {} for write access, or use another account: git credential-ghoauth use LOGIN",
                shell_word(repository.owner.as_str())
            ),
        ),
        Ok(None) => Check::warning(
            "account.repository",
            format!(
                "{login} cannot see {name} (GitHub answers 404 for a private repository it may not read)"
            ),
            format!(
                "sign in with an account that can: git credential-ghoauth use LOGIN --for {}",
                shell_word(repository.owner.as_str())
            ),
        ),
        Err(error) => match error.downcast::<SsoRequired>() {
            Ok(sso) => Check::problem(
                "account.repository",
                format!("{login} cannot reach {name}: {sso}"),
                "open that address, authorize the token, and run git again",
            ),
            Err(error) => match error.downcast::<RateLimited>() {
                Ok(limited) => rate_limited(
                    "account.repository",
                    &limited,
                    &format!("what {login} may do in {name}"),
                ),
                Err(error) => Check::warning(
                    "account.repository",
                    format!("could not ask GitHub what {login} may do in {name}: {error:#}"),
                    "see the network checks above",
                ),
            },
        },
    }
}

/// A rate limit is said as what it is: no word on the token or the access.
fn rate_limited(name: &'static str, limited: &RateLimited, what: &str) -> Check {
    Check::warning(
        name,
        format!("{limited}, so doctor could not ask about {what}"),
        "run doctor again once the limit lifts",
    )
}

/// Whether an OAuth app's token has the scopes git needs.
fn scopes_check(granted: &str, login: &str, url: &str, relogin: &str) -> Check {
    let scopes: Vec<&str> = granted
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .collect();
    let fix = format!(
        "git config --global credential.{url}.ghoauthScopes 'repo workflow'; then {relogin}"
    );
    if !scopes.contains(&"repo") {
        Check::problem(
            "account.scopes",
            format!(
                "{login}'s token lacks the repo scope (it has: {}), so git cannot push with it",
                if scopes.is_empty() {
                    "none".to_string()
                } else {
                    scopes.join(" ")
                }
            ),
            fix,
        )
    } else if !scopes.contains(&"workflow") {
        Check::warning(
            "account.scopes",
            format!(
                "{login}'s token lacks the workflow scope: pushes that change .github/workflows are refused"
            ),
            fix,
        )
    } else {
        Check::ok(
            "account.scopes",
            format!("{login}'s token has the scopes git needs (repo, workflow)"),
        )
    }
}

fn installations_check(
    github: &GitHub,
    account: &StoredCredential,
    login: &str,
    url: &str,
) -> Check {
    match github.installations(&account.password) {
        Ok(installations) if installations.is_empty() => Check::warning(
            "account.installations",
            format!(
                "the app is installed nowhere {login} can see, so git can reach public repositories only"
            ),
            format!(
                "install the app on your repositories: git credential-ghoauth setup --host {url} --force, or the app's page on GitHub"
            ),
        ),
        Ok(installations) => Check::ok(
            "account.installations",
            format!(
                "the app is installed on {} account(s) {login} can see",
                installations.len()
            ),
        ),
        Err(error) => Check::warning(
            "account.installations",
            format!("could not list the app's installations for {login}: {error:#}"),
            "see the network checks above",
        ),
    }
}

/// What the store alone says of each account: when its token and its
/// refresh token run out.
pub(super) fn offline_account_checks(
    host: &OAuthHost,
    stored: &[StoredCredential],
    now: u64,
) -> Vec<Check> {
    let url = host.url();
    let ours: Vec<&StoredCredential> = stored
        .iter()
        .filter(|entry| entry.oauth.is_some())
        .collect();
    if ours.is_empty() {
        return vec![Check::ok(
            "account.expiry",
            format!(
                "nobody is signed in yet; the next git command (or `git credential-ghoauth login --host {url}`) signs in"
            ),
        )];
    }
    ours.into_iter()
        .map(|account| {
            let login = printable_bytes(&account.username);
            let relogin = format!("git credential-ghoauth login --host {url} --force");
            let refresh_until = account
                .oauth_refresh_token
                .as_ref()
                .and(account.oauth.as_ref())
                .and_then(|oauth| oauth.refresh_token_expiry_utc);
            match (account.password_expiry_utc, refresh_until) {
                (_, Some(until)) if until <= now => Check::problem(
                    "account.expiry",
                    format!("{login}'s refresh token has expired, so the token cannot be renewed: the next git command signs in again"),
                    relogin,
                ),
                (Some(expiry), None) if expiry <= now => Check::problem(
                    "account.expiry",
                    format!("{login}'s token has expired and cannot be renewed"),
                    relogin,
                ),
                (None, _) => Check::ok("account.expiry", format!("{login}'s token does not expire")),
                (Some(_), Some(until)) => Check::ok(
                    "account.expiry",
                    format!("{login}'s token renews by itself for another {} days", (until - now) / 86_400),
                ),
                (Some(expiry), None) => Check::ok(
                    "account.expiry",
                    format!("{login}'s token works for another {} min, and cannot be renewed", (expiry - now) / 60),
                ),
            }
        })
        .collect()
}
