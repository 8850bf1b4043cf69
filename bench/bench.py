"""The GRU benchmark: our compiled model against oneDNN, OpenVINO, PyTorch,
ONNX Runtime and Keras 3 on JAX, on the same shapes and thread counts
(bench/run.sh runs it after installing what it needs; README.md in this
folder says more).

For every configuration (shape, reset_after, mask) and thread count, our
model runs first; the first thread count's outputs of its first weights
variant are the reference every other run is checked against (max abs
difference of the last output at most 1e-4) before it is timed. The peers
run in rounds (--rounds), each round started with another peer, which share
the timed calls, so that a machine whose speed drifts during the run favours
no peer. The machine's fp32 matrix-multiply peak is measured in each round by
oneDNN's dnnl_sgemm.

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
sys.path.insert(0, str(ROOT / "python"))
from gru_import.mlir import resource_blob  # noqa: E402  the importer's blobs

GRU_COMPILE = ROOT / "build" / "bin" / "gru-compile"
SYSTEM_PYTHON = "/usr/bin/python3"  # where Debian's python3-torch is
VENV = Path(sys.prefix)  # the project venv, where bench/requirements.txt is installed
# The OpenCL adapter of the SYCL runtime that PyPI's newest intel-cmplr-lib-ur
# lacks (run.sh puts it here), without which oneDNN's SYCL CPU engine finds no
# device.
UR_OPENCL = VENV / "bench-ur-opencl"

SHAPES = [(1, 1000, 64, 128), (32, 100, 128, 256), (64, 50, 512, 512), (16, 200, 256, 1024)]
QUICK_SHAPE = (3, 20, 16, 24)
PEERS = ["ours", "onednn", "openvino", "torch", "onnxruntime", "keras"]
# Debian's packages, run only when --peers names them (run.sh installs them then).
EXTRA_PEERS = ["onednn-debian", "torch-debian"]
WEIGHTS = ["arguments", "constants"]
# The weights variants a peer has: weights as call arguments, or as constants
# of the model (ONNX initializers, OpenVINO Constants, oneDNN and PyTorch
# weights prepared once). --weights picks among them where there are two.
PEER_WEIGHTS = {"ours": WEIGHTS, "keras": WEIGHTS}
TOLERANCE = 1e-4
SGEMM_SIZE = 2048  # the peak: an n×n×n dnnl_sgemm
# The CPU features the report names (from /proc/cpuinfo's flags).
CPU_FLAGS = ["avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "avx2", "fma", "avx_vnni"]


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

    def function(self, weights):
        """Our model's function for the case: one per (F, U) with the weights
        as arguments, one per case with its weights as constants."""
        return f"gru_{self.F}x{self.U}" if weights == "arguments" else f"gru_{self.shape}"


def peer_weights(peer, selected):
    """The weights variants `peer` runs, given --weights."""
    variants = PEER_WEIGHTS.get(peer, ["constants"])
    return [w for w in variants if w in selected] if len(variants) > 1 else variants


def unsupported(peer, case):
    """Why `peer` cannot run `case`, or None."""
    if peer.startswith("onednn") and case.mask:
        return "no mask support"
    if peer.startswith("torch") and not case.reset_after:
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


def gru_function(name, F, U, reset_after, mask, constants=None):
    """One function of our model: dynamic B and T, the last output only; the
    weights are arguments, or with `constants` (a prefix of the resource
    names) `arith.constant dense_resource<...>` (the form gru.initializer
    folds to, as a blob rather than a list of decimals)."""
    gates = 3 * U
    weights = [("kernel", f"tensor<{F}x{gates}xf32>"),
               ("recurrent_kernel", f"tensor<{U}x{gates}xf32>"),
               ("bias", f"tensor<2x{gates}xf32>" if reset_after else f"tensor<{gates}xf32>")]
    args = [("x", f"tensor<?x?x{F}xf32>")] + ([] if constants else weights)
    if mask:
        args.append(("mask", "tensor<?x?xi1>"))
    body = "".join(f"  %{n} = arith.constant dense_resource<{constants}_{n}> : {t}\n"
                   for n, t in weights) if constants else ""
    operands = [("x", args[0][1])] + weights + ([("mask", "tensor<?x?xi1>")] if mask else [])
    optional = " ".join(f"{n}(%{n})" for n, _ in operands[3:])
    attributes = f"units = {U} : i64" + ("" if reset_after else ", reset_after = false")
    types = ", ".join(t for _, t in operands)
    result = f"tensor<?x{U}xf32>"
    return (f"func.func @{name}({', '.join(f'%{n}: {t}' for n, t in args)}) -> {result} {{\n"
            f"{body}"
            f"  %out = gru.layer %x, %kernel, %recurrent_kernel {optional} {{{attributes}}}\n"
            f"      : ({types}) -> {result}\n"
            f"  return %out : {result}\n"
            f"}}\n")


def model_text(reset_after, mask, weights, cases, case_dir):
    """Our model of one (reset_after, mask, weights) variant: weights as
    arguments, one function per (F, U); weights as constants, one function
    per case with the case's weights in the module's resources."""
    if weights == "arguments":
        return "\n".join(gru_function(f"gru_{F}x{U}", F, U, reset_after, mask)
                         for F, U in sorted({(c.F, c.U) for c in cases}))
    functions, blobs = [], []
    for case in cases:
        prefix = f"w{case.shape}"
        functions.append(gru_function(case.function(weights), case.F, case.U, reset_after, mask,
                                      prefix))
        arrays = harness.load_arrays({"dir": str(case_dir(case)), "B": case.B, "T": case.T,
                                      "F": case.F, "U": case.U, "reset_after": reset_after,
                                      "mask": False})
        blobs += [f'      {prefix}_{name}: "{"".join(resource_blob(arrays[name]))}"'
                  for name in ("kernel", "recurrent_kernel", "bias")]
    return ("\n".join(functions) + "\n{-#\n  dialect_resources: {\n    builtin: {\n"
            + ",\n".join(blobs) + "\n    }\n  }\n#-}\n")


def compile_models(cases, weights_variants, build, case_dir, mcpu):
    """{(reset_after, mask, weights): library path}, one gru-compile per
    variant, for the CPU `mcpu` (gru-compile's --mcpu)."""
    libraries = {}
    for weights in weights_variants:
        for variant in sorted({(c.reset_after, c.mask) for c in cases}):
            chosen = [c for c in cases if (c.reset_after, c.mask) == variant]
            name = (f"gru_{'ra' if variant[0] else 'rb'}_{'mask' if variant[1] else 'nomask'}"
                    f"{'_const' if weights == 'constants' else ''}")
            source = build / f"{name}.mlir"
            source.write_text(model_text(*variant, weights, chosen, case_dir))
            libraries[(*variant, weights)] = build / f"lib{name}.so"
            subprocess.run([str(GRU_COMPILE), f"--mcpu={mcpu}", str(source), "-o",
                            str(libraries[(*variant, weights)])], check=True)
    return libraries


def build_onednn_harness(build, peer):
    """onednn: against PyPI's oneDNN 3.x in the venv (include/ and lib/ of
    the venv; DT_RPATH, which also finds the libraries libdnnl.so.3 needs);
    onednn-debian: against Debian's libdnnl-dev."""
    binary = build / ("onednn_gru" if peer == "onednn" else "onednn_gru_debian")
    flags = ([f"-I{VENV / 'include'}", f"-L{VENV / 'lib'}",
              f"-Wl,--disable-new-dtags,-rpath,{VENV / 'lib'}"] if peer == "onednn" else [])
    subprocess.run(["c++", "-O2", "-std=c++17", "-o", str(binary), str(BENCH / "onednn_gru.cpp"),
                    *flags, "-ldnnl"], check=True)
    return binary


# --- running the peers -------------------------------------------------------

def peer_env(peer, threads, isa):
    """Every process gets the thread count in our runtime's, OpenMP's (our
    runtime, Debian's oneDNN, PyTorch) and OpenBLAS's (Debian's PyTorch)
    variables. PyTorch's OpenMP threads wait passively: spinning, Debian's
    take the cores from OpenBLAS's own threads between the steps' products (2
    to 5 times slower on 2 cores), and PyPI's (MKL's products on the same
    OpenMP runtime) were up to 25 times slower at 2 threads on the 2-core
    machine while another process ran. PyPI's oneDNN runs on TBB and
    JAX has no thread-count setting: both are limited by taskset (in
    pinned()), JAX also by XLA_FLAGS with Eigen's thread pool off.

    --isa avx2 caps the ISA where a peer allows it: ONEDNN_MAX_CPU_ISA for
    oneDNN, OpenVINO (whose CPU plugin is oneDNN-based) and PyTorch's
    oneDNN, ATEN_CPU_CAPABILITY and MKL_ENABLE_INSTRUCTIONS for PyTorch,
    --xla_cpu_max_isa for JAX; ONNX Runtime has no such setting."""
    env = dict(os.environ, GRU_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               OPENBLAS_NUM_THREADS=str(threads), KERAS_BACKEND="jax", JAX_PLATFORMS="cpu",
               PYTHONPATH=os.pathsep.join([str(ROOT / "python"), str(BENCH)]))
    if peer.startswith("torch"):
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    if peer == "onednn":
        # The SYCL runtime's CPU device: the OpenCL adapter, and Intel's OpenCL
        # CPU runtime, whose ICD file names a path of the wheel's build machine.
        if UR_OPENCL.is_dir():
            env["LD_LIBRARY_PATH"] = os.pathsep.join(
                [str(UR_OPENCL)] + [p for p in [os.environ.get("LD_LIBRARY_PATH")] if p])
        env["OCL_ICD_FILENAMES"] = str(VENV / "lib" / "libintelocl.so")
        env["ONEDNN_PEER"] = "onednn-constants"
    if peer == "onednn-debian":
        env["ONEDNN_PEER"] = "onednn-debian-constants"
    xla_flags = []
    if peer == "keras" and threads == 1:
        xla_flags += ["--xla_cpu_multi_thread_eigen=false", "intra_op_parallelism_threads=1"]
    if isa == "avx2":
        if peer in ("onednn", "onednn-debian", "openvino", "torch", "torch-debian"):
            env["ONEDNN_MAX_CPU_ISA"] = env["DNNL_MAX_CPU_ISA"] = "AVX2"
        if peer.startswith("torch"):
            env["ATEN_CPU_CAPABILITY"] = "avx2"
            env["MKL_ENABLE_INSTRUCTIONS"] = "AVX2"
        if peer == "keras":
            xla_flags.append("--xla_cpu_max_isa=AVX2")
    if xla_flags:
        env["XLA_FLAGS"] = " ".join(xla_flags)
    return env


def pinned(peer, threads, command):
    """`command` on the first `threads` cores where the thread count is the
    process's cores (TBB's and JAX's thread pools size themselves by them)."""
    if peer in ("onednn", "keras") and threads < os.cpu_count():
        return ["taskset", "-c", f"0-{threads - 1}"] + command
    return command


def runner_command(peer, threads, spec_path):
    if peer == "torch-debian":
        return [SYSTEM_PYTHON, str(BENCH / "torch_gru.py"), str(spec_path)]
    if peer == "torch":
        return [sys.executable, str(BENCH / "torch_gru.py"), str(spec_path)]
    return pinned(peer, threads, [sys.executable, str(BENCH / "peers.py"), str(spec_path)])


def run_onednn(peer, binary, cases, threads, timing, case_dir, isa):
    """One harness process per case."""
    results = {"version": "", "cases": {}}
    for case in cases:
        command = [str(binary), "gru", str(case_dir(case)), str(int(case.reset_after)),
                   *map(str, (case.B, case.T, case.F, case.U)), str(timing["warmup"]),
                   str(timing["repeats"]), str(timing["budget"]), str(TOLERANCE)]
        done = subprocess.run(pinned(peer, threads, command), env=peer_env(peer, threads, isa),
                              capture_output=True, text=True)
        if done.returncode != 0:
            results["cases"][case.name] = {"error": (done.stderr.strip().splitlines() or
                                                     [f"exit code {done.returncode}"])[-1]}
            continue
        result = results["cases"][case.name] = json.loads(done.stdout)
        results["version"] = result.pop("version")
        result["isa"] = f"{result.pop('isa')} ({result.pop('impl')})"
        harness.report_progress(f"{peer}-constants", threads, case.name, result)
    return results


def run_python_peer(peer, weights, cases, threads, timing, case_dir, libraries, work, args):
    """One runner process for all of a peer's cases at one thread count."""
    tag = f"{peer}-{weights}"
    spec_path = work / f"spec-{tag}-{threads}.json"
    results_path = work / f"results-{tag}-{threads}.json"
    spec = {"peer": peer, "weights": weights, "tag": tag, "threads": threads,
            "tolerance": TOLERANCE, "isa": args.isa, "mcpu": args.mcpu,
            "results": str(results_path), **timing,
            "cases": [{"name": c.name, "dir": str(case_dir(c)), "B": c.B, "T": c.T, "F": c.F,
                       "U": c.U, "reset_after": c.reset_after, "mask": c.mask,
                       "library": str(libraries.get((c.reset_after, c.mask, weights), "")),
                       "function": c.function(weights)} for c in cases]}
    spec_path.write_text(json.dumps(spec))
    done = subprocess.run(runner_command(peer, threads, spec_path),
                          env=peer_env(peer, threads, args.isa))
    if done.returncode != 0:
        return {"version": "", "cases": {c.name: {"error": f"runner exit code {done.returncode}"}
                                         for c in cases}}
    return json.loads(results_path.read_text())


def merge_round(merged, result):
    """Adds one round's results of a peer to those of the earlier rounds: the
    timed calls of all rounds together; a case that failed or disagreed in
    any round stays so."""
    merged["version"] = merged.get("version") or result["version"]
    cases = merged.setdefault("cases", {})
    for name, new in result["cases"].items():
        old = cases.setdefault(name, new)
        if old is new or "error" in old:
            continue
        if "error" in new or "times" not in new:
            cases[name] = new
        elif "times" in old:
            old["times"] += new["times"]
            old["max_diff"] = max(old["max_diff"], new["max_diff"])


def sgemm_peak(peer, binary, threads, isa):
    """GFLOP/s of the fastest of five SGEMM_SIZE³ dnnl_sgemm calls, and the
    ISA oneDNN used."""
    done = subprocess.run(pinned(peer, threads, [str(binary), "sgemm", str(SGEMM_SIZE), "1", "5"]),
                          env=peer_env(peer, threads, isa), capture_output=True, text=True,
                          check=True)
    result = json.loads(done.stdout)
    return 2 * SGEMM_SIZE**3 / min(result["times"]) / 1e9, result["isa"]


def cpu_description():
    """lscpu's model name, and which of CPU_FLAGS the CPU has."""
    done = subprocess.run(["lscpu"], capture_output=True, text=True,
                          env=dict(os.environ, LC_ALL="C"))
    model = next((line.split(":", 1)[1].strip() for line in done.stdout.splitlines()
                  if line.startswith("Model name:")), "unknown CPU")
    flags = set(next((line.split(":", 1)[1].split() for line in open("/proc/cpuinfo")
                      if line.startswith("flags")), []))
    return model, {flag: flag in flags for flag in CPU_FLAGS}


# --- the report --------------------------------------------------------------

COLUMNS = ["threads", "shape", "B", "T", "F", "U", "reset_after", "mask", "peer", "weights",
           "isa", "status", "median_ms", "gflops", "time_vs_ours", "peak_fraction",
           "max_abs_diff", "repeats"]


def make_rows(cases, runs, threads_list, results, peaks):
    """One row per thread count, case and run (peer, weights); time vs ours
    is against ours with the same weights variant (or the other one, where
    only that one ran)."""
    rows = []
    for threads in threads_list:
        for case in cases:
            our_medians = {}
            for weights in WEIGHTS:
                ours = results.get(("ours", weights, threads), {}).get("cases", {}).get(
                    case.name, {})
                if "times" in ours:
                    our_medians[weights] = np.median(ours["times"])
            for peer, weights in runs:
                row = {"threads": threads, "shape": case.shape, "B": case.B, "T": case.T,
                       "F": case.F, "U": case.U, "reset_after": case.reset_after,
                       "mask": case.mask, "peer": peer, "weights": weights}
                result = results.get((peer, weights, threads), {}).get("cases", {}).get(
                    case.name)
                if result is not None and result.get("isa"):
                    row["isa"] = result["isa"]
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
                    # Against ours with the same weights, or the other variant
                    # where only that one ran.
                    against = our_medians.get(weights, next(iter(our_medians.values()), None))
                    if against is not None:
                        row["time_vs_ours"] = median / against
                rows.append(row)
    return rows


def write_csv(rows, path):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def markdown(rows, peaks, versions, machine, started, elapsed, rounds):
    def number(value, spec):
        return "" if value is None else format(value, spec)

    cpu, flags = machine["cpu"], machine["flags"]
    lines = [
        "# GRU benchmark",
        "",
        f"{started:%Y-%m-%d %H:%M}, {cpu} (lscpu), {os.cpu_count()} cores; the run took "
        f"{elapsed / 60:.1f} min.",
        "",
        "CPU features: " + ", ".join(f"{flag} {'yes' if present else 'no'}"
                                     for flag, present in flags.items())
        + f". ISA: `--isa {machine['isa']}`, ours compiled with `--mcpu={machine['mcpu']}`"
        + (f" (manifest target: {machine['target']})" if machine.get("target") else "")
        + f"; oneDNN's effective ISA: {machine['onednn_isa']}.",
        "",
        "fp32 matrix-multiply peak, measured in this run by oneDNN's `dnnl_sgemm` "
        f"({SGEMM_SIZE}³, best of 5 in each round, median over the rounds): "
        + ", ".join(f"{peaks[t]:.1f} GFLOP/s at {t} thread{'s' if t > 1 else ''}"
                    for t in sorted(peaks)) + ".",
        "",
        "Peers: " + "; ".join(f"{peer}: {version}" for peer, version in versions.items()) + ".",
        "",
        "shape is B×T×F×U; weights: `arguments` (passed on every call) or `constants` (in the "
        "model, or prepared once before the timed calls); median of the timed calls after "
        f"warm-up, over {rounds} round{'s' if rounds > 1 else ''} of all peers, each round "
        "started with another peer; GFLOP/s counts "
        "6·T·B·U·(F+U) per forward (padded steps of a mask included, though peers that take "
        "lengths may skip them); "
        "time vs ours is the peer's median over ours with the same weights (over ours's "
        "other variant where only that one ran; below 1: faster than ours); "
        "% peak is GFLOP/s over the sgemm peak at the same thread count; isa is what the "
        "peer's code used or was limited to, where it can be known; every peer's "
        f"last output was checked against ours (max abs diff ≤ {TOLERANCE:g}) before timing.",
        "",
        "| threads | shape | reset_after | mask | peer | weights | isa | median ms | GFLOP/s "
        "| time vs ours | % peak | max abs diff | repeats | status |",
        "|---:|---|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        fraction = r.get("peak_fraction")
        lines.append(
            f"| {r['threads']} | {r['shape']} | {r['reset_after']} | {r['mask']} | {r['peer']} "
            f"| {r['weights']} | {r.get('isa', '')} "
            f"| {number(r.get('median_ms'), '.3f')} | {number(r.get('gflops'), '.2f')} "
            f"| {number(r.get('time_vs_ours'), '.3f')} "
            f"| {number(None if fraction is None else 100 * fraction, '.1f')} "
            f"| {number(r.get('max_abs_diff'), '.1e')} | {r.get('repeats', '')} "
            f"| {r['status']} |")
    return "\n".join(lines) + "\n"


def run_label(peer, weights):
    return peer if len(PEER_WEIGHTS.get(peer, [weights])) == 1 else f"{peer} ({weights})"


def chart(rows, runs, threads_list, peaks, path):
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
    width = 0.8 / len(runs)
    for i, threads in enumerate(threads_list):
        for j, (reset_after, mask) in enumerate(variants):
            ax = axes[i][j]
            for k, (peer, weights) in enumerate(runs):
                values = [next((r.get("gflops") for r in rows
                                if (r["threads"], r["shape"], r["reset_after"], r["mask"],
                                    r["peer"], r["weights"])
                                == (threads, shape, reset_after, mask, peer, weights)),
                               None) or 0.0 for shape in shapes]
                ax.bar(np.arange(len(shapes)) + (k - (len(runs) - 1) / 2) * width, values,
                       width, label=run_label(peer, weights))
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
                        help="comma-separated BxTxFxU (default: the four of README.md)")
    parser.add_argument("--threads", type=lambda s: [int(v) for v in s.split(",")],
                        default=[1, 2], help="comma-separated thread counts (default 1,2)")
    parser.add_argument("--peers", type=lambda s: s.split(","), default=PEERS,
                        help=f"comma-separated subset of {','.join(PEERS + EXTRA_PEERS)} (ours "
                             f"is always run; default {','.join(PEERS)})")
    parser.add_argument("--weights", type=lambda s: s.split(","), default=WEIGHTS,
                        help="comma-separated subset of arguments,constants: the variants of "
                             "ours and keras (the other peers have constants only; default "
                             "both)")
    parser.add_argument("--isa", choices=["native", "avx2"], default="native",
                        help="avx2: cap the peers that allow it at AVX2 and compile ours for "
                             "x86-64-v3, to measure AVX2 code on an AVX-512 machine")
    parser.add_argument("--mcpu", help="gru-compile's --mcpu for ours (default: native, or "
                                       "x86-64-v3 with --isa avx2)")
    parser.add_argument("--rounds", type=int,
                        help="rounds of all peers, each started with another peer, that share "
                             "the timed calls (default 1)")
    parser.add_argument("--repeats", type=int,
                        help="timed calls at most, over all rounds (default 10, quick 3)")
    parser.add_argument("--budget", type=float,
                        help="seconds of timed calls, over all rounds, after which a peer "
                             "stops at three or more a round (default 2, quick 0.2)")
    parser.add_argument("--out", type=Path, default=BENCH / "results", help="results folder")
    args = parser.parse_args()
    unknown = set(args.peers) - set(PEERS + EXTRA_PEERS)
    if unknown:
        parser.error(f"unknown peers {', '.join(sorted(unknown))}")
    args.peers = [p for p in PEERS + EXTRA_PEERS if p == "ours" or p in args.peers]
    if not args.weights or set(args.weights) - set(WEIGHTS):
        parser.error("--weights takes arguments, constants or both")
    args.weights = [w for w in WEIGHTS if w in args.weights]
    args.mcpu = args.mcpu or ("x86-64-v3" if args.isa == "avx2" else "native")
    args.shapes = args.shapes or ([QUICK_SHAPE] if args.quick else SHAPES)
    args.rounds = 1 if args.rounds is None else args.rounds
    args.repeats = args.repeats or (3 if args.quick else 10)
    if args.rounds < 1 or args.repeats < 1:
        parser.error("--rounds and --repeats take positive numbers")
    args.budget = args.budget if args.budget is not None else (0.2 if args.quick else 2.0)
    return args


def main():
    args = parse_args()
    started, clock = datetime.datetime.now(), time.monotonic()
    cases = [Case(*shape, reset_after, mask) for shape in args.shapes
             for reset_after in (True, False) for mask in (False, True)]
    runs = [(peer, weights) for peer in args.peers for weights in peer_weights(peer, args.weights)]
    # The timed calls are shared among the rounds.
    timing = {"warmup": 1, "repeats": -(-args.repeats // args.rounds),
              "budget": args.budget / args.rounds}
    build = args.out / "build"
    build.mkdir(parents=True, exist_ok=True)
    harnesses = {peer: build_onednn_harness(build, peer) for peer in ("onednn", "onednn-debian")
                 if peer in args.peers}
    # The peak is oneDNN's, PyPI's where it runs, else Debian's.
    peak_peer = next(iter(harnesses), None) or "onednn"
    if peak_peer not in harnesses:
        harnesses[peak_peer] = build_onednn_harness(build, peak_peer)
    cpu, flags = cpu_description()

    with tempfile.TemporaryDirectory(prefix="gru-bench-") as tmp:
        work = Path(tmp)

        def case_dir(case):
            return work / case.name

        for case in cases:
            write_case(case, case_dir(case))
        libraries = compile_models(cases, peer_weights("ours", args.weights), build, case_dir,
                                   args.mcpu)
        round_peaks, onednn_isa = {t: [] for t in args.threads}, ""
        results = {}
        for round_index in range(args.rounds):
            # Each round starts with another peer, so that a machine that
            # slows down or speeds up during the run favours none of them;
            # the first starts with ours, whose outputs are the reference.
            shift = round_index % len(runs)
            for threads in args.threads:
                peak, onednn_isa = sgemm_peak(peak_peer, harnesses[peak_peer], threads, args.isa)
                round_peaks[threads].append(peak)
                print(f"round {round_index + 1}: sgemm peak {peak:.1f} GFLOP/s at {threads} "
                      "threads", file=sys.stderr)
                for peer, weights in runs[shift:] + runs[:shift]:
                    runnable = [c for c in cases if unsupported(peer, c) is None
                                and (peer == "ours" or (case_dir(c) / "reference.f32").exists())]
                    if not runnable:
                        continue
                    if peer.startswith("onednn"):
                        result = run_onednn(peer, harnesses[peer], runnable, threads, timing,
                                            case_dir, args.isa)
                    else:
                        result = run_python_peer(peer, weights, runnable, threads, timing,
                                                 case_dir, libraries, work, args)
                    merge_round(results.setdefault((peer, weights, threads), {}), result)
                    for case in runnable:  # the first run of ours: every later run's reference
                        out = case_dir(case) / f"out-{peer}-{weights}.f32"
                        reference = case_dir(case) / "reference.f32"
                        if peer == "ours" and out.exists() and not reference.exists():
                            out.rename(reference)

    peaks = {t: float(np.median(p)) for t, p in round_peaks.items()}
    rows = make_rows(cases, runs, args.threads, results, peaks)
    versions = {peer: next((r["version"] for (p, _, _), r in results.items()
                            if p == peer and r["version"]), "not run") for peer in args.peers}
    target = next((c["target"] for (p, _, _), r in results.items() if p == "ours"
                   for c in r["cases"].values() if c.get("target")), None)
    machine = {"cpu": cpu, "flags": flags, "isa": args.isa, "mcpu": args.mcpu,
               "target": target, "onednn_isa": onednn_isa}
    table = markdown(rows, peaks, versions, machine, started, time.monotonic() - clock,
                     args.rounds)
    (args.out / "results.md").write_text(table)
    write_csv(rows, args.out / "results.csv")
    chart(rows, runs, args.threads, peaks, args.out / "chart.png")
    print(table)
    print(f"wrote {args.out / 'results.md'}, results.csv and chart.png", file=sys.stderr)


if __name__ == "__main__":
    main()
