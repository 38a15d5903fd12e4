//! The device flow, end to end against the fake GitHub with a one-second
//! interval: the helper shows a code, polls, and keeps the token; the fake
//! plays the user at another device.

use crate::fake_github;
use crate::world;

use std::time::Duration;

use fake_github::DeviceUser;
use world::*;

/// Everything that tells the helper a browser could open.
const DISPLAY_SIGNS: [&str; 6] = [
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "BROWSER",
    "SSH_CONNECTION",
    "SSH_TTY",
    "WSL_DISTRO_NAME",
];

fn device_flow(world: &World) -> Vec<String> {
    vec![format!(
        "credential.{}.ghoauthFlow=device",
        world.fake.base_url
    )]
}

#[test]
fn a_code_entered_at_github_signs_in_without_a_browser() {
    let world = world("device-ok");
    world
        .fake
        .set_device_user(DeviceUser::EntersCodeAfterPolls(2));
    let filled = world.fill(&device_flow(&world), "");
    assert_signed_in_as(&filled, "octocat");
    assert!(
        filled
            .stderr
            .contains(&format!("open {}/login/device", world.fake.base_url)),
        "{}",
        filled.stderr
    );
    let code_line = filled.stderr.lines().nth(1).unwrap_or_default();
    assert!(
        code_line.starts_with("    ") && code_line.trim().len() == 9 && code_line.contains('-'),
        "the code stands alone on its line, easy to copy: {code_line:?}"
    );
    assert_eq!(complaints(&filled.stderr), Vec::<&str>::new());
    assert_eq!(world.browser_opened(), 0);
    assert_eq!(world.fake.authorizations(), 1);
    assert!(world.keyring().contains("attribute.user = octocat"));

    // Kept like any other token: the next fill asks nobody.
    let again = world.fill(&device_flow(&world), "");
    assert_signed_in_as(&again, "octocat");
    assert_eq!(again.stderr, "");
    assert_eq!(world.fake.authorizations(), 1);
}

/// RFC 8628 §3.5: a slow_down adds five seconds, and its reply names the
/// new interval, which the helper waits out when GitHub adds more.
#[test]
fn slow_down_waits_the_interval_github_names() {
    let world = world("device-slow");
    world.fake.demand_slower_once();
    world.fake.set_slow_down_step(Duration::from_secs(7));
    let filled = world.fill(&device_flow(&world), "");
    assert_signed_in_as(&filled, "octocat");
    // The fake answers slow_down again to any poll that comes too early.
    assert_eq!(world.fake.slow_downs(), 1);
    // One second, plus the seven the reply named: not less, and not more
    // than scheduling slack.
    let gaps = world.fake.poll_gaps();
    assert!(!gaps.is_empty());
    for gap in &gaps {
        assert!(
            *gap >= Duration::from_secs(8) && *gap < Duration::from_secs(10),
            "{gaps:?}"
        );
    }
}

#[test]
fn a_denied_code_stores_nothing() {
    let world = world("device-denied");
    world.fake.set_device_user(DeviceUser::Denies);
    let filled = world.fill(&device_flow(&world), "");
    assert_fails_cleanly(&world, &filled, "sign-in was cancelled at GitHub");
}

#[test]
fn an_expired_code_stores_nothing() {
    let world = world("device-expired");
    world.fake.set_device_user(DeviceUser::NeverEnters);
    world
        .fake
        .set_device_timing(Duration::from_secs(1), Duration::from_secs(2));
    let filled = world.fill(&device_flow(&world), "");
    assert_fails_cleanly(
        &world,
        &filled,
        "the device code expired before it was entered",
    );
}

#[test]
fn a_disabled_device_flow_says_which_setting_to_change() {
    let world = world("device-disabled");
    world.fake.disable_device_flow();
    let filled = world.fill(&device_flow(&world), "");
    assert_fails_cleanly(&world, &filled, "Enable Device Flow");
}

#[test]
fn auto_uses_the_device_flow_where_no_browser_can_open() {
    let world = world("device-auto");
    // No secret configured: the device flow needs none.
    let url = &world.fake.base_url;
    let filled = world.fill_without(
        &DISPLAY_SIGNS,
        &[format!("credential.{url}.ghoauthClientSecret=")],
        "",
    );
    assert_signed_in_as(&filled, "octocat");
    assert!(
        filled.stderr.contains("enter the code"),
        "{}",
        filled.stderr
    );
    assert_eq!(world.browser_opened(), 0);
}

#[test]
fn auto_uses_the_browser_where_one_can_open() {
    let world = world("device-auto-browser");
    let mut unset: Vec<&str> = DISPLAY_SIGNS.to_vec();
    unset.retain(|name| *name != "BROWSER");
    let filled = world.fill_without(&unset, &[], "");
    assert_signed_in_as(&filled, "octocat");
    assert_eq!(world.browser_opened(), 1);
}
