//! Which certificate authorities the helper's requests trust. git's
//! `http.sslCAInfo` when set; else the system's (what reqwest's verifier
//! reads: `SSL_CERT_FILE`, `SSL_CERT_DIR`, the distribution's bundle);
//! and, where the system has none at all (a `FROM scratch` or distroless
//! container running the static binary), Mozilla's, built in, rather than
//! failing every request with "No CA certificates were loaded". A private
//! CA is then still a setting away, and `doctor` says which set is in use.

/// The set of roots a client is built with, when no `http.sslCAInfo` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// Only Linux's static builds can find a system with none.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub enum Roots {
    System,
    /// Mozilla's, compiled in: the system has none.
    BuiltIn,
}

impl Roots {
    /// Asks the system, as reqwest's verifier will: reads its bundle, so
    /// only where a request is certain.
    pub fn in_use() -> Roots {
        #[cfg(target_os = "linux")]
        {
            if rustls_native_certs::load_native_certs().certs.is_empty() {
                return Roots::BuiltIn;
            }
        }
        Roots::System
    }

    /// For people: what `doctor` prints, and what an error adds.
    pub fn describe(self) -> &'static str {
        match self {
            Roots::System => "the system's",
            Roots::BuiltIn => {
                "Mozilla's, built in: this system has none (install ca-certificates, or set \
                 SSL_CERT_FILE)"
            }
        }
    }
}

/// Mozilla's roots, as certificates reqwest takes.
#[cfg(target_os = "linux")]
pub fn built_in() -> Vec<reqwest::Certificate> {
    webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .filter_map(|der| reqwest::Certificate::from_der(der).ok())
        .collect()
}

#[cfg(not(target_os = "linux"))]
pub fn built_in() -> Vec<reqwest::Certificate> {
    Vec::new()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn mozillas_roots_are_all_taken() {
        let roots = built_in();
        assert!(roots.len() > 100, "{}", roots.len());
        assert_eq!(roots.len(), webpki_root_certs::TLS_SERVER_ROOT_CERTS.len());
    }
}
