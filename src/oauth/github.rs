//! GitHub's OAuth endpoints for one host, and the requests made to them.
//!
//! Written by hand rather than with an OAuth crate: GitHub answers errors
//! with HTTP 200 and an `error` field, and revokes through its own REST
//! endpoint, neither of which the generic clients handle.
//!
//! Nothing here is built on the fast path: the HTTP client loads the system
//! CA store and the runtime starts a thread pool's worth of bookkeeping, so
//! both exist only once a request is certain.

use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use serde::Deserialize;
use url::Url;

use crate::config::host::{Flavour, OAuthHost};
use crate::config::{HttpSettings, OAuthApp};
use crate::git::repository::Repository;
use crate::oauth::roots::{self, Roots};
use crate::report::{printable, proxy_without_password};
use crate::secret::Secret;

/// No single request may take longer than this, whatever the flow's budget.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// GitHub's answers are a few hundred bytes; a server that sends more than
/// this is broken or hostile, and is not read to the end.
const MAX_REPLY_BYTES: usize = 1 << 20;
/// GitHub's device codes live 15 minutes and it asks for a poll every 5 s.
pub const MAX_DEVICE_CODE_SECONDS: u64 = 60 * 60;
pub const MAX_POLL_INTERVAL_SECONDS: u64 = 60;
const USER_AGENT: &str = concat!("git-credential-ghoauth/", env!("CARGO_PKG_VERSION"));
/// A renamed repository redirects once; a chain this long is a loop.
const MAX_REDIRECTS: usize = 3;

/// Where a GitHub host keeps its OAuth pages and its REST API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// The host every request below goes to (api.github.com aside).
    pub host: OAuthHost,
    pub authorize: Url,
    pub access_token: Url,
    pub device_code: Url,
    /// The REST API root, without a trailing slash.
    pub api: Url,
    /// The web root: `https://github.com`, or the Enterprise server's.
    pub web: Url,
}

impl Endpoints {
    /// github.com (and gist.github.com, which shares its tokens), a GHE.com
    /// tenant, or a GitHub Enterprise Server. Plain http is refused except
    /// on a loopback address, where a local server or a test may run.
    pub fn for_host(host: &OAuthHost) -> Result<Endpoints, NoEndpoints> {
        let (web, api) = match host.flavour() {
            Flavour::GitHubCom => (
                "https://github.com".to_string(),
                "https://api.github.com".to_string(),
            ),
            // The tenant's web host serves no API: it answers 404 there.
            Flavour::GheComTenant => (host.url(), format!("https://api.{}", host.host())),
            Flavour::EnterpriseServer => {
                if host.protocol() != "https" && !host.is_loopback() {
                    return Err(NoEndpoints::PlainHttp(host.clone()));
                }
                let web = host.url();
                (web.clone(), format!("{web}/api/v3"))
            }
        };
        // OAuthHost holds only what a URL holds unchanged, so these parse.
        let parse =
            |text: String| Url::parse(&text).map_err(|_| NoEndpoints::NotAUrl(host.clone()));
        Ok(Endpoints {
            host: host.clone(),
            authorize: parse(format!("{web}/login/oauth/authorize"))?,
            access_token: parse(format!("{web}/login/oauth/access_token"))?,
            device_code: parse(format!("{web}/login/device/code"))?,
            api: parse(api)?,
            web: parse(web)?,
        })
    }

    /// Where a GitHub App manifest is posted: the user's apps, or `org`'s.
    pub fn new_app_page(&self, org: Option<&str>, state: &str) -> Url {
        let mut url = self.web_path(&match org {
            Some(org) => format!("/organizations/{org}/settings/apps/new"),
            None => "/settings/apps/new".to_string(),
        });
        url.query_pairs_mut().append_pair("state", state);
        url
    }

    /// Where the user installs the app `slug` on their repositories; with
    /// the `state` that GitHub may send back to the setup URL.
    pub fn install_page(&self, slug: &str, state: Option<&str>) -> Url {
        let mut url = self.web_path(&format!("/apps/{slug}/installations/new"));
        if let Some(state) = state {
            url.query_pairs_mut().append_pair("state", state);
        }
        url
    }

    /// The app's settings page, where it is managed (and deleted).
    pub fn app_settings_page(&self, slug: &str) -> Url {
        self.web_path(&format!("/settings/apps/{slug}"))
    }

    fn web_path(&self, path: &str) -> Url {
        let mut url = self.web.clone();
        url.set_path(path);
        url
    }

    fn api_path(&self, path: &str) -> Url {
        let mut url = self.api.clone();
        let base = url.path().trim_end_matches('/').to_string();
        url.set_path(&format!("{base}{path}"));
        url
    }

    pub fn is_loopback(&self) -> bool {
        self.host.is_loopback()
    }
}

/// Why a host has no OAuth endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoEndpoints {
    /// Plain `http://` that is not on loopback: a token must not cross the
    /// network in the clear.
    PlainHttp(OAuthHost),
    /// Cannot happen for an `OAuthHost`, which holds only what a URL holds
    /// unchanged; an error rather than a panic all the same.
    NotAUrl(OAuthHost),
}

impl std::fmt::Display for NoEndpoints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoEndpoints::PlainHttp(host) => write!(
                f,
                "not signing in to {host} over http: OAuth tokens are only sent over https (or \
                 http to a loopback address); use an https:// remote URL"
            ),
            NoEndpoints::NotAUrl(host) => write!(f, "'{host}' is not a host name a URL can hold"),
        }
    }
}

impl std::error::Error for NoEndpoints {}

/// A GitHub App created from a manifest, as much of it as this helper
/// keeps: it never acts as the app, so the private key and the webhook
/// secret are read and dropped.
#[derive(Debug)]
pub struct CreatedApp {
    /// GitHub's numeric id of the app, when the reply gave it.
    pub id: Option<u64>,
    pub slug: String,
    pub name: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub owner: String,
}

/// Reads the conversion's reply; every string is checked before use.
/// GitHub's description of the reply lets `slug`, `owner` and
/// `webhook_secret` be absent or null, and the user may have renamed the
/// app on GitHub's form: a missing slug is derived from the name the
/// reply gives, as GitHub derives slugs.
pub fn read_created_app(url: &Url, body: &[u8]) -> anyhow::Result<CreatedApp> {
    #[derive(Deserialize)]
    struct Owner {
        login: String,
    }
    #[derive(Deserialize)]
    struct Reply {
        id: Option<u64>,
        slug: Option<String>,
        name: String,
        client_id: String,
        client_secret: String,
        owner: Option<Owner>,
        // Read so that they are dropped as secrets, never kept.
        pem: Option<String>,
        webhook_secret: Option<String>,
    }
    let reply: Reply = serde_json::from_slice(body)
        .map_err(|_| anyhow!("{url} answered with something that is not a created app"))?;
    drop((
        reply.pem.map(Secret::new),
        reply.webhook_secret.map(Secret::new),
    ));
    let slug = reply
        .slug
        .filter(|slug| !slug.is_empty())
        .unwrap_or_else(|| slug_of(&reply.name));
    if !is_path_segment(&slug)
        || !is_path_segment(&reply.client_id)
        || reply.client_secret.is_empty()
    {
        bail!("{url} answered with an app whose slug or client id is not plain text");
    }
    Ok(CreatedApp {
        id: reply.id,
        slug,
        name: printable(&reply.name),
        client_id: reply.client_id,
        client_secret: Secret::new(reply.client_secret),
        owner: reply
            .owner
            .map(|owner| printable(&owner.login))
            .unwrap_or_default(),
    })
}

/// GitHub's slug for an app name: lower case, every run of other
/// characters one `-`, none at either end ("My App (work)" is
/// `my-app-work`).
fn slug_of(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_string()
}

/// Text that can stand as one segment of a URL's path, unchanged: a slug
/// or a client id. `.` and `..` would change the path they are put in.
pub(crate) fn is_path_segment(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 100
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        && text.bytes().any(|b| b.is_ascii_alphanumeric())
}

/// One of the user's installations, as `GET /user/installations` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Installation {
    pub app_id: Option<u64>,
    pub app_slug: Option<String>,
}

impl Installation {
    pub fn is_of(&self, app: &CreatedApp) -> bool {
        match (self.app_id, app.id) {
            (Some(installed), Some(created)) => installed == created,
            _ => self.app_slug.as_deref() == Some(app.slug.as_str()),
        }
    }
}

pub fn read_installations(url: &Url, body: &[u8]) -> anyhow::Result<Vec<Installation>> {
    #[derive(Deserialize)]
    struct Reply {
        installations: Vec<Installation>,
    }
    let reply: Reply = serde_json::from_slice(body).map_err(|_| {
        anyhow!("{url} answered with something that is not a list of installations")
    })?;
    Ok(reply.installations)
}

/// What the token endpoint hands out.
#[derive(Debug)]
pub struct Grant {
    pub access_token: Secret,
    pub scopes: String,
    pub refresh_token: Option<Secret>,
    pub expires_in: Option<u64>,
    pub refresh_token_expires_in: Option<u64>,
}

/// GitHub's refusal, as its token endpoint words it (with HTTP 200).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub error: String,
    pub description: Option<String>,
    /// A device-flow `slow_down` carries the interval to poll at from now
    /// on (RFC 8628 §3.5).
    pub interval: Option<u64>,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.description {
            Some(description) => {
                write!(f, "{} ({})", printable(description), printable(&self.error))
            }
            None => f.write_str(&printable(&self.error)),
        }
    }
}

impl std::error::Error for Refusal {}

/// What went wrong talking to GitHub, for callers that act on the kind.
#[derive(Debug)]
pub enum GitHubError {
    /// GitHub answered, and refused (an OAuth `error`, with HTTP 200).
    Refused(Refusal),
    /// Anything else: unreachable, too slow, or an answer that makes no sense.
    Failed(anyhow::Error),
}

impl GitHubError {
    /// The refresh token is spent, revoked or expired: only a sign-in helps.
    /// Sent without a client secret (a device-flow token), a dead one is
    /// refused as `incorrect_client_credentials`: GitHub exempts only a
    /// live device-flow refresh token from the secret ("Refreshing user
    /// access tokens"), so with no secret to be wrong, that answer means
    /// the token.
    pub fn is_dead_refresh_token(&self, secret_sent: bool) -> bool {
        matches!(self, GitHubError::Refused(refusal)
            if refusal.error == "bad_refresh_token"
                || (!secret_sent && refusal.error == "incorrect_client_credentials"))
    }
}

/// Everything but GitHub's own refusal (which the reply readers return as
/// [`GitHubError::Refused`] themselves) is a failure.
impl From<anyhow::Error> for GitHubError {
    fn from(error: anyhow::Error) -> Self {
        GitHubError::Failed(error)
    }
}

impl std::fmt::Display for GitHubError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitHubError::Refused(refusal) => write!(f, "GitHub refused: {refusal}"),
            GitHubError::Failed(error) => write!(f, "{error:#}"),
        }
    }
}

impl std::error::Error for GitHubError {}

/// The fields GitHub puts in any OAuth reply that failed, with HTTP 200.
#[derive(Deserialize)]
struct RefusalFields {
    error: Option<String>,
    error_description: Option<String>,
    interval: Option<serde_json::Value>,
}

impl RefusalFields {
    /// Checked before anything else in the reply is believed.
    fn check(self) -> Result<(), Refusal> {
        match self.error {
            Some(error) => Err(Refusal {
                error,
                description: self.error_description,
                // A number, or a number in a string; anything else is none.
                interval: self.interval.and_then(|value| match value {
                    serde_json::Value::Number(number) => number.as_u64(),
                    serde_json::Value::String(text) => text.trim().parse().ok(),
                    _ => None,
                }),
            }),
            None => Ok(()),
        }
    }
}

/// What the device flow's first request hands out (RFC 8628 §3.2).
#[derive(Debug)]
pub struct DeviceCode {
    pub device_code: Secret,
    pub user_code: String,
    pub verification_uri: String,
    pub expires_in: u64,
    pub interval: u64,
}

/// Who a token belongs to, and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub login: String,
    pub scopes: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    Revoked,
    /// GitHub did not know the token: it was revoked or expired already.
    AlreadyGone,
}

/// What GitHub says of an app's client id and secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientVerdict {
    /// GitHub knows the id and takes the secret.
    Known,
    /// GitHub knows the id; there is no secret to check.
    KnownNoSecret,
    UnknownId,
    WrongSecret,
    /// An answer that says neither (GitHub's error, or the HTTP status).
    Unclear(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCheck {
    pub verdict: ClientVerdict,
    /// The server's `Date`, to compare clocks with.
    pub server_clock: Option<std::time::SystemTime>,
}

/// GitHub's rate limit stopped a REST call: the primary limit (403 or 429
/// with `x-ratelimit-remaining: 0`, until `x-ratelimit-reset`) or a
/// secondary one (403 or 429 with `retry-after` seconds). GitHub Docs,
/// "Rate limits for the REST API". It says nothing about access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimited {
    /// When it lifts, in Unix seconds, where GitHub said.
    pub reset_at: Option<u64>,
}

impl RateLimited {
    pub fn from_reply(status: u16, headers: &reqwest::header::HeaderMap) -> Option<RateLimited> {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .and_then(|text| text.trim().parse::<u64>().ok())
        };
        let exhausted = number("x-ratelimit-remaining") == Some(0);
        let retry_after = number("retry-after");
        if !matches!(status, 403 | 429) || !(exhausted || retry_after.is_some()) {
            return None;
        }
        let now = unix_now();
        // A server's numbers are clamped before any arithmetic: a day at most.
        let reset_at = match retry_after {
            Some(seconds) => Some(now + seconds.min(86_400)),
            None => number("x-ratelimit-reset").map(|reset| reset.clamp(now, now + 86_400)),
        };
        Some(RateLimited { reset_at })
    }

    /// "in 12 min", or nothing GitHub said.
    fn lifts(&self) -> String {
        match self.reset_at {
            Some(at) => {
                let left = at.saturating_sub(unix_now());
                match left {
                    0..=59 => format!("it lifts in {} s", left.max(1)),
                    _ => format!("it lifts in {} min", left.div_ceil(60)),
                }
            }
            None => "GitHub did not say when it lifts".to_string(),
        }
    }
}

impl std::fmt::Display for RateLimited {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GitHub's API rate limit was hit ({})", self.lifts())
    }
}

impl std::error::Error for RateLimited {}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// A client for one host's endpoints, bounded by a deadline.
pub struct GitHub {
    endpoints: Endpoints,
    deadline: Instant,
    http: reqwest::Client,
    runtime: tokio::runtime::Runtime,
    /// The roots trusted, unless `http.sslCAInfo` named a file.
    roots: Option<Roots>,
}

impl GitHub {
    /// A client for `endpoints` that honours git's proxy and CA settings
    /// for the remote (`http`), and gives up at `deadline`.
    pub fn new(
        endpoints: Endpoints,
        http: &HttpSettings,
        deadline: Instant,
    ) -> anyhow::Result<GitHub> {
        // reqwest is built without a default TLS provider (see Cargo.toml);
        // a second install in the same process fails harmlessly.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none());
        builder = with_proxy(builder, http.proxy.as_deref(), endpoints.is_loopback())?;
        let roots = match &http.ca_info {
            Some(path) => {
                builder = builder.tls_certs_only(ca_certificates(path)?);
                None
            }
            None => {
                let in_use = Roots::in_use();
                if in_use == Roots::BuiltIn {
                    builder = builder.tls_certs_only(roots::built_in());
                }
                Some(in_use)
            }
        };
        let http = builder
            .build()
            .context("could not set up HTTPS (are the system CA certificates installed?)")?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("could not start the HTTP runtime")?;
        Ok(GitHub {
            endpoints,
            deadline,
            http,
            runtime,
            roots,
        })
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// Trades the code from the browser for a token (the web flow, with PKCE).
    pub fn exchange_code(
        &self,
        app: &OAuthApp,
        code: &Secret,
        redirect_uri: &str,
        code_verifier: &Secret,
    ) -> Result<Grant, GitHubError> {
        let mut form = vec![
            ("client_id", app.client_id.clone()),
            ("code", text(code)?),
            ("redirect_uri", redirect_uri.to_string()),
            ("code_verifier", text(code_verifier)?),
        ];
        if let Some(secret) = &app.client_secret {
            form.push(("client_secret", text(secret)?));
        }
        self.token_request(&form)
    }

    /// Starts the device flow: a code for the user to type at GitHub.
    pub fn request_device_code(
        &self,
        app: &OAuthApp,
        scopes: &str,
    ) -> Result<DeviceCode, GitHubError> {
        let url = self.endpoints.device_code.clone();
        let form = [
            ("client_id", app.client_id.clone()),
            ("scope", scopes.to_string()),
        ];
        let body = self.post_form(&url, &form)?;
        read_device_reply(&url, &body)
    }

    /// One poll of the device flow. Until the user has entered the code this
    /// is a [`Refusal`] with `authorization_pending` (or `slow_down`).
    pub fn poll_device(&self, app: &OAuthApp, device_code: &Secret) -> Result<Grant, GitHubError> {
        self.token_request(&[
            ("client_id", app.client_id.clone()),
            ("device_code", text(device_code)?),
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:device_code".to_string(),
            ),
        ])
    }

    /// Trades a GitHub App's refresh token for a new access token and a new
    /// refresh token. The old pair dies at once, whatever happens next, so
    /// the caller must keep the new pair before anything else.
    pub fn refresh(&self, app: &OAuthApp, refresh_token: &Secret) -> Result<Grant, GitHubError> {
        let mut form = vec![
            ("client_id", app.client_id.clone()),
            ("grant_type", "refresh_token".to_string()),
            ("refresh_token", text(refresh_token)?),
        ];
        // Not needed for tokens from the device flow; required otherwise.
        if let Some(secret) = &app.client_secret {
            form.push(("client_secret", text(secret)?));
        }
        self.token_request(&form)
    }

    /// POSTs to the token endpoint and reads GitHub's answer, which carries
    /// errors in its body, not its status.
    pub fn token_request(&self, form: &[(&str, String)]) -> Result<Grant, GitHubError> {
        let url = self.endpoints.access_token.clone();
        let body = self.post_form(&url, form)?;
        read_token_reply(&url, &body)
    }

    /// `GET /user`: the login a token belongs to, and its scopes.
    pub fn user(&self, token: &Secret) -> anyhow::Result<User> {
        self.user_or_status(token)?.map_err(|status| {
            anyhow!(
                "{} did not accept the new token (HTTP {status})",
                self.endpoints.api_path("/user")
            )
        })
    }

    /// `GET /user/installations`: the GitHub App installations the user's
    /// token can reach (GitHub's word that an app is installed for them;
    /// the `installation_id` on the setup redirect can be spoofed).
    pub fn installations(&self, token: &Secret) -> anyhow::Result<Vec<Installation>> {
        let url = self.endpoints.api_path("/user/installations");
        let (status, _, body) = self.api_get(&url, token)?;
        if !status.is_success() {
            bail!(
                "{url} did not list the installations (HTTP {})",
                status.as_u16()
            );
        }
        read_installations(&url, &body)
    }

    /// `GET /repos/{owner}/{repo}` with a user's token: `None` when the
    /// account cannot see the repository (GitHub answers 404 for a private
    /// repository rather than say it exists), else what it may do there.
    /// A renamed repository answers 301 to `/repositories/{id}` on the same
    /// API host, which is followed a few times, never to another origin. A
    /// rate limit is an error ([`RateLimited`]), never "cannot see".
    pub fn repository_access(
        &self,
        token: &Secret,
        repository: &Repository,
    ) -> anyhow::Result<Option<Access>> {
        let mut url = self.endpoints.api_path(&format!(
            "/repos/{}/{}",
            repository.owner.as_str(),
            repository.name
        ));
        for _ in 0..=MAX_REDIRECTS {
            let (status, headers, body) = self.api_get(&url, token)?;
            // On any status: GitHub may answer 403, or hide the repository
            // behind a 404, for a token not authorized for the organisation.
            if let Some(sso) =
                SsoRequired::from_reply(&headers, &self.endpoints.web, repository.owner.as_str())
            {
                return Err(sso.into());
            }
            if let Some(limited) = RateLimited::from_reply(status.as_u16(), &headers) {
                return Err(limited.into());
            }
            match status.as_u16() {
                301 | 302 | 307 | 308 => url = self.same_api_origin(&url, &headers)?,
                // A token GitHub no longer takes sees nothing, as far as
                // choosing an account goes.
                401 | 403 | 404 => return Ok(None),
                200 => return read_repository_reply(&url, &body).map(Some),
                other => bail!("{url} answered HTTP {other}"),
            }
        }
        bail!("{url} redirected more than {MAX_REDIRECTS} times")
    }

    /// Where a redirect from the API leads, when that is on the API's own
    /// origin: a token is never sent anywhere else.
    fn same_api_origin(
        &self,
        from: &Url,
        headers: &reqwest::header::HeaderMap,
    ) -> anyhow::Result<Url> {
        let location = headers
            .get(reqwest::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|text| from.join(text).ok());
        match location {
            Some(to) if to.origin() == self.endpoints.api.origin() => Ok(to),
            _ => bail!(
                "{from} redirected elsewhere than {}, which was not followed",
                self.endpoints.api.origin().ascii_serialization()
            ),
        }
    }

    /// Whether GitHub knows the app, and takes its secret, asked as GitHub
    /// really answers: the token endpoint with a code that is no code tells
    /// an unknown client id (HTTP 404), a wrong secret
    /// (`incorrect_client_credentials`) and a good pair
    /// (`bad_verification_code`) apart. Without a secret, the device-code
    /// endpoint tells an unknown id (404) from a known one; a code it hands
    /// out is abandoned. The authorize page cannot tell: with no browser
    /// session it sends every client id to the sign-in page.
    pub fn check_client(&self, app: &OAuthApp) -> anyhow::Result<ClientCheck> {
        let (url, form) = match &app.client_secret {
            Some(secret) => (
                self.endpoints.access_token.clone(),
                vec![
                    ("client_id", app.client_id.clone()),
                    ("client_secret", text(secret)?),
                    ("code", "ghoauth-client-check".to_string()),
                ],
            ),
            None => (
                self.endpoints.device_code.clone(),
                vec![("client_id", app.client_id.clone())],
            ),
        };
        let request = self
            .http
            .post(url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form);
        let (status, headers, body) = self.send(request, &url)?;
        let server_clock = headers
            .get(reqwest::header::DATE)
            .and_then(|value| value.to_str().ok())
            .and_then(|text| httpdate::parse_http_date(text).ok());
        let error = serde_json::from_slice::<RefusalFields>(&body)
            .ok()
            .and_then(|fields| fields.error);
        let verdict = match (status.as_u16(), error.as_deref(), &app.client_secret) {
            (404, _, _) => ClientVerdict::UnknownId,
            (_, Some("incorrect_client_credentials"), Some(_)) => ClientVerdict::WrongSecret,
            (_, Some("bad_verification_code"), Some(_)) => ClientVerdict::Known,
            (200..=499, _, None) => ClientVerdict::KnownNoSecret,
            (status, error, _) => ClientVerdict::Unclear(match error {
                Some(error) => printable(error),
                None => format!("HTTP {status}"),
            }),
        };
        Ok(ClientCheck {
            verdict,
            server_clock,
        })
    }

    /// `GET /user`, for `doctor`: who the token belongs to, or the HTTP
    /// status GitHub refused it with.
    pub fn user_or_status(&self, token: &Secret) -> anyhow::Result<Result<User, u16>> {
        let url = self.endpoints.api_path("/user");
        let (status, headers, body) = self.api_get(&url, token)?;
        if let Some(limited) = RateLimited::from_reply(status.as_u16(), &headers) {
            return Err(limited.into());
        }
        if !status.is_success() {
            return Ok(Err(status.as_u16()));
        }
        let scopes = headers
            .get("x-oauth-scopes")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        read_user_reply(&url, &body, scopes).map(Ok)
    }

    /// `DELETE /applications/{client_id}/token`, authenticated as the app.
    pub fn revoke(&self, app: &OAuthApp, token: &Secret) -> anyhow::Result<Revocation> {
        let Some(secret) = &app.client_secret else {
            bail!("revoking needs the app's client secret, and none is configured");
        };
        // `..` or a `/` would send the app's secret to another endpoint.
        if !is_path_segment(&app.client_id) {
            bail!(
                "the client id '{}' is not one GitHub issues (letters, digits, '.', '-', '_'); \
                 fix credential.<url>.ghoauthClientId",
                printable(&app.client_id)
            );
        }
        let url = self
            .endpoints
            .api_path(&format!("/applications/{}/token", app.client_id));
        let body = serde_json::json!({ "access_token": text(token)? });
        let request = self
            .http
            .delete(url.clone())
            .header(reqwest::header::ACCEPT, "application/vnd.github+json")
            .basic_auth(&app.client_id, Some(text(secret)?))
            .json(&body);
        let (status, _, _) = self.send(request, &url)?;
        match status.as_u16() {
            200..=299 => Ok(Revocation::Revoked),
            404 | 422 => Ok(Revocation::AlreadyGone),
            401 | 403 => bail!(
                "{url} refused the app's client id and secret (HTTP {})",
                status.as_u16()
            ),
            other => bail!("{url} answered HTTP {other}"),
        }
    }

    /// `POST /app-manifests/{code}/conversions`: the app GitHub created from
    /// the manifest, with its credentials. The code works once, for an hour.
    pub fn convert_manifest(&self, code: &Secret) -> Result<CreatedApp, GitHubError> {
        let code = text(code)?;
        if code.is_empty()
            || !code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(GitHubError::Failed(anyhow!(
                "GitHub sent back a code that is not one"
            )));
        }
        let url = self
            .endpoints
            .api_path(&format!("/app-manifests/{code}/conversions"));
        // The code buys the app's secrets for an hour: messages name the
        // endpoint without it.
        let shown = self.endpoints.api_path("/app-manifests/…/conversions");
        let request = self
            .http
            .post(url.clone())
            .header(reqwest::header::ACCEPT, "application/vnd.github+json");
        let (status, _, body) = self.send(request, &shown)?;
        if !status.is_success() {
            return Err(GitHubError::Failed(anyhow!(
                "{shown} refused the app's code (HTTP {}): a code works once, within an hour; \
                 run setup again",
                status.as_u16()
            )));
        }
        Ok(read_created_app(&shown, &body)?)
    }

    /// A REST `GET` with a user's token.
    fn api_get(
        &self,
        url: &Url,
        token: &Secret,
    ) -> anyhow::Result<(reqwest::StatusCode, reqwest::header::HeaderMap, Vec<u8>)> {
        let request = self
            .http
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "application/vnd.github+json")
            .bearer_auth(text(token)?);
        self.send(request, url)
    }

    /// POSTs a form to one of the OAuth endpoints, asking for JSON back.
    /// GitHub refuses with HTTP 200 and an `error` field, so any status
    /// with a JSON body is read; a non-JSON failure is named by its status.
    fn post_form(&self, url: &Url, form: &[(&str, String)]) -> anyhow::Result<Vec<u8>> {
        let request = self
            .http
            .post(url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .form(form);
        let (status, _, body) = self.send(request, url)?;
        if !status.is_success() && serde_json::from_slice::<serde_json::Value>(&body).is_err() {
            bail!("{url} answered HTTP {}", status.as_u16());
        }
        Ok(body)
    }

    /// Sends one request within both the per-request limit and what is left
    /// of the deadline.
    fn send(
        &self,
        request: reqwest::RequestBuilder,
        url: &Url,
    ) -> anyhow::Result<(reqwest::StatusCode, reqwest::header::HeaderMap, Vec<u8>)> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            bail!("gave up before asking {url}: the time allowed for signing in ran out");
        }
        let limit = left.min(REQUEST_TIMEOUT);
        let outcome = self.runtime.block_on(async {
            tokio::time::timeout(limit, async {
                let mut response = request.timeout(limit).send().await?;
                let status = response.status();
                let headers = response.headers().clone();
                let mut body = Vec::new();
                while let Some(chunk) = response.chunk().await? {
                    body.extend_from_slice(&chunk);
                    if body.len() > MAX_REPLY_BYTES {
                        return Ok(None);
                    }
                }
                Ok::<_, reqwest::Error>(Some((status, headers, body)))
            })
            .await
        });
        match outcome {
            Ok(Ok(Some(reply))) => Ok(reply),
            Ok(Ok(None)) => Err(anyhow!(
                "{url} answered with more than {} MiB, which GitHub never does; check the \
                 remote URL and any proxy in between",
                MAX_REPLY_BYTES >> 20
            )),
            Ok(Err(error)) if error.is_timeout() => Err(stalled(url, limit)),
            Ok(Err(error)) => {
                let cause = describe(&error);
                let hint = match (cause.contains("certificate"), self.roots) {
                    (true, Some(Roots::BuiltIn)) => {
                        "; this system has no CA certificates, so Mozilla's built-in ones were \
                         checked: install ca-certificates, or set git's http.sslCAInfo (or \
                         SSL_CERT_FILE) to a PEM file holding the server's CA"
                    }
                    (true, _) => {
                        "; if the server's certificate comes from a private CA, set git's \
                         http.sslCAInfo (or SSL_CERT_FILE) to a PEM file holding that CA"
                    }
                    (false, _) => "",
                };
                Err(anyhow!("could not reach {url}: {cause}{hint}"))
            }
            Err(_) => Err(stalled(url, limit)),
        }
    }
}

/// GitHub's OAuth replies are JSON whatever their status; errors are an
/// `error` field, checked before anything else is believed. What follows
/// reads a reply's body without any I/O, so that it can be fuzzed.
fn decode<T: serde::de::DeserializeOwned>(url: &Url, body: &[u8]) -> anyhow::Result<T> {
    serde_json::from_slice(body)
        .map_err(|_| anyhow!("{url} answered with something other than the JSON GitHub sends"))
}

/// What an account may do in a repository, as `GET /repos/…` says in its
/// `permissions` object (present when the request carries a token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    pub push: bool,
}

/// git's `http.proxy`, which wins over the environment's `HTTPS_PROXY`.
fn with_proxy(
    builder: reqwest::ClientBuilder,
    proxy: Option<&str>,
    loopback: bool,
) -> anyhow::Result<reqwest::ClientBuilder> {
    match proxy {
        // A proxy must not see loopback traffic; git's empty value
        // means no proxy at all.
        _ if loopback => Ok(builder.no_proxy()),
        Some("") => Ok(builder.no_proxy()),
        Some(proxy) => {
            // git takes a proxy without a scheme to be http://.
            let proxy = match proxy.contains("://") {
                true => proxy.to_string(),
                false => format!("http://{proxy}"),
            };
            let proxy = reqwest::Proxy::all(&proxy).map_err(|_| {
                anyhow!(
                    "http.proxy '{}' is not a proxy URL; fix it in git config",
                    printable(&proxy_without_password(&proxy))
                )
            })?;
            Ok(builder.proxy(proxy))
        }
        // The environment's HTTPS_PROXY and NO_PROXY, as reqwest reads them.
        None => Ok(builder),
    }
}

/// An organisation that enforces SAML single sign-on refused a token that
/// has not been authorized for it: GitHub says so in `X-GitHub-SSO:
/// required; url=…`, with the page where the person authorizes it. The
/// header is the server's word: its address is shown only when it is on the
/// host's own web origin, and as parsed, never as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoRequired {
    /// The repository's owner: a name the helper checked, not one read
    /// out of the server's address.
    pub organization: String,
    /// Where GitHub says the token is authorized, when that is on the
    /// host's web origin.
    pub url: Option<Url>,
    /// The organisation's page on the host, named when `url` is not.
    pub organization_page: Url,
}

impl SsoRequired {
    /// From a reply to a request about a repository of `owner`'s on the
    /// host whose web root is `web`.
    pub fn from_reply(
        headers: &reqwest::header::HeaderMap,
        web: &Url,
        owner: &str,
    ) -> Option<SsoRequired> {
        let value = headers.get("x-github-sso")?.to_str().ok()?;
        let url = SsoRequired::address_in(value)?;
        let mut organization_page = web.clone();
        organization_page.set_path(&format!("/orgs/{owner}/sso"));
        Some(SsoRequired {
            organization: owner.to_string(),
            url: url.filter(|url| url.origin() == web.origin()),
            organization_page,
        })
    }

    /// `Some(address)` for `required; url=…`, with `None` for an address
    /// that does not parse; `None` for anything else the header may say.
    fn address_in(value: &str) -> Option<Option<Url>> {
        let (kind, rest) = value.split_once(';')?;
        if kind.trim() != "required" {
            return None;
        }
        let address = rest.trim().strip_prefix("url=")?.trim();
        Some(Url::parse(address).ok())
    }
}

impl std::fmt::Display for SsoRequired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let organization = printable(&self.organization);
        match &self.url {
            Some(url) => write!(
                f,
                "the {organization} organisation enforces SAML single sign-on, and this token is \
                 not authorized for it; authorize it at {url}"
            ),
            None => write!(
                f,
                "the {organization} organisation enforces SAML single sign-on, and this token is \
                 not authorized for it; authorize it from the organisation's page, {}",
                self.organization_page
            ),
        }
    }
}

impl std::error::Error for SsoRequired {}

/// A repository's reply; a missing `permissions` object (an anonymous
/// view) means read access only.
pub fn read_repository_reply(url: &Url, body: &[u8]) -> anyhow::Result<Access> {
    #[derive(Deserialize)]
    struct RepositoryReply {
        permissions: Option<Permissions>,
    }
    #[derive(Deserialize)]
    struct Permissions {
        #[serde(default)]
        push: bool,
    }
    let reply: RepositoryReply = decode(url, body)?;
    Ok(Access {
        push: reply
            .permissions
            .is_some_and(|permissions| permissions.push),
    })
}

/// The device-code endpoint's reply (RFC 8628 §3.2).
pub fn read_device_reply(url: &Url, body: &[u8]) -> Result<DeviceCode, GitHubError> {
    #[derive(Deserialize)]
    struct DeviceReply {
        device_code: Option<String>,
        user_code: Option<String>,
        verification_uri: Option<String>,
        expires_in: Option<u64>,
        interval: Option<u64>,
        #[serde(flatten)]
        refusal: RefusalFields,
    }
    let reply: DeviceReply = decode(url, body)?;
    reply.refusal.check().map_err(GitHubError::Refused)?;
    let (Some(device_code), Some(user_code), Some(verification_uri)) =
        (reply.device_code, reply.user_code, reply.verification_uri)
    else {
        return Err(anyhow!("{url} answered without a device code").into());
    };
    Ok(DeviceCode {
        device_code: Secret::new(device_code),
        user_code: printable(&user_code),
        verification_uri: printable(&verification_uri),
        // A server's numbers are clamped before any arithmetic on them.
        expires_in: reply
            .expires_in
            .unwrap_or(900)
            .clamp(1, MAX_DEVICE_CODE_SECONDS),
        interval: reply
            .interval
            .unwrap_or(5)
            .clamp(1, MAX_POLL_INTERVAL_SECONDS),
    })
}

/// The token endpoint's reply, for every grant type.
pub fn read_token_reply(url: &Url, body: &[u8]) -> Result<Grant, GitHubError> {
    #[derive(Deserialize)]
    struct TokenReply {
        access_token: Option<String>,
        scope: Option<String>,
        refresh_token: Option<String>,
        expires_in: Option<u64>,
        refresh_token_expires_in: Option<u64>,
        #[serde(flatten)]
        refusal: RefusalFields,
    }
    let reply: TokenReply = decode(url, body)?;
    reply.refusal.check().map_err(GitHubError::Refused)?;
    let access_token = reply
        .access_token
        .filter(|token| !token.is_empty())
        .ok_or_else(|| anyhow!("{url} answered without an access token"))?;
    let checked = |kind: &str, token: String| {
        checked_token(token).map(Secret::new).map_err(|why| {
            anyhow!(
                "{url} answered with {kind} that {why}, which no GitHub token does, so nothing \
                 was kept; check the host and any proxy in between, then run the git command again"
            )
        })
    };
    Ok(Grant {
        access_token: checked("an access token", access_token)?,
        scopes: printable(&reply.scope.unwrap_or_default().replace(',', " ")),
        refresh_token: reply
            .refresh_token
            .filter(|token| !token.is_empty())
            .map(|token| checked("a refresh token", token))
            .transpose()?,
        expires_in: reply.expires_in,
        refresh_token_expires_in: reply.refresh_token_expires_in,
    })
}

/// `GET /user`'s reply, with its `X-OAuth-Scopes` header.
pub fn read_user_reply(url: &Url, body: &[u8], scopes_header: &str) -> anyhow::Result<User> {
    #[derive(Deserialize)]
    struct UserReply {
        login: String,
    }
    let user: UserReply = serde_json::from_slice(body)
        .with_context(|| format!("{url} answered with something other than a user"))?;
    let login = checked_login(user.login).map_err(|why| {
        anyhow!(
            "{url} answered with a login that {why}, which no GitHub account has, so the \
             token was not used; check the remote URL and any proxy in between"
        )
    })?;
    let scopes = scopes_header
        .split(',')
        .map(str::trim)
        .filter(|scope| !scope.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(User {
        login,
        scopes: printable(&scopes),
    })
}

/// The certificates of a PEM file named by `http.sslCAInfo`, which replace
/// the system's, as they do for git.
fn ca_certificates(path: &std::path::Path) -> anyhow::Result<Vec<reqwest::Certificate>> {
    let unusable = |why: String| {
        anyhow!(
            "http.sslCAInfo names {}, which {why}; fix it in git config",
            printable(&path.display().to_string())
        )
    };
    // A bundle of every public CA is about 250 KB; `/dev/zero` never ends.
    const LIMIT: u64 = 8 << 20;
    let mut pem = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| {
            std::io::Read::read_to_end(&mut std::io::Read::take(file, LIMIT + 1), &mut pem)
        })
        .map_err(|error| unusable(format!("cannot be read ({error})")))?;
    if pem.len() as u64 > LIMIT {
        return Err(unusable("is larger than 8 MiB".into()));
    }
    let certificates = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|_| unusable("is not a PEM file of certificates".into()))?;
    if certificates.is_empty() {
        return Err(unusable("holds no certificate".into()));
    }
    Ok(certificates)
}

fn stalled(url: &Url, limit: Duration) -> anyhow::Error {
    anyhow!(
        "{url} did not answer within {} s; check the network or proxy, or try again later",
        limit.as_secs().max(1)
    )
}

/// The innermost cause of a reqwest error, which is the one that explains.
fn describe(error: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}

/// The longest login any GitHub server is known to hand out is far below
/// this (39 on github.com, plus an Enterprise Managed User's `_shortcode`);
/// anything longer is not a login.
pub const MAX_LOGIN_BYTES: usize = 255;

/// A login is printed, stored, matched against what git asks for, and put
/// into commands people paste, so it must be what GitHub issues: letters,
/// digits, `-`, and `_` for Enterprise Managed Users. GitHub normalizes
/// the user names of servers with external authentication to these too
/// (GitHub Docs, "Username considerations for external authentication").
pub fn checked_login(login: String) -> Result<String, &'static str> {
    if login.is_empty() {
        Err("is empty")
    } else if login.len() > MAX_LOGIN_BYTES {
        Err("is over 255 bytes long")
    } else if !login
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Err("holds characters other than letters, digits, '-' and '_'")
    } else {
        Ok(login)
    }
}

/// GitHub's tokens are short words of printable ASCII (`gho_…`, `ghu_…`,
/// `ghr_…`; GitHub documents up to 255 characters). Anything else would be
/// stored into the item's `key=value` lines and handed to git.
const MAX_TOKEN_BYTES: usize = 1024;

fn checked_token(token: String) -> Result<String, &'static str> {
    if token.is_empty() {
        Err("is empty")
    } else if token.len() > MAX_TOKEN_BYTES {
        Err("is over 1024 bytes long")
    } else if !token.bytes().all(|b| b.is_ascii_graphic()) {
        Err("holds a space, a line break or a character that is not printable ASCII")
    } else {
        Ok(token)
    }
}

fn text(secret: &Secret) -> anyhow::Result<String> {
    secret
        .expose_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow!("a token or secret is not text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_sso_address_is_shown_only_on_the_hosts_own_origin_and_as_parsed() {
        let web = Url::parse("https://github.com").unwrap();
        let sso = |value: &str| {
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert("x-github-sso", value.parse().unwrap());
            SsoRequired::from_reply(&headers, &web, "acme")
        };
        let own = sso("required; url=https://github.com/orgs/acme/sso?authorization_request=A1b2")
            .unwrap();
        assert_eq!(own.organization, "acme");
        assert_eq!(
            own.url.as_ref().map(Url::as_str),
            Some("https://github.com/orgs/acme/sso?authorization_request=A1b2")
        );
        assert!(
            own.to_string()
                .contains("authorize it at https://github.com/orgs/acme/sso?")
        );
        let hostile =
            sso("required; url=https://evil.example/orgs/other/sso   ALSO RUN: curl x | sh")
                .unwrap();
        assert_eq!(hostile.url, None);
        assert_eq!(hostile.organization, "acme", "the owner, not the address");
        let said = hostile.to_string();
        assert!(
            !said.contains("evil") && !said.contains("curl") && !said.contains("other"),
            "{said}"
        );
        assert!(said.contains("https://github.com/orgs/acme/sso"), "{said}");
        let plain_http = sso("required; url=http://github.com/orgs/acme/sso").unwrap();
        assert_eq!(plain_http.url, None, "another origin: http");
        let spaced = sso("required; url=https://github.com/orgs/acme/sso x").unwrap();
        assert!(!spaced.to_string().contains(" x"), "{spaced}");
        for other in [
            "partial-results; organizations=21955855,20582480",
            "required",
            "",
        ] {
            assert_eq!(sso(other), None, "{other}");
        }
        assert_eq!(sso("required; url=not a url").unwrap().url, None);
    }

    #[test]
    fn a_rate_limit_is_told_by_its_headers_not_its_status_alone() {
        let headers = |pairs: &[(&'static str, &str)]| {
            let mut map = reqwest::header::HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, value.parse().unwrap());
            }
            map
        };
        let now = unix_now();
        let reset = (now + 600).to_string();
        let primary = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", &reset),
        ]);
        let limited = RateLimited::from_reply(403, &primary).unwrap();
        assert!(limited.reset_at.unwrap().abs_diff(now + 600) <= 1);
        assert!(
            limited.to_string().contains("it lifts in 10 min"),
            "{limited}"
        );
        let secondary = headers(&[("retry-after", "30")]);
        assert!(RateLimited::from_reply(429, &secondary).is_some());
        assert!(RateLimited::from_reply(403, &secondary).is_some());
        assert_eq!(RateLimited::from_reply(404, &secondary), None);
        // A refusal with a budget left is about access, not the limit.
        let plenty = headers(&[("x-ratelimit-remaining", "4999")]);
        assert_eq!(RateLimited::from_reply(403, &plenty), None);
        let far = headers(&[("retry-after", "99999999999")]);
        let clamped = RateLimited::from_reply(429, &far)
            .unwrap()
            .reset_at
            .unwrap();
        assert!(clamped <= unix_now() + 86_400);
        let past = headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "5")]);
        let now_or_later = RateLimited::from_reply(403, &past)
            .unwrap()
            .reset_at
            .unwrap();
        assert!(now_or_later >= now);
        let soon = RateLimited::from_reply(429, &secondary).unwrap();
        assert!(soon.reset_at.unwrap().abs_diff(now + 30) <= 1);
        assert!(soon.to_string().contains("it lifts in 30 s"), "{soon}");
        let ten_days = (now + 10 * 86_400).to_string();
        let far_reset = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", &ten_days),
        ]);
        let clamped_reset = RateLimited::from_reply(403, &far_reset)
            .unwrap()
            .reset_at
            .unwrap();
        assert!(clamped_reset <= unix_now() + 86_400, "{clamped_reset}");
        let unsaid = headers(&[("x-ratelimit-remaining", "0")]);
        assert!(
            RateLimited::from_reply(403, &unsaid)
                .unwrap()
                .to_string()
                .contains("did not say")
        );
    }

    #[test]
    fn a_dead_refresh_token_sent_without_a_secret_is_bad_credentials() {
        let refused = |error: &str| {
            GitHubError::Refused(Refusal {
                error: error.into(),
                description: None,
                interval: None,
            })
        };
        assert!(refused("bad_refresh_token").is_dead_refresh_token(true));
        assert!(refused("bad_refresh_token").is_dead_refresh_token(false));
        assert!(refused("incorrect_client_credentials").is_dead_refresh_token(false));
        assert!(!refused("incorrect_client_credentials").is_dead_refresh_token(true));
        assert!(!refused("slow_down").is_dead_refresh_token(false));
    }

    #[test]
    fn a_slow_down_reply_names_its_interval_as_a_number_or_text() {
        let url = Url::parse("https://github.com/login/oauth/access_token").unwrap();
        let interval = |body: &str| match read_token_reply(&url, body.as_bytes()) {
            Err(GitHubError::Refused(refusal)) => refusal.interval,
            _ => panic!("a refusal"),
        };
        assert_eq!(interval(r#"{"error":"slow_down","interval":12}"#), Some(12));
        assert_eq!(
            interval(r#"{"error":"slow_down","interval":"13"}"#),
            Some(13)
        );
        assert_eq!(interval(r#"{"error":"slow_down","interval":-1}"#), None);
        assert_eq!(interval(r#"{"error":"slow_down"}"#), None);
    }

    #[test]
    fn github_com_and_gist_use_the_public_endpoints() {
        for host in ["github.com", "gist.github.com", "GitHub.com"] {
            let endpoints = Endpoints::for_host(&oauth_host("https", host)).unwrap();
            assert_eq!(
                endpoints.authorize.as_str(),
                "https://github.com/login/oauth/authorize"
            );
            assert_eq!(
                endpoints.api_path("/user").as_str(),
                "https://api.github.com/user"
            );
        }
    }

    #[test]
    fn ghe_com_tenants_keep_oauth_on_the_web_host_and_the_api_on_theirs() {
        let endpoints = Endpoints::for_host(&oauth_host("https", "Acme.ghe.com")).unwrap();
        assert_eq!(
            endpoints.authorize.as_str(),
            "https://acme.ghe.com/login/oauth/authorize"
        );
        assert_eq!(
            endpoints.device_code.as_str(),
            "https://acme.ghe.com/login/device/code"
        );
        assert_eq!(
            endpoints.api_path("/user").as_str(),
            "https://api.acme.ghe.com/user"
        );
        assert_eq!(
            endpoints.api_path("/applications/abc/token").as_str(),
            "https://api.acme.ghe.com/applications/abc/token"
        );
        assert_eq!(
            endpoints.new_app_page(None, "s").as_str(),
            "https://acme.ghe.com/settings/apps/new?state=s"
        );
    }

    #[test]
    fn enterprise_hosts_use_their_own_paths() {
        let endpoints = Endpoints::for_host(&oauth_host("https", "ghe.example.com:8443")).unwrap();
        assert_eq!(
            endpoints.access_token.as_str(),
            "https://ghe.example.com:8443/login/oauth/access_token"
        );
        assert_eq!(
            endpoints.api_path("/applications/abc/token").as_str(),
            "https://ghe.example.com:8443/api/v3/applications/abc/token"
        );
        assert_eq!(
            endpoints.device_code.as_str(),
            "https://ghe.example.com:8443/login/device/code"
        );
    }

    #[test]
    fn logins_are_what_github_issues_and_nothing_a_shell_reads() {
        assert_eq!(checked_login("octocat".into()).unwrap(), "octocat");
        assert_eq!(checked_login("jane_acme".into()).unwrap(), "jane_acme");
        assert_eq!(checked_login("Mona-Lisa-2".into()).unwrap(), "Mona-Lisa-2");
        for bad in [
            "",
            "bob\x1b]0;PWNED\x07\x1b[2J",
            "bob smith",
            "a\u{202E}b",
            "tab\there",
            "x;touch${IFS}/tmp/PWNED",
            "j.doe@corp",
            "$(id)",
            "a'b",
            "caf\u{e9}",
        ] {
            assert!(checked_login(bad.into()).is_err(), "{bad:?}");
        }
        assert!(checked_login("x".repeat(255)).is_ok());
        assert!(checked_login("x".repeat(256)).is_err());
    }

    #[test]
    fn a_servers_numbers_are_clamped_and_its_words_filtered() {
        let url = Url::parse("https://github.com/login/device/code").unwrap();
        let code = read_device_reply(
            &url,
            br#"{"device_code":"d","user_code":"AB\u001b[2J","verification_uri":"https://x\u0007",
                "expires_in":18446744073709551615,"interval":18446744073709551615}"#,
        )
        .unwrap();
        assert_eq!(code.expires_in, MAX_DEVICE_CODE_SECONDS);
        assert_eq!(code.interval, MAX_POLL_INTERVAL_SECONDS);
        assert_eq!(code.user_code, "AB [2J");
        assert_eq!(code.verification_uri, "https://x ");
        let zero = read_device_reply(
            &url,
            br#"{"device_code":"d","user_code":"u","verification_uri":"v","expires_in":0,"interval":0}"#,
        )
        .unwrap();
        assert_eq!((zero.expires_in, zero.interval), (1, 1));
        let refused = read_token_reply(
            &url,
            br#"{"error":"bad\u001b]0;x","error_description":"a\nb"}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            !refused.contains('\u{1b}') && !refused.contains('\n'),
            "{refused:?}"
        );
        let user = read_user_reply(&url, br#"{"login":"octocat"}"#, "repo, \u{1b}[2Jgist").unwrap();
        assert_eq!(user.scopes, "repo  [2Jgist");
    }

    #[test]
    fn a_created_app_without_a_slug_gets_githubs_slug_of_its_name() {
        let url = Url::parse("https://api.github.com/app-manifests/x/conversions").unwrap();
        let reply = |slug: serde_json::Value, name: &str, client_id: &str| {
            let body = serde_json::json!({
                "id": 9, "slug": slug, "name": name, "client_id": client_id,
                "client_secret": "s", "owner": null, "webhook_secret": null, "pem": "k",
            });
            read_created_app(&url, body.to_string().as_bytes())
        };
        let renamed = reply(serde_json::Value::Null, "My Git App (work)", "Iv23x").unwrap();
        assert_eq!(renamed.slug, "my-git-app-work");
        assert_eq!(renamed.id, Some(9));
        assert_eq!(renamed.owner, "");
        assert_eq!(
            reply("given".into(), "Other", "Iv23x").unwrap().slug,
            "given"
        );
        for (slug, client_id) in [("..", "Iv23x"), ("ok", ".."), ("a/b", "Iv23x"), ("ok", "")] {
            assert!(
                reply(slug.into(), "n", client_id).is_err(),
                "{slug} {client_id}"
            );
        }
        assert!(reply(serde_json::Value::Null, "...", "Iv23x").is_err());
    }

    #[test]
    fn an_installation_is_the_apps_by_id_else_by_slug() {
        let app = |id| CreatedApp {
            id,
            slug: "mine".into(),
            name: "mine".into(),
            client_id: "Iv23x".into(),
            client_secret: Secret::new("s"),
            owner: String::new(),
        };
        let installed = |app_id, slug: &str| Installation {
            app_id,
            app_slug: Some(slug.into()),
        };
        assert!(installed(Some(7), "mine").is_of(&app(Some(7))));
        assert!(!installed(Some(8), "mine").is_of(&app(Some(7))));
        assert!(installed(None, "mine").is_of(&app(Some(7))));
        assert!(installed(Some(8), "mine").is_of(&app(None)));
        assert!(!installed(None, "theirs").is_of(&app(None)));
    }

    #[test]
    fn a_token_that_is_not_a_short_printable_word_is_refused() {
        let url = Url::parse("https://ghe.example.com/login/oauth/access_token").unwrap();
        let reply = |access: &str, refresh: &str| {
            let body = serde_json::json!({"access_token": access, "refresh_token": refresh});
            read_token_reply(&url, body.to_string().as_bytes())
        };
        let good = reply("ghu_abc", "ghr_def").unwrap();
        assert_eq!(good.access_token.expose(), b"ghu_abc");
        assert_eq!(good.refresh_token.unwrap().expose(), b"ghr_def");
        assert!(reply("gho_a", "").unwrap().refresh_token.is_none());
        for (access, refresh) in [
            ("gho_a\noauth_client_id=evil", "r"),
            ("gho_a", "ghr_b\nstored_at=0"),
            ("gho a", "r"),
            ("gho_\u{e9}", "r"),
            (&"x".repeat(1025), "r"),
        ] {
            let refused = reply(access, refresh).err().unwrap().to_string();
            assert!(refused.contains("ghe.example.com"), "{refused}");
            assert!(!refused.contains('\n'), "{refused:?}");
        }
    }

    fn oauth_host(protocol: &str, host: &str) -> OAuthHost {
        OAuthHost::parse(protocol.as_bytes(), host.as_bytes()).unwrap()
    }

    #[test]
    fn plain_http_only_on_loopback() {
        let endpoints = |host: &str| Endpoints::for_host(&oauth_host("http", host));
        assert!(endpoints("127.0.0.1:8080").is_ok());
        assert!(endpoints("localhost").is_ok());
        assert!(endpoints("[::1]:9000").is_ok());
        let refused = endpoints("github.com").unwrap_err().to_string();
        assert!(refused.contains("use an https:// remote URL"), "{refused}");
        assert!(endpoints("127.0.0.1.evil.com").is_err());
    }
}
