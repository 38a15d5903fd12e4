//! Owners and repositories as GitHub names them, read from what git sends
//! (`path`, with `credential.useHttpPath`) or from a person's `--for`.
//! Checked once here, so that nothing later can hold a name that would
//! change the meaning of an API path or a config value.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
