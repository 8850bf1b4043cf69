"""Runs @layer of wide.mlir (U = 2048) in two libraries on the same random
inputs, `wide.py LIB REFERENCE`: prints where LIB's instance runs, what
LIB's call returned and the largest difference between the two."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "python"))
import gru_model  # noqa: E402


def main():
    rng = np.random.default_rng(5)
    B, T, F, U = 3, 6, 16, 2048
    inputs = (rng.uniform(-1, 1, (B, T, F)).astype(np.float32),
              rng.uniform(-0.3, 0.2, (F, 3 * U)).astype(np.float32),
              rng.uniform(-0.02, 0.03, (U, 3 * U)).astype(np.float32),
              rng.uniform(-0.2, 0.3, (2, 3 * U)).astype(np.float32),
              np.arange(T)[None, :] < np.array([6, 1, 4])[:, None])
    results = []
    for path in sys.argv[1:3]:
        with gru_model.load(path, prefix="model") as model:
            if not results:
                print(f"device: {model.device}")
            try:
                results.append(model.layer(*inputs))
            except gru_model.ModelError as error:
                print(f"layer: {error}")
                return
    print("layer: ok")
    difference = max(float(np.max(np.abs(a - b))) for a, b in zip(*results))
    verdict = "within" if difference <= 1e-5 else "BEYOND"
    print(f"max |difference| from the reference: {difference:.1e} ({verdict} 1e-5)")


if __name__ == "__main__":
    main()
