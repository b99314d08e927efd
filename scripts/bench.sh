#!/usr/bin/env bash
# Measures Spotter (figures only; nothing here passes or fails on a number).
#   bash scripts/bench.sh            full run
#   bash scripts/bench.sh --short    a quick run that only proves the benchmarks still run
set -euo pipefail
cd "$(dirname "$0")/.."
runs=100; rounds=50; messages=100000; users=10000
if [ "${1:-}" = "--short" ]; then runs=5; rounds=2; messages=2000; users=200; fi
bash scripts/install-system-packages.sh
swift build -c release --static-swift-stdlib >&2   # spotter and spotter-server
bin=.build/release/spotter
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(uname -r)"
echo "== one 'spotter ask --json' process beside a bare 'spotter --help', alternating in one run"
echo "   (ask reads its start-up snapshot; 'snapshot off' is every start after a rules change)"
python3 - "$bin" "$runs" <<'PY'
import os, subprocess, sys, time, statistics
binary, runs = sys.argv[1], int(sys.argv[2])
question = [binary, "ask", "--json", "should I go to failure on squats?"]
off = dict(os.environ, SPOTTER_SNAPSHOT="off")
subprocess.run([binary, "ask", "--json", "warm up"], capture_output=True)  # writes the snapshot if needed
kinds = {"spotter --help": ([binary, "--help"], None), "spotter ask --json": (question, None),
         "spotter ask --json, snapshot off": (question, off)}
times = {name: [] for name in kinds}
for _ in range(runs):
    for name, (command, env) in kinds.items():
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        times[name].append((time.perf_counter() - start) * 1000)
for name, values in times.items():
    values.sort()
    print(f"{name}: {runs} runs: median {statistics.median(values):.1f} ms, "
          f"p90 {values[int(len(values) * 0.9) - 1]:.1f} ms, min {values[0]:.1f} ms")
help_median = statistics.median(times["spotter --help"])
print(f"ask / --help: {statistics.median(times['spotter ask --json']) / help_median:.2f}x median "
      f"(snapshot off: {statistics.median(times['spotter ask --json, snapshot off']) / help_median:.2f}x)")
PY
echo "== understanding + advice in process, over Tests/Corpus/questions.yml"
"$bin" bench --rounds "$rounds"
echo "== spotter chat --jsonl: ${messages} mixed messages over ${users} users, SQLite on disk"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 scripts/chat_load.py --messages "$messages" --users "$users" > "$work/load.jsonl"
/usr/bin/time -f "%e %M" -o "$work/time" "$bin" chat --jsonl --db "$work/bench.sqlite" < "$work/load.jsonl" > "$work/out.jsonl"
read -r seconds kilobytes < "$work/time"
lines=$(wc -l < "$work/out.jsonl")
errors=$(grep -c '"error"' "$work/out.jsonl" || true)
python3 -c "import sys; m,s,k,l,e=int(sys.argv[1]),float(sys.argv[2]),int(sys.argv[3]),int(sys.argv[4]),int(sys.argv[5]); print(f'spotter chat --jsonl: {m} messages in {s:.2f} s = {m/max(s,0.001):.0f} messages/s, peak memory {k/1024:.1f} MB, {l} output lines, {e} errors'); sys.exit(0 if l == m else 1)" "$messages" "$seconds" "$kilobytes" "$lines" "$errors"
bash scripts/bench_matrix.sh ${1:-}
echo "== several instances: 1, 2 and 3 on PostgreSQL behind nginx, beside one on SQLite"
bash scripts/bench_instances.sh ${1:-}
