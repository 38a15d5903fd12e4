//! The OAuth web flow: the consent page, the loopback redirect rule, the
//! token endpoint (codes, refresh tokens, errors as HTTP 200).

use super::*;

impl FakeGitHub {
    /// The OAuth app's callback URL, as registered on its settings page:
    /// GitHub sends a Cancel there, and a code to any port of it.
    pub fn register_oauth_callback(&self, callback: &str) {
        self.state.lock().unwrap().oauth_callback = callback.to_string();
    }

    /// Whether revoking a live access token also ends the refresh token
    /// issued with it (undocumented: off unless a test turns it on).
    pub fn set_revoking_ends_refresh_token(&self, ends: bool) {
        self.state.lock().unwrap().revoking_ends_refresh_token = ends;
    }

    /// What a slow_down adds to a device code's interval.
    pub fn set_slow_down_step(&self, step: Duration) {
        self.state.lock().unwrap().slow_down_step = step;
    }

    /// Whether `refresh_token` would still buy a new pair.
    pub fn refresh_token_works(&self, refresh_token: &str) -> bool {
        let state = self.state.lock().unwrap();
        state
            .refresh_tokens
            .get(refresh_token)
            .is_some_and(RefreshToken::works)
    }
}

impl RefreshToken {
    pub(super) fn works(&self) -> bool {
        !self.spent && Instant::now() < self.expires
    }
}

/// The loopback rule (GitHub Docs, "Authorizing OAuth apps", redirect
/// URLs): a loopback redirect_uri may use any port of the registered
/// callback, with the same host and path.
pub(super) fn redirect_is_registered(redirect_uri: &str, registered: &str) -> bool {
    let (Ok(given), Ok(registered)) = (url::Url::parse(redirect_uri), url::Url::parse(registered))
    else {
        return false;
    };
    given.scheme() == registered.scheme()
        && given.host_str() == registered.host_str()
        && given.path() == registered.path()
        && given.query().is_none()
}

pub(super) fn authorize(state: &Mutex<State>, query: &HashMap<String, String>) -> Reply {
    let mut state = state.lock().unwrap();
    state.consent_pages_shown += 1;
    if query.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return Reply::text(
            404,
            "<h1>404</h1><p>This is not the web page you are looking for.</p>",
        );
    }
    let redirect_uri = query.get("redirect_uri").cloned();
    // GitHub sends a Cancel to the app's registered callback URL, not to
    // the request's redirect_uri (GitHub Docs, "Troubleshooting
    // authorization request errors"); a GitHub App's first one.
    let registered_callback = match &state.app_callbacks {
        Some(callbacks) => callbacks.first().cloned().unwrap_or_default(),
        None => state.oauth_callback.clone(),
    };
    let target = redirect_uri
        .clone()
        .unwrap_or_else(|| registered_callback.clone());
    // A GitHub App's callback must be one it registered, exactly; an OAuth
    // app's may use any port on its registered loopback callback.
    let registered = match &state.app_callbacks {
        Some(callbacks) => callbacks.contains(&target),
        None => redirect_is_registered(&target, &state.oauth_callback),
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
        prompt: query.get("prompt").cloned(),
    });
    if challenge.is_some() && query.get("code_challenge_method").map(String::as_str) != Some("S256")
    {
        return Reply::text(400, "<p>code_challenge_method must be S256.</p>");
    }
    if let Some(hint) = query.get("login") {
        state.login_hints.push(hint.clone());
    }
    let given_state = query.get("state").cloned().unwrap_or_default();
    let back_to = |to: &str, pairs: &[(&str, &str)]| {
        let mut url = url::Url::parse(to).unwrap();
        url.query_pairs_mut().extend_pairs(pairs.iter().copied());
        Reply::redirect(url.as_str())
    };
    let back = |pairs: &[(&str, &str)]| back_to(&target, pairs);
    let consent = match (state.consent, query.get("decision").map(String::as_str)) {
        (Consent::AskUser, Some("authorize")) => Consent::Approve,
        (Consent::AskUser, Some(_)) => Consent::Deny,
        (consent, _) => consent,
    };
    match consent {
        Consent::AskUser => consent_page(query, &state.login),
        Consent::WalkAway => Reply::text(200, "<h1>Authorize app?</h1><button>Authorize</button>"),
        Consent::Deny => back_to(
            &registered_callback,
            &[
                ("error", "access_denied"),
                (
                    "error_description",
                    "The user has denied your application access.",
                ),
                ("error_uri", "https://docs.github.com/apps/troubleshooting"),
                ("state", &given_state),
            ],
        ),
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
pub(super) fn consent_page(query: &HashMap<String, String>, login: &str) -> Reply {
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

pub(super) fn access_token(
    state: &Mutex<State>,
    form: &HashMap<String, String>,
    json: bool,
) -> Reply {
    let refuse = |error: &str, description: &str| refusal(error, description, json);
    let mut state = state.lock().unwrap();
    let field = |name: &str| form.get(name).map(String::as_str);
    // An unknown client id is no OAuth error but HTTP 404 (observed; the
    // probe doctor makes relies on it: tests/support/fake-github.md).
    if field("client_id") != Some(CLIENT_ID) {
        return Reply::json(404, r#"{"error":"Not Found"}"#);
    }
    // Only a live refresh token from the device flow may come without the
    // secret ("Refreshing user access tokens": the secret is "required
    // unless the app uses the device flow"). How GitHub decides is not
    // documented; a spent or expired one is refused as bad credentials,
    // the worse answer for us.
    let secret_optional = field("grant_type") == Some("refresh_token")
        && field("refresh_token")
            .and_then(|token| state.refresh_tokens.get(token))
            .is_some_and(|token| token.from_device && token.works())
        && field("client_secret").is_none();
    if !secret_optional && field("client_secret") != Some(state.client_secret.as_str()) {
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
pub(super) fn refresh(state: &mut State, form: &HashMap<String, String>, json: bool) -> Reply {
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

pub(super) const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

pub(super) fn refusal(error: &str, description: &str, json: bool) -> Reply {
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

/// Issues a token and answers as GitHub does: an OAuth app's token for the
/// scopes asked for (comma-separated); a GitHub App's with no scopes, an
/// expiry, and a refresh token.
pub(super) fn grant_token(
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
