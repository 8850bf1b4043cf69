"""The GPU benchmark: our fused kernels in each regime, our libraries through
cuDNN with each algorithm, on the same inputs (bench/gpu/README.md).

    gpu_bench.py build DIR     # compiles the libraries and the timer into DIR
    DIR/run.sh OUT             # on the GPU machine: times them into OUT
    gpu_bench.py report OUT    # tables, ratios and a chart from OUT
"""

import argparse
import collections
import csv
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
UNITS = (128, 256, 512, 1024)
BATCHES = (1, 4, 16, 64, 256)
STEPS = 100
REPEATS = 20
# (label, gru-compile flags, units it applies to); the fused regimes are
# those that the target allows at U (cluster up to 391 units on sm_90).
VARIANTS = (
    ("fused", ["--cudnn=none"], UNITS),
    ("fused-grid", ["--cudnn=none", "--gpu-cluster-blocks=0"], (128, 256)),
    ("fused-stepwise", ["--cudnn=none", "--gpu-cluster-blocks=0", "--gpu-shared-memory=0"],
     UNITS),
    ("cudnn-standard", ["--cudnn=standard"], UNITS),
    ("cudnn-small_h", ["--cudnn=small_h"], UNITS),
    ("cudnn-persist_static", ["--cudnn=persist_static"], UNITS),
    ("cudnn-persist_dynamic", ["--cudnn=persist_dynamic"], UNITS),
)
# (function, mask): the layer as cuDNN runs it, reset_after = false, and a
# mask that cuDNN cannot run (left-padded) or can (right-padded).
FUNCTIONS = (("gru", "none"), ("gru_reset_before", "none"), ("gru_masked", "left"),
             ("gru_masked", "right"))
# The barriers: a step of almost no work (B = 1), in one cluster of 8 blocks
# (U = 8) and in a grid of 132 blocks (U = 132, no clusters).
BARRIERS = (("barrier-cluster", 8, []), ("barrier-grid", 132, ["--gpu-cluster-blocks=0"]))


def module(units):
    u3 = 3 * units
    x = f"tensor<?x{STEPS}x{units}xf32>"
    w = f"tensor<{units}x{u3}xf32>"
    out = f"tensor<?x{units}xf32>"
    return textwrap.dedent(f"""\
        func.func @gru(%x: {x}, %k: {w}, %rk: {w}, %b: tensor<2x{u3}xf32>) -> {out} {{
          %o = gru.layer %x, %k, %rk bias(%b) {{units = {units} : i64}}
              : ({x}, {w}, {w}, tensor<2x{u3}xf32>) -> {out}
          return %o : {out}
        }}
        func.func @gru_reset_before(%x: {x}, %k: {w}, %rk: {w}, %b: tensor<{u3}xf32>) -> {out} {{
          %o = gru.layer %x, %k, %rk bias(%b) {{units = {units} : i64, reset_after = false}}
              : ({x}, {w}, {w}, tensor<{u3}xf32>) -> {out}
          return %o : {out}
        }}
        func.func @gru_masked(%x: {x}, %k: {w}, %rk: {w}, %b: tensor<2x{u3}xf32>,
                              %m: tensor<?x{STEPS}xi1>) -> {out} {{
          %o = gru.layer %x, %k, %rk bias(%b) mask(%m) {{units = {units} : i64}}
              : ({x}, {w}, {w}, tensor<2x{u3}xf32>, tensor<?x{STEPS}xi1>) -> {out}
          return %o : {out}
        }}
        """)


def build(directory, gru_compile, only_units=UNITS):
    """The libraries (of `only_units`), the timer and run.sh in `directory`;
    returns the jobs."""
    os.makedirs(directory, exist_ok=True)
    jobs = []
    for units in sorted(set(UNITS) | {u for _, u, _ in BARRIERS}):
        with open(os.path.join(directory, f"gru{units}.mlir"), "w") as f:
            f.write(module(units))
    targets = [(label, flags, units) for label, flags, all_units in VARIANTS
               for units in all_units if units in only_units]
    targets += [(label, ["--cudnn=none", *flags], units) for label, units, flags in BARRIERS]
    for label, flags, units in targets:
        name = f"{label}.{units}".replace("-", "_").replace(".", "_")
        library = os.path.join(directory, f"lib{name}.so")
        print(f"gpu_bench: compiling {label} for U = {units}", flush=True)
        subprocess.run([gru_compile, os.path.join(directory, f"gru{units}.mlir"), "-o", library,
                        "--targets=cpu,cuda", "--prefix", name, *flags], check=True)
        os.remove(os.path.join(directory, f"{name}.h"))
        if label.startswith("barrier"):
            jobs.append((library, name, "gru", label, units, "none", "device", [1]))
            continue
        for function, mask in FUNCTIONS:
            jobs.append((library, name, function, label if mask != "right"
                         else label + "+right", units, mask, "host", list(BATCHES)))
        # The fused kernels on data already on the GPU as well (the libraries
        # that may call cuDNN have no such entry points).
        if label.startswith("fused"):
            jobs.append((library, name, "gru", label + "@device", units, "none", "device",
                         list(BATCHES)))
    subprocess.run(["cc", "-O2", "-o", os.path.join(directory, "time_gru"),
                    os.path.join(HERE, "time_gru.c"), "-ldl", "-lm"], check=True)
    omp = subprocess.run(["ldd", jobs[0][0]], capture_output=True, text=True).stdout
    lib = os.path.join(directory, "lib")
    os.makedirs(lib, exist_ok=True)
    for line in omp.splitlines():
        if line.strip().startswith("libomp.so"):
            shutil.copy(line.split("=>")[1].split()[0], lib)
    with open(os.path.join(directory, "run.sh"), "w") as f:
        f.write('#!/bin/sh\n# Times every library on CUDA: run.sh OUT.\nset -u\n'
                'here="$(cd "$(dirname "$0")" && pwd)"\nout="${1:?usage: run.sh OUT}"\n'
                'mkdir -p "$out"\nexport LD_LIBRARY_PATH="$here/lib"\n'
                'export GRU_DEVICE=cuda\n'
                '{ nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true; } '
                '> "$out/gpu.txt"\n')
        for library, name, function, label, units, mask, entry, batches in jobs:
            f.write(f'"$here/time_gru" "$here/{os.path.basename(library)}" {name} {function} '
                    f'{label} {units} {STEPS} {mask} {entry} {REPEATS} "$out" '
                    f'{" ".join(map(str, batches))} >> "$out/times.csv" 2>> "$out/errors.log"\n')
        f.write('echo "gpu bench: $(wc -l < "$out/times.csv") timings in $out/times.csv"\n')
    os.chmod(os.path.join(directory, "run.sh"), 0o755)
    return jobs


FIELDS = ["label", "function", "units", "batch", "steps", "entry", "us_per_call",
          "us_per_step", "dispatch", "status"]


def agreement(out, rows):
    """The largest difference of each timing's output from the fused
    kernel's of the same function, units and batch."""
    def load(label, row):
        path = os.path.join(out, f"{label}.{row['function']}.{row['units']}.{row['batch']}.f32")
        return np.fromfile(path, dtype=np.float32) if os.path.exists(path) else None
    for row in rows:
        ours = load("fused" + ("+right" if row["label"].endswith("+right") else ""), row)
        theirs = load(row["label"], row)
        row["difference"] = (float(np.max(np.abs(ours - theirs)))
                             if ours is not None and theirs is not None else float("nan"))


def report(out):
    with open(os.path.join(out, "times.csv")) as f:
        rows = [dict(zip(FIELDS, line)) for line in csv.reader(f)]
    rows = [r for r in rows if len(r) == len(FIELDS)]
    agreement(out, rows)
    gpu = open(os.path.join(out, "gpu.txt")).read().strip() if os.path.exists(
        os.path.join(out, "gpu.txt")) else "unknown GPU"
    table = collections.defaultdict(dict)
    for r in rows:
        if r["status"] == "ok":
            label, right = r["label"].removesuffix("+right"), r["label"].endswith("+right")
            function = r["function"] + (" (right-padded)" if right else
                                        " (left-padded)" if "masked" in r["function"] else "")
            table[(function, int(r["units"]), int(r["batch"]))][label] = (
                float(r["us_per_step"]), r["difference"], r["dispatch"])
    lines = [f"# GPU benchmark ({gpu}), T = {STEPS}, F = U, fp32, µs per step", ""]
    labels = [v[0] for v in VARIANTS] + ["fused@device"]
    lines.append("| function | U | B | " + " | ".join(labels) + " | best cuDNN / best fused |")
    lines.append("|" + "---|" * (len(labels) + 4))
    for (function, units, batch), cells in sorted(table.items()):
        def best(prefix):  # through the host entry points, as cuDNN's
            times = [t for label, (t, _, _) in cells.items()
                     if label.startswith(prefix) and "@" not in label]
            return min(times) if times else None
        fused, cudnn = best("fused"), best("cudnn")
        ratio = f"{cudnn / fused:.2f}" if fused and cudnn else "–"
        lines.append(f"| {function} | {units} | {batch} | " + " | ".join(
            f"{cells[label][0]:.2f}" if label in cells else "–" for label in labels)
            + f" | {ratio} |")
    failures = [r for r in rows if r["status"] != "ok"]
    beyond = [r for r in rows if r["difference"] > 1e-4]
    lines += ["", f"{len(failures)} timings failed (cuDNN refuses some algorithms: see "
              "times.csv); " f"{len(beyond)} outputs differ from the fused kernel's by more "
              "than 1e-4."]
    for label, units, _ in BARRIERS:
        cell = table.get(("gru", units, 1), {}).get(label)
        if cell:
            lines.append(f"{label}: {cell[0]:.2f} µs per step of U = {units}, B = 1 "
                         "(a step of almost no work: an upper bound of one barrier)")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(text)
    print(text)
    chart(table, os.path.join(out, "chart.png"))


def chart(table, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("gpu_bench: no matplotlib, no chart")
        return
    figure, axes = plt.subplots(1, len(UNITS), figsize=(5 * len(UNITS), 4), sharey=True)
    for axis, units in zip(axes, UNITS):
        for label, _, _ in VARIANTS:
            points = [(b, table[("gru", units, b)][label][0]) for b in BATCHES
                      if label in table.get(("gru", units, b), {})]
            if points:
                axis.plot(*zip(*points), marker="o", label=label)
        axis.set(title=f"U = {units}", xscale="log", yscale="log", xlabel="B")
    axes[0].set_ylabel("µs per step")
    axes[-1].legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    b = commands.add_parser("build")
    b.add_argument("directory")
    b.add_argument("--gru-compile", default=os.path.join(ROOT, "build", "bin", "gru-compile"))
    b.add_argument("--units", type=lambda text: tuple(map(int, text.split(","))), default=UNITS,
                   help="only these units (a quick check of the script)")
    r = commands.add_parser("report")
    r.add_argument("out")
    args = parser.parse_args()
    if args.command == "build":
        jobs = build(args.directory, args.gru_compile, args.units)
        print(f"gpu_bench: {len(jobs)} timings prepared; run {args.directory}/run.sh OUT")
    else:
        report(args.out)


if __name__ == "__main__":
    sys.exit(main())
