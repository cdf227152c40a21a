#!/usr/bin/env bash
# npm test: set up, build, then run CTest (Catch2 and CLI), Vitest and the
# headless Chromium tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh

echo "== CTest (core, validation, CLI)"
ctest --test-dir build/native --output-on-failure

echo "== Measurement harness (Python unittest, no GPU)"
python3 -m unittest discover -s tools/measure -p 'test_*.py'

echo "== Vitest"
npx vitest run

echo "== Browser tests (headless Chromium)"
node tests/e2e/run.mjs
