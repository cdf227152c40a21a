#!/usr/bin/env bash
# npm start: set up, build everything, and serve dist/ on http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh
exec node tools/serve.mjs dist "${PORT:-8080}"
