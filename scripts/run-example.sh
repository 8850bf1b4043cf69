#!/usr/bin/env bash
# The main job: builds the compiler (installing what is missing) and runs the
# example text classifier through the gru passes, printing the result.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${GRU_BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh" >&2

model="${1:-$root/examples/text_classifier.mlir}"
"$build/bin/gru-opt" "$model" \
  --gru-eliminate-dropout --gru-unroll --gru-select-impl=target=cpu \
  --canonicalize --cse \
  --mlir-print-op-on-diagnostic=false --mlir-elide-elementsattrs-if-larger=8
