"""Wall time of ``--preset seed`` (every sweep of the seed notebook) and each sweep's share.

Two modes:

``--run``
    Run the whole preset from scratch into a temporary results folder (and, with
    ``--fresh-cache``, a temporary cache, so the 14.4 GB distance matrix is built too).
    One k per core at a time (``--workers``).
``--summarise DIR`` (default ``results/mnist``)
    Read the provenance of a finished run and add up its per-k times.

The seed's own way (per-k ``silhouette_score`` on 60,000 images, ~86 s per k here, and
scikit-learn-extra rebuilding the distance matrix for each K-Medoids fit, ~113 s) is
estimated from those per-k costs, printed beside ours.
"""

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from mnist_clustering.executors import default_workers
from mnist_clustering.notebook2022 import PRESET
from mnist_clustering.sweep import parse_k_range

SKLEARN_SILHOUETTE_S = 86.0  # one silhouette_score on 60,000 images, measured here
SKLEARN_EXTRA_MATRIX_S = 113.0  # KMedoids building its own matrix at k=19, measured here


def summarise(folder):
    folder = Path(folder)
    total, rows = 0.0, []
    for method, ks, _ in PRESET:
        path = folder / f"{method}.json"
        per_k = json.loads(path.read_text())["per_k"] if path.exists() else {}
        wanted = [str(k) for k in parse_k_range(ks)]
        seconds = sum(per_k[k]["wall_seconds"] for k in wanted if k in per_k)
        fits = sum(per_k[k].get("fit_seconds", 0) for k in wanted if k in per_k)
        rows.append((method, len(wanted), sum(k in per_k for k in wanted), seconds, fits))
        total += seconds
    print(f"{'sweep':<22}{'k':>5}{'done':>6}{'wall s':>10}{'fit s':>10}{'share':>8}")
    for method, n, done, seconds, fits in rows:
        print(f"{method:<22}{n:>5}{done:>6}{seconds:>10.0f}{fits:>10.0f}{seconds / max(total, 1e-9):>8.0%}")
    print(f"{'total (per-k sums)':<22}{'':>11}{total:>10.0f}")
    n_k = sum(n for _, n, *_ in rows)
    seed_way = total + n_k * SKLEARN_SILHOUETTE_S + sum(
        n for method, n, *_ in rows if method.startswith("kmedoids")) * SKLEARN_EXTRA_MATRIX_S
    print(f"seed's way, estimated: + {n_k} x {SKLEARN_SILHOUETTE_S:.0f} s silhouette_score"
          f" + K-Medoids matrix rebuilds x {SKLEARN_EXTRA_MATRIX_S:.0f} s = {seed_way / 3600:.1f} h"
          f"  (ratio {seed_way / max(total, 1e-9):.1f}x)")
    return total


def run(fresh_cache, workers, keep_results=None):
    with tempfile.TemporaryDirectory() as scratch, tempfile.TemporaryDirectory() as cache:
        results = keep_results or scratch
        if fresh_cache:
            os.environ["MNIST_CLUSTERING_CACHE"] = cache
        from mnist_clustering.sweep import run_preset

        start = time.perf_counter()
        outcome = run_preset("seed", results_dir=results, workers=workers)
        wall = time.perf_counter() - start
        for method, (_, seconds) in outcome.items():
            print(f"{method:<22} {seconds:8.0f} s  {seconds / wall:5.0%}")
        print(f"--preset seed from scratch ({workers} workers): {wall:.0f} s ({wall / 60:.1f} min)")
        summarise(Path(results) / "mnist")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", action="store_true", help="run the preset from scratch")
    parser.add_argument("--fresh-cache", action="store_true", help="with --run: empty cache too")
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="with --run: k fitted at once (default: one per core)")
    parser.add_argument("--keep-results", default=None,
                        help="with --run: write the tables here instead of a temporary folder")
    parser.add_argument("--summarise", default="results/mnist", help="a finished run's folder")
    args = parser.parse_args()
    if args.run:
        run(args.fresh_cache, args.workers, args.keep_results)
    else:
        summarise(args.summarise)


if __name__ == "__main__":
    main()
