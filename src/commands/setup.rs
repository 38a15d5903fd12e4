//! `setup`: registers the user's own GitHub App from a manifest, installs
//! it, and signs in, with nothing to copy or paste (GitHub's "Registering
//! a GitHub App from a manifest" flow).
//!
//! 1. The browser opens a loopback page that posts the manifest to GitHub;
//!    the user presses "Create GitHub App"; GitHub sends the browser back
//!    with a code, which the helper converts into the app's client id and
//!    secret. Its private key and webhook secret are never kept: a
//!    credential helper never acts as the app.
//! 2. The browser opens the app's installation page; the user picks
//!    repositories; GitHub sends the browser back.
//! 3. A sign-in, as `login` does. GitHub Apps want an exact callback URL,
//!    so the manifest registers ten fixed loopback ports, and sign-in tries
//!    them in order (`ghoauthRedirectUri`).
//!
//! Every step is bounded by the host's `ghoauthTimeout`.

use std::net::TcpListener;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context as _, anyhow};

use crate::acquire::{self, GitHubIssuer, OAuthRemote};
use crate::config::RemoteConfig;
use crate::config::draft::Draft;
use crate::config::global;
use crate::config::host::OAuthHost;
use crate::helper::Helper;
use crate::oauth::browser;
use crate::oauth::github::{CreatedApp, Endpoints, GitHub};
use crate::oauth::listener::{Awaited, Listener, Page, Start, StateRule};
use crate::oauth::sign_in::{Flow, random_text};
use crate::report::say;
use crate::store::Store;

/// GitHub allows at most ten callback URLs per app.
const CALLBACK_PORTS: usize = 10;
/// GitHub's limit on an app's name.
const MAX_NAME: usize = 34;

pub fn run(
    helper: &Helper,
    host: &OAuthHost,
    org: Option<&str>,
    force: bool,
) -> anyhow::Result<ExitCode> {
    if let (Some(id), false) = (global::configured_client_id(host), force) {
        println!(
            "{url} is already set up (app {id}); nothing was changed. `git credential-ghoauth \
             setup --host {url} --force` sets it up again.",
            url = host.url()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let endpoints = Endpoints::for_host(host)?;
    let config = RemoteConfig::read(host, &host.request())?;
    // One loopback listener for both trips back from GitHub.
    let listener = Listener::bind(None)?;
    let callbacks = free_callback_urls()?;
    let app = create_app(&endpoints, &config, &listener, org, &callbacks)?;
    let settings_page = endpoints.app_settings_page(&app.slug);
    let created = |step: &str| {
        format!(
            "the GitHub App \"{}\" was created, but {step}; finish with `git credential-ghoauth \
             setup --host {} --force`, or delete the app at {settings_page}",
            app.name,
            host.url()
        )
    };
    Draft::of_global_config()
        .and_then(|draft| {
            global::write_app(&draft, host, &app.client_id, Some(&app.client_secret), None)?;
            global::set_redirect_uris(&draft, host, &callbacks)?;
            draft.commit()
        })
        .with_context(|| created("its settings could not be written"))?;
    say(format!(
        "created the GitHub App \"{}\"; its private key and webhook secret were not kept (a \
         credential helper never acts as the app)",
        app.name
    ));
    install_app(&endpoints, &config, &listener, &app.slug)
        .with_context(|| created("not installed"))?;
    drop(listener);
    let login = sign_in(helper, host, endpoints.clone())
        .with_context(|| created("the sign-in did not finish"))?;
    print_summary(host, &app, &settings_page, &login, org);
    confirm_installed(helper, host, &endpoints, &config, &app, &login)
}

/// Step 4: GitHub's own word, with the new user token, that the app is
/// installed for this user. The redirect that ended step 2 proves nothing
/// (GitHub: "generate a user access token … and then check that the
/// installation is associated with that user"). The token is kept either
/// way; without an installation it reaches no repository.
fn confirm_installed(
    helper: &Helper,
    host: &OAuthHost,
    endpoints: &Endpoints,
    config: &RemoteConfig,
    app: &CreatedApp,
    login: &str,
) -> anyhow::Result<ExitCode> {
    let stored = helper.store.list_host(host)?;
    let token = stored
        .iter()
        .find(|credential| credential.username == login.as_bytes())
        .map(|credential| &credential.password)
        .ok_or_else(|| anyhow!("the token just kept for {login} is not in the store"))?;
    let github = GitHub::new(
        endpoints.clone(),
        &config.http,
        Instant::now() + config.timeout,
    )?;
    if github
        .installations(token)?
        .iter()
        .any(|installation| installation.is_of(app))
    {
        return Ok(ExitCode::SUCCESS);
    }
    say(format!(
        "GitHub does not list the app \"{}\" as installed for {login}, so pushes will be \
         refused; install it at {} (the token is kept, and works once it is installed)",
        app.name,
        endpoints.install_page(&app.slug, None)
    ));
    Ok(ExitCode::FAILURE)
}

/// Step 1: post the manifest from a loopback page, wait for GitHub's code,
/// and convert it into the app's credentials.
fn create_app(
    endpoints: &Endpoints,
    config: &RemoteConfig,
    listener: &Listener,
    org: Option<&str>,
    callbacks: &[String],
) -> anyhow::Result<CreatedApp> {
    let deadline = Instant::now() + config.timeout;
    let state = random_text()?;
    let manifest = manifest(&app_name(), listener.redirect_uri(), callbacks);
    let form_target = endpoints.new_app_page(org, &state);
    let page = manifest_page(form_target.as_str(), &manifest, &endpoints.host.host());
    say(format!(
        "to create your GitHub App on {}, press \"Create GitHub App\" in your browser. If no \
         browser opens, visit:\n    {}",
        endpoints.host,
        listener.start_uri()
    ));
    let _browser = browser::open_or_say_why(listener.start_uri());
    let callback = listener
        .wait_for(
            Awaited {
                key: "code",
                state: &state,
                rule: StateRule::Required,
            },
            Start::Page(&page),
            deadline,
        )
        .map_err(|error| timed_out(error, "created the app", config))?;
    let github = GitHub::new(endpoints.clone(), &config.http, deadline)?;
    let converted = github.convert_manifest(&callback.code);
    let message = match &converted {
        Ok(app) => format!(
            "Created the GitHub App \"{}\". Installing it next.",
            app.name
        ),
        Err(error) => format!("The app could not be created: {error}"),
    };
    callback.finish(Page {
        succeeded: converted.is_ok(),
        message,
    });
    Ok(converted?)
}

/// Step 2: the app's installation page, and GitHub's word that it is done.
fn install_app(
    endpoints: &Endpoints,
    config: &RemoteConfig,
    listener: &Listener,
    slug: &str,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + config.timeout;
    let state = random_text()?;
    let install = endpoints.install_page(slug, Some(&state));
    // A person is shown the page without the state: GitHub need not send
    // it back, so it proves nothing, and it is no one else's business.
    say(format!(
        "to install it, choose repositories and press \"Install\" in your browser. If no \
         browser opens, visit:\n    {}",
        endpoints.install_page(slug, None)
    ));
    let _browser = browser::open_or_say_why(listener.start_uri());
    let callback = listener
        .wait_for(
            Awaited {
                key: "installation_id",
                state: &state,
                // GitHub documents only `installation_id` on this redirect,
                // and says it can be spoofed: `confirm_installed` asks GitHub.
                rule: StateRule::IfPresent,
            },
            Start::RedirectTo(install.as_str()),
            deadline,
        )
        .map_err(|error| timed_out(error, "installed the app", config))?;
    callback.finish(Page {
        succeeded: true,
        message: "Installed. Signing in next.".into(),
    });
    Ok(())
}

/// Step 3: sign in with the new app, exactly as `login` does.
fn sign_in(helper: &Helper, host: &OAuthHost, endpoints: Endpoints) -> anyhow::Result<String> {
    let config = RemoteConfig::read(host, &host.request())?;
    let app = config
        .oauth_app
        .clone()
        .ok_or_else(|| anyhow!("the app just written to git config is not there"))?;
    let remote = OAuthRemote::new(host.clone(), &host.request(), config, app, endpoints);
    let (login, _) = acquire::sign_in(helper, &GitHubIssuer, &remote, Some(Flow::Browser))?;
    Ok(login)
}

fn timed_out(
    error: crate::oauth::listener::CallbackError,
    step: &str,
    config: &RemoteConfig,
) -> anyhow::Error {
    match error {
        crate::oauth::listener::CallbackError::TimedOut { .. } => anyhow!(
            "GitHub did not say it {step} within {} s (for more time, raise \
             credential.{}.ghoauthTimeout)",
            config.timeout.as_secs(),
            config.url
        ),
        other => anyhow!(other),
    }
}

fn print_summary(
    host: &OAuthHost,
    app: &CreatedApp,
    settings_page: &url::Url,
    login: &str,
    org: Option<&str>,
) {
    let url = host.url();
    let owner = match app.owner.as_str() {
        "" => String::new(),
        owner => format!(" (owned by {owner})"),
    };
    println!(
        "Set up {url} with your GitHub App \"{}\"{owner}; logged in as {login}.",
        app.name
    );
    println!("  Manage the app: {settings_page}");
    println!(
        "  It reaches the repositories you chose when installing it; pushes to others are \
         refused. Add repositories at {url}/apps/{}/installations/new",
        app.slug
    );
    if org.is_none() {
        println!(
            "  A private app owned by you installs only on your own account: organisations' \
             and other people's repositories are out of reach. An organisation owner can run \
             `git credential-ghoauth setup --host {url} --org <org>`."
        );
    }
    println!(
        "  For machines without a browser, tick \"Enable Device Flow\" on the app's page \
         ({settings_page}): the manifest cannot."
    );
}

/// The manifest, as GitHub documents it: private, no webhook, the
/// permissions git needs, and fixed loopback callbacks.
fn manifest(name: &str, back_here: &str, callbacks: &[String]) -> String {
    let homepage = env!("CARGO_PKG_REPOSITORY");
    serde_json::json!({
        "name": name,
        "url": homepage,
        "public": false,
        "redirect_url": back_here,
        "setup_url": back_here,
        "callback_urls": callbacks,
        "request_oauth_on_install": false,
        "hook_attributes": { "url": homepage, "active": false },
        "default_permissions": {
            "contents": "write",
            "workflows": "write",
            "metadata": "read",
        },
    })
    .to_string()
}

/// A page that posts the manifest as soon as it loads, with a button in
/// case scripts are off.
fn manifest_page(action: &str, manifest: &str, host: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>git-credential-ghoauth \
         setup</title></head><body><form id=\"manifest\" method=\"post\" action=\"{}\">\
         <input type=\"hidden\" name=\"manifest\" value=\"{}\">\
         <p><button type=\"submit\">Create your GitHub App on {}</button></p></form>\
         <script>document.getElementById(\"manifest\").submit()</script></body></html>",
        escape_html(action),
        escape_html(manifest),
        escape_html(host)
    )
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A name unique to this user and machine, within GitHub's limit: GitHub
/// App names are unique across all of GitHub.
fn app_name() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default();
    let machine = std::fs::read_to_string("/etc/hostname")
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_default();
    let mut random = [0u8; 4];
    let _ = getrandom::fill(&mut random);
    let tag = crate::digest::hex_digest(&[user.as_bytes(), machine.trim().as_bytes(), &random]);
    let user: String = user
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect();
    let name = match user.is_empty() {
        true => format!("ghoauth-{}", &tag[..8]),
        false => format!("ghoauth-{user}-{}", &tag[..8]),
    };
    name.chars().take(MAX_NAME).collect()
}

/// Ten loopback callback URLs on ports free now, for the manifest and for
/// sign-in to try in order later.
fn free_callback_urls() -> anyhow::Result<Vec<String>> {
    let held: Vec<TcpListener> = (0..CALLBACK_PORTS)
        .map(|_| TcpListener::bind(("127.0.0.1", 0)))
        .collect::<Result<_, _>>()
        .context("could not find free loopback ports for the app's callbacks")?;
    held.iter()
        .map(|socket| {
            let port = socket.local_addr()?.port();
            Ok(format!("http://127.0.0.1:{port}/callback"))
        })
        .collect::<Result<_, std::io::Error>>()
        .context("could not read a loopback port")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_asks_for_what_git_needs_and_nothing_more() {
        let callbacks = vec!["http://127.0.0.1:1234/callback".to_string()];
        let manifest: serde_json::Value = serde_json::from_str(&manifest(
            "ghoauth-me-12345678",
            "http://127.0.0.1:9/callback",
            &callbacks,
        ))
        .unwrap();
        assert_eq!(manifest["public"], false);
        assert_eq!(manifest["hook_attributes"]["active"], false);
        assert_eq!(manifest["default_permissions"]["contents"], "write");
        assert_eq!(manifest["default_permissions"]["workflows"], "write");
        assert_eq!(manifest["default_permissions"]["metadata"], "read");
        assert_eq!(
            manifest["callback_urls"][0],
            "http://127.0.0.1:1234/callback"
        );
        assert_eq!(manifest["redirect_url"], "http://127.0.0.1:9/callback");
        // GitHub refuses a webhook it cannot reach; the hook is off anyway.
        let hook = url::Url::parse(manifest["hook_attributes"]["url"].as_str().unwrap()).unwrap();
        assert_eq!(hook.scheme(), "https");
        assert_eq!(hook.as_str(), env!("CARGO_PKG_REPOSITORY"));
    }

    #[test]
    fn app_names_fit_githubs_limit() {
        let name = app_name();
        assert!(name.len() <= MAX_NAME, "{name}");
        assert!(name.starts_with("ghoauth-"));
        assert_ne!(app_name(), name, "unique each time");
    }

    #[test]
    fn the_page_escapes_what_it_embeds() {
        let page = manifest_page("https://h/x?a=1&b=2", "{\"name\":\"<b>\"}", "h");
        assert!(page.contains("action=\"https://h/x?a=1&amp;b=2\""));
        assert!(page.contains("value=\"{&quot;name&quot;:&quot;&lt;b&gt;&quot;}\""));
    }

    #[test]
    fn ten_distinct_free_callbacks() {
        let urls = free_callback_urls().unwrap();
        assert_eq!(urls.len(), 10);
        let mut unique = urls.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        assert!(urls.iter().all(|url| url.starts_with("http://127.0.0.1:")));
    }
}
