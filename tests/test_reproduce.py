"""``make reproduce``'s notebook execution, and what ``make`` runs before each target."""

import os
import subprocess
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager

from mnist_clustering.reproduce import execute_notebook

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def small_notebook(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell("import sys\nprint(6 * 7)"))
    # what the notebooks held before: the kernel's name, another display name
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    path = tmp_path / "01_small.ipynb"
    nbformat.write(notebook, path)
    return path


def test_executed_notebook_names_the_installed_kernel(small_notebook):
    execute_notebook(small_notebook)
    saved = nbformat.read(small_notebook, as_version=4)
    assert saved.cells[0].outputs[0]["text"] == "42\n"
    spec = KernelSpecManager().get_kernel_spec("python3")
    assert dict(saved.metadata["kernelspec"]) == {
        "name": "python3", "display_name": spec.display_name, "language": spec.language}
    assert saved.metadata["language_info"]["name"] == "python"


def test_kernel_start_up_warnings_do_not_reach_the_user(small_notebook, capfd):
    # The kernel is a child process writing to this process's stderr (file descriptor 2),
    # which capfd captures: ipykernel warns there when it runs over unencrypted TCP.
    execute_notebook(small_notebook)
    captured = capfd.readouterr()
    assert "without encryption" not in captured.err
    assert "WARNING" not in captured.err, captured.err


def _dry_run(target):
    """The commands ``make -n TARGET`` would run, in order (nothing is run)."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    done = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True,
                          env=env, check=True, timeout=60)
    return done.stdout.splitlines()


def test_make_lab_fetches_the_data_before_starting_jupyterlab():
    commands = _dry_run("lab")
    fetch = [i for i, line in enumerate(commands) if "mnist-clustering data fetch" in line]
    lab = [i for i, line in enumerate(commands) if "jupyter lab" in line]
    assert fetch and lab and fetch[0] < lab[0], commands
