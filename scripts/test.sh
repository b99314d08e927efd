#!/usr/bin/env bash
# Runs every test: the catalogue is current with its sources, then the Swift test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh
python3 -c "import yaml" 2>/dev/null || python3 -m pip install --quiet pyyaml
echo "== exercise catalogue is up to date with scripts/build_catalogue.py"
python3 scripts/build_catalogue.py --check
echo "== swift test"
swift build --build-tests
swift test
