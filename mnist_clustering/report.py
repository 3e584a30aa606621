"""Tables for the notebooks: the seed's printed numbers beside ours, and published figures.

The notebooks hold no logic: every table they show is built here, from the stored
sweep tables (:func:`mnist_clustering.load_results`) and artefacts
(:func:`mnist_clustering.load_artifacts`).

- :data:`SEED_PRINTED`: every number the seed notebook (January 2022) printed, with
  its cell, so that each can be shown beside the number computed today.
- :func:`top_k_comparison`: the best k for a score, done right (:func:`best_k`),
  beside what the seed's ``maxs_tab`` prints on the same column, and why they differ.
- :func:`final_model_summary`: the scores of one k, seed and ours side by side.
- :data:`PUBLISHED` and :func:`published_comparison`: K-Means on raw MNIST pixels in
  the literature, with sources, beside ours.
- :func:`results_or_sweep`: the stored rows of a k grid, or the same rows computed by
  :func:`mnist_clustering.run_sweep` when some are missing.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pandas as pd

from . import metrics
from .sweep import ResultsStore, parse_k_range, run_sweep

__all__ = [
    "SEED_PRINTED",
    "PUBLISHED",
    "ROW_NAMES",
    "Images",
    "load_images",
    "results_or_sweep",
    "sweep_settings",
    "scores_at",
    "top_k_comparison",
    "best_ks",
    "final_model_summary",
    "method_comparison",
    "published_comparison",
    "purity_reference",
    "class_count_table",
    "normalisation_summary",
    "cluster_size_table",
    "contingency_frame",
    "random_clusters",
    "centre_titles",
    "titles",
]

# --------------------------------------------------------------------------- the seed
SEED_PRINTED = {
    "kmeans_k10": {
        "cells": "[5]-[8]", "method": "kmeans", "k": 10,
        # two clusters drawn with an unseeded np.random.randint: cluster id -> size
        "shown_clusters": {4: 8847, 1: 5611},
    },
    "kmeans_top5": {
        "cells": "[12]-[13]", "method": "kmeans", "grid": "2:80",
        # maxs_tab(...) output: (slot values, reported k = list position + 2)
        "maxs_tab": {
            "silhouette": ([0.08700923, 0.07311118, 0.066212334, 0.06614556, 0.06556171],
                           [2, 8, 20, 18, 19]),
            "calinski_harabasz": ([4108.178830816642, 3696.564540036035, 3370.5414670469604,
                                   3209.055000597564, 2985.0170827006455], [2, 3, 4, 5, 6]),
            "seed_index_entropy": ([10.144581776065408, 9.711119849908103, 9.438136338414356,
                                    9.258305151824157, 9.043510080333563], [2, 3, 4, 5, 6]),
        },
    },
    "kmeans_k19": {
        "cells": "[14]-[17]", "method": "kmeans", "k": 19,
        "scores": {"calinski_harabasz": 1628.43, "seed_index_entropy": 7.9,
                   "fit_seconds": 47.21},
    },
    "kmedoids_k19": {
        "cells": "[18]-[21]", "method": "kmedoids-alternate", "k": 19,
        "shown_clusters": {7: 4246, 15: 1654},
        "scores": {"calinski_harabasz": 1135.06, "seed_index_entropy": 7.94,
                   "fit_seconds": 109.64},
    },
    "kmedoids_top5": {
        "cells": "[22]-[24]", "method": "kmedoids-alternate", "grid": "2:263:10",
        "maxs_tab": {
            "silhouette": ([0.027133895, 0.018595472, 0.017003266, 0.013664742, 0.012200186],
                           [4, 5, 6, 7, 10]),
            "calinski_harabasz": ([1476.0129711220977, 1161.1710352126656, 1032.708369071595,
                                   820.6956798897825, 700.1306569496448], [2, 3, 4, 5, 6]),
            "seed_index_entropy": ([10.116438412092869, 8.373313926990967, 7.80565648797296,
                                    7.462180720135262, 7.220247851903884], [2, 3, 4, 5, 6]),
        },
    },
    "kmedoids_k22": {
        "cells": "[25]-[28]", "method": "kmedoids-alternate", "k": 22,
        "shown_clusters": {15: 5086, 12: 3025},
        "scores": {"calinski_harabasz": 1032.708369071595,
                   "seed_index_entropy": 7.80565648797296,
                   "homogeneity": 0.40649737103098377,
                   "purity": 0.491216666666666,
                   "fit_seconds": 125.8},
    },
}
"""Every number the seed notebook printed, keyed by what it shows; ``cells`` names its cells.

``scores`` use the column names of a sweep table: the seed's "entropie" is
``seed_index_entropy`` (the entropy of image *indices*), its "précision" is ``purity``.
"""

ROW_NAMES = {
    "inertia": "inertia",
    "silhouette": "silhouette",
    "calinski_harabasz": "Calinski-Harabasz",
    "seed_index_entropy": "seed's 'entropy' (of image indices)",
    "label_entropy": "label entropy (corrected, lower is purer)",
    "homogeneity": "homogeneity",
    "nmi": "NMI",
    "ari": "ARI",
    "purity": "purity (seed's 'precision')",
    "accuracy": "accuracy (Hungarian)",
    "test_purity": "test purity",
    "n_errors": "misassigned images",
    "fit_seconds": "fit time (s)",
    "n_iter": "iterations",
}
"""Readable row names of the comparison tables."""

# --------------------------------------------------------------------------- literature
PUBLISHED = pd.DataFrame(
    [
        ("accuracy", 10, 0.5349, 0.5349, "Xie, Girshick & Farhadi 2016, DEC (ICML), Table 2",
         "all 70,000 images", "as published"),
        ("accuracy", 10, 0.532, 0.532, "Yang, Fu, Sidiropoulos & Hong 2017, DCN (ICML)",
         "all 70,000 images", "as published"),
        ("nmi", 10, 0.500, 0.500, "Yang, Fu, Sidiropoulos & Hong 2017, DCN (ICML)",
         "all 70,000 images", "as published"),
        ("ari", 10, 0.366, 0.366, "Yang, Fu, Sidiropoulos & Hong 2017, DCN (ICML)",
         "all 70,000 images", "as published"),
        ("purity", 10, 0.56, 0.64, "course and tutorial material (scikit-learn K-Means)",
         "training images", "approximate"),
        ("purity", 256, 0.89, 0.90, "course and tutorial material (scikit-learn K-Means)",
         "training images", "approximate"),
    ],
    columns=["metric", "k", "low", "high", "source", "data", "status"],
)
"""K-Means on raw MNIST pixels in the literature: one row per (metric, k, source).

The deep-clustering papers report K-Means as their baseline on all 70,000 images
(train and test together); ``accuracy`` there is the clustering accuracy with a
one-to-one (Hungarian) matching of clusters to digits. The purity ranges are the
commonly quoted figures for majority-label purity (several clusters may share a digit);
they are approximate: we know of no single primary source for them.
"""


# --------------------------------------------------------------------------- data
Images = namedtuple("Images", "x_train y_train x_test y_test results_name")
Images.__doc__ = """The images a sweep saw (raw uint8), their labels, and the table folder name."""


def load_images(dataset="mnist", n_samples=None):
    """Load the images and labels a sweep table was computed on.

    Parameters
    ----------
    dataset : {'mnist', 'digits'}
    n_samples : int, optional
        Keep only the first ``n_samples`` training images, as ``run_sweep`` does;
        their tables live in ``<dataset>-first<n_samples>``.

    Returns
    -------
    Images
        ``x_train`` (uint8, n x 28 x 28), ``y_train``, ``x_test``, ``y_test`` and
        ``results_name``, the folder of the matching tables (pass it as ``dataset=``
        to :func:`results_or_sweep` and :func:`mnist_clustering.load_artifacts`).
    """
    from .data import load_dataset

    (x_train, y_train), (x_test, y_test) = load_dataset(dataset)
    name = dataset
    if n_samples is not None:
        x_train, y_train = x_train[:n_samples], y_train[:n_samples]
        name = f"{dataset}-first{n_samples}"
    return Images(x_train, y_train, x_test, y_test, name)


def results_or_sweep(method, ks, *, keep=(), dataset="mnist", results_dir=None,
                     **sweep_options):
    """The stored rows of ``method`` for the k grid ``ks``, computing any that are missing.

    When the table holds every k of ``ks`` with its silhouette (a NaN silhouette is
    still pending) and the artefacts of every k of ``keep`` exist, it is read and
    nothing is computed. Otherwise :func:`mnist_clustering.run_sweep`
    computes exactly what is missing (slow on full MNIST, but the same call that
    produced the table) and stores it.

    Parameters
    ----------
    method : {'kmeans', 'kmedoids-alternate', 'kmedoids-fasterpam'}
    ks : str or iterable of int
        k grid, e.g. ``"2:80"`` (see :func:`mnist_clustering.parse_k_range`).
    keep : iterable of int
        k values whose labels and centres must be stored as artefacts.
    dataset : str
        Table folder name (``Images.results_name``): ``'mnist'`` or e.g.
        ``'mnist-first3000'`` for the first 3000 training images.
    results_dir : path-like, optional
        Root of the tables; default ``$MNIST_CLUSTERING_RESULTS`` or ``results/``.
    **sweep_options
        Passed to ``run_sweep`` when something must be computed (``seed``,
        ``silhouette``, ``n_init``...). A stored table is returned as it is: its
        parameters are in its ``params``, ``seed`` and ``silhouette_mode`` columns
        (see :func:`sweep_settings`).

    Returns
    -------
    pandas.DataFrame
        One row per k of ``ks``, sorted by k, read back from the stored table.
    """
    ks = parse_k_range(ks)
    keep = parse_k_range(keep) if _given(keep) else []
    store = ResultsStore(dataset, method, results_dir)
    if not _complete(store, ks, keep):
        base, _, size = dataset.partition("-first")
        sweep_options.setdefault("progress", False)
        run_sweep(method, ks, keep=keep, dataset=base, results_dir=results_dir,
                  n_samples=int(size) if size else None, **sweep_options)
    table = store.load()  # as stored, so a computed table reads like a committed one
    return table[table["k"].isin(ks)].reset_index(drop=True)


def _given(keep):
    return isinstance(keep, (int, np.integer)) or (keep is not None and len(keep) > 0)


def _complete(store, ks, keep):
    """Every k stored with its silhouette (NaN: still pending), every kept artefact there."""
    table = store.load()
    stored = set(table.loc[table["silhouette"].notna(), "k"].astype(int))
    return set(ks) <= stored and all(store.artifact_path(k).exists() for k in keep)


def _k_summary(ks):
    ks = sorted(int(k) for k in ks)
    if len(ks) <= 5:
        return ", ".join(map(str, ks))
    return f"{ks[0]}..{ks[-1]} ({len(ks)} values)"


def sweep_settings(table):
    """How a table was computed: method, images, seed, parameters, silhouette, k values.

    Parameters
    ----------
    table : pandas.DataFrame
        A sweep table (or part of one).

    Returns
    -------
    pandas.DataFrame
        One row per distinct setting (one row for a consistent table), indexed by
        method.

    Examples
    --------
    >>> t = pd.DataFrame({"method": "kmeans", "k": [2, 3], "n_samples": 60000, "seed": 0,
    ...                   "params": '{"n_init": 1}', "silhouette_mode": "exact"})
    >>> sweep_settings(t).loc["kmeans", "k"]
    '2, 3'
    """
    keys = ["method", "n_samples", "seed", "params", "silhouette_mode"]
    out = table.groupby(keys, sort=False)["k"].agg(_k_summary).reset_index()
    out = out.rename(columns={"n_samples": "images", "silhouette_mode": "silhouette"})
    return out.set_index("method")


def scores_at(table, ks, columns):
    """Rows of ``table`` at the given k (all rows if ``ks`` is None), k as the index.

    Parameters
    ----------
    table : pandas.DataFrame
    ks : sequence of int or None
    columns : sequence of str

    Raises
    ------
    KeyError
        If a k is not in the table.

    Examples
    --------
    >>> t = pd.DataFrame({"k": [2, 7, 12], "purity": [0.2, 0.5, 0.6], "nmi": [0.1, 0.3, 0.4]})
    >>> scores_at(t, [12, 2], ["purity"])  # doctest: +NORMALIZE_WHITESPACE
        purity
    k
    12     0.6
    2      0.2
    """
    indexed = table.set_index("k").sort_index()
    if ks is None:
        return indexed[list(columns)]
    missing = [k for k in ks if k not in indexed.index]
    if missing:
        raise KeyError(f"k {missing} not in the table (it holds k = {indexed.index.tolist()})")
    return indexed.loc[list(ks), list(columns)]


# --------------------------------------------------------------------------- choosing k
def _grid_step(ks):
    """The common step of a sorted k grid, or None if it is irregular (or a single k)."""
    steps = np.unique(np.diff(np.asarray(ks)))
    return int(steps[0]) if len(steps) == 1 else None


def _why(ks, values, slots, score, seed_score):
    """A few sentences on why ``maxs_tab`` (``slots``) differs from ``best_k`` here.

    ``values`` is the column the seed ranked, in grid order ``ks``.
    """
    reasons = []
    step = _grid_step(ks)
    if step != 1 or ks[0] != 2:
        grid = f"step {step}" if step else "an irregular step"
        reasons.append(
            f"maxs_tab reports list position + 2 as k, but this grid starts at "
            f"k = {ks[0]} with {grid}, so the value at position i belongs to "
            f"k = {ks[0]} + {step or 'step'} * i.")
    if seed_score != score:
        reasons.append(
            f"The seed ranked {seed_score!r}, the entropy of the image indices of each "
            f"cluster (about the log of its size), not the entropy of its digit labels "
            f"({score!r}).")
    if metrics.SCORE_DIRECTIONS[score] == "min":
        reasons.append("maxs_tab keeps the largest values, but a lower entropy is better.")
    kept = [v for v in slots if v != 0]
    largest = sorted((v for v in values if v == v), reverse=True)[:len(kept)]
    if not np.allclose(kept, largest):
        reasons.append(
            "Its if/elif chain overwrites a slot instead of shifting the smaller values "
            "down, so its five values are not the five largest.")
    if not reasons:
        return ("Here they agree: the grid is 2, 3, 4, ... and the values fall steadily, "
                "so the seed's bugs do not show.")
    return " ".join(reasons)


def top_k_comparison(table, score, n=5, *, seed_score=None, printed=None):
    """The best k for ``score``, done right, beside the seed's ``maxs_tab`` on the same table.

    Parameters
    ----------
    table : pandas.DataFrame
        One sweep (one method), one row per k; it is read in increasing k, the order
        in which the seed filled its lists.
    score : str
        Column ranked by :func:`mnist_clustering.best_k` in its right direction.
    n : int, default 5
    seed_score : str, optional
        Column the seed ranked instead (default ``score``); for the entropy,
        ``'seed_index_entropy'``.
    printed : dict, optional
        An entry of :data:`SEED_PRINTED` with a ``maxs_tab`` item (e.g.
        ``SEED_PRINTED['kmedoids_top5']``): adds what the seed printed in 2022.

    Returns
    -------
    pandas.DataFrame
        Indexed by rank 1..max(n, 5): ``k`` and ``score`` (ours); ``seed k`` (what
        ``maxs_tab`` reports), ``seed value`` and ``true k`` (the k that value really
        belongs to); with ``printed``, ``2022 k`` and ``2022 value``. ``attrs['why']``
        says in a few sentences why the seed's answer differs.

    Examples
    --------
    On a step-10 grid the seed reports positions, not k:

    >>> t = pd.DataFrame({"k": [2, 12, 22, 32, 42, 52],
    ...                   "calinski_harabasz": [60., 50., 40., 30., 20., 10.]})
    >>> out = top_k_comparison(t, "calinski_harabasz")
    >>> out[["k", "seed k", "true k"]].head(3)  # doctest: +NORMALIZE_WHITESPACE
           k  seed k  true k
    rank
    1      2       2       2
    2     12       3      12
    3     22       4      22
    """
    seed_score = seed_score or score
    table = table.sort_values("k", ignore_index=True)
    ours = metrics.best_k(table, score, n=n)
    values, reported = metrics.seed_maxs_tab(table[seed_score].tolist())
    ks = table["k"].astype(int).tolist()
    seed = pd.DataFrame({
        "seed k": reported,
        "seed value": [v if k else np.nan for v, k in zip(values, reported)],
        "true k": [ks[k - 2] if 2 <= k < len(ks) + 2 else np.nan for k in reported],
    })
    rows = max(n, len(seed))
    out = pd.DataFrame({"k": ours["k"], score: ours[score]}).reindex(range(rows))
    out = pd.concat([out, seed.reindex(range(rows))], axis=1)
    if printed is not None:
        p_values, p_k = printed["maxs_tab"][seed_score]
        out["2022 k"] = pd.Series(p_k).reindex(range(rows))
        out["2022 value"] = pd.Series(p_values).reindex(range(rows))
    out.index = pd.RangeIndex(1, rows + 1, name="rank")
    for column in ("k", "seed k", "true k", "2022 k"):
        if column in out:
            out[column] = out[column].astype("Int64")
    out.attrs["why"] = _why(ks, table[seed_score].tolist(), values, score, seed_score)
    return out


def best_ks(table, scores, n=5):
    """``{score: [best k, ...]}`` for several scores (:func:`best_k`), to ring on the curves.

    Examples
    --------
    >>> t = pd.DataFrame({"k": [2, 3, 4], "silhouette": [0.1, 0.3, 0.2],
    ...                   "label_entropy": [1.0, 0.8, 0.5]})
    >>> best_ks(t, ["silhouette", "label_entropy"], n=2)
    {'silhouette': [3, 4], 'label_entropy': [4, 3]}
    """
    return {score: [int(k) for k in metrics.best_k(table, score, n=n)["k"]] for score in scores}


# --------------------------------------------------------------------------- one k
def final_model_summary(table, k, seed_values, extra=("label_entropy", "purity")):
    """The scores of one k: the seed's printed values beside ours.

    Parameters
    ----------
    table : pandas.DataFrame
        Sweep table holding a row for ``k``.
    k : int
    seed_values : dict
        ``column -> value`` the seed printed (``SEED_PRINTED[...]['scores']``).
    extra : sequence of str
        Further columns shown with ours only (the seed had no such number), e.g. the
        corrected ``label_entropy``.

    Returns
    -------
    pandas.DataFrame
        Indexed by readable score names (:data:`ROW_NAMES`), columns ``seed (2022)``
        (as printed, as text; "–" where the seed had no such number) and ``ours``.
        Fit times depend on the machine; the seed's K-Means also used
        ``n_init=10`` (scikit-learn 1.0), today's sweeps record their own parameters.

    Examples
    --------
    >>> t = pd.DataFrame({"k": [22], "calinski_harabasz": [1032.7], "purity": [0.49]})
    >>> final_model_summary(t, 22, {"calinski_harabasz": 1032.708}, extra=("purity",))
                                seed (2022)     ours
    Calinski-Harabasz              1032.708  1032.70
    purity (seed's 'precision')           –     0.49
    """
    row = scores_at(table, [k], [*seed_values, *[c for c in extra if c not in seed_values]])
    row = row.iloc[0]
    printed = {column: str(value) for column, value in seed_values.items()}
    seed = [printed.get(column, "–") for column in row.index]
    out = pd.DataFrame({"seed (2022)": seed, "ours": row.astype(float)}, index=row.index)
    out.index = [ROW_NAMES.get(c, c) for c in out.index]
    return out


def method_comparison(tables, ks, columns=("inertia", "fit_seconds", "calinski_harabasz",
                                           "silhouette", "homogeneity", "purity",
                                           "label_entropy")):
    """Several methods at the same k, one row per (method, k).

    Parameters
    ----------
    tables : dict
        ``name -> sweep table``, e.g. ``{'alternate': ..., 'FasterPAM': ...}``.
    ks : sequence of int
    columns : sequence of str

    Returns
    -------
    pandas.DataFrame
        MultiIndex (k, method), the given columns; for K-Medoids ``inertia`` is the
        cost (sum of distances to the medoid) that both methods minimise.
    """
    parts = [scores_at(table, ks, columns).assign(method=name).reset_index()
             for name, table in tables.items()]
    out = pd.concat(parts, ignore_index=True).set_index(["k", "method"]).sort_index(
        level=0, sort_remaining=False)
    return out


def _published_text(low, high):
    return f"{low:g}" if low == high else f"{low:g}-{high:g}"


def published_comparison(table, tolerance=5):
    """Our K-Means scores beside the published K-Means-on-raw-pixels figures.

    Parameters
    ----------
    table : pandas.DataFrame
        K-Means sweep rows (e.g. k = 2..79 and 2..262 step 5 together).
    tolerance : int, default 5
        A published figure at k is compared with our row at the nearest k within this
        distance (the seed's grids have k = 257 but not 256); none: NaN.

    Returns
    -------
    pandas.DataFrame
        One row per :data:`PUBLISHED` entry, indexed by metric and published k:
        ``published`` (value or range, as text), ``ours``, ``our k``, ``source``,
        ``data`` and ``status``.

    Examples
    --------
    >>> t = pd.DataFrame({"k": [10, 257], "accuracy": [0.55, 0.9], "nmi": [0.5, 0.6],
    ...                   "ari": [0.4, 0.1], "purity": [0.6, 0.9]})
    >>> out = published_comparison(t)
    >>> out[["published", "ours", "our k"]].tail(2)  # doctest: +NORMALIZE_WHITESPACE
               published  ours  our k
    metric k
    purity 10  0.56-0.64   0.6     10
           256 0.89-0.9    0.9    257
    """
    ks = table["k"].to_numpy()
    ours_k, ours = [], []
    for metric, k in zip(PUBLISHED["metric"], PUBLISHED["k"]):
        i = int(np.argmin(np.abs(ks - k)))
        close = abs(int(ks[i]) - k) <= tolerance
        ours_k.append(int(ks[i]) if close else pd.NA)
        ours.append(float(table[metric].iloc[i]) if close else np.nan)
    return pd.DataFrame({
        "published": [_published_text(low, high)
                      for low, high in zip(PUBLISHED["low"], PUBLISHED["high"])],
        "ours": ours,
        "our k": pd.array(ours_k, dtype="Int64"),
        "source": PUBLISHED["source"].to_numpy(), "data": PUBLISHED["data"].to_numpy(),
        "status": PUBLISHED["status"].to_numpy(),
    }, index=pd.MultiIndex.from_frame(PUBLISHED[["metric", "k"]]))


def purity_reference():
    """Published purity ranges as ``{k: (low, high)}`` for :func:`plots.purity_vs_reference`."""
    rows = PUBLISHED[PUBLISHED["metric"] == "purity"]
    return {int(k): (float(low), float(high))
            for k, low, high in zip(rows["k"], rows["low"], rows["high"])}


# --------------------------------------------------------------------------- data tables
def class_count_table(y_train, y_test=None):
    """Number and share of images of each digit.

    Returns
    -------
    pandas.DataFrame
        Indexed by digit: ``train``, ``train share`` and, with ``y_test``, ``test`` and
        ``test share``; a last row ``total``.

    Examples
    --------
    >>> class_count_table([0, 1, 1, 2]).loc[[0, 1, 2, 3, "total"], "train"].tolist()
    [1, 2, 1, 0, 4]
    """
    parts = {"train": y_train} if y_test is None else {"train": y_train, "test": y_test}
    out = pd.DataFrame()
    for name, y in parts.items():
        counts = np.bincount(np.asarray(y), minlength=10)
        out[name] = counts
        out[f"{name} share"] = counts / counts.sum()
    out.index.name = "digit"
    total = out.sum().to_frame("total").T
    return pd.concat([out, total]).astype({name: int for name in parts})


def normalisation_summary(raw, prepared):
    """Shape, type and value range of the images before and after :func:`prepare`.

    Returns
    -------
    pandas.DataFrame
        Columns ``raw`` and ``prepared``; rows shape, dtype, min, max, mean, share of
        zero pixels and number of distinct values, written as text (4 significant
        digits) so that one table holds both.

    Examples
    --------
    >>> raw = np.array([[0, 255], [0, 51]], dtype=np.uint8)
    >>> normalisation_summary(raw, raw / 255).loc[["max", "mean"]]  # doctest: +NORMALIZE_WHITESPACE
          raw prepared
    max   255        1
    mean 76.5      0.3
    """
    columns = {}
    for name, array in (("raw", np.asarray(raw)), ("prepared", np.asarray(prepared))):
        columns[name] = {
            "shape": str(array.shape), "dtype": str(array.dtype),
            "min": f"{float(array.min()):.4g}", "max": f"{float(array.max()):.4g}",
            "mean": f"{float(array.mean(dtype=np.float64)):.4g}",
            "share of zero pixels": f"{float(np.mean(array == 0)):.4g}",
            "distinct values": str(np.unique(array).size),
        }
    return pd.DataFrame(columns)


def cluster_size_table(labels, y, k):
    """Size and majority digit of each cluster, largest first.

    Parameters
    ----------
    labels : array-like of int
        Cluster of each training image (from the artefacts).
    y : array-like of int
        Digit of each training image.
    k : int

    Returns
    -------
    pandas.DataFrame
        Indexed by cluster id: ``size``, ``majority digit``, ``majority share`` (the
        cluster's purity).

    Examples
    --------
    >>> cluster_size_table([0, 0, 0, 1], [3, 3, 5, 7], 2)  # doctest: +NORMALIZE_WHITESPACE
             size  majority digit  majority share
    cluster
    0           3               3        0.666667
    1           1               7        1.000000
    """
    C = metrics.contingency(y, labels, n_clusters=k)
    sizes = C.sum(axis=1)
    out = pd.DataFrame({
        "size": sizes,
        "majority digit": C.argmax(axis=1),
        "majority share": np.divide(C.max(axis=1), sizes, out=np.zeros(k), where=sizes > 0),
    })
    out.index.name = "cluster"
    return out.sort_values("size", ascending=False, kind="stable")


def contingency_frame(y, labels, k):
    """Contingency matrix (clusters x digits) with clusters ordered by majority digit.

    Rows are named ``"<cluster> (<majority digit>)"`` and sorted by majority digit,
    then by decreasing size, so a good clustering shows a diagonal band.

    Returns
    -------
    pandas.DataFrame
        Counts; columns are the digits 0-9.
    """
    C = metrics.contingency(y, labels, n_clusters=k, n_classes=10)
    majority = C.argmax(axis=1)
    order = np.lexsort((-C.sum(axis=1), majority))
    index = [f"{c} ({majority[c]})" for c in order]
    frame = pd.DataFrame(C[order], index=index, columns=range(10))
    frame.index.name = "cluster (majority digit)"
    frame.columns.name = "digit"
    return frame


def random_clusters(k, n=2, seed=0):
    """``n`` distinct cluster ids among ``0..k-1``, drawn with a seeded generator, sorted.

    The seed drew them with an unseeded ``np.random.randint`` (and could draw the
    same cluster twice).

    Examples
    --------
    >>> random_clusters(10, 2, seed=0) == random_clusters(10, 2, seed=0)
    True
    """
    chosen = np.random.default_rng(seed).choice(k, size=n, replace=False)
    return sorted(int(c) for c in chosen)


def centre_titles(prefix, majority):
    """Titles of centre images: ``"<prefix> <i>: <majority digit>"``.

    Examples
    --------
    >>> centre_titles("Centre", [7, 1])
    ['Centre 0: 7', 'Centre 1: 1']
    """
    return [f"{prefix} {i}: {int(d)}" for i, d in enumerate(majority)]


def titles(prefix, values):
    """``["<prefix> <v>" for v in values]``: titles of an image grid.

    Examples
    --------
    >>> titles("Digit", [5, 0])
    ['Digit 5', 'Digit 0']
    """
    return [f"{prefix} {v}" for v in values]
