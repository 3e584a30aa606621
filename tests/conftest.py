"""Shared fixtures: the real MNIST and scikit-learn's digits, loaded once per session."""

import pytest

from mnist_clustering.data import load_digits_dataset, load_mnist


def _read_only(dataset):
    # Session fixtures are shared by every test: make in-place edits fail loudly
    # instead of silently changing the data seen by later tests.
    for pair in dataset:
        for array in pair:
            array.setflags(write=False)
    return dataset


@pytest.fixture(scope="session")
def mnist():
    """``(x_train, y_train), (x_test, y_test)`` as from keras, read-only.

    Uses the real project cache; the first run fetches MNIST (a few seconds).
    """
    return _read_only(load_mnist())


@pytest.fixture(scope="session")
def digits():
    """scikit-learn's digits in the MNIST layout: 1500 train, 297 test, read-only."""
    return _read_only(load_digits_dataset())
