#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian 12 machine and builds it.
# Idempotent: a second run only rebuilds what changed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${GRU_BUILD_DIR:-$root/build}"
venv="$root/.venv"

apt_packages=(
  cmake ninja-build g++ libgtest-dev python3-venv valgrind
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools libomp-22-dev
)

"$root/scripts/apt-install.sh" "${apt_packages[@]}"
# gru-compile --mtriple=aarch64-linux-gnu and its tests under qemu.
"$root/scripts/setup-cross.sh"

# The project's Python test tools live in a virtual environment, reinstalled
# only when requirements.txt changes.
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$root/requirements.txt" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: creating the Python environment in $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q -r "$root/requirements.txt"
  echo "$want" > "$stamp"
fi

if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit
elif [ "$(uname -m)" != aarch64 ] &&
  ! grep -qs '^GRU_AARCH64_OPENMP_LIBRARY:FILEPATH=/' "$build/CMakeCache.txt"; then
  # A build configured before the cross toolchain was set up finds it now.
  cmake "$build" >/dev/null
fi
cmake --build "$build"
