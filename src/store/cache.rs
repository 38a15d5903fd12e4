//! A short-lived copy of recent `get` answers in the Linux kernel keyring.
//!
//! Opening a Secret Service session costs ~15 ms (D-Bus plus a Diffie-Hellman
//! key exchange); a kernel keyring lookup costs microseconds. So a `get`
//! first asks the kernel, and only on a miss asks the Secret Service and
//! copies the answer here for `ttl` seconds.
//!
//! Coherence without locks: every cached answer carries the *generation* that
//! was current before its Secret Service read. `store` and `erase` write the
//! Secret Service first and then replace the generation with a fresh random
//! one, so an answer read before a write can never match again. A reader that
//! loses that race merely misses.
//!
//! The generation is one per user, not per bus, so that a write through any
//! spelling of the bus address reaches every reader; answers are kept apart
//! per bus address, which at worst makes a differently spelled reader miss.
//!
//! The keys live in the user keyring (`@u`), readable and writable by this
//! uid only, and the kernel drops each one when its timeout runs out. What
//! that means: for up to the cache time an answer is served even after the
//! Secret Service collection is locked, and to every login session of this
//! uid. Where
//! the kernel refuses (no keyutils, a seccomp filter, a container) every call
//! here quietly does nothing and the Secret Service answers every time.

#[cfg(target_os = "linux")]
use crate::git::protocol::Credential;

/// Where the cache is kept apart per Secret Service: two D-Bus sessions are
/// two keyrings, and must not see each other's answers.
#[cfg(target_os = "linux")]
fn namespace(bus_address: Option<&std::ffi::OsStr>) -> Vec<u8> {
    let mut namespace = b"git-credential-ghoauth cache v1\0".to_vec();
    if let Some(address) = bus_address {
        namespace.extend_from_slice(address.as_encoded_bytes());
    }
    namespace
}

/// The request fields that decide the answer, framed so that no two
/// different requests encode alike.
#[cfg(target_os = "linux")]
fn request_identity(request: &Credential) -> Vec<u8> {
    // A git that can take an authtype credential may get one where another
    // git gets a password: their answers are cached apart.
    let mut identity = vec![u8::from(request.has_capability(b"authtype"))];
    for field in [
        &request.protocol,
        &request.host,
        &request.path,
        &request.username,
    ] {
        match field {
            None => identity.push(0),
            Some(value) => {
                identity.push(1);
                identity.extend_from_slice(&(value.len() as u64).to_le_bytes());
                identity.extend_from_slice(value);
            }
        }
    }
    identity
}

/// What every cached answer's key description begins with: the kernel
/// store drops them all when the key quota they share is full. A `/` where
/// a credential's key has its `:` (see `kernel::description`), so that no
/// credential, whatever its protocol, is ever taken for a cached answer.
#[cfg(target_os = "linux")]
pub(crate) const ANSWER_PREFIX: &str = "git-credential-ghoauth/answer/";

#[cfg(target_os = "linux")]
pub use linux::Cache;

#[cfg(target_os = "linux")]
mod linux {
    use linux_keyutils::{Key, KeyPermissionsBuilder, KeyRing, KeyRingIdentifier, Permission};

    use super::{namespace, request_identity};
    use crate::digest::hex_digest;
    use crate::git::protocol::Credential;
    use crate::git::record::RENEW_BEFORE_EXPIRY_SECONDS;

    /// A user key's payload is at most 32767 bytes; larger answers are not cached.
    pub(super) const MAX_PAYLOAD: usize = 32 * 1024 - 1;
    const GENERATION_BYTES: usize = 8;

    pub struct Cache {
        user_ring: KeyRing,
        /// Tests set one of their own.
        pub(in crate::store::cache) namespace: Vec<u8>,
        ttl_seconds: u64,
    }

    /// The generation a reader saw before it asked the Secret Service.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Generation([u8; GENERATION_BYTES]);

    impl Cache {
        /// `None` when caching is off (`ttl_seconds == 0`) or the kernel has
        /// no user keyring for us.
        pub fn open(ttl_seconds: u64) -> Option<Cache> {
            if ttl_seconds == 0 {
                return None;
            }
            let user_ring = KeyRing::from_special_id(KeyRingIdentifier::User, false).ok()?;
            Some(Cache {
                user_ring,
                namespace: namespace(std::env::var_os("DBUS_SESSION_BUS_ADDRESS").as_deref()),
                ttl_seconds,
            })
        }

        /// The cached answer to `request`, if one is current at `now` (Unix
        /// seconds).
        pub fn lookup(&self, request: &Credential, now: u64) -> Option<Credential> {
            let current = self.read_generation()?;
            let payload = self.read(&self.answer_description(request))?;
            let (generation, answer) = payload.split_at_checked(GENERATION_BYTES)?;
            if generation != current.0 {
                return None;
            }
            let answer = Credential::parse(answer).ok()?;
            // Near its expiry a token is the keyring's to renew, not ours to hand out.
            let still_valid = answer
                .password_expiry_utc
                .is_none_or(|expiry| expiry > now + RENEW_BEFORE_EXPIRY_SECONDS);
            (answer.username.is_some() && answer.password.is_some() && still_valid)
                .then_some(answer)
        }

        /// Call before reading the Secret Service; pass the result to
        /// `remember` afterwards.
        pub fn generation(&self) -> Option<Generation> {
            self.read_generation().or_else(|| self.new_generation())
        }

        pub fn remember(
            &self,
            request: &Credential,
            seen: Generation,
            answer: &Credential,
            now: u64,
        ) {
            let mut payload = seen.0.to_vec();
            if answer.write_answer(&mut payload).is_err() || payload.len() > MAX_PAYLOAD {
                return;
            }
            let mut ttl = self.ttl_seconds;
            if let Some(expiry) = answer.password_expiry_utc {
                let renew_at = expiry.saturating_sub(RENEW_BEFORE_EXPIRY_SECONDS);
                ttl = ttl.min(renew_at.saturating_sub(now));
            }
            if ttl > 0 && self.publish(&self.answer_description(request), &payload, ttl) {
                // Keep the generation alive at least as long as this answer.
                if let Ok(key) = self.user_ring.search(&self.generation_description()) {
                    let _ = key.set_timeout(self.generation_ttl());
                }
            }
        }

        /// Makes every cached answer stale. Call after writing the Secret Service.
        pub fn invalidate(&self) {
            if self.new_generation().is_none() {
                // Could not replace the generation: remove it instead, which
                // also makes every answer stale.
                if let Ok(key) = self.user_ring.search(&self.generation_description()) {
                    let _ = key.invalidate();
                }
            }
        }

        fn read_generation(&self) -> Option<Generation> {
            let bytes = self.read(&self.generation_description())?;
            Some(Generation(bytes.try_into().ok()?))
        }

        fn new_generation(&self) -> Option<Generation> {
            let mut fresh = [0u8; GENERATION_BYTES];
            getrandom::fill(&mut fresh).ok()?;
            self.publish(
                &self.generation_description(),
                &fresh,
                self.generation_ttl() as u64,
            )
            .then_some(Generation(fresh))
        }

        /// The generation outlives the answers it vouches for, so that it
        /// never expires under them.
        fn generation_ttl(&self) -> usize {
            usize::try_from(self.ttl_seconds.saturating_mul(2)).unwrap_or(usize::MAX)
        }

        fn read(&self, description: &str) -> Option<Vec<u8>> {
            self.user_ring.search(description).ok()?.read_to_vec().ok()
        }

        /// Creates the key in this process's own keyring, where it is ours
        /// to set permissions and a timeout on, then links it into the user
        /// keyring, displacing any older key of the same description. Adding
        /// to `@u` directly leaves a key we may not even read back when the
        /// login session's keyring does not link `@u` (pam_keyinit).
        fn publish(&self, description: &str, payload: &[u8], ttl_seconds: u64) -> bool {
            let publish = || -> Result<(), linux_keyutils::KeyError> {
                let own_ring = KeyRing::from_special_id(KeyRingIdentifier::Process, true)?;
                let key: Key = own_ring.add_key(description, payload)?;
                let owner_only = KeyPermissionsBuilder::builder()
                    .posessor(Permission::ALL)
                    .user(Permission::ALL)
                    .build();
                key.set_perms(owner_only)?;
                key.set_timeout(usize::try_from(ttl_seconds).unwrap_or(usize::MAX))?;
                self.user_ring.link_key(key)?;
                own_ring.unlink_key(key)?;
                Ok(())
            };
            publish().is_ok()
        }

        fn answer_description(&self, request: &Credential) -> String {
            let digest = hex_digest(&[&self.namespace, &request_identity(request)]);
            format!("{}{digest}", super::ANSWER_PREFIX)
        }

        /// One generation for the whole user, whatever the bus address:
        /// an `erase` that spells the address differently (without its
        /// `,guid=`, say) must still make every answer stale.
        /// The serial of the generation key now in the user keyring.
        #[cfg(test)]
        pub(in crate::store::cache) fn generation_serial(&self) -> Option<i32> {
            let key = self.user_ring.search(&self.generation_description()).ok()?;
            Some(key.get_id().as_raw_id())
        }

        pub(in crate::store::cache) fn generation_description(&self) -> String {
            "git-credential-ghoauth/generation/v3".to_string()
        }
    }
}

/// Elsewhere there is no kernel keyring: nothing is ever cached.
#[cfg(not(target_os = "linux"))]
mod no_cache {
    use crate::git::protocol::Credential;

    pub struct Cache;

    #[derive(Debug, Clone, Copy)]
    pub struct Generation;

    impl Cache {
        pub fn open(_ttl_seconds: u64) -> Option<Cache> {
            None
        }
        pub fn lookup(&self, _request: &Credential, _now: u64) -> Option<Credential> {
            None
        }
        pub fn generation(&self) -> Option<Generation> {
            None
        }
        pub fn remember(
            &self,
            _request: &Credential,
            _seen: Generation,
            _answer: &Credential,
            _now: u64,
        ) {
        }
        pub fn invalidate(&self) {}
    }
}

#[cfg(not(target_os = "linux"))]
pub use no_cache::Cache;

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use crate::secret::Secret;

    /// The real user keyring, under a namespace of this test's own.
    fn private_cache(name: &str) -> Cache {
        let mut cache = Cache::open(60).expect("a kernel user keyring");
        cache.namespace = format!("test {name} {}", std::process::id()).into_bytes();
        cache
    }

    fn unix_now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    fn expiring(at: u64) -> Credential {
        Credential {
            username: Some(b"u".to_vec()),
            password: Some(Secret::new("ghu_cached")),
            password_expiry_utc: Some(at),
            ..Credential::default()
        }
    }

    #[test]
    fn an_answer_inside_the_renewal_window_is_never_cached() {
        let cache = private_cache("window");
        let request = Credential::parse(b"protocol=https\nhost=window.test\n").unwrap();
        let now = unix_now();
        let generation = cache.generation().expect("a generation");
        cache.remember(&request, generation, &expiring(now + 100), now);
        // Kept, it would be found by a clock that is still early enough.
        assert_eq!(cache.lookup(&request, now - 10_000), None);
    }

    #[test]
    fn a_cached_answer_is_not_served_once_its_renewal_window_opens() {
        let cache = private_cache("served");
        let request = Credential::parse(b"protocol=https\nhost=served.test\n").unwrap();
        let now = unix_now();
        let generation = cache.generation().expect("a generation");
        cache.remember(&request, generation, &expiring(now + 1_000), now);
        assert!(cache.lookup(&request, now).is_some(), "cached while fresh");
        assert!(cache.lookup(&request, now + 699).is_some());
        // Five minutes before its expiry the keyring renews it instead.
        assert_eq!(cache.lookup(&request, now + 700), None);
        assert_eq!(cache.lookup(&request, now + 800), None);
    }

    #[test]
    fn requests_are_cached_apart_and_invalidate_makes_all_stale() {
        let cache = private_cache("apart");
        let (a, b) = (
            Credential::parse(b"protocol=https\nhost=a.test\n").unwrap(),
            Credential::parse(b"protocol=https\nhost=b.test\n").unwrap(),
        );
        let now = unix_now();
        let mut answer_b = expiring(now + 3_600);
        answer_b.password = Some(Secret::new("ghu_b"));
        let before = cache.generation().expect("a generation");
        cache.remember(&a, before, &expiring(now + 3_600), now);
        cache.remember(&b, before, &answer_b, now);
        let password = |found: Option<Credential>| found.and_then(|answer| answer.password);
        assert_eq!(
            password(cache.lookup(&a, now)),
            Some(Secret::new("ghu_cached"))
        );
        assert_eq!(password(cache.lookup(&b, now)), Some(Secret::new("ghu_b")));
        cache.invalidate();
        assert_eq!(cache.lookup(&a, now), None);
        let after = cache.generation().expect("a fresh generation");
        assert_ne!(after, before);
    }

    #[test]
    fn the_generation_key_has_a_timeout_and_its_own_name() {
        let cache = private_cache("timeout");
        assert_eq!(
            cache.generation_description(),
            "git-credential-ghoauth/generation/v3"
        );
        cache.invalidate();
        // The key now in the user keyring: other tests replace it too, and
        // a replaced one lingers in /proc/keys until it is collected.
        let serial = cache.generation_serial().expect("the generation key");
        // /proc/keys: serial flags usage timeout perm uid gid type description
        let keys = std::fs::read_to_string("/proc/keys").unwrap();
        let timeout = keys
            .lines()
            .find(|line| line.split_whitespace().next() == Some(&format!("{serial:08x}")))
            .and_then(|line| line.split_whitespace().nth(3))
            .map(str::to_string);
        // Twice the cache time, two minutes: neither forever nor a second.
        let seconds = match timeout.as_deref() {
            Some(minutes) if minutes.ends_with('m') => {
                minutes.trim_end_matches('m').parse::<u64>().unwrap() * 60
            }
            Some(seconds) if seconds.ends_with('s') => {
                seconds.trim_end_matches('s').parse().unwrap()
            }
            other => panic!("the generation key's timeout is {other:?}"),
        };
        assert!((60..=120).contains(&seconds), "{seconds} s");
    }

    #[test]
    fn each_bus_has_a_namespace_of_its_own() {
        let a = namespace(Some(std::ffi::OsStr::new("unix:path=/run/a")));
        let b = namespace(Some(std::ffi::OsStr::new("unix:path=/run/b")));
        let none = namespace(None);
        assert!(a != b && a != none && b != none);
        assert!(none.starts_with(b"git-credential-ghoauth cache v1"));
    }

    #[test]
    fn answers_up_to_a_user_keys_limit_are_kept() {
        // The kernel's limit for a `user` key's payload.
        assert_eq!(linux::MAX_PAYLOAD, 32_767);
    }

    #[test]
    fn requests_that_differ_only_in_presence_hash_apart() {
        let with_empty_path = Credential::parse(b"protocol=https\nhost=h\npath=\n").unwrap();
        let without_path = Credential::parse(b"protocol=https\nhost=h\n").unwrap();
        assert_ne!(
            request_identity(&with_empty_path),
            request_identity(&without_path)
        );
        let shifted = Credential::parse(b"protocol=https\nhost=hx\n").unwrap();
        let other = Credential::parse(b"protocol=httpsh\nhost=x\n").unwrap();
        assert_ne!(request_identity(&shifted), request_identity(&other));
    }
}
