#!/usr/bin/env bash
# One command from a fresh machine to a running Spotter: installs the system packages,
# builds, and starts it. Arguments are passed to `spotter` (default: an interactive chat).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh
swift build -c release --static-swift-stdlib >&2   # spotter and spotter-server
if [ $# -eq 0 ]; then set -- chat; fi
exec .build/release/spotter "$@"
