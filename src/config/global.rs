//! The global git config this helper writes and removes, with `git config`
//! itself, so that git's own file format and locking rules apply.
//!
//! What is written for `https://github.com`:
//!
//! ```text
//! [credential "https://github.com"]
//!     ghoauthClientId = Ov23li...
//!     ghoauthFlow = device             (when given)
//!     ghoauthRedirectUri = http://127.0.0.1:PORT/callback   (by `setup`, several)
//!     helper =
//!     helper = ghoauth
//!     useHttpPath = true               (unless set already; marked by
//!     ghoauthWroteUseHttpPath = true    the next key, for unconfigure)
//!     ghoauthAccount = acme alice-acme (bindings: see `accounts::bindings`)
//! [include]
//!     path = ~/.git-credential-ghoauth-secrets   (when a secret is given)
//! ```
//!
//! The empty `helper` resets, for that host only, the helpers configured
//! before it, as `gh auth setup-git` does; nothing else is touched. The
//! client secret never passes through `git config`'s command line: it goes
//! into a file only the user can read (see `client_secrets`).

use std::process::{Command, Stdio};

use anyhow::Context;

use crate::config::client_secrets::ClientSecrets;
use crate::oauth::host::OAuthHost;
use crate::secret::Secret;

const KEYS: [&str; 6] = [
    "ghoauthClientId",
    "ghoauthClientSecret",
    "ghoauthFlow",
    "ghoauthRedirectUri",
    crate::accounts::bindings::KEY,
    WROTE_USE_HTTP_PATH,
];

/// Set beside the `useHttpPath` that configure wrote, so that unconfigure
/// removes that one and never a person's.
const WROTE_USE_HTTP_PATH: &str = "ghoauthWroteUseHttpPath";

/// Makes `remote` an OAuth host served by this helper, with this app.
pub(crate) fn write_app(
    remote: &OAuthHost,
    client_id: &str,
    client_secret: Option<&Secret>,
    flow: Option<&str>,
) -> anyhow::Result<()> {
    let url = remote.url();
    let section = format!("credential.{url}");
    let client_secret = client_secret.filter(|s| !s.expose().is_empty());
    let previous_id = configured_client_id(remote);
    let mut settings = vec![("ghoauthClientId", client_id)];
    if let Some(flow) = flow {
        settings.push(("ghoauthFlow", flow));
    }
    for (key, value) in settings {
        git_config(&[&format!("{section}.{key}"), value])?;
    }
    match client_secret {
        Some(secret) => keep_secret(&url, &section, secret),
        // Another app's secret would only make GitHub refuse every sign-in.
        None if previous_id.as_ref().is_some_and(|id| id != client_id) => {
            drop_previous_secret(&url, &section, previous_id.as_deref().unwrap_or_default())
        }
        None => Ok(()),
    }
    .context("the client secret was not kept")?;
    add_helper_entries(&section)?;
    send_paths(&section)?;
    Ok(())
}

/// Turns on `useHttpPath` for the host, so that git sends the repository's
/// path, whose owner picks the account when there are several (see
/// `accounts`). Only where the person set nothing, and marked.
fn send_paths(section: &str) -> Result<(), GitConfigError> {
    let key = format!("{section}.useHttpPath");
    if git_config_values(&key)?.is_empty() {
        git_config(&[&key, "true"])?;
        git_config(&[&format!("{section}.{WROTE_USE_HTTP_PATH}"), "true"])?;
    }
    Ok(())
}

/// The client id configured for `remote` in the global config, if any.
pub(crate) fn configured_client_id(remote: &OAuthHost) -> Option<String> {
    git_config_values(&format!("credential.{}.ghoauthClientId", remote.url()))
        .unwrap_or_default()
        .pop()
}

/// Replaces the fixed redirects sign-in tries for `remote`, in order.
pub(crate) fn set_redirect_uris(remote: &OAuthHost, uris: &[String]) -> anyhow::Result<()> {
    let key = format!("credential.{}.ghoauthRedirectUri", remote.url());
    // Status 5 when none is set: already as wanted.
    let _ = git_config(&["--unset-all", &key]);
    for uri in uris {
        git_config(&["--add", &key, uri])?;
    }
    Ok(())
}

/// Whether a client secret is kept for `remote`.
pub(crate) fn has_secret_for(remote: &OAuthHost) -> bool {
    let url = remote.url();
    has_secret(&url, &format!("credential.{url}"))
}

/// Removes exactly what [`write_app`] (and `setup`) wrote for `remote`.
/// False when there was nothing of this helper's.
pub(crate) fn remove_app(remote: &OAuthHost) -> anyhow::Result<bool> {
    let section = format!("credential.{}", remote.url());
    let helper_key = format!("{section}.helper");
    let helpers = git_config_values(&helper_key).unwrap_or_default();
    let mut found = helpers.iter().any(|value| is_ours(value));
    let marked = format!("{section}.{WROTE_USE_HTTP_PATH}");
    if !git_config_values(&marked).unwrap_or_default().is_empty() {
        let _ = git_config(&["--unset-all", &format!("{section}.useHttpPath")]);
    }
    for key in KEYS {
        // Fails with status 5 when not set: already as wanted.
        found |= git_config(&["--unset-all", &format!("{section}.{key}")]).is_ok();
    }
    found |= forget_secret(&remote.url()).context("the client secret was not removed")?;
    if !found {
        return Ok(false);
    }
    remove_helper_entries(remote, &helpers, &helper_key)?;
    // Older gits leave an empty section behind; newer ones remove it.
    let left = git_config(&["--get-regexp", &format!("^{}\\.", regex_escape(&section))]);
    if left.is_err() {
        let _ = git_config(&["--remove-section", &section]);
    }
    Ok(true)
}

/// Removes the pair [`write_app`] added: our entry and the empty one
/// before it. Removing by value keeps every other line where it is.
fn remove_helper_entries(
    remote: &OAuthHost,
    helpers: &[String],
    helper_key: &str,
) -> anyhow::Result<()> {
    let Some(at) = helpers.iter().rposition(|value| is_ours(value)) else {
        return Ok(());
    };
    let ours = &helpers[at];
    let empty_before = at > 0 && helpers[at - 1].is_empty();
    let empties = helpers.iter().filter(|value| value.is_empty()).count();
    git_config(&["--unset", helper_key, &format!("^{}$", regex_escape(ours))])?;
    if empty_before && empties == 1 {
        git_config(&["--unset", helper_key, "^$"])?;
    } else if empty_before {
        // Several empty entries: git cannot remove just one by value, so
        // take out the line configure wrote, in place.
        remove_empty_helper_before(&remote.url(), helper_key)?;
    }
    Ok(())
}

/// Every URL with a client id in the global config.
pub(crate) fn configured_urls() -> Vec<String> {
    let Ok(listing) = git_config(&["-z", "--get-regexp", "^credential\\..*\\.ghoauthclientid$"])
    else {
        // Status 1: no such key.
        return Vec::new();
    };
    let mut urls: Vec<String> = listing
        .split('\0')
        .filter_map(|record| record.split('\n').next())
        .filter_map(|key| key.strip_prefix("credential."))
        .filter_map(|rest| rest.strip_suffix(".ghoauthclientid"))
        .map(str::to_string)
        .collect();
    urls.dedup();
    urls
}

/// The secret of the app configured before belongs to that app.
fn drop_previous_secret(url: &str, section: &str, previous_id: &str) -> anyhow::Result<()> {
    let removed = forget_secret(url)?;
    let in_global = git_config(&["--unset-all", &format!("{section}.ghoauthClientSecret")]);
    if removed || in_global.is_ok() {
        println!(
            "Removed the client secret of the previous app ({previous_id}): it belongs to that \
             app, not to the one configured now."
        );
    }
    Ok(())
}

/// The empty `helper =` and ours after it, unless they are there already.
fn add_helper_entries(section: &str) -> Result<(), GitConfigError> {
    let helper_key = format!("{section}.helper");
    let helpers = git_config_values(&helper_key)?;
    let already = helpers.len() >= 2
        && helpers[helpers.len() - 2].is_empty()
        && is_ours(&helpers[helpers.len() - 1]);
    if !already {
        for value in ["", helper_value().as_str()] {
            git_config(&["--add", &helper_key, value])?;
        }
    }
    Ok(())
}

/// Writes the secret to the private file, makes the global config include
/// it, and drops any copy from the global config itself.
fn keep_secret(url: &str, section: &str, secret: &Secret) -> anyhow::Result<()> {
    let secrets = ClientSecrets::beside_global_config()?;
    secrets.set(url, secret)?;
    let path = secrets.path().display().to_string();
    if !git_config_values("include.path")?.contains(&path) {
        git_config(&["--add", "include.path", &path])?;
    }
    let _ = git_config(&["--unset-all", &format!("{section}.ghoauthClientSecret")]);
    Ok(())
}

/// Whether a secret is kept for `url`, in the private file or in the
/// global config itself (set by hand).
fn has_secret(url: &str, section: &str) -> bool {
    let in_file = ClientSecrets::beside_global_config()
        .and_then(|secrets| secrets.contains(url))
        .unwrap_or(false);
    in_file
        || git_config_values(&format!("{section}.ghoauthClientSecret"))
            .is_ok_and(|values| values.iter().any(|value| !value.is_empty()))
}

/// Removes `url`'s secret from the private file; once it holds none, the
/// file and the include go too. True if there was a secret.
fn forget_secret(url: &str) -> anyhow::Result<bool> {
    let secrets = ClientSecrets::beside_global_config()?;
    let removed = secrets.remove(url)?;
    if secrets.is_empty()? {
        let path = secrets.path().display().to_string();
        if git_config_values("include.path")?.contains(&path) {
            git_config(&[
                "--unset",
                "include.path",
                &format!("^{}$", regex_escape(&path)),
            ])?;
            if git_config(&["--get-regexp", "^include\\."]).is_err() {
                let _ = git_config(&["--remove-section", "include"]);
            }
        }
    }
    Ok(removed)
}

/// Removes the empty `helper =` line that configure wrote before our (already
/// removed) helper line in the `[credential "<url>"]` section, as git
/// writes its config: through a symlink to its target (dotfiles often link
/// `~/.gitconfig`), under git's lock file, read after the lock is taken,
/// and keeping the file's mode. Used only when the section holds several
/// empty entries, which `git config --unset` cannot tell apart.
fn remove_empty_helper_before(url: &str, helper_key: &str) -> anyhow::Result<()> {
    // Where the global config lives (GIT_CONFIG_GLOBAL, ~/.gitconfig, XDG).
    let origin = git_config(&["--show-origin", "--get-all", helper_key])?;
    let named = origin
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("file:"))
        .and_then(|line| line.split('\t').next())
        .context("git config did not say where the global config is")?
        .to_string();
    let path = std::fs::canonicalize(&named).with_context(|| format!("cannot find {named}"))?;
    let shown = path.display().to_string();
    let lock = path.with_file_name(format!(
        "{}.lock",
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&lock)
        .with_context(|| format!("cannot lock {shown}; is another git writing it?"))?;
    let written = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {shown}"))
        .and_then(|text| without_empty_helper(&text, url))
        .and_then(|edited| {
            use std::io::Write;
            let mode = std::fs::metadata(&path)?.permissions();
            file.write_all(edited.as_bytes())?;
            file.sync_all()?;
            std::fs::set_permissions(&lock, mode)?;
            std::fs::rename(&lock, &path)?;
            Ok(())
        });
    if written.is_err() {
        let _ = std::fs::remove_file(&lock);
    }
    written.with_context(|| format!("cannot write {shown}"))
}

/// `text` without the last empty `helper =` entry of the section for
/// `url`: configure added it together with ours, just before it.
fn without_empty_helper(text: &str, url: &str) -> anyhow::Result<String> {
    let header = format!("[credential \"{url}\"]");
    let start = text
        .find(&header)
        .context("the section configure wrote is gone")?;
    let end = text[start + header.len()..]
        .find("\n[")
        .map_or(text.len(), |at| start + header.len() + at + 1);
    let line = text[start..end]
        .rfind("\thelper = \n")
        .context("the empty helper entry configure wrote is gone")?;
    let cut = start + line;
    Ok(format!(
        "{}{}",
        &text[..cut],
        &text[cut + "\thelper = \n".len()..]
    ))
}

/// `ghoauth` when git can find the helper by that name on PATH, else the
/// full path of this program.
fn helper_value() -> String {
    if crate::oauth::sign_in::on_path("git-credential-ghoauth") {
        return "ghoauth".into();
    }
    std::env::current_exe()
        .map(|exe| exe.display().to_string())
        .unwrap_or_else(|_| "ghoauth".into())
}

fn is_ours(value: &str) -> bool {
    value == "ghoauth"
        || value.ends_with("/git-credential-ghoauth")
        || value.ends_with("\\git-credential-ghoauth.exe")
}

/// Whether a `credential.helper` value runs this helper, with or without
/// arguments (`ghoauth --store=kernel`).
pub(crate) fn names_this_helper(value: &str) -> bool {
    is_ours(value) || value.split_whitespace().next().is_some_and(is_ours)
}

/// `git config --global` could not do what was asked.
#[derive(Debug)]
enum GitConfigError {
    NotRun(std::io::Error),
    /// git's own words, from its stderr.
    Failed(String),
}

impl std::fmt::Display for GitConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitConfigError::NotRun(error) => {
                write!(f, "could not run git config ({error}); is git installed?")
            }
            GitConfigError::Failed(said) => write!(f, "git config failed: {said}"),
        }
    }
}

impl std::error::Error for GitConfigError {}

fn git_failed(output: &std::process::Output) -> GitConfigError {
    GitConfigError::Failed(String::from_utf8_lossy(&output.stderr).trim().to_string())
}

fn git_config(args: &[&str]) -> Result<String, GitConfigError> {
    let output = Command::new("git")
        .args(["config", "--global"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(GitConfigError::NotRun)?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(git_failed(&output))
    }
}

/// Every value of a multi-valued key, in order; none when it is unset.
fn git_config_values(key: &str) -> Result<Vec<String>, GitConfigError> {
    let output = Command::new("git")
        .args(["config", "--global", "-z", "--get-all", key])
        .stdin(Stdio::null())
        .output()
        .map_err(GitConfigError::NotRun)?;
    match output.status.code() {
        Some(0) => {
            let listing = output.stdout.strip_suffix(&[0]).unwrap_or(&output.stdout);
            Ok(listing
                .split(|&b| b == 0)
                .map(|value| String::from_utf8_lossy(value).into_owned())
                .collect())
        }
        Some(1) => Ok(Vec::new()),
        _ => Err(git_failed(&output)),
    }
}

pub(crate) fn regex_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.^$|?*+()[]{}".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
