#!/usr/bin/env bash
# A real Synapse homeserver on loopback for Spotter's end-to-end tests.
#
#   bash Tests/e2e/synapse.sh start|stop|status|url      (also: install, secret, log, reset)
#
# start   installs matrix-synapse (pinned) into .tools/synapse-venv if needed, generates a config
#         in .tools/synapse-data/ on first use, writes harness.yaml (listener, registration,
#         rate limits, application service) and starts Synapse in the background, then waits
#         until /_matrix/client/versions answers (60 s). Idempotent: if Synapse is already
#         running with the same harness.yaml it does nothing; if the settings changed (another
#         SPOTTER_REGISTRATION path or content, SYNAPSE_RATELIMITS) it restarts Synapse.
# stop    SIGTERM, then SIGKILL after 15 s.
# status  "running pid N URL" (exit 0) or "stopped" (exit 3).
# url     prints the client URL (http://127.0.0.1:18008).
# secret  prints the registration shared secret (for /_synapse/admin/v1/register).
# log     prints the path of Synapse's log file.
# reset   stops Synapse and deletes .tools/synapse-data (the venv stays).
#
# Environment:
#   SPOTTER_REGISTRATION  path of the application service registration YAML to load
#                         (app_service_config_files); unset means no application service.
#   SYNAPSE_RATELIMITS    "default" keeps Synapse's own rc_* limits; anything else relaxes them.
#   SYNAPSE_PORT          client listener port on 127.0.0.1 (default 18008).
#   SYNAPSE_DATA          data folder (default .tools/synapse-data); with another SYNAPSE_PORT
#                         this runs a second, independent homeserver (the venv is shared).
#
# Only 127.0.0.1 is ever bound or contacted (plus PyPI, once, for pip).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SYNAPSE_VERSION="1.163.2"
TOOLS="$ROOT/.tools"
VENV="$TOOLS/synapse-venv"
DATA="${SYNAPSE_DATA:-$TOOLS/synapse-data}"
case "$DATA" in /*) ;; *) DATA="$PWD/$DATA" ;; esac
HOST="127.0.0.1"
PORT="${SYNAPSE_PORT:-18008}"
URL="http://$HOST:$PORT"
PIDFILE="$DATA/synapse.pid"
LOGFILE="$DATA/homeserver.log"
STDOUT_LOG="$DATA/synapse.stdout.log"
HARNESS="$DATA/harness.yaml"
SECRET_FILE="$DATA/registration_shared_secret"
START_TIMEOUT=60
STOP_TIMEOUT=15

say() { echo "synapse.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# True when the process exists and is not a zombie.
alive() {
    local pid="$1" state
    [[ -n "$pid" ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    state="$(ps -o stat= -p "$pid" 2>/dev/null || true)"
    [[ -n "$state" && "$state" != Z* ]]
}

running_pid() {
    local pid
    [[ -f "$PIDFILE" ]] || return 1
    pid="$(cat "$PIDFILE" 2>/dev/null || true)"
    alive "$pid" || return 1
    # Make sure the pid was not reused by something else.
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'synapse.app.homeserver' || return 1
    echo "$pid"
}

versions_ok() {
    python3 - "$URL/_matrix/client/versions" <<'EOF' 2>/dev/null
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception:
    sys.exit(1)
EOF
}

port_busy() {
    python3 - "$HOST" "$PORT" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket()
s.settimeout(1)
sys.exit(0 if s.connect_ex((sys.argv[1], int(sys.argv[2]))) == 0 else 1)
EOF
}

lock() {
    mkdir -p "$TOOLS"
    if command -v flock >/dev/null; then
        exec 9>"$TOOLS/.synapse.lock"
        flock -w 120 9 || die "another synapse.sh is still running (lock $TOOLS/.synapse.lock)"
    fi
}

installed_version() {
    "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("matrix-synapse"))' 2>/dev/null || true
}

install() {
    if [[ -x "$VENV/bin/python" && "$(installed_version)" == "$SYNAPSE_VERSION" ]]; then
        return 0
    fi
    python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
        || die "matrix-synapse $SYNAPSE_VERSION needs Python >= 3.10 (python3 is $(python3 --version 2>&1))"
    local t0; t0="$(now)"
    say "installing matrix-synapse==$SYNAPSE_VERSION into $VENV"
    [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV" || die "python3 -m venv failed (apt-get install python3-venv?)"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "matrix-synapse==$SYNAPSE_VERSION" \
        || die "pip install matrix-synapse==$SYNAPSE_VERSION failed"
    [[ "$(installed_version)" == "$SYNAPSE_VERSION" ]] || die "matrix-synapse $SYNAPSE_VERSION not importable after install"
    say "installed matrix-synapse $SYNAPSE_VERSION in $(elapsed "$t0") s"
}

generate() {
    mkdir -p "$DATA"
    if [[ ! -f "$DATA/homeserver.yaml" ]]; then
        local t0; t0="$(now)"
        # The generated file holds the signing key path, macaroon and form secrets; it is left as
        # generated. Everything the harness needs is in harness.yaml, loaded after it.
        (cd "$DATA" && "$VENV/bin/python" -m synapse.app.homeserver \
            --server-name localhost \
            --config-path "$DATA/homeserver.yaml" \
            --data-directory "$DATA" \
            --generate-config --report-stats=no >/dev/null) \
            || die "synapse --generate-config failed"
        say "generated $DATA/homeserver.yaml in $(elapsed "$t0") s"
    fi
    if [[ ! -s "$SECRET_FILE" ]]; then
        (umask 077; python3 -c 'import secrets; print(secrets.token_hex(32))' >"$SECRET_FILE")
    fi
    # Unbuffered file logging into the data dir (the generated log config writes to the cwd
    # through a memory buffer that holds INFO lines back).
    cat >"$DATA/log.config.yaml" <<EOF
version: 1
formatters:
  precise:
    format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s'
handlers:
  file:
    class: logging.FileHandler
    formatter: precise
    filename: $LOGFILE
    encoding: utf8
loggers:
  synapse.storage.SQL:
    level: INFO
  twisted:
    level: WARNING
root:
  level: INFO
  handlers: [file]
disable_existing_loggers: false
EOF
}

relaxed_limits() {
    cat <<'EOF'
rc_message: {per_second: 1000, burst_count: 1000}
rc_registration: {per_second: 1000, burst_count: 1000}
rc_registration_token_validity: {per_second: 1000, burst_count: 1000}
rc_login:
  address: {per_second: 1000, burst_count: 1000}
  account: {per_second: 1000, burst_count: 1000}
  failed_attempts: {per_second: 1000, burst_count: 1000}
rc_admin_redaction: {per_second: 1000, burst_count: 1000}
rc_joins:
  local: {per_second: 1000, burst_count: 1000}
  remote: {per_second: 1000, burst_count: 1000}
rc_joins_per_room: {per_second: 1000, burst_count: 1000}
rc_invites:
  per_room: {per_second: 1000, burst_count: 1000}
  per_user: {per_second: 1000, burst_count: 1000}
  per_issuer: {per_second: 1000, burst_count: 1000}
rc_3pid_validation: {per_second: 1000, burst_count: 1000}
rc_room_creation: {per_second: 1000, burst_count: 1000}
rc_presence:
  per_user: {per_second: 1000, burst_count: 1000}
rc_delayed_event_mgmt: {per_second: 1000, burst_count: 1000}
rc_reports: {per_second: 1000, burst_count: 1000}
rc_media_create: {per_second: 1000, burst_count: 1000}
rc_third_party_invite: {per_second: 1000, burst_count: 1000}
rc_user_directory: {per_second: 1000, burst_count: 1000}
rc_profile: {per_second: 1000, burst_count: 1000}
EOF
}

# Prints the harness.yaml that the current environment asks for.
harness_yaml() {
    local reg="" reg_hash="none"
    if [[ -n "${SPOTTER_REGISTRATION:-}" ]]; then
        [[ -f "$SPOTTER_REGISTRATION" ]] || die "SPOTTER_REGISTRATION=$SPOTTER_REGISTRATION is not a file"
        reg="$(cd "$(dirname "$SPOTTER_REGISTRATION")" && pwd)/$(basename "$SPOTTER_REGISTRATION")"
        reg_hash="$(sha256sum "$reg" | cut -d' ' -f1)"
    fi
    cat <<EOF
# Written by Tests/e2e/synapse.sh on every start and loaded after homeserver.yaml
# (-c homeserver.yaml -c harness.yaml): its top-level keys win. Do not edit by hand.
# registration: ${reg:-none}
# registration sha256: $reg_hash
# rate limits: ${SYNAPSE_RATELIMITS:-relaxed}
listeners:
  - port: $PORT
    bind_addresses: ['$HOST']
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
log_config: "$DATA/log.config.yaml"
media_store_path: "$DATA/media_store"
report_stats: false
enable_registration: false
registration_shared_secret: "$(cat "$SECRET_FILE")"
federation_domain_whitelist: []
federation_sender_instances: []
trusted_key_servers: []
suppress_key_server_warning: true
url_preview_enabled: false
presence:
  enabled: false
EOF
    if [[ -n "$reg" ]]; then
        printf 'app_service_config_files:\n  - "%s"\n' "$reg"
    else
        printf 'app_service_config_files: []\n'
    fi
    if [[ "${SYNAPSE_RATELIMITS:-}" != "default" ]]; then
        relaxed_limits
    fi
}

do_stop() {
    local pid
    if ! pid="$(running_pid)"; then
        rm -f "$PIDFILE"
        return 0
    fi
    local t0; t0="$(now)"
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
        alive "$pid" || break
        sleep 0.1
    done
    if alive "$pid"; then
        say "Synapse (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT} s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
    fi
    rm -f "$PIDFILE"
    say "stopped Synapse (pid $pid) in $(elapsed "$t0") s"
}

do_start() {
    install
    generate
    local wanted pid
    wanted="$(harness_yaml)"
    if pid="$(running_pid)"; then
        if [[ -f "$HARNESS" && "$(cat "$HARNESS")" == "$wanted" ]] && versions_ok; then
            say "already running (pid $pid) at $URL"
            echo "$URL"
            return 0
        fi
        say "settings changed (registration or rate limits); restarting"
        do_stop
    fi
    if port_busy; then
        die "$HOST:$PORT is already in use by another process (not the Synapse from $PIDFILE)"
    fi
    printf '%s\n' "$wanted" >"$HARNESS"
    local t0; t0="$(now)"
    # Start in its own session so that Ctrl-C in the calling terminal or test does not reach it;
    # `stop` ends it by pid.
    (cd "$DATA" && "$VENV/bin/python" - "$VENV/bin/python" "$PIDFILE" "$STDOUT_LOG" <<'EOF'
import subprocess, sys
python, pidfile, out = sys.argv[1:4]
with open(out, "ab") as log:
    p = subprocess.Popen(
        [python, "-m", "synapse.app.homeserver", "-c", "homeserver.yaml", "-c", "harness.yaml"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
with open(pidfile, "w") as f:
    f.write(f"{p.pid}\n")
EOF
    )
    pid="$(cat "$PIDFILE")"
    local i
    for ((i = 0; i < START_TIMEOUT * 5; i++)); do
        if versions_ok; then
            say "Synapse $SYNAPSE_VERSION up (pid $pid) at $URL in $(elapsed "$t0") s; log $LOGFILE"
            echo "$URL"
            return 0
        fi
        if ! alive "$pid"; then
            say "Synapse exited during start-up; last lines of $STDOUT_LOG and $LOGFILE:"
            tail -n 30 "$STDOUT_LOG" >&2 || true
            tail -n 30 "$LOGFILE" >&2 2>/dev/null || true
            rm -f "$PIDFILE"
            exit 1
        fi
        sleep 0.2
    done
    say "Synapse did not answer $URL/_matrix/client/versions within ${START_TIMEOUT} s; last log lines:"
    tail -n 30 "$LOGFILE" >&2 2>/dev/null || true
    do_stop
    exit 1
}

do_status() {
    local pid
    if pid="$(running_pid)"; then
        if versions_ok; then
            echo "running pid $pid $URL"
        else
            echo "running pid $pid $URL (not answering yet)"
        fi
        return 0
    fi
    echo "stopped"
    return 3
}

cmd="${1:-}"
case "$cmd" in
    start) lock; do_start ;;
    stop) lock; do_stop ;;
    status) do_status ;;
    url) echo "$URL" ;;
    install) lock; install ;;
    secret)
        [[ -s "$SECRET_FILE" ]] || { lock; install; generate; }
        cat "$SECRET_FILE" ;;
    log) echo "$LOGFILE" ;;
    reset) lock; do_stop; rm -rf "$DATA"; say "removed $DATA" ;;
    *)
        echo "usage: bash Tests/e2e/synapse.sh start|stop|status|url|install|secret|log|reset" >&2
        exit 2 ;;
esac
