"""Tests the gru_model package against fake_model.c, a hand-written library with
the ABI of docs/ABI.md, so that no compiler is needed.

    python3 test/Python/test_gru_model.py     # needs NumPy and a C compiler (cc)

Prints each check; exits non-zero on the first failure.
"""

import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
import gru_model  # noqa: E402


def check(what, condition):
    if not condition:
        sys.exit(f"FAILED: {what}")
    print(f"ok: {what}")


def raises(what, exception, fn, *args, match=""):
    try:
        fn(*args)
    except exception as e:
        check(f"{what} raises {exception.__name__} ({e})", match in str(e))
        return e
    check(f"{what} raises {exception.__name__}", False)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        lib = os.path.join(tmp, "libfake.so")
        subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", lib,
                        os.path.join(HERE, "fake_model.c")], check=True)

        with gru_model.load(lib) as model:
            check("the prefix comes from the file name", model.prefix == "fake")
            check("the instance says where it runs", model.device == "cpu")
            check("one method per manifest function",
                  sorted(model.functions) == ["accumulate", "add", "clamp", "total"])

            a = np.arange(6, dtype=np.float64).reshape(2, 3)  # converted to float32
            b = np.ones((2, 3), dtype=np.float32)
            out = model.add(a, b)
            check("add returns float32 a + b",
                  out.dtype == np.float32 and np.array_equal(out, a + 1))
            check("non-C-contiguous inputs are copied",
                  np.array_equal(model.add(np.asfortranarray(a), b[:, ::-1]), a + 1))

            raises("a rank-1 input", ValueError, model.add, a[0], b, match="rank 2")
            raises("a wrong static dimension", ValueError, model.add, a[:, :2], b[:, :2],
                   match="3 elements in dimension 1")
            raises("a wrong number of arguments", TypeError, model.add, a)
            raises("sizes that must be equal but differ", ValueError, model.add, a, b[:1],
                   match="dimension 0 of 'arg1' is 1 but must equal dimension 0 of 'arg0' (2)")
            err = raises("zero rows (checked by the library)", gru_model.ModelError,
                         model.add, a[:0], b[:0], match="arg0 has 0 rows, arg1 0")
            check("the exception carries code 2 (bad size)", err.code == 2)
            check("the instance stays usable after an error",
                  np.array_equal(model.add(a, b), a + 1) and model.last_error() == "")

            x = np.array([[1, 2], [10, 20], [100, 200]], dtype=np.float32)
            keep = np.array([True, False, True])
            seq, total = model.accumulate(x, keep)
            check("several outputs come back as a tuple; bool inputs pass as 0/1",
                  np.array_equal(seq, [[1, 2], [1, 2], [101, 202]])
                  and np.array_equal(total, [101, 202]))
            _, total = model.accumulate(x, np.array([0, 5, 0]))  # nonzero means true
            check("state is kept across calls", np.array_equal(total, [111, 222]))
            raises("a dimension named like another argument's but different", ValueError,
                   model.accumulate, x, keep[:2], match="'arg0_dim0' = 2")
            model.reset_states()
            _, total = model.accumulate(x, keep)
            check("reset_states clears the state", np.array_equal(total, [101, 202]))

            w = np.array([-3, 0.5, 2], dtype=np.float32)
            check("an in-place update changes the caller's array and returns it",
                  model.clamp(w) is w and np.array_equal(w, [-1, 0.5, 1]))
            raises("an in-place input that would need a copy", ValueError,
                   model.clamp, w.astype(np.float64), match="updates input 'arg0' in place")

            ids = np.array([1, 2, 3, 2**31 - 1], dtype=np.int64)
            check("int64 values within int32 pass",
                  model.total(ids).tolist() == [float(np.float32(2**31 + 5))])
            check("integral floats pass as integers",
                  model.total(np.array([1.0, 2.0, 3.0, 4.0])).tolist() == [10.0])
            raises("an int64 value beyond int32", ValueError, model.total,
                   np.array([1, 2, 3, 2**31], dtype=np.int64), match="out of the range of int32")
            raises("a NaN to an integer input", ValueError, model.total,
                   np.array([1, np.nan, 3, 4]), match="NaN")
            raises("a fraction to an integer input", ValueError, model.total,
                   np.array([1, 2.5, 3, 4]), match="fractional")
            raises("a float64 beyond float32", ValueError, model.add,
                   np.full((2, 3), 1e300), b, match="beyond the range of float32")
            raises("a size that must equal a static size", ValueError, model.total,
                   np.array([1, 2, 3]), match="must equal the static size 4 (4)")

            with gru_model.load(lib, prefix="fake") as other:
                _, total = other.accumulate(x, keep)
                check("two instances do not share state", np.array_equal(total, [101, 202]))

        raises("a call after close", ValueError, model.add, a, b, match="closed")
        raises("a wrong prefix", AttributeError, gru_model.load, lib, "nope", match="nope_create")
        check("the target whose code runs", gru_model.load(lib).target == "x86-64")
        os.environ["FAKE_NO_TARGET"] = "1"
        raises("a CPU that runs none of the targets", gru_model.ModelError, gru_model.load, lib,
               match="unsupported CPU (code 4): fake_create: this CPU cannot run")
        del os.environ["FAKE_NO_TARGET"]
    print("all gru_model checks passed")


if __name__ == "__main__":
    main()
