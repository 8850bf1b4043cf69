"""Runs the digits model compiled by gru-compile on the test split and
compares it with Keras running the saved model on the same split: the
accuracy of both, their time per batch of 64, and the largest difference of
their class probabilities (exit status 1 above 1e-5).

    python examples/run_digits.py build/examples/libdigits.so examples/digits_gru.keras
"""
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402

import digits_data  # noqa: E402
import gru_model  # noqa: E402

BATCH = 64


def batches(x):
    return [x[i:i + BATCH] for i in range(0, len(x), BATCH)]


def per_batch(run, x, repeats=5):
    """The outputs of `run` over x in batches, and its median ms per batch."""
    outputs = [run(b) for b in batches(x)]  # also the warm-up
    times = []
    for _ in range(repeats):
        for b in batches(x):
            start = time.perf_counter()
            run(b)
            times.append(time.perf_counter() - start)
    return np.concatenate(outputs), 1e3 * float(np.median(times))


def main(library, saved):
    _, (x_test, y_test) = digits_data.splits()
    model = keras.saving.load_model(saved)
    expected, keras_ms = per_batch(lambda b: np.asarray(model.predict_on_batch(b)), x_test)
    with gru_model.load(library) as compiled:
        ours, our_ms = per_batch(compiled.digits, x_test)
    keras_accuracy = float(np.mean(expected.argmax(1) == y_test))
    our_accuracy = float(np.mean(ours.argmax(1) == y_test))
    diff = float(np.abs(ours - expected).max())
    print(f"digits test split: {len(x_test)} images read as 8 steps of 8 pixels, "
          f"batches of {BATCH}")
    print(f"  {'':28} accuracy  ms per batch")
    print(f"  {'Keras ' + keras.__version__ + ' (' + keras.backend.backend() + ')':28} "
          f"{keras_accuracy:.4f}    {keras_ms:8.3f}")
    print(f"  {'gru-import + gru-compile':28} {our_accuracy:.4f}    {our_ms:8.3f}"
          f"   ({keras_ms / our_ms:.1f}x Keras's speed)")
    print(f"largest difference of the class probabilities: {diff:.1e}")
    return 0 if diff <= 1e-5 and our_accuracy == keras_accuracy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
