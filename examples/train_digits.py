"""Trains the example GRU model: scikit-learn's bundled handwritten digits
(8×8 images, offline), each image read row by row as a sequence of 8 steps
of 8 pixels, classified by GRU(32) and Dense(10, softmax). Saves
examples/digits_gru.keras (seconds on a CPU):

    python examples/train_digits.py
"""
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402

import digits_data  # noqa: E402


def main():
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = digits_data.splits()
    model = keras.Sequential([keras.Input((8, 8)), keras.layers.GRU(32),
                              keras.layers.Dense(10, activation="softmax")], name="digits")
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=40, batch_size=64, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    path = Path(__file__).resolve().parent / "digits_gru.keras"
    model.save(path)
    print(f"test accuracy {accuracy:.4f}; saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
