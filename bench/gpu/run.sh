#!/usr/bin/env bash
# The GPU benchmark in one command (bench/gpu/README.md):
#   bench/gpu/run.sh                 # builds, times on this machine's GPU, reports
#   bench/gpu/run.sh --bundle        # builds into build/gpu-bench for a GPU machine
#   build/gpu-bench/run.sh OUT       # there: the timings into OUT
#   bench/gpu/run.sh --report OUT    # here: bench/gpu/results from OUT
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${GRU_BUILD_DIR:-$root/build}"
bench=("$root/.venv/bin/python" "$root/bench/gpu/gpu_bench.py")
results="$root/bench/gpu/results"
if [ "${1:-}" = "--report" ]; then
  "${bench[@]}" report "${2:?--report OUT}"
  mkdir -p "$results" && cp "$2"/results.md "$2"/times.csv "$results"/
  [ -f "$2/chart.png" ] && cp "$2/chart.png" "$results"/
  exit 0
fi
"$root/scripts/setup.sh"
rm -rf "$build/gpu-bench"
"${bench[@]}" build "$build/gpu-bench" --gru-compile "$build/bin/gru-compile"
[ "${1:-}" = "--bundle" ] && exit 0
out="$build/gpu-bench-out"
rm -rf "$out"
"$build/gpu-bench/run.sh" "$out"
"$0" --report "$out"
