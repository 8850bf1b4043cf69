#!/usr/bin/env bash
# Prepares the GPU checks for a machine that has a GPU but not the project's
# tools (the lent GPU machine): the Keras matrix compiled with
# --targets=cpu,cuda into build/gpu-bundle, with a C driver per library and
# the expected outputs (test/Integration/keras/device_bundle.py).
#
#   scripts/gpu-bundle.sh                        # here: build/gpu-bundle
#   build/gpu-bundle/run.sh OUT                  # there: replays on CUDA
#   scripts/gpu-bundle.sh --results OUT          # here: compares with Keras
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${GRU_BUILD_DIR:-$root/build}"
bundle="$build/gpu-bundle"
matrix=("$root/.venv/bin/python" "$root/test/Integration/keras/run_matrix.py")
if [ "${1:-}" = "--results" ]; then
  exec "${matrix[@]}" --bundle-results "${2:?--results OUT}" --workdir "$bundle"
fi
"$root/scripts/setup.sh"
rm -rf "$bundle"
"${matrix[@]}" --gru-compile "$build/bin/gru-compile" --compile-flags=--targets=cpu,cuda \
  --bundle --workdir "$bundle"
echo "gpu-bundle: $(du -sh "$bundle" | cut -f1) in $bundle; run $bundle/run.sh OUT there"
