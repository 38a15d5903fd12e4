//! git 2.46's `state[]`: a `get` answered by this helper may add
//! `state[]=ghoauth:…`, and git hands every `state[]` line back to every
//! helper on the `store` that follows a command that worked. Ours holds a
//! digest of what was answered, so that `store` knows, without a keyring
//! round trip, that it is handed back what it just gave (git's
//! osxkeychain does the same with `seen=`). Only a digest travels: git
//! shows `state[]` to every helper, and a digest of a credential tells
//! them nothing the credential git also sends them does not.

use crate::digest::hex_digest;
use crate::git::protocol::Credential;
use crate::secret::Secret;

const ANSWERED: &[u8] = b"ghoauth:answered=";

/// The `state[]` value for `answer`, given to `request`.
pub fn answered(request: &Credential, answer: &Credential) -> Vec<u8> {
    let handed = Credential {
        protocol: request.protocol.clone(),
        host: request.host.clone(),
        path: request.path.clone(),
        ..answer.clone()
    };
    let mut value = ANSWERED.to_vec();
    value.extend_from_slice(digest(&handed).as_bytes());
    value
}

/// Whether a `store` request hands back exactly what this helper answered
/// the `get` before it.
pub fn hands_back_our_answer(request: &Credential) -> bool {
    let expected = digest(request);
    request
        .state
        .iter()
        .filter_map(|value| value.strip_prefix(ANSWERED))
        .any(|seen| seen == expected.as_bytes())
}

/// Of every field git sends back on `store`, each after a byte that says
/// whether git sent it: an empty value is a value.
fn digest(credential: &Credential) -> String {
    let expiry = credential
        .password_expiry_utc
        .map(|seconds| seconds.to_string().into_bytes());
    let secret = |field: &Option<Secret>| field.as_ref().map(|secret| secret.expose().to_vec());
    let fields = [
        credential.protocol.clone(),
        credential.host.clone(),
        credential.path.clone(),
        credential.username.clone(),
        secret(&credential.password),
        credential.authtype.clone(),
        secret(&credential.credential),
        expiry,
        secret(&credential.oauth_refresh_token),
    ];
    let mut parts: Vec<&[u8]> = vec![b"git-credential-ghoauth answered v1"];
    for field in &fields {
        match field {
            None => parts.push(b"absent"),
            Some(bytes) => parts.extend([&b"sent"[..], bytes.as_slice()]),
        }
    }
    hex_digest(&parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Credential {
        Credential::parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn a_store_of_what_was_answered_is_known_and_anything_else_is_not() {
        let request = parse("capability[]=state\nprotocol=https\nhost=h\npath=o/r\n");
        let answer = parse("username=u\npassword=gho_token\npassword_expiry_utc=2000000000\n");
        let state = String::from_utf8(answered(&request, &answer)).unwrap();
        assert!(state.starts_with("ghoauth:answered="), "{state}");
        assert!(!state.contains("gho_token"));
        let handed_back = |fields: &str| {
            parse(&format!(
                "capability[]=state\nprotocol=https\nhost=h\npath=o/r\n{fields}state[]={state}\n"
            ))
        };
        let same = "username=u\npassword=gho_token\npassword_expiry_utc=2000000000\n";
        assert!(hands_back_our_answer(&handed_back(same)));
        for different in [
            "username=u\npassword=gho_other\npassword_expiry_utc=2000000000\n",
            "username=v\npassword=gho_token\npassword_expiry_utc=2000000000\n",
            "username=u\npassword=gho_token\n",
            "username=u\npassword=gho_token\npassword_expiry_utc=2000000000\noauth_refresh_token=r\n",
            "usernam=u\npassword=gho_token\npassword_expiry_utc=2000000000\n",
        ] {
            assert!(
                !hands_back_our_answer(&handed_back(different)),
                "{different}"
            );
        }
        let elsewhere = parse(&format!(
            "protocol=https\nhost=other\npath=o/r\n{same}state[]={state}\n"
        ));
        assert!(!hands_back_our_answer(&elsewhere));
        assert!(!hands_back_our_answer(&parse(&format!(
            "protocol=https\nhost=h\npath=o/r\n{same}"
        ))));
    }

    #[test]
    fn bytes_cannot_move_between_fields() {
        let request = parse("protocol=https\nhost=h\n");
        let one = answered(&request, &parse("username=ab\npassword=c\n"));
        let two = answered(&request, &parse("username=a\npassword=bc\n"));
        assert_ne!(one, two);
    }
}
