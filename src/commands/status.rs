//! `status`: what is stored, per host and account. Never a whole token.

use std::process::ExitCode;

use crate::accounts::bindings;
use crate::config::RemoteConfig;
use crate::config::draft::shell_word;
use crate::config::host::{Flavour, OAuthHost};
use crate::git::protocol::Credential;
use crate::git::record::StoredCredential;
use crate::helper::Helper;
use crate::secret::Secret;
use crate::store::Store;

pub fn run(helper: &Helper, remote: Option<&OAuthHost>, json: bool) -> anyhow::Result<ExitCode> {
    let mut stored = match remote {
        Some(remote) => helper.store.list_host(remote),
        None => helper.store.list(None, None),
    }?;
    if json {
        sort_for_status(&mut stored);
        let app_host = remote.cloned().unwrap_or_else(OAuthHost::github_com);
        let object = as_json(
            &stored,
            &app_host,
            &helper.store.describe(),
            helper.unix_seconds(),
        );
        println!("{object}");
        return Ok(match stored.is_empty() {
            true => ExitCode::FAILURE,
            false => ExitCode::SUCCESS,
        });
    }
    let app_line = describe_app(remote.unwrap_or(&OAuthHost::github_com()));
    if stored.is_empty() {
        println!("{app_line}");
        println!("Credentials are kept in {}.", helper.store.describe());
        match remote {
            Some(remote) => println!(
                "Nothing is stored for {url}. Sign in with `git credential-ghoauth login --host {url}`.",
                url = remote.url()
            ),
            None => println!(
                "Nothing is stored. Sign in with `git credential-ghoauth login` (github.com), \
                 or `login --host <url>` for another GitHub host."
            ),
        }
        return Ok(ExitCode::FAILURE);
    }
    print_accounts(&mut stored, helper.unix_seconds());
    println!("Stored in {}.", helper.store.describe());
    println!("{app_line}");
    Ok(ExitCode::SUCCESS)
}

/// Hosts in order; within a host the newest first, which is the account a
/// request without a user name gets, marked as the default; then the
/// host's bindings.
fn print_accounts(stored: &mut [StoredCredential], now: u64) {
    sort_for_status(stored);
    for entries in stored.chunk_by(|a, b| (&a.protocol, &a.host) == (&b.protocol, &b.host)) {
        let first = &entries[0];
        println!(
            "{}://{}{}",
            printable(&first.protocol),
            printable(&first.host),
            tenant_note(first)
        );
        for (at, entry) in entries.iter().enumerate() {
            println!("{}", describe(entry, at == 0, now));
        }
        for line in bindings_lines(entries) {
            println!("{line}");
        }
    }
}

/// Where a host is a GHE.com tenant, that its API is elsewhere: the one
/// fact about a tenant that explains a request to another host.
fn tenant_note(entry: &StoredCredential) -> String {
    match OAuthHost::parse(&entry.protocol, &entry.host).map(|host| host.flavour()) {
        Ok(flavour @ Flavour::GheComTenant) => format!(
            " ({flavour}; its REST API is https://api.{})",
            printable(&entry.host)
        ),
        _ => String::new(),
    }
}

/// What decides between a host's accounts: its bindings (each with the
/// file it is in, and a warning where its account is gone), and any
/// `username` setting that overrides them.
fn bindings_lines(entries: &[StoredCredential]) -> Vec<String> {
    let Some(facts) = HostBindings::read(entries) else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    if !facts.bindings.is_empty() {
        lines.push("  bindings (owner → account):".to_string());
    }
    for binding in &facts.bindings {
        let mut line = format!(
            "    {} → {}  ({})",
            binding.owner,
            crate::report::printable(&binding.login),
            crate::report::printable(&binding.origin)
        );
        if !facts.has_account(&binding.login) {
            line.push_str(&format!(
                "\n      no token is stored for {login}: `git credential-ghoauth use {login} --for {owner} --host {url}` signs in, `use --clear {owner} --host {url}` removes it",
                login = shell_word(&binding.login),
                owner = shell_word(binding.owner.as_str()),
                url = shell_word(&facts.host.url())
            ));
        }
        lines.push(line);
    }
    for setting in &facts.usernames {
        lines.push(format!(
            "  overridden: {} = {} ({}) makes git send that user name, which wins over the \
             bindings it reaches; `git config --{} --unset {}` lets them decide",
            crate::report::printable(&setting.key),
            crate::report::printable(&setting.value),
            crate::report::printable(&setting.origin),
            shell_word(&setting.scope),
            shell_word(&setting.key)
        ));
    }
    lines
}

/// A host's bindings and the settings that override them, for a host
/// where this helper signed in.
struct HostBindings {
    host: OAuthHost,
    bindings: Vec<bindings::Binding>,
    usernames: Vec<bindings::UsernameSetting>,
    logins: Vec<Vec<u8>>,
}

impl HostBindings {
    fn read(entries: &[StoredCredential]) -> Option<HostBindings> {
        let first = entries.iter().find(|entry| entry.oauth.is_some())?;
        let host = OAuthHost::parse(&first.protocol, &first.host).ok()?;
        Some(HostBindings {
            bindings: bindings::read(&host),
            usernames: bindings::username_settings(&host),
            logins: entries
                .iter()
                .filter(|entry| entry.oauth.is_some())
                .map(|entry| entry.username.to_ascii_lowercase())
                .collect(),
            host,
        })
    }

    fn has_account(&self, login: &str) -> bool {
        self.logins.contains(&login.as_bytes().to_ascii_lowercase())
    }
}

/// Hosts in order; within a host the newest first (the default account).
fn sort_for_status(stored: &mut [StoredCredential]) {
    stored.sort_by(|a, b| {
        (&a.protocol, &a.host, std::cmp::Reverse(a.stored_at)).cmp(&(
            &b.protocol,
            &b.host,
            std::cmp::Reverse(b.stored_at),
        ))
    });
}

/// `status --json`: the facts `status` prints, for scripts (the format the
/// man page describes). `stored` is sorted already.
fn as_json(
    stored: &[StoredCredential],
    app_host: &OAuthHost,
    store: &str,
    now: u64,
) -> serde_json::Value {
    use serde_json::json;
    let mut hosts: Vec<serde_json::Value> = Vec::new();
    let mut previous_host = None;
    for entry in stored {
        let url = format!(
            "{}://{}",
            printable(&entry.protocol),
            printable(&entry.host)
        );
        let first_of_host = previous_host.as_ref() != Some(&url);
        if first_of_host {
            let same_host: Vec<StoredCredential> = stored
                .iter()
                .filter(|other| (&other.protocol, &other.host) == (&entry.protocol, &entry.host))
                .cloned()
                .collect();
            let facts = HostBindings::read(&same_host);
            let flavour = OAuthHost::parse(&entry.protocol, &entry.host)
                .map_or("unknown", |host| host.flavour().short());
            hosts.push(json!({
                "url": url,
                "flavour": flavour,
                "accounts": [],
                "bindings": bindings_json(facts.as_ref()),
                "username_settings": usernames_json(facts.as_ref()),
            }));
            previous_host = Some(url);
        }
        let account = account_json(entry, first_of_host, now);
        if let Some(accounts) = hosts
            .last_mut()
            .and_then(|host| host["accounts"].as_array_mut())
        {
            accounts.push(account);
        }
    }
    let app = app_json(app_host);
    json!({ "store": store, "app": app, "hosts": hosts })
}

fn account_json(entry: &StoredCredential, is_default: bool, now: u64) -> serde_json::Value {
    serde_json::json!({
        "login": printable(&entry.username),
        "path": entry.path.as_deref().map(printable),
        "default": is_default,
        "token": mask(&entry.password),
        "obtained_here": entry.oauth.is_some(),
        "scopes": entry.oauth.as_ref().map(|oauth| oauth.scopes.clone()),
        "client_id": entry.oauth.as_ref().map(|oauth| issuing_app(entry, &oauth.client_id)),
        "expires_utc": entry.password_expiry_utc,
        "expired": entry.password_expiry_utc.is_some_and(|expiry| expiry <= now),
        "renews_until_utc": entry
            .oauth_refresh_token
            .as_ref()
            .and(entry.oauth.as_ref())
            .and_then(|oauth| oauth.refresh_token_expiry_utc),
    })
}

/// The OAuth app configured for the host `status` was asked about.
fn app_json(app_host: &OAuthHost) -> serde_json::Value {
    match RemoteConfig::read(app_host, &Credential::default()) {
        Ok(RemoteConfig {
            oauth_app: Some(app),
            ..
        }) => serde_json::json!({
            "url": app_host.url(),
            "client_id": app.client_id,
            "source": app.source.to_string(),
            "client_secret": app.client_secret.is_some(),
        }),
        _ => serde_json::Value::Null,
    }
}

fn bindings_json(facts: Option<&HostBindings>) -> serde_json::Value {
    let Some(facts) = facts else {
        return serde_json::json!([]);
    };
    facts
        .bindings
        .iter()
        .map(|binding| {
            serde_json::json!({
                "owner": binding.owner.to_string(),
                "login": crate::report::printable(&binding.login),
                "origin": crate::report::printable(&binding.origin),
                "account_stored": facts.has_account(&binding.login),
            })
        })
        .collect()
}

fn usernames_json(facts: Option<&HostBindings>) -> serde_json::Value {
    let Some(facts) = facts else {
        return serde_json::json!([]);
    };
    facts
        .usernames
        .iter()
        .map(|setting| {
            serde_json::json!({
                "key": setting.key,
                "value": crate::report::printable(&setting.value),
                "origin": crate::report::printable(&setting.origin),
            })
        })
        .collect()
}

/// Which OAuth app signs in to `host`, and where it comes from: git
/// config, the environment, or built in by a packager.
fn describe_app(host: &OAuthHost) -> String {
    let url = host.url();
    match RemoteConfig::read(host, &Credential::default()) {
        Ok(RemoteConfig {
            oauth_app: Some(app),
            ..
        }) => {
            let secret = match app.client_secret {
                Some(_) => "with a client secret",
                None => "no client secret: device flow only, no revocation",
            };
            format!(
                "App for {url}: {} ({}; {secret}).",
                shown_client_id(&app.client_id),
                app.source
            )
        }
        Ok(_) => format!(
            "App for {url}: none; `git credential-ghoauth configure --host {url} --client-id <id>` sets one."
        ),
        Err(error) => format!("App for {url}: unreadable config ({error})."),
    }
}

fn describe(entry: &StoredCredential, is_default: bool, now: u64) -> String {
    let mut line = format!("  {}", printable(&entry.username));
    if let Some(path) = &entry.path {
        line.push_str(&format!(" (path {})", printable(path)));
    }
    if is_default {
        line.push_str(" [default]");
    }
    line.push_str(&format!("\n    token:   {}", mask(&entry.password)));
    match &entry.oauth {
        Some(oauth) => {
            let scopes = if oauth.scopes.is_empty() {
                "none"
            } else {
                &oauth.scopes
            };
            line.push_str(&format!(
                "\n    scopes:  {}\n    app:     {}",
                crate::report::printable(scopes),
                shown_client_id(&issuing_app(entry, &oauth.client_id))
            ));
        }
        None => line.push_str("\n    from:    git (not a sign-in by this helper)"),
    }
    let expiry = match entry.password_expiry_utc {
        None => "never".to_string(),
        Some(expiry) if expiry <= now => format!("{} (expired)", utc(expiry)),
        Some(expiry) => utc(expiry),
    };
    line.push_str(&format!("\n    expires: {expiry}"));
    if let (Some(oauth), Some(_)) = (&entry.oauth, &entry.oauth_refresh_token) {
        let until = oauth
            .refresh_token_expiry_utc
            .map_or_else(|| "GitHub gave no end date".to_string(), utc);
        line.push_str(&format!(
            "\n    renews:  by itself when used, until {until}"
        ));
    }
    line
}

/// The first four and last four characters, and only when that leaves at
/// least half of the secret unshown.
/// A client id as read from config or a keyring item: shown as it is when
/// it is one GitHub could have issued (the rule `configure` holds it to),
/// else made printable and named as wrong, never raw.
/// The app an account's token belongs to: the one configured for its
/// host, whatever the keyring item says (an item is no authority on which
/// app a token goes to); the item's own record where none is configured.
fn issuing_app(entry: &StoredCredential, recorded: &str) -> String {
    OAuthHost::parse(&entry.protocol, &entry.host)
        .ok()
        .and_then(|host| RemoteConfig::read(&host, &Credential::default()).ok())
        .and_then(|config| config.oauth_app)
        .map_or_else(|| recorded.to_string(), |app| app.client_id)
}

fn shown_client_id(id: &str) -> String {
    match crate::oauth::github::is_path_segment(id) {
        true => id.to_string(),
        false => format!(
            "'{}' (not a client id GitHub issues: letters, digits, '.', '-' and '_'; fix \
             ghoauthClientId)",
            crate::report::printable(id)
        ),
    }
}

/// What `status` shows of a stored secret: of a GitHub token, its kind
/// (the prefix, `ghu_`) and last four characters, as GitHub's own pages
/// do; of anything else (a password git stored), nothing at all, since a
/// third of a password is a head start.
pub fn mask(secret: &Secret) -> String {
    const GITHUB_PREFIXES: [&str; 6] = ["github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"];
    let Ok(text) = std::str::from_utf8(secret.expose()) else {
        return HIDDEN.into();
    };
    let token_shaped = |prefix: &&&str| {
        text.strip_prefix(*prefix).is_some_and(|rest| {
            rest.len() >= 16 && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
    };
    match GITHUB_PREFIXES.iter().find(token_shaped) {
        Some(prefix) => format!("{prefix}…{}", &text[text.len() - 4..]),
        None => HIDDEN.into(),
    }
}

const HIDDEN: &str = "(a password, hidden)";

fn printable(bytes: &[u8]) -> String {
    crate::report::printable(&String::from_utf8_lossy(bytes))
}

/// `YYYY-MM-DD HH:MM UTC`, from Unix seconds (Howard Hinnant's civil_from_days).
fn utc(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let (hour, minute) = ((seconds % 86_400) / 3600, (seconds % 3600) / 60);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_show_a_tokens_kind_and_last_four_and_nothing_of_a_password() {
        let token = format!("ghu_{}wxyz", "A1b2C3d4E5f6G7h8");
        assert_eq!(mask(&Secret::new(token)), "ghu_…wxyz");
        let pat = format!("github_pat_{}Zz99", "11ABCDEFG0_abcdefghij");
        assert_eq!(mask(&Secret::new(pat)), "github_pat_…Zz99");
        for password in [
            "abcd-not-a-real-token-wxyz",
            "short",
            "ghu_short",
            "ghu_with spaces and more than sixteen",
            "correct horse battery staple",
        ] {
            assert_eq!(
                mask(&Secret::new(password)),
                "(a password, hidden)",
                "{password}"
            );
        }
        assert_eq!(
            mask(&Secret::new(b"\xff\xfe".to_vec())),
            "(a password, hidden)"
        );
    }

    #[test]
    fn a_client_id_is_shown_only_when_github_could_have_issued_it() {
        assert_eq!(shown_client_id("Iv1.a1b2-c3_d4"), "Iv1.a1b2-c3_d4");
        let wrong = shown_client_id("Iv1.x\x1b]0;pwned\x07");
        assert!(
            !wrong.contains('\x1b') && !wrong.contains('\x07'),
            "{wrong:?}"
        );
        assert!(wrong.contains("not a client id GitHub issues"), "{wrong}");
        assert!(shown_client_id("a/b").contains("not a client id"));
    }

    #[test]
    fn dates_are_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc(1_795_318_574), "2026-11-22 03:36 UTC");
    }
}
