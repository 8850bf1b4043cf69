"""The digits example's data: scikit-learn's bundled 8×8 digits as
sequences of 8 rows of 8 pixels scaled to [0, 1], split 75/25 with a fixed
seed, the same split for training and for the comparison."""
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


def splits():
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)  # (n, 8 rows, 8 pixels)
    y = digits.target.astype(np.int32)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0,
                                                        stratify=y)
    return (x_train, y_train), (x_test, y_test)
