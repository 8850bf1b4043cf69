"""Runs a CUDA library of test/AOT/Inputs/cudnn/model.mlir against the
stand-in driver and cuDNN: `run.py LIB REFERENCE [CALL...]`.

Each CALL (default: all) is a function and a mask pattern; for each, prints
the call's status, the library's dispatch record and, where the call ran on
cuDNN alone (no kernel launched, which the stand-in driver cannot run), the
largest difference from the REFERENCE library (CPU code only)."""
import ctypes
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "python"))
import gru_model  # noqa: E402

B, T = 3, 5
RNG = np.random.default_rng(11)
X = RNG.uniform(-1, 1, (B, T, 8)).astype(np.float32)
KERNEL = RNG.uniform(-0.5, 0.4, (8, 12)).astype(np.float32)
RECURRENT = RNG.uniform(-0.4, 0.5, (4, 12)).astype(np.float32)
BIAS = RNG.uniform(-0.3, 0.3, (2, 12)).astype(np.float32)
H0 = RNG.uniform(-1, 1, (B, 4)).astype(np.float32)

MASKS = {
    "right": [[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [1, 1, 1, 1, 0]],
    "full": [[1] * T] * B,
    "left": [[1, 1, 1, 1, 1], [0, 0, 1, 1, 1], [1, 1, 1, 1, 0]],
    "holes": [[1, 1, 1, 1, 1], [1, 0, 1, 0, 0], [1, 1, 1, 1, 0]],
    "empty": [[1, 1, 1, 1, 1], [0, 0, 0, 0, 0], [1, 1, 1, 1, 0]],
}


def arguments(function, pattern):
    if function == "last":
        return X, KERNEL, RECURRENT, BIAS, np.array(MASKS[pattern], dtype=bool), H0
    if function == "constant":
        return (X,)
    return X, KERNEL, RECURRENT, BIAS


def launches():
    """The kernels the stand-in driver launched so far."""
    driver = ctypes.CDLL(os.environ["GRU_CUDA_DRIVER"])
    return driver.fake_cuda_launches()


def main():
    sys.stdout.reconfigure(line_buffering=True)
    model = gru_model.load(sys.argv[1], prefix="model")
    reference = gru_model.load(sys.argv[2], prefix="model")
    calls = sys.argv[3:] or ["last:" + p for p in MASKS] + ["constant:", "constant:",
                                                           "backwards:"]
    for call in calls:
        function, pattern = call.split(":")
        args = arguments(function, pattern)
        before = launches()
        try:
            got = getattr(model, function)(*args)
        except gru_model.ModelError as error:
            print(f"{call}: {error}")
            continue
        record = model.last_dispatch().strip().replace("\n", "; ")
        print(f"{call}: ok, {record}")
        if launches() != before:
            print(f"{call}: kernels launched")
            continue
        want = getattr(reference, function)(*args)
        got, want = (got, want) if isinstance(got, tuple) else ((got,), (want,))
        difference = max(float(np.max(np.abs(a - b))) for a, b in zip(got, want))
        print(f"{call}: {'within' if difference <= 1e-5 else 'BEYOND'} 1e-5 of the CPU code")


if __name__ == "__main__":
    main()
