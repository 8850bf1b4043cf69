"""Kept state of stateful layers (docs/GRU_SEMANTICS.md section 4, docs/ABI.md)
in a compiled model, through gru_model.

    python state.py libstate.so      # the library of model.mlir

Prints one line per check and exits nonzero if any failed.
"""

import sys

import numpy as np

import gru_model

LIB = sys.argv[1]
failures = 0


def check(what, ok):
    global failures
    failures += not ok
    print(f"{'ok' if ok else 'FAIL'}: {what}")


def close(a, b):
    """Equal to float32 rounding: the same loop, split over calls."""
    return a.shape == b.shape and np.allclose(a, b, rtol=0, atol=1e-6)


H0 = np.array([[0.5, -0.5, 0.25, 0.0], [-1.0, 0.75, 0.1, -0.3]], np.float32)
H0_COPY = H0.copy()


rng = np.random.default_rng(1)
x = rng.standard_normal((2, 6, 3)).astype(np.float32)
y = rng.standard_normal((2, 4, 3)).astype(np.float32)  # another sequence
model = gru_model.load(LIB)
full, final = model.plain(x)  # the whole sequence in one non-stateful call

# Stateful calls on x[:, :3], x[:, 3:4], x[:, 4:] continue one sequence.
parts = [model.stateful(x[:, a:b]) for a, b in ((0, 3), (3, 4), (4, 6))]
check("call 1 (steps 0-2) equals the one-call sequence at steps 0-2",
      close(parts[0][0], full[:, 0:3]))
check("call 2 (step 3) continues from call 1's state: step 3",
      close(parts[1][0], full[:, 3:4]))
check("call 3 (steps 4-5) continues: steps 4-5, and the same final state",
      close(parts[2][0], full[:, 4:6]) and close(parts[2][1], final))
check("the state returned by each call is its last output",
      all(np.array_equal(seq[:, -1], state) for seq, state in parts))

# The kept state makes the same input give a new answer ...
again, _ = model.stateful(x[:, 0:3])
check("the same input on the kept state gives a different answer",
      not close(again, parts[0][0]))
# ... until reset_states.
model.reset_states()
check("after reset_states the first call's answer comes back",
      np.array_equal(model.stateful(x[:, 0:3])[0], parts[0][0]))
check("... and the next call continues from it",
      np.array_equal(model.stateful(x[:, 3:4])[0], parts[1][0]))

# An explicit initial state takes precedence over the kept state.
with_h0 = model.plain_h0(x, H0)
check("design: an initial state changes the output", not close(with_h0, full))
first = model.stateful_h0(x[:, 0:3], H0)
check("stateful_h0 call 1 starts from the explicit initial state, not zeros",
      close(first, with_h0[:, 0:3]))
second = model.stateful_h0(x[:, 0:3], H0)
check("call 2 with the same initial state again ignores the kept state",
      np.array_equal(second, first))
check("the initial_state array passed in is not written", np.array_equal(H0, H0_COPY))
check("the explicit-state layer's kept state is its own: @stateful still "
      "continues its sequence", close(model.stateful(x[:, 4:6])[0], full[:, 4:6]))

# Two instances of one model never share state.
a, b = gru_model.load(LIB), gru_model.load(LIB)
a_out = [a.stateful(x[:, 0:3])[0]]
b_out = [b.stateful(y)[0]]             # b runs another sequence in between
a_out.append(a.stateful(x[:, 3:4])[0])
b.reset_states()                       # and resets: a is unaffected
a_out.append(a.stateful(x[:, 4:6])[0])
check("instance a follows its own sequence while b runs and resets",
      close(np.concatenate(a_out, axis=1), full))
check("instance b's first call starts from zeros (not a's state)",
      close(b_out[0], model.plain(y)[0]))
check("after its reset, b starts from zeros again",
      close(b.stateful(x[:, 0:3])[0], full[:, 0:3]))

print(f"{'FAILED' if failures else 'PASSED'}: {failures} failed checks")
sys.exit(1 if failures else 0)
