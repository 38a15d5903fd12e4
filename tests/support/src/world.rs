//! A world for sign-in tests: a fake GitHub, a `$BROWSER` that follows its
//! redirects with curl, and git configured with this helper and the app.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::common::*;
use crate::fake_github::{CLIENT_ID, FakeGitHub};

pub struct World {
    pub fake: FakeGitHub,
    pub dir: PathBuf,
    pub client_secret: String,
}

pub fn world(name: &str) -> World {
    world_with(name, FakeGitHub::start)
}

/// A GitHub Enterprise Server at https://127.0.0.1:<port>, certificate from
/// a test CA that the browser and git trust, and the helper only when told.
pub fn https_world(name: &str) -> World {
    world_with(name, FakeGitHub::start_https)
}

/// github.com itself, as the fake plays it behind a CONNECT proxy.
pub fn github_com_world(name: &str) -> World {
    world_with(name, FakeGitHub::start_as_github_com)
}

/// A world whose fake is the GHE.com tenant `acme.ghe.com`.
pub fn ghe_com_tenant_world(name: &str) -> World {
    world_with(name, FakeGitHub::start_as_ghe_com_tenant)
}

pub fn world_with(name: &str, start: fn(&Path, &str, fn(&str)) -> FakeGitHub) -> World {
    world_with_secret(name, start, &secret(&format!("client-{name}")))
}

/// A world whose app has `client_secret` (the built-in app's, say).
pub fn world_with_secret(
    name: &str,
    start: fn(&Path, &str, fn(&str)) -> FakeGitHub,
    client_secret: &str,
) -> World {
    watch_secret(client_secret);
    let dir = session().dir.join(format!("world-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    let client_secret = client_secret.to_string();
    let fake = start(&dir.join("repos"), &client_secret, watch_secret);
    write_script(
        &dir.join("browser"),
        &format!(
            "printf '%s\\n' \"$1\" >>'{log}'\nexec curl -sS -L {network} --max-time 30 -o '{page}' \"$1\"",
            log = dir.join("browser.log").display(),
            page = dir.join("page.html").display(),
            network = curl_network(&fake)
        ),
    );
    World {
        fake,
        dir,
        client_secret,
    }
}

/// curl's options to reach the fake as git does: its CA, and straight to
/// loopback unless the fake plays github.com or a GHE.com tenant behind its
/// proxy; the redirect to the helper's port never goes through it.
pub fn curl_network(fake: &FakeGitHub) -> String {
    let trust = match &fake.ca_file {
        Some(ca) => format!("--cacert '{}'", ca.display()),
        None => String::new(),
    };
    let proxy = match &fake.proxy_url {
        Some(proxy) => format!("--proxy '{proxy}' --noproxy 127.0.0.1,localhost"),
        None => "--noproxy '*'".to_string(),
    };
    format!("{trust} {proxy}")
}

/// For a fake behind its proxy (github.com, a GHE.com tenant): every
/// request went to `web` or `api`, the API's (`/user`, `/applications/…`)
/// to `api` alone and nothing else there, and the proxy was asked for
/// those two names only.
pub fn assert_only_web_and_api_hosts(world: &World, web: &str, api: &str) {
    for (host, _, path) in &world.fake.seen() {
        assert!(
            host == web || host == api,
            "only {web} and {api}: {host} {path}"
        );
        assert_eq!(
            host == api,
            path == "/user" || path.starts_with("/applications/"),
            "{host} {path}"
        );
    }
    let targets = world.fake.proxy_targets();
    let (web, api) = (format!("{web}:443"), format!("{api}:443"));
    assert!(
        targets
            .iter()
            .all(|target| *target == web || *target == api),
        "{targets:?}"
    );
}

pub fn write_script(path: &Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

impl World {
    /// How commands reach the fake: its CA, and its proxy when it plays
    /// github.com (the loopback callback bypasses the proxy).
    pub fn network(&self, command: &mut Command) {
        if let Some(ca) = &self.fake.ca_file {
            command.env("GIT_SSL_CAINFO", ca);
        }
        if let (Some(proxy), Some(ca)) = (&self.fake.proxy_url, &self.fake.ca_file) {
            command
                .env("HTTPS_PROXY", proxy)
                .env("NO_PROXY", "127.0.0.1,localhost")
                .env("SSL_CERT_FILE", ca);
        }
    }

    /// The OAuth host's settings, as a user would have them in git config.
    pub fn oauth_config(&self) -> Vec<String> {
        let url = &self.fake.base_url;
        vec![
            format!("credential.{url}.ghoauthClientId={CLIENT_ID}"),
            format!(
                "credential.{url}.ghoauthClientSecret={}",
                self.client_secret
            ),
            format!("credential.{url}.ghoauthTimeout=30"),
        ]
    }

    /// git config that makes a Cancel on the consent page reach the
    /// helper: GitHub sends it to the app's registered callback, so the
    /// fake registers the port this world's helper listens on.
    pub fn cancel_reaches_the_helper(&self) -> Vec<String> {
        let port = crate::fake_github::unused_loopback_port()
            .local_addr()
            .unwrap()
            .port();
        let callback = format!("http://127.0.0.1:{port}/callback");
        self.fake.register_oauth_callback(&callback);
        vec![format!(
            "credential.{}.ghoauthRedirectUri={callback}",
            self.fake.base_url
        )]
    }

    /// git, interactive as at a terminal (no GIT_TERMINAL_PROMPT=0), with
    /// only this helper and the OAuth settings configured.
    pub fn git(&self, dir: &Path, extra_config: &[String], args: &[&str]) -> Run {
        self.git_with_env(dir, &[], extra_config, args)
    }

    pub fn git_with_env(
        &self,
        dir: &Path,
        env: &[(&str, &Path)],
        extra_config: &[String],
        args: &[&str],
    ) -> Run {
        let mut command = command("git");
        command
            .envs(env.iter().copied())
            .current_dir(dir)
            .env_remove("GIT_TERMINAL_PROMPT")
            .env("BROWSER", self.dir.join("browser"))
            .args(["-c", "credential.helper=", "-c"])
            .arg(format!("credential.helper={}", helper_program()))
            .args([
                "-c",
                "user.name=Tester",
                "-c",
                "user.email=tester@example.com",
            ]);
        self.network(&mut command);
        for setting in self.oauth_config().iter().chain(extra_config) {
            command.args(["-c", setting]);
        }
        command.args(args);
        run(command, b"")
    }

    pub fn fill(&self, extra_config: &[String], extra_input: &str) -> Run {
        self.fill_without(&[], extra_config, extra_input)
    }

    /// `fill` with some of the environment taken away (say, every sign of
    /// a display, to make the helper choose the device flow).
    pub fn fill_without(&self, unset: &[&str], extra_config: &[String], extra_input: &str) -> Run {
        let mut command = self.fill_command(extra_config);
        for name in unset {
            command.env_remove(name);
        }
        run(command, self.fill_input(extra_input).as_bytes())
    }

    /// `git credential fill`, interactive, with this helper and the app.
    pub fn fill_command(&self, extra_config: &[String]) -> Command {
        let mut command = command("git");
        command
            .env_remove("GIT_TERMINAL_PROMPT")
            .env("BROWSER", self.dir.join("browser"))
            .args(["-c", "credential.helper=", "-c"])
            .arg(format!("credential.helper={}", helper_program()));
        self.network(&mut command);
        for setting in self.oauth_config().iter().chain(extra_config) {
            command.args(["-c", setting]);
        }
        command.args(["credential", "fill"]);
        command
    }

    /// git's request for this world's host, plus `extra_input` lines.
    pub fn fill_input(&self, extra_input: &str) -> String {
        let protocol = self.fake.base_url.split(':').next().unwrap();
        format!(
            "protocol={protocol}\nhost={}\n{extra_input}",
            self.fake.host
        )
    }

    /// The helper's own `get`, as git would run it but without git's
    /// handling of the answer, with the OAuth settings in the environment.
    pub fn helper_get(&self, extra_input: &str) -> Run {
        run(
            self.helper_get_command(),
            self.fill_input(extra_input).as_bytes(),
        )
    }

    /// That `get`, not yet run, with the OAuth settings in the environment
    /// as `git -c` hands them down (GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n).
    pub fn helper_get_command(&self) -> Command {
        self.helper_command(&["get"])
    }

    /// The helper with `args`, configured for this world as
    /// [`World::helper_get_command`] is.
    pub fn helper_command(&self, args: &[&str]) -> Command {
        let mut command = command(&helper_program());
        command
            .env_remove("GIT_TERMINAL_PROMPT")
            .env("BROWSER", self.dir.join("browser"))
            .args(args);
        self.network(&mut command);
        let (key, value) = own_redirect_setting();
        let mut settings = vec![format!("{key}={value}")];
        settings.extend(self.oauth_config());
        command.env("GIT_CONFIG_COUNT", settings.len().to_string());
        for (index, setting) in settings.iter().enumerate() {
            let (key, value) = setting.split_once('=').unwrap();
            command
                .env(format!("GIT_CONFIG_KEY_{index}"), key)
                .env(format!("GIT_CONFIG_VALUE_{index}"), value);
        }
        command
    }

    /// How many of this world's helpers are blocked on a sign-in or
    /// refresh lock: helpers (by `comm`) with a thread named "lock" (see
    /// src/lock.rs) whose parent git has this world's `$BROWSER` in its
    /// environment. The helper's own environ and exe are not readable by
    /// other users: it makes itself non-dumpable.
    pub fn helpers_waiting_for_a_lock(&self) -> usize {
        let browser = format!("BROWSER={}", self.dir.join("browser").display());
        let Ok(processes) = std::fs::read_dir("/proc") else {
            return 0;
        };
        let parent_is_ours = |path: &Path| {
            let Ok(stat) = std::fs::read_to_string(path.join("stat")) else {
                return false;
            };
            // pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .unwrap_or_default();
            std::fs::read(format!("/proc/{ppid}/environ")).is_ok_and(|environ| {
                environ
                    .split(|&byte| byte == 0)
                    .any(|variable| variable == browser.as_bytes())
            })
        };
        processes
            .flatten()
            .filter(|process| {
                let path = process.path();
                let helper = std::fs::read_to_string(path.join("comm"))
                    .is_ok_and(|comm| "git-credential-ghoauth".starts_with(comm.trim_end()));
                let waiting = std::fs::read_dir(path.join("task")).is_ok_and(|threads| {
                    threads.flatten().any(|thread| {
                        std::fs::read_to_string(thread.path().join("comm"))
                            .is_ok_and(|name| name.trim_end() == "lock")
                    })
                });
                helper && waiting && parent_is_ours(&path)
            })
            .count()
    }

    /// The page the browser tab ended on. curl may still be writing it when
    /// git is done, so wait for the whole of it.
    pub fn page_shown(&self) -> String {
        let path = self.dir.join("page.html");
        let mut page = String::new();
        wait_until(Duration::from_secs(10), "the browser's last page", || {
            page = std::fs::read_to_string(&path).unwrap_or_default();
            page.contains("</html>")
        });
        page
    }

    pub fn browser_opened(&self) -> usize {
        std::fs::read_to_string(self.dir.join("browser.log"))
            .map(|log| log.lines().count())
            .unwrap_or(0)
    }

    /// A clone of a new repository `<owner>/<name>` on the fake, in
    /// `<world>/work`, made without signing in (the repository is public).
    /// A clone of a new public repository, which `pusher` may push to as
    /// a collaborator (on GitHub others may only read a public one).
    pub fn clone_new_repo(&self, owner_and_name: &str, pusher: &str) -> PathBuf {
        let remote = self.fake.create_repo(owner_and_name);
        self.fake
            .add_collaborator(owner_and_name, pusher, crate::fake_github::Permission::Push);
        let work = self.dir.join("work");
        let cloned = self.git(
            &self.dir,
            &[],
            &["clone", "-q", &remote, work.to_str().unwrap()],
        );
        assert!(cloned.status.success(), "{}", cloned.stderr);
        work
    }

    pub fn keyring(&self) -> String {
        secret_tool_search(&self.fake.host)
    }

    pub fn live_tokens(&self) -> Vec<String> {
        self.fake
            .tokens()
            .into_iter()
            .filter(|(_, live)| *live)
            .map(|(token, _)| token)
            .collect()
    }
}

/// The helper's lines on stderr other than the sign-in notices (git adds
/// its own, such as "could not read Username", after a helper gives up).
pub fn complaints(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| line.starts_with("git-credential-ghoauth: "))
        .filter(|line| {
            // The sign-in's and setup's own prompts are no complaints.
            ![
                "approve access in your browser",
                "enter the code:",
                "press \"Create GitHub App\"",
                "choose repositories and press \"Install\"",
                "its private key and webhook secret were not kept",
            ]
            .iter()
            .any(|prompt| line.contains(prompt))
        })
        .collect()
}

/// git's answer names `login` (so a token came with it).
pub fn assert_signed_in_as(filled: &Run, login: &str) {
    let answer = filled.stdout_text();
    assert!(
        answer.contains(&format!("username={login}\n")) && answer.contains("password="),
        "no answer for {login}: {}",
        filled.stderr
    );
}

pub fn commit(world: &World, work: &Path, file: &str) {
    std::fs::write(work.join(file), format!("{file}\n")).unwrap();
    assert!(world.git(work, &[], &["add", file]).status.success());
    let committed = world.git(work, &[], &["commit", "-q", "-m", file]);
    assert!(committed.status.success(), "{}", committed.stderr);
}

pub fn files_containing(root: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if std::fs::read(&path)
                .is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
            {
                found.push(path);
            }
        }
    }
    found
}

/// `git credential reject` of octocat's `token`, as git sends it after a 401.
pub fn reject(world: &World, token: &str) -> Run {
    reject_with(
        world,
        &world.fill_input(&format!("username=octocat\npassword={token}\n")),
    )
}

pub fn reject_with(world: &World, input: &str) -> Run {
    run(reject_command(world), input.as_bytes())
}

/// `git credential reject`, with this helper and the app.
pub fn reject_command(world: &World) -> Command {
    let mut command = command("git");
    command
        .args(["-c", "credential.helper=", "-c"])
        .arg(format!("credential.helper={}", helper_program()));
    world.network(&mut command);
    for setting in world.oauth_config() {
        command.args(["-c", &setting]);
    }
    command.args(["credential", "reject"]);
    command
}

/// Each way a sign-in can fail ends with one line that says why, nothing on
/// stdout, nothing in the keyring and no live token.
pub fn assert_fails_cleanly(world: &World, filled: &Run, expected: &str) {
    assert_eq!(filled.stdout_text(), "", "git gets nothing to misread");
    let complaints = complaints(&filled.stderr);
    assert_eq!(complaints.len(), 1, "one line: {}", filled.stderr);
    assert!(
        complaints[0].contains(expected),
        "{expected:?} in {complaints:?}"
    );
    assert!(complaints[0].starts_with("git-credential-ghoauth: "));
    assert!(!world.keyring().contains("octocat"), "nothing stored");
    assert_eq!(world.live_tokens(), Vec::<String>::new());
}
