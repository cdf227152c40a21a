#!/usr/bin/env bash
# Builds the native CLI and tests (build/native), the WebAssembly module
# (build/wasm) and the static site (dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/native -j"$jobs"

bash tools/build-wasm.sh

npx vite build --logLevel warn
echo "build: dist/ is ready"
