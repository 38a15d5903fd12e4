//! The Windows build of the helper, run under Wine and driven by the same
//! real git as every other test.
//!
//! tests/run.sh builds the `.exe` (`.ci/build-windows`) and names it in
//! `GHOAUTH_TEST_WINDOWS_EXE`. This module makes one fresh Wine prefix per
//! test run, so Wine's Credential Manager starts empty, and a shell wrapper
//! named `git-credential-ghoauth` that git runs as the helper. Tests keep
//! apart by host name, as on the shared Secret Service.
//!
//! What Wine 8.0 lacks is made up here, for the tests only (the C sources
//! beside this file say why each exists): `bcryptprimitives.dll`, a
//! `git.exe` that runs the Linux git, a `$BROWSER` that Wine can start, and
//! `credlist.exe`, which shows what Credential Manager holds.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use crate::common::{self, run, session, wait_until};

pub struct Wine {
    /// The wrapper git runs as the helper.
    pub helper: PathBuf,
    prefix: PathBuf,
    shims: PathBuf,
    /// Where the `git.exe` shim hands its calls to Linux git.
    calls: PathBuf,
}

static WINE: OnceLock<Wine> = OnceLock::new();

/// Runs `test` with every helper the harness starts being the Windows build.
/// One such test at a time: Wine 8's `CredEnumerateW` sizes its buffer in
/// one pass and fills it in another, so a credential another process writes
/// in between overruns the heap (measured here: four processes storing and
/// listing at once crash in ntdll's heap within a minute). Real Windows
/// serves Credential Manager from one service and has no such gap.
pub fn on_windows<T>(test: impl FnOnce() -> T) -> T {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    common::WINDOWS_HELPER.get_or_init(|| wine().helper.clone());
    common::with_windows_helper(test)
}

pub fn wine() -> &'static Wine {
    WINE.get_or_init(Wine::start)
}

fn compile(compiler: &str, output: &Path, arguments: &[&str]) {
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/wine");
    let mut command = Command::new(compiler);
    command
        .current_dir(&sources)
        .arg("-O2")
        .arg("-o")
        .arg(output);
    command.args(arguments);
    let built = command
        .output()
        .unwrap_or_else(|e| panic!("{compiler} (tests/run.sh installs it): {e}"));
    assert!(
        built.status.success(),
        "{compiler} {arguments:?}: {}",
        String::from_utf8_lossy(&built.stderr)
    );
}

impl Wine {
    fn start() -> Wine {
        let exe = std::env::var_os("GHOAUTH_TEST_WINDOWS_EXE")
            .map(PathBuf::from)
            .expect(
                "GHOAUTH_TEST_WINDOWS_EXE names no Windows build: run the tests with tests/run.sh, \
             which builds it (.ci/build-windows) and runs it under Wine",
            );
        assert!(exe.is_file(), "no Windows build at {}", exe.display());
        let dir = session().dir.join("wine");
        let (bin, shims, calls) = (dir.join("bin"), dir.join("shims"), dir.join("calls"));
        for sub in [&bin, &shims, &calls] {
            std::fs::create_dir_all(sub).unwrap();
        }
        std::fs::copy(&exe, bin.join("git-credential-ghoauth.exe")).unwrap();
        let mingw = "x86_64-w64-mingw32-gcc";
        compile(
            mingw,
            &bin.join("bcryptprimitives.dll"),
            &[
                "-shared",
                "bcryptprimitives.c",
                "bcryptprimitives.def",
                "-ladvapi32",
            ],
        );
        compile(mingw, &shims.join("git.exe"), &["-municode", "git_shim.c"]);
        compile(
            mingw,
            &shims.join("credlist.exe"),
            &["-municode", "credlist.c", "-ladvapi32"],
        );
        compile("gcc", &dir.join("launch-script"), &["launch_script.c"]);

        let prefix = dir.join("prefix");
        std::fs::create_dir_all(&prefix).unwrap();
        let helper = dir.join("git-credential-ghoauth");
        let windows_path = |path: &Path| format!("Z:{}", path.display()).replace('/', "\\");
        crate::world::write_script(
            &helper,
            &format!(
                r#"export WINEPREFIX='{prefix}' WINEDEBUG=-all WINEPATH='{shims}' GHOAUTH_WINE_SHIM_DIR='{calls}'
# A Windows process needs a Windows path for $BROWSER, to a program Wine can
# start: a copy of the launcher beside the script, named .exe.
if [ -n "$BROWSER" ]; then
    if [ ! -e "$BROWSER.exe" ]; then
        cp '{launcher}' "$BROWSER.exe.$$" && mv "$BROWSER.exe.$$" "$BROWSER.exe"
    fi
    BROWSER="Z:$(printf %s "$BROWSER.exe" | tr / '\\')"
    export BROWSER
fi
exec wine '{exe}' "$@""#,
                prefix = prefix.display(),
                shims = windows_path(&shims),
                calls = calls.display(),
                launcher = dir.join("launch-script").display(),
                exe = bin.join("git-credential-ghoauth.exe").display(),
            ),
        );
        let wine = Wine {
            helper,
            prefix,
            shims,
            calls,
        };
        // A new prefix takes seconds to make; do it once, up front, and keep
        // its server up between the tests' calls (it stops by itself 30 s
        // after the last one). Their output goes nowhere: the services
        // wineboot starts hold on to any pipe until the server stops.
        for (program, argument) in [("wineserver", "-p30"), ("wineboot", "-i")] {
            let mut child = wine
                .command(program)
                .arg(argument)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("{program} (package wine64): {e}"));
            let mut status = None;
            wait_until(Duration::from_secs(120), program, || {
                status = child.try_wait().unwrap();
                status.is_some()
            });
            assert!(status.unwrap().success(), "{program} {argument} failed");
        }
        wait_until(Duration::from_secs(30), "the Windows helper", || {
            let mut version = wine.command(&wine.helper.display().to_string());
            version.arg("--version");
            run(version, b"")
                .stdout_text()
                .starts_with("git-credential-ghoauth ")
        });
        wine
    }

    /// A copy of the Windows helper in `folder`, with the DLL it needs
    /// under Wine beside it.
    pub fn copy_helper_to(&self, folder: &Path) -> PathBuf {
        let bin = self.prefix.parent().unwrap().join("bin");
        std::fs::create_dir_all(folder).unwrap();
        for file in ["git-credential-ghoauth.exe", "bcryptprimitives.dll"] {
            std::fs::copy(bin.join(file), folder.join(file)).unwrap();
        }
        folder.join("git-credential-ghoauth.exe")
    }

    /// The Windows program `exe` (a copy of the helper elsewhere, say),
    /// run under this prefix as the wrapper runs the helper.
    pub fn windows_program(&self, exe: &Path) -> Command {
        let mut command = self.command("wine");
        command
            .env(
                "WINEPATH",
                format!("Z:{}", self.shims.display()).replace('/', "\\"),
            )
            .env("GHOAUTH_WINE_SHIM_DIR", &self.calls)
            .arg(exe);
        command
    }

    /// `program` with this prefix, in the tests' private environment.
    fn command(&self, program: &str) -> Command {
        let mut command = common::command(program);
        command
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all");
        command
    }

    /// What Credential Manager holds: each item's target name, then its
    /// secret, one line each. Wine's `CredEnumerateW` fails when another
    /// test's helper deletes an item while it reads them all; a few tries
    /// (bounded) get a listing that is whole.
    pub fn credentials(&self) -> String {
        for _ in 0..5 {
            let mut list = self.command("wine");
            list.arg(self.shims.join("credlist.exe"));
            let listed = run(list, b"");
            if listed.status.success() {
                return listed.stdout_text();
            }
        }
        panic!("credlist.exe failed five times running");
    }
}
