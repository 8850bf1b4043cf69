"""Layout ops on mlir.Values, as ONNX graphs use them around a GRU:
transpose, reshape, slicing, concatenation and broadcasting arithmetic."""

from .errors import ImportFailure
from .mlir import Value, affine_map, is_static


def transpose(f, x, permutation):
    """x with its axes permuted (result axis i is x's axis permutation[i]);
    a transpose of a transpose becomes one, or none."""
    permutation = list(permutation)
    source = f.transposes.get(x.name)
    if source is not None:
        x, first = source
        permutation = [first[p] for p in permutation]
    if permutation == list(range(x.rank)):
        return x
    init = f.empty(tuple(x.shape[p] for p in permutation), x.element)
    result = Value(f.fresh("transposed"), init.shape, x.element)
    f.emit(f"{result.name} = linalg.transpose ins({x.name} : {x.type}) "
           f"outs({init.name} : {init.type}) permutation = {permutation}")
    f.transposes[result.name] = (x, permutation)
    return result


def _groups(shape):
    """The axes of `shape` in the groups that a reshape keeps: each dynamic
    size alone, each run of static sizes together, sizes of 1 with the group
    before them (or after, at the start). Returns the groups and their sizes."""
    groups, sizes, leading_ones = [], [], []
    for axis, size in enumerate(shape):
        if size == 1 and groups:
            groups[-1].append(axis)
        elif size == 1:
            leading_ones.append(axis)
        elif is_static(size) and sizes and is_static(sizes[-1]):
            groups[-1].append(axis)
            sizes[-1] *= size
        else:
            groups.append(leading_ones + [axis])
            sizes.append(size)
            leading_ones = []
    if leading_ones:  # all sizes are 1
        groups, sizes = [leading_ones], [1]
    return groups, sizes


def _reassociation(groups):
    return "[" + ", ".join("[" + ", ".join(map(str, g)) + "]" for g in groups) + "]"


def reshape(f, x, shape):
    """x with `shape` (row-major order kept): a collapse_shape to the groups
    both shapes share, then an expand_shape; dynamic sizes must stay whole."""
    shape = tuple(shape)
    if shape == x.shape:
        return x
    in_groups, in_sizes = _groups(x.shape)
    out_groups, out_sizes = _groups(shape)
    if in_sizes != out_sizes:
        raise ImportFailure(f"a reshape of {x.type} to {shape} is not supported: gru-import "
                            f"reshapes that merge or split static sizes around whole dynamic ones")
    if len(in_groups) != x.rank:
        collapsed = Value(f.fresh("collapsed"), tuple(in_sizes), x.element)
        f.emit(f"{collapsed.name} = tensor.collapse_shape {x.name} {_reassociation(in_groups)} "
               f": {x.type} into {collapsed.type}")
        x = collapsed
    if len(out_groups) == len(shape):
        return x
    expanded = Value(f.fresh("expanded"), shape, x.element)
    sizes = ", ".join(f.mixed_sizes(shape))
    f.emit(f"{expanded.name} = tensor.expand_shape {x.name} {_reassociation(out_groups)} "
           f"output_shape [{sizes}] : {x.type} into {expanded.type}")
    return expanded


def extract(f, x, offsets, sizes, drop=()):
    """The slice of x at `offsets` (SSA indices or numbers) of `sizes`, unit
    stride, without the axes in `drop` (whose sizes are 1)."""
    shape = tuple(s for axis, s in enumerate(sizes) if axis not in drop)
    result = Value(f.fresh("slice"), shape, x.element)
    mixed = f.mixed_sizes(sizes)
    f.emit(f"{result.name} = tensor.extract_slice {x.name}[{', '.join(map(str, offsets))}] "
           f"[{', '.join(mixed)}] [{', '.join(['1'] * x.rank)}] : {x.type} to {result.type}")
    return result


def concat(f, parts, axis):
    """The parts joined along `axis` (their other sizes equal)."""
    if len(parts) == 1:
        return parts[0]
    if not all(is_static(p.shape[axis]) for p in parts):
        raise ImportFailure(f"a concatenation along axis {axis}, of dynamic size, is not "
                            f"supported")
    width = sum(p.shape[axis] for p in parts)
    shape = parts[0].shape[:axis] + (width,) + parts[0].shape[axis + 1:]
    result = f.empty(shape, parts[0].element)
    offset = 0
    for part in parts:
        offsets = ["0"] * part.rank
        offsets[axis] = str(offset)
        strides = ", ".join(["1"] * part.rank)
        inserted = Value(f.fresh("concat"), shape, part.element)
        f.emit(f"{inserted.name} = tensor.insert_slice {part.name} into {result.name}"
               f"[{', '.join(offsets)}] [{', '.join(f.mixed_sizes(part.shape))}] [{strides}] "
               f": {part.type} into {result.type}")
        result = inserted
        offset += part.shape[axis]
    return result


def compatible(x, y):
    """Sizes that can be equal: equal, or one of them dynamic (gru-compile's
    C wrapper checks at run time that sizes the ops equate are equal)."""
    return x == y or not is_static(x) or not is_static(y)


def broadcast_shape(a, b):
    """numpy's broadcast of shapes a and b, or None where they do not; two
    dynamic sizes are taken as equal."""
    shape = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x == y or y == 1:
            shape.append(x)
        elif x == 1:
            shape.append(y)
        elif compatible(x, y):
            shape.append(x if is_static(x) else y)
        else:
            return None
    return tuple(reversed(shape))


def elementwise(f, hint, operands, body, element="f32"):
    """A linalg.generic over the numpy broadcast of the operands' shapes;
    `body` computes %r from %a, %b, ... (the operands' elements)."""
    shape = operands[0].shape
    for operand in operands[1:]:
        shape = broadcast_shape(shape, operand.shape)
        if shape is None:
            raise ImportFailure(f"shapes {[o.type for o in operands]} do not broadcast")
    dims = [f"d{i}" for i in range(len(shape))]
    maps = []
    for operand in operands:
        lead = len(shape) - operand.rank
        maps.append(affine_map(dims, ["0" if s == 1 and shape[lead + i] != 1 else dims[lead + i]
                                      for i, s in enumerate(operand.shape)]))
    names = "abcdefgh"[:len(operands)]
    init = f.empty(shape, element)
    return f.generic(hint, operands, maps + [affine_map(dims, dims)], init,
                     ["parallel"] * len(shape), body + [f"linalg.yield %r : {element}"],
                     [(n, o.element) for n, o in zip(names, operands)] + [("out", element)])
