//! The device flow (RFC 8628): codes, polling, slow_down, expiry.

use super::*;

pub(super) fn device_code(
    state: &Mutex<State>,
    form: &HashMap<String, String>,
    json: bool,
) -> Reply {
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

pub(super) fn device_token(
    state: &Mutex<State>,
    form: &HashMap<String, String>,
    json: bool,
) -> Reply {
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
    let state_step = state.slow_down_step;
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
        grant.interval += state_step;
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
