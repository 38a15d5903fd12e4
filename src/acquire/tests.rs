//! The acquisition rules against a store in memory, a clock that stands
//! still and an issuer that records what it was asked: no D-Bus, no git
//! config, no network.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::renew::{refresh_wait, renew_at, renew_from_git_at};
use super::*;
use crate::config::{AppSource, FlowSetting, HttpSettings};
// Only the Linux lock-waiter tests write the store directly.
use crate::fixtures::At;
#[cfg(target_os = "linux")]
use crate::store::Store;
use crate::store::memory::MemoryStore;

const NOW: u64 = 1_900_000_000;

static STILL: At = At(NOW);

/// What the fake GitHub hands out, and what it was asked.
#[derive(Default)]
struct FakeIssuer {
    login: String,
    refresh: RefCell<Option<Result<(), GitHubError>>>,
    refreshes: Cell<usize>,
    /// Whether each refresh happened with the account's refresh lock held.
    under_lock: RefCell<Vec<bool>>,
    sign_ins: Cell<usize>,
    minted: Cell<usize>,
}

impl FakeIssuer {
    fn signing_in_as(login: &str) -> FakeIssuer {
        FakeIssuer {
            login: login.into(),
            ..FakeIssuer::default()
        }
    }

    /// The next refresh fails like this.
    fn refusing(self, error: GitHubError) -> FakeIssuer {
        *self.refresh.borrow_mut() = Some(Err(error));
        self
    }

    fn grant(&self) -> Grant {
        self.minted.set(self.minted.get() + 1);
        Grant {
            access_token: Secret::new(format!("ghu_new{}", self.minted.get())),
            scopes: String::new(),
            refresh_token: Some(Secret::new(format!("ghr_new{}", self.minted.get()))),
            expires_in: Some(8 * 3600),
            refresh_token_expires_in: Some(180 * 86_400),
        }
    }
}

impl Issuer for FakeIssuer {
    fn sign_in(
        &self,
        remote: &OAuthRemote,
        _flow: Flow,
        _wanted: Option<&str>,
    ) -> anyhow::Result<SignedIn> {
        let probe = remote.lock(Purpose::SignIn, b"", Instant::now());
        self.under_lock
            .borrow_mut()
            .push(matches!(probe, Wait::TimedOut));
        drop(probe);
        self.sign_ins.set(self.sign_ins.get() + 1);
        Ok(SignedIn {
            login: self.login.clone(),
            scopes: "repo".into(),
            grant: self.grant(),
        })
    }

    fn refresh(
        &self,
        remote: &OAuthRemote,
        _refresh_token: &Secret,
        deadline: Instant,
    ) -> Result<Grant, GitHubError> {
        assert!(deadline > Instant::now(), "a refresh gets time to finish");
        // Held by this very refresh (or another): a probe cannot take it.
        let probe = remote.lock(Purpose::Refresh, self.login.as_bytes(), Instant::now());
        self.under_lock
            .borrow_mut()
            .push(matches!(probe, Wait::TimedOut));
        drop(probe);
        self.refreshes.set(self.refreshes.get() + 1);
        match self.refresh.borrow_mut().take() {
            Some(Err(error)) => Err(error),
            _ => Ok(self.grant()),
        }
    }

    fn identify(
        &self,
        remote: &OAuthRemote,
        grant: Grant,
        _deadline: Instant,
    ) -> anyhow::Result<SignedIn> {
        crate::oauth::sign_in::check_account(&self.login, remote.wanted_login())?;
        Ok(SignedIn {
            login: self.login.clone(),
            scopes: String::new(),
            grant,
        })
    }

    fn repository_access(
        &self,
        _remote: &OAuthRemote,
        tokens: &[&Secret],
        _repository: &crate::git::repository::Repository,
        _deadline: Instant,
    ) -> Vec<anyhow::Result<Option<crate::oauth::github::Access>>> {
        tokens.iter().map(|_| Ok(None)).collect()
    }
}

/// A host of its own per test: the sign-in and refresh locks are real files.
fn host(name: &str) -> OAuthHost {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let unique = format!(
        "{name}-{}-{}.test",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    OAuthHost::parse(b"https", unique.as_bytes()).unwrap()
}

fn remote(host: &OAuthHost, user: Option<&str>) -> OAuthRemote {
    let app = OAuthApp {
        client_id: "Iv1.app".into(),
        client_secret: Some(Secret::new("app-secret")),
        source: AppSource::Configured,
    };
    let config = RemoteConfig {
        url: host.url(),
        oauth_app: Some(app.clone()),
        scopes: "repo".into(),
        redirect_uris: Vec::new(),
        lookup_url: String::new(),
        timeout: Duration::from_secs(30),
        interactive: true,
        flow: FlowSetting::Device,
        http: HttpSettings::default(),
    };
    let request = Credential {
        protocol: Some(b"https".to_vec()),
        host: Some(host.host().into_bytes()),
        username: user.map(|user| user.as_bytes().to_vec()),
        ..Credential::default()
    };
    let endpoints = Endpoints::for_host(host).unwrap();
    let mut remote = OAuthRemote::new(host.clone(), &request, config, app, endpoints);
    remote.may_prompt = true;
    remote
}

/// A token of ours for `login` that expires `expires_in` seconds from NOW.
fn token(host: &OAuthHost, login: &str, expires_in: i64, refreshable: bool) -> StoredCredential {
    StoredCredential {
        authtype: None,
        protocol: b"https".to_vec(),
        host: host.host().into_bytes(),
        path: None,
        username: login.as_bytes().to_vec(),
        password: Secret::new(format!("ghu_old_{login}")),
        password_expiry_utc: Some(NOW.saturating_add_signed(expires_in)),
        oauth_refresh_token: refreshable.then(|| Secret::new(format!("ghr_old_{login}"))),
        stored_at: 7,
        oauth: Some(OAuthDetails {
            client_id: "Iv1.app".into(),
            scopes: "repo".into(),
            refresh_token_expiry_utc: Some(NOW + 86_400),
        }),
    }
}

fn helper(store: &MemoryStore) -> Helper<'_> {
    crate::fixtures::helper(store, &STILL)
}

fn password(answer: &Answer) -> Option<Vec<u8>> {
    answer
        .as_ref()
        .ok()
        .and_then(|answer| answer.password.as_ref())
        .map(|password| password.expose().to_vec())
}

#[test]
fn renewal_spends_the_refresh_token_once_and_keeps_the_new_pair_in_place() {
    let host = host("renew");
    let held = token(&host, "alice", 60, true);
    let store = MemoryStore::holding(vec![held.clone()]);
    let issuer = FakeIssuer::signing_in_as("alice");
    let answer = renew_at(&helper(&store), &issuer, &remote(&host, None), &held);
    assert_eq!(password(&answer), Some(b"ghu_new1".to_vec()));
    assert_eq!(issuer.refreshes.get(), 1);
    assert_eq!(
        *issuer.under_lock.borrow(),
        vec![true],
        "spent holding the lock"
    );
    assert_eq!(issuer.sign_ins.get(), 0);
    let kept = store.items();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].password.expose(), b"ghu_new1");
    assert_eq!(
        kept[0].oauth_refresh_token.as_ref().unwrap().expose(),
        b"ghr_new1",
        "the rotated refresh token is kept, not the spent one"
    );
    assert_eq!(kept[0].stored_at, 7, "a renewal keeps the account's place");
    assert_eq!(kept[0].password_expiry_utc, Some(NOW + 8 * 3600));
}

#[test]
fn github_out_of_reach_hands_out_the_token_that_still_works() {
    let host = host("unreachable");
    let held = token(&host, "alice", 60, true);
    let store = MemoryStore::holding(vec![held.clone()]);
    let issuer = FakeIssuer::signing_in_as("alice")
        .refusing(GitHubError::Failed(anyhow::anyhow!("connection refused")));
    let answer = renew_at(&helper(&store), &issuer, &remote(&host, None), &held);
    assert_eq!(password(&answer), Some(b"ghu_old_alice".to_vec()));
    assert_eq!(store.items(), vec![held], "the store is unchanged");
}

#[test]
fn github_out_of_reach_hands_out_nothing_once_the_token_has_expired() {
    let host = host("unreachable-expired");
    let held = token(&host, "alice", -1, true);
    let store = MemoryStore::holding(vec![held.clone()]);
    let issuer = FakeIssuer::signing_in_as("alice")
        .refusing(GitHubError::Failed(anyhow::anyhow!("connection refused")));
    let answer = renew_at(&helper(&store), &issuer, &remote(&host, None), &held);
    let Err(NoAnswer::Failed(why)) = answer else {
        panic!("{answer:?}")
    };
    assert!(
        why.contains("connection refused") && why.contains("and it has expired"),
        "{why}"
    );
}

#[test]
fn a_refused_refresh_token_is_forgotten_and_a_sign_in_follows() {
    let host = host("bad-refresh");
    let held = token(&host, "alice", 60, true);
    let store = MemoryStore::holding(vec![held.clone()]);
    let issuer = FakeIssuer::signing_in_as("alice").refusing(GitHubError::Refused(
        crate::oauth::github::Refusal {
            error: "bad_refresh_token".into(),
            description: None,
            interval: None,
        },
    ));
    let answer = renew_at(&helper(&store), &issuer, &remote(&host, None), &held);
    assert_eq!(issuer.sign_ins.get(), 1);
    assert_eq!(password(&answer), Some(b"ghu_new1".to_vec()));
    let kept = store.items();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].password.expose(), b"ghu_new1");
}

#[test]
fn a_dead_token_found_on_rereading_is_replaced_by_a_sign_in() {
    let host = host("dead");
    let held = token(&host, "alice", 60, true);
    // Between the first read and the lock, the token died for good.
    let dead = token(&host, "alice", -10, false);
    let store = MemoryStore::holding(vec![dead]);
    let issuer = FakeIssuer::signing_in_as("alice");
    let answer = renew_at(&helper(&store), &issuer, &remote(&host, None), &held);
    assert_eq!(issuer.refreshes.get(), 0);
    assert_eq!(issuer.sign_ins.get(), 1);
    assert_eq!(password(&answer), Some(b"ghu_new1".to_vec()));
    assert_eq!(store.items().len(), 1);
}

#[test]
fn no_sign_in_where_git_may_not_prompt() {
    let host = host("no-prompt");
    let store = MemoryStore::default();
    let issuer = FakeIssuer::signing_in_as("alice");
    let mut remote = remote(&host, None);
    remote.may_prompt = false;
    assert_eq!(
        sign_in_and_keep(&helper(&store), &issuer, &remote),
        Err(NoAnswer::MayNotPrompt)
    );
    assert_eq!(issuer.sign_ins.get(), 0);
    assert!(store.items().is_empty());
}

#[test]
fn a_sign_in_keeps_the_token_for_the_whole_host() {
    let host = host("sign-in");
    let store = MemoryStore::default();
    let issuer = FakeIssuer::signing_in_as("alice");
    let answer = sign_in_and_keep(&helper(&store), &issuer, &remote(&host, None));
    assert_eq!(password(&answer), Some(b"ghu_new1".to_vec()));
    let kept = store.items();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].username, b"alice");
    assert_eq!(kept[0].path, None);
    assert_eq!(kept[0].stored_at, u128::from(NOW) * 1_000_000_000);
}

#[test]
fn a_token_that_could_not_be_kept_is_still_handed_to_git_once() {
    let host = host("unkept");
    let store = MemoryStore::default();
    let issuer = FakeIssuer::signing_in_as("alice");
    let helper = helper(&store);
    let remote = remote(&host, None);
    // The store can be read (nothing there) but not written.
    let answer = {
        let (answer, kept) = keep_token(
            &helper,
            &remote.host,
            &remote.app,
            issuer.sign_in(&remote, Flow::Device, None).unwrap(),
            1,
        );
        assert!(kept.is_ok());
        answer
    };
    assert_eq!(answer.password.unwrap().expose(), b"ghu_new1");
    *store.failure.lock().unwrap() = Some(StoreError::Locked);
    let (answer, kept) = keep_token(
        &helper,
        &remote.host,
        &remote.app,
        issuer.sign_in(&remote, Flow::Device, None).unwrap(),
        2,
    );
    assert_eq!(kept, Err(StoreError::Locked));
    assert_eq!(answer.password.unwrap().expose(), b"ghu_new2");
}

#[test]
fn a_refresh_token_from_git_for_another_account_keeps_nothing() {
    let host = host("mismatch");
    let store = MemoryStore::default();
    let issuer = FakeIssuer::signing_in_as("bob");
    let answer = renew_from_git_at(
        &helper(&store),
        &issuer,
        &remote(&host, Some("alice")),
        &Secret::new("ghr_from_git"),
    );
    let Err(NoAnswer::Failed(why)) = answer else {
        panic!("{answer:?}")
    };
    assert!(why.contains("'bob'") && why.contains("'alice'"), "{why}");
    assert_eq!(issuer.refreshes.get(), 1);
    assert!(
        store.items().is_empty(),
        "bob's token is not kept as alice's"
    );
}

#[test]
fn an_app_no_longer_configured_cannot_renew_but_the_token_still_works() {
    let host = host("other-app");
    let mut held = token(&host, "alice", 60, true);
    held.oauth.as_mut().unwrap().client_id = "Iv1.gone".into();
    let store = MemoryStore::holding(vec![held.clone()]);
    let issuer = FakeIssuer::signing_in_as("alice");
    let answer = renew_at(&helper(&store), &issuer, &remote(&host, None), &held);
    assert_eq!(issuer.refreshes.get(), 0);
    assert_eq!(password(&answer), Some(b"ghu_old_alice".to_vec()));
}

// Watches /proc/locks for the waiter.
#[cfg(target_os = "linux")]
#[test]
fn a_waiter_rereads_after_the_holder_and_spends_nothing() {
    let host = host("waiter");
    let held = token(&host, "alice", 60, true);
    let store = MemoryStore::holding(vec![held.clone()]);
    let (answer, refreshes) = behind_a_held_lock(
        &host,
        (Purpose::Refresh, b"alice"),
        || {
            let issuer = FakeIssuer::signing_in_as("alice");
            let answer = renew_at(&helper(&store), &issuer, &remote(&host, None), &held);
            (answer, issuer.refreshes.get())
        },
        // The holder keeps its new pair, then lets go.
        || {
            let mut renewed = token(&host, "alice", 8 * 3600, true);
            renewed.password = Secret::new("ghu_by_the_holder");
            store.save(&renewed).unwrap();
        },
    );
    assert_eq!(password(&answer), Some(b"ghu_by_the_holder".to_vec()));
    assert_eq!(refreshes, 0, "the waiter spent no refresh token");
}

#[test]
fn nobody_waits_more_than_45_seconds_for_a_refresh() {
    assert_eq!(
        refresh_wait(Duration::from_secs(300)),
        Duration::from_secs(45)
    );
    assert_eq!(
        refresh_wait(Duration::from_secs(3600)),
        Duration::from_secs(45)
    );
    assert_eq!(
        refresh_wait(Duration::from_secs(10)),
        Duration::from_secs(10)
    );
}

/// Waits, bounded, until someone blocks on the lock `purpose` takes for
/// `account` at `remote`: the kernel lists blocked flock requests in
/// /proc/locks, with the lock file's inode.
#[cfg(target_os = "linux")]
fn wait_for_a_waiter(remote: &OAuthRemote, purpose: Purpose, account: &[u8]) {
    use std::os::unix::fs::MetadataExt;
    let file = crate::lock::file_for(
        purpose,
        remote.host.protocol().as_bytes(),
        remote.host.host().as_bytes(),
        account,
    )
    .expect("a lock directory");
    let inode = std::fs::metadata(file).unwrap().ino();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let locks = std::fs::read_to_string("/proc/locks").unwrap();
        let waiting = locks.lines().any(|line| {
            line.contains("->")
                && line
                    .split_whitespace()
                    .any(|field| field.rsplit(':').next() == Some(&inode.to_string()))
        });
        if waiting {
            return;
        }
        assert!(Instant::now() < deadline, "nobody ever waited on the lock");
        std::thread::yield_now();
    }
}

/// Runs `waiter` while this test holds the lock `purpose` takes for
/// `account`; once the waiter is seen blocked on it (in /proc/locks),
/// runs `holder` (what the other process did) and lets the lock go.
#[cfg(target_os = "linux")]
fn behind_a_held_lock<T: Send>(
    host: &OAuthHost,
    (purpose, account): (Purpose, &[u8]),
    waiter: impl FnOnce() -> T + Send,
    holder: impl FnOnce(),
) -> T {
    let remote = remote(host, None);
    let lock = remote.lock(purpose, account, Instant::now() + Duration::from_secs(5));
    assert!(
        matches!(lock, Wait::Held(_)),
        "the lock directory works here"
    );
    std::thread::scope(|scope| {
        let waiter = scope.spawn(waiter);
        wait_for_a_waiter(&remote, purpose, account);
        holder();
        drop(lock);
        waiter.join().unwrap()
    })
}

// Watches /proc/locks for the waiter.
#[cfg(target_os = "linux")]
#[test]
fn a_waiter_whose_holder_could_not_renew_renews_in_turn_holding_the_lock() {
    let host = host("turn");
    let held = token(&host, "alice", 60, true);
    let store = MemoryStore::holding(vec![held.clone()]);
    let (answer, under_lock) = behind_a_held_lock(
        &host,
        (Purpose::Refresh, b"alice"),
        || {
            let issuer = FakeIssuer::signing_in_as("alice");
            let answer = renew_at(&helper(&store), &issuer, &remote(&host, None), &held);
            (answer, issuer.under_lock.borrow().clone())
        },
        // The holder gives up without renewing.
        || {},
    );
    assert_eq!(password(&answer), Some(b"ghu_new1".to_vec()));
    assert_eq!(under_lock, vec![true], "not spent without the lock");
}

#[test]
fn renewal_finds_the_account_it_was_asked_for() {
    let host = host("accounts");
    let mut bob = token(&host, "bob", 8 * 3600, true);
    bob.password = Secret::new("ghu_bob");
    let alice = token(&host, "alice", 60, true);
    let store = MemoryStore::holding(vec![bob.clone(), alice.clone()]);
    let issuer = FakeIssuer::signing_in_as("alice");
    let answer = renew_at(&helper(&store), &issuer, &remote(&host, None), &alice);
    let answer = answer.expect("an answer");
    assert_eq!(answer.username.as_deref(), Some(&b"alice"[..]));
    assert_eq!(answer.password.unwrap().expose(), b"ghu_new1");
    assert!(store.items().contains(&bob), "bob's token untouched");
}

#[test]
fn a_refresh_token_from_git_is_not_spent_when_the_store_has_a_fresh_token() {
    let host = host("from-git-fresh");
    let fresh = token(&host, "alice", 8 * 3600, true);
    let store = MemoryStore::holding(vec![fresh]);
    let issuer = FakeIssuer::signing_in_as("alice");
    let answer = renew_from_git_at(
        &helper(&store),
        &issuer,
        &remote(&host, None),
        &Secret::new("ghr_from_git"),
    );
    assert_eq!(password(&answer), Some(b"ghu_old_alice".to_vec()));
    assert_eq!(issuer.refreshes.get(), 0);
}

#[test]
fn a_refused_refresh_token_from_git_leads_to_a_sign_in_and_a_failure_to_nothing() {
    let first_host = host("from-git-refused");
    let store = MemoryStore::default();
    let refused = FakeIssuer::signing_in_as("alice").refusing(GitHubError::Refused(
        crate::oauth::github::Refusal {
            error: "bad_refresh_token".into(),
            description: None,
            interval: None,
        },
    ));
    let answer = renew_from_git_at(
        &helper(&store),
        &refused,
        &remote(&first_host, None),
        &Secret::new("ghr_spent"),
    );
    assert_eq!(refused.sign_ins.get(), 1);
    assert_eq!(password(&answer), Some(b"ghu_new1".to_vec()));

    let second_host = host("from-git-unreachable");
    let store = MemoryStore::default();
    let unreachable = FakeIssuer::signing_in_as("alice")
        .refusing(GitHubError::Failed(anyhow::anyhow!("connection refused")));
    let answer = renew_from_git_at(
        &helper(&store),
        &unreachable,
        &remote(&second_host, None),
        &Secret::new("ghr_x"),
    );
    let Err(NoAnswer::Failed(why)) = answer else {
        panic!("{answer:?}")
    };
    assert!(
        why.contains("could not renew the token git passed in"),
        "{why}"
    );
    assert_eq!(unreachable.sign_ins.get(), 0);
    assert!(store.items().is_empty());
}

// Watches /proc/locks for the waiter.
#[cfg(target_os = "linux")]
#[test]
fn a_sign_in_waiter_takes_what_the_holder_kept() {
    let host = host("sign-in-waiter");
    let store = MemoryStore::default();
    let (answer, sign_ins) = behind_a_held_lock(
        &host,
        (Purpose::SignIn, b""),
        || {
            let issuer = FakeIssuer::signing_in_as("alice");
            let answer = sign_in_and_keep(&helper(&store), &issuer, &remote(&host, None));
            (answer, issuer.sign_ins.get())
        },
        // The holder signed in (after the waiter began) and kept its token.
        || {
            let mut kept = token(&host, "alice", 8 * 3600, true);
            kept.password = Secret::new("ghu_by_the_holder");
            kept.stored_at = u128::from(NOW) * 1_000_000_000 + 1;
            store.save(&kept).unwrap();
        },
    );
    assert_eq!(password(&answer), Some(b"ghu_by_the_holder".to_vec()));
    assert_eq!(sign_ins, 0, "no second sign-in");
}

// Watches /proc/locks for the waiter.
#[cfg(target_os = "linux")]
#[test]
fn login_signs_in_after_another_sign_in_and_keeps_the_token() {
    let host = host("login-waits");
    let store = MemoryStore::default();
    let outcome = behind_a_held_lock(
        &host,
        (Purpose::SignIn, b""),
        || {
            let issuer = FakeIssuer::signing_in_as("alice");
            sign_in(&helper(&store), &issuer, &remote(&host, None), None)
                .map_err(|error| error.to_string())
        },
        || {},
    );
    assert_eq!(outcome, Ok(("alice".to_string(), "repo".to_string())));
    assert_eq!(store.items().len(), 1);
    assert_eq!(store.items()[0].password.expose(), b"ghu_new1");
}

#[test]
fn login_says_when_the_token_could_not_be_kept() {
    let host = host("login-unkept");
    let store = MemoryStore::default();
    *store.failure.lock().unwrap() = Some(StoreError::Locked);
    let issuer = FakeIssuer::signing_in_as("alice");
    let error = sign_in(&helper(&store), &issuer, &remote(&host, None), None).unwrap_err();
    let said = format!("{error:#}");
    assert!(
        said.contains("signed in as alice, but the token could not be kept"),
        "{said}"
    );
}

// Watches /proc/locks for the waiter.
#[cfg(target_os = "linux")]
#[test]
fn a_waiter_whose_holder_signed_in_nobody_starts_no_second_sign_in() {
    let host = host("holder-failed");
    let store = MemoryStore::default();
    let (answer, sign_ins) = behind_a_held_lock(
        &host,
        (Purpose::SignIn, b""),
        || {
            let issuer = FakeIssuer::signing_in_as("alice");
            let answer = sign_in_and_keep(&helper(&store), &issuer, &remote(&host, None));
            (answer, issuer.sign_ins.get())
        },
        // Declined, abandoned or failed: nothing kept.
        || {},
    );
    let Err(NoAnswer::Failed(why)) = answer else {
        panic!("{answer:?}")
    };
    assert!(
        why.contains("did not finish, so this one is not starting a second"),
        "{why}"
    );
    assert_eq!(sign_ins, 0, "one browser per batch of gits");
}

// Watches /proc/locks for the waiter.
#[cfg(target_os = "linux")]
#[test]
fn a_waiter_for_another_account_signs_in_in_turn_holding_the_lock() {
    let host = host("other-account");
    let store = MemoryStore::default();
    let (answer, under_lock) = behind_a_held_lock(
        &host,
        (Purpose::SignIn, b""),
        || {
            let issuer = FakeIssuer::signing_in_as("alice");
            let remote = remote(&host, Some("alice"));
            let answer = sign_in_and_keep(&helper(&store), &issuer, &remote);
            (answer, issuer.under_lock.borrow().clone())
        },
        // The holder signed in as bob.
        || {
            let mut bob = token(&host, "bob", 8 * 3600, true);
            bob.stored_at = u128::from(NOW) * 1_000_000_000 + 1;
            store.save(&bob).unwrap();
        },
    );
    let answer = answer.expect("alice signs in");
    assert_eq!(answer.username.as_deref(), Some(&b"alice"[..]));
    assert_eq!(under_lock, vec![true], "holding the sign-in lock");
}

// Watches /proc/locks for the waiter.
#[cfg(target_os = "linux")]
#[test]
fn a_credential_git_stored_meanwhile_is_no_sign_in_by_the_holder() {
    let host = host("plain-meanwhile");
    let store = MemoryStore::default();
    let outcome = behind_a_held_lock(
        &host,
        (Purpose::SignIn, b""),
        || {
            let issuer = FakeIssuer::signing_in_as("alice");
            let remote = remote(&host, Some("alice"));
            let answer = sign_in_and_keep(&helper(&store), &issuer, &remote);
            (answer, issuer.sign_ins.get())
        },
        // git stored a password for bob meanwhile: not a sign-in.
        || {
            let mut plain = token(&host, "bob", 8 * 3600, false);
            plain.oauth = None;
            plain.stored_at = u128::from(NOW) * 1_000_000_000 + 1;
            store.save(&plain).unwrap();
        },
    );
    assert!(
        matches!(&outcome, (Err(NoAnswer::Failed(why)), 0) if why.contains("did not finish")),
        "the holder's sign-in did not finish: {outcome:?}"
    );
}

#[test]
fn a_sign_in_held_too_long_is_named_and_waited_for_no_longer() {
    let host = host("held-too-long");
    let store = MemoryStore::default();
    let mut remote = remote(&host, None);
    remote.config.timeout = Duration::from_secs(1);
    let _held = remote.lock(
        Purpose::SignIn,
        b"",
        Instant::now() + Duration::from_secs(5),
    );
    let helper = crate::fixtures::helper_with_timeout(&store, &STILL, 1);
    let issuer = FakeIssuer::signing_in_as("alice");
    let started = Instant::now();
    let error = sign_in(&helper, &issuer, &remote, None).unwrap_err();
    // The sign-in's 1 s, and 1 s twice for the store.
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        error.to_string().contains(&format!(
            "has been signing in to {} for over 3 s",
            remote.host
        )),
        "{error}"
    );
    assert_eq!(issuer.sign_ins.get(), 0);
}
