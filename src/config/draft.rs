//! One write of the global git config. `configure`, `setup` and
//! `unconfigure` each change several keys; made one `git config` at a time,
//! a helper killed part-way (or a disk that fills) would leave half of them,
//! say a client id with no secret include. So every change goes into a
//! private copy of the file (the draft), still through `git config --file`,
//! so that git's own format rules apply, and the draft then replaces the
//! config in one rename, under git's own lock file. Until that rename the
//! config is as it was; after it, complete.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

/// The global config's changes, not yet written. Dropping it without
/// [`Draft::commit`] changes nothing.
pub(crate) struct Draft {
    /// The global config, as git writes it (through symlinks).
    target: PathBuf,
    /// What it held when the draft was made; `None` when it did not exist.
    original: Option<Vec<u8>>,
    draft: PathBuf,
    committed: bool,
}

impl Draft {
    /// A draft of the global config as it is now.
    pub(crate) fn of_global_config() -> anyhow::Result<Draft> {
        let target = global_config_path().context(
            "cannot tell where your global git config is: set HOME, or GIT_CONFIG_GLOBAL",
        )?;
        Draft::of(target)
    }

    /// A draft of the config file `target`, beside it, made with the
    /// file's own mode from the start: a private config's changes are
    /// never readable by others, not even while they are written.
    fn of(target: PathBuf) -> anyhow::Result<Draft> {
        let shown = target.display().to_string();
        let original = match std::fs::read(&target) {
            Ok(bytes) => Some(bytes),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => return Err(error).with_context(|| format!("cannot read {shown}")),
        };
        let name = target
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "gitconfig".into());
        remove_stale_drafts(&target, &name);
        // The suffix is appended to the path as written, keeping its
        // separators: a git that reads `--file` (Git for Windows, or the
        // tests' Linux git behind Wine) gets the spelling it was given.
        let mut draft = target.clone().into_os_string();
        draft.push(format!("{DRAFT_SUFFIX}{}", std::process::id()));
        let draft = PathBuf::from(draft);
        let mut draft_file = new_private_file(&draft, mode_of(&target))
            .map_err(|error| disk_error(error, &draft))?;
        let copied = draft_file
            .write_all(original.as_deref().unwrap_or_default())
            .and_then(|()| draft_file.sync_all());
        let made = Draft {
            target,
            original,
            draft,
            committed: false,
        };
        copied.map_err(|error| disk_error(error, &made.draft))?;
        Ok(made)
    }

    /// `git config --file <draft>` with `args`: git's stdout, or its words.
    pub(crate) fn git(&self, args: &[&str]) -> Result<String, GitConfigError> {
        run_git_config(&self.scope(), args)
    }

    /// Every value of a multi-valued key in the draft, in order.
    pub(crate) fn values(&self, key: &str) -> Result<Vec<String>, GitConfigError> {
        values_in(&self.scope(), key)
    }

    /// The draft itself, for an edit `git config` cannot make.
    pub(crate) fn path(&self) -> &Path {
        &self.draft
    }

    /// The global config's path, for messages.
    pub(crate) fn target(&self) -> &Path {
        &self.target
    }

    fn scope(&self) -> [String; 2] {
        ["--file".into(), self.draft.display().to_string()]
    }

    /// Replaces the global config with the draft, in one rename, holding
    /// git's lock (`<config>.lock`) as git does. Refuses when another
    /// program changed the config meanwhile, or holds its lock.
    pub(crate) fn commit(mut self) -> anyhow::Result<()> {
        let shown = self.target.display().to_string();
        let drafted = std::fs::read(&self.draft)
            .with_context(|| format!("cannot read {}", self.draft.display()))?;
        if Some(&drafted) == self.original.as_ref()
            || (drafted.is_empty() && self.original.is_none())
        {
            return Ok(());
        }
        let lock = lock_path(&self.target);
        new_private_file(&lock, None).map_err(|error| match error.kind() {
            std::io::ErrorKind::AlreadyExists => anyhow::anyhow!(
                "your global git config was not changed: {lock} exists, so another git is \
                 writing it, or one that was stopped left its lock behind; if no git is \
                 running, remove it: rm {quoted}",
                lock = lock.display(),
                quoted = shell_quoted(&lock.display().to_string())
            ),
            _ => disk_error(error, &lock),
        })?;
        let replaced = self.replace_target(&shown);
        let _ = std::fs::remove_file(&lock);
        replaced?;
        self.committed = true;
        Ok(())
    }

    fn replace_target(&self, shown: &str) -> anyhow::Result<()> {
        let now = match std::fs::read(&self.target) {
            Ok(bytes) => Some(bytes),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => return Err(error).with_context(|| format!("cannot read {shown}")),
        };
        if now != self.original {
            bail!(
                "your global git config ({shown}) changed while this command ran, so it was \
                 left as the other program wrote it; run the command again"
            );
        }
        std::fs::rename(&self.draft, &self.target).map_err(|error| disk_error(error, &self.target))
    }
}

impl Drop for Draft {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.draft);
        }
    }
}

const DRAFT_SUFFIX: &str = ".ghoauth-draft-";

/// Drafts that a killed helper left beside the config: those whose
/// process is gone (Linux tells by `/proc`; elsewhere they stay).
fn remove_stale_drafts(target: &Path, name: &str) {
    if !cfg!(target_os = "linux") {
        return;
    }
    let Some(dir) = target.parent() else { return };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!("{name}{DRAFT_SUFFIX}");
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        let dead = pid
            .parse::<u32>()
            .is_ok_and(|pid| !Path::new(&format!("/proc/{pid}")).exists());
        if dead {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Where `git config --global` writes: `GIT_CONFIG_GLOBAL`, else
/// `~/.gitconfig`, unless only the XDG file (`~/.config/git/config`)
/// exists. Through symlinks, their target, as git's lock file does (on
/// Unix), whether or not it exists yet.
pub(crate) fn global_config_path() -> Option<PathBuf> {
    let set = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    let home = set("HOME")
        .map(PathBuf::from)
        .or_else(|| directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_path_buf()));
    let named = git_global_config(set("GIT_CONFIG_GLOBAL"), home, set("XDG_CONFIG_HOME"))?;
    // Windows' canonical form is a verbatim path (`\\?\C:\…`), which git
    // does not take; symlinked configs are a Unix habit.
    #[cfg(unix)]
    let named = resolve_symlinks(named);
    Some(named)
}

/// git's `resolve_symlinks` (lockfile.c): at most five links followed, a
/// relative one from the link's own folder, and the end need not exist.
/// A dotfile manager's link to a file not made yet then gets the file,
/// where a rename onto the link would have replaced it.
#[cfg(unix)]
fn resolve_symlinks(mut path: PathBuf) -> PathBuf {
    const MAX_LINKS: usize = 5;
    for _ in 0..MAX_LINKS {
        let Ok(target) = std::fs::read_link(&path) else {
            break;
        };
        path = match target.is_absolute() {
            true => target,
            false => path.parent().unwrap_or(Path::new("")).join(target),
        };
    }
    path
}

/// git's rule for the file `git config --global` writes, from
/// `GIT_CONFIG_GLOBAL`, HOME and `XDG_CONFIG_HOME` (each unset or empty:
/// `None`).
fn git_global_config(
    git_config_global: Option<std::ffi::OsString>,
    home: Option<PathBuf>,
    xdg_config_home: Option<std::ffi::OsString>,
) -> Option<PathBuf> {
    if let Some(path) = git_config_global {
        return Some(PathBuf::from(path));
    }
    let home = home?;
    let user = home.join(".gitconfig");
    let xdg = xdg_config_home
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".config"))
        .join("git/config");
    Some(if !user.exists() && xdg.exists() {
        xdg
    } else {
        user
    })
}

/// git's lock file beside `config`.
pub(crate) fn lock_path(config: &Path) -> PathBuf {
    let mut name = config.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    config.with_file_name(name)
}

/// A new file, never one that exists (nor a symlink someone left there),
/// with `mode` from the start on Unix.
fn new_private_file(path: &Path, mode: Option<u32>) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode.unwrap_or(0o644));
    }
    #[cfg(not(unix))]
    let _ = mode;
    options.open(path)
}

fn mode_of(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .ok()
            .map(|meta| meta.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// An I/O error while writing beside the config, said as the user can act
/// on it: a full disk is named as such.
fn disk_error(error: std::io::Error, path: &Path) -> anyhow::Error {
    let dir = path.parent().unwrap_or(path).display();
    match error.kind() {
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => anyhow::anyhow!(
            "your global git config was not changed: the disk that holds {dir} is full ({error}); \
             free some space, then run the command again"
        ),
        _ => anyhow::anyhow!(
            "your global git config was not changed: cannot write in {dir} ({error})"
        ),
    }
}

/// `text` as one shell word: in single quotes, each `'` written `'\''`.
pub(crate) fn shell_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// A value for a command people paste: as it is where no shell reads
/// anything into it (a URL, a login), else [`shell_quoted`], with anything
/// that could drive the terminal made a space first.
pub(crate) fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.,:/@%+=".contains(&b));
    match plain {
        true => text.to_string(),
        false => shell_quoted(&crate::report::printable(text)),
    }
}

/// `git config` could not do what was asked.
#[derive(Debug)]
pub(crate) enum GitConfigError {
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

/// `git config <scope> <args>`: its stdout, or its words on failure.
pub(crate) fn run_git_config<S: AsRef<str>>(
    scope: &[S],
    args: &[&str],
) -> Result<String, GitConfigError> {
    let output = Command::new("git")
        .arg("config")
        .args(scope.iter().map(AsRef::as_ref))
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
pub(crate) fn values_in<S: AsRef<str>>(
    scope: &[S],
    key: &str,
) -> Result<Vec<String>, GitConfigError> {
    let output = Command::new("git")
        .arg("config")
        .args(scope.iter().map(AsRef::as_ref))
        .args(["-z", "--get-all", key])
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

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn links_are_followed_as_git_follows_them_even_to_nothing() {
        let dir = std::env::temp_dir().join(format!("ghoauth-links-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("dotfiles")).unwrap();
        let link = dir.join(".gitconfig");
        std::os::unix::fs::symlink("dotfiles/gitconfig", &link).unwrap();
        assert_eq!(
            resolve_symlinks(link.clone()),
            dir.join("dotfiles/gitconfig")
        );
        let chained = dir.join("chained");
        std::os::unix::fs::symlink(&link, &chained).unwrap();
        assert_eq!(resolve_symlinks(chained), dir.join("dotfiles/gitconfig"));
        let looped = dir.join("loop");
        std::os::unix::fs::symlink("loop", &looped).unwrap();
        assert_eq!(
            resolve_symlinks(looped.clone()),
            looped,
            "five links, then stop"
        );
        assert_eq!(resolve_symlinks(dir.join("plain")), dir.join("plain"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_word_for_a_pasted_command_is_quoted_unless_plain() {
        assert_eq!(shell_word("octocat"), "octocat");
        assert_eq!(shell_word("https://ghe.corp:8443"), "https://ghe.corp:8443");
        assert_eq!(
            shell_word("x;touch${IFS}/tmp/PWNED"),
            "'x;touch${IFS}/tmp/PWNED'"
        );
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("a\x1b]0;x\x07"), "'a ]0;x '");
    }

    #[test]
    fn shell_quoting_survives_a_quote() {
        assert_eq!(shell_quoted("/h/it's.lock"), r"'/h/it'\''s.lock'");
    }

    #[cfg(unix)]
    #[test]
    fn a_private_configs_draft_is_private_from_its_creation_to_its_rename() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("ghoauth-draft-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = dir.join("gitconfig");
        std::fs::write(&config, "[user]\n\tname = Someone\n").unwrap();
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;

        let draft = Draft::of(config.clone()).unwrap();
        assert_eq!(mode(draft.path()), 0o600, "as soon as it exists");
        std::fs::write(draft.path(), "[user]\n\tname = Someone Else\n").unwrap();
        assert_eq!(mode(draft.path()), 0o600);
        let drafted = draft.path().to_path_buf();
        draft.commit().unwrap();
        assert_eq!(mode(&config), 0o600);
        assert!(!drafted.exists());
        assert!(
            std::fs::read_to_string(&config)
                .unwrap()
                .contains("Someone Else")
        );

        // Changed by someone else meanwhile: refused, and theirs is kept.
        let draft = Draft::of(config.clone()).unwrap();
        std::fs::write(draft.path(), "mine\n").unwrap();
        std::fs::write(&config, "theirs\n").unwrap();
        let refused = draft.commit().unwrap_err().to_string();
        assert!(
            refused.contains("changed while this command ran"),
            "{refused}"
        );
        assert_eq!(std::fs::read_to_string(&config).unwrap(), "theirs\n");
        assert!(!lock_path(&config).exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ghoauth-draft-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_config_that_does_not_exist_yet_is_written_by_git_through_the_draft() {
        let dir = scratch("new");
        let config = dir.join("gitconfig");
        // Nothing changed: nothing is written, not even an empty file, and
        // the draft goes.
        let unchanged = Draft::of(config.clone()).unwrap();
        let unchanged_path = unchanged.path().to_path_buf();
        unchanged.commit().unwrap();
        assert!(!config.exists());
        assert!(!unchanged_path.exists());

        let draft = Draft::of(config.clone()).unwrap();
        draft.git(&["--add", "credential.helper", ""]).unwrap();
        draft
            .git(&["--add", "credential.helper", "ghoauth"])
            .unwrap();
        assert_eq!(draft.values("credential.helper").unwrap(), ["", "ghoauth"]);
        assert_eq!(
            draft.values("credential.username").unwrap(),
            Vec::<String>::new()
        );
        assert!(draft.git(&["--get", "no.such"]).is_err());
        assert!(!config.exists(), "nothing before the commit");
        draft.commit().unwrap();
        let written = std::fs::read_to_string(&config).unwrap();
        assert!(written.contains("helper = ghoauth"), "{written}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_lock_left_beside_the_config_is_named_with_its_removal() {
        let dir = scratch("lock");
        let config = dir.join("gitconfig");
        std::fs::write(&config, "[user]\n\tname = Someone\n").unwrap();
        std::fs::write(lock_path(&config), "").unwrap();
        let draft = Draft::of(config.clone()).unwrap();
        draft.git(&["user.name", "Else"]).unwrap();
        let draft_path = draft.path().to_path_buf();
        let refused = draft.commit().unwrap_err().to_string();
        assert!(!draft_path.exists(), "a refused draft goes");
        assert!(
            refused.contains(&format!("rm '{}'", lock_path(&config).display())),
            "{refused}"
        );
        assert_eq!(
            std::fs::read_to_string(&config).unwrap(),
            "[user]\n\tname = Someone\n"
        );
        assert!(
            lock_path(&config).exists(),
            "another program's lock is left alone"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_global_config_is_where_git_writes_it() {
        let dir = scratch("where");
        let home = dir.join("home");
        std::fs::create_dir_all(home.join(".config/git")).unwrap();
        let named = Some(std::ffi::OsString::from("/elsewhere/config"));
        assert_eq!(
            git_global_config(named, Some(home.clone()), None),
            Some(PathBuf::from("/elsewhere/config")),
            "GIT_CONFIG_GLOBAL wins"
        );
        assert_eq!(git_global_config(None, None, None), None);
        assert_eq!(
            git_global_config(None, Some(home.clone()), None),
            Some(home.join(".gitconfig")),
            "neither exists: ~/.gitconfig"
        );
        std::fs::write(home.join(".config/git/config"), "").unwrap();
        assert_eq!(
            git_global_config(None, Some(home.clone()), None),
            Some(home.join(".config/git/config")),
            "only the XDG one exists"
        );
        let xdg = dir.join("xdg");
        std::fs::create_dir_all(xdg.join("git")).unwrap();
        std::fs::write(xdg.join("git/config"), "").unwrap();
        assert_eq!(
            git_global_config(None, Some(home.clone()), Some(xdg.clone().into_os_string())),
            Some(xdg.join("git/config")),
            "XDG_CONFIG_HOME names it"
        );
        std::fs::write(home.join(".gitconfig"), "").unwrap();
        assert_eq!(
            git_global_config(None, Some(home.clone()), None),
            Some(home.join(".gitconfig")),
            "~/.gitconfig first when it exists"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_lock_sits_beside_the_config() {
        assert_eq!(
            lock_path(Path::new("/home/a/.gitconfig")),
            PathBuf::from("/home/a/.gitconfig.lock")
        );
    }
}
