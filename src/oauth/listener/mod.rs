//! The loopback listener that catches GitHub's redirect (RFC 8252 §7.3).
//!
//! It is bound before the browser opens and held until the one callback
//! arrives, so no other process can take the port in between. Any local
//! process, or a web page that guesses the port, can talk to it, so it
//! outlasts junk: a request that does not name the listener in its `Host`
//! header, a callback without the right `state`, a head over 16 KiB or a
//! connection that stalls is answered (or dropped) and the listener keeps
//! waiting for the real callback until the deadline. Only a callback with
//! the right state ends the wait, `error=access_denied` included.
//!
//! The browser is opened on `/start`, which answers once with a redirect to
//! GitHub's consent page, so that neither the state nor the PKCE challenge
//! appears on any process's command line. A second fetch of `/start` means
//! someone else has seen the state: the sign-in stops.
//!
//! Written on std's `TcpListener` rather than a server crate: tiny_http
//! reads a header line without limit (one 400 MiB line took a helper to
//! 412 MB), and what is needed here is one small, bounded request reader.

use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use subtle::ConstantTimeEq;
use url::Url;

use crate::report::printable;
use crate::secret::Secret;

mod head;
mod pages;

#[cfg(fuzzing)]
pub use head::MAX_HEAD_BYTES;
use head::{HeadError, read_head};
pub use head::{RequestHead, parse_head};
pub use pages::Page;
use pages::{respond, respond_failure, respond_page};

/// A browser sends its request as soon as it connects: the whole head must
/// arrive within this, however it is sliced (a client sending one byte every
/// few seconds must not hold a slot for ever).
pub(super) const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections being read at once; more are closed on arrival, so junk
/// costs at most this many threads and buffers.
const MAX_OPEN_CONNECTIONS: usize = 16;
/// How often the listening sockets are checked for new connections: a
/// browser does not notice 20 ms, and std has no portable way to wait on
/// two sockets and a channel at once.
const ACCEPT_POLL: Duration = Duration::from_millis(20);

pub struct Listener {
    sockets: Vec<TcpListener>,
    redirect_uri: String,
    start_uri: String,
    path: String,
    /// The `Host` header values that name this listener.
    authorities: Vec<String>,
    /// Requests read whole, waiting to be answered. They live as long as
    /// the listener, not one wait, so that a browser's connection stays
    /// open until whoever holds the listener has had the last word.
    arrivals: mpsc::Receiver<Arrival>,
    arrived: mpsc::Sender<Arrival>,
    open: Arc<AtomicUsize>,
}

/// Why no code came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackError {
    /// GitHub redirected with `error=` and the right state (the user
    /// pressed Cancel, say).
    Refused {
        error: String,
        description: Option<String>,
    },
    /// A callback with the right state but neither a code nor an error.
    NoCode,
    /// `/start` was fetched a second time: whoever fetched it first has
    /// seen the state, so this sign-in cannot be trusted.
    StartedTwice,
    /// The deadline passed. `ignored` callbacks came meanwhile with
    /// another sign-in's state (a stale link, or a forged one).
    TimedOut { ignored: usize },
    /// Given up for a reason found meanwhile (GitHub does not know the
    /// app, say), in a sentence that says what to do.
    Abandoned(String),
}

impl std::fmt::Display for CallbackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
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
            CallbackError::StartedTwice => f.write_str(
                "the sign-in link on the loopback port was opened twice, so another program may \
                 have seen this sign-in's state; nothing was exchanged. Run the git command again",
            ),
            CallbackError::TimedOut { ignored: 0 } => {
                f.write_str("no sign-in came back from the browser in time")
            }
            CallbackError::TimedOut { ignored } => write!(
                f,
                "no sign-in came back from the browser in time; {}",
                ignored_callbacks(*ignored)
            ),
            CallbackError::Abandoned(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for CallbackError {}

/// What the terminal says of callbacks that carried another sign-in's
/// state: the browser tab said so already, the terminal must too.
pub fn ignored_callbacks(count: usize) -> String {
    let (callbacks, were) = match count {
        1 => ("a callback", "was"),
        _ => ("callbacks", "were"),
    };
    format!(
        "{callbacks} from another sign-in (a stale or forged link) came and {were} ignored: \
         only the newest sign-in link works"
    )
}

/// A callback that carried a code. Its browser tab waits for the page
/// [`Callback::finish`] sends, so it can say how the sign-in ended.
pub struct Callback {
    /// The value the wait was for: GitHub's `code`, say.
    pub code: Secret,
    stream: TcpStream,
}

/// The callback a wait is for: the parameter that carries its value, and
/// the state it must carry.
#[derive(Debug, Clone, Copy)]
pub struct Awaited<'a> {
    pub key: &'static str,
    pub state: &'a str,
    pub rule: StateRule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateRule {
    /// GitHub documents that it sends the state back: a callback without
    /// the right one is ignored (OAuth's redirect).
    Required,
    /// GitHub does not promise to send it back (the app's setup URL): a
    /// wrong state is ignored, a missing one accepted, and what the callback
    /// says is only a hint, to be confirmed with GitHub.
    IfPresent,
}

/// What `/start` gives the browser: a redirect (to GitHub's consent page),
/// or a page of its own (one that posts a form to GitHub).
#[derive(Debug, Clone, Copy)]
pub enum Start<'a> {
    RedirectTo(&'a str),
    Page(&'a str),
}

impl Callback {
    pub fn finish(self, page: Page) {
        respond_page(self.stream, &page);
    }
}

/// A request that was read whole, with the connection to answer on.
struct Arrival {
    head: RequestHead,
    stream: TcpStream,
    _slot: Slot,
}

/// One of the [`MAX_OPEN_CONNECTIONS`]; given back when dropped.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What one request did to the wait.
enum Outcome {
    KeepWaiting,
    /// A callback with another sign-in's state: ignored, and counted.
    Ignored,
    Done(Result<Callback, CallbackError>),
}

impl Listener {
    /// Binds 127.0.0.1 on a port the OS picks (redirect
    /// `http://127.0.0.1:<port>/callback`), or the address of a fixed
    /// redirect URI when one is configured. `localhost` is bound on both
    /// 127.0.0.1 and [::1], so that no other user can take the address the
    /// browser may try first.
    pub fn bind(fixed_redirect_uri: Option<&str>) -> Result<Listener, CannotListen> {
        let Some(uri) = fixed_redirect_uri else {
            let socket = bind_one(SocketAddr::new(Ipv4Addr::LOCALHOST.into(), 0), None)?;
            let port = socket.local_addr().map_err(CannotListen::Socket)?.port();
            let authority = format!("127.0.0.1:{port}");
            return Listener::new(vec![socket], "http", authority, "/callback".into(), None);
        };
        let fixed = FixedRedirect::parse(uri)?;
        let first = bind_one(SocketAddr::new(fixed.ip, fixed.port), Some(uri))?;
        let port = first.local_addr().map_err(CannotListen::Socket)?.port();
        let mut sockets = vec![first];
        if fixed.localhost {
            let v6 = SocketAddr::new(Ipv6Addr::LOCALHOST.into(), port);
            match TcpListener::bind(v6) {
                Ok(socket) => sockets.push(socket),
                // No IPv6 here: nobody can take [::1], so nothing to guard.
                Err(error)
                    if matches!(
                        error.kind(),
                        ErrorKind::AddrNotAvailable | ErrorKind::Unsupported
                    ) => {}
                Err(error) => {
                    return Err(CannotListen::Ipv6Taken {
                        address: v6,
                        uri: printable(uri),
                        port,
                        path: fixed.path,
                        error,
                    });
                }
            }
        }
        let (authority, also) = fixed.authorities(port);
        let mut listener = Listener::new(sockets, "http", authority, fixed.path, also)?;
        listener.redirect_uri = uri.to_string();
        Ok(listener)
    }

    /// The first of `candidates` whose port is free (a GitHub App's
    /// registered callbacks, tried in order), or any free port on
    /// 127.0.0.1 when there are none.
    pub fn bind_first_free(candidates: &[String]) -> Result<Listener, CannotListen> {
        let mut taken = None;
        for uri in candidates {
            match Listener::bind(Some(uri)) {
                Err(error @ (CannotListen::Bind { .. } | CannotListen::Ipv6Taken { .. })) => {
                    taken = Some(error)
                }
                other => return other,
            }
        }
        match taken {
            None => Listener::bind(None),
            Some(error) => Err(error),
        }
    }

    fn new(
        sockets: Vec<TcpListener>,
        scheme: &str,
        authority: String,
        path: String,
        also: Option<String>,
    ) -> Result<Listener, CannotListen> {
        for socket in &sockets {
            socket.set_nonblocking(true).map_err(CannotListen::Socket)?;
        }
        let (arrived, arrivals) = mpsc::channel();
        Ok(Listener {
            arrivals,
            arrived,
            open: Arc::new(AtomicUsize::new(0)),
            redirect_uri: format!("{scheme}://{authority}{path}"),
            start_uri: format!("{scheme}://{authority}/start"),
            sockets,
            path,
            authorities: std::iter::once(authority).chain(also).collect(),
        })
    }

    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// What to open in the browser: a loopback address that redirects once
    /// to `consent` (see the module comment).
    pub fn start_uri(&self) -> &str {
        &self.start_uri
    }

    /// Waits until `deadline` for the callback carrying `expected_state`,
    /// sending `/start` to `consent` once on the way.
    #[cfg(test)]
    pub fn wait(
        &self,
        expected_state: &str,
        consent: &str,
        deadline: Instant,
    ) -> Result<Callback, CallbackError> {
        let (_never, abandon) = mpsc::channel();
        self.wait_unless(expected_state, consent, deadline, &abandon)
    }

    /// [`Listener::wait`], ended early by whatever reason `abandon` sends.
    pub fn wait_unless(
        &self,
        expected_state: &str,
        consent: &str,
        deadline: Instant,
        abandon: &mpsc::Receiver<CallbackError>,
    ) -> Result<Callback, CallbackError> {
        let awaited = Awaited {
            key: "code",
            state: expected_state,
            rule: StateRule::Required,
        };
        self.wait_until(awaited, Start::RedirectTo(consent), deadline, abandon)
    }

    /// Waits until `deadline` for the callback `awaited` describes,
    /// answering `/start` with `start` once.
    pub fn wait_for(
        &self,
        awaited: Awaited<'_>,
        start: Start<'_>,
        deadline: Instant,
    ) -> Result<Callback, CallbackError> {
        let (_never, abandon) = mpsc::channel();
        self.wait_until(awaited, start, deadline, &abandon)
    }

    fn wait_until(
        &self,
        awaited: Awaited<'_>,
        start: Start<'_>,
        deadline: Instant,
        abandon: &mpsc::Receiver<CallbackError>,
    ) -> Result<Callback, CallbackError> {
        // Left from an earlier wait (a second `/start`, say): not this one's.
        while self.arrivals.try_recv().is_ok() {}
        let mut started = false;
        let mut ignored = 0;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(CallbackError::TimedOut { ignored });
            }
            if let Ok(reason) = abandon.try_recv() {
                return Err(reason);
            }
            self.accept_waiting();
            let Ok(arrival) = self.arrivals.recv_timeout(left.min(ACCEPT_POLL)) else {
                continue;
            };
            match self.answer(arrival, awaited, start, &mut started) {
                Outcome::KeepWaiting => {}
                Outcome::Ignored => ignored += 1,
                Outcome::Done(result) => return result,
            }
        }
    }

    /// Hands every connection waiting on the sockets to a reader thread of
    /// its own, bounded in time and bytes, or closes it when too many are
    /// being read already.
    fn accept_waiting(&self) {
        for socket in &self.sockets {
            while let Ok((stream, _)) = socket.accept() {
                if self.open.fetch_add(1, Ordering::SeqCst) >= MAX_OPEN_CONNECTIONS {
                    self.open.fetch_sub(1, Ordering::SeqCst);
                    continue;
                }
                let slot = Slot(Arc::clone(&self.open));
                let sender = self.arrived.clone();
                let spawned = std::thread::Builder::new()
                    .name("callback".into())
                    .spawn(move || read_arrival(stream, slot, &sender));
                drop(spawned);
            }
        }
    }

    fn answer(
        &self,
        arrival: Arrival,
        awaited: Awaited<'_>,
        start: Start<'_>,
        started: &mut bool,
    ) -> Outcome {
        let Arrival { head, stream, .. } = arrival;
        let names_us = head.host.as_deref().is_some_and(|host| {
            self.authorities
                .iter()
                .any(|ours| ours.eq_ignore_ascii_case(host))
        });
        if !names_us {
            respond(
                stream,
                400,
                "text/plain",
                &[],
                "This is not the address you asked for.\n",
            );
            return Outcome::KeepWaiting;
        }
        let Ok(url) =
            Url::parse("http://listener.invalid").and_then(|base| base.join(&head.target))
        else {
            respond(stream, 400, "text/plain", &[], "Bad request\n");
            return Outcome::KeepWaiting;
        };
        if head.method != "GET" || (url.path() != self.path && url.path() != "/start") {
            respond(stream, 404, "text/plain", &[], "Not found\n");
            return Outcome::KeepWaiting;
        }
        if url.path() == "/start" && url.path() != self.path {
            return start_once(stream, start, started);
        }
        answer_callback(stream, &url, awaited)
    }
}

/// `/start` sends the browser on to the consent page, once: a second
/// fetch means someone else has the link, and ends the sign-in.
fn start_once(stream: TcpStream, start: Start<'_>, started: &mut bool) -> Outcome {
    if std::mem::replace(started, true) {
        let failure = CallbackError::StartedTwice;
        respond_failure(stream, &failure);
        return Outcome::Done(Err(failure));
    }
    match start {
        Start::RedirectTo(consent) => respond(
            stream,
            302,
            "text/plain",
            &[("Location", consent)],
            "Redirecting to GitHub\n",
        ),
        Start::Page(html) => respond(stream, 200, "text/html; charset=utf-8", &[], html),
    }
    Outcome::KeepWaiting
}

/// GitHub's redirect, or something posing as it: only one that carries
/// this sign-in's state ends the wait.
fn answer_callback(stream: TcpStream, url: &Url, awaited: Awaited<'_>) -> Outcome {
    let Awaited { key, rule, .. } = awaited;
    let mut code = None;
    let mut state = None;
    let mut error = None;
    let mut description = None;
    for (name, value) in url.query_pairs() {
        match name.as_ref() {
            name if name == key => code = Some(Secret::new(value.as_bytes())),
            "state" => state = Some(value.into_owned()),
            "error" => error = Some(value.into_owned()),
            "error_description" => description = Some(value.into_owned()),
            _ => {}
        }
    }
    let trusted = match (state, rule) {
        (Some(state), _) => same_state(&state, awaited.state),
        // Only a hint, checked with GitHub afterwards.
        (None, StateRule::IfPresent) => code.is_some(),
        (None, StateRule::Required) => false,
    };
    if !trusted {
        // Forged, stale or junk: the real callback may still come.
        respond_page(
            stream,
            &Page {
                succeeded: false,
                message: "This sign-in was not started by this helper (state mismatch), so \
                          it was ignored. Use only the newest sign-in link."
                    .into(),
            },
        );
        return Outcome::Ignored;
    }
    let failure = if let Some(error) = error {
        CallbackError::Refused { error, description }
    } else if let Some(code) = code.filter(|code| !code.expose().is_empty()) {
        return Outcome::Done(Ok(Callback { code, stream }));
    } else {
        CallbackError::NoCode
    };
    respond_failure(stream, &failure);
    Outcome::Done(Err(failure))
}

/// Compared in constant time, so that the time an answer takes tells a
/// guesser nothing about how much of the state it got right.
fn same_state(received: &str, expected: &str) -> bool {
    received.as_bytes().ct_eq(expected.as_bytes()).into()
}

fn bind_one(address: SocketAddr, fixed: Option<&str>) -> Result<TcpListener, CannotListen> {
    TcpListener::bind(address).map_err(|error| CannotListen::Bind {
        address,
        fixed: fixed.is_some(),
        error,
    })
}

/// Why there is no port for GitHub's redirect to come back to.
#[derive(Debug)]
pub enum CannotListen {
    /// `ghoauthRedirectUri` is no loopback http URL the helper can serve.
    BadRedirectUri {
        uri: String,
        why: &'static str,
    },
    Bind {
        address: SocketAddr,
        fixed: bool,
        error: std::io::Error,
    },
    /// `localhost` was asked for, and someone else holds [::1] on its port.
    Ipv6Taken {
        address: SocketAddr,
        uri: String,
        port: u16,
        path: String,
        error: std::io::Error,
    },
    Socket(std::io::Error),
}

impl std::fmt::Display for CannotListen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CannotListen::BadRedirectUri { uri, why } => write!(
                f,
                "credential.<url>.ghoauthRedirectUri '{uri}' {why}; use one like \
                 http://127.0.0.1:8000/callback"
            ),
            CannotListen::Bind {
                address,
                fixed: false,
                error,
            } => write!(
                f,
                "cannot listen on {address} for GitHub's redirect ({error})"
            ),
            CannotListen::Bind { address, error, .. } => write!(
                f,
                "cannot listen on {address} for GitHub's redirect ({error}); free that port or \
                 choose another in credential.<url>.ghoauthRedirectUri"
            ),
            CannotListen::Ipv6Taken {
                address,
                uri,
                port,
                path,
                error,
            } => write!(
                f,
                "cannot listen on {address} for GitHub's redirect to {uri} ({error}), and a \
                 browser may go there instead of 127.0.0.1; free that port, or set \
                 credential.<url>.ghoauthRedirectUri to http://127.0.0.1:{port}{path}"
            ),
            CannotListen::Socket(error) => {
                write!(f, "cannot listen for GitHub's redirect: {error}")
            }
        }
    }
}

impl std::error::Error for CannotListen {}

/// Reads one request head on its own thread, so that a client that sends
/// slowly or too much holds up nobody. Junk is answered here and never
/// reaches the wait.
fn read_arrival(mut stream: TcpStream, slot: Slot, sender: &mpsc::Sender<Arrival>) {
    let prepared = stream.set_nonblocking(false).is_ok()
        && stream.set_write_timeout(Some(READ_TIMEOUT)).is_ok();
    if !prepared {
        return;
    }
    let head = match read_head(&mut stream, Instant::now() + READ_TIMEOUT) {
        Ok(head) => head,
        Err(HeadError::TooLarge) => {
            respond(stream, 431, "text/plain", &[], "Request header too large\n");
            return;
        }
        Err(HeadError::Incomplete) => return,
    };
    match parse_head(&head) {
        Ok(head) => {
            let _ = sender.send(Arrival {
                head,
                stream,
                _slot: slot,
            });
        }
        Err(_) => respond(stream, 400, "text/plain", &[], "Bad request\n"),
    }
}

/// Where to listen for a configured redirect URI: it must be plain http on
/// a loopback address, since the browser delivers the code to it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FixedRedirect {
    ip: IpAddr,
    /// `localhost`: [::1] must be bound too.
    localhost: bool,
    /// As the browser will write it in `Host`.
    host: String,
    port: u16,
    path: String,
}

impl FixedRedirect {
    /// What a browser writes in `Host` for this redirect, bound on `port`:
    /// `host:port`, and also the bare host on http's default port 80.
    fn authorities(&self, port: u16) -> (String, Option<String>) {
        let bare = (port == 80).then(|| self.host.clone());
        (format!("{}:{port}", self.host), bare)
    }

    fn parse(uri: &str) -> Result<FixedRedirect, CannotListen> {
        let bad = |why: &'static str| CannotListen::BadRedirectUri {
            uri: printable(uri),
            why,
        };
        let url = Url::parse(uri).map_err(|_| bad("is not a URL"))?;
        if url.scheme() != "http" {
            return Err(bad("must start with http://"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("must not have a query or fragment"));
        }
        if url.path() == "/start" {
            return Err(bad("must not use the path /start, which the helper needs"));
        }
        let (ip, localhost) = match url.host() {
            Some(url::Host::Ipv4(ip)) if ip.is_loopback() => (IpAddr::V4(ip), false),
            Some(url::Host::Ipv6(ip)) if ip.is_loopback() => (IpAddr::V6(ip), false),
            Some(url::Host::Domain("localhost")) => (IpAddr::V4(Ipv4Addr::LOCALHOST), true),
            _ => return Err(bad("is not on a loopback address")),
        };
        Ok(FixedRedirect {
            ip,
            localhost,
            host: url.host_str().unwrap_or_default().to_string(),
            port: url.port_or_known_default().unwrap_or(80),
            path: url.path().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;

    const CONSENT: &str = "https://github.example/login/oauth/authorize?state=s1";

    /// A browser's GET with the `Host` a browser would send, returning the
    /// status line, the headers and the body.
    fn browse(uri: &str, path_and_query: &str) -> (String, String) {
        let url = Url::parse(uri).unwrap();
        let host = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
        send(
            uri,
            &format!("GET {path_and_query} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        )
    }

    fn send(uri: &str, request: &str) -> (String, String) {
        let url = Url::parse(uri).unwrap();
        let mut stream =
            TcpStream::connect((url.host_str().unwrap(), url.port().unwrap())).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut reply = String::new();
        let _ = stream.read_to_string(&mut reply);
        let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((&reply, ""));
        (head.to_string(), body.to_string())
    }

    fn deadline() -> Instant {
        Instant::now() + Duration::from_secs(10)
    }

    /// Runs `visits` in a browser thread while the listener waits; a
    /// callback is answered with a success page, and its code returned.
    fn wait_while<T: Send + 'static>(
        listener: Listener,
        state: &str,
        visits: impl FnOnce(String) -> T + Send + 'static,
    ) -> (Result<Secret, CallbackError>, T) {
        let uri = listener.redirect_uri().to_string();
        let browser = std::thread::spawn(move || visits(uri));
        let outcome = listener.wait(state, CONSENT, deadline()).map(|callback| {
            let code = callback.code.clone();
            callback.finish(Page {
                succeeded: true,
                message: "Signed in as <alice>".into(),
            });
            code
        });
        (outcome, browser.join().unwrap())
    }

    #[test]
    fn binds_an_os_assigned_loopback_port() {
        let listener = Listener::bind(None).unwrap();
        let uri = listener.redirect_uri().to_string();
        assert!(uri.starts_with("http://127.0.0.1:"), "{uri}");
        assert!(uri.ends_with("/callback"));
        assert_ne!(Url::parse(&uri).unwrap().port(), Some(0));
        assert_eq!(listener.start_uri(), uri.replace("/callback", "/start"));
    }

    #[test]
    fn ignores_other_paths_and_takes_the_code() {
        let (outcome, (stray, (head, body))) =
            wait_while(Listener::bind(None).unwrap(), "s1", |uri| {
                let stray = browse(&uri, "/favicon.ico");
                (stray, browse(&uri, "/callback?code=abc123&state=s1"))
            });
        assert_eq!(outcome.unwrap().expose(), b"abc123");
        assert!(stray.0.contains("404"), "{stray:?}");
        assert!(head.contains("200"), "{head}");
        assert!(body.contains("Signed in as &lt;alice&gt;"), "{body}");
        assert!(body.contains("close this tab"));
    }

    #[test]
    fn forged_callbacks_get_400_and_the_real_one_still_signs_in() {
        let (outcome, forged) = wait_while(Listener::bind(None).unwrap(), "expected", |uri| {
            let forged = [
                browse(&uri, "/callback?code=abc"),
                browse(&uri, "/callback?code=abc&state=forged"),
                browse(&uri, "/callback?code=abc&state=expecte"),
                browse(&uri, "/callback?error=access_denied"),
                browse(&uri, "/callback?error=access_denied&state=wrong"),
            ];
            browse(&uri, "/callback?code=real&state=expected");
            forged
        });
        assert_eq!(outcome.unwrap().expose(), b"real");
        for (head, body) in forged {
            assert!(head.starts_with("HTTP/1.1 400"), "{head}");
            assert!(body.contains("state mismatch"), "{body}");
        }
    }

    #[test]
    fn a_request_that_does_not_name_the_listener_changes_nothing() {
        let (outcome, refused) = wait_while(Listener::bind(None).unwrap(), "s", |uri| {
            let port = Url::parse(&uri).unwrap().port().unwrap();
            let refused = [
                send(
                    &uri,
                    "GET /callback?code=c&state=s HTTP/1.1\r\nHost: evil.example\r\n\r\n",
                ),
                send(
                    &uri,
                    &format!(
                        "GET /callback?code=c&state=s HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n"
                    ),
                ),
                send(&uri, "GET /callback?code=c&state=s HTTP/1.1\r\n\r\n"),
                send(
                    &uri,
                    &format!("GET /start HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: x\r\n\r\n"),
                ),
            ];
            browse(&uri, "/callback?code=real&state=s");
            refused
        });
        assert_eq!(outcome.unwrap().expose(), b"real");
        for (head, _) in refused {
            assert!(head.starts_with("HTTP/1.1 400"), "{head}");
        }
    }

    #[test]
    fn start_redirects_to_the_consent_page_once() {
        let (outcome, (first, second)) = wait_while(Listener::bind(None).unwrap(), "s", |uri| {
            (browse(&uri, "/start"), browse(&uri, "/start"))
        });
        assert!(first.0.starts_with("HTTP/1.1 302"), "{first:?}");
        assert!(
            first.0.contains(&format!("Location: {CONSENT}")),
            "{first:?}"
        );
        assert!(second.0.starts_with("HTTP/1.1 400"), "{second:?}");
        assert!(second.1.contains("opened twice"), "{second:?}");
        assert_eq!(outcome.err(), Some(CallbackError::StartedTwice));
    }

    #[test]
    fn a_huge_head_is_cut_off_and_the_real_callback_still_signs_in() {
        let (outcome, head) = wait_while(Listener::bind(None).unwrap(), "s", |uri| {
            let url = Url::parse(&uri).unwrap();
            let mut junk = TcpStream::connect(("127.0.0.1", url.port().unwrap())).unwrap();
            junk.set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let _ = junk.write_all(b"GET /callback HTTP/1.1\r\nX-Junk: ");
            let line = vec![b'a'; 1 << 16];
            // The listener stops reading after 16 KiB; the rest is refused.
            for _ in 0..64 {
                if junk.write_all(&line).is_err() {
                    break;
                }
            }
            let mut reply = Vec::new();
            let _ = junk.read_to_end(&mut reply);
            browse(&uri, "/callback?code=real&state=s");
            String::from_utf8_lossy(&reply).into_owned()
        });
        assert_eq!(outcome.unwrap().expose(), b"real");
        assert!(
            head.is_empty() || head.starts_with("HTTP/1.1 431"),
            "{head}"
        );
    }

    #[test]
    fn stalled_connections_hold_nobody_up_and_are_capped() {
        let started = Instant::now();
        let (outcome, over_the_cap) = wait_while(Listener::bind(None).unwrap(), "s", |uri| {
            let port = Url::parse(&uri).unwrap().port().unwrap();
            let stall = || {
                let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                let _ = stream.write_all(b"GET /callback?code=x&state=s HTTP/1.1\r\n");
                stream
            };
            let mut stalled: Vec<TcpStream> = (0..MAX_OPEN_CONNECTIONS).map(|_| stall()).collect();
            // One more than the cap is closed on arrival, unread.
            let mut extra = stall();
            let mut byte = [0u8; 1];
            let over_the_cap = extra.read(&mut byte);
            // A slot comes free when its client gives up; the real callback
            // then gets through while the others still stall.
            drop(stalled.pop());
            for _ in 0..100 {
                if !browse(&uri, "/callback?code=real&state=s").0.is_empty() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            drop(stalled);
            over_the_cap.map(|read| read == 0).unwrap_or(true)
        });
        assert_eq!(outcome.unwrap().expose(), b"real");
        assert!(over_the_cap, "a connection over the cap was read");
        assert!(
            started.elapsed() < READ_TIMEOUT,
            "the real callback waited for the stalled ones"
        );
    }

    #[test]
    fn a_head_sent_a_byte_at_a_time_gets_one_deadline_not_one_per_read() {
        let socket = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = socket.local_addr().unwrap();
        let trickler = std::thread::spawn(move || {
            let mut client = TcpStream::connect(address).unwrap();
            // Each byte well inside any per-read timeout; all 39 take 2 s.
            for byte in b"GET /callback?code=x&state=y HTTP/1.1\r\n" {
                if client.write_all(&[*byte]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        let (mut stream, _) = socket.accept().unwrap();
        let started = Instant::now();
        let read = read_head(&mut stream, started + Duration::from_millis(300));
        assert!(matches!(read, Err(HeadError::Incomplete)));
        let took = started.elapsed();
        assert!(
            took < Duration::from_millis(900),
            "the trickle held the slot for {took:?}"
        );
        drop(stream);
        trickler.join().unwrap();
    }

    #[test]
    fn a_refusal_with_the_right_state_ends_the_wait() {
        let (outcome, _) = wait_while(Listener::bind(None).unwrap(), "s", |uri| {
            browse(
                &uri,
                "/callback?error=access_denied&error_description=The+user+has+denied&state=s",
            )
        });
        let error = outcome.err().unwrap();
        assert!(matches!(&error, CallbackError::Refused { error, .. } if error == "access_denied"));
        assert!(error.to_string().contains("cancelled"), "{error}");
    }

    #[test]
    fn the_port_closes_once_the_wait_is_over() {
        let listener = Listener::bind(None).unwrap();
        let port = Url::parse(listener.redirect_uri()).unwrap().port().unwrap();
        let (outcome, _) = wait_while(listener, "s", |uri| {
            browse(&uri, "/callback?code=c&state=s")
        });
        assert!(outcome.is_ok());
        assert!(
            TcpStream::connect(("127.0.0.1", port)).is_err(),
            "the port stayed open"
        );
    }

    #[test]
    fn gives_up_at_the_deadline() {
        let listener = Listener::bind(None).unwrap();
        let started = Instant::now();
        let outcome = listener.wait("s", CONSENT, Instant::now() + Duration::from_millis(200));
        assert_eq!(outcome.err(), Some(CallbackError::TimedOut { ignored: 0 }));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn states_compare_whole() {
        assert!(same_state("abc", "abc"));
        assert!(!same_state("abc", "abd"));
        assert!(!same_state("ab", "abc"));
        assert!(!same_state("abcd", "abc"));
        assert!(!same_state("", "abc"));
    }

    #[test]
    fn heads_are_parsed_strictly() {
        let head = parse_head(b"GET /callback?x=1 HTTP/1.1\r\nhOsT:  127.0.0.1:5 \r\nA: b\r\n\r\n")
            .unwrap();
        assert_eq!(head.method, "GET");
        assert_eq!(head.target, "/callback?x=1");
        assert_eq!(head.host.as_deref(), Some("127.0.0.1:5"));
        for bad in [
            &b"GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"[..],
            b"GET http://evil/x HTTP/1.1\r\n\r\n",
            b"GET /x\r\n\r\n",
            b"GET  /x HTTP/1.1\r\n\r\n",
            b"GET /x SPDY/3\r\n\r\n",
            b"GET /x HTTP/1.1\r\nno colon\r\n\r\n",
            b"GET /\xff HTTP/1.1\r\n\r\n",
        ] {
            assert!(
                parse_head(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn fixed_redirect_uris_must_be_loopback_http() {
        let fixed = FixedRedirect::parse("http://localhost:8000/callback").unwrap();
        assert_eq!(
            (fixed.ip, fixed.port, fixed.localhost),
            (IpAddr::V4(Ipv4Addr::LOCALHOST), 8000, true)
        );
        assert_eq!(fixed.path, "/callback");
        let v6 = FixedRedirect::parse("http://[::1]:9/cb").unwrap();
        assert_eq!(
            (v6.ip, v6.port, v6.host.as_str()),
            (IpAddr::V6(Ipv6Addr::LOCALHOST), 9, "[::1]")
        );
        for bad in [
            "https://127.0.0.1/callback",
            "http://example.com/callback",
            "http://localhost:80@evil.com/callback",
            "http://127.0.0.1:8000/callback?x=1",
            "http://127.0.0.1:8000/start",
            "not a url",
        ] {
            let error = FixedRedirect::parse(bad).err().unwrap().to_string();
            assert!(error.contains("ghoauthRedirectUri"), "{error}");
        }
    }

    #[test]
    fn a_fixed_redirect_is_named_as_a_browser_names_it() {
        let fixed = FixedRedirect::parse("http://localhost/callback").unwrap();
        assert_eq!(
            fixed.authorities(80),
            ("localhost:80".into(), Some("localhost".into()))
        );
        let fixed = FixedRedirect::parse("http://[::1]:8000/cb").unwrap();
        assert_eq!(fixed.authorities(8000), ("[::1]:8000".into(), None));
    }

    #[test]
    fn a_long_but_honest_head_is_read_whole() {
        let cookie = "c".repeat(12 * 1024);
        let (outcome, (head, _)) = wait_while(Listener::bind(None).unwrap(), "s", move |uri| {
            let port = Url::parse(&uri).unwrap().port().unwrap();
            send(
                &uri,
                &format!(
                    "GET /callback?code=real&state=s HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n\r\n"
                ),
            )
        });
        assert_eq!(outcome.unwrap().expose(), b"real");
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    }

    #[test]
    fn only_access_denied_reads_as_a_cancel() {
        let other = CallbackError::Refused {
            error: "server_error".into(),
            description: Some("Try later".into()),
        };
        let said = other.to_string();
        assert!(
            said.starts_with("GitHub refused the sign-in: Try later (server_error)"),
            "{said}"
        );
        assert!(!said.contains("cancelled"), "{said}");
    }

    #[test]
    fn a_fixed_localhost_redirect_holds_both_loopback_addresses() {
        // Port 0 lets the test run anywhere; the URI is still the one given.
        let listener = Listener::bind(Some("http://localhost:0/cb")).unwrap();
        assert_eq!(listener.redirect_uri(), "http://localhost:0/cb");
        let port = listener.sockets[0].local_addr().unwrap().port();
        match TcpListener::bind(("::1", port)) {
            Ok(_) => panic!("[::1]:{port} was left for anyone to take"),
            Err(error) => assert!(
                matches!(
                    error.kind(),
                    ErrorKind::AddrInUse | ErrorKind::AddrNotAvailable
                ),
                "{error}"
            ),
        }
    }

    #[test]
    fn a_fixed_localhost_redirect_is_refused_when_another_holds_ipv6() {
        let squatter = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = squatter.local_addr().unwrap().port();
        drop(squatter);
        let Ok(_v6_squatter) = TcpListener::bind(("::1", port)) else {
            return; // No IPv6 here: nothing to take.
        };
        let error = Listener::bind(Some(&format!("http://localhost:{port}/cb")))
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("[::1]"), "{error}");
    }
}
