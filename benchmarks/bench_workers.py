"""Local worker processes for a K-Means sweep: joblib (loky) vs a Dask LocalCluster vs serial.

Runs the same sweep (default: the first 10,000 MNIST images, k = 2:40:4, silhouette
sampled on 2,000 images, so no distance matrix), each run into its own temporary
results folder:

1. serial, ``run_sweep(..., workers=1)``: one k after the other;
2. ``run_sweep(..., workers=N)``: joblib's loky processes (what the package uses); the
   first sweep includes starting the processes, the next reuses them;
3. ``run_sweep(..., scheduler=client)`` on a ``distributed.LocalCluster`` of N one-thread
   processes (the local path before joblib), its start-up timed apart, first and next
   sweep.

Every fit runs on one thread, so each way must give the serial rows to the last bit
(timings apart); the script checks it.

Usage::

    .venv/bin/python benchmarks/bench_workers.py [--n-samples 10000] [--k 2:40:4]
        [--silhouette 2000] [--workers 2] [--n-init 1] [--repeat 3]
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time

from mnist_clustering.evaluate import SweepData, parse_k_range
from mnist_clustering.sweep import run_sweep

TIMING = ["fit_seconds", "score_seconds"]


def timed_sweep(label, results_dir, data, args, **options):
    start = time.perf_counter()
    table = run_sweep("kmeans", args.k, data=data, results_dir=results_dir, progress=False,
                      silhouette=args.silhouette, n_init=args.n_init, **options)
    seconds = time.perf_counter() - start
    print(f"{label:<46}{seconds:>7.1f} s   sum of fit_seconds {table['fit_seconds'].sum():6.1f} s",
          flush=True)
    return seconds, table.drop(columns=TIMING)


def local_cluster(n_workers):
    """A LocalCluster as the package started one: one thread per worker, no memory limit,
    and without Dask's MALLOC_TRIM_THRESHOLD_ (it slows K-Means fits down)."""
    import dask
    import distributed

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ["MALLOC_TRIM_THRESHOLD_"] = None
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        return distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                        processes=True, memory_limit=0, dashboard_address=None,
                                        scheduler_kwargs={"dashboard_address": ":0"},
                                        silence_logs=logging.ERROR)


def one_round(data, args, scratch):
    """Seconds of each way, and whether its rows equal the serial rows."""
    from joblib.externals.loky import get_reusable_executor

    import distributed

    get_reusable_executor().shutdown(wait=True)  # the next joblib sweep starts its processes
    times = {}
    times["serial"], rows = timed_sweep("serial (one k at a time)", f"{scratch}/s", data, args)
    times["joblib cold"], joblib_rows = timed_sweep(
        "joblib loky, first sweep (process start-up)", f"{scratch}/j1", data, args,
        workers=args.workers)
    times["joblib warm"], _ = timed_sweep("joblib loky, next sweep (processes reused)",
                                          f"{scratch}/j2", data, args, workers=args.workers)
    start = time.perf_counter()
    with local_cluster(args.workers) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        times["dask start-up"] = time.perf_counter() - start
        print(f"{'Dask LocalCluster start-up':<46}{times['dask start-up']:>7.1f} s", flush=True)
        times["dask cold"], dask_rows = timed_sweep("Dask LocalCluster, first sweep",
                                                    f"{scratch}/d1", data, args, scheduler=client)
        times["dask warm"], _ = timed_sweep("Dask LocalCluster, next sweep", f"{scratch}/d2",
                                            data, args, scheduler=client)
    return times, rows.equals(joblib_rows), rows.equals(dask_rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=10000)
    parser.add_argument("--k", default="2:40:4")
    parser.add_argument("--silhouette", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--n-init", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds; the best time of each way is reported (other work on "
                             "the machine adds noise)")
    args = parser.parse_args()

    data = SweepData("mnist", args.n_samples)
    _ = (data.X, data.fingerprint)  # load and hash once, outside every timing
    print(f"KMeans on the first {args.n_samples} MNIST images, {len(parse_k_range(args.k))} k "
          f"({args.k}), n_init={args.n_init}, silhouette sampled on {args.silhouette}; "
          f"{args.workers} workers, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f} at start")
    best, same = {}, []
    for round_ in range(args.repeat):
        print(f"-- round {round_ + 1}", flush=True)
        with tempfile.TemporaryDirectory() as scratch:
            times, joblib_same, dask_same = one_round(data, args, scratch)
        same.append((joblib_same, dask_same))
        best = {name: min(seconds, best.get(name, seconds)) for name, seconds in times.items()}
    print(f"load average {os.getloadavg()[0]:.1f} at the end\n")
    serial = best["serial"]
    print(f"best of {args.repeat}: serial {serial:.1f} s; speed-up over serial, start-up "
          "included / excluded:")
    print(f"  joblib loky         {serial / best['joblib cold']:.2f}x / "
          f"{serial / best['joblib warm']:.2f}x   ({best['joblib cold']:.1f} s / "
          f"{best['joblib warm']:.1f} s)")
    dask_cold = best["dask start-up"] + best["dask cold"]
    print(f"  Dask LocalCluster   {serial / dask_cold:.2f}x / {serial / best['dask warm']:.2f}x"
          f"   ({dask_cold:.1f} s / {best['dask warm']:.1f} s)")
    print("rows equal to the serial sweep's to the last bit: joblib "
          f"{all(j for j, _ in same)}, Dask {all(d for _, d in same)}")


if __name__ == "__main__":
    main()
