//! What git config says about one remote, read with git's own URL matching.
//!
//! Reading config costs a `git config` process (a few milliseconds), so it is
//! only ever done after the keyring had nothing to give: never on a hit.

pub(crate) mod client_secrets;
pub(crate) mod draft;
pub(crate) mod global;
pub(crate) mod host;
pub(crate) mod origins;
pub(crate) mod urlmatch;

use std::process::{Command, Stdio};
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_encode};

use crate::config::host::OAuthHost;
use crate::git::protocol::Credential;
use crate::secret::Secret;

/// Whether `program` is a file in a `PATH` directory: where a shell, or
/// git, would find it by name.
pub(crate) fn on_path(program: &str) -> bool {
    // Windows finds `program.exe` by the name `program`.
    let names = [
        program.to_string(),
        format!("{program}{}", std::env::consts::EXE_SUFFIX),
    ];
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| names.iter().any(|name| dir.join(name).is_file()))
    })
}

pub const DEFAULT_SCOPES: &str = "repo workflow";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
/// No sign-in waits longer than an hour, whatever the config says: a bigger
/// number is a mistake, and one near `u64::MAX` would overflow a deadline.
pub const MAX_TIMEOUT_SECONDS: u64 = 60 * 60;

/// The helper's settings for the remote git asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteConfig {
    /// The remote as `protocol://host`: config keys are named after it in
    /// messages, so the user can paste them.
    pub url: String,
    /// Set when the remote is an OAuth host: a client id is configured for it.
    pub oauth_app: Option<OAuthApp>,
    pub scopes: String,
    /// Fixed loopback redirects (`ghoauthRedirectUri`, which `setup`
    /// writes several of): as `--get-urlmatch` read it, only the last one;
    /// [`RemoteConfig::all_redirect_uris`] reads them all. None means any
    /// free port on 127.0.0.1.
    pub redirect_uris: Vec<String>,
    /// The URL git config is matched against (`protocol://[user@]host[/path]`).
    pub lookup_url: String,
    pub timeout: Duration,
    /// False when git must not wait for a person (`credential.interactive`).
    pub interactive: bool,
    pub flow: FlowSetting,
    /// git's own `http.<url>.*` settings the requests honour.
    pub http: HttpSettings,
}

/// What users already told git about their network, as GCM reads it:
/// `http.<url>.proxy` (or `http.proxy`) and `http.<url>.sslCAInfo`, from
/// the global and system config only (see `outside_any_repository`). Where
/// config says nothing, `HTTPS_PROXY`, `NO_PROXY` and `SSL_CERT_FILE` apply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpSettings {
    /// `Some("")` is git's way to say "no proxy", whatever the environment.
    pub proxy: Option<String>,
    /// A PEM file of CA certificates to trust instead of the system's.
    pub ca_info: Option<std::path::PathBuf>,
}

impl HttpSettings {
    /// Reads `git config -z --get-urlmatch http <url>` output.
    pub fn from_listing(listing: &[u8]) -> HttpSettings {
        let mut settings = HttpSettings::default();
        for (key, value) in records(listing) {
            match key.strip_prefix("http.").unwrap_or("") {
                "proxy" => settings.proxy = value,
                "sslcainfo" => settings.ca_info = value.filter(|v| !v.is_empty()).map(Into::into),
                _ => {}
            }
        }
        settings
    }
}

/// `key\nvalue\0` records as git config -z writes them: the key
/// lowercased, the value trimmed (`None` for a bare boolean key).
fn records(listing: &[u8]) -> impl Iterator<Item = (String, Option<String>)> + '_ {
    listing
        .split(|&b| b == 0)
        .filter(|record| !record.is_empty())
        .map(|record| {
            let (key, value) = match record.iter().position(|&b| b == b'\n') {
                Some(newline) => (&record[..newline], Some(&record[newline + 1..])),
                None => (record, None),
            };
            let key = String::from_utf8_lossy(key).to_ascii_lowercase();
            let value = value.map(|v| String::from_utf8_lossy(v).trim().to_string());
            (key, value)
        })
}

/// `credential.<url>.ghoauthFlow`: how to sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FlowSetting {
    Browser,
    Device,
    /// The device flow where no browser can open, else the browser flow.
    #[default]
    Auto,
}

impl FlowSetting {
    /// As git config and the command line spell it.
    pub fn name(self) -> &'static str {
        match self {
            FlowSetting::Browser => "browser",
            FlowSetting::Device => "device",
            FlowSetting::Auto => "auto",
        }
    }
}

/// A `ghoauthFlow` that is none of the three.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadFlow(pub String);

impl std::str::FromStr for FlowSetting {
    type Err = BadFlow;

    fn from_str(text: &str) -> Result<FlowSetting, BadFlow> {
        match text.to_ascii_lowercase().as_str() {
            "browser" => Ok(FlowSetting::Browser),
            "device" => Ok(FlowSetting::Device),
            "auto" | "" => Ok(FlowSetting::Auto),
            _ => Err(BadFlow(text.to_string())),
        }
    }
}

/// The OAuth app a user registered at GitHub for this helper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthApp {
    pub client_id: String,
    /// GitHub wants it for the browser flow even with PKCE; the device flow
    /// needs none.
    pub client_secret: Option<Secret>,
    pub source: AppSource,
}

/// Where the app's client id came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppSource {
    /// `credential.<url>.ghoauthClientId`.
    #[default]
    Configured,
    /// `GHOAUTH_CLIENT_ID`.
    Environment,
    /// Compiled in by a packager (`GHOAUTH_BUILTIN_CLIENT_ID`), for
    /// github.com when nothing else names an app.
    BuiltIn,
}

impl std::fmt::Display for AppSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AppSource::Configured => "configured",
            AppSource::Environment => "from GHOAUTH_CLIENT_ID",
            AppSource::BuiltIn => "built in",
        })
    }
}

/// The app a packager compiled in for github.com: its client id and, if
/// they gave one, its secret. None in a plain build.
pub const BUILTIN_APP: Option<(&str, Option<&str>)> = match option_env!("GHOAUTH_BUILTIN_CLIENT_ID")
{
    Some(id) if !id.is_empty() => Some((id, option_env!("GHOAUTH_BUILTIN_CLIENT_SECRET"))),
    _ => None,
};

impl RemoteConfig {
    /// One `git config` run, for `host` and the user and path `request`
    /// names. A git that fails just means "nothing configured".
    pub fn read(host: &OAuthHost, request: &Credential) -> Result<RemoteConfig, ConfigError> {
        let lookup = lookup_url(host, request);
        let mut config = RemoteConfig::from_listing(
            host.url(),
            &git_config_section("credential", &lookup),
            |name| std::env::var(name).ok(),
            BUILTIN_APP,
        )?;
        config.lookup_url = lookup.clone();
        // One more run, and only for hosts that will see a request.
        if config.oauth_app.is_some() {
            config.http = HttpSettings::from_listing(&outside_any_repository(&[
                "-z",
                "--get-urlmatch",
                "http",
                &lookup,
            ]));
        }
        Ok(config)
    }

    /// Builds the settings from `git config -z` output (`key\nvalue\0`…).
    pub fn from_listing(
        url: String,
        listing: &[u8],
        env: impl Fn(&str) -> Option<String>,
        builtin: Option<(&str, Option<&str>)>,
    ) -> Result<RemoteConfig, ConfigError> {
        let raw = Written::read(listing);
        let timeout = match raw.timeout.as_deref() {
            None => DEFAULT_TIMEOUT,
            Some(text) => match text.parse::<u64>() {
                Ok(seconds) if seconds > 0 => Duration::from_secs(seconds.min(MAX_TIMEOUT_SECONDS)),
                _ => {
                    return Err(ConfigError::Timeout {
                        url,
                        text: text.into(),
                    });
                }
            },
        };
        let flow = match raw.flow.as_deref() {
            None => FlowSetting::Auto,
            Some(text) => text.parse().map_err(|BadFlow(text)| ConfigError::Flow {
                url: url.clone(),
                text,
            })?,
        };
        Ok(RemoteConfig {
            oauth_app: choose_app(&url, raw.client_id, raw.client_secret, env, builtin),
            scopes: scope_list(raw.scopes),
            redirect_uris: raw.redirect_uris,
            timeout,
            interactive: raw.interactive,
            flow,
            http: HttpSettings::default(),
            lookup_url: url.clone(),
            url,
        })
    }

    /// Every `ghoauthRedirectUri` for this remote, in order: a browser
    /// sign-in tries them until one is free. `--get-urlmatch` gives only
    /// the last value of a key, so this is a second `git config` run, made
    /// only when a browser sign-in starts and a redirect is configured.
    pub fn all_redirect_uris(&self) -> Vec<String> {
        if self.redirect_uris.is_empty() {
            return Vec::new();
        }
        let listing = git_config(&[
            "-z",
            "--get-regexp",
            r"^credential\.(.*\.)?ghoauthredirecturi$",
        ]);
        let all = redirect_uris_in(&listing, &self.lookup_url);
        // A git that failed this time still said what it said before.
        match all.is_empty() {
            true => self.redirect_uris.clone(),
            false => all,
        }
    }
}

/// The redirect URIs for `url` in `git config -z --get-regexp` output,
/// with git's URL matching. Subsections keep their case (git lowercases
/// only the section and the key), which the path match needs.
fn redirect_uris_in(listing: &[u8], url: &str) -> Vec<String> {
    let entries: Vec<(String, String)> = listing
        .split(|&b| b == 0)
        .filter_map(|record| {
            let text = std::str::from_utf8(record).ok()?;
            let (key, value) = text.split_once('\n').unwrap_or((text, ""));
            let pattern = key
                .strip_prefix("credential.")?
                .strip_suffix("ghoauthredirecturi")?
                .strip_suffix('.')
                .unwrap_or("");
            Some((pattern.to_string(), value.trim().to_string()))
        })
        .collect();
    crate::config::urlmatch::all_values(
        entries
            .iter()
            .map(|(pattern, value)| (pattern.as_str(), value.as_str())),
        url,
    )
}

/// A setting git config holds that makes no sense: names the key and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    Timeout { url: String, text: String },
    Flow { url: String, text: String },
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::Timeout { url, text } => write!(
                f,
                "credential.{url}.ghoauthTimeout is '{}', not a number of seconds; fix it with \
                 `git config --global credential.{url}.ghoauthTimeout 300`",
                crate::report::printable(text)
            ),
            ConfigError::Flow { url, text } => write!(
                f,
                "credential.{url}.ghoauthFlow is '{}', not browser, device or auto; fix it with \
                 `git config --global credential.{url}.ghoauthFlow auto`",
                crate::report::printable(text)
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The helper's keys as git config has them, not yet checked.
#[derive(Default)]
struct Written {
    client_id: Option<String>,
    client_secret: Option<Secret>,
    scopes: Option<String>,
    redirect_uris: Vec<String>,
    timeout: Option<String>,
    flow: Option<String>,
    interactive: bool,
}

impl Written {
    fn read(listing: &[u8]) -> Written {
        let mut written = Written {
            interactive: true,
            ..Written::default()
        };
        for (key, text) in records(listing) {
            match key.strip_prefix("credential.").unwrap_or("") {
                "ghoauthclientid" => written.client_id = text.filter(|t| !t.is_empty()),
                "ghoauthclientsecret" => {
                    written.client_secret = text.filter(|t| !t.is_empty()).map(Secret::new)
                }
                "ghoauthscopes" => written.scopes = text,
                // Multi-valued: an empty value resets the list, as git's
                // own multi-valued keys do.
                "ghoauthredirecturi" => match text.filter(|t| !t.is_empty()) {
                    Some(uri) => written.redirect_uris.push(uri),
                    None => written.redirect_uris.clear(),
                },
                "ghoauthtimeout" => written.timeout = text,
                "ghoauthflow" => written.flow = text,
                "interactive" => written.interactive = text.as_deref().is_none_or(is_interactive),
                _ => {}
            }
        }
        written
    }
}

/// The app for `url`. The GHOAUTH_CLIENT_ID / GHOAUTH_CLIENT_SECRET
/// environment variables take precedence, as scripts expect, for github.com
/// and for hosts that have a client id configured: an id in the
/// environment must not turn every other server git talks to into a
/// GitHub. A packager's built-in app serves github.com when nothing else
/// names one.
fn choose_app(
    url: &str,
    mut client_id: Option<String>,
    mut client_secret: Option<Secret>,
    env: impl Fn(&str) -> Option<String>,
    builtin: Option<(&str, Option<&str>)>,
) -> Option<OAuthApp> {
    let public_github = matches!(
        url.to_ascii_lowercase().as_str(),
        "https://github.com" | "https://gist.github.com"
    );
    let mut source = AppSource::Configured;
    if client_id.is_some() || public_github {
        if let Some(id) = env("GHOAUTH_CLIENT_ID").filter(|v| !v.is_empty()) {
            client_id = Some(id);
            source = AppSource::Environment;
        }
        // The secret in the environment belongs with the id there, or with
        // github.com: never sent to an Enterprise server's token endpoint
        // for an app configured there.
        let secret_applies = public_github || source == AppSource::Environment;
        if let Some(secret) = env("GHOAUTH_CLIENT_SECRET").filter(|v| !v.is_empty())
            && secret_applies
        {
            client_secret = Some(Secret::new(secret));
        }
    }
    if client_id.is_none()
        && public_github
        && let Some((id, secret)) = builtin
    {
        client_id = Some(id.to_string());
        client_secret = client_secret.or(secret.filter(|s| !s.is_empty()).map(Secret::new));
        source = AppSource::BuiltIn;
    }
    Some(OAuthApp {
        client_id: client_id?,
        client_secret,
        source,
    })
}

/// Scopes as GitHub wants them: space-separated, whether written with
/// spaces or commas; the default when none are.
fn scope_list(written: Option<String>) -> String {
    written
        .map(|s| {
            s.split([' ', ','])
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_SCOPES.to_string())
}

/// `git config -z --get-urlmatch <section> <url>`: git's own URL matching,
/// one section at a time. A git that fails means "nothing configured".
fn git_config_section(section: &str, url: &str) -> Vec<u8> {
    git_config(&["-z", "--get-urlmatch", section, url])
}

/// `git config <args>` as read outside any repository: the global and
/// system config and `git -c`, never a repository's own. The helper's
/// requests (discovery's, refresh, revocation with the app's secret) carry
/// every account's tokens, where git alone sends the one credential it
/// uses, so a repository's `http.proxy` or `http.sslCAInfo` must not
/// steer them.
fn outside_any_repository(args: &[&str]) -> Vec<u8> {
    Command::new("git")
        .arg("config")
        .args(args)
        .current_dir(std::env::temp_dir())
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_COMMON_DIR")
        .env("GIT_CEILING_DIRECTORIES", std::env::temp_dir())
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map(|output| output.stdout)
        .unwrap_or_default()
}

/// `git config <args>`'s output; nothing when git fails.
fn git_config(args: &[&str]) -> Vec<u8> {
    Command::new("git")
        .arg("config")
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map(|output| output.stdout)
        .unwrap_or_default()
}

/// The first line a git command prints, trimmed, when it succeeds with one.
pub(crate) fn git_first_line(args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let line = text.lines().next()?.trim().to_string();
    (output.status.success() && !line.is_empty()).then_some(line)
}

/// git's boolean spellings, plus `never`, which `credential.interactive`
/// also accepts.
fn is_interactive(value: &str) -> bool {
    !matches!(
        value.to_ascii_lowercase().as_str(),
        "false" | "no" | "off" | "0" | "never" | ""
    )
}

/// True when git must not wait for a person: the environment says so, or
/// `credential.interactive` does. git tells helpers neither; each must look.
pub fn must_not_prompt(config: &RemoteConfig) -> bool {
    std::env::var_os("GIT_TERMINAL_PROMPT").is_some_and(|v| v == "0") || !config.interactive
}

/// `protocol://[user@]host[/path]` for git config's URL matching, with the
/// user and path percent-encoded so that any bytes git sent still make a URL
/// git accepts. Config for `https://github.com` applies to every user and
/// path under it; config for `https://alice@github.com` to alice only.
fn lookup_url(host: &OAuthHost, request: &Credential) -> String {
    let mut url = format!("{}://", host.protocol());
    if let Some(user) = request.username.as_deref().filter(|user| !user.is_empty()) {
        url.extend(percent_encode(user, UNRESERVED));
        url.push('@');
    }
    url.push_str(&host.host());
    if let Some(path) = request.path.as_deref() {
        url.push('/');
        url.extend(percent_encode(path, PATH_SAFE));
    }
    url
}

/// RFC 3986's unreserved characters stay; every other byte becomes `%XX`.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
const PATH_SAFE: &AsciiSet = &UNRESERVED.remove(b'/');

#[cfg(test)]
mod tests {
    use super::*;

    /// The settings for `url` from a listing and an environment of the
    /// test's own.
    fn read_at(
        url: &str,
        listing: &[u8],
        env: &[(&str, &str)],
        builtin: Option<(&str, Option<&str>)>,
    ) -> Result<RemoteConfig, ConfigError> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        RemoteConfig::from_listing(
            url.into(),
            listing,
            |name| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
            builtin,
        )
    }

    fn parse(listing: &[u8], env: &[(&str, &str)]) -> RemoteConfig {
        read_at("https://github.com", listing, env, None).unwrap()
    }

    #[test]
    fn nothing_configured_is_not_an_oauth_host() {
        let config = parse(b"credential.helper\nghoauth\0", &[]);
        assert_eq!(config.oauth_app, None);
        assert_eq!(config.scopes, "repo workflow");
        assert_eq!(config.timeout, DEFAULT_TIMEOUT);
        assert!(config.interactive);
    }

    #[test]
    fn reads_every_key_case_insensitively() {
        let config = parse(
            b"credential.ghoauthClientId\nIv1.abc\0credential.ghoauthclientsecret\nshh\0\
              credential.ghoauthscopes\nrepo, gist\0credential.ghoauthredirecturi\nhttp://localhost:8000/callback\0\
              credential.ghoauthtimeout\n42\0credential.interactive\nnever\0",
            &[],
        );
        let app = config.oauth_app.unwrap();
        assert_eq!(app.client_id, "Iv1.abc");
        assert_eq!(app.client_secret.unwrap().expose(), b"shh");
        assert_eq!(config.scopes, "repo gist");
        assert_eq!(config.redirect_uris, vec!["http://localhost:8000/callback"]);
        assert_eq!(config.timeout, Duration::from_secs(42));
        assert!(!config.interactive);
        assert_eq!(config.flow, FlowSetting::Auto);
        assert_eq!(
            parse(b"credential.ghoauthflow\nDevice\0", &[]).flow,
            FlowSetting::Device
        );
        assert!(
            RemoteConfig::from_listing(
                "u".into(),
                b"credential.ghoauthflow\ntelepathy\0",
                |_| None,
                None
            )
            .unwrap_err()
            .to_string()
            .contains("not browser, device or auto")
        );
    }

    #[test]
    fn environment_overrides_config() {
        let config = parse(
            b"credential.ghoauthclientid\nfrom-config\0",
            &[
                ("GHOAUTH_CLIENT_ID", "from-env"),
                ("GHOAUTH_CLIENT_SECRET", "s"),
            ],
        );
        let app = config.oauth_app.unwrap();
        assert_eq!(app.client_id, "from-env");
        assert_eq!(app.client_secret.unwrap().expose(), b"s");
    }

    #[test]
    fn the_environment_does_not_make_other_hosts_github() {
        let env = [("GHOAUTH_CLIENT_ID", "from-env")];
        let other = RemoteConfig::from_listing(
            "https://gitlab.com".into(),
            b"",
            |name| {
                env.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            },
            Some(("Iv1.builtin", None)),
        )
        .unwrap();
        assert_eq!(other.oauth_app, None);
        let github = parse(b"", &env);
        assert_eq!(github.oauth_app.unwrap().client_id, "from-env");
    }

    #[test]
    fn a_secret_in_the_environment_reaches_only_its_own_app() {
        let at = |url: &str, listing: &[u8], env: &[(&str, &str)]| {
            read_at(url, listing, env, None).unwrap().oauth_app.unwrap()
        };
        let enterprise = b"credential.ghoauthclientid\nIv1.ghe\0";
        let secret_only = [("GHOAUTH_CLIENT_SECRET", "github-com-secret")];
        let ghe = at("https://ghe.example.com", enterprise, &secret_only);
        assert_eq!(ghe.client_id, "Iv1.ghe");
        assert!(
            ghe.client_secret.is_none(),
            "github.com's secret stays home"
        );
        let both = [
            ("GHOAUTH_CLIENT_ID", "Iv1.env"),
            ("GHOAUTH_CLIENT_SECRET", "env-secret"),
        ];
        let from_env = at("https://ghe.example.com", enterprise, &both);
        assert_eq!(from_env.client_id, "Iv1.env");
        assert_eq!(from_env.client_secret.unwrap().expose(), b"env-secret");
        let github = at(
            "https://github.com",
            b"credential.ghoauthclientid\nIv1.gh\0",
            &secret_only,
        );
        assert_eq!(github.client_secret.unwrap().expose(), b"github-com-secret");
    }

    #[test]
    fn lookup_urls_survive_any_bytes() {
        let request = Credential::parse(
            b"protocol=https\nhost=GitHub.com:443\nusername=a@b c\npath=org/my repo\xe9.git\n",
        )
        .unwrap();
        let host = OAuthHost::parse(b"https", b"GitHub.com:443").unwrap();
        assert_eq!(
            lookup_url(&host, &request),
            "https://a%40b%20c@github.com/org/my%20repo%E9.git"
        );
    }

    #[test]
    fn a_built_in_app_is_github_coms_only_when_nothing_else_names_one() {
        let builtin = Some(("Iv1.builtin", Some("builtin-secret")));
        let read = |url: &str, listing: &[u8], env: &[(&str, &str)]| {
            read_at(url, listing, env, builtin).unwrap().oauth_app
        };
        let app = read("https://github.com", b"", &[]).unwrap();
        assert_eq!(
            (app.client_id.as_str(), app.source),
            ("Iv1.builtin", AppSource::BuiltIn)
        );
        assert_eq!(app.client_secret.unwrap().expose(), b"builtin-secret");
        let configured = read(
            "https://github.com",
            b"credential.ghoauthclientid\nmine\0",
            &[],
        )
        .unwrap();
        assert_eq!(
            (configured.client_id.as_str(), configured.source),
            ("mine", AppSource::Configured)
        );
        assert_eq!(
            configured.client_secret, None,
            "the built-in secret is the built-in app's only"
        );
        let from_env = read("https://github.com", b"", &[("GHOAUTH_CLIENT_ID", "env")]).unwrap();
        assert_eq!(from_env.source, AppSource::Environment);
        assert_eq!(
            read("https://ghe.example.com", b"", &[]),
            None,
            "github.com's only"
        );
    }

    #[test]
    fn redirect_uris_are_candidates_in_order_and_an_empty_value_resets_them() {
        let config = parse(
            b"credential.ghoauthredirecturi\nhttp://127.0.0.1:1/x\0\
              credential.ghoauthredirecturi\nhttp://127.0.0.1:2/callback\0\
              credential.ghoauthredirecturi\nhttp://127.0.0.1:3/callback\0",
            &[],
        );
        assert_eq!(
            config.redirect_uris,
            vec![
                "http://127.0.0.1:1/x",
                "http://127.0.0.1:2/callback",
                "http://127.0.0.1:3/callback"
            ]
        );
        let reset = parse(
            b"credential.ghoauthredirecturi\nhttp://127.0.0.1:1/x\0\
              credential.ghoauthredirecturi\n\0\
              credential.ghoauthredirecturi\nhttp://127.0.0.1:3/callback\0",
            &[],
        );
        assert_eq!(reset.redirect_uris, vec!["http://127.0.0.1:3/callback"]);
    }

    #[test]
    fn a_bare_boolean_key_means_true() {
        assert!(parse(b"credential.interactive\0", &[]).interactive);
        assert!(!parse(b"credential.interactive\nfalse\0", &[]).interactive);
        assert!(parse(b"credential.interactive\nauto\0", &[]).interactive);
    }

    #[test]
    fn a_bad_timeout_names_the_key_and_the_fix() {
        let error = RemoteConfig::from_listing(
            "https://github.com".into(),
            b"credential.ghoauthtimeout\nsoon\0",
            |_| None,
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("credential.https://github.com.ghoauthTimeout is 'soon'"));
        assert!(error.contains("git config --global"));
    }
}
