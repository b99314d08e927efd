#!/usr/bin/env bash
# Builds Spotter's libFuzzer targets (Fuzz/) and runs each for a while.
#
#   scripts/fuzz.sh [--seconds N] [--debug] [--no-build] [target…]
#
# Targets: understanding checkin setlog rules snapshot transaction webhook room (default: all, one at a time).
# Each runs for N seconds (default 60) on a fresh copy of its seed corpus (Fuzz/Corpus/<target>;
# the committed corpus is never written). Crash inputs and logs go to Fuzz/out/<target>/
# (git-ignored). Prints one summary line per target; exits non-zero if the build fails or a
# target crashes. Needs nothing beyond scripts/install-system-packages.sh: libFuzzer's runtime
# and lld ship with the Swift toolchain. --debug builds without optimisation: about three times
# quicker to build from scratch, about three times fewer runs per second.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
seconds=60
build=1
configuration=release
targets=()
all=(understanding checkin setlog rules snapshot transaction webhook room)
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    --no-build) build=0; shift ;;
    --debug) configuration=debug; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -ge 1 ] || { echo "fuzz.sh: --seconds must be a whole number >= 1" >&2; exit 2; }

product() {
  case "$1" in
    understanding) echo FuzzUnderstanding ;;
    checkin) echo FuzzCheckIn ;;
    setlog) echo FuzzSetLog ;;
    rules) echo FuzzRules ;;
    snapshot) echo FuzzSnapshot ;;
    transaction) echo FuzzTransaction ;;
    webhook) echo FuzzWebhook ;;
    room) echo FuzzRoom ;;
    *) return 1 ;;
  esac
}
dictionary() {
  case "$1" in
    understanding|checkin|setlog) echo message ;;
    rules) echo yaml ;;
    snapshot) echo snapshot ;;
    transaction|webhook) echo json ;;
    room) echo room ;;
  esac
}
for target in "${targets[@]}"; do
  product "$target" >/dev/null || { echo "fuzz.sh: unknown target '$target' (known: ${all[*]})" >&2; exit 2; }
done

scratch="$root/Fuzz/.build"
out="$root/Fuzz/out"
mkdir -p "$scratch" "$out"

if [ "$build" = 1 ]; then
  # lld, not the system's gold: gold fails on the sanitizer runtime's symbols.
  toolchain_bin="$(dirname "$(readlink -f "$(command -v swift)")")"
  printf '{"schemaVersion": "1.0", "linker": {"path": "%s/ld.lld"}}\n' "$toolchain_bin" > "$scratch/toolset.json"
  started=$(date +%s)
  if ! swift build --package-path "$root/Fuzz" --scratch-path "$scratch" -c "$configuration" \
      -Xswiftc -sanitize=fuzzer,address --toolset "$scratch/toolset.json" > "$out/build.log" 2>&1; then
    grep -E "error:" "$out/build.log" | head -20 >&2 || tail -20 "$out/build.log" >&2
    echo "fuzz build: FAILED (log: Fuzz/out/build.log)"
    exit 1
  fi
  echo "fuzz build ($configuration): ok in $(( $(date +%s) - started )) s"
fi
bin="$scratch/$configuration"

# Swift's own backtracer would catch the trap before libFuzzer does (and trip ASan reading memory);
# the Swift runtime keeps caches for the life of the process, which leak checking would report.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export SPOTTER_ROOT="$root"
tmpbase=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && tmpbase=/dev/shm

failed=0
for target in "${targets[@]}"; do
  name="$(product "$target")"
  dir="$out/$target"
  rm -rf "$dir/corpus" "$dir/fuzz.log"
  mkdir -p "$dir/corpus"
  touch "$dir/.started"
  cp "$root/Fuzz/Corpus/$target/"* "$dir/corpus/"
  work="$(mktemp -d "$tmpbase/spotter-fuzz.XXXXXX")"
  max_len=4096
  [ "$target" = rules ] && max_len=16384
  set +e
  SPOTTER_FUZZ_SCRATCH="$work" "$bin/$name" "$dir/corpus" \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 -max_len="$max_len" -detect_leaks=0 \
    -dict="$root/Fuzz/Dictionaries/$(dictionary "$target").dict" -artifact_prefix="$dir/" \
    -print_final_stats=1 > "$dir/fuzz.log" 2>&1
  status=$?
  set -e
  rm -rf "$work"
  # A run that died early has no stats: those fields print as "?".
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/fuzz.log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$dir/fuzz.log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
  artifacts=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) -newer "$dir/.started" | sort)
  if [ "$status" -eq 0 ] && [ -z "$artifacts" ]; then
    result=ok
  else
    failed=1
    result="CRASH (exit $status) ${artifacts:-no artifact}; log Fuzz/out/$target/fuzz.log"
  fi
  echo "fuzz $target: runs ${runs:-?}, exec/s ${speed:-?}, cov ${cov:-?}, features ${ft:-?}, corpus ${corpus:-?}: $result"
  if [ "$result" != ok ]; then
    { grep -E "fuzz property failed|fuzz set-up|Fatal error|runtime failure|ERROR: AddressSanitizer|ERROR: libFuzzer" \
        "$dir/fuzz.log" || true; } | head -5 | sed 's/^/  /'
  fi
done
exit "$failed"
