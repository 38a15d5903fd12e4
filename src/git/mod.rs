//! git's side: the credential protocol on the wire (`protocol`, with no I/O
//! beyond `Read`/`Write`), and the credential record a store keeps, with
//! git's rules for which records a request means (`record`), and the
//! owner and repository named in git's `path` (`repository`).

pub(crate) mod protocol;
pub(crate) mod record;
pub(crate) mod repository;
