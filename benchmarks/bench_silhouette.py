"""Benchmark: exact silhouettes for many k from one distance matrix vs scikit-learn per k.

Default (subset) mode, on the first ``--n`` MNIST training images (20,000):

* labellings: ``KMeans(k, n_init=1, random_state=0)`` for each k of ``--ks`` (not timed);
* ours: ``distance_matrix(X, in_memory=True)`` + ONE ``silhouette_scores`` pass over all
  the labellings (both parts and the total are timed);
* reference: ``sklearn.metrics.silhouette_score(X, labels)`` per k, in the same run;
* checks that they agree to 1e-5 and prints both times and the speed-up.

``--full`` mode measures the real thing on all 60,000 images: ``distance_matrix(X)`` through
the disk cache (builds the shared 14.4 GB file the sweeps reuse, or reuses it when it is
already there), then one ``silhouette_scores`` pass over KMeans labellings for
``--ks`` (default 10,50,100,200,262; MiniBatchKMeans labels, to keep the untimed labelling
step short), reporting seconds per labelling and the fixed vs marginal cost of a pass. ``--check-sklearn``
also runs ``silhouette_score(X, labels)`` for the first k (~90 s) and compares.

    python benchmarks/bench_silhouette.py
    python benchmarks/bench_silhouette.py --full --check-sklearn
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import threading
import time

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from mnist_clustering.data import load_mnist, prepare
from mnist_clustering.distances import distance_matrix, matrix_bytes, silhouette_scores

SUBSET_KS = "2,5,10,15,20,30,40,60,80,100"
FULL_KS = "10,50,100,200,262"


class MemorySampler:
    """Peak anonymous and file-backed resident memory of this process (sampled)."""

    def __init__(self, interval=0.1):
        self.interval = interval
        self.peak_anon = 0
        self.peak_file = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _read():
        anon = file = 0
        try:
            with open("/proc/self/status") as f:
                for line in f:
                    if line.startswith("RssAnon:"):
                        anon = int(line.split()[1]) * 1024
                    elif line.startswith("RssFile:"):
                        file = int(line.split()[1]) * 1024
        except OSError:
            pass
        return anon, file

    def _run(self):
        while not self._stop.is_set():
            anon, file = self._read()
            self.peak_anon = max(self.peak_anon, anon)
            self.peak_file = max(self.peak_file, file)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def gb(b):
    return f"{b / 1e9:.2f} GB"


def max_rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def labellings_for(X, ks, minibatch=False):
    labs = []
    t = time.perf_counter()
    # one BLAS thread inside scikit-learn's OpenMP Lloyd loop: oversubscribing a busy
    # 2-core machine makes KMeans many times slower (same as mnist_clustering.estimators)
    with threadpool_limits(limits=1, user_api="blas"):
        for k in ks:
            if minibatch:
                est = MiniBatchKMeans(n_clusters=k, n_init=1, batch_size=4096, random_state=0)
            else:
                est = KMeans(n_clusters=k, n_init=1, random_state=0)
            labs.append(est.fit_predict(X))
    name = "MiniBatchKMeans" if minibatch else "KMeans"
    print(f"{name} labellings for k={list(ks)}: {time.perf_counter() - t:.1f} s (not timed)",
          flush=True)
    return labs


def subset(args, X_all):
    X = np.ascontiguousarray(X_all[: args.n])
    ks = [int(k) for k in args.ks.split(",")]
    print(f"X: {X.shape} {X.dtype}; ks={ks}; matrix {gb(matrix_bytes(len(X)))}")
    labs = labellings_for(X, ks)

    t0 = time.perf_counter()
    D = distance_matrix(X, in_memory=True, progress=False)
    t1 = time.perf_counter()
    ours = silhouette_scores(D, labs, block_rows=args.block_rows, n_threads=args.threads)
    t2 = time.perf_counter()
    t_dist, t_sil, t_ours = t1 - t0, t2 - t1, t2 - t0
    del D

    ref = []
    t_ref_each = []
    for lab in labs:
        t = time.perf_counter()
        ref.append(silhouette_score(X, lab))
        t_ref_each.append(time.perf_counter() - t)
    ref = np.array(ref)
    t_ref = sum(t_ref_each)

    diff = np.abs(ours - ref)
    print()
    print(f"{'k':>5} {'ours':>12} {'sklearn':>12} {'|diff|':>9} {'sklearn s':>10}")
    for k, o, r, d, t in zip(ks, ours, ref, diff, t_ref_each):
        print(f"{k:>5} {o:>12.8f} {r:>12.8f} {d:>9.1e} {t:>10.2f}")
    print()
    print(f"ours:    distance matrix {t_dist:.2f} s + silhouette_scores ({len(ks)} labellings) "
          f"{t_sil:.2f} s = {t_ours:.2f} s")
    print(f"sklearn: silhouette_score per k, {len(ks)} k: {t_ref:.2f} s "
          f"({t_ref / len(ks):.2f} s per k)")
    print(f"speed-up: {t_ref / t_ours:.1f}x   (max |diff| {diff.max():.1e})")
    print(f"peak RSS: {gb(max_rss())}")
    ok = diff.max() <= 1e-5
    print("AGREE to 1e-5" if ok else "DISAGREE: max |diff| > 1e-5")
    return 0 if ok else 1


def full(args, X):
    ks = [int(k) for k in args.ks.split(",")]
    n = len(X)
    print(f"X: {X.shape} {X.dtype}; matrix {gb(matrix_bytes(n))}")
    with MemorySampler() as mem:
        t0, c0 = time.perf_counter(), time.process_time()
        D = distance_matrix(X, cache_dir=args.cache_dir, progress=True)
        t_dist, c_dist = time.perf_counter() - t0, time.process_time() - c0
    where = getattr(D, "filename", None) or "RAM"
    print(f"distance_matrix: {t_dist:.1f} s wall, {c_dist:.1f} s CPU (all threads) -> {where}")
    print(f"  peak RssAnon {gb(mem.peak_anon)}, peak RssFile (mapped cache pages) "
          f"{gb(mem.peak_file)}, ru_maxrss {gb(max_rss())}")

    # the cost of a pass does not depend on where the labels come from; MiniBatchKMeans
    # keeps the (untimed) labelling step short at full size
    labs = labellings_for(X, ks, minibatch=True)
    with MemorySampler() as mem:
        t0, c0 = time.perf_counter(), time.process_time()
        scores = silhouette_scores(D, labs, block_rows=args.block_rows,
                                   n_threads=args.threads, progress=True)
        t_sil, c_sil = time.perf_counter() - t0, time.process_time() - c0
    for k, s in zip(ks, scores):
        print(f"  k={k:>4}: silhouette {s:.8f}")
    print(f"silhouette_scores, {len(ks)} labellings in one pass: {t_sil:.1f} s "
          f"= {t_sil / len(ks):.2f} s per labelling ({c_sil:.1f} s CPU)")
    print(f"  peak RssAnon {gb(mem.peak_anon)}, peak RssFile {gb(mem.peak_file)}")
    if len(ks) > 1:
        # split a pass into its fixed part (reading D, transposed copies) and the
        # marginal cost of each extra labelling
        t0, c0 = time.perf_counter(), time.process_time()
        one = silhouette_scores(D, labs[-1:], block_rows=args.block_rows,
                                n_threads=args.threads)
        t_one, c_one = time.perf_counter() - t0, time.process_time() - c0
        assert abs(one[0] - scores[-1]) < 1e-12
        marginal = (t_sil - t_one) / (len(ks) - 1)
        c_marginal = (c_sil - c_one) / (len(ks) - 1)
        print(f"one pass with 1 labelling (k={ks[-1]}): {t_one:.1f} s ({c_one:.1f} s CPU) -> "
              f"marginal {marginal:.2f} s ({c_marginal:.2f} s CPU) per extra labelling, "
              f"fixed ~{t_one - marginal:.1f} s ({c_one - c_marginal:.1f} s CPU) per pass")
    status = 0
    if args.check_sklearn:
        t0 = time.perf_counter()
        ref = silhouette_score(X, labs[0])
        t_ref = time.perf_counter() - t0
        d = abs(ref - scores[0])
        print(f"sklearn silhouette_score(X, labels) k={ks[0]}: {ref:.8f} in {t_ref:.1f} s; "
              f"|diff| {d:.1e}")
        status = 0 if d <= 1e-5 else 1
    return status


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=20000, help="images in the subset (default 20000)")
    p.add_argument("--ks", default=None,
                   help=f"comma-separated k (default {SUBSET_KS}; with --full {FULL_KS})")
    p.add_argument("--block-rows", type=int, default=1024)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--full", action="store_true",
                   help="all 60,000 images via the disk cache (builds the 14.4 GB matrix)")
    p.add_argument("--cache-dir", default=None, help="distance-matrix cache (with --full)")
    p.add_argument("--check-sklearn", action="store_true",
                   help="with --full: compare the first k with sklearn (~90 s)")
    args = p.parse_args(argv)
    if args.ks is None:
        args.ks = FULL_KS if args.full else SUBSET_KS

    (x_train, _), _ = load_mnist()
    X = prepare(x_train)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} (timings are wall clock)")
    return full(args, X) if args.full else subset(args, X)


if __name__ == "__main__":
    sys.exit(main())
