"""Calls model_encode_on_device of a library of test/AOT/Inputs/model.mlir:
`on_device.py LIB [STREAM]`, with the inputs of run.py as the "device"
buffers (the stand-in driver's memory is host memory) on the stream STREAM
(an address, default NULL), twice, and prints each call's status."""
import ctypes
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "python"))
import gru_model  # noqa: E402
import run  # noqa: E402


def main():
    sys.stdout.reconfigure(line_buffering=True)
    model = gru_model.load(sys.argv[1], prefix="model")
    stream = int(sys.argv[2], 0) if len(sys.argv) > 2 else None
    encode = model.encode
    arrays = [encode._convert(spec, a) for spec, a in zip(encode.inputs, run.inputs()[0])]
    sizes = encode._bind_sizes(arrays)
    outputs = [np.empty([d if isinstance(d, int) else sizes[d] for d in spec["shape"]],
                        dtype=np.float32) for spec in encode.outputs]
    entry = model._lib.model_encode_on_device
    entry.restype = ctypes.c_int
    entry.argtypes = [ctypes.c_void_p] * (2 + len(arrays) + len(outputs)) + \
        [ctypes.c_int64] * len(encode.sizes)
    for _ in range(2):
        code = entry(model._handle(), stream, *[a.ctypes.data for a in arrays + outputs],
                     *[sizes[name] for name in encode.sizes])
        print(f"encode_on_device: {'ok' if code == 0 else model.last_error()}")


if __name__ == "__main__":
    main()
