//! The man pages in man/ are generated from the clap definition; this test
//! fails when they are stale. Regenerate with:
//!   GHOAUTH_UPDATE_MAN=1 cargo test --release --test suite man_pages

use std::path::Path;

use clap::CommandFactory;
use git_credential_ghoauth::cli::Cli;

#[test]
fn man_pages_match_the_command_line() {
    let rendered = std::env::temp_dir().join(format!("ghoauth-man-{}", std::process::id()));
    std::fs::create_dir_all(&rendered).unwrap();
    clap_mangen::generate_to(Cli::command(), &rendered).unwrap();
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let update = std::env::var_os("GHOAUTH_UPDATE_MAN").is_some();

    let mut stale = Vec::new();
    for entry in std::fs::read_dir(&rendered).unwrap() {
        let entry = entry.unwrap();
        let fresh = std::fs::read(entry.path()).unwrap();
        let target = committed.join(entry.file_name());
        if std::fs::read(&target).ok().as_ref() != Some(&fresh) {
            if update {
                std::fs::write(&target, &fresh).unwrap();
            } else {
                stale.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
    }
    std::fs::remove_dir_all(&rendered).unwrap();
    assert!(
        stale.is_empty(),
        "man pages out of date: {stale:?}; run GHOAUTH_UPDATE_MAN=1 cargo test --release --test suite man_pages"
    );
}

/// The shell completions in man/completions/, as install.sh and the .deb
/// install them; stale ones fail here too, and the same variable rewrites
/// them.
#[test]
fn completions_match_the_command_line() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("man/completions");
    let update = std::env::var_os("GHOAUTH_UPDATE_MAN").is_some();
    let mut stale = Vec::new();
    use clap_complete::Shell;
    for (shell, file) in [
        (Shell::Bash, "git-credential-ghoauth.bash"),
        (Shell::Zsh, "_git-credential-ghoauth"),
        (Shell::Fish, "git-credential-ghoauth.fish"),
    ] {
        let fresh = git_credential_ghoauth::cli::completions(shell);
        assert!(!fresh.is_empty(), "{shell}");
        let target = committed.join(file);
        if std::fs::read(&target).ok().as_ref() != Some(&fresh) {
            if update {
                std::fs::create_dir_all(&committed).unwrap();
                std::fs::write(&target, &fresh).unwrap();
            } else {
                stale.push(file);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "completions out of date: {stale:?}; run GHOAUTH_UPDATE_MAN=1 cargo test --release --test suite man_pages"
    );
}
