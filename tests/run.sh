#!/bin/sh
# Runs the whole test suite: unit tests, and integration tests that drive the
# built helper through real git against a private gnome-keyring, the kernel
# keyring, and (the Windows build, under Wine) Windows Credential Manager.
#
# The integration tests need a few Debian packages; when one is missing and
# this runs as root (or sudo is available), they are installed first.
set -eu
cd "$(dirname "$0")/.."

packages="gnome-keyring dbus-daemon dbus-bin libsecret-tools keyutils git curl strace util-linux make xz-utils zlib1g-dev"
missing=""
for program in gnome-keyring-daemon dbus-run-session dbus-send secret-tool keyctl git curl strace setpriv make xz; do
    command -v "$program" >/dev/null 2>&1 || missing="$missing $program"
done
# git's own tests are built from its source, which needs zlib's headers.
[ -f /usr/include/zlib.h ] || missing="$missing zlib.h"
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

# oo7-daemon, a second Secret Service (the oo7 project's, in Rust), pinned
# and built once into target/oo7 for the whole suite (not when tests are
# picked by name): a release build, since a debug one unlocks a keyring too
# slowly for the keyring timeout. 2.5 to 5 minutes of compiling on two
# cores, so it is built in the background while the suite runs, which
# leaves the processors half idle.
oo7=target/oo7/bin/oo7-daemon
oo7_build=""
if [ $# -eq 0 ] && [ ! -x "$oo7" ]; then
    echo "tests/run.sh: building oo7-daemon 0.7.0-beta into target/oo7, in the background ($(date +%T))" >&2
    mkdir -p target
    cargo install --quiet --locked oo7-daemon --version 0.7.0-beta --root target/oo7 >target/oo7-build.log 2>&1 &
    oo7_build=$!
    trap 'kill "$oo7_build" 2>/dev/null || true' EXIT
fi

# A git of 2.46 or later, built from git's source (../shared/conformance,
# or GHOAUTH_GIT_SOURCE) once, for the tests of git's capabilities, whose
# names begin with git_246_ (Debian 12's git is 2.39). For the whole suite
# it is built in the background while the compiled suite runs, and those
# tests run once it is there; for a filtered run, first. Without a git source they say they are
# skipped (and fail in CI).
git_source=${GHOAUTH_GIT_SOURCE:-../shared/conformance/git-2.55.0.tar.xz}
git_path=target/git-246.path
rm -f "$git_path"
use_built_git() {
    if [ -s "$git_path" ]; then
        GHOAUTH_TEST_GIT_246=$(cat "$git_path")
        export GHOAUTH_TEST_GIT_246
    fi
}

# A second build with an app built in for github.com (the fake's client
# id, and the secret its built-in world plays: tests/builtin_app.rs), as the
# release workflow builds with the project's app. Its own target directory,
# so that the suite's binary stays as it is.
builtin_path=target/builtin-app.path
rm -f "$builtin_path"
build_builtin() {
    GHOAUTH_BUILTIN_CLIENT_ID=Ov23liFakeClientId01 GHOAUTH_BUILTIN_CLIENT_SECRET=builtin-app-test-secret \
        cargo build --release --locked --quiet --target-dir target/builtin-app --bin git-credential-ghoauth \
        && printf '%s\n' "$PWD/target/builtin-app/release/git-credential-ghoauth" >"$builtin_path"
}
use_builtin() {
    if [ -s "$builtin_path" ]; then
        GHOAUTH_TEST_BUILTIN_HELPER=$(cat "$builtin_path")
        export GHOAUTH_TEST_BUILTIN_HELPER
    fi
}

# One build profile for tests, benchmark and install: built once.
echo "tests/run.sh: the suite ($(date +%T))" >&2
if [ $# -eq 0 ]; then
    # git's build starts once the suite is compiled, so that it uses the
    # processors the running tests leave idle instead of slowing the
    # compile down.
    cargo test --release --locked --no-run
    echo "tests/run.sh: building git 2.46+ from $git_source, in the background ($(date +%T))" >&2
    .ci/conformance --build-only --git-source "$git_source" >"$git_path.tmp" &
    git_build=$!
    echo "tests/run.sh: building the helper with an app built in, in the background ($(date +%T))" >&2
    build_builtin >target/builtin-app.log 2>&1 &
    builtin_build=$!
    trap 'kill "$git_build" "$builtin_build" ${oo7_build:+"$oo7_build"} 2>/dev/null || true' EXIT
    cargo test --release --locked -- --skip git_246_ --skip builtin_app_
    echo "tests/run.sh: waiting for git's build, then the git_246_ tests ($(date +%T))" >&2
    if wait "$git_build"; then
        mv "$git_path.tmp" "$git_path"
    elif [ "${CI:-}" = true ]; then
        exit 1
    fi
    use_built_git
    cargo test --release --locked --test suite -- git_246_
    echo "tests/run.sh: waiting for the build with an app built in, then its tests ($(date +%T))" >&2
    if ! wait "$builtin_build"; then
        tail -20 target/builtin-app.log >&2
        [ "${CI:-}" != true ] || exit 1
    fi
    use_builtin
    cargo test --release --locked --test suite -- builtin_app_
else
    if .ci/conformance --build-only --git-source "$git_source" >"$git_path.tmp"; then
        mv "$git_path.tmp" "$git_path"
    fi
    use_built_git
    case " $* " in *builtin_app*) build_builtin && use_builtin ;; esac
    cargo test --release --locked "$@"
fi

# The rest runs only for the whole suite: the suite again on oo7-daemon,
# then git's own helper tests (t0303, and helper_test_authtype) against
# every store, from git's source beside this checkout
# (../shared/conformance) or GHOAUTH_GIT_SOURCE, skipped, visibly, where
# there is none.
if [ $# -eq 0 ]; then
    if [ -n "$oo7_build" ]; then
        echo "tests/run.sh: waiting for oo7-daemon's build ($(date +%T))" >&2
        wait "$oo7_build" || {
            tail -20 target/oo7-build.log >&2
            [ "${CI:-}" != true ] || exit 1
            echo "tests/run.sh: oo7-daemon did not build; its runs are skipped" >&2
        }
        trap - EXIT
    fi
    oo7_run=""
    if [ -x "$oo7" ]; then
        oo7_run="--oo7 $oo7"
        # The suite again, with oo7-daemon as the Secret Service (Windows'
        # tests have nothing to do with it).
        echo "tests/run.sh: the suite again, on oo7-daemon ($(date +%T))" >&2
        GHOAUTH_TEST_OO7="$PWD/$oo7" cargo test --release --locked --test suite -- --skip on_windows
    fi
    echo "tests/run.sh: git's own helper tests ($(date +%T))" >&2
    .ci/conformance --git-source "$git_source" \
        --windows-exe "$GHOAUTH_TEST_WINDOWS_EXE" $oo7_run
fi
