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

# g++ and libdnnl-dev: the oneDNN harness; python3-torch: PyTorch for the
# system Python; libopenblas0-pthread: the BLAS that Debian's PyTorch calls
# (without it, the reference BLAS makes torch.nn.GRU ~20x slower); taskset
# (util-linux) pins JAX's threads.
apt_packages=(g++ libdnnl-dev python3-torch libopenblas0-pthread util-linux python3-venv)
"$root/scripts/apt-install.sh" "${apt_packages[@]}"

if [ "$build" = 1 ]; then
  "$root/scripts/setup.sh"
elif [ ! -x "$root/build/bin/gru-compile" ] || [ ! -x "$venv/bin/python" ]; then
  echo "bench: --no-build needs build/bin/gru-compile and .venv (run scripts/setup.sh)" >&2
  exit 1
fi

# The peers' Python packages, in the project venv; reinstalled only when
# bench/requirements.txt changes.
stamp="$venv/.bench-requirements.sha256"
want="$(sha256sum "$root/bench/requirements.txt" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bench: installing bench/requirements.txt into $venv"
  "$venv/bin/pip" install -q -r "$root/bench/requirements.txt"
  echo "$want" > "$stamp"
fi

exec "$venv/bin/python" "$root/bench/bench.py" "$@"
