"""Compiles every configuration of configs.py with gru-compile and compares the
compiled model with real Keras 3 (oracle.py).

    .venv/bin/python test/Integration/keras/run_matrix.py --gru-compile build/bin/gru-compile
    .venv/bin/python test/Integration/keras/run_matrix.py --dry-run   # no compiler needed

Needs the pinned packages of requirements.txt (Keras, JAX, NumPy). Configs are
compiled in groups (one module of several `@gru_<i>` functions per gru-compile
run), each while Keras computes the expected outputs of its configs; a group
that fails to compile is retried one config at a time, so that a failure
names its config. Prints one line per failing config, then
`N passed, M failed`; exits non-zero on any failure.

--qemu-aarch64 runs libraries compiled for aarch64 (with --compile-flags
"--mtriple=aarch64-linux-gnu --mcpu=generic") under qemu-user, through a C
driver per library (qemu_runner.py).

--bundle (with --workdir DIR) records the configs for a machine without the
project's tools, such as a lent GPU machine, and --bundle-results OUT (with
the same --workdir) compares what DIR/run.sh OUT replayed there with Keras
(device_bundle.py).

--cudnn-stand-in runs CUDA libraries (--compile-flags=--targets=cuda) against
the stand-ins of the CUDA driver and of cuDNN (test/Runtime, named by
GRU_CUDA_DRIVER and GRU_CUDNN_LIBRARY): the stand-in cuDNN computes what cuDNN
documents, so the configs whose every call runs on cuDNN alone check the
cuDNN path (the weights' mapping, lengths, states) against Keras; the others,
which launch kernels that the stand-in driver cannot run, are skipped.

--dry-run stops before the compiler: each module must parse and verify with
gru-opt, and the Keras outputs must match reference.py (the contract in
float64), which both checks the oracle and shows that float32 rounding sits
well inside the tolerance.
"""

import argparse
import concurrent.futures
import contextlib
import faulthandler
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))

import configs  # noqa: E402
import gru_model  # noqa: E402
import model_gen  # noqa: E402
import oracle  # noqa: E402
import device_bundle  # noqa: E402
import qemu_runner  # noqa: E402
import reference  # noqa: E402

TOLERANCE = 1e-5
# How close Keras (float32) must be to the float64 contract: well inside
# TOLERANCE, so that a correct float32 compiler passes with room to spare.
ORACLE_TOLERANCE = TOLERANCE / 4


def compare(what, got, want, tolerance):
    """None if got matches want within tolerance, else what went wrong."""
    got = np.asarray(got)
    if got.shape != want.shape:
        return f"{what} has shape {got.shape}, expected {want.shape}"
    if got.size == 0:
        return None
    error = np.abs(got.astype(np.float64) - want)
    error[np.isnan(error)] = np.inf
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(error), error.shape))
    if error[worst] > tolerance:
        return (f"{what}: max |error| {error[worst]:.3g} > {tolerance:g} at {worst} "
                f"(got {got[worst]:.8g}, expected {want[worst]:.8g})")
    return None


def compare_calls(steps, results, tolerance, source):
    """Compares the outputs of each call of `steps` with `results` (a list of
    output lists, one per call); calls whose expected value is None are not
    compared."""
    calls = [step for step in steps if step != configs.RESET]
    for k, (call, outputs) in enumerate(zip(calls, results)):
        if call.expected is None:
            continue
        for j, (got, want) in enumerate(zip(outputs, call.expected)):
            problem = compare(f"{source}, call {k}, result{j}", got, want, tolerance)
            if problem:
                return problem
    return None


def run_library(lib, config, steps, call=None):
    """Replays `steps` on a fresh instance of the compiled model; returns the
    outputs of every call. `call(model, function, inputs)`, if given, makes
    each call."""
    results = []
    with gru_model.load(lib) as model:
        function = model.functions[config.name]
        for step in steps:
            if step == configs.RESET:
                model.reset_states()
                continue
            outputs = (call(model, function, step.inputs.values()) if call
                       else function(*step.inputs.values()))
            results.append(list(outputs) if isinstance(outputs, tuple) else [outputs])
    return results


class Skipped(Exception):
    """A config that this run cannot check, and why."""


def cudnn_stand_in_runner():
    """run_library() that refuses calls that did not run on cuDNN alone."""
    import ctypes
    driver = ctypes.CDLL(os.environ["GRU_CUDA_DRIVER"])

    def on_cudnn_alone(model, function, inputs):
        launched = driver.fake_cuda_launches()
        outputs = function(*inputs)
        record = model.last_dispatch().splitlines()
        if not record:
            raise Skipped("no layer may use cuDNN")
        fused = [line for line in record if not line.endswith(": cudnn")]
        if fused:
            raise Skipped(fused[0].split("(", 1)[-1].rstrip(")"))
        if driver.fake_cuda_launches() != launched:
            raise Skipped("kernels around cuDNN, which the stand-in driver cannot run")
        return outputs

    return lambda lib, config, steps: run_library(lib, config, steps, on_cudnn_alone)


def qemu_library_runner(cc):
    """run_library() for aarch64 libraries, under qemu-user; each library's
    driver is built once."""
    runner = qemu_runner.Runner(cc)

    def run(lib, config, steps):
        calls = [step if step == configs.RESET else list(step.inputs.values())
                 for step in steps]
        return runner(lib, config.name, calls, configs.RESET)
    return run


def run_tool(command):
    """Runs a compiler or parser; None on success, else its last output lines."""
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode == 0:
        return None
    lines = (done.stderr + done.stdout).strip().splitlines() or [f"exit status {done.returncode}"]
    return f"{os.path.basename(command[0])} failed: " + " | ".join(lines[-3:])


def build(group, name, workdir, tool):
    """Writes the configs of `group` as one module and runs tool(mlir, lib) on
    it; on failure, once per config. Returns {index: (lib or None, error)}."""
    mlir = os.path.join(workdir, f"{name}.mlir")
    lib = os.path.join(workdir, f"lib{name}.so")
    with open(mlir, "w") as f:
        f.write(model_gen.module_text(group))
    error = tool(mlir, lib)
    if error is None:
        return {config.index: (lib, None) for config in group}
    if len(group) == 1:
        return {group[0].index: (None, error)}
    built = {}
    for config in group:
        built.update(build([config], config.name, workdir, tool))
    return built


def build_ahead(groups, workdir, tool):
    """Yields (group, the future of its build()) for each group in order. A
    thread builds them one after the other, so that the compiler runs while
    Keras (most of the time) computes the expected outputs."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        futures = [pool.submit(build, group, f"gru_group{i}", workdir, tool)
                   for i, group in enumerate(groups)]
        yield from zip(groups, futures)
    finally:
        pool.shutdown(cancel_futures=True)


def parse_indices(text):
    """'3,7-9' -> {3, 7, 8, 9}"""
    indices = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        indices.update(range(int(first), int(last or first) + 1))
    return indices


def add_common_arguments(parser):
    parser.add_argument("--gru-compile", help="path to gru-compile (not needed with --dry-run)")
    parser.add_argument("--compile-flags", default="",
                        help="extra gru-compile arguments, one string split like a shell's")
    parser.add_argument("--gru-opt", default=os.path.join(ROOT, "build", "bin", "gru-opt"),
                        help="path to gru-opt, used by --dry-run (default: %(default)s)")
    parser.add_argument("--dry-run", action="store_true",
                        help="no compiler: check that the models parse and the oracle")
    parser.add_argument("--workdir", help="keep the generated files here (default: a temp dir)")
    parser.add_argument("-v", "--verbose", action="store_true", help="a line per passing config")


def report(kind, config, problem, verbose):
    """Prints a failing config (and, with verbose, a passing or skipped one);
    returns 1 if it failed, else 0."""
    if isinstance(problem, Skipped):
        if verbose:
            print(f"SKIP {kind}{config.name} ({config.describe()}): {problem}", flush=True)
        return 0
    if problem:
        print(f"FAIL {kind}{config.name} ({config.describe()}): {problem}", flush=True)
    elif verbose:
        print(f"PASS {kind}{config.name} ({config.describe()})", flush=True)
    return 1 if problem else 0


def summarize(mode, count, noun, failed, start, skipped=0):
    """Prints the totals; returns the exit status."""
    print(f"{mode}; {count} {noun} in {time.time() - start:.0f} s")
    print(f"{count - failed - skipped} passed, {failed} failed"
          + (f", {skipped} skipped (not on cuDNN alone)" if skipped else ""))
    return 1 if failed else 0


def tool_for(args):
    """tool(mlir, lib) for build(): gru-opt with --dry-run, else gru-compile."""
    if args.dry_run:
        if not shutil.which(args.gru_opt):
            sys.exit(f"error: no gru-opt at {args.gru_opt} (--gru-opt)")
        return lambda mlir, lib: run_tool([args.gru_opt, mlir, "-o", os.devnull])
    if not args.gru_compile or not shutil.which(args.gru_compile):
        sys.exit("error: --gru-compile must name the compiler unless --dry-run is given")
    flags = shlex.split(args.compile_flags)
    return lambda mlir, lib: run_tool([args.gru_compile, mlir, "-o", lib, *flags])


def workdir_for(args):
    """A context manager giving the directory for generated files."""
    if args.workdir:
        os.makedirs(args.workdir, exist_ok=True)
        return contextlib.nullcontext(args.workdir)
    return tempfile.TemporaryDirectory(prefix="gru-keras-")


def expected_calls(args, config):
    """(the calls of the config with Keras's outputs, the data scale, a
    problem of the oracle or None)."""
    steps, scale = oracle.oracle(config, args.seed)
    problem = compare_calls(steps, reference.replay(config, steps), ORACLE_TOLERANCE,
                            "reference.py vs Keras")
    return steps, scale, problem


def check_config(args, config, expected, built, run=run_library):
    """None if the config passes, else what went wrong. `expected` comes from
    expected_calls(), `built` from build(); `run` replays calls on the
    library."""
    steps, scale, problem = expected
    lib, build_problem = built
    if build_problem or problem or args.dry_run:
        return build_problem or problem
    try:
        return compare_calls(steps, run(lib, config, steps), TOLERANCE,
                             f"compiled vs Keras (data scale {scale:g})")
    except Skipped as skipped:
        return skipped
    except Exception as e:  # any failure of the library fails this config only
        return f"{type(e).__name__}: {e}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--group-size", type=int, default=25,
                        help="configs per compiled module (default: %(default)s)")
    parser.add_argument("--only", type=parse_indices, help="config indices, e.g. '3,7-9'")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random data")
    parser.add_argument("--min-units", type=int, default=0,
                        help="only configs with at least this many units")
    parser.add_argument("--qemu-aarch64", action="store_true",
                        help="run aarch64 libraries under qemu-aarch64")
    parser.add_argument("--aarch64-cc", default="aarch64-linux-gnu-gcc",
                        help="the cross compiler of the drivers (default: %(default)s)")
    parser.add_argument("--bundle", action="store_true",
                        help="record the configs in --workdir for run.sh on another machine")
    parser.add_argument("--configs", choices=("all", "cudnn"), default="all",
                        help="every config, or those of layers that may use cuDNN")
    parser.add_argument("--cudnn-stand-in", action="store_true",
                        help="run against the stand-ins of the driver and of cuDNN")
    parser.add_argument("--bundle-results", metavar="OUT",
                        help="compare the results that --workdir's run.sh wrote into OUT")
    args = parser.parse_args()
    faulthandler.enable()  # a crash in a compiled model still shows where it was
    if (args.bundle or args.bundle_results) and not args.workdir:
        sys.exit("error: --bundle and --bundle-results need --workdir")
    if args.bundle_results:
        return check_bundle(args.workdir, args.bundle_results, args.verbose)

    tool = tool_for(args)
    run = qemu_library_runner(args.aarch64_cc) if args.qemu_aarch64 else run_library
    if args.bundle:
        run = device_bundle.Recorder(os.path.abspath(args.workdir))
    if args.cudnn_stand_in:
        run = cudnn_stand_in_runner()
    every = configs.cudnn_configs() if args.configs == "cudnn" else configs.all_configs()
    selected = [c for c in every
                if (args.only is None or c.index in args.only) and c.units >= args.min_units]
    start = time.time()
    failed = skipped = 0
    groups = [selected[first:first + args.group_size]
              for first in range(0, len(selected), args.group_size)]
    with workdir_for(args) as workdir:
        for group, building in build_ahead(groups, workdir, tool):
            # Keras's outputs of the whole group while the compiler builds it.
            expected = [expected_calls(args, config) for config in group]
            built = building.result()
            for config, calls in zip(group, expected):
                problem = check_config(args, config, calls, built[config.index], run)
                failed += report("", config, problem, args.verbose)
                skipped += isinstance(problem, Skipped)
        if args.bundle:
            run.finish()
    mode = ("dry run: the models parse, Keras matches reference.py" if args.dry_run
            else f"recorded in {args.workdir}" if args.bundle else "compiled")
    return summarize(mode, len(selected), "configs", failed, start, skipped)


def check_bundle(bundle, out, verbose):
    """Compares the results of a bundle's run.sh in `out` with Keras."""
    start = time.time()
    failed = count = 0
    for name, steps, results in device_bundle.recorded_results(bundle, out):
        count += 1
        problem = results if isinstance(results, str) else compare_calls(
            steps, results, TOLERANCE, "replayed vs Keras")
        if problem:
            print(f"FAIL {name}: {problem}", flush=True)
        elif verbose:
            print(f"PASS {name}", flush=True)
        failed += bool(problem)
    return summarize(f"replayed in {out}", count, "configs", failed, start)


if __name__ == "__main__":
    sys.exit(main())
