"""Keras 3 `.keras` files (a zip of config.json and model.weights.h5), read
with zipfile, json and h5py: Sequential models of the layers GRU models use.
Masks propagate as Keras propagates them: Embedding(mask_zero) and Masking
make one, GRU consumes it and passes it on with return_sequences, the
others pass it through."""

import json
import re
import zipfile

import numpy as np

from . import layers
from .errors import ImportFailure
from .mlir import Function, identifier, module_text

# Layers that are the identity at inference.
_IDENTITIES = {"Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout",
               "AlphaDropout", "ActivityRegularization"}
_SUPPORTED = sorted({"InputLayer", "Embedding", "Masking", "GRU", "Bidirectional", "Dense",
                     "TimeDistributed", "Activation"} | _IDENTITIES)


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


class _Weights:
    """The arrays of model.weights.h5, by layer: layers/<name>/**/vars/<i>."""

    def __init__(self, path, data):
        import io

        import h5py

        self.path = path
        try:
            self.file = h5py.File(io.BytesIO(data), "r")
        except OSError as error:
            raise ImportFailure(f"{path}: model.weights.h5 is not a readable HDF5 file: {error}")

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


class _Sequential:
    def __init__(self, path, config, weights):
        self.path = path
        self.weights = weights
        inner = config.get("config", {})
        self.f = Function(identifier(inner.get("name", "model"), "model"))
        self.layer_configs = inner.get("layers", [])
        self.build_shape = inner.get("build_input_shape")

    def where(self, layer):
        return f"{self.path}: layer '{layer.get('config', {}).get('name')}' " \
               f"({layer.get('class_name')})"

    def build(self):
        layer_list = list(self.layer_configs)
        if layer_list and layer_list[0].get("class_name") == "InputLayer":
            first = layer_list.pop(0)["config"]
            shape, dtype, name = first.get("batch_shape"), first.get("dtype", "float32"), \
                first.get("name", "inputs")
        else:
            shape, dtype, name = self.build_shape, "float32", "inputs"
        if not shape or len(shape) not in (2, 3):
            raise ImportFailure(f"{self.path}: the model's input shape {shape} is not "
                                f"(batch, steps) or (batch, steps, features)")
        element = {"float32": "f32", "int32": "i32", "int64": "i64"}.get(
            dtype if isinstance(dtype, str) else dtype.get("config", {}).get("name"))
        if element is None:
            raise ImportFailure(f"{self.path}: input dtype {dtype!r} is not supported "
                                f"(accepted: float32, int32, int64)")
        x = self.f.argument(identifier(name, "inputs"), shape, element)
        mask = None
        for i, (layer, folder) in enumerate(zip(layer_list, _weight_paths(layer_list))):
            if isinstance(x, list):
                raise ImportFailure(f"{self.where(layer_list[i - 1])}: merge_mode None gives "
                                    f"two outputs, which only the model's last layer may have")
            x, mask = self.layer(layer, folder, x, mask)
        results = x if isinstance(x, list) else [x]
        if any(r.element != "f32" for r in results):
            raise ImportFailure(f"{self.path}: the model's output is not float32")
        return module_text([(self.f, results)], self.f.resources,
                           header=f"// Imported by gru-import from {self.path}.\n")

    def layer(self, layer, folder, x, mask):
        """The outputs and mask of `layer`, whose weights are in `folder`."""
        kind = layer.get("class_name")
        config = layer.get("config", {})
        where = self.where(layer)
        if kind in _IDENTITIES:
            return x, mask
        if kind == "Embedding":
            if x.rank != 2:
                raise ImportFailure(f"{where}: takes (batch, steps) token ids, got rank {x.rank}")
            (table,) = self.weights.of(folder, (1, 1))
            _check_shape(where, table, (config["input_dim"], config["output_dim"]))
            tokens = x
            x = layers.embedding(self.f, tokens, self.f.constant(table, "embeddings"))
            if config.get("mask_zero"):
                mask = layers.nonzero_mask(self.f, tokens)
            return x, mask
        if x.element != "f32":
            raise ImportFailure(f"{where}: takes float32 inputs; integer inputs need an "
                                f"Embedding first")
        if kind == "Masking":
            if x.rank != 3:
                raise ImportFailure(f"{where}: takes (batch, steps, features), got rank {x.rank}")
            return layers.masking(self.f, x, config.get("mask_value", 0.0))
        if kind == "GRU":
            return self.gru(where, folder, config, x, mask)
        if kind == "Dense":
            return self.dense(where, folder, config, x), mask
        if kind == "TimeDistributed":
            inner = config.get("layer", {})
            if inner.get("class_name") != "Dense" or x.rank != 3:
                raise ImportFailure(f"{where}: gru-import takes TimeDistributed(Dense) on "
                                    f"sequences, not {inner.get('class_name')} on rank {x.rank}")
            return self.dense(where, folder, inner.get("config", {}), x), mask
        if kind == "Bidirectional":
            return self.bidirectional(where, folder, config, x, mask)
        if kind == "Activation":
            act = layers.activation_name(where, config.get("activation"), allow_softmax=True)
            return layers.activation(self.f, x, act), mask
        raise ImportFailure(f"{where}: layer class {kind} is not supported (accepted: "
                            f"{', '.join(_SUPPORTED)})")

    def gru(self, where, folder, config, x, mask):
        if x.rank != 3:
            raise ImportFailure(f"{where}: takes (batch, steps, features), got rank {x.rank}")
        if config.get("return_state"):
            raise ImportFailure(f"{where}: return_state = True in a Sequential model: its "
                                f"state cannot reach the next layer")
        units, features = int(config["units"]), x.shape[2]
        use_bias = config.get("use_bias", True)
        reset_after = config.get("reset_after", True)
        arrays = self.weights.of(folder, (3, 3) if use_bias else (2, 2))
        _check_shape(where, arrays[0], (features, 3 * units))
        _check_shape(where, arrays[1], (units, 3 * units))
        if use_bias:
            _check_shape(where, arrays[2], (2, 3 * units) if reset_after else (3 * units,))
        hints = ("kernel", "recurrent_kernel", "bias")
        values = [self.f.constant(a, h) for a, h in zip(arrays, hints)]
        (output,) = layers.gru(self.f, where, config, x, mask, values[0], values[1],
                               values[2] if use_bias else None)
        return output, mask if config.get("return_sequences") else None

    def bidirectional(self, where, folder, config, x, mask):
        """Keras's Bidirectional: the forward and the backward GRU on the same
        input and mask, the backward output's steps reversed back with
        return_sequences, then merged (merge_mode None: both, as the model's
        last layer only)."""
        layer = config.get("layer", {})
        backward = config.get("backward_layer") or {
            "class_name": layer.get("class_name"),
            "config": dict(layer.get("config", {}),
                           go_backwards=not layer.get("config", {}).get("go_backwards"))}
        for part in (layer, backward):
            if part.get("class_name") != "GRU":
                raise ImportFailure(f"{where}: gru-import takes Bidirectional(GRU), not "
                                    f"{part.get('class_name')}")
        outputs = [self.gru(where, f"{folder}/{direction}", part["config"], x, mask)[0]
                   for part, direction in ((layer, "forward_layer"),
                                           (backward, "backward_layer"))]
        sequences = bool(layer["config"].get("return_sequences"))
        if sequences:
            outputs[1] = layers.reverse_steps(self.f, outputs[1])
        mode = config.get("merge_mode", "concat")
        merged = outputs if mode is None else layers.merge(self.f, where, mode, *outputs)
        return merged, mask if sequences else None

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


def import_keras(path):
    """The MLIR text of the Keras 3 model saved at `path`."""
    config, data = _read_archive(path)
    kind = config.get("class_name") if isinstance(config, dict) else None
    if kind != "Sequential":
        raise ImportFailure(f"{path}: a {kind} model; gru-import reads Sequential models "
                            f"(functional models are not supported yet)")
    try:
        return _Sequential(path, config, _Weights(path, data)).build()
    except (KeyError, TypeError, ValueError) as error:
        raise ImportFailure(f"{path}: config.json is not a Keras model configuration "
                            f"gru-import understands: {type(error).__name__}: {error}")
