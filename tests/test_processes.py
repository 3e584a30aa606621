"""Processes, memory and arguments: a sweep's local workers end with it whatever ends it,
and every bad argument is one clear line, before any work and without a traceback.

Real processes: the command runs in a subprocess (its own session, as a terminal job)
on scikit-learn's digits with temporary results folders.
"""

import os
import resource
import signal
import subprocess
import sys
import textwrap
import time
from collections import namedtuple
from pathlib import Path

import pandas as pd
import psutil
import pytest

import mnist_clustering
from mnist_clustering import evaluate, executors, sweep
from mnist_clustering.cli import main

PROJECT = Path(mnist_clustering.__file__).resolve().parents[1]
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(
    [str(PROJECT), *filter(None, [os.environ.get("PYTHONPATH")])]))


def _cli(*argv, **options):
    command = [sys.executable, "-m", "mnist_clustering.cli", *argv]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=ENV, start_new_session=True, **options)


def _long_sweep(results):
    """A sweep on 2 local workers that runs for minutes, once its first row is written:
    the process and its worker processes."""
    process = _cli("sweep", "--method", "kmeans", "--dataset", "digits", "--k", "2:600",
                   "--silhouette", "300", "--workers", "2", "--results-dir", str(results),
                   "--no-progress")
    table = results / "digits" / "kmeans.csv"
    deadline = time.monotonic() + 180
    while not table.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert table.exists(), f"no row was written: {process.poll()=}"
    workers = [child for child in psutil.Process(process.pid).children(recursive=True)
               if "LokyProcess" in " ".join(child.cmdline())]
    assert len(workers) == 2
    return process, workers, table


def _all_ended(processes, within):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        alive = []
        for process in processes:
            try:
                if process.status() != psutil.STATUS_ZOMBIE:
                    alive.append(process)
            except psutil.NoSuchProcess:
                pass
        if not alive:
            return True
        time.sleep(0.2)
    return False


def _kill_all(process, workers):
    if process.poll() is None:
        process.kill()
    process.wait()
    for worker in workers:
        try:
            worker.kill()
        except psutil.NoSuchProcess:
            pass


def test_sigterm_stops_a_sweep_as_ctrl_c_does_and_ends_its_workers(tmp_path):
    process, workers, table = _long_sweep(tmp_path)
    try:
        time.sleep(0.5)  # the workers are mid-fit
        os.kill(process.pid, signal.SIGTERM)  # the driver alone, as `kill` and `timeout` do
        out, err = process.communicate(timeout=120)
        assert process.returncode == 143, err
        assert err.strip() == ("terminated (SIGTERM): every finished k is already saved; "
                               "re-run to resume.")
        assert _all_ended(workers, within=10), "worker processes outlived their driver"
    finally:
        _kill_all(process, workers)
    rows = pd.read_csv(table)
    assert 1 <= len(rows) < 598 and rows["silhouette"].notna().all()  # finished rows kept


SEMAPHORES_AT_EXIT = """
import gc, os, signal, sys, threading, time
from mnist_clustering import cli

gc.disable()  # as when no automatic collection happens to run before the exit
results = sys.argv[1]

def terminate_after_the_first_row():
    while not os.path.exists(os.path.join(results, "digits", "kmeans.csv")):
        time.sleep(0.05)
    time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGTERM)

threading.Thread(target=terminate_after_the_first_row, daemon=True).start()
status = cli.main(["sweep", "--method", "kmeans", "--dataset", "digits", "--k", "2:600",
                   "--silhouette", "300", "--workers", "2", "--results-dir", results,
                   "--no-progress"])
# uncollected objects included: gc.get_objects() lists the garbage a collection would free
from joblib.externals.loky.backend.synchronize import SemLock
left = [o for o in gc.get_objects() if isinstance(o, SemLock)]
print(status, len(left))
"""


def test_a_stopped_command_leaves_no_semaphore_for_the_interpreter_exit(tmp_path):
    # A semaphore of the replaced worker pool, in a reference cycle, would be finalized
    # during interpreter shutdown, after loky's resource tracker stopped: the tracker then
    # printed "leaked semlock objects" warnings after the one-line message, now and then.
    run = subprocess.run([sys.executable, "-c", SEMAPHORES_AT_EXIT, str(tmp_path)], env=ENV,
                         capture_output=True, text=True, timeout=300)
    assert run.stdout.split() == ["143", "0"], run.stderr
    assert run.stderr.strip() == ("terminated (SIGTERM): every finished k is already saved; "
                                  "re-run to resume.")


def test_a_killed_sweep_leaves_no_worker_running(tmp_path):
    process, workers, table = _long_sweep(tmp_path)
    try:
        os.kill(process.pid, signal.SIGKILL)  # no handler can run: the workers must see it
        process.wait(timeout=30)
        assert _all_ended(workers, within=10), "worker processes outlived their killed driver"
    finally:
        _kill_all(process, workers)
    assert len(pd.read_csv(table)) >= 1


WATCHED = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", '''
import os, sys, time
from mnist_clustering import executors
executors._start_worker(os.getppid(), False)  # no help from the kernel: the thread alone
print(os.getpid(), flush=True)
while True:
    sum(range(1000))
'''], stdout=subprocess.PIPE, text=True)
print(child.stdout.readline().strip(), flush=True)
time.sleep(120)
"""


def test_a_worker_exits_when_its_parent_is_gone_even_without_the_kernels_help():
    # where PR_SET_PDEATHSIG does not exist (or the worker was started from another
    # thread), the worker's own watching thread ends it
    middle = subprocess.Popen([sys.executable, "-c", WATCHED], stdout=subprocess.PIPE, text=True,
                              env=ENV, start_new_session=True)
    try:
        worker = psutil.Process(int(middle.stdout.readline()))
        assert worker.is_running()
        middle.kill()
        middle.wait()
        assert _all_ended([worker], within=3 + 3 * executors.PARENT_POLL_SECONDS)
    finally:
        os.killpg(middle.pid, signal.SIGKILL)


# --------------------------------------------------------------------------- arguments
GRID_UNDER_A_MEMORY_CAP = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (4 * 1024**3, 4 * 1024**3))
from mnist_clustering.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("extra, said", [
    ([], "has 999,999,998 values, more than the 1,000,000"),
    (["--n-samples", "300"], "goes up to k=999999999, larger than the number of samples "
                             "allows: with n=300 images every k of a sweep must be <= n - 1 = 299"),
])
def test_a_huge_k_grid_is_refused_before_it_is_built(tmp_path, extra, said):
    # the case: under a 3-4 GB memory cap the grid was built (~85 GB) and the
    # error was empty; the grid's size is now checked against its bounds first
    done = subprocess.run(
        [sys.executable, "-c", GRID_UNDER_A_MEMORY_CAP, "sweep", "--method", "kmeans", "--k",
         "2:1000000000", "--dataset", "digits", *extra, "--results-dir", str(tmp_path),
         "--no-progress"], capture_output=True, text=True, env=ENV, timeout=300)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("mnist-clustering: error: the k grid '2:1000000000' ")
    assert said in done.stderr and "Traceback" not in done.stderr
    assert not any(tmp_path.iterdir())


def test_every_error_message_says_something(capsys):
    from mnist_clustering.cli import _message

    assert _message(MemoryError()).startswith("out of memory: use a smaller grid")
    assert _message(OSError()) == "OSError"


@pytest.fixture
def no_work(monkeypatch):
    """Make any fit or any worker process fail the test: the error must come first."""
    def refuse(*args, **kwargs):
        raise AssertionError("work started before the bad input was rejected")

    monkeypatch.setattr(evaluate, "fit_clustering", refuse)
    monkeypatch.setattr(executors, "_on_local_processes", refuse)
    monkeypatch.setattr(executors, "_on_dask", refuse)


def test_more_workers_than_memory_holds_are_refused_with_the_reason(tmp_path, capsys,
                                                                    monkeypatch, no_work):
    memory = namedtuple("memory", "available total")
    monkeypatch.setattr(psutil, "virtual_memory", lambda: memory(2 * 1024**3, 4 * 1024**3))
    status = main(["sweep", "--method", "kmeans", "--k", "2:40", "--dataset", "digits",
                   "--workers", "12", "--results-dir", str(tmp_path), "--no-progress"])
    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err
    per = sweep.worker_memory(sweep.SweepData("digits"), evaluate.make_spec("kmeans"))
    fits = 2 * 1024**3 // per
    assert 1 <= fits < 12
    assert f"--workers 12 would need about {12 * per / 1e9:.1f} GB" in err
    assert "2.1 GB is available now" in err and f"use --workers {fits} or fewer" in err
    assert main(["sweep", "--method", "kmeans", "--k", "2:40", "--dataset", "digits",
                 "--workers", str(fits + 1), "--results-dir", str(tmp_path),
                 "--no-progress"]) == 2
    capsys.readouterr()


def test_the_worker_estimate_covers_a_real_worker(tmp_path):
    # the estimate is an upper bound of what a worker process really holds
    data = sweep.SweepData("digits")
    results = executors.map_unordered(_rss_after_a_fit, [3, 12], shared=data, workers=2)
    assert max(results) < sweep.worker_memory(data, evaluate.make_spec("kmeans"))


def _rss_after_a_fit(data, k):
    evaluate.evaluate_k(data, evaluate.make_spec("kmeans", silhouette=300), k)
    return psutil.Process().memory_info().rss


@pytest.mark.parametrize("address", ["not a url", "tcp://localhost", "tcp://127.0.0.1:1"])
def test_a_bad_scheduler_is_one_line_at_once_without_a_traceback(tmp_path, address):
    start = time.monotonic()
    process = _cli("sweep", "--method", "kmeans", "--k", "2:4", "--dataset", "digits",
                   "--results-dir", str(tmp_path), "--scheduler", address, "--no-progress")
    out, err = process.communicate(timeout=120)
    assert process.returncode == 2
    assert time.monotonic() - start < 15  # it was 25 s: a 20 s hang in Client.__del__
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and "Exception ignored" not in err
    assert address in err and ("tcp://HOST:8786" in err or "dask scheduler" in err)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("call, said", [
    (lambda d: sweep.run_sweep("kmeans", [2.7, 3.2], dataset="digits", results_dir=d),
     "k must be an integer, got 2.7"),
    (lambda d: sweep.run_sweep("kmeans", "2:4", seeds=[0.5], dataset="digits", results_dir=d),
     "seed must be an integer, got 0.5"),
    (lambda d: sweep.run_sweep("kmeans", "2:4", n_samples=2000.7, dataset="digits",
                               results_dir=d), "n_samples must be an integer >= 2, got 2000.7"),
    (lambda d: sweep.run_sweep("kmeans", "2:4", space="../../etc", dataset="digits",
                               results_dir=d), "unknown space '../../etc'"),
    (lambda d: sweep.run_sweep("kmeans", "2:4", dataset="../x", results_dir=d),
     "unknown dataset '../x'"),
    (lambda d: sweep.load_artifacts("kmeans", 10.5, "digits", d), "k must be an integer >= 2"),
    (lambda d: sweep.load_artifacts("kmeans", 10, "digits", d, seed=0.5),
     "seed must be an integer"),
    (lambda d: sweep.load_results("kmeans", "digits", d, n_samples=2000.7),
     "n_samples must be an integer >= 2, got 2000.7"),
    (lambda d: sweep.load_results("kmeans", "digits", d, space="../../etc"),
     "unknown space '../../etc'"),
    (lambda d: sweep.load_labels("kmeans", "../../etc", d), "unknown dataset '../../etc'"),
    (lambda d: sweep.SweepData("digits", 2000.7), "n_samples must be an integer >= 2"),
])
def test_the_python_api_refuses_what_the_command_line_refuses(tmp_path, no_work, call, said):
    with pytest.raises(ValueError, match=re_escape(said)):
        call(tmp_path)
    assert not any(tmp_path.iterdir())


def re_escape(text):
    import re

    return re.escape(text)


BAD_COMMANDS = [
    ["sweep", "--method", "kmeans", "--k", "2:1000000000"],
    ["sweep", "--method", "kmeans", "--k", "2:4", "--seeds", "0:5000000000"],
    ["sweep", "--method", "kmeans", "--k", "2:4", "--seeds", "-3"],
    ["sweep", "--method", "kmeans", "--k", "2:4", "--seed", str(2**70)],
    ["sweep", "--method", "kmeans", "--k", "2.5:4"],
    ["sweep", "--method", "kmeans", "--k", "2:4", "--keep", "x"],
    ["sweep", "--method", "kmeans", "--k", "2:4", "--n-samples", "1"],
    ["sweep", "--method", "kmeans", "--k", "2:4", "--n-samples", "99999"],
    ["sweep", "--method", "kmeans", "--k", "2:4", "--silhouette", "1"],
    ["sweep", "--method", "kmeans", "--k", "2:4", "--n-init", "0"],
    ["sweep", "--method", "kmeans", "--k", "2:4", "--workers", "-1"],
    ["sweep", "--method", "kmeans", "--k", "2:4", "--scheduler", "tcp://"],
    ["sweep", "--preset", "spread", "--k", "2:4"],
    ["best", "--method", "kmeans", "--score", "nmi", "-n", "0"],
    ["best", "--method", "kmeans", "--score", "nmi", "--seed", "-1"],
    ["embed", "--space", "pca", "--seed", "-1"],
    ["embed", "--space", "pca", "--n-samples", "1"],
]


@pytest.mark.parametrize("argv", BAD_COMMANDS, ids=[" ".join(a[3:]) or a[0] for a in BAD_COMMANDS])
def test_bad_input_on_the_command_line_is_one_line_without_a_traceback(tmp_path, capsys,
                                                                       no_work, argv):
    options = ["--dataset", "digits"] + (["--results-dir", str(tmp_path)]
                                         if argv[0] != "embed" else [])
    status = main([*argv, *options])
    err = capsys.readouterr().err
    assert status == 2, err
    assert err.startswith("mnist-clustering: error: ") and len(err) > 30
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
