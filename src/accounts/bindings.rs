//! Bindings: which account answers for an owner's repositories on a host,
//! kept in the helper's own multi-valued key in the global git config:
//!
//! ```text
//! [credential "https://github.com"]
//!     ghoauthAccount = acme alice-acme
//!     ghoauthAccount = octo-org alice
//! ```
//!
//! Why a key of our own, and not git's `credential.<url>/acme.username`:
//! git matches that path case-sensitively, while GitHub's owners are not,
//! and git applies every matching `username` in file order, so a later
//! host-wide one silently wins. This key is read by the helper alone,
//! matched without regard to case, and nobody else writes it, so
//! `unconfigure` can remove every value and never a person's `username`.
//! A `username` git sends still wins (it may come from the remote URL);
//! `status` names any `username` setting that would send one.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::config::host::OAuthHost;
use crate::config::origins::{self, entries};
use crate::config::urlmatch;
use crate::git::repository::Owner;
use crate::oauth::github::checked_login;
use crate::report::printable;

use crate::config::global::ACCOUNT_BINDING_KEY as KEY;

/// One binding, and the config file it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub owner: Owner,
    pub login: String,
    /// As `git config --show-origin` names it, e.g. `file:/home/a/.gitconfig`.
    pub origin: String,
    /// `global`, `local`, `system` or `command`: only global ones are ours
    /// to remove.
    pub scope: String,
}

/// A `username` setting that applies to a host: git sends it with every
/// request, and a user name git sends wins over any binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsernameSetting {
    /// The key as written, e.g. `credential.username`.
    pub key: String,
    pub value: String,
    pub origin: String,
    pub scope: String,
}

/// The host's bindings, one per owner (the last written wins), in the
/// order they were written. One `git config` run.
pub fn read(host: &OAuthHost) -> Vec<Binding> {
    from_listing(
        &origins::read(r"^credential\..*\.ghoauthaccount$"),
        &host.url(),
    )
}

/// Bindings in `git config -z --show-origin --show-scope --get-regexp`
/// output (`scope\0origin\0key\nvalue\0`…) that apply to `host_url`. A
/// value that is not `owner login` is skipped.
pub fn from_listing(listing: &[u8], host_url: &str) -> Vec<Binding> {
    let mut bindings: Vec<Binding> = Vec::new();
    for entry in entries(listing) {
        let Some(pattern) = entry.url_of(KEY) else {
            continue;
        };
        // Bindings are per host: a URL with a path would hold them to part
        // of it, which is not what they mean.
        if !pattern.is_empty() && urlmatch::specificity(&pattern, host_url).is_none() {
            continue;
        }
        let mut words = entry.value.split_whitespace();
        let (Some(owner), Some(login), None) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        let Some(owner) = Owner::parse(owner) else {
            continue;
        };
        // A login GitHub never issues cannot be an account of ours, and
        // would be printed into commands people paste.
        if checked_login(login.to_string()).is_err() {
            continue;
        }
        bindings.retain(|binding| binding.owner != owner);
        bindings.push(Binding {
            owner,
            login: login.to_string(),
            origin: entry.origin,
            scope: entry.scope,
        });
    }
    bindings
}

/// The login bound to `owner`, if any.
pub fn bound<'a>(bindings: &'a [Binding], owner: &Owner) -> Option<&'a Binding> {
    bindings.iter().find(|binding| &binding.owner == owner)
}

/// Binds `owner`'s repositories on `host` to `login`, replacing any
/// binding of that owner in the global config. `git config` takes its own
/// lock: while another process holds it, this waits its turn, within a
/// bound.
pub fn bind(host: &OAuthHost, owner: &Owner, login: &str) -> anyhow::Result<()> {
    if login.is_empty() || login.chars().any(|c| c.is_whitespace() || c.is_control()) {
        bail!("'{}' is not a GitHub login", printable(login));
    }
    git_config(&[
        "--global",
        "--replace-all",
        &key(host),
        &format!("{} {login}", owner.key()),
        &owner.value_pattern(),
    ])?;
    Ok(())
}

/// Removes `owner`'s binding from the global config; false when it had none.
pub fn unbind(host: &OAuthHost, owner: &Owner) -> anyhow::Result<bool> {
    unset_matching(host, &owner.value_pattern())
}

/// Removes every binding of `login` on `host` from the global config, and
/// returns the owners they were for.
pub fn unbind_login(host: &OAuthHost, login: &str) -> anyhow::Result<Vec<Owner>> {
    let mut owners = Vec::new();
    for binding in read(host) {
        if binding.login.eq_ignore_ascii_case(login)
            && binding.scope == "global"
            && unbind(host, &binding.owner)?
        {
            owners.push(binding.owner);
        }
    }
    Ok(owners)
}

/// Every `username` setting that applies to `host`, or to part of it,
/// with where it is written.
pub fn username_settings(host: &OAuthHost) -> Vec<UsernameSetting> {
    username_settings_in(
        &origins::read(r"^credential\.(.*\.)?username$"),
        &host.url(),
    )
}

fn username_settings_in(listing: &[u8], host_url: &str) -> Vec<UsernameSetting> {
    let under_host = format!("{}/", host_url.to_ascii_lowercase());
    entries(listing)
        .filter_map(|entry| {
            let pattern = entry.url_of("username")?;
            let applies = pattern.is_empty()
                || urlmatch::specificity(&pattern, host_url).is_some()
                || pattern.to_ascii_lowercase().starts_with(&under_host);
            applies.then(|| UsernameSetting {
                key: match pattern.is_empty() {
                    true => "credential.username".into(),
                    false => format!("credential.{pattern}.username"),
                },
                value: entry.value,
                origin: entry.origin,
                scope: entry.scope,
            })
        })
        .collect()
}

fn unset_matching(host: &OAuthHost, value_pattern: &str) -> anyhow::Result<bool> {
    match git_config(&["--global", "--unset-all", &key(host), value_pattern]) {
        Ok(_) => Ok(true),
        // Status 5: no such value, which is already as wanted.
        Err(GitConfigFailed(Some(5))) => Ok(false),
        Err(error) => Err(error).context("the binding was not removed"),
    }
}

fn key(host: &OAuthHost) -> String {
    format!("credential.{}.{KEY}", host.url())
}

#[derive(Debug)]
struct GitConfigFailed(Option<i32>);

impl std::fmt::Display for GitConfigFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(code) => write!(
                f,
                "git config failed with status {code} (is the global config locked by \
                 another git, or not writable?)"
            ),
            None => f.write_str("git config could not be run (is git installed?)"),
        }
    }
}

impl std::error::Error for GitConfigFailed {}

/// How long a write waits, in all, for another git's lock on the config:
/// parallel gits that each discover an owner take turns within it.
const LOCK_WAIT: Duration = Duration::from_secs(3);

/// `git config` with `args`. When another git holds the config's lock
/// (git says "could not lock config file"), tries again within
/// [`LOCK_WAIT`], at growing intervals, staggered per process.
fn git_config(args: &[&str]) -> Result<Vec<u8>, GitConfigFailed> {
    let deadline = Instant::now() + LOCK_WAIT;
    let mut pause = Duration::from_millis(2 + u64::from(std::process::id() % 7));
    loop {
        let output = Command::new("git")
            .arg("config")
            .args(args)
            // git's own words, untranslated, to tell a lock from the rest.
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|_| GitConfigFailed(None))?;
        if output.status.success() {
            return Ok(output.stdout);
        }
        let locked = String::from_utf8_lossy(&output.stderr).contains("could not lock config file");
        if !locked || Instant::now() + pause > deadline {
            return Err(GitConfigFailed(output.status.code()));
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(records: &[(&str, &str, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (origin, key, value) in records {
            out.extend_from_slice(format!("global\0{origin}\0{key}\n{value}\0").as_bytes());
        }
        out
    }

    #[test]
    fn bindings_are_per_host_and_the_last_for_an_owner_wins() {
        let listing = listing(&[
            (
                "file:/g",
                "credential.https://github.com.ghoauthaccount",
                "acme alice-acme",
            ),
            (
                "file:/g",
                "credential.https://github.com.ghoauthaccount",
                "octo alice",
            ),
            (
                "file:/r",
                "credential.https://github.com.ghoauthaccount",
                "ACME bob",
            ),
            (
                "file:/g",
                "credential.https://ghe.example.com.ghoauthaccount",
                "acme carol",
            ),
            (
                "file:/g",
                "credential.https://github.com.ghoauthaccount",
                "not-a-pair",
            ),
            (
                "file:/g",
                "credential.https://github.com.ghoauthaccount",
                "three words here",
            ),
            (
                "file:/g",
                "credential.https://github.com.ghoauthaccount",
                "b@d x",
            ),
        ]);
        let bindings = from_listing(&listing, "https://github.com");
        let pairs: Vec<(&str, &str, &str)> = bindings
            .iter()
            .map(|b| (b.owner.as_str(), b.login.as_str(), b.origin.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [("octo", "alice", "file:/g"), ("ACME", "bob", "file:/r")]
        );
        let acme = Owner::parse("Acme").unwrap();
        assert_eq!(bound(&bindings, &acme).unwrap().login, "bob");
        assert!(bound(&bindings, &Owner::parse("acme-corp").unwrap()).is_none());
    }

    #[test]
    fn username_settings_that_reach_a_host_are_named() {
        let listing = listing(&[
            ("file:/g", "credential.username", "everyone"),
            (
                "file:/g",
                "credential.https://github.com.username",
                "host-wide",
            ),
            (
                "file:/g",
                "credential.https://github.com/acme.username",
                "path",
            ),
            (
                "file:/g",
                "credential.https://gitlab.com.username",
                "elsewhere",
            ),
        ]);
        let found: Vec<(String, String)> = username_settings_in(&listing, "https://github.com")
            .into_iter()
            .map(|setting| (setting.key, setting.value))
            .collect();
        assert_eq!(
            found,
            [
                ("credential.username".to_string(), "everyone".to_string()),
                (
                    "credential.https://github.com.username".into(),
                    "host-wide".into()
                ),
                (
                    "credential.https://github.com/acme.username".into(),
                    "path".into()
                ),
            ]
        );
    }
}
