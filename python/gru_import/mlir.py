"""MLIR text for one function: typed values, the ops the importers need,
and the weights as resources."""

import dataclasses
import re

import numpy as np


@dataclasses.dataclass(frozen=True)
class Dim:
    """A dynamic size: dimension `axis` of the function's argument `argument`
    (its SSA name). Sizes are taken from the arguments so that gru-compile
    sees every result's size in the arguments'."""
    argument: str
    axis: int


@dataclasses.dataclass(frozen=True)
class Value:
    """An SSA value of tensor type; a size in `shape` is a number or a Dim."""
    name: str
    shape: tuple
    element: str = "f32"

    @property
    def type(self):
        return tensor_type(self.shape, self.element)

    @property
    def rank(self):
        return len(self.shape)


def is_static(size):
    return isinstance(size, int)


def tensor_type(shape, element="f32"):
    return "tensor<" + "".join((str(d) if is_static(d) else "?") + "x" for d in shape) \
        + element + ">"


def identifier(name, fallback):
    """`name` as an MLIR symbol name, or `fallback` where it cannot be one."""
    name = re.sub(r"\W", "_", str(name)).rstrip("_")
    return name if re.fullmatch(r"[A-Za-z_]\w*", name) else fallback


def affine_map(dims, results):
    return f"affine_map<({', '.join(dims)}) -> ({', '.join(results)})>"


def float_literal(value):
    """An MLIR float literal (which needs a '.': 1e-05 is not one)."""
    return f"{float(value):.9e}"


def resource_blob(array, chunk=1 << 20):
    """A dense_resource blob in pieces: the alignment (4, a little-endian
    u32), then the raw little-endian float32 data, in hex."""
    data = np.ascontiguousarray(array, dtype="<f4").reshape(-1)
    yield "0x04000000"
    for start in range(0, data.size, chunk):
        yield data[start:start + chunk].tobytes().hex()


class Function:
    """Builds `func.func @name(args) -> results` line by line."""

    def __init__(self, name):
        self.name = name
        self.arguments = []
        self.lines = []
        self.resources = {}
        self._count = 0
        self._indices = {}
        self._sizes = {}
        self.transposes = {}  # result name: (source, permutation), to fold transposes

    def fresh(self, hint):
        self._count += 1
        return f"%{hint}{self._count}"

    def emit(self, text):
        self.lines.append("  " + text)

    def argument(self, name, shape, element="f32"):
        """A new argument; its sizes that are None are dynamic."""
        shape = tuple(Dim(f"%{name}", axis) if d is None else d for axis, d in enumerate(shape))
        value = Value(f"%{name}", shape, element)
        self.arguments.append(value)
        return value

    def constant(self, array, hint):
        """The weight `array` as a resource of the module."""
        array = np.asarray(array, dtype=np.float32)
        key = f"{self.name}_{hint}_{len(self.resources)}"
        self.resources[key] = array
        value = Value(self.fresh(hint), array.shape)
        self.emit(f"{value.name} = arith.constant dense_resource<{key}> : {value.type}")
        return value

    def integer_constant(self, array, hint):
        """A small integer array as a dense constant (i32 or i64)."""
        array = np.asarray(array)
        element = {np.dtype(np.int32): "i32", np.dtype(np.int64): "i64"}[array.dtype]
        value = Value(self.fresh(hint), array.shape, element)
        self.emit(f"{value.name} = arith.constant dense<{array.tolist()}> : {value.type}")
        return value

    def index(self, i):
        if i not in self._indices:
            name = self.fresh("c")
            self.emit(f"{name} = arith.constant {i} : index")
            self._indices[i] = name
        return self._indices[i]

    def size(self, shape, axis):
        """The SSA index of `shape[axis]`: a constant, or the tensor.dim of the
        argument it comes from."""
        size = shape[axis]
        if is_static(size):
            return self.index(size)
        if size not in self._sizes:
            argument = next(a for a in self.arguments if a.name == size.argument)
            name = self.fresh("dim")
            self.emit(f"{name} = tensor.dim {argument.name}, {self.index(size.axis)} : "
                      f"{argument.type}")
            self._sizes[size] = name
        return self._sizes[size]

    def dynamic_sizes(self, shape):
        """The SSA sizes of `shape`'s dynamic dimensions."""
        return [self.size(shape, i) for i, d in enumerate(shape) if not is_static(d)]

    def mixed_sizes(self, shape):
        """Every dimension of `shape`: its SSA size where it is dynamic, its
        number otherwise (as the size lists of tensor ops take them)."""
        dynamic = iter(self.dynamic_sizes(shape))
        return [str(d) if is_static(d) else next(dynamic) for d in shape]

    def empty(self, shape, element="f32"):
        value = Value(self.fresh("init"), tuple(shape), element)
        sizes = ", ".join(self.dynamic_sizes(shape))
        self.emit(f"{value.name} = tensor.empty({sizes}) : {value.type}")
        return value

    def generic(self, hint, inputs, maps, init, iterators, body, block_args):
        """A linalg.generic; `body` lists the region's lines and ends with
        its yield; `block_args` names and types the region's arguments."""
        result = Value(self.fresh(hint), init.shape, init.element)
        ins = ", ".join(v.name for v in inputs)
        in_types = ", ".join(v.type for v in inputs)
        self.emit("%s = linalg.generic {indexing_maps = [%s], iterator_types = [%s]}"
                  % (result.name, ", ".join(maps), ", ".join(f'"{i}"' for i in iterators)))
        ins = f"ins({ins} : {in_types}) " if inputs else ""
        self.emit(f"    {ins}outs({init.name} : {init.type}) {{")
        body, block_args = _region_names(body, block_args)
        self.emit("  ^bb0(" + ", ".join(f"%{n}: {t}" for n, t in block_args) + "):")
        for line in body:
            self.emit("    " + line)
        self.emit(f"  }} -> {result.type}")
        return result

    def elementwise(self, hint, inputs, element, body, block_types):
        """A generic over the elements of inputs[0]'s shape; inputs of lower
        rank are indexed by its leading dimensions."""
        shape = inputs[0].shape
        dims = [f"d{i}" for i in range(len(shape))]
        maps = [affine_map(dims, dims[:v.rank]) for v in inputs] + [affine_map(dims, dims)]
        init = self.empty(shape, element)
        return self.generic(hint, inputs, maps, init, ["parallel"] * len(shape), body,
                            block_types)

    def result_text(self, results):
        types = [v.type for v in results]
        signature = ", ".join(f"{v.name}: {v.type}" for v in self.arguments)
        result_types = types[0] if len(types) == 1 else "(" + ", ".join(types) + ")"
        return (f"func.func @{self.name}({signature}) -> {result_types} {{\n"
                + "\n".join(self.lines) + "\n"
                + f"  return {', '.join(v.name for v in results)} : {', '.join(types)}\n}}\n")


def _region_names(body, block_args):
    """The region's own names with a trailing '_', which no name of the
    function has (fresh names end in digits, arguments never in '_'): a
    region sees the names around it and must not redefine them."""
    local = {n for n, _ in block_args}
    local |= {m.group(1) for line in body for m in [re.match(r"\s*%(\w+)\s*=", line)] if m}
    pattern = re.compile(r"%(\w+)\b")

    def rename(match):
        name = match.group(1)
        return f"%{name}_" if name in local else match.group(0)

    return ([pattern.sub(rename, line) for line in body],
            [(f"{n}_", t) for n, t in block_args])


def module_text(functions_and_results, resources, header=""):
    """The module's text in pieces (the weights' hex a piece at a time, so
    that a large model is written without a copy of it in one string)."""
    yield header + "\n".join(f.result_text(r) for f, r in functions_and_results)
    if not resources:
        return
    yield "\n{-#\n  dialect_resources: {\n    builtin: {\n"
    for i, (key, array) in enumerate(resources.items()):
        yield (",\n" if i else "") + f"      {key}: \""
        yield from resource_blob(array)
        yield "\""
    yield "\n    }\n  }\n#-}\n"
