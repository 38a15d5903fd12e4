//! The REST calls: `GET /user` and revocation with the app's Basic auth.

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
