"""The configuration matrix of the Keras comparison tests.

Every option of docs/GRU_SEMANTICS.md sections 2-6 that changes the forward
output is a factor. A greedy generator picks rows (configs) so that:
* each activation appears in each slot with the other slot at its default;
* every pair of values of any two factors occurs in some row, except
  activation x recurrent_activation (27 x 27 rows would dwarf the rest): every
  activation meets every value of every other factor, in both slots;
* every triple of the options that interact in the masking rules occurs.
Dropout is left out: it acts only in training, where its masks need not match
Keras's bit for bit. Deterministic: the same list on every run.

    python configs.py      # lists the configs
"""

import dataclasses
import itertools

# Section 3, plus the aliases swish and hard_swish (read as silu and hard_silu).
ACTIVATIONS = (
    "linear", "tanh", "sigmoid", "hard_sigmoid", "relu", "relu6", "leaky_relu", "elu", "selu",
    "celu", "softplus", "softsign", "silu", "swish", "hard_silu", "hard_swish", "gelu",
    "exponential", "hard_tanh", "sparse_sigmoid", "sparse_plus", "squareplus", "soft_shrink",
    "hard_shrink", "tanh_shrink", "log_sigmoid", "mish")

# Mask patterns (section 5); oracle.make_mask draws them.
MASKS = ("none", "all_true", "right_padded", "left_padded", "holes", "fully_masked_row")

# Which of B and T are dynamic in the model, and the run-time sizes:
# "batch1" and "steps1" are dynamic shapes run with B = 1 or T = 1.
SHAPES = ("dynamic", "static", "batch1", "steps1")

RESET = "reset"

BOOLEANS = ("use_bias", "reset_after", "return_sequences", "return_state", "go_backwards",
            "stateful", "unroll", "initial_state", "zero_output_for_mask")

FACTORS = {
    "activation": ACTIVATIONS,
    "recurrent_activation": ACTIVATIONS,
    "mask": MASKS,
    "shape": SHAPES,
    "units": (1, 2, 5, 8, 16, 33),
    "features": (1, 3, 6, 17),
    **{name: (False, True) for name in BOOLEANS},
}
# Rows that come first: each activation with the other slot at its Keras
# default, the common case and the one that pins a failure on one activation.
SEEDS = ([{"activation": a, "recurrent_activation": "sigmoid"} for a in ACTIVATIONS]
         + [{"activation": "tanh", "recurrent_activation": a}
            for a in ACTIVATIONS if a != "sigmoid"])
# Every pair of factors but activation x recurrent_activation.
PAIRS = [pair for pair in itertools.combinations(FACTORS, 2)
         if pair != ("activation", "recurrent_activation")]
# The masking rules of section 5 interact: every triple of these factors too.
TRIPLES = list(itertools.combinations(
    ("mask", "go_backwards", "zero_output_for_mask", "initial_state", "return_sequences",
     "stateful", "unroll"), 3))


@dataclasses.dataclass(frozen=True)
class Config:
    index: int
    units: int
    features: int
    activation: str = "tanh"
    recurrent_activation: str = "sigmoid"
    use_bias: bool = True
    reset_after: bool = True
    return_sequences: bool = False
    return_state: bool = False
    go_backwards: bool = False
    stateful: bool = False
    unroll: bool = False
    zero_output_for_mask: bool = False
    initial_state: bool = False  # pass an initial_state operand on every call
    mask: str = "none"  # one of MASKS
    batch: int = 2
    static_batch: bool = False
    static_steps: bool = False
    # One entry per step of the test: an int is a call with that many
    # timesteps, RESET a reset_states() call.
    schedule: tuple = (4,)

    @property
    def name(self):
        return f"gru_{self.index}"

    def describe(self):
        """The fields that differ from the defaults, for failure messages."""
        default = Config(self.index, self.units, self.features)
        return ", ".join(f"{f.name}={getattr(self, f.name)!r}"
                         for f in dataclasses.fields(self)
                         if f.name in ("units", "features", "batch", "schedule")
                         or getattr(self, f.name) != getattr(default, f.name))


def covering_rows(factors, groups, seeds=()):
    """Greedy covering array: every combination of values of each group of
    factors occurs in some row. Each row starts from the next partial row of
    `seeds`, then from the first uncovered combination; each other factor then
    takes the value that covers most uncovered combinations (ties: the least
    used value, to spread values)."""
    names = list(factors)
    uncovered = {tuple(zip(group, values)) for group in groups
                 for values in itertools.product(*(factors[n] for n in group))}
    used = {(n, v): 0 for n in names for v in factors[n]}

    def covers(row):
        return {tuple((n, row[n]) for n in group) for group in groups
                if all(n in row for n in group)}

    def gain(row, name, value):
        return len(covers({**row, name: value}) & uncovered)

    rows, seeds = [], list(seeds)
    while seeds or uncovered:
        row = dict(seeds.pop(0) if seeds else
                   min(uncovered, key=lambda combo: [(names.index(n), factors[n].index(v))
                                                     for n, v in combo]))
        for name in names:
            if name not in row:
                row[name] = max(factors[name],
                                key=lambda v: (gain(row, name, v), -used[(name, v)]))
        uncovered -= covers(row)
        for name in names:
            used[(name, row[name])] += 1
        rows.append(row)
    return rows


def make_config(index, row):
    """Turns a covering row into a Config with concrete sizes."""
    shape = row.pop("shape")
    batch = 1 if shape == "batch1" else 2 + index % 3
    steps = 1 if shape == "steps1" else 3 + index % 4
    static = shape == "static"
    # A stateful layer needs a static batch, an unrolled one static T.
    static_batch = static or row["stateful"]
    static_steps = static or row["unroll"]
    if row["stateful"]:
        # The second call starts from the first one's state, the third from
        # zeros again. T changes between calls where it may.
        other = steps if static_steps else steps + 2
        schedule = (steps, other, RESET, other)
    else:
        schedule = (steps,)
    return Config(index=index, batch=batch, static_batch=static_batch,
                  static_steps=static_steps, schedule=schedule, **row)


# Products large enough to be shared among threads (keras-matrix.test runs
# with GRU_NUM_THREADS=2): 3U and 2U not multiples of the panel width, and
# batches that are not multiples of the row tiles; threads share rows, and
# with U = 300 (R over 1 MiB) panels.
LARGE = (
    dict(units=100, features=40, batch=64, mask="holes", schedule=(5,)),
    dict(units=100, features=40, batch=64, reset_after=False, go_backwards=True,
         return_sequences=True, mask="right_padded", schedule=(5,)),
    dict(units=128, features=24, batch=33, return_state=True, initial_state=True,
         schedule=(4,)),
    dict(units=300, features=16, batch=9, mask="left_padded", return_sequences=True,
         schedule=(3,)),
    # Steps above the units team's threshold with R in L2: the team's threads
    # own chunks of rows (97: a chunk shorter than the others; 96 on seven
    # threads: a thread without rows).
    dict(units=128, features=20, batch=97, mask="holes", return_sequences=True,
         zero_output_for_mask=True, schedule=(4,)),
    dict(units=128, features=12, batch=96, reset_after=False, go_backwards=True,
         initial_state=True, return_state=True, mask="right_padded", schedule=(3,)),
)


def all_configs():
    rows = covering_rows(FACTORS, PAIRS + TRIPLES, SEEDS)
    configs = [make_config(i, row) for i, row in enumerate(rows)]
    return configs + [Config(index=len(configs) + i, **large)
                      for i, large in enumerate(LARGE)]


# What a layer that may use cuDNN varies in: every pair of these.
CUDNN_FACTORS = {
    "mask": ("none", "all_true", "right_padded", "left_padded"),
    "shape": SHAPES,
    "units": (1, 5, 16, 33),
    "features": (1, 6, 17),
    **{name: (False, True) for name in ("return_sequences", "return_state", "go_backwards",
                                        "stateful", "initial_state", "zero_output_for_mask")},
}


def cudnn_configs():
    """Configs of layers that may use cuDNN (Keras's defaults: tanh,
    sigmoid, bias, reset_after, no unroll)."""
    factors = dict(CUDNN_FACTORS, unroll=(False,))
    # What cuDNN's results are patched for: every triple of these too.
    triples = itertools.combinations(("mask", "return_sequences", "return_state",
                                      "zero_output_for_mask", "initial_state", "stateful"), 3)
    rows = covering_rows(factors, list(itertools.combinations(CUDNN_FACTORS, 2)) + list(triples))
    return [make_config(i, row) for i, row in enumerate(rows)]


if __name__ == "__main__":
    configs = all_configs()
    for config in configs:
        print(config.name, config.describe())
    print(f"{len(configs)} configurations")
