"""docs/GRU_SEMANTICS.md sections 2-5 written out in float64 NumPy.

Not the oracle (Keras is): it checks the oracle. Where Keras and this file
agree, Keras meets the contract; and since this runs in float64, the
difference also shows how far float32 rounding moves a configuration's
outputs, so a 1e-5 tolerance is only used where it means something.
"""

import math

import numpy as np

from configs import RESET


def _sigmoid(x):
    return 0.5 * (1 + np.tanh(x / 2))


def _hard_sigmoid(x):
    return np.clip(x / 6 + 0.5, 0, 1)


def _softplus(x):
    return np.logaddexp(0, x)


def _elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


_erf = np.vectorize(math.erf, otypes=[np.float64])

# Keras 3 definitions (section 3).
ACTIVATIONS = {
    "linear": lambda x: x,
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "hard_sigmoid": _hard_sigmoid,
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.2 * x),
    "elu": _elu,
    "selu": lambda x: 1.0507009873554805 * _elu(x, 1.6732632423543772),
    "celu": _elu,  # alpha = 1
    "softplus": _softplus,
    "softsign": lambda x: x / (1 + np.abs(x)),
    "silu": lambda x: x * _sigmoid(x),
    "hard_silu": lambda x: x * _hard_sigmoid(x),
    "gelu": lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2))),
    "exponential": np.exp,
    "hard_tanh": lambda x: np.clip(x, -1, 1),
    "sparse_sigmoid": lambda x: np.clip((x + 1) / 2, 0, 1),
    "sparse_plus": lambda x: np.where(x <= -1, 0, np.where(x >= 1, x, (x + 1) ** 2 / 4)),
    "squareplus": lambda x: (x + np.sqrt(x * x + 4)) / 2,
    "soft_shrink": lambda x: np.sign(x) * np.maximum(np.abs(x) - 0.5, 0),
    "hard_shrink": lambda x: np.where(np.abs(x) > 0.5, x, 0),
    "tanh_shrink": lambda x: x - np.tanh(x),
    "log_sigmoid": lambda x: -_softplus(-x),
    "mish": lambda x: x * np.tanh(_softplus(x)),
}
ACTIVATIONS["swish"] = ACTIVATIONS["silu"]
ACTIVATIONS["hard_swish"] = ACTIVATIONS["hard_silu"]


def _step(config, x, h, kernel, recurrent_kernel, bias):
    """Section 2: one step, h' from x_t and h."""
    u = config.units
    act, rec_act = ACTIVATIONS[config.activation], ACTIVATIONS[config.recurrent_activation]
    if config.reset_after:
        input_bias, recurrent_bias = bias
    else:
        input_bias, recurrent_bias = bias, 0
    xw = x @ kernel + input_bias
    if config.reset_after:
        hr = h @ recurrent_kernel + recurrent_bias
        z = rec_act(xw[:, :u] + hr[:, :u])
        r = rec_act(xw[:, u:2 * u] + hr[:, u:2 * u])
        hh = act(xw[:, 2 * u:] + r * hr[:, 2 * u:])
    else:
        z = rec_act(xw[:, :u] + h @ recurrent_kernel[:, :u])
        r = rec_act(xw[:, u:2 * u] + h @ recurrent_kernel[:, u:2 * u])
        hh = act(xw[:, 2 * u:] + (r * h) @ recurrent_kernel[:, 2 * u:])
    return z * h + (1 - z) * hh


def layer(config, inputs, state):
    """Sections 4 and 5: one call from `state`; returns (outputs, final state)."""
    x = inputs["x"].astype(np.float64)
    kernel = inputs["kernel"].astype(np.float64)
    recurrent_kernel = inputs["recurrent_kernel"].astype(np.float64)
    bias_shape = (2, 3 * config.units) if config.reset_after else (3 * config.units,)
    bias = inputs["bias"].astype(np.float64) if config.use_bias else np.zeros(bias_shape)
    batch, steps, _ = x.shape
    mask = inputs.get("mask", np.ones((batch, steps), dtype=bool))
    output = np.zeros((batch, config.units))  # "before the first processed step"
    outputs = []
    for t in reversed(range(steps)) if config.go_backwards else range(steps):
        new = _step(config, x[:, t], state, kernel, recurrent_kernel, bias)
        keep = mask[:, t:t + 1]
        state = np.where(keep, new, state)
        output = np.where(keep, new, 0 if config.zero_output_for_mask else output)
        outputs.append(output)
    sequence = np.stack(outputs, axis=1)  # processing order
    result = [sequence if config.return_sequences else sequence[:, -1]]
    if config.return_state:
        result.append(state)
    return result, state


def replay(config, steps):
    """The outputs of every call of `steps` (from oracle.oracle), with
    stateful layers' kept state carried between calls."""
    kept = np.zeros((config.batch, config.units))
    results = []
    for step in steps:
        if step == RESET:
            kept = np.zeros_like(kept)
            continue
        state = step.inputs.get("initial_state")
        if state is None:
            state = kept if config.stateful else np.zeros_like(kept)
        outputs, final = layer(config, step.inputs, state.astype(np.float64))
        if config.stateful:
            kept = final
        results.append(outputs)
    return results
