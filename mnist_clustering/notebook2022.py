"""The 2022 notebook "Images Entières - MNIST", in one place: what it ran, what it printed,
its settings and its bugs, kept so that the notebooks can set its numbers beside ours.

"2022" names that notebook everywhere in the package; the word *seed* alone means a random
seed. (Older names: the ``seed`` preset and the ``seed_*`` columns and functions, e.g.
``seed_index_entropy``, keep "seed" for the 2022 notebook for compatibility.)

- :data:`PRESET` and :func:`grid`: every sweep and final model it ran
  (``mnist-clustering sweep --preset seed``).
- :data:`PRINTED`: every number it printed, keyed by what it shows, with its cells.
- :data:`SETTINGS`, :data:`KMEANS_N_INIT`, :data:`KMEDOIDS_PARAMS`: the estimator settings
  it ran with (scikit-learn 1.0's and scikit-learn-extra's defaults), and
  :data:`PIXEL_SCALE`, how it scaled the pixels.
- :data:`AXIS_LABELS`, :data:`TABLE_LABELS`: the names of the columns that carry its
  scores under its own names, read by the score registry (:mod:`mnist_clustering.scores`).
- Its bugs, reproduced on purpose: :func:`index_entropy` (its "weighted mean entropy" took
  the entropy of the image *indices*), :func:`maxs_tab` (its top 5 overwrote slots and
  reported list position + 2 as k), and :func:`why_maxs_tab_differs`, the explanation of
  both for a table; :func:`equal_clusters_entropy`, the curve its entropy follows.
- :func:`calinski_harabasz_1_0`: the CH index as scikit-learn 1.0 computed it (float32 sums),
  which explains the last digits it printed.

What replaced its helper functions (its names on the left):

=========================  ====================================================
2022                       here
=========================  ====================================================
``creer_prediction_set``   the rows of one cluster: one pass over the contingency
                           matrix instead of a list per cluster
``determiner_label``       :func:`mnist_clustering.metrics.majority_labels` (all
                           clusters at once; ties to the smallest digit, an empty
                           cluster labelled 0, as it did)
``erreur_cluster``         one row of the contingency matrix
``y_predicted``            :func:`mnist_clustering.metrics.predict_labels` (it tested
                           membership in Python lists: quadratic in the images)
``erreurs_totales``        :func:`mnist_clustering.metrics.n_errors`
"précision"                :func:`mnist_clustering.metrics.purity` (``1 - n_errors / n``)
``score_entropy``          :func:`index_entropy` (bug kept), checked at the edge by
                           :func:`mnist_clustering.metrics.seed_index_entropy`; the
                           score it meant is :func:`mnist_clustering.metrics.label_entropy`
``maxs_tab``               :func:`maxs_tab` (bugs kept); the right ranking is
                           :func:`mnist_clustering.metrics.best_k`
=========================  ====================================================

This module sits at the bottom of the package: pure data and pure functions over numpy,
importing nothing of the package, so that any room (the registry, the estimators, the
presets, the figures, the views) can quote the 2022 run without a cycle.
"""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy

__all__ = [
    "PRESET",
    "PRINTED",
    "SETTINGS",
    "KMEANS_N_INIT",
    "KMEDOIDS_PARAMS",
    "PIXEL_SCALE",
    "AXIS_LABELS",
    "TABLE_LABELS",
    "grid",
    "index_entropy",
    "equal_clusters_entropy",
    "maxs_tab",
    "grid_step",
    "why_maxs_tab_differs",
    "calinski_harabasz_1_0",
]

PRESET = (
    # (method, k grid as the 2022 notebook wrote it, k values whose artefacts the notebooks
    # show). k=256 is not in the 2022 notebook: it is where the published purity (~0.89)
    # is quoted.
    ("kmeans", "2:80,2:263:5,256", (10, 19)),            # its cells [10] and [30]; [5], [14]
    ("kmedoids-alternate", "2:263:10,19,22", (19, 22)),  # its cells [22]; [18], [25]
    # Not the 2022 notebook's: notebook 03 sets FasterPAM beside 'alternate' at its two k,
    # starting from the 'alternate' medoids just kept.
    ("kmedoids-fasterpam", "19,22", (19, 22)),
)
"""Every sweep and final model of the 2022 notebook, for ``--preset seed``:
``(method, k grid, k values kept)``."""


def grid(method):
    """The k grid of :data:`PRESET` for ``method``, in ``parse_k_range`` syntax.

    Parameters
    ----------
    method : str
        A method of the preset (``'kmeans'``, ``'kmedoids-alternate'``,
        ``'kmedoids-fasterpam'``).

    Returns
    -------
    str
        Every k the preset runs for that method, e.g. every K-Means k of the 2022
        notebook (its two grids) and k = 256.

    Examples
    --------
    >>> grid("kmeans")
    '2:80,2:263:5,256'
    """
    for name, ks, _ in PRESET:
        if name == method:
            return ks
    raise ValueError(f"the 2022 preset has no {method!r} sweep; it has "
                     f"{', '.join(name for name, _, _ in PRESET)}")


PRINTED = {
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
"""Every number the 2022 notebook printed, keyed by what it shows; ``cells`` names its cells.

``scores`` use the column names of a sweep table: its "entropie" is
``seed_index_entropy`` (the entropy of image *indices*), its "précision" is ``purity``.
"""


KMEANS_N_INIT = 10
"""K-Means starts per fit in the 2022 run: scikit-learn 1.0's default (today's is one)."""

KMEDOIDS_PARAMS = {"init": "heuristic", "max_iter": 300}
"""The 2022 run's ``KMedoids`` parameters (scikit-learn-extra's defaults, method
'alternate'): deterministic, so no random seed."""

PIXEL_SCALE = 255.0
"""The 2022 notebook scaled the pixels to float32 in [0, 1] by dividing by this
(:func:`mnist_clustering.data.prepare` does the same arithmetic)."""

SETTINGS = {
    "kmeans": {"n_init": str(KMEANS_N_INIT), "algorithm": "'auto' (= elkan in 1.0)",
               "max_iter": "300", "seed": "none (unseeded)"},
    "kmedoids-alternate": {"method": "alternate",
                           **{name: str(value) for name, value in KMEDOIDS_PARAMS.items()},
                           "seed": "none (deterministic)"},
}
"""The 2022 run's settings, as text: scikit-learn 1.0's ``KMeans`` and scikit-learn-extra's
``KMedoids`` defaults."""

AXIS_LABELS = {"seed_index_entropy": "2022 'entropy' of image indices (nats)"}
"""Axis labels of the columns that hold a 2022 score under its own name."""

TABLE_LABELS = {
    "label_entropy": "label entropy (lower is purer)",
    "seed_index_entropy": "2022 'entropy' of image indices",
}
"""Table names of the column that holds the 2022 score and of the score it meant to compute.
(Its "précision" is the purity, named so in every table.)"""


def index_entropy(c, n_clusters):
    """The 2022 notebook's "weighted mean entropy", bug included: entropy of image *indices*.

    For each cluster with index set ``I`` it took ``scipy.stats.entropy(I)``: the indices
    themselves as unnormalised probabilities, ``H = log S - sum_{i in I} i log i / S``
    with ``S = sum(I)`` (and ``0 log 0 = 0``), then returned ``sum |I| H / n`` over the
    clusters. This is roughly ``log(cluster size)`` (:func:`equal_clusters_entropy`) and
    says nothing about purity; the score it meant is
    :func:`mnist_clustering.metrics.label_entropy`. Its public, checked form is
    :func:`mnist_clustering.metrics.seed_index_entropy`.

    Parameters
    ----------
    c : ndarray of int64
        Cluster id of each sample, ``0 .. n_clusters-1``, in sample order (the index of
        a sample is its position).
    n_clusters : int
        The number of clusters it looped over. Empty clusters contribute 0 (scipy's
        entropy of an empty list is 0), so it does not change the value.

    Returns
    -------
    float
        NaN when a cluster consists of image 0 alone, as in 2022
        (``scipy.stats.entropy([0])`` is ``0/0``).

    Examples
    --------
    Cluster 0 holds images {0, 1, 2}: weights (0, 1, 2) / 3, entropy
    ``log 3 - 2/3 log 2``. Cluster 1 holds image {3} alone: entropy 0.

    >>> round(index_entropy(np.array([0, 0, 0, 1]), 2), 6)
    0.477386
    >>> round(float(3 * (np.log(3) - 2 / 3 * np.log(2)) / 4), 6)
    0.477386
    """
    n = c.shape[0]
    idx = np.arange(n, dtype=np.float64)
    sizes = np.bincount(c, minlength=n_clusters)
    s = np.bincount(c, weights=idx, minlength=n_clusters)
    t = np.bincount(c, weights=xlogy(idx, idx), minlength=n_clusters)
    h = np.zeros(n_clusters)
    ok = s > 0
    h[ok] = np.maximum(np.log(s[ok]) - t[ok] / s[ok], 0.0)
    # scipy.stats.entropy([0]) is nan (0/0): a cluster holding only image 0
    h[(sizes > 0) & ~ok] = np.nan
    return float(np.dot(sizes, h) / n)


def equal_clusters_entropy(n, ks):
    """The curve :func:`index_entropy` follows: ``log(n / k)``, the log of the size of
    ``k`` equal clusters of ``n`` images.

    The entropy of a cluster's image indices is close to the log of its size (the
    indices are spread over ``0 .. n-1``), so the 2022 score measures cluster size.

    Parameters
    ----------
    n : int
        Number of images.
    ks : array-like of int
        Numbers of clusters.

    Returns
    -------
    numpy.ndarray of float
        ``log(n / k)`` for each k.

    Examples
    --------
    >>> equal_clusters_entropy(100, [1, 100]).tolist()
    [4.605170185988092, 0.0]
    """
    return np.log(n / np.asarray(ks, dtype=float))


def maxs_tab(values):
    """The 2022 notebook's ``maxs_tab`` (its cell [12]), bugs included, for side-by-side display.

    It walks the list once with an ``if/elif`` chain over 5 slots initialised to 0:
    a value larger than slot ``j`` (and not larger than the slots before it)
    *overwrites* slot ``j`` instead of shifting the smaller ones down, so it is not
    a top 5; it records ``list position + 2`` as k (right only for a grid
    ``2, 3, 4, ...``); it always maximises (wrong for entropy). Because the slots
    start at 0, values ``<= 0`` are never recorded: a slot that nothing beat stays
    ``0`` with k ``0``. NaN never enters a slot.

    Parameters
    ----------
    values : sequence of float
        One score per k, in grid order.

    Returns
    -------
    maxi, indexes : list, list
        The 5 slot values and their "k" (position + 2), as the 2022 notebook printed them.

    Examples
    --------
    An increasing sequence keeps only its last value: each new maximum overwrites
    slot 0.

    >>> maxs_tab([0.1, 0.2, 0.3])
    ([0.3, 0, 0, 0, 0], [4, 0, 0, 0, 0])
    """
    tab = list(values)
    maxi = [0, 0, 0, 0, 0]
    indexes = [0, 0, 0, 0, 0]
    for i in range(len(tab)):
        for slot in range(5):
            if tab[i] > maxi[slot]:
                maxi[slot] = tab[i]
                indexes[slot] = i + 2
                break
    return maxi, indexes


def grid_step(ks):
    """The common step of a sorted k grid, or None if it is irregular (or a single k).

    Parameters
    ----------
    ks : sequence of int
        Sorted k values.

    Returns
    -------
    int or None

    Examples
    --------
    >>> grid_step([2, 12, 22]), grid_step([2, 3, 5])
    (10, None)
    """
    steps = np.unique(np.diff(np.asarray(ks)))
    return int(steps[0]) if len(steps) == 1 else None


def why_maxs_tab_differs(ks, values, slots, score, seed_score, direction):
    """A few sentences, in words a reader of the notebooks follows (no code names), on why
    ``maxs_tab`` (``slots``) differs from ``best_k`` here.

    Parameters
    ----------
    ks : sequence of int
        The k grid, sorted.
    values : sequence of float
        The column the 2022 notebook ranked (``seed_score``), in grid order.
    slots : sequence of float
        The five values :func:`maxs_tab` returns for ``values``.
    score : str
        The column ranked correctly (by ``best_k``).
    seed_score : str
        The column the 2022 notebook ranked instead (e.g. ``'seed_index_entropy'``).
    direction : {'max', 'min'}
        Which way ``score`` is better (the score registry's direction).

    Returns
    -------
    str
    """
    reasons = []
    step = grid_step(ks)
    if step != 1 or ks[0] != 2:
        grid = f"step {step}" if step else "an irregular step"
        reasons.append(
            f"The 2022 top-5 function reports list position + 2 as k, but this grid "
            f"starts at k = {ks[0]} with {grid}, so the value at position i belongs to "
            f"k = {ks[0]} + {step or 'step'} × i.")
    if seed_score != score:
        reasons.append(
            "The 2022 notebook ranked the entropy of the image indices of each cluster "
            "(about the log of its size), not the entropy of its digit labels.")
    if direction == "min":
        reasons.append("Its top-5 function keeps the largest values, but a lower entropy "
                       "is better.")
    kept = [v for v in slots if v != 0]
    largest = sorted((v for v in values if v == v), reverse=True)[:len(kept)]
    if not np.allclose(kept, largest):
        reasons.append(
            "Its top-5 function overwrites a slot instead of shifting the smaller values "
            "down, so its five values are not the five largest.")
    if not reasons:
        return ("Here they agree: the grid is 2, 3, 4, ... and the values fall steadily, "
                "so the 2022 notebook's bugs do not show.")
    return " ".join(reasons)


def calinski_harabasz_1_0(X, labels):
    """Calinski-Harabasz index as scikit-learn 1.0 computed it: in the precision of ``X``.

    The body of ``sklearn.metrics.calinski_harabasz_score`` of scikit-learn 1.0 (the
    2022 notebook's), which sums in the dtype of ``X``: float32 pixels give float32 sums. Today's
    scikit-learn converts ``X`` to float64 first, so the two differ by float32 rounding.

    Parameters
    ----------
    X : numpy.ndarray, shape (n, d)
    labels : array-like of int, values 0..k-1

    Returns
    -------
    float
    """
    labels = np.asarray(labels)
    n_samples, n_labels = len(X), int(labels.max()) + 1
    extra, intra = 0.0, 0.0
    mean = np.mean(X, axis=0)
    for k in range(n_labels):
        cluster = X[labels == k]
        centre = np.mean(cluster, axis=0)
        extra += len(cluster) * np.sum((centre - mean) ** 2)
        intra += np.sum((cluster - centre) ** 2)
    return float(extra * (n_samples - n_labels) / (intra * (n_labels - 1.0)))
