//! What CI fetches is pinned: git's source is checked against its SHA-256
//! before it is built, the workflows name actions and git's source by
//! commit, and zizmor comes by version and hash.

use std::path::Path;

use crate::common::*;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of git's source with one byte more is refused before anything
/// of it is unpacked.
#[test]
fn conformance_refuses_a_changed_copy_of_gits_source() {
    let source = repo().join("../shared/conformance/git-2.55.0.tar.xz");
    if !source.is_file() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "no git source in CI"
        );
        eprintln!("skipped: no git source at {}", source.display());
        return;
    }
    let dir = session().dir.join("changed-git-source");
    std::fs::create_dir_all(&dir).unwrap();
    let changed = dir.join("git-2.55.0-changed.tar.xz");
    let mut bytes = std::fs::read(&source).unwrap();
    bytes.push(0);
    std::fs::write(&changed, bytes).unwrap();
    let mut conformance = std::process::Command::new(repo().join(".ci/conformance"));
    conformance
        .args(["--build-only", "--git-source"])
        .arg(&changed);
    let refused = run(conformance, b"");
    assert!(!refused.status.success());
    assert!(
        refused.stderr.contains("is not git 2.55.0's source"),
        "{}",
        refused.stderr
    );
    assert!(
        !repo()
            .join("target/conformance/git-2.55.0-changed")
            .exists(),
        "nothing was unpacked"
    );
}

/// Every action and every checkout of another repository is named by a
/// full commit id; zizmor by a hash.
#[test]
fn the_workflows_and_ci_name_what_they_fetch_by_digest() {
    let workflows = repo().join(".github/workflows");
    for entry in std::fs::read_dir(&workflows).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines().map(str::trim) {
            let pinned = |value: &str| {
                let id = value.split_whitespace().next().unwrap_or_default();
                id.len() == 40 && id.bytes().all(|b| b.is_ascii_hexdigit())
            };
            if let Some(used) = line
                .strip_prefix("- uses: ")
                .or(line.strip_prefix("uses: "))
            {
                let at = used.split_once('@').map(|(_, at)| at).unwrap_or_default();
                assert!(pinned(at), "{}: {line}", path.display());
            }
            if let Some(reference) = line.strip_prefix("ref: ") {
                assert!(pinned(reference), "{}: {line}", path.display());
            }
        }
    }
    let requirements = std::fs::read_to_string(repo().join(".ci/zizmor-requirements.txt")).unwrap();
    assert!(requirements.contains("--hash=sha256:"), "{requirements}");
    let run_script = std::fs::read_to_string(repo().join(".ci/run")).unwrap();
    assert!(run_script.contains("--require-hashes"), "{run_script}");
}
