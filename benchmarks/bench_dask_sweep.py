"""Speed-up of a K-Means sweep on a local Dask cluster over the serial sweep, this machine.

Runs the same sweep (default: the first 10,000 MNIST images, k = 2:40:4, silhouette
sampled on 2,000 images, so no distance matrix) three ways, each into its own temporary
results folder:

1. serial, ``run_sweep(..., workers=1)``: one k after the other (each fit on one thread,
   as every fit is);
2. on a ``LocalCluster`` of ``--workers`` processes x (cores // workers) threads,
   started once (its start-up is timed apart), first sweep: includes each worker's
   imports and its own loading of the images;
3. the same cluster, a second sweep: steady state.

Prints the wall times, the ratio serial / Dask, and the summed per-fit times, which
show where the time goes: every fit runs on one core either way, so the cluster wins by
running two at once, minus what they slow each other down (shared memory bandwidth and
caches) and what the driver does alone (scoring, writes).

Usage::

    .venv/bin/python benchmarks/bench_dask_sweep.py [--n-samples 10000] [--k 2:40:4]
        [--silhouette 2000] [--workers 2] [--n-init 1] [--repeat 1]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time


from mnist_clustering.parallel import dask_client
from mnist_clustering.sweep import SweepData, parse_k_range, run_sweep


def timed_sweep(label, results_dir, data, args, repeat=1, **options):
    """Best wall time of ``repeat`` fresh sweeps (each into its own folder) and the table."""
    best = None
    for attempt in range(repeat):
        start = time.perf_counter()
        table = run_sweep("kmeans", args.k, data=data, results_dir=f"{results_dir}-{attempt}",
                          progress=False, silhouette=args.silhouette, n_init=args.n_init,
                          **options)
        seconds = time.perf_counter() - start
        if best is None or seconds < best[0]:
            best = (seconds, table)
    seconds, table = best
    print(f"{label:<44}{seconds:>7.1f} s   sum of fit_seconds {table['fit_seconds'].sum():6.1f} s"
          f"   score_seconds {table['score_seconds'].sum():5.1f} s", flush=True)
    return seconds, table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=10000)
    parser.add_argument("--k", default="2:40:4")
    parser.add_argument("--silhouette", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--n-init", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1,
                        help="best of N runs of each (other work on the machine adds noise)")
    args = parser.parse_args()

    data = SweepData("mnist", args.n_samples)
    _ = (data.X, data.fingerprint)  # load and hash once, outside every timing
    ks = parse_k_range(args.k)
    print(f"KMeans on the first {args.n_samples} MNIST images, {len(ks)} k ({args.k}), "
          f"n_init={args.n_init}, silhouette sampled on {args.silhouette}; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory() as scratch:
        serial, serial_table = timed_sweep("serial (one k at a time)", f"{scratch}/serial",
                                           data, args, args.repeat)
        start = time.perf_counter()
        with dask_client(n_workers=args.workers) as client:
            startup = time.perf_counter() - start
            threads = sorted(set(client.nthreads().values()))
            print(f"{'LocalCluster start-up':<44}{startup:>7.1f} s   "
                  f"({args.workers} workers x {threads} threads)", flush=True)
            cold, dask_table = timed_sweep("Dask, first sweep (imports, data load)",
                                           f"{scratch}/dask", data, args, scheduler=client)
            warm, _ = timed_sweep("Dask, next sweeps (warm workers)", f"{scratch}/dask2",
                                  data, args, args.repeat, scheduler=client)
    timing = ["fit_seconds", "score_seconds"]
    same_rows = serial_table.drop(columns=timing).equals(dask_table.drop(columns=timing))
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    print(f"\nserial {serial:.1f} s, Dask {warm:.1f} s warm ({cold:.1f} s cold, "
          f"+{startup:.1f} s cluster start-up): speed-up {serial / warm:.2f}x warm, "
          f"{serial / (cold + startup):.2f}x counting start-up")
    print(f"rows equal to the serial sweep's, inertia included, apart from timings: {same_rows}")

if __name__ == "__main__":
    main()
