"""The golden values of docs/GRU_SEMANTICS.md section 9 (from Keras's own test
suite), through the same compile-and-run path as run_matrix.py.

    .venv/bin/python test/Integration/keras/goldens.py --gru-compile build/bin/gru-compile
    .venv/bin/python test/Integration/keras/goldens.py --dry-run   # no compiler needed

--dry-run checks that the models parse with gru-opt and that real Keras and
reference.py give the goldens.

Weights are constants (kernel 0.01, recurrent_kernel 0.02, bias 0.03) and x is
an arange, so these only catch gross errors; checking them against real Keras
validates the oracle's set-up (weight layout, masks, state).
"""

import argparse
import sys
import time

import numpy as np

import oracle
import reference
import run_matrix
from configs import RESET, Config
from oracle import Call

TOLERANCE = 1e-5


def _repeat(rows, units):
    return np.repeat(np.array(rows, dtype=np.float32)[:, None], units, axis=1)


def _weights(config):
    gates = 3 * config.units
    weights = {"kernel": np.full((config.features, gates), 0.01, np.float32),
               "recurrent_kernel": np.full((config.units, gates), 0.02, np.float32)}
    if config.use_bias:
        weights["bias"] = np.full((2, gates) if config.reset_after else gates, 0.03, np.float32)
    return weights


def _call(config, x, expected, **extra):
    """A Call of config's model on x (an arange of that shape)."""
    inputs = {"x": np.arange(np.prod(x), dtype=np.float32).reshape(x), **_weights(config)}
    inputs.update({name: np.asarray(value, dtype=bool if name == "mask" else np.float32)
                   for name, value in extra.items()})
    return Call(inputs, None if expected is None else [np.asarray(e, np.float32)
                                                       for e in expected])


def goldens():
    """(Config, steps) for every golden of section 9."""
    cases = []

    def case(x, expected, schedule=None, **options):
        """x: the arange's shape. expected: the outputs of the one call, or
        with a schedule, one entry per call (None: not checked)."""
        extra = {name: options.pop(name) for name in ("mask", "initial_state")
                 if name in options}
        config = Config(index=len(cases), units=options.pop("units"), features=x[2],
                        batch=x[0], schedule=schedule or (x[1],),
                        mask="holes" if "mask" in extra else "none",  # the golden mask
                        initial_state="initial_state" in extra, **options)
        if schedule is None:
            steps = [_call(config, x, expected, **extra)]
        else:  # expected: one entry per call of the schedule (None: not checked)
            calls = iter(expected)
            steps = [RESET if entry == RESET else _call(config, x, next(calls), **extra)
                     for entry in schedule]
        cases.append((config, steps))

    # x = arange(72).reshape(3, 6, 4), GRU(3), last output.
    x = (3, 6, 4)
    default = _repeat([0.5217289, 0.6371659, 0.39384964], 3)
    case(x, [default], units=3)
    case(x, [_repeat([0.24406259, 0.611516, 0.3928808], 3)], units=3, go_backwards=True)
    case(x, [default], units=3, unroll=True, static_steps=True)
    case(x, [_repeat([0.51447755, 0.6426879, 0.40208298], 3)], units=3, reset_after=False)
    case(x, [_repeat([0.49988455, 0.64701194, 0.4103359], 3)], units=3, use_bias=False)

    # Stateful: the second call's answer, again after reset_states.
    second = [_repeat([0.29542392, 0.5885018], 4)]
    case((2, 3, 4), [None, second, None, second], schedule=(3, 3, RESET, 3, 3), units=4,
         stateful=True, static_batch=True)

    # x = arange(24).reshape(2, 4, 3), GRU(2), with an initial state or a mask.
    x = (2, 4, 3)
    h0 = [[0, 1], [2, 3]]
    forward = [[0.23774096, 0.33508456], [0.83659905, 1.0227708]]
    backward = [[0.13486053, 0.23261218], [0.78257304, 0.9691353]]
    case(x, [forward], units=2, initial_state=h0)
    case(x, [backward], units=2, initial_state=h0, go_backwards=True)
    case(x, [forward, forward], units=2, initial_state=h0, return_state=True)

    mask = [[1, 1, 0, 1], [1, 0, 0, 1]]
    a, b, c = 0.03606692, 0.09497581, 0.19393763
    d, e = 0.16051409, 0.30818558
    case(x, [_repeat([c, e], 2)], units=2, mask=mask)
    case(x, [np.repeat(np.array([[a, b, b, c], [d, d, d, e]])[..., None], 2, axis=2)],
         units=2, mask=mask, return_sequences=True)
    case(x, [np.repeat(np.array([[a, b, 0, c], [d, 0, 0, e]])[..., None], 2, axis=2)],
         units=2, mask=mask, return_sequences=True, zero_output_for_mask=True)
    case(x, [_repeat([0.11669192, 0.28380975], 2)], units=2, mask=mask, go_backwards=True)
    return cases


def keras_results(config, steps):
    layer = oracle.keras_layer(config, _weights(config))
    results = []
    for step in steps:
        if step == RESET:
            layer.reset_states()
        else:
            results.append(oracle.run_keras(config, layer, step.inputs))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    run_matrix.add_common_arguments(parser)
    args = parser.parse_args()
    tool = run_matrix.tool_for(args)
    start = time.time()
    cases = goldens()
    failed = 0
    with run_matrix.workdir_for(args) as workdir:
        built = run_matrix.build([config for config, _ in cases], "goldens", workdir, tool)
        for config, steps in cases:
            lib, problem = built[config.index]
            if problem is None and args.dry_run:
                problem = (run_matrix.compare_calls(steps, keras_results(config, steps),
                                                    TOLERANCE, "Keras vs golden")
                           or run_matrix.compare_calls(steps, reference.replay(config, steps),
                                                       TOLERANCE, "reference.py vs golden"))
            elif problem is None:
                try:
                    problem = run_matrix.compare_calls(
                        steps, run_matrix.run_library(lib, config, steps), TOLERANCE,
                        "compiled vs golden")
                except Exception as e:  # any failure of the library fails this golden only
                    problem = f"{type(e).__name__}: {e}"
            failed += run_matrix.report("golden ", config, problem, args.verbose)
    mode = "dry run: the models parse, Keras gives the goldens" if args.dry_run else "compiled"
    return run_matrix.summarize(mode, len(cases), "goldens", failed, start)


if __name__ == "__main__":
    sys.exit(main())
