#!/usr/bin/env bash
# Builds the two WebAssembly modules with Debian's Emscripten: build/wasm/gpuplan.{mjs,wasm},
# which every page view loads, and build/wasm/gpuplan_extra.{mjs,wasm} (the planner and the
# config.json reader), which the page loads on demand.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's emscripten finds acorn and its plugins only through NODE_PATH.
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=MinSizeRel -DGPUPLAN_BUILD_TESTS=OFF -DGPUPLAN_BUILD_CLI=OFF >/dev/null
cmake --build build/wasm -j"$(nproc)"
ls -l build/wasm/gpuplan.mjs build/wasm/gpuplan.wasm build/wasm/gpuplan_extra.mjs build/wasm/gpuplan_extra.wasm
