"""Sweeps on Dask: same rows as the serial sweep, the distance-matrix policies, worker
loss, bad addresses, thread limits, and the command line.

One LocalCluster (2 worker processes x 1 thread) serves most tests; the worker-loss
test starts its own with :func:`parallel.dask_client`, as ``--workers 2`` does. The clusters' workers start without
Dask's default ``OMP_NUM_THREADS=1`` so that the thread-limit test shows the limit
comes from :mod:`mnist_clustering.parallel`, and with their own distance-matrix cache
directory, so 'recompute' is told apart from 'shared-path'.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from contextlib import contextmanager

import dask
import distributed
import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from mnist_clustering import parallel
from mnist_clustering.cli import main
from mnist_clustering.distances import distance_matrix
from mnist_clustering.sweep import (
    ResultsStore, SweepData, evaluate_k, load_results, make_spec, run_sweep,
)

TIMING = ["fit_seconds", "score_seconds"]


@contextmanager
def _cluster(workers_cache, n_workers=2):
    """A LocalCluster as the brief asks, with a client; logs kept to errors."""
    settings = {"distributed.nanny.pre-spawn-environ": {},  # no OMP_NUM_THREADS=1
                "distributed.scheduler.allowed-failures": 3}
    old_cache = os.environ.get("MNIST_CLUSTERING_CACHE")
    os.environ["MNIST_CLUSTERING_CACHE"] = str(workers_cache)  # inherited by the workers
    try:
        with dask.config.set(settings), distributed.LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, memory_limit=0,
            dashboard_address=None, scheduler_kwargs={"dashboard_address": ":0"},
            silence_logs=logging.ERROR,
        ) as cluster, distributed.Client(cluster, set_as_default=False) as client:
            yield client
    finally:
        if old_cache is None:
            os.environ.pop("MNIST_CLUSTERING_CACHE", None)
        else:
            os.environ["MNIST_CLUSTERING_CACHE"] = old_cache


@pytest.fixture(scope="module")
def workers_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("workers-cache")


@pytest.fixture(scope="module")
def client(workers_cache):
    with _cluster(workers_cache) as client:
        yield client


@pytest.fixture(scope="module")
def digits_data(tmp_path_factory):
    """The driver's digits, with its distance matrix cached in the driver's own folder."""
    data = SweepData("digits")
    data.__dict__["distances"] = distance_matrix(
        data.X, cache_dir=tmp_path_factory.mktemp("driver-cache"), progress=False)
    return data


def _states(client):
    """worker_state() of every worker, run as a task (thread limits are per task thread)."""
    futures = {address: client.submit(parallel.worker_state, workers=[address], pure=False,
                                      allow_other_workers=False)
               for address in client.scheduler_info()["workers"]}
    return {address: future.result() for address, future in futures.items()}


def _serial(method, ks, data, results_dir, **options):
    # The caller's thread pools as they are: every fit limits itself to one thread
    # (see test_a_kmeans_row_does_not_depend_on_the_callers_thread_pools).
    return run_sweep(method, ks, data=data, results_dir=results_dir, progress=False,
                     **options)


def _assert_same_rows(left, right):
    assert list(left["k"]) == list(right["k"])
    pd.testing.assert_frame_equal(left.drop(columns=TIMING).reset_index(drop=True),
                                  right.drop(columns=TIMING).reset_index(drop=True),
                                  check_exact=True, check_dtype=False)


# --------------------------------------------------------------------------- threads
def test_each_task_limits_blas_and_openmp_to_the_worker_threads(client, digits_data,
                                                                tmp_path):
    # Fresh worker processes, started without OMP_NUM_THREADS: their pools use every core.
    fresh = _states(client)
    if any(state["tasks"] for state in fresh.values()):  # not the first test here
        client.restart()
        fresh = _states(client)
    assert all(state["threads"]["openblas"] == os.cpu_count() for state in fresh.values())
    run_sweep("kmeans", "2:12:5", data=digits_data, results_dir=tmp_path, progress=False,
              silhouette=300, scheduler=client)
    limited = _states(client)
    assert all(set(state["threads"].values()) == {1} for state in limited.values()), limited
    assert all("openmp" in state["threads"] for state in limited.values())  # sklearn's too


# --------------------------------------------------------------------------- identity
@pytest.mark.parametrize("method", ["kmeans", "kmedoids-alternate"])
def test_dask_sweep_equals_serial_sweep(method, client, digits_data, tmp_path):
    ks = "2:30:4"
    serial = _serial(method, ks, digits_data, tmp_path / "serial")
    before = {address: len(state["tasks"]) for address, state in _states(client).items()}

    dask_rows = run_sweep(method, ks, data=digits_data, results_dir=tmp_path / "dask",
                          progress=False, scheduler=client)

    _assert_same_rows(serial, dask_rows)
    _assert_same_rows(load_results(method, "digits", tmp_path / "serial"),
                      load_results(method, "digits", tmp_path / "dask"))
    assert (dask_rows["fit_seconds"] > 0).all()
    assert dask_rows["silhouette"].notna().all()  # exact, filled in on the driver
    # The k really ran on the workers, spread over both. K-Medoids read the driver's own
    # cache file (the default policy: shared-path); K-Means needs no matrix there.
    states = _states(client)
    ran = {address: state["tasks"][before[address]:] for address, state in states.items()}
    assert sorted(k for tasks in ran.values() for k, _, _ in tasks) == list(serial["k"])
    assert all(ran.values()), f"a worker got no k: {ran}"
    expected = (("none", None) if method == "kmeans" else
                ("shared-path", str(os.path.realpath(digits_data.distances.filename))))
    assert {(policy, detail) for tasks in ran.values() for _, policy, detail in tasks} == {
        expected}


def test_a_kmeans_row_does_not_depend_on_the_callers_thread_pools(digits_data, tmp_path):
    # scikit-learn sums K-Means' float32 inertia per OpenMP thread chunk, so the thread
    # count would move it in its ~7th digit; every fit runs on one thread instead, so a
    # caller with bigger pools (a laptop, CI, a Dask worker) gets the very same row.
    one = _serial("kmeans", "2:30:4", digits_data, tmp_path / "one", silhouette=500)
    with threadpool_limits(limits=max(2, os.cpu_count())):
        many = run_sweep("kmeans", "2:30:4", data=digits_data, results_dir=tmp_path / "many",
                         progress=False, silhouette=500)
    _assert_same_rows(one, many)


def test_a_local_cluster_leaves_the_drivers_environment_as_it_was(monkeypatch):
    # Dask's nanny writes the workers' OMP_NUM_THREADS etc. into the driver's os.environ;
    # left there, every later subprocess of the driver would run on one thread.
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "7")
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    before = dict(os.environ)
    with parallel.dask_client(n_workers=1, threads_per_worker=1):
        pass
    assert dict(os.environ) == before


# --------------------------------------------------------------------------- distances
def _rows_by_policy(client, data, policy, ks, tmp_path):
    spec = make_spec("kmedoids-alternate")
    store = ResultsStore("digits", spec.method, tmp_path)
    rows = list(parallel.compute_rows_dask(client, data, [(spec, k) for k in ks], store,
                                               distances=policy))
    return spec, pd.DataFrame([row for row, _ in rows]).sort_values("k", ignore_index=True)


@pytest.mark.parametrize("policy", ["shared-path", "scatter", "recompute"])
def test_distance_policies_give_the_serial_rows(policy, client, digits_data, workers_cache,
                                                tmp_path):
    ks = [3, 10]
    data = SweepData("digits") if policy == "recompute" else digits_data
    before = {address: len(state["tasks"]) for address, state in _states(client).items()}

    spec, rows = _rows_by_policy(client, data, policy, ks, tmp_path)

    with threadpool_limits(limits=1):
        serial = pd.DataFrame([evaluate_k(digits_data, spec, k)[0] for k in ks])
    if policy == "recompute":
        # The workers' own matrix was computed with 1 BLAS thread, the driver's with
        # all cores: OpenBLAS' float32 GEMM rounds differently, so the K-Medoids loss
        # read from the matrix agrees to float32 precision only. The two other policies
        # use the driver's very bytes.
        from_matrix = ["inertia"]
        np.testing.assert_allclose(rows[from_matrix].astype(float),
                                   serial[from_matrix].astype(float), rtol=1e-6)
        serial, rows = serial.drop(columns=from_matrix), rows.drop(columns=from_matrix)
    _assert_same_rows(serial, rows)
    used = {(p, d) for address, state in _states(client).items()
            for _, p, d in state["tasks"][before[address]:]}
    expected = {
        "shared-path": str(os.path.realpath(digits_data.distances.filename)),
        "scatter": "scattered",
        # each worker built (or reused) its own cache file; the driver built nothing
        "recompute": str(workers_cache / f"distances-{_key(digits_data)}.f32"),
    }[policy]
    assert used == {(policy, expected)}
    if policy == "recompute":
        assert "distances" not in data.__dict__


def _key(data):
    from mnist_clustering.distances import cache_key

    return cache_key(data.X)


def test_default_policy_follows_where_the_matrix_is(digits_data):
    spec = make_spec("kmedoids-alternate")
    source = parallel.resolve_distances(None, digits_data, spec)
    assert source.policy == "shared-path"
    assert source.sidecar["key"] == _key(digits_data)
    in_ram = SweepData("digits")
    in_ram.__dict__["distances"] = distance_matrix(in_ram.X, in_memory=True, progress=False)
    with pytest.raises(ValueError, match="needs a Dask client"):
        parallel.resolve_distances(None, in_ram, spec)  # chose 'scatter'
    with pytest.raises(ValueError, match="'shared-path' needs .* cache file"):
        parallel.resolve_distances("shared-path", in_ram, spec)
    with pytest.raises(ValueError, match="unknown distances policy 'copy'"):
        parallel.resolve_distances("copy", in_ram, spec)
    for kmeans in (make_spec("kmeans", silhouette=500), make_spec("kmeans")):
        # the exact silhouette is computed on the driver, so workers need no matrix
        assert parallel.resolve_distances(None, SweepData("digits"), kmeans).policy == "none"


def test_shared_path_is_checked_on_the_worker(client, digits_data, tmp_path):
    good = parallel.resolve_distances("shared-path", digits_data, make_spec("kmedoids-alternate"))
    n = len(digits_data.X)
    opened = parallel.open_shared_matrix(good.path, good.sidecar, n)
    assert np.array_equal(opened[:5], digits_data.distances[:5])

    missing = client.submit(parallel.open_shared_matrix, str(tmp_path / "gone.f32"),
                            good.sidecar, n, pure=False)
    with pytest.raises(ValueError, match=r"gone\.f32 does not exist on Dask worker .*"
                                         r"MNIST_CLUSTERING_CACHE"):
        missing.result()
    other = dict(good.sidecar, created="2000-01-01T00:00:00+00:00")  # a recomputed file
    with pytest.raises(ValueError, match="is not the driver's .*created"):
        client.submit(parallel.open_shared_matrix, good.path, other, n, pure=False).result()
    with pytest.raises(ValueError, match="has 36 bytes, expected"):
        short = tmp_path / "distances-x.f32"
        short.write_bytes(b"\0" * 36)
        parallel.open_shared_matrix(short, good.sidecar, n)


# --------------------------------------------------------------------------- workers
def test_workers_load_data_once_and_check_it(client, digits_data, tmp_path):
    run_sweep("kmeans", "2:40:3", data=digits_data, results_dir=tmp_path, progress=False,
              silhouette=300, scheduler=client)
    states = _states(client)
    assert all(state["loads"].get(("digits", None)) == 1 for state in states.values()), states
    assert sum(len(state["tasks"]) for state in states.values()) > len(states)

    wrong = {"x_train_prepared_sha256": "0" * 64, "y_train_sha256": "0" * 64}
    future = client.submit(parallel._evaluate_task, "digits", 50, wrong,
                           make_spec("kmeans", silhouette=20), 3, None,
                           parallel.DistanceSource("none", None, None, None), pure=False)
    with pytest.raises(ValueError, match="digits-first50 images on Dask worker .* differ "
                                         "from the driver's"):
        future.result()


def test_workers_with_other_versions_are_refused(client):
    mine = parallel._versions()
    parallel.check_workers(client)  # same environment: fine
    with pytest.raises(ValueError, match=r"runs other versions \(numpy 0\.1 here vs "):
        parallel.check_workers(client, expected=dict(mine, numpy="0.1"))


# --------------------------------------------------------------------------- failures
def test_a_worker_killed_mid_sweep_loses_no_finished_row(tmp_path):
    ks = list(range(2, 50, 6))
    options = dict(dataset="digits", results_dir=tmp_path, progress=False, silhouette=300,
                   n_init=20)  # ~0.1-1 s per k: the sweep is still running at the kill
    store = ResultsStore("digits", "kmeans", tmp_path)
    # The package's own local cluster (as `--workers 2` starts it), 2 processes.
    with parallel.dask_client(n_workers=2, threads_per_worker=1) as client:
        # its workers start with 1 OpenMP/BLAS thread and glibc's adaptive malloc
        for variable, value in [("OMP_NUM_THREADS", "1"), ("MALLOC_TRIM_THRESHOLD_", None)]:
            assert set(client.run(os.environ.get, variable).values()) == {value}
        outcome = {}

        def sweep():
            try:
                outcome["table"] = run_sweep("kmeans", ks, scheduler=client, **options)
            except Exception as error:  # noqa: BLE001  (checked below)
                outcome["error"] = error

        thread = threading.Thread(target=sweep)
        thread.start()
        deadline = time.monotonic() + 60
        while not store.csv.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        before_kill = store.load()
        busy = [worker for worker, keys in client.processing().items() if keys]
        pids = client.run(os.getpid, workers=busy[:1] or None)
        os.kill(next(iter(pids.values())), signal.SIGKILL)
        thread.join(timeout=120)

        assert not thread.is_alive(), "the sweep hung after a worker was killed"
        assert 1 <= len(before_kill) < len(ks), "the kill did not happen mid-sweep"
        if "error" in outcome:  # allowed, if it says what happened
            assert "re-run" in str(outcome["error"]), outcome["error"]
        first_run = store.load()
        rerun = run_sweep("kmeans", ks, scheduler=client, **options)

        # A k whose workers keep dying (here: at once) ends the sweep with a clear
        # error, after the rows that did finish.
        client.run_on_scheduler(_no_second_chance)
        ok = client.submit(lambda: ("row", "fit"), pure=False)
        ok.result()
        dying = client.submit(os._exit, 1, pure=False)
        rows = parallel._as_rows(client, {ok.key: (3, ok), dying.key: (5, dying)})
        assert next(rows) == ("row", "fit")
        with pytest.raises(parallel.DaskSweepError, match="k=5: the Dask workers running it "
                                                          "died .* re-run"):
            next(rows)

    assert list(rerun["k"]) == ks
    final = store.load().set_index("k")
    for _, row in first_run.iterrows():  # finished rows, before and after the kill, kept
        assert final.loc[row["k"], "fit_seconds"] == row["fit_seconds"]
    assert set(before_kill["k"]) <= set(first_run["k"])


def _no_second_chance(dask_scheduler):
    dask_scheduler.allowed_failures = 0


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_bad_scheduler_address_fails_fast_and_says_what_to_do(tmp_path, capsys):
    address = f"tcp://127.0.0.1:{_closed_port()}"
    start = time.monotonic()
    status = main(["sweep", "--method", "kmeans", "--k", "2:5", "--dataset", "digits",
                   "--results-dir", str(tmp_path), "--scheduler", address, "--no-progress"])
    assert time.monotonic() - start < 15
    assert status == 2
    error = capsys.readouterr().err
    assert address in error and "dask scheduler" in error

    start = time.monotonic()
    with pytest.raises(ConnectionError, match=f"{address}.*dask scheduler"):
        run_sweep("kmeans", "2:5", dataset="digits", results_dir=tmp_path, progress=False,
                  silhouette=100, scheduler=address)
    assert time.monotonic() - start < 15
    with pytest.raises(TypeError, match="address string or a distributed.Client"):
        run_sweep("kmeans", "2:5", dataset="digits", results_dir=tmp_path, progress=False,
                  silhouette=100, scheduler=8786)


def test_a_listener_that_is_not_a_scheduler_times_out_clearly():
    # The port is open (the quick probe passes) but nothing speaks Dask there.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        start = time.monotonic()
        with pytest.raises(ConnectionError, match=f"no Dask scheduler answered at {address} "
                                                  "within 2 s"):
            parallel.connect(address, timeout=2)
        assert time.monotonic() - start < 15


def test_a_worker_address_is_not_taken_for_a_scheduler(client):
    worker = next(iter(client.scheduler_info()["workers"]))
    with pytest.raises(ValueError, match=f"{worker} is a Dask Worker, not a scheduler"):
        parallel.connect(worker, timeout=5)
    with parallel.dask_client(address=client.scheduler.address) as other:
        assert set(other.scheduler_info()["workers"]) == set(client.scheduler_info()["workers"])


# --------------------------------------------------------------------------- command line
def test_cli_scheduler_runs_the_sweep_on_that_cluster(client, digits_data, tmp_path, capsys):
    # (--workers N is the same code with dask_client(n_workers=N): see the kill test.)
    before = sum(len(state["tasks"]) for state in _states(client).values())
    status = main(["sweep", "--method", "kmeans", "--k", "2:20:6", "--dataset", "digits",
                   "--silhouette", "300", "--results-dir", str(tmp_path / "dask"),
                   "--scheduler", client.scheduler.address, "--no-progress"])
    assert status == 0, capsys.readouterr().err
    _serial("kmeans", "2:20:6", digits_data, tmp_path / "serial", silhouette=300)
    _assert_same_rows(load_results("kmeans", "digits", tmp_path / "serial"),
                      load_results("kmeans", "digits", tmp_path / "dask"))
    assert sum(len(state["tasks"]) for state in _states(client).values()) == before + 3
