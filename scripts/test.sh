#!/usr/bin/env bash
# Runs every test: the catalogue is current with its sources, the Swift test suite, and the
# Matrix end-to-end suite against a real Synapse (from PyPI) on loopback. The store tests, the
# transcripts and the end-to-end suite run on SQLite and on a throwaway PostgreSQL (Debian's
# packages, scripts/postgres.sh); three instances on PostgreSQL behind nginx (Debian's) are
# killed and restarted under a stream of questions (Tests/e2e/spotter_instances_e2e.py).
#
#   bash scripts/test.sh                 every stage, in order
#   bash scripts/test.sh catalogue swift one or more stages: catalogue, swift, e2e
#
# Everything it needs is in the repository (the catalogue's source is Data/free-exercise-db/);
# it installs the system packages it builds against and PyYAML when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(catalogue swift e2e)
SECONDS=0
for stage in "${stages[@]}"; do
  case "$stage" in
    catalogue)
      echo "== [test.sh ${SECONDS}s] exercise catalogue is up to date with scripts/build_catalogue.py"
      bash scripts/install-system-packages.sh
      python3 -c "import yaml" 2>/dev/null || python3 -m pip install --quiet pyyaml
      python3 scripts/build_catalogue.py --check
      ;;
    swift)
      echo "== [test.sh ${SECONDS}s] swift test"
      bash scripts/install-system-packages.sh
      swift build --build-tests
      # The store tests and the transcripts run on SQLite and on a PostgreSQL started here.
      eval "$(bash scripts/postgres.sh start)"
      trap 'bash scripts/postgres.sh stop "$SPOTTER_PG_DIR"' EXIT
      SPOTTER_REQUIRE_POSTGRES=1 swift test
      bash scripts/postgres.sh stop "$SPOTTER_PG_DIR"
      trap - EXIT
      ;;
    e2e)
      echo "== [test.sh ${SECONDS}s] end to end against a real Synapse on loopback (installed into .tools/), on SQLite"
      bash scripts/install-system-packages.sh
      swift build
      python3 Tests/e2e/spotter_matrix_e2e.py --spotter .build/debug/spotter
      eval "$(bash scripts/postgres.sh start)"
      trap 'bash scripts/postgres.sh stop "$SPOTTER_PG_DIR"' EXIT
      echo "== [test.sh ${SECONDS}s] end to end on PostgreSQL"
      python3 Tests/e2e/spotter_matrix_e2e.py --spotter .build/debug/spotter \
        --db "$(bash scripts/postgres.sh createdb "$SPOTTER_TEST_POSTGRES" e2e)"
      echo "== [test.sh ${SECONDS}s] three instances on one PostgreSQL behind nginx, one killed every few seconds"
      command -v nginx >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }
      python3 Tests/e2e/spotter_instances_e2e.py --spotter .build/debug/spotter \
        --db "$(bash scripts/postgres.sh createdb "$SPOTTER_TEST_POSTGRES" instances)"
      bash scripts/postgres.sh stop "$SPOTTER_PG_DIR"
      trap - EXIT
      ;;
    *)
      echo "test.sh: unknown stage '$stage'; the stages are catalogue, swift, e2e" >&2
      exit 64
      ;;
  esac
done
echo "== [test.sh ${SECONDS}s] done: ${stages[*]}"
