#!/usr/bin/env bash
# Matrix end to end with several instances: answered messages/s with 1, 2 and 3 `spotter serve`
# on one PostgreSQL behind nginx, beside one on SQLite behind the same nginx, in one run.
#   bash scripts/bench_instances.sh [--short] [--rounds N]
# Each configuration gets S seconds (10; 2 with --short) of single-event transactions at 16
# connections (scripts/transactions.lua, 50 rooms) into nginx, and is timed until the last reply
# reached the homeserver stand-in (`spotter-server bench fake-homeserver`). CPU per answered
# message is the instances' own, and PostgreSQL's beside it. Rounds alternate the configurations.
# Expects release builds in .build/release (scripts/bench.sh makes them); starts a throwaway
# PostgreSQL (scripts/postgres.sh) and installs nginx-light when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=10 rounds=1
while [ $# -gt 0 ]; do
  case "$1" in
    --short) seconds=2; shift ;;
    --rounds) rounds="${2:?--rounds needs a number}"; shift 2 ;;
    *) echo "usage: scripts/bench_instances.sh [--short] [--rounds N]" >&2; exit 64 ;;
  esac
done
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v nginx >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }
bin=.build/release/spotter
server=.build/release/spotter-server
work=$(mktemp -d)
chmod 755 "$work"
pids=()
eval "$(bash scripts/postgres.sh start)"
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bash scripts/postgres.sh stop "$SPOTTER_PG_DIR"
  rm -rf "$work"
}
trap cleanup EXIT
wait_for() { for _ in $(seq 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.05; done; echo "timeout waiting for $1" >&2; return 1; }
ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12+$13}'; }
postgres_ticks() { local total=0; for pid in $(pgrep -f "postgres.*$SPOTTER_PG_DIR|postgres: " || true); do total=$((total + $(ticks "$pid" 2>/dev/null || echo 0))); done; echo "$total"; }
metric() { curl -s "http://127.0.0.1:$1/metrics" | awk -v name="$2" '$1 == name {printf "%d", $2; found=1} END {if (!found) print 0}'; }

"$server" bench fake-homeserver --listen 127.0.0.1:18448 > "$work/homeserver.log" 2>&1 & pids+=($!)
balancer=29500
"$bin" matrix registration --url "http://127.0.0.1:$balancer" > "$work/registration.yaml"
chmod 600 "$work/registration.yaml"
export SPOTTER_BENCH_HS_TOKEN=$(sed -n 's/^hs_token: "\(.*\)"/\1/p' "$work/registration.yaml")
wait_for http://127.0.0.1:18448/x
for sub in body proxy fastcgi uwsgi scgi; do mkdir -p "$work/nginx-$sub"; chmod 777 "$work/nginx-$sub"; done

nginx_start() {  # ports...
  local servers=""
  for port in "$@"; do servers+="        server 127.0.0.1:$port;"$'\n'; done
  cat > "$work/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx-body; proxy_temp_path $work/nginx-proxy;
    fastcgi_temp_path $work/nginx-fastcgi; uwsgi_temp_path $work/nginx-uwsgi; scgi_temp_path $work/nginx-scgi;
    upstream spotter {
$servers        keepalive 32;
    }
    server {
        listen 127.0.0.1:$balancer;
        location / {
            proxy_pass http://spotter;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_next_upstream error timeout http_502 http_503;
        }
    }
}
EOF
  nginx -c "$work/nginx.conf" -p "$work" -g 'daemon off;' & nginx_pid=$!
  pids+=($nginx_pid)
}

database=0
measure() {  # label backend instances
  local label=$1 backend=$2 count=$3 db ports=() servers=()
  database=$((database + 1))
  if [ "$backend" = sqlite ]; then
    db="$work/bench-$database.sqlite"
  else
    db=$(bash scripts/postgres.sh createdb "$SPOTTER_TEST_POSTGRES" "bench_$database")
    "$bin" migrate --db "$db" > /dev/null
  fi
  for i in $(seq "$count"); do
    local port=$((29510 + i))
    LOG_LEVEL=error "$bin" serve --registration "$work/registration.yaml" --homeserver http://127.0.0.1:18448 \
      --listen "127.0.0.1:$port" --db "$db" > "$work/serve-$database-$i.log" 2>&1 & servers+=($!)
    pids+=(${servers[-1]})
    ports+=("$port")
  done
  for port in "${ports[@]}"; do wait_for "http://127.0.0.1:$port/readyz"; done
  nginx_start "${ports[@]}"
  wait_for "http://127.0.0.1:$balancer/healthz"
  local c0=0 p0 t0 t_ingest t1 c1=0 p1 events=0 replies=0
  for pid in "${servers[@]}"; do c0=$((c0 + $(ticks "$pid"))); done
  p0=$(postgres_ticks); t0=$(date +%s.%N)
  wrk -t2 -c16 -d"${seconds}s" -s scripts/transactions.lua "http://127.0.0.1:$balancer" > "$work/wrk-$database.txt" 2>&1
  t_ingest=$(date +%s.%N)
  for _ in $(seq 6000); do
    events=0 replies=0
    for port in "${ports[@]}"; do
      events=$((events + $(metric "$port" spotter_events_total)))
      replies=$((replies + $(metric "$port" spotter_replies_total)))
    done
    [ "$replies" -ge "$events" ] && break
    sleep 0.05
  done
  t1=$(date +%s.%N)
  for pid in "${servers[@]}"; do c1=$((c1 + $(ticks "$pid"))); done
  p1=$(postgres_ticks)
  python3 - "$label" "$events" "$replies" "$t0" "$t_ingest" "$t1" "$c0" "$c1" "$p0" "$p1" "$(getconf CLK_TCK)" <<'PY'
import sys
label = sys.argv[1]
events, replies = int(sys.argv[2]), int(sys.argv[3])
t0, ti, t1, c0, c1, p0, p1, tck = map(float, sys.argv[4:12])
per = max(replies, 1)
print(f"{label:<22} {events:>7} events in {ti - t0:4.1f} s ({events / (ti - t0):6.0f}/s)  "
      f"{replies:>7} replies by {t1 - t0:5.1f} s: {replies / (t1 - t0):6.0f} answered/s  "
      f"CPU per answer: spotter {(c1 - c0) / tck * 1e6 / per:5.0f} us, PostgreSQL {(p1 - p0) / tck * 1e6 / per:5.0f} us")
sys.exit(0 if replies >= events else 1)
PY
  kill "$nginx_pid" "${servers[@]}" 2>/dev/null || true
  wait "$nginx_pid" "${servers[@]}" 2>/dev/null || true
}

echo "machine: $(nproc) cores; ${seconds}s of single-event transactions at 16 connections through nginx, per configuration"
for round in $(seq "$rounds"); do
  echo "== round $round"
  measure "SQLite, 1 instance" sqlite 1
  measure "PostgreSQL, 1 instance" postgres 1
  measure "PostgreSQL, 2 instances" postgres 2
  measure "PostgreSQL, 3 instances" postgres 3
done
