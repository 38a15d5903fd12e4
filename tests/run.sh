#!/bin/sh
# Runs the whole test suite: unit tests, and integration tests that drive the
# built helper through real git against a private gnome-keyring, the kernel
# keyring, and (the Windows build, under Wine) Windows Credential Manager.
#
# The integration tests need a few Debian packages; when one is missing and
# this runs as root (or sudo is available), they are installed first.
set -eu
cd "$(dirname "$0")/.."

packages="gnome-keyring dbus-daemon dbus-bin libsecret-tools keyutils git curl strace util-linux"
missing=""
for program in gnome-keyring-daemon dbus-run-session dbus-send secret-tool keyctl git curl strace setpriv; do
    command -v "$program" >/dev/null 2>&1 || missing="$missing $program"
done
if [ -n "$missing" ]; then
    echo "tests/run.sh: missing$missing; installing: $packages" >&2
    if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo=sudo; else
        echo "tests/run.sh: not root and no sudo: install $packages, then rerun" >&2
        exit 1
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $packages >/dev/null
fi

# The Windows build, which the suite runs under Wine (tests/support/src/wine); the
# script installs Debian's cross toolchain and Wine when they are missing.
GHOAUTH_TEST_WINDOWS_EXE=$(.ci/build-windows)
export GHOAUTH_TEST_WINDOWS_EXE

# One build profile for tests, benchmark and install: built once.
cargo test --release --locked "$@"

# git's own helper tests (t0303, and helper_test_authtype) against every
# store, from git's source beside this checkout (../shared/conformance) or
# GHOAUTH_GIT_SOURCE; skipped, visibly, where there is none, and when tests
# were picked by name.
if [ $# -eq 0 ]; then
    .ci/conformance --git-source "${GHOAUTH_GIT_SOURCE:-../shared/conformance/git-2.55.0.tar.xz}" \
        --windows-exe "$GHOAUTH_TEST_WINDOWS_EXE"
fi
