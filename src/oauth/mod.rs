//! Signing in to GitHub, reached only when the store has nothing to give.
//!
//! `sign_in` runs the browser flow (with the loopback `listener` and the
//! `browser` launcher) or the device flow; `github` makes the requests
//! (endpoints per host, code exchange, `/user`, refresh, revocation, the
//! app-manifest calls); `revoke` kills the tokens this helper obtained
//! when they leave the store; `roots` picks the certificate authorities
//! its requests trust.

pub(crate) mod browser;
pub(crate) mod github;
pub(crate) mod listener;
pub(crate) mod revoke;
pub(crate) mod roots;
pub(crate) mod sign_in;
