"""The Keras matrix on a machine without the project's tools (a lent GPU
machine, say), for run_matrix.py --bundle and --bundle-results.

run_matrix.py --bundle DIR compiles the configs into DIR as usual and, for
each library, builds a C driver (qemu_runner.Library, for the host), writes
each config's calls and Keras's outputs, a copy of the OpenMP runtime and
run.sh. On the other machine, `DIR/run.sh OUT` replays every config with
GRU_DEVICE=cuda (unless set otherwise) and writes its results and driver log
into OUT, which needs nothing but the C library of the machine. Back here,
run_matrix.py --bundle-results DIR OUT compares the results with Keras.
"""

import os
import pickle
import shutil
import subprocess
import types

import configs
import qemu_runner

RUN_SH = """#!/bin/sh
# Replays each config's calls with its library's driver: run.sh OUT.
# GRU_DEVICE defaults to cuda; the results and each driver's log go to OUT.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: run.sh OUT}"
mkdir -p "$out"
export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export GRU_DEVICE="${GRU_DEVICE:-cuda}"
count=0
failed=0
while read -r name driver; do
  count=$((count + 1))
  if ! "$here/$driver" "$here/$name.calls" "$out/$name.results" 2> "$out/$name.log"; then
    failed=$((failed + 1))
    echo "$name: the driver failed: $(tail -n 1 "$out/$name.log")"
  fi
done < "$here/configs.txt"
echo "$count configs replayed, $failed drivers failed"
"""

INDEX = "bundle.pickle"


class Recorder:
    """run() for run_matrix's check_config: writes the calls of a config for
    its library's driver and records what to compare them with; returns no
    results (compared later)."""

    def __init__(self, bundle, cc="cc"):
        self.bundle, self.cc = bundle, cc
        self.libraries, self.entries = {}, []

    def __call__(self, lib, config, steps):
        if lib not in self.libraries:
            self.libraries[lib] = qemu_runner.Library(lib, self.cc, emulator=[])
        library = self.libraries[lib]
        calls = [step if step == configs.RESET else list(step.inputs.values())
                 for step in steps]
        _, shapes = library.write_calls(config.name, calls, configs.RESET)
        expected = [configs.RESET if step == configs.RESET else step.expected
                    for step in steps]
        self.entries.append((config.name, os.path.relpath(library.driver, self.bundle),
                             shapes, expected))
        return []

    def finish(self):
        """Writes the index, run.sh and the OpenMP runtime the libraries use."""
        with open(os.path.join(self.bundle, INDEX), "wb") as f:
            pickle.dump(self.entries, f)
        with open(os.path.join(self.bundle, "configs.txt"), "w") as f:
            for name, driver, _, _ in self.entries:
                f.write(f"{name} {driver}\n")
        script = os.path.join(self.bundle, "run.sh")
        with open(script, "w") as f:
            f.write(RUN_SH)
        os.chmod(script, 0o755)
        lib_dir = os.path.join(self.bundle, "lib")
        os.makedirs(lib_dir, exist_ok=True)
        if self.libraries:
            shutil.copy(_openmp_runtime(next(iter(self.libraries))), lib_dir)


def _openmp_runtime(library):
    """The libomp.so.5 that `library` loads here."""
    listing = subprocess.run(["ldd", library], capture_output=True, text=True,
                             check=True).stdout
    for line in listing.splitlines():
        if line.strip().startswith("libomp.so"):
            return line.split("=>")[1].split()[0]
    raise RuntimeError(f"{library} loads no libomp.so")


def recorded_results(bundle, out):
    """Yields (config name, steps with Keras's outputs, results or the error
    of reading them) for each recorded config."""
    with open(os.path.join(bundle, INDEX), "rb") as f:
        entries = pickle.load(f)
    for name, _, shapes, expected in entries:
        steps = [configs.RESET if isinstance(e, str) else types.SimpleNamespace(expected=e)
                 for e in expected]
        try:
            results = qemu_runner.Library.read_results(
                os.path.join(out, f"{name}.results"), name, shapes)
        except Exception as e:  # a missing or short file fails this config only
            results = f"{type(e).__name__}: {e}"
        yield name, steps, results
