//! git itself, and the helpers git runs for a host, in git's order.

use std::path::{Path, PathBuf};

use super::{Check, shown};
use crate::config::draft::shell_word;
use crate::config::draft::{self, shell_quoted};
use crate::config::host::OAuthHost;
use crate::config::origins::{self, Entry};
use crate::config::{global, urlmatch};

/// git's version, and which `git-credential-ghoauth` git will run.
pub(super) fn git_checks() -> Vec<Check> {
    let mut checks = vec![version_check()];
    checks.extend(path_check());
    checks.extend(config_lock_check());
    checks
}

/// A lock file beside the global config, which a git (or this helper)
/// that was stopped mid-write leaves behind: while it is there, no
/// `git config --global` can change anything. Said only when present.
fn config_lock_check() -> Option<Check> {
    let config = draft::global_config_path()?;
    let lock = draft::lock_path(&config);
    lock.exists().then(|| {
        Check::problem(
            "git.config_lock",
            format!(
                "{} exists: while it does, nothing can change your global git config",
                shown(lock.display().to_string())
            ),
            match lock
                .to_str()
                .filter(|path| !path.chars().any(char::is_control))
            {
                Some(path) => format!(
                    "if no git is running, remove it: rm {}",
                    draft::shell_quoted(path)
                ),
                None => "if no git is running, remove that file".to_string(),
            },
        )
    })
}

fn version_check() -> Check {
    let Some(text) = crate::config::git_first_line(&["--version"]) else {
        return Check::problem(
            "git.version",
            "git could not be run",
            "install git, and make sure it is on PATH",
        );
    };
    let version = text.trim().trim_start_matches("git version ").to_string();
    let mut numbers = version
        .split(['.', ' '])
        .map(|n| n.parse::<u32>().unwrap_or(0));
    let (major, minor) = (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0));
    let mut lacks = Vec::new();
    if (major, minor) < (2, 40) {
        lacks.push("password_expiry_utc (2.40): git keeps using a token past its expiry");
    }
    if (major, minor) < (2, 47) {
        lacks.push("credential.interactive (2.47)");
    }
    match lacks.is_empty() {
        true => Check::ok("git.version", format!("git {}", shown(&version))),
        false => Check::warning(
            "git.version",
            format!("git {} lacks {}", shown(&version), lacks.join("; ")),
            "install a newer git (your distribution's backports, or git's own packages)",
        ),
    }
}

/// git runs `git-credential-ghoauth` from its exec path, else from PATH:
/// the first one found there must be this program.
fn path_check() -> Vec<Check> {
    let this = std::env::current_exe().and_then(std::fs::canonicalize).ok();
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(exec_path) = crate::config::git_first_line(&["--exec-path"]) {
        dirs.push(exec_path.into());
    }
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    let name = format!("git-credential-ghoauth{}", std::env::consts::EXE_SUFFIX);
    let found: Vec<PathBuf> = dirs
        .iter()
        .map(|dir| dir.join(&name))
        .filter(|candidate| candidate.is_file())
        .collect();
    let is_this = |path: &Path| std::fs::canonicalize(path).ok() == this;
    let this_shown = this
        .as_deref()
        .map(|path| path.display().to_string())
        .unwrap_or_else(|| "this program".into());
    match found.first() {
        None => vec![Check::warning(
            "git.on_path",
            format!(
                "git-credential-ghoauth is not on PATH, so git finds {this_shown} only where \
                 its full path is configured"
            ),
            "install it with ./install.sh, or add its directory to PATH",
        )],
        Some(first) if is_this(first) => vec![Check::ok(
            "git.on_path",
            format!(
                "git runs this program: {}",
                shown(first.display().to_string())
            ),
        )],
        Some(first) => vec![Check::problem(
            "git.on_path",
            format!(
                "git runs {} as `git credential-ghoauth`, not this program ({this_shown})",
                shown(first.display().to_string())
            ),
            format!(
                "remove {}, or put {}'s directory before it on PATH",
                shown(first.display().to_string()),
                this_shown
            ),
        )],
    }
}

/// Which helpers git runs for `host`, in order, and where this one is.
pub(super) fn checks(host: &OAuthHost) -> Vec<Check> {
    let listing = origins::read(r"^credential\.(.*\.)?helper$");
    let chain = chain_for(origins::entries(&listing), &host.url());
    judge(&chain, host)
}

/// The helpers that apply to `url`, as git collects them: every matching
/// `credential.helper` and `credential.<url>.helper` in the order read, an
/// empty value dropping those before it.
fn chain_for(entries: impl Iterator<Item = Entry>, url: &str) -> Vec<Entry> {
    let mut chain = Vec::new();
    for entry in entries {
        let Some(pattern) = entry.url_of("helper") else {
            continue;
        };
        if !pattern.is_empty() && urlmatch::specificity(&pattern, url).is_none() {
            continue;
        }
        match entry.value.is_empty() {
            true => chain.clear(),
            false => chain.push(entry),
        }
    }
    chain
}

fn judge(chain: &[Entry], host: &OAuthHost) -> Vec<Check> {
    let url = host.url();
    let configure = match global::configured_client_id(host) {
        Some(id) => format!(
            "git credential-ghoauth configure --host {url} --client-id {}",
            shell_word(&id)
        ),
        None => format!("git credential-ghoauth setup --host {url}"),
    };
    let Some(ours) = chain
        .iter()
        .position(|entry| global::names_this_helper(&entry.value))
    else {
        let runs = match chain.is_empty() {
            true => "none".to_string(),
            false => names(chain),
        };
        return vec![Check::problem(
            "chain.reached",
            format!("git never asks this helper for {url}; the helpers it runs: {runs}"),
            configure,
        )];
    };
    let mut checks = vec![Check::ok(
        "chain.reached",
        format!("git asks this helper ({})", where_written(&chain[ours])),
    )];
    let before = &chain[..ours];
    checks.push(match before.is_empty() {
        true => Check::ok("chain.before", "no helper runs before this one"),
        false => Check::problem(
            "chain.before",
            format!(
                "{} run before this helper and may answer first, with a credential this helper \
                 cannot renew or revoke",
                names(before)
            ),
            format!("{configure} (its empty helper entry resets them for {url})"),
        ),
    });
    for later in &chain[ours + 1..] {
        checks.push(after_check(later));
    }
    checks
}

/// A helper after ours is asked only when ours has nothing, but git hands
/// it every credential that worked, tokens included.
fn after_check(entry: &Entry) -> Check {
    let name = helper_name(&entry.value);
    let fix = removal(entry);
    let summary = |what: &str| format!("{} runs after this helper: {what}", where_named(entry));
    match name.as_str() {
        "store" => Check::problem(
            "chain.after",
            summary(
                "git hands it every token this helper answers with, and it writes them in plain text to ~/.git-credentials",
            ),
            fix,
        ),
        "cache" | "osxkeychain" | "wincred" | "manager" | "manager-core" | "libsecret" => {
            Check::warning(
                "chain.after",
                summary(
                    "it keeps its own copy of each token, which goes stale when this helper renews or revokes it",
                ),
                fix,
            )
        }
        _ => Check::ok(
            "chain.after",
            summary("asked only when this helper has nothing"),
        ),
    }
}

/// How to remove `entry`, as a command safe to paste: every word quoted
/// for the shell. A value or path with a control character gets no
/// command at all: printed, it could drive the terminal, and filtered, it
/// would no longer match; the file is named instead.
fn removal(entry: &Entry) -> String {
    let has_control = |text: &str| text.chars().any(char::is_control);
    match entry.file() {
        Some(file) if has_control(&entry.value) || has_control(file) || has_control(&entry.key) => {
            format!(
                "remove that {} entry from {} in an editor (it holds control characters, so \
                 no command is printed to paste)",
                shown(&entry.key),
                shown(file)
            )
        }
        Some(file) => format!(
            "git config --file {} --unset-all {} {}",
            shell_quoted(file),
            shell_quoted(&entry.key),
            shell_quoted(&format!("^{}$", global::regex_escape(&entry.value)))
        ),
        None => format!(
            "drop the `-c {}=…` that sets {} from the git command",
            shown(&entry.key),
            described(&entry.value)
        ),
    }
}

/// A helper as people may see it: its command, or for an inline shell
/// helper (`!f() { echo password=…; }; f`), which may hold a secret, only
/// that it is one.
fn described(value: &str) -> String {
    match value.trim_start().starts_with('!') {
        true => "an inline shell helper".to_string(),
        false => format!("'{}'", shown(value)),
    }
}

/// `store` for `store --file x`, `git-credential-store` or a path to it.
fn helper_name(value: &str) -> String {
    let program = value.split_whitespace().next().unwrap_or_default();
    let base = program.rsplit(['/', '\\']).next().unwrap_or(program);
    let base = base.strip_suffix(".exe").unwrap_or(base);
    base.strip_prefix("git-credential-")
        .unwrap_or(base)
        .to_string()
}

fn names(entries: &[Entry]) -> String {
    entries
        .iter()
        .map(where_named)
        .collect::<Vec<_>>()
        .join(", ")
}

fn where_named(entry: &Entry) -> String {
    format!("{} ({})", described(&entry.value), where_written(entry))
}

fn where_written(entry: &Entry) -> String {
    match entry.file() {
        Some(file) => format!("{} config, {}", entry.scope, shown(file)),
        None => "the command line".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::doctor::Status;

    fn listing(records: &[(&str, &str, &str, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (scope, origin, key, value) in records {
            out.extend_from_slice(format!("{scope}\0{origin}\0{key}\n{value}\0").as_bytes());
        }
        out
    }

    fn judged(records: &[(&str, &str, &str, &str)]) -> Vec<(String, Status)> {
        let listing = listing(records);
        let chain = chain_for(origins::entries(&listing), "https://github.com");
        judge(&chain, &OAuthHost::github_com())
            .into_iter()
            .map(|check| (check.id.to_string(), check.status))
            .collect()
    }

    #[test]
    fn a_chain_is_read_in_gits_order_with_resets() {
        use Status::*;
        let ours = "/usr/bin/git-credential-ghoauth";
        // configure's layout: the system's helper is reset for the host.
        assert_eq!(
            judged(&[
                (
                    "system",
                    "file:/etc/gitconfig",
                    "credential.helper",
                    "osxkeychain"
                ),
                (
                    "global",
                    "file:/g",
                    "credential.https://github.com.helper",
                    ""
                ),
                (
                    "global",
                    "file:/g",
                    "credential.https://github.com.helper",
                    ours
                ),
            ]),
            [("chain.reached".into(), Ok), ("chain.before".into(), Ok)]
        );
        // No reset: the system's helper answers first.
        assert_eq!(
            judged(&[
                (
                    "system",
                    "file:/etc/gitconfig",
                    "credential.helper",
                    "osxkeychain"
                ),
                ("global", "file:/g", "credential.helper", "ghoauth"),
            ]),
            [
                ("chain.reached".into(), Ok),
                ("chain.before".into(), Problem)
            ]
        );
        // store after ours, cache after ours, another host's helper ignored.
        assert_eq!(
            judged(&[
                (
                    "global",
                    "file:/g",
                    "credential.helper",
                    "ghoauth --store=kernel"
                ),
                (
                    "global",
                    "file:/g",
                    "credential.https://gitlab.com.helper",
                    "store"
                ),
                (
                    "local",
                    "file:/r/.git/config",
                    "credential.helper",
                    "store --file /x"
                ),
                ("command", "command line:", "credential.helper", "cache"),
                ("global", "file:/g", "credential.helper", "!f() { :; }; f"),
            ]),
            [
                ("chain.reached".into(), Ok),
                ("chain.before".into(), Ok),
                ("chain.after".into(), Problem),
                ("chain.after".into(), Warning),
                ("chain.after".into(), Ok),
            ]
        );
        // Reset after ours: git never gets here.
        assert_eq!(
            judged(&[
                ("global", "file:/g", "credential.helper", "ghoauth"),
                ("local", "file:/r", "credential.helper", ""),
                ("local", "file:/r", "credential.helper", "manager"),
            ]),
            [("chain.reached".into(), Problem)]
        );
    }

    #[test]
    fn helper_names_are_read_from_any_spelling() {
        assert_eq!(helper_name("store --file ~/x"), "store");
        assert_eq!(
            helper_name("/usr/lib/git-core/git-credential-libsecret"),
            "libsecret"
        );
        assert_eq!(
            helper_name("C:\\Git\\git-credential-manager.exe"),
            "manager"
        );
    }
}
