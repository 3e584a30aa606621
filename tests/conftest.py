"""Shared fixtures: the real MNIST and scikit-learn's digits, loaded once per session;
and what keeps every test independent of the ones run before it, in any order.

``make test`` runs the tests in a random order (pytest-randomly; the seed is printed in
the header, ``Using --randomly-seed=N``, and ``-p randomly --randomly-seed=N`` replays
it). Whatever a test leaves behind in this process is undone after it
(:func:`_hermetic`), and the notebooks' cells keep their order
(:func:`pytest_collection_modifyitems`).
"""

import os
import sys
import warnings

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


@pytest.fixture(autouse=True)
def _hermetic():
    """Undo what a test leaves in this process that could change a later test's result.

    - local worker processes kept for reuse are ended: they keep the environment (and
      the imports) of the moment they started;
    - the package's per-process caches (``functools`` caches, the workers' loaded data)
      are emptied;
    - the environment variables, the working directory and matplotlib's settings are
      restored, and every figure left open is closed.
    """
    environ, cwd = dict(os.environ), os.getcwd()
    rc = _matplotlib_rc()
    yield
    from mnist_clustering import executors

    executors.shutdown_local_workers()
    _clear_package_caches()
    if dict(os.environ) != environ:
        os.environ.clear()
        os.environ.update(environ)
    if os.getcwd() != cwd:
        os.chdir(cwd)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if "matplotlib" in sys.modules:
        _restore_matplotlib_rc(rc)


def _restore_matplotlib_rc(rc):
    """Back to ``rc`` (to the settings matplotlib started with if it was imported during
    the test); the backend is left alone (setting it switches pyplot's)."""
    import matplotlib

    with warnings.catch_warnings():  # deprecated keys warn when read or set
        warnings.simplefilter("ignore")
        if rc is None:
            rc = dict(matplotlib.rcParamsOrig)
        changed = {key: value for key, value in rc.items()
                   if key != "backend" and matplotlib.rcParams.get(key) != value}
        matplotlib.rcParams.update(changed)


def _matplotlib_rc():
    if "matplotlib" not in sys.modules:
        return None
    with warnings.catch_warnings():  # deprecated keys warn when read
        warnings.simplefilter("ignore")
        return dict(sys.modules["matplotlib"].rcParams)


def _clear_package_caches():
    for name, module in list(sys.modules.items()):
        if name != "mnist_clustering" and not name.startswith("mnist_clustering."):
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)) and hasattr(value, "cache_info"):
                value.cache_clear()
    if "mnist_clustering.evaluate" in sys.modules:
        sys.modules["mnist_clustering.evaluate"].clear_loaded()


def pytest_collection_modifyitems(config, items):
    """Keep each notebook's cells together and in their order, wherever the random
    order put the notebook: nbval runs a notebook's cells one after the other in one
    kernel. (pytest-randomly shuffles first: its hook wraps this one.)"""
    cells = {}
    for item in items:
        if type(item).__name__ == "IPyNbCell":
            cells.setdefault(item.parent, []).append(item)
    if not cells:
        return
    ordered = []
    for item in items:
        if type(item).__name__ != "IPyNbCell":
            ordered.append(item)
        elif item.parent in cells:
            ordered.extend(sorted(cells.pop(item.parent), key=lambda cell: cell.cell_num))
    items[:] = ordered
