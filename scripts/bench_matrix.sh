#!/usr/bin/env bash
# Matrix figures: transaction ingest of `spotter serve` with wrk at 1, 16 and 64 connections,
# next to a bare Hummingbird handler in the same run, and outbound replies over libcurl.
#   bash scripts/bench_matrix.sh [--short]      (expects release builds of spotter and spotter-server in .build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=10
if [ "${1:-}" = "--short" ]; then seconds=2; fi
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
bin=.build/release/spotter
server=.build/release/spotter-server
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

wait_for() { for _ in $(seq 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "timeout waiting for $1" >&2; return 1; }

"$server" bench fake-homeserver --listen 127.0.0.1:18448 & pids+=($!)
"$server" bench bare-server --listen 127.0.0.1:29401 & bare=$!; pids+=($bare)
"$bin" matrix registration --url http://127.0.0.1:29400 > "$work/registration.yaml"
chmod 600 "$work/registration.yaml"
hs_token=$(sed -n 's/^hs_token: "\(.*\)"/\1/p' "$work/registration.yaml")
wait_for http://127.0.0.1:18448/x
LOG_LEVEL=error "$bin" serve --registration "$work/registration.yaml" --homeserver http://127.0.0.1:18448 \
  --listen 127.0.0.1:29400 --db "$work/serve.sqlite" > "$work/serve.log" 2>&1 & ingest=$!; pids+=($ingest)
wait_for http://127.0.0.1:29400/healthz
wait_for http://127.0.0.1:29401/healthz

export SPOTTER_BENCH_HS_TOKEN="$hs_token"
run() {  # name url connections
  local out
  out=$(wrk -t "$(( $3 < 2 ? 1 : 2 ))" -c "$3" -d "${seconds}s" --latency -s scripts/transactions.lua "$2" 2>&1)
  local rate p99 errors
  rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  echo "$1 $3 $rate $p99 ${errors:-0}"
}
echo "== transaction ingest, single-event transactions, journal on disk (${seconds}s per run)"
printf '%-8s %5s %14s %10s %14s %8s\n' connections "" "spotter tx/s" "p99" "bare tx/s" "ratio"
for c in 1 16 64; do
  read -r _ _ s_rate s_p99 s_err < <(run spotter http://127.0.0.1:29400 "$c")
  read -r _ _ b_rate b_p99 _ < <(run bare http://127.0.0.1:29401 "$c")
  ratio=$(python3 -c "print(f'{float(\"$s_rate\")/float(\"$b_rate\"):.2f}')" 2>/dev/null || echo "?")
  printf '%-8s %5s %14s %10s %14s %8s  (spotter p99 %s, bare p99 %s, non-2xx %s)\n' "$c" "" "$s_rate" "$s_p99" "$b_rate" "$ratio" "$s_p99" "$b_p99" "$s_err"
done
sleep 1
echo "journal: $(curl -s http://127.0.0.1:29400/metrics | awk '/^spotter_events_total/ {print $2}') events, $(curl -s http://127.0.0.1:29400/metrics | awk '/^spotter_journal_pending/ {print $2}') still pending"
echo "== outbound replies to a local homeserver stand-in"
count=2000; [ "$seconds" = 2 ] && count=300
"$server" bench outbound --homeserver http://127.0.0.1:18448 --count "$count"

# The ingest server would still be answering its backlog: stop it and the bare handler first, so
# the end-to-end figure has the machine to itself.
kill "$ingest" "$bare" 2>/dev/null || true
wait "$ingest" "$bare" 2>/dev/null || true

# What a user gets: every message answered and its reply delivered, not only journaled.
echo "== Matrix end to end: ${seconds}s of single-event transactions at 16 connections, until the last reply is delivered"
metric() { curl -s "http://127.0.0.1:29402/metrics" | awk -v name="$1" '$1 == name {printf "%d", $2; found=1} END {if (!found) print 0}'; }
ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12+$13}'; }
LOG_LEVEL=error "$bin" serve --registration "$work/registration.yaml" --homeserver http://127.0.0.1:18448 \
  --listen 127.0.0.1:29402 --db "$work/end-to-end.sqlite" > "$work/end-to-end.log" 2>&1 & e2e=$!; pids+=($e2e)
wait_for http://127.0.0.1:29402/healthz
c0=$(ticks "$e2e"); t0=$(date +%s.%N)
wrk -t2 -c16 -d"${seconds}s" -s scripts/transactions.lua http://127.0.0.1:29402 > "$work/end-to-end.wrk" 2>&1
t_ingest=$(date +%s.%N); events=$(metric spotter_events_total)
for _ in $(seq 6000); do [ "$(metric spotter_replies_total)" -ge "$events" ] && break; sleep 0.05; done
t1=$(date +%s.%N); c1=$(ticks "$e2e"); replies=$(metric spotter_replies_total)
python3 - "$events" "$replies" "$t0" "$t_ingest" "$t1" "$c0" "$c1" "$(getconf CLK_TCK)" <<'PY'
import sys
events, replies = int(sys.argv[1]), int(sys.argv[2])
t0, ti, t1, c0, c1, tck = map(float, sys.argv[3:9])
print(f"matrix end to end: {events} events ingested in {ti - t0:.1f} s ({events / (ti - t0):.0f}/s); "
      f"{replies} replies delivered {t1 - t0:.1f} s after the first request: {replies / (t1 - t0):.0f} answered messages/s, "
      f"server CPU {(c1 - c0) / tck * 1e6 / max(replies, 1):.0f} us per answered message")
sys.exit(0 if replies >= events else 1)
PY
