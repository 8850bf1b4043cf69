"""Calls the models of sizes.mlir with sizes that contradict what their ops
imply (sizes.test): through the C ABI directly, each call returns code 2 with
a message naming both arguments and leaves the output alone; through the
Python loader, each raises ValueError before the call. Good sizes succeed.

    sizes_check.py libsizes.so

Prints one line per check; exits non-zero if any failed.
"""

import ctypes
import sys

import numpy as np

import gru_model

failures = 0


def check(what, ok, detail=""):
    global failures
    print(f"{'ok' if ok else 'FAIL'}: {what}{' -- ' + detail if detail else ''}")
    failures += not ok


def c_call(lib, instance, name, arrays, out, sizes):
    fn = getattr(lib, f"sizes_{name}")
    fn.restype = ctypes.c_int
    fn.argtypes = ([ctypes.c_void_p] * (2 + len(arrays))
                   + [ctypes.c_int64] * len(sizes))
    return fn(instance, *[a.ctypes.data for a in arrays], out.ctypes.data, *sizes)


def main(path):
    lib = ctypes.CDLL(path)
    lib.sizes_create.restype = ctypes.c_void_p
    lib.sizes_last_error.restype = ctypes.c_char_p
    lib.sizes_last_error.argtypes = [ctypes.c_void_p]
    lib.sizes_destroy.argtypes = [ctypes.c_void_p]
    instance = lib.sizes_create()
    rng = np.random.default_rng(3)
    f32 = lambda *shape: rng.uniform(-1, 1, shape).astype(np.float32)
    mask = lambda b, t: np.ones((b, t), np.uint8)

    # (function, arrays, sizes in C order, output shape, words the error names)
    bad = [
        ("static_batch", [f32(2, 5, 3), mask(3, 5), f32(2, 4)], [5, 3, 5, 2], (2, 4),
         ["'mask_dim0'", "'mask'", "'x'"]),
        ("static_batch", [f32(2, 5, 3), mask(2, 5), f32(3, 4)], [5, 2, 5, 3], (2, 4),
         ["'h0_dim0'", "'h0'", "'x'"]),
        ("static_batch", [f32(2, 5, 3), mask(2, 6), f32(2, 4)], [5, 2, 6, 2], (2, 4),
         ["'mask_dim1'", "'mask'", "'x'"]),
        ("static_steps", [f32(2, 4, 3), mask(2, 5)], [2, 4, 2], (2, 4),
         ["'x_dim1'", "'x'", "'mask'"]),
        ("sum", [f32(2, 5, 3), f32(2, 6, 3)], [2, 5, 2, 6], (2, 4),
         ["'b_dim1'", "'b'", "'a'"]),
        ("sum", [f32(2, 5, 3), f32(1, 5, 3)], [2, 5, 1, 5], (2, 4),
         ["'b_dim0'", "'b'", "'a'"]),
    ]
    for name, arrays, sizes, shape, words in bad:
        out = np.full(shape, -7.0, np.float32)
        code = c_call(lib, instance, name, arrays, out, sizes)
        message = lib.sizes_last_error(instance).decode()
        check(f"C: {name} with sizes {sizes} gives code 2 naming {', '.join(words)}",
              code == 2 and all(w in message for w in words) and np.all(out == -7.0),
              f"code {code}, \"{message}\"")

    with gru_model.load(path) as model:
        for name, arrays, sizes, shape, words in bad:
            inputs = [a != 0 if a.dtype == np.uint8 else a for a in arrays]
            try:
                getattr(model, name)(*inputs)
                check(f"Python: {name} with shapes {[a.shape for a in arrays]} raises", False)
            except ValueError as e:
                names = [w for w in words if not w.endswith("_dim0'") and
                         not w.endswith("_dim1'")]
                check(f"Python: {name} with shapes {[a.shape for a in arrays]} raises "
                      f"ValueError naming {', '.join(names)}",
                      all(w in str(e) for w in names), str(e))
        good = {"static_batch": [f32(2, 5, 3), np.ones((2, 5), bool), f32(2, 4)],
                "static_steps": [f32(3, 5, 3), np.ones((3, 5), bool)],
                "sum": [f32(2, 5, 3), f32(2, 5, 3)]}
        for name, inputs in good.items():
            result = getattr(model, name)(*inputs)
            check(f"{name} with consistent sizes succeeds",
                  np.all(np.isfinite(result)) and np.any(result != 0))
    lib.sizes_destroy(instance)
    print("PASSED" if not failures else f"FAILED: {failures} checks")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
