"""The GRU benchmark: our compiled model against oneDNN, PyTorch, ONNX Runtime
and Keras 3 on JAX, on the same shapes and thread counts (bench/run.sh runs
it after installing what it needs; README.md in this folder says more).

For every configuration (shape, reset_after, mask) and thread count, our
model runs first; the first thread count's outputs are the reference every
other run is checked against (max abs difference of the last output at most
1e-4) before it is timed. The machine's fp32 matrix-multiply peak is
measured in the same run by oneDNN's dnnl_sgemm.

Writes bench/results/results.md, results.csv and chart.png and prints the
Markdown table.
"""

import argparse
import csv
import dataclasses
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import harness

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
GRU_COMPILE = ROOT / "build" / "bin" / "gru-compile"
SYSTEM_PYTHON = "/usr/bin/python3"  # where Debian's python3-torch is

SHAPES = [(1, 1000, 64, 128), (32, 100, 128, 256), (64, 50, 512, 512), (16, 200, 256, 1024)]
QUICK_SHAPE = (3, 20, 16, 24)
PEERS = ["ours", "onednn", "torch", "onnxruntime", "keras"]
TOLERANCE = 1e-4
SGEMM_SIZE = 2048  # the peak: an n×n×n dnnl_sgemm


@dataclasses.dataclass(frozen=True)
class Case:
    B: int
    T: int
    F: int
    U: int
    reset_after: bool
    mask: bool

    @property
    def shape(self):
        return f"{self.B}x{self.T}x{self.F}x{self.U}"

    @property
    def name(self):
        return (f"{self.shape}-{'reset_after' if self.reset_after else 'reset_before'}"
                f"-{'mask' if self.mask else 'nomask'}")

    @property
    def flops(self):
        """Of one forward: the input and recurrent products of every step
        (padded steps of a mask included)."""
        return 6 * self.T * self.B * self.U * (self.F + self.U)

    @property
    def function(self):
        """Our model's function for the case's F and U."""
        return f"gru_{self.F}x{self.U}"


def unsupported(peer, case):
    """Why `peer` cannot run `case`, or None."""
    if peer == "onednn" and case.mask:
        return "no mask support"
    if peer == "torch" and not case.reset_after:
        return "n/a (torch.nn.GRU is reset_after=True only)"
    return None


# --- inputs -----------------------------------------------------------------

def write_case(case, folder):
    """Random asymmetric weights (glorot-uniform scale, different in every
    gate) and inputs, as the raw files harness.py reads."""
    rng = np.random.default_rng([case.B, case.T, case.F, case.U, case.reset_after, case.mask])
    gates = 3 * case.U

    def uniform(limit, shape):
        return rng.uniform(-limit, limit, shape).astype(np.float32)

    folder.mkdir(parents=True)
    uniform(1.0, (case.B, case.T, case.F)).tofile(folder / "x.f32")
    uniform(np.sqrt(6 / (case.F + gates)), (case.F, gates)).tofile(folder / "kernel.f32")
    uniform(np.sqrt(6 / (case.U + gates)), (case.U, gates)).tofile(folder / "recurrent_kernel.f32")
    uniform(0.5, (2, gates) if case.reset_after else gates).tofile(folder / "bias.f32")
    if case.mask:  # right-padded, each row at least half of T long
        rng.integers((case.T + 1) // 2, case.T + 1, size=case.B, dtype=np.int32).tofile(
            folder / "lengths.i32")


def model_text(reset_after, mask, feature_units):
    """Our model: one function per (F, U), weights as arguments, dynamic B and
    T, the last output only."""
    functions = []
    for F, U in feature_units:
        gates = 3 * U
        args = [("x", f"tensor<?x?x{F}xf32>"), ("kernel", f"tensor<{F}x{gates}xf32>"),
                ("recurrent_kernel", f"tensor<{U}x{gates}xf32>"),
                ("bias", f"tensor<2x{gates}xf32>" if reset_after else f"tensor<{gates}xf32>")]
        if mask:
            args.append(("mask", "tensor<?x?xi1>"))
        optional = " ".join(f"{name}(%{name})" for name, _ in args[3:])
        attributes = f"units = {U} : i64" + ("" if reset_after else ", reset_after = false")
        types = ", ".join(t for _, t in args)
        result = f"tensor<?x{U}xf32>"
        functions.append(
            f"func.func @gru_{F}x{U}({', '.join(f'%{n}: {t}' for n, t in args)}) -> {result} {{\n"
            f"  %out = gru.layer %x, %kernel, %recurrent_kernel {optional} {{{attributes}}}\n"
            f"      : ({types}) -> {result}\n"
            f"  return %out : {result}\n"
            f"}}\n")
    return "\n".join(functions)


def compile_models(cases, build):
    """{(reset_after, mask): library path}, one gru-compile per variant."""
    libraries = {}
    for variant in sorted({(c.reset_after, c.mask) for c in cases}):
        feature_units = sorted({(c.F, c.U) for c in cases if (c.reset_after, c.mask) == variant})
        name = f"gru_{'ra' if variant[0] else 'rb'}_{'mask' if variant[1] else 'nomask'}"
        source = build / f"{name}.mlir"
        source.write_text(model_text(*variant, feature_units))
        libraries[variant] = build / f"lib{name}.so"
        subprocess.run([str(GRU_COMPILE), str(source), "-o", str(libraries[variant])], check=True)
    return libraries


def build_onednn_harness(build):
    binary = build / "onednn_gru"
    subprocess.run(["c++", "-O2", "-std=c++17", "-o", str(binary), str(BENCH / "onednn_gru.cpp"),
                    "-ldnnl"], check=True)
    return binary


# --- running the peers -------------------------------------------------------

def peer_env(peer, threads):
    """Every process gets the thread count in our runtime's, OpenMP's (oneDNN,
    PyTorch) and OpenBLAS's (PyTorch's BLAS) variables. PyTorch's OpenMP
    threads wait passively: spinning, they take the cores from OpenBLAS's own
    threads between the steps' products (2 to 5 times slower on 2 cores).
    JAX has no thread-count setting: one thread is XLA_FLAGS with Eigen's
    thread pool off (and taskset, in runner_command)."""
    env = dict(os.environ, GRU_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               OPENBLAS_NUM_THREADS=str(threads), KERAS_BACKEND="jax", JAX_PLATFORMS="cpu",
               PYTHONPATH=os.pathsep.join([str(ROOT / "python"), str(BENCH)]))
    if peer == "torch":
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    if peer == "keras" and threads == 1:
        env["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    return env


def runner_command(peer, threads, spec_path):
    if peer == "torch":
        return [SYSTEM_PYTHON, str(BENCH / "torch_gru.py"), str(spec_path)]
    command = [sys.executable, str(BENCH / "peers.py"), str(spec_path)]
    if peer == "keras" and threads < os.cpu_count():
        command = ["taskset", "-c", f"0-{threads - 1}"] + command
    return command


def run_onednn(binary, cases, threads, timing, case_dir):
    """One harness process per case."""
    results = {"version": "", "cases": {}}
    for case in cases:
        command = [str(binary), "gru", str(case_dir(case)), str(int(case.reset_after)),
                   *map(str, (case.B, case.T, case.F, case.U)), str(timing["warmup"]),
                   str(timing["repeats"]), str(timing["budget"]), str(TOLERANCE)]
        done = subprocess.run(command, env=peer_env("onednn", threads), capture_output=True,
                              text=True)
        if done.returncode != 0:
            results["cases"][case.name] = {"error": (done.stderr.strip().splitlines() or
                                                     [f"exit code {done.returncode}"])[-1]}
            continue
        result = results["cases"][case.name] = json.loads(done.stdout)
        results["version"] = result.pop("version")
        harness.report_progress("onednn", threads, case.name, result)
    return results


def run_python_peer(peer, cases, threads, timing, case_dir, libraries, work):
    """One runner process for all of a peer's cases at one thread count."""
    spec_path = work / f"spec-{peer}-{threads}.json"
    results_path = work / f"results-{peer}-{threads}.json"
    spec = {"peer": peer, "threads": threads, "tolerance": TOLERANCE,
            "results": str(results_path), **timing,
            "cases": [{"name": c.name, "dir": str(case_dir(c)), "B": c.B, "T": c.T, "F": c.F,
                       "U": c.U, "reset_after": c.reset_after, "mask": c.mask,
                       "library": str(libraries[(c.reset_after, c.mask)]),
                       "function": c.function} for c in cases]}
    spec_path.write_text(json.dumps(spec))
    done = subprocess.run(runner_command(peer, threads, spec_path),
                          env=peer_env(peer, threads))
    if done.returncode != 0:
        return {"version": "", "cases": {c.name: {"error": f"runner exit code {done.returncode}"}
                                         for c in cases}}
    return json.loads(results_path.read_text())


def sgemm_peak(binary, threads):
    """GFLOP/s of the fastest of five SGEMM_SIZE³ dnnl_sgemm calls."""
    done = subprocess.run([str(binary), "sgemm", str(SGEMM_SIZE), "1", "5"],
                          env=peer_env("onednn", threads), capture_output=True, text=True,
                          check=True)
    return 2 * SGEMM_SIZE**3 / min(json.loads(done.stdout)["times"]) / 1e9


# --- the report --------------------------------------------------------------

COLUMNS = ["threads", "shape", "B", "T", "F", "U", "reset_after", "mask", "peer", "status",
           "median_ms", "gflops", "time_vs_ours", "peak_fraction", "max_abs_diff", "repeats"]


def make_rows(cases, peers, threads_list, results, peaks):
    rows = []
    for threads in threads_list:
        for case in cases:
            ours = results.get(("ours", threads), {}).get("cases", {}).get(case.name, {})
            our_median = np.median(ours["times"]) if "times" in ours else None
            for peer in peers:
                row = {"threads": threads, "shape": case.shape, "B": case.B, "T": case.T,
                       "F": case.F, "U": case.U, "reset_after": case.reset_after,
                       "mask": case.mask, "peer": peer}
                result = results.get((peer, threads), {}).get("cases", {}).get(case.name)
                if result is None:
                    row["status"] = unsupported(peer, case) or "not run"
                elif "error" in result:
                    row["status"] = f"error: {result['error']}"
                elif "times" not in result:
                    row["status"] = f"disagrees (max diff {result['max_diff']:.1e})"
                    row["max_abs_diff"] = result["max_diff"]
                else:
                    median = float(np.median(result["times"]))
                    gflops = case.flops / median / 1e9
                    row.update(status="ok", median_ms=median * 1e3, gflops=gflops,
                               peak_fraction=gflops / peaks[threads],
                               max_abs_diff=result["max_diff"], repeats=len(result["times"]))
                    if our_median is not None:
                        row["time_vs_ours"] = median / our_median
                rows.append(row)
    return rows


def write_csv(rows, path):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def markdown(rows, peaks, versions, started, elapsed):
    def number(value, spec):
        return "" if value is None else format(value, spec)

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), "unknown CPU")
    lines = [
        "# GRU benchmark",
        "",
        f"{started:%Y-%m-%d %H:%M}, {cpu}, {os.cpu_count()} cores; the run took "
        f"{elapsed / 60:.1f} min.",
        "",
        "fp32 matrix-multiply peak, measured in this run by oneDNN's `dnnl_sgemm` "
        f"({SGEMM_SIZE}³, best of 5): "
        + ", ".join(f"{peaks[t]:.1f} GFLOP/s at {t} thread{'s' if t > 1 else ''}"
                    for t in sorted(peaks)) + ".",
        "",
        "Peers: " + "; ".join(f"{peer}: {version}" for peer, version in versions.items()) + ".",
        "",
        "shape is B×T×F×U; median of the timed calls after warm-up; GFLOP/s counts "
        "6·T·B·U·(F+U) per forward (padded steps of a mask included, though peers that take "
        "lengths may skip them); "
        "time vs ours is the peer's median over ours (below 1: faster than ours); "
        "% peak is GFLOP/s over the sgemm peak at the same thread count; every peer's "
        f"last output was checked against ours (max abs diff ≤ {TOLERANCE:g}) before timing.",
        "",
        "| threads | shape | reset_after | mask | peer | median ms | GFLOP/s | time vs ours "
        "| % peak | max abs diff | repeats | status |",
        "|---:|---|---|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        fraction = r.get("peak_fraction")
        lines.append(
            f"| {r['threads']} | {r['shape']} | {r['reset_after']} | {r['mask']} | {r['peer']} "
            f"| {number(r.get('median_ms'), '.3f')} | {number(r.get('gflops'), '.2f')} "
            f"| {number(r.get('time_vs_ours'), '.3f')} "
            f"| {number(None if fraction is None else 100 * fraction, '.1f')} "
            f"| {number(r.get('max_abs_diff'), '.1e')} | {r.get('repeats', '')} "
            f"| {r['status']} |")
    return "\n".join(lines) + "\n"


def chart(rows, peers, threads_list, peaks, path):
    """GFLOP/s per shape and peer, grouped bars; a row of panels per thread
    count, a panel per (reset_after, mask)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    variants = [(ra, m) for ra in (True, False) for m in (False, True)
                if any(r["reset_after"] == ra and r["mask"] == m for r in rows)]
    shapes = list(dict.fromkeys(r["shape"] for r in rows))
    figure, axes = plt.subplots(len(threads_list), len(variants), squeeze=False,
                                figsize=(4.5 * len(variants), 3.8 * len(threads_list)))
    width = 0.8 / len(peers)
    for i, threads in enumerate(threads_list):
        for j, (reset_after, mask) in enumerate(variants):
            ax = axes[i][j]
            for k, peer in enumerate(peers):
                values = [next((r.get("gflops") for r in rows
                                if (r["threads"], r["shape"], r["reset_after"], r["mask"],
                                    r["peer"]) == (threads, shape, reset_after, mask, peer)),
                               None) or 0.0 for shape in shapes]
                ax.bar(np.arange(len(shapes)) + (k - (len(peers) - 1) / 2) * width, values,
                       width, label=peer)
            ax.axhline(peaks[threads], color="black", linestyle="--", linewidth=0.8,
                       label="sgemm peak")
            ax.set_yscale("log")
            ax.set_xticks(np.arange(len(shapes)), shapes, rotation=20, fontsize=7)
            ax.set_title(f"{threads} thread{'s' if threads > 1 else ''}, "
                         f"reset_after={reset_after}, {'mask' if mask else 'no mask'}",
                         fontsize=9)
            if j == 0:
                ax.set_ylabel("GFLOP/s (log)")
    axes[0][0].legend(fontsize=7)
    figure.suptitle("GRU forward, B×T×F×U (missing bar: not supported or not timed)")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


# --- main ----------------------------------------------------------------------

def parse_shape(text):
    shape = tuple(int(v) for v in text.lower().split("x"))
    if len(shape) != 4 or min(shape) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not BxTxFxU")
    return shape


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"one small shape ({'x'.join(map(str, QUICK_SHAPE))}), few repeats")
    parser.add_argument("--shapes", type=lambda s: [parse_shape(v) for v in s.split(",")],
                        help="comma-separated BxTxFxU (default: the four of issue 4)")
    parser.add_argument("--threads", type=lambda s: [int(v) for v in s.split(",")],
                        default=[1, 2], help="comma-separated thread counts (default 1,2)")
    parser.add_argument("--peers", type=lambda s: s.split(","), default=PEERS,
                        help=f"comma-separated subset of {','.join(PEERS)} (ours is always run)")
    parser.add_argument("--repeats", type=int, help="timed calls at most (default 10, quick 3)")
    parser.add_argument("--budget", type=float,
                        help="seconds of timed calls after which a peer stops at three or more "
                             "(default 2, quick 0.2)")
    parser.add_argument("--out", type=Path, default=BENCH / "results", help="results folder")
    args = parser.parse_args()
    unknown = set(args.peers) - set(PEERS)
    if unknown:
        parser.error(f"unknown peers {', '.join(sorted(unknown))}")
    args.peers = [p for p in PEERS if p == "ours" or p in args.peers]
    args.shapes = args.shapes or ([QUICK_SHAPE] if args.quick else SHAPES)
    args.repeats = args.repeats or (3 if args.quick else 10)
    args.budget = args.budget if args.budget is not None else (0.2 if args.quick else 2.0)
    return args


def main():
    args = parse_args()
    started, clock = datetime.datetime.now(), time.monotonic()
    cases = [Case(*shape, reset_after, mask) for shape in args.shapes
             for reset_after in (True, False) for mask in (False, True)]
    timing = {"warmup": 1, "repeats": args.repeats, "budget": args.budget}
    build = args.out / "build"
    build.mkdir(parents=True, exist_ok=True)
    onednn = build_onednn_harness(build)
    libraries = compile_models(cases, build)

    with tempfile.TemporaryDirectory(prefix="gru-bench-") as tmp:
        work = Path(tmp)

        def case_dir(case):
            return work / case.name

        for case in cases:
            write_case(case, case_dir(case))
        peaks = {t: sgemm_peak(onednn, t) for t in args.threads}
        print("sgemm peak: " + ", ".join(f"{p:.1f} GFLOP/s at {t} threads"
                                         for t, p in peaks.items()), file=sys.stderr)
        results = {}
        for threads in args.threads:
            for peer in args.peers:
                runnable = [c for c in cases if unsupported(peer, c) is None
                            and (peer == "ours" or (case_dir(c) / "reference.f32").exists())]
                if not runnable:
                    continue
                if peer == "onednn":
                    results[peer, threads] = run_onednn(onednn, runnable, threads, timing,
                                                        case_dir)
                else:
                    results[peer, threads] = run_python_peer(peer, runnable, threads, timing,
                                                             case_dir, libraries, work)
                if peer == "ours" and threads == args.threads[0]:
                    for case in runnable:  # the reference of every later run
                        out = case_dir(case) / "out-ours.f32"
                        if out.exists():
                            out.rename(case_dir(case) / "reference.f32")

    rows = make_rows(cases, args.peers, args.threads, results, peaks)
    versions = {peer: next((r["version"] for (p, _), r in results.items()
                            if p == peer and r["version"]), "not run") for peer in args.peers}
    table = markdown(rows, peaks, versions, started, time.monotonic() - clock)
    (args.out / "results.md").write_text(table)
    write_csv(rows, args.out / "results.csv")
    chart(rows, args.peers, args.threads, peaks, args.out / "chart.png")
    print(table)
    print(f"wrote {args.out / 'results.md'}, results.csv and chart.png", file=sys.stderr)


if __name__ == "__main__":
    main()
