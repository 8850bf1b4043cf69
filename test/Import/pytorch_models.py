"""PyTorch state_dicts (Inputs/torch_*.pt: nn.GRU stacks of both directions,
with and without bias, batch_first or not, h_0, an nn.Embedding before and an
nn.Linear after reading each head), imported with gru-import, compiled with
gru-compile and compared to 1e-5 with PyTorch's own outputs, which
Inputs/export_torch.py recorded in Inputs/torch_outputs.npz.

    python pytorch_models.py --gru-import gru-import --gru-compile gru-compile --workdir DIR
"""
import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np

import gru_model


def run(command):
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(map(str, command))} failed:\n{done.stderr}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gru-import", required=True)
    parser.add_argument("--gru-compile", required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--inputs", type=Path, default=Path(__file__).parent / "Inputs")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    recorded = np.load(args.inputs / "torch_outputs.npz")
    names = sorted({key.split(".")[0] for key in recorded.files})
    failures = 0
    for name in names:
        def arrays(kind):
            return [recorded[f"{name}.{kind}.{i}"] for i in range(len(recorded.files))
                    if f"{name}.{kind}.{i}" in recorded.files]
        options = [str(o) for o in recorded[f"{name}.options"]]
        mlir = args.workdir / f"{name}.mlir"
        run([args.gru_import, args.inputs / f"{name}.pt", *options, "-o", mlir])
        library = args.workdir / f"lib{name}.so"
        run([args.gru_compile, mlir, "-o", library])
        expected = arrays("outputs")
        with gru_model.load(library) as compiled:
            (function,) = compiled.functions.values()
            got = function(*arrays("inputs"))
        got = list(got) if isinstance(got, tuple) else [got]
        ok = [g.shape for g in got] == [e.shape for e in expected]
        diff = max(float(np.abs(g - e).max()) for g, e in zip(got, expected)) if ok else np.inf
        ok = ok and diff <= 1e-5
        failures += not ok
        print(f"{'ok' if ok else 'FAIL'} {name} {' '.join(options)} shapes="
              f"{[tuple(g.shape) for g in got]} max abs diff {diff:.1e}")
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
