"""Runs a library of test/AOT/Inputs/model.mlir: `run.py LIB [REFERENCE]`.

Prints where its instance runs, then calls @encode twice and @stream three
times (stateful; its state reset before the third) on random data and prints
each call's status; with a REFERENCE library (CPU code only), also the
largest difference between the two libraries' results."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "python"))
import gru_model  # noqa: E402


def inputs():
    rng = np.random.default_rng(11)
    B, T = 3, 5
    x = rng.uniform(-1, 1, (B, T, 8)).astype(np.float32)
    kernel = rng.uniform(-0.5, 0.4, (8, 12)).astype(np.float32)
    recurrent = rng.uniform(-0.4, 0.5, (4, 12)).astype(np.float32)
    bias = rng.uniform(-0.3, 0.3, (2, 12)).astype(np.float32)
    mask = np.arange(T)[None, :] < np.array([5, 2, 4])[:, None]
    h0 = rng.uniform(-1, 1, (B, 4)).astype(np.float32)
    stream = rng.uniform(-1, 1, (2, 3, 8)).astype(np.float32)
    return (x, kernel, recurrent, bias, mask, h0), (stream, kernel, recurrent)


def calls(model):
    """The results of each call, or its error."""
    encode, stream = inputs()
    results = []
    plan = ([("encode", encode)] * 2 + [("stream", stream)] * 2
            + [("reset_states", ()), ("stream", stream)])
    for name, args in plan:
        try:
            got = getattr(model, name)(*args)
            got = () if got is None else got if isinstance(got, tuple) else (got,)
            results.append((name, "ok", got))
        except gru_model.ModelError as error:
            results.append((name, str(error), ()))
    return results


def main():
    # In order with what the libraries print.
    sys.stdout.reconfigure(line_buffering=True)
    try:
        model = gru_model.load(sys.argv[1], prefix="model")
    except gru_model.ModelError as error:
        print(f"create failed: {error}")
        return
    print(f"device: {model.device}")
    mine = calls(model)
    for name, status, _ in mine:
        print(f"{name}: {status}")
    if len(sys.argv) > 2:
        with gru_model.load(sys.argv[2], prefix="model") as reference:
            theirs = calls(reference)
        difference = max(float(np.max(np.abs(a - b)))
                         for (_, _, ours), (_, _, ref) in zip(mine, theirs)
                         for a, b in zip(ours, ref))
        verdict = "within" if difference <= 1e-5 else "BEYOND"
        print(f"max |difference| from the CPU-only library: {difference:.1e} "
              f"({verdict} 1e-5)")


if __name__ == "__main__":
    main()
