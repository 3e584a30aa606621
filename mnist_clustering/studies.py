"""How the best feature space's numbers depend on its own choices, and a published recipe.

The ``autoencoder-umap`` space (N2D's recipe: UMAP on the codes of a dense autoencoder)
gives the project's best clustering. Three studies say how much its numbers hang on
choices the space makes before any clustering, each at k = 10 with the recommended
clusterers (K-Means choosing the lowest-inertia of ``n_init`` starts, the Gaussian
mixture the highest-likelihood of ``n_init`` starts: choices made without labels):

* :func:`epochs_study`: the autoencoder's training length, from the models one training
  keeps on its way (:data:`mnist_clustering.spaces.AUTOENCODER_SNAPSHOTS`);
* :func:`neighbours_study`: UMAP's ``n_neighbors`` on the same codes;
* :func:`umap_recipe_study`: umap-learn's documentation's own recipe on raw pixels (a
  2-D UMAP, ``n_neighbors=30, min_dist=0``, then HDBSCAN with ``min_samples=10,
  min_cluster_size=500``), over several UMAP seeds, for comparison with its published
  figure.

The spread over the autoencoder's own training seeds is not a study here: each training
seed is a space of its own (``space_seed``), swept like the others.

Every function returns a :class:`pandas.DataFrame` whose columns are those of
:data:`mnist_clustering.scores.DENSITY_SCHEMA` after the study's own leading columns.
"""

from __future__ import annotations

import json
import platform
import time
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from .cachefiles import versions
from .density import gmm_row, hdbscan_row
from .estimators import RECOMMENDED_N_INIT, fit_clustering
from .files import atomic_write, digest
from .messages import logger
from .metrics import label_scores
from .results import read_study, study_path
from .scores import LABEL_SCORES
from .spaces import AUTOENCODER_SNAPSHOTS, embed

__all__ = [
    "NEIGHBOURS_STUDIED",
    "RECIPE_SEEDS",
    "RECOMMENDED_N_INIT",
    "STUDIES",
    "epochs_study",
    "k10_rows",
    "kmeans_row",
    "neighbours_study",
    "run_studies",
    "umap_recipe_study",
    "write_study",
]

_log = logger(__name__)

#: UMAP's n_neighbors on the autoencoder codes: N2D's example code uses 10, its paper's
#: MNIST runs and the issue's anchor 20, umap-learn's clustering page 30.
NEIGHBOURS_STUDIED = (10, 20, 30)

#: UMAP seeds of the documentation's recipe: 42 is the documentation's own.
RECIPE_SEEDS = (42, 0, 1)


def kmeans_row(X, y_true, *, k=10, seed=0, n_init=RECOMMENDED_N_INIT):
    """K-Means at ``k`` (``n_init`` starts, the lowest inertia kept) on X, scored.

    Parameters
    ----------
    X : (n, d) float array
    y_true : (n,) array of digits
    k : int, default 10
    seed : int, default 0
    n_init : int, default :data:`RECOMMENDED_N_INIT`

    Returns
    -------
    dict
        A row of :data:`mnist_clustering.scores.DENSITY_SCHEMA` (without ``space`` and
        ``n_samples``), plus ``inertia``.
    """
    fit = fit_clustering("kmeans", int(k), np.ascontiguousarray(X, dtype=np.float32),
                         seed=int(seed), n_init=int(n_init))
    scores = label_scores(y_true, fit.labels, n_clusters=int(k))
    return {"method": "kmeans", "seed": int(seed), "params": f"k={int(k)},n_init={int(n_init)}",
            "n_clusters": len(np.unique(fit.labels)),
            **{name: scores[name] for name in LABEL_SCORES}, "fit_seconds": fit.fit_seconds,
            "inertia": fit.inertia}


def k10_rows(X, y_true, *, kmeans_seeds=range(5), gmm_seeds=range(3),
             n_init=RECOMMENDED_N_INIT):
    """The recommended K-Means and Gaussian mixture at k = 10, one row per seed.

    Parameters
    ----------
    X : (n, d) float array
    y_true : (n,) array of digits
    kmeans_seeds, gmm_seeds : iterable of int
    n_init : int, default :data:`RECOMMENDED_N_INIT`

    Returns
    -------
    list of dict
    """
    rows = [kmeans_row(X, y_true, seed=s, n_init=n_init) for s in kmeans_seeds]
    for row in rows:
        row.pop("inertia")
    return rows + [gmm_row(X, y_true, seed=s, n_init=n_init) for s in gmm_seeds]


def _ami(y_true, labels):
    from sklearn.metrics import adjusted_mutual_info_score

    clustered = labels != -1
    return {"ami": float(adjusted_mutual_info_score(y_true, labels)),
            "ami_clustered": float(adjusted_mutual_info_score(y_true[clustered], labels[clustered]))
            if clustered.sum() >= 2 else float("nan")}


def _frame(rows, leading):
    table = pd.DataFrame(rows)
    for position, (name, values) in enumerate(leading.items()):
        table.insert(position, name, values)
    return table


def epochs_study(dataset="mnist", n_samples=None, *, seed=0, epochs=AUTOENCODER_SNAPSHOTS,
                 autoencoder=None, umap=None, progress=True, cache_dir=None, **k10):
    """The recommended clusterers at k = 10 in ``autoencoder-umap`` after each number of
    autoencoder epochs, from the models of one training (training seed ``seed``).

    The lengths are trained in increasing order, each resuming from the last, so the
    whole study costs one training of ``max(epochs)`` epochs.

    Parameters
    ----------
    dataset : {"mnist", "digits"}
    n_samples : int, optional
    seed : int, default 0
        The space's training seed (the autoencoder's and UMAP's).
    epochs : iterable of int
    autoencoder, umap : dict, optional
        The space's parameters other than its defaults (e.g. ``{"init": "fan_in_uniform"}``,
        ``{"n_neighbors": 20}``), as ``embed`` takes them.
    progress : bool
    cache_dir : path, optional
    **k10
        Passed to :func:`k10_rows` (``kmeans_seeds``, ``gmm_seeds``, ``n_init``).

    Returns
    -------
    pandas.DataFrame
        ``epochs``, ``training_seconds`` (of the autoencoder up to those epochs),
        ``loss`` (its reconstruction error in the last epoch), then one row per method
        and seed as :func:`k10_rows`.
    """
    parts = []
    for length in sorted({int(e) for e in epochs}):
        codes = embed("autoencoder", dataset, n_samples, seed=seed, progress=progress,
                      cache_dir=cache_dir, params={**(autoencoder or {}), "epochs": length})
        space = embed("autoencoder-umap", dataset, n_samples, seed=seed, progress=progress,
                      cache_dir=cache_dir,
                      params={"autoencoder": {**(autoencoder or {}), "epochs": length},
                              "umap": dict(umap or {})})
        rows = k10_rows(space.X_train, space.y_train, **k10)
        parts.append(_frame(rows, {"epochs": length,
                                   "training_seconds": codes.provenance["training_seconds"],
                                   "loss": codes.provenance["final_loss"]}))
    return pd.concat(parts, ignore_index=True)


def neighbours_study(dataset="mnist", n_samples=None, *, seed=0,
                     n_neighbors=NEIGHBOURS_STUDIED, autoencoder=None, progress=True,
                     cache_dir=None, **k10):
    """The recommended clusterers at k = 10 in ``autoencoder-umap`` for each UMAP
    ``n_neighbors`` on the same autoencoder codes (training seed ``seed``).

    Parameters
    ----------
    dataset : {"mnist", "digits"}
    n_samples : int, optional
    seed : int, default 0
    n_neighbors : iterable of int
    autoencoder : dict, optional
        The autoencoder's parameters other than its defaults (``init``, ``epochs``).
    progress : bool
    cache_dir : path, optional
    **k10
        Passed to :func:`k10_rows`.

    Returns
    -------
    pandas.DataFrame
        ``n_neighbors``, ``umap_seconds`` (UMAP's fit on the training codes), then the
        rows of :func:`k10_rows`.
    """
    parts = []
    for neighbours in sorted({int(n) for n in n_neighbors}):
        space = embed("autoencoder-umap", dataset, n_samples, seed=seed, progress=progress,
                      cache_dir=cache_dir, params={"autoencoder": dict(autoencoder or {}),
                                                   "umap": {"n_neighbors": neighbours}})
        rows = k10_rows(space.X_train, space.y_train, **k10)
        parts.append(_frame(rows, {"n_neighbors": neighbours,
                                   "umap_seconds": space.provenance["fit_seconds"]}))
    return pd.concat(parts, ignore_index=True)


def umap_recipe_study(dataset="mnist", n_samples=None, *, seeds=RECIPE_SEEDS, progress=True,
                      cache_dir=None, min_cluster_size=None):
    """umap-learn's documented recipe on the pixels: a 2-D UMAP (``n_neighbors=30,
    min_dist=0``, seeded), then HDBSCAN (``min_samples=10, min_cluster_size=500``, scaled
    to the number of images), once per UMAP seed.

    Parameters
    ----------
    dataset : {"mnist", "digits"}
    n_samples : int, optional
    seeds : iterable of int
        UMAP's seeds (:data:`RECIPE_SEEDS`).
    progress : bool
    cache_dir : path, optional
    min_cluster_size : int, optional
        HDBSCAN's; default :func:`mnist_clustering.density.hdbscan_min_cluster_size`.

    Returns
    -------
    pandas.DataFrame
        ``umap_seed``, ``umap_seconds``, then HDBSCAN's row (clusters found, noise share,
        scores over every image and over the clustered ones), then ``ami`` and
        ``ami_clustered``: the adjusted mutual information the documentation reports.
    """
    parts = []
    for seed in seeds:
        space = embed("umap", dataset, n_samples, seed=int(seed), progress=progress,
                      cache_dir=cache_dir, params={"n_components": 2})
        row, labels = hdbscan_row(space.X_train, space.y_train,
                                  min_cluster_size=min_cluster_size, with_labels=True)
        row.update(_ami(space.y_train, labels))
        parts.append(_frame([row], {"umap_seed": int(seed),
                                    "umap_seconds": space.provenance["fit_seconds"]}))
    return pd.concat(parts, ignore_index=True)


#: The studies of the ``studies`` preset on the full data: name -> (function, settings).
#: The epochs study follows three trainings (seeds 0, 1, 2) through the lengths the
#: training keeps; K-Means with the recommended starts over 10 seeds, the mixture over 2.
STUDIES = {
    "epochs": (epochs_study, {"seeds": (0, 1, 2), "epochs": AUTOENCODER_SNAPSHOTS,
                              "kmeans_seeds": tuple(range(10)), "gmm_seeds": (0, 1)}),
    "neighbours": (neighbours_study, {"seed": 0, "n_neighbors": NEIGHBOURS_STUDIED,
                                      "kmeans_seeds": tuple(range(10)), "gmm_seeds": (0, 1)}),
    "umap-recipe": (umap_recipe_study, {"seeds": RECIPE_SEEDS}),
}


def _run_one(name, dataset, n_samples, progress):
    function, settings = STUDIES[name]
    settings = dict(settings)
    seeds = settings.pop("seeds", None)
    if name != "epochs":
        return function(dataset, n_samples, progress=progress,
                        **({"seeds": seeds} if seeds is not None else {}), **settings)
    parts = []
    for seed in seeds:  # one training per seed, followed through its lengths
        part = function(dataset, n_samples, seed=seed, progress=progress, **settings)
        part.insert(0, "training_seed", int(seed))
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _stored_study(name, dataset, results_dir, n_samples):
    """The stored study, or None when it is missing or damaged (said, to be recomputed:
    a re-run repairs it as a sweep repairs a damaged record)."""
    try:
        return read_study(name, dataset, results_dir, n_samples=n_samples)
    except FileNotFoundError:
        return None
    except ValueError as error:
        _log.info(f"{error}; computing study {name!r} again")
        return None


def run_studies(dataset="mnist", n_samples=None, *, results_dir=None, names=None, force=False,
                progress=True):
    """Run the studies of :data:`STUDIES` (or ``names``) not yet stored, and store them
    (:func:`write_study`).

    A stored study that does not match its sidecar (edited or damaged) is said and
    computed again; ``force`` recomputes every one.

    Returns
    -------
    dict
        name -> (table, seconds): the stored table, and the time this call took for it.
    """
    outcome = {}
    for name in names or STUDIES:
        if name not in STUDIES:
            raise ValueError(f"unknown study {name!r}; choose one of {', '.join(STUDIES)}")
        start = time.perf_counter()
        path = study_path(name, dataset, results_dir, n_samples=n_samples)
        table = None if force else _stored_study(name, dataset, results_dir, n_samples)
        if table is None:
            table = write_study(name, _run_one(name, dataset, n_samples, progress), dataset,
                                results_dir, n_samples=n_samples,
                                seconds=time.perf_counter() - start)
        outcome[name] = (table, time.perf_counter() - start)
    return outcome


def write_study(name, table, dataset="mnist", results_dir=None, *, n_samples=None,
                seconds=None):
    """Store a study's table (CSV) and its sidecar (settings, versions, machine, time, and
    the CSV's checksum), each written atomically; returns the table as read back.

    Parameters
    ----------
    name : str
        A name of :data:`STUDIES`.
    table : pandas.DataFrame
    dataset : {"mnist", "digits"}
    results_dir : path, optional
    n_samples : int, optional
    seconds : float, optional
        How long the study took, recorded in the sidecar.
    """
    path = study_path(name, dataset, results_dir, n_samples=n_samples)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = table.to_csv(index=False, float_format="%.10g")
    settings = {key: list(value) if isinstance(value, (tuple, range)) else value
                for key, value in STUDIES.get(name, (None, {}))[1].items()}
    sidecar = {"study": name, "dataset": dataset, "n_samples": n_samples, "settings": settings,
               "columns": list(table.columns), "rows": len(table), "checksum": digest(text.encode()),
               "seconds": None if seconds is None else round(float(seconds), 1),
               "versions": versions(), "machine": platform.machine(),
               "created": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    atomic_write(path.with_suffix(".json"), json.dumps(sidecar, indent=1, sort_keys=True) + "\n")
    atomic_write(path, text)
    return read_study(name, dataset, results_dir, n_samples=n_samples)
