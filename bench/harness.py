"""What the Python runners of bench/bench.py share (peers.py and torch_gru.py
under the project venv, torch_gru.py also under Debian's /usr/bin/python3):
reading a run's spec and a case's files, the check against our output, and
the timing policy.

A runner is started as `RUNNER SPEC.json`; the spec names the peer, the
weights variant ("arguments" or "constants"), a tag (PEER-WEIGHTS), the
thread count, --isa and --mcpu, the timing policy and the cases (see
bench.py). Each case is a
folder of raw float32 files in Keras layouts: x.f32 (B,T,F), kernel.f32
(F,3U), recurrent_kernel.f32 (U,3U), bias.f32 ((2,3U) with reset_after, else
(3U,)), lengths.i32 (B,) when the case has a mask (right-padded: row b uses
steps 0 .. lengths[b]-1), and reference.f32 (B,U), our model's last output,
once our model has run. The runner writes its last output to out-TAG.f32 in
the case folder and its results to spec["results"] as JSON: {"version": ...,
"cases": {case name: {"max_diff": d, "times": [seconds, ...], "isa": ...}}}
(no "times" when the output disagrees; "isa", and for ours "target", where
the runner knows them).
"""

import json
import os
import sys
import time

import numpy as np


def load_arrays(case):
    """The case's inputs as NumPy arrays (lengths is None without a mask)."""
    B, T, F, U = case["B"], case["T"], case["F"], case["U"]
    folder = case["dir"]

    def read(name, shape, dtype=np.float32):
        return np.fromfile(os.path.join(folder, name), dtype=dtype).reshape(shape)

    return {"x": read("x.f32", (B, T, F)),
            "kernel": read("kernel.f32", (F, 3 * U)),
            "recurrent_kernel": read("recurrent_kernel.f32", (U, 3 * U)),
            "bias": read("bias.f32", (2, 3 * U) if case["reset_after"] else (3 * U,)),
            "lengths": read("lengths.i32", (B,), np.int32) if case["mask"] else None}


def right_padded_mask(lengths, steps):
    """The (B,T) boolean mask of per-row lengths."""
    return np.arange(steps)[None, :] < lengths[:, None]


def measure(call, warmup, repeats, budget):
    """Seconds of each timed call: `warmup` untimed calls, then timed calls
    until `repeats` of them, or at least three once `budget` seconds are spent
    (onednn_gru.cpp does the same)."""
    for _ in range(warmup):
        call()
    times = []
    while len(times) < repeats and (len(times) < 3 or sum(times) < budget):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def run_case(spec, case, call):
    """Runs `call` once, writes and checks its output, then times it if the
    output agrees with the reference."""
    output = np.asarray(call(), dtype=np.float32).reshape(case["B"], case["U"])
    output.tofile(os.path.join(case["dir"], f"out-{spec.get('tag', spec['peer'])}.f32"))
    result = {"max_diff": 0.0}
    reference = os.path.join(case["dir"], "reference.f32")
    if os.path.exists(reference):
        diff = np.abs(output - np.fromfile(reference, dtype=np.float32).reshape(output.shape))
        result["max_diff"] = float(np.inf) if np.isnan(diff).any() else float(diff.max())
    if result["max_diff"] <= spec["tolerance"]:
        result["times"] = measure(call, spec["warmup"], spec["repeats"], spec["budget"])
    return result


def report_progress(peer, threads, name, result):
    """One line on stderr per case run."""
    median = f"{np.median(result['times']) * 1e3:.3f} ms" if "times" in result else "not timed"
    print(f"  {peer:24} {threads}t {name:32} max diff {result['max_diff']:.1e}, {median}",
          file=sys.stderr, flush=True)


def main(runners, version):
    """A runner's main: `runners[peer](case, arrays, spec)` returns the call
    to time (its result converts to a (B,U) array with np.asarray), or the
    call and a dict of what to add to the case's result ("isa", "target");
    `version(peer)` names what runs."""
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    prepare = runners[spec["peer"]]
    results = {"version": version(spec["peer"]), "cases": {}}
    for case in spec["cases"]:
        prepared = prepare(case, load_arrays(case), spec)
        call, info = prepared if isinstance(prepared, tuple) else (prepared, {})
        result = results["cases"][case["name"]] = {**run_case(spec, case, call), **info}
        report_progress(spec.get("tag", spec["peer"]), spec["threads"], case["name"], result)
    with open(spec["results"], "w") as f:
        json.dump(results, f)
