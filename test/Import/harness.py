"""What the import tests share: their command line, running the tools, and
comparing a library's outputs with an oracle's to 1e-5."""
import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np

TOLERANCE = 1e-5


def arguments(extra=None):
    """--gru-import, --gru-compile and --workdir (created), and `extra`'s."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--gru-import", required=True)
    parser.add_argument("--gru-compile", required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    if extra:
        extra(parser)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    return args


def run(command):
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(map(str, command))} failed:\n{done.stderr}")


def import_and_compile(args, model, name, options=()):
    """gru-import `model` (with `options`), then gru-compile it; the library."""
    mlir = args.workdir / f"{name}.mlir"
    run([args.gru_import, model, *options, "-o", mlir])
    library = args.workdir / f"lib{name}.so"
    run([args.gru_compile, mlir, "-o", library])
    return library


def as_list(outputs):
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def check(label, got, expected):
    """Prints `ok`/`FAIL label`, the shapes and the largest difference of
    `got` from `expected` (arrays, or sequences of them); 1 if they differ."""
    got, expected = as_list(got), as_list(expected)
    ok = [np.shape(g) for g in got] == [np.shape(e) for e in expected]
    diff = max(float(np.abs(g - e).max()) for g, e in zip(got, expected)) if ok else np.inf
    ok = ok and diff <= TOLERANCE
    print(f"{'ok' if ok else 'FAIL'} {label} shapes={[tuple(np.shape(g)) for g in got]} "
          f"max abs diff {diff:.1e}")
    return 0 if ok else 1
