//! The one name of a host the helper may sign in to.
//!
//! git passes `host` through as the URL had it, and two URL readers can
//! disagree about it: `git config --get-urlmatch` reads
//! `evil.example\@github.com` as github.com (everything before `@` is user
//! info), while a WHATWG parser reads it as evil.example (`\` is `/`). So
//! the request's protocol and host are parsed once, here, into a value that
//! holds a DNS name or an IP literal and an optional port, and nothing
//! else. The config lookup, the loopback rule, the endpoints, the lock and
//! the OAuth keyring entry all use that value; plain storage keeps the host
//! exactly as git sent it.

use std::fmt;

use url::{Host, Url};

use crate::git::protocol::Credential;

/// A `--host` that names no host the helper signs in to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadHostArgument {
    text: String,
    why: HostProblem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostProblem {
    NotHttps,
    NotAUrl,
    NeitherNameNorUrl,
    PlainHttp,
    /// `api.SUBDOMAIN.ghe.com`, a GHE.com tenant's API host, given where
    /// the tenant's own host (here) belongs.
    TenantApiHost(String),
}

impl fmt::Display for BadHostArgument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = crate::report::printable(&self.text);
        match &self.why {
            HostProblem::NotHttps => {
                write!(f, "'{text}' must be an https:// (or loopback http://) URL")
            }
            HostProblem::NotAUrl => write!(f, "'{text}' is not a URL"),
            HostProblem::NeitherNameNorUrl => write!(
                f,
                "'{text}' is neither a host name nor a URL; try --host github.com"
            ),
            HostProblem::PlainHttp => write!(
                f,
                "'{text}': OAuth tokens are only sent over https (plain http only to a loopback \
                 address); use https://"
            ),
            HostProblem::TenantApiHost(tenant) => write!(
                f,
                "'{text}' is the API host of the GHE.com tenant {tenant}; name the tenant \
                 itself: --host https://{tenant}"
            ),
        }
    }
}

impl std::error::Error for BadHostArgument {}

/// `https://` or `http://` plus a host that reads the same to every parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthHost {
    protocol: &'static str,
    host: Host<String>,
    /// `None` for the protocol's default port.
    port: Option<u16>,
}

/// Why a request's host is not one the helper signs in to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotOAuthHost {
    /// Not http or https (say, `cert` or `smtp`): never an OAuth host, and
    /// nothing to say about it.
    OtherProtocol,
    /// Something no plain host name holds; names the reason.
    Malformed(&'static str),
}

impl OAuthHost {
    /// Parses what git sent as `protocol` and `host`.
    pub fn parse(protocol: &[u8], host: &[u8]) -> Result<OAuthHost, NotOAuthHost> {
        let protocol = match protocol.to_ascii_lowercase().as_slice() {
            b"https" => "https",
            b"http" => "http",
            _ => return Err(NotOAuthHost::OtherProtocol),
        };
        let text = std::str::from_utf8(host).map_err(|_| NotOAuthHost::Malformed("not UTF-8"))?;
        if text.is_empty() {
            return Err(NotOAuthHost::Malformed("empty"));
        }
        if let Some(bad) = text.chars().find(|&c| forbidden(c)) {
            return Err(NotOAuthHost::Malformed(match bad {
                '@' => "it holds '@', as user info would",
                '\\' | '/' => "it holds a slash or backslash",
                '?' | '#' => "it holds '?' or '#'",
                '%' => "it holds a percent escape",
                _ => "it holds whitespace or a control character",
            }));
        }
        // git's URL matching compares hosts case-insensitively.
        let text = text.to_ascii_lowercase();
        let (name, port) =
            split_port(&text).ok_or(NotOAuthHost::Malformed("its port is not a number"))?;
        let default_port = if protocol == "https" { 443 } else { 80 };
        let port = port.filter(|&port| port != default_port);
        let written = match port {
            Some(port) => format!("{protocol}://{name}:{port}/"),
            None => format!("{protocol}://{name}/"),
        };
        // A name the URL parser rewrites (IDNA, a short IPv4 form, ...) is
        // read two ways; only one that survives unchanged is taken.
        let url = Url::parse(&written).map_err(|_| NotOAuthHost::Malformed("not a host name"))?;
        if url.host_str() != Some(name) || url.port() != port {
            return Err(NotOAuthHost::Malformed("a URL parser reads it differently"));
        }
        let host = url
            .host()
            .ok_or(NotOAuthHost::Malformed("not a host name"))?
            .to_owned();
        Ok(OAuthHost {
            protocol,
            host,
            port,
        })
    }

    /// A host as people name it on the command line: `github.com`, or a URL
    /// such as `https://ghe.example.com` or `http://127.0.0.1:8080`. Only
    /// the authority counts; a path, query or fragment is ignored. clap's
    /// value parser for `--host`.
    pub fn from_argument(text: &str) -> Result<OAuthHost, BadHostArgument> {
        let text = text.trim();
        let bad = |why| BadHostArgument {
            text: text.to_string(),
            why,
        };
        let (protocol, authority) = match text.split_once("://") {
            None => ("https", text),
            Some((scheme, rest)) => {
                let protocol = match scheme.to_ascii_lowercase().as_str() {
                    "https" => "https",
                    "http" => "http",
                    _ => return Err(bad(HostProblem::NotHttps)),
                };
                Url::parse(text).map_err(|_| bad(HostProblem::NotAUrl))?;
                (
                    protocol,
                    rest.split(['/', '?', '#']).next().unwrap_or_default(),
                )
            }
        };
        let host = OAuthHost::parse(protocol.as_bytes(), authority.as_bytes())
            .map_err(|_| bad(HostProblem::NeitherNameNorUrl))?;
        if host.protocol() == "http" && !host.is_loopback() {
            return Err(bad(HostProblem::PlainHttp));
        }
        if let Some(tenant) = tenant_of_api_host(&host.host()) {
            return Err(bad(HostProblem::TenantApiHost(tenant)));
        }
        Ok(host)
    }

    /// The request git would send for this host.
    pub fn request(&self) -> Credential {
        Credential {
            protocol: Some(self.protocol.as_bytes().to_vec()),
            host: Some(self.host().into_bytes()),
            ..Credential::default()
        }
    }

    /// `https://github.com`, the host nearly every user signs in to.
    pub fn github_com() -> OAuthHost {
        OAuthHost {
            protocol: "https",
            host: Host::Domain("github.com".to_string()),
            port: None,
        }
    }

    pub fn protocol(&self) -> &'static str {
        self.protocol
    }

    /// `name[:port]`, as git's `host` field would hold it.
    pub fn host(&self) -> String {
        match self.port {
            Some(port) => format!("{}:{port}", self.host),
            None => self.host.to_string(),
        }
    }

    /// `protocol://name[:port]`: how config keys and messages name it.
    pub fn url(&self) -> String {
        format!("{}://{}", self.protocol, self.host())
    }

    /// 127.0.0.0/8, `[::1]` or `localhost`, on any port.
    pub fn is_loopback(&self) -> bool {
        match &self.host {
            Host::Ipv4(ip) => ip.is_loopback(),
            Host::Ipv6(ip) => ip.is_loopback(),
            Host::Domain(name) => name == "localhost",
        }
    }

    /// github.com, or gist.github.com which shares its apps and tokens.
    pub fn is_public_github(&self) -> bool {
        self.protocol == "https"
            && self.port.is_none()
            && matches!(&self.host, Host::Domain(name) if name == "github.com" || name == "gist.github.com")
    }
}

/// What kind of GitHub a host is, which decides where its REST API lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// github.com: the API on `api.github.com`.
    GitHubCom,
    /// GitHub Enterprise Cloud with data residency, `SUBDOMAIN.ghe.com`:
    /// the API on `api.SUBDOMAIN.ghe.com`, at its root.
    GheComTenant,
    /// Any other host: the API under `/api/v3` on the host itself.
    EnterpriseServer,
}

impl OAuthHost {
    pub fn flavour(&self) -> Flavour {
        if self.is_public_github() {
            return Flavour::GitHubCom;
        }
        let tenant = self.protocol == "https"
            && self.port.is_none()
            && matches!(&self.host, Host::Domain(name) if tenant_label(name).is_some());
        match tenant {
            true => Flavour::GheComTenant,
            false => Flavour::EnterpriseServer,
        }
    }
}

impl Flavour {
    /// For JSON.
    pub fn short(self) -> &'static str {
        match self {
            Flavour::GitHubCom => "github.com",
            Flavour::GheComTenant => "ghe.com tenant",
            Flavour::EnterpriseServer => "enterprise server",
        }
    }
}

impl fmt::Display for Flavour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Flavour::GitHubCom => "github.com",
            Flavour::GheComTenant => {
                "a GHE.com tenant (GitHub Enterprise Cloud with data residency)"
            }
            Flavour::EnterpriseServer => "a GitHub Enterprise Server",
        })
    }
}

/// `acme` of `acme.ghe.com`: one DNS label (no dot) before `ghe.com`.
fn tenant_label(name: &str) -> Option<&str> {
    let label = name.strip_suffix(".ghe.com")?;
    let well_formed = !label.is_empty()
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    well_formed.then_some(label)
}

/// `acme.ghe.com` for `api.acme.ghe.com`.
fn tenant_of_api_host(name: &str) -> Option<String> {
    let tenant = name.strip_prefix("api.")?;
    tenant_label(tenant).map(|_| tenant.to_string())
}

impl fmt::Display for OAuthHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.host())
    }
}

/// Characters that make a host mean one thing to one parser and another to
/// the next.
fn forbidden(c: char) -> bool {
    matches!(c, '@' | '\\' | '/' | '?' | '#' | '%') || c.is_whitespace() || c.is_control()
}

/// `name` and its port, if any; `[v6]` literals keep their brackets. `None`
/// when a port is there but not a number.
fn split_port(text: &str) -> Option<(&str, Option<u16>)> {
    let (name, port) = if text.starts_with('[') {
        let end = text.find(']')? + 1;
        match &text[end..] {
            "" => return Some((text, None)),
            rest => (&text[..end], rest.strip_prefix(':')?),
        }
    } else {
        match text.rsplit_once(':') {
            None => return Some((text, None)),
            Some(split) => split,
        }
    };
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((name, Some(port.parse().ok()?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(host: &str) -> Result<String, NotOAuthHost> {
        OAuthHost::parse(b"https", host.as_bytes()).map(|h| h.url())
    }

    #[test]
    fn names_are_lowercased_and_default_ports_dropped() {
        assert_eq!(parse("github.com").unwrap(), "https://github.com");
        assert_eq!(parse("GitHub.com").unwrap(), "https://github.com");
        assert_eq!(parse("github.com:443").unwrap(), "https://github.com");
        assert_eq!(
            parse("ghe.example.com:8443").unwrap(),
            "https://ghe.example.com:8443"
        );
        assert_eq!(parse("[::1]:9").unwrap(), "https://[::1]:9");
        assert_eq!(parse("127.0.0.1").unwrap(), "https://127.0.0.1");
        let http = OAuthHost::parse(b"HTTP", b"localhost:80").unwrap();
        assert_eq!(http.url(), "http://localhost");
        assert!(http.is_loopback());
        assert!(
            OAuthHost::parse(b"https", b"GitHub.com:443")
                .unwrap()
                .is_public_github()
        );
    }

    #[test]
    fn the_reason_names_what_was_found() {
        let why = |host: &str| match OAuthHost::parse(b"https", host.as_bytes()) {
            Err(NotOAuthHost::Malformed(why)) => why,
            other => panic!("{host:?} gave {other:?}"),
        };
        assert!(why("a@github.com").contains("'@'"));
        assert!(why("a\\github.com").contains("backslash"));
        assert!(why("a/github.com").contains("slash"));
        assert!(why("a#b").contains("'#'") && why("a?b").contains("'?'"));
        assert!(why("a%5cb").contains("percent"));
        assert!(why("a b").contains("whitespace") && why("a\u{a0}b").contains("whitespace"));
        assert!(why("a\u{7}b").contains("control"));
        assert!(why("github.com:+5").contains("port"));
        assert!(why("127.1").contains("reads it differently"));
    }

    #[test]
    fn ghe_com_tenants_are_told_from_other_hosts() {
        let flavour = |argument: &str| OAuthHost::from_argument(argument).map(|h| h.flavour());
        assert_eq!(flavour("github.com"), Ok(Flavour::GitHubCom));
        assert_eq!(flavour("https://Acme.GHE.com/"), Ok(Flavour::GheComTenant));
        assert_eq!(flavour("octo-eu.ghe.com"), Ok(Flavour::GheComTenant));
        for server in [
            "ghe.com",
            "ghe.example.com",
            "acme.ghe.com:8443",
            "a.b.ghe.com",
            "acme.ghe.com.evil",
        ] {
            assert_eq!(flavour(server), Ok(Flavour::EnterpriseServer), "{server}");
        }
        let mistyped = OAuthHost::from_argument("https://api.acme.ghe.com").unwrap_err();
        assert_eq!(
            mistyped.to_string(),
            "'https://api.acme.ghe.com' is the API host of the GHE.com tenant acme.ghe.com; name \
             the tenant itself: --host https://acme.ghe.com"
        );
    }

    #[test]
    fn flavours_are_named_for_people_and_for_json() {
        assert_eq!(Flavour::GheComTenant.short(), "ghe.com tenant");
        assert_eq!(Flavour::GitHubCom.short(), "github.com");
        assert_eq!(Flavour::EnterpriseServer.short(), "enterprise server");
        assert_eq!(
            Flavour::GheComTenant.to_string(),
            "a GHE.com tenant (GitHub Enterprise Cloud with data residency)"
        );
        assert_eq!(
            Flavour::EnterpriseServer.to_string(),
            "a GitHub Enterprise Server"
        );
    }

    #[test]
    fn the_request_for_a_host_is_what_git_would_send() {
        let request = OAuthHost::from_argument("https://Acme.ghe.com:8443/x")
            .unwrap()
            .request();
        assert_eq!(request.protocol.as_deref(), Some(&b"https"[..]));
        assert_eq!(request.host.as_deref(), Some(&b"acme.ghe.com:8443"[..]));
        assert_eq!((request.path, request.username), (None, None));
    }

    #[test]
    fn it_prints_as_git_names_it() {
        let host = OAuthHost::parse(b"https", b"GHE.example.com:8443").unwrap();
        assert_eq!(format!("{host}"), "ghe.example.com:8443");
        assert_eq!(host.host(), "ghe.example.com:8443");
    }

    #[test]
    fn github_com_is_github_com() {
        assert_eq!(
            OAuthHost::parse(b"https", b"GitHub.com:443"),
            Ok(OAuthHost::github_com())
        );
    }

    #[test]
    fn anything_two_parsers_could_read_apart_is_refused() {
        for hostile in [
            "evil.example\\@github.com",
            "evil.example\\\\@github.com",
            "evil.example/..\\@github.com",
            "evil.example@github.com",
            "localhost:80@evil.com",
            "evil.example\t@github.com",
            "evil.example#@github.com",
            "evil.example?@github.com",
            "evil.example/github.com",
            "github.com%2f",
            "git hub.com",
            "github.com\n",
            "",
            "github.com:",
            "github.com:x",
            "github.com:99999",
            "[::1",
            "[::1]x",
            "::1",
            "bücher.example",
            "127.1",
            "[0:0::1]",
        ] {
            assert!(
                matches!(parse(hostile), Err(NotOAuthHost::Malformed(_))),
                "{hostile:?} gave {:?}",
                parse(hostile)
            );
        }
        assert!(matches!(
            OAuthHost::parse(b"https", b"\xff"),
            Err(NotOAuthHost::Malformed(_))
        ));
    }

    #[test]
    fn only_http_and_https_are_oauth_protocols() {
        assert_eq!(
            OAuthHost::parse(b"cert", b"github.com"),
            Err(NotOAuthHost::OtherProtocol)
        );
        assert_eq!(
            OAuthHost::parse(b"ssh", b"github.com"),
            Err(NotOAuthHost::OtherProtocol)
        );
    }

    #[test]
    fn loopback_means_the_machine_itself() {
        let loopback = |protocol: &[u8], host: &str| {
            OAuthHost::parse(protocol, host.as_bytes()).is_ok_and(|h| h.is_loopback())
        };
        assert!(loopback(b"http", "127.0.0.1:8080"));
        assert!(loopback(b"http", "[::1]:9000"));
        assert!(loopback(b"http", "LOCALHOST"));
        assert!(!loopback(b"http", "127.0.0.1.evil.com"));
        assert!(!loopback(b"http", "localhost.evil.com"));
        assert!(!loopback(b"http", "localhost:80@evil.com"));
        assert!(
            !OAuthHost::parse(b"https", b"github.com:8443")
                .unwrap()
                .is_public_github()
        );
        assert!(
            !OAuthHost::parse(b"http", b"github.com")
                .unwrap()
                .is_public_github()
        );
    }

    #[test]
    fn hosts_on_the_command_line_are_names_or_urls() {
        let remote = |text: &str| OAuthHost::from_argument(text).map(|host| host.url());
        assert_eq!(remote("github.com").unwrap(), "https://github.com");
        assert_eq!(remote("GitHub.com").unwrap(), "https://github.com");
        assert_eq!(
            remote("https://ghe.example.com/").unwrap(),
            "https://ghe.example.com"
        );
        assert_eq!(
            remote("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(remote("https://[::1]:9/x").unwrap(), "https://[::1]:9");
        assert!(remote("ssh://github.com").is_err());
        assert!(remote("http://example.com").is_err());
        assert!(remote("https://evil.example\\@github.com").is_err());
        assert!(remote("evil.example\\@github.com").is_err());
        assert!(remote("github.com/org").is_err());
        assert!(remote("").is_err());
    }
}
