#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the tests (Debian's packages; installed when
# missing): a new cluster in a temporary folder, on a free port, trusting local connections.
#
#   eval "$(bash scripts/postgres.sh start)"    sets SPOTTER_TEST_POSTGRES (a URL) and SPOTTER_PG_DIR
#   bash scripts/postgres.sh createdb "$SPOTTER_TEST_POSTGRES" NAME   prints the new database's URL
#   bash scripts/postgres.sh stop "$SPOTTER_PG_DIR"
#
# PostgreSQL refuses to run as root, so as root the cluster runs as Debian's postgres user.
# Durability is off (fsync, synchronous_commit): the cluster is deleted after the run.
set -euo pipefail
server_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "${1:-}" in
  start)
    bin=$(server_bin)
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
      echo "postgres.sh: installing PostgreSQL from Debian's packages" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2
      apt-get install -y -qq postgresql >/dev/null
      bin=$(server_bin)
    fi
    dir=$(mktemp -d /tmp/spotter-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bin/initdb" -D "$dir/data" -U spotter -A trust --locale=C -E UTF8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "export SPOTTER_TEST_POSTGRES=postgres://spotter@127.0.0.1:$port/postgres SPOTTER_PG_DIR=$dir"
    ;;
  createdb)
    url=${2:?postgres.sh createdb needs the server URL start printed}
    name=${3:?postgres.sh createdb needs a database name}
    "$(server_bin)/psql" -q -v ON_ERROR_STOP=1 "$url" -c "CREATE DATABASE $name" >&2
    echo "${url%/*}/$name"
    ;;
  stop)
    dir=${2:?postgres.sh stop needs the folder start printed}
    as_owner "$(server_bin)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: postgres.sh start | createdb URL NAME | stop FOLDER" >&2
    exit 64
    ;;
esac
