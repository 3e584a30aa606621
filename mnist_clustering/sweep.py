"""Sweeps over k: fit, score, and store one row per k in ``results/``.

A sweep is one independent fit per k. Each finished k is written at once, atomically,
to ``results/<dataset>/<method>.csv`` (plus provenance in ``<method>.json``), so an
interrupted sweep loses only the k in progress and a re-run computes only what is
missing. One table holds one method with one parameter set; asking for other
parameters against an existing table is an error, never a silent mix.

Columns of a row (see :data:`COLUMNS`): the scores of :func:`score_fit` plus the
method, k, seed, parameters and timings. ``inertia`` is the sum of squared distances
to the nearest centroid for K-Means and the sum of (unsquared) distances to the
nearest medoid for K-Medoids, as the libraries define it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import numbers
import os
import platform
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property

import numpy as np

from . import metrics
from .estimators import (
    NEEDS_DISTANCES, check_method, fit_clustering, method_params, non_default_params,
)
from .results import (  # noqa: F401 (ResultsError, default_results_dir: re-exported)
    COLUMNS, ResultsError, ResultsStore, default_results_dir, table_name,
)

SEED_PRESET = (
    # (method, k grid as the seed wrote it, k values whose artefacts the notebooks show)
    # k=256 is not in the seed: it is where the published purity (~0.89) is quoted.
    ("kmeans", "2:80,2:263:5,256", (10, 19)),            # seed cells [10] and [30]; [5], [14]
    ("kmedoids-alternate", "2:263:10,19,22", (19, 22)),  # seed cells [22]; [18], [25]
    # Not the seed's: notebook 03 sets FasterPAM beside 'alternate' at the seed's two k,
    # starting from the 'alternate' medoids just kept.
    ("kmedoids-fasterpam", "19,22", (19, 22)),
)
"""Every sweep and final model of the seed notebook, for ``--preset seed``."""

SPREAD_PRESET = (
    # Every K-Means number with its spread over random starts (one row per k and seed,
    # labels kept for the stability across seeds). Largest k first: the longest fits.
    {"label": "kmeans k=50..256, 5 seeds", "method": "kmeans", "ks": "50,100,150,200,256",
     "seeds": "0:5"},
    {"label": "kmeans k=2..30, 10 seeds", "method": "kmeans", "ks": "2:31", "seeds": "0:10"},
    {"label": "kmeans k=10,19, 20 seeds", "method": "kmeans", "ks": "10,19", "seeds": "0:20"},
    # scikit-learn 1.0's default, the 2022 notebook's: best inertia of 10 starts
    {"label": "kmeans n_init=10 k=10,19, 5 seeds", "method": "kmeans", "ks": "10,19",
     "seeds": "0:5", "n_init": 10},
)
"""Many seeds per k, for ``--preset spread`` (after ``--preset seed``)."""

PRESETS = {"seed": SEED_PRESET, "spread": SPREAD_PRESET}


# --------------------------------------------------------------------------- k grids
def parse_k_range(spec):
    """Parse a k grid: ``'2:80'``, ``'2:263:5'``, ``'10,19,22'`` or a mix of them.

    Ranges follow Python's ``range(start, stop, step)``: the stop is excluded, so
    ``'2:80'`` is the seed's ``range(2, 80)``, k = 2..79.

    Parameters
    ----------
    spec : str, int or iterable of int

    Returns
    -------
    list of int
        Sorted, without duplicates.

    Raises
    ------
    ValueError
        On an empty or malformed spec, an empty range, or any k < 2.

    Examples
    --------
    >>> parse_k_range("2:12:5")
    [2, 7]
    >>> parse_k_range("2:4,10")
    [2, 3, 10]
    """
    values = _grid_values(spec, "k")
    if min(values) < 2:
        raise ValueError(f"every k must be >= 2 (a clustering needs two clusters); got {min(values)}")
    return values


def parse_seed_grid(spec):
    """Parse a grid of random seeds, with the k grid's syntax: ``'0:10'``, ``'0,7'``...

    Examples
    --------
    >>> parse_seed_grid("0:3,10")
    [0, 1, 2, 10]
    """
    values = _grid_values(spec, "seed")
    if values[-1] >= 2**32:
        raise ValueError(f"seeds must lie in 0 .. 2**32 - 1, got {values[-1]}")
    return values


def _grid_values(spec, what):
    if isinstance(spec, (int, np.integer)):
        values = [int(spec)]
    elif isinstance(spec, str):
        values = _parse_k_string(spec)
    else:
        values = [int(v) for v in spec]
    if not values:
        raise ValueError(f"the {what} grid {spec!r} is empty")
    return sorted(set(values))


def _parse_k_string(spec):
    if not spec.strip():
        raise ValueError("the k grid is empty; give e.g. '2:80', '2:263:5' or '10,19,22'")
    values = []
    for part in spec.split(","):
        part = part.strip()
        if not re.fullmatch(r"\d+(:\d+(:\d+)?)?", part):
            raise ValueError(
                f"malformed k grid part {part!r} in {spec!r}; use START:STOP[:STEP] or K"
            )
        numbers = [int(x) for x in part.split(":")]
        if len(numbers) == 1:
            values.append(numbers[0])
            continue
        if len(numbers) == 3 and numbers[2] == 0:
            raise ValueError(f"step 0 in k grid part {part!r}")
        grid = range(*numbers)
        if len(grid) == 0:
            raise ValueError(f"k grid part {part!r} is empty (the stop is excluded, as in range)")
        values.extend(grid)
    return values


# --------------------------------------------------------------------------- data
@dataclass
class SweepData:
    """The prepared images and labels a sweep works on, and their distance matrix.

    Parameters
    ----------
    dataset : {'mnist', 'digits'}
        Which dataset (:func:`mnist_clustering.data.load_dataset`).
    n_samples : int, optional
        Use only the first ``n_samples`` training images (for quick runs).
    progress : bool, default True
        Messages and a progress bar on stderr while the distance matrix is computed.
    rebuild_distances : bool, default False
        Compute the distance matrix again and replace its cache file (e.g. after it
        failed its checksum, :class:`mnist_clustering.distances.DistanceCacheError`).
    """

    dataset: str = "mnist"
    n_samples: int | None = None
    progress: bool = True
    rebuild_distances: bool = False

    @cached_property
    def arrays(self):
        from .data import load_dataset, prepare

        (x_train, y_train), (x_test, y_test) = load_dataset(self.dataset)
        if self.n_samples is not None:
            if not 2 <= self.n_samples <= len(x_train):
                raise ValueError(
                    f"n_samples must be between 2 and {len(x_train)}, got {self.n_samples}"
                )
            x_train, y_train = x_train[: self.n_samples], y_train[: self.n_samples]
        return prepare(x_train), np.asarray(y_train), prepare(x_test), np.asarray(y_test)

    @property
    def name(self):
        """Table folder name: the dataset, with the subsample size when there is one."""
        return table_name(self.dataset, self.n_samples)

    @property
    def X(self):
        return self.arrays[0]

    @property
    def y(self):
        return self.arrays[1]

    @property
    def X_test(self):
        return self.arrays[2]

    @property
    def y_test(self):
        return self.arrays[3]

    @cached_property
    def distances(self):
        from .distances import distance_matrix

        return distance_matrix(self.X, progress=self.progress, rebuild=self.rebuild_distances)

    @cached_property
    def fingerprint(self):
        from .data import array_sha256

        return {"x_train_prepared_sha256": array_sha256(self.X), "y_train_sha256": array_sha256(self.y)}


# --------------------------------------------------------------------------- one k
@dataclass(frozen=True)
class SweepSpec:
    """Everything that defines a table's rows, apart from k."""

    method: str
    seed: int = 0
    params: tuple = ()
    silhouette: str | int = "exact"

    @property
    def params_dict(self):
        return dict(self.params)

    @property
    def params_json(self):
        return json.dumps(self.params_dict, sort_keys=True)

    @property
    def silhouette_mode(self):
        return "exact" if self.silhouette == "exact" else f"sampled-{int(self.silhouette)}"

    @property
    def needs_distances(self):
        return self.method in NEEDS_DISTANCES or self.silhouette == "exact"


def make_spec(method, *, seed=0, silhouette="exact", **params):
    """Validate and freeze the parameters of a sweep."""
    check_method(method)
    # scikit-learn's check_random_state accepts exactly this range; checked here so a bad
    # seed fails before any data is loaded or any Dask worker starts.
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer from 0 to 2**32 - 1 = {2**32 - 1}, got {seed!r}; "
                         "give e.g. --seed 0")
    if silhouette != "exact":
        if isinstance(silhouette, bool) or not isinstance(silhouette, (int, np.integer)) or silhouette < 2:
            raise ValueError(f"silhouette must be 'exact' or a sample size >= 2, got {silhouette!r}")
        silhouette = int(silhouette)
    merged = method_params(method, **params)
    return SweepSpec(method, int(seed), tuple(sorted(merged.items())), silhouette)


def score_fit(fit, data, spec, *, defer_silhouette=False):
    """Every score of one fitted clustering, as a dict of row values.

    Parameters
    ----------
    fit : ClusteringFit
    data : SweepData
    spec : SweepSpec
    defer_silhouette : bool
        Leave the exact silhouette as NaN, to be computed later for many k in one pass
        over the distance matrix (:func:`fill_silhouettes`); a sampled one is computed now.

    Returns
    -------
    dict
        ``silhouette`` (exact on all images, or sampled with the seed),
        ``calinski_harabasz``, the label scores of :func:`metrics.label_scores`, and
        ``test_purity``: the test images assigned to the nearest centre/medoid and
        labelled with that cluster's majority training label.
    """
    labels = fit.labels
    if spec.silhouette == "exact" and defer_silhouette:
        silhouette = float("nan")
    elif spec.silhouette == "exact":
        from .distances import silhouette_scores

        silhouette = float(silhouette_scores(data.distances, [labels])[0])
    else:
        silhouette = metrics.silhouette(
            data.X, labels, sample_size=min(spec.silhouette, len(labels)), random_state=spec.seed
        )
    scores = {
        "silhouette": silhouette,
        "silhouette_mode": spec.silhouette_mode,
        "calinski_harabasz": metrics.calinski_harabasz(data.X, labels),
    }
    label_scores = metrics.label_scores(data.y, labels, n_clusters=fit.k)
    scores.update({key: label_scores[key] for key in (
        "label_entropy", "seed_index_entropy", "homogeneity", "nmi", "ari",
        "purity", "accuracy", "n_errors")})
    majority = metrics.majority_labels(data.y, labels, n_clusters=fit.k)
    scores["test_purity"] = metrics.test_purity(data.X_test, data.y_test, fit.centers, majority)
    return scores


def evaluate_k(data, spec, k, *, init_medoids=None, defer_silhouette=True):
    """Fit and score one k; return ``(row, fit)``.

    Parameters
    ----------
    data : SweepData
    spec : SweepSpec
    k : int
    init_medoids : ndarray, optional
        Passed to FasterPAM (see :func:`mnist_clustering.estimators.fit_clustering`).
    defer_silhouette : bool
        See :func:`score_fit`. The sweep defers exact silhouettes: one pass over the
        60,000 x 60,000 distances serves many k at once (~3x cheaper per k than a pass
        each), and the pass runs on the driver, which holds the matrix.
    """
    metrics.check_n_clusters(k, len(data.X))
    distances = data.distances if spec.method in NEEDS_DISTANCES else None
    fit = fit_clustering(spec.method, k, data.X, distances=distances, seed=spec.seed,
                         init_medoids=init_medoids, **spec.params_dict)
    start = time.perf_counter()
    scores = score_fit(fit, data, spec, defer_silhouette=defer_silhouette)
    row = {
        "method": spec.method, "k": int(k), "seed": spec.seed, "n_samples": len(data.X),
        "params": spec.params_json, "inertia": fit.inertia, **scores,
        "fit_seconds": fit.fit_seconds, "score_seconds": time.perf_counter() - start,
        "n_iter": fit.n_iter,
    }
    return {column: row[column] for column in COLUMNS}, fit


# --------------------------------------------------------------------------- provenance
def _provenance(store, spec, data, previous):
    """The table's provenance: ``previous`` (as on disk now) updated with this run's."""
    import importlib.metadata as md

    versions = {}
    for package in ("numpy", "scipy", "scikit-learn", "scikit-learn-extra", "kmedoids", "pandas"):
        try:
            versions[package] = md.version(package)
        except md.PackageNotFoundError:
            versions[package] = None
    from . import __version__

    versions["mnist-clustering"] = __version__
    versions["python"] = platform.python_version()
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    seeds = set(previous.get("seeds", [previous["seed"]] if "seed" in previous else []))
    return {
        "dataset": data.dataset, "table": store.dataset, "method": spec.method,
        "seeds": sorted(seeds | {spec.seed}), "params": spec.params_dict,
        "silhouette_mode": spec.silhouette_mode,
        "n_samples": len(data.X), "data": data.fingerprint, "versions": versions,
        "cpu_count": os.cpu_count(), "machine": platform.machine(),
        "created": previous.get("created", now), "updated": now,
        "per_k": dict(previous.get("per_k", {})),
    }


def timing_key(k, seed):
    """Key of a row's timings in the provenance's ``per_k`` (seed 0: plain ``'k'``)."""
    return str(int(k)) if int(seed) == 0 else f"{int(k)}/seed{int(seed)}"


# --------------------------------------------------------------------------- sweep
def run_sweep(method, ks, *, dataset="mnist", n_samples=None, seed=0, seeds=None,
              silhouette="exact", keep=(), keep_labels=False, force=False, results_dir=None,
              progress=True, workers=1, scheduler=None, distances=None, data=None,
              rebuild_distances=False, **params):
    """Fit and score ``method`` for every k of ``ks``; store and return the rows.

    Parameters
    ----------
    method : {'kmeans', 'kmedoids-alternate', 'kmedoids-fasterpam'}
    ks : str or iterable of int
        The k grid (see :func:`parse_k_range`).
    dataset : {'mnist', 'digits'}
    n_samples : int, optional
        Use the first ``n_samples`` training images (stored as a separate table).
    seed : int
        Random state of every fit (and of the sampled silhouette).
    seeds : str or iterable of int, optional
        Several random states, with the k grid's syntax (``'0:10'``): one row per
        (k, seed), all in the same table. Overrides ``seed``.
    silhouette : 'exact' or int
        Exact silhouette on all images (default), or sampled on that many images.
    keep : iterable of int
        k values whose labels, centres and medoid indices are stored as artefacts.
    keep_labels : bool
        Store the labels of every row (``labels/``), for the stability across seeds.
    force : bool
        Recompute k values already in the table.
    results_dir : path-like, optional
        Root of the results tables (default :func:`default_results_dir`).
    progress : bool
        Show a tqdm bar over k (current k, per-k time, ETA) on stderr.
    workers : int, default 1
        Fit this many k at once, each in its own process on a local Dask cluster started
        for the k to compute (none is started when nothing is left to compute). Every
        fit runs on one thread, so the rows are the same for any ``workers``; on 2
        cores, ``workers=2`` ran a K-Means sweep 1.5x as fast here (10,000 images,
        ``benchmarks/bench_dask_sweep.py``). 1: one k after the other, in this process.
    scheduler : str or dask.distributed.Client, optional
        Run each k as a Dask task on this cluster instead (see
        :mod:`mnist_clustering.parallel`).
    distances : {'shared-path', 'scatter', 'recompute'}, optional
        With Dask workers: how they get the distance matrix K-Medoids needs
        (:func:`mnist_clustering.parallel.compute_rows_dask`; default by where it is).
    data : SweepData, optional
        Reuse already-loaded data (and its distance matrix).
    rebuild_distances : bool
        Rebuild the cached distance matrix instead of reading it (``--rebuild-distances``).
    **params
        Estimator parameters, e.g. ``n_init`` for K-Means.

    Returns
    -------
    pandas.DataFrame
        The rows of the requested k values and seeds, sorted by k then seed. Parameters
        other than the method's defaults have a table of their own
        (``kmeans-n_init10.csv``).
    """
    spec = make_spec(method, seed=seed, silhouette=silhouette, **params)
    seeds = [spec.seed] if seeds is None else parse_seed_grid(seeds)
    if isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    ks = parse_k_range(ks)
    keep = set(parse_k_range(keep)) if keep else set()
    if not keep <= set(ks):
        outside = sorted(keep - set(ks))
        raise ValueError(f"keep (--keep) names k = {', '.join(map(str, outside))}, not in the k "
                         "grid of this sweep, so nothing would be kept: add them to the grid "
                         "(--k), or drop them from --keep")
    if data is None:
        data = SweepData(dataset, n_samples, progress=progress,
                         rebuild_distances=rebuild_distances)
    else:
        if not progress:
            data.progress = False  # progress=False means no bar at all, the distances' included
        if rebuild_distances and "distances" not in data.__dict__:
            data.rebuild_distances = True  # once: a matrix this object already holds is new
    n = len(data.X)
    for k in ks:
        metrics.check_n_clusters(k, n)
    if ks[-1] >= n:  # k == n: the silhouette needs a cluster with two images
        raise ValueError(f"k={ks[-1]} is the number of images n={n}: every k of a sweep is "
                         f"scored by the silhouette, which needs 2 <= k <= n - 1 = {n - 1}; "
                         f"drop k={ks[-1]} from --k")
    if spec.silhouette != "exact" and spec.silhouette >= n:
        raise ValueError(f"a silhouette sample of N={spec.silhouette} images is not a sample of "
                         f"the n={n} images: omit --silhouette (silhouette='exact') for the exact "
                         f"silhouette, or give N < {n}")
    store = ResultsStore(data.name, method, results_dir,
                         variant=non_default_params(method, spec.params_dict))
    table = store.load()
    store.check_compatible(table, spec, n)
    done = _done_rows(table, store, spec, n, keep, keep_labels)
    tasks = [(dataclasses.replace(spec, seed=s), k) for s in seeds for k in ks
             if force or (k, s) not in done]
    if tasks:
        with _computed_rows(data, tasks, store, workers, scheduler, distances) as rows:
            _record_rows(rows, store, spec, data, keep, keep_labels, progress, len(tasks), force)
    table = fill_silhouettes(store, data, spec, progress=progress)
    wanted = table["k"].isin(ks) & table["seed"].isin(seeds)
    return table[wanted].reset_index(drop=True)


def _done_rows(table, store, spec, n_samples, keep, keep_labels):
    """(k, seed) stored complete or with their pending labels, and what was asked kept.

    A row whose silhouette is empty and whose pending record is gone or damaged is not
    done: its labels are lost, so it is recomputed.
    """
    waiting = set(store.pending_labels(spec, n_samples))
    keys = list(zip(table["k"].astype(int), table["seed"].astype(int)))
    lost = [np.isnan(value) and key not in waiting for key, value in zip(keys, table["silhouette"])]
    done = {key for key, gone in zip(keys, lost) if not gone}
    return {(k, s) for k, s in done
            if (k not in keep or store.artifact_path(k, s).exists())
            and (not keep_labels or store.labels_path(k, s).exists())}


@contextlib.contextmanager
def _computed_rows(data, tasks, store, workers, scheduler, distances):
    """The ``(row, fit)`` of each ``(spec, k)`` task, here, on a local cluster or ``scheduler``.

    On a cluster the largest k are submitted first: they take longest, and a sweep
    whose last task is its longest fit leaves every other worker idle meanwhile.

    On exit (also on an error while recording) outstanding Dask tasks are cancelled and
    a local cluster is shut down.
    """
    if scheduler is None and (workers == 1 or len(tasks) == 1):
        rows = _compute_rows_serial(data, tasks, store)
        with contextlib.closing(rows):
            yield rows
        return
    from .parallel import compute_rows_dask, dask_client

    with contextlib.ExitStack() as stack:
        if scheduler is None:
            scheduler = stack.enter_context(
                dask_client(n_workers=min(workers, len(tasks)), threads_per_worker=1))
        costliest_first = sorted(tasks, key=lambda task: -task[1])
        rows = stack.enter_context(contextlib.closing(
            compute_rows_dask(scheduler, data, costliest_first, store, distances=distances)))
        yield rows


def _compute_rows_serial(data, tasks, store):
    for spec, k in tasks:
        yield evaluate_k(data, spec, k, init_medoids=_init_medoids(data, spec, k, store))


def _init_medoids(data, spec, k, store):
    """FasterPAM from 'alternate': reuse that method's stored medoids when there are any."""
    if spec.method != "kmedoids-fasterpam" or spec.params_dict.get("init") != "alternate":
        return None
    alternate = ResultsStore(store.dataset, "kmedoids-alternate", store.root)
    if alternate.artifact_path(k).exists():
        return alternate.load_artifact(k).get("medoid_indices")
    return None


def _record_rows(rows, store, spec, data, keep, keep_labels, progress, total, force):
    """Write each ``(row, fit)`` to the table as it arrives (and its artefacts if kept)."""
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=spec.method, unit="k", disable=not progress)
    try:
        for row, fit in rows:
            k = row["k"]
            timing = {
                "wall_seconds": round(row["fit_seconds"] + row["score_seconds"], 3),
                "fit_seconds": round(row["fit_seconds"], 3),
                "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }

            row_spec = dataclasses.replace(spec, seed=row["seed"])

            def provenance(previous, key=timing_key(k, row["seed"]), timing=timing, spec=row_spec):
                record = _provenance(store, spec, data, previous)
                record["per_k"][key] = timing
                record["updated"] = timing["finished"]
                return record

            store.record(row, spec, provenance_update=provenance, labels=fit.labels, force=force)
            if keep_labels:
                store.save_labels(k, row["seed"], fit.labels)
            if k in keep:
                majority = metrics.majority_labels(data.y, fit.labels, n_clusters=k)
                store.save_artifact(fit, majority, row["seed"])
            bar.set_postfix(k=k, fit_s=f"{row['fit_seconds']:.1f}")
            bar.update(1)
    finally:
        bar.close()


def fill_silhouettes(store, data, spec, *, progress=True, batch=40):
    """Compute the table's pending exact silhouettes, many rows per pass over the distances.

    Each batch of labellings costs one read of the distance matrix, done without the
    table's lock; the results are then merged into the table as it is on disk, under
    the lock, and their records removed. A row another process filled meanwhile is left
    as it is (the same deterministic number). Returns the table as stored afterwards.
    """
    from tqdm.auto import tqdm

    from .distances import silhouette_scores

    n = len(data.X)
    records = store.pending_labels(spec, n)
    table = store.load()
    empty = table["silhouette"].isna()
    waiting = sorted(set(zip(table.loc[empty, "k"], table.loc[empty, "seed"])) & set(records))
    if not waiting:
        return table
    bar = tqdm(total=len(waiting), desc=f"{spec.method} silhouettes", unit="k", disable=not progress)
    try:
        for start in range(0, len(waiting), batch):
            keys = waiting[start:start + batch]
            began = time.perf_counter()
            scores = silhouette_scores(data.distances, [records[key] for key in keys])
            share = (time.perf_counter() - began) / len(keys)
            _store_silhouettes(store, spec, data, dict(zip(keys, scores)), records, share)
            bar.update(len(keys))
    finally:
        bar.close()
    return store.load()


def _store_silhouettes(store, spec, data, scores, records, share):
    with store.lock():
        table = store.load()
        provenance = _provenance(store, spec, data, store.load_provenance())
        for (k, seed), score in scores.items():
            at = (table["k"] == k) & (table["seed"] == seed) & table["silhouette"].isna()
            if at.any():
                table.loc[at, "silhouette"] = float(score)
                table.loc[at, "score_seconds"] += share
                timing = provenance["per_k"].setdefault(timing_key(k, seed), {})
                timing["silhouette_seconds"] = round(share, 3)
                timing["wall_seconds"] = round(timing.get("wall_seconds", 0) + share, 3)
        store.save(table, provenance)
        for key in scores:
            store.drop_pending(key, spec, records[key])


def run_preset(name="seed", *, results_dir=None, progress=True, force=False, data=None, **options):
    """Run every sweep of a preset (default: all of the seed notebook's sweeps).

    Returns
    -------
    dict
        label -> (table, seconds); the label of a seed-notebook sweep is its method.
    """
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}")
    data = data or SweepData(options.pop("dataset", "mnist"), options.pop("n_samples", None))
    outcome = {}
    for entry in PRESETS[name]:
        if isinstance(entry, tuple):  # (method, k grid, keep) of the seed notebook
            method, ks, keep = entry
            entry = {"label": method, "method": method, "ks": ks, "keep": keep}
        else:
            entry = {"keep_labels": True, **entry}
        entry = dict(entry)
        label, method, ks = entry.pop("label"), entry.pop("method"), entry.pop("ks")
        start = time.perf_counter()
        table = run_sweep(method, ks, results_dir=results_dir, progress=progress, force=force,
                          data=data, **entry, **options)
        outcome[label] = (table, time.perf_counter() - start)
    return outcome


# --------------------------------------------------------------------------- reading
def _store(method, dataset, results_dir, n_samples, params):
    variant = non_default_params(method, method_params(method, **params))
    return ResultsStore(table_name(dataset, n_samples), method, results_dir, variant=variant)


def load_results(method, dataset="mnist", results_dir=None, *, n_samples=None, **params):
    """The stored sweep table of ``method`` on ``dataset`` (a pandas DataFrame), all seeds.

    ``n_samples`` reads the table of a sweep run with that ``n_samples`` (``--n-samples``);
    ``params`` other than the defaults (e.g. ``n_init=10``) read that parameter set's table.

    Raises
    ------
    FileNotFoundError
        If no table exists yet, with the command that computes it.
    """
    store = _store(method, dataset, results_dir, n_samples, params)
    if not store.csv.exists():
        raise FileNotFoundError(
            f"no results for {method} on {dataset} at {store.csv}; compute them with "
            f"`mnist-clustering sweep --method {method} --k ...` or run_sweep(...)"
        )
    return store.load()


def load_provenance(method, dataset="mnist", results_dir=None, *, n_samples=None, **params):
    """The provenance record (parameters, versions, hashes, per-k times) of a table."""
    return _store(method, dataset, results_dir, n_samples, params).load_provenance()


def load_artifacts(method, k, dataset="mnist", results_dir=None, *, n_samples=None, seed=0,
                   **params):
    """Stored labels, centres (and medoid indices) of ``method`` at ``k`` (and ``seed``).

    ``n_samples`` reads those of a sweep run with that ``n_samples`` (``--n-samples``).

    Returns
    -------
    dict
        ``labels`` (n,), ``centers`` (k, d), ``majority_labels`` (k,) and, for
        K-Medoids, ``medoid_indices`` (k,).
    """
    return _store(method, dataset, results_dir, n_samples, params).load_artifact(k, seed)


def load_labels(method, dataset="mnist", results_dir=None, *, n_samples=None, **params):
    """``{(k, seed): labels}`` of every row whose labels were kept (``keep_labels``)."""
    return _store(method, dataset, results_dir, n_samples, params).stored_labels()
