//! The app-manifest flow `setup` walks: the form GitHub shows, the code's
//! conversion into an app, the installation page, and the user's list of
//! installations.

use super::*;

/// GitHub's rule for loopback callbacks: scheme, host and path as
/// registered; the port may be anything.
/// The manifest flow's form: GitHub validates the manifest, shows "Create
/// GitHub App", and on a press redirects to `redirect_url` with a code.
pub(super) fn manifest_form(
    state: &Mutex<State>,
    query: &HashMap<String, String>,
    body: &[u8],
) -> Reply {
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
pub(super) fn check_manifest(manifest: &serde_json::Value) -> Result<(), String> {
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
pub(super) fn convert_manifest(state: &Mutex<State>, code: &str) -> Reply {
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
pub(super) const APP_ID: u64 = 4242;

/// How GitHub makes a slug of an app's name: lower case, each run of other
/// characters one `-`, none at the ends. The fake's own reading of it (an
/// assumption: GitHub's slugs look so, and the rule is not published).
pub(super) fn github_slug(name: &str) -> String {
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
pub(super) fn install_app(
    state: &Mutex<State>,
    slug: &str,
    query: &HashMap<String, String>,
) -> Reply {
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
pub(super) fn user_installations(state: &Mutex<State>, authorization: Option<&str>) -> Reply {
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
