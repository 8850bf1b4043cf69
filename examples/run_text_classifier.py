"""Runs the compiled text classifier on a padded batch of token sequences.

    python examples/run_text_classifier.py build/examples/libtext_classifier.so
"""
import sys

import numpy as np

import gru_model


def main(library):
    rng = np.random.default_rng(0)
    lengths = [12, 7, 3, 9]
    tokens = np.zeros((len(lengths), max(lengths)), dtype=np.int32)
    for row, length in enumerate(lengths):
        tokens[row, :length] = rng.integers(1, 1000, size=length)  # 0 pads

    with gru_model.load(library) as model:
        logits = model.classify(tokens)
        print(f"tokens {tokens.shape} (0 = padding):\n{tokens}\n")
        print(f"logits {logits.shape}:\n{np.array2string(logits, precision=5)}\n")
        print(f"predicted classes: {logits.argmax(axis=1).tolist()}")
        # Padding is masked: a sequence scores the same with more padding.
        wider = np.pad(tokens, ((0, 0), (0, 5)))
        same = np.allclose(model.classify(wider), logits, atol=1e-6)
        print(f"same logits with 5 more padding steps: {same}")
        return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
