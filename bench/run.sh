#!/usr/bin/env bash
# The GRU benchmark in one command (bench/README.md):
#
#   bench/run.sh [--no-build] [bench.py options: --quick, --shapes, --threads, --peers, ...]
#
# Installs what it needs on a fresh Debian 12 machine (idempotent), builds the
# project with scripts/setup.sh (only what changed; --no-build uses build/ and
# .venv as they are), then runs bench/bench.py.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"

build=1
if [ "${1:-}" = "--no-build" ]; then
  build=0
  shift
fi

# g++: the oneDNN harness; taskset (util-linux) pins TBB's (oneDNN) and
# JAX's threads. Debian's oneDNN 2.6 and PyTorch 1.13 are extra peers, installed
# only when --peers names them: libdnnl-dev, python3-torch and
# libopenblas0-pthread (the BLAS that Debian's PyTorch calls; without it, the
# reference BLAS makes torch.nn.GRU ~20x slower).
apt_packages=(g++ util-linux python3-venv)
case " $* " in *onednn-debian*) apt_packages+=(libdnnl-dev) ;; esac
case " $* " in *torch-debian*) apt_packages+=(python3-torch libopenblas0-pthread) ;; esac
"$root/scripts/apt-install.sh" "${apt_packages[@]}"

if [ "$build" = 1 ]; then
  "$root/scripts/setup.sh"
elif [ ! -x "$root/build/bin/gru-compile" ] || [ ! -x "$venv/bin/python" ]; then
  echo "bench: --no-build needs build/bin/gru-compile and .venv (run scripts/setup.sh)" >&2
  exit 1
fi

# The peers' Python packages, in the project venv; reinstalled only when
# bench/requirements.txt changes (about 8 GB installed, 5.4 GB of it PyPI's
# torch with its CUDA libraries).
stamp="$venv/.bench-requirements.sha256"
want="$(sha256sum "$root/bench/requirements.txt" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bench: installing bench/requirements.txt into $venv"
  "$venv/bin/pip" install -q -r "$root/bench/requirements.txt"
  echo "$want" > "$stamp"
fi

# PyPI's oneDNN is a SYCL build: its CPU engine needs the SYCL runtime's
# OpenCL adapter, which intel-cmplr-lib-ur 2026.2.0 (the version its
# dependencies pin) lacks. The same adapter (Unified Runtime 0.12) from
# 2026.1.2's wheel goes into .venv/bench-ur-opencl, which bench.py puts on the
# oneDNN harness's LD_LIBRARY_PATH.
ur_version=2026.1.2
adapter="$venv/bench-ur-opencl/libur_adapter_opencl.so.0"
if [ ! -e "$venv/lib/libur_adapter_opencl.so.0" ] && [ ! -e "$adapter" ]; then
  echo "bench: adding the SYCL OpenCL adapter of intel-cmplr-lib-ur $ur_version"
  wheels="$(mktemp -d)"
  "$venv/bin/pip" download -q --no-deps -d "$wheels" "intel-cmplr-lib-ur==$ur_version"
  "$venv/bin/python" - "$wheels"/*.whl "$adapter" <<'PY'
import os, sys, zipfile
wheel, target = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith("/lib/libur_adapter_opencl.so.0"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target + ".tmp", "wb") as f:
        f.write(z.read(name))
os.replace(target + ".tmp", target)
PY
  rm -rf "$wheels"
fi

exec "$venv/bin/python" "$root/bench/bench.py" "$@"
