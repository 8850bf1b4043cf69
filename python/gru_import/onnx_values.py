"""The values of an ONNX graph that are not tensors of the model: Fills."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Fill:
    """A tensor of `shape` whose every element is `value`."""
    value: float
    shape: tuple


def shape_of(value):
    """The shape of a Value, array or Fill."""
    return tuple(value.shape)
