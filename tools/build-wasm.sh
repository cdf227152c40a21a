#!/usr/bin/env bash
# Builds build/wasm/gpuplan.mjs and build/wasm/gpuplan.wasm with Debian's Emscripten.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's emscripten finds acorn and its plugins only through NODE_PATH.
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=MinSizeRel -DGPUPLAN_BUILD_TESTS=OFF -DGPUPLAN_BUILD_CLI=OFF >/dev/null
cmake --build build/wasm -j"$(nproc)"
ls -l build/wasm/gpuplan.mjs build/wasm/gpuplan.wasm
