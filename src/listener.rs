//! The loopback listener that catches GitHub's redirect (RFC 8252 §7.3).
//!
//! It is bound before the browser opens and held until the one callback
//! arrives, so no other process can take the port in between. It answers
//! nothing but `GET <callback path>`; everything else (favicon requests,
//! port scanners) gets a 404 and is otherwise ignored.

use std::net::SocketAddr;
use std::time::Instant;

use url::Url;

use crate::secret::Secret;

pub struct Listener {
    server: tiny_http::Server,
    redirect_uri: String,
    path: String,
}

/// Why no code came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackError {
    /// The `state` did not match: the redirect was not the answer to our
    /// request (a forged or stale link). Nothing is exchanged.
    StateMismatch,
    /// GitHub redirected with `error=` (the user pressed Cancel, say).
    Refused {
        error: String,
        description: Option<String>,
    },
    /// A callback with neither a code nor an error.
    NoCode,
    TimedOut,
}

impl std::fmt::Display for CallbackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::github::printable;
        match self {
            CallbackError::StateMismatch => f.write_str(
                "the browser came back with a sign-in that this helper did not start \
                 (state mismatch); nothing was exchanged. Retry, and use only the newest link",
            ),
            CallbackError::Refused { error, description } if error == "access_denied" => write!(
                f,
                "sign-in was cancelled in the browser ({}); run the git command again and \
                 press Authorize",
                printable(description.as_deref().unwrap_or(error))
            ),
            CallbackError::Refused { error, description } => write!(
                f,
                "GitHub refused the sign-in: {} ({})",
                printable(description.as_deref().unwrap_or("no description")),
                printable(error)
            ),
            CallbackError::NoCode => f.write_str(
                "the browser came back without an authorization code; retry the git command",
            ),
            CallbackError::TimedOut => f.write_str("no sign-in came back from the browser in time"),
        }
    }
}

impl std::error::Error for CallbackError {}

/// A callback that carried a code. Its browser tab waits for the page
/// [`Callback::finish`] sends, so it can say how the sign-in ended.
pub struct Callback {
    pub code: Secret,
    request: tiny_http::Request,
}

impl Callback {
    pub fn finish(self, page: Page) {
        respond(self.request, page);
    }
}

/// The small HTML page the browser tab shows at the end.
#[derive(Debug, Clone)]
pub struct Page {
    pub succeeded: bool,
    pub message: String,
}

impl Listener {
    /// Binds 127.0.0.1 on a port the OS picks (redirect
    /// `http://127.0.0.1:<port>/callback`), or the address of a fixed
    /// redirect URI when one is configured.
    pub fn bind(fixed_redirect_uri: Option<&str>) -> Result<Listener, String> {
        let (address, path, fixed) = match fixed_redirect_uri {
            None => (
                "127.0.0.1:0".parse::<SocketAddr>().unwrap(),
                "/callback".to_string(),
                None,
            ),
            Some(uri) => {
                let (address, path) = loopback_address(uri)?;
                (address, path, Some(uri.to_string()))
            }
        };
        let server = tiny_http::Server::http(address).map_err(|error| {
            format!(
                "cannot listen on {address} for GitHub's redirect ({error}); \
                 free that port or choose another in credential.<url>.ghoauthRedirectUri"
            )
        })?;
        let port = server
            .server_addr()
            .to_ip()
            .map(|bound| bound.port())
            .unwrap_or(address.port());
        let redirect_uri = fixed.unwrap_or_else(|| format!("http://127.0.0.1:{port}{path}"));
        Ok(Listener {
            server,
            redirect_uri,
            path,
        })
    }

    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits until `deadline` for the one callback. A callback without the
    /// expected state, or with an error, gets its failure page here.
    pub fn wait(self, expected_state: &str, deadline: Instant) -> Result<Callback, CallbackError> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(CallbackError::TimedOut);
            }
            let request = match self.server.recv_timeout(left) {
                Ok(Some(request)) => request,
                Ok(None) => return Err(CallbackError::TimedOut),
                Err(_) => continue,
            };
            let Ok(url) = Url::parse("http://127.0.0.1").and_then(|base| base.join(request.url()))
            else {
                not_found(request);
                continue;
            };
            if *request.method() != tiny_http::Method::Get || url.path() != self.path {
                not_found(request);
                continue;
            }
            let mut code = None;
            let mut state = None;
            let mut error = None;
            let mut description = None;
            for (key, value) in url.query_pairs() {
                match key.as_ref() {
                    "code" => code = Some(Secret::new(value.as_bytes())),
                    "state" => state = Some(value.into_owned()),
                    "error" => error = Some(value.into_owned()),
                    "error_description" => description = Some(value.into_owned()),
                    _ => {}
                }
            }
            let failure = if state.as_deref() != Some(expected_state) {
                CallbackError::StateMismatch
            } else if let Some(error) = error {
                CallbackError::Refused { error, description }
            } else if let Some(code) = code.filter(|code| !code.expose().is_empty()) {
                return Ok(Callback { code, request });
            } else {
                CallbackError::NoCode
            };
            respond(
                request,
                Page {
                    succeeded: false,
                    message: failure.to_string(),
                },
            );
            return Err(failure);
        }
    }
}

/// Where to listen for a configured redirect URI: it must be plain http on
/// a loopback address, since the browser delivers the code to it.
fn loopback_address(uri: &str) -> Result<(SocketAddr, String), String> {
    let problem = |why: &str| {
        format!(
            "credential.<url>.ghoauthRedirectUri '{uri}' {why}; use one like \
             http://127.0.0.1:8000/callback"
        )
    };
    let url = Url::parse(uri).map_err(|_| problem("is not a URL"))?;
    if url.scheme() != "http" {
        return Err(problem("must start with http://"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(problem("must not have a query or fragment"));
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(ip)) if ip.is_loopback() => std::net::IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) if ip.is_loopback() => std::net::IpAddr::V6(ip),
        Some(url::Host::Domain("localhost")) => std::net::IpAddr::from([127, 0, 0, 1]),
        _ => return Err(problem("is not on a loopback address")),
    };
    let port = url.port_or_known_default().unwrap_or(80);
    Ok((SocketAddr::new(ip, port), url.path().to_string()))
}

fn not_found(request: tiny_http::Request) {
    let _ = request.respond(tiny_http::Response::from_string("Not found").with_status_code(404));
}

fn respond(request: tiny_http::Request, page: Page) {
    let html = render(&page);
    let content_type =
        tiny_http::Header::from_bytes("Content-Type", "text/html; charset=utf-8").unwrap();
    let status = if page.succeeded { 200 } else { 400 };
    let _ = request.respond(
        tiny_http::Response::from_string(html)
            .with_status_code(status)
            .with_header(content_type),
    );
}

fn render(page: &Page) -> String {
    let (title, colour) = if page.succeeded {
        ("Signed in", "#1a7f37")
    } else {
        ("Sign-in failed", "#cf222e")
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title} – git-credential-ghoauth</title></head>\
         <body style=\"font-family:system-ui,sans-serif;max-width:36em;margin:4em auto\">\
         <h1 style=\"color:{colour}\">{title}</h1><p>{}</p>\
         <p>You can close this tab and return to the terminal.</p></body></html>\n",
        escape_html(&page.message)
    )
}

fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;

    /// A browser's GET, returning the status line and the body.
    fn browse(redirect_uri: &str, path_and_query: &str) -> (String, String) {
        let url = Url::parse(redirect_uri).unwrap();
        let mut stream =
            TcpStream::connect((url.host_str().unwrap(), url.port().unwrap())).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET {path_and_query} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        let status = reply.lines().next().unwrap_or_default().to_string();
        let body = reply
            .split("\r\n\r\n")
            .nth(1)
            .unwrap_or_default()
            .to_string();
        (status, body)
    }

    fn deadline() -> Instant {
        Instant::now() + Duration::from_secs(10)
    }

    #[test]
    fn binds_an_os_assigned_loopback_port() {
        let listener = Listener::bind(None).unwrap();
        let uri = listener.redirect_uri().to_string();
        assert!(uri.starts_with("http://127.0.0.1:"), "{uri}");
        assert!(uri.ends_with("/callback"));
        assert_ne!(Url::parse(&uri).unwrap().port(), Some(0));
    }

    #[test]
    fn ignores_other_paths_and_takes_the_code() {
        let listener = Listener::bind(None).unwrap();
        let uri = listener.redirect_uri().to_string();
        let browser = std::thread::spawn(move || {
            let stray = browse(&uri, "/favicon.ico");
            let callback = browse(&uri, "/callback?code=abc123&state=s1");
            (stray, callback)
        });
        let callback = listener.wait("s1", deadline()).unwrap();
        assert_eq!(callback.code.expose(), b"abc123");
        callback.finish(Page {
            succeeded: true,
            message: "Signed in as <alice>".into(),
        });
        let (stray, (status, body)) = browser.join().unwrap();
        assert!(stray.0.contains("404"), "{stray:?}");
        assert!(status.contains("200"), "{status}");
        assert!(body.contains("Signed in as &lt;alice&gt;"), "{body}");
        assert!(body.contains("close this tab"));
    }

    #[test]
    fn a_foreign_state_is_refused_with_a_page() {
        let listener = Listener::bind(None).unwrap();
        let uri = listener.redirect_uri().to_string();
        let browser = std::thread::spawn(move || browse(&uri, "/callback?code=abc&state=forged"));
        let outcome = listener.wait("expected", deadline());
        assert_eq!(outcome.err(), Some(CallbackError::StateMismatch));
        let (status, body) = browser.join().unwrap();
        assert!(status.contains("400"), "{status}");
        assert!(body.contains("state mismatch"), "{body}");
    }

    #[test]
    fn only_one_callback_is_ever_taken() {
        let listener = Listener::bind(None).unwrap();
        let uri = listener.redirect_uri().to_string();
        let port = Url::parse(&uri).unwrap().port().unwrap();
        let browser = std::thread::spawn(move || browse(&uri, "/callback?code=abc&state=forged"));
        assert!(listener.wait("expected", deadline()).is_err());
        browser.join().unwrap();
        // The listener is gone with the first callback: a second one,
        // even with the right state, finds nobody listening.
        let deadline = deadline();
        while TcpStream::connect(("127.0.0.1", port)).is_ok() {
            assert!(Instant::now() < deadline, "the port stayed open");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn a_refusal_carries_githubs_words() {
        let listener = Listener::bind(None).unwrap();
        let uri = listener.redirect_uri().to_string();
        let browser = std::thread::spawn(move || {
            browse(
                &uri,
                "/callback?error=access_denied&error_description=The+user+has+denied&state=s",
            )
        });
        let error = listener.wait("s", deadline()).err().unwrap();
        browser.join().unwrap();
        assert!(matches!(&error, CallbackError::Refused { error, .. } if error == "access_denied"));
        assert!(error.to_string().contains("cancelled"), "{error}");
    }

    #[test]
    fn gives_up_at_the_deadline() {
        let listener = Listener::bind(None).unwrap();
        let started = Instant::now();
        let outcome = listener.wait("s", Instant::now() + Duration::from_millis(200));
        assert_eq!(outcome.err(), Some(CallbackError::TimedOut));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn fixed_redirect_uris_must_be_loopback_http() {
        assert_eq!(
            loopback_address("http://localhost:8000/callback").unwrap(),
            ("127.0.0.1:8000".parse().unwrap(), "/callback".to_string())
        );
        assert_eq!(
            loopback_address("http://[::1]:9/cb").unwrap(),
            ("[::1]:9".parse().unwrap(), "/cb".to_string())
        );
        for bad in [
            "https://127.0.0.1/callback",
            "http://example.com/callback",
            "http://127.0.0.1:8000/callback?x=1",
            "not a url",
        ] {
            let error = loopback_address(bad).unwrap_err();
            assert!(error.contains("ghoauthRedirectUri"), "{error}");
        }
    }

    #[test]
    fn a_fixed_redirect_uri_is_used_as_written() {
        // Port 0 lets the test run anywhere; the URI is still the one given.
        let listener = Listener::bind(Some("http://localhost:0/cb")).unwrap();
        assert_eq!(listener.redirect_uri(), "http://localhost:0/cb");
    }
}
