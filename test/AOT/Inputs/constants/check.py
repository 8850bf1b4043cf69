"""constant-weights.test: `check.py gen DIR` writes model.mlir, in which
@arguments takes the weights, @literals has them as dense<> constants and
@resources as dense_resource blobs; `check.py run DIR` checks that the three
agree bit for bit (constant weights are packed at compile time)."""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "python"))

F, U = 24, 40
TYPES = {"k": f"tensor<{F}x{3 * U}xf32>", "rk": f"tensor<{U}x{3 * U}xf32>",
         "b": f"tensor<2x{3 * U}xf32>"}


def weights():
    rng = np.random.default_rng(11)
    return {"k": rng.uniform(-0.4, 0.3, (F, 3 * U)).astype(np.float32),
            "rk": rng.uniform(-0.3, 0.4, (U, 3 * U)).astype(np.float32),
            "b": rng.uniform(-0.5, 0.5, (2, 3 * U)).astype(np.float32)}


def layer(reset_after):
    attributes = f"units = {U} : i64" + ("" if reset_after else ", reset_after = false")
    bias = TYPES["b"] if reset_after else f"tensor<{3 * U}xf32>"
    return (f"  %o = gru.layer %x, %k, %rk bias(%b) {{{attributes}}}\n"
            f"      : (tensor<?x?x{F}xf32>, {TYPES['k']}, {TYPES['rk']}, {bias}) -> tensor<?x{U}xf32>\n"
            f"  return %o : tensor<?x{U}xf32>\n}}\n")


def generate(folder):
    w = weights()
    text, blobs = [], []
    for reset_after in (True, False):
        suffix = "" if reset_after else "_before"
        values = dict(w, b=w["b"] if reset_after else w["b"][0])
        types = dict(TYPES, b=TYPES["b"] if reset_after else f"tensor<{3 * U}xf32>")
        args = ", ".join(f"%{n}: {types[n]}" for n in ("k", "rk", "b"))
        text.append(f"func.func @arguments{suffix}(%x: tensor<?x?x{F}xf32>, {args}) -> "
                    f"tensor<?x{U}xf32> {{\n" + layer(reset_after))
        literal = "".join(f"  %{n} = arith.constant dense<{values[n].tolist()}> : {types[n]}\n"
                          for n in ("k", "rk", "b"))
        text.append(f"func.func @literals{suffix}(%x: tensor<?x?x{F}xf32>) -> tensor<?x{U}xf32> {{\n"
                    + literal + layer(reset_after))
        resource = "".join(f"  %{n} = arith.constant dense_resource<{n}{suffix}> : {types[n]}\n"
                           for n in ("k", "rk", "b"))
        text.append(f"func.func @resources{suffix}(%x: tensor<?x?x{F}xf32>) -> tensor<?x{U}xf32> {{\n"
                    + resource + layer(reset_after))
        # A blob: its alignment (4, little-endian) and the data.
        blobs += [f'      {n}{suffix}: "0x04000000{values[n].tobytes().hex()}"' for n in ("k", "rk", "b")]
    text.append("{-#\n  dialect_resources: {\n    builtin: {\n" + ",\n".join(blobs) + "\n    }\n  }\n#-}\n")
    with open(os.path.join(folder, "model.mlir"), "w") as f:
        f.write("\n".join(text))


def run(folder):
    import gru_model
    w = weights()
    x = np.random.default_rng(5).uniform(-1, 1, (37, 6, F)).astype(np.float32)
    with gru_model.load(os.path.join(folder, "libmodel.so")) as model:
        for suffix, bias in (("", w["b"]), ("_before", w["b"][0])):
            want = model.functions[f"arguments{suffix}"](x, w["k"], w["rk"], bias)
            for variant in ("literals", "resources"):
                got = model.functions[f"{variant}{suffix}"](x)
                same = np.array_equal(got, want)
                print(f"{'ok' if same else 'FAIL'} {variant}{suffix}: "
                      f"{'bit for bit' if same else np.max(np.abs(got - want))}")


if __name__ == "__main__":
    {"gen": generate, "run": run}[sys.argv[1]](sys.argv[2])
