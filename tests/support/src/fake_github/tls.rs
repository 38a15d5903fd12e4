//! HTTPS in front of the fake, as a GitHub Enterprise Server has it: a test
//! CA (written as PEM for `SSL_CERT_FILE` and `http.sslCAInfo`), a server
//! certificate for 127.0.0.1 signed by it, and a TLS terminator that pipes
//! each connection to the fake's plain port. It stops with its owner, or
//! after the fake's lifetime.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa, KeyPair,
    SanType,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use super::LIFETIME;

pub struct TlsFront {
    pub port: u16,
    /// The test CA, PEM.
    pub ca_file: PathBuf,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TlsFront {
    pub fn start(backend_port: u16, dir: &Path) -> TlsFront {
        // Distinct names: with rcgen's default name on both, the server's
        // certificate would look self-signed to GnuTLS.
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.distinguished_name = DistinguishedName::new();
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "git-credential-ghoauth test CA");
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
        let server_key = KeyPair::generate().unwrap();
        let mut server_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        server_params.distinguished_name = DistinguishedName::new();
        server_params
            .distinguished_name
            .push(DnType::CommonName, "127.0.0.1");
        // github.com and a GHE.com tenant too, web and API hosts, for the
        // fake that plays them behind a CONNECT proxy (see proxy.rs).
        server_params.subject_alt_names = vec![SanType::IpAddress([127, 0, 0, 1].into())];
        for (name, _) in super::proxy::TUNNELLED {
            let name = name.strip_suffix(":443").unwrap();
            server_params
                .subject_alt_names
                .push(SanType::DnsName(name.try_into().unwrap()));
        }
        let server_cert = server_params.signed_by(&server_key, &ca).unwrap();
        let ca_file = dir.join("test-ca.pem");
        std::fs::write(&ca_file, ca.pem()).unwrap();

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![server_cert.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
            )
            .unwrap();
        let config = Arc::new(config);

        let listener = super::unused_loopback_port();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let started = Instant::now();
                let mut pipes = Vec::new();
                while !stop.load(Ordering::SeqCst) && started.elapsed() < LIFETIME {
                    match listener.accept() {
                        Ok((client, _)) => {
                            let (config, stop) = (config.clone(), stop.clone());
                            pipes.push(std::thread::spawn(move || {
                                pipe(client, backend_port, config, &stop)
                            }));
                        }
                        Err(error) if error.kind() == ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(20))
                        }
                        Err(_) => break,
                    }
                }
                for pipe in pipes {
                    let _ = pipe.join();
                }
            })
        };
        TlsFront {
            port,
            ca_file,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Copies bytes both ways until either side closes, the fake stops, or the
/// connection has been idle for a minute.
fn pipe(
    client: TcpStream,
    backend_port: u16,
    config: Arc<rustls::ServerConfig>,
    stop: &AtomicBool,
) {
    let tick = Some(Duration::from_millis(20));
    let (Ok(()), Ok(mut backend)) = (
        client.set_nonblocking(false),
        TcpStream::connect(("127.0.0.1", backend_port)),
    ) else {
        return;
    };
    let _ = client.set_read_timeout(tick);
    let _ = backend.set_read_timeout(tick);
    let connection = rustls::ServerConnection::new(config).unwrap();
    let mut tls = rustls::StreamOwned::new(connection, client);
    let mut buffer = vec![0u8; 64 * 1024];
    let mut last_traffic = Instant::now();
    while !stop.load(Ordering::SeqCst) && last_traffic.elapsed() < Duration::from_secs(60) {
        match tls.read(&mut buffer) {
            Ok(0) => return,
            Ok(n) => {
                if backend.write_all(&buffer[..n]).is_err() {
                    return;
                }
                last_traffic = Instant::now();
            }
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return,
        }
        match backend.read(&mut buffer) {
            Ok(0) => {
                tls.conn.send_close_notify();
                let _ = tls.flush();
                return;
            }
            Ok(n) => {
                if tls
                    .write_all(&buffer[..n])
                    .and_then(|()| tls.flush())
                    .is_err()
                {
                    return;
                }
                last_traffic = Instant::now();
            }
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return,
        }
    }
}
