//! git's credential protocol: whatever git (or anyone feeding git) sends.
#![no_main]

use git_credential_ghoauth::fuzzing::OAuthHost;
use git_credential_ghoauth::fuzzing::Credential;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(credential) = Credential::parse(bytes) else {
        return;
    };
    // What is answered must read back as the same answer.
    let mut written = Vec::new();
    credential.write_answer(&mut written).unwrap();
    let again = Credential::parse(&written).expect("an answer parses");
    assert_eq!(again.username, credential.username);
    if let (Some(protocol), Some(host)) = (&credential.protocol, &credential.host)
        && let Ok(host) = OAuthHost::parse(protocol, host)
    {
        // The one canonical name is a fixed point.
        let again = OAuthHost::parse(host.protocol().as_bytes(), host.host().as_bytes());
        assert_eq!(again.as_ref(), Ok(&host));
    }
});
