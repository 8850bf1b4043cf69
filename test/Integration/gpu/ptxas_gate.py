"""Compiles a matrix of layers with gru-opt --gru-to-nvvm (PTX) and assembles
every kernel with ptxas -v for sm_90: none may spill or exceed the budget of
ptx.py, counting the dynamic shared memory of the steps' kernel that
convert-gru-to-gpu reports. Prints a line per kernel and a summary."""
import argparse
import itertools
import collections
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import ptx  # noqa: E402

UNITS = (1, 33, 128, 256, 512, 1024, 2048)
STEPS = re.compile(r"GPU steps: (\w+), (\d+) blocks of (\d+) units, (\d+) bytes of shared")
# (name, attributes, has mask): the kernels' variants.
VARIANTS = (
    ("reset_after", "", False),
    ("reset_before", "reset_after = false", False),
    ("masked", "zero_output_for_mask = true, return_sequences = true, "
               "return_state = true, go_backwards = true", True),
    ("dropout", "dropout = 0.25 : f64, recurrent_dropout = 0.5 : f64, training = true, "
                "seed = 7 : i64, reset_after = false, activation = #gru.activation<gelu>", False),
)


def layer(units, features, attributes, masked):
    """A module of one layer of `units` on dynamic B and T."""
    results = ["tensor<?x?x{0}xf32>".format(units) if "return_sequences" in attributes
               else "tensor<?x{0}xf32>".format(units)]
    if "return_state" in attributes:
        results.append("tensor<?x{0}xf32>".format(units))
    bias = "2x{0}".format(3 * units) if "reset_after = false" not in attributes \
        else str(3 * units)
    operands = ["tensor<?x?x{0}xf32>".format(features), "tensor<{0}x{1}xf32>".format(
        features, 3 * units), "tensor<{0}x{1}xf32>".format(units, 3 * units),
        "tensor<{0}xf32>".format(bias)]
    if masked:
        operands.append("tensor<?x?xi1>")
    names = ["%x", "%k", "%r", "%b"] + (["%m"] if masked else [])
    arguments = ", ".join(f"{n}: {t}" for n, t in zip(names, operands))
    attrs = f"units = {units} : i64" + (", " + attributes if attributes else "")
    outs = [f"%o{i}" for i in range(len(results))]
    return (f"func.func @layer({arguments}) -> ({', '.join(results)}) {{\n"
            f"  {', '.join(outs)} = gru.layer %x, %k, %r bias(%b)"
            f"{' mask(%m)' if masked else ''} {{{attrs}}}\n"
            f"      : ({', '.join(operands)}) -> ({', '.join(results)})\n"
            f"  return {', '.join(outs)} : {', '.join(results)}\n}}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gru-opt", default="gru-opt")
    parser.add_argument("--arch", default="sm_90")
    args = parser.parse_args()
    checked = over = 0
    regimes = collections.Counter()
    with tempfile.TemporaryDirectory() as work:
        for units, (name, attributes, masked) in itertools.product(UNITS, VARIANTS):
            source = os.path.join(work, f"{name}_{units}.mlir")
            lowered = source + ".nvvm"
            with open(source, "w") as f:
                f.write(layer(units, 16, attributes, masked))
            run = subprocess.run([args.gru_opt, source, "--gru-to-nvvm=format=isa", "-o",
                                  lowered], check=True, capture_output=True, text=True)
            regime, blocks, _, dynamic = STEPS.search(run.stderr).groups()
            regimes[regime] += 1
            with open(lowered) as f:
                kernels = ptx.kernels(f.read())
            for kernel, assembly in kernels.items():
                registers, spills, shared = ptx.resources(assembly, args.arch)
                # The persistent kernel of the steps has the dynamic shared
                # memory (MLIR's gpu.dynamic_shared_memory global).
                if "__dynamic_shmem__" in assembly:
                    shared += int(dynamic)
                ok = (not spills and registers <= ptx.MAX_REGISTERS
                      and shared <= ptx.MAX_SHARED_BYTES)
                checked += 1
                over += not ok
                print(f"U={units} {name} {kernel} ({regime}, {blocks} blocks): {registers} "
                      f"registers, {spills} bytes spilled, {shared} bytes shared: "
                      f"{'ok' if ok else 'OVER BUDGET'}")
    print("regimes: " + ", ".join(f"{r} {n}" for r, n in sorted(regimes.items())))
    print(f"{checked} kernels checked, {over} over budget")
    sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()
