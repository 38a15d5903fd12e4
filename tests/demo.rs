//! `cargo run --example demo` works for a newcomer: here the newcomer's
//! browser is a script that loads the fake consent page, finds the
//! Authorize link, and follows it (and the redirect after it) with curl.
// Drives processes the Unix way (signals, sessions, file modes, /proc).
#![cfg(unix)]

use crate::common;

use std::path::Path;

use common::*;

#[test]
fn the_demo_signs_in_once_pushes_twice_and_cleans_up() {
    // cargo test builds the examples next to the binaries.
    let demo = Path::new(HELPER).parent().unwrap().join("examples/demo");
    assert!(demo.is_file(), "{} was not built", demo.display());
    let dir = session().dir.join("demo");
    std::fs::create_dir_all(&dir).unwrap();
    let browser = dir.join("browser");
    let log = dir.join("browser.log");
    std::fs::write(
        &browser,
        format!(
            r#"#!/bin/sh
printf '%s\n' "$1" >>'{log}'
page=$(curl -sS -L --noproxy '*' --max-time 20 -w '\n%{{url_effective}}' "$1")
base=$(printf '%s\n' "$page" | tail -n 1 | sed 's#^\(https*://[^/]*\).*#\1#')
link=$(printf '%s\n' "$page" | sed -n 's/.*id="authorize" href="\([^"]*\)".*/\1/p' | sed 's/&amp;/\&/g')
exec curl -sS -L --noproxy '*' --max-time 20 -o /dev/null "$base$link"
"#,
            log = log.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();

    let mut command = command(demo.to_str().unwrap());
    command
        .env("BROWSER", &browser)
        .env_remove("GIT_TERMINAL_PROMPT");
    let ran = run(command, b"");
    let said = ran.stdout_text();
    assert!(ran.status.success(), "{said}\n{}", ran.stderr);
    assert!(said.contains("2/4  git push"), "{said}");
    assert!(said.contains("sign-ins so far: 1\n\n3/4"), "{said}");
    assert!(
        said.contains("Done: one sign-in, two pushes, nothing left behind."),
        "{said}"
    );
    assert!(
        ran.stderr.contains("approve access in your browser"),
        "{}",
        ran.stderr
    );
    let opened = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        opened.lines().count(),
        1,
        "one browser, for the first push only"
    );
}

/// On a server with no browser, the demo says so and still finishes: the
/// device flow, with the demo playing the person at the device page.
#[test]
fn where_no_browser_can_open_the_demo_uses_the_device_flow_and_finishes() {
    let demo = Path::new(HELPER).parent().unwrap().join("examples/demo");
    let mut command = command(demo.to_str().unwrap());
    for name in [
        "BROWSER",
        "DISPLAY",
        "WAYLAND_DISPLAY",
        "WSL_DISTRO_NAME",
        "GIT_TERMINAL_PROMPT",
    ] {
        command.env_remove(name);
    }
    let ran = run(command, b"");
    let said = ran.stdout_text();
    assert!(ran.status.success(), "{said}\n{}", ran.stderr);
    assert!(said.contains("no browser can open here"), "{said}");
    assert!(said.contains("device flow"), "{said}");
    assert!(ran.stderr.contains("enter the code"), "{}", ran.stderr);
    assert!(
        said.contains("Done: one sign-in, two pushes, nothing left behind."),
        "{said}"
    );
}
