"""Time split of the ``spread`` preset (many seeds per k), from the committed provenance.

Reads the per-row timings every sweep records (``results/mnist/<table>.json``, ``per_k``)
and reports, per preset entry: the rows it fitted, the summed fit time (worker time), the
summed exact-silhouette time (driver passes over the distance matrix), the wall-clock span
of the fits and the worker time left idle in that span (``workers * span - fits``: the
tail where fewer rows than workers remain, plus start-up).

The same rows fitted one after the other in one process would take the summed fit time
plus the silhouettes: that is the naive reference, printed beside the measured span.

Usage::

    .venv/bin/python benchmarks/bench_spread.py [--workers 2]
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path

from mnist_clustering.results import open_store, table_key
from mnist_clustering.sweep import (
    SPREAD_PRESET,
    parse_k_range,
    parse_seed_grid,
    timing_key,
)

RESULTS = Path(__file__).resolve().parents[1] / "results"


def entry_rows(entry):
    """(store, [(k, seed)]) of one preset entry."""
    store = open_store(table_key(entry.method, "mnist", **entry.params), RESULTS)
    keys = [(k, s) for s in parse_seed_grid(entry.seeds) for k in parse_k_range(entry.ks)]
    return store, keys


def split(store, keys, workers):
    per_k = json.loads(store.provenance_path.read_text())["per_k"]
    timings = [per_k[timing_key(k, s)] for k, s in keys if timing_key(k, s) in per_k]
    # rows of seed 0 the seed preset fitted earlier were not fitted by this entry: drop
    # what finished before this entry's first new-seed row could have started (a seed-0
    # row refitted here to keep its labels finishes inside the window and stays)
    new = [per_k[timing_key(k, s)] for k, s in keys if s != 0 and timing_key(k, s) in per_k]
    if new:
        first = min(datetime.fromisoformat(t["finished"]) for t in new)
        slack = max(t.get("fit_seconds", 0.0) for t in new) + 60
        timings = [t for t in timings
                   if (first - datetime.fromisoformat(t["finished"])).total_seconds() < slack]
    fits = sum(t.get("fit_seconds", 0.0) for t in timings)
    silhouettes = sum(t.get("silhouette_seconds", 0.0) for t in timings)
    finished = sorted(datetime.fromisoformat(t["finished"]) for t in timings)
    first = min(timings, key=lambda t: t["finished"])
    span = (finished[-1] - finished[0]).total_seconds() + first.get("fit_seconds", 0.0)
    return {"rows": len(timings), "fits": fits, "silhouettes": silhouettes, "span": span,
            "idle": max(workers * span - fits, 0.0)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="workers the run used")
    args = parser.parse_args()
    total = {"rows": 0, "fits": 0.0, "silhouettes": 0.0, "span": 0.0, "idle": 0.0}
    print(f"{'entry':38} {'rows':>5} {'fits':>9} {'span':>9} {'idle':>9} {'silh.':>8}")
    claimed = set()  # (table, k, seed) of earlier entries: a row is one entry's
    for entry in SPREAD_PRESET:
        store, keys = entry_rows(entry)
        keys = [key for key in keys if (store.csv, *key) not in claimed]
        claimed.update((store.csv, *key) for key in keys)
        if not store.provenance_path.exists():
            print(f"{entry.label:38} not run yet ({store.provenance_path.name} missing)")
            continue
        part = split(store, keys, args.workers)
        for key in total:
            total[key] += part[key]
        print(f"{entry.label:38} {part['rows']:5d} {part['fits'] / 60:8.1f}m "
              f"{part['span'] / 60:8.1f}m {part['idle'] / 60:8.1f}m "
              f"{part['silhouettes'] / 60:7.1f}m")
    ours = total["span"] + total["silhouettes"]
    naive = total["fits"] + total["silhouettes"]
    print(f"{'total':38} {total['rows']:5d} {total['fits'] / 60:8.1f}m "
          f"{total['span'] / 60:8.1f}m {total['idle'] / 60:8.1f}m "
          f"{total['silhouettes'] / 60:7.1f}m")
    print(f"fits on {args.workers} workers + silhouette passes: {ours / 60:.1f} min; the same "
          f"rows one after the other in one process: {naive / 60:.1f} min "
          f"(ratio {naive / ours:.2f}x)")


if __name__ == "__main__":
    main()
