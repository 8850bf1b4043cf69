"""Inputs and expected outputs of a Config, computed by real Keras 3.

Keras runs on its JAX backend on the CPU (KERAS_BACKEND=jax, JAX_PLATFORMS=cpu
unless set otherwise). Where that differs from docs/GRU_SEMANTICS.md the
contract wins, by choosing the Keras code path that gives the contract's
answer (see keras_unroll); reference.py checks the result independently.
"""

import dataclasses
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from configs import RESET  # noqa: E402
from model_gen import argument_names  # noqa: E402


@dataclasses.dataclass
class Call:
    inputs: dict  # argument name -> array, in the model's argument order
    expected: list  # result0 (and result1 with return_state)


# The largest |output| the oracle gives. Gate activations that leave [0, 1]
# (exponential, selu, linear, ...) make z*h + (1-z)*hh grow from step to step;
# where outputs pass this bound, the data is drawn again at half the scale,
# so that a 1e-5 absolute tolerance stays far above float32 rounding.
BOUND = 4.0


def _uniform(rng, limit, shape):
    return rng.uniform(-limit, limit, shape).astype(np.float32)


def make_weights(config, rng, scale):
    """Glorot-uniform-scale random weights (times `scale`), different in every
    gate, so that a swapped gate or bias row shows (constant weights would
    hide it)."""
    features, gates = config.features, 3 * config.units
    weights = {"kernel": _uniform(rng, scale * np.sqrt(6 / (features + gates)), (features, gates)),
               "recurrent_kernel": _uniform(rng, scale * np.sqrt(6 / (config.units + gates)),
                                            (config.units, gates))}
    if config.use_bias:
        weights["bias"] = _uniform(rng, scale * 0.5, (2, gates) if config.reset_after else gates)
    return weights


def make_mask(kind, batch, steps, rng):
    if kind == "all_true":
        return np.ones((batch, steps), dtype=bool)
    if kind in ("right_padded", "left_padded"):
        lengths = rng.integers(1, steps + 1, size=batch)
        if steps > 1:  # at least one row is padded
            lengths[rng.integers(batch)] = rng.integers(1, steps)
        t = np.arange(steps)
        if kind == "right_padded":
            return t < lengths[:, None]
        return t >= steps - lengths[:, None]
    # "holes" and "fully_masked_row": random steps off (often the first one,
    # which tests the zero output before the first processed step).
    mask = rng.random((batch, steps)) < 0.6
    mask[np.arange(batch), rng.integers(steps, size=batch)] = True
    if kind == "fully_masked_row":
        mask[rng.integers(batch)] = False
    return mask


def keras_unroll(config):
    """The Keras code path to run. With a mask, the JAX backend of Keras 3.15
    (keras/src/backend/jax/rnn.py; the NumPy backend is the same) breaks the
    contract on each of its two paths, in one case each:
    * the loop (unroll=False) with zero_output_for_mask=False: a masked step
      before the first processed one outputs the *initial state* (it repeats
      the previous state, not the previous output), where section 5 says
      zeros; a fully masked row outputs its initial state at every step;
    * the unrolled loop ignores zero_output_for_mask and repeats outputs.
    (The TF backend, read but not run here, gives the contract's answer on
    both paths: its loop starts from a zero output and its unrolled loop
    zeroes masked outputs afterwards.) So masked layers run unrolled exactly
    when zero_output_for_mask is false; the contract says both paths give the
    same numbers, and reference.py confirms the choice (when this was
    written, Keras run as configured differed from it in 29 of the 204
    configs, and with this choice in none)."""
    if config.mask == "none":
        return config.unroll
    return not config.zero_output_for_mask


def keras_layer(config, weights):
    layer = keras.layers.GRU(
        config.units, activation=config.activation,
        recurrent_activation=config.recurrent_activation, use_bias=config.use_bias,
        reset_after=config.reset_after, return_sequences=config.return_sequences,
        return_state=config.return_state, go_backwards=config.go_backwards,
        stateful=config.stateful, unroll=keras_unroll(config),
        zero_output_for_mask=config.zero_output_for_mask)
    layer.build((config.batch if config.stateful else None, None, config.features))
    layer.set_weights(list(weights.values()))
    return layer


def run_keras(config, layer, inputs):
    kwargs = {}
    if "mask" in inputs:
        kwargs["mask"] = inputs["mask"]
    if "initial_state" in inputs:
        kwargs["initial_state"] = inputs["initial_state"]
    outputs = layer(inputs["x"], **kwargs)
    if not config.return_state:
        outputs = [outputs]
    return [np.asarray(o, dtype=np.float32) for o in outputs]


def _steps(config, rng, scale):
    weights = make_weights(config, rng, scale)
    layer = keras_layer(config, weights)
    steps = []
    for entry in config.schedule:
        if entry == RESET:
            layer.reset_states()
            steps.append(RESET)
            continue
        shape = (config.batch, entry)
        inputs = {"x": _uniform(rng, 2 * scale, shape + (config.features,)), **weights}
        if config.mask != "none":
            inputs["mask"] = make_mask(config.mask, *shape, rng)
        if config.initial_state:
            inputs["initial_state"] = _uniform(rng, scale, (config.batch, config.units))
        inputs = {name: inputs[name] for name in argument_names(config)}
        steps.append(Call(inputs, run_keras(config, layer, inputs)))
    return steps


def oracle(config, seed=0):
    """The steps of config.schedule (RESET, or a Call with Keras's outputs)
    and the scale of the data they use; the data depends on the seed and the
    config's index only."""
    scale = 1.0
    for attempt in range(10):
        steps = _steps(config, np.random.default_rng([seed, config.index, attempt]), scale)
        outputs = [o for step in steps if step != RESET for o in step.expected]
        if all(np.all(np.abs(o) <= BOUND) for o in outputs):  # false for NaN too
            return steps, scale
        scale /= 2
    raise RuntimeError(f"{config.name}: outputs above {BOUND} even at data scale {scale}")
