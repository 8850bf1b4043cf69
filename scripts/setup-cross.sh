#!/usr/bin/env bash
# Installs what gru-compile --mtriple=aarch64-linux-gnu links with and what
# the tests run its libraries under: Debian's aarch64 cross compiler and
# C library, qemu-user, and an arm64 LLVM OpenMP runtime, extracted into
# .cross/aarch64/lib (CMake's GRU_CROSS_DIR). Idempotent: a second run only
# checks. On an aarch64 host the host's own toolchain links.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.cross/aarch64"
# LLVM's OpenMP runtime of the release the host's libomp-22-dev links to.
libomp_package="libomp5-19:arm64"

[ "$(uname -m)" != aarch64 ] || exit 0
"$root/scripts/apt-install.sh" gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
[ -e "$dest/lib/libomp.so.5" ] && exit 0

sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
# apt-get download needs the arm64 package lists; it is not installed:
# apt would replace the host's libomp or pull in an arm64 LLVM.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "setup: adding the arm64 package architecture (for $libomp_package)"
  $sudo_cmd dpkg --add-architecture arm64
  $sudo_cmd apt-get update -qq
fi
work="$(mktemp -d)"
trap 'rm -rf "$work" "$dest.partial"' EXIT
download() {
  (cd "$work" && apt-get download -qq "$libomp_package" 2>&1 | grep -v unsandboxed) || true
  compgen -G "$work/*.deb" >/dev/null
}
# The arm64 lists may be older than the architecture (an earlier update failed).
download || { $sudo_cmd apt-get update -qq && download; } || {
  echo "setup: cannot download $libomp_package" >&2
  exit 1
}

# Extracted beside the final place, then moved there, so that an interrupted
# run leaves nothing that looks complete.
rm -rf "$dest.partial"
mkdir -p "$dest.partial/pkg"
dpkg -x "$work"/*.deb "$dest.partial/pkg"
libomp="$(cd "$dest.partial" && find pkg -name libomp.so.5 -type f | head -n1)"
[ -n "$libomp" ] || { echo "setup: $libomp_package has no libomp.so.5" >&2; exit 1; }
mkdir -p "$dest.partial/lib"
ln -s "../$libomp" "$dest.partial/lib/libomp.so.5"
rm -rf "$dest"
mv "$dest.partial" "$dest"
echo "setup: arm64 libomp in $dest/lib"
