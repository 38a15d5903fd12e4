//! A request's head as the loopback listener reads it: any local process,
//! or a web page that guesses the port, can send one.
#![no_main]

use git_credential_ghoauth::fuzzing::{MAX_HEAD_BYTES, parse_head};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(head) = parse_head(bytes) {
        assert!(bytes.len() <= MAX_HEAD_BYTES);
        assert!(head.target.starts_with('/'));
    }
});
