"""Functional Keras 3 models built and saved by real Keras (random asymmetric
weights): several inputs, initial_state, return_state, Bidirectional's
states, Concatenate and the merging layers, a layer called twice, stateful layers, and the
masks Keras records as call arguments, on every mask pattern (some also as
legacy .h5 files); imported with
gru-import, compiled with gru-compile and compared with model.predict to 1e-5.

    python keras_functional.py --gru-import gru-import --gru-compile gru-compile --workdir DIR
"""
import sys

import numpy as np

from keras_sequential import BATCH, FEATURES, STEPS, VOCABULARY, features, keras, randomize, \
    tokens

import harness
from harness import import_and_compile

import gru_model

L = keras.layers


def initial_and_final_states():
    ids, h0 = keras.Input((None,), dtype="int32", name="ids"), keras.Input((4,), name="h0")
    embedded = L.Embedding(VOCABULARY, 5, mask_zero=True)(ids)
    sequence, state = L.GRU(4, return_sequences=True, return_state=True)(embedded,
                                                                           initial_state=h0)
    backward = L.GRU(4, go_backwards=True, reset_after=False)(embedded)
    last = L.GRU(4)(sequence)
    joined = L.Concatenate()([state, backward, last])
    return keras.Model([ids, h0], [L.Dense(3)(joined), L.Add()([state, backward])])


def bidirectional_states():
    x = keras.Input((None, FEATURES), name="x")
    masked = L.Masking(0.0)(x)
    sequence, forward, backward = L.Bidirectional(
        L.GRU(4, return_sequences=True, return_state=True), merge_mode="sum")(masked)
    last = L.GRU(3, zero_output_for_mask=True)(sequence)
    joined = L.Concatenate(axis=-1)([last, forward, backward])
    return keras.Model(x, L.Dense(2, activation="softmax")(joined))


def bidirectional_initial_states():
    x = keras.Input((None, FEATURES), name="x")
    hf, hb = keras.Input((3,), name="hf"), keras.Input((3,), name="hb")
    masked = L.Masking(0.0)(x)
    outputs = L.Bidirectional(L.GRU(3, return_sequences=True), merge_mode=None)(
        masked, initial_state=[hf, hb])
    return keras.Model([x, hf, hb], [L.Concatenate(axis=-1)(outputs), outputs[1]])


def merging_layers():
    ids = keras.Input((None,), dtype="int32", name="ids")
    embedded = L.Embedding(VOCABULARY, 6, mask_zero=True)(ids)
    a = L.GRU(4)(embedded)
    b = L.GRU(4, reset_after=False, activation="relu")(embedded)
    merged = [L.Average()([a, b]), L.Multiply()([a, b]), L.Subtract()([a, b]),
              L.Maximum()([a, b]), L.Minimum()([a, b, L.Dense(4)(a)])]
    return keras.Model(ids, L.Dense(2)(L.Concatenate()(merged)))


def shared_layer():
    x1, x2 = keras.Input((None, FEATURES), name="x1"), keras.Input((None, FEATURES), name="x2")
    gru = L.GRU(3, return_sequences=True)
    dense = L.TimeDistributed(L.Dense(2))
    return keras.Model([x1, x2], L.Add()([dense(gru(x1)), dense(gru(L.Masking()(x2)))]))


def stateful(unroll=False):
    ids = keras.Input(batch_shape=(BATCH, STEPS), dtype="int32", name="ids")
    embedded = L.Embedding(VOCABULARY, 4, mask_zero=True)(ids)
    sequence = L.GRU(3, stateful=True, return_sequences=True, unroll=unroll)(embedded)
    last = L.GRU(4, stateful=True, reset_after=False, unroll=unroll)(sequence)
    return keras.Model(ids, L.Dense(2)(last))


def check_stateful(args, rng):
    """A stateful model's state carries from call to call and reset_states
    clears it, in Keras and in the library alike; the number of failures.
    The oracle is the same model unrolled: on the JAX backend Keras's loop
    repeats the initial state at masked steps before the first processed one
    where docs/GRU_SEMANTICS.md §5 (and its unrolled path) give zeros
    (test/Integration/keras/oracle.py, keras_unroll); and its eager calls, as
    model.predict does not write the state back."""
    model, oracle = stateful(), stateful(unroll=True)
    randomize(model, rng)
    oracle.set_weights(model.get_weights())
    saved = args.workdir / "stateful.keras"
    model.save(saved)
    library = import_and_compile(args, saved, "stateful")
    failures = 0
    with gru_model.load(library) as compiled:
        (function,) = compiled.functions.values()
        for call, pattern in enumerate(("right", "scattered", "reset", "none")):
            if pattern == "reset":
                for layer in oracle.layers:
                    if getattr(layer, "stateful", False):
                        layer.reset_states()
                compiled.reset_states()
                pattern = "left"
            x = tokens(rng, pattern)
            failures += harness.check(f"stateful call {call} mask={pattern}", function(x),
                                      np.asarray(oracle(x)))
    return failures


MODELS = {"initial_and_final_states": initial_and_final_states,
          "bidirectional_states": bidirectional_states,
          "bidirectional_initial_states": bidirectional_initial_states,
          "merging_layers": merging_layers, "shared_layer": shared_layer}


# Models also saved in the legacy HDF5 format (model.save("x.h5")).
LEGACY_H5 = {"initial_and_final_states", "bidirectional_initial_states"}


def model_inputs(model, rng, pattern):
    """Inputs for each of the model's inputs: token ids or features with
    the mask pattern, states (batch, units)."""
    arrays = []
    for spec in model.inputs:
        if spec.dtype == "int32":
            arrays.append(tokens(rng, pattern))
        elif len(spec.shape) == 3:
            arrays.append(features(rng, pattern))
        else:
            arrays.append(rng.uniform(-0.8, 0.8, (BATCH, spec.shape[1])).astype(np.float32))
    return arrays


def check(args, model, name, rng, suffix):
    """Saves, imports, compiles and compares `model` on every mask pattern;
    the number of failures."""
    saved = args.workdir / f"{name}{suffix}"
    model.save(saved)
    library = import_and_compile(args, saved, name + suffix.replace(".", "_"))
    failures = 0
    with gru_model.load(library) as compiled:
        (function,) = compiled.functions.values()
        for pattern in ("none", "right", "left", "scattered"):
            inputs = model_inputs(model, rng, pattern)
            expected = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
            failures += harness.check(f"{name}{suffix} mask={pattern}", function(*inputs),
                                      expected)
    return failures


def main():
    args = harness.arguments()
    rng = np.random.default_rng(13)
    failures = 0
    for name, make in MODELS.items():
        model = make()
        randomize(model, rng)
        for suffix in (".keras", ".h5") if name in LEGACY_H5 else (".keras",):
            failures += check(args, model, name, rng, suffix)
    failures += check_stateful(args, rng)
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
