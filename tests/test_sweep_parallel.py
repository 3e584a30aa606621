"""Sweeps on workers (local processes and Dask): the serial rows to the last bit, the
distance-matrix sources, the checks each worker makes, a lost worker, the command line.

The executor itself is tested on toy functions in test_executors.py.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time

import distributed
import numpy as np
import pandas as pd
import psutil
import pytest
from threadpoolctl import threadpool_limits

from mnist_clustering import evaluate, executors
from mnist_clustering.cli import main
from mnist_clustering.distances import distance_matrix
from mnist_clustering.evaluate import (
    DistanceSource, SweepData, SweepTask, evaluate_k, evaluate_task, make_spec,
    open_shared_matrix, resolve_distances, worker_data,
)
from mnist_clustering.executors import WorkerLostError
from mnist_clustering.results import ResultsStore
from mnist_clustering.sweep import load_results, run_sweep

TIMING = ["fit_seconds", "score_seconds"]


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  memory_limit=0, dashboard_address=None,
                                  silence_logs=logging.ERROR,
                                  scheduler_kwargs={"dashboard_address": ":0"}) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        yield client


@pytest.fixture(scope="module")
def digits_data(tmp_path_factory):
    """The driver's digits, with its distance matrix cached in the driver's own folder."""
    data = SweepData("digits")
    data.__dict__["distances"] = distance_matrix(
        data.X, cache_dir=tmp_path_factory.mktemp("driver-cache"), progress=False)
    return data


def _sweep(method, ks, data, results_dir, **options):
    return run_sweep(method, ks, data=data, results_dir=results_dir, progress=False, **options)


def _assert_same_rows(left, right):
    assert list(left["k"]) == list(right["k"])
    pd.testing.assert_frame_equal(left.drop(columns=TIMING).reset_index(drop=True),
                                  right.drop(columns=TIMING).reset_index(drop=True),
                                  check_exact=True, check_dtype=False)


# --------------------------------------------------------------------------- identity
@pytest.mark.parametrize("method", ["kmeans", "kmedoids-alternate", "kmedoids-fasterpam"])
@pytest.mark.parametrize("where", ["local processes", "dask"])
def test_a_sweep_on_workers_equals_the_serial_sweep(method, where, request, digits_data,
                                                    tmp_path):
    ks = "2:30:4" if method != "kmedoids-fasterpam" else "5,12"
    options = ({"workers": 2} if where == "local processes"
               else {"scheduler": request.getfixturevalue("client")})
    serial = _sweep(method, ks, digits_data, tmp_path / "serial")
    parallel = _sweep(method, ks, digits_data, tmp_path / "parallel", **options)
    _assert_same_rows(serial, parallel)
    _assert_same_rows(load_results(method, "digits", tmp_path / "serial"),
                      load_results(method, "digits", tmp_path / "parallel"))
    assert (parallel["fit_seconds"] > 0).all()
    assert parallel["silhouette"].notna().all()  # exact, filled in on the driver


@pytest.mark.parametrize("where", ["local processes", "dask"])
def test_a_seeds_sweep_on_workers_equals_one_serial_sweep_per_seed(where, request, digits_data,
                                                                   tmp_path):
    options = ({"workers": 2} if where == "local processes"
               else {"scheduler": request.getfixturevalue("client")})
    both = _sweep("kmeans", "3,8", digits_data, tmp_path / "workers", seeds="0:3",
                  silhouette=300, **options)
    assert list(zip(both["k"], both["seed"])) == [(k, s) for k in (3, 8) for s in range(3)]
    for s in range(3):  # the oracle: one serial sweep with that seed alone
        alone = _sweep("kmeans", "3,8", digits_data, tmp_path / f"seed{s}", seed=s,
                       silhouette=300)
        _assert_same_rows(alone, both[both["seed"] == s])


def test_a_kmeans_row_does_not_depend_on_the_callers_thread_pools(digits_data, tmp_path):
    # scikit-learn sums K-Means' float32 inertia per OpenMP thread chunk, so the thread
    # count would move it in its ~7th digit; every fit runs on one thread instead, so a
    # caller with bigger pools (a laptop, CI, a worker) gets the very same row.
    one = _sweep("kmeans", "2:30:4", digits_data, tmp_path / "one", silhouette=500)
    with threadpool_limits(limits=max(2, os.cpu_count())):
        many = _sweep("kmeans", "2:30:4", digits_data, tmp_path / "many", silhouette=500)
    _assert_same_rows(one, many)


# --------------------------------------------------------------------------- distances
@pytest.mark.parametrize("policy", ["shared-path", "scatter", "recompute"])
def test_every_distance_source_gives_the_serial_rows(policy, digits_data, tmp_path):
    data = SweepData("digits") if policy == "recompute" else digits_data
    rows = _sweep("kmedoids-alternate", "3,10", data, tmp_path / "workers", workers=2,
                  distances=policy, silhouette=300)
    serial = _sweep("kmedoids-alternate", "3,10", digits_data, tmp_path / "serial",
                    silhouette=300)
    if policy == "recompute":
        # The workers' own matrix may be rounded differently in float32 (BLAS threads):
        # the loss read from it agrees to float32 precision. The other sources hand
        # the workers the driver's very bytes.
        np.testing.assert_allclose(rows["inertia"], serial["inertia"], rtol=1e-6)
        rows, serial = rows.drop(columns="inertia"), serial.drop(columns="inertia")
        assert "distances" not in data.__dict__  # the driver built no matrix
    _assert_same_rows(serial, rows)


def test_the_default_source_follows_where_the_matrix_is(digits_data):
    spec = make_spec("kmedoids-alternate")
    source = resolve_distances(None, digits_data, spec)
    assert source.policy == "shared-path"
    assert source.path == os.path.realpath(digits_data.distances.filename)
    in_ram = SweepData("digits")
    in_ram.__dict__["distances"] = distance_matrix(in_ram.X, in_memory=True, progress=False)
    scattered = resolve_distances(None, in_ram, spec)
    assert scattered.policy == "scatter" and scattered.matrix is not None
    with pytest.raises(ValueError, match="'shared-path' needs .* cache file"):
        resolve_distances("shared-path", in_ram, spec)
    with pytest.raises(ValueError, match="unknown distances policy 'copy'"):
        resolve_distances("copy", in_ram, spec)
    for kmeans in (make_spec("kmeans", silhouette=500), make_spec("kmeans")):
        # the exact silhouette is computed on the driver, so workers need no matrix
        assert resolve_distances(None, SweepData("digits"), kmeans).policy == "none"


def test_a_shared_matrix_is_checked_before_use(digits_data, tmp_path):
    good = resolve_distances("shared-path", digits_data, make_spec("kmedoids-alternate"))
    n = len(digits_data.X)
    assert np.array_equal(open_shared_matrix(good.path, good.sidecar, n)[:5],
                          digits_data.distances[:5])
    with pytest.raises(ValueError, match=r"gone\.f32 does not exist on worker .*"
                                         r"MNIST_CLUSTERING_CACHE"):
        open_shared_matrix(tmp_path / "gone.f32", good.sidecar, n)
    other = dict(good.sidecar, created="2000-01-01T00:00:00+00:00")  # a recomputed file
    with pytest.raises(ValueError, match="is not the driver's .*created"):
        open_shared_matrix(good.path, other, n)
    short = tmp_path / "distances-x.f32"
    short.write_bytes(b"\0" * 36)
    with pytest.raises(ValueError, match="has 36 bytes, expected"):
        open_shared_matrix(short, good.sidecar, n)


# --------------------------------------------------------------------------- worker checks
def test_a_worker_loads_the_data_once_and_checks_it(digits_data):
    first = worker_data(digits_data.source, digits_data.fingerprint)
    assert worker_data(digits_data.source, digits_data.fingerprint) is first
    np.testing.assert_array_equal(first.X, digits_data.X)
    wrong = {"x_train_prepared_sha256": "0" * 64, "y_train_sha256": "0" * 64}
    with pytest.raises(ValueError, match="digits-first50 images on worker .* differ from "
                                         "the driver's"):
        worker_data(SweepData("digits", 50).source, wrong)


def test_a_worker_whose_cached_data_differs_loads_it_again_once(digits_data):
    # a stale entry (as a process that outlived a rebuilt cache would hold) is replaced,
    # not trusted and not a failure
    stale = SweepData("digits", progress=False)
    stale.__dict__["arrays"] = (digits_data.X[::-1].copy(), *digits_data.arrays[1:])
    evaluate._LOADED[digits_data.source] = stale
    fresh = worker_data(digits_data.source, digits_data.fingerprint)
    assert fresh is not stale
    np.testing.assert_array_equal(fresh.X, digits_data.X)


def test_the_data_a_worker_loads_is_the_drivers_whatever_its_environment(tmp_path,
                                                                         monkeypatch):
    # A worker process keeps the environment it started with. The driver now reads its
    # PCA space from cache B; the worker's environment still names cache A, which holds
    # another (valid, checksummed) PCA file under the same key. The worker must read B's.
    from mnist_clustering import spaces
    from mnist_clustering.cachefiles import write_verified

    monkeypatch.setenv("MNIST_CLUSTERING_CACHE", str(tmp_path / "A"))
    started = run_sweep("kmeans", "3,4", dataset="digits", results_dir=tmp_path / "warm",
                        progress=False, workers=2, silhouette=300)  # the pool starts with A
    assert len(started) == 2
    monkeypatch.setenv("MNIST_CLUSTERING_CACHE", str(tmp_path / "B"))
    driver = spaces.embed("pca", "digits", progress=False)
    other = driver.X_train.copy()
    other[0] += 1  # "another build"
    info = {key: value for key, value in driver.provenance.items()
            if key not in ("file", "bytes", "checksum")}
    write_verified(tmp_path / "A" / driver.provenance["file"],
                   spaces._npz_bytes(X_train=other, X_test=driver.X_test), info)
    serial = run_sweep("kmeans", "3,5", dataset="digits", space="pca", progress=False,
                       results_dir=tmp_path / "serial", workers=1)
    parallel = run_sweep("kmeans", "3,5", dataset="digits", space="pca", progress=False,
                         results_dir=tmp_path / "parallel", workers=2)
    _assert_same_rows(serial, parallel)


def test_a_pickled_sweep_data_carries_no_arrays(digits_data):
    import pickle

    assert len(pickle.dumps(digits_data)) < 1000  # name and fingerprint only


def test_a_worker_with_other_versions_is_refused(digits_data):
    spec = make_spec("kmeans", silhouette=20)
    task = SweepTask(digits_data, spec)
    assert evaluate_task(task, (0, 3))[0]["k"] == 3  # same environment: fine
    other = SweepTask(digits_data, spec, versions=dict(task.versions, numpy="0.1"))
    with pytest.raises(ValueError, match=r"other versions \(numpy 0\.1 on the driver vs "):
        evaluate_task(other, (0, 3))


def test_a_task_equals_evaluate_k(digits_data):
    spec = make_spec("kmedoids-alternate")
    source = resolve_distances(None, digits_data, spec)
    row, _ = evaluate_task(SweepTask(digits_data, spec, source), (0, 7))
    expected, _ = evaluate_k(digits_data, spec, 7)
    assert row.keys() == expected.keys()
    assert {c: row[c] for c in row if c not in TIMING} == {
        c: expected[c] for c in expected if c not in TIMING and c != "silhouette"} | {
        "silhouette": row["silhouette"]}
    assert np.isnan(row["silhouette"]) and np.isnan(expected["silhouette"])  # both deferred
    assert DistanceSource("none").matrix is None


# --------------------------------------------------------------------------- failures
def test_a_worker_killed_mid_sweep_loses_no_finished_row(tmp_path):
    ks = list(range(2, 50, 6))
    options = dict(dataset="digits", results_dir=tmp_path, progress=False, silhouette=300,
                   n_init=20, workers=2)  # ~0.1-1 s per k: still running at the kill
    store = ResultsStore("digits", "kmeans", tmp_path, variant={"n_init": 20})  # its own table
    outcome = {}

    def sweep():
        try:
            outcome["table"] = run_sweep("kmeans", ks, **options)
        except Exception as error:  # noqa: BLE001  (checked below)
            outcome["error"] = error

    thread = threading.Thread(target=sweep)
    thread.start()
    deadline = time.monotonic() + 60
    while not store.csv.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    before_kill = store.load()
    workers = [child for child in psutil.Process().children(recursive=True)
               if "LokyProcess" in " ".join(child.cmdline())]
    os.kill(workers[0].pid, signal.SIGKILL)
    thread.join(timeout=120)

    assert not thread.is_alive(), "the sweep hung after a worker was killed"
    assert 1 <= len(before_kill) < len(ks), "the kill did not happen mid-sweep"
    assert isinstance(outcome.get("error"), WorkerLostError), outcome
    assert "re-run" in str(outcome["error"])
    first_run = store.load()
    rerun = run_sweep("kmeans", ks, **options)
    assert list(rerun["k"]) == ks
    final = store.load().set_index("k")
    for _, row in first_run.iterrows():  # finished rows, before and after the kill, kept
        assert final.loc[row["k"], "fit_seconds"] == row["fit_seconds"]
    assert set(before_kill["k"]) <= set(first_run["k"])


def test_a_bad_number_of_workers_is_refused_before_any_work(tmp_path, digits_data):
    for workers in (0, -2, 1.5, "2", True):
        with pytest.raises(ValueError, match="workers must be an integer >= 1"):
            _sweep("kmeans", "2:5", digits_data, tmp_path, workers=workers)
    assert not (tmp_path / "digits").exists()


# --------------------------------------------------------------------------- command line
def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_cli_a_bad_scheduler_address_fails_fast_and_says_what_to_do(tmp_path, capsys,
                                                                   monkeypatch):
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 3)
    address = f"tcp://127.0.0.1:{_closed_port()}"
    start = time.monotonic()
    status = main(["sweep", "--method", "kmeans", "--k", "2:5", "--dataset", "digits",
                   "--results-dir", str(tmp_path), "--scheduler", address, "--no-progress"])
    assert time.monotonic() - start < 15
    assert status == 2
    error = capsys.readouterr().err
    assert address in error and "dask scheduler" in error


def test_cli_scheduler_runs_the_sweep_on_that_cluster(client, digits_data, tmp_path, capsys):
    status = main(["sweep", "--method", "kmeans", "--k", "2:20:6", "--dataset", "digits",
                   "--silhouette", "300", "--results-dir", str(tmp_path / "dask"),
                   "--scheduler", client.scheduler.address, "--no-progress"])
    assert status == 0, capsys.readouterr().err
    _sweep("kmeans", "2:20:6", digits_data, tmp_path / "serial", silhouette=300)
    _assert_same_rows(load_results("kmeans", "digits", tmp_path / "serial"),
                      load_results("kmeans", "digits", tmp_path / "dask"))
    tasks = client.run_on_scheduler(lambda dask_scheduler: [
        str(key) for key in dask_scheduler.task_prefixes])
    assert any("one_thread" in name for name in tasks)  # it ran there
