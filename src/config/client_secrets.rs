//! Where `configure` keeps OAuth apps' client secrets: a file only the user
//! can read, included from the global git config.
//!
//! `git config --global <key> <secret>` would put the secret on a command
//! line, where any local user can read it in /proc, and into `~/.gitconfig`,
//! which is usually readable by all. `git config` cannot take a value on
//! stdin, so this module writes the file itself: git's config syntax, mode
//! 0600, replaced whole by a rename, never through a symlink. The OS
//! keyring is not the place: the kernel store loses it at reboot.
//!
//! The file sits beside the global config (`~/.git-credential-ghoauth-secrets`
//! for `~/.gitconfig`, or beside `$GIT_CONFIG_GLOBAL`) and is this helper's
//! alone: it is rewritten from what it parses, so hand edits other than to
//! the secrets themselves do not survive.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::secret::Secret;

const FILE_NAME: &str = ".git-credential-ghoauth-secrets";
const HEADER: &str = "# OAuth app client secrets for git-credential-ghoauth, readable by you only.\n\
                      # Written by `git credential-ghoauth configure`; included from your global git config.\n";

pub struct ClientSecrets {
    path: PathBuf,
}

impl ClientSecrets {
    /// The file for the global config git writes to.
    pub fn beside_global_config() -> Result<ClientSecrets, SecretsFileError> {
        let dir = match std::env::var_os("GIT_CONFIG_GLOBAL") {
            Some(global) => Path::new(&global)
                .parent()
                .map(Path::to_path_buf)
                .ok_or(SecretsFileError::NoGlobalConfigDir)?,
            None => directories::BaseDirs::new()
                .map(|dirs| dirs.home_dir().to_path_buf())
                .ok_or(SecretsFileError::NoHome)?,
        };
        Ok(ClientSecrets::at(dir.join(FILE_NAME)))
    }

    pub fn at(path: PathBuf) -> ClientSecrets {
        ClientSecrets { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sets the secret for `url` (`https://github.com`), replacing any.
    pub fn set(&self, url: &str, secret: &Secret) -> Result<(), SecretsFileError> {
        let secret = secret
            .expose_str()
            .filter(|text| !text.contains(['\n', '\r', '\0']))
            .ok_or(SecretsFileError::NotOneLine)?;
        let mut entries = self.read()?;
        entries.retain(|(known, _)| known != url);
        entries.push((url.to_string(), secret.to_string()));
        self.write(&entries)
    }

    /// Removes the secret for `url`. True if there was one. The file goes
    /// when nothing is left in it.
    pub fn remove(&self, url: &str) -> Result<bool, SecretsFileError> {
        let mut entries = self.read()?;
        let before = entries.len();
        entries.retain(|(known, _)| known != url);
        if entries.len() == before {
            return Ok(false);
        }
        if entries.is_empty() {
            std::fs::remove_file(&self.path).map_err(|error| self.failed("remove", error))?;
            return Ok(true);
        }
        self.write(&entries).map(|()| true)
    }

    /// True when a secret is kept for `url`.
    pub fn contains(&self, url: &str) -> Result<bool, SecretsFileError> {
        Ok(self.read()?.iter().any(|(known, _)| known == url))
    }

    /// True when no secret is kept (the file is gone or empty).
    pub fn is_empty(&self) -> Result<bool, SecretsFileError> {
        Ok(self.read()?.is_empty())
    }

    fn read(&self) -> Result<Vec<(String, String)>, SecretsFileError> {
        let text = match read_own_file(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(self.failed("read", error)),
        };
        Ok(parse(&text))
    }

    fn write(&self, entries: &[(String, String)]) -> Result<(), SecretsFileError> {
        let staged = self
            .path
            .with_extension(format!("tmp-{}", std::process::id()));
        let written = create_private(&staged).and_then(|mut file| {
            file.write_all(render(entries).as_bytes())?;
            file.sync_all()
        });
        let placed = written.and_then(|()| std::fs::rename(&staged, &self.path));
        placed.map_err(|error| {
            let _ = std::fs::remove_file(&staged);
            self.failed("write", error)
        })
    }

    fn failed(&self, doing: &'static str, error: std::io::Error) -> SecretsFileError {
        SecretsFileError::Io {
            doing,
            path: self.path.clone(),
            error,
        }
    }
}

/// Why the client secrets file could not be used.
#[derive(Debug)]
pub enum SecretsFileError {
    NoGlobalConfigDir,
    NoHome,
    NotOneLine,
    Io {
        doing: &'static str,
        path: PathBuf,
        error: std::io::Error,
    },
}

impl std::fmt::Display for SecretsFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretsFileError::NoGlobalConfigDir => f.write_str("GIT_CONFIG_GLOBAL names no file"),
            SecretsFileError::NoHome => {
                f.write_str("no home directory, so nowhere to keep the client secret")
            }
            SecretsFileError::NotOneLine => {
                f.write_str("the client secret is not one line of text")
            }
            SecretsFileError::Io {
                doing: "read",
                path,
                error,
            } => write!(
                f,
                "cannot read {} ({error}); it must be a plain file of yours",
                path.display()
            ),
            SecretsFileError::Io { doing, path, error } => {
                write!(f, "cannot {doing} {}: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for SecretsFileError {}

/// git's config syntax for the entries, values quoted and escaped.
fn render(entries: &[(String, String)]) -> String {
    let mut text = HEADER.to_string();
    for (url, secret) in entries {
        text.push_str(&format!(
            "[credential \"{}\"]\n\tghoauthClientSecret = \"{}\"\n",
            escape(url),
            escape(secret)
        ));
    }
    text
}

/// Reads back what [`render`] wrote; anything else is skipped.
fn parse(text: &str) -> Vec<(String, String)> {
    let mut entries = Vec::new();
    let mut url = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(quoted) = line
            .strip_prefix("[credential \"")
            .and_then(|rest| rest.strip_suffix("\"]"))
        {
            url = Some(unescape(quoted));
        } else if let (Some(url), Some((key, value))) = (&url, line.split_once('=')) {
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            if key.trim().eq_ignore_ascii_case("ghoauthclientsecret") {
                entries.push((url.clone(), unescape(value)));
            }
        }
    }
    entries
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

fn unescape(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => plain.extend(chars.next()),
            c => plain.push(c),
        }
    }
    plain
}

#[cfg(unix)]
fn read_own_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(std::io::Error::other("not a plain file"));
    }
    // Someone else's file here could feed git an include of their choosing,
    // and rewriting it would hand them the secrets: refuse, as the lock
    // directory does.
    use std::os::unix::fs::MetadataExt;
    if metadata.uid() != rustix::process::geteuid().as_raw() {
        return Err(std::io::Error::other(format!(
            "owned by user {}, not by you",
            metadata.uid()
        )));
    }
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(not(unix))]
fn read_own_file(path: &Path) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> ClientSecrets {
        let dir =
            std::env::temp_dir().join(format!("ghoauth-secrets-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        ClientSecrets::at(dir.join(FILE_NAME))
    }

    #[test]
    fn secrets_round_trip_and_the_file_is_private() {
        let secrets = scratch("round-trip");
        let odd = Secret::new("a\"b\\c d=e");
        secrets
            .set("https://github.com", &Secret::new("one"))
            .unwrap();
        secrets.set("https://ghe.example.com", &odd).unwrap();
        secrets
            .set("https://github.com", &Secret::new("two"))
            .unwrap();
        let text = std::fs::read_to_string(secrets.path()).unwrap();
        assert_eq!(
            parse(&text),
            vec![
                (
                    "https://ghe.example.com".to_string(),
                    "a\"b\\c d=e".to_string()
                ),
                ("https://github.com".to_string(), "two".to_string()),
            ]
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(secrets.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(secrets.remove("https://github.com").unwrap());
        assert!(!secrets.remove("https://github.com").unwrap());
        assert!(secrets.remove("https://ghe.example.com").unwrap());
        assert!(!secrets.path().exists(), "an empty file is removed");
        std::fs::remove_dir_all(secrets.path().parent().unwrap()).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_in_its_place_is_never_followed() {
        let secrets = scratch("symlink");
        let target = secrets.path().with_file_name("elsewhere");
        std::fs::write(
            &target,
            "[credential \"https://x\"]\n\tghoauthClientSecret = \"planted\"\n",
        )
        .unwrap();
        std::os::unix::fs::symlink(&target, secrets.path()).unwrap();
        let error = secrets
            .set("https://github.com", &Secret::new("s"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("plain file"), "{error}");
        assert!(
            std::fs::read_to_string(&target)
                .unwrap()
                .contains("planted")
        );
        std::fs::remove_dir_all(secrets.path().parent().unwrap()).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_file_someone_else_owns_is_never_rewritten() {
        let secrets = scratch("others");
        secrets
            .set("https://github.com", &Secret::new("s1"))
            .unwrap();
        // Owned by another user: as root here, chown it away.
        let other = rustix::process::Uid::from_raw(rustix::process::geteuid().as_raw() + 1);
        if rustix::fs::chown(secrets.path(), Some(other), None).is_err() {
            return; // Not root: cannot make such a file; nothing to test.
        }
        let refused = secrets
            .set("https://github.com", &Secret::new("s2"))
            .unwrap_err()
            .to_string();
        assert!(refused.contains("not by you"), "{refused}");
        assert!(
            std::fs::read_to_string(secrets.path())
                .unwrap()
                .contains("s1")
        );
    }

    #[test]
    fn a_secret_must_be_one_line() {
        let secrets = scratch("one-line");
        assert!(
            secrets
                .set("https://github.com", &Secret::new("a\nb"))
                .is_err()
        );
        std::fs::remove_dir_all(secrets.path().parent().unwrap()).unwrap();
    }
}
