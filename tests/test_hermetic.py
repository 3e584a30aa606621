"""The suite passes in any order: what one test leaves in the process is undone before the
next (tests/conftest.py), and the random order keeps every notebook's cells in order.

Each check runs pytest in a subprocess on tests written here, so that it sees two tests
in a fixed order, whatever order this suite itself runs in.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import mnist_clustering

PROJECT = Path(mnist_clustering.__file__).resolve().parents[1]

LEAVES = '''
import os
import matplotlib
from mnist_clustering import evaluate, executors
from mnist_clustering.sweep import SweepData


def _pid(shared, item):
    return os.getpid()


def test_a_leaves_state_behind():
    assert len(list(executors.map_unordered(_pid, range(4), workers=2))) == 4
    os.environ["LEFT_BEHIND"] = "1"
    matplotlib.rcParams["lines.linewidth"] = 7.0
    evaluate._versions_here()
    data = SweepData("digits")
    evaluate._LOADED[data.source] = data
'''

FINDS = '''
import os
import matplotlib
from joblib.externals.loky import reusable_executor
from mnist_clustering import evaluate


def test_b_finds_nothing_left():
    assert reusable_executor._executor is None, "a worker pool outlived its test"
    assert "LEFT_BEHIND" not in os.environ
    assert matplotlib.rcParams["lines.linewidth"] != 7.0
    assert evaluate._versions_here.cache_info().currsize == 0
    assert not evaluate._LOADED
'''


def _pytest(folder, *args):
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly",
                           "-p", "no:cacheprovider", *args], cwd=folder, capture_output=True,
                          text=True, timeout=600)


@pytest.mark.parametrize("conftest", [True, False])
def test_nothing_a_test_leaves_reaches_the_next(tmp_path, conftest):
    (tmp_path / "test_a.py").write_text(LEAVES)
    (tmp_path / "test_b.py").write_text(FINDS)
    if conftest:
        shutil.copy(PROJECT / "tests" / "conftest.py", tmp_path / "conftest.py")
    done = _pytest(tmp_path, "test_a.py", "test_b.py")
    if conftest:
        assert done.returncode == 0, done.stdout + done.stderr
    else:  # the contrary: without it, the second test sees the first one's leftovers
        assert done.returncode == 1 and "a worker pool outlived its test" in done.stdout


def test_the_random_order_keeps_each_notebooks_cells_in_order():
    notebooks = sorted(str(p) for p in (PROJECT / "notebooks").glob("[0-9]*.ipynb"))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "randomly",
         "--randomly-seed=1", "-p", "no:cacheprovider", "tests/test_layers.py",
         "--nbval", *notebooks, "--nbval-current-env"],
        cwd=PROJECT, capture_output=True, text=True, timeout=600, env=dict(os.environ))
    assert done.returncode == 0, done.stdout + done.stderr
    cells = re.findall(r"^notebooks/(\S+)::Cell (\d+)$", done.stdout, flags=re.MULTILINE)
    assert len({name for name, _ in cells}) == len(notebooks) >= 2
    seen = []
    for name, number in cells:
        if not seen or seen[-1][0] != name:
            assert name not in [n for n, _ in seen], f"{name}'s cells are split"
        else:
            assert int(number) == seen[-1][1] + 1, f"{name}'s cells out of order"
        seen.append((name, int(number)))
