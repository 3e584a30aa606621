"""Sweeps over k: run every k of a grid, store one row per k in ``results/``, read them.

A sweep is one independent fit per k (:func:`mnist_clustering.evaluate.evaluate_k`),
run in this process, on local worker processes or on a Dask cluster
(:mod:`mnist_clustering.executors`). Each finished k is written at once to its table
(:class:`mnist_clustering.results.ResultsStore`), so an interrupted sweep loses only
the k in progress and a re-run computes only what is missing. Exact silhouettes are
filled in afterwards, many k per pass over the distance matrix (:func:`fill_silhouettes`).
One table holds one method with one parameter set; asking for other parameters against
an existing table is an error, never a silent mix.

Columns of a row (see :data:`COLUMNS`): the scores of
:func:`mnist_clustering.evaluate.score_fit` plus the method, k, seed, parameters and
timings. ``inertia`` is the sum of squared distances to the nearest centroid for
K-Means and the sum of (unsquared) distances to the nearest medoid for K-Medoids, as
the libraries define it.
"""

from __future__ import annotations

import os
import platform
import time
from datetime import datetime, timezone

from . import executors
from .checks import check_int, check_n_clusters
from .evaluate import (  # noqa: F401 (evaluate_k, SweepSpec: re-exported)
    SweepData, SweepSpec, SweepTask, evaluate_k, evaluate_task, make_spec, parse_k_range,
    resolve_distances,
)
from .results import (  # noqa: F401 (ResultsError, default_results_dir: re-exported)
    COLUMNS, ResultsError, ResultsStore, default_results_dir,
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

PRESETS = {"seed": SEED_PRESET}


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
def run_sweep(method, ks, *, dataset="mnist", n_samples=None, seed=0, silhouette="exact",
              keep=(), force=False, results_dir=None, progress=True, workers=1,
              scheduler=None, distances=None, data=None, **params):
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
    silhouette : 'exact' or int
        Exact silhouette on all images (default), or sampled on that many images.
    keep : iterable of int
        k values whose labels, centres and medoid indices are stored as artefacts.
    force : bool
        Recompute k values already in the table.
    results_dir : path-like, optional
        Root of the results tables (default :func:`default_results_dir`).
    progress : bool
        Show a tqdm bar over k (current k, per-k time, ETA) on stderr.
    workers : int, default 1
        Fit this many k at once, each in its own local worker process
        (:func:`mnist_clustering.executors.map_unordered`; ``benchmarks/bench_workers.py``
        times it). Every fit runs on one thread, so the rows are the same for any
        ``workers``. 1: one k after the other, in this process.
    scheduler : str or dask.distributed.Client, optional
        Run each k as a task on this Dask cluster instead, e.g. ``'tcp://HOST:8786'``.
    distances : {'shared-path', 'scatter', 'recompute'}, optional
        With workers: how they get the distance matrix K-Medoids needs
        (:func:`mnist_clustering.evaluate.resolve_distances`; default by where it is).
    data : SweepData, optional
        Reuse already-loaded data (and its distance matrix).
    **params
        Estimator parameters, e.g. ``n_init`` for K-Means.

    Returns
    -------
    pandas.DataFrame
        The rows of the requested k values, sorted by k.
    """
    spec = make_spec(method, seed=seed, silhouette=silhouette, **params)
    workers = check_int(workers, "workers", min_val=1)
    ks = parse_k_range(ks)
    keep = set(parse_k_range(keep)) if keep else set()
    data = data or SweepData(dataset, n_samples)
    store = ResultsStore(data.name, method, results_dir)
    table = store.load()
    for k in ks:
        check_n_clusters(k, len(data.X))
    store.check_compatible(table, spec, len(data.X))
    todo = [k for k in ks if force or k not in _done_ks(table, store, spec, len(data.X), keep)]
    if todo:
        rows = _computed_rows(data, spec, todo, store, workers, scheduler, distances)
        try:
            _record_rows(rows, store, spec, data, keep, progress, len(todo), force)
        finally:
            rows.close()  # interrupted or failed: cancel the k not yet started
    table = fill_silhouettes(store, data, spec, progress=progress)
    wanted = table["k"].isin(ks) & (table["seed"] == spec.seed)
    return table[wanted].reset_index(drop=True)


def _done_ks(table, store, spec, n_samples, keep):
    """k of ``spec.seed`` stored complete or with their pending labels, artefacts kept.

    A row whose silhouette is empty and whose pending record is gone or damaged is not
    done: its labels are lost, so it is recomputed.
    """
    rows = table[table["seed"] == spec.seed]
    waiting = {k for k, seed in store.pending_labels(spec, n_samples) if seed == spec.seed}
    lost = rows["silhouette"].isna() & ~rows["k"].isin(waiting)
    done = set(rows.loc[~lost, "k"].astype(int))
    return {k for k in done if k not in keep or store.artifact_path(k, spec.seed).exists()}


def _computed_rows(data, spec, ks, store, workers, scheduler, distances):
    """A generator of each k's ``(row, fit)``, from this process or the workers."""
    here = scheduler is None and (workers == 1 or len(ks) == 1)
    source = None if here else resolve_distances(distances, data, spec)
    task = SweepTask(data, spec, source, {k: _init_medoids(data, spec, k, store) for k in ks})
    return executors.map_unordered(evaluate_task, ks, shared=task, workers=workers,
                                   scheduler=scheduler)


def _init_medoids(data, spec, k, store):
    """FasterPAM from 'alternate': reuse that method's stored medoids when there are any."""
    if spec.method != "kmedoids-fasterpam" or spec.params_dict.get("init") != "alternate":
        return None
    alternate = ResultsStore(store.dataset, "kmedoids-alternate", store.root)
    if alternate.artifact_path(k).exists():
        return alternate.load_artifact(k).get("medoid_indices")
    return None


def _record_rows(rows, store, spec, data, keep, progress, total, force):
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

            def provenance(previous, key=timing_key(k, row["seed"]), timing=timing):
                record = _provenance(store, spec, data, previous)
                record["per_k"][key] = timing
                record["updated"] = timing["finished"]
                return record

            store.record(row, spec, provenance_update=provenance, labels=fit.labels, force=force)
            if k in keep:
                store.save_artifact(fit, fit.majority, row["seed"])
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
        method -> (table, seconds).
    """
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}")
    data = data or SweepData(options.pop("dataset", "mnist"), options.pop("n_samples", None))
    outcome = {}
    for method, ks, keep in PRESETS[name]:
        start = time.perf_counter()
        table = run_sweep(method, ks, keep=keep, results_dir=results_dir, progress=progress,
                          force=force, data=data, **options)
        outcome[method] = (table, time.perf_counter() - start)
    return outcome


# --------------------------------------------------------------------------- reading
def load_results(method, dataset="mnist", results_dir=None):
    """The stored sweep table of ``method`` on ``dataset`` (a pandas DataFrame).

    Raises
    ------
    FileNotFoundError
        If no table exists yet, with the command that computes it.
    """
    store = ResultsStore(dataset, method, results_dir)
    if not store.csv.exists():
        raise FileNotFoundError(
            f"no results for {method} on {dataset} at {store.csv}; compute them with "
            f"`mnist-clustering sweep --method {method} --k ...` or run_sweep(...)"
        )
    return store.load()


def load_provenance(method, dataset="mnist", results_dir=None):
    """The provenance record (parameters, versions, hashes, per-k times) of a table."""
    return ResultsStore(dataset, method, results_dir).load_provenance()


def load_artifacts(method, k, dataset="mnist", results_dir=None):
    """Stored labels, centres (and medoid indices) of ``method`` at ``k``.

    Returns
    -------
    dict
        ``labels`` (n,), ``centers`` (k, d), ``majority_labels`` (k,) and, for
        K-Medoids, ``medoid_indices`` (k,).
    """
    return ResultsStore(dataset, method, results_dir).load_artifact(k)
