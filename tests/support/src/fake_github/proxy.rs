//! An HTTPS proxy on loopback that answers `CONNECT github.com:443` and
//! `CONNECT api.github.com:443` (or a GHE.com tenant's two hosts, when the
//! fake plays one) by tunnelling to the fake's TLS port, as a corporate
//! proxy would tunnel to GitHub, and refuses every other target.
//! With it (`HTTPS_PROXY`) and the test CA (`SSL_CERT_FILE`), git, curl and
//! the helper reach "github.com" without leaving the machine. It stops with
//! its owner, or after the fake's lifetime.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::LIFETIME;

/// Every name the tunnel may lead to the fake for, with whose it is: a
/// proxy serves one of the two, and refuses the other's names.
pub const TUNNELLED: [(&str, Plays); 4] = [
    ("github.com:443", Plays::GitHubCom),
    ("api.github.com:443", Plays::GitHubCom),
    ("acme.ghe.com:443", Plays::GheComTenant),
    ("api.acme.ghe.com:443", Plays::GheComTenant),
];

/// Which GitHub the fake plays behind the proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plays {
    GitHubCom,
    GheComTenant,
}

pub struct ConnectProxy {
    pub port: u16,
    /// Every CONNECT target asked for, in order.
    pub targets: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ConnectProxy {
    pub fn start(tls_port: u16, plays: Plays) -> ConnectProxy {
        let listener = super::unused_loopback_port();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let targets = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (stop, targets) = (stop.clone(), targets.clone());
            std::thread::spawn(move || {
                let started = Instant::now();
                let mut tunnels = Vec::new();
                while !stop.load(Ordering::SeqCst) && started.elapsed() < LIFETIME {
                    match listener.accept() {
                        Ok((client, _)) => {
                            let (stop, targets) = (stop.clone(), targets.clone());
                            tunnels.push(std::thread::spawn(move || {
                                tunnel(client, tls_port, plays, &targets, &stop)
                            }));
                        }
                        Err(error) if error.kind() == ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(20))
                        }
                        Err(_) => break,
                    }
                }
                for tunnel in tunnels {
                    let _ = tunnel.join();
                }
            })
        };
        ConnectProxy {
            port,
            targets,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads the CONNECT head (at most 8 KiB, 10 s), then copies bytes both
/// ways until either side closes, the proxy stops, or a minute of silence.
fn tunnel(
    mut client: TcpStream,
    tls_port: u16,
    plays: Plays,
    targets: &Mutex<Vec<String>>,
    stop: &AtomicBool,
) {
    let _ = client.set_nonblocking(false);
    let _ = client.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let target = head
        .strip_prefix("CONNECT ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_default()
        .to_string();
    targets.lock().unwrap().push(target.clone());
    if !TUNNELLED.contains(&(target.as_str(), plays)) {
        let _ = client.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        return;
    }
    let Ok(backend) = TcpStream::connect(("127.0.0.1", tls_port)) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .is_err()
    {
        return;
    }
    let tick = Some(Duration::from_millis(20));
    let _ = client.set_read_timeout(tick);
    let _ = backend.set_read_timeout(tick);
    let mut buffer = vec![0u8; 64 * 1024];
    let mut last_traffic = Instant::now();
    while !stop.load(Ordering::SeqCst) && last_traffic.elapsed() < Duration::from_secs(60) {
        for (mut from, mut to) in [(&client, &backend), (&backend, &client)] {
            match from.read(&mut buffer) {
                Ok(0) => return,
                Ok(n) => {
                    if to.write_all(&buffer[..n]).is_err() {
                        return;
                    }
                    last_traffic = Instant::now();
                }
                Err(error)
                    if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(_) => return,
            }
        }
    }
}
