//! Opens a URL in the user's browser without waiting for it, and without
//! letting it near stdout, which is git's protocol channel.
//!
//! `$BROWSER` wins when set (the convention SSH users and WSL setups rely
//! on); otherwise the platform openers the `open` crate knows (xdg-open,
//! gio, WSL's `wslview`, macOS `open`, ...), tried in its order.
//!
//! A browser has no business with the OAuth app's secret, so the child's
//! environment loses every variable that may carry it: all of `GIT_*`
//! (`git -c` hands its settings down as `GIT_CONFIG_PARAMETERS` or
//! `GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n`) and all of `GHOAUTH_*`.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::report::say;

/// Prefixes of the variables a browser never sees.
const NOT_FOR_BROWSERS: [&str; 2] = ["GIT_", "GHOAUTH_"];

/// An opener that fails fails fast (no display, nothing registered for
/// URLs); one still running after this long has handed off to a browser.
const HAND_OFF: Duration = Duration::from_millis(250);

/// Starts the browser and returns at once. An opener that cannot start is
/// reported as an error; one that starts and then fails is reported on
/// stderr from a background thread while the returned [`Opened`] lives.
/// Neither is fatal: the URL has been printed for the user to open.
pub fn open(url: &str) -> Result<Opened, NoBrowser> {
    match std::env::var("BROWSER") {
        Ok(browser) if !browser.trim().is_empty() => open_with(&browser, url),
        _ => open_with_platform_opener(url),
    }
}

/// [`open`], with why none opened said on stderr.
pub fn open_or_say_why(url: &str) -> Option<Opened> {
    open(url).map_err(say).ok()
}

/// A browser that was started. Once this is dropped its failure is not
/// reported: the helper has had its last word, and a scripted browser that
/// fails only because the sign-in ended would add a second line to it.
#[must_use = "a browser's failure is reported only while this lives"]
pub struct Opened {
    awaited: Arc<AtomicBool>,
}

impl Opened {
    fn new() -> Opened {
        Opened {
            awaited: Arc::new(AtomicBool::new(true)),
        }
    }
}

impl Drop for Opened {
    fn drop(&mut self) {
        self.awaited.store(false, Ordering::SeqCst);
    }
}

fn open_with_platform_opener(url: &str) -> Result<Opened, NoBrowser> {
    for mut opener in open::commands(url) {
        let Ok(mut child) = quiet(&mut opener).spawn() else {
            continue;
        };
        let started = Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(Opened::new()),
                Ok(Some(_)) | Err(_) => break,
                Ok(None) if started.elapsed() >= HAND_OFF => {
                    drop(reap(child, None));
                    return Ok(Opened::new());
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    }
    Err(NoBrowser::NoOpenerWorked)
}

/// Why no browser opened. Never fatal: the address is on stderr already.
#[derive(Debug)]
pub enum NoBrowser {
    NoOpenerWorked,
    BrowserVariable(std::io::Error),
}

impl std::fmt::Display for NoBrowser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoBrowser::NoOpenerWorked => f.write_str(
                "could not open a browser (no opener worked here); open the address above yourself",
            ),
            NoBrowser::BrowserVariable(error) => write!(
                f,
                "could not run $BROWSER ({error}); open the address above yourself"
            ),
        }
    }
}

/// No stdin to steal, no stdout to corrupt, no stderr to clutter, and no
/// secrets in the environment.
fn quiet(command: &mut Command) -> &mut Command {
    for (name, _) in std::env::vars_os() {
        let bytes = name.as_encoded_bytes();
        if NOT_FOR_BROWSERS
            .iter()
            .any(|prefix| bytes.starts_with(prefix.as_bytes()))
        {
            command.env_remove(name);
        }
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
}

/// Who hears of a `$BROWSER` that failed, and for how long: as long as the
/// [`Opened`] that shares `awaited` lives.
struct FailureReport {
    name: String,
    awaited: Arc<AtomicBool>,
    tell: Box<dyn FnOnce(String) + Send>,
}

/// Waits for the child on a thread nobody joins (but tests), and reports a
/// failure as `report` says.
fn reap(mut child: Child, report: Option<FailureReport>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        if let Ok(status) = child.wait()
            && !status.success()
            && let Some(report) = report
            && report.awaited.load(Ordering::SeqCst)
        {
            (report.tell)(format!(
                "$BROWSER ({}) failed ({status}); open the address above yourself",
                report.name
            ));
        }
    })
}

/// Runs `$BROWSER` and hands the child to a reaper that reports failure.
fn open_with(browser: &str, url: &str) -> Result<Opened, NoBrowser> {
    let child = quiet(&mut browser_command(browser, url))
        .spawn()
        .map_err(NoBrowser::BrowserVariable)?;
    let opened = Opened::new();
    let report = FailureReport {
        name: browser.to_string(),
        awaited: Arc::clone(&opened.awaited),
        tell: Box::new(say),
    };
    drop(reap(child, Some(report)));
    Ok(opened)
}

/// Through the shell, so `$BROWSER` may carry arguments, with the URL as a
/// separate argument (or in place of `%s`, as some set it): never parsed by
/// the shell itself.
#[cfg(unix)]
fn browser_command(browser: &str, url: &str) -> Command {
    let script = if browser.contains("%s") {
        browser.replace("%s", "\"$1\"")
    } else {
        format!("{browser} \"$1\"")
    };
    let mut command = Command::new("/bin/sh");
    command.args(["-c", &script, "browser", url]);
    command
}

#[cfg(not(unix))]
fn browser_command(browser: &str, url: &str) -> Command {
    let mut command = Command::new(browser);
    command.arg(url);
    command
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("ghoauth-browser-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn wait_for(path: &std::path::Path) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(text) = std::fs::read_to_string(path)
                && text.ends_with('\n')
            {
                return text;
            }
            assert!(Instant::now() < deadline, "the browser never ran");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn passes_the_url_as_one_argument_and_does_not_wait() {
        let dir = scratch("wait");
        let seen = dir.join("seen");
        let url = "http://127.0.0.1:1/login?a=1&b=two words;$(touch /tmp/pwned)";
        // A browser that writes what it got, then stays open for a while, as
        // real ones do; `open_with` must return long before it exits.
        let script = dir.join("browser.sh");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$1\" >{}\nexec sleep 10\n",
                seen.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let started = Instant::now();
        let _opened = open_with(script.to_str().unwrap(), url).unwrap();
        assert!(started.elapsed() < Duration::from_secs(3));
        assert_eq!(wait_for(&seen), format!("{url}\n"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn percent_s_marks_where_the_url_goes() {
        let dir = scratch("percent");
        let seen = dir.join("seen");
        let browser = format!("echo %s --new-tab >{}", seen.display());
        let _opened = open_with(&browser, "http://127.0.0.1:1/x").unwrap();
        assert_eq!(wait_for(&seen), "http://127.0.0.1:1/x --new-tab\n");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_browser_is_awaited_until_its_opened_is_dropped() {
        let opened = Opened::new();
        let awaited = Arc::clone(&opened.awaited);
        assert!(awaited.load(Ordering::SeqCst));
        drop(opened);
        assert!(!awaited.load(Ordering::SeqCst));
    }

    /// What the reaper says of a browser that exits with `code`, with its
    /// `Opened` alive or dropped.
    fn reported(code: u8, awaited: bool) -> Vec<String> {
        let child = Command::new("/bin/sh")
            .args(["-c", &format!("exit {code}")])
            .spawn()
            .unwrap();
        let (sender, heard) = std::sync::mpsc::channel();
        let report = FailureReport {
            name: "my-browser --new-tab".into(),
            awaited: Arc::new(AtomicBool::new(awaited)),
            tell: Box::new(move |line| sender.send(line).unwrap()),
        };
        reap(child, Some(report)).join().unwrap();
        heard.try_iter().collect()
    }

    #[test]
    fn a_failed_browser_is_reported_only_while_awaited() {
        assert_eq!(
            reported(3, true),
            [
                "$BROWSER (my-browser --new-tab) failed (exit status: 3); open the address above \
              yourself"
            ]
        );
        assert_eq!(reported(3, false), Vec::<String>::new());
        assert_eq!(reported(0, true), Vec::<String>::new());
    }

    #[test]
    fn no_browser_says_to_open_the_address_by_hand() {
        for why in [
            NoBrowser::NoOpenerWorked,
            NoBrowser::BrowserVariable(std::io::Error::other("no such file")),
        ] {
            assert!(
                why.to_string()
                    .ends_with("; open the address above yourself"),
                "{why}"
            );
        }
    }
}
