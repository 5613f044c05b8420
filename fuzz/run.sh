#!/usr/bin/env bash
# Builds every fuzz target and runs each for SECONDS_PER_TARGET seconds (default 20), one after
# the other, starting from the committed seeds and the corpus grown by earlier runs. Fails on
# the first crash, leak or timeout; libFuzzer leaves the input in fuzz/artifacts/<target>/.
# Prints one line per target: executions, corpus size and coverage at the end.
#
#   FUZZ_BUILD=--dev FUZZ_SANITIZER=none fuzz/run.sh 10   # the test command: quicker, 7 × 10 s
#   JOBS=2 fuzz/run.sh 300            # the long campaign (bench/fuzz/README.md)
#
# FUZZ_BUILD is cargo fuzz's profile flag: -O (release, the default) for long runs, --dev
# (opt-level 1 with debug assertions, see Cargo.toml) where the build's time counts most.
# FUZZ_SANITIZER is cargo fuzz's sanitizer: address (the default) for long runs; none where
# time counts most. The fuzzed crates forbid unsafe code, so what AddressSanitizer adds is a
# check of their dependencies' unsafe code, at the cost of a slower build and slower runs;
# panics, timeouts and memory limits are caught either way.
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`).
set -euo pipefail
# fuzz-*.log exist only with JOBS > 1: without them the pattern must expand to nothing.
shopt -s nullglob
seconds=${1:-20}
jobs=${JOBS:-1}
build=${FUZZ_BUILD:--O}
sanitizer=${FUZZ_SANITIZER:-address}
cd "$(dirname "$0")"
targets=$(cargo +nightly fuzz list --fuzz-dir .)
cargo +nightly fuzz build "$build" --sanitizer "$sanitizer" --fuzz-dir .
for target in $targets; do
    mkdir -p "corpus/$target" "artifacts/$target"
    log=$(mktemp)
    # -timeout: a single input taking seconds is a finding (a parser must stay linear);
    # -rss_limit_mb: so must memory.
    # -jobs, even -jobs=1, moves the fuzzing into a child logging to fuzz-N.log: only ask for
    # it when running in parallel, so that executions are counted once.
    parallel=()
    [ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
    if ! cargo +nightly fuzz run "$build" --sanitizer "$sanitizer" --fuzz-dir . "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 "${parallel[@]}" \
        -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log"
        [ "$jobs" -gt 1 ] && tail -n 60 fuzz-*.log 2>/dev/null
        echo "fuzz/run.sh: $target crashed; the input is in fuzz/artifacts/$target/" >&2
        rm -f "$log"
        exit 1
    fi
    runs=$(grep -ho 'stat::number_of_executed_units: *[0-9]*' "$log" fuzz-*.log 2>/dev/null |
        awk '{s += $2} END {print s + 0}')
    last=$(grep -hE '#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -n 1)
    printf '%-20s %12s executions in %ss  %s\n' "$target" "$runs" "$seconds" "${last#*#}"
    rm -f "$log" fuzz-*.log
done
