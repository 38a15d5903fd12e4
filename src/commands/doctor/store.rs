//! The store: which one, whether it answers in time, what it holds; and
//! the lock directory parallel gits share.

use std::time::Instant;

use super::{Check, shown};
use crate::helper::Helper;
use crate::store::{Store, StoreChoice, StoreError};

pub(super) fn checks(helper: &Helper) -> Vec<Check> {
    let mut checks = vec![Check::ok(
        "store.choice",
        format!(
            "{}: {}",
            choice_reason(helper.settings.store),
            helper.store.describe()
        ),
    )];
    let started = Instant::now();
    let listed = helper.store.list(None, None);
    let took = started.elapsed().as_millis();
    checks.push(match listed {
        Ok(stored) => {
            let ours = stored.iter().filter(|entry| entry.oauth.is_some()).count();
            Check::ok(
                "store.answers",
                format!(
                    "the store answered in {took} ms and holds {} credentials ({ours} of them \
                     tokens this helper signed in for)",
                    stored.len()
                ),
            )
        }
        Err(error) => Check::problem("store.answers", error.to_string(), fix_for(&error)),
    });
    checks.extend(kernel_expiry(helper.settings.store));
    checks.push(lock_dir_check());
    checks
}

fn choice_reason(choice: StoreChoice) -> &'static str {
    match choice {
        #[cfg(target_os = "linux")]
        StoreChoice::Auto if crate::store::session_bus_configured() => {
            "auto chose the Secret Service (a session bus is configured)"
        }
        #[cfg(target_os = "linux")]
        StoreChoice::Auto => "auto chose the kernel keyring (no session bus here)",
        #[cfg(not(target_os = "linux"))]
        StoreChoice::Auto => "the OS keyring",
        StoreChoice::SecretService => "chosen with --store=secret-service (or GHOAUTH_STORE)",
        StoreChoice::Kernel => "chosen with --store=kernel (or GHOAUTH_STORE)",
    }
}

/// The store's own words say what happened; this says what to run.
fn fix_for(error: &StoreError) -> String {
    match error {
        StoreError::Locked => "unlock the keyring: log in to the desktop session, or run \
                               `gnome-keyring-daemon --unlock` and type the password"
            .into(),
        StoreError::TimedOut(_) => "make the keyring answer (is an unlock prompt waiting on a \
                                    screen nobody sees?), or keep tokens in the kernel keyring: \
                                    git config --global credential.helper 'ghoauth --store=kernel'"
            .into(),
        StoreError::NoSessionBus | StoreError::NoSecretService => "start a Secret Service (for \
            example gnome-keyring) in this session, or use the kernel keyring: git config \
            --global credential.helper 'ghoauth --store=kernel'"
            .into(),
        _ => "see the line above; `git credential-ghoauth --help` lists the stores".into(),
    }
}

/// The kernel's persistent keyring lives this long after its last use.
fn kernel_expiry(choice: StoreChoice) -> Option<Check> {
    #[cfg(target_os = "linux")]
    {
        let kernel = match choice {
            StoreChoice::Kernel => true,
            StoreChoice::Auto => !crate::store::session_bus_configured(),
            StoreChoice::SecretService => false,
        };
        if !kernel {
            return None;
        }
        let seconds: u64 =
            std::fs::read_to_string("/proc/sys/kernel/keys/persistent_keyring_expiry")
                .ok()?
                .trim()
                .parse()
                .ok()?;
        Some(Check::ok(
            "store.kernel_expiry",
            format!(
                "the kernel's persistent keyring is dropped {} days after its last use, and at reboot",
                seconds / 86_400
            ),
        ))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = choice;
        None
    }
}

fn lock_dir_check() -> Check {
    let Some(dir) = crate::lock::lock_dir() else {
        return Check::warning(
            "store.lock_dir",
            "no private directory for lock files, so parallel gits may each sign in",
            "see the line above: remove the directory it names, and this helper makes its own",
        );
    };
    let shown_dir = shown(dir.display().to_string());
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(meta) = std::fs::symlink_metadata(&dir) else {
            return Check::ok("store.lock_dir", format!("lock files go in {shown_dir}"));
        };
        let mine = meta.uid() == rustix::process::geteuid().as_raw();
        if !mine || meta.mode() & 0o077 != 0 {
            return Check::problem(
                "store.lock_dir",
                format!(
                    "{shown_dir} is {} with mode {:o}: others could hold up or fake a sign-in",
                    if mine { "yours" } else { "not yours" },
                    meta.mode() & 0o777
                ),
                format!("rm -r {shown_dir} (this helper makes a private one again)"),
            );
        }
        Check::ok(
            "store.lock_dir",
            format!(
                "lock files go in {shown_dir} (yours, mode {:o})",
                meta.mode() & 0o777
            ),
        )
    }
    #[cfg(not(unix))]
    Check::ok("store.lock_dir", format!("lock files go in {shown_dir}"))
}
