#!/usr/bin/env bash
# npm test: set up, build, then run CTest (Catch2 and CLI), the Catch2 suite
# under ASan and UBSan, a short fuzz run, the TypeScript type check, Vitest, the
# first-view size check and the headless Chromium tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh

echo "== CTest (core, validation, CLI)"
ctest --test-dir build/native --output-on-failure

echo "== Catch2 under AddressSanitizer and UndefinedBehaviorSanitizer (build/sanitize)"
cmake -S . -B build/sanitize -DCMAKE_BUILD_TYPE=Debug -DGPUPLAN_SANITIZE=ON -DGPUPLAN_BUILD_CLI=OFF >/dev/null
cmake --build build/sanitize -j"$(nproc)" --target gpuplan_tests
./build/sanitize/gpuplan_tests "~[validation]"

echo "== Fuzz smoke run (libFuzzer, 15 s per target)"
bash tools/fuzz.sh 15

echo "== Measurement harness (Python unittest, no GPU)"
python3 -m unittest discover -s tools/measure -p 'test_*.py'

echo "== TypeScript types (tsc --noEmit)"
npx tsc --noEmit -p .

echo "== Vitest"
npx vitest run

echo "== First-view size of both pages in both languages (gzip, 100 KB budget)"
node tools/web-size.mjs

echo "== Browser tests (headless Chromium)"
node tests/e2e/run.mjs
