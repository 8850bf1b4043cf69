"""A Keras model of 50 MB of weights (two GRU(1024) and a Dense) imported and
compiled with memory proportional to its size: the peak resident memory of
gru-import and of gru-compile, within a few times the weights' size, and the
library equal to model.predict. Prints the times; asserts no time.

    python large_model.py --gru-import gru-import --gru-compile gru-compile --workdir DIR
"""
import os
import subprocess
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402

import gru_model  # noqa: E402
import harness  # noqa: E402

L = keras.layers
# Peak memory allowed, in multiples of the weights' size (plus the tools' own).
IMPORT_FACTOR, COMPILE_FACTOR = 4, 10
BASELINE_MB = {"gru-import": 120, "gru-compile": 150}


def peak_mb(command, tool):
    """Runs `command` alone in a child process; its seconds and peak MB."""
    runner = (f"import resource, subprocess, sys\n"
              f"done = subprocess.run({[str(c) for c in command]!r}, capture_output=True)\n"
              f"sys.stderr.write(done.stderr.decode())\n"
              f"print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
              f"sys.exit(done.returncode)\n")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", runner], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{tool} failed:\n{done.stderr}")
    return seconds, int(done.stdout) / 1024


def main():
    args = harness.arguments()
    model = keras.Sequential([keras.Input((None, 1024)), L.GRU(1024, return_sequences=True),
                              L.GRU(1024), L.Dense(10)])
    rng = np.random.default_rng(3)
    for weight in model.weights:
        weight.assign(rng.uniform(-0.05, 0.06, weight.shape).astype(np.float32))
    weights_mb = sum(int(np.prod(w.shape)) for w in model.weights) * 4 / 2 ** 20
    saved, mlir, library = (args.workdir / n for n in ("large.keras", "large.mlir",
                                                       "liblarge.so"))
    model.save(saved)
    failures = 0
    for tool, command, factor in (
            ("gru-import", [args.gru_import, saved, "-o", mlir], IMPORT_FACTOR),
            ("gru-compile", [args.gru_compile, mlir, "-o", library], COMPILE_FACTOR)):
        seconds, peak = peak_mb(command, tool)
        limit = factor * weights_mb + BASELINE_MB[tool]
        ok = peak <= limit
        failures += not ok
        print(f"{'ok' if ok else 'FAIL'} {tool}: {weights_mb:.0f} MB of weights, peak "
              f"{peak:.0f} MB (at most {limit:.0f}), {seconds:.1f} s")
    x = rng.uniform(-1, 1, (2, 5, 1024)).astype(np.float32)
    with gru_model.load(library) as compiled:
        (function,) = compiled.functions.values()
        failures += harness.check("equal to model.predict:", function(x),
                                  model.predict(x, verbose=0))
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
