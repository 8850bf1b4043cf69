"""Regularization losses and constraints of a compiled model against Keras 3.

The loss after a call must equal the sum of Keras's `layer.losses` after the
same call (weight regularizers plus the activity regularizer of every output
the layer returns, divided by the batch size); the constraint function must
update the weights exactly as Keras's constraint objects do.
"""
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402

import gru_model  # noqa: E402

TOLERANCE = 1e-5
failures = 0


def check(name, got, want, tolerance=TOLERANCE):
    global failures
    error = float(np.max(np.abs(np.asarray(got) - np.asarray(want))))
    scale = max(1.0, float(np.max(np.abs(want))))
    ok = error <= tolerance * scale
    failures += not ok
    print(f"{'ok' if ok else 'FAIL'}: {name} (max error {error:.2e})")


def keras_layer(weights, **options):
    layer = keras.layers.GRU(4, **options)
    layer.build((None, None, 5))
    layer.set_weights(weights)
    return layer


def main(library):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(3, 6, 5)).astype(np.float32)
    k = rng.uniform(-0.6, 0.6, size=(5, 12)).astype(np.float32)
    rk = rng.uniform(-0.6, 0.6, size=(4, 12)).astype(np.float32)
    b = rng.uniform(-0.6, 0.6, size=(2, 12)).astype(np.float32)

    layer = keras_layer(
        [k, rk, b], return_sequences=True, return_state=True,
        kernel_regularizer=keras.regularizers.L1(0.01),
        recurrent_regularizer=keras.regularizers.L2(0.02),
        bias_regularizer=keras.regularizers.L1L2(0.003, 0.004),
        activity_regularizer=keras.regularizers.L1L2(0.05, 0.06),
        kernel_constraint=keras.constraints.MaxNorm(0.7, axis=0),
        recurrent_constraint=keras.constraints.MinMaxNorm(0.2, 0.9, 0.6, axis=1),
        bias_constraint=keras.constraints.UnitNorm(axis=0))
    want_out, want_h = layer(x)
    want_loss = float(sum(np.asarray(loss) for loss in layer.losses))

    with gru_model.load(library) as model:
        out, h = model.gru(x, k, rk, b)
        check("outputs unchanged by regularizers", out, want_out)
        check("final state unchanged by regularizers", h, want_h)
        check("regularization loss = sum of layer.losses",
              model.gru_regularization_loss(k, rk, b), want_loss)

        weights = [k.copy(), rk.copy(), b.copy()]
        model.gru_apply_constraints(*weights)
        for name, got, variable in zip(("kernel", "recurrent", "bias"), weights,
                                       layer.weights):
            constraint = variable.constraint
            check(f"{name} constraint", got, constraint(variable.value))

        # A constant (initializer) kernel with l2, and non_neg on an argument.
        model.fixed(x, rk)
        constant_kernel = model.fixed_kernel()
        check("penalty of a constant kernel",
              model.fixed_regularization_loss(),
              keras.regularizers.L2(0.5)(constant_kernel))
        constrained = rk.copy()
        model.fixed_apply_constraints(constrained)
        check("non_neg constraint", constrained,
              keras.constraints.NonNeg()(rk))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
