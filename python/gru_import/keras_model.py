"""Keras 3 `.keras` files (a zip of config.json and model.weights.h5), read
with zipfile, json and h5py: Sequential and functional models of the layers
GRU models use. Masks propagate as Keras propagates them: in a Sequential
model Embedding(mask_zero) and Masking make one, GRU consumes it and passes
it on with return_sequences, the others pass it through; a functional model
records each layer's mask as an argument of its call (computed by op nodes
such as NotEqual and Any)."""

import json
import re
import zipfile

import numpy as np

from . import layers, tensors
from .errors import ImportFailure, located
from .mlir import Function, identifier, module_text

# Layers that are the identity at inference.
_IDENTITIES = {"Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout",
               "AlphaDropout", "ActivityRegularization"}
_SUPPORTED = sorted({"InputLayer", "Embedding", "Masking", "GRU", "Bidirectional", "Dense",
                     "TimeDistributed", "Activation", "Concatenate"}
                    | _IDENTITIES | set(layers.MERGING_LAYERS))
_ELEMENTS = {"float32": "f32", "int32": "i32", "int64": "i64"}


def _read_archive(path):
    """config.json and the weights file of a .keras archive."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ImportFailure(f"{path}: no such file")
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportFailure(f"{path}: not a Keras 3 .keras file (a zip archive): {error}")
    with archive:
        names = set(archive.namelist())
        for needed in ("config.json", "model.weights.h5"):
            if needed not in names:
                raise ImportFailure(f"{path}: the archive has no {needed}; a .keras file "
                                    f"holds config.json and model.weights.h5")
        try:
            config = json.loads(archive.read("config.json"))
            weights = archive.read("model.weights.h5")
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            raise ImportFailure(f"{path}: the archive is damaged: {error}")
    return config, weights


def _open_hdf5(path, source, what):
    import h5py

    try:
        return h5py.File(source, "r")
    except FileNotFoundError:
        raise ImportFailure(f"{path}: no such file") from None
    except OSError as error:
        raise ImportFailure(f"{path}: {what} is not a readable HDF5 file: {error}") from None


class _Weights:
    """The arrays of model.weights.h5, by layer: layers/<folder>/**/vars/<i>."""

    def __init__(self, path, data):
        import io

        self.path = path
        self.file = _open_hdf5(path, io.BytesIO(data), "model.weights.h5")

    @staticmethod
    def folders(layer_configs):
        return _weight_paths(layer_configs)

    def of(self, name, count_range):
        group = self.file.get(f"layers/{name}")
        found = []
        if group is not None:
            def visit(key, item):
                if hasattr(item, "shape"):
                    found.append(key)
            group.visititems(visit)
        found.sort(key=lambda key: [int(p) if p.isdigit() else p for p in key.split("/")])
        low, high = count_range
        if not low <= len(found) <= high:
            raise ImportFailure(f"{self.path}: layer folder '{name}' has {len(found)} weights in "
                                f"model.weights.h5, expected {low}"
                                + ("" if low == high else f" to {high}"))
        try:
            return [np.asarray(group[key], dtype=np.float32) for key in found]
        except (OSError, ValueError, TypeError) as error:
            raise ImportFailure(f"{self.path}: layer '{name}': unreadable weights: {error}")


class _LegacyWeights:
    """The arrays of a legacy Keras .h5 file, by layer name:
    model_weights/<name> in the order of its weight_names (a Bidirectional's
    forward weights first, then the backward ones)."""

    def __init__(self, path, file):
        self.path = path
        self.file = file

    @staticmethod
    def folders(layer_configs):
        return [layer.get("config", {}).get("name", layer.get("name")) for layer in layer_configs]

    def of(self, folder, count_range):
        name, _, direction = folder.partition("/")
        group = self.file.get(f"model_weights/{name}")
        names = [] if group is None else [n.decode() if isinstance(n, bytes) else str(n)
                                          for n in group.attrs.get("weight_names", [])]
        try:
            arrays = [np.asarray(group[n], dtype=np.float32) for n in names]
        except (KeyError, OSError, ValueError, TypeError) as error:
            raise ImportFailure(f"{self.path}: layer '{name}': unreadable weights: {error}")
        if direction:
            half = len(arrays) // 2
            arrays = arrays[:half] if direction == "forward_layer" else arrays[half:]
        low, high = count_range
        if not low <= len(arrays) <= high:
            raise ImportFailure(f"{self.path}: layer '{folder}' has {len(arrays)} weights in "
                                f"model_weights, expected {low}"
                                + ("" if low == high else f" to {high}"))
        return arrays


def _read_legacy(path):
    """The model configuration and weights of a legacy Keras .h5 file."""
    file = _open_hdf5(path, path, "the file")
    config = file.attrs.get("model_config")
    if config is None or "model_weights" not in file:
        raise ImportFailure(f"{path}: not a legacy Keras model file (no model_config and "
                            f"model_weights; weights-only files have no architecture)")
    try:
        config = json.loads(config.decode() if isinstance(config, bytes) else config)
    except ValueError as error:
        raise ImportFailure(f"{path}: model_config is not JSON: {error}") from None
    return config, _LegacyWeights(path, file)


def _snake_case(name):
    """keras.src.utils.naming.to_snake_case."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _weight_paths(layer_configs):
    """The folder of each layer's weights in model.weights.h5: Keras names
    the layers of a container by their class in snake case, numbered from
    the second of a class on (saving_lib._save_container_state), not by
    their names."""
    used, paths = {}, []
    for layer in layer_configs:
        name = _snake_case(layer.get("class_name", ""))
        if name in used:
            used[name] += 1
            name = f"{name}_{used[name]}"
        else:
            used[name] = 0
        paths.append(name)
    return paths


def _check_shape(where, array, shape):
    if tuple(array.shape) != tuple(shape):
        raise ImportFailure(f"{where}: weight of shape {tuple(array.shape)}, expected "
                            f"{tuple(shape)}")


class _Model:
    """What Sequential and functional models share: their layers."""

    def __init__(self, path, config, weights):
        self.path = path
        self.weights = weights
        self.config = config.get("config", {})
        self.f = Function(identifier(self.config.get("name", "model"), "model"))

    def where(self, layer):
        return f"{self.path}: layer '{layer.get('config', {}).get('name')}' " \
               f"({layer.get('class_name')})"

    def argument(self, shape, dtype, name, minimum_rank=2):
        if not shape or not minimum_rank <= len(shape) <= 3:
            raise ImportFailure(f"{self.path}: input '{name}' of shape {shape} is not "
                                f"(batch, steps) or (batch, steps, features)"
                                + (" or (batch, units)" if minimum_rank < 2 else ""))
        element = _ELEMENTS.get(dtype if isinstance(dtype, str)
                                else dtype.get("config", {}).get("name"))
        if element is None:
            raise ImportFailure(f"{self.path}: input dtype {dtype!r} is not supported "
                                f"(accepted: float32, int32, int64)")
        return self.f.argument(identifier(name, f"input{len(self.f.arguments)}"), shape,
                               element)

    def module(self, results):
        if any(r.element != "f32" for r in results):
            raise ImportFailure(f"{self.path}: the model's output is not float32")
        return module_text([(self.f, results)], self.f.resources,
                           header=f"// Imported by gru-import from {self.path}.\n")

    def layer(self, layer, folder, x, mask, initial_state=()):
        """The outputs (a list) and mask of `layer`, whose weights are in
        `folder`, on input x with its mask and initial states."""
        kind = layer.get("class_name")
        config = layer.get("config", {})
        where = self.where(layer)
        if initial_state and kind not in ("GRU", "Bidirectional"):
            raise ImportFailure(f"{where}: an initial_state is for GRU and Bidirectional")
        if kind in _IDENTITIES:
            return [x], mask
        if kind == "Embedding":
            if x.rank != 2:
                raise ImportFailure(f"{where}: takes (batch, steps) token ids, got rank {x.rank}")
            (table,) = self.weights.of(folder, (1, 1))
            _check_shape(where, table, (config["input_dim"], config["output_dim"]))
            tokens = x
            x = layers.embedding(self.f, tokens, self.f.constant(table, "embeddings"))
            if config.get("mask_zero"):
                mask = layers.nonzero_mask(self.f, tokens)
            return [x], mask
        if x.element != "f32":
            raise ImportFailure(f"{where}: takes float32 inputs; integer inputs need an "
                                f"Embedding first")
        if kind == "Masking":
            if x.rank != 3:
                raise ImportFailure(f"{where}: takes (batch, steps, features), got rank {x.rank}")
            masked, mask = layers.masking(self.f, x, config.get("mask_value", 0.0))
            return [masked], mask
        if kind == "GRU":
            return self.gru(where, folder, config, x, mask, initial_state)
        if kind == "Dense":
            return [self.dense(where, folder, config, x)], mask
        if kind == "TimeDistributed":
            inner = config.get("layer", {})
            if inner.get("class_name") != "Dense" or x.rank != 3:
                raise ImportFailure(f"{where}: gru-import takes TimeDistributed(Dense) on "
                                    f"sequences, not {inner.get('class_name')} on rank {x.rank}")
            return [self.dense(where, folder, inner.get("config", {}), x)], mask
        if kind == "Bidirectional":
            return self.bidirectional(where, folder, config, x, mask, initial_state)
        if kind == "Activation":
            act = layers.activation_name(where, config.get("activation"), allow_softmax=True)
            return [layers.activation(self.f, x, act)], mask
        raise ImportFailure(f"{where}: layer class {kind} is not supported (accepted: "
                            f"{', '.join(_SUPPORTED)})")

    def gru(self, where, folder, config, x, mask, initial_state=()):
        """A GRU's outputs (the output, then the state with return_state) and
        the mask of its output."""
        if x.rank != 3:
            raise ImportFailure(f"{where}: takes (batch, steps, features), got rank {x.rank}")
        units, features = int(config["units"]), x.shape[2]
        use_bias = config.get("use_bias", True)
        reset_after = config.get("reset_after", True)
        arrays = self.weights.of(folder, (3, 3) if use_bias else (2, 2))
        _check_shape(where, arrays[0], (features, 3 * units))
        _check_shape(where, arrays[1], (units, 3 * units))
        if use_bias:
            _check_shape(where, arrays[2], (2, 3 * units) if reset_after else (3 * units,))
        if len(initial_state) > 1:
            raise ImportFailure(f"{where}: {len(initial_state)} initial states; a GRU has one")
        initial = initial_state[0] if initial_state else None
        if initial is not None and (initial.rank != 2 or initial.shape[1] != units):
            raise ImportFailure(f"{where}: an initial state of type {initial.type}, expected "
                                f"(batch, {units})")
        hints = ("kernel", "recurrent_kernel", "bias")
        values = [self.f.constant(a, h) for a, h in zip(arrays, hints)]
        outputs = layers.gru(self.f, where, config, x, mask, values[0], values[1],
                             values[2] if use_bias else None, initial)
        return outputs, mask if config.get("return_sequences") else None

    def bidirectional(self, where, folder, config, x, mask, initial_state=()):
        """Keras's Bidirectional: the forward and the backward GRU on the same
        input and mask (and the first and second half of the initial
        states), the backward output's steps reversed back with
        return_sequences, then merged (merge_mode None: both); with
        return_state the two final states follow."""
        layer = config.get("layer", {})
        backward = config.get("backward_layer") or {
            "class_name": layer.get("class_name"),
            "config": dict(layer.get("config", {}),
                           go_backwards=not layer.get("config", {}).get("go_backwards"))}
        for part in (layer, backward):
            if part.get("class_name") != "GRU":
                raise ImportFailure(f"{where}: gru-import takes Bidirectional(GRU), not "
                                    f"{part.get('class_name')}")
        if initial_state and len(initial_state) != 2:
            raise ImportFailure(f"{where}: {len(initial_state)} initial states; a "
                                f"Bidirectional(GRU) takes two (forward, backward)")
        halves = [initial_state[:1], initial_state[1:]] if initial_state else [(), ()]
        outputs, states = [], []
        for part, direction, initial in zip((layer, backward), ("forward_layer",
                                                                "backward_layer"), halves):
            results = self.gru(where, f"{folder}/{direction}", part["config"], x, mask,
                               initial)[0]
            outputs.append(results[0])
            states += results[1:]
        sequences = bool(layer["config"].get("return_sequences"))
        if sequences:
            outputs[1] = layers.reverse_steps(self.f, outputs[1])
        mode = config.get("merge_mode", "concat")
        merged = outputs if mode is None else [layers.merge(self.f, where, mode, *outputs)]
        return merged + states, mask if sequences else None

    def dense(self, where, folder, config, x):
        use_bias = config.get("use_bias", True)
        arrays = self.weights.of(folder, (2, 2) if use_bias else (1, 1))
        units = int(config["units"])
        _check_shape(where, arrays[0], (x.shape[-1], units))
        if use_bias:
            _check_shape(where, arrays[1], (units,))
        kernel = self.f.constant(arrays[0], "dense_kernel")
        bias = self.f.constant(arrays[1], "dense_bias") if use_bias else None
        act = layers.activation_name(where, config.get("activation", "linear"),
                                     allow_softmax=True)
        return layers.activation(self.f, layers.dense(self.f, x, kernel, bias), act)


class _Sequential(_Model):
    def build(self):
        layer_list = list(self.config.get("layers", []))
        if layer_list and layer_list[0].get("class_name") == "InputLayer":
            first = layer_list.pop(0)["config"]
            x = self.argument(_batch_shape(first), first.get("dtype", "float32"),
                              first.get("name", "inputs"))
        else:
            x = self.argument(self.config.get("build_input_shape"), "float32", "inputs")
        outputs, mask = [x], None
        for i, (layer, folder) in enumerate(zip(layer_list, self.weights.folders(layer_list))):
            if len(outputs) > 1:
                raise ImportFailure(f"{self.where(layer_list[i - 1])}: merge_mode None gives "
                                    f"two outputs, which only the model's last layer may have")
            if layer.get("config", {}).get("return_state"):
                raise ImportFailure(f"{self.where(layer)}: return_state = True in a Sequential "
                                    f"model: its state cannot reach the next layer")
            with located(self.where(layer), self.path):
                outputs, mask = self.layer(layer, folder, outputs[0], mask)
        return self.module(outputs)


def _batch_shape(input_config):
    """An InputLayer's shape: batch_shape (Keras 3) or batch_input_shape (Keras 2)."""
    return input_config.get("batch_shape", input_config.get("batch_input_shape"))


# The keras.ops nodes that functional models record to compute masks.
_MASK_OPERATIONS = {"NotEqual", "Any"}


def _is_operation(layer):
    """An op node of a functional model (keras.ops), not a layer: it has no
    weights folder (legacy .h5 configurations do not record the module)."""
    return str(layer.get("module", "")).startswith("keras.src.ops") or \
        layer.get("class_name") in _MASK_OPERATIONS


def _histories(value):
    """input_layers and output_layers: a list of [layer, node, tensor], or
    one of them for a model of one input or output."""
    return [value] if value and isinstance(value[0], str) else value


class _Functional(_Model):
    """A functional model: each layer's calls (inbound nodes) evaluated from
    the tensors they reference, [layer name, node index, tensor index]."""

    def build(self):
        self.layers = {}
        layer_list = self.config.get("layers", [])
        with_weights = [layer for layer in layer_list if not _is_operation(layer)]
        folders = dict(zip((id(layer) for layer in with_weights),
                           self.weights.folders(with_weights)))
        for layer in layer_list:
            self.layers[layer.get("name")] = (layer, folders.get(id(layer)))
        self.outputs = {}  # (layer name, node index): [values]
        self.evaluating = set()
        for history in _histories(self.config.get("input_layers", [])):
            self.tensor(history)
        return self.module([self.tensor(h) for h in
                            _histories(self.config.get("output_layers", []))])

    def tensor(self, history):
        """The value of the tensor [layer name, node index, tensor index]."""
        name, node, index = history
        if (name, node) not in self.outputs:
            if (name, node) in self.evaluating or name not in self.layers:
                raise ImportFailure(f"{self.path}: the graph refers to {history}, which no "
                                    f"layer computes before")
            self.evaluating.add((name, node))
            layer, folder = self.layers[name]
            with located(self.where(layer), self.path):
                self.outputs[(name, node)] = self.call(layer, folder, node)
        outputs = self.outputs[(name, node)]
        if index >= len(outputs):
            raise ImportFailure(f"{self.where(self.layers[name][0])}: has no output {index}")
        return outputs[index]

    def argument_of(self, value):
        """A call's argument: tensors (also in lists) evaluated, the rest as it is."""
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            return self.tensor(value["config"]["keras_history"])
        if isinstance(value, list):
            return [self.argument_of(v) for v in value]
        return value

    def call(self, layer, folder, node):
        kind, config, where = layer.get("class_name"), layer.get("config", {}), self.where(layer)
        if kind == "InputLayer":
            shape = _batch_shape(config)
            minimum = 1 if len(shape or ()) == 2 else 2
            return [self.argument(shape, config.get("dtype", "float32"),
                                  config.get("name", layer.get("name")), minimum)]
        if kind in ("Functional", "Sequential", "Model"):
            raise ImportFailure(f"{where}: a model nested in a model is not supported")
        call = layer.get("inbound_nodes", [])[node]
        args = [self.argument_of(a) for a in call.get("args", [])]
        kwargs = {k: self.argument_of(v) for k, v in call.get("kwargs", {}).items()}
        unknown = set(kwargs) - {"mask", "initial_state", "training"}
        if unknown:
            raise ImportFailure(f"{where}: call arguments {sorted(unknown)} are not supported")
        if _is_operation(layer):
            return [self.operation(where, kind, config, args)]
        if kind in layers.MERGING_LAYERS or kind == "Concatenate":
            return [self.merging(where, kind, config, args[0] if len(args) == 1 else args)]
        if len(args) != 1 or not hasattr(args[0], "rank"):
            raise ImportFailure(f"{where}: takes one tensor")
        mask = kwargs.get("mask")
        if isinstance(mask, list):  # Bidirectional and multi-input calls pass one per input
            mask = mask[0]
        initial = kwargs.get("initial_state")
        initial = [] if initial is None else initial if isinstance(initial, list) else [initial]
        return self.layer(layer, folder, args[0], mask, initial)[0]

    def merging(self, where, kind, config, inputs):
        """Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum."""
        if not isinstance(inputs, list) or len(inputs) < 2:
            raise ImportFailure(f"{where}: takes a list of at least two tensors")
        if kind == "Concatenate":
            rank = inputs[0].rank
            axis = int(config.get("axis", -1)) % rank
            if any(v.rank != rank or not all(tensors.compatible(a, b) for i, (a, b) in
                                             enumerate(zip(v.shape, inputs[0].shape))
                                             if i != axis) for v in inputs):
                raise ImportFailure(f"{where}: inputs {[v.type for v in inputs]} do not "
                                    f"concatenate on axis {axis}")
            return tensors.concat(self.f, inputs, axis)
        if any(v.rank != inputs[0].rank or not all(map(tensors.compatible, v.shape,
                                                        inputs[0].shape)) for v in inputs):
            raise ImportFailure(f"{where}: inputs {[v.type for v in inputs]} differ in shape")
        return layers.combine(self.f, kind, inputs)

    def operation(self, where, kind, config, args):
        """The keras.ops nodes that compute masks: NotEqual(x, constant) and
        Any(x, axis=-1)."""
        if kind == "NotEqual" and len(args) == 2 and hasattr(args[0], "rank") and \
                isinstance(args[1], (int, float)):
            return layers.not_equal(self.f, *args)
        if kind == "Any" and len(args) == 1 and args[0].element == "i1" and \
                int(config.get("axis", -1)) % args[0].rank == args[0].rank - 1 and \
                not config.get("keepdims"):
            return layers.any_last(self.f, args[0])
        raise ImportFailure(f"{where}: op {kind} with arguments {args!r} is not supported "
                            f"(gru-import takes the mask ops NotEqual(x, constant) and "
                            f"Any(x, axis=-1))")


def import_keras(path):
    """The MLIR text (in pieces: mlir.module_text) of the Keras model saved
    at `path` (.keras, or a legacy .h5 file)."""
    if str(path).endswith(".h5"):
        config, weights = _read_legacy(path)
    else:
        config, data = _read_archive(path)
        weights = _Weights(path, data)
    kind = config.get("class_name") if isinstance(config, dict) else None
    builders = {"Sequential": _Sequential, "Functional": _Functional, "Model": _Functional}
    if kind not in builders:
        raise ImportFailure(f"{path}: a {kind} model; gru-import reads Sequential and "
                            f"functional models")
    try:
        return builders[kind](path, config, weights).build()
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise ImportFailure(f"{path}: the model configuration is not one gru-import "
                            f"understands: {type(error).__name__}: {error}")
