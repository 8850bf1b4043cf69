"""ONNX models with GRU nodes (every opset that defines GRU: 1, 3, 7, 14,
22) and the ops that exporters put around them, read with the `onnx`
package.

Values of the graph are of three kinds while it is read: numpy arrays for
what is known when importing (initializers, constants, and the shape
arithmetic that exporters emit, whose dynamic sizes are mlir.Dims in object
arrays), Fills (a constant of a shape known only when the model runs, as
ConstantOfShape makes for a zero initial state) and mlir.Values for tensors.
"""

import numpy as np

from . import layers, tensors
from .errors import ImportFailure, located
from .mlir import Dim, Function, Value, float_literal, identifier, is_static, module_text
from .onnx_gru import GRUNode
from .onnx_values import Fill, shape_of

_ELEMENTS = {1: "f32", 6: "i32", 7: "i64"}  # TensorProto FLOAT, INT32, INT64


def _onnx():
    try:
        import onnx
    except ImportError as error:
        raise ImportFailure("reading ONNX models needs the Python package 'onnx' "
                            "(pip install onnx)") from error
    return onnx


def import_onnx(path):
    onnx = _onnx()
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise ImportFailure(f"{path}: no such file") from None
    try:
        model = onnx.load_model_from_string(data)
    except Exception as error:  # protobuf's errors have no common base
        raise ImportFailure(f"{path}: not a readable ONNX model ({error})") from None
    opsets = {o.domain: o.version for o in model.opset_import}
    opset = opsets.get("", opsets.get("ai.onnx"))
    if not model.HasField("graph") or opset is None:
        raise ImportFailure(f"{path}: not a readable ONNX model (no graph, or no opset of "
                            f"the default domain)")
    try:
        return _Graph(path, model.graph, opset, onnx).build()
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        raise ImportFailure(f"{path}: a graph gru-import does not understand: "
                            f"{type(error).__name__}: {error}") from None


class _Graph:
    def __init__(self, path, graph, opset, onnx):
        self.path = path
        self.graph = graph
        self.opset = opset
        self.onnx = onnx
        self.f = Function(identifier(graph.name, "model"))
        self.env = {}
        self.used = {name for node in graph.node for name in node.input} | \
            {o.name for o in graph.output}

    # -- reading ---------------------------------------------------------------

    def build(self):
        numpy_helper = self.onnx.numpy_helper
        for tensor in self.graph.initializer:
            self.env[tensor.name] = numpy_helper.to_array(tensor)
        dims = {}
        for i, info in enumerate(self.graph.input):
            if info.name not in self.env:
                self.env[info.name] = self._argument(i, info, dims)
        for node in self.graph.node:
            self._node(node)
        results = []
        for output in self.graph.output:
            value = self.env.get(output.name)
            if not isinstance(value, Value) or value.element != "f32":
                raise ImportFailure(f"{self.path}: output '{output.name}' is not a float32 "
                                    f"tensor computed from the inputs")
            results.append(value)
        if not results:
            raise ImportFailure(f"{self.path}: the graph has no outputs")
        return module_text([(self.f, results)], self.f.resources,
                           header=f"// Imported by gru-import from {self.path}.\n")

    def _argument(self, i, info, dims):
        kind = info.type.WhichOneof("value")
        tensor = info.type.tensor_type
        element = _ELEMENTS.get(tensor.elem_type) if kind == "tensor_type" else None
        if element is None or not tensor.HasField("shape"):
            raise ImportFailure(f"{self.path}: input '{info.name}' is not a tensor of float32, "
                                f"int32 or int64 of known rank")
        name = identifier(info.name, f"input{i}")
        name = f"arg{i}_{name}" if name in {a.name[1:] for a in self.f.arguments} else name
        shape = []
        for axis, d in enumerate(tensor.shape.dim):
            if d.HasField("dim_value"):
                shape.append(int(d.dim_value))
            else:  # the same dim_param is the same size in every input
                key = d.dim_param or (info.name, axis)
                shape.append(dims.setdefault(key, Dim(f"%{name}", axis)))
        return self.f.argument(name, shape, element)

    def where(self, node):
        return f"{self.path}: node '{node.name or node.output[0]}' ({node.op_type})"

    def _node(self, node):
        if node.domain not in ("", "ai.onnx"):
            raise ImportFailure(f"{self.where(node)}: ops of domain '{node.domain}' are not "
                                f"supported")
        handler = getattr(self, "_op_" + node.op_type, None)
        if handler is None:
            raise ImportFailure(f"{self.where(node)}: op {node.op_type} is not supported "
                                f"(gru-import takes: {', '.join(_supported_ops())})")
        missing = [name for name in node.input if name and name not in self.env]
        if missing:
            raise ImportFailure(f"{self.where(node)}: inputs {missing} are computed by no "
                                f"node before it")
        inputs = [self.env[name] if name else None for name in node.input]
        attributes = {a.name: self.onnx.helper.get_attribute_value(a) for a in node.attribute}
        attributes = {k: v.decode() if isinstance(v, bytes) else v for k, v in attributes.items()}
        with located(self.where(node), self.path):
            outputs = handler(node, inputs, attributes)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        for name, value in zip(node.output, outputs):
            if name:
                self.env[name] = _known_array(value)

    # -- values ----------------------------------------------------------------

    def tensor(self, value, hint="constant"):
        """`value` as an mlir.Value."""
        if isinstance(value, Value):
            return value
        if isinstance(value, Fill):
            init = self.f.empty(value.shape)
            filled = Value(self.f.fresh("filled"), init.shape)
            scalar = self.f.fresh("fill")
            self.f.emit(f"{scalar} = arith.constant {float_literal(value.value)} : f32")
            self.f.emit(f"{filled.name} = linalg.fill ins({scalar} : f32) outs({init.name} : "
                        f"{init.type}) -> {init.type}")
            return filled
        if value.dtype == object or value.dtype.kind not in "f":
            raise ImportFailure("an integer constant where a float tensor is needed")
        return self.f.constant(value, hint)

    @staticmethod
    def known(value):
        return isinstance(value, np.ndarray)

    def constant(self, value, what):
        if not self.known(value):
            raise ImportFailure(f"{what} must be a constant")
        return value

    def ints(self, value, what):
        return [int(v) for v in np.asarray(self.constant(value, what)).reshape(-1)]

    def axes(self, node, inputs, attributes, index):
        """The `axes` of an op: its input `index` (newer opsets) or attribute."""
        if len(inputs) > index and inputs[index] is not None:
            return self.ints(inputs[index], "axes")
        return list(attributes.get("axes", []))

    # -- shape arithmetic and constants ----------------------------------------

    def _op_Constant(self, node, inputs, attributes):
        numpy_helper = self.onnx.numpy_helper
        if "value" in attributes:
            return numpy_helper.to_array(attributes["value"])
        for key, dtype in (("value_float", np.float32), ("value_floats", np.float32),
                           ("value_int", np.int64), ("value_ints", np.int64)):
            if key in attributes:
                return np.array(attributes[key], dtype=dtype)
        raise ImportFailure(f"attributes {sorted(attributes)} are not supported")

    def _op_Shape(self, node, inputs, attributes):
        shape = shape_of(inputs[0])
        start, end = attributes.get("start", 0), attributes.get("end", len(shape))
        return _shape_array(shape[slice(start, end)])

    def _op_Size(self, node, inputs, attributes):
        shape = shape_of(inputs[0])
        if not all(is_static(s) for s in shape):
            raise ImportFailure("Size of a tensor with dynamic sizes is not supported")
        return np.array(int(np.prod(shape)), dtype=np.int64)

    def _op_ConstantOfShape(self, node, inputs, attributes):
        value = self.onnx.numpy_helper.to_array(attributes["value"]).reshape(-1)[0] \
            if "value" in attributes else np.float32(0)
        return self._filled(value, self.constant(inputs[0], "the shape"))

    def _filled(self, value, shape):
        shape = tuple(shape.tolist() if isinstance(shape, np.ndarray) else shape)
        if all(is_static(s) for s in shape):
            return np.full(shape, value)
        if np.asarray(value).dtype.kind != "f":
            raise ImportFailure("an integer tensor of a dynamic shape is not supported")
        return Fill(float(value), shape)

    def _op_Expand(self, node, inputs, attributes):
        x, shape = inputs[0], tuple(self.constant(inputs[1], "the shape").tolist())
        if isinstance(x, Value):
            raise ImportFailure("Expand of a tensor computed from the inputs is not supported")
        if isinstance(x, Fill):
            x_shape, value = x.shape, x.value
        else:
            flat = x.reshape(-1)
            if flat.size and np.any(flat != flat[0]):
                if all(is_static(s) for s in shape):
                    return np.broadcast_to(x, tensors.broadcast_shape(x.shape, shape)).copy()
                raise ImportFailure("Expand of a non-uniform constant to a dynamic shape is "
                                    "not supported")
            x_shape, value = x.shape, flat[0]
        result = tensors.broadcast_shape(tuple(x_shape), shape)
        if result is None:
            raise ImportFailure(f"shapes {x_shape} and {shape} do not broadcast")
        return self._filled(value, result)

    def _op_Identity(self, node, inputs, attributes):
        return inputs[0]

    def _op_Dropout(self, node, inputs, attributes):
        if len(node.output) > 1 and node.output[1] in self.used:
            raise ImportFailure("Dropout's mask output is not supported")
        return inputs[0]

    def _op_Cast(self, node, inputs, attributes):
        x, to = inputs[0], _ELEMENTS.get(attributes.get("to"))
        if self.known(x):
            if x.dtype == object:
                return x
            return x.astype({"f32": np.float32, "i32": np.int32, "i64": np.int64}.get(to, x.dtype))
        if isinstance(x, Fill) or x.element == to:
            return x
        raise ImportFailure(f"a Cast of {x.type} to {to} is not supported")

    # -- layout ----------------------------------------------------------------

    def _op_Transpose(self, node, inputs, attributes):
        x = inputs[0]
        permutation = attributes.get("perm", list(reversed(range(len(shape_of(x))))))
        if self.known(x):
            return np.transpose(x, permutation)
        if isinstance(x, Fill):
            return Fill(x.value, tuple(x.shape[p] for p in permutation))
        return tensors.transpose(self.f, x, permutation)

    def _op_Reshape(self, node, inputs, attributes):
        x = inputs[0]
        shape = _reshaped(shape_of(x), self.constant(inputs[1], "the shape").tolist(),
                          attributes.get("allowzero", 0))
        return self._reshape(x, shape)

    def _reshape(self, x, shape):
        if self.known(x):
            return x.reshape(shape)
        if isinstance(x, Fill):
            return Fill(x.value, tuple(shape))
        return tensors.reshape(self.f, x, shape)

    def _op_Squeeze(self, node, inputs, attributes):
        shape = shape_of(inputs[0])
        axes = [a % len(shape) for a in self.axes(node, inputs, attributes, 1)] or \
            [a for a, s in enumerate(shape) if s == 1]
        if any(shape[a] != 1 for a in axes):
            raise ImportFailure(f"Squeeze of axes {axes} of a tensor of shape {shape}")
        return self._reshape(inputs[0], tuple(s for a, s in enumerate(shape) if a not in axes))

    def _op_Unsqueeze(self, node, inputs, attributes):
        shape = list(shape_of(inputs[0]))
        axes = self.axes(node, inputs, attributes, 1)
        rank = len(shape) + len(axes)
        for axis in sorted(a % rank for a in axes):
            shape.insert(axis, 1)
        return self._reshape(inputs[0], tuple(shape))

    def _op_Flatten(self, node, inputs, attributes):
        shape = shape_of(inputs[0])
        axis = attributes.get("axis", 1) % (len(shape) + 1) if shape else 0
        return self._reshape(inputs[0], (_product(shape[:axis]), _product(shape[axis:])))

    def _op_Concat(self, node, inputs, attributes):
        axis = attributes["axis"]
        if all(self.known(x) for x in inputs):
            return np.concatenate([np.atleast_1d(x) for x in inputs], axis=axis)
        parts = [self.tensor(x) for x in inputs]
        return tensors.concat(self.f, parts, axis % parts[0].rank)

    def _op_Gather(self, node, inputs, attributes):
        x, indices = inputs
        axis = attributes.get("axis", 0)
        if self.known(x) and self.known(indices):
            return np.take(x, indices, axis=axis)
        if self.known(x) and isinstance(indices, Value):
            if axis != 0 or x.ndim != 2 or indices.rank != 2:
                raise ImportFailure("a Gather of a constant by computed indices is supported as "
                                    "an embedding: a 2-D table, axis 0, (batch, steps) indices")
            table = self.f.constant(x, "embedding")
            return layers.embedding(self.f, indices, table)
        index = self.constant(indices, "the index of a Gather from a computed tensor")
        if index.ndim != 0:
            raise ImportFailure("a Gather from a computed tensor takes one constant index")
        x = self.tensor(x)
        return self._select(x, axis % x.rank, int(index))

    def _select(self, x, axis, index):
        """x at `index` of `axis` (negative: from the end), without that axis."""
        offsets = [0] * x.rank
        offsets[axis] = self._offset(x.shape, axis, index)
        sizes = list(x.shape)
        sizes[axis] = 1
        return tensors.extract(self.f, x, offsets, sizes, drop={axis})

    def _offset(self, shape, axis, index):
        """The SSA index or number of position `index` of shape[axis]
        (negative: counted from the end), clamped into [0, size]."""
        size = shape[axis]
        if is_static(size):
            return min(max(index + size if index < 0 else index, 0), size)
        if index >= 0:
            if index > 0:
                raise ImportFailure("a positive offset into a dynamic size is not supported")
            return 0
        back = self.f.fresh("offset")
        self.f.emit(f"{back} = arith.subi {self.f.size(shape, axis)}, {self.f.index(-index)} "
                    f": index")
        return back

    def _op_Slice(self, node, inputs, attributes):
        x = inputs[0]
        if self.opset < 10:
            starts, ends = attributes["starts"], attributes["ends"]
            axes, steps = attributes.get("axes"), None
        else:
            starts = self.ints(inputs[1], "starts")
            ends = self.ints(inputs[2], "ends")
            axes = self.ints(inputs[3], "axes") if len(inputs) > 3 and inputs[3] is not None \
                else None
            steps = self.ints(inputs[4], "steps") if len(inputs) > 4 and inputs[4] is not None \
                else None
        shape = shape_of(x)
        axes = [a % len(shape) for a in (axes if axes is not None else range(len(starts)))]
        if steps is not None and any(s != 1 for s in steps):
            raise ImportFailure("Slice with steps other than 1 is not supported")
        if self.known(x):
            index = [slice(None)] * x.ndim
            for axis, start, end in zip(axes, starts, ends):
                index[axis] = slice(start, end)
            return x[tuple(index)]
        bounds = {axis: (start, end) for axis, start, end in zip(axes, starts, ends)}
        if isinstance(x, Fill):
            return Fill(x.value, tuple(_sliced_size(s, *bounds[a]) if a in bounds else s
                                       for a, s in enumerate(shape)))
        offsets, sizes = [], []
        for axis, size in enumerate(shape):
            start, end = bounds.get(axis, (0, _BIG))
            size_after = _sliced_size(size, start, end)
            offsets.append(self._offset(shape, axis, start) if axis in bounds else 0)
            sizes.append(size_after)
        return tensors.extract(self.f, x, offsets, sizes)

    # -- arithmetic --------------------------------------------------------------

    def _binary(self, inputs, numpy_op, mlir_op):
        a, b = inputs
        if self.known(a) and self.known(b):
            return numpy_op(a, b)
        if isinstance(a, Fill) and isinstance(b, Fill):
            return Fill(float(numpy_op(a.value, b.value)),
                        tensors.broadcast_shape(a.shape, b.shape))
        operands = [self.tensor(a), self.tensor(b)]
        return tensors.elementwise(self.f, "arith", operands,
                                   [f"%r = {mlir_op} %a, %b : f32"])

    def _op_Add(self, node, inputs, attributes):
        return self._binary(inputs, np.add, "arith.addf")

    def _op_Sub(self, node, inputs, attributes):
        return self._binary(inputs, np.subtract, "arith.subf")

    def _op_Mul(self, node, inputs, attributes):
        return self._binary(inputs, np.multiply, "arith.mulf")

    def _op_Div(self, node, inputs, attributes):
        integer = all(self.known(x) and x.dtype.kind in "iuO" for x in inputs)
        return self._binary(inputs, np.floor_divide if integer else np.divide, "arith.divf")

    def _op_MatMul(self, node, inputs, attributes):
        x, w = inputs
        w = self.constant(w, "MatMul's second operand")
        if w.ndim != 2:
            raise ImportFailure("MatMul by a constant of rank other than 2 is not supported")
        return layers.dense(self.f, self.tensor(x), self.f.constant(w, "matmul"), None)

    def _op_Gemm(self, node, inputs, attributes):
        a, b = self.tensor(inputs[0]), self.constant(inputs[1], "Gemm's B")
        if attributes.get("transA", 0):
            a = tensors.transpose(self.f, a, [1, 0])
        b = b.T if attributes.get("transB", 0) else b
        b = b * np.float32(attributes.get("alpha", 1.0))
        bias = None
        if len(inputs) > 2 and inputs[2] is not None:
            c = self.constant(inputs[2], "Gemm's C") * np.float32(attributes.get("beta", 1.0))
            if c.size != b.shape[1] or (c.ndim == 2 and c.shape[0] != 1):
                raise ImportFailure(f"Gemm's C of shape {c.shape} is not supported (accepted: "
                                    f"({b.shape[1]},) or (1, {b.shape[1]}))")
            bias = self.f.constant(c.reshape(-1), "gemm_bias")
        return layers.dense(self.f, a, self.f.constant(b, "gemm"), bias)

    def _activation(self, name, inputs):
        return layers.activation(self.f, self.tensor(inputs[0]), name)

    def _op_Relu(self, node, inputs, attributes):
        return self._activation("relu", inputs)

    def _op_Tanh(self, node, inputs, attributes):
        return self._activation("tanh", inputs)

    def _op_Sigmoid(self, node, inputs, attributes):
        return self._activation("sigmoid", inputs)

    def _op_Softsign(self, node, inputs, attributes):
        return self._activation("softsign", inputs)

    def _op_Softplus(self, node, inputs, attributes):
        return self._activation("softplus", inputs)

    def _op_Softmax(self, node, inputs, attributes):
        x = self.tensor(inputs[0])
        axis = attributes.get("axis", -1 if self.opset >= 13 else 1) % x.rank
        if axis != x.rank - 1:
            raise ImportFailure(f"Softmax over axis {axis} of a rank-{x.rank} tensor is not "
                                f"supported (accepted: the last axis)")
        return layers.softmax(self.f, x)

    # -- GRU ---------------------------------------------------------------------

    def _op_GRU(self, node, inputs, attributes):
        return GRUNode(self, node, inputs + [None] * (6 - len(inputs)), attributes).build()


_BIG = 2 ** 62


def _known_array(value):
    """Numpy folding's scalars (and lone Dims) as 0-d arrays."""
    if value is None or isinstance(value, (Value, Fill, np.ndarray)):
        return value
    return np.array(value, dtype=object if isinstance(value, Dim) else None)


def _shape_array(shape):
    array = np.empty(len(shape), dtype=object if any(not is_static(s) for s in shape)
                     else np.int64)
    array[:] = list(shape)
    return array


def _product(sizes):
    dynamic = [s for s in sizes if not is_static(s)]
    static = int(np.prod([s for s in sizes if is_static(s)], dtype=np.int64))
    if not dynamic:
        return static
    if len(dynamic) == 1 and static == 1:
        return dynamic[0]
    raise ImportFailure(f"a product of sizes {sizes} with dynamic ones is not supported")


def _reshaped(shape, target, allowzero):
    """Reshape's target with 0 (the input's size, unless allowzero) and -1
    (what the other sizes leave) resolved."""
    target = [shape[i] if t == 0 and not allowzero else t for i, t in enumerate(target)]
    if -1 not in target:
        return tuple(target)
    known = [t for t in target if t != -1]
    rest = list(shape)
    for t in known:  # each dynamic size of the target uses one of the input
        if not is_static(t):
            if t not in rest:
                raise ImportFailure(f"a reshape of {shape} to {target} is not supported")
            rest.remove(t)
    dynamic = [s for s in rest if not is_static(s)]
    static = int(np.prod([s for s in rest if is_static(s)], dtype=np.int64))
    divisor = int(np.prod([t for t in known if is_static(t)], dtype=np.int64))
    if len(dynamic) > 1 or (dynamic and divisor != 1) or (not dynamic and static % divisor):
        raise ImportFailure(f"a reshape of {shape} to {target} is not supported")
    inferred = dynamic[0] if dynamic else static // divisor
    return tuple(inferred if t == -1 else t for t in target)


def _sliced_size(size, start, end):
    if is_static(size):
        return len(range(size)[slice(start, end)])
    if start == 0 and end >= _BIG // 2:
        return size
    if start < 0 and end >= _BIG // 2:
        return -start
    raise ImportFailure("a slice of part of a dynamic size is not supported")


def _supported_ops():
    return sorted(name[4:] for name in dir(_Graph) if name.startswith("_op_"))
