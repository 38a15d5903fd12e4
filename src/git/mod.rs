//! git's side: the credential protocol on the wire (`protocol`, with no I/O
//! beyond `Read`/`Write`), and the credential record a store keeps, with
//! git's rules for which records a request means (`record`).

pub(crate) mod protocol;
pub(crate) mod record;
