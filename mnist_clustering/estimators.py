"""One way to build and fit every clustering method a sweep knows.

Each method is one :class:`Method` object (:data:`METHOD_OBJECTS`, looked up once at the
public edge with :func:`get_method`): its name, whether it needs the distance matrix,
its default parameters, how to build and fit it, and whether the seed can change its
result. Adding a method is adding one object.

Each method is fitted through :func:`fit_clustering`, which returns a
:class:`ClusteringFit`: the labels, the centres in pixel space (K-Means centroids or
K-Medoids medoid images), the medoid indices where there are any, the inertia and the
fit time. The sweep, the notebooks and the tests all go through this one door.

Inertia has two meanings here, as in the libraries: for K-Means it is the sum of
*squared* distances to the nearest centroid (scikit-learn); for K-Medoids it is the sum
of (unsquared) distances to the nearest medoid (scikit-learn-extra's and kmedoids'
definition). Both fall monotonically with k on a good optimiser.
"""

from __future__ import annotations

import time
import warnings
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from .checks import check_int, check_n_clusters
from .notebook2022 import KMEDOIDS_PARAMS

@dataclass
class ClusteringFit:
    """The outcome of one fit.

    Attributes
    ----------
    method : str
        Method name (one of :data:`METHODS`).
    k : int
        Number of clusters asked for.
    labels : ndarray of shape (n_samples,)
        Cluster id of every training image, in ``0..k-1``.
    centers : ndarray of shape (k, n_features)
        Centroids (K-Means) or medoid images (K-Medoids), float32.
    inertia : float
        See the module docstring for its meaning per method.
    n_iter : int
        Iterations the optimiser ran.
    fit_seconds : float
        Wall time of the fit alone (no scoring).
    medoid_indices : ndarray of shape (k,) or None
        Row indices of the medoids in the training set (K-Medoids only).
    params : dict
        The parameters the estimator was built with.
    majority : ndarray of shape (k,) or None
        Majority training digit of each cluster, once the fit is scored
        (:func:`mnist_clustering.evaluate.evaluate_k`).
    """

    method: str
    k: int
    labels: np.ndarray
    centers: np.ndarray
    inertia: float
    n_iter: int
    fit_seconds: float
    medoid_indices: np.ndarray | None = None
    params: dict = field(default_factory=dict)
    majority: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class Method:
    """One clustering method: everything the sweep, the store and the views ask of it.

    Attributes
    ----------
    name : str
        The name tables, the command line and the notebooks use.
    needs_distances : bool
        Fitted on the shared pairwise distance matrix (``metric='precomputed'``).
    defaults : mapping
        Default parameters (read-only); a table's other parameters name it.
    build : callable
        ``build(k, seed, params)``: the unfitted scikit-learn-style estimator.
    fit : callable
        ``fit(k, X, distances, seed, params, init_medoids)``: a :class:`ClusteringFit`.
    seeded : callable
        ``seeded(params)``: whether the random seed can change a fit with ``params``.
    """

    name: str
    needs_distances: bool
    defaults: Mapping
    build: Callable = field(repr=False)
    fit: Callable = field(repr=False)
    seeded: Callable = field(repr=False)

    def params(self, **overrides):
        """Merge ``overrides`` (``None`` values ignored) into the default parameters.

        Raises
        ------
        ValueError
            If an override is not a parameter of this method, or a count (``n_init``,
            ``max_iter``) is not an integer >= 1.
        """
        params = dict(self.defaults)
        unknown = {key for key, value in overrides.items() if value is not None} - set(params)
        if unknown:
            raise ValueError(
                f"parameter(s) {sorted(unknown)} do not apply to method {self.name!r}; "
                f"it takes {sorted(params)}"
            )
        for key, value in overrides.items():
            if value is None:
                continue
            if isinstance(params[key], int):  # counts: n_init, max_iter
                value = check_int(value, key, min_val=1)
            params[key] = value
        return params

    def non_default(self, params):
        """The parameters of ``params`` that differ from the defaults (sorted dict)."""
        return {key: params[key] for key in sorted(params) if self.defaults.get(key) != params[key]}


def get_method(method):
    """The :class:`Method` named ``method`` (a :class:`Method` is returned as it is).

    The one check of a method's name: the public functions look a name up here once and
    pass the object on.

    Raises
    ------
    ValueError
        For an unknown name, listing the choices.

    Examples
    --------
    >>> get_method("kmeans").needs_distances
    False
    """
    if isinstance(method, Method):
        return method
    return _lookup(method)


def _lookup(name):
    try:
        return METHOD_OBJECTS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown method {name!r}; choose one of {', '.join(METHODS)}") from None


def check_method(method):
    """Return the name ``method`` if it is known, else raise a ``ValueError`` listing the
    choices (:func:`get_method`)."""
    return get_method(method).name


def method_params(method, **overrides):
    """Merge ``overrides`` (``None`` values ignored) into the method's default parameters
    (:meth:`Method.params`).

    Raises
    ------
    ValueError
        If an override is not a parameter of that method, or a count (``n_init``,
        ``max_iter``) is not an integer >= 1.
    """
    return get_method(method).params(**overrides)


def non_default_params(method, params):
    """The parameters of ``params`` that differ from ``method``'s defaults (sorted dict).

    They name a table of their own (``kmeans-n_init10``), so a sweep with other
    parameters never needs to share a table with the default one.

    Examples
    --------
    >>> non_default_params("kmeans", {"n_init": 10, "max_iter": 300, "algorithm": "elkan"})
    {'n_init': 10}
    """
    return get_method(method).non_default(params)


def seed_changes_result(method, params):
    """Whether the random seed can change a fit of ``method`` with ``params``.

    K-Means starts from random (k-means++) centres. K-Medoids 'alternate' with the
    'heuristic' init and FasterPAM started from 'alternate' or
    BUILD make no random choice: every seed gives the same row, so repeating them over
    seeds would add nothing.

    Examples
    --------
    >>> seed_changes_result("kmeans", method_params("kmeans"))
    True
    >>> seed_changes_result("kmedoids-alternate", method_params("kmedoids-alternate"))
    False
    """
    return get_method(method).seeded(params)


def _always(params):
    return True


def _seeded_kmedoids(params):
    return params.get("init") not in ("heuristic", "build", "alternate")


def make_estimator(method, k, *, seed=0, **params):
    """Build the (unfitted) estimator for ``method`` with ``k`` clusters.

    Parameters
    ----------
    method : {'kmeans', 'kmedoids-alternate', 'kmedoids-fasterpam'}
    k : int
        Number of clusters.
    seed : int
        Random state (K-Means initialisation; FasterPAM's processing order).
    **params
        Overrides of :data:`DEFAULT_PARAMS` for that method.

    Returns
    -------
    estimator
        A scikit-learn-style estimator. K-Medoids estimators expect the pairwise
        distance matrix (``metric='precomputed'``), not the images.

    Raises
    ------
    ValueError
        For FasterPAM with ``init='alternate'`` (its default): that start is another
        fit's medoids, which ``kmedoids.KMedoids`` cannot take; use
        :func:`fit_clustering`, or give ``init='build'``.

    Examples
    --------
    >>> make_estimator("kmeans", 10).n_clusters
    10
    """
    method = get_method(method)
    return method.build(k, seed, method.params(**params))


def _build_kmeans(k, seed, params):
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, random_state=seed, **params)


def _build_alternate(k, seed, params):
    KMedoids = _scikit_learn_extra_kmedoids()
    return KMedoids(
        n_clusters=k, metric="precomputed", method="alternate", random_state=seed, **params
    )


def _build_fasterpam(k, seed, params):
    import kmedoids

    if params["init"] == "alternate":
        raise ValueError("init='alternate' starts FasterPAM from the 'alternate' medoids, "
                         "which kmedoids.KMedoids cannot take: use fit_clustering(), or "
                         "give init='build' (or 'random', 'k-medoids++')")
    return kmedoids.KMedoids(
        n_clusters=k, metric="precomputed", method="fasterpam", random_state=seed, **params
    )


def _scikit_learn_extra_kmedoids():
    """Import scikit-learn-extra's KMedoids without its import-time deprecation noise.

    scikit-learn-extra 0.3.0 (unmaintained) calls ``distutils.LooseVersion`` when
    imported; the warning is about its own code, which we cannot fix, and would
    otherwise reach every notebook's and test's stderr.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "distutils Version classes", DeprecationWarning)
        from sklearn_extra.cluster import KMedoids
    return KMedoids


def fit_clustering(method, k, X, *, distances=None, seed=0, init_medoids=None, **params):
    """Fit ``method`` with ``k`` clusters on the prepared images ``X``.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`.
    k : int
        Number of clusters, ``2 <= k <= n_samples``.
    X : ndarray of shape (n_samples, n_features)
        Prepared images (float32 in [0, 1]).
    distances : ndarray of shape (n_samples, n_samples), optional
        The shared pairwise Euclidean distance matrix; required by K-Medoids.
    seed : int
        Random state.
    init_medoids : array-like of shape (k,), optional
        FasterPAM only: start from these medoid indices (the 'alternate' result when
        ``init='alternate'``; without them that result is fitted first, and its time
        is not included in ``fit_seconds``).
    **params
        Overrides of the method's default parameters.

    Returns
    -------
    ClusteringFit
    """
    method = get_method(method)
    n = X.shape[0]
    k = check_n_clusters(k, n)
    params = method.params(**params)
    if method.needs_distances:
        if distances is None:
            raise ValueError(f"method {method.name!r} needs the pairwise distance matrix "
                             "(distances=...)")
        if distances.shape != (n, n):
            raise ValueError(f"distances has shape {distances.shape}, expected {(n, n)}")
    return method.fit(k, X, distances, seed, params, init_medoids)


def _fit_kmeans(k, X, distances, seed, params, init_medoids=None):
    from threadpoolctl import threadpool_limits

    estimator = _build_kmeans(k, seed, params)
    start = time.perf_counter()
    # One thread per fit, whatever the machine: scikit-learn sums the float32 inertia
    # per thread chunk, so the thread count moves it in the ~7th digit; with one thread
    # a row is the same on a laptop, in CI and on a worker. Sweeps use the cores by
    # fitting several k at once instead (run_sweep's workers), which scales better
    # than threads within one fit.
    with threadpool_limits(limits=1):
        estimator.fit(X)
    seconds = time.perf_counter() - start
    return ClusteringFit(
        method="kmeans",
        k=k,
        labels=estimator.labels_.astype(np.int64),
        centers=estimator.cluster_centers_.astype(np.float32),
        inertia=float(estimator.inertia_),
        n_iter=int(estimator.n_iter_),
        fit_seconds=seconds,
        params=params,
    )


def _fit_alternate(k, X, distances, seed, params, init_medoids=None):
    if params["init"] != "heuristic":
        estimator = _build_alternate(k, seed, params)
        start = time.perf_counter()
        estimator.fit(distances)
        labels, medoids = estimator.labels_, estimator.medoid_indices_
        inertia, n_iter = float(estimator.inertia_), int(estimator.n_iter_) + 1
    else:
        start = time.perf_counter()
        labels, medoids, inertia, n_iter = alternate_kmedoids(distances, k, params["max_iter"])
    seconds = time.perf_counter() - start
    return _medoid_fit("kmedoids-alternate", k, X, labels, np.asarray(medoids, dtype=np.int64),
                       inertia, n_iter, seconds, params)


_ROW_SUMS = weakref.WeakKeyDictionary()


def distance_row_sums(distances):
    """``np.sum(distances, axis=1)``, computed once per matrix object (a full 14.4 GB read)."""
    try:
        return _ROW_SUMS[distances]
    except (KeyError, TypeError):
        sums = np.sum(distances, axis=1)
        try:
            _ROW_SUMS[distances] = sums
        except TypeError:  # an object that takes no weak reference: just don't cache
            pass
        return sums


def alternate_kmedoids(distances, k, max_iter=300):
    """scikit-learn-extra 0.3.0's ``KMedoids(method='alternate', init='heuristic')``.

    The same steps, in the same order and dtype, on a precomputed symmetric distance
    matrix, so it returns the same medoids, labels and inertia (checked against
    scikit-learn-extra in the tests). What it leaves out are the library's per-fit full
    passes over the matrix that a sweep need not repeat for every k: the finiteness and
    sign checks of a matrix we built ourselves, the heuristic's row sums (the same for
    every k: computed once, :func:`distance_row_sums`), and the inertia through a
    column gather ``D[:, medoids]`` (read here as rows, equal by symmetry).

    Parameters
    ----------
    distances : ndarray of shape (n, n)
        Symmetric distance matrix.
    k : int
    max_iter : int

    Returns
    -------
    labels : ndarray of shape (n,)
    medoids : ndarray of shape (k,)
    inertia : float
        Sum of distances to the nearest medoid.
    n_iter : int
        Iterations run (scikit-learn-extra's ``n_iter_ + 1``).
    """
    D = distances
    medoids = np.argpartition(distance_row_sums(D), k - 1)[:k]
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        previous = medoids.copy()
        labels = np.argmin(D[medoids, :], axis=0)
        _update_medoids(D, labels, medoids)
        if np.all(previous == medoids):
            break
    nearest = D[medoids, :]
    return np.argmin(nearest, axis=0), medoids, float(np.sum(np.min(nearest, axis=0))), n_iter


def _in_cluster_costs(D, members, block_rows=256):
    """Row sums of ``D[members][:, members]``, read row by row.

    scikit-learn-extra gathers this block with two index arrays, which walks D down its
    columns (one page per element on a 60,000-wide matrix); reading whole rows instead
    streams memory. Each row is summed as one contiguous float32 vector, as there, so
    the costs are bit-identical (D is exactly symmetric).
    """
    costs = np.empty(len(members), dtype=D.dtype)
    for start in range(0, len(members), block_rows):
        rows = D[members[start:start + block_rows]]
        costs[start:start + block_rows] = np.sum(rows[:, members], axis=1)
    return costs


def _update_medoids(D, labels, medoids):
    # scikit-learn-extra's _update_medoid_idxs_in_place: each member's summed distance
    # to the other members, the cheapest member becoming the medoid if it beats the
    # current one.
    for cluster in range(len(medoids)):
        members = np.where(labels == cluster)[0]
        if len(members) == 0:
            continue  # scikit-learn-extra warns and keeps the medoid, as here
        costs = _in_cluster_costs(D, members)
        best = np.argmin(costs)
        if costs[best] < costs[np.argmax(members == medoids[cluster])]:
            medoids[cluster] = members[best]


def _fit_fasterpam(k, X, distances, seed, params, init_medoids):
    import kmedoids

    if params["init"] == "alternate" and init_medoids is None:
        init_medoids = _fit_alternate(k, X, distances, seed,
                                      ALTERNATE.params()).medoid_indices
    if init_medoids is not None:
        init = np.asarray(init_medoids, dtype=np.int64)
        if init.shape != (k,):
            raise ValueError(f"init_medoids must hold k={k} indices, got shape {init.shape}")
        # Given medoids make the run deterministic: kmedoids ignores (and warns about) a seed.
        kernel_init, random_state = "build", None
    else:
        init, kernel_init, random_state = k, params["init"], seed
    start = time.perf_counter()
    # FasterPAM reads the matrix down its columns (d(o, j) for every o, at each
    # candidate j); on our row-major matrix that is one page per element, which makes
    # a fit on 60,000 images very slow (benchmarks/bench_fasterpam.py). The matrix is
    # exactly symmetric, so
    # its transpose holds the same numbers and turns those reads into rows: same
    # medoids, same loss (tested). One thread, as every fit: kmedoids' parallel
    # variant would also draw its processing order from numpy's global generator.
    result = kmedoids.fasterpam(
        np.asarray(distances).T, init, max_iter=params["max_iter"],
        init=kernel_init, random_state=random_state, n_cpu=1,
    )
    seconds = time.perf_counter() - start
    medoids = np.asarray(result.medoids, dtype=np.int64)
    return _medoid_fit("kmedoids-fasterpam", k, X, result.labels, medoids, float(result.loss),
                       int(result.n_iter), seconds, params)


def _medoid_fit(method, k, X, labels, medoids, inertia, n_iter, seconds, params):
    return ClusteringFit(
        method=method,
        k=k,
        labels=np.asarray(labels, dtype=np.int64),
        centers=np.asarray(X[medoids], dtype=np.float32),
        inertia=inertia,
        n_iter=n_iter,
        fit_seconds=seconds,
        medoid_indices=medoids,
        params=params,
    )


# --------------------------------------------------------------------------- the methods
KMEANS = Method(
    "kmeans", needs_distances=False,
    # Today's scikit-learn default is 'auto', i.e. one k-means++ run (the 2022 run's is in
    # notebook2022.SETTINGS). The sweep records whichever is used. 'elkan' runs the same
    # Lloyd iterations with triangle-inequality bounds that skip most distance
    # computations (benchmarks/bench_kmedoids.py times the sweep's methods).
    defaults=MappingProxyType({"n_init": 1, "max_iter": 300, "algorithm": "elkan"}),
    build=_build_kmeans, fit=_fit_kmeans, seeded=_always)
"""K-Means (scikit-learn): random k-means++ starts, so the seed changes the result."""

#: Starts among which K-Means keeps the lowest inertia when it is recommended (in a
#: feature space, ``n_init``): one start now and then lands in a bad local optimum there
#: (two centres on one digit's island, two digits sharing one), the best of 10 had none
#: in any measured run; a choice made without labels. The Gaussian mixture keeps the
#: highest likelihood of as many.
RECOMMENDED_N_INIT = 10

ALTERNATE = Method(
    "kmedoids-alternate", needs_distances=True,
    # the 2022 run's (scikit-learn-extra's defaults): deterministic.
    defaults=MappingProxyType(dict(KMEDOIDS_PARAMS)),
    build=_build_alternate, fit=_fit_alternate, seeded=_seeded_kmedoids)
"""K-Medoids 'alternate' (scikit-learn-extra's, reimplemented on the shared matrix)."""

FASTERPAM = Method(
    "kmedoids-fasterpam", needs_distances=True,
    # init='alternate' starts FasterPAM from the 'alternate' medoids at the same k
    # (given as ``init_medoids``, or fitted first): it only has to improve a good
    # solution, which is much faster than BUILD on 60,000 points. Other values are
    # kmedoids' own initialisations ('build', 'random', 'k-medoids++').
    defaults=MappingProxyType({"init": "alternate", "max_iter": 100}),
    build=_build_fasterpam, fit=_fit_fasterpam, seeded=_seeded_kmedoids)
"""K-Medoids FasterPAM (the kmedoids package), started from the 'alternate' medoids."""

METHOD_OBJECTS = {method.name: method for method in (KMEANS, ALTERNATE, FASTERPAM)}
"""Every method, by name: the one table of the methods."""

METHODS = tuple(METHOD_OBJECTS)
"""Names accepted by :func:`make_estimator` and the sweep."""

NEEDS_DISTANCES = frozenset(name for name, method in METHOD_OBJECTS.items()
                            if method.needs_distances)
"""Methods fitted on the shared pairwise distance matrix (read from :data:`METHOD_OBJECTS`)."""

DEFAULT_PARAMS = {name: dict(method.defaults) for name, method in METHOD_OBJECTS.items()}
"""Each method's default parameters (a copy of :attr:`Method.defaults`)."""
