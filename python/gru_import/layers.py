"""The layers around a GRU, as ops on a mlir.Function: each takes and
returns mlir.Values (and masks: (B, T) i1 Values, or None)."""

from . import tensors
from .errors import ImportFailure
from .mlir import Value, affine_map, float_literal

# Keras activation names that are the gru dialect's under another name.
_ACTIVATION_ALIASES = {"swish": "silu", "hard_swish": "hard_silu"}
# The gru dialect's activations (GRU_Activation in dialect/include/gru/IR/GRUAttrs.td).
ACTIVATIONS = {"linear", "tanh", "sigmoid", "hard_sigmoid", "relu", "relu6", "leaky_relu",
               "elu", "selu", "celu", "softplus", "softsign", "silu", "hard_silu", "gelu",
               "exponential", "hard_tanh", "sparse_sigmoid", "sparse_plus", "squareplus",
               "soft_shrink", "hard_shrink", "tanh_shrink", "log_sigmoid", "mish"}


def activation_name(where, name, allow_softmax=False):
    """The gru dialect's name of Keras activation `name`."""
    if not isinstance(name, str):
        raise ImportFailure(f"{where}: activation {name!r} is not a Keras activation name")
    name = _ACTIVATION_ALIASES.get(name, name)
    if name in ACTIVATIONS or (allow_softmax and name == "softmax"):
        return name
    accepted = ", ".join(sorted(ACTIVATIONS | ({"softmax"} if allow_softmax else set())))
    raise ImportFailure(f"{where}: activation '{name}' is not supported (accepted: {accepted})")


def embedding(f, tokens, table):
    """table[tokens] (B, T, D); ids outside the table are clamped into it, as
    JAX's gather does; float ids are truncated to int32 first, as Keras casts."""
    vocabulary, width = table.shape
    init = f.empty(tokens.shape + (width,))
    token_type = tokens.element
    body = []
    token = "%token"
    if token_type.startswith("f"):
        body.append(f"%as_int = arith.fptosi %token : {token_type} to i32")
        token, token_type = "%as_int", "i32"
    elif token_type != "i32":
        body.append(f"%as_int = arith.trunci %token : {token_type} to i32")
        token, token_type = "%as_int", "i32"
    body += ["%zero = arith.constant 0 : i32",
             f"%last = arith.constant {vocabulary - 1} : i32",
             f"%low = arith.maxsi %zero, {token} : i32",
             "%id = arith.minsi %last, %low : i32",
             "%row = arith.index_cast %id : i32 to index",
             "%column = linalg.index 2 : index",
             f"%value = tensor.extract {table.name}[%row, %column] : {table.type}",
             "linalg.yield %value : f32"]
    dims = ["b", "t", "d"]
    maps = [affine_map(dims, dims[:2]), affine_map(dims, dims)]
    return f.generic("embedded", [tokens], maps, init, ["parallel"] * 3, body,
                     [("token", tokens.element), ("out", "f32")])


def nonzero_mask(f, tokens):
    """tokens != 0, Embedding(mask_zero=True)'s mask."""
    return not_equal(f, tokens, 0)


def not_equal(f, x, value):
    """x != value, elementwise (i1); NaN differs from everything."""
    if x.element.startswith("f"):
        body = [f"%v = arith.constant {float_literal(value)} : {x.element}",
                f"%ne = arith.cmpf une, %x, %v : {x.element}"]
    else:
        body = [f"%v = arith.constant {int(value)} : {x.element}",
                f"%ne = arith.cmpi ne, %x, %v : {x.element}"]
    return f.elementwise("ne", [x], "i1", body + ["linalg.yield %ne : i1"],
                         [("x", x.element), ("out", "i1")])


def any_last(f, flags):
    """The OR of i1 `flags` over their last axis."""
    return _reduce_last(f, flags, "any", "0", "arith.ori", "i1")


def masking(f, x, mask_value):
    """Masking(mask_value): the mask any(x != v) over features, and
    x · mask as Keras computes it (so NaN stays NaN and -x·0 is -0)."""
    mask = any_last(f, not_equal(f, x, mask_value))
    masked = f.elementwise("masked", [x, mask], "f32",
                           ["%one = arith.uitofp %keep : i1 to f32",
                            "%y = arith.mulf %x, %one : f32",
                            "linalg.yield %y : f32"],
                           [("x", "f32"), ("keep", "i1"), ("out", "f32")])
    return masked, mask


def activation(f, x, name):
    """A Keras activation of x: gru.activation, or a softmax over the last
    axis (max, exp(x - max), sum, divide: as jax.nn.softmax)."""
    if name == "linear":
        return x
    if name == "softmax":
        return softmax(f, x)
    y = Value(f.fresh(name), x.shape)
    f.emit(f"{y.name} = gru.activation {x.name} {{activation = #gru.activation<{name}>}} "
           f": {x.type}")
    return y


def _reduce_last(f, x, hint, start, combine, element="f32"):
    """combine over x's last axis, from `start`."""
    dims = [f"d{i}" for i in range(x.rank)]
    init = f.empty(x.shape[:-1], element)
    first = f.fresh("start")
    f.emit(f"{first} = arith.constant {start} : {element}")
    filled = Value(f.fresh("filled"), init.shape, element)
    f.emit(f"{filled.name} = linalg.fill ins({first} : {element}) outs({init.name} : "
           f"{init.type}) -> {init.type}")
    return f.generic(hint, [x], [affine_map(dims, dims), affine_map(dims, dims[:-1])], filled,
                     ["parallel"] * (x.rank - 1) + ["reduction"],
                     [f"%r = {combine} %x, %acc : {element}", f"linalg.yield %r : {element}"],
                     [("x", element), ("acc", element)])


def softmax(f, x):
    largest = _reduce_last(f, x, "max", "0xFF800000", "arith.maximumf")
    shifted = f.elementwise("exp", [x, largest], "f32",
                            ["%s = arith.subf %x, %m : f32", "%e = math.exp %s : f32",
                             "linalg.yield %e : f32"],
                            [("x", "f32"), ("m", "f32"), ("out", "f32")])
    total = _reduce_last(f, shifted, "sum", "0.0", "arith.addf")
    return f.elementwise("softmax", [shifted, total], "f32",
                         ["%q = arith.divf %e, %s : f32", "linalg.yield %q : f32"],
                         [("e", "f32"), ("s", "f32"), ("out", "f32")])


def dense(f, x, kernel, bias):
    """x · kernel + bias over x's last axis, for x of rank 2 (linalg.matmul)
    or 3 (the same contraction as a linalg.generic over the steps)."""
    units = kernel.shape[1]
    if x.rank not in (2, 3):
        raise ImportFailure(f"Dense on a tensor of rank {x.rank}: gru-import takes ranks 2 and 3")
    init = f.empty(x.shape[:-1] + (units,))
    if bias is None:  # the products accumulate into zeros
        zero = f.fresh("zero")
        f.emit(f"{zero} = arith.constant 0.0 : f32")
        start = Value(f.fresh("zeros"), init.shape)
        f.emit(f"{start.name} = linalg.fill ins({zero} : f32) outs({init.name} : {init.type}) "
               f"-> {init.type}")
    else:
        start = Value(f.fresh("bias"), init.shape)
        f.emit(f"{start.name} = linalg.broadcast ins({bias.name} : {bias.type}) "
               f"outs({init.name} : {init.type}) dimensions = {list(range(x.rank - 1))}")
    if x.rank == 2:
        product = Value(f.fresh("dense"), init.shape)
        f.emit(f"{product.name} = linalg.matmul ins({x.name}, {kernel.name} : {x.type}, "
               f"{kernel.type}) outs({start.name} : {start.type}) -> {start.type}")
        return product
    dims = ["b", "t", "n", "k"]
    maps = [affine_map(dims, ["b", "t", "k"]), affine_map(dims, ["k", "n"]),
            affine_map(dims, ["b", "t", "n"])]
    return f.generic("dense", [x, kernel], maps, start,
                     ["parallel", "parallel", "parallel", "reduction"],
                     ["%p = arith.mulf %x, %w : f32", "%s = arith.addf %acc, %p : f32",
                      "linalg.yield %s : f32"],
                     [("x", "f32"), ("w", "f32"), ("acc", "f32")])


# GRU arguments that gru.layer takes as they are, with Keras's defaults.
_GRU_FLAGS = {"return_sequences": False, "return_state": False, "go_backwards": False,
              "stateful": False, "unroll": False, "zero_output_for_mask": False,
              "use_bias": True, "reset_after": True}


def gru(f, where, config, x, mask, kernel, recurrent_kernel, bias, initial_state=None):
    """A Keras GRU layer: its outputs (the output, then the state with
    return_state) from its input, mask and initial state."""
    units = int(config["units"])
    attributes = [f"units = {units} : i64"]
    for key, name in (("activation", "tanh"), ("recurrent_activation", "sigmoid")):
        value = activation_name(f"{where}: {key}", config.get(key, name))
        if value != name:
            attributes.append(f"{key} = #gru.activation<{value}>")
    for key, default in _GRU_FLAGS.items():
        value = bool(config.get(key, default))
        if value != default:
            attributes.append(f"{key} = {str(value).lower()}")
    for key in ("dropout", "recurrent_dropout"):
        rate = float(config.get(key, 0.0))
        if rate:
            attributes.append(f"{key} = {float_literal(rate)}")
    if config.get("seed") is not None:
        attributes.append(f"seed = {int(config['seed'])} : i64")
    if config.get("clip") is not None:  # ONNX's, not a Keras argument
        attributes.append(f"clip = {float_literal(config['clip'])}")

    output = Value(f.fresh("gru"), (x.shape[0], x.shape[1], units)
                   if config.get("return_sequences") else (x.shape[0], units))
    results = [output]
    if config.get("return_state"):
        results.append(Value(f.fresh("state"), (x.shape[0], units)))
    operands = [x, kernel, recurrent_kernel]
    optional = []
    if bias is not None:
        optional.append(f"bias({bias.name})")
        operands.append(bias)
    if mask is not None:
        optional.append(f"mask({mask.name})")
        operands.append(mask)
    if initial_state is not None:
        optional.append(f"initial_state({initial_state.name})")
        operands.append(initial_state)
    result_types = ", ".join(v.type for v in results)
    if len(results) > 1:
        result_types = f"({result_types})"
    f.emit(f"{', '.join(v.name for v in results)} = gru.layer "
           f"{x.name}, {kernel.name}, {recurrent_kernel.name} {' '.join(optional)} "
           f"{{{', '.join(attributes)}}}")
    f.emit(f"    : ({', '.join(v.type for v in operands)}) -> {result_types}")
    return results


def reverse_steps(f, y):
    """y (B, T, U) with its steps in reverse order, as ops.flip(y, axis=1)."""
    steps = f.size(y.shape, 1)
    one = f.index(1)
    last = f.fresh("last")
    f.emit(f"{last} = arith.subi {steps}, {one} : index")
    init = f.empty(y.shape)
    dims = ["b", "t", "u"]
    return f.generic("reversed", [], [affine_map(dims, dims)], init, ["parallel"] * 3,
                     ["%b = linalg.index 0 : index", "%t = linalg.index 1 : index",
                      "%u = linalg.index 2 : index", f"%source = arith.subi {last}, %t : index",
                      f"%v = tensor.extract {y.name}[%b, %source, %u] : {y.type}",
                      "linalg.yield %v : f32"],
                     [("out", "f32")])


# Keras's merging layers, by the body that combines two elements %a and %b
# (Average: their sum, scaled after).
MERGING_LAYERS = {"Add": "arith.addf", "Subtract": "arith.subf", "Multiply": "arith.mulf",
                  "Maximum": "arith.maximumf", "Minimum": "arith.minimumf",
                  "Average": "arith.addf"}


def combine(f, kind, inputs):
    """The merging layer `kind` (MERGING_LAYERS) over `inputs` of one shape,
    pairwise from the first; Average then scales by 1/len(inputs)."""
    body = [f"%r = {MERGING_LAYERS[kind]} %a, %b : f32"]
    result = inputs[0]
    for other in inputs[1:]:
        result = tensors.elementwise(f, kind.lower(), [result, other], body)
    if kind == "Average":
        scale = float_literal(1.0 / len(inputs))
        result = tensors.elementwise(f, "average", [result],
                                     [f"%s = arith.constant {scale} : f32",
                                      "%r = arith.mulf %a, %s : f32"])
    return result


# Bidirectional's merge modes that are merging layers.
_MERGE_MODES = {"sum": "Add", "mul": "Multiply", "ave": "Average"}


def merge(f, where, mode, forward, backward):
    """Bidirectional's merge of the two directions' outputs: concat (last
    axis), sum, ave or mul."""
    if mode == "concat":
        return tensors.concat(f, [forward, backward], forward.rank - 1)
    if mode not in _MERGE_MODES:
        raise ImportFailure(f"{where}: merge_mode {mode!r} is not supported (accepted: concat, "
                            f"sum, ave, mul, None)")
    return combine(f, _MERGE_MODES[mode], [forward, backward])
