//! `doctor`: every check that can say why git and this helper do not work
//! together here, each with the command that fixes it.
//!
//! The checks are grouped by what they look at: git itself and the helper
//! chain git runs (`chain`), the store, the app (`app`), and, unless
//! `--offline`, the network and each account (`online`). Each check is one
//! line: ok, warning or problem; a problem (and most warnings) names its fix.
//! Exit 0 when there is no problem, 1 otherwise.

mod app;
mod chain;
mod online;
mod store;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::accounts;
use crate::config::global;
use crate::config::host::OAuthHost;
use crate::git::repository::Repository;
use crate::helper::Helper;
use crate::report::printable;
use crate::store::Store;

/// Every network check, together, within this; each request within what is left.
pub(crate) const NETWORK_BOUND: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Ok,
    Warning,
    Problem,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Problem => "problem",
        }
    }
}

/// One finding.
#[derive(Debug, Clone)]
pub(crate) struct Check {
    /// Stable, for scripts: `chain.after`, `network.clock`, ….
    pub id: &'static str,
    /// The URL of the host it is about, if it is about one.
    pub host: Option<String>,
    pub status: Status,
    pub summary: String,
    /// The command (or step) that fixes it.
    pub fix: Option<String>,
}

impl Check {
    pub fn ok(id: &'static str, summary: impl Into<String>) -> Check {
        Check {
            id,
            host: None,
            status: Status::Ok,
            summary: summary.into(),
            fix: None,
        }
    }

    pub fn warning(id: &'static str, summary: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            status: Status::Warning,
            fix: Some(fix.into()),
            ..Check::ok(id, summary)
        }
    }

    pub fn problem(id: &'static str, summary: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            status: Status::Problem,
            fix: Some(fix.into()),
            ..Check::ok(id, summary)
        }
    }

    fn about(mut self, host: &OAuthHost) -> Check {
        self.host = Some(host.url());
        self
    }
}

pub fn run(
    helper: &Helper,
    host: Option<&OAuthHost>,
    offline: bool,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let hosts = hosts_to_check(host);
    let mut checks = chain::git_checks();
    checks.extend(store::checks(helper));
    let deadline = Instant::now() + NETWORK_BOUND;
    let here = repository_here();
    for host in &hosts {
        let mut about_host = chain::checks(host);
        let app = app::checks(host);
        about_host.extend(app.checks);
        let stored = helper.store.list_host(host).unwrap_or_default();
        match (&app.remote, offline) {
            (Some(remote), false) => {
                about_host.extend(online::network_checks(remote, deadline));
                let repository = here
                    .as_ref()
                    .filter(|(on, _)| on.as_ref() == Some(host))
                    .map(|(_, repository)| repository);
                about_host.extend(online::account_checks(
                    remote,
                    &stored,
                    repository,
                    helper.unix_seconds(),
                    deadline,
                ));
            }
            _ => about_host.extend(online::offline_account_checks(
                host,
                &stored,
                helper.unix_seconds(),
            )),
        }
        checks.extend(about_host.into_iter().map(|check| check.about(host)));
    }
    if hosts.is_empty() {
        checks.push(Check::problem(
            "app.client_id",
            "no GitHub host is set up for this helper",
            "git credential-ghoauth setup (or configure --client-id ID, for an app you registered)",
        ));
    }
    let problems = checks
        .iter()
        .filter(|c| c.status == Status::Problem)
        .count();
    match json {
        true => println!("{}", as_json(&checks)),
        false => print_text(&checks, offline),
    }
    Ok(match problems {
        0 => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    })
}

/// The repository `git push` would push to, where doctor runs in one.
fn repository_here() -> Option<(Option<OAuthHost>, Repository)> {
    let (_, url) = super::use_account::push_remote_url().ok()?;
    accounts::repository_in_url(&url)
}

/// The host asked about, or every host with an app in the global config,
/// and github.com when an app for it comes from elsewhere (the
/// environment, or built in).
fn hosts_to_check(host: Option<&OAuthHost>) -> Vec<OAuthHost> {
    if let Some(host) = host {
        return vec![host.clone()];
    }
    let mut hosts: Vec<OAuthHost> = global::configured_urls()
        .iter()
        .filter_map(|url| OAuthHost::from_argument(url).ok())
        .collect();
    let github = OAuthHost::github_com();
    if !hosts.contains(&github) && app::has_app(&github) {
        hosts.push(github);
    }
    hosts
}

fn print_text(checks: &[Check], offline: bool) {
    for check in checks {
        let about = check
            .host
            .as_deref()
            .map(|url| format!("{url}: "))
            .unwrap_or_default();
        println!(
            "{:<8} {:<22} {about}{}",
            check.status.name(),
            check.id,
            check.summary
        );
        if let Some(fix) = &check.fix
            && check.status != Status::Ok
        {
            println!("{:<32}fix: {fix}", "");
        }
    }
    let count = |status| checks.iter().filter(|c| c.status == status).count();
    let (problems, warnings) = (count(Status::Problem), count(Status::Warning));
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let skipped = match offline {
        true => " (network checks skipped: --offline)",
        false => "",
    };
    println!(
        "{}, {}{skipped}.",
        plural(problems, "problem"),
        plural(warnings, "warning")
    );
}

/// The `--json` object: a stable format (see the man page).
fn as_json(checks: &[Check]) -> serde_json::Value {
    let count = |status| checks.iter().filter(|c| c.status == status).count();
    serde_json::json!({
        "problems": count(Status::Problem),
        "warnings": count(Status::Warning),
        "checks": checks
            .iter()
            .map(|check| serde_json::json!({
                "id": check.id,
                "host": check.host,
                "status": check.status.name(),
                "summary": check.summary,
                "fix": check.fix,
            }))
            .collect::<Vec<_>>(),
    })
}

/// A file name or value from config or the system, safe to print.
fn shown(text: impl AsRef<str>) -> String {
    printable(text.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_names_every_field_and_counts() {
        let checks = [
            Check::ok("git.version", "git 2.47.3"),
            Check::problem("chain.after", "store after", "git config --unset …")
                .about(&OAuthHost::github_com()),
            Check::warning("network.clock", "off", "sync it"),
        ];
        let json = as_json(&checks);
        assert_eq!(json["problems"], 1);
        assert_eq!(json["warnings"], 1);
        assert_eq!(json["checks"][0]["fix"], serde_json::Value::Null);
        assert_eq!(json["checks"][1]["host"], "https://github.com");
        assert_eq!(json["checks"][1]["status"], "problem");
        assert_eq!(json["checks"][2]["id"], "network.clock");
    }
}
