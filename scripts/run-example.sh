#!/usr/bin/env bash
# The main job: builds the compiler (installing what is missing), compiles the
# example text classifier into a shared library with gru-compile and runs it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${GRU_BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh" >&2

mkdir -p "$build/examples"
"$build/bin/gru-compile" "$root/examples/text_classifier.mlir" \
  -o "$build/examples/libtext_classifier.so"
echo "compiled $build/examples/libtext_classifier.so and text_classifier.h"
PYTHONPATH="$root/python" "$root/.venv/bin/python" \
  "$root/examples/run_text_classifier.py" "$build/examples/libtext_classifier.so"
