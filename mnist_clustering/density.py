"""Clustering without a k grid in the low-dimensional spaces: HDBSCAN and a Gaussian mixture.

HDBSCAN (scikit-learn's ``sklearn.cluster.HDBSCAN``) finds its own number of clusters and
leaves some images as noise (label -1). Its scores are given twice:

* over every image, the noise points forming one more cluster (as scikit-learn's scores
  see label -1, and as umap-learn's documentation page "Using UMAP for Clustering"
  scores HDBSCAN on MNIST);
* over the clustered images only (``*_clustered``), with ``noise_share``, the fraction
  of images left out, beside them.

The Gaussian mixture (``sklearn.mixture.GaussianMixture``, full covariances) runs at
k = 10, one row per seed. Each function returns one row (a dict); :func:`density_table`
collects the rows of a feature space into a DataFrame.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from .files import atomic_write
from .metrics import label_scores
from .scores import DENSITY_SCHEMA, LABEL_SCORES

__all__ = [
    "DENSITY_COLUMNS",
    "HDBSCAN_MIN_SAMPLES",
    "density_table",
    "read_density",
    "write_density",
    "gmm_row",
    "hdbscan_min_cluster_size",
    "hdbscan_row",
    "noise_scores",
]

#: umap-learn's documentation clusters the UMAP embedding of MNIST (70,000 images) with
#: ``hdbscan.HDBSCAN(min_samples=10, min_cluster_size=500)``.
HDBSCAN_MIN_SAMPLES = 10
_MIN_CLUSTER_SIZE_MNIST = 500


def hdbscan_min_cluster_size(n):
    """500 for the 60,000 MNIST training images, scaled in proportion for n images (>= 5).

    The documentation's 500 is a share of the data (a digit holds about a tenth of it);
    the same share keeps a subsample's clusters comparable.
    """
    return max(5, int(round(_MIN_CLUSTER_SIZE_MNIST * int(n) / 60_000)))


def noise_scores(y_true, labels):
    """ACC, NMI, ARI and purity with and without the noise points (label -1).

    Parameters
    ----------
    y_true : (n,) array of digits
    labels : (n,) array of cluster ids, -1 for noise

    Returns
    -------
    dict
        ``noise_share``, ``n_clusters`` (not counting noise), the four scores over every
        image (noise as one more cluster) and ``<score>_clustered`` over the others
        (NaN when every image is noise).
    """
    y = np.asarray(y_true)
    labels = np.asarray(labels)
    if labels.shape != y.shape:
        raise ValueError(f"labels has shape {labels.shape}, y_true {y.shape}: they must match")
    noise = labels == -1
    _, codes = np.unique(labels, return_inverse=True)  # -1 (if any) becomes cluster 0
    row = {"noise_share": float(noise.mean()),
           "n_clusters": len(np.unique(labels[~noise]))}
    every = label_scores(y, codes)
    row.update({name: every[name] for name in LABEL_SCORES})
    if (~noise).sum() >= 2:
        _, kept = np.unique(labels[~noise], return_inverse=True)
        clustered = label_scores(y[~noise], kept)
        row.update({f"{name}_clustered": clustered[name] for name in LABEL_SCORES})
    else:
        row.update({f"{name}_clustered": float("nan") for name in LABEL_SCORES})
    return row


def hdbscan_row(X, y_true, *, min_cluster_size=None, min_samples=HDBSCAN_MIN_SAMPLES,
                with_labels=False):
    """Cluster X with ``sklearn.cluster.HDBSCAN`` and score it (:func:`noise_scores`).

    ``min_cluster_size`` defaults to :func:`hdbscan_min_cluster_size` of ``len(X)``.
    HDBSCAN has no random start: the row's ``seed`` is None. ``with_labels``: return
    ``(row, labels)``, the labels -1 for noise.
    """
    from sklearn.cluster import HDBSCAN

    X = np.ascontiguousarray(X, dtype=np.float64)
    if min_cluster_size is None:
        min_cluster_size = hdbscan_min_cluster_size(len(X))
    start = time.perf_counter()
    labels = HDBSCAN(min_cluster_size=int(min_cluster_size), min_samples=int(min_samples),
                     copy=False).fit_predict(X)  # X is already a private float64 copy
    seconds = time.perf_counter() - start
    row = {"method": "hdbscan", "seed": None,
           "params": f"min_cluster_size={int(min_cluster_size)},min_samples={int(min_samples)}",
           **noise_scores(y_true, labels), "fit_seconds": seconds}
    return (row, labels) if with_labels else row


def gmm_row(X, y_true, *, k=10, seed=0, covariance_type="full", n_init=1):
    """Fit ``sklearn.mixture.GaussianMixture(k, random_state=seed, n_init=n_init)`` to X
    and score it.

    With ``n_init`` > 1 the mixture keeps the start of highest likelihood (a choice made
    without labels). The fit runs on one thread, so that the row does not depend on the
    machine's core count (as every K-Means fit).
    """
    from sklearn.mixture import GaussianMixture
    from threadpoolctl import threadpool_limits

    start = time.perf_counter()
    with threadpool_limits(limits=1):
        labels = GaussianMixture(n_components=int(k), covariance_type=covariance_type,
                                 random_state=int(seed), n_init=int(n_init)).fit_predict(X)
    seconds = time.perf_counter() - start
    scores = label_scores(y_true, labels, n_clusters=int(k))
    params = f"k={int(k)},covariance_type={covariance_type}"
    return {"method": "gmm", "seed": int(seed),
            "params": params + (f",n_init={int(n_init)}" if int(n_init) != 1 else ""),
            "n_clusters": len(np.unique(labels)),
            **{name: scores[name] for name in LABEL_SCORES}, "fit_seconds": seconds}


def density_table(space, *, gmm_seeds=range(5), gmm_n_init=1, hdbscan=True,
                  min_cluster_size=None):
    """HDBSCAN (once) and the Gaussian mixture at k = 10 (per seed) on a feature space.

    Parameters
    ----------
    space : mnist_clustering.spaces.FeatureSpace
        Its training images are clustered.
    gmm_seeds : iterable of int
    gmm_n_init : int, default 1
        Starts of each mixture, the highest likelihood kept (:func:`gmm_row`).
    hdbscan : bool
    min_cluster_size : int, optional
        HDBSCAN's; default :func:`hdbscan_min_cluster_size`.

    Returns
    -------
    pandas.DataFrame
        One row per (space, method, seed).
    """
    rows = []
    if hdbscan:
        rows.append(hdbscan_row(space.X_train, space.y_train, min_cluster_size=min_cluster_size))
    rows += [gmm_row(space.X_train, space.y_train, seed=s, n_init=gmm_n_init) for s in gmm_seeds]
    table = pd.DataFrame(rows)
    table.insert(0, "space", space.name)
    table.insert(1, "n_samples", len(space.X_train))
    return table


_KINDS = {"text": "str", "key": "int", "int": "int", "float": "float"}

#: The columns of a stored density table (``results/<dataset>/<space>/density.csv``) and
#: their kinds: ``str``, ``int``, ``float``, or ``"int?"`` / ``"float?"`` (may be empty),
#: from the score registry's :data:`mnist_clustering.scores.DENSITY_SCHEMA`.
DENSITY_COLUMNS = {column.name: _KINDS[column.kind] + "?" * column.nullable
                   for column in DENSITY_SCHEMA}


def write_density(table, path):
    """Write a :func:`density_table` to ``path`` (CSV, atomically), columns in
    :data:`DENSITY_COLUMNS` order, then read it back strictly (:func:`read_density`)."""
    missing = [column for column in DENSITY_COLUMNS if column not in table.columns]
    if missing:
        raise ValueError(f"the density table lacks the columns {', '.join(missing)}")
    frame = table.reindex(columns=list(DENSITY_COLUMNS)).copy()
    frame["seed"] = frame["seed"].astype("Int64")
    path = __import__("pathlib").Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, frame.to_csv(index=False, float_format="%.10g"), verify=read_density)
    return read_density(path)


def read_density(path):
    """Read a density table written by :func:`write_density`, strictly.

    Raises
    ------
    ValueError
        If the columns are not exactly :data:`DENSITY_COLUMNS`, or a cell is empty where
        it may not be or is not of its column's kind; the message names the file, the row
        and the fix.
    """
    fix = "delete the file to have it recomputed (`make reproduce`, preset 'spaces')"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(frame.columns) != list(DENSITY_COLUMNS):
        raise ValueError(f"{path} has the columns {list(frame.columns)}, expected "
                         f"{list(DENSITY_COLUMNS)}: {fix}")
    out = {}
    for column, kind in DENSITY_COLUMNS.items():
        base, optional = kind.rstrip("?"), kind.endswith("?")
        cells = frame[column]
        empty = cells == ""
        if empty.any() and not optional:
            line = int(np.flatnonzero(empty.to_numpy())[0]) + 2
            raise ValueError(f"{path} line {line}: column {column} is empty: {fix}")
        if base == "str":
            out[column] = cells
            continue
        values = pd.to_numeric(cells.where(~empty), errors="coerce")
        bad = values.isna() & ~empty
        if base == "int":
            bad |= values.notna() & (values != values.round())
        if bad.any():
            line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            raise ValueError(f"{path} line {line}: column {column} holds "
                             f"{cells[bad].iloc[0]!r}, not a {base}: {fix}")
        out[column] = values.astype("Int64") if base == "int" else values.astype(float)
    return pd.DataFrame(out)
