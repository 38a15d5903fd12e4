//! `use`: which account answers for an owner's repositories on a host, or
//! which is the host's default (see `accounts`).

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context as _, bail};

use crate::accounts::{self, bindings, owner_in_url, repository_in_url, ssh_host};
use crate::acquire::{self, GitHubIssuer, Issuer, OAuthRemote};
use crate::config::draft::shell_word;
use crate::config::host::OAuthHost;
use crate::config::{RemoteConfig, git_first_line, global};
use crate::git::protocol::Credential;
use crate::git::record::StoredCredential;
use crate::git::repository::{Owner, Repository};
use crate::helper::Helper;
use crate::oauth::github::{Access, Endpoints, SsoRequired};
use crate::report::{printable, printable_bytes};
use crate::store::Store;

/// What `use` was asked to do.
pub struct Choice<'a> {
    pub login: Option<&'a str>,
    pub owner: Option<&'a str>,
    pub host: Option<OAuthHost>,
    pub default: bool,
    pub clear: Option<&'a str>,
}

pub fn run(helper: &Helper, choice: Choice) -> anyhow::Result<ExitCode> {
    if let Some(owner) = choice.clear {
        let (url_host, owner) = owner_argument(owner)?;
        let host = choice
            .host
            .or(url_host)
            .unwrap_or_else(OAuthHost::github_com);
        return clear_binding(helper, &host, &owner);
    }
    let login = choice.login.context("name the account to use")?;
    let (owner_host, owner, remote) = match (choice.default, choice.owner) {
        (true, _) => (None, None, None),
        (false, Some(owner)) => {
            let url = owner.contains(':').then(|| owner.to_string());
            let (host, owner) = owner_argument(owner)?;
            (host, Some(owner), url)
        }
        (false, None) => {
            let (host, owner, url) = push_remote_owner()?;
            (host, Some(owner), Some(url))
        }
    };
    // An SSH remote names SSH's host: the HTTPS host it stands for is the
    // one configured here under the same name, or none, and then --host.
    // A remote URL may name the repository itself: then GitHub is asked
    // what the account may do there, once it is bound.
    let named_repository = remote
        .as_deref()
        .and_then(repository_in_url)
        .map(|(_, repository)| repository);
    let ssh_remote = remote.filter(|url| ssh_host(url).is_some());
    let owner_host = match (&choice.host, &ssh_remote) {
        (None, Some(url)) => Some(host_for_ssh_remote(url)?),
        _ => owner_host,
    };
    if ssh_remote.is_none() {
        same_host(choice.host.as_ref(), owner_host.as_ref())?;
    }
    let host = choice
        .host
        .or(owner_host)
        .unwrap_or_else(OAuthHost::github_com);
    let account = account_with_token(helper, &host, login)?;
    match owner {
        None => make_default(helper, &host, account)?,
        Some(owner) => {
            bind(helper, &host, &owner, &account, ssh_remote.as_deref())?;
            if let Some(repository) = &named_repository {
                note_access(&host, &account, repository);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn clear_binding(helper: &Helper, host: &OAuthHost, owner: &Owner) -> anyhow::Result<ExitCode> {
    let removed = bindings::unbind(host, owner)?;
    helper.store.invalidate();
    match removed {
        true => println!("Removed the binding of {}/{owner}.", host.host()),
        false => println!(
            "{}/{owner} has no binding in your global git config.",
            host.host()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// The default is the account authorized most recently: this makes it so,
/// keeping the token as it is.
fn make_default(
    helper: &Helper,
    host: &OAuthHost,
    account: StoredCredential,
) -> anyhow::Result<()> {
    let login = String::from_utf8_lossy(&account.username).into_owned();
    let now = helper.now().as_nanos();
    helper
        .store
        .save(&StoredCredential {
            stored_at: now,
            ..account
        })
        .context("the default was not changed")?;
    println!(
        "{login} is now the default account on {}: it answers where git names no \
         account and no binding applies.",
        host.host()
    );
    Ok(())
}

fn bind(
    helper: &Helper,
    host: &OAuthHost,
    owner: &Owner,
    account: &StoredCredential,
    ssh_remote: Option<&str>,
) -> anyhow::Result<()> {
    let login = String::from_utf8_lossy(&account.username);
    bindings::bind(host, owner, &login).context("the binding was not written")?;
    helper.store.invalidate();
    println!(
        "{}/{owner}: {login} from now on (credential.{}.ghoauthAccount in your global \
         git config).",
        host.host(),
        host.url()
    );
    if let Some(url) = ssh_remote {
        println!(
            "Note: {} is an SSH remote, and git never asks a credential helper for \
             one: this binding serves HTTPS access to {}/{owner} only.",
            printable(url),
            host.host()
        );
    }
    warn_where_bindings_cannot_apply(host);
    Ok(())
}

/// What GitHub says the account just bound may do in the repository the
/// remote names: a note where it cannot push, with the authorization
/// address where SAML SSO is what stands in the way. Best effort, and
/// bounded as discovery is: the binding stands either way.
fn note_access(host: &OAuthHost, account: &StoredCredential, repository: &Repository) {
    let request = Credential {
        username: Some(account.username.clone()),
        ..host.request()
    };
    let Ok(remote) = OAuthRemote::read(&request) else {
        return;
    };
    let deadline = Instant::now() + accounts::DISCOVERY_BOUND;
    let mut outcomes =
        GitHubIssuer.repository_access(&remote, &[&account.password], repository, deadline);
    let login = printable_bytes(&account.username);
    let name = format!("{}/{}", repository.owner, repository.name);
    match outcomes.pop() {
        Some(Ok(Some(Access { push: false }))) => {
            println!("Note: {login} can read {name} but not push to it.")
        }
        Some(Ok(None)) => println!("Note: {login} cannot see {name}: GitHub will refuse it there."),
        Some(Err(error)) => {
            if let Ok(sso) = error.downcast::<SsoRequired>() {
                println!("Note: {login} cannot reach {name} yet: {sso}.");
            }
        }
        _ => {}
    }
}

/// The OAuth host configured here whose name is `url`'s SSH host
/// (github.com for GitHub's own SSH hosts); else an error that asks for
/// `--host`, rather than binding on github.com by default.
fn host_for_ssh_remote(url: &str) -> anyhow::Result<OAuthHost> {
    let ssh = ssh_host(url).context("not an SSH remote")?;
    if matches!(ssh.as_str(), "github.com" | "ssh.github.com") {
        return Ok(OAuthHost::github_com());
    }
    let name_of = |host: &OAuthHost| {
        let shown = host.host();
        match shown.strip_prefix('[') {
            Some(bracketed) => bracketed.split(']').next().unwrap_or_default().to_string(),
            None => shown.split(':').next().unwrap_or_default().to_string(),
        }
    };
    global::configured_urls()
        .iter()
        .filter_map(|configured| OAuthHost::from_argument(configured).ok())
        .find(|host| name_of(host).eq_ignore_ascii_case(&ssh))
        .with_context(|| {
            format!(
                "{} is an SSH remote on {}, which has no app configured here; name the HTTPS \
                 host it stands for: git credential-ghoauth use LOGIN --for OWNER --host \
                 https://HOST",
                printable(url),
                printable(&ssh)
            )
        })
}

/// The stored account `login` on `host`, signed in for first when there is
/// none (as `login` would, asking GitHub for that account).
fn account_with_token(
    helper: &Helper,
    host: &OAuthHost,
    login: &str,
) -> anyhow::Result<StoredCredential> {
    let find = |stored: Vec<StoredCredential>| {
        stored
            .into_iter()
            .filter(|entry| {
                entry.oauth.is_some()
                    && entry.path.is_none()
                    && entry.username.eq_ignore_ascii_case(login.as_bytes())
            })
            .max_by_key(|entry| entry.stored_at)
    };
    if let Some(found) = find(helper.store.list_host(host)?) {
        return Ok(found);
    }
    let url = host.url();
    let mut request = host.request();
    request.username = Some(login.as_bytes().to_vec());
    let config = RemoteConfig::read(host, &request)?;
    let Some(app) = config.oauth_app.clone() else {
        bail!(
            "{login} has no token for {url}, and no OAuth app is configured there to sign in \
             with; run `git credential-ghoauth setup --host {url}` (or `configure`) first"
        );
    };
    println!("{login} has no token for {url} yet: signing in as {login}.");
    let mut remote = OAuthRemote::new(
        host.clone(),
        &request,
        config,
        app,
        Endpoints::for_host(host)?,
    );
    // The `login` hint alone may be approved for the browser's current
    // account without a page.
    remote.pick_account = true;
    acquire::sign_in(helper, &GitHubIssuer, &remote, None)?;
    find(helper.store.list_host(host)?)
        .with_context(|| format!("signed in, but no token for {login} was kept"))
}

/// Host A's token is no one to ask about a repository on host B: `--host`
/// and an https URL must name the same host.
fn same_host(named: Option<&OAuthHost>, in_url: Option<&OAuthHost>) -> anyhow::Result<()> {
    match (named, in_url) {
        (Some(named), Some(in_url)) if named != in_url => bail!(
            "--host names {} but the URL names a repository on {}; name one host: drop \
             --host, or give --for the owner's name",
            named.host(),
            in_url.host()
        ),
        _ => Ok(()),
    }
}

/// `--for`: an owner's name, or a URL under a host.
fn owner_argument(text: &str) -> anyhow::Result<(Option<OAuthHost>, Owner)> {
    if text.contains("://") || ssh_host(text).is_some() {
        return owner_in_url(text).with_context(|| {
            format!(
                "'{}' names no owner; give a URL such as https://github.com/acme",
                printable(text)
            )
        });
    }
    match Owner::parse(text) {
        Some(owner) => Ok((None, owner)),
        None => bail!(
            "'{}' is not an owner's name (letters, digits, '-' and '_'), nor a URL",
            printable(text)
        ),
    }
}

/// The owner of the remote the current branch pushes to: its
/// `pushRemote`, `remote.pushDefault`, its upstream's remote, or `origin`.
fn push_remote_owner() -> anyhow::Result<(Option<OAuthHost>, Owner, String)> {
    let (remote, url) = push_remote_url()?;
    let (host, owner) = owner_in_url(&url).with_context(|| {
        format!(
            "the remote '{}' ({}) names no owner; name it: git credential-ghoauth use LOGIN \
             --for OWNER",
            printable(&remote),
            printable(&url)
        )
    })?;
    Ok((host, owner, url))
}

/// The remote `git push` would push to here, and its push URL, as git
/// picks it: the branch's pushRemote, remote.pushDefault, the branch's
/// remote, or origin.
pub(super) fn push_remote_url() -> anyhow::Result<(String, String)> {
    let branch = git_first_line(&["symbolic-ref", "--short", "-q", "HEAD"]);
    let branch_setting = |name: &str| {
        branch
            .as_ref()
            .and_then(|b| git_first_line(&["config", &format!("branch.{b}.{name}")]))
    };
    let remote = branch_setting("pushRemote")
        .or_else(|| git_first_line(&["config", "remote.pushDefault"]))
        .or_else(|| branch_setting("remote"))
        .unwrap_or_else(|| "origin".into());
    let url = git_first_line(&["remote", "get-url", "--push", &remote]).with_context(|| {
        format!(
            "no remote '{}' here to take the owner from; name it: git credential-ghoauth use \
             LOGIN --for OWNER",
            printable(&remote)
        )
    })?;
    Ok((remote, url))
}

/// Bindings need the path git sends with `useHttpPath`, and lose to a
/// `username` git sends: say so where either is in the way.
fn warn_where_bindings_cannot_apply(host: &OAuthHost) {
    let url = host.url();
    let sends_paths = git_first_line(&[
        "config",
        "--type=bool",
        "--get-urlmatch",
        "credential.useHttpPath",
        &url,
    ])
    .is_some_and(|value| value == "true");
    if !sends_paths {
        println!(
            "Note: git does not send repository paths to {url}, so no binding applies yet; \
             turn it on with `git config --global credential.{url}.useHttpPath true` (configure \
             does this)."
        );
    }
    for setting in bindings::username_settings(host) {
        println!(
            "Note: {} = {} ({}) makes git send that user name, which wins over every binding \
             it reaches; remove it with `git config --{} --unset {}` to let bindings decide.",
            printable(&setting.key),
            printable(&setting.value),
            printable(&setting.origin),
            shell_word(&setting.scope),
            shell_word(&setting.key)
        );
    }
}
