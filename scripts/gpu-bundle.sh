#!/usr/bin/env bash
# Prepares the GPU checks for a machine that has a GPU but not the project's
# tools (the lent GPU machine), compiled with --targets=cpu,cuda into
# build/gpu-bundle, each config with a C driver and the expected outputs
# (test/Integration/keras/device_bundle.py): matrix/, the Keras matrix, and
# cudnn/, the configs of layers that may use cuDNN (whose drivers' logs say
# which path each call took).
#
#   scripts/gpu-bundle.sh                        # here: build/gpu-bundle
#   build/gpu-bundle/run.sh OUT                  # there: replays on CUDA
#   scripts/gpu-bundle.sh --results OUT          # here: compares with Keras
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${GRU_BUILD_DIR:-$root/build}"
bundle="$build/gpu-bundle"
matrix=("$root/.venv/bin/python" "$root/test/Integration/keras/run_matrix.py")
sets=(matrix cudnn)
if [ "${1:-}" = "--results" ]; then
  out="${2:?--results OUT}"
  status=0
  for set in "${sets[@]}"; do
    echo "== $set"
    "${matrix[@]}" --bundle-results "$out/$set" --workdir "$bundle/$set" || status=1
    echo "dispatch: $(cat "$out/$set"/*.log | grep -c ': cudnn$' || true) layer calls on cuDNN," \
      "$(cat "$out/$set"/*.log | grep -c ': fused (' || true) fused"
  done
  exit $status
fi
"$root/scripts/setup.sh"
rm -rf "$bundle"
for set in "${sets[@]}"; do
  configs=all
  [ "$set" = cudnn ] && configs=cudnn
  "${matrix[@]}" --gru-compile "$build/bin/gru-compile" --compile-flags=--targets=cpu,cuda \
    --configs "$configs" --bundle --workdir "$bundle/$set"
done
cat > "$bundle/run.sh" <<'RUN'
#!/bin/sh
# Replays every set of configs on CUDA: run.sh OUT.
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: run.sh OUT}"
for set in matrix cudnn; do
  echo "== $set"
  "$here/$set/run.sh" "$out/$set"
done
RUN
chmod +x "$bundle/run.sh"
echo "gpu-bundle: $(du -sh "$bundle" | cut -f1) in $bundle; run $bundle/run.sh OUT there"
