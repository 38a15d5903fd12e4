//! `src/`'s folders form layers, and every import points down them: a
//! folder may use what is below it and never what is above. The order is
//! docs/development.md's ("The source tree, by folder"); a new folder must be given
//! its place here, or this test fails.

use std::path::{Path, PathBuf};

/// Top to bottom. `lib` (with `main`) is the entry; `fixtures` is test-only
/// scaffolding that builds helpers and stores, and may be used anywhere.
const LAYERS: [&str; 14] = [
    "lib", "commands", "cli", "accounts", "acquire", "oauth", "helper", "store", "lock", "config",
    "git", "report", "secret", "digest",
];
const ANYWHERE: [&str; 2] = ["fixtures", "main"];

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            into.push(path);
        }
    }
}

/// The folder (or top-level file) a source file belongs to, and how deep
/// its module sits below the crate root: `super::` that climbs that far
/// reaches the root, as `crate::` does.
fn place(relative: &Path) -> (String, usize) {
    let parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    let layer = parts[0].trim_end_matches(".rs").to_string();
    let is_mod_file = parts.last().is_some_and(|last| last == "mod.rs");
    let depth = parts.len() - usize::from(is_mod_file);
    (layer, depth)
}

/// Every top-level module a line of code names through `crate::` or
/// through enough `super::` to reach the root. Comments are not code.
fn modules_named(line: &str, depth: usize) -> Vec<String> {
    let code = line.split("//").next().unwrap_or_default();
    let mut named = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(['c', 's']) {
        let tail = &rest[at..];
        let preceded_by_word = rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        let mut after_root = None;
        let mut through_super = false;
        if !preceded_by_word {
            if let Some(after) = tail.strip_prefix("crate::") {
                after_root = Some(after);
            } else {
                let mut climbed = tail;
                let mut levels = 0;
                while let Some(after) = climbed.strip_prefix("super::") {
                    climbed = after;
                    levels += 1;
                }
                if levels > 0 && levels >= depth {
                    after_root = Some(climbed);
                    through_super = true;
                }
            }
        }
        if let Some(after) = after_root {
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            // In an inline `mod tests`, `super::` is one level short of
            // what the file's depth says; what it names is then an item of
            // the file's own, not a top-level module.
            let top_level = LAYERS.contains(&name.as_str()) || ANYWHERE.contains(&name.as_str());
            if !name.is_empty() && (top_level || !through_super) {
                named.push(name);
            }
        }
        rest = &tail[1..];
    }
    named
}

#[test]
fn every_import_in_src_points_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 40, "src/ was not found whole");
    let rank = |layer: &str| LAYERS.iter().position(|known| *known == layer);
    let mut upward = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src/");
        let (layer, depth) = place(relative);
        if ANYWHERE.contains(&layer.as_str()) {
            continue;
        }
        let from = rank(&layer)
            .unwrap_or_else(|| panic!("src/{} is in no layer: give it one", relative.display()));
        let text = std::fs::read_to_string(file).expect("a readable source file");
        for (number, line) in text.lines().enumerate() {
            for module in modules_named(line, depth) {
                if module == layer || ANYWHERE.contains(&module.as_str()) {
                    continue;
                }
                let to = rank(&module).unwrap_or_else(|| {
                    panic!(
                        "{module}, used by src/{}, is in no layer",
                        relative.display()
                    )
                });
                if to < from {
                    upward.push(format!(
                        "src/{}:{}: {layer} uses {module}, which is above it",
                        relative.display(),
                        number + 1
                    ));
                }
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that run up the layers:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_reader_sees_imports_through_crate_and_super() {
    assert_eq!(
        modules_named("use crate::oauth::github::GitHub;", 2),
        ["oauth"]
    );
    assert_eq!(
        modules_named("    crate::accounts::bindings::KEY,", 1),
        ["accounts"]
    );
    assert_eq!(
        modules_named("use super::super::acquire::Issuer;", 2),
        ["acquire"]
    );
    assert!(modules_named("use super::repository::Owner;", 2).is_empty());
    assert!(modules_named("use super::say;", 1).is_empty());
    assert!(modules_named("// see crate::accounts", 1).is_empty());
    assert!(modules_named("let my_crate::x = 1;", 1).is_empty());
    assert_eq!(place(Path::new("accounts/mod.rs")), ("accounts".into(), 1));
    assert_eq!(
        place(Path::new("commands/doctor/chain.rs")),
        ("commands".into(), 3)
    );
    assert_eq!(place(Path::new("report.rs")), ("report".into(), 1));
}

/// No function outside the tests runs past this many lines, from its
/// `fn` line to its closing brace: a longer one is read in more than one
/// sitting, and has a part that wants a name.
const MAX_FUNCTION_LINES: usize = 60;

/// Each function's name and length, in the code before `#[cfg(test)]`
/// (test modules come last, as rustfmt keeps them). A function ends at the
/// first `}` line indented as its `fn` line is, which rustfmt guarantees.
fn function_lengths(text: &str) -> Vec<(String, usize)> {
    let code = text
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    let lines: Vec<&str> = code.lines().collect();
    let mut lengths = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let after_qualifiers = trimmed
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub(super) ")
            .trim_start_matches("pub ")
            .trim_start_matches("const ")
            .trim_start_matches("async ");
        let Some(signature) = after_qualifiers.strip_prefix("fn ") else {
            continue;
        };
        if line.trim_end().ends_with(';') {
            continue;
        }
        let name: String = signature
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let closing = format!("{indent}}}");
        if let Some(end) = lines[start..].iter().position(|line| *line == closing) {
            lengths.push((name, end + 1));
        }
    }
    lengths
}

#[test]
fn no_function_in_src_runs_past_sixty_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut long = Vec::new();
    for file in files.iter().filter(|file| !file.ends_with("tests.rs")) {
        let text = std::fs::read_to_string(file).expect("a readable source file");
        for (name, length) in function_lengths(&text) {
            if length > MAX_FUNCTION_LINES {
                let relative = file.strip_prefix(&src).expect("under src/");
                long.push(format!(
                    "src/{}: {name} ({length} lines)",
                    relative.display()
                ));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn function_lengths_run_from_fn_to_its_closing_brace() {
    let text = "fn one() {\n    x();\n}\n\n    pub(crate) fn two(\n        a: u8,\n    ) -> u8 {\n        a\n    }\n    fn declared();\n#[cfg(test)]\nmod tests {\n    fn hidden() {\n    }\n}\n";
    assert_eq!(
        function_lengths(text),
        [("one".to_string(), 3), ("two".to_string(), 5)]
    );
}

/// Where the helper speaks on stderr: `report` itself and at most this
/// many files besides. A warning that is an outcome travels up as one (a
/// revocation's, say) to the command that reports it.
const MAX_FILES_THAT_SPEAK: usize = 12;

#[test]
fn few_files_speak_on_stderr() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let speaking: Vec<String> = files
        .iter()
        .filter(|file| !file.ends_with("report.rs"))
        .filter(|file| {
            let text = std::fs::read_to_string(file).expect("a readable source file");
            text.lines().any(|line| {
                let code = line.split("//").next().unwrap_or_default();
                ["say(", "note("].iter().any(|call| {
                    code.match_indices(call).any(|(at, _)| {
                        !code[..at]
                            .chars()
                            .next_back()
                            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
                    })
                })
            })
        })
        .map(|file| file.strip_prefix(&src).unwrap().display().to_string())
        .collect();
    assert!(
        speaking.len() <= MAX_FILES_THAT_SPEAK,
        "{} files call say() or note(): {speaking:?}",
        speaking.len()
    );
}

/// The fake GitHub grows by role, in files of their own.
#[test]
fn the_fake_githubs_mod_rs_stays_under_a_thousand_lines() {
    let fake = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/src/fake_github/mod.rs");
    let lines = std::fs::read_to_string(fake).unwrap().lines().count();
    assert!(lines < 1000, "fake_github/mod.rs has {lines} lines");
}
