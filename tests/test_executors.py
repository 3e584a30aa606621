"""The executor alone, on toy functions: in process, on local processes, on Dask.

Each test checks what a caller relies on: every result arrives, worker calls run on
one BLAS/OpenMP thread, the shared argument reaches every call, an early close stops
the work, a lost worker and a bad scheduler address are clear errors.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time

import distributed
import pytest

from mnist_clustering import executors
from mnist_clustering.executors import WorkerLostError, map_unordered


def where_and_threads(shared, item):
    from threadpoolctl import threadpool_info

    return item, shared, os.getpid(), {pool["num_threads"] for pool in threadpool_info()}


def touch_then_sleep(folder, item):
    (folder / f"ran-{item}").touch()
    time.sleep(0.5)
    return item


def fail_on_three(shared, item):
    if item == 3:
        raise ValueError("three is refused")
    return item


def die_on_three(shared, item):
    if item == 3:
        os._exit(1)
    time.sleep(0.2)
    return item


def sleep_then_pid(seconds, item):
    time.sleep(seconds)
    return os.getpid()


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=logging.ERROR,
                                  scheduler_kwargs={"dashboard_address": ":0"}) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        yield client


def test_one_worker_runs_each_call_here_in_order():
    results = list(map_unordered(where_and_threads, [3, 1, 2], shared="s"))
    assert [(item, shared, pid) for item, shared, pid, _ in results] == [
        (3, "s", os.getpid()), (1, "s", os.getpid()), (2, "s", os.getpid())]


@pytest.mark.parametrize("where", ["local processes", "dask"])
def test_workers_run_every_call_elsewhere_on_one_thread(where, request):
    options = ({"workers": 2} if where == "local processes"
               else {"scheduler": request.getfixturevalue("client")})
    shared = {"big": list(range(100_000))}  # sent to the workers, not per call on Dask
    results = list(map_unordered(where_and_threads, range(8), shared=shared, **options))
    assert sorted(item for item, *_ in results) == list(range(8))
    assert all(got == shared for _, got, _, _ in results)
    assert os.getpid() not in {pid for _, _, pid, _ in results}
    assert {threads for *_, pools in results for threads in pools} == {1}


def test_local_workers_leave_this_process_environment_as_it_was():
    before = dict(os.environ)
    list(map_unordered(where_and_threads, range(4), workers=2))
    assert dict(os.environ) == before


@pytest.mark.parametrize("where", ["local processes", "dask"])
def test_closing_early_stops_the_calls_not_started(where, request, tmp_path):
    options = ({"workers": 2} if where == "local processes"
               else {"scheduler": request.getfixturevalue("client")})
    results = map_unordered(touch_then_sleep, range(20), shared=tmp_path, **options)
    next(results)
    results.close()
    time.sleep(1.5)
    assert len(list(tmp_path.glob("ran-*"))) < 20


@pytest.mark.parametrize("where", ["here", "local processes", "dask"])
def test_an_error_in_a_call_reaches_the_caller(where, request):
    options = {"here": {}, "local processes": {"workers": 2},
               "dask": {"scheduler": request.getfixturevalue("client")}}[where]
    with pytest.raises(ValueError, match="three is refused"):
        list(map_unordered(fail_on_three, range(6), **options))


def test_a_local_worker_that_dies_is_a_clear_error():
    with pytest.raises(WorkerLostError, match="died.*re-run"):
        list(map_unordered(die_on_three, range(6), workers=2))
    assert sorted(map_unordered(die_on_three, [1, 2], workers=2)) == [1, 2]  # usable again


def test_a_dask_call_whose_workers_keep_dying_is_a_clear_error(client):
    client.run_on_scheduler(_no_second_chance)
    try:
        results = map_unordered(die_on_three, range(6), scheduler=client)
        with pytest.raises(WorkerLostError, match="died repeatedly.*re-run"):
            list(results)
    finally:
        client.run_on_scheduler(_allowed_failures, 3)


def _no_second_chance(dask_scheduler):
    dask_scheduler.allowed_failures = 0


def _allowed_failures(count, dask_scheduler):
    dask_scheduler.allowed_failures = count


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_bad_scheduler_address_fails_within_the_timeout_naming_it(monkeypatch):
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 2)
    address = f"tcp://127.0.0.1:{_closed_port()}"
    start = time.monotonic()
    # nothing listens there: said at once, without waiting for the timeout
    with pytest.raises(ConnectionError, match=f"no Dask scheduler answered at {address} "
                                              r"\(.*refused\).*dask scheduler"):
        list(map_unordered(where_and_threads, [1, 2], scheduler=address))
    assert time.monotonic() - start < 2
    with pytest.raises(ValueError, match="bad Dask scheduler address 'tcp://127.0.0.1'.*port"):
        list(map_unordered(where_and_threads, [1, 2], scheduler="tcp://127.0.0.1"))
    with pytest.raises(TypeError, match="address string or a distributed.Client"):
        list(map_unordered(where_and_threads, [1, 2], scheduler=8786))


def test_a_listener_that_is_not_a_scheduler_times_out_clearly(monkeypatch):
    # The port is open but nothing speaks Dask there: Client() alone would wait forever.
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 2)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        start = time.monotonic()
        with pytest.raises(ConnectionError, match=f"no Dask scheduler answered at {address}"):
            list(map_unordered(where_and_threads, [1, 2], scheduler=address))
        assert time.monotonic() - start < 10


def test_a_scheduler_address_is_connected_and_closed_again(client):
    address = client.scheduler.address
    results = list(map_unordered(where_and_threads, range(3), shared=1, scheduler=address))
    assert sorted(item for item, *_ in results) == [0, 1, 2]
    assert len(client.scheduler_info()["workers"]) == 2


def test_local_workers_ignore_ctrl_c_so_only_the_caller_stops():
    # a terminal's Ctrl-C reaches every process of its foreground group, the workers
    # included: a worker that took it would fail its call with KeyboardInterrupt
    results = map_unordered(sleep_then_pid, range(6), shared=0.3, workers=2)
    pid = next(results)
    assert pid != os.getpid()
    os.kill(pid, signal.SIGINT)  # that worker is mid-call or about to take the next
    assert len(list(results)) == 5
    # and a worker started before, now idle and reused, ignores it too
    os.kill(pid, signal.SIGINT)
    time.sleep(0.2)
    assert len(list(map_unordered(sleep_then_pid, range(4), shared=0.1, workers=2))) == 4
