//! What a remote URL names: the host it would be signed in to, and the
//! owner of its repository, for `use` and `status`.

use crate::config::host::OAuthHost;
use crate::git::repository::{Owner, Repository};

/// What a remote URL names: its host (when this helper could sign in
/// there) and the owner of the repository, if the path has one. Both
/// `https://host/owner/repo.git` and scp-like `git@host:owner/repo.git`.
pub fn owner_in_url(url: &str) -> Option<(Option<OAuthHost>, Owner)> {
    let (host, path) = host_and_path(url)?;
    let owner = path.trim_start_matches('/').split('/').next()?;
    Some((host, Owner::parse(owner)?))
}

/// The same, with the repository's name: where `doctor` runs.
pub fn repository_in_url(url: &str) -> Option<(Option<OAuthHost>, Repository)> {
    let (host, path) = host_and_path(url)?;
    Some((host, Repository::from_git_path(path.as_bytes())?))
}

fn host_and_path(url: &str) -> Option<(Option<OAuthHost>, String)> {
    match url.split_once("://") {
        Some(_) => {
            let parsed = url::Url::parse(url).ok()?;
            let host = match parsed.scheme() {
                "https" | "http" => {
                    OAuthHost::from_argument(parsed.origin().ascii_serialization().as_str()).ok()
                }
                _ => None,
            };
            Some((host, parsed.path().to_string()))
        }
        None => {
            // scp-like: [user@]host:path. The host is SSH's, not ours to sign in to.
            let (_, path) = url.split_once(':')?;
            Some((None, path.to_string()))
        }
    }
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
        let (host, repository) = repository_in_url("https://acme.ghe.com/acme/app.git").unwrap();
        assert_eq!(host.unwrap().url(), "https://acme.ghe.com");
        assert_eq!(
            (repository.owner.as_str(), repository.name.as_str()),
            ("acme", "app")
        );
        assert!(repository_in_url("https://github.com/acme").is_none());
    }
}
