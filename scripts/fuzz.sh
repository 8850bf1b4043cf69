#!/usr/bin/env bash
# Builds the libFuzzer targets with Debian's clang in build-fuzz/ (with
# AddressSanitizer and UndefinedBehaviorSanitizer) and runs one of them.
#
#   scripts/fuzz.sh compiler SECONDS [JOBS]   parse, verify, gru-to-llvm
#   scripts/fuzz.sh abi SECONDS [JOBS]        the C ABI of a compiled model
#
# FUZZ_SANITIZE=undefined builds build-fuzz-undefined/ without
# AddressSanitizer instead: MLIR's libraries are not instrumented anyway,
# and the compiler target runs about three times as fast.
#
# The compiler target is seeded with every .mlir file of test/ and examples/,
# and both with the corpus of earlier runs kept in fuzz/corpus/<target>/;
# new inputs go to build-fuzz/corpus-<target>/. A crasher, timeout or leak
# stops the run and is written to build-fuzz/; fix it, then keep it in
# fuzz/regressions/ (the test suite runs every file there through gru-opt
# and gru-compile).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:?usage: fuzz.sh compiler|abi SECONDS [JOBS]}"
seconds="${2:?usage: fuzz.sh compiler|abi SECONDS [JOBS]}"
jobs="${3:-1}"
sanitize="${FUZZ_SANITIZE:-address,undefined}"
build="$root/build-fuzz"
[ "$sanitize" = "address,undefined" ] || build="$root/build-fuzz-${sanitize//,/-}"

"$root/scripts/apt-install.sh" clang-22 libclang-rt-22-dev
"$root/scripts/setup.sh" >/dev/null # the packages, and build/ for gru-compile

if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DGRU_SANITIZE="$sanitize" -DGRU_FUZZERS=ON \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit
fi

corpus="$build/corpus-$target"
mkdir -p "$corpus" "$build/seeds-$target"
case "$target" in
compiler)
  cmake --build "$build" --target gru-compiler-fuzzer
  fuzzer="$build/bin/gru-compiler-fuzzer"
  # One seed per split of a test file (// -----), so that mutations work on
  # small modules.
  find "$root/test" "$root/examples" "$root/fuzz/regressions" -name '*.mlir' |
    while read -r file; do
      awk -v out="$build/seeds-$target/$(basename "$file" .mlir)" \
        '/^\/\/ -----/ { n++; next } { print > (out "-" n ".mlir") }' "$file"
    done
  dict=(-dict="$root/fuzz/mlir.dict")
  ;;
abi)
  cmake --build "$build" --target gru-abi-fuzzer
  fuzzer="$build/bin/gru-abi-fuzzer"
  dict=()
  ;;
*)
  echo "fuzz.sh: unknown target '$target' (compiler or abi)" >&2
  exit 2
  ;;
esac

cd "$build"
# LLVM's headers poison memory that its uninstrumented libraries use.
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1:allow_user_poisoning=0"
export UBSAN_OPTIONS="print_stacktrace=1"
# Several jobs run as processes of their own, logging to fuzz-<job>.log.
parallel=()
[ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
kept=()
[ -d "$root/fuzz/corpus/$target" ] && kept=("$root/fuzz/corpus/$target")
"$fuzzer" "$corpus" "$build/seeds-$target" "${kept[@]}" "${dict[@]}" "${parallel[@]}" \
  -max_total_time="$seconds" -timeout=60 -rss_limit_mb=6000 \
  -max_len=16384 -print_final_stats=1
