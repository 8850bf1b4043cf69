#!/usr/bin/env bash
# The whole test suite with AddressSanitizer and UndefinedBehaviorSanitizer:
# the compiler, the runtime and the wrappers of every library the tests
# compile are instrumented (a build of their own in build-sanitized/), and
# the programs that load those libraries get the sanitizer runtimes
# preloaded (test/lit.cfg.py). Tests that cannot run under AddressSanitizer
# (helgrind, address-space limits) report themselves as unsupported.
#
#   scripts/test-sanitized.sh [LIT OPTIONS]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-sanitized"
"$root/scripts/setup.sh" >/dev/null # packages and the Python environment

if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DGRU_SANITIZE=address,undefined \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit
fi
cmake --build "$build"
GRU_BUILD_DIR="$build" exec "$root/scripts/run-lit.sh" "$@"
