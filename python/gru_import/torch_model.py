"""PyTorch models from a state_dict saved by torch.save: an nn.GRU (any
num_layers, bidirectional, bias), after an optional nn.Embedding and before
an optional nn.Linear. The state_dict gives the modules (in the order of its
keys), num_layers, bidirectional, bias and the sizes; what it cannot give is
an option: batch_first, what the Linear reads (the head) and whether the
model takes h_0."""

import collections
import dataclasses
import os

import numpy as np

from . import layers, tensors
from .errors import ImportFailure
from .mlir import Function, identifier, module_text
from .torch_reader import read_state_dict

HEADS = ("sequence", "last-step", "final-state")


@dataclasses.dataclass
class TorchOptions:
    """What a state_dict does not record: nn.GRU's batch_first, what the
    Linear after the GRU reads (`sequence`: every step of the output,
    `last-step`: output[:, -1], `final-state`: the last layer's h_n of each
    direction, concatenated) and whether h_0 is an argument."""
    batch_first: bool = False
    head: str = None
    initial_state: bool = False


def _modules(state):
    """The state_dict's modules, in the order of their first key: prefix →
    {parameter name: array}."""
    modules = collections.OrderedDict()
    for key, value in state.items():
        prefix, _, name = key.rpartition(".")
        modules.setdefault(prefix, {})[name] = value
    return modules


@dataclasses.dataclass
class _GRUShape:
    layers: int
    directions: int
    bias: bool
    input_size: int
    hidden: int


def _gru_shape(where, params):
    count = sum(1 for name in params if name.startswith("weight_ih_l") and
                not name.endswith("_reverse"))
    directions = 2 if "weight_ih_l0_reverse" in params else 1
    bias = "bias_ih_l0" in params
    hidden = params["weight_hh_l0"].shape[1] if "weight_hh_l0" in params else None
    if hidden is None or params["weight_ih_l0"].ndim != 2:
        raise ImportFailure(f"{where}: no weight_hh_l0 of an nn.GRU")
    rows = params["weight_hh_l0"].shape[0]
    if rows != 3 * hidden:
        lstm = " (an nn.LSTM's has 4·hidden_size)" if rows == 4 * hidden else ""
        raise ImportFailure(f"{where}: weight_hh_l0 of {rows} rows is not an nn.GRU's, which "
                            f"has 3·hidden_size = {3 * hidden}{lstm}")
    shape = _GRUShape(count, directions, bias, params["weight_ih_l0"].shape[1], hidden)
    expected = {}
    for k in range(count):
        width = shape.input_size if k == 0 else directions * hidden
        for suffix in ("", "_reverse")[:directions]:
            expected[f"weight_ih_l{k}{suffix}"] = (3 * hidden, width)
            expected[f"weight_hh_l{k}{suffix}"] = (3 * hidden, hidden)
            if bias:
                expected[f"bias_ih_l{k}{suffix}"] = (3 * hidden,)
                expected[f"bias_hh_l{k}{suffix}"] = (3 * hidden,)
    kind = f"{count} layers, {'bidirectional' if directions == 2 else 'one direction'}"
    for name in sorted(set(params) | set(expected)):
        if name not in expected:
            raise ImportFailure(f"{where}: parameter '{name}' is not one of an nn.GRU of "
                                f"{kind}")
        if name not in params:
            raise ImportFailure(f"{where}: parameter '{name}' is missing")
        if tuple(params[name].shape) != expected[name]:
            raise ImportFailure(f"{where}: '{name}' of shape {tuple(params[name].shape)}, "
                                f"expected {expected[name]}")
    return shape


def _keras_gates(matrix):
    """PyTorch's gate blocks (r, z, n) in Keras's order (z, r, h), on axis 0."""
    r, z, n = np.split(np.asarray(matrix, np.float32), 3, axis=0)
    return np.concatenate([z, r, n], axis=0)


class _TorchModel:
    def __init__(self, path, state, options):
        self.path = path
        self.options = options
        self.f = Function(identifier(os.path.splitext(os.path.basename(path))[0], "model"))
        modules = list(_modules(state).items())
        grus = [i for i, (_, p) in enumerate(modules) if "weight_ih_l0" in p]
        if len(grus) != 1:
            raise ImportFailure(f"{path}: {len(grus)} nn.GRU modules in the state_dict; "
                                f"gru-import takes one (of any num_layers)")
        (index,) = grus
        self.before, (self.gru_prefix, self.gru_params), self.after = \
            modules[:index], modules[index], modules[index + 1:]
        self.embedding = self._single(self.before, "before", ("weight",))
        self.linear = self._single(self.after, "after", ("weight", "bias"))
        if self.linear is not None and options.head not in HEADS:
            raise ImportFailure(f"{path}: module '{self.after[0][0]}' (a Linear) follows the "
                                f"GRU: say what it reads with --head "
                                f"({', '.join(HEADS)})")
        if self.linear is None and options.head is not None:
            raise ImportFailure(f"{path}: --head {options.head}, but no Linear follows the GRU")

    def where(self, prefix):
        return f"{self.path}: module '{prefix or '(root)'}'"

    def _single(self, modules, side, names):
        """The parameters of the one module `side` of the GRU (None if none)."""
        kind = "nn.Embedding" if side == "before" else "nn.Linear"
        if not modules:
            return None
        if len(modules) > 1:
            raise ImportFailure(f"{self.path}: modules {[m[0] for m in modules]} {side} the "
                                f"GRU; gru-import takes one {kind} there")
        prefix, params = modules[0]
        if set(params) - set(names) or "weight" not in params or params["weight"].ndim != 2:
            raise ImportFailure(f"{self.where(prefix)}: parameters {sorted(params)} are not "
                                f"an {kind}'s")
        return prefix, params

    def build(self):
        shape = _gru_shape(self.where(self.gru_prefix), self.gru_params)
        batch_first = self.options.batch_first
        if self.embedding is not None:
            table = self.embedding[1]["weight"]
            if table.shape[1] != shape.input_size:
                raise ImportFailure(f"{self.where(self.embedding[0])}: embeddings of width "
                                    f"{table.shape[1]}, but the GRU's input_size is "
                                    f"{shape.input_size}")
            tokens = self.f.argument("tokens", (None, None), "i64")
            if not batch_first:
                tokens = tensors.transpose(self.f, tokens, [1, 0])
            x = layers.embedding(self.f, tokens, self.f.constant(table, "embedding"))
        else:
            x = self.f.argument("input", (None, None, shape.input_size))
            if not batch_first:
                x = tensors.transpose(self.f, x, [1, 0, 2])
        h0 = None
        if self.options.initial_state:
            h0 = self.f.argument("h0", (shape.layers * shape.directions, x.shape[0],
                                        shape.hidden))
        output, states = self.gru(shape, x, h0)
        results = self.head(shape, output, states)
        return module_text([(self.f, results)], self.f.resources,
                           header=f"// Imported by gru-import from {self.path}.\n")

    def gru(self, shape, x, h0):
        """The last layer's output (B, T, D·H) and every h_n (B, H)."""
        params = self.gru_params
        states = []
        for k in range(shape.layers):
            last = k == shape.layers - 1
            sequences = not last or self.options.head != "final-state"
            outputs = []
            for d, suffix in enumerate(("", "_reverse")[:shape.directions]):
                kernel = self.f.constant(_keras_gates(params[f"weight_ih_l{k}{suffix}"]).T,
                                         "kernel")
                recurrent = self.f.constant(_keras_gates(params[f"weight_hh_l{k}{suffix}"]).T,
                                            "recurrent_kernel")
                bias = None
                if shape.bias:
                    bias = self.f.constant(np.stack([
                        _keras_gates(params[f"bias_ih_l{k}{suffix}"]),
                        _keras_gates(params[f"bias_hh_l{k}{suffix}"])]), "bias")
                initial = None
                if h0 is not None:
                    initial = tensors.extract(self.f, h0, [k * shape.directions + d, 0, 0],
                                              (1,) + h0.shape[1:], drop={0})
                config = {"units": shape.hidden, "use_bias": shape.bias, "go_backwards": d == 1,
                          "return_sequences": sequences, "return_state": sequences}
                results = layers.gru(self.f, self.where(self.gru_prefix), config, x, None,
                                     kernel, recurrent, bias, initial)
                states.append(results[-1])
                if sequences:
                    y = results[0]
                    outputs.append(layers.reverse_steps(self.f, y) if d == 1 else y)
            if sequences:
                x = tensors.concat(self.f, outputs, 2)
        return x, states

    def head(self, shape, output, states):
        if self.linear is None:
            if not self.options.batch_first:
                output = tensors.transpose(self.f, output, [1, 0, 2])
            parts = [tensors.reshape(self.f, h, (1,) + h.shape) for h in states]
            return [output, tensors.concat(self.f, parts, 0)]
        prefix, params = self.linear
        if self.options.head == "sequence":
            features = output
        elif self.options.head == "last-step":
            features = self.last_step(output)
        else:
            features = tensors.concat(self.f, states[-shape.directions:], 1)
        weight = params["weight"]
        if weight.shape[1] != features.shape[-1]:
            raise ImportFailure(f"{self.where(prefix)}: a Linear of in_features "
                                f"{weight.shape[1]} on features of width {features.shape[-1]}")
        bias = self.f.constant(params["bias"], "linear_bias") if "bias" in params else None
        y = layers.dense(self.f, features, self.f.constant(weight.T, "linear"), bias)
        if self.options.head == "sequence" and not self.options.batch_first:
            y = tensors.transpose(self.f, y, [1, 0, 2])
        return [y]

    def last_step(self, output):
        steps = self.f.size(output.shape, 1)
        last = self.f.fresh("last")
        self.f.emit(f"{last} = arith.subi {steps}, {self.f.index(1)} : index")
        return tensors.extract(self.f, output, [0, last, 0],
                               (output.shape[0], 1, output.shape[2]), drop={1})


def import_torch(path, options=None):
    state = read_state_dict(path)
    try:
        return _TorchModel(path, state, options or TorchOptions()).build()
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        raise ImportFailure(f"{path}: a state_dict gru-import does not understand: "
                            f"{type(error).__name__}: {error}") from None
