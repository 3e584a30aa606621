"""Build every feature space from scratch, then cluster in each: K-Means k = 10 against
raw pixels, and HDBSCAN and a Gaussian mixture in the 10-dimensional spaces.

Prints, per space, the build time (fit, test transform) and K-Means k = 10 accuracy and
NMI as mean +/- sd [min, max] over seeds with the time per fit (and its ratio to raw
pixels); then HDBSCAN (noise share, scores with and without the noise points) and the
Gaussian mixture per seed. With ``--umap-threads N`` it also times UMAP on N images
seeded (single-threaded) against unseeded (all cores).

Run (full data; about 25 min on 2 shared cores, every space built from scratch)::

    nice -n 10 python benchmarks/bench_spaces.py --seeds 10 --umap-threads 10000 --out DRAFT_DIR

Small check::

    python benchmarks/bench_spaces.py --dataset digits --epochs 2 --seeds 3
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans

from mnist_clustering.density import density_table
from mnist_clustering.metrics import hungarian_accuracy, nmi
from mnist_clustering.spaces import SPACES, embed


def kmeans_rows(space, seeds):
    rows = []
    for seed in seeds:
        start = time.perf_counter()
        labels = KMeans(10, n_init=1, random_state=seed).fit_predict(space.X_train)
        seconds = time.perf_counter() - start
        rows.append({"space": space.name, "seed": seed, "seconds": seconds,
                     "accuracy": hungarian_accuracy(space.y_train, labels),
                     "nmi": nmi(space.y_train, labels)})
    return rows


def spread(values):
    v = np.asarray(values, dtype=float)
    return f"{v.mean():.3f} +/- {v.std(ddof=1) if len(v) > 1 else 0:.3f} [{v.min():.3f}, {v.max():.3f}]"


def umap_threads(X, seed):
    """Seconds of UMAP fit_transform on X: seeded (single thread) vs unseeded (parallel)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import umap
    times = {}
    for label, kwargs in (("seeded, 1 thread", {"random_state": seed, "n_jobs": 1}),
                          ("unseeded, all cores", {"n_jobs": -1})):
        start = time.perf_counter()
        umap.UMAP(n_components=10, n_neighbors=30, min_dist=0.0, **kwargs).fit_transform(X)
        times[label] = time.perf_counter() - start
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--n-samples", type=int, default=None)
    parser.add_argument("--seeds", type=int, default=10, help="K-Means seeds 0..N-1")
    parser.add_argument("--gmm-seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=None, help="override the autoencoder's")
    parser.add_argument("--cache-dir", default=None,
                        help="default: a new temporary directory (every space from scratch)")
    parser.add_argument("--out", default=None, help="write draft CSV tables here")
    parser.add_argument("--umap-threads", type=int, default=0, metavar="N",
                        help="also time UMAP on N images seeded vs unseeded")
    args = parser.parse_args()

    cache = Path(args.cache_dir or tempfile.mkdtemp(prefix="bench-spaces-"))
    print(f"cache: {cache}")
    ae = {} if args.epochs is None else {"epochs": args.epochs}
    overrides = {"autoencoder": ae, "autoencoder-umap": {"autoencoder": ae} if ae else {}}
    seeds = range(args.seeds)
    spaces, builds, kmeans = {}, [], []
    for name in SPACES:
        start = time.perf_counter()
        space = embed(name, args.dataset, args.n_samples, cache_dir=cache,
                      params=overrides.get(name))
        wall = time.perf_counter() - start
        info = space.provenance
        builds.append({"space": name, "dims": space.X_train.shape[1], "wall_seconds": wall,
                       "fit_seconds": info.get("fit_seconds", 0.0),
                       "transform_test_seconds": info.get("transform_test_seconds", 0.0),
                       "training_seconds": info.get("training_seconds")})
        spaces[name] = space
        kmeans += kmeans_rows(space, seeds)
        print(f"built {name} in {wall:.1f} s", flush=True)

    builds = pd.DataFrame(builds)
    kmeans = pd.DataFrame(kmeans)
    n = len(spaces["raw"].X_train)
    print(f"\n== build times ({args.dataset}, {n} training images; autoencoder-umap's wall time "
          f"excludes the autoencoder, which it reuses) ==")
    print(builds.to_string(index=False, float_format=lambda x: f"{x:.1f}"))
    print(f"total wall: {builds.wall_seconds.sum():.1f} s")

    print(f"\n== K-Means k = 10, n_init=1, seeds 0..{args.seeds - 1}: mean +/- sd [min, max] ==")
    raw_time = kmeans[kmeans.space == "raw"].seconds.mean()
    for name, group in kmeans.groupby("space", sort=False):
        print(f"{name:17s} ACC {spread(group.accuracy)}  NMI {spread(group.nmi)}  "
              f"fit {group.seconds.mean():.2f} s (raw / this: {raw_time / group.seconds.mean():.1f}x)")

    summary = kmeans.groupby("space", sort=False).accuracy.mean()
    best = summary.idxmax()
    print(f"\nbest space by mean K-Means ACC: {best} ({summary[best]:.3f})")
    density = []
    for name in ("umap", "autoencoder-umap"):
        table = density_table(spaces[name], gmm_seeds=range(args.gmm_seeds))
        density.append(table)
    density = pd.concat(density, ignore_index=True)
    cols = ["space", "method", "seed", "n_clusters", "noise_share", "accuracy", "nmi", "ari",
            "purity", "accuracy_clustered", "nmi_clustered", "ari_clustered",
            "purity_clustered", "fit_seconds"]
    print("\n== HDBSCAN and Gaussian mixture (k = 10) in the 10-dimensional spaces ==")
    print(density[cols].to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    for (name, method), group in density.groupby(["space", "method"], sort=False):
        print(f"{name:17s} {method:8s} ACC {spread(group.accuracy)}  NMI {spread(group.nmi)}  "
              f"ARI {spread(group.ari)}")

    if args.umap_threads:
        X = spaces["raw"].X_train[: args.umap_threads]
        times = umap_threads(X, 0)
        print(f"\n== UMAP on {len(X)} images ==")
        for label, seconds in times.items():
            print(f"{label}: {seconds:.1f} s")
        print(f"seeded / unseeded: {times['seeded, 1 thread'] / times['unseeded, all cores']:.2f}x")

    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        builds.to_csv(out / "builds.csv", index=False)
        kmeans.to_csv(out / "kmeans.csv", index=False)
        density.to_csv(out / "density.csv", index=False)
        (out / "provenance.json").write_text(json.dumps(
            {name: s.provenance for name, s in spaces.items()}, indent=1, default=str))
        print(f"\ndraft tables in {out}")


if __name__ == "__main__":
    main()
