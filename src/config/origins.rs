//! `git config -z --show-origin --show-scope` listings: every value with
//! the file it is written in, for the messages that must say where to fix
//! something (bindings, the helper chain).

/// One config value, and where it is written.
pub(crate) struct Entry {
    /// `system`, `global`, `local`, `worktree` or `command`.
    pub scope: String,
    /// As git names it: `file:/home/a/.gitconfig`, `command line:`.
    pub origin: String,
    /// The key, section and name lowercased by git, the URL as written.
    pub key: String,
    pub value: String,
}

impl Entry {
    /// The `<url>` of `credential.<url>.<name>` (empty for
    /// `credential.<name>`), if this is that key.
    pub fn url_of(&self, name: &str) -> Option<String> {
        let rest = self.key.strip_prefix("credential.")?;
        let name = name.to_ascii_lowercase();
        if rest.eq_ignore_ascii_case(&name) {
            return Some(String::new());
        }
        let url = rest.strip_suffix(&name)?.strip_suffix('.')?;
        Some(url.to_string())
    }

    /// The file, for `git config --file`; `None` for the command line.
    pub fn file(&self) -> Option<&str> {
        self.origin.strip_prefix("file:")
    }
}

/// `scope\0origin\0key\nvalue\0` records, as `git config -z
/// --show-origin --show-scope --get-regexp` writes them.
pub(crate) fn entries(listing: &[u8]) -> impl Iterator<Item = Entry> + '_ {
    let mut fields = listing.split(|&b| b == 0);
    std::iter::from_fn(move || {
        loop {
            let scope = fields.next()?;
            let origin = fields.next()?;
            let record = String::from_utf8_lossy(fields.next()?).into_owned();
            let (key, value) = record.split_once('\n').unwrap_or((&record, ""));
            if scope.is_empty() {
                continue;
            }
            return Some(Entry {
                scope: String::from_utf8_lossy(scope).into_owned(),
                origin: String::from_utf8_lossy(origin).into_owned(),
                key: key.to_string(),
                value: value.trim().to_string(),
            });
        }
    })
}

/// `git config -z --show-origin --show-scope --get-regexp PATTERN`: every
/// value whose key matches, in the order git reads them; nothing when git
/// fails or none matches.
pub(crate) fn read(pattern: &str) -> Vec<u8> {
    std::process::Command::new("git")
        .args([
            "config",
            "-z",
            "--show-origin",
            "--show-scope",
            "--get-regexp",
            pattern,
        ])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .map(|output| output.stdout)
        .unwrap_or_default()
}
