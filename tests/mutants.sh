#!/bin/sh
# Mutation testing, as a habit rather than a CI step (it takes too long for
# every run): cargo-mutants breaks one line at a time in the modules where a
# silent break would hurt most, and reports each break no test noticed.
#
#   tests/mutants.sh [MODULE...]      (default: all below; MINUTES=30 each)
#
# On 2 cores each mutant costs a rebuild plus the tests it runs, so each
# file is checked only against the tests that cover it: its own unit tests
# (token acquisition's run on the memory store, so they need no D-Bus). Results land in
# target/mutants/<module>/mutants.out/ (missed.txt lists the survivors).
set -eu
cd "$(dirname "$0")/.."
command -v cargo-mutants >/dev/null 2>&1 || cargo install cargo-mutants --locked
minutes=${MINUTES:-30}

# module, file, the cargo test arguments that cover it (a name filter
# applies to every test target given, so it is used with --lib alone)
plan() {
    cat <<'PLAN'
host src/config/host.rs --lib config::host::
protocol src/git/protocol.rs --lib git::protocol::
record src/git/record.rs --lib git::record::
state src/git/state.rs --lib git::state::
listener src/oauth/listener/mod.rs --lib oauth::listener::
listener_head src/oauth/listener/head.rs --lib oauth::listener::
lock src/lock.rs --lib lock::
cache src/store/cache.rs --lib store::cache::
acquire src/acquire/renew.rs --lib acquire::
sign_in_turn src/acquire/sign_in_turn.rs --lib acquire::
store_item src/store/item.rs --lib store::
native src/store/native/mod.rs --lib store::native::
urlmatch src/config/urlmatch.rs --lib config::urlmatch::
fast_path src/cli.rs --lib cli::
repository src/git/repository.rs --lib git::repository::
remote_url src/accounts/remote_url.rs --lib accounts::
bindings src/accounts/bindings.rs --test suite several_accounts
accounts src/accounts/mod.rs --test suite several_accounts
get src/commands/get.rs --lib commands::get::
doctor_chain src/commands/doctor/chain.rs --lib commands::doctor::
config_draft src/config/draft.rs --lib config::draft::
report src/report.rs --lib report::
status src/commands/status.rs --lib commands::status::
kernel src/store/kernel.rs --lib store::kernel::
global src/config/global.rs --lib config::global::
github src/oauth/github.rs --lib oauth::github::
sign_in src/oauth/sign_in.rs --lib oauth::sign_in::
browser src/oauth/browser.rs --lib oauth::browser::
PLAN
}

wanted="$*"
status=0
plan | while read -r module file tests; do
    case " ${wanted:-$module} " in *" $module "*) ;; *) continue ;; esac
    echo "== $module ($file), at most $minutes minutes"
    out="target/mutants/$module"
    mkdir -p "$out"
    # shellcheck disable=SC2086
    timeout "$((minutes * 60))" cargo mutants --file "$file" --output "$out" \
        --timeout 120 -- $tests || status=$?
    if [ -f "$out/mutants.out/missed.txt" ]; then
        echo "-- missed in $module:"
        cat "$out/mutants.out/missed.txt"
    fi
done
exit $status
