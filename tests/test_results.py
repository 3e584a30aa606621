"""The results store: strict reading, exact floats, permissions, pending records, concurrency."""

import os
import stat
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from mnist_clustering import evaluate
from mnist_clustering.records import write_record
from mnist_clustering.scores import VALUE_RANGES
from mnist_clustering.results import (
    COLUMNS, DIGEST_COLUMN, ResultsError, ResultsStore, atomic_write,
)
from mnist_clustering.sweep import SweepData, load_results, run_sweep

TIMINGS = ["fit_seconds", "score_seconds"]
SAME = [c for c in COLUMNS if c not in TIMINGS]


@pytest.fixture(scope="module")
def digits_data():
    return SweepData("digits")


@pytest.fixture
def stored(tmp_path, digits_data):
    """A complete digits table of k = 2, 3, 4 and its CSV path."""
    run_sweep("kmeans", "2:5", dataset="digits", results_dir=tmp_path, progress=False,
              data=digits_data)
    return tmp_path, tmp_path / "digits" / "kmeans.csv"


def _lines(csv):
    return csv.read_text().splitlines(keepends=True)


def _sweep_again(results, digits_data):
    return run_sweep("kmeans", "2:5", dataset="digits", results_dir=results, progress=False,
                     data=digits_data)


# --------------------------------------------------------------------------- strict tables
@pytest.mark.parametrize("cut", ["mid-line", "after-silhouette"])
def test_truncated_row_is_an_error_naming_file_line_and_fix(stored, digits_data, cut):
    results, csv = stored
    lines = _lines(csv)
    fields = lines[2].split(",")
    silhouette_at = COLUMNS.index("silhouette") + 4  # params holds 4 commas of JSON
    keep = len(lines[2]) // 2 if cut == "mid-line" else len(",".join(fields[:silhouette_at + 1]))
    csv.write_text("".join(lines[:2]) + lines[2][:keep])
    before = csv.read_bytes()
    for action in (lambda: load_results("kmeans", "digits", results),
                   lambda: _sweep_again(results, digits_data)):
        with pytest.raises(ResultsError) as error:
            action()
        message = str(error.value)
        assert str(csv) in message and "line 3" in message and "fields" in message
        assert "delete that line" in message
    assert csv.read_bytes() == before  # never rewritten behind the user's back


@pytest.mark.parametrize("column, value", [("inertia", "abc"), ("n_iter", "2.5"), ("k", "x"),
                                           ("purity", "nan"), ("accuracy", "")])
def test_bad_cell_is_an_error(stored, column, value):
    results, csv = stored
    table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    table.loc[1, column] = value
    table.to_csv(csv, index=False)
    with pytest.raises(ResultsError, match=rf"line 3 .*{column}"):
        load_results("kmeans", "digits", results)


def test_empty_silhouette_is_pending_not_an_error(stored):
    results, csv = stored
    store = ResultsStore("digits", "kmeans", results)
    table = store.load()
    table.loc[0, "silhouette"] = np.nan  # as the store writes a pending row
    with store.lock():
        store.save(table, store.load_provenance())
    assert pd.read_csv(csv, dtype=str, keep_default_na=False).loc[0, "silhouette"] == ""
    assert np.isnan(load_results("kmeans", "digits", results).loc[0, "silhouette"])


def test_duplicate_row_key_is_an_error(stored):
    results, csv = stored
    lines = _lines(csv)
    csv.write_text("".join(lines + [lines[1]]))
    with pytest.raises(ResultsError, match=r"line 5 repeats k=2, seed=0 \(also on line 2\)"):
        load_results("kmeans", "digits", results)


def test_load_equals_pandas_reading_of_committed_tables():
    # The strict reader returns what pandas reads from a well-formed table, dtypes included.
    for method in ("kmeans", "kmedoids-alternate", "kmedoids-fasterpam"):
        store = ResultsStore("mnist", method)
        expected = pd.read_csv(store.csv).sort_values(["k", "seed"], ignore_index=True)
        assert list(expected.columns) == [*COLUMNS, DIGEST_COLUMN]
        pd.testing.assert_frame_equal(store.load(), expected.drop(columns=DIGEST_COLUMN))


# --------------------------------------------------------------------------- exact floats
def test_floats_read_back_bit_identical(tmp_path, digits_data):
    store = ResultsStore("digits", "kmeans", tmp_path)
    rng = np.random.default_rng(1)
    table = run_sweep("kmeans", "2", dataset="digits", results_dir=tmp_path, progress=False,
                      data=digits_data)
    many = pd.concat([table] * 200, ignore_index=True)
    many["k"] = np.arange(2, 202)
    floats = [c for c in COLUMNS if many[c].dtype == np.float64]
    for column in floats:
        # awkward doubles: random mantissas over many magnitudes (within the column's
        # range, as the store refuses anything else), and float32 values
        low, high = VALUE_RANGES[column]
        if high is None:
            many[column] = np.abs(rng.standard_normal(200)) * 10.0 ** rng.integers(-12, 12, 200)
        else:
            many[column] = low + (high - low) * rng.random(200) ** rng.integers(1, 40, 200)
    many.loc[:9, "inertia"] = rng.random(10).astype(np.float32).astype(np.float64)
    with store.lock():
        store.save(many, {})
    back = store.load()
    for column in floats:
        assert back[column].to_numpy().tobytes() == many[column].to_numpy().tobytes(), column


def test_resumed_table_equals_one_run_to_the_last_bit(tmp_path, digits_data):
    one_run = tmp_path / "one"
    run_sweep("kmeans", "2:12", dataset="digits", results_dir=one_run, progress=False,
              data=digits_data)
    resumed = tmp_path / "resumed"
    for grid in ("2:5", "9:12", "2:12"):  # extended, then resumed over the gap
        run_sweep("kmeans", grid, dataset="digits", results_dir=resumed, progress=False,
                  data=digits_data)
    first = pd.read_csv(one_run / "digits" / "kmeans.csv", dtype=str)
    second = pd.read_csv(resumed / "digits" / "kmeans.csv", dtype=str)
    # the same text in every column but the timings, hence the same doubles
    pd.testing.assert_frame_equal(first[SAME], second[SAME])
    assert first["inertia"].str.len().max() > 11  # not rounded to 10 significant digits


# --------------------------------------------------------------------------- permissions
def test_files_follow_the_umask(tmp_path, digits_data):
    old = os.umask(0o022)
    try:
        run_sweep("kmeans", "2,3", dataset="digits", results_dir=tmp_path, progress=False,
                  data=digits_data, keep="3")
        atomic_write(tmp_path / "plain.txt", "x")
    finally:
        os.umask(old)
    folder = tmp_path / "digits"
    for path in (folder / "kmeans.csv", folder / "kmeans.json",
                 folder / "artifacts" / "kmeans-k3.npz", tmp_path / "plain.txt"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
    assert not list(folder.glob(".*.tmp")) and not list(folder.glob("**/.*.tmp"))


def test_pending_record_follows_the_umask(tmp_path, digits_data, monkeypatch):
    from mnist_clustering import distances

    monkeypatch.setattr(distances, "silhouette_scores", _interrupt)
    old = os.umask(0o027)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_sweep("kmeans", "2", dataset="digits", results_dir=tmp_path, progress=False,
                      data=digits_data)
    finally:
        os.umask(old)
    (record,) = (tmp_path / "digits" / ".pending-silhouettes" / "kmeans").glob("*.npz")
    assert stat.S_IMODE(record.stat().st_mode) == 0o640


# --------------------------------------------------------------------------- pending records
def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("damage", [b"", b"\x93NUMPY\x01\x00v\x00{'descr'", b"PK\x03\x04", None])
def test_damaged_pending_record_is_recomputed(tmp_path, digits_data, monkeypatch, capsys, damage):
    from mnist_clustering import distances

    monkeypatch.setattr(distances, "silhouette_scores", _interrupt)
    with pytest.raises(KeyboardInterrupt):
        run_sweep("kmeans", "2,5", dataset="digits", results_dir=tmp_path, progress=False,
                  data=digits_data)
    monkeypatch.undo()
    (record,) = (tmp_path / "digits" / ".pending-silhouettes" / "kmeans").glob("k5-*.npz")
    if damage is None:  # a sound record of the wrong length
        write_record(record, {"labels": np.zeros(7, dtype=np.uint16)})
    else:
        record.write_bytes(damage)
    real = evaluate.evaluate_k
    fitted = []
    monkeypatch.setattr(evaluate, "evaluate_k", lambda *a, **kw: fitted.append(a[2]) or real(*a, **kw))
    table = run_sweep("kmeans", "2,5", dataset="digits", results_dir=tmp_path, progress=False,
                      data=digits_data)
    assert fitted == [5]
    assert not table["silhouette"].isna().any()
    err = capsys.readouterr().err
    assert str(record) in err and "recomputed" in err
    assert not record.exists()


def test_pending_records_of_other_seeds_and_parameters_never_mix(tmp_path, digits_data, monkeypatch):
    from mnist_clustering import distances

    monkeypatch.setattr(distances, "silhouette_scores", _interrupt)
    for seed in (0, 1):
        with pytest.raises(KeyboardInterrupt):
            run_sweep("kmeans", "4", dataset="digits", results_dir=tmp_path, progress=False,
                      data=digits_data, seed=seed)
    monkeypatch.undo()
    records = sorted(p.name for p in (tmp_path / "digits" / ".pending-silhouettes" / "kmeans").glob("*"))
    assert [name.split("-")[:2] for name in records] == [["k4", "seed0"], ["k4", "seed1"]]
    table = run_sweep("kmeans", "4", dataset="digits", results_dir=tmp_path, progress=False,
                      data=digits_data, seed=1)
    clean = run_sweep("kmeans", "4", dataset="digits", results_dir=tmp_path / "clean",
                      progress=False, data=digits_data, seed=1)
    pd.testing.assert_frame_equal(table[SAME], clean[SAME])
    everything = load_results("kmeans", "digits", tmp_path)
    assert not everything["silhouette"].isna().any()  # seed 0's pending row filled too


def test_stale_writer_does_not_drop_rows(tmp_path, digits_data):
    # Two stores, as in two processes: each merges into the table on disk, not its own copy.
    rows = {}
    for k in (2, 3):
        row, fit = evaluate.evaluate_k(digits_data, evaluate.make_spec("kmeans"), k,
                                       defer_silhouette=False)
        rows[k] = row
    first, second = (ResultsStore("digits", "kmeans", tmp_path) for _ in range(2))
    spec = evaluate.make_spec("kmeans")
    assert first.load().empty and second.load().empty
    first.record(rows[2], spec, provenance_update=lambda previous: {"a": 1})
    second.record(rows[3], spec, provenance_update=lambda previous: {**previous, "b": 2})
    assert list(first.load()["k"]) == [2, 3]
    assert first.load_provenance() == {"a": 1, "b": 2}


# --------------------------------------------------------------------------- real processes
def _cli(results, *args):
    command = [sys.executable, "-m", "mnist_clustering.cli", "sweep", "--method", "kmeans",
               "--dataset", "digits", "--results-dir", str(results), "--no-progress", *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_concurrent_processes_lose_and_mix_nothing(tmp_path, digits_data):
    shared = tmp_path / "shared"
    runs = [("2:40", "0", "1"), ("20:60", "0", "2"), ("2:40", "1", "1")]  # overlap, disjoint seeds
    processes = [_cli(shared, "--k", ks, "--seed", seed, "--workers", workers)
                 for ks, seed, workers in runs]
    for process in processes:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
    union = load_results("kmeans", "digits", shared)
    clean = pd.concat([
        run_sweep("kmeans", "2:60", dataset="digits", results_dir=tmp_path / "clean0",
                  progress=False, data=digits_data, seed=0),
        run_sweep("kmeans", "2:40", dataset="digits", results_dir=tmp_path / "clean1",
                  progress=False, data=digits_data, seed=1),
    ], ignore_index=True).sort_values(["k", "seed"], ignore_index=True)
    pd.testing.assert_frame_equal(union[SAME], clean[SAME])
    assert not list((shared / "digits").glob(".pending-silhouettes/kmeans/*"))
