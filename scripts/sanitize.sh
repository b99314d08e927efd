#!/usr/bin/env bash
# Runs the Swift test suite under AddressSanitizer (with LeakSanitizer) and/or ThreadSanitizer.
#   scripts/sanitize.sh [address|thread|all]      (default: all)
# Each sanitizer builds into its own scratch folder (.build-asan, .build-tsan), so the tests'
# child processes (`spotter`, `spotter-server` with libcurl) are the sanitized builds too.
# Exits non-zero on a failing test or on any sanitizer report, from the test process or a child.
# A throwaway PostgreSQL (scripts/postgres.sh) is started for the tests that run on it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

case "${1:-all}" in
    address) sanitizers=(address) ;;
    thread) sanitizers=(thread) ;;
    all) sanitizers=(address thread) ;;
    *) echo "usage: scripts/sanitize.sh [address|thread|all]" >&2; exit 2 ;;
esac

# The store tests, the transcripts and the several-instances tests run on PostgreSQL too, as in
# scripts/test.sh: its driver's threads and the instances' leases are checked here as well.
eval "$(bash scripts/postgres.sh start)"
trap 'bash scripts/postgres.sh stop "$SPOTTER_PG_DIR"' EXIT
export SPOTTER_TEST_POSTGRES SPOTTER_REQUIRE_POSTGRES=1

failed=0
summary=()
for sanitizer in "${sanitizers[@]}"; do
    case "$sanitizer" in
        address) scratch=.build-asan ;;
        thread) scratch=.build-tsan ;;
    esac
    echo "== swift build --sanitize=$sanitizer (into $scratch)"
    start=$SECONDS
    swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch"
    build_seconds=$((SECONDS - start))
    # The tests find `spotter` beside the test bundle and fall back to .build/debug; make sure
    # the sanitized executables are there, so the fallback is never what gets exercised.
    bin=$(swift build --show-bin-path --sanitize="$sanitizer" --scratch-path "$scratch")
    for executable in spotter spotter-server; do
        if [ ! -x "$bin/$executable" ]; then echo "sanitize: $bin/$executable was not built" >&2; exit 1; fi
    done

    # Every sanitized process (the test runner and each `spotter` it starts, whose stderr the
    # tests capture) writes its reports to a file here, so none can pass unseen.
    logs=$(mktemp -d "${TMPDIR:-/tmp}/spotter-$sanitizer-XXXXXX")
    case "$sanitizer" in
        address)
            # malloc_context_size: deep enough that the suppressions see the frame they name.
            export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:malloc_context_size=64:log_path=$logs/asan"
            export LSAN_OPTIONS="suppressions=$root/scripts/sanitizers/lsan.supp:print_suppressions=0"
            ;;
        thread)
            # history_size=4 keeps enough history to show both stacks of a race between
            # long-running threads (outbox worker, journal writer) at a modest memory cost.
            export TSAN_OPTIONS="halt_on_error=1:history_size=4:second_deadlock_stack=1:log_path=$logs/tsan"
            ;;
    esac
    echo "== swift test --sanitize=$sanitizer (reports go to $logs)"
    start=$SECONDS
    status=0
    swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" || status=$?
    test_seconds=$((SECONDS - start))
    unset ASAN_OPTIONS LSAN_OPTIONS TSAN_OPTIONS

    reports=$(find "$logs" -type f -size +0c | sort)
    if [ -n "$reports" ]; then
        for report in $reports; do
            echo "---- $sanitizer report: $report"
            cat "$report"
        done
        echo "sanitize: $sanitizer found problems (reports above, kept in $logs)" >&2
        failed=1
    elif [ "$status" -ne 0 ]; then
        echo "sanitize: swift test under $sanitizer failed (status $status)" >&2
        failed=1
        rm -rf "$logs"
    else
        rm -rf "$logs"
    fi
    summary+=("$sanitizer: build ${build_seconds}s, test ${test_seconds}s")
done

echo "== sanitizer durations"
printf '%s\n' "${summary[@]}"
exit "$failed"
