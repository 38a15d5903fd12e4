//! A fake GitHub on a loopback port, strict where GitHub is strict.
//!
//! It serves the OAuth web flow (`/login/oauth/authorize`,
//! `/login/oauth/access_token`), the REST calls the helper makes
//! (`/api/v3/user`, `DELETE /api/v3/applications/{id}/token`), and real git
//! smart HTTP through `git http-backend`, with Basic auth checked against
//! the tokens it issued. What it enforces, as GitHub does:
//! - a known client id, and its secret at the token endpoint;
//! - the loopback redirect rule: registered `http://127.0.0.1/callback`,
//!   any port, and the same redirect_uri again at the exchange;
//! - codes that work once and expire after ten minutes;
//! - PKCE S256 when a challenge was sent (only S256 is accepted);
//! - errors as HTTP 200 with an `error` field, form-encoded unless JSON was
//!   asked for; a User-Agent on API calls;
//! - revocation with the app's Basic auth, 404 for an unknown token;
//! - as a GitHub App with expiring tokens ([`FakeGitHub::issue_expiring_tokens`]):
//!   `ghu_` tokens with `expires_in`, and `ghr_` refresh tokens that work
//!   once; refreshing kills both the refresh token and the old access token;
//! - 401 with `WWW-Authenticate: Basic realm="GitHub"` for git without a
//!   live token, anonymous fetches from public repositories.
//!
//! - the app-manifest flow for `setup`: a code that converts once within an
//!   hour; a reply whose `slug`, `owner` and `webhook_secret` may be null; the
//!   installation page under the app's slug; `GET /user/installations` with
//!   a user token, the only proof of an installation.
//!
//! What it assumes beyond GitHub's documentation, each marked where it is
//! coded ("an assumption"):
//! - the installation redirect to `setup_url` carries our `state` back (many
//!   apps see it; GitHub documents only `installation_id`):
//!   [`InstallUser::InstallsWithoutState`] drops it, and setup must pass both ways;
//! - a webhook URL GitHub cannot reach (loopback) is refused in a manifest
//!   (observed; the manifest page does not say so);
//! - a renamed app's slug is its name lowercased with every run of other
//!   characters made one `-` (GitHub's slugs look so; the rule is not
//!   published);
//! - the consent page's HTML is the fake's own; the helper never reads it.
//!
//! It lives under tests/ so it never ships. Its server thread stops when the
//! fake is dropped, or after [`LIFETIME`] whatever happens.
#![allow(dead_code)]

mod proxy;
mod tls;

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
pub const REGISTERED_CALLBACK: &str = "http://127.0.0.1/callback";
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
}

/// An authorization request as the fake saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    pub state: String,
    pub code_challenge: Option<String>,
    pub redirect_uri: Option<String>,
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
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind a loopback port");
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

    /// The same fake behind HTTPS with a certificate from a test CA, as a
    /// GitHub Enterprise Server at `https://127.0.0.1:<port>`.
    pub fn start_https(repos: &Path, client_secret: &str, on_issue: fn(&str)) -> FakeGitHub {
        let mut fake = FakeGitHub::start(repos, client_secret, on_issue);
        let plain_port: u16 = fake.host.rsplit(':').next().unwrap().parse().unwrap();
        let front = tls::TlsFront::start(plain_port, repos);
        fake.host = format!("127.0.0.1:{}", front.port);
        fake.base_url = format!("https://127.0.0.1:{}", front.port);
        fake.ca_file = Some(front.ca_file.clone());
        fake.state.lock().unwrap().web_url = fake.base_url.clone();
        fake.tls = Some(front);
        fake
    }

    /// The fake as github.com itself: the OAuth pages and git at
    /// `https://github.com`, the REST API at `https://api.github.com` (no
    /// `/api/v3`), both reached through a CONNECT proxy on loopback with a
    /// certificate from the test CA. Point `HTTPS_PROXY` at `proxy_url`
    /// and trust `ca_file`.
    pub fn start_as_github_com(
        repos: &Path,
        client_secret: &str,
        on_issue: fn(&str),
    ) -> FakeGitHub {
        let mut fake = FakeGitHub::start_https(repos, client_secret, on_issue);
        let tls_port = fake.tls.as_ref().unwrap().port;
        let proxy = proxy::ConnectProxy::start(tls_port);
        fake.proxy_url = Some(format!("http://127.0.0.1:{}", proxy.port));
        fake.proxy = Some(proxy);
        fake.host = "github.com".into();
        fake.base_url = "https://github.com".into();
        fake.state.lock().unwrap().web_url = fake.base_url.clone();
        fake
    }

    /// Every CONNECT target the proxy was asked for.
    pub fn proxy_targets(&self) -> Vec<String> {
        self.proxy
            .as_ref()
            .map(|proxy| proxy.targets.lock().unwrap().clone())
            .unwrap_or_default()
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

    /// A public repository `<owner>/<name>.git` with one commit on main.
    pub fn create_repo(&self, owner_and_name: &str) -> String {
        let bare = self.repos.join(format!("{owner_and_name}.git"));
        let seed = self.repos.join(format!("{owner_and_name}.seed"));
        git(
            &self.repos,
            &["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()],
        );
        git(
            &self.repos,
            &["init", "-q", "-b", "main", seed.to_str().unwrap()],
        );
        std::fs::write(seed.join("README.md"), "hello\n").unwrap();
        git(&seed, &["add", "README.md"]);
        git(&seed, &["commit", "-q", "-m", "first"]);
        git(&seed, &["push", "-q", bare.to_str().unwrap(), "main"]);
        std::fs::remove_dir_all(&seed).unwrap();
        format!("{}/{owner_and_name}.git", self.base_url)
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

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=Fake", "-c", "user.email=fake@example.com"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::null())
        .status()
        .expect("git");
    assert!(status.success(), "git {args:?} failed");
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
    // As github.com: the REST API lives on api.github.com, at its root, and
    // github.com itself has no /api/v3.
    let path = match host.as_str() {
        "api.github.com" => format!("/api/v3{}", url.path()),
        "github.com" if url.path().starts_with("/api/") => "/no-such-page".to_string(),
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
                TokenEndpoint::Works => {
                    let form: HashMap<String, String> =
                        url::form_urlencoded::parse(&body).into_owned().collect();
                    let json = accept.contains("application/json");
                    if form.get("grant_type").map(String::as_str) == Some(DEVICE_GRANT) {
                        device_token(state, &form, json)
                    } else {
                        access_token(state, &form, json)
                    }
                }
            }
        }
        ("POST", "/login/device/code") => {
            let form: HashMap<String, String> =
                url::form_urlencoded::parse(&body).into_owned().collect();
            device_code(state, &form, accept.contains("application/json"))
        }
        ("GET", "/api/v3/user") => user(state, authorization.as_deref(), user_agent.as_deref()),
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
    for (name, value) in reply.headers {
        response
            .add_header(tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap());
    }
    let _ = request.respond(response);
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    fn json(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![(
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            )],
            body: body.as_bytes().to_vec(),
        }
    }

    fn redirect(location: &str) -> Reply {
        Reply {
            status: 302,
            headers: vec![("Location".into(), location.into())],
            body: Vec::new(),
        }
    }

    /// The token endpoint's reply: JSON when asked for, else form-encoded,
    /// always with status 200, errors included.
    fn token_endpoint(pairs: &[(&str, String)], json: bool) -> Reply {
        if json {
            // Counts (expires_in, interval) are JSON numbers, as GitHub sends them.
            let value = |v: &String| match v.parse::<u64>() {
                Ok(number) if !v.is_empty() => serde_json::Value::from(number),
                _ => serde_json::Value::String(v.clone()),
            };
            let object: serde_json::Map<String, serde_json::Value> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), value(v)))
                .collect();
            Reply::json(200, &serde_json::Value::Object(object).to_string())
        } else {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
                .finish();
            Reply {
                status: 200,
                headers: vec![(
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded; charset=utf-8".into(),
                )],
                body: body.into_bytes(),
            }
        }
    }
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

/// GitHub's rule for loopback callbacks: scheme, host and path as
/// registered; the port may be anything.
/// The manifest flow's form: GitHub validates the manifest, shows "Create
/// GitHub App", and on a press redirects to `redirect_url` with a code.
fn manifest_form(state: &Mutex<State>, query: &HashMap<String, String>, body: &[u8]) -> Reply {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let Some(manifest) = form
        .get("manifest")
        .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
    else {
        return Reply::text(422, "<p>The manifest is missing or not JSON.</p>");
    };
    if let Err(why) = check_manifest(&manifest) {
        return Reply::text(422, &format!("<p>Invalid manifest: {why}</p>"));
    }
    let mut state = state.lock().unwrap();
    state.manifest = Some(manifest.clone());
    let redirect = manifest["redirect_url"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let code = match state.manifest_user {
        ManifestUser::WalksAway => {
            return Reply::text(200, "<p>Create GitHub App</p>");
        }
        ManifestUser::Creates | ManifestUser::CreatesRenamed => {
            let code = random_text("mc");
            state
                .manifest_codes
                .insert(code.clone(), Some(Instant::now()));
            code
        }
        ManifestUser::ReplaysACode => {
            let code = random_text("mc");
            state.manifest_codes.insert(code.clone(), None);
            code
        }
    };
    let mut target = url::Url::parse(&redirect).unwrap();
    target.query_pairs_mut().append_pair("code", &code);
    if let Some(their_state) = query.get("state") {
        target.query_pairs_mut().append_pair("state", their_state);
    }
    Reply::redirect(target.as_str())
}

/// What GitHub documents for a manifest, checked as GitHub would.
fn check_manifest(manifest: &serde_json::Value) -> Result<(), String> {
    let name = manifest["name"].as_str().unwrap_or_default();
    if name.is_empty() || name.chars().count() > 34 {
        return Err(format!("name '{name}' must be 1 to 34 characters"));
    }
    if manifest["url"].as_str().is_none_or(str::is_empty) {
        return Err("url is required".into());
    }
    let hook = manifest["hook_attributes"]["url"]
        .as_str()
        .unwrap_or_default();
    if hook.is_empty() {
        return Err("hook_attributes.url is required".into());
    }
    // GitHub refuses a webhook URL it cannot reach from the internet (an
    // assumption: observed, not in the manifest's documentation).
    let unreachable = url::Url::parse(hook).map_or(true, |url| {
        matches!(
            url.host_str(),
            None | Some("localhost" | "127.0.0.1" | "[::1]")
        )
    });
    if unreachable {
        return Err(format!(
            "hook_attributes.url '{hook}' is not reachable from GitHub"
        ));
    }
    let loopback = |value: &serde_json::Value| {
        value
            .as_str()
            .and_then(|text| url::Url::parse(text).ok())
            .is_some_and(|url| url.scheme() == "http" && url.host_str() == Some("127.0.0.1"))
    };
    if !loopback(&manifest["redirect_url"]) || !loopback(&manifest["setup_url"]) {
        return Err("redirect_url and setup_url must be URLs".into());
    }
    let callbacks = manifest["callback_urls"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if callbacks.is_empty() || callbacks.len() > 10 || !callbacks.iter().all(loopback) {
        return Err("callback_urls must hold 1 to 10 URLs".into());
    }
    if manifest["public"] != serde_json::Value::Bool(false) {
        return Err("this fake expects a private app".into());
    }
    Ok(())
}

/// `POST /app-manifests/{code}/conversions`: the app, once per code, within
/// an hour. The fake's app becomes a GitHub App with expiring tokens.
fn convert_manifest(state: &Mutex<State>, code: &str) -> Reply {
    let mut state = state.lock().unwrap();
    let fresh = matches!(
        state.manifest_codes.get(code),
        Some(Some(issued)) if issued.elapsed() < Duration::from_secs(3600)
    );
    if !fresh {
        return Reply::json(404, r#"{"message":"Not Found"}"#);
    }
    state.manifest_codes.insert(code.to_string(), None);
    let manifest = state.manifest.clone().unwrap_or_default();
    state.app_callbacks = Some(
        manifest["callback_urls"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|url| url.as_str().map(str::to_string))
            .collect(),
    );
    state.expiring = Some(Lifetimes {
        access: Duration::from_secs(8 * 3600),
        refresh: Duration::from_secs(15_897_600),
    });
    let (pem, webhook_secret) = (random_text("pem"), random_text("whsec"));
    (state.on_issue)(&pem);
    (state.on_issue)(&webhook_secret);
    let asked = manifest["name"].as_str().unwrap_or_default();
    let (name, slug_in_reply) = match state.manifest_user {
        ManifestUser::CreatesRenamed => (format!("{asked} (Renamed!)"), false),
        _ => (asked.to_string(), true),
    };
    let slug = github_slug(&name);
    state.app_slug = Some(slug.clone());
    let reply = serde_json::json!({
        "id": APP_ID,
        "slug": if slug_in_reply { serde_json::Value::from(slug.clone()) } else { serde_json::Value::Null },
        "name": name,
        "client_id": CLIENT_ID,
        "client_secret": state.client_secret,
        "pem": format!("-----BEGIN RSA PRIVATE KEY-----\n{pem}\n-----END RSA PRIVATE KEY-----\n"),
        "webhook_secret": webhook_secret,
        "owner": { "login": state.login },
        "html_url": format!("{}/apps/{slug}", state.web_url),
    });
    Reply::json(201, &reply.to_string())
}

/// The app's id at the fake (GitHub's conversion reply carries one).
const APP_ID: u64 = 4242;

/// How GitHub makes a slug of an app's name: lower case, each run of other
/// characters one `-`, none at the ends. The fake's own reading of it (an
/// assumption: GitHub's slugs look so, and the rule is not published).
fn github_slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.to_ascii_lowercase().chars() {
        match c.is_ascii_alphanumeric() || c == '_' {
            true => slug.push(c),
            false if !slug.ends_with('-') => slug.push('-'),
            false => {}
        }
    }
    slug.trim_matches('-').to_string()
}

/// The app's installation page, under its slug: once installed, GitHub
/// sends the browser to the manifest's `setup_url` with `installation_id`
/// and `setup_action`. GitHub documents nothing more; many apps see their
/// `state` come back too, which the fake does unless told not to (an
/// assumption, which setup must not rely on).
fn install_app(state: &Mutex<State>, slug: &str, query: &HashMap<String, String>) -> Reply {
    let mut state = state.lock().unwrap();
    if state.app_callbacks.is_none() || state.app_slug.as_deref() != Some(slug) {
        return Reply::text(404, "<p>No such app.</p>");
    }
    match state.install_user {
        InstallUser::WalksAway => return Reply::text(200, "<p>Install</p>"),
        InstallUser::RedirectsWithoutInstalling => {}
        InstallUser::Installs | InstallUser::InstallsWithoutState => state.installations += 1,
    }
    let setup = state
        .manifest
        .as_ref()
        .and_then(|manifest| manifest["setup_url"].as_str().map(str::to_string))
        .unwrap_or_default();
    let mut target = url::Url::parse(&setup).unwrap();
    target
        .query_pairs_mut()
        .append_pair("installation_id", "77")
        .append_pair("setup_action", "install");
    if let Some(their_state) = query
        .get("state")
        .filter(|_| state.install_user != InstallUser::InstallsWithoutState)
    {
        target.query_pairs_mut().append_pair("state", their_state);
    }
    Reply::redirect(target.as_str())
}

/// `GET /user/installations`: the installations a user token can reach.
fn user_installations(state: &Mutex<State>, authorization: Option<&str>) -> Reply {
    let state = state.lock().unwrap();
    let works = authorization
        .and_then(|a| {
            a.strip_prefix("Bearer ")
                .or_else(|| a.strip_prefix("token "))
        })
        .and_then(|token| state.tokens.get(token.trim()))
        .is_some_and(|token| token.works() && token.github_app);
    if !works {
        return Reply::json(
            401,
            r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}"#,
        );
    }
    let installations: Vec<serde_json::Value> = match (state.installations, &state.app_slug) {
        (0, _) | (_, None) => Vec::new(),
        (_, Some(slug)) => vec![serde_json::json!({
            "id": 77,
            "app_id": APP_ID,
            "app_slug": slug,
            "target_type": "User",
            "account": { "login": state.login },
        })],
    };
    Reply::json(
        200,
        &serde_json::json!({ "total_count": installations.len(), "installations": installations })
            .to_string(),
    )
}

fn redirect_is_registered(redirect_uri: &str) -> bool {
    let (Ok(given), Ok(registered)) = (
        url::Url::parse(redirect_uri),
        url::Url::parse(REGISTERED_CALLBACK),
    ) else {
        return false;
    };
    given.scheme() == registered.scheme()
        && given.host_str() == registered.host_str()
        && given.path() == registered.path()
        && given.query().is_none()
}

fn authorize(state: &Mutex<State>, query: &HashMap<String, String>) -> Reply {
    let mut state = state.lock().unwrap();
    state.consent_pages_shown += 1;
    if query.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return Reply::text(
            404,
            "<h1>404</h1><p>This is not the web page you are looking for.</p>",
        );
    }
    let redirect_uri = query.get("redirect_uri").cloned();
    let target = redirect_uri
        .clone()
        .unwrap_or_else(|| REGISTERED_CALLBACK.to_string());
    // A GitHub App's callback must be one it registered, exactly; an OAuth
    // app's may use any port on its registered loopback callback.
    let registered = match &state.app_callbacks {
        Some(callbacks) => callbacks.contains(&target),
        None => redirect_is_registered(&target),
    };
    if !registered {
        return Reply::text(
            200,
            "<h1>Be careful!</h1><p>The redirect_uri is not associated with this application.</p>",
        );
    }
    let challenge = query.get("code_challenge").cloned();
    state.authorize_requests.push(AuthorizeRequest {
        state: query.get("state").cloned().unwrap_or_default(),
        code_challenge: challenge.clone(),
        redirect_uri: query.get("redirect_uri").cloned(),
    });
    if challenge.is_some() && query.get("code_challenge_method").map(String::as_str) != Some("S256")
    {
        return Reply::text(400, "<p>code_challenge_method must be S256.</p>");
    }
    if let Some(hint) = query.get("login") {
        state.login_hints.push(hint.clone());
    }
    let given_state = query.get("state").cloned().unwrap_or_default();
    let back = |pairs: &[(&str, &str)]| {
        let mut url = url::Url::parse(&target).unwrap();
        url.query_pairs_mut().extend_pairs(pairs.iter().copied());
        Reply::redirect(url.as_str())
    };
    let consent = match (state.consent, query.get("decision").map(String::as_str)) {
        (Consent::AskUser, Some("authorize")) => Consent::Approve,
        (Consent::AskUser, Some(_)) => Consent::Deny,
        (consent, _) => consent,
    };
    match consent {
        Consent::AskUser => consent_page(query, &state.login),
        Consent::WalkAway => Reply::text(200, "<h1>Authorize app?</h1><button>Authorize</button>"),
        Consent::Deny => back(&[
            ("error", "access_denied"),
            (
                "error_description",
                "The user has denied your application access.",
            ),
            ("error_uri", "https://docs.github.com/apps/troubleshooting"),
            ("state", &given_state),
        ]),
        consent => {
            let code = random_text("");
            let challenge = if consent == Consent::SwapChallenge {
                Some(URL_SAFE_NO_PAD.encode(Sha256::digest(b"someone else's verifier")))
            } else {
                challenge
            };
            let login = state.login.clone();
            state.codes.insert(
                code.clone(),
                Code {
                    client_id: CLIENT_ID.to_string(),
                    redirect_uri,
                    challenge,
                    scopes: query.get("scope").cloned().unwrap_or_default(),
                    login,
                    issued: Instant::now(),
                },
            );
            state.authorizations += 1;
            let returned_state = if consent == Consent::TamperState {
                format!("{given_state}-tampered")
            } else {
                given_state
            };
            back(&[("code", &code), ("state", &returned_state)])
        }
    }
}

/// GitHub's consent page, reduced to what a person needs to decide.
fn consent_page(query: &HashMap<String, String>, login: &str) -> Reply {
    let link = |decision: &str| {
        let mut pairs = url::form_urlencoded::Serializer::new(String::new());
        pairs.extend_pairs(query.iter().filter(|(k, _)| *k != "decision"));
        pairs.append_pair("decision", decision);
        format!("/login/oauth/authorize?{}", pairs.finish())
    };
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('"', "&quot;")
    };
    let scopes = escape(query.get("scope").map_or("", String::as_str));
    Reply::text(
        200,
        &format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>Authorize application – fake GitHub</title></head>\
             <body style=\"font-family:system-ui,sans-serif;max-width:36em;margin:4em auto\">\
             <h1>Authorize git-credential-ghoauth demo</h1>\
             <p>This is the test suite's fake GitHub, on your own machine. Signed in as \
             <b>{login}</b>. The app asks for: <code>{scopes}</code>.</p>\
             <p><a id=\"authorize\" href=\"{}\" style=\"padding:.5em 1em;background:#1f883d;color:#fff;\
             text-decoration:none;border-radius:6px\">Authorize</a> \
             <a id=\"cancel\" href=\"{}\">Cancel</a></p></body></html>",
            escape(&link("authorize")),
            escape(&link("cancel")),
        ),
    )
}

fn access_token(state: &Mutex<State>, form: &HashMap<String, String>, json: bool) -> Reply {
    let refuse = |error: &str, description: &str| refusal(error, description, json);
    let mut state = state.lock().unwrap();
    let field = |name: &str| form.get(name).map(String::as_str);
    let secret_optional = field("grant_type") == Some("refresh_token")
        && field("refresh_token")
            .and_then(|token| state.refresh_tokens.get(token))
            .is_some_and(|token| token.from_device)
        && field("client_secret").is_none();
    if field("client_id") != Some(CLIENT_ID)
        || (!secret_optional && field("client_secret") != Some(state.client_secret.as_str()))
    {
        return refuse(
            "incorrect_client_credentials",
            "The client_id and/or client_secret passed are incorrect.",
        );
    }
    match field("grant_type") {
        None | Some("authorization_code") => {}
        Some("refresh_token") => return refresh(&mut state, form, json),
        Some(_) => return refuse("unsupported_grant_type", "The grant type is not supported."),
    }
    // Single use: whatever happens next, this code is spent.
    let Some(code) = field("code").and_then(|code| state.codes.remove(code)) else {
        return refuse(
            "bad_verification_code",
            "The code passed is incorrect or expired.",
        );
    };
    if code.issued.elapsed() > CODE_LIFETIME || code.client_id != CLIENT_ID {
        return refuse(
            "bad_verification_code",
            "The code passed is incorrect or expired.",
        );
    }
    if code.redirect_uri.is_some() && field("redirect_uri") != code.redirect_uri.as_deref() {
        return refuse(
            "redirect_uri_mismatch",
            "The redirect_uri MUST match the registered callback URL for this application.",
        );
    }
    if let Some(challenge) = &code.challenge {
        let verified = field("code_verifier").is_some_and(|verifier| {
            URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == *challenge
        });
        if !verified {
            return refuse(
                "bad_verification_code",
                "The code_verifier does not match the code_challenge.",
            );
        }
    }
    grant_token(&mut state, code.login, &code.scopes, json, false)
}

/// `grant_type=refresh_token`: a refresh token works once. Using it kills
/// it and the access token issued with it, and hands out a new pair.
fn refresh(state: &mut State, form: &HashMap<String, String>, json: bool) -> Reply {
    let presented = form.get("refresh_token").cloned().unwrap_or_default();
    let usable = match state.refresh_tokens.get_mut(&presented) {
        Some(token) if token.spent => {
            state.spent_refresh_tokens_presented += 1;
            None
        }
        Some(token) if Instant::now() >= token.expires => None,
        Some(token) => {
            token.spent = true;
            Some((
                token.login.clone(),
                token.access_token.clone(),
                token.from_device,
            ))
        }
        None => None,
    };
    let Some((login, old_access_token, from_device)) = usable else {
        return refusal(
            "bad_refresh_token",
            "The refresh token passed is incorrect or expired.",
            json,
        );
    };
    if let Some(old) = state.tokens.get_mut(&old_access_token) {
        old.live = false;
    }
    state.refreshes += 1;
    grant_token(state, login, "", json, from_device)
}

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

fn refusal(error: &str, description: &str, json: bool) -> Reply {
    Reply::token_endpoint(
        &[
            ("error", error.to_string()),
            ("error_description", description.to_string()),
            (
                "error_uri",
                "https://docs.github.com/apps/troubleshooting".to_string(),
            ),
        ],
        json,
    )
}

fn device_code(state: &Mutex<State>, form: &HashMap<String, String>, json: bool) -> Reply {
    let mut state = state.lock().unwrap();
    if form.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return Reply::json(404, r#"{"error":"Not Found"}"#);
    }
    if !state.device_flow_enabled {
        return refusal(
            "device_flow_disabled",
            "Device Flow must be explicitly enabled for this App",
            json,
        );
    }
    let device_code = random_text("");
    let letters: String = random_text("")
        .chars()
        .filter(char::is_ascii_uppercase)
        .chain("ABCDEFGH".chars())
        .take(8)
        .collect();
    let user_code = format!("{}-{}", &letters[..4], &letters[4..]);
    let (interval, expires_in) = (state.device_interval, state.device_expires_in);
    let login = state.login.clone();
    state.device_grants.insert(
        device_code.clone(),
        DeviceGrant {
            scopes: form.get("scope").cloned().unwrap_or_default(),
            login,
            issued: Instant::now(),
            expires_in,
            interval,
            last_poll: None,
            polls: 0,
        },
    );
    let verification_uri = format!("{}/login/device", state.web_url);
    if json {
        Reply::json(
            200,
            &serde_json::json!({
                "device_code": device_code,
                "user_code": user_code,
                "verification_uri": verification_uri,
                "expires_in": expires_in.as_secs(),
                "interval": interval.as_secs(),
            })
            .to_string(),
        )
    } else {
        Reply::token_endpoint(
            &[
                ("device_code", device_code),
                ("user_code", user_code),
                ("verification_uri", verification_uri),
                ("expires_in", expires_in.as_secs().to_string()),
                ("interval", interval.as_secs().to_string()),
            ],
            false,
        )
    }
}

fn device_token(state: &Mutex<State>, form: &HashMap<String, String>, json: bool) -> Reply {
    let mut state = state.lock().unwrap();
    if form.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return refusal(
            "incorrect_client_credentials",
            "The client_id is not valid.",
            json,
        );
    }
    let Some(code) = form.get("device_code").cloned() else {
        return refusal(
            "incorrect_device_code",
            "The device_code provided is not valid.",
            json,
        );
    };
    let demand_slower = std::mem::take(&mut state.demand_slower_once);
    let user = state.device_user;
    let Some(grant) = state.device_grants.get_mut(&code) else {
        return refusal(
            "incorrect_device_code",
            "The device_code provided is not valid.",
            json,
        );
    };
    if grant.issued.elapsed() > grant.expires_in {
        return refusal("expired_token", "The device_code has expired.", json);
    }
    let gap = grant.last_poll.map(|last| last.elapsed());
    let too_early = gap.is_some_and(|gap| gap < grant.interval);
    grant.last_poll = Some(Instant::now());
    state.poll_gaps.extend(gap);
    let Some(grant) = state.device_grants.get_mut(&code) else {
        unreachable!("found just above, under the same lock");
    };
    if too_early || demand_slower {
        grant.interval += Duration::from_secs(5);
        let interval = grant.interval.as_secs().to_string();
        state.slow_downs += 1;
        return Reply::token_endpoint(
            &[
                ("error", "slow_down".to_string()),
                (
                    "error_description",
                    "Too many requests have been made in the same timeframe.".to_string(),
                ),
                ("interval", interval),
            ],
            json,
        );
    }
    grant.polls += 1;
    match user {
        DeviceUser::Denies => refusal(
            "access_denied",
            "The authorization request was denied.",
            json,
        ),
        DeviceUser::EntersCodeAfterPolls(polls) if grant.polls > polls => {
            let grant = state.device_grants.remove(&code).unwrap();
            state.authorizations += 1;
            grant_token(&mut state, grant.login, &grant.scopes, json, true)
        }
        _ => refusal(
            "authorization_pending",
            "The authorization request is still pending.",
            json,
        ),
    }
}

/// Issues a token and answers as GitHub does: an OAuth app's token for the
/// scopes asked for (comma-separated); a GitHub App's with no scopes, an
/// expiry, and a refresh token.
fn grant_token(
    state: &mut State,
    login: String,
    requested_scopes: &str,
    json: bool,
    from_device: bool,
) -> Reply {
    let Some(lifetimes) = state.expiring else {
        let scopes = requested_scopes
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(",");
        let token = random_text("gho_");
        (state.on_issue)(&token);
        state.tokens.insert(
            token.clone(),
            Token {
                client_id: CLIENT_ID.to_string(),
                login,
                scopes: scopes.clone(),
                live: true,
                github_app: false,
                expires: None,
            },
        );
        return Reply::token_endpoint(
            &[
                ("access_token", token),
                ("scope", scopes),
                ("token_type", "bearer".to_string()),
            ],
            json,
        );
    };
    let (token, refresh_token) = (random_text("ghu_"), random_text("ghr_"));
    (state.on_issue)(&token);
    (state.on_issue)(&refresh_token);
    let now = Instant::now();
    state.tokens.insert(
        token.clone(),
        Token {
            client_id: CLIENT_ID.to_string(),
            login: login.clone(),
            scopes: String::new(),
            live: true,
            github_app: true,
            expires: Some(now + lifetimes.access),
        },
    );
    state.refresh_tokens.insert(
        refresh_token.clone(),
        RefreshToken {
            login,
            access_token: token.clone(),
            expires: now + lifetimes.refresh,
            spent: false,
            from_device,
        },
    );
    Reply::token_endpoint(
        &[
            ("access_token", token),
            ("expires_in", lifetimes.access.as_secs().to_string()),
            ("refresh_token", refresh_token),
            (
                "refresh_token_expires_in",
                lifetimes.refresh.as_secs().to_string(),
            ),
            ("scope", String::new()),
            ("token_type", "bearer".to_string()),
        ],
        json,
    )
}

fn user(state: &Mutex<State>, authorization: Option<&str>, user_agent: Option<&str>) -> Reply {
    if user_agent.is_none_or(str::is_empty) {
        return Reply::text(
            403,
            "Request forbidden by administrative rules. Please make sure your request has a User-Agent header.",
        );
    }
    let state = state.lock().unwrap();
    let token = authorization
        .and_then(|a| {
            a.strip_prefix("Bearer ")
                .or_else(|| a.strip_prefix("token "))
        })
        .and_then(|token| state.tokens.get(token.trim()))
        .filter(|token| token.works());
    match token {
        Some(token) => {
            let mut reply = Reply::json(
                200,
                &serde_json::json!({ "login": token.login, "id": 1, "type": "User" }).to_string(),
            );
            // Only OAuth apps' tokens have scopes to report.
            if !token.github_app {
                reply
                    .headers
                    .push(("X-OAuth-Scopes".into(), token.scopes.replace(',', ", ")));
            }
            reply
        }
        None => Reply::json(
            401,
            r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}"#,
        ),
    }
}

fn basic_credentials(authorization: Option<&str>) -> Option<(String, String)> {
    let encoded = authorization?.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

fn revoke(state: &Mutex<State>, client: &str, authorization: Option<&str>, body: &[u8]) -> Reply {
    let mut state = state.lock().unwrap();
    let app_ok = basic_credentials(authorization).is_some_and(|(id, secret)| {
        id == CLIENT_ID && client == CLIENT_ID && secret == state.client_secret
    });
    if !app_ok {
        return Reply::json(401, r#"{"message":"Bad credentials"}"#);
    }
    let token = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("access_token")?.as_str().map(str::to_string));
    match token
        .and_then(|token| state.tokens.get_mut(&token))
        .filter(|t| t.works() && t.client_id == client)
    {
        Some(token) => {
            token.live = false;
            state.revocations += 1;
            Reply {
                status: 204,
                headers: Vec::new(),
                body: Vec::new(),
            }
        }
        None => Reply::json(404, r#"{"message":"Not Found"}"#),
    }
}

#[allow(clippy::too_many_arguments)]
fn smart_http(
    state: &Mutex<State>,
    repos: &Path,
    method: &str,
    path: &str,
    query: &str,
    authorization: Option<&str>,
    content_type: Option<&str>,
    content_encoding: Option<&str>,
    git_protocol: Option<&str>,
    body: &[u8],
) -> Reply {
    let pushing = query.contains("service=git-receive-pack") || path.ends_with("/git-receive-pack");
    let login = basic_credentials(authorization).and_then(|(_, password)| {
        let state = state.lock().unwrap();
        state
            .tokens
            .get(&password)
            .filter(|t| t.works() && (t.github_app || t.scopes.split(',').any(|s| s == "repo")))
            .map(|t| t.login.clone())
    });
    if login.is_none() && (pushing || authorization.is_some()) {
        let mut reply = Reply::text(401, "Invalid username or token.");
        reply
            .headers
            .push(("WWW-Authenticate".into(), "Basic realm=\"GitHub\"".into()));
        return reply;
    }
    let mut command = Command::new("git");
    command
        .arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_PROJECT_ROOT", repos)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("REQUEST_METHOD", method)
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("CONTENT_LENGTH", body.len().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(login) = &login {
        command.env("REMOTE_USER", login);
    }
    if let Some(content_type) = content_type {
        command.env("CONTENT_TYPE", content_type);
    }
    if let Some(encoding) = content_encoding {
        command.env("HTTP_CONTENT_ENCODING", encoding);
    }
    if let Some(protocol) = git_protocol {
        command.env("GIT_PROTOCOL", protocol);
    }
    let mut child = command.spawn().expect("git http-backend");
    let mut stdin = child.stdin.take().unwrap();
    let input = body.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = bounded_output(child, Duration::from_secs(60));
    let _ = writer.join();
    let Some(output) = output else {
        return Reply::text(504, "git http-backend took too long");
    };
    cgi_reply(&output)
}

fn bounded_output(child: std::process::Child, limit: Duration) -> Option<Vec<u8>> {
    let pid = child.id();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    match receiver.recv_timeout(limit) {
        Ok(Ok(output)) => Some(output.stdout),
        _ => {
            // SAFETY: kill(2) on the pid of the child spawned just above.
            #[cfg(unix)]
            unsafe {
                libc::kill(pid as i32, libc::SIGKILL)
            };
            // Elsewhere the waiting thread is left to end with the process.
            #[cfg(not(unix))]
            let _ = pid;
            None
        }
    }
}

/// A CGI response: headers (with an optional `Status:`), a blank line, the body.
fn cgi_reply(output: &[u8]) -> Reply {
    let split = output
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| (at, 4))
        .or_else(|| {
            output
                .windows(2)
                .position(|w| w == b"\n\n")
                .map(|at| (at, 2))
        });
    let Some((at, gap)) = split else {
        return Reply::text(502, "git http-backend said nothing useful");
    };
    let mut reply = Reply {
        status: 200,
        headers: Vec::new(),
        body: output[at + gap..].to_vec(),
    };
    for line in String::from_utf8_lossy(&output[..at]).lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().to_string();
        if name.eq_ignore_ascii_case("Status") {
            reply.status = value
                .split_whitespace()
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(500);
        } else {
            reply.headers.push((name.to_string(), value));
        }
    }
    reply
}
