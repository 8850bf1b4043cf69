"""Checks the output of examples/cmake-project's `classify LENGTH...` (read
from stdin) against the text classifier compiled by the build tree's
gru-compile and run through the Python loader on the same tokens.

    classify 12 7 3 9 | python compare_classify.py libtext_classifier.so 12 7 3 9
"""
import sys

import numpy as np

import gru_model


def main(library, lengths):
    lines = sys.stdin.read().splitlines()
    target = lines[0].split()[1]
    printed = np.array([[float(v) for v in line.split()] for line in lines[1:]],
                       dtype=np.float32)
    tokens = np.zeros((len(lengths), max(lengths)), dtype=np.int32)
    for b, length in enumerate(lengths):
        tokens[b, :length] = 1 + (37 * b + 101 * np.arange(length)) % 999
    with gru_model.load(library) as model:
        expected = model.classify(tokens)
    diff = float(np.abs(printed - expected).max())
    print(f"target {target}, {printed.shape[0]} rows, max abs diff {diff:.1e}")
    return 0 if printed.shape == expected.shape and diff <= 1e-6 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], [int(v) for v in sys.argv[2:]]))
