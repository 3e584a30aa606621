"""Run the k values of a sweep as Dask tasks, on a local or a remote cluster.

One route: :func:`mnist_clustering.sweep.run_sweep` with ``scheduler=`` (an address
such as ``'tcp://HOST:8786'`` or a ``distributed.Client``), or on the command line
``mnist-clustering sweep ... --scheduler tcp://HOST:8786`` (an existing cluster) or
``--workers N`` (a local cluster started for the run, :func:`dask_client`; by default
one one-thread worker per core; ``run_sweep(..., workers=N)`` from Python).

Each k is one task running :func:`mnist_clustering.sweep.evaluate_k` on a worker. The
driver receives the rows with ``distributed.as_completed``, in the order they finish,
and the sweep writes each one to ``results/`` at once, exactly as the serial loop does:
a worker lost mid-sweep loses only the k it was running (Dask runs that task again on
another worker), and a re-run computes only the missing k.

What a worker holds
-------------------
*Images*: each worker loads the dataset itself, once per ``(dataset, n_samples)``, and
keeps it in a per-process cache; it checks that its prepared images are byte-identical
to the driver's (the sweep's data fingerprint) before using them, so a worker with
another MNIST file or another ``prepare`` fails loudly instead of mixing results.

*Distance matrix*: K-Medoids fits on it; exact silhouettes are not computed on the
workers (``evaluate_k`` defers them, and the driver computes many k in one pass over its
matrix, :func:`mnist_clustering.sweep.fill_silhouettes`), so a K-Means sweep ships no
matrix. For K-Medoids, workers get it by the ``distances=`` policy of
:func:`compute_rows_dask`:

``'shared-path'``
    Workers open the driver's cache file (``distances-<key>.f32``) read-only, by path.
    Default when the driver's matrix is that file (:func:`distances.distance_matrix`
    returns it as a ``np.memmap``). Needs a filesystem shared by driver and workers
    (always true for a local cluster). Each worker checks that the file exists and
    that its sidecar ``.json`` is the one the driver read (same key, data hash and
    creation time), else raises a ``ValueError`` saying what to do.
``'scatter'``
    The driver sends the matrix to every worker once (``client.scatter(D,
    broadcast=True)``). Default when the matrix is in RAM and at most
    :data:`SCATTER_MAX_BYTES`; for small n, or workers without the shared disk.
``'recompute'``
    Each worker computes (or finds in its own cache) the matrix with
    ``distance_matrix``; the driver never builds it. For clusters without a shared
    filesystem and a matrix too big to send.

Threads: every task limits the BLAS/OpenMP pools of its worker to the worker's
``nthreads`` (threadpoolctl), so N workers x T threads use N x T cores, not N x T x
cores; :func:`mnist_clustering.sweep.run_sweep`'s ``workers=N`` starts N one-thread
workers. The local cluster of :func:`dask_client` also starts its workers with
``OMP_NUM_THREADS`` etc. set to T.

Remote workers: start them with ``--nthreads T`` and a dask config that unsets
``distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_`` (see
:func:`local_cluster`), or they fit K-Means about half as fast.

Memory: a worker that reads the shared matrix file maps it, and the mapped pages (page
cache, shared by every process) count in its RSS. Dask's memory monitor would take them
for a leak and pause or restart the worker, so the local cluster runs without a memory
limit; start remote workers with ``dask worker ADDRESS --memory-limit 0`` for K-Medoids
on all of MNIST (a 14.4 GB file).

Reproducibility: a Dask row equals the serial row to the last bit
(tests/test_parallel.py). Every fit runs on one thread wherever it runs
(:func:`mnist_clustering.estimators.fit_clustering`): scikit-learn's K-Means sums its
float32 inertia per thread chunk, so the thread count would move it in the ~7th digit.
OpenBLAS' float32 GEMM also rounds a distance matrix computed with 1 or 2 threads
differently, which is why 'recompute' is exact only up to float32 rounding while
'shared-path' and 'scatter' hand the workers the driver's very bytes.
"""

from __future__ import annotations

import asyncio
import copy
import importlib.metadata
import json
import logging
import os
import socket
import threading
import uuid
from collections import Counter, namedtuple
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from .estimators import NEEDS_DISTANCES

DISTANCE_POLICIES = ("shared-path", "scatter", "recompute")
"""Ways a worker gets the distance matrix (see the module docstring)."""

SCATTER_MAX_BYTES = 1024**3
"""Largest in-RAM matrix the default policy sends to every worker (1 GiB, n ~ 16,000)."""

CONNECT_TIMEOUT = 10
"""Seconds to wait for a scheduler to answer before giving up."""

WORKER_TIMEOUT = 60
"""Seconds to wait for a scheduler without workers to get one."""

# Packages whose versions must agree between driver and workers: the numbers depend on them.
_VERSIONED = ("mnist-clustering", "numpy", "scipy", "scikit-learn", "scikit-learn-extra",
              "kmedoids", "threadpoolctl")

_HINT = ("start one with `dask scheduler` and workers with `dask worker ADDRESS`, "
         "or use --workers N (Python: run_sweep(..., workers=N)) for a local cluster")

DistanceSource = namedtuple("DistanceSource", "policy path sidecar future")
"""How workers get the distance matrix: the policy and what it needs (else None)."""


class DaskSweepError(RuntimeError):
    """A k could not be computed on the cluster (its workers kept dying)."""


def _distributed():
    try:
        import distributed
    except ImportError as error:  # the optional extra is missing
        raise ImportError(
            "running a sweep on Dask needs the `dask` extra: pip install 'mnist-clustering[dask]'"
        ) from error
    return distributed


# --------------------------------------------------------------------------- clients
_WORKER_ENVIRON = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                   "MALLOC_TRIM_THRESHOLD_")
"""Variables a local cluster sets for its workers (see :func:`local_cluster`)."""


def default_workers():
    """How many k to fit at once by default: one per core when Dask is installed, else 1.

    Every fit runs on one thread (:func:`mnist_clustering.estimators.fit_clustering`), so
    this uses each core once.
    """
    import importlib.util

    if importlib.util.find_spec("distributed") is None:
        return 1
    return os.cpu_count() or 1


@contextmanager
def dask_client(address=None, n_workers=None, *, threads_per_worker=None,
                timeout=CONNECT_TIMEOUT, worker_timeout=WORKER_TIMEOUT, quiet=True):
    """A ``distributed.Client`` for a sweep, closed (with its local cluster) on exit.

    Parameters
    ----------
    address : str, optional
        Scheduler of an existing cluster, e.g. ``'tcp://HOST:8786'``.
    n_workers : int, optional
        Without ``address``: start a ``LocalCluster`` of this many worker processes.
    threads_per_worker : int, optional
        Local cluster only; default ``max(1, cpu_count // n_workers)``, so the
        workers together use every core once.
    timeout : float
        Seconds to wait for the scheduler at ``address``.
    worker_timeout : float
        Seconds to wait for a scheduler that has no worker yet.
    quiet : bool
        Keep the local cluster's logs to errors.

    Yields
    ------
    distributed.Client

    Raises
    ------
    ConnectionError
        If nothing answers at ``address`` within ``timeout`` seconds.
    ValueError
        If both or neither of ``address`` and ``n_workers`` are given.

    Examples
    --------
    >>> with dask_client(n_workers=2) as client:                  # doctest: +SKIP
    ...     run_sweep("kmeans", "2:40:4", scheduler=client)
    """
    if (address is None) == (n_workers is None):
        raise ValueError("give either a scheduler address or a number of local workers")
    if address is not None:
        client = connect(address, timeout=timeout, worker_timeout=worker_timeout)
        try:
            yield client
        finally:
            client.close()
        return
    with _driver_environ_kept():
        cluster = local_cluster(n_workers, threads_per_worker, quiet=quiet)
        client = _distributed().Client(cluster, set_as_default=False)
        try:
            yield client
        finally:
            client.close()
            cluster.close()


def local_cluster(n_workers, threads_per_worker=None, *, quiet=True):
    """Start a ``LocalCluster`` of ``n_workers`` processes sized to this machine.

    Each worker is its own process (KMeans and the kernels hold the GIL in places) and
    starts with ``OMP_NUM_THREADS``/``OPENBLAS_NUM_THREADS``/``MKL_NUM_THREADS`` set to
    its thread count, and without Dask's ``MALLOC_TRIM_THRESHOLD_`` (it halves the
    speed of K-Means fits here). The memory limit is off: a worker reading the shared distance
    matrix file maps it, and the mapped pages (page cache, shared by all workers)
    count in its RSS, so Dask would pause or kill healthy workers on a big matrix.
    """
    distributed = _distributed()  # first: it adds its defaults to dask's config
    import dask

    n_workers = int(n_workers)
    if n_workers < 1:
        raise ValueError(f"the number of workers must be >= 1, got {n_workers}")
    threads = int(threads_per_worker or max(1, (os.cpu_count() or 1) // n_workers))
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.update({name: threads for name in _WORKER_ENVIRON if name.endswith("THREADS")})
    # Dask sets MALLOC_TRIM_THRESHOLD_=65536 for its workers; setting it turns off
    # glibc's adaptive mmap threshold, so every large temporary array is mapped and
    # zero-filled afresh. Measured here (10,000 MNIST images, 1 thread): a K-Means fit
    # takes 2-2.5x longer (k=30: 28 s instead of 11-14 s). None unsets it.
    environ["MALLOC_TRIM_THRESHOLD_"] = None
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}), _sigint_ignored():
        return distributed.LocalCluster(
            n_workers=n_workers, threads_per_worker=threads, processes=True,
            memory_limit=0, dashboard_address=None,
            # no dashboard; its plain HTTP server on any free port, not 8787 (taken or not)
            scheduler_kwargs={"dashboard_address": ":0"},
            silence_logs=logging.ERROR if quiet else logging.WARNING,
        )


@contextmanager
def _sigint_ignored():
    """Ignore SIGINT in this process while a local cluster spawns its workers.

    A Ctrl-C in a terminal reaches every process of the foreground group, workers
    included; each would die printing a ``KeyboardInterrupt`` traceback before the
    driver's clean message. An ignored signal stays ignored across fork and exec, and
    Python keeps an inherited SIG_IGN for SIGINT, so workers spawned now never see
    Ctrl-C: the driver alone stops and closes the cluster. A Ctrl-C during these
    seconds of start-up is ignored too (press it again). A worker that Dask restarts
    later (after a crash) takes SIGINT again. No-op outside the main thread, where
    handlers cannot be set.
    """
    import signal

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _driver_environ_kept():
    """Give the thread and malloc variables of this process their values again on exit.

    Each nanny of a local cluster writes its worker's ``OMP_NUM_THREADS`` etc. into the
    driver's ``os.environ`` before spawning the worker, and leaves them there; every
    later subprocess of the driver (other clusters, notebook kernels) would inherit one
    thread.
    """
    saved = {name: os.environ.get(name) for name in _WORKER_ENVIRON}
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def connect(address, *, timeout=CONNECT_TIMEOUT, worker_timeout=WORKER_TIMEOUT):
    """Connect to the scheduler at ``address``; fail within seconds if it is not there.

    Raises
    ------
    ConnectionError
        Naming the address and how to start a scheduler.
    ValueError
        On a malformed address, or one that is not a scheduler's (e.g. a worker's).
    """
    distributed = _distributed()
    _probe(address, timeout)
    _identify(address, timeout)
    try:
        client = distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise ConnectionError(
            f"no Dask scheduler answered at {address} within {timeout} s ({error}); {_HINT}"
        ) from error
    try:
        client.wait_for_workers(1, timeout=worker_timeout)
    except (TimeoutError, OSError) as error:
        client.close()
        raise ConnectionError(
            f"the Dask scheduler at {address} has no workers after {worker_timeout} s; "
            f"start some with `dask worker {address}`"
        ) from error
    return client


def _probe(address, timeout):
    """Fail at once on a refused or unresolvable TCP address.

    Dask retries a refused connection until its timeout; a plain socket tells
    "nothing listens there" immediately, which is the usual mistake.
    """
    if "://" not in address:
        address = f"tcp://{address}"
    parts = urlsplit(address)
    if parts.scheme != "tcp" or not parts.hostname:
        return  # tls://, ws://, inproc://: left to _identify
    try:
        port = parts.port or 8786
        socket.create_connection((parts.hostname, port), timeout=timeout).close()
    except ValueError as error:
        raise ValueError(f"bad Dask scheduler address {address!r}: {error}") from error
    except OSError as error:
        raise ConnectionError(
            f"cannot reach a Dask scheduler at {address} ({error}); {_HINT}"
        ) from error


def _identify(address, timeout):
    """Ask the server at ``address`` what it is, giving up after ``timeout`` seconds.

    ``Client(address, timeout=...)`` only bounds the TCP connection: a server that
    accepts but never answers (not a Dask scheduler) makes it wait forever. The
    question runs on a fresh event loop in its own thread, so it also works where a
    loop is already running (Jupyter).
    """
    from distributed.comm import connect as dask_connect

    async def identity():
        comm = await dask_connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    outcome = {}

    def ask():
        try:
            outcome["reply"] = asyncio.run(asyncio.wait_for(identity(), timeout))
        except BaseException as error:  # noqa: BLE001  (handed to the caller below)
            outcome["error"] = error

    thread = threading.Thread(target=ask, name="dask-scheduler-probe", daemon=True)
    thread.start()
    thread.join(timeout + 5)
    error = outcome.get("error")
    if isinstance(error, ValueError):
        raise ValueError(f"bad Dask scheduler address {address!r}: {error}") from error
    if "reply" not in outcome:
        raise ConnectionError(
            f"no Dask scheduler answered at {address} within {timeout} s"
            f"{f' ({str(error) or type(error).__name__})' if error else ''}; {_HINT}"
        ) from error
    kind = outcome["reply"].get("type") if isinstance(outcome["reply"], dict) else None
    if kind != "Scheduler":
        raise ValueError(f"{address} is a Dask {kind or 'server'}, not a scheduler: give the "
                         "address `dask scheduler` prints (tcp://HOST:8786)")


def check_workers(client, expected=None):
    """Raise ``ValueError`` unless every worker runs this package with the driver's versions.

    The numbers of a row depend on these versions, and the table's provenance records
    the driver's, so mixing them would be silent.

    Parameters
    ----------
    client : distributed.Client
    expected : dict, optional
        Package -> version; default the driver's.
    """
    try:
        remote = client.run(_versions)
    except Exception as error:  # e.g. ModuleNotFoundError while unpickling on the worker
        raise ValueError(
            f"the Dask workers cannot run mnist_clustering ({type(error).__name__}: {error}); "
            "install the project (pip install 'mnist-clustering[dask]') in every worker's "
            "environment"
        ) from error
    local = expected or _versions()
    for worker, versions in remote.items():
        different = {name: (local[name], versions.get(name)) for name in local
                     if versions.get(name) != local[name]}
        if different:
            detail = ", ".join(f"{name} {mine} here vs {theirs}"
                               for name, (mine, theirs) in sorted(different.items()))
            raise ValueError(f"Dask worker {worker} runs other versions ({detail}); "
                             "results would not match the serial sweep")


def _versions():
    versions = {}
    for name in _VERSIONED:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


@contextmanager
def _client_for(scheduler):
    """Use a given Client as it is; open (and then close) one for an address."""
    distributed = _distributed()
    if isinstance(scheduler, distributed.Client):
        yield scheduler
    elif isinstance(scheduler, str):
        client = connect(scheduler)
        try:
            yield client
        finally:
            client.close()
    else:
        raise TypeError(f"scheduler must be an address string or a distributed.Client, "
                        f"got {type(scheduler).__name__}")


# --------------------------------------------------------------------------- driver
def compute_rows_dask(scheduler, data, tasks, store, *, distances=None):
    """Compute one row per ``(spec, k)`` task on Dask; yield ``(row, fit)`` as each finishes.

    Parameters
    ----------
    scheduler : str or distributed.Client
        Scheduler address or a connected client.
    data : SweepData
        The driver's data (its fingerprint is checked on every worker).
    tasks : list of (SweepSpec, int)
        One row each (specs differ only by their seed), submitted in this order.
    store : ResultsStore
        Where FasterPAM finds the 'alternate' medoids it starts from.
    distances : {'shared-path', 'scatter', 'recompute'}, optional
        How workers get the distance matrix (see the module docstring); by default
        'shared-path' for a cached file, else 'scatter' up to :data:`SCATTER_MAX_BYTES`.

    Yields
    ------
    (dict, ClusteringFit)
        Exactly what :func:`mnist_clustering.sweep.evaluate_k` returns, in order of
        completion.

    Raises
    ------
    DaskSweepError
        After the other k have been yielded, if a k's workers kept dying.
    Exception
        The first error raised by a task (e.g. ``ValueError`` from a worker check),
        also only after every other k has finished.
    """
    from .sweep import _init_medoids

    with _client_for(scheduler) as client:
        check_workers(client)
        source = resolve_distances(distances, data, tasks[0][0], client)
        futures = {}
        token = uuid.uuid4().hex[:8]
        for spec, k in tasks:
            future = client.submit(
                _evaluate_task, data.dataset, data.n_samples, data.fingerprint, spec, k,
                _init_medoids(data, spec, k, store), source,
                key=f"{spec.method}-k{k}-seed{spec.seed}-{token}", pure=False, retries=0,
            )
            futures[future.key] = (k, future)
        try:
            yield from _as_rows(client, futures)
        finally:
            # Interrupted, or the consumer failed: do not leave work running on the cluster.
            client.cancel([future for _, future in futures.values()])
            if source.future is not None:
                client.cancel([source.future])


def _as_rows(client, futures):
    """Yield each finished row; raise the first failure once the others have finished."""
    distributed = _distributed()
    failures = []
    pending = [future for _, future in futures.values()]
    for future in distributed.as_completed(pending, loop=client.loop):
        k = futures[future.key][0]
        try:
            row, fit = future.result()
        except distributed.KilledWorker as error:
            failures.append(DaskSweepError(
                f"k={k}: the Dask workers running it died repeatedly ({error}); often "
                "they ran out of memory. Finished k are saved: fix the cause and re-run."))
        except Exception as error:
            failures.append(error)
        else:
            yield row, fit
        future.release()
    if failures:
        raise failures[0]


def resolve_distances(policy, data, spec, client=None):
    """Decide how workers get the distance matrix; prepare it (scatter) if needed.

    Parameters
    ----------
    policy : {'shared-path', 'scatter', 'recompute'} or None
        None picks 'shared-path' for a cached file, 'scatter' for a small matrix in RAM.
    data : SweepData
    spec : SweepSpec
    client : distributed.Client, optional
        Needed for 'scatter'.

    Returns
    -------
    DistanceSource
        Policy ``'none'`` when the workers do not need the matrix (K-Means).
    """
    if policy is not None and policy not in DISTANCE_POLICIES:
        raise ValueError(f"unknown distances policy {policy!r}; choose one of "
                         f"{', '.join(DISTANCE_POLICIES)}")
    if spec.method not in NEEDS_DISTANCES:
        # K-Means: exact silhouettes are deferred by evaluate_k and computed on the
        # driver for many k in one pass (sweep.fill_silhouettes); workers need no matrix.
        return DistanceSource("none", None, None, None)
    if policy == "recompute":
        return DistanceSource("recompute", None, None, None)
    matrix = data.distances
    sidecar = _sidecar_of(matrix)
    if policy is None:
        if sidecar is not None:
            policy = "shared-path"
        elif matrix.nbytes <= SCATTER_MAX_BYTES:
            policy = "scatter"
        else:
            raise ValueError(
                f"the {matrix.shape[0]} x {matrix.shape[0]} distance matrix is in RAM "
                f"({matrix.nbytes / 1e9:.1f} GB), too big to send to every worker: give "
                "it a cache file on a disk the workers share ($MNIST_CLUSTERING_CACHE) "
                "or let each worker compute it (distances='recompute')")
    if policy == "shared-path":
        if sidecar is None:
            raise ValueError("distances='shared-path' needs the driver's distance matrix to "
                             "be a cache file of distance_matrix(); it is in RAM here. Use "
                             "distances='scatter' or 'recompute'")
        return DistanceSource("shared-path", str(Path(matrix.filename).resolve()), sidecar, None)
    if client is None:
        raise ValueError("distances='scatter' needs a Dask client")
    future = client.scatter(np.asarray(matrix), broadcast=True, hash=False)
    return DistanceSource("scatter", None, None, future)


def _sidecar_of(matrix):
    """The sidecar record of a cached distance matrix file, or None if it is not one."""
    if not isinstance(matrix, np.memmap) or not matrix.filename:
        return None
    sidecar = Path(matrix.filename).with_suffix(".json")
    try:
        return json.loads(sidecar.read_text())
    except (OSError, ValueError):
        return None


# --------------------------------------------------------------------------- worker
_LOCK = threading.Lock()
_DATA = {}  # (dataset, n_samples) -> SweepData, per worker process
_USED = []  # (k, policy, detail) of every task this process ran, for worker_state()
_LOADS = Counter()  # (dataset, n_samples) -> times loaded here: once, unless it failed


def _evaluate_task(dataset, n_samples, fingerprint, spec, k, init_medoids, source):
    """Run on a worker: one k of the sweep, with the worker's cached data."""
    from .sweep import evaluate_k

    _limit_threads()
    data = _worker_data(dataset, n_samples, fingerprint)
    data, detail = _with_distances(data, source)
    _USED.append((int(k), source.policy, detail))
    return evaluate_k(data, spec, k, init_medoids=init_medoids)


def _limit_threads():
    """Limit BLAS/OpenMP threads to this worker's thread count.

    Applied in every task: OpenMP's limit is per calling thread, and a worker may run
    its tasks on several threads. It is never undone, so concurrent tasks cannot
    restore each other's pools to the machine's core count.
    """
    from distributed import get_worker
    from threadpoolctl import threadpool_limits

    import sklearn.cluster  # noqa: F401  (threadpoolctl only sees libraries already loaded)

    try:
        threads = get_worker().state.nthreads
    except ValueError:  # not on a worker (a direct call): leave the pools alone
        return
    threadpool_limits(limits=threads)


def _worker_data(dataset, n_samples, fingerprint):
    """This process's SweepData for (dataset, n_samples), loaded once and verified."""
    from .sweep import SweepData

    with _LOCK:  # one load per process, even with several threads
        data = _DATA.get((dataset, n_samples))
        if data is None or data.fingerprint != fingerprint:  # new, or the driver's changed
            data = SweepData(dataset, n_samples)
            _LOADS[(dataset, n_samples)] += 1
            if data.fingerprint != fingerprint:
                raise ValueError(
                    f"the prepared {data.name} images on Dask worker {socket.gethostname()} "
                    "differ from the driver's (another MNIST file or package version?): "
                    "give the workers the same data cache and environment")
            _DATA[(dataset, n_samples)] = data
    return data


def _with_distances(data, source):
    """``data`` with its distance matrix taken from ``source``; and what was used."""
    if source.policy == "none":
        return data, None
    if source.policy == "recompute":
        from .distances import distance_matrix

        with _LOCK:  # compute (or open this machine's cache file) once per process
            if "distances" not in data.__dict__:  # quietly: no progress bar per worker
                data.__dict__["distances"] = distance_matrix(data.X, progress=False)
        matrix = data.distances
        return data, str(matrix.filename) if isinstance(matrix, np.memmap) else "in RAM"
    if source.policy == "shared-path":
        matrix = open_shared_matrix(source.path, source.sidecar, len(data.X))
        detail = source.path
    else:
        matrix, detail = source.future, "scattered"
    # A shallow copy carries the images; the matrix is set on the copy only, so a
    # scattered matrix is not kept alive by the per-process cache after the sweep.
    view = copy.copy(data)
    view.__dict__["distances"] = matrix  # what the cached_property would hold
    return view, detail


def open_shared_matrix(path, sidecar, n):
    """Open the driver's cached distance matrix read-only, after checking it is the same.

    Parameters
    ----------
    path : str
        The ``distances-<key>.f32`` file.
    sidecar : dict
        Its ``.json`` sidecar as the driver read it.
    n : int
        Number of images.

    Raises
    ------
    ValueError
        If the file is missing, has the wrong size, or its sidecar differs from the
        driver's (another or a recomputed matrix).
    """
    path = Path(path)
    where = f"on Dask worker {socket.gethostname()}"
    fix = ("share the cache directory ($MNIST_CLUSTERING_CACHE) with the workers, or use "
           "distances='scatter' (small n) or 'recompute'")
    if not path.is_file():
        raise ValueError(f"distance matrix {path} does not exist {where}; {fix}")
    if path.stat().st_size != n * n * 4:
        raise ValueError(f"distance matrix {path} {where} has {path.stat().st_size} bytes, "
                         f"expected {n * n * 4} for n={n}; {fix}")
    try:
        mine = json.loads(path.with_suffix(".json").read_text())
    except (OSError, ValueError) as error:
        raise ValueError(f"the sidecar of {path} cannot be read {where} ({error}); {fix}") from error
    keys = ("key", "x_sha256", "shape", "dtype", "created")
    different = [key for key in keys if mine.get(key) != sidecar.get(key)]
    if different:
        raise ValueError(f"distance matrix {path} {where} is not the driver's (sidecar "
                         f"{', '.join(different)} differ); {fix}")
    return np.memmap(path, dtype=np.float32, mode="r", shape=(n, n))


def worker_state():
    """What this worker process holds and how it ran its tasks (for checks and debugging).

    Submit it as a task (``client.submit(worker_state, workers=[address])``) to see the
    thread limits of a task thread: OpenMP's limit is per thread.

    Returns
    -------
    dict
        ``pid``; ``loads``: ``(dataset, n_samples)`` -> times loaded; ``tasks``: ``(k, policy, detail)`` of each task
        run (detail: the matrix file used, or 'scattered'); ``threads``: the
        threadpoolctl pools and their thread counts.
    """
    from threadpoolctl import threadpool_info

    return {
        "pid": os.getpid(),
        "loads": dict(_LOADS),
        "tasks": list(_USED),
        "threads": {info["internal_api"]: info["num_threads"] for info in threadpool_info()},
    }
