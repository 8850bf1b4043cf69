"""Sequential Keras 3 models built and saved by real Keras (random
asymmetric weights), imported with gru-import, compiled with gru-compile and
compared with model.predict to 1e-5, on token or feature inputs whose masks
take every pattern: none, right-padded, left-padded, scattered and rows
masked entirely; some models also saved as legacy .h5 files.

    python keras_sequential.py --gru-import gru-import --gru-compile gru-compile --workdir DIR
"""
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402

import gru_model  # noqa: E402
import harness  # noqa: E402
from harness import import_and_compile  # noqa: E402

L = keras.layers
VOCABULARY, BATCH, STEPS, FEATURES = 40, 5, 7, 6


def token_model(*body):
    return [keras.Input((None,), dtype="int32"), L.Embedding(VOCABULARY, 8, mask_zero=True),
            *body]


def feature_model(*body, steps=None):
    return [keras.Input((steps, FEATURES)), L.Masking(mask_value=0.0), *body]


MODELS = {
    "embedding_gru_dense": token_model(L.GRU(6), L.Dense(3)),
    "stack_softmax": token_model(L.GRU(5, return_sequences=True), L.Dropout(0.3),
                                 L.GRU(4, reset_after=False), L.Dense(3, activation="softmax")),
    "backwards_zero_output": token_model(
        L.GRU(5, go_backwards=True, zero_output_for_mask=True, return_sequences=True),
        L.TimeDistributed(L.Dense(2, activation="relu"))),
    "activations_no_bias": token_model(
        L.GRU(4, activation="relu", recurrent_activation="hard_sigmoid", use_bias=False,
              dropout=0.2, recurrent_dropout=0.1),
        L.Activation("swish"), L.Dense(2, activation="sigmoid", use_bias=False)),
    "masking_sequences": feature_model(L.GRU(5, return_sequences=True, unroll=True),
                                       L.Dense(3, activation="tanh"), L.GRU(3), steps=STEPS),
    "masking_reset_before": feature_model(
        L.GRU(4, reset_after=False, activation="softsign", return_sequences=True),
        L.SpatialDropout1D(0.2), L.GaussianNoise(0.1), L.Dense(4), L.Activation("softmax")),
    "bidirectional_concat_sum": token_model(
        L.Bidirectional(L.GRU(5, return_sequences=True)),
        L.Bidirectional(L.GRU(3, reset_after=False), merge_mode="sum"), L.Dense(2)),
    "bidirectional_backward_layer": feature_model(
        L.Bidirectional(L.GRU(4, return_sequences=True, zero_output_for_mask=True),
                        backward_layer=L.GRU(4, go_backwards=True, return_sequences=True,
                                             zero_output_for_mask=True,
                                             activation="softsign"), merge_mode="concat"),
        L.Bidirectional(L.GRU(3, unroll=True), merge_mode="ave"), steps=STEPS),
    "bidirectional_mul_none": token_model(
        L.Bidirectional(L.GRU(4, return_sequences=True), merge_mode="mul"),
        L.Bidirectional(L.GRU(3), merge_mode=None)),
    "no_mask": [keras.Input((None, FEATURES)), L.GRU(6, recurrent_activation="tanh", dropout=1e-5),
                L.Dense(2, activation="elu")],
}


# Models also saved in the legacy HDF5 format (model.save("x.h5")).
LEGACY_H5 = {"stack_softmax", "bidirectional_backward_layer", "bidirectional_mul_none"}


def tokens(rng, pattern):
    x = rng.integers(1, VOCABULARY, size=(BATCH, STEPS)).astype(np.int32)
    if pattern == "right":
        for b, length in enumerate([7, 5, 3, 1, 6]):
            x[b, length:] = 0
    elif pattern == "left":
        for b, length in enumerate([7, 5, 3, 1, 6]):
            x[b, :STEPS - length] = 0
    elif pattern == "scattered":
        x[rng.random(x.shape) < 0.35] = 0
        x[3, :] = 0  # a row masked entirely
    return x


def features(rng, pattern):
    mask = tokens(rng, pattern) != 0
    x = rng.uniform(-1, 1, size=(BATCH, STEPS, FEATURES)).astype(np.float32)
    return x * mask[..., None]


def randomize(model, rng):
    for weight in model.weights:
        weight.assign(rng.uniform(-0.6, 0.6, weight.shape).astype(np.float32))


def check(args, model, name, rng, suffix):
    """Saves `model` as `suffix` (.keras, or legacy .h5), imports, compiles
    and compares it with model.predict on every mask pattern; the number of
    failures."""
    saved = args.workdir / f"{name}{suffix}"
    model.save(saved)
    library = import_and_compile(args, saved, name + suffix.replace(".", "_"))
    is_tokens = model.inputs[0].dtype == "int32"
    failures = 0
    with gru_model.load(library) as compiled:
        (function,) = compiled.functions.values()
        for pattern in ("none", "right", "left", "scattered"):
            x = tokens(rng, pattern) if is_tokens else features(rng, pattern)
            failures += harness.check(f"{name}{suffix} mask={pattern}", function(x),
                                      model.predict(x, verbose=0))
    return failures


def main():
    args = harness.arguments()
    rng = np.random.default_rng(7)
    failures = 0
    for name, layer_list in MODELS.items():
        model = keras.Sequential(layer_list, name=name)
        randomize(model, rng)
        for suffix in (".keras", ".h5") if name in LEGACY_H5 else (".keras",):
            failures += check(args, model, name, rng, suffix)
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
