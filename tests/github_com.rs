//! github.com itself, the host nearly every user signs in to: the OAuth
//! pages and git at `https://github.com`, the REST API at
//! `https://api.github.com`, both reached through an HTTPS proxy on
//! loopback that tunnels to the fake, with a certificate from the test CA
//! (`HTTPS_PROXY`, `SSL_CERT_FILE`). Every other test uses an Enterprise
//! layout on 127.0.0.1; this one proves the real mapping end to end.
//!
//! It runs in a user namespace of its own with the kernel store, so that
//! the github.com token it keeps meets no other test.
#![cfg(target_os = "linux")]

use crate::common::*;
use crate::fake_github::CLIENT_ID;
use crate::world::*;

#[test]
fn clone_push_and_erase_reach_github_com_and_api_github_com() {
    without_dbus(Some("kernel"), || {
        let world = github_com_world("github-com");
        let work = world.clone_new_repo("octo/hello", "octocat");
        commit(&world, &work, "one.txt");
        let pushed = world.git(&work, &[], &["push", "-q", "origin", "main"]);
        assert!(pushed.status.success(), "push: {}", pushed.stderr);
        assert_eq!(world.fake.authorizations(), 1);
        assert!(
            pushed.stderr.contains("to sign in to github.com") && pushed.stderr.contains("/start"),
            "{}",
            pushed.stderr
        );
        assert!(kernel_keys().contains("git-credential-ghoauth:https://octocat@github.com"));

        commit(&world, &work, "two.txt");
        let again = world.git(&work, &[], &["push", "-q", "origin", "main"]);
        assert!(again.status.success(), "second push: {}", again.stderr);
        assert_eq!(world.fake.authorizations(), 1, "no second sign-in");

        let token = world.live_tokens()[0].clone();
        let rejected = reject(&world, &token);
        assert!(rejected.status.success(), "{}", rejected.stderr);
        assert!(!world.fake.is_live(&token), "revoked at api.github.com");

        let seen = world.fake.seen();
        let reached = |host: &str, method: &str, path: &str| world.fake.reached(host, method, path);
        assert!(
            reached("github.com", "GET", "/login/oauth/authorize"),
            "{seen:?}"
        );
        assert!(
            reached("github.com", "POST", "/login/oauth/access_token"),
            "{seen:?}"
        );
        assert!(reached("api.github.com", "GET", "/user"), "{seen:?}");
        assert!(
            reached(
                "api.github.com",
                "DELETE",
                &format!("/applications/{CLIENT_ID}/token")
            ),
            "{seen:?}"
        );
        assert!(
            reached("github.com", "POST", "/octo/hello.git/git-receive-pack"),
            "{seen:?}"
        );
        // Nothing of the API went to github.com, nor OAuth to api.github.com.
        assert_only_web_and_api_hosts(&world, "github.com", "api.github.com");
    });
}
