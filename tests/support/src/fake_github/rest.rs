//! The REST calls: `GET /user`, `GET /repos/{owner}/{repo}`, and
//! revocation with the app's Basic auth.

use super::*;

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

/// `GET /repos/{owner}/{repo}`. With a token, GitHub's reply carries a
/// `permissions` object (`admin`, `maintain`, `push`, `triage`, `pull`) for
/// that account: an assumption, as GitHub's schema lists the object but
/// does not say when it is present; we have only seen it with a token. A
/// private repository the account cannot see is 404, as GitHub documents
/// ("Repositories that are private return 404 rather than 403").
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
        let mut refused = Reply::json(
            403,
            r#"{"message":"Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization."}"#,
        );
        refused.headers.push((
            "X-GitHub-SSO".into(),
            format!("required; url=https://github.com/orgs/{owner}/sso?authorization_request=FAKE{login}"),
        ));
        return refused;
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
            login.as_ref().map(|_| Permission::Push)
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

fn bearer_token(authorization: &str) -> Option<&str> {
    authorization
        .strip_prefix("Bearer ")
        .or_else(|| authorization.strip_prefix("token "))
        .map(str::trim)
}
