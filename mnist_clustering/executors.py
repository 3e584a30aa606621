"""Run one function over many arguments: in this process, on local processes, or on Dask.

:func:`map_unordered` calls ``function(shared, item)`` for every item and yields each
result as soon as it is ready. It knows nothing of what it runs:

- ``workers=1``: one call after the other, in this process;
- ``workers=N``: N worker processes of this machine (joblib's ``loky`` backend, whose
  processes are reused from one call of :func:`map_unordered` to the next);
- ``scheduler=``: the workers of an existing Dask cluster (an address such as
  ``'tcp://HOST:8786'`` or a ``distributed.Client``); ``shared`` is sent to each
  worker once.

In a worker every call runs with the BLAS and OpenMP pools limited to one thread
(threadpoolctl), so N workers use N cores and a result does not depend on how many
threads the worker process would otherwise use. Closing the generator early (an
error, Ctrl-C) cancels the calls not yet started and ends the local worker processes.

Local worker processes end with the process that started them, whatever ends it:

- they ignore Ctrl-C (SIGINT) and SIGTERM: a terminal sends Ctrl-C to its whole
  foreground process group, and ``kill``, ``timeout`` or a batch scheduler may send
  SIGTERM to every process of a job; the workers would each die with a traceback or
  be seen as lost. The caller alone stops, and stops them (loky kills them);
- they watch their parent: if it disappears without stopping them (SIGKILL, a crash),
  they exit. On Linux the kernel does it at once (``PR_SET_PDEATHSIG``, for workers
  started from the main thread); elsewhere, and as a fallback, a thread of the worker
  checks its parent every :data:`PARENT_POLL_SECONDS`.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import threading
import time
import warnings

CONNECT_TIMEOUT = 10
"""Seconds to wait for a Dask scheduler to answer before giving up."""

PARENT_POLL_SECONDS = 1.0
"""How often a local worker process checks that the process that started it is alive."""

_HINT = ("start one with `dask scheduler` and workers with `dask worker ADDRESS`, "
         "or use --workers N (Python: workers=N) for local worker processes")


class WorkerLostError(RuntimeError):
    """A call could not be run: the worker processes running it kept dying."""


def default_workers():
    """One worker per core."""
    return os.cpu_count() or 1


def map_unordered(function, items, *, shared=None, workers=1, scheduler=None):
    """Yield ``function(shared, item)`` for each of ``items``, in order of completion.

    Parameters
    ----------
    function : callable
        A module-level function (worker processes import it by name).
    items : iterable
    shared : object, optional
        The first argument of every call.
    workers : int
        Without ``scheduler``: 1 runs the calls here, in order; N > 1 runs them on N
        local worker processes.
    scheduler : str or distributed.Client, optional
        Run the calls on this Dask cluster instead.

    Yields
    ------
    object
        Each call's return value. An exception raised by a call is raised here, after
        the results that arrived before it (on Dask: after every other call's).

    Raises
    ------
    ConnectionError
        If no Dask scheduler answers at ``scheduler`` within :data:`CONNECT_TIMEOUT`.
    WorkerLostError
        If the processes running a call kept dying (e.g. out of memory).
    """
    items = list(items)
    if scheduler is not None:
        return _on_dask(function, shared, items, scheduler)
    if workers == 1 or len(items) <= 1:
        return (function(shared, item) for item in items)
    return _on_local_processes(function, shared, items, workers)


def _one_thread(function, shared, item):
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return function(shared, item)


def _start_worker(parent, watch_from_kernel):
    """Initializer of every local worker process (see the module docstring).

    Parameters
    ----------
    parent : int
        The process id of the process that starts the workers.
    watch_from_kernel : bool
        Ask Linux to kill this process when the thread that started it ends (only
        when that thread is the caller's main thread, which ends with the process).
    """
    for name in ("SIGINT", "SIGTERM"):
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    if watch_from_kernel:
        _kill_me_with_my_parent()
    if os.getppid() != parent:  # the parent died before this line: nothing to work for
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent",
                     daemon=True).start()


def _kill_me_with_my_parent():
    """``prctl(PR_SET_PDEATHSIG, SIGKILL)`` where it exists (Linux); nothing elsewhere."""
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # no libc or no prctl: the watching thread remains
        pass


def _watch_parent(parent):
    # A fit that holds the GIL (FasterPAM) delays this check until it returns; the
    # kernel's PR_SET_PDEATHSIG, where set, does not wait.
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


@contextlib.contextmanager
def signals_ignored(*names):
    """Ignore the named signals (default: SIGINT) in this process for the block.

    An ignored signal stays ignored across fork and exec, and Python keeps an inherited
    SIG_IGN for SIGINT, so workers started in such a block never see Ctrl-C. A Ctrl-C
    during these moments is ignored too (press it again). No-op outside the main thread,
    where handlers cannot be set.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signals = [getattr(signal, name) for name in names or ("SIGINT",)]
    previous = [signal.signal(number, signal.SIG_IGN) for number in signals]
    try:
        yield
    finally:
        for number, handler in zip(signals, previous):
            signal.signal(number, handler)


def _on_local_processes(function, shared, items, workers):
    from joblib import Parallel, delayed
    from joblib._parallel_backends import LokyBackend
    from joblib.externals.loky.process_executor import TerminatedWorkerError

    main = threading.current_thread() is threading.main_thread()
    backend = LokyBackend(initializer=_start_worker, initargs=(os.getpid(), main))
    # batch_size=1: each call is long (a whole fit), and joblib's automatic batching
    # could leave the last batch of the costliest calls to one process.
    parallel = Parallel(n_jobs=min(workers, len(items)), backend=backend, batch_size=1,
                        return_as="generator_unordered")
    with signals_ignored():  # the call starts (or reuses) the worker processes
        results = parallel(delayed(_one_thread)(function, shared, item) for item in items)
    try:
        for result in results:  # not `yield from`: close() must reach the finally first
            yield result
    except TerminatedWorkerError:
        raise WorkerLostError("a worker process died (killed, or out of memory?); finished "
                              "results are kept: fix the cause and re-run.") from None
    finally:
        with warnings.catch_warnings():  # joblib's note on the calls closing leaves unused
            warnings.simplefilter("ignore", UserWarning)
            results.close()


def shutdown_local_workers():
    """End the local worker processes kept for reuse, if any (they are started again
    when next needed), and release what fed them. Returns whether there were any.

    A command line calls it before it exits, whatever ends it: joblib replaces its pool
    after a Ctrl-C or an error, and the old pool's queue can leave its semaphores in a
    reference cycle. Collected at interpreter exit, after loky's resource tracker has
    stopped, their finalizers would start a second tracker while the first one reports
    them on stderr as "leaked"; collecting them now, while the tracker runs, frees them
    silently.
    """
    if "joblib" not in sys.modules:  # no pool was ever started
        return False
    from joblib.externals.loky import reusable_executor

    executor = reusable_executor._executor
    if executor is not None:
        executor.shutdown(wait=True, kill_workers=True)
        reusable_executor._executor = None
    gc.collect()
    return executor is not None


def _on_dask(function, shared, items, scheduler):
    try:
        import distributed
    except ImportError as error:  # the optional extra is missing
        raise ImportError("running on a Dask cluster needs the `dask` extra: "
                          "pip install 'mnist-clustering[dask]'") from error
    client = _connect(scheduler) if isinstance(scheduler, str) else scheduler
    if not isinstance(client, distributed.Client):
        raise TypeError(f"scheduler must be an address string or a distributed.Client, "
                        f"got {type(scheduler).__name__}")
    futures = []
    try:
        shared_future = client.scatter(shared, broadcast=True, hash=False)
        futures = [client.submit(_one_thread, function, shared_future, item, pure=False)
                   for item in items]
        failures = []
        for future in distributed.as_completed(futures, loop=client.loop):
            try:
                yield future.result()
            except distributed.KilledWorker as error:
                failures.append(WorkerLostError(
                    f"the Dask workers running {function.__name__} on {future.key} died "
                    f"repeatedly ({error}); often they ran out of memory. Finished results "
                    "are kept: fix the cause and re-run."))
            except Exception as error:  # noqa: BLE001  (raised once the others are done)
                failures.append(error)
            future.release()
        if failures:
            raise failures[0]
    finally:
        client.cancel(futures)  # interrupted or failed: leave no work on the cluster
        if client is not scheduler:
            client.close()


def _connect(address):
    """A client of the scheduler at ``address``, or a ConnectionError naming it.

    The client is made in a helper thread given a deadline: ``Client(timeout=...)``
    bounds the TCP connection only, and a server that accepts it without speaking
    Dask's protocol would keep it waiting forever.
    """
    import threading

    import distributed

    check_scheduler_address(address)
    outcome = {}

    def connect():
        try:
            outcome["client"] = distributed.Client(address, timeout=CONNECT_TIMEOUT,
                                                   set_as_default=False)
        except Exception as error:  # noqa: BLE001  (reported below)
            outcome["error"] = error

    thread = threading.Thread(target=connect, name="dask-connect", daemon=True)
    thread.start()
    thread.join(CONNECT_TIMEOUT + 2)
    if "client" in outcome:
        return outcome["client"]
    error = outcome.get("error")
    if isinstance(error, ValueError):  # a malformed address
        raise ValueError(f"bad Dask scheduler address {address!r}: {error}; give e.g. "
                         "tcp://HOST:8786") from None
    reason = f" ({error})" if error else ""
    raise ConnectionError(f"no Dask scheduler answered at {address} within "
                          f"{CONNECT_TIMEOUT} s{reason}; {_HINT}") from None


def check_scheduler_address(address):
    """Check a scheduler address before a ``Client`` is made for it: its form, and for TCP
    that something listens there. A ``Client`` that fails to connect is left half made,
    and its finaliser blocks the interpreter's exit for 20 s with a traceback."""
    import socket

    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address, strict=True)
        host, port = parse_host_port(location) if scheme in ("tcp", "tls") else (None, None)
    except ValueError as error:
        raise ValueError(f"bad Dask scheduler address {address!r}: {error}; give e.g. "
                         "tcp://HOST:8786") from None
    if host is None:
        return
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as error:
        raise ConnectionError(f"no Dask scheduler answered at {address} ({error}); "
                              f"{_HINT}") from None
