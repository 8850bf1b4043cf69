"""Runs the libraries of targets.test against Keras: `check.py DIR LIB...`.

Each library must agree with keras.layers.GRU to 1e-5 (asymmetric random
weights, a right-padded mask), say which of its targets runs here, and
refuse to create an instance where this CPU runs none of them."""

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "python"))
import gru_model  # noqa: E402


# Linux's names in /proc/cpuinfo of the features the manifest names as
# __builtin_cpu_supports does.
LINUX_NAMES = {"sse3": "pni", "sse4.1": "sse4_1", "sse4.2": "sse4_2", "bmi": "bmi1",
               "lzcnt": "abm", "avx512vnni": "avx512_vnni", "avx512bf16": "avx512_bf16",
               "avx512fp16": "avx512_fp16", "avx512vbmi2": "avx512_vbmi2",
               "avx512bitalg": "avx512_bitalg", "avx512vpopcntdq": "avx512_vpopcntdq",
               "avxvnni": "avx_vnni"}


def cpu_flags():
    """The features of this CPU, named as in the manifest."""
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("flags"):
                linux = set(line.split(":")[1].split())
                return {name for name in linux} | {
                    ours for ours, theirs in LINUX_NAMES.items() if theirs in linux}
    return set()


def keras_reference(x, kernel, recurrent, bias, mask):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras
    layer = keras.layers.GRU(40, return_sequences=True)
    layer.build((None, None, 24))
    layer.set_weights([kernel, recurrent, bias])
    return np.asarray(layer(x, mask=mask))


def main():
    folder, names = sys.argv[1], sys.argv[2:]
    rng = np.random.default_rng(3)
    B, T = 37, 9
    x = rng.uniform(-1, 1, (B, T, 24)).astype(np.float32)
    kernel = rng.uniform(-0.4, 0.3, (24, 120)).astype(np.float32)
    recurrent = rng.uniform(-0.3, 0.4, (40, 120)).astype(np.float32)
    bias = rng.uniform(-0.5, 0.5, (2, 120)).astype(np.float32)
    lengths = rng.integers(1, T + 1, B)
    mask = np.arange(T)[None, :] < lengths[:, None]
    want = keras_reference(x, kernel, recurrent, bias, mask)
    flags = cpu_flags()
    for name in names:
        path = os.path.join(folder, f"lib{name}.so")
        targets = [t["cpu"] for t in json.loads(_manifest(path))["targets"]]
        runnable = [t for t in json.loads(_manifest(path))["targets"]
                    if set(t["checked_features"]) <= flags]
        if not runnable:
            try:
                gru_model.load(path)
                print(f"FAIL {name}: created an instance on a CPU that runs none of {targets}")
            except gru_model.ModelError as error:
                print(f"{name}: none of {targets} runs here: {error}")
            continue
        best = max(runnable, key=lambda t: len(t["checked_features"]))["cpu"]
        with gru_model.load(path) as model:
            got = model.run(x, kernel, recurrent, bias, mask)
            error = float(np.max(np.abs(got - want)))
            status = "ok" if error <= 1e-5 and model.target == best else "FAIL"
            print(f"{status} {name}: targets {targets}, runs {model.target} "
                  f"(expected {best}), max |error| vs Keras {error:.1e}")


def _manifest(path):
    import ctypes
    library = ctypes.CDLL(os.path.abspath(path))
    function = getattr(library, os.path.basename(path)[3:-3] + "_manifest")
    function.restype = ctypes.c_char_p
    return function().decode()


if __name__ == "__main__":
    main()
