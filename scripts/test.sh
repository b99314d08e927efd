#!/usr/bin/env bash
# Runs every test: the catalogue is current with its sources, the Swift test suite, and the
# Matrix end-to-end suite against a real Synapse (from PyPI) on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh
python3 -c "import yaml" 2>/dev/null || python3 -m pip install --quiet pyyaml
echo "== exercise catalogue is up to date with scripts/build_catalogue.py"
python3 scripts/build_catalogue.py --check
echo "== swift test"
swift build --build-tests
swift test
echo "== end to end against a real Synapse on loopback (installed into .tools/)"
python3 Tests/e2e/spotter_matrix_e2e.py --spotter .build/debug/spotter
