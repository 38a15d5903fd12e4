//! GitHub Enterprise Cloud with data residency: a tenant's OAuth pages and
//! git at `https://acme.ghe.com`, its REST API at `https://api.acme.ghe.com`
//! (at its root; the web host answers 404 under `/api/`), both reached
//! through the fake's HTTPS proxy on loopback with the test CA, as
//! `github_com` reaches github.com.
//!
//! Each test runs in a user namespace of its own with the kernel store:
//! every test's tenant has the same name.
#![cfg(target_os = "linux")]

use crate::common::*;
use crate::fake_github::{CLIENT_ID, TENANT};
use crate::world::*;

const API: &str = "api.acme.ghe.com";

#[test]
fn clone_push_and_erase_on_a_tenant_use_its_web_and_api_hosts() {
    without_dbus(Some("kernel"), || {
        let world = ghe_com_tenant_world("tenant");
        let work = world.clone_new_repo("octo/hello", "octocat");
        commit(&world, &work, "one.txt");
        let pushed = world.git(&work, &[], &["push", "-q", "origin", "main"]);
        assert!(pushed.status.success(), "push: {}", pushed.stderr);
        assert_eq!(world.fake.authorizations(), 1, "one browser sign-in");
        assert!(
            pushed.stderr.contains("to sign in to acme.ghe.com"),
            "{}",
            pushed.stderr
        );
        assert!(kernel_keys().contains("git-credential-ghoauth:https://octocat@acme.ghe.com"));

        commit(&world, &work, "two.txt");
        let again = world.git(&work, &[], &["push", "-q", "origin", "main"]);
        assert!(again.status.success(), "second push: {}", again.stderr);
        assert_eq!(world.fake.authorizations(), 1, "no second sign-in");

        let mut status = world.helper_command(&["status", "--host", TENANT]);
        status.env_remove("GIT_TERMINAL_PROMPT");
        let status = run(status, b"").stdout_text();
        assert!(
            status.contains(&format!(
                "https://acme.ghe.com (a GHE.com tenant (GitHub Enterprise Cloud with data \
                 residency); its REST API is https://{API})"
            )),
            "{status}"
        );

        let token = world.live_tokens()[0].clone();
        let rejected = reject(&world, &token);
        assert!(rejected.status.success(), "{}", rejected.stderr);
        assert!(!world.fake.is_live(&token), "revoked at {API}");

        let seen = world.fake.seen();
        let reached = |host: &str, method: &str, path: &str| world.fake.reached(host, method, path);
        assert!(reached(TENANT, "GET", "/login/oauth/authorize"), "{seen:?}");
        assert!(
            reached(TENANT, "POST", "/login/oauth/access_token"),
            "{seen:?}"
        );
        assert!(
            reached(API, "GET", "/user"),
            "the login from {API}: {seen:?}"
        );
        assert!(
            reached(API, "DELETE", &format!("/applications/{CLIENT_ID}/token")),
            "{seen:?}"
        );
        assert!(
            reached(TENANT, "POST", "/octo/hello.git/git-receive-pack"),
            "{seen:?}"
        );
        assert_only_web_and_api_hosts(&world, TENANT, API);
    });
}

#[test]
fn configure_names_a_tenant_and_refuses_its_api_host_in_one_line() {
    without_dbus(Some("kernel"), || {
        let world = ghe_com_tenant_world("tenant-configure");
        let config = world.dir.join("gitconfig");
        std::fs::write(&config, "").unwrap();
        let configure = |host: &str| {
            let mut command = command(HELPER);
            command
                .env("GIT_CONFIG_GLOBAL", &config)
                .env_remove("GHOAUTH_CLIENT_SECRET")
                .args(["configure", "--host", host, "--client-id", CLIENT_ID]);
            run(command, b"")
        };
        let mistyped = configure("https://api.acme.ghe.com");
        assert!(!mistyped.status.success());
        assert!(
            mistyped.stderr.lines().next().unwrap_or_default().ends_with(
                "'https://api.acme.ghe.com' is the API host of the GHE.com tenant acme.ghe.com; \
                 name the tenant itself: --host https://acme.ghe.com"
            ),
            "{}",
            mistyped.stderr
        );
        assert_eq!(
            std::fs::read_to_string(&config).unwrap(),
            "",
            "nothing written"
        );

        let done = configure("https://acme.ghe.com");
        assert!(done.status.success(), "{}", done.stderr);
        assert!(
            done.stdout_text().contains(
                "acme.ghe.com is a GHE.com tenant (GitHub Enterprise Cloud with data residency): \
                 sign-in happens at https://acme.ghe.com, and the REST API is \
                 https://api.acme.ghe.com."
            ),
            "{}",
            done.stdout_text()
        );
    });
}
