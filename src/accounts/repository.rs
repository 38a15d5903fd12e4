//! Owners and repositories as GitHub names them, read from what git sends
//! (`path`, with `credential.useHttpPath`), from a remote URL, or from a
//! person's `--for`. Checked once here, so that nothing later can hold a
//! name that would change the meaning of an API path or a config value.

use crate::oauth::host::OAuthHost;

/// A user or organisation name: ASCII letters, digits, `-`, and `_` (the
/// `name_shortcode` of an Enterprise Managed User). GitHub compares owners
/// without regard to case, and so does everything here.
#[derive(Debug, Clone)]
pub struct Owner(String);

/// No GitHub login or organisation comes near this; a longer one is not a
/// name.
const MAX_OWNER_BYTES: usize = 100;
const MAX_REPOSITORY_BYTES: usize = 100;

impl Owner {
    pub fn parse(text: &str) -> Option<Owner> {
        let well_formed = !text.is_empty()
            && text.len() <= MAX_OWNER_BYTES
            && !text.starts_with('-')
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| Owner(text.to_string()))
    }

    /// As it was written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The one spelling bindings are kept under.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }

    /// A POSIX regular expression that matches a config value starting
    /// with this owner and a space, in any case: `git config` has no
    /// case-insensitive value patterns. Safe because an owner holds only
    /// letters, digits, `-` and `_`.
    pub fn value_pattern(&self) -> String {
        let mut pattern = String::from("^");
        for c in self.0.chars() {
            match c.is_ascii_alphabetic() {
                true => pattern.push_str(&format!(
                    "[{}{}]",
                    c.to_ascii_lowercase(),
                    c.to_ascii_uppercase()
                )),
                false => pattern.push(c),
            }
        }
        pattern.push(' ');
        pattern
    }
}

impl PartialEq for Owner {
    fn eq(&self, other: &Owner) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for Owner {}

impl std::fmt::Display for Owner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A repository: its owner and its name, without `.git`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    pub owner: Owner,
    pub name: String,
}

impl Repository {
    /// From git's `path`: `owner/repo.git`, `owner/repo`, or what Git LFS
    /// sends, `owner/repo.git/info/lfs/…`. Anything after the repository
    /// is not ours to read.
    pub fn from_git_path(path: &[u8]) -> Option<Repository> {
        let path = std::str::from_utf8(path).ok()?;
        let mut segments = path.trim_start_matches('/').split('/');
        let owner = Owner::parse(segments.next()?)?;
        let name = segments.next()?;
        let name = name.strip_suffix(".git").unwrap_or(name);
        let well_formed = !name.is_empty()
            && name.len() <= MAX_REPOSITORY_BYTES
            && name != "."
            && name != ".."
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        well_formed.then(|| Repository {
            owner,
            name: name.to_string(),
        })
    }
}

/// What a remote URL names: its host (when this helper could sign in
/// there) and the owner of the repository, if the path has one. Both
/// `https://host/owner/repo.git` and scp-like `git@host:owner/repo.git`.
pub fn owner_in_url(url: &str) -> Option<(Option<OAuthHost>, Owner)> {
    let (host, path) = match url.split_once("://") {
        Some(_) => {
            let parsed = url::Url::parse(url).ok()?;
            let host = match parsed.scheme() {
                "https" | "http" => {
                    OAuthHost::from_argument(parsed.origin().ascii_serialization().as_str()).ok()
                }
                _ => None,
            };
            (host, parsed.path().to_string())
        }
        None => {
            // scp-like: [user@]host:path. The host is SSH's, not ours to sign in to.
            let (_, path) = url.split_once(':')?;
            (None, path.to_string())
        }
    };
    let owner = path.trim_start_matches('/').split('/').next()?;
    Some((host, Owner::parse(owner)?))
}

/// The host of an SSH remote (`git@host:owner/repo`, or
/// `ssh://[user@]host[:port]/owner/repo`), lowercased and without user or
/// port; `None` for any other URL. git never asks a credential helper for
/// such a remote: a binding made from one serves HTTPS access only.
pub fn ssh_host(url: &str) -> Option<String> {
    let host = match url.split_once("://") {
        Some(("ssh" | "git+ssh" | "ssh+git", _)) => {
            url::Url::parse(url).ok()?.host_str()?.to_string()
        }
        Some(_) => return None,
        None => {
            // scp-like, [user@]host:path, as git tells it from a local
            // path: a colon before any slash.
            let (authority, _) = url.split_once(':')?;
            if authority.contains('/') || authority.is_empty() {
                return None;
            }
            authority.rsplit('@').next()?.to_string()
        }
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_remotes_name_their_host_and_nothing_else_does() {
        for (url, host) in [
            ("git@github.com:acme/app.git", Some("github.com")),
            ("git@GHE.corp:acme/app.git", Some("ghe.corp")),
            ("ghe.corp:acme/app", Some("ghe.corp")),
            ("ssh://git@ghe.corp:2222/acme/app.git", Some("ghe.corp")),
            ("git+ssh://ghe.corp/acme/app", Some("ghe.corp")),
            ("https://github.com/acme/app.git", None),
            ("/srv/git/app.git", None),
            ("./relative/path:with-colon", None),
            (":nothing", None),
        ] {
            assert_eq!(ssh_host(url).as_deref(), host, "{url}");
        }
    }

    #[test]
    fn git_paths_name_owner_and_repository() {
        for (path, owner, name) in [
            ("acme/app.git", "acme", "app"),
            ("acme/app", "acme", "app"),
            ("/acme/app.git", "acme", "app"),
            ("acme/app.git/info/lfs/objects/batch", "acme", "app"),
            ("alice_acme/.github.git", "alice_acme", ".github"),
        ] {
            let repository = Repository::from_git_path(path.as_bytes()).unwrap();
            assert_eq!(repository.owner.as_str(), owner, "{path}");
            assert_eq!(repository.name, name, "{path}");
        }
        for path in [
            "",
            "acme",
            "acme/",
            "acme/..",
            "acme/.git",
            "ac me/app",
            "acme/a%2fb",
            "-x/app",
            "acme/app?x",
            "\u{e9}/app",
        ] {
            assert_eq!(Repository::from_git_path(path.as_bytes()), None, "{path:?}");
        }
        assert_eq!(Repository::from_git_path(b"acme/\xff"), None);
        let long = format!("{}/app", "a".repeat(101));
        assert_eq!(Repository::from_git_path(long.as_bytes()), None);
    }

    #[test]
    fn owners_compare_without_case() {
        let (lower, upper) = (Owner::parse("acme").unwrap(), Owner::parse("ACME").unwrap());
        assert_eq!(lower, upper);
        assert_eq!(upper.key(), "acme");
        assert_eq!(upper.as_str(), "ACME");
        assert_ne!(lower, Owner::parse("acme-corp").unwrap());
        assert_eq!(
            Owner::parse("Ac-1_x").unwrap().value_pattern(),
            "^[aA][cC]-1_[xX] "
        );
    }

    #[test]
    fn remote_urls_name_their_owner() {
        let (host, owner) = owner_in_url("https://github.com/Acme/app.git").unwrap();
        assert_eq!(host.unwrap().url(), "https://github.com");
        assert_eq!(owner.as_str(), "Acme");
        let (host, owner) = owner_in_url("git@github.com:acme/app.git").unwrap();
        assert!(host.is_none());
        assert_eq!(owner.as_str(), "acme");
        let (host, _) = owner_in_url("http://127.0.0.1:8080/acme/app.git").unwrap();
        assert_eq!(host.unwrap().url(), "http://127.0.0.1:8080");
        assert!(owner_in_url("https://github.com/").is_none());
        assert!(owner_in_url("/local/path").is_none());
    }
}
