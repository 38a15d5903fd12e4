//! The fake behind its TLS front (an Enterprise Server with a private
//! CA), and behind a CONNECT proxy as github.com or as the GHE.com tenant
//! [`TENANT`], whose REST API lives on `api.` + its host, at the root.

use super::*;

/// The GHE.com tenant the fake plays (see
/// [`FakeGitHub::start_as_ghe_com_tenant`]); its API is on `api.` + this.
pub const TENANT: &str = "acme.ghe.com";

/// The hosts that serve the REST API at their root.
pub(super) fn is_api_host(host: &str) -> bool {
    host == "api.github.com" || host.strip_prefix("api.") == Some(TENANT)
}

impl FakeGitHub {
    /// The same fake behind HTTPS with a certificate from a test CA, as a
    /// GitHub Enterprise Server at `https://127.0.0.1:<port>`.
    pub fn start_https(repos: &Path, client_secret: &str, on_issue: fn(&str)) -> FakeGitHub {
        let mut fake = FakeGitHub::start(repos, client_secret, on_issue);
        let plain_port: u16 = fake.host.rsplit(':').next().unwrap().parse().unwrap();
        let front = tls::TlsFront::start(plain_port, repos);
        fake.host = format!("127.0.0.1:{}", front.port);
        fake.base_url = format!("https://127.0.0.1:{}", front.port);
        fake.ca_file = Some(front.ca_file.clone());
        fake.state.lock().unwrap().web_url = fake.base_url.clone();
        fake.tls = Some(front);
        fake
    }

    /// The fake as github.com itself: the OAuth pages and git at
    /// `https://github.com`, the REST API at `https://api.github.com` (no
    /// `/api/v3`), both reached through a CONNECT proxy on loopback with a
    /// certificate from the test CA. Point `HTTPS_PROXY` at `proxy_url`
    /// and trust `ca_file`.
    pub fn start_as_github_com(
        repos: &Path,
        client_secret: &str,
        on_issue: fn(&str),
    ) -> FakeGitHub {
        FakeGitHub::start_behind_proxy(
            repos,
            client_secret,
            on_issue,
            proxy::Plays::GitHubCom,
            "github.com",
        )
    }

    /// The fake as the GHE.com tenant [`TENANT`]: the OAuth pages and git
    /// at `https://acme.ghe.com`, the REST API at `https://api.acme.ghe.com`
    /// at its root, and any `/api/` path on the web host a 404; reached as
    /// [`FakeGitHub::start_as_github_com`] is.
    pub fn start_as_ghe_com_tenant(
        repos: &Path,
        client_secret: &str,
        on_issue: fn(&str),
    ) -> FakeGitHub {
        FakeGitHub::start_behind_proxy(
            repos,
            client_secret,
            on_issue,
            proxy::Plays::GheComTenant,
            TENANT,
        )
    }

    fn start_behind_proxy(
        repos: &Path,
        client_secret: &str,
        on_issue: fn(&str),
        plays: proxy::Plays,
        host: &str,
    ) -> FakeGitHub {
        let mut fake = FakeGitHub::start_https(repos, client_secret, on_issue);
        let proxy = proxy::ConnectProxy::start(fake.tls.as_ref().unwrap().port, plays);
        fake.proxy_url = Some(format!("http://127.0.0.1:{}", proxy.port));
        fake.proxy = Some(proxy);
        fake.host = host.into();
        fake.base_url = format!("https://{host}");
        fake.state.lock().unwrap().web_url = fake.base_url.clone();
        fake
    }

    /// Every CONNECT target the proxy was asked for.
    pub fn proxy_targets(&self) -> Vec<String> {
        self.proxy
            .as_ref()
            .map(|proxy| proxy.targets.lock().unwrap().clone())
            .unwrap_or_default()
    }
}
