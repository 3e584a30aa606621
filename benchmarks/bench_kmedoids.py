"""K-Medoids ('alternate', the seed's engine) at one k on all 60,000 MNIST images.

Ours: scikit-learn-extra's KMedoids fitted on the shared, cached distance matrix
(``metric='precomputed'``; the matrix is built once per dataset and reused by every k).
Naive (the seed's call): ``KMedoids(n_clusters=k).fit(X)``, which computes its own
60,000 x 60,000 matrix on every fit.

Each side runs in its own subprocess so that its peak RSS is its own. Both must find
the same medoids. Run: ``.venv/bin/python benchmarks/bench_kmedoids.py [--k 19]``.
"""

import argparse
import json
import subprocess
import sys
import time

CHILD = r"""
import json, resource, sys, time, warnings
import numpy as np
from mnist_clustering.data import load_mnist, prepare
from mnist_clustering.estimators import _scikit_learn_extra_kmedoids, fit_clustering
way, k = sys.argv[1], int(sys.argv[2])
X = prepare(load_mnist()[0][0])
if way == "ours":
    from mnist_clustering.distances import distance_matrix
    start = time.perf_counter()
    D = distance_matrix(X, progress=False)  # cached: opening the memmap is instant
    opened = time.perf_counter() - start
    fit = fit_clustering("kmedoids-alternate", k, X, distances=D)
    seconds, medoids, inertia = opened + fit.fit_seconds, fit.medoid_indices, fit.inertia
else:
    KMedoids = _scikit_learn_extra_kmedoids()
    start = time.perf_counter()
    model = KMedoids(n_clusters=k).fit(X)
    seconds = time.perf_counter() - start
    medoids, inertia = model.medoid_indices_, float(model.inertia_)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
anon = int(status["RssAnon"].split()[0]) * 1024  # private memory now (file pages excluded)
print(json.dumps({"seconds": seconds, "peak_rss": peak, "anon_rss_end": anon, "inertia": inertia,
                  "medoids": sorted(int(m) for m in medoids)}))
"""


def run(way, k):
    out = subprocess.run([sys.executable, "-c", CHILD, way, str(k)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=19)
    args = parser.parse_args()
    # Make sure the shared matrix exists first: its one-off build is not a per-k cost.
    from mnist_clustering.evaluate import SweepData

    start = time.perf_counter()
    SweepData("mnist").distances
    print(f"shared distance matrix ready ({time.perf_counter() - start:.1f} s; built once per dataset)")
    ours, naive = run("ours", args.k), run("naive", args.k)
    gb = 1024**3
    print(f"k = {args.k}, n = 60,000, method 'alternate', init 'heuristic'")
    for name, r in (("ours  (shared matrix):         ", ours), ("naive (sklearn-extra computes):", naive)):
        print(f"  {name} {r['seconds']:7.1f} s   peak RSS {r['peak_rss'] / gb:5.1f} GB"
              f"   private RSS at end {r['anon_rss_end'] / gb:5.1f} GB")
    print("  (ours: peak RSS counts the memory-mapped matrix pages, which are shared page cache,"
          " not private memory)")
    print(f"  same medoids: {ours['medoids'] == naive['medoids']}; inertia ours {ours['inertia']:.2f}, "
          f"naive {naive['inertia']:.2f}")
    print(f"  speed-up per k: {naive['seconds'] / ours['seconds']:.1f}x")


if __name__ == "__main__":
    main()
