//! Test support: a private Secret Service and helpers that run the built
//! binary, directly or through real git.
//!
//! Each test binary gets one throwaway D-Bus session with an unlocked
//! gnome-keyring in a throwaway HOME, never the user's own keyring. Its
//! lifetime is tied to a pipe: when the test process exits, however it
//! exits, the pipe closes and the session shell stops the daemons and
//! removes the directory.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

/// The built helper. The test, bench or example binary that runs this lives
/// in `deps/` or `examples/` under the profile's directory, beside which
/// cargo puts the helper.
pub fn helper_exe() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        let running = std::env::current_exe().expect("the running binary's path");
        let profile = running
            .parent()
            .and_then(Path::parent)
            .expect("a binary under target/<profile>/");
        let helper = profile.join(format!(
            "git-credential-ghoauth{}",
            std::env::consts::EXE_SUFFIX
        ));
        assert!(
            helper.is_file(),
            "{} was not built (cargo test and cargo bench build it)",
            helper.display()
        );
        helper.display().to_string()
    })
}

pub struct Session {
    pub dir: PathBuf,
    pub bus_address: String,
    /// Daemons [`Session::restart_keyring`] started; the first one is the
    /// session script's own, named in `keyring-pid`.
    restarted: Mutex<Vec<Child>>,
    /// The oo7-daemon that serves instead of gnome-keyring, if one does.
    oo7: Option<String>,
    _lifeline: Mutex<(Child, ChildStdin)>,
}

static SESSION: OnceLock<Session> = OnceLock::new();
static SECRETS: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

pub fn session() -> &'static Session {
    SESSION.get_or_init(|| start_session(KeyringState::Unlocked))
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum KeyringState {
    /// A login keyring with a password, unlocked at the start as a
    /// desktop login does: gnome-keyring keeps it encrypted, every byte.
    Unlocked,
    /// A login keyring with no password, as autologin desktops, kiosks and
    /// Raspberry Pis have: gnome-keyring keeps it as a plaintext GKeyFile
    /// (`data/keyrings/login.keyring`), open without unlocking, and reads
    /// it back with GKeyFile's rules.
    Passwordless,
    /// No login keyring yet and no way to prompt for its password.
    Locked,
    /// A session bus with no Secret Service on it at all.
    Absent,
}

/// A session of its own, for tests that need a keyring in another state.
/// Dropping it stops its daemons.
pub fn start_session(state: KeyringState) -> Session {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "ghoauth-test-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    for sub in ["home", "run", "data", "config", "cache"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    set_private(&dir.join("run"));
    if state == KeyringState::Passwordless {
        write_passwordless_login_keyring(&dir.join("data"));
    }
    // GHOAUTH_TEST_OO7 names an oo7-daemon to serve instead of
    // gnome-keyring, for the suite's second run (tests/run.sh).
    let oo7 = std::env::var("GHOAUTH_TEST_OO7")
        .ok()
        .filter(|path| !path.is_empty() && state == KeyringState::Unlocked);
    let start_oo7 = oo7
        .as_ref()
        .map(|path| format!("printf %s test-password | '{path}' --login"));
    let start_keyring = match (state, &start_oo7) {
        (KeyringState::Unlocked, Some(start_oo7)) => start_oo7.as_str(),
        (KeyringState::Unlocked, None) => {
            "printf %s test-password | gnome-keyring-daemon --foreground --unlock --components=secrets"
        }
        (KeyringState::Locked | KeyringState::Passwordless, _) => {
            "gnome-keyring-daemon --foreground --components=secrets </dev/null"
        }
        (KeyringState::Absent, _) => "cat",
    };
    // A bus of its own with no service files, so nothing is ever activated.
    let bus_config = format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:dir={}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>"#,
        dir.join("run").display()
    );
    std::fs::write(dir.join("bus.conf"), bus_config).unwrap();
    let script = format!(
        r#"
        {start_keyring} >/dev/null 2>&1 &
        keyring_pid=$!
        echo $keyring_pid > "$GHOAUTH_TEST_DIR/keyring-pid"
        printf %s "$DBUS_SESSION_BUS_ADDRESS" > "$GHOAUTH_TEST_DIR/bus-address.tmp"
        mv "$GHOAUTH_TEST_DIR/bus-address.tmp" "$GHOAUTH_TEST_DIR/bus-address"
        cat >/dev/null
        kill $keyring_pid 2>/dev/null
        wait $keyring_pid 2>/dev/null
        rm -rf "$GHOAUTH_TEST_DIR"
        "#
    );
    let mut child = Command::new("dbus-run-session")
        .arg("--config-file")
        .arg(dir.join("bus.conf"))
        .args(["--", "sh", "-c", &script])
        .envs(private_env(&dir))
        .env("GHOAUTH_TEST_DIR", &dir)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-run-session (package dbus-daemon) must be installed");
    let stdin = child.stdin.take().unwrap();

    let address_file = dir.join("bus-address");
    wait_until(Duration::from_secs(20), "the private D-Bus session", || {
        address_file.exists()
    });
    let bus_address = std::fs::read_to_string(&address_file).unwrap();
    let session = Session {
        dir,
        bus_address,
        restarted: Mutex::new(Vec::new()),
        oo7,
        _lifeline: Mutex::new((child, stdin)),
    };
    if state != KeyringState::Absent {
        session.wait_for_secret_service(true);
    }
    session
}

/// The file gnome-keyring reads a passwordless login keyring from: a
/// GKeyFile whose keyring group has no items yet. A file that does not
/// begin with gnome-keyring's binary header is read as plaintext.
fn write_passwordless_login_keyring(data_home: &Path) {
    let keyrings = data_home.join("keyrings");
    std::fs::create_dir_all(&keyrings).unwrap();
    set_private(&keyrings);
    std::fs::write(
        keyrings.join("login.keyring"),
        "[keyring]\ndisplay-name=Login\nctime=0\nmtime=0\nlock-on-idle=false\nlock-after=false\n",
    )
    .unwrap();
    std::fs::write(keyrings.join("default"), "login").unwrap();
}

impl Session {
    /// What gnome-keyring keeps of a passwordless login keyring, as text.
    pub fn passwordless_keyring_file(&self) -> String {
        std::fs::read_to_string(self.dir.join("data/keyrings/login.keyring")).unwrap_or_default()
    }

    /// Waits until gnome-keyring has written `needle` to its passwordless
    /// keyring file: a restart before that would lose the write for a
    /// reason of the test's own.
    pub fn wait_until_written(&self, needle: &str) {
        wait_until(
            Duration::from_secs(10),
            "the keyring file to be written",
            || self.passwordless_keyring_file().contains(needle),
        );
    }

    /// SIGKILLs the Secret Service daemon, as a crash or an out-of-memory
    /// kill does, and waits until its name has left the bus.
    pub fn kill_keyring(&self) {
        let restarted = self.restarted.lock().unwrap();
        let pid = match restarted.last() {
            Some(daemon) => daemon.id(),
            None => std::fs::read_to_string(self.dir.join("keyring-pid"))
                .ok()
                .and_then(|pid| pid.trim().parse().ok())
                .expect("the session script names its keyring daemon"),
        };
        // SAFETY: plain kill(2) on a daemon this session started.
        #[cfg(unix)]
        unsafe {
            libc::kill(pid as i32, libc::SIGKILL)
        };
        #[cfg(not(unix))]
        let _ = pid;
        drop(restarted);
        self.wait_for_secret_service(false);
    }

    /// Starts gnome-keyring again on this bus, as the next login does:
    /// with `unlock_with` as the login password (PAM's way), or with none,
    /// when a keyring with a password comes back locked.
    pub fn restart_keyring(&self, unlock_with: Option<&str>) {
        let mut daemon = match &self.oo7 {
            Some(oo7) => Command::new(oo7),
            None => {
                let mut daemon = Command::new("gnome-keyring-daemon");
                daemon.args(["--foreground", "--components=secrets"]);
                daemon
            }
        };
        daemon
            .envs(private_env(&self.dir))
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if unlock_with.is_some() {
            let unlock = if self.oo7.is_some() {
                "--login"
            } else {
                "--unlock"
            };
            daemon.arg(unlock).stdin(Stdio::piped());
        } else {
            daemon.stdin(Stdio::null());
        }
        let mut daemon = daemon.spawn().expect("gnome-keyring-daemon");
        if let (Some(password), Some(mut stdin)) = (unlock_with, daemon.stdin.take()) {
            stdin.write_all(password.as_bytes()).unwrap();
        }
        self.restarted.lock().unwrap().push(daemon);
        self.wait_for_secret_service(true);
    }

    fn wait_for_secret_service(&self, present: bool) {
        let what = if present {
            "gnome-keyring on the private bus"
        } else {
            "gnome-keyring to leave the bus"
        };
        wait_until(Duration::from_secs(20), what, || {
            Command::new("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    // Bounded: a bus that does not answer is retried, not waited on.
                    "--reply-timeout=2000",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
                .output()
                .is_ok_and(|out| {
                    let reply = String::from_utf8_lossy(&out.stdout);
                    reply.contains(if present { "true" } else { "false" })
                })
        });
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let mut restarted = self.restarted.lock().unwrap_or_else(|p| p.into_inner());
        for mut daemon in restarted.drain(..) {
            let _ = daemon.kill();
            let _ = daemon.wait();
        }
    }
}

fn set_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = path;
}

fn private_env(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    vec![
        ("HOME", dir.join("home")),
        ("XDG_RUNTIME_DIR", dir.join("run")),
        ("XDG_DATA_HOME", dir.join("data")),
        ("XDG_CONFIG_HOME", dir.join("config")),
        ("XDG_CACHE_HOME", dir.join("cache")),
    ]
}

/// Polls `condition` until it holds, failing the test after `limit`.
pub fn wait_until(limit: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A password unique to this run, remembered so that every command's stderr
/// can be checked for it.
pub fn secret(name: &str) -> String {
    let value = format!("s3cret-{name}-{}", std::process::id());
    SECRETS.lock().unwrap().insert(value.clone());
    value
}

/// Watches for `value` on every command's stderr from now on (tokens a fake
/// server issues, say).
pub fn watch_secret(value: &str) {
    SECRETS.lock().unwrap().insert(value.to_string());
}

/// A host name unique to a test, so tests sharing the keyring stay apart.
pub fn host(name: &str) -> String {
    format!("{name}.{}.test", std::process::id())
}

pub struct Run {
    pub status: std::process::ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Run {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// The environment every command under test gets: the private session, no
/// user or system git config, and no prompts.
pub fn command(program: &str) -> Command {
    let (dir, bus_address) = OWN_SESSION.with_borrow(Clone::clone).unwrap_or_else(|| {
        let shared = session();
        (shared.dir.clone(), shared.bus_address.clone())
    });
    let mut command = match KERNEL.with_borrow(Clone::clone) {
        None => Command::new(program),
        Some(kernel) => kernel.command(program),
    };
    command
        .envs(private_env(&dir))
        .env("DBUS_SESSION_BUS_ADDRESS", &bus_address)
        // The Secret Service alone: nothing a test keeps may land in the
        // developer's kernel keyring. Tests of `auto` and of the kernel
        // store run in a namespace of their own (see `without_dbus`).
        .env("GHOAUTH_STORE", "secret-service")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GHOAUTH_CACHE_SECONDS", "120")
        .envs(own_redirect())
        .env_remove("GIT_ASKPASS")
        .env_remove("SSH_ASKPASS")
        .env_remove("BROWSER");
    // Test traffic stays on loopback, whatever proxy the machine has.
    for proxy in [
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
    ] {
        command.env_remove(proxy);
    }
    if let Some(kernel) = KERNEL.with_borrow(Clone::clone) {
        if !kernel.keep_bus {
            command.env_remove("DBUS_SESSION_BUS_ADDRESS");
        }
        match kernel.store {
            Some(store) => command.env("GHOAUTH_STORE", store),
            None => command.env_remove("GHOAUTH_STORE"),
        };
    }
    // No controlling terminal: a git that wants to prompt fails at once
    // instead of waiting on the terminal of whoever runs the tests.
    #[cfg(unix)]
    // SAFETY: setsid(2) is async-signal-safe and touches no Rust state.
    unsafe {
        use std::os::unix::process::CommandExt;
        command.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    command
}

/// git config, in the environment, that gives each command's browser
/// sign-ins a loopback redirect port of their own (a test's own `-c` for
/// its remote wins over it). Without it every sign-in would listen on the
/// helper's one default port (`DEFAULT_REDIRECT_URI`), which parallel
/// tests would take from each other. [`without_own_redirect`] undoes it.
pub fn own_redirect() -> [(&'static str, String); 3] {
    let (key, value) = own_redirect_setting();
    [
        ("GIT_CONFIG_COUNT", "1".to_string()),
        ("GIT_CONFIG_KEY_0", key.to_string()),
        ("GIT_CONFIG_VALUE_0", value),
    ]
}

/// The setting [`own_redirect`] puts in the environment, on a fresh port.
pub fn own_redirect_setting() -> (&'static str, String) {
    let port = crate::fake_github::unused_loopback_port()
        .local_addr()
        .unwrap()
        .port();
    (
        "credential.ghoauthRedirectUri",
        format!("http://127.0.0.1:{port}/callback"),
    )
}

/// The helper as a user runs it: no redirect configured, so it listens on
/// its default port when that is free.
pub fn without_own_redirect(command: &mut Command) -> &mut Command {
    for name in ["GIT_CONFIG_COUNT", "GIT_CONFIG_KEY_0", "GIT_CONFIG_VALUE_0"] {
        command.env_remove(name);
    }
    command
}

thread_local! {
    /// The session [`in_session`] put in place of the shared one.
    static OWN_SESSION: std::cell::RefCell<Option<(PathBuf, String)>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `test` with every [`command`] on `session`'s bus and in its
/// directories instead of the shared session's: for tests that restart or
/// kill its keyring.
pub fn in_session<T>(session: &Session, test: impl FnOnce() -> T) -> T {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            OWN_SESSION.with_borrow_mut(|current| *current = None);
        }
    }
    OWN_SESSION.with_borrow_mut(|current| {
        *current = Some((session.dir.clone(), session.bus_address.clone()))
    });
    let _reset = Reset;
    test()
}

/// Held shared by every command [`run`] runs. Any store or erase makes all
/// of this user's cached answers stale (one generation per user), so a test
/// that needs a cached answer to survive between two of its commands holds
/// it exclusively and runs those with [`run_alone`].
static STILL: RwLock<()> = RwLock::new(());

/// Keeps every other test's commands waiting until dropped.
pub fn keep_others_still() -> std::sync::RwLockWriteGuard<'static, ()> {
    STILL
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs with `input` on stdin, bounded in time, and checks that no secret
/// handed out by [`secret`] reached stderr.
pub fn run(command: Command, input: &[u8]) -> Run {
    let _shared = STILL
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    run_alone(command, input)
}

/// [`run`], for a test that holds [`keep_others_still`].
pub fn run_alone(mut command: Command, input: &[u8]) -> Run {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = wait_bounded(child, Duration::from_secs(60));
    writer.join().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    for secret in SECRETS.lock().unwrap().iter() {
        assert!(
            !stderr.contains(secret.as_str()),
            "a secret leaked to stderr: {stderr}"
        );
    }
    Run {
        status: output.status,
        stdout: output.stdout,
        stderr,
    }
}

fn wait_bounded(child: Child, limit: Duration) -> Output {
    let pid = child.id();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    match receiver.recv_timeout(limit) {
        Ok(output) => output.expect("wait"),
        Err(_) => {
            // SAFETY: plain kill(2) on the pid of a child we spawned and still own.
            #[cfg(unix)]
            unsafe {
                libc::kill(pid as i32, libc::SIGKILL)
            };
            #[cfg(not(unix))]
            let _ = pid;
            panic!("command did not finish within {limit:?}");
        }
    }
}

/// The wrapper that runs the Windows build under Wine, once `wine`
/// has made it.
pub static WINDOWS_HELPER: OnceLock<PathBuf> = OnceLock::new();

thread_local! {
    static ON_WINDOWS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `test` with the Windows build as the helper under test (see
/// `crate::wine::on_windows`, which makes it first).
pub fn with_windows_helper<T>(test: impl FnOnce() -> T) -> T {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            ON_WINDOWS.with(|on| on.set(false));
        }
    }
    ON_WINDOWS.with(|on| on.set(true));
    let _reset = Reset;
    test()
}

/// True inside [`with_windows_helper`].
pub fn under_wine() -> bool {
    ON_WINDOWS.with(std::cell::Cell::get)
}

/// The helper under test: the Linux build, or the Windows build under Wine.
pub fn helper_program() -> String {
    match under_wine() {
        true => WINDOWS_HELPER
            .get()
            .expect("the Windows helper is made before it is used")
            .display()
            .to_string(),
        false => helper_exe().to_string(),
    }
}

/// The helper itself, as git would call it.
pub fn helper(operation: &str, input: &str) -> Run {
    let mut command = command(&helper_program());
    command.arg(operation);
    run(command, input.as_bytes())
}

/// `git credential <action>` with this helper as the only one configured.
pub fn git_credential(action: &str, extra_config: &[&str], input: &str) -> Run {
    let mut command = command("git");
    command.args(["-c", "credential.helper=", "-c"]);
    command.arg(format!("credential.helper={}", helper_program()));
    for setting in extra_config {
        command.args(["-c", setting]);
    }
    command.args(["credential", action]);
    run(command, input.as_bytes())
}

/// What `secret-tool` (libsecret's own client) sees in the keyring.
pub fn secret_tool_search(host: &str) -> String {
    let mut command = command("secret-tool");
    command.args([
        "search",
        "--all",
        "--unlock",
        "service",
        "git-credential-ghoauth",
        "host",
        host,
    ]);
    // Bounded like every other command here: a keyring that hangs fails
    // the test instead of stalling it.
    let searched = run(command, b"");
    format!("{}{}", searched.stdout_text(), searched.stderr)
}

/// A git that speaks 2.46's `capability[]` (authtype, state): the one
/// tests/run.sh built from git's source (`GHOAUTH_TEST_GIT_246`), else the
/// one on PATH if it is new enough. `None` only outside CI, where the test
/// that asked says it is skipped; in CI a missing one fails that test.
pub fn git_246(test: &str) -> Option<String> {
    if let Some(built) = std::env::var_os("GHOAUTH_TEST_GIT_246") {
        return Some(built.to_string_lossy().into_owned());
    }
    if git_version_of("git") >= (2, 46) {
        return Some("git".to_string());
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: needs git 2.46 or later; tests/run.sh builds one into target/conformance"
    );
    eprintln!("{test}: SKIPPED, no git 2.46 or later (run tests/run.sh, which builds one)");
    None
}

/// `<git> credential <action>` with this helper as the only one
/// configured, for a `git` other than the one on PATH.
pub fn git_credential_with(git: &str, action: &str, input: &str) -> Run {
    let mut command = command(git);
    command.args(["-c", "credential.helper=", "-c"]);
    command.arg(format!("credential.helper={}", helper_program()));
    command.args(["credential", action]);
    run(command, input.as_bytes())
}

/// (major, minor) of the git on PATH.
pub fn git_version() -> (u32, u32) {
    git_version_of("git")
}

fn git_version_of(git: &str) -> (u32, u32) {
    let output = Command::new(git).arg("--version").output().expect("git");
    let text = String::from_utf8_lossy(&output.stdout);
    let mut numbers = text
        .split_whitespace()
        .nth(2)
        .unwrap_or("0.0")
        .split('.')
        .map(|part| part.parse().unwrap_or(0));
    (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0))
}

/// A user namespace of its own, so that the kernel's persistent keyring
/// (one per user and namespace) is this test's alone: nothing it keeps
/// meets the developer's own keyring or another test's, and all of it is
/// gone with the namespace. A `cat` holds the namespace open until the
/// test drops its stdin.
pub struct KernelNamespace {
    holder: Mutex<(Child, Option<ChildStdin>)>,
    pid: u32,
    /// `GHOAUTH_STORE` for every command, or `None` for the default (auto).
    store: Option<&'static str>,
    /// Whether commands keep the test session's D-Bus (and Secret Service).
    keep_bus: bool,
}

impl KernelNamespace {
    fn start(store: Option<&'static str>, keep_bus: bool) -> KernelNamespace {
        let mut holder = Command::new("unshare")
            .args(["--user", "--map-root-user", "cat"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("unshare (package util-linux)");
        let stdin = holder.stdin.take();
        let pid = holder.id();
        let ours = std::fs::read_link("/proc/self/ns/user").unwrap();
        wait_until(Duration::from_secs(10), "a user namespace", || {
            // unshare that exits has been refused one (a container without
            // user namespaces, or kernel.unprivileged_userns_clone=0).
            if let Ok(Some(status)) = holder.try_wait() {
                panic!(
                    "unshare --user could not make a user namespace ({status}); the kernel-store \
                     tests need user namespaces: run as root, or allow unprivileged ones"
                );
            }
            std::fs::read_link(format!("/proc/{pid}/ns/user")).is_ok_and(|ns| ns != ours)
        });
        KernelNamespace {
            holder: Mutex::new((holder, stdin)),
            pid,
            store,
            keep_bus,
        }
    }

    /// `program`, run in the namespace.
    fn command(&self, program: &str) -> Command {
        let mut command = Command::new("nsenter");
        command.args([
            "--target",
            &self.pid.to_string(),
            "--user",
            "--preserve-credentials",
            "--",
            program,
        ]);
        command
    }
}

impl Drop for KernelNamespace {
    fn drop(&mut self) {
        let mut holder = self.holder.lock().unwrap_or_else(|p| p.into_inner());
        drop(holder.1.take());
        let _ = holder.0.wait();
    }
}

// Set while a test runs with no D-Bus, in a namespace of its own. (Already
// const; clippy 1.96 says otherwise on one target.)
thread_local! {
    #[allow(clippy::missing_const_for_thread_local)]
    static KERNEL: std::cell::RefCell<Option<std::sync::Arc<KernelNamespace>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `test` with every command (git and the helper alike) in a user
/// namespace of its own, with no D-Bus at all and `GHOAUTH_STORE=store`
/// (`None`: the default, auto).
pub fn without_dbus<T>(store: Option<&'static str>, test: impl FnOnce() -> T) -> T {
    in_namespace(KernelNamespace::start(store, false), test)
}

/// Runs `test` in a user namespace of its own, with the session's Secret
/// Service and the default store (auto).
pub fn auto_with_dbus<T>(test: impl FnOnce() -> T) -> T {
    in_namespace(KernelNamespace::start(None, true), test)
}

fn in_namespace<T>(namespace: KernelNamespace, test: impl FnOnce() -> T) -> T {
    let namespace = std::sync::Arc::new(namespace);
    KERNEL.with_borrow_mut(|current| *current = Some(namespace));
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            KERNEL.with_borrow_mut(|current| *current = None);
        }
    }
    let _reset = Reset;
    test()
}

/// True inside [`without_dbus`].
pub fn in_kernel_namespace() -> bool {
    KERNEL.with_borrow(Option::is_some)
}

/// What the kernel keyring of the current test's namespace holds, as
/// `keyctl` shows it: one line per key, with the payload.
pub fn kernel_keys() -> String {
    let mut command = command("sh");
    command.args([
        "-c",
        "ring=$(keyctl get_persistent @s) && for key in $(keyctl rlist \"$ring\"); do \
         keyctl rdescribe \"$key\"; echo; keyctl pipe \"$key\"; echo; done",
    ]);
    let listed = run(command, b"");
    format!("{}{}", listed.stdout_text(), listed.stderr)
}
