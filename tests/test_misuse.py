"""Misuse of the command line and of run_sweep: each answered clearly, before any work.

Issue 9, point 7. Runs on scikit-learn's digits (1500 training images) with temporary
results directories.
"""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mnist_clustering
from mnist_clustering import evaluate, executors, sweep
from mnist_clustering.cli import main
from mnist_clustering.metrics import SCORE_DIRECTIONS

N_DIGITS = 1500  # training images of the digits dataset
PROJECT = Path(mnist_clustering.__file__).resolve().parents[1]


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def no_work(monkeypatch):
    """Make any fit or any worker process fail the test: the error must come first."""
    def fit(*args, **kwargs):
        raise AssertionError("a model was fitted before the bad input was rejected")

    def workers(*args, **kwargs):
        raise AssertionError("workers were started before the bad input was rejected")

    monkeypatch.setattr(evaluate, "fit_clustering", fit)
    monkeypatch.setattr(executors, "_on_local_processes", workers)
    monkeypatch.setattr(executors, "_on_dask", workers)


# --------------------------------------------------------------------------- 1: best --n-samples
def test_best_reads_the_table_of_a_subsample_sweep(tmp_path, capsys):
    status, _, err = run(capsys, "sweep", "--method", "kmeans", "--k", "2:7", "--dataset", "digits",
                         "--n-samples", "400", "--silhouette", "200", "--workers", "1",
                         "--results-dir", str(tmp_path), "--no-progress")
    assert status == 0, err
    status, out, err = run(capsys, "best", "--method", "kmeans", "--score", "nmi", "-n", "3",
                           "--dataset", "digits", "--n-samples", "400",
                           "--results-dir", str(tmp_path))
    assert status == 0, err
    # oracle: the CSV as written, read with pandas, the 3 largest NMI
    table = pd.read_csv(tmp_path / "digits-first400" / "kmeans.csv")
    assert len(table) == 5 and set(table["n_samples"]) == {400}
    expected = table.sort_values("k").nlargest(3, "nmi")["k"].tolist()
    listed = [int(line.split()[0]) for line in out.strip().splitlines()[1:4]]
    assert listed == expected

    # without --n-samples it is another table (the full digits), which does not exist
    status, _, err = run(capsys, "best", "--method", "kmeans", "--score", "nmi",
                         "--dataset", "digits", "--results-dir", str(tmp_path))
    assert status == 2 and "no results" in err


def test_load_results_n_samples_names_the_sweeps_folder(tmp_path):
    folder = tmp_path / "digits-first400"
    folder.mkdir()
    (tmp_path / "digits").mkdir()
    columns = ",".join(sweep.COLUMNS)
    (folder / "kmeans.csv").write_text(columns + "\n")
    assert sweep.load_results("kmeans", "digits", tmp_path, n_samples=400).empty
    with pytest.raises(FileNotFoundError, match="no results"):
        sweep.load_results("kmeans", "digits", tmp_path)


# --------------------------------------------------------------------------- 2: --keep outside
def test_keep_outside_the_grid_is_an_error_naming_the_k(tmp_path, capsys, no_work):
    status, _, err = run(capsys, "sweep", "--method", "kmeans", "--k", "2:5", "--keep", "3,10,12",
                         "--dataset", "digits", "--results-dir", str(tmp_path), "--no-progress")
    assert status == 2
    assert re.search(r"k = 10, 12, not in the k grid", err)  # 3 is in the grid: not named
    assert "add them to the grid (--k)" in err and "Traceback" not in err
    assert not (tmp_path / "digits").exists()


def test_run_sweep_keep_outside_the_grid_raises(tmp_path, no_work):
    with pytest.raises(ValueError, match=r"k = 19, not in the k grid.*add them to the grid"):
        sweep.run_sweep("kmeans", "2:5", keep=(19,), dataset="digits", results_dir=tmp_path,
                        progress=False)
    assert not any(tmp_path.iterdir())


# --------------------------------------------------------------------------- 3: --silhouette N >= n
@pytest.mark.parametrize("extra, n, sample", [
    ([], N_DIGITS, N_DIGITS),
    ([], N_DIGITS, 5000),
    (["--n-samples", "300"], 300, 300),
])
def test_silhouette_sample_not_smaller_than_n_is_an_error(tmp_path, capsys, no_work, extra, n, sample):
    status, _, err = run(capsys, "sweep", "--method", "kmeans", "--k", "2:4", "--dataset", "digits",
                         "--silhouette", str(sample), *extra, "--results-dir", str(tmp_path),
                         "--no-progress")
    assert status == 2
    assert f"N={sample}" in err and f"n={n}" in err and "omit --silhouette" in err
    assert not any(tmp_path.iterdir())


def test_silhouette_sample_just_below_n_is_accepted(tmp_path, capsys):
    status, _, err = run(capsys, "sweep", "--method", "kmeans", "--k", "2", "--dataset", "digits",
                         "--n-samples", "60", "--silhouette", "59", "--workers", "1",
                         "--results-dir", str(tmp_path), "--no-progress")
    assert status == 0, err
    table = pd.read_csv(tmp_path / "digits-first60" / "kmeans.csv")
    assert table["silhouette_mode"].tolist() == ["sampled-59"]


# --------------------------------------------------------------------------- 4: k = n
def test_k_equal_to_n_is_rejected_before_any_fit(tmp_path, capsys, no_work):
    status, _, err = run(capsys, "sweep", "--method", "kmeans", "--k", "2,1499,1500",
                         "--dataset", "digits", "--results-dir", str(tmp_path), "--no-progress")
    assert status == 2
    assert "k=1500" in err and "n=1500" in err and "n - 1 = 1499" in err
    assert not any(tmp_path.iterdir())


def test_k_equal_to_n_minus_one_is_a_valid_sweep(tmp_path, capsys):
    # the boundary: 50 images, k = 49 has exactly one cluster of two images
    status, _, err = run(capsys, "sweep", "--method", "kmeans", "--k", "49", "--dataset", "digits",
                         "--n-samples", "50", "--workers", "1", "--results-dir", str(tmp_path),
                         "--no-progress")
    assert status == 0, err
    table = pd.read_csv(tmp_path / "digits-first50" / "kmeans.csv")
    assert table["k"].tolist() == [49] and np.isfinite(table["silhouette"]).all()
    status, _, err = run(capsys, "sweep", "--method", "kmeans", "--k", "50", "--dataset", "digits",
                         "--n-samples", "50", "--workers", "1", "--results-dir", str(tmp_path),
                         "--no-progress")
    assert status == 2 and "k=50" in err and "n=50" in err


# --------------------------------------------------------------------------- 5: --no-progress
@pytest.mark.parametrize("method", ["kmeans", "kmedoids-alternate"])
def test_no_progress_shows_no_bar_not_even_the_distances(tmp_path, capsys, monkeypatch, method):
    cache = tmp_path / "cache"
    monkeypatch.setenv("MNIST_CLUSTERING_CACHE", str(cache))  # a fresh cache: the matrix is computed
    status, _, err = run(capsys, "sweep", "--method", method, "--k", "2:4", "--dataset", "digits",
                         "--workers", "1", "--results-dir", str(tmp_path / "results"),
                         "--no-progress")
    assert status == 0, err
    assert list(cache.glob("distances-*.f32")), "the distance matrix was not computed in this run"
    assert "%|" not in err and "it/s" not in err and "distances" not in err
    assert err.strip() == ""


def test_run_sweep_progress_false_is_silent_with_given_data(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MNIST_CLUSTERING_CACHE", str(tmp_path / "cache"))
    data = sweep.SweepData("digits", 300)
    sweep.run_sweep("kmeans", "2:4", data=data, results_dir=tmp_path, progress=False)
    assert capsys.readouterr().err.strip() == ""


def test_progress_shows_the_distance_bar(tmp_path, capsys, monkeypatch):
    # the contrary, so the test above cannot pass by the bar being gone for good
    monkeypatch.setenv("MNIST_CLUSTERING_CACHE", str(tmp_path / "cache"))
    status, _, err = run(capsys, "sweep", "--method", "kmeans", "--k", "2", "--dataset", "digits",
                         "--workers", "1", "--results-dir", str(tmp_path / "results"))
    assert status == 0, err
    assert "distances" in err and "%|" in err


# --------------------------------------------------------------------------- 6: Ctrl-C with workers
def test_ctrl_c_with_worker_processes_prints_only_the_clean_message(tmp_path):
    results = tmp_path / "results"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(PROJECT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    argv = [sys.executable, "-m", "mnist_clustering.cli", "sweep", "--method", "kmeans",
            "--dataset", "digits", "--k", "2:600", "--silhouette", "300", "--workers", "2",
            "--results-dir", str(results), "--no-progress"]
    # its own process group, like a terminal's foreground job: Ctrl-C reaches every process
    # of the group, the (loky) worker processes included
    # Ctrl-C's default action in the child, as in a terminal: a test run started in the
    # background by a non-interactive shell ignores SIGINT, and an ignored signal is
    # inherited (Python keeps it), so the sweep would never see the Ctrl-C
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    table = results / "digits" / "kmeans.csv"
    try:
        deadline = time.monotonic() + 180
        while not table.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert table.exists(), f"no row was written: {process.poll()=}"
        time.sleep(0.5)  # the workers are mid-fit
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.strip() == "interrupted: every finished k is already saved; re-run to resume."
    rows = pd.read_csv(table)
    assert 1 <= len(rows) < 598  # interrupted mid-sweep
    assert set(rows["k"]) <= set(range(2, 600)) and rows["silhouette"].notna().all()
    # no worker outlives the driver
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        pytest.fail("processes of the interrupted sweep are still running")


# --------------------------------------------------------------------------- 7: bad --seed
@pytest.mark.parametrize("seed", ["-1", str(2**32)])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_bad_seed_is_a_clear_error_before_any_work(tmp_path, capsys, no_work, seed, workers):
    status, _, err = run(capsys, "sweep", "--method", "kmeans", "--k", "2:5", "--seed", seed,
                         "--workers", workers, "--dataset", "digits",
                         "--results-dir", str(tmp_path), "--no-progress")
    assert status == 2
    assert f"got {seed}" in err and "2**32 - 1" in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("seed", [-1, 2**32, True, 1.0, "0", None])
def test_make_spec_rejects_seeds_scikit_learn_would(seed):
    with pytest.raises(ValueError, match="seed must be an integer from 0 to 2\\*\\*32 - 1"):
        sweep.make_spec("kmeans", seed=seed)


@pytest.mark.parametrize("seed", [0, 2**32 - 1, np.int64(7), np.uint32(2**32 - 1)])
def test_make_spec_accepts_scikit_learns_seed_range(seed):
    from sklearn.utils import check_random_state

    check_random_state(seed)  # the oracle: scikit-learn accepts it
    assert sweep.make_spec("kmeans", seed=seed).seed == int(seed)


# --------------------------------------------------------------------------- 8: best --help
def test_best_help_lists_every_score_with_its_direction(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["best", "--help"])
    assert exit_info.value.code == 0
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert len(SCORE_DIRECTIONS) == 11
    for score, direction in SCORE_DIRECTIONS.items():
        assert f"{score} ({direction})" in out
    assert "--n-samples" in out


def test_best_unknown_score_lists_scores_before_reading_any_table(tmp_path, capsys):
    # no table exists: the score is still what is reported wrong
    status, _, err = run(capsys, "best", "--method", "kmeans", "--score", "purity_test",
                         "--dataset", "digits", "--results-dir", str(tmp_path))
    assert status == 2
    assert "unknown score 'purity_test'" in err
    assert "test_purity (max)" in err and "label_entropy (min)" in err
    assert "no results" not in err


# --------------------------------------------------------------------------- 9: make lab as root
def _make_lab(*overrides):
    out = subprocess.run(["make", "-n", "lab", *overrides], cwd=PROJECT, capture_output=True,
                         text=True, check=True).stdout
    return [line for line in out.splitlines() if "jupyter lab" in line]


def test_make_lab_passes_allow_root_exactly_for_root():
    (as_root,) = _make_lab("LAB_UID=0")
    (as_user,) = _make_lab("LAB_UID=1000")
    assert re.search(r"jupyter lab --allow-root notebooks/$", as_root)
    assert "--allow-root" not in as_user
    (default,) = _make_lab()  # the real user id
    assert ("--allow-root" in default) == (os.geteuid() == 0)


@pytest.mark.parametrize("mirrored", [False, True])
def test_damaged_distance_cache_stops_the_sweep_until_rebuilt(tmp_path, capsys, monkeypatch,
                                                               mirrored):
    cache = tmp_path / "cache"
    monkeypatch.setenv("MNIST_CLUSTERING_CACHE", str(cache))
    sweep_args = ["sweep", "--method", "kmedoids-alternate", "--dataset", "digits", "--k", "5,9",
                  "--workers", "1", "--no-progress"]
    clean_dir, damaged_dir = tmp_path / "clean", tmp_path / "damaged"
    assert run(capsys, *sweep_args, "--results-dir", str(clean_dir))[0] == 0
    (matrix,) = cache.glob("distances-*.f32")
    n = 1500
    D = np.memmap(matrix, dtype=np.float32, mode="r+", shape=(n, n))
    row, start = 700, 2 * n // 3  # a bad disk page: a third of one row scaled by 1.7
    D[row, start:] *= np.float32(1.7)
    if mirrored:
        D[start:, row] *= np.float32(1.7)
    D.flush()
    del D
    code, out, err = run(capsys, *sweep_args, "--results-dir", str(damaged_dir))
    assert code == 2
    assert str(matrix) in err and "--rebuild-distances" in err and "Traceback" not in err
    assert not (damaged_dir / "digits" / "kmedoids-alternate.csv").exists()  # nothing computed
    code, out, err = run(capsys, *sweep_args, "--results-dir", str(damaged_dir),
                         "--rebuild-distances")
    assert code == 0, err
    columns = ["k", "inertia", "silhouette", "calinski_harabasz", "purity", "n_iter"]
    clean = pd.read_csv(clean_dir / "digits" / "kmedoids-alternate.csv")[columns]
    rebuilt = pd.read_csv(damaged_dir / "digits" / "kmedoids-alternate.csv")[columns]
    pd.testing.assert_frame_equal(rebuilt, clean)
