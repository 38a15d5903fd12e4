//! git's side: the credential protocol on the wire (`protocol`, with no I/O
//! beyond `Read`/`Write`), and the credential record a store keeps, with
//! git's rules for which records a request means (`record`), the
//! owner and repository named in git's `path` (`repository`), and what
//! `state[]` carries from a `get` to the `store` after it (`state`).

pub(crate) mod protocol;
pub(crate) mod record;
pub(crate) mod repository;
pub(crate) mod state;
