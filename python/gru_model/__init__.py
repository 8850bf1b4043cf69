"""Load a model library written by gru-compile and call it with NumPy arrays.

    import gru_model
    with gru_model.load("build/libmodel.so") as model:
        logits = model.classify(tokens)

or compile it first (gru_model.compile, in compiler.py):

    model = gru_model.compile("model.mlir")

The library describes itself in a JSON manifest (docs/ABI.md); every function
of the manifest becomes a method that takes and returns NumPy arrays (a tuple
if several). Inputs a function updates in place are updated in the caller's
arrays, which are also returned. Plain ctypes and NumPy, nothing else.
"""

import ctypes
import json
import os

import numpy as np

__all__ = ["load", "compile", "Model", "ModelError", "CompileError"]

# Return codes of docs/ABI.md.
_ERROR_NAMES = {1: "invalid argument", 2: "bad size", 3: "out of memory",
                4: "unsupported CPU", 5: "device error"}
_UNSUPPORTED_CPU = 4
_DEVICE = 5


class ModelError(RuntimeError):
    """A model function returned a nonzero code; `code` holds it."""

    def __init__(self, function, code, message):
        super().__init__(f"{function}: {_ERROR_NAMES.get(code, 'error')} "
                         f"(code {code}): {message}")
        self.code = code


def load(path, prefix=None):
    """Opens `path` (libX.so) and creates one model instance."""
    return Model(path, prefix)


def _c_dtype(dtype):
    # The ABI passes booleans as one byte per element, nonzero meaning true.
    return np.dtype(np.uint8 if dtype == "bool" else dtype)


def _checked_cast(where, array, dtype):
    """`array` as `dtype`; raises ValueError where a value would not survive
    the conversion (NaN or fractions to integers, values out of range).
    Rounding a float to a narrower float is not an error."""
    if array.dtype == dtype:
        return array
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number)
                                     or array.dtype == np.bool_):
        raise TypeError(f"{where}: cannot convert {array.dtype} values to {dtype}")
    if np.issubdtype(dtype, np.integer) and array.size:
        info = np.iinfo(dtype)
        if np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype,
                                                                     np.complexfloating):
            if not np.isrealobj(array) or not np.all(np.isfinite(array)):
                raise ValueError(f"{where}: NaN, infinite or complex values cannot be "
                                 f"converted to {dtype}")
            if not np.all(np.floor(array) == array):
                raise ValueError(f"{where}: fractional values cannot be converted to {dtype}")
        low, high = array.min(), array.max()
        if low < info.min or high > info.max:
            raise ValueError(f"{where}: values from {low} to {high} are out of the range "
                             f"of {dtype} ({info.min} to {info.max})")
    elif np.issubdtype(dtype, np.floating) and array.size:
        if np.iscomplexobj(array):
            raise ValueError(f"{where}: complex values cannot be converted to {dtype}")
        finite = np.isfinite(array) if np.issubdtype(array.dtype, np.floating) else True
        with np.errstate(over="ignore"):
            converted = array.astype(dtype)
        if np.any(finite & ~np.isfinite(converted)):
            raise ValueError(f"{where}: values beyond the range of {dtype}")
        return converted
    return array.astype(dtype)


class _Function:
    """One manifest function: checks the arguments, then calls the symbol."""

    def __init__(self, model, spec):
        self.model = model
        self.name = spec["name"]
        self.inputs = spec["inputs"]
        self.outputs = spec["outputs"]
        self.sizes = spec["sizes"]
        # Pairs of size parameters that must be equal (e.g. the batch of a
        # mask and of the input), and inputs the function overwrites with
        # its results (e.g. weights with constraints applied).
        self.equal_sizes = spec.get("equal_sizes", [])
        self.in_place = spec.get("updated_in_place", [])
        self.symbol = getattr(model._lib, spec["symbol"])
        self.symbol.restype = ctypes.c_int
        self.symbol.argtypes = (
            [ctypes.c_void_p] * (1 + len(self.inputs) + len(self.outputs))
            + [ctypes.c_int64] * len(self.sizes))

    def _convert(self, spec, value):
        dtype = _c_dtype(spec["dtype"])
        if spec["name"] not in self.in_place:
            where = f"{self.name}: input '{spec['name']}'"
            if spec["dtype"] == "bool":
                return np.ascontiguousarray(np.asarray(value) != 0, dtype=dtype)
            return np.ascontiguousarray(_checked_cast(where, np.asarray(value), dtype))
        # A copy would lose the update: the caller's array must do as it is.
        if not (isinstance(value, np.ndarray) and value.dtype == dtype
                and value.flags.c_contiguous and value.flags.writeable):
            raise ValueError(f"{self.name} updates input '{spec['name']}' in place: pass a "
                             f"writeable C-contiguous {dtype} NumPy array")
        return value

    def _bind_sizes(self, arrays):
        """Checks ranks, static dims and equal sizes; returns {size name: value}."""
        sizes, where_is = {}, {}
        for spec, array in zip(self.inputs, arrays):
            where = f"{self.name}: input '{spec['name']}'"
            if array.ndim != len(spec["shape"]):
                raise ValueError(f"{where} must have rank {len(spec['shape'])} "
                                 f"(shape {spec['shape']}), got shape {array.shape}")
            for axis, (want, got) in enumerate(zip(spec["shape"], array.shape)):
                if isinstance(want, int):
                    if got != want:
                        raise ValueError(f"{where} must have {want} elements in "
                                         f"dimension {axis}, got shape {array.shape}")
                elif sizes.setdefault(want, got) != got:
                    raise ValueError(f"{where}: dimension {axis} is '{want}' = {got}, "
                                     f"but another argument set it to {sizes[want]}")
                else:
                    where_is[want] = f"dimension {axis} of '{spec['name']}'"
        # [size, other size or a static size, what the other is]
        for a, b, *text in self.equal_sizes:
            want = b if isinstance(b, int) else sizes[b]
            if sizes[a] != want:
                other = text[0] if text else (str(b) if isinstance(b, int) else where_is[b])
                raise ValueError(f"{self.name}: {where_is[a]} is {sizes[a]} but must "
                                 f"equal {other} ({want})")
        return sizes

    def __call__(self, *args):
        if len(args) != len(self.inputs):
            raise TypeError(f"{self.name} takes {len(self.inputs)} arrays "
                            f"({', '.join(i['name'] for i in self.inputs)}), got {len(args)}")
        arrays = [self._convert(spec, a) for spec, a in zip(self.inputs, args)]
        sizes = self._bind_sizes(arrays)
        outputs = [np.empty([d if isinstance(d, int) else sizes[d] for d in spec["shape"]],
                            dtype=_c_dtype(spec["dtype"]))
                   for spec in self.outputs]
        code = self.symbol(self.model._handle(),
                           *[a.ctypes.data for a in arrays + outputs],
                           *[sizes[name] for name in self.sizes])
        if code != 0:
            raise ModelError(self.name, code, self.model.last_error())
        results = [o != 0 if spec["dtype"] == "bool" else o
                   for spec, o in zip(self.outputs, outputs)]
        names = [spec["name"] for spec in self.inputs]
        results += [arrays[names.index(name)] for name in self.in_place]
        return results[0] if len(results) == 1 else tuple(results)


class Model:
    """One instance of a compiled model: its own stateful-layer state."""

    def __init__(self, path, prefix=None):
        self._instance = None
        self.prefix = prefix or os.path.basename(path).removeprefix("lib").removesuffix(".so")
        self._lib = lib = ctypes.CDLL(os.path.abspath(path))
        self._api = {}
        for name, restype, argtypes in (("create", ctypes.c_void_p, []),
                                        ("destroy", None, [ctypes.c_void_p]),
                                        ("reset_states", ctypes.c_int, [ctypes.c_void_p]),
                                        ("last_error", ctypes.c_char_p, [ctypes.c_void_p]),
                                        ("last_dispatch", ctypes.c_char_p, [ctypes.c_void_p]),
                                        ("manifest", ctypes.c_char_p, []),
                                        ("target", ctypes.c_char_p, []),
                                        ("device", ctypes.c_char_p, [ctypes.c_void_p])):
            fn = getattr(lib, f"{self.prefix}_{name}")
            fn.restype, fn.argtypes = restype, argtypes
            self._api[name] = fn
        self.manifest = json.loads(self._api["manifest"]().decode())
        self.functions = {}
        for spec in self.manifest["functions"]:
            self.functions[spec["name"]] = fn = _Function(self, spec)
            if not hasattr(self, spec["name"]):  # e.g. a function named "close"
                setattr(self, spec["name"], fn)
        target = self._api["target"]()
        # The manifest's target whose code runs on this CPU.
        self.target = target.decode() if target else None
        self._instance = self._api["create"]()
        if not self._instance:
            message = self._api["last_error"](None).decode()
            if self.target is None:
                raise ModelError(f"{self.prefix}_create", _UNSUPPORTED_CPU, message)
            if "GRU_DEVICE" in message:
                raise ModelError(f"{self.prefix}_create", _DEVICE, message)
            raise MemoryError(f"{self.prefix}_create failed: {message}")
        # Where the instance runs: "cuda" or "cpu".
        self.device = self._api["device"](self._instance).decode()

    def _handle(self):
        if not self._instance:
            raise ValueError(f"model '{self.prefix}' is closed")
        return self._instance

    def last_error(self):
        return self._api["last_error"](self._handle()).decode()

    def last_dispatch(self):
        """How the last call ran the layers that may use cuDNN: a line each,
        "layer N: cudnn" or "layer N: fused (why)"."""
        return self._api["last_dispatch"](self._handle()).decode()

    def reset_states(self):
        code = self._api["reset_states"](self._handle())
        if code != 0:
            raise ModelError("reset_states", code, self.last_error())

    def close(self):
        if self._instance:
            self._api["destroy"](self._instance)
            self._instance = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


from .compiler import CompileError, compile, gru_compile_path  # noqa: E402
