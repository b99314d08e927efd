#!/usr/bin/env bash
# Installs the system libraries Spotter builds against, if any is missing (Debian; run as root).
set -euo pipefail
needed=(libcurl4-openssl-dev libsqlite3-dev pkg-config)
missing=()
for package in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
