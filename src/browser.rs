//! Opens a URL in the user's browser without waiting for it, and without
//! letting it near stdout, which is git's protocol channel.
//!
//! `$BROWSER` wins when set (the convention SSH users and WSL setups rely
//! on); otherwise the platform opener from the `open` crate, which detaches
//! the child and handles WSL's `wslview`.

use std::process::{Command, Stdio};

use crate::report::problem;

/// Starts the browser and returns at once. An opener that cannot start is
/// reported as an error; one that starts and then fails is reported on
/// stderr from a background thread, if the helper is still running. Neither
/// is fatal: the URL has been printed for the user to open.
pub fn open(url: &str) -> Result<(), String> {
    match std::env::var("BROWSER") {
        Ok(browser) if !browser.trim().is_empty() => open_with(&browser, url),
        _ => open::that_detached(url).map_err(|error| {
            format!("could not open a browser ({error}); open the address above yourself")
        }),
    }
}

/// Runs `$BROWSER` through the shell, so it may carry arguments, with the
/// URL as a separate argument (or in place of `%s`, as some set it).
#[cfg(unix)]
fn open_with(browser: &str, url: &str) -> Result<(), String> {
    let script = if browser.contains("%s") {
        browser.replace("%s", "\"$1\"")
    } else {
        format!("{browser} \"$1\"")
    };
    let mut child = Command::new("/bin/sh")
        .args(["-c", &script, "browser", url])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| {
            format!("could not run $BROWSER ({error}); open the address above yourself")
        })?;
    // Reap it, and say so if it failed; nobody waits on this thread.
    let name = browser.to_string();
    std::thread::spawn(move || {
        if let Ok(status) = child.wait()
            && !status.success()
        {
            problem(format!(
                "$BROWSER ({name}) failed ({status}); open the address above yourself"
            ));
        }
    });
    Ok(())
}

#[cfg(not(unix))]
fn open_with(browser: &str, url: &str) -> Result<(), String> {
    Command::new(browser)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|error| {
            format!("could not run $BROWSER ({error}); open the address above yourself")
        })
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
        open_with(script.to_str().unwrap(), url).unwrap();
        assert!(started.elapsed() < Duration::from_secs(3));
        assert_eq!(wait_for(&seen), format!("{url}\n"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn percent_s_marks_where_the_url_goes() {
        let dir = scratch("percent");
        let seen = dir.join("seen");
        let browser = format!("echo %s --new-tab >{}", seen.display());
        open_with(&browser, "http://127.0.0.1:1/x").unwrap();
        assert_eq!(wait_for(&seen), "http://127.0.0.1:1/x --new-tab\n");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
