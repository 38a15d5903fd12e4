//! The REST calls: `GET /user`, `GET /repos/{owner}/{repo}`, and
//! revocation with the app's Basic auth; rate limits, collaborators of
//! public repositories, and renamed repositories.

use super::*;

impl FakeGitHub {
    /// From now on every `GET /user` and `GET /repos/…` is refused as over
    /// the rate limit, until [`FakeGitHub::lift_rate_limit`].
    pub fn set_rate_limit(&self, limit: RateLimit) {
        self.state.lock().unwrap().rate_limit = Some((limit, None));
    }

    /// As [`FakeGitHub::set_rate_limit`], for `login`'s tokens only: the
    /// primary limit is per user.
    pub fn set_rate_limit_for(&self, login: &str, limit: RateLimit) {
        self.state.lock().unwrap().rate_limit = Some((limit, Some(login.to_ascii_lowercase())));
    }

    pub fn lift_rate_limit(&self) {
        self.state.lock().unwrap().rate_limit = None;
    }

    /// `login` may do `permission` in the public repository
    /// `owner_and_name`; its owner may push without this, and anyone
    /// else may only read, as on GitHub.
    pub fn add_collaborator(&self, owner_and_name: &str, login: &str, permission: Permission) {
        self.state
            .lock()
            .unwrap()
            .collaborators
            .entry(owner_and_name.to_ascii_lowercase())
            .or_default()
            .insert(login.to_ascii_lowercase(), permission);
    }

    /// `old` was renamed (or transferred) to `new`: `GET /repos/{old}`
    /// answers 301 to `/repositories/{id}` on the same API host, as GitHub
    /// documents for renamed repositories ("Repositories" REST docs, the
    /// 301 response).
    pub fn rename_repo(&self, old: &str, new: &str) {
        let mut state = self.state.lock().unwrap();
        let id = 1000 + state.repository_ids.len() as u64;
        state.repository_ids.insert(id, new.to_string());
        let location = format!("{}/repositories/{id}", api_base(&state.web_url));
        state.renamed.insert(old.to_ascii_lowercase(), location);
    }

    /// `GET /repos/{old}` answers 301 to `location`, wherever that is: a
    /// hostile or broken server, which the helper must not follow.
    pub fn redirect_repo_to(&self, old: &str, location: &str) {
        let mut state = self.state.lock().unwrap();
        state
            .renamed
            .insert(old.to_ascii_lowercase(), location.to_string());
    }
}

/// The limit a request with `authorization` is over, if any.
fn limit_for(state: &State, authorization: Option<&str>) -> Option<RateLimit> {
    let (limit, only) = state.rate_limit.clone()?;
    let login = authorization
        .and_then(bearer_token)
        .and_then(|token| state.tokens.get(token))
        .map(|token| token.login.to_ascii_lowercase());
    match only {
        Some(only) if login.as_deref() != Some(only.as_str()) => None,
        _ => Some(limit),
    }
}

/// The REST API's root for a fake whose web root is `web_url`.
fn api_base(web_url: &str) -> String {
    match web_url.strip_prefix("https://") {
        Some(host) if host == "github.com" || host == TENANT => format!("https://api.{host}"),
        _ => format!("{web_url}/api/v3"),
    }
}

/// The rate-limit headers GitHub sends on every REST reply.
fn with_rate_headers(mut reply: Reply) -> Reply {
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    reply.headers.extend([
        ("x-ratelimit-limit".into(), "5000".into()),
        ("x-ratelimit-remaining".into(), "4999".into()),
        ("x-ratelimit-reset".into(), reset.to_string()),
    ]);
    reply
}

/// GitHub's refusal of a client over its limit (GitHub Docs, "Rate limits
/// for the REST API", and "Troubleshooting the REST API").
fn rate_limited(limit: RateLimit) -> Reply {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let secondary = r#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}"#;
    match limit {
        RateLimit::Primary(reset_in) => {
            let mut reply = Reply::json(
                403,
                r#"{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}"#,
            );
            reply.headers.extend([
                ("x-ratelimit-limit".into(), "5000".into()),
                ("x-ratelimit-remaining".into(), "0".into()),
                (
                    "x-ratelimit-reset".into(),
                    (now + reset_in.as_secs()).to_string(),
                ),
            ]);
            reply
        }
        RateLimit::Secondary403(after) | RateLimit::Secondary429(after) => {
            let status = if matches!(limit, RateLimit::Secondary429(_)) {
                429
            } else {
                403
            };
            let mut reply = Reply::json(status, secondary);
            reply
                .headers
                .push(("retry-after".into(), after.as_secs().to_string()));
            reply
        }
    }
}

pub(super) fn user(
    state: &Mutex<State>,
    authorization: Option<&str>,
    user_agent: Option<&str>,
) -> Reply {
    if user_agent.is_none_or(str::is_empty) {
        return Reply::text(
            403,
            "Request forbidden by administrative rules. Please make sure your request has a User-Agent header.",
        );
    }
    let state = state.lock().unwrap();
    if let Some(limit) = limit_for(&state, authorization) {
        return rate_limited(limit);
    }
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
            with_rate_headers(reply)
        }
        None => Reply::json(
            401,
            r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}"#,
        ),
    }
}

pub(super) fn basic_credentials(authorization: Option<&str>) -> Option<(String, String)> {
    let encoded = authorization?.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

pub(super) fn revoke(
    state: &Mutex<State>,
    client: &str,
    authorization: Option<&str>,
    body: &[u8],
) -> Reply {
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
    let presented = token.clone().unwrap_or_default();
    // An unknown, revoked or expired token: 404, and nothing changes, not
    // even for its refresh token ("Delete an app token": 404 when not
    // found; an expired token is no longer found).
    match token
        .and_then(|token| state.tokens.get_mut(&token))
        .filter(|t| t.works() && t.client_id == client)
    {
        Some(token) => {
            token.live = false;
            state.revocations += 1;
            // Undocumented; played both ways (see set_revoking_ends_refresh_token).
            if state.revoking_ends_refresh_token {
                let revoked = presented.clone();
                for refresh in state.refresh_tokens.values_mut() {
                    if refresh.access_token == revoked {
                        refresh.spent = true;
                    }
                }
            }
            Reply {
                status: 204,
                headers: Vec::new(),
                body: Vec::new(),
            }
        }
        None => Reply::json(404, r#"{"message":"Not Found"}"#),
    }
}

/// `GET /repos/{owner}/{repo}`. With a token, GitHub's reply carries a
/// `permissions` object (`admin`, `maintain`, `push`, `triage`, `pull`) for
/// that account: an assumption, as GitHub's schema lists the object but
/// does not say when it is present; we have only seen it with a token. A
/// private repository the account cannot see is 404, as GitHub documents
/// ("Repositories that are private return 404 rather than 403"). In a
/// public repository only its owner and collaborators with write access
/// may push ("Permission levels for a personal account's repository").
pub(super) fn repository(
    state: &Mutex<State>,
    stop: &AtomicBool,
    repos: &Path,
    owner_and_name: &str,
    authorization: Option<&str>,
) -> Reply {
    let (behaviour, latency) = {
        let state = state.lock().unwrap();
        (state.repository_api, state.repository_api_latency)
    };
    let until = Instant::now() + latency.min(Duration::from_secs(60));
    while Instant::now() < until && !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(5).min(until - Instant::now()));
    }
    if behaviour == RepositoryApi::Unreachable {
        return Reply::text(502, "<h1>502 Bad Gateway</h1>");
    }
    let state = state.lock().unwrap();
    if let Some(limit) = limit_for(&state, authorization) {
        return rate_limited(limit);
    }
    let key = owner_and_name.trim_end_matches('/').to_ascii_lowercase();
    if let Some(location) = state.renamed.get(&key) {
        let mut moved = Reply::json(
            301,
            &serde_json::json!({"message": "Moved Permanently", "url": location}).to_string(),
        );
        moved.headers.push(("Location".into(), location.clone()));
        return moved;
    }
    with_rate_headers(repository_reply(
        &state,
        repos,
        owner_and_name,
        authorization,
    ))
}

/// `GET /repositories/{id}`, where a renamed repository's old name leads.
pub(super) fn repository_by_id(
    state: &Mutex<State>,
    stop: &AtomicBool,
    repos: &Path,
    id: &str,
    authorization: Option<&str>,
) -> Reply {
    let name = {
        let state = state.lock().unwrap();
        id.parse()
            .ok()
            .and_then(|id: u64| state.repository_ids.get(&id).cloned())
    };
    match name {
        Some(name) => repository(state, stop, repos, &name, authorization),
        None => Reply::json(404, r#"{"message":"Not Found"}"#),
    }
}

fn repository_reply(
    state: &State,
    repos: &Path,
    owner_and_name: &str,
    authorization: Option<&str>,
) -> Reply {
    let login = match authorization {
        None => None,
        Some(authorization) => match bearer_token(authorization)
            .and_then(|token| state.tokens.get(token))
            .filter(|token| token.works())
        {
            Some(token) => Some(token.login.to_ascii_lowercase()),
            None => return Reply::json(401, r#"{"message":"Bad credentials"}"#),
        },
    };
    let key = owner_and_name.trim_end_matches('/').to_ascii_lowercase();
    let owner = key.split('/').next().unwrap_or_default().to_string();
    if let Some(login) = &login
        && state.sso_required.contains(&(owner.clone(), login.clone()))
    {
        return sso_refusal(state, &owner, login);
    }
    let not_found = || Reply::json(404, r#"{"message":"Not Found"}"#);
    let permission = match state.private.get(&key) {
        Some(members) => match login.as_ref().and_then(|login| members.get(login)) {
            Some(permission) => Some(*permission),
            None => return not_found(),
        },
        None if key.split('/').count() == 2
            && repos.join(format!("{owner_and_name}.git")).is_dir() =>
        {
            login
                .as_ref()
                .map(|login| public_permission(state, &key, login))
        }
        None => return not_found(),
    };
    let mut reply = serde_json::json!({
        "full_name": owner_and_name,
        "private": state.private.contains_key(&key),
    });
    if let Some(permission) = permission {
        reply["permissions"] = serde_json::json!({
            "admin": false,
            "maintain": false,
            "push": permission == Permission::Push,
            "triage": false,
            "pull": true,
        });
    }
    Reply::json(200, &reply.to_string())
}

/// What `login` may do in the public repository `key` (`owner/name`,
/// lowercased): push as its owner or a collaborator with write access,
/// else read.
pub(super) fn public_permission(state: &State, key: &str, login: &str) -> Permission {
    let owner = key.split('/').next().unwrap_or_default();
    let collaborator = state
        .collaborators
        .get(key)
        .and_then(|members| members.get(&login.to_ascii_lowercase()));
    match (owner.eq_ignore_ascii_case(login), collaborator) {
        (true, _) | (_, Some(Permission::Push)) => Permission::Push,
        _ => Permission::Pull,
    }
}

fn bearer_token(authorization: &str) -> Option<&str> {
    authorization
        .strip_prefix("Bearer ")
        .or_else(|| authorization.strip_prefix("token "))
        .map(str::trim)
}

/// A token not authorized for an organisation's SAML single sign-on: the
/// address is on the host's own web origin (GitHub Docs, "Authenticating
/// with SAML single sign-on", REST API).
fn sso_refusal(state: &State, owner: &str, login: &str) -> Reply {
    let mut refused = Reply::json(
        403,
        r#"{"message":"Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization."}"#,
    );
    refused.headers.push((
        "X-GitHub-SSO".into(),
        format!(
            "required; url={}/orgs/{owner}/sso?authorization_request=FAKE{login}",
            state.web_url
        ),
    ));
    refused
}
