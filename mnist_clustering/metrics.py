"""Labels and scores for a clustering of MNIST (or any labelled data set).

Every supervised score here is a short function of one shared *contingency matrix*
``C`` of shape ``(n_clusters, n_classes)``, where ``C[c, d]`` is the number of images
of digit ``d`` in cluster ``c`` (the design of scikit-learn's
``sklearn/metrics/cluster/_supervised.py``). Inputs are checked once, at the edge
(:func:`check_clustering`); after that everything is vectorised, ``O(n + k * classes)``,
with no Python loop over samples.

The 2022 notebook's loops over images that these functions replace, and the bug of its
entropy that :func:`seed_index_entropy` keeps, are listed in
:mod:`mnist_clustering.notebook2022`.

The running example of the docstrings is 10 images of 3 digits in 3 clusters:

>>> y_true   = [0, 0, 0, 0, 0, 1, 1, 1, 2, 2]
>>> clusters = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2]
>>> contingency(y_true, clusters)
array([[3, 0, 0],
       [2, 1, 0],
       [0, 2, 2]])

Cluster 0 holds three 0s; cluster 1 two 0s and one 1 (majority 0); cluster 2 two 1s
and two 2s (a tie, which goes to the smallest digit, 1). Three images disagree with
their cluster's majority digit, so the purity is 7/10. Two clusters share the majority
digit 0, so a one-to-one matching of clusters to digits recovers only 3 + 1 + 2 = 6
images: the (Hungarian) accuracy is 0.6.
"""

from __future__ import annotations

import math  # noqa: F401 (the doctests use it)

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.special import xlogy
from sklearn import metrics as _skm
from sklearn.metrics import pairwise_distances_argmin

from . import notebook2022, scores
from .checks import check_columns, check_int, check_n_clusters

__all__ = [
    "SCORE_DIRECTIONS",
    "check_clustering",
    "check_n_clusters",
    "contingency",
    "majority_labels",
    "predict_labels",
    "n_errors",
    "purity",
    "hungarian_accuracy",
    "matched_classes",
    "label_entropy",
    "seed_index_entropy",
    "homogeneity",
    "nmi",
    "ari",
    "label_scores",
    "label_summary",
    "silhouette",
    "calinski_harabasz",
    "assign_nearest",
    "predict_from_centers",
    "test_purity",
    "best_k",
]

#: Whether a larger ("max") or smaller ("min") value of each score is better (the registry).
SCORE_DIRECTIONS = scores.SCORE_DIRECTIONS

INERTIA_NOTE = (
    "inertia always falls as k grows, so its 'best' k is simply the largest k of the "
    "grid; read the curve for an elbow instead"
)


# ----------------------------------------------------------------------------------
# input checks
# ----------------------------------------------------------------------------------
def _as_labels(values, name):
    """1-D array of non-negative integer ids (int64), or a ValueError naming the issue."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got an array of shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: need at least one sample")
    kind = arr.dtype.kind
    if kind == "b":
        return arr.astype(np.int64)
    if kind == "f":
        nan = np.isnan(arr)
        if nan.any():
            raise ValueError(
                f"{name} contains NaN ({int(nan.sum())} of {arr.size}, first at "
                f"position {int(np.argmax(nan))}); labels must be integers"
            )
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} contains infinite values; labels must be integers")
        frac = arr != np.floor(arr)
        if frac.any():
            bad = arr[np.argmax(frac)]
            raise ValueError(
                f"{name} contains non-integer values (e.g. {bad!r}); labels must be "
                "integers"
            )
    elif kind not in "iu":
        raise ValueError(
            f"{name} must hold non-negative integers, got dtype {arr.dtype} "
            "(non-integer labels)"
        )
    out = arr.astype(np.int64, copy=False)
    low = out.min()
    if low < 0:
        raise ValueError(
            f"{name} contains negative values (min {int(low)}); ids must be "
            "non-negative integers 0, 1, 2, ..."
        )
    return out


def check_clustering(y_true, clusters):
    """Validate a labelling and a clustering of the same samples.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True class of each sample (digits 0-9 for MNIST). Non-negative integers; a
        float array is accepted if every value is integral.
    clusters : array-like of shape (n_samples,)
        Cluster id of each sample, non-negative integers ``0 .. k-1``.

    Returns
    -------
    y_true, clusters : ndarray of int64, shape (n_samples,)

    Raises
    ------
    ValueError
        If an input is not 1-D, is empty, contains NaN, infinite, non-integer or
        negative values, or if the two lengths differ.

    Examples
    --------
    >>> y, c = check_clustering([0, 1, 1], [1.0, 0.0, 0.0])
    >>> y, c
    (array([0, 1, 1]), array([1, 0, 0]))
    >>> check_clustering([0, 1, 1], [0, 1])
    Traceback (most recent call last):
    ...
    ValueError: y_true and clusters have different lengths (3 and 2)
    """
    y = np.asarray(y_true)
    c = np.asarray(clusters)
    if y.ndim == 1 and c.ndim == 1 and y.shape[0] != c.shape[0]:
        raise ValueError(
            f"y_true and clusters have different lengths ({y.shape[0]} and {c.shape[0]})"
        )
    return _as_labels(y, "y_true"), _as_labels(c, "clusters")


def _resolve_size(ids, given, what, name):
    """``given`` (checked to cover every id) or ``max(ids) + 1``."""
    needed = int(ids.max()) + 1
    if given is None:
        return needed
    given = check_int(given, what)
    if given < needed:
        raise ValueError(
            f"{what}={given} but {name} contains the id {needed - 1}: ids must lie in "
            f"0 .. {what}-1"
        )
    return given


# ----------------------------------------------------------------------------------
# the shared contingency matrix and the scores computed from it
# ----------------------------------------------------------------------------------
def _contingency(y, c, n_clusters, n_classes):
    """Dense (n_clusters, n_classes) int64 counts of validated int arrays."""
    flat = c * n_classes + y
    counts = np.bincount(flat, minlength=n_clusters * n_classes)
    return counts.astype(np.int64, copy=False).reshape(n_clusters, n_classes)


def contingency(y_true, clusters, n_clusters=None, n_classes=None):
    """Contingency matrix: counts of each digit in each cluster.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True class (digit) of each sample; classes are used directly as column
        indices, so they should be small integers ``0 .. n_classes-1``.
    clusters : array-like of shape (n_samples,)
        Cluster id of each sample, ``0 .. n_clusters-1``.
    n_clusters : int, optional
        Number of rows. Defaults to ``max(clusters) + 1``; give it to keep clusters
        that received no sample (they appear as rows of zeros).
    n_classes : int, optional
        Number of columns. Defaults to ``max(y_true) + 1``.

    Returns
    -------
    C : ndarray of int64, shape (n_clusters, n_classes)
        ``C[c, d]`` is the number of samples of class ``d`` in cluster ``c``.
        Note the orientation: rows are clusters (scikit-learn's
        ``contingency_matrix`` puts the true classes in rows).

    Examples
    --------
    >>> contingency([0, 0, 0, 0, 0, 1, 1, 1, 2, 2], [0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    array([[3, 0, 0],
           [2, 1, 0],
           [0, 2, 2]])

    An empty cluster 3 and a tenth digit column:

    >>> contingency([0, 1, 1], [0, 2, 2], n_clusters=4, n_classes=10)[:, :3]
    array([[1, 0, 0],
           [0, 0, 0],
           [0, 2, 0],
           [0, 0, 0]])
    """
    y, c = check_clustering(y_true, clusters)
    k = _resolve_size(c, n_clusters, "n_clusters", "clusters")
    m = _resolve_size(y, n_classes, "n_classes", "y_true")
    return _contingency(y, c, k, m)


def _n_errors(C):
    return int(C.sum() - C.max(axis=1).sum())


def _matching(C):
    """The one-to-one cluster -> class matching that keeps the most samples."""
    return linear_sum_assignment(C, maximize=True)


def _accuracy(C):
    rows, cols = _matching(C)
    return float(C[rows, cols].sum() / C.sum())


def _label_entropy(C):
    """sum_c (n_c / n) H(labels in c) = (sum_c n_c log n_c - sum_cd C log C) / n."""
    Cf = C.astype(np.float64)
    sizes = Cf.sum(axis=1)
    # Difference per cluster first: a pure cluster then contributes exactly 0 (one
    # non-zero count), instead of two large sums cancelling to a rounding residue.
    per_cluster = xlogy(sizes, sizes) - xlogy(Cf, Cf).sum(axis=1)
    return float(max(per_cluster.sum() / Cf.sum(), 0.0))


def majority_labels(y_true, clusters, n_clusters=None):
    """Majority digit of each cluster, all clusters at once.

    Parameters
    ----------
    y_true, clusters : array-like of shape (n_samples,)
        True classes and cluster ids (see :func:`contingency`).
    n_clusters : int, optional
        Number of clusters, to include empty ones. Defaults to ``max(clusters) + 1``.

    Returns
    -------
    labels : ndarray of int64, shape (n_clusters,)
        ``argmax`` of each row of the contingency matrix. Ties go to the smallest
        digit; an empty cluster gets label 0.

    Examples
    --------
    Cluster 2 holds two 1s and two 2s: the tie goes to 1. Cluster 3 is empty:

    >>> majority_labels([0, 0, 0, 0, 0, 1, 1, 1, 2, 2],
    ...                 [0, 0, 0, 1, 1, 1, 2, 2, 2, 2], n_clusters=4)
    array([0, 0, 1, 0])
    """
    y, c = check_clustering(y_true, clusters)
    k = _resolve_size(c, n_clusters, "n_clusters", "clusters")
    return _contingency(y, c, k, int(y.max()) + 1).argmax(axis=1)


def predict_labels(y_true, clusters):
    """Majority digit of each sample's cluster.

    Parameters
    ----------
    y_true, clusters : array-like of shape (n_samples,)

    Returns
    -------
    y_pred : ndarray of int64, shape (n_samples,)

    Examples
    --------
    >>> predict_labels([0, 0, 0, 0, 0, 1, 1, 1, 2, 2],
    ...                [0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
    """
    y, c = check_clustering(y_true, clusters)
    C = _contingency(y, c, int(c.max()) + 1, int(y.max()) + 1)
    return C.argmax(axis=1)[c]


def n_errors(y_true, clusters):
    """Number of samples whose digit differs from their cluster's majority digit.

    ``n - sum_c max_d C[c, d]``.

    Parameters
    ----------
    y_true, clusters : array-like of shape (n_samples,)

    Returns
    -------
    int

    Examples
    --------
    >>> n_errors([0, 0, 0, 0, 0, 1, 1, 1, 2, 2], [0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    3
    """
    y, c = check_clustering(y_true, clusters)
    return _n_errors(_contingency(y, c, int(c.max()) + 1, int(y.max()) + 1))


def purity(y_true, clusters):
    """Purity: fraction of samples that carry their cluster's majority digit.

    ``purity = 1 - n_errors / n``. Each cluster is labelled
    on its own, so several clusters may share a digit; purity grows with k (it is 1
    when every sample is its own cluster). Compare :func:`hungarian_accuracy`.

    Examples
    --------
    >>> purity([0, 0, 0, 0, 0, 1, 1, 1, 2, 2], [0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    0.7
    """
    y, c = check_clustering(y_true, clusters)
    C = _contingency(y, c, int(c.max()) + 1, int(y.max()) + 1)
    return float((y.shape[0] - _n_errors(C)) / y.shape[0])


def hungarian_accuracy(y_true, clusters):
    """Clustering accuracy (ACC) under the best one-to-one cluster-to-digit matching.

    The matching maximises the number of correctly labelled samples
    (``scipy.optimize.linear_sum_assignment`` on the contingency matrix), as in the
    deep-clustering literature. It works for any number of clusters: when
    ``k != n_classes`` only ``min(k, n_classes)`` pairs are matched and every sample
    of an unmatched cluster counts as an error. When ``k == n_classes``,
    ``accuracy <= purity``.

    Examples
    --------
    Clusters 0 and 1 both have majority digit 0 but only one can be matched to it:

    >>> hungarian_accuracy([0, 0, 0, 0, 0, 1, 1, 1, 2, 2],
    ...                    [0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    0.6
    """
    y, c = check_clustering(y_true, clusters)
    return _accuracy(_contingency(y, c, int(c.max()) + 1, int(y.max()) + 1))


def matched_classes(y_true, clusters, n_clusters=None, n_classes=None):
    """The class each cluster is matched to by the matching :func:`hungarian_accuracy` scores.

    Parameters
    ----------
    y_true, clusters : array-like of shape (n_samples,)
    n_clusters, n_classes : int, optional
        As for :func:`contingency`.

    Returns
    -------
    numpy.ndarray of int, shape (n_clusters,)
        The matched class of each cluster; -1 for a cluster left unmatched (more clusters
        than classes).

    Examples
    --------
    Clusters 0 and 1 both hold mostly 0s; the matching gives 0 to cluster 0 (three 0s)
    and 1 to cluster 1, so that cluster 2 keeps digit 2:

    >>> matched_classes([0, 0, 0, 0, 0, 1, 1, 1, 2, 2],
    ...                 [0, 0, 0, 1, 1, 1, 2, 2, 2, 2]).tolist()
    [0, 1, 2]
    """
    C = contingency(y_true, clusters, n_clusters, n_classes)
    rows, cols = _matching(C)
    out = np.full(C.shape[0], -1, dtype=np.int64)
    out[rows] = cols
    return out


def label_entropy(y_true, clusters):
    """Weighted mean entropy of the digits inside each cluster.

    ``sum_c (n_c / n) * H(digits in c)`` in nats, i.e. the conditional entropy
    ``H(Y | cluster)``. Lower is purer; 0 for a perfect clustering.

    Examples
    --------
    Cluster 0 is pure, cluster 1 holds (2/3, 1/3), cluster 2 (1/2, 1/2), so the value
    is ``(3 * (log 3 - 2/3 log 2) + 4 * log 2) / 10 = (3 log 3 + 2 log 2) / 10``:

    >>> value = label_entropy([0, 0, 0, 0, 0, 1, 1, 1, 2, 2],
    ...                       [0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    >>> round(value, 6), round((3 * math.log(3) + 2 * math.log(2)) / 10, 6)
    (0.468213, 0.468213)
    """
    y, c = check_clustering(y_true, clusters)
    return _label_entropy(_contingency(y, c, int(c.max()) + 1, int(y.max()) + 1))


def seed_index_entropy(clusters, n_clusters=None):
    """The 2022 notebook's "entropy", bug included: the entropy of image *indices*.

    :func:`mnist_clustering.notebook2022.index_entropy` (which says what it computes and
    why it is wrong) after the checks of this module; kept under an explicit name so
    the notebooks can show that number next to :func:`label_entropy`.

    Parameters
    ----------
    clusters : array-like of shape (n_samples,)
        Cluster id of each sample, in the sample order (the index of a sample is its
        position).
    n_clusters : int, optional
        The number of clusters; ids must lie in ``0 .. n_clusters-1`` (else a
        ValueError). Empty clusters contribute 0.

    Returns
    -------
    float
        NaN when a cluster consists of image 0 alone.

    Examples
    --------
    >>> round(seed_index_entropy([0, 0, 0, 1]), 6)
    0.477386
    """
    c = _as_labels(clusters, "clusters")
    k = _resolve_size(c, n_clusters, "n_clusters", "clusters")
    return notebook2022.index_entropy(c, k)


def homogeneity(y_true, clusters):
    """``sklearn.metrics.homogeneity_score(y_true, clusters)`` after validation.

    1 when every cluster holds a single digit.

    Examples
    --------
    >>> round(homogeneity([0, 0, 1, 1], [0, 1, 2, 3]), 6)
    1.0
    """
    y, c = check_clustering(y_true, clusters)
    return float(_skm.homogeneity_score(y, c))


def nmi(y_true, clusters):
    """``sklearn.metrics.normalized_mutual_info_score`` (arithmetic mean) after validation.

    Examples
    --------
    >>> nmi([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    """
    y, c = check_clustering(y_true, clusters)
    return float(_skm.normalized_mutual_info_score(y, c))


def ari(y_true, clusters):
    """``sklearn.metrics.adjusted_rand_score(y_true, clusters)`` after validation.

    Examples
    --------
    >>> ari([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    """
    y, c = check_clustering(y_true, clusters)
    return float(_skm.adjusted_rand_score(y, c))


def label_scores(y_true, clusters, n_clusters=None):
    """Every label-based score of a clustering, from one contingency matrix.

    Parameters
    ----------
    y_true, clusters : array-like of shape (n_samples,)
        True digits and cluster ids ``0 .. k-1``.
    n_clusters : int, optional
        The k of the model (``2 <= n_clusters <= n``, and at least
        ``max(clusters) + 1``); clusters without samples are allowed.

    Returns
    -------
    dict
        ``label_entropy``, ``seed_index_entropy``, ``homogeneity``, ``nmi``, ``ari``,
        ``purity``, ``n_errors`` (int) and ``accuracy`` (Hungarian). ``homogeneity``,
        ``nmi`` and ``ari`` are scikit-learn's public scores; the others come from one
        contingency matrix that keeps empty clusters (scikit-learn's drops them).

    Examples
    --------
    >>> scores = label_scores([0, 0, 0, 0, 0, 1, 1, 1, 2, 2],
    ...                       [0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    >>> {name: round(value, 4) for name, value in scores.items()}  # doctest: +NORMALIZE_WHITESPACE
    {'label_entropy': 0.4682, 'seed_index_entropy': 1.0643, 'homogeneity': 0.5453,
     'nmi': 0.53, 'ari': 0.2446, 'purity': 0.7, 'n_errors': 3, 'accuracy': 0.6}
    """
    return label_summary(y_true, clusters, n_clusters)[0]


def label_summary(y_true, clusters, n_clusters=None):
    """:func:`label_scores` and :func:`majority_labels`, from one contingency matrix.

    Parameters
    ----------
    y_true, clusters, n_clusters
        As for :func:`label_scores`.

    Returns
    -------
    scores : dict
        What :func:`label_scores` returns.
    majority : ndarray of int64, shape (n_clusters,)
        What :func:`majority_labels` returns.

    Examples
    --------
    >>> scores, majority = label_summary([0, 0, 1, 1], [0, 0, 1, 2], n_clusters=4)
    >>> scores["purity"], majority
    (1.0, array([0, 1, 1, 0]))
    """
    y, c = check_clustering(y_true, clusters)
    n = y.shape[0]
    if n_clusters is not None:
        check_n_clusters(n_clusters, n)
    k = _resolve_size(c, n_clusters, "n_clusters", "clusters")
    C = _contingency(y, c, k, int(y.max()) + 1)
    errors = _n_errors(C)
    scores = {
        "label_entropy": _label_entropy(C),
        "seed_index_entropy": notebook2022.index_entropy(c, k),
        "homogeneity": float(_skm.homogeneity_score(y, c)),
        "nmi": float(_skm.normalized_mutual_info_score(y, c)),
        "ari": float(_skm.adjusted_rand_score(y, c)),
        "purity": float((n - errors) / n),
        "n_errors": errors,
        "accuracy": _accuracy(C),
    }
    return scores, C.argmax(axis=1)


# ----------------------------------------------------------------------------------
# geometric scores
# ----------------------------------------------------------------------------------
def _check_X(X, name="X"):
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features), got an array of shape "
            f"{X.shape}; flatten images first, e.g. images.reshape(len(images), -1)"
        )
    if X.dtype.kind not in "iufb":
        raise ValueError(f"{name} must be numeric, got dtype {X.dtype}")
    if X.dtype.kind == "f" and not np.isfinite(X).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return X


def _check_X_labels(X, labels):
    X = _check_X(X)
    labels = _as_labels(labels, "labels")
    if X.shape[0] != labels.shape[0]:
        raise ValueError(
            f"X and labels have different lengths ({X.shape[0]} and {labels.shape[0]})"
        )
    n = X.shape[0]
    n_labels = np.unique(labels).size
    if not 2 <= n_labels <= n - 1:
        raise ValueError(
            f"need 2 <= number of distinct labels <= n_samples - 1, got {n_labels} "
            f"distinct labels for {n} samples"
        )
    return X, labels


def silhouette(X, labels, *, sample_size=None, random_state=0):
    """Mean silhouette coefficient (``sklearn.metrics.silhouette_score``).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)
        Cluster ids; 2 to n-1 distinct values.
    sample_size : int, optional
        If given (and < n), the score is computed on a random subset of this many
        samples drawn with ``random_state``: ``O(sample_size**2)`` instead of
        ``O(n**2)`` (the exact score on 60,000 images takes minutes). ``None`` or
        ``>= n``: exact.
    random_state : int, default 0
        Seed of the subset.

    Returns
    -------
    float, between -1 and 1; higher is better.

    Examples
    --------
    >>> X = [[0.0], [0.1], [1.0], [1.1]]
    >>> round(silhouette(X, [0, 0, 1, 1]), 4)
    0.8997
    """
    X, labels = _check_X_labels(X, labels)
    if sample_size is not None:
        sample_size = check_int(sample_size, "sample_size", min_val=2)
        if sample_size >= X.shape[0]:
            sample_size = None
    return float(
        _skm.silhouette_score(X, labels, sample_size=sample_size, random_state=random_state)
    )


def calinski_harabasz(X, labels):
    """Calinski-Harabasz index (``sklearn.metrics.calinski_harabasz_score``).

    Ratio of between-cluster to within-cluster dispersion; higher is better.

    Examples
    --------
    >>> X = [[0.0], [0.1], [1.0], [1.1]]
    >>> round(calinski_harabasz(X, [0, 0, 1, 1]), 4)
    200.0
    """
    X, labels = _check_X_labels(X, labels)
    return float(_skm.calinski_harabasz_score(X, labels))


# ----------------------------------------------------------------------------------
# nearest centre, and the cluster-label classifier on new images
# ----------------------------------------------------------------------------------
def assign_nearest(X, centers):
    """Index of the nearest centre (squared Euclidean distance) of each row of ``X``.

    ``sklearn.metrics.pairwise_distances_argmin`` in float64, after validation; it
    works through ``X`` in chunks of scikit-learn's ``working_memory``. Ties go to the
    lowest centre index.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    centers : array-like of shape (n_centers, n_features)

    Returns
    -------
    ndarray of intp, shape (n_samples,)

    Examples
    --------
    The middle point is at distance 1 from both centres: the tie goes to centre 0.

    >>> assign_nearest([[0, 0], [1, 0], [2, 0]], [[0, 0], [2, 0]])
    array([0, 0, 1])
    """
    X = _check_X(X)
    centers = _check_X(centers, "centers")
    if centers.shape[0] == 0:
        raise ValueError("centers is empty: need at least one centre")
    if X.shape[1] != centers.shape[1]:
        raise ValueError(
            f"X has {X.shape[1]} features but centers have {centers.shape[1]}"
        )
    # float64, as the float32 images would otherwise be compared in float32
    return pairwise_distances_argmin(np.asarray(X, dtype=np.float64),
                                     np.asarray(centers, dtype=np.float64),
                                     metric_kwargs={"squared": True})


def _check_majority(cluster_majority, n_centers):
    majority = _as_labels(cluster_majority, "cluster_majority")
    if majority.shape[0] != n_centers:
        raise ValueError(
            f"cluster_majority has {majority.shape[0]} entries but there are "
            f"{n_centers} centres"
        )
    return majority


def predict_from_centers(X_new, centers, cluster_majority):
    """Predicted digit of new images: the majority digit of their nearest centre.

    The cluster-label classifier: fit a clustering on the training images, label
    each cluster with :func:`majority_labels`, then give every new image the label
    of its nearest centre (:func:`assign_nearest`).

    Parameters
    ----------
    X_new : array-like of shape (n_samples, n_features)
    centers : array-like of shape (n_centers, n_features)
        Centroids or medoids of the fitted clustering.
    cluster_majority : array-like of shape (n_centers,)
        Digit of each cluster, from the *training* labels.

    Examples
    --------
    >>> predict_from_centers([[0.1], [0.9], [2.2]], [[0.0], [1.0], [2.0]], [7, 1, 1])
    array([7, 1, 1])
    """
    centers = _check_X(centers, "centers")
    majority = _check_majority(cluster_majority, centers.shape[0])
    return majority[assign_nearest(X_new, centers)]


def test_purity(x_new, y_new, centers, cluster_majority):
    """Accuracy of :func:`predict_from_centers` on held-out images (e.g. MNIST test).

    Unlike the training purity, it does not grow to 1 with k: it measures how well
    the cluster labels generalise.

    Examples
    --------
    >>> test_purity([[0.1], [0.9], [2.2]], [7, 1, 2], [[0.0], [1.0], [2.0]], [7, 1, 1])
    0.6666666666666666
    """
    x_new = _check_X(x_new, "x_new")
    y = _as_labels(y_new, "y_new")
    if x_new.shape[0] != y.shape[0]:
        raise ValueError(
            f"x_new and y_new have different lengths ({x_new.shape[0]} and {y.shape[0]})"
        )
    return float(np.mean(predict_from_centers(x_new, centers, cluster_majority) == y))


test_purity.__test__ = False  # not a pytest test, despite its name


# ----------------------------------------------------------------------------------
# choosing k
# ----------------------------------------------------------------------------------
def best_k(table, score, n=5, *, seed=None):
    """The ``n`` best values of k for a score, in the score's direction.

    A table with several seeds per k (a ``seed`` column, one row per (k, seed), as
    every results table) ranks each k by its mean over its seeds, given with the number
    of seeds and the 95% Student t interval of the mean
    (:func:`mnist_clustering.uncertainty.seed_summary`); ``seed`` ranks one seed's rows
    instead.

    Parameters
    ----------
    table : pandas.DataFrame
        A column ``k`` and a column named ``score``; one row per k, or per (k, seed)
        with a ``seed`` column. If it has a ``method`` column, it must hold a single
        method.
    score : str
        A key of :data:`SCORE_DIRECTIONS`; entropies and inertia are minimised, the
        other scores maximised.
    n : int, default 5
    seed : int, optional
        Rank the rows of this seed alone (one run per k).

    Returns
    -------
    pandas.DataFrame
        Columns ``k``, ``<score>`` and ``rank`` (1 = best), at most ``n`` rows; with
        several seeds per k, ``<score>`` is the mean and ``n_seeds``, ``ci_low`` and
        ``ci_high`` follow it (no interval for a k with one seed). Rows whose score is
        NaN are skipped; equal scores are ranked by increasing k. The k are the table's
        own values (the seed's ``maxs_tab`` reported list position + 2, wrong for a grid
        of step 5 or 10). ``attrs`` holds ``score``, ``direction`` and ``note``: what
        was ranked (the mean over seeds, or one seed), and for ``inertia`` that inertia
        always falls as k grows, so its "best" k is just the largest k of the grid (no
        warning is emitted).

    Examples
    --------
    >>> table = pd.DataFrame({"k": [2, 12, 22, 32], "silhouette": [0.02, 0.05, 0.04, 0.03]})
    >>> best_k(table, "silhouette", n=2)
        k  silhouette  rank
    0  12        0.05     1
    1  22        0.04     2
    >>> seeds = pd.DataFrame({"k": [2, 2, 3, 3], "seed": [0, 1, 0, 1],
    ...                       "nmi": [0.40, 0.44, 0.50, 0.52]})
    >>> best_k(seeds, "nmi").round(3)
       k   nmi  n_seeds  ci_low  ci_high  rank
    0  3  0.51        2   0.383    0.637     1
    1  2  0.42        2   0.166    0.674     2
    >>> best_k(seeds, "nmi", seed=0)["k"].tolist()
    [3, 2]
    """
    from .uncertainty import seed_summary

    if score not in SCORE_DIRECTIONS:
        raise ValueError(
            f"unknown score {score!r}; choose one of: {', '.join(sorted(SCORE_DIRECTIONS))}"
        )
    n = check_int(n, "n", min_val=1)
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame, got {type(table).__name__}")
    check_columns(table, ("k", score))
    if "method" in table.columns:
        methods = pd.unique(table["method"])
        if len(methods) > 1:
            raise ValueError(
                f"table holds several methods ({', '.join(map(str, methods))}): filter "
                "it first, e.g. table[table['method'] == 'kmeans']"
            )
    notes = []
    if seed is not None:
        seed = check_int(seed, "seed", min_val=0)
        if "seed" not in table.columns:
            raise ValueError("seed= needs a table with a 'seed' column")
        if not (table["seed"] == seed).any():
            raise ValueError(f"the table has no row of seed {seed}; its seeds are "
                             f"{_span(table['seed'])}")
        table = table[table["seed"] == seed]
        notes.append(f"seed {seed} alone")
    sub = table[["k", score, *(["seed"] if "seed" in table.columns else [])]].copy()
    try:
        sub[score] = pd.to_numeric(sub[score])
    except (TypeError, ValueError) as err:
        raise ValueError(f"column {score!r} must be numeric: {err}") from None
    sub = sub[sub[score].notna()]
    if sub.empty:
        raise ValueError(f"column {score!r} has no non-NaN value")
    several = sub["k"].duplicated().any()
    if several and "seed" not in sub.columns:
        dup = sub["k"][sub["k"].duplicated()].iloc[0]
        raise ValueError(f"table has several rows for k={dup} and no 'seed' column; expected "
                         "one row per k, or per (k, seed)")
    if several:
        summary = seed_summary(sub, score)
        sub = summary[["k", "mean", "n_seeds", "ci_low", "ci_high"]].rename(
            columns={"mean": score})
        counts = sorted(set(sub["n_seeds"]))
        notes.append(f"{score} is the mean over the seeds of each k ({_span(counts)} seeds "
                     "per k), with the 95% Student t interval of that mean; --seed S "
                     "(seed=S) ranks one seed's runs")
    else:
        sub = sub[["k", score]]
    direction = SCORE_DIRECTIONS[score]
    sub = sub.sort_values("k", kind="stable").sort_values(
        score, ascending=direction == "min", kind="stable"
    )
    out = sub.head(n).reset_index(drop=True)
    if "n_seeds" in out:
        out["n_seeds"] = out["n_seeds"].astype(int)
    out["rank"] = np.arange(1, len(out) + 1)
    out.attrs["score"] = score
    out.attrs["direction"] = direction
    if score == "inertia":
        notes.append(INERTIA_NOTE)
    out.attrs["note"] = "; ".join(notes)
    return out


def _span(values):
    """``'3'``, ``'0 to 9'`` or ``'1, 5'``: a short description of integers, for messages."""
    values = sorted({int(v) for v in values})
    if len(values) > 2 and values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]} to {values[-1]}"
    return ", ".join(map(str, values))
