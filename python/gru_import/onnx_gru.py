"""An ONNX GRU node as one gru.layer per direction (docs/IMPORTERS.md has
the correspondence)."""

import numpy as np

from . import layers, tensors
from .errors import ImportFailure
from .mlir import affine_map, is_static
from .onnx_values import Fill, shape_of

# ONNX activations of the GRU node that are the gru dialect's, with the
# alpha and beta that make them so (None: takes none).
_RECURRENT_ACTIVATIONS = {
    "sigmoid": ("sigmoid", None, None), "tanh": ("tanh", None, None),
    "relu": ("relu", None, None), "softsign": ("softsign", None, None),
    "softplus": ("softplus", None, None), "affine": ("linear", 1.0, 0.0),
    "leakyrelu": ("leaky_relu", 0.2, None), "elu": ("elu", 1.0, None),
    "hardsigmoid": ("hard_sigmoid", 1.0 / 6.0, 0.5), "scaledtanh": ("tanh", 1.0, 1.0),
}
# ONNX's defaults of activation_alpha and activation_beta, per activation.
_DEFAULT_ALPHA = {"affine": 1.0, "leakyrelu": 0.01, "thresholdedrelu": 1.0, "scaledtanh": 1.0,
                  "hardsigmoid": 0.2, "elu": 1.0}
_DEFAULT_BETA = {"affine": 0.0, "scaledtanh": 1.0, "hardsigmoid": 0.5}


class GRUNode:
    """One ONNX GRU node as one gru.layer per direction (see
    docs/IMPORTERS.md for the correspondence)."""

    def __init__(self, graph, node, inputs, attributes):
        self.g, self.f = graph, graph.f
        self.node = node
        self.x, self.w, self.r, self.b, self.lengths, self.initial = inputs
        self.attributes = attributes
        self.layout = attributes.get("layout", 0)
        direction = attributes.get("direction", "forward")
        if direction not in ("forward", "reverse", "bidirectional"):
            raise ImportFailure(f"direction '{direction}' is not one of forward, reverse, "
                                f"bidirectional")
        self.directions = ["forward", "reverse"] if direction == "bidirectional" else [direction]
        self.clip = attributes.get("clip")
        if self.clip is not None and not self.clip > 0:
            raise ImportFailure(f"clip {self.clip} is not positive")

    def build(self):
        x = self.g.tensor(self.x)
        if x.rank != 3:
            raise ImportFailure(f"X of rank {x.rank}, expected 3")
        if self.layout == 0:
            x = tensors.transpose(self.f, x, [1, 0, 2])
        units = self.units()
        mask = self.mask(x)
        outputs = [name in self.g.used for name in list(self.node.output) + [""] * 2][:2]
        sequences, states = [], []
        for d, direction in enumerate(self.directions):
            config = self.config(d, direction, units, mask, outputs)
            kernel, recurrent, bias = self.weights(d, units, config["reset_after"])
            initial = self.initial_state(d, x, units)
            results = layers.gru(self.f, self.g.where(self.node), config, x, mask, kernel,
                                 recurrent, bias, initial)
            if config["return_sequences"]:
                y = results.pop(0)
                sequences.append(layers.reverse_steps(self.f, y) if config["go_backwards"]
                                 else y)
            if results:
                states.append(self.state_of_empty_rows(results[0], mask, initial))
        return [self.sequence_output(sequences) if outputs[0] else None,
                self.state_output(states) if outputs[1] else None]

    def units(self):
        hidden = self.attributes.get("hidden_size")
        r_shape = shape_of(self.r)
        hidden = int(hidden) if hidden is not None else r_shape[-1]
        d, f = len(self.directions), shape_of(self.x)[-1]
        for name, value, shape in (("W", self.w, (d, 3 * hidden, f)),
                                   ("R", self.r, (d, 3 * hidden, hidden)),
                                   ("B", self.b, (d, 6 * hidden))):
            if value is not None and tuple(shape_of(value)) != shape:
                raise ImportFailure(f"{name} of shape {tuple(shape_of(value))}, expected "
                                    f"{shape}")
        return hidden

    def config(self, d, direction, units, mask, outputs):
        """The Keras GRU configuration of direction d."""
        f_name, g_name = self.activations()[2 * d:2 * d + 2]
        return {"units": units, "activation": g_name, "recurrent_activation": f_name,
                "reset_after": bool(self.attributes.get("linear_before_reset", 0)),
                "use_bias": self.b is not None, "go_backwards": direction == "reverse",
                # Padded steps output zeros; the final state is carried over them.
                "zero_output_for_mask": mask is not None and outputs[0],
                "return_sequences": outputs[0], "return_state": outputs[0] and outputs[1],
                "clip": self.clip}

    def activations(self):
        """The gru dialect's names of (f, g) per direction."""
        count = 2 * len(self.directions)
        names = [n.decode() if isinstance(n, bytes) else n
                 for n in self.attributes.get("activations", ["Sigmoid", "Tanh"] * len(
                     self.directions))]
        if len(names) != count:
            raise ImportFailure(f"{len(names)} activations, expected {count}")
        alphas = list(self.attributes.get("activation_alpha", []))
        betas = list(self.attributes.get("activation_beta", []))
        result = []
        for name in names:
            key = name.lower()
            alpha = alphas.pop(0) if key in _DEFAULT_ALPHA and alphas else \
                _DEFAULT_ALPHA.get(key)
            beta = betas.pop(0) if key in _DEFAULT_BETA and betas else _DEFAULT_BETA.get(key)
            ours = _RECURRENT_ACTIVATIONS.get(key)
            if ours is None or not _close(alpha, ours[1]) or not _close(beta, ours[2]):
                raise ImportFailure(
                    f"activation {name} (alpha {alpha}, beta {beta}) is not supported "
                    f"(accepted: Sigmoid, Tanh, Relu, Softsign, Softplus, Affine(1, 0), "
                    f"LeakyRelu(0.2), Elu(1), HardSigmoid(1/6, 0.5), ScaledTanh(1, 1))")
            result.append(ours[0])
        return result

    def weights(self, d, units, reset_after):
        """kernel (F, 3U), recurrent kernel (U, 3U) and bias of direction d,
        from W, R and B (Wb and Rb: one row each, or summed)."""
        if all(self.g.known(v) for v in (self.w, self.r) + ((self.b,) if self.b is not None
                                                              else ())):
            kernel, recurrent = self.w[d].T, self.r[d].T
            bias = None
            if self.b is not None:
                wb, rb = self.b[d][:3 * units], self.b[d][3 * units:]
                bias = np.stack([wb, rb]) if reset_after else wb + rb
            return (self.f.constant(kernel, "kernel"), self.f.constant(recurrent, "recurrent"),
                    None if bias is None else self.f.constant(bias, "bias"))
        kernel = self.direction_matrix(self.w, d)
        recurrent = self.direction_matrix(self.r, d)
        bias = None
        if self.b is not None:
            b = self.g.tensor(self.b)
            parts = [tensors.extract(self.f, b, [d, k * 3 * units], [1, 3 * units], drop={0})
                     for k in (0, 1)]
            bias = tensors.concat(self.f, [tensors.reshape(self.f, p, (1, 3 * units))
                                           for p in parts], 0) if reset_after else \
                tensors.elementwise(self.f, "bias", parts, ["%r = arith.addf %a, %b : f32"])
        return kernel, recurrent, bias

    def direction_matrix(self, weights, d):
        """weights[d] transposed: (3U, K) → (K, 3U)."""
        weights = self.g.tensor(weights)
        _, rows, columns = weights.shape
        matrix = tensors.extract(self.f, weights, [d, 0, 0], [1, rows, columns], drop={0})
        return tensors.transpose(self.f, matrix, [1, 0])

    def mask(self, x):
        """(B, T) i1: step t of row b is one of its first sequence_lens[b]."""
        if self.lengths is None:
            return None
        lengths = self.lengths
        if self.g.known(lengths):
            if is_static(x.shape[1]) and np.all(lengths >= x.shape[1]):
                return None
            lengths = self.f.integer_constant(lengths.astype(np.int32), "lengths")
        element = lengths.element
        init = self.f.empty(x.shape[:2], "i1")
        dims = ["b", "t"]
        self.lengths_value = lengths
        return self.f.generic("mask", [lengths], [affine_map(dims, ["b"]),
                                                  affine_map(dims, dims)], init,
                              ["parallel", "parallel"],
                              ["%t = linalg.index 1 : index",
                               f"%step = arith.index_cast %t : index to {element}",
                               f"%keep = arith.cmpi slt, %step, %length : {element}",
                               "linalg.yield %keep : i1"],
                              [("length", element), ("out", "i1")])

    def initial_state(self, d, x, units):
        """initial_h of direction d (B, U), or None where it is zero."""
        initial = self.initial
        if initial is None or (isinstance(initial, Fill) and initial.value == 0.0):
            return None
        if self.g.known(initial) and not np.any(initial):
            return None
        initial = self.g.tensor(initial)
        offsets = [d, 0, 0] if self.layout == 0 else [0, d, 0]
        sizes = [1, x.shape[0], units] if self.layout == 0 else [x.shape[0], 1, units]
        return tensors.extract(self.f, initial, offsets, sizes, drop={self.layout})

    def state_of_empty_rows(self, state, mask, initial):
        """Y_h of direction d: ONNX Runtime's final state of a row of sequence
        length 0 is zero, where Keras's is the initial state."""
        if mask is None or initial is None:
            return state
        lengths = self.lengths_value
        init = self.f.empty(state.shape)
        dims = ["b", "u"]
        element = lengths.element
        return self.f.generic("state", [state, lengths],
                              [affine_map(dims, dims), affine_map(dims, ["b"]),
                               affine_map(dims, dims)], init, ["parallel", "parallel"],
                              [f"%zero = arith.constant 0 : {element}",
                               f"%some = arith.cmpi sgt, %length, %zero : {element}",
                               "%none = arith.constant 0.0 : f32",
                               "%r = arith.select %some, %h, %none : f32",
                               "linalg.yield %r : f32"],
                              [("h", "f32"), ("length", element), ("out", "f32")])

    def sequence_output(self, sequences):
        """Y: (T, D, B, U), or (B, T, D, U) with layout 1."""
        parts = []
        for y in sequences:
            if self.layout == 0:
                y = tensors.transpose(self.f, y, [1, 0, 2])
                parts.append(tensors.reshape(self.f, y, (y.shape[0], 1) + y.shape[1:]))
            else:
                parts.append(tensors.reshape(self.f, y, y.shape[:2] + (1, y.shape[2])))
        return tensors.concat(self.f, parts, 1 if self.layout == 0 else 2)

    def state_output(self, states):
        """Y_h: (D, B, U), or (B, D, U) with layout 1."""
        axis = 0 if self.layout == 0 else 1
        parts = [tensors.reshape(self.f, h, h.shape[:axis] + (1,) + h.shape[axis:])
                 for h in states]
        return tensors.concat(self.f, parts, axis)


def _close(a, b):
    return (a is None and b is None) or (a is not None and b is not None and
                                         abs(float(a) - float(b)) <= 1e-6 * max(1, abs(b)))
