//! GitHub's replies, or a hostile server's: the token endpoint, the device
//! endpoint and `GET /user`.
#![no_main]

use git_credential_ghoauth::fuzzing::{read_device_reply, read_token_reply, read_user_reply};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let url = url::Url::parse("https://github.com/login/oauth/access_token").unwrap();
    let _ = read_token_reply(&url, bytes);
    if let Ok(code) = read_device_reply(&url, bytes) {
        assert!(code.interval >= 1 && code.expires_in >= 1);
        assert!(!code.verification_uri.chars().any(char::is_control));
    }
    let (body, header) = match bytes.iter().position(|&b| b == 0) {
        Some(at) => (&bytes[..at], String::from_utf8_lossy(&bytes[at + 1..])),
        None => (bytes, "repo".into()),
    };
    if let Ok(user) = read_user_reply(&url, body, &header) {
        assert!(!user.login.is_empty() && user.login.len() <= 255);
        assert!(
            !user
                .login
                .chars()
                .any(|c| c.is_control() || c.is_whitespace())
        );
        assert!(!user.scopes.chars().any(char::is_control));
    }
});
