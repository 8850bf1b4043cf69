"""Runs every kept fuzz finding (fuzz/regressions/*.mlir) through gru-opt
--gru-to-llvm and gru-compile: each must end with status 0 or 1 (a
diagnostic) within the time limit, never a crash, a sanitizer report or a
hang. Called by test/Tools/fuzz-regressions.test.

    run_regressions.py BIN_DIR WORK_DIR
"""

import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main(bin_dir, work):
    inputs = sorted(glob.glob(os.path.join(HERE, "regressions", "*.mlir")))
    failures = 0
    for path in inputs:
        name = os.path.basename(path)
        for tool in (["gru-opt", path, "--gru-to-llvm", "-o", os.devnull],
                     ["gru-compile", path, "-o", os.path.join(work, "libr.so")]):
            try:
                status = subprocess.run([os.path.join(bin_dir, tool[0])] + tool[1:],
                                        capture_output=True, timeout=120).returncode
            except subprocess.TimeoutExpired:
                status = "timeout"
            ok = status in (0, 1)
            failures += not ok
            print(f"{'ok' if ok else 'FAIL'}: {tool[0]} {name}: status {status}")
    print(f"{len(inputs)} inputs, {failures} failures")
    return 1 if failures or not inputs else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
