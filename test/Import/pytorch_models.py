"""PyTorch state_dicts (Inputs/torch_*.pt: nn.GRU stacks of both directions,
with and without bias, batch_first or not, h_0, an nn.Embedding before and an
nn.Linear after reading each head), imported with gru-import, compiled with
gru-compile and compared to 1e-5 with PyTorch's own outputs, which
Inputs/export_torch.py recorded in Inputs/torch_outputs.npz.

    python pytorch_models.py --gru-import gru-import --gru-compile gru-compile --workdir DIR
"""
import sys
from pathlib import Path

import numpy as np

import gru_model
import harness


def main():
    args = harness.arguments(lambda parser: parser.add_argument(
        "--inputs", type=Path, default=Path(__file__).parent / "Inputs"))
    recorded = np.load(args.inputs / "torch_outputs.npz")
    names = sorted({key.split(".")[0] for key in recorded.files})
    failures = 0
    for name in names:
        def arrays(kind):
            return [recorded[f"{name}.{kind}.{i}"] for i in range(len(recorded.files))
                    if f"{name}.{kind}.{i}" in recorded.files]
        options = [str(o) for o in recorded[f"{name}.options"]]
        library = harness.import_and_compile(args, args.inputs / f"{name}.pt", name, options)
        with gru_model.load(library) as compiled:
            (function,) = compiled.functions.values()
            got = function(*arrays("inputs"))
        failures += harness.check(f"{name} {' '.join(options)}", got, arrays("outputs"))
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
