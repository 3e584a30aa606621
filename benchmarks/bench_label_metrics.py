"""Benchmark: vectorised label scores vs the 2022 notebook's loops (plain-Python oracle).

On the 60,000 MNIST training labels (``load_mnist()``) and one labelling with
``--k`` clusters (default 262, the largest k of the seed's sweeps):

* ours: ``label_scores(y, clusters, n_clusters=k)`` (purity, errors, label entropy, the
  seed's index entropy, homogeneity, NMI, ARI, Hungarian accuracy), best of
  ``--repeat`` runs, plus its pieces and scikit-learn's homogeneity/NMI/ARI called
  one by one;
* the 2022 way: ``total_errors`` (which calls the quadratic ``predicted_digits``) and
  ``index_entropy`` from ``tests/seed_oracle.py``, run once;
* checks that both give the same numbers and prints both times and their ratio.

The seed's cost is first extrapolated from timings of each of its parts on subsets
(a few clusters' passes, a random sample of images for the quadratic membership
loop); it is then run on all images if that fits in ``--budget`` seconds (default
600), otherwise the extrapolated time is reported, and the output says so.

Labellings (``--labels-from``): ``kmeans`` (default) is
``KMeans(n_clusters=k, n_init=1, random_state=0)`` fit on ``prepare(x_train)`` (about
40-60 s on 2 cores, not part of the timings); ``minibatch`` is
``MiniBatchKMeans(n_clusters=k, n_init=1, random_state=0)``; ``random`` draws uniform
cluster ids with seed 0 (instant).

    python benchmarks/bench_label_metrics.py
    python benchmarks/bench_label_metrics.py --labels-from random
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
from sklearn import metrics as skm

from mnist_clustering.data import load_mnist, prepare
from mnist_clustering.metrics import (
    contingency,
    label_scores,
    n_errors,
    predict_labels,
    seed_index_entropy,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import seed_oracle  # noqa: E402


def best_time(func, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def make_labels(kind, k, x_train, n):
    if kind == "random":
        clusters = np.random.default_rng(0).integers(0, k, n).astype(np.int32)
        return clusters, f"random cluster ids, numpy default_rng(0).integers(0, {k}, {n})"
    X = prepare(x_train)
    if kind == "kmeans":
        from sklearn.cluster import KMeans

        model = KMeans(n_clusters=k, n_init=1, random_state=0)
        name = f"KMeans(n_clusters={k}, n_init=1, random_state=0)"
    else:
        from sklearn.cluster import MiniBatchKMeans

        model = MiniBatchKMeans(n_clusters=k, n_init=1, random_state=0)
        name = f"MiniBatchKMeans(n_clusters={k}, n_init=1, random_state=0)"
    start = time.perf_counter()
    clusters = model.fit(X).labels_
    return clusters, f"{name} on prepare(x_train), fit in {time.perf_counter() - start:.1f} s"


def run_seed(clusters, y, k):
    """The oracle's total_errors + index_entropy once; returns (times, results)."""
    recorded = {}
    original = seed_oracle.predicted_digits

    def recording(*args):
        start = time.perf_counter()
        out = original(*args)
        recorded["y_predicted_s"] = time.perf_counter() - start
        recorded["y_predicted"] = out
        return out

    seed_oracle.predicted_digits = recording
    try:
        start = time.perf_counter()
        errors = seed_oracle.total_errors(clusters, k, y)
        t_errors = time.perf_counter() - start
    finally:
        seed_oracle.predicted_digits = original
    start = time.perf_counter()
    entropy = seed_oracle.index_entropy(clusters, k)
    t_entropy = time.perf_counter() - start
    times = {"total_errors": t_errors, "predicted_digits": recorded["y_predicted_s"],
             "index_entropy": t_entropy}
    return times, {"n_errors": errors, "seed_index_entropy": entropy,
                   "y_predicted": recorded["y_predicted"]}


def estimate_seed(clusters, y, k, n_sample=3000, n_group=6, seed=0):
    """Extrapolated time of the oracle's total_errors + index_entropy on all images.

    Times each part of the seed's code on a subset and scales it to the full input:
    ``cluster_members`` (one pass over all n images) for ``n_group`` clusters, times 2k
    (predicted_digits and index_entropy each make k passes); ``majority_digit`` and an
    entropy for those clusters, times k; the quadratic membership search for
    ``n_sample`` random images (against the full cluster lists), times n / n_sample; the
    final error-count loop on a prefix.
    """
    from scipy.stats import entropy

    n = len(clusters)
    js = np.unique(np.linspace(0, k - 1, n_group).astype(int)).tolist()
    start = time.perf_counter()
    groups = [seed_oracle.cluster_members(clusters, j) for j in js]
    t_pass = (time.perf_counter() - start) / len(js)
    start = time.perf_counter()
    for group in groups:
        seed_oracle.majority_digit(group, y)
    t_label = (time.perf_counter() - start) / len(js)
    start = time.perf_counter()
    for group in groups:
        entropy(group)
    t_entropy = (time.perf_counter() - start) / len(js)
    # the seed's clustering lists, built fast (same content: increasing Python ints)
    order = np.argsort(clusters, kind="stable")
    bounds = np.cumsum(np.bincount(clusters, minlength=k))[:-1]
    clustering = [part.tolist() for part in np.split(order, bounds)]
    sample = np.random.default_rng(seed).choice(n, size=min(n_sample, n), replace=False)
    start = time.perf_counter()
    for i in sample.tolist():
        j = 0
        while i not in clustering[j]:
            j += 1
    t_member = (time.perf_counter() - start) * n / len(sample)
    m = min(n, 10_000)
    predicted = list(np.zeros(m, dtype=np.int64).tolist())
    start = time.perf_counter()
    errors = 0
    for i in range(m):
        if y[i] != predicted[i]:
            errors += 1
    t_count = (time.perf_counter() - start) * n / m
    parts = {
        "cluster_members passes (2k)": 2 * k * t_pass,
        "majority_digit (k)": k * t_label,
        "while-in membership loop": t_member,
        "error count loop": t_count,
        "scipy entropy (k)": k * t_entropy,
    }
    return sum(parts.values()), parts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels-from", choices=["kmeans", "minibatch", "random"],
                        default="kmeans")
    parser.add_argument("--k", type=int, default=262)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--budget", type=float, default=600.0,
                        help="run the seed fully only if its extrapolated time is below this (s)")
    args = parser.parse_args(argv)

    (x_train, y_train), _ = load_mnist()
    y = np.asarray(y_train)  # uint8, as the notebook's y_train
    n = y.shape[0]
    print(f"MNIST training labels: {n} from load_mnist() (dtype {y.dtype})")
    clusters, how = make_labels(args.labels_from, args.k, x_train, n)
    k = args.k
    sizes = np.bincount(clusters, minlength=k)
    print(f"labelling: {how}")
    print(f"  k = {k}: {int((sizes > 0).sum())} non-empty clusters, sizes "
          f"{int(sizes.min())}..{int(sizes.max())}")

    # ---- ours
    t_ours, ours = best_time(lambda: label_scores(y, clusters, n_clusters=k), args.repeat)
    t_cont, _ = best_time(lambda: contingency(y, clusters, n_clusters=k), args.repeat)
    t_err, _ = best_time(lambda: n_errors(y, clusters), args.repeat)
    t_pred, pred = best_time(lambda: predict_labels(y, clusters), args.repeat)
    t_sent, _ = best_time(lambda: seed_index_entropy(clusters, n_clusters=k), args.repeat)
    t_sk, sk = best_time(lambda: (skm.homogeneity_score(y, clusters),
                                  skm.normalized_mutual_info_score(y, clusters),
                                  skm.adjusted_rand_score(y, clusters)), args.repeat)
    print(f"\nours (best of {args.repeat}):")
    print(f"  label_scores, all 8 scores from one contingency: {t_ours * 1e3:8.2f} ms")
    print(f"    contingency {t_cont * 1e3:.2f} ms | n_errors {t_err * 1e3:.2f} ms | "
          f"predict_labels {t_pred * 1e3:.2f} ms | seed_index_entropy {t_sent * 1e3:.2f} ms")
    print(f"  for comparison, sklearn homogeneity + NMI + ARI called one by one: "
          f"{t_sk * 1e3:.2f} ms")
    for name, ref in zip(("homogeneity", "nmi", "ari"), sk):
        diff = abs(ours[name] - ref)
        assert diff <= 1e-12, (name, ours[name], ref)
        print(f"    {name:11s} ours {ours[name]:.15f}  sklearn {ref:.15f}  |diff| {diff:.1e}")

    # ---- the seed: extrapolate from subsets first, then run fully if affordable
    projected, parts = estimate_seed(clusters, y, k)
    print(f"\nseed, extrapolated from subsets: {projected:.1f} s for {n} images")
    for name, value in parts.items():
        print(f"    {name:34s} {value:7.2f} s")

    if projected <= args.budget:
        t_seed, seed = run_seed(clusters, y, k)
        seed_total = t_seed["total_errors"] + t_seed["index_entropy"]
        print(f"seed (one run, MEASURED on all {n} images, k = {k}):")
        print(f"  total_errors    {t_seed['total_errors']:8.2f} s  (of which predicted_digits "
              f"{t_seed['predicted_digits']:.2f} s)")
        print(f"  index_entropy   {t_seed['index_entropy']:8.2f} s")
        print(f"  total           {seed_total:8.2f} s  (extrapolation said "
              f"{projected:.1f} s)")
        ok_pred = np.array_equal(np.asarray(seed["y_predicted"]), pred)
        errors_seed = seed["n_errors"]
        entropy_diff = abs(seed["seed_index_entropy"] - ours["seed_index_entropy"])
        print("\nagreement:")
        print(f"  predicted_digits == predict_labels: {ok_pred}")
        print(f"  n_errors: seed {errors_seed}, ours {ours['n_errors']}; "
              f"precision/purity: seed {1 - errors_seed / n:.15f}, ours {ours['purity']:.15f}")
        print(f"  index_entropy: seed {seed['seed_index_entropy']:.15f}, ours "
              f"{ours['seed_index_entropy']:.15f}, |diff| {entropy_diff:.1e}")
        assert ok_pred and errors_seed == ours["n_errors"]
        assert math.isclose(1 - errors_seed / n, ours["purity"], abs_tol=1e-15)
        assert entropy_diff <= 1e-10
        label = "measured"
    else:
        seed_total = projected
        print(f"seed NOT run fully: extrapolated {projected:.0f} s > budget "
              f"{args.budget:.0f} s; its time below is EXTRAPOLATED from subsets")
        m1 = 3000
        _, seed_small = run_seed(clusters[:m1], y[:m1], k)
        small = label_scores(y[:m1], clusters[:m1], n_clusters=k)
        assert seed_small["n_errors"] == small["n_errors"]
        assert abs(seed_small["seed_index_entropy"] - small["seed_index_entropy"]) <= 1e-10
        print(f"agreement checked on the first {m1} images only: n_errors "
              f"{small['n_errors']} both")
        label = "extrapolated"

    print(f"\nours: label_scores {t_ours * 1e3:.2f} ms (8 scores) | 2022 way: total_errors + "
          f"index_entropy {seed_total:.2f} s ({label})")
    print(f"speed-up (seed / ours): {seed_total / t_ours:,.0f}x")
    print(f"ours scores: { {key: round(value, 6) for key, value in ours.items()} }")


if __name__ == "__main__":
    main()
