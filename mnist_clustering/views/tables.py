"""The notebooks' generic tables: the images, the stored rows of a k grid, how a table was
computed, scores at given k, clusters and their majority digits, purity.

Every table is built from the stored sweep tables (:func:`mnist_clustering.load_results`)
and artefacts (:func:`mnist_clustering.load_artifacts`); :func:`results_or_sweep`
computes the rows of a k grid that are missing.
"""

from __future__ import annotations

import json
from collections import namedtuple

import numpy as np
import pandas as pd

from .. import metrics
from ..evaluate import parse_k_range
from ..results import ResultsStore
from ..sweep import run_sweep  # results_or_sweep computes the rows that are missing
from .text import ROW_NAMES, Text

__all__ = [
    "Images",
    "load_images",
    "results_or_sweep",
    "sweep_settings",
    "scores_at",
    "best_ks",
    "best_k_table",
    "method_comparison",
    "class_count_table",
    "normalisation_summary",
    "cluster_size_table",
    "contingency_frame",
    "random_clusters",
    "cluster_titles",
    "titles",
    "align_clusters",
    "aligned_centres",
    "purity_at",
    "train_test_note",
]


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
    from ..data import load_dataset

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
        One row per k of ``ks`` (seed 0: the single run the 2022 comparisons use; see
        :func:`spread` for the other seeds), sorted by k, read back from the stored table.
    """
    ks = parse_k_range(ks)
    keep = parse_k_range(keep) if _given(keep) else []
    store = ResultsStore(dataset, method, results_dir)
    if not _complete(store, ks, keep):
        base, _, size = dataset.partition("-first")
        # a long computation never starts silently: the bar says what is being computed
        sweep_options.setdefault("progress", True)
        run_sweep(method, ks, keep=keep, dataset=base, results_dir=results_dir,
                  n_samples=int(size) if size else None, **sweep_options)
    table = store.load()  # as stored, so a computed table reads like a committed one
    return table[table["k"].isin(ks) & (table["seed"] == 0)].reset_index(drop=True)


def _given(keep):
    return isinstance(keep, (int, np.integer)) or (keep is not None and len(keep) > 0)


def _complete(store, ks, keep):
    """Every k stored with its silhouette (NaN: still pending), every kept artefact there."""
    table = store.load()
    done = table["silhouette"].notna() & (table["seed"] == 0)
    stored = set(table.loc[done, "k"].astype(int))
    return set(ks) <= stored and all(store.artifact_path(k).exists() for k in keep)


def _k_summary(ks):
    ks = sorted(int(k) for k in ks)
    if len(ks) <= 5:
        return ", ".join(map(str, ks))
    return f"{ks[0]}..{ks[-1]} ({len(ks)} values)"


def sweep_settings(table):
    """How a table was computed: method, images, seed, each parameter, silhouette, k values.

    Parameters
    ----------
    table : pandas.DataFrame
        A sweep table (or part of one).

    Returns
    -------
    pandas.DataFrame
        One row per setting, one column per distinct setting of the table (one column,
        named by the method, for a consistent table). The ``params`` JSON is spelled out,
        one row per parameter, so that none is cut off.

    Examples
    --------
    >>> t = pd.DataFrame({"method": "kmeans", "k": [2, 3], "n_samples": 60000, "seed": 0,
    ...                   "params": '{"n_init": 1}', "silhouette_mode": "exact"})
    >>> sweep_settings(t)  # doctest: +NORMALIZE_WHITESPACE
                    kmeans
    setting
    images          60,000
    seed                 0
    n_init               1
    silhouette       exact
    k (fitted)        2, 3
    """
    keys = ["method", "n_samples", "seed", "params", "silhouette_mode"]
    groups = table.groupby(keys, sort=False)["k"].agg(_k_summary).reset_index()
    columns = {}
    for row in groups.itertuples(index=False):
        column = {"images": f"{row.n_samples:,}", "seed": row.seed,
                  **json.loads(row.params), "silhouette": row.silhouette_mode,
                  "k (fitted)": row.k}
        columns[row.method if row.method not in columns else f"{row.method} ({len(columns)})"] = {
            name: str(value) for name, value in column.items()}
    out = pd.DataFrame(columns)
    out.index.name = "setting"
    return out


def scores_at(table, ks, columns):
    """Rows of ``table`` at the given k (all rows if ``ks`` is None), k as the index.

    Parameters
    ----------
    table : pandas.DataFrame
    ks : sequence of int or None
    columns : sequence of str

    Returns
    -------
    pandas.DataFrame
        The ``columns`` of the rows at ``ks``, in the order of ``ks``, indexed by k.

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


def best_ks(table, scores, n=5):
    """``{score: [best k, ...]}`` for several scores (:func:`best_k`), to ring on the curves.

    Parameters
    ----------
    table : pandas.DataFrame
        One sweep, one row per k.
    scores : sequence of str
        Score columns, each ranked in its registry direction.
    n : int, default 5

    Returns
    -------
    dict
        Score -> its ``n`` best k, best first.

    Examples
    --------
    >>> t = pd.DataFrame({"k": [2, 3, 4], "silhouette": [0.1, 0.3, 0.2],
    ...                   "label_entropy": [1.0, 0.8, 0.5]})
    >>> best_ks(t, ["silhouette", "label_entropy"], n=2)
    {'silhouette': [3, 4], 'label_entropy': [4, 3]}
    """
    return {score: [int(k) for k in metrics.best_k(table, score, n=n)["k"]] for score in scores}


def best_k_table(best):
    """The best k of several scores as a table to read: one row per score, one column per rank.

    Parameters
    ----------
    best : dict
        :func:`best_ks`.

    Returns
    -------
    pandas.DataFrame
        ``score`` (readable name) then ``best``, ``2nd`` ... columns of k.

    Examples
    --------
    >>> best_k_table({"silhouette": [3, 4], "label_entropy": [4, 3]})
                                score  best  2nd
    0                      silhouette     3    4
    1  label entropy (lower is purer)     4    3
    """
    ranks = max(len(ks) for ks in best.values())
    names = ["best", "2nd", "3rd", *(f"{r}th" for r in range(4, ranks + 1))][:ranks]
    return pd.DataFrame([{"score": ROW_NAMES.get(score, score), **dict(zip(names, ks))}
                         for score, ks in best.items()])


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


def class_count_table(y_train, y_test=None):
    """Number and share of images of each digit.

    Parameters
    ----------
    y_train : array-like of int
        Digit of each training image.
    y_test : array-like of int, optional
        Digit of each test image.

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
    return pd.concat([out, total]).astype({name: int for name in parts}).rename_axis("digit")


def normalisation_summary(raw, prepared):
    """Shape, type and value range of the images before and after :func:`prepare`.

    Parameters
    ----------
    raw : array-like
        The raw pixels.
    prepared : array-like
        The same images after :func:`mnist_clustering.prepare`.

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

    Parameters
    ----------
    y : array-like of int
        Digit of each image.
    labels : array-like of int
        Cluster of each image.
    k : int
        Number of clusters (empty ones get a row of zeros).

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

    The 2022 notebook drew them unseeded (and could draw the same cluster twice).

    Parameters
    ----------
    k : int
        Number of clusters.
    n : int, default 2
    seed : int, default 0

    Returns
    -------
    list of int

    Examples
    --------
    >>> random_clusters(10, 2, seed=0) == random_clusters(10, 2, seed=0)
    True
    """
    chosen = np.random.default_rng(seed).choice(k, size=n, replace=False)
    return sorted(int(c) for c in chosen)


def cluster_titles(labels, y, k, clusters=None):
    """Titles of centre images: ``"cluster <i> → <majority digit> (<its share>)"``.

    The share says how much of the cluster carries that digit: a medoid titled 5 that
    shows a 1 is no bug when the title says only 23% of its cluster are fives.

    Parameters
    ----------
    labels : array-like of int
        Cluster of each training image.
    y : array-like of int
        Digit of each training image.
    k : int
    clusters : sequence of int, optional
        Clusters to title, in this order (default ``0..k-1``).

    Returns
    -------
    list of str

    Examples
    --------
    >>> cluster_titles([0, 0, 0, 1], [7, 7, 1, 3], 2)
    ['cluster 0 → 7 (67%)', 'cluster 1 → 3 (100%)']
    """
    table = cluster_size_table(labels, y, k)
    clusters = range(k) if clusters is None else clusters
    return [f"cluster {c} → {int(table.at[c, 'majority digit'])} "
            f"({table.at[c, 'majority share']:.0%})" for c in clusters]


def titles(prefix, values):
    """``["<prefix> <v>" for v in values]``: titles of an image grid.

    Parameters
    ----------
    prefix : str
    values : iterable

    Returns
    -------
    list of str

    Examples
    --------
    >>> titles("Digit", [5, 0])
    ['Digit 5', 'Digit 0']
    """
    return [f"{prefix} {v}" for v in values]


def align_clusters(reference, labels, k):
    """Match each cluster of ``labels`` to a cluster of ``reference``, sharing the most images.

    A one-to-one matching (Hungarian algorithm on the clusters x clusters overlap
    counts) maximising the number of images in matched clusters.

    Parameters
    ----------
    reference, labels : array-like of int
        Two clusterings of the same images, both with ``k`` clusters.
    k : int

    Returns
    -------
    pandas.DataFrame
        Indexed by reference cluster ``0..k-1``: ``matched`` (the cluster of ``labels``),
        ``shared images`` and ``share`` (shared over the reference cluster's size).

    Examples
    --------
    >>> align_clusters([0, 0, 1, 1, 1], [1, 1, 0, 0, 1], 2)["matched"].tolist()
    [1, 0]
    """
    from scipy.optimize import linear_sum_assignment

    overlap = metrics.contingency(np.asarray(labels), np.asarray(reference), n_clusters=k,
                                  n_classes=k)
    rows, cols = linear_sum_assignment(overlap, maximize=True)
    shared = overlap[rows, cols]
    sizes = overlap.sum(axis=1)[rows]
    out = pd.DataFrame({"matched": cols, "shared images": shared,
                        "share": np.divide(shared, sizes, out=np.zeros(k), where=sizes > 0)},
                       index=pd.Index(rows, name="reference cluster"))
    return out


def aligned_centres(reference_fit, fit, y, k):
    """``fit``'s centres in the order of the ``reference_fit`` clusters they match, and titles.

    Position i of the result shows the centre of the cluster of ``fit`` that shares the
    most images with cluster i of ``reference_fit`` (:func:`align_clusters`), so that two
    grids of centres drawn with the same number of columns can be compared panel by panel.

    Parameters
    ----------
    reference_fit, fit : mapping
        Artefacts (:func:`mnist_clustering.load_artifacts`) with ``labels`` and ``centers``.
    y : array-like of int
    k : int

    Returns
    -------
    centres : numpy.ndarray
    titles : list of str
        ``"cluster <own id> → <digit> (<share>)"`` (:func:`cluster_titles`).
    """
    order = align_clusters(reference_fit["labels"], fit["labels"], k)["matched"].to_numpy()
    return np.asarray(fit["centers"])[order], cluster_titles(fit["labels"], y, k, order)


def purity_at(table, ks):
    """Train and test purity at a few k, and how far test sits above train.

    Parameters
    ----------
    table : pandas.DataFrame
        A sweep table with ``purity`` and ``test_purity``.
    ks : sequence of int

    Returns
    -------
    pandas.DataFrame
        Indexed by k: ``train purity``, ``test purity`` and ``test - train``.

    Examples
    --------
    >>> t = pd.DataFrame({"k": [2, 7], "purity": [0.2, 0.5], "test_purity": [0.21, 0.52]})
    >>> purity_at(t, [7])["test - train"].round(2).tolist()
    [0.02]
    """
    out = scores_at(table, ks, ["purity", "test_purity"])
    out["test - train"] = out["test_purity"] - out["purity"]
    return out.rename(columns={"purity": "train purity", "test_purity": "test purity"})


def train_test_note(table):
    """Where test purity sits relative to train purity over a sweep, in numbers.

    Parameters
    ----------
    table : pandas.DataFrame
        A sweep table with ``k``, ``purity`` and ``test_purity``.

    Returns
    -------
    Text
    """
    gap = (table["test_purity"] - table["purity"]).to_numpy()
    ks = table["k"].astype(int).to_numpy()
    above = int((gap > 0).sum())
    below = ks[gap <= 0].tolist()
    where = (f"at all {len(ks)} k" if not below else
             f"at {above} of the {len(ks)} k (not at k = {', '.join(map(str, below))})")
    i = int(np.argmax(gap))
    return Text(
        f"Test purity sits slightly **above** train purity {where}: by a median of "
        f"{np.median(gap):.4f} (largest {gap[i]:.4f}, at k = {ks[i]}). The 10,000 test "
        "images are a little easier to label by their nearest centre than the training "
        "images are by their cluster's majority digit; with so few centres there is no "
        "overfitting to show.")
