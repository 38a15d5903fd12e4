//! Docs that cannot drift: every `git credential-ghoauth …` command shown
//! in the README, in `docs/`, in the man pages and in `--help` parses with
//! today's command line (clap's own parser) in today's spellings; every
//! `ghoauth…` config key named is one the code reads; every `GHOAUTH_…`
//! variable is one something here reads; every relative link and anchor
//! resolves.

use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser};
use git_credential_ghoauth::cli::Cli;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Placeholders the docs use, and a valid value for each.
const SAMPLES: [(&str, &str); 16] = [
    ("<client id>", "Ov23liSample01"),
    ("<id>", "Ov23liSample01"),
    ("<secret>", "sample-secret"),
    ("<owner>/<repo>", "acme/app"),
    ("<owner>", "acme"),
    ("<org>", "acme"),
    ("<login>", "alice"),
    ("<you>", "alice"),
    ("ID", "Ov23liSample01"),
    ("LOGIN", "alice"),
    ("OWNER", "acme"),
    ("ORG", "acme"),
    ("URL", "https://ghe.example.com"),
    ("H", "github.com"),
    ("U", "alice"),
    ("SECONDS", "60"),
];

/// The documents: the README, docs/*.md, the man pages.
fn documents() -> Vec<(PathBuf, String)> {
    let mut paths = vec![repo().join("README.md")];
    for dir in ["docs", "man"] {
        if let Ok(entries) = std::fs::read_dir(repo().join(dir)) {
            let mut found: Vec<PathBuf> = entries
                .map(|entry| entry.unwrap().path())
                .filter(|path| {
                    path.extension()
                        .is_some_and(|extension| extension == "md" || extension == "1")
                })
                .collect();
            found.sort();
            paths.extend(found);
        }
    }
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect()
}

/// `--help` of the command and of every subcommand.
fn help_texts() -> Vec<(String, String)> {
    let mut command = Cli::command();
    command.build();
    let mut texts = vec![("--help".to_string(), command.render_long_help().to_string())];
    for sub in command.get_subcommands_mut() {
        let name = format!("{} --help", sub.get_name());
        texts.push((name, sub.render_long_help().to_string()));
    }
    texts
}

/// Every command line `text` shows: from `git credential-ghoauth ` to the
/// end of its code span or line, or the first shell operator.
fn commands_in(text: &str) -> Vec<String> {
    // roff escapes the man pages' dashes
    let mut text = text.replace("\\-", "-").replace("\\\\", "\\");
    // `<…>` placeholders first: a bare `<` is a shell redirection.
    for (placeholder, sample) in SAMPLES.iter().filter(|(p, _)| p.starts_with('<')) {
        text = text.replace(placeholder, sample);
    }
    let mut commands = Vec::new();
    for line in text.lines() {
        let mut rest = line;
        while let Some(at) = rest.find("git credential-ghoauth ") {
            let after = &rest[at + "git credential-ghoauth ".len()..];
            let end = after
                .find(['`', ';', '|', '<', '>', '(', ')', '#', '"', ','])
                .map_or(after.len(), |end| end);
            let end = after[..end]
                .find(" && ")
                .or_else(|| after[..end].find(" or "))
                .map_or(end, |and| and);
            // A synopsis's optional parts are arguments all the same.
            let command = after[..end].replace(['[', ']'], "");
            commands.push(command.trim().trim_end_matches(['.', ':']).to_string());
            rest = &after[end..];
        }
    }
    commands
}

/// What clap makes of `command`, placeholders filled in; an error names
/// what is wrong, a hidden (old) spelling included.
fn check_command(command: &str) -> Result<(), String> {
    let mut filled = command.to_string();
    for (placeholder, sample) in SAMPLES {
        filled = filled
            .split(' ')
            .map(|word| match word == placeholder {
                true => sample.to_string(),
                false => word.replace(placeholder, sample),
            })
            .collect::<Vec<_>>()
            .join(" ");
    }
    let words: Vec<String> = filled
        .split_whitespace()
        .map(|word| word.trim_matches(['\'', '"']).to_string())
        .filter(|word| word != "\\")
        .collect();
    // A subcommand named in prose is a mention, not an example.
    if words.len() < 2
        || words
            .iter()
            .any(|word| word.contains('…') || word.contains('<'))
    {
        return Ok(());
    }
    let argv = std::iter::once("git-credential-ghoauth".to_string()).chain(words.clone());
    Cli::try_parse_from(argv).map_err(|error| format!("{command}: {}", error.kind()))?;
    let root = Cli::command();
    let sub = root.find_subcommand(&words[0]);
    for word in words.iter().filter(|word| word.starts_with("--")) {
        let long = word
            .trim_start_matches("--")
            .split('=')
            .next()
            .unwrap_or_default();
        let arg = sub
            .and_then(|sub| sub.get_arguments().find(|arg| arg.get_long() == Some(long)))
            .or_else(|| {
                root.get_arguments()
                    .find(|arg| arg.get_long() == Some(long))
            });
        match arg {
            Some(arg) if arg.is_hide_set() => {
                return Err(format!("{command}: --{long} is an old spelling"));
            }
            Some(_) => {}
            None => return Err(format!("{command}: --{long} is no flag's own name")),
        }
    }
    Ok(())
}

#[test]
fn docs_show_only_commands_todays_command_line_takes() {
    let mut shown = Vec::new();
    for (path, text) in documents() {
        let name = path.strip_prefix(repo()).unwrap().display().to_string();
        shown.extend(commands_in(&text).into_iter().map(|c| (name.clone(), c)));
    }
    for (name, text) in help_texts() {
        shown.extend(commands_in(&text).into_iter().map(|c| (name.clone(), c)));
    }
    assert!(shown.len() > 50, "only {} commands found", shown.len());
    let wrong: Vec<String> = shown
        .iter()
        .filter_map(|(name, command)| check_command(command).err().map(|e| format!("{name}: {e}")))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn docs_check_fails_on_a_renamed_or_old_flag() {
    assert!(check_command("login --host github.com --flow device").is_ok());
    assert!(check_command("login --flows device").is_err(), "renamed");
    assert!(check_command("login --device").is_err(), "old spelling");
    assert!(check_command("configure --client-id ID --client-secret-stdin").is_ok());
    assert!(check_command("configur --client-id ID").is_err());
}

/// `ghoauthSomething` keys the docs name, and whether the code reads them:
/// they are matched as git does, without regard to case.
#[test]
fn docs_name_only_config_keys_the_code_reads() {
    let code = std::fs::read_to_string(repo().join("src/config/mod.rs")).unwrap()
        + &std::fs::read_to_string(repo().join("src/config/global.rs")).unwrap()
        + &std::fs::read_to_string(repo().join("src/accounts/bindings.rs")).unwrap();
    let code = code.to_ascii_lowercase();
    let mut unknown = Vec::new();
    let texts = documents()
        .into_iter()
        .map(|(_, text)| text)
        .chain(help_texts().into_iter().map(|(_, text)| text));
    for text in texts {
        for (at, _) in text.match_indices("ghoauth") {
            let key: String = text[at..]
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            let named = key.len() > "ghoauth".len()
                && key
                    .chars()
                    .nth("ghoauth".len())
                    .is_some_and(|c| c.is_ascii_uppercase());
            if named && !code.contains(&key.to_ascii_lowercase()) && !unknown.contains(&key) {
                unknown.push(key);
            }
        }
    }
    assert!(unknown.is_empty(), "keys nothing reads: {unknown:?}");
}

/// `GHOAUTH_…` variables the docs name: each read by the helper (at run
/// time, or at compile time), or by its tests and CI scripts.
#[test]
fn docs_name_only_environment_variables_something_reads() {
    let mut code = String::new();
    let mut files = Vec::new();
    for dir in ["src", "tests", ".ci"] {
        collect(&repo().join(dir), &mut files);
    }
    for file in files {
        code.push_str(&std::fs::read_to_string(file).unwrap_or_default());
    }
    let mut unknown = Vec::new();
    let texts = documents()
        .into_iter()
        .map(|(path, text)| (path.display().to_string(), text))
        .chain(help_texts());
    for (_, text) in texts {
        for (at, _) in text.match_indices("GHOAUTH_") {
            let name: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            let name = name.trim_end_matches('_').to_string();
            let read = code.contains(&format!("\"{name}\""))
                || code.contains(&format!("{name}="))
                || code.contains(&format!("${name}"))
                || code.contains(&format!("${{{name}"));
            if !read && !unknown.contains(&name) {
                unknown.push(name);
            }
        }
    }
    assert!(unknown.is_empty(), "variables nothing reads: {unknown:?}");
}

fn collect(dir: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if !path.ends_with("target") && !path.ends_with("corpus") {
                collect(&path, into);
            }
        } else {
            into.push(path);
        }
    }
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces
/// made `-`.
fn anchor_of(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors_in(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| line.starts_with('#'))
        .map(|line| anchor_of(line.trim_start_matches('#')))
        .collect()
}

/// Every `](relative/path)` and `](#anchor)` in the Markdown documents.
#[test]
fn docs_links_and_anchors_resolve() {
    let mut broken = Vec::new();
    for (path, text) in documents() {
        if path.extension().is_none_or(|extension| extension != "md") {
            continue;
        }
        let here = path.parent().unwrap();
        for (at, _) in text.match_indices("](") {
            let target: String = text[at + 2..].chars().take_while(|c| *c != ')').collect();
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let linked = match file.is_empty() {
                true => path.clone(),
                false => here.join(file),
            };
            if !linked.exists() {
                broken.push(format!("{}: {target}", path.display()));
                continue;
            }
            if !anchor.is_empty() {
                let linked_text = std::fs::read_to_string(&linked).unwrap_or_default();
                if !anchors_in(&linked_text).iter().any(|known| known == anchor) {
                    broken.push(format!("{}: {target}", path.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}
