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
//! Every change is made in a [`Draft`] and written in one rename (see
//! `draft`), so that a helper stopped part-way leaves the config as it was.
//!
//! The empty `helper` resets, for that host only, the helpers configured
//! before it, as `gh auth setup-git` does; nothing else is touched. The
//! client secret never passes through `git config`'s command line: it goes
//! into a file only the user can read (see `client_secrets`).

use anyhow::Context;

use crate::config::client_secrets::ClientSecrets;
use crate::config::draft::{Draft, GitConfigError, run_git_config, shell_quoted, values_in};
use crate::config::host::OAuthHost;
use crate::secret::Secret;

const KEYS: [&str; 6] = [
    "ghoauthClientId",
    "ghoauthClientSecret",
    "ghoauthFlow",
    "ghoauthRedirectUri",
    ACCOUNT_BINDING_KEY,
    WROTE_USE_HTTP_PATH,
];

/// Where an owner's account is bound (`accounts::bindings` reads and
/// writes them); listed here so that unconfigure removes them too.
pub(crate) const ACCOUNT_BINDING_KEY: &str = "ghoauthAccount";

/// Set beside the `useHttpPath` that configure wrote, so that unconfigure
/// removes that one and never a person's.
const WROTE_USE_HTTP_PATH: &str = "ghoauthWroteUseHttpPath";

/// Makes `remote` an OAuth host served by this helper, with this app.
pub(crate) fn write_app(
    draft: &Draft,
    remote: &OAuthHost,
    client_id: &str,
    client_secret: Option<&Secret>,
    flow: Option<&str>,
) -> anyhow::Result<()> {
    let url = remote.url();
    let section = format!("credential.{url}");
    let client_secret = client_secret.filter(|s| !s.expose().is_empty());
    let previous_id = draft.values(&format!("{section}.ghoauthClientId"))?.pop();
    let mut settings = vec![("ghoauthClientId", client_id)];
    if let Some(flow) = flow {
        settings.push(("ghoauthFlow", flow));
    }
    for (key, value) in settings {
        draft.git(&[&format!("{section}.{key}"), value])?;
    }
    match client_secret {
        Some(secret) => keep_secret(draft, &url, &section, secret),
        // Another app's secret would only make GitHub refuse every sign-in.
        None if previous_id.as_ref().is_some_and(|id| id != client_id) => drop_previous_secret(
            draft,
            &url,
            &section,
            previous_id.as_deref().unwrap_or_default(),
        ),
        None => Ok(()),
    }
    .context("the client secret was not kept")?;
    add_helper_entries(draft, &section)?;
    send_paths(draft, &section)?;
    Ok(())
}

/// Makes `remote` an OAuth host served by this helper with the app built
/// into it: the helper lines, and no client id (one configured before goes,
/// with its secret, which belongs to that app).
pub(crate) fn write_builtin(
    draft: &Draft,
    remote: &OAuthHost,
    flow: Option<&str>,
) -> anyhow::Result<()> {
    let url = remote.url();
    let section = format!("credential.{url}");
    if let Some(previous_id) = draft.values(&format!("{section}.ghoauthClientId"))?.pop() {
        draft.git(&["--unset-all", &format!("{section}.ghoauthClientId")])?;
        drop_previous_secret(draft, &url, &section, &previous_id)
            .context("the previous app's client secret was not removed")?;
    }
    if let Some(flow) = flow {
        draft.git(&[&format!("{section}.ghoauthFlow"), flow])?;
    }
    add_helper_entries(draft, &section)?;
    send_paths(draft, &section)?;
    Ok(())
}

/// Turns on `useHttpPath` for the host, so that git sends the repository's
/// path, whose owner picks the account when there are several (see
/// `accounts`). Only where the person set nothing, and marked.
fn send_paths(draft: &Draft, section: &str) -> Result<(), GitConfigError> {
    let key = format!("{section}.useHttpPath");
    if draft.values(&key)?.is_empty() {
        draft.git(&[&key, "true"])?;
        draft.git(&[&format!("{section}.{WROTE_USE_HTTP_PATH}"), "true"])?;
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
pub(crate) fn set_redirect_uris(
    draft: &Draft,
    remote: &OAuthHost,
    uris: &[String],
) -> anyhow::Result<()> {
    let key = format!("credential.{}.ghoauthRedirectUri", remote.url());
    // Status 5 when none is set: already as wanted.
    let _ = draft.git(&["--unset-all", &key]);
    for uri in uris {
        draft.git(&["--add", &key, uri])?;
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
pub(crate) fn remove_app(draft: &Draft, remote: &OAuthHost) -> anyhow::Result<bool> {
    let section = format!("credential.{}", remote.url());
    let helper_key = format!("{section}.helper");
    let helpers = draft.values(&helper_key).unwrap_or_default();
    let mut found = helpers.iter().any(|value| is_ours(value));
    let marked = format!("{section}.{WROTE_USE_HTTP_PATH}");
    if !draft.values(&marked).unwrap_or_default().is_empty() {
        let _ = draft.git(&["--unset-all", &format!("{section}.useHttpPath")]);
    }
    for key in KEYS {
        // Fails with status 5 when not set: already as wanted.
        found |= draft
            .git(&["--unset-all", &format!("{section}.{key}")])
            .is_ok();
    }
    found |= forget_secret(draft, &remote.url()).context("the client secret was not removed")?;
    if !found {
        return Ok(false);
    }
    remove_helper_entries(draft, remote, &helpers, &helper_key)?;
    // Older gits leave an empty section behind; newer ones remove it.
    let left = draft.git(&["--get-regexp", &format!("^{}\\.", regex_escape(&section))]);
    if left.is_err() {
        let _ = draft.git(&["--remove-section", &section]);
    }
    Ok(true)
}

/// Removes the pair [`write_app`] added: our entry and the empty one
/// before it. Removing by value keeps every other line where it is.
fn remove_helper_entries(
    draft: &Draft,
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
    draft.git(&["--unset", helper_key, &format!("^{}$", regex_escape(ours))])?;
    if empty_before && empties == 1 {
        draft.git(&["--unset", helper_key, "^$"])?;
    } else if empty_before {
        // Several empty entries: git cannot remove just one by value, so
        // take out the line configure wrote, in place.
        remove_empty_helper_before(draft, &remote.url())?;
    }
    Ok(())
}

/// Every URL with a client id in the global config, or a helper line of
/// this helper's (github.com with the built-in app has no client id).
pub(crate) fn configured_urls() -> Vec<String> {
    let listed = |pattern: &str| {
        // Status 1: no such key.
        git_config(&["-z", "--get-regexp", pattern]).unwrap_or_default()
    };
    let mut urls = urls_in(
        &listed("^credential\\..*\\.ghoauthclientid$"),
        "ghoauthclientid",
        |_| true,
    );
    for url in urls_in(
        &listed("^credential\\..*\\.helper$"),
        "helper",
        names_this_helper,
    ) {
        if !urls.contains(&url) {
            urls.push(url);
        }
    }
    urls
}

/// The URLs of `credential.<url>.<key>` entries in a `-z --get-regexp`
/// listing whose value `wanted` takes, in order, once each.
fn urls_in(listing: &str, key: &str, wanted: impl Fn(&str) -> bool) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    for record in listing.split('\0') {
        let (name, value) = record.split_once('\n').unwrap_or((record, ""));
        let url = name
            .strip_prefix("credential.")
            .and_then(|rest| rest.strip_suffix(&format!(".{key}")));
        if let Some(url) = url
            && wanted(value)
            && !urls.iter().any(|seen| seen == url)
        {
            urls.push(url.to_string());
        }
    }
    urls
}

/// The secret of the app configured before belongs to that app.
fn drop_previous_secret(
    draft: &Draft,
    url: &str,
    section: &str,
    previous_id: &str,
) -> anyhow::Result<()> {
    let removed = forget_secret(draft, url)?;
    let in_global = draft.git(&["--unset-all", &format!("{section}.ghoauthClientSecret")]);
    if removed || in_global.is_ok() {
        println!(
            "Removed the client secret of the previous app ({previous_id}): it belongs to that \
             app, not to the one configured now."
        );
    }
    Ok(())
}

/// The empty `helper =` and ours after it, unless they are there already.
fn add_helper_entries(draft: &Draft, section: &str) -> Result<(), GitConfigError> {
    let helper_key = format!("{section}.helper");
    let helpers = draft.values(&helper_key)?;
    let already = helpers.len() >= 2
        && helpers[helpers.len() - 2].is_empty()
        && is_ours(&helpers[helpers.len() - 1]);
    if !already {
        for value in ["", helper_value().as_str()] {
            draft.git(&["--add", &helper_key, value])?;
        }
    }
    Ok(())
}

/// Writes the secret to the private file, makes the global config include
/// it, and drops any copy from the global config itself.
fn keep_secret(draft: &Draft, url: &str, section: &str, secret: &Secret) -> anyhow::Result<()> {
    let secrets = ClientSecrets::beside_global_config()?;
    secrets.set(url, secret)?;
    let path = secrets.path().display().to_string();
    if !draft.values("include.path")?.contains(&path) {
        draft.git(&["--add", "include.path", &path])?;
    }
    let _ = draft.git(&["--unset-all", &format!("{section}.ghoauthClientSecret")]);
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
fn forget_secret(draft: &Draft, url: &str) -> anyhow::Result<bool> {
    let secrets = ClientSecrets::beside_global_config()?;
    let removed = secrets.remove(url)?;
    if secrets.is_empty()? {
        let path = secrets.path().display().to_string();
        if draft.values("include.path")?.contains(&path) {
            draft.git(&[
                "--unset",
                "include.path",
                &format!("^{}$", regex_escape(&path)),
            ])?;
            if draft.git(&["--get-regexp", "^include\\."]).is_err() {
                let _ = draft.git(&["--remove-section", "include"]);
            }
        }
    }
    Ok(removed)
}

/// Removes the empty `helper =` line that configure wrote before our
/// (already removed) helper line in the `[credential "<url>"]` section.
/// Used only when the section holds several empty entries, which `git
/// config --unset` cannot tell apart. The draft is this process's own, so
/// it is edited in place; the one rename of [`Draft::commit`] publishes it.
fn remove_empty_helper_before(draft: &Draft, url: &str) -> anyhow::Result<()> {
    let shown = draft.target().display().to_string();
    let text =
        std::fs::read_to_string(draft.path()).with_context(|| format!("cannot read {shown}"))?;
    let edited = without_empty_helper(&text, url)?;
    std::fs::write(draft.path(), edited).with_context(|| format!("cannot write beside {shown}"))
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
/// full path of this program, as git must be given it.
fn helper_value() -> String {
    if super::on_path("git-credential-ghoauth") {
        return "ghoauth".into();
    }
    std::env::current_exe()
        .map(|exe| helper_for_path(&exe.display().to_string(), cfg!(windows)))
        .unwrap_or_else(|_| "ghoauth".into())
}

/// The `credential.helper` value that runs the program at `path`. git
/// hands an absolute path to `sh` as it is, so a space splits it and a
/// backslash escapes: a path of plain characters is written as it is, any
/// other as a shell snippet (`!'…'`), which runs exactly that file. On
/// Windows the separators become `/`, which Git for Windows' `sh` and git
/// itself both take.
fn helper_for_path(path: &str, windows: bool) -> String {
    let path = match windows {
        true => path.replace('\\', "/"),
        false => path.to_string(),
    };
    let plain = path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/._-+:".contains(&b));
    match plain {
        true => path,
        false => format!("!{}", shell_quoted(&path)),
    }
}

/// Whether a `credential.helper` value is this helper: its name, a path
/// to it (written before paths were quoted, or plain), or the `!'…'`
/// snippet [`helper_for_path`] writes.
fn is_ours(value: &str) -> bool {
    let program = match value.strip_prefix('!') {
        Some(snippet) => first_shell_word(snippet),
        None => value.to_string(),
    };
    program == "ghoauth"
        || [
            "/git-credential-ghoauth",
            "/git-credential-ghoauth.exe",
            "\\git-credential-ghoauth.exe",
        ]
        .iter()
        .any(|end| program.ends_with(end))
}

/// The first word `sh` reads in `text`: quotes taken away, a backslash
/// outside them escaping the next character.
fn first_shell_word(text: &str) -> String {
    let mut word = String::new();
    let mut chars = text.trim_start().chars();
    let mut quote = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(open), c) if c == open => quote = None,
            (Some('"'), '\\') => word.extend(chars.next()),
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => quote = Some(c),
            (None, '\\') => word.extend(chars.next()),
            (None, c) if c.is_whitespace() => break,
            (None, c) => word.push(c),
        }
    }
    word
}

/// Whether a `credential.helper` value runs this helper, with or without
/// arguments (`ghoauth --store=kernel`).
pub(crate) fn names_this_helper(value: &str) -> bool {
    is_ours(value) || value.split_whitespace().next().is_some_and(is_ours)
}

/// `git config --global` with `args`, for reading what is written.
fn git_config(args: &[&str]) -> Result<String, GitConfigError> {
    run_git_config(&["--global"], args)
}

/// Every value of a multi-valued key in the global config, in order.
fn git_config_values(key: &str) -> Result<Vec<String>, GitConfigError> {
    values_in(&["--global"], key)
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

#[cfg(test)]
mod helper_value_tests {
    use super::*;

    #[test]
    fn a_path_git_would_split_or_unescape_is_written_as_a_quoted_snippet() {
        assert_eq!(
            helper_for_path("/usr/local/bin/git-credential-ghoauth", false),
            "/usr/local/bin/git-credential-ghoauth"
        );
        assert_eq!(
            helper_for_path("/home/a/My Tools/it's/git-credential-ghoauth", false),
            r"!'/home/a/My Tools/it'\''s/git-credential-ghoauth'"
        );
        assert_eq!(
            helper_for_path(r"C:\Users\Jane Doe\bin\git-credential-ghoauth.exe", true),
            "!'C:/Users/Jane Doe/bin/git-credential-ghoauth.exe'"
        );
        assert_eq!(
            helper_for_path(r"C:\Users\jane\bin\git-credential-ghoauth.exe", true),
            "C:/Users/jane/bin/git-credential-ghoauth.exe"
        );
    }

    #[test]
    fn every_way_the_helper_was_ever_written_is_recognised() {
        for ours in [
            "ghoauth",
            "/usr/local/bin/git-credential-ghoauth",
            r"C:\Users\jane\bin\git-credential-ghoauth.exe",
            "C:/Users/jane/bin/git-credential-ghoauth.exe",
            r"!'/home/a/My Tools/it'\''s/git-credential-ghoauth'",
            "!'C:/Users/Jane Doe/bin/git-credential-ghoauth.exe'",
            "!\"/opt/my tools/git-credential-ghoauth\"",
        ] {
            assert!(is_ours(ours), "{ours}");
            assert!(
                names_this_helper(&format!("{ours} --store=kernel")),
                "{ours}"
            );
        }
        for theirs in [
            "store",
            "!f() { echo password=x; }; f",
            "!'/opt/git-credential-ghoauth-other'",
            "/usr/bin/git-credential-ghoauth.sh",
            "",
        ] {
            assert!(!names_this_helper(theirs), "{theirs}");
        }
    }

    #[test]
    fn configured_hosts_are_read_from_client_ids_and_from_helper_lines() {
        let listing = "credential.https://github.com.helper\nghoauth\0\
                       credential.https://ghe.corp.helper\nstore\0\
                       credential.https://github.com.helper\n!'/opt/x/git-credential-ghoauth'\0\
                       credential.https://acme.ghe.com.helper\n/usr/bin/git-credential-ghoauth\0";
        assert_eq!(
            urls_in(listing, "helper", names_this_helper),
            ["https://github.com", "https://acme.ghe.com"]
        );
        let ids = "credential.https://ghe.corp.ghoauthclientid\nIv1.a\0";
        assert_eq!(
            urls_in(ids, "ghoauthclientid", |_| true),
            ["https://ghe.corp"]
        );
        assert!(urls_in("", "helper", |_| true).is_empty());
    }

    #[test]
    fn the_first_shell_word_is_read_as_sh_reads_it() {
        assert_eq!(first_shell_word(r"'a b'\''c' d"), "a b'c");
        assert_eq!(first_shell_word(r#""a \"b\"" c"#), r#"a "b""#);
        assert_eq!(first_shell_word(r"a\ b c"), "a b");
        assert_eq!(first_shell_word("  x"), "x");
    }
}
