//! A fake GitHub on a loopback port, strict where GitHub is strict.
//!
//! It serves the OAuth web flow and the device flow, the REST calls the
//! helper makes, the app-manifest flow for `setup`, and real git smart
//! HTTP through `git http-backend`, with Basic auth checked against the
//! tokens it issued; as an Enterprise Server, or (behind its TLS front and
//! CONNECT proxy) as github.com or a GHE.com tenant.
//!
//! Every behaviour has a source in GitHub's documentation, or is marked an
//! assumption, in `tests/support/fake-github.md` and beside its code: where
//! the documentation is silent, the fake plays the answer worse for the
//! helper.
//!
//! It lives under tests/ so it never ships. Its server thread stops when the
//! fake is dropped, or after [`LIFETIME`] whatever happens.

mod device;
mod fronts;
mod manifest;
mod oauth;
mod proxy;
mod reply;
mod repositories;
mod rest;
mod smart_http;
mod tls;

use device::*;
pub use fronts::TENANT;
use fronts::is_api_host;
use manifest::*;
use oauth::*;
use reply::Reply;
use rest::*;
use smart_http::*;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

pub const CLIENT_ID: &str = "Ov23liFakeClientId01";
/// The secret of the app the second build carries built in
/// (`GHOAUTH_BUILTIN_CLIENT_ID` = [`CLIENT_ID`], see tests/run.sh): a fake
/// started with it is that app.
pub const BUILTIN_APP_SECRET: &str = "builtin-app-test-secret";
/// What the README tells people to register as their OAuth app's callback
/// (the helper's `DEFAULT_REDIRECT_URI`): where the fake sends a Cancel
/// unless a test registers another ([`FakeGitHub::register_oauth_callback`]).
pub const OAUTH_APP_CALLBACK: &str = "http://127.0.0.1:17829/callback";
/// No fake outlives this, even if a test forgets it.
pub const LIFETIME: Duration = Duration::from_secs(600);
const CODE_LIFETIME: Duration = Duration::from_secs(600);

/// What the user does on the consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// Presses Authorize: redirect with a code.
    Approve,
    /// Presses Cancel: redirect with `error=access_denied`.
    Deny,
    /// Authorizes, but the redirect carries another `state` (a forged link).
    TamperState,
    /// Authorizes, but the code is bound to another PKCE challenge, as if
    /// the code had been stolen and redeemed by someone else's verifier.
    SwapChallenge,
    /// Looks at the page and walks away: no redirect ever.
    WalkAway,
    /// A person decides: the page has Authorize and Cancel links (the demo).
    AskUser,
}

/// How the token endpoint behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenEndpoint {
    Works,
    /// Holds every request open until the fake stops (at most a minute).
    Stalls,
    /// Answers HTTP 500 with an HTML page, as a proxy or an outage would.
    Fails,
    /// Answers 200 with 8 MiB of whitespace, as a broken proxy might.
    Floods,
    /// Refuses every exchange with this OAuth error, as GitHub does (HTTP
    /// 200), e.g. `redirect_uri_mismatch` after the app's callback URL was
    /// changed between the consent and the exchange.
    Refuses(&'static str),
    /// Does the exchange (a code or refresh token is spent, a new pair is
    /// issued), then holds the reply back until the fake stops (at most a
    /// minute): for killing the helper between GitHub's work and its own.
    AnswersThenStalls,
}

/// What the user does on the "Create GitHub App" page of the manifest flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestUser {
    Creates,
    /// Renames the app on GitHub's form before creating it; the reply then
    /// carries the new name and, as GitHub's description allows, no slug.
    CreatesRenamed,
    /// Leaves the page: no redirect ever comes.
    WalksAway,
    /// The redirect carries a code that was converted already.
    ReplaysACode,
}

/// What the user does on the app's installation page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallUser {
    Installs,
    /// Installs, and GitHub's redirect to the setup URL carries only
    /// `installation_id` and `setup_action`: all that GitHub documents.
    InstallsWithoutState,
    /// The setup URL is reached, but nothing is installed (a redirect
    /// someone spoofed, as GitHub warns can happen).
    RedirectsWithoutInstalling,
    WalksAway,
}

/// A page the fake can hold open until the test lets it go, so that a
/// test can line up parallel gits behind the one that got there first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gate {
    ConsentPage,
    TokenEndpoint,
}

/// What the user does with a device code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceUser {
    /// Types the code and authorizes once the helper has polled this often.
    EntersCodeAfterPolls(usize),
    /// Types the code and presses Cancel.
    Denies,
    /// Never types it: the code expires.
    NeverEnters,
}

struct DeviceGrant {
    scopes: String,
    login: String,
    issued: Instant,
    expires_in: Duration,
    interval: Duration,
    last_poll: Option<Instant>,
    polls: usize,
}

struct Code {
    client_id: String,
    redirect_uri: Option<String>,
    challenge: Option<String>,
    scopes: String,
    login: String,
    issued: Instant,
}

pub struct Token {
    pub client_id: String,
    pub login: String,
    pub scopes: String,
    pub live: bool,
    /// A GitHub App's token: its permissions are the app's, not scopes.
    pub github_app: bool,
    pub expires: Option<Instant>,
}

impl Token {
    fn works(&self) -> bool {
        self.live && self.expires.is_none_or(|expiry| Instant::now() < expiry)
    }
}

struct RefreshToken {
    login: String,
    access_token: String,
    expires: Instant,
    spent: bool,
    /// Refresh tokens from the device flow are spent without the secret.
    from_device: bool,
}

/// How long a GitHub App's tokens live (GitHub: 8 hours and ~6 months).
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    pub access: Duration,
    pub refresh: Duration,
}

struct State {
    client_secret: String,
    consent: Consent,
    /// The account that is signed in to the fake in "the browser".
    login: String,
    token_endpoint: TokenEndpoint,
    device_user: DeviceUser,
    device_flow_enabled: bool,
    device_interval: Duration,
    device_expires_in: Duration,
    /// Answer the first poll with slow_down, as if it came too early.
    demand_slower_once: bool,
    /// What a slow_down adds to the interval (GitHub's docs say 5 s).
    slow_down_step: Duration,
    device_grants: HashMap<String, DeviceGrant>,
    slow_downs: usize,
    /// The time between each device poll and the one before it.
    poll_gaps: Vec<Duration>,
    codes: HashMap<String, Code>,
    tokens: HashMap<String, Token>,
    /// Set: a GitHub App with expiring tokens. Unset: an OAuth app.
    expiring: Option<Lifetimes>,
    refresh_tokens: HashMap<String, RefreshToken>,
    refreshes: usize,
    spent_refresh_tokens_presented: usize,
    held: std::collections::HashSet<Gate>,
    /// The OAuth app's registered callback URL, where a Cancel goes.
    oauth_callback: String,
    /// Whether revoking a live access token also ends the refresh token
    /// issued with it: undocumented, so off (the worse for us) unless a
    /// test turns it on.
    revoking_ends_refresh_token: bool,
    /// The REST API answers calls as rate-limited, this way: every call,
    /// or (GitHub's limits are per user) only those of one login.
    rate_limit: Option<(RateLimit, Option<String>)>,
    /// Public repositories' collaborators (lowercased), besides the owner.
    collaborators: HashMap<String, HashMap<String, Permission>>,
    /// Renamed repositories: old `owner/name` (lowercased) → where
    /// `GET /repos/{old}` redirects (`/repositories/{id}`, or elsewhere).
    renamed: HashMap<String, String>,
    /// `/repositories/{id}` → `owner/name`.
    repository_ids: HashMap<u64, String>,
    /// Token-endpoint replies done but never sent (AnswersThenStalls).
    replies_held_back: usize,
    consent_pages_shown: usize,
    authorizations: usize,
    login_hints: Vec<String>,
    revocations: usize,
    git_requests: Vec<(String, u16)>,
    /// Every request of any kind, counted as it arrives.
    requests: usize,
    /// `(Host, method, path)` of each.
    seen: Vec<(String, String, String)>,
    manifest_user: ManifestUser,
    install_user: InstallUser,
    /// Codes from the manifest flow, when issued; `None` once converted.
    manifest_codes: HashMap<String, Option<Instant>>,
    /// The manifest GitHub accepted last.
    manifest: Option<serde_json::Value>,
    /// Set once a manifest was converted: the app is a GitHub App, whose
    /// sign-ins must name one of these callbacks exactly.
    app_callbacks: Option<Vec<String>>,
    installations: usize,
    /// The created app's slug, which its installation page is under.
    app_slug: Option<String>,
    /// What each authorization request carried: its state and its PKCE
    /// challenge, if any.
    authorize_requests: Vec<AuthorizeRequest>,
    on_issue: fn(&str),
    /// `http(s)://127.0.0.1:<port>`, for absolute URLs in replies.
    web_url: String,
    /// Private repositories (`owner/name`, lowercased: GitHub's names
    /// ignore case), and who may do what in each. Any other repository is
    /// public, and any working token may push to it.
    private: HashMap<String, HashMap<String, Permission>>,
    repository_api: RepositoryApi,
    /// How long `GET /repos/…` takes to answer, as a far-away server would.
    repository_api_latency: Duration,
    /// (owner, login) pairs whose tokens lack SAML SSO authorization.
    sso_required: std::collections::HashSet<(String, String)>,
    /// How far the server's clock (its `Date` header) is ahead of ours.
    clock_ahead: Option<Duration>,
    /// Every request is held open until the fake stops (at most a minute).
    stalled: bool,
}

/// What an account may do in a private repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    Pull,
    Push,
}

/// How `GET /repos/{owner}/{repo}` behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepositoryApi {
    Works,
    /// Answers 502, as a proxy with GitHub out of reach would.
    Unreachable,
}

/// An authorization request as the fake saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    pub state: String,
    pub code_challenge: Option<String>,
    pub redirect_uri: Option<String>,
    /// `select_account` asks for GitHub's account picker.
    pub prompt: Option<String>,
}

/// How GitHub's REST API refuses a client over its rate limit (GitHub
/// Docs, "Rate limits for the REST API").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimit {
    /// The primary limit: 403, `x-ratelimit-remaining: 0` and
    /// `x-ratelimit-reset` (Unix seconds) this far ahead.
    Primary(Duration),
    /// A secondary limit: 403 with `retry-after` seconds.
    Secondary403(Duration),
    /// A secondary limit: 429 with `retry-after` seconds.
    Secondary429(Duration),
}

pub struct FakeGitHub {
    /// `127.0.0.1:<port>`, as git names the host.
    pub host: String,
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    pub repos: PathBuf,
    /// The test CA to trust, when the fake is served over HTTPS.
    pub ca_file: Option<PathBuf>,
    /// `http://127.0.0.1:<port>`, when the fake plays github.com behind a
    /// CONNECT proxy (see [`FakeGitHub::start_as_github_com`]).
    pub proxy_url: Option<String>,
    proxy: Option<proxy::ConnectProxy>,
    tls: Option<tls::TlsFront>,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    server_thread: Option<JoinHandle<()>>,
}

impl FakeGitHub {
    /// Starts a fake whose app has `client_secret`; `on_issue` sees every
    /// token it hands out (tests register them as secrets to watch for).
    pub fn start(repos: &Path, client_secret: &str, on_issue: fn(&str)) -> FakeGitHub {
        std::fs::create_dir_all(repos).unwrap();
        let server = tiny_http::Server::from_listener(unused_loopback_port(), None)
            .expect("serve on a loopback port");
        let port = server.server_addr().to_ip().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            client_secret: client_secret.to_string(),
            consent: Consent::Approve,
            login: "octocat".to_string(),
            token_endpoint: TokenEndpoint::Works,
            device_user: DeviceUser::EntersCodeAfterPolls(1),
            device_flow_enabled: true,
            device_interval: Duration::from_secs(1),
            device_expires_in: Duration::from_secs(900),
            demand_slower_once: false,
            slow_down_step: Duration::from_secs(5),
            device_grants: HashMap::new(),
            slow_downs: 0,
            poll_gaps: Vec::new(),
            codes: HashMap::new(),
            tokens: HashMap::new(),
            expiring: None,
            refresh_tokens: HashMap::new(),
            refreshes: 0,
            spent_refresh_tokens_presented: 0,
            held: Default::default(),
            oauth_callback: OAUTH_APP_CALLBACK.to_string(),
            revoking_ends_refresh_token: false,
            rate_limit: None,
            collaborators: HashMap::new(),
            renamed: HashMap::new(),
            repository_ids: HashMap::new(),
            replies_held_back: 0,
            consent_pages_shown: 0,
            authorizations: 0,
            login_hints: Vec::new(),
            revocations: 0,
            git_requests: Vec::new(),
            requests: 0,
            seen: Vec::new(),
            manifest_user: ManifestUser::Creates,
            install_user: InstallUser::Installs,
            manifest_codes: HashMap::new(),
            manifest: None,
            app_callbacks: None,
            installations: 0,
            app_slug: None,
            authorize_requests: Vec::new(),
            on_issue,
            web_url: format!("http://127.0.0.1:{port}"),
            private: HashMap::new(),
            repository_api: RepositoryApi::Works,
            repository_api_latency: Duration::ZERO,
            sso_required: Default::default(),
            clock_ahead: None,
            stalled: false,
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let server_thread = {
            let (state, stop, repos) = (state.clone(), stop.clone(), repos.to_path_buf());
            std::thread::spawn(move || serve(server, state, stop, repos))
        };
        FakeGitHub {
            host: format!("127.0.0.1:{port}"),
            base_url: format!("http://127.0.0.1:{port}"),
            repos: repos.to_path_buf(),
            ca_file: None,
            proxy_url: None,
            proxy: None,
            tls: None,
            state,
            stop,
            server_thread: Some(server_thread),
        }
    }

    pub fn set_manifest_user(&self, user: ManifestUser) {
        self.state.lock().unwrap().manifest_user = user;
    }

    pub fn set_install_user(&self, user: InstallUser) {
        self.state.lock().unwrap().install_user = user;
    }

    /// The manifest the fake accepted last.
    pub fn manifest(&self) -> Option<serde_json::Value> {
        self.state.lock().unwrap().manifest.clone()
    }

    /// How many apps were created (manifest codes converted).
    pub fn apps_created(&self) -> usize {
        let state = self.state.lock().unwrap();
        state
            .manifest_codes
            .values()
            .filter(|code| code.is_none())
            .count()
    }

    pub fn installations(&self) -> usize {
        self.state.lock().unwrap().installations
    }

    /// `(Host, method, path)` of every request, in order of arrival.
    pub fn seen(&self) -> Vec<(String, String, String)> {
        self.state.lock().unwrap().seen.clone()
    }

    /// Whether a request `method path` reached the fake under the name
    /// `host` (its `Host` header).
    pub fn reached(&self, host: &str, method: &str, path: &str) -> bool {
        self.seen()
            .iter()
            .any(|(h, m, p)| h == host && m == method && p == path)
    }

    /// How many requests of any kind reached the fake.
    pub fn requests(&self) -> usize {
        self.state.lock().unwrap().requests
    }

    pub fn authorize_requests(&self) -> Vec<AuthorizeRequest> {
        self.state.lock().unwrap().authorize_requests.clone()
    }

    pub fn set_consent(&self, consent: Consent) {
        self.state.lock().unwrap().consent = consent;
    }

    pub fn sign_in_as(&self, login: &str) {
        self.state.lock().unwrap().login = login.to_string();
    }

    pub fn set_device_user(&self, user: DeviceUser) {
        self.state.lock().unwrap().device_user = user;
    }

    /// GitHub's are 5 s and 900 s; tests want less.
    pub fn set_device_timing(&self, interval: Duration, expires_in: Duration) {
        let mut state = self.state.lock().unwrap();
        state.device_interval = interval;
        state.device_expires_in = expires_in;
    }

    pub fn disable_device_flow(&self) {
        self.state.lock().unwrap().device_flow_enabled = false;
    }

    pub fn demand_slower_once(&self) {
        self.state.lock().unwrap().demand_slower_once = true;
    }

    pub fn poll_gaps(&self) -> Vec<Duration> {
        self.state.lock().unwrap().poll_gaps.clone()
    }

    pub fn slow_downs(&self) -> usize {
        self.state.lock().unwrap().slow_downs
    }

    /// Behave as a GitHub App with expiring user tokens from now on; a
    /// later call changes the lifetimes of tokens issued after it.
    pub fn issue_expiring_tokens(&self, lifetimes: Lifetimes) {
        self.state.lock().unwrap().expiring = Some(lifetimes);
    }

    /// Requests to `gate` wait (at most a minute) until [`Self::release`].
    pub fn hold(&self, gate: Gate) {
        self.state.lock().unwrap().held.insert(gate);
    }

    pub fn release(&self, gate: Gate) {
        self.state.lock().unwrap().held.remove(&gate);
    }

    /// A GitHub App token pair that `login` got through some other tool,
    /// as GitHub would have issued it: (access token, refresh token).
    pub fn issue_pair_elsewhere(&self, login: &str) -> (String, String) {
        let mut state = self.state.lock().unwrap();
        assert!(state.expiring.is_some(), "only GitHub Apps issue pairs");
        let before: std::collections::HashSet<String> =
            state.refresh_tokens.keys().cloned().collect();
        grant_token(&mut state, login.to_string(), "", true, false);
        let refresh = state
            .refresh_tokens
            .keys()
            .find(|token| !before.contains(*token))
            .cloned()
            .unwrap();
        let access = state.refresh_tokens[&refresh].access_token.clone();
        (access, refresh)
    }

    /// Successful refreshes.
    pub fn refreshes(&self) -> usize {
        self.state.lock().unwrap().refreshes
    }

    /// Times a refresh token that had already been used was presented.
    pub fn spent_refresh_tokens_presented(&self) -> usize {
        self.state.lock().unwrap().spent_refresh_tokens_presented
    }

    /// Every refresh token stops working, as when the six months run out or
    /// the user revokes the app.
    pub fn expire_refresh_tokens(&self) {
        for token in self.state.lock().unwrap().refresh_tokens.values_mut() {
            token.expires = Instant::now();
        }
    }

    /// The refresh tokens that still work.
    pub fn live_refresh_tokens(&self) -> Vec<String> {
        let state = self.state.lock().unwrap();
        state
            .refresh_tokens
            .iter()
            .filter(|(_, t)| !t.spent && Instant::now() < t.expires)
            .map(|(token, _)| token.clone())
            .collect()
    }

    pub fn set_token_endpoint(&self, behaviour: TokenEndpoint) {
        self.state.lock().unwrap().token_endpoint = behaviour;
    }

    /// How many times "the browser" asked for the consent page, whatever
    /// the user then did.
    pub fn consent_pages_shown(&self) -> usize {
        self.state.lock().unwrap().consent_pages_shown
    }

    /// How many times a user approved the app (codes issued).
    pub fn authorizations(&self) -> usize {
        self.state.lock().unwrap().authorizations
    }

    pub fn login_hints(&self) -> Vec<String> {
        self.state.lock().unwrap().login_hints.clone()
    }

    pub fn revocations(&self) -> usize {
        self.state.lock().unwrap().revocations
    }

    /// Every token issued, live or not.
    pub fn tokens(&self) -> Vec<(String, bool)> {
        let state = self.state.lock().unwrap();
        state
            .tokens
            .iter()
            .map(|(token, t)| (token.clone(), t.works()))
            .collect()
    }

    /// The working tokens issued to `login`.
    pub fn live_tokens_of(&self, login: &str) -> Vec<String> {
        let state = self.state.lock().unwrap();
        state
            .tokens
            .iter()
            .filter(|(_, t)| t.login == login && t.works())
            .map(|(token, _)| token.clone())
            .collect()
    }

    pub fn is_live(&self, token: &str) -> bool {
        self.state
            .lock()
            .unwrap()
            .tokens
            .get(token)
            .is_some_and(Token::works)
    }

    /// Revokes a token behind the helper's back (the user did it in GitHub's
    /// settings, or an 11th authorization pushed it out).
    pub fn revoke_behind_the_back(&self, token: &str) {
        if let Some(t) = self.state.lock().unwrap().tokens.get_mut(token) {
            t.live = false;
        }
    }

    /// (method and path, status) of each git request, in order.
    pub fn git_requests(&self) -> Vec<(String, u16)> {
        self.state.lock().unwrap().git_requests.clone()
    }

    /// The server's clock runs this far ahead (its `Date` header says so).
    pub fn set_clock_ahead(&self, ahead: Duration) {
        self.state.lock().unwrap().clock_ahead = Some(ahead);
    }

    /// How many token-endpoint exchanges were done and their reply held
    /// back (`TokenEndpoint::AnswersThenStalls`).
    pub fn replies_held_back(&self) -> usize {
        self.state.lock().unwrap().replies_held_back
    }

    /// Every request from now on is held open, as a server that stalls.
    pub fn stall_everything(&self) {
        self.state.lock().unwrap().stalled = true;
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        drop(self.tls.take());
        if let Some(thread) = self.server_thread.take() {
            let _ = thread.join();
        }
    }
}

/// A loopback listener on a port no earlier fake in this process had.
/// Every test shares one Secret Service and one kernel-keyring cache, which
/// key what they hold by `127.0.0.1:<port>`: a fake on a port an earlier
/// one had would find that one's tokens (two hundred ports drawn at random
/// from the ephemeral range repeat one about half the time).
pub(crate) fn unused_loopback_port() -> std::net::TcpListener {
    static USED: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    let mut used = USED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    // Held until a fresh port comes, so that the OS cannot hand them back.
    let mut refused = Vec::new();
    for _ in 0..1000 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().unwrap().port();
        if !used.contains(&port) {
            used.push(port);
            return listener;
        }
        refused.push(listener);
    }
    panic!("no loopback port this process has not used yet, in 1000 tries");
}

fn serve(
    server: tiny_http::Server,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    repos: PathBuf,
) {
    let started = Instant::now();
    let mut workers = Vec::new();
    while !stop.load(Ordering::SeqCst) && started.elapsed() < LIFETIME {
        let Ok(Some(request)) = server.recv_timeout(Duration::from_millis(50)) else {
            continue;
        };
        // One thread a request: a stalled endpoint must not hold up others.
        let (state, stop, repos) = (state.clone(), stop.clone(), repos.clone());
        workers.push(std::thread::spawn(move || {
            handle(request, &state, &stop, &repos)
        }));
    }
    for worker in workers {
        let _ = worker.join();
    }
}

fn handle(mut request: tiny_http::Request, state: &Mutex<State>, stop: &AtomicBool, repos: &Path) {
    state.lock().unwrap().requests += 1;
    let url = url::Url::parse("http://fake")
        .unwrap()
        .join(request.url())
        .unwrap();
    let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
    let method = request.method().as_str().to_string();
    let headers = request.headers().to_vec();
    let header = |name: &'static str| {
        headers
            .iter()
            .find(|h| h.field.equiv(name))
            .map(|h| h.value.as_str().to_string())
    };
    let host = header("Host").unwrap_or_default();
    state
        .lock()
        .unwrap()
        .seen
        .push((host.clone(), method.clone(), url.path().to_string()));
    // As github.com or a GHE.com tenant: the REST API lives on its own
    // host, at its root, and the web host serves no API.
    let path = match host.as_str() {
        _ if is_api_host(&host) => format!("/api/v3{}", url.path()),
        "github.com" | TENANT if url.path().starts_with("/api/") => "/no-such-page".to_string(),
        _ => url.path().to_string(),
    };
    let (accept, authorization, user_agent, content_type) = (
        header("Accept").unwrap_or_default(),
        header("Authorization"),
        header("User-Agent"),
        header("Content-Type"),
    );
    let git_protocol = header("Git-Protocol");
    let content_encoding = header("Content-Encoding");
    let mut body = Vec::new();
    let _ = request.as_reader().take(64 << 20).read_to_end(&mut body);

    if state.lock().unwrap().stalled {
        let until = Instant::now() + Duration::from_secs(60);
        while !stop.load(Ordering::SeqCst) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
        return;
    }
    let gate = match path.as_str() {
        "/login/oauth/authorize" => Some(Gate::ConsentPage),
        "/login/oauth/access_token" => Some(Gate::TokenEndpoint),
        _ => None,
    };
    if let Some(gate) = gate {
        let until = Instant::now() + Duration::from_secs(60);
        while state.lock().unwrap().held.contains(&gate)
            && !stop.load(Ordering::SeqCst)
            && Instant::now() < until
        {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let reply = match (method.as_str(), path.as_str()) {
        ("POST", p)
            if p == "/settings/apps/new"
                || (p.starts_with("/organizations/") && p.ends_with("/settings/apps/new")) =>
        {
            manifest_form(state, &query, &body)
        }
        ("POST", p) if p.starts_with("/api/v3/app-manifests/") && p.ends_with("/conversions") => {
            let code = &p["/api/v3/app-manifests/".len()..p.len() - "/conversions".len()];
            convert_manifest(state, code)
        }
        ("GET", p) if p.starts_with("/apps/") && p.ends_with("/installations/new") => {
            let slug = &p["/apps/".len()..p.len() - "/installations/new".len()];
            install_app(state, slug, &query)
        }
        ("GET", "/api/v3/user/installations") => {
            user_installations(state, authorization.as_deref())
        }
        // A client with no GitHub session is sent to the sign-in page, for
        // any client id, known or not (observed; see
        // tests/support/fake-github.md). The tests' browser plays a person
        // who is signed in; the helper's own requests are told from it by
        // their User-Agent.
        ("GET", "/login/oauth/authorize")
            if user_agent
                .as_deref()
                .is_some_and(|agent| agent.starts_with("git-credential-ghoauth")) =>
        {
            let mut to_sign_in =
                url::Url::parse(&format!("{}/login", state.lock().unwrap().web_url)).unwrap();
            to_sign_in
                .query_pairs_mut()
                .append_pair(
                    "client_id",
                    query.get("client_id").map_or("", String::as_str),
                )
                .append_pair("return_to", url.path());
            Reply::redirect(to_sign_in.as_str())
        }
        ("GET", "/login/oauth/authorize") => authorize(state, &query),
        ("POST", "/login/oauth/access_token") => {
            let behaviour = state.lock().unwrap().token_endpoint;
            match behaviour {
                TokenEndpoint::Stalls => {
                    // Hold the request open until the fake stops, bounded.
                    let until = Instant::now() + Duration::from_secs(60);
                    while !stop.load(Ordering::SeqCst) && Instant::now() < until {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    Reply::text(504, "stalled")
                }
                TokenEndpoint::Fails => Reply::text(500, "<h1>Internal Server Error</h1>"),
                TokenEndpoint::Refuses(error) => refusal(
                    error,
                    "The request was refused.",
                    accept.contains("application/json"),
                ),
                TokenEndpoint::Floods => Reply {
                    status: 200,
                    headers: vec![("Content-Type".into(), "application/json".into())],
                    body: vec![b' '; 8 << 20],
                },
                TokenEndpoint::Works | TokenEndpoint::AnswersThenStalls => {
                    let form: HashMap<String, String> =
                        url::form_urlencoded::parse(&body).into_owned().collect();
                    let json = accept.contains("application/json");
                    let reply = if form.get("grant_type").map(String::as_str) == Some(DEVICE_GRANT)
                    {
                        device_token(state, &form, json)
                    } else {
                        access_token(state, &form, json)
                    };
                    // Only an exchange that issued something is held back.
                    if behaviour == TokenEndpoint::AnswersThenStalls
                        && String::from_utf8_lossy(&reply.body).contains("access_token")
                    {
                        state.lock().unwrap().replies_held_back += 1;
                        let until = Instant::now() + Duration::from_secs(60);
                        while !stop.load(Ordering::SeqCst) && Instant::now() < until {
                            std::thread::sleep(Duration::from_millis(20));
                        }
                        return;
                    }
                    reply
                }
            }
        }
        ("POST", "/login/device/code") => {
            let form: HashMap<String, String> =
                url::form_urlencoded::parse(&body).into_owned().collect();
            device_code(state, &form, accept.contains("application/json"))
        }
        ("GET", "/api/v3/user") => user(state, authorization.as_deref(), user_agent.as_deref()),
        ("GET", p) if p.starts_with("/api/v3/repositories/") => repository_by_id(
            state,
            stop,
            repos,
            &p["/api/v3/repositories/".len()..],
            authorization.as_deref(),
        ),
        ("GET", p) if p.starts_with("/api/v3/repos/") => repository(
            state,
            stop,
            repos,
            &p["/api/v3/repos/".len()..],
            authorization.as_deref(),
        ),
        ("DELETE", p) if p.starts_with("/api/v3/applications/") && p.ends_with("/token") => {
            let client = &p["/api/v3/applications/".len()..p.len() - "/token".len()];
            revoke(state, client, authorization.as_deref(), &body)
        }
        _ if path.contains(".git/") => {
            let reply = smart_http(
                state,
                repos,
                &method,
                &path,
                url.query().unwrap_or(""),
                authorization.as_deref(),
                content_type.as_deref(),
                content_encoding.as_deref(),
                git_protocol.as_deref(),
                &body,
            );
            state
                .lock()
                .unwrap()
                .git_requests
                .push((format!("{method} {path}"), reply.status));
            reply
        }
        _ => Reply::json(404, r#"{"message":"Not Found"}"#),
    };
    let mut response = tiny_http::Response::from_data(reply.body).with_status_code(reply.status);
    if let Some(ahead) = state.lock().unwrap().clock_ahead {
        let date = httpdate::fmt_http_date(std::time::SystemTime::now() + ahead);
        response.add_header(tiny_http::Header::from_bytes(&b"Date"[..], date.as_bytes()).unwrap());
    }
    for (name, value) in reply.headers {
        response
            .add_header(tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap());
    }
    let _ = request.respond(response);
}

fn random_text(prefix: &str) -> String {
    let mut bytes = [0u8; 27];
    getrandom::fill(&mut bytes).unwrap();
    let text: String = URL_SAFE_NO_PAD
        .encode(bytes)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(32)
        .collect();
    format!("{prefix}{text}")
}
