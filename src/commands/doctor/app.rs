//! The app a host signs in with: its client id and secret, where they come
//! from, the redirect ports, and which flow `auto` picks here.

use super::{Check, shown};
use crate::acquire::OAuthRemote;
use crate::config::client_secrets::ClientSecrets;
use crate::config::host::OAuthHost;
use crate::config::{AppSource, FlowSetting, RemoteConfig};
use crate::oauth::github::Endpoints;
use crate::oauth::sign_in::{self, DEFAULT_REDIRECT_URI, Flow, Surroundings};

pub(super) struct AppChecks {
    pub checks: Vec<Check>,
    /// Set when the host has an app: what the network checks need.
    pub remote: Option<OAuthRemote>,
}

pub(super) fn has_app(host: &OAuthHost) -> bool {
    RemoteConfig::read(host, &host.request()).is_ok_and(|config| config.oauth_app.is_some())
}

pub(super) fn checks(host: &OAuthHost) -> AppChecks {
    let url = host.url();
    let config = match RemoteConfig::read(host, &host.request()) {
        Ok(config) => config,
        Err(error) => {
            return AppChecks {
                checks: vec![Check::problem("app.config", error.to_string(), "see above")],
                remote: None,
            };
        }
    };
    let Some(app) = config.oauth_app.clone() else {
        return AppChecks {
            checks: vec![Check::problem(
                "app.client_id",
                "no OAuth app is configured, so this helper never signs in here",
                format!("git credential-ghoauth setup --host {url}"),
            )],
            remote: None,
        };
    };
    let mut checks = vec![Check::ok(
        "app.client_id",
        format!("client id {} ({})", shown(&app.client_id), app.source),
    )];
    checks.extend(secret_checks(
        host,
        &config,
        app.client_secret.is_some(),
        app.source,
    ));
    checks.push(redirect_check(host, &config));
    checks.push(flow_check(&config, app.client_secret.is_some()));
    let remote = Endpoints::for_host(host)
        .ok()
        .map(|endpoints| OAuthRemote::new(host.clone(), &host.request(), config, app, endpoints));
    AppChecks { checks, remote }
}

fn secret_checks(
    host: &OAuthHost,
    config: &RemoteConfig,
    has_secret: bool,
    source: AppSource,
) -> Vec<Check> {
    let url = host.url();
    let secrets = ClientSecrets::beside_global_config().ok();
    let in_file = secrets
        .as_ref()
        .and_then(|secrets| secrets.contains(&url).ok())
        .unwrap_or(false);
    let from_env = std::env::var_os("GHOAUTH_CLIENT_SECRET").is_some_and(|v| !v.is_empty())
        && (host.is_public_github() || source == AppSource::Environment);
    let mut checks = Vec::new();
    checks.push(match (has_secret, from_env, in_file) {
        (false, _, _) => Check::warning(
            "app.secret",
            "no client secret: sign-in uses the device flow, and logout cannot revoke tokens",
            format!(
                "GHOAUTH_CLIENT_SECRET=<secret> git credential-ghoauth configure --host {url} \
                 --client-id {}",
                config
                    .oauth_app
                    .as_ref()
                    .map(|app| app.client_id.as_str())
                    .unwrap_or("ID")
            ),
        ),
        (true, true, _) => Check::ok("app.secret", "client secret from GHOAUTH_CLIENT_SECRET"),
        (true, false, true) => Check::ok(
            "app.secret",
            format!(
                "client secret from {}",
                secrets
                    .as_ref()
                    .map(|s| shown(s.path().display().to_string()))
                    .unwrap_or_default()
            ),
        ),
        (true, false, false) => Check::ok("app.secret", "client secret from git config"),
    });
    #[cfg(unix)]
    if let Some(secrets) = secrets.filter(|_| in_file) {
        checks.extend(secrets_file_check(&secrets));
    }
    checks
}

/// The client secrets file must be the user's own, and readable by them
/// only.
#[cfg(unix)]
fn secrets_file_check(secrets: &ClientSecrets) -> Option<Check> {
    use std::os::unix::fs::MetadataExt;
    let path = shown(secrets.path().display().to_string());
    let meta = std::fs::symlink_metadata(secrets.path()).ok()?;
    let mine = meta.uid() == rustix::process::geteuid().as_raw();
    if !mine || meta.mode() & 0o077 != 0 {
        return Some(Check::problem(
            "app.secrets_file",
            format!(
                "{path} is {} with mode {:o}: others can read the client secret",
                if mine { "yours" } else { "not yours" },
                meta.mode() & 0o777
            ),
            match mine {
                true => format!("chmod 600 {path}"),
                false => format!("remove {path} and configure again"),
            },
        ));
    }
    Some(Check::ok(
        "app.secrets_file",
        format!("{path}: yours, mode 600"),
    ))
}

/// Fixed redirects must have a free port now, or a browser sign-in cannot
/// start; with none, any free port does.
fn redirect_check(host: &OAuthHost, config: &RemoteConfig) -> Check {
    let uris = config.all_redirect_uris();
    if uris.is_empty() {
        return default_redirect_check();
    }
    let busy: Vec<&String> = uris.iter().filter(|uri| !port_is_free(uri)).collect();
    let list = |uris: &[&String]| {
        uris.iter()
            .map(|u| shown(u.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let all: Vec<&String> = uris.iter().collect();
    match busy.len() {
        0 => Check::ok(
            "app.redirect_ports",
            format!("redirects: {}, all free now", list(&all)),
        ),
        n if n == uris.len() => Check::problem(
            "app.redirect_ports",
            format!(
                "every redirect port is in use ({}), so a browser sign-in cannot start",
                list(&busy)
            ),
            format!(
                "stop what listens there (`ss -ltnp` names it), or register other ports: \
                 git credential-ghoauth setup --host {} --force",
                host.url()
            ),
        ),
        _ => Check::warning(
            "app.redirect_ports",
            format!(
                "redirect ports in use now: {}; sign-in takes the next one{}",
                list(&busy),
                match busy.first() == all.first() {
                    true =>
                        ", but a Cancel on GitHub's page goes to the first and would not be seen",
                    false => "",
                }
            ),
            "stop what listens there (`ss -ltnp` names it)",
        ),
    }
}

/// No redirect configured: the helper listens where an app registered as
/// the README says sends its Cancel, or on any free port.
fn default_redirect_check() -> Check {
    match port_is_free(DEFAULT_REDIRECT_URI) {
        true => Check::ok(
            "app.redirect_ports",
            format!(
                "redirects to {DEFAULT_REDIRECT_URI} (free now), where GitHub sends a Cancel for \
                 an OAuth app registered with that callback"
            ),
        ),
        false => Check::warning(
            "app.redirect_ports",
            format!(
                "{DEFAULT_REDIRECT_URI} is in use now: a sign-in takes another free port, but a \
                 Cancel on GitHub's page would not reach it"
            ),
            "stop what listens there (`ss -ltnp` names it)",
        ),
    }
}

fn port_is_free(uri: &str) -> bool {
    let Ok(parsed) = url::Url::parse(uri) else {
        return false;
    };
    let Some(port) = parsed.port() else {
        return true;
    };
    std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
}

fn flow_check(config: &RemoteConfig, has_secret: bool) -> Check {
    let around = Surroundings::here();
    let flow = sign_in::choose(config.flow, &around, has_secret);
    let why = match (config.flow, flow) {
        (FlowSetting::Browser, _) => "ghoauthFlow is browser".to_string(),
        (FlowSetting::Device, _) => "ghoauthFlow is device".to_string(),
        (FlowSetting::Auto, Flow::Device) if !has_secret => {
            "ghoauthFlow is auto, and there is no client secret".to_string()
        }
        (FlowSetting::Auto, Flow::Device) => {
            "ghoauthFlow is auto, and no browser can open here (no display, SSH or WSL without \
             wslview, no $BROWSER)"
                .to_string()
        }
        (FlowSetting::Auto, Flow::Browser) => {
            "ghoauthFlow is auto, and a browser can open here".to_string()
        }
    };
    let name = match flow {
        Flow::Browser => "the browser",
        Flow::Device => "the device flow (a code typed at GitHub)",
    };
    Check::ok("app.flow", format!("a sign-in here uses {name}: {why}"))
}
