#!/bin/sh
# Fuzzes the parsers that read what strangers send, each for a bounded time,
# like a benchmark rather than a test (it needs nightly and cargo-fuzz, and
# is not part of tests/run.sh):
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET]     (default 60)
#
# The committed seeds in tests/fuzz/corpus/ are read, never written; what
# the fuzzer finds lands in tests/fuzz/target/. Any panic stops the run
# with the input that caused it.
set -eu
cd "$(dirname "$0")"
seconds=${1:-60}
case "$seconds" in *[!0-9]*|"") echo "run.sh: seconds must be a number" >&2; exit 2 ;; esac
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
for target in protocol callback_request github_reply; do
    found="target/corpus/$target"
    mkdir -p "$found"
    echo "== $target, $seconds s"
    cargo +nightly fuzz run --fuzz-dir . "$target" "$found" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=1024 -print_final_stats=1
done
