#!/usr/bin/env bash
# Installs what gpuplan needs on Debian 12: the Debian packages (when run as
# root; otherwise prints the install command and stops) and the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

# clang and libclang-rt-14-dev provide libFuzzer for tools/fuzz.sh.
DEBIAN_PACKAGES=(cmake g++ make emscripten catch2 rapidjson-dev chromium python3 gzip clang libclang-rt-14-dev)

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: install them with:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if ((node_major < 20)); then
  echo "setup: Node.js 20 or newer is required; found $(node --version)" >&2
  exit 1
fi

# npm ci only when node_modules is missing or older than the lock file.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
