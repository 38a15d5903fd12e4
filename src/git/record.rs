//! What one keyring entry holds, and git's rules for which entries a request
//! means. The rules are those of git's own storage helpers (credential-store,
//! credential-cache, libsecret), because users expect a helper to behave
//! like them.

use crate::git::protocol::Credential;
use crate::secret::Secret;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCredential {
    pub protocol: Vec<u8>,
    pub host: Vec<u8>,
    /// Present only when git sent one (credential.useHttpPath).
    pub path: Option<Vec<u8>>,
    pub username: Vec<u8>,
    pub password: Secret,
    pub password_expiry_utc: Option<u64>,
    pub oauth_refresh_token: Option<Secret>,
    /// Nanoseconds since the Unix epoch; "most recently stored" wins a get
    /// that names no user.
    pub stored_at: u128,
    /// Set when this helper obtained the token itself from GitHub.
    pub oauth: Option<OAuthDetails>,
    /// Set for what git 2.46 stores with `capability[]=authtype`: then
    /// `password` holds git's `credential`, which git sends as
    /// `Authorization: <authtype> <credential>`.
    pub authtype: Option<AuthType>,
}

/// An `authtype` credential's scheme, and whether git gave it a user name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthType {
    /// `Bearer`, say.
    pub scheme: Vec<u8>,
    /// git sent no `username`, which differs from an empty one: such a
    /// credential answers only requests that name no user.
    pub without_username: bool,
}

/// What this helper knows of a token it obtained: which app it belongs to
/// (revocation and refresh need that app's credentials), what it may do,
/// and until when its refresh token works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthDetails {
    pub client_id: String,
    pub scopes: String,
    /// Unix seconds; GitHub Apps' refresh tokens last about six months.
    pub refresh_token_expiry_utc: Option<u64>,
}

/// An expiring token is renewed this long before it expires, so that git
/// never starts a long push with a token about to die. No cached answer
/// outlives this point either.
pub const RENEW_BEFORE_EXPIRY_SECONDS: u64 = 5 * 60;

/// Whether a token this helper obtained can still be handed to git.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Hand it out: it never expires, or not soon, or it is not ours to renew.
    Fresh,
    /// Expiring soon (or expired) with a refresh token that still works.
    Renewable,
    /// Expired, and nothing can renew it: only a new sign-in helps.
    Dead,
}

/// Why a `store` request leads to nothing being stored. None of these is an
/// error: git sends such requests and expects silence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotStored {
    Incomplete,
    Ephemeral,
    AlreadyExpired,
}

impl StoredCredential {
    pub fn from_store_request(
        request: &Credential,
        now_unix_seconds: u64,
        stored_at: u128,
    ) -> Result<StoredCredential, NotStored> {
        if let Some(stored) = StoredCredential::authtype_from_store_request(request, stored_at) {
            return stored.and_then(|stored| stored.unless_expired(now_unix_seconds));
        }
        let (Some(protocol), Some(host), Some(username), Some(password)) = (
            &request.protocol,
            &request.host,
            &request.username,
            &request.password,
        ) else {
            return Err(NotStored::Incomplete);
        };
        if request.ephemeral {
            return Err(NotStored::Ephemeral);
        }
        if request
            .password_expiry_utc
            .is_some_and(|expiry| expiry <= now_unix_seconds)
        {
            return Err(NotStored::AlreadyExpired);
        }
        Ok(StoredCredential {
            protocol: protocol.clone(),
            host: host.clone(),
            path: request.path.clone(),
            username: username.clone(),
            password: password.clone(),
            password_expiry_utc: request.password_expiry_utc,
            oauth_refresh_token: request.oauth_refresh_token.clone(),
            stored_at,
            oauth: None,
            authtype: None,
        })
    }

    /// An `authtype` and `credential`, which git sends only to a helper
    /// that advertised the capability (and git 2.46 sends with every
    /// request); `None` when the request holds none.
    fn authtype_from_store_request(
        request: &Credential,
        stored_at: u128,
    ) -> Option<Result<StoredCredential, NotStored>> {
        let (Some(scheme), Some(secret)) = (&request.authtype, &request.credential) else {
            return None;
        };
        if !request.has_capability(b"authtype") {
            return None;
        }
        let (Some(protocol), Some(host)) = (&request.protocol, &request.host) else {
            return Some(Err(NotStored::Incomplete));
        };
        if request.ephemeral {
            return Some(Err(NotStored::Ephemeral));
        }
        Some(Ok(StoredCredential {
            protocol: protocol.clone(),
            host: host.clone(),
            path: request.path.clone(),
            username: request.username.clone().unwrap_or_default(),
            password: secret.clone(),
            password_expiry_utc: request.password_expiry_utc,
            oauth_refresh_token: None,
            stored_at,
            oauth: None,
            authtype: Some(AuthType {
                scheme: scheme.clone(),
                without_username: request.username.is_none(),
            }),
        }))
    }

    fn unless_expired(self, now_unix_seconds: u64) -> Result<StoredCredential, NotStored> {
        match self.password_expiry_utc {
            Some(expiry) if expiry <= now_unix_seconds => Err(NotStored::AlreadyExpired),
            _ => Ok(self),
        }
    }

    /// The user name git gave, if any: `None` only for an `authtype`
    /// credential stored without one.
    pub fn username_if_any(&self) -> Option<&[u8]> {
        match &self.authtype {
            Some(authtype) if authtype.without_username => None,
            _ => Some(&self.username),
        }
    }

    /// git's credential_match: every field the request carries must equal
    /// the stored one; a field it leaves out matches anything. An empty
    /// string is a value, not an absence.
    ///
    /// One exception: a token this helper obtained without a path is good
    /// for the whole host, so with `credential.useHttpPath` every repository
    /// uses it instead of asking the user to sign in once per repository.
    pub fn is_matched_by(&self, request: &Credential) -> bool {
        fn agrees(wanted: &Option<Vec<u8>>, have: Option<&[u8]>) -> bool {
            match wanted {
                None => true,
                Some(wanted) => have == Some(wanted.as_slice()),
            }
        }
        agrees(&request.protocol, Some(&self.protocol))
            && agrees(&request.host, Some(&self.host))
            && (agrees(&request.path, self.path.as_deref()) || self.is_host_wide_token())
            && agrees(&request.username, self.username_if_any())
            // An authtype credential is only for a git that can use one.
            && (self.authtype.is_none() || request.has_capability(b"authtype"))
    }

    fn is_host_wide_token(&self) -> bool {
        self.oauth.is_some() && self.path.is_none()
    }

    /// Credentials git stored are handed back as they are, expired or not,
    /// as git's own helpers do: git drops an expired one itself. Only tokens
    /// this helper obtained are renewed. One that is about to expire but
    /// cannot be renewed is still handed out while it works.
    pub fn freshness(&self, now_unix_seconds: u64) -> Freshness {
        let (Some(oauth), Some(expiry)) = (&self.oauth, self.password_expiry_utc) else {
            return Freshness::Fresh;
        };
        if expiry > now_unix_seconds + RENEW_BEFORE_EXPIRY_SECONDS {
            return Freshness::Fresh;
        }
        let renewable = self.oauth_refresh_token.is_some()
            && oauth
                .refresh_token_expiry_utc
                .is_none_or(|until| until > now_unix_seconds);
        match (renewable, expiry > now_unix_seconds) {
            (true, _) => Freshness::Renewable,
            (false, true) => Freshness::Fresh,
            (false, false) => Freshness::Dead,
        }
    }

    /// What `get` prints for this entry. The refresh token of a token this
    /// helper obtained stays in the keyring: it lives for months, and a copy
    /// in another helper would go stale at the next rotation.
    pub fn answer(&self) -> Credential {
        if let Some(authtype) = &self.authtype {
            return Credential {
                capability: vec![b"authtype".to_vec()],
                authtype: Some(authtype.scheme.clone()),
                credential: Some(self.password.clone()),
                username: self.username_if_any().map(<[u8]>::to_vec),
                password_expiry_utc: self.password_expiry_utc,
                ..Credential::default()
            };
        }
        Credential {
            username: Some(self.username.clone()),
            password: Some(self.password.clone()),
            password_expiry_utc: self.password_expiry_utc,
            oauth_refresh_token: match self.oauth {
                Some(_) => None,
                None => self.oauth_refresh_token.clone(),
            },
            ..Credential::default()
        }
    }
}

/// The entry a `get` answers with: among the matches, the newest.
pub fn pick_for_get<'a>(
    request: &Credential,
    candidates: &'a [StoredCredential],
) -> Option<&'a StoredCredential> {
    candidates
        .iter()
        .filter(|stored| stored.is_matched_by(request))
        .max_by_key(|stored| stored.stored_at)
}

/// The entries an `erase` removes. When git sends the password that failed,
/// only entries holding that very password go: a token that another process
/// refreshed in the meantime must survive the erase of its predecessor.
pub fn pick_for_erase<'a>(
    request: &Credential,
    candidates: &'a [StoredCredential],
) -> Vec<&'a StoredCredential> {
    candidates
        .iter()
        .filter(|stored| stored.is_matched_by(request))
        .filter(
            |stored| match request.password.as_ref().or(request.credential.as_ref()) {
                None => true,
                Some(secret) => &stored.password == secret,
            },
        )
        .collect()
}

/// True when a `store` hands back a token this helper obtained and still
/// holds: git sends back every credential that worked, and rewriting the
/// keyring on every push would cost a write and throw away what only the
/// keyring knows (the token's app and scopes). Other credentials are
/// rewritten as git's own helpers do, which makes them the newest.
pub fn already_holds(request: &Credential, candidates: &[StoredCredential]) -> bool {
    let (Some(username), Some(password)) = (&request.username, &request.password) else {
        return false;
    };
    candidates.iter().any(|stored| {
        stored.oauth.is_some()
            && stored.is_matched_by(request)
            && &stored.username == username
            && &stored.password == password
            && (stored.path == request.path || stored.is_host_wide_token())
            && request
                .password_expiry_utc
                .is_none_or(|expiry| stored.password_expiry_utc == Some(expiry))
            && request
                .oauth_refresh_token
                .as_ref()
                .is_none_or(|token| stored.oauth_refresh_token.as_ref() == Some(token))
    })
}

/// True when git hands back an expiring token of ours that has been renewed
/// since: a git that started with the old token can finish after another
/// process renewed it, and storing the old token then would throw away the
/// new pair, refresh token and all. Renewal only ever moves expiry later.
pub fn is_superseded(request: &Credential, candidates: &[StoredCredential]) -> bool {
    let (Some(username), Some(expiry)) = (&request.username, request.password_expiry_utc) else {
        return false;
    };
    candidates.iter().any(|stored| {
        stored.oauth.is_some()
            && stored.is_matched_by(request)
            && &stored.username == username
            && stored.password_expiry_utc.is_some_and(|held| held > expiry)
    })
}

/// git's storage helpers refuse an erase that would match across servers.
pub fn erase_is_too_broad(request: &Credential) -> bool {
    request.protocol.is_none() && request.host.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::stored;

    fn obtained(host: &str, user: &str, token: &str) -> StoredCredential {
        StoredCredential {
            oauth: Some(OAuthDetails {
                client_id: "app".into(),
                scopes: "repo".into(),
                refresh_token_expiry_utc: None,
            }),
            ..stored(host, None, user, token, 1)
        }
    }

    #[test]
    fn a_token_that_expires_this_second_is_dead_one_that_expires_next_is_not() {
        let now = 1_000_000;
        let mut token = obtained("h", "u", "ghu_1");
        token.password_expiry_utc = Some(now);
        assert_eq!(token.freshness(now), Freshness::Dead);
        token.password_expiry_utc = Some(now + 1);
        assert_eq!(token.freshness(now), Freshness::Fresh);
    }

    fn parse(text: &str) -> Credential {
        Credential::parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn an_authtype_credential_is_kept_only_for_a_git_that_can_use_it() {
        let bearer =
            "capability[]=authtype\nauthtype=Bearer\ncredential=tok\nprotocol=https\nhost=h\n";
        let kept = StoredCredential::from_store_request(&parse(bearer), 10, 1).unwrap();
        assert_eq!(kept.username_if_any(), None);
        assert_eq!(kept.password.expose(), b"tok");
        let ephemeral = parse(&format!("{bearer}ephemeral=1\n"));
        assert_eq!(
            StoredCredential::from_store_request(&ephemeral, 10, 1),
            Err(NotStored::Ephemeral)
        );
        let expired = parse(&format!("{bearer}password_expiry_utc=5\n"));
        assert_eq!(
            StoredCredential::from_store_request(&expired, 10, 1),
            Err(NotStored::AlreadyExpired)
        );
        // Without the capability git would not have sent it: nothing to keep.
        let unadvertised = parse("authtype=Bearer\ncredential=tok\nprotocol=https\nhost=h\n");
        assert_eq!(
            StoredCredential::from_store_request(&unadvertised, 10, 1),
            Err(NotStored::Incomplete)
        );

        let capable = parse("capability[]=authtype\nprotocol=https\nhost=h\n");
        assert!(kept.is_matched_by(&capable));
        assert!(!kept.is_matched_by(&parse("protocol=https\nhost=h\n")));
        assert!(!kept.is_matched_by(&parse(
            "capability[]=authtype\nprotocol=https\nhost=h\nusername=\n"
        )));
        let answer = kept.answer();
        let mut written = Vec::new();
        answer.write_answer(&mut written).unwrap();
        assert_eq!(
            written,
            b"capability[]=authtype\nauthtype=Bearer\ncredential=tok\n"
        );
        let erase = parse(
            "capability[]=authtype\nauthtype=Bearer\ncredential=old\nprotocol=https\nhost=h\n",
        );
        assert!(pick_for_erase(&erase, std::slice::from_ref(&kept)).is_empty());

        // With a user name and an expiry, both are kept and answered.
        let named = parse(&format!("{bearer}username=u\npassword_expiry_utc=20\n"));
        let named = StoredCredential::from_store_request(&named, 10, 1).unwrap();
        assert_eq!(named.username_if_any(), Some(&b"u"[..]));
        let answer = named.answer();
        assert_eq!(answer.username.as_deref(), Some(&b"u"[..]));
        assert_eq!(answer.password_expiry_utc, Some(20));
    }

    #[test]
    fn an_answer_carries_the_user_and_the_password() {
        let answer = stored("h", None, "alice", "pw", 1).answer();
        assert_eq!(answer.username.as_deref(), Some(&b"alice"[..]));
        assert_eq!(
            answer.password.as_ref().map(Secret::expose),
            Some(&b"pw"[..])
        );
        assert_eq!(
            (answer.protocol, answer.host, answer.path),
            (None, None, None)
        );
    }

    #[test]
    fn a_token_kept_for_one_path_is_not_held_for_a_request_without_it() {
        let mut token = obtained("h", "u", "gho_1");
        token.path = Some(b"org/a.git".to_vec());
        let back = request("protocol=https\nhost=h\nusername=u\npassword=gho_1\n");
        assert!(!already_holds(&back, &[token.clone()]));
        let same_path =
            request("protocol=https\nhost=h\npath=org/a.git\nusername=u\npassword=gho_1\n");
        assert!(already_holds(&same_path, &[token]));
    }

    #[test]
    fn a_token_handed_back_with_another_refresh_token_is_not_held() {
        let mut token = obtained("h", "u", "ghu_1");
        token.oauth_refresh_token = Some(Secret::new("ghr_1"));
        let with = |refresh: &str| {
            request(&format!(
                "protocol=https\nhost=h\nusername=u\npassword=ghu_1\noauth_refresh_token={refresh}\n"
            ))
        };
        assert!(already_holds(&with("ghr_1"), std::slice::from_ref(&token)));
        assert!(!already_holds(&with("ghr_2"), &[token]));
    }

    #[test]
    fn a_token_handed_back_with_the_same_expiry_is_not_superseded() {
        let mut token = obtained("h", "u", "ghu_1");
        token.password_expiry_utc = Some(2_000);
        let back = |expiry: u64| {
            request(&format!(
                "protocol=https\nhost=h\nusername=u\npassword=ghu_0\npassword_expiry_utc={expiry}\n"
            ))
        };
        assert!(!is_superseded(&back(2_000), std::slice::from_ref(&token)));
        assert!(is_superseded(&back(1_999), &[token]));
    }

    #[test]
    fn the_renewal_window_is_five_minutes() {
        // The README and the cache both promise five minutes: pinned here as
        // a number, not as the constant.
        assert_eq!(RENEW_BEFORE_EXPIRY_SECONDS, 300);
    }

    #[test]
    fn only_obtained_expiring_tokens_are_renewed() {
        let now = 1_000_000;
        let plain = StoredCredential {
            password_expiry_utc: Some(now - 1),
            oauth_refresh_token: Some(Secret::new("r")),
            ..stored("h", None, "u", "p", 1)
        };
        assert_eq!(plain.freshness(now), Freshness::Fresh, "git's to judge");
        let never_expires = obtained("h", "u", "gho_1");
        assert_eq!(never_expires.freshness(now), Freshness::Fresh);

        let expiring = |expiry: u64, refresh: Option<&str>, refresh_until: Option<u64>| {
            let mut token = obtained("h", "u", "ghu_1");
            token.password_expiry_utc = Some(expiry);
            token.oauth_refresh_token = refresh.map(Secret::new);
            token.oauth.as_mut().unwrap().refresh_token_expiry_utc = refresh_until;
            token
        };
        let margin = RENEW_BEFORE_EXPIRY_SECONDS;
        assert_eq!(
            expiring(now + margin + 1, Some("r"), None).freshness(now),
            Freshness::Fresh
        );
        assert_eq!(
            expiring(now + margin, Some("r"), None).freshness(now),
            Freshness::Renewable
        );
        assert_eq!(
            expiring(now - 10, Some("r"), Some(now + 1)).freshness(now),
            Freshness::Renewable
        );
        assert_eq!(
            expiring(now - 10, Some("r"), Some(now)).freshness(now),
            Freshness::Dead
        );
        assert_eq!(
            expiring(now - 10, None, None).freshness(now),
            Freshness::Dead
        );
        assert_eq!(
            expiring(now + 60, None, None).freshness(now),
            Freshness::Fresh,
            "works a little longer, and nothing could renew it"
        );
    }

    #[test]
    fn an_obtained_refresh_token_is_never_printed() {
        let mut token = obtained("h", "u", "ghu_1");
        token.oauth_refresh_token = Some(Secret::new("r"));
        token.password_expiry_utc = Some(5);
        let answer = token.answer();
        assert_eq!(answer.oauth_refresh_token, None);
        assert_eq!(answer.password_expiry_utc, Some(5));
        let plain = StoredCredential {
            oauth_refresh_token: Some(Secret::new("r")),
            ..stored("h", None, "u", "p", 1)
        };
        assert_eq!(plain.answer().oauth_refresh_token, Some(Secret::new("r")));
    }

    fn request(text: &str) -> Credential {
        Credential::parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn get_without_user_takes_the_newest_for_the_host() {
        let all = [
            stored("h", None, "alice", "a", 1),
            stored("h", None, "bob", "b", 2),
            stored("other", None, "carol", "c", 3),
        ];
        let got = pick_for_get(&request("protocol=https\nhost=h\n"), &all).unwrap();
        assert_eq!(got.username, b"bob");
        let alice =
            pick_for_get(&request("protocol=https\nhost=h\nusername=alice\n"), &all).unwrap();
        assert_eq!(alice.password.expose(), b"a");
    }

    #[test]
    fn path_counts_only_when_requested() {
        let all = [stored("h", Some("org/a.git"), "u", "pa", 1)];
        assert!(pick_for_get(&request("protocol=https\nhost=h\n"), &all).is_some());
        assert!(pick_for_get(&request("protocol=https\nhost=h\npath=org/a.git\n"), &all).is_some());
        assert!(pick_for_get(&request("protocol=https\nhost=h\npath=org/b.git\n"), &all).is_none());
        let no_path = [stored("h", None, "u", "p", 1)];
        assert!(
            pick_for_get(
                &request("protocol=https\nhost=h\npath=org/a.git\n"),
                &no_path
            )
            .is_none()
        );
    }

    #[test]
    fn an_obtained_token_serves_every_path_on_its_host() {
        let all = [obtained("h", "alice", "gho_1")];
        let request = request("protocol=https\nhost=h\npath=org/a.git\n");
        assert_eq!(pick_for_get(&request, &all).unwrap().username, b"alice");
        assert_eq!(pick_for_erase(&request, &all).len(), 1);
    }

    #[test]
    fn store_of_what_is_held_writes_nothing() {
        let all = [
            obtained("h", "alice", "gho_1"),
            stored("h", Some("p"), "bob", "pw", 2),
        ];
        let same = request("protocol=https\nhost=h\nusername=alice\npassword=gho_1\n");
        assert!(already_holds(&same, &all));
        let with_path =
            request("protocol=https\nhost=h\npath=org/a.git\nusername=alice\npassword=gho_1\n");
        assert!(already_holds(&with_path, &all));
        let other_token = request("protocol=https\nhost=h\nusername=alice\npassword=gho_2\n");
        assert!(!already_holds(&other_token, &all));
        let new_expiry = request(
            "protocol=https\nhost=h\nusername=alice\npassword=gho_1\npassword_expiry_utc=5\n",
        );
        assert!(!already_holds(&new_expiry, &all));
        // Plain credentials are rewritten, as git's helpers do: that makes
        // a re-stored one the newest.
        let bob_again = request("protocol=https\nhost=h\npath=p\nusername=bob\npassword=pw\n");
        assert!(!already_holds(&bob_again, &all));
    }

    #[test]
    fn an_old_token_handed_back_after_renewal_is_not_stored() {
        let mut renewed = obtained("h", "alice", "ghu_new");
        renewed.password_expiry_utc = Some(2_000);
        let all = [renewed];
        let old = request(
            "protocol=https\nhost=h\nusername=alice\npassword=ghu_old\npassword_expiry_utc=1000\n",
        );
        assert!(is_superseded(&old, &all));
        let later = request(
            "protocol=https\nhost=h\nusername=alice\npassword=ghu_x\npassword_expiry_utc=3000\n",
        );
        assert!(!is_superseded(&later, &all));
        let typed_by_hand = request("protocol=https\nhost=h\nusername=alice\npassword=pat\n");
        assert!(!is_superseded(&typed_by_hand, &all));
        let other_user = request(
            "protocol=https\nhost=h\nusername=bob\npassword=ghu_old\npassword_expiry_utc=1000\n",
        );
        assert!(!is_superseded(&other_user, &all));
    }

    #[test]
    fn empty_username_is_a_value() {
        let all = [stored("h", None, "", "", 1)];
        assert!(pick_for_get(&request("protocol=https\nhost=h\nusername=\n"), &all).is_some());
        assert!(pick_for_get(&request("protocol=https\nhost=h\nusername=x\n"), &all).is_none());
    }

    #[test]
    fn erase_with_a_password_spares_newer_tokens() {
        let all = [
            stored("h", None, "u", "new", 2),
            stored("h", Some("p"), "u", "old", 1),
        ];
        let gone = pick_for_erase(
            &request("protocol=https\nhost=h\nusername=u\npassword=old\n"),
            &all,
        );
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].password.expose(), b"old");
        assert_eq!(
            pick_for_erase(&request("protocol=https\nhost=h\n"), &all).len(),
            2
        );
    }

    #[test]
    fn erase_needs_a_protocol_or_host() {
        assert!(erase_is_too_broad(&request("username=u\n")));
        assert!(!erase_is_too_broad(&request("host=h\n")));
    }

    #[test]
    fn store_refuses_what_git_helpers_refuse() {
        let now = 1_000;
        let ok = request("protocol=https\nhost=h\nusername=u\npassword=p\n");
        assert!(StoredCredential::from_store_request(&ok, now, 1).is_ok());
        let missing = request("protocol=https\nhost=h\nusername=u\n");
        assert_eq!(
            StoredCredential::from_store_request(&missing, now, 1),
            Err(NotStored::Incomplete)
        );
        let ephemeral = request("protocol=https\nhost=h\nusername=u\npassword=p\nephemeral=1\n");
        assert_eq!(
            StoredCredential::from_store_request(&ephemeral, now, 1),
            Err(NotStored::Ephemeral)
        );
        let expired =
            request("protocol=https\nhost=h\nusername=u\npassword=p\npassword_expiry_utc=999\n");
        assert_eq!(
            StoredCredential::from_store_request(&expired, now, 1),
            Err(NotStored::AlreadyExpired)
        );
    }
}
