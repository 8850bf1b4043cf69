"""Models whose functions share names (with each other, libc and the runtime)
live side by side in one process (symbols.test).

    side_by_side.py DIR     # DIR holds liba.so, libb.so, liblibc_names.so
                            # and the output of the C program two_models

Each library's answers are computed first in a process of its own; then all
libraries are loaded into this one process and must give the same answers
bit for bit, as must the C program that links liba.so and libb.so.
Prints one line per check; exits non-zero if any failed.
"""

import os
import subprocess
import sys

import numpy as np

import gru_model

failures = 0


def check(what, ok):
    global failures
    print(f"{'ok' if ok else 'FAIL'}: {what}")
    failures += not ok


def inputs():
    rng = np.random.default_rng(7)
    return rng.uniform(-1, 1, (2, 5, 3)).astype(np.float32)


# (library, function) pairs and what each computes.
CALLS = [("liba.so", "run"), ("libb.so", "run"), ("libb.so", "step")] + [
    ("liblibc_names.so", f) for f in
    ("step", "free", "malloc", "_mlir_memref_to_llvm_alloc", "memrefCopy", "run")]


def answer(directory, library, function):
    with gru_model.load(os.path.join(directory, library)) as model:
        return getattr(model, function)(inputs())


def alone(directory, library, function, path):
    """The answer of `function` with only `library` loaded, in a new process."""
    subprocess.run([sys.executable, __file__, "--alone", directory, library,
                    function, path], check=True)
    return np.load(path)


def main(directory):
    expected = {call: alone(directory, *call, os.path.join(directory, "-".join(call) + ".npy"))
                for call in CALLS}
    models = {lib: gru_model.load(os.path.join(directory, lib)) for lib, _ in CALLS}
    for (lib, function), want in expected.items():
        got = getattr(models[lib], function)(inputs())
        check(f"{lib} {function} beside the others gives its own answer",
              got.shape == want.shape and np.array_equal(got, want))
    reference = expected[("liblibc_names.so", "step")]
    check("the functions named after libc's compute the same GRU",
          all(np.array_equal(expected[("liblibc_names.so", f)], reference)
              for lib, f in CALLS if lib == "liblibc_names.so"))
    check("models A and B differ (else this test proves nothing)",
          expected[("liba.so", "run")].shape != expected[("libb.so", "run")].shape)
    c_answers = np.fromfile(os.path.join(directory, "two_models.bin"), dtype=np.float32)
    want = np.concatenate([expected[("liba.so", "run")].ravel(),
                           expected[("libb.so", "run")].ravel()])
    check("a C program linked with both gets each model's own answer",
          np.array_equal(c_answers, want))
    print("PASSED" if not failures else f"FAILED: {failures} checks")
    return 1 if failures else 0


if __name__ == "__main__":
    if sys.argv[1] == "--alone":
        np.save(sys.argv[5], answer(*sys.argv[2:5]))
        sys.exit(0)
    sys.exit(main(sys.argv[1]))
