#!/usr/bin/env bash
# The main job: builds the compiler (installing what is missing), then the
# real workflow on the example model: gru-import reads the Keras model
# trained on scikit-learn's digits (examples/digits_gru.keras, made by
# examples/train_digits.py), gru-compile makes a shared library of it, and
# examples/run_digits.py runs it on the test split next to Keras.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${GRU_BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh" >&2

out="$build/examples"
mkdir -p "$out"
"$build/bin/gru-import" "$root/examples/digits_gru.keras" -o "$out/digits.mlir"
"$build/bin/gru-compile" "$out/digits.mlir" -o "$out/libdigits.so"
echo "imported examples/digits_gru.keras into $out/digits.mlir, compiled $out/libdigits.so"
PYTHONPATH="$root/python:$root/examples" "$root/.venv/bin/python" \
  "$root/examples/run_digits.py" "$out/libdigits.so" "$root/examples/digits_gru.keras"
