#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (build/fuzz) and runs each one for a
# bounded time. Usage: tools/fuzz.sh [seconds per target] [target ...]
# Targets: hf_config, estimate, planner (default: all). Seconds default to 60.
# Each run starts from the committed seeds in fuzz/corpus/<target> and keeps
# what it learns in build/fuzz/corpus/<target>; a crash, sanitizer report or
# hang leaves its input in build/fuzz/artifacts/<target>/ and fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then targets=(hf_config estimate planner); fi
# One input that runs longer than this is reported as a hang.
timeout_s=${FUZZ_TIMEOUT_S:-10}

if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found; install clang and libclang-rt-14-dev (tools/setup.sh as root)" >&2
  exit 1
fi

CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGPUPLAN_BUILD_FUZZ=ON \
  -DGPUPLAN_BUILD_TESTS=OFF -DGPUPLAN_BUILD_CLI=OFF >/dev/null
cmake --build build/fuzz -j"$(nproc)" >/dev/null

status=0
for target in "${targets[@]}"; do
  binary=build/fuzz/gpuplan_fuzz_$target
  if [[ ! -x $binary ]]; then
    echo "fuzz: unknown target '$target' (expected hf_config, estimate or planner)" >&2
    exit 1
  fi
  corpus=build/fuzz/corpus/$target
  artifacts=build/fuzz/artifacts/$target
  mkdir -p "$corpus" "$artifacts"
  log=build/fuzz/$target.log
  echo "== fuzz $target for ${seconds} s (log: $log)"
  if "$binary" "$corpus" "fuzz/corpus/$target" -max_total_time="$seconds" -timeout="$timeout_s" \
      -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1; then
    grep -E '^(#[0-9]+.*DONE|Done [0-9]+ runs)' "$log" | tail -2
    grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$log" || true
  else
    status=1
    echo "fuzz: $target failed; the input is in $artifacts/ and the report follows" >&2
    grep -E -A30 'ERROR: |runtime error|fuzz check failed|==[0-9]+==' "$log" | head -60 >&2
  fi
done
exit $status
