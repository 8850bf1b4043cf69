"""Training-mode dropout of a compiled model (docs/GRU_SEMANTICS.md section 6,
docs/ABI.md): the masks of gru.dropout_mask and the dropout of a GRU layer.

    python dropout.py libdropout.so      # the library of model.mlir

Prints one line per check and exits nonzero if any failed. Every mask below
comes from a fixed seed, so the statistical checks are deterministic, except
those on the unseeded op, whose bounds are 6 standard deviations wide.
"""

import sys

import numpy as np

import gru_model

LIB = sys.argv[1]
RATE = 0.3
failures = 0


def check(what, ok):
    global failures
    failures += not ok
    print(f"{'ok' if ok else 'FAIL'}: {what}")


def fresh():
    """A new model instance: call count 0, its own random seed."""
    return gru_model.load(LIB)


def scale(rate):
    return np.float32(1 / (1 - rate))


def check_mask(what, mask, rate, sigmas=5):
    """Values, kept fraction and mean of `mask` (N, B, D); the bounds are
    `sigmas` standard deviations of a Bernoulli(1 - rate) mean."""
    keep = 1 - rate
    check(f"{what}: every value is 0 or 1/(1-rate) = {scale(rate)}",
          set(np.unique(mask).tolist()) == {0.0, float(scale(rate))})
    for g, gate in enumerate(mask):
        bound = sigmas * np.sqrt(rate * keep / gate.size)
        kept = np.count_nonzero(gate) / gate.size
        check(f"{what}: mask {g} keeps {kept:.4f}, 1-rate = {keep} +- {bound:.4f}",
              abs(kept - keep) < bound)
    bound = sigmas * np.sqrt(rate * keep / mask.size) / keep
    check(f"{what}: the mean is {mask.mean():.4f}, 1 +- {bound:.4f} (inverted dropout)",
          abs(mask.mean() - 1) < bound)


def correlation(a, b):
    return np.corrcoef((a != 0).ravel(), (b != 0).ravel())[0, 1]


def check_independent(what, a, b):
    """The keep patterns of `a` and `b` are uncorrelated (5 sigma)."""
    r, bound = correlation(a, b), 5 / np.sqrt(a.size)
    check(f"{what}: keep patterns uncorrelated ({r:+.4f}, bound {bound:.4f})", abs(r) < bound)


def repeated_windows(masks, width=64):
    """How many runs of `width` consecutive keep bits, taken at every offset of
    every flattened mask, occur more than once. Masks that reuse random
    numbers (a call, stream, gate or row drawing from counters another one
    used, even shifted) repeat runs; distinct random masks do not."""
    runs = [np.packbits(np.lib.stride_tricks.sliding_window_view(m.ravel() != 0, width), axis=1)
            .view(">u8").ravel() for m in masks]
    runs = np.concatenate(runs)
    return runs.size - np.unique(runs).size


def masks():
    """The gru.dropout_mask ops, returned directly by @seeded and friends."""
    a = fresh()
    calls = [a.seeded() for _ in range(3)]
    check_mask("seeded (rate 0.3), call 1", calls[0], RATE)
    check_mask("seeded (rate 0.3), call 2", calls[1], RATE)
    check_mask("rate 0.9", fresh().rate09(), 0.9)

    check("each call draws new masks",
          not np.array_equal(calls[0], calls[1]) and not np.array_equal(calls[1], calls[2]))
    check_independent("calls 1 and 2", calls[0], calls[1])
    b = fresh()
    check("two fresh instances draw the same seeded masks, call by call",
          all(np.array_equal(b.seeded(), c) for c in calls))
    c = fresh()
    c.rate09()
    check("masks follow the instance's call count (any function's call counts)",
          np.array_equal(c.seeded(), calls[1]))

    for g, h in ((0, 1), (0, 2), (1, 2)):
        check_independent(f"masks {g} and {h} of one op (gates)", calls[0][g], calls[0][h])
    stream1, seed6 = fresh().stream1(), fresh().seed6()
    check_mask("stream 1", stream1, RATE)
    check_independent("streams 0 and 1 (same seed, call 0)", calls[0], stream1)
    check_independent("seeds 5 and 6 (same stream, call 0)", calls[0], seed6)
    check("no run of 64 keep bits repeats across calls, gates, rows, streams and seeds",
          repeated_windows(calls + [stream1, seed6]) == 0)

    u1, u2 = fresh().unseeded(), fresh().unseeded()
    check_mask("unseeded", u1, RATE, sigmas=6)
    check("the unseeded op differs between instances (each has its own seed)",
          not np.array_equal(u1, u2))
    r = correlation(u1, u2)
    check(f"... and the two are uncorrelated ({r:+.4f})", abs(r) < 6 / np.sqrt(u1.size))


def layer():
    """@train (dropout 0.3, recurrent_dropout 0.2, seed 7) against @infer."""
    rng = np.random.default_rng(0)
    args = (rng.standard_normal((4, 6, 8)), 0.3 * rng.standard_normal((8, 48)),
            0.3 * rng.standard_normal((16, 48)), 0.1 * rng.standard_normal((2, 48)))
    p, q = fresh(), fresh()
    inference = p.infer(*args)
    first, second = p.train(*args), p.train(*args)  # calls 2 and 3 of p
    diff = np.abs(first - inference).max()
    check(f"training output differs from inference (max difference {diff:.3f})", diff > 1e-2)
    check("each training call draws new masks", not np.array_equal(first, second))
    q.infer(*args)  # the same call count as p
    check("a fresh instance reproduces the training outputs call by call",
          np.array_equal(q.train(*args), first) and np.array_equal(q.train(*args), second))
    for name, rates in (("train_rate0", "0 and 0"), ("train_rate1", "1 and 1"),
                        ("train_clipped", "1.5 and -0.5 (clipped to 1 and 0)")):
        check(f"training with rates {rates} gives exactly the inference output",
              np.array_equal(getattr(p, name)(*args), inference))


def reuse():
    """One set of masks per call, reused at every timestep.

    GRU(32), no bias, linear activation, recurrent kernel 0, and a kernel
    whose z block is -100, r block 0 and h block the identity, on an input of
    ones at every step. Then for every step, with m the input mask:
        z  = sigmoid(-100 * sum(m)) = 0           (sum(m) >= 1/(1-rate) > 0)
        hh = (1 * m) @ I + r * (h @ 0) = m
        h' = z * h + (1 - z) * hh = m
    so the output at every step is the h-gate input mask itself, exactly. If
    masks were redrawn per step, the steps would differ (in about 42% of
    the positions); reused, all steps are equal; a new call gives a new mask.
    (The recurrent masks multiply h before a zero kernel: not observable.)
    sum(m) = 0 would need all 32 inputs of a row dropped: probability 0.3^32.
    """
    f = u = 32
    kernel = np.zeros((f, 3 * u), np.float32)
    kernel[:, :u] = -100                 # z
    kernel[:, 2 * u:] = np.eye(f)        # h
    recurrent_kernel = np.zeros((u, 3 * u), np.float32)
    x = np.ones((64, 5, f), np.float32)
    model = fresh()
    check("design: in inference the output is x @ W_h = 1 at every step",
          np.array_equal(model.reuse_off(x, kernel, recurrent_kernel), np.ones((64, 5, u))))
    for name in ("reuse_in", "reuse_both"):
        out1, out2 = (getattr(model, name)(x, kernel, recurrent_kernel) for _ in range(2))
        check(f"{name}: every step's output equals step 0's (the mask is reused)",
              all(np.array_equal(out[:, t], out[:, 0]) for out in (out1, out2) for t in range(5)))
        check_mask(f"{name}: the mask seen in the output", out1[:, :1].transpose(1, 0, 2), RATE)
        check(f"{name}: the next call uses a new mask", not np.array_equal(out1, out2))


masks()
layer()
reuse()
print(f"{'FAILED' if failures else 'PASSED'}: {failures} failed checks")
sys.exit(1 if failures else 0)
