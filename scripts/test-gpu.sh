#!/usr/bin/env bash
# Runs the tests that need a GPU (test/Integration/gpu, test/AOT/cuda.test):
# the Keras matrix through the CUDA code of libraries, CPU against GPU, the
# ptxas gate and the host code against the stand-in driver. Builds first, as
# scripts/setup.sh does. Where no CUDA device is usable, the GPU tests
# report themselves unsupported by name.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
exec "$root/scripts/run-lit.sh" --filter 'Integration/gpu|AOT/cuda' "$@"
