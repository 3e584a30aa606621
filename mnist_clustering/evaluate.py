"""One k of a sweep: the k grid, the data, the sweep's parameters, and fit + scores.

:func:`evaluate_k` fits one k and scores it (:func:`score_fit`); everything else here
is what it needs: the grid of k (:func:`parse_k_range`), the prepared data
(:class:`SweepData`), the frozen parameters of a table (:class:`SweepSpec`,
:func:`make_spec`; the random seeds of a sweep, :func:`parse_seed_grid`), and the worker side of a parallel sweep (:class:`SweepTask`,
:func:`evaluate_task`).

A worker process gets a :class:`SweepData` without its arrays, but with their identity
(:class:`DataSource`): the driver's MNIST cache folder, or the very feature-space cache
file the driver read and its checksum. It loads exactly that, once per process (a
per-process cache keyed by the whole identity, so a rebuilt space or another cache
folder is another entry, never a stale one), and checks that its prepared images are
byte-identical to the driver's (the data fingerprint). A mismatch reloads once, then
fails loudly instead of mixing results. Nothing of the worker's own environment (which
is that of the moment the worker process started) decides what data it uses. K-Medoids needs the distance
matrix on the worker; :func:`resolve_distances` chooses how it gets there:

``'shared-path'``
    Workers open the driver's cache file (``distances-<key>.f32``) read-only, after
    checking that its sidecar ``.json`` is the one the driver read. Default when the
    driver's matrix is that file; needs a filesystem shared with the workers.
``'scatter'``
    The matrix travels with the task (sent once per worker). Default for a matrix in
    RAM of at most :data:`SCATTER_MAX_BYTES`.
``'recompute'``
    Each worker computes (or finds in its own cache) the matrix. Its float32 rounding
    may differ from the driver's (BLAS thread count), so K-Medoids rows agree with the
    serial ones to float32 precision only.

Exact silhouettes are never computed on workers: :func:`evaluate_k` defers them, and
the sweep computes many k in one pass over the driver's matrix.
"""

from __future__ import annotations

import json
import numbers
import re
import time
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from . import metrics
from .checks import check_int
from .files import cache_dir as default_cache
from .provenance import array_sha256, package_versions
from .estimators import METHOD_OBJECTS, fit_clustering, get_method
from .results import COLUMNS, check_space_seed, table_name

DISTANCE_POLICIES = ("shared-path", "scatter", "recompute")
"""Ways a worker gets the distance matrix (see the module docstring)."""

SCATTER_MAX_BYTES = 1024**3
"""Largest in-RAM matrix the default policy sends to every worker (1 GiB, n ~ 16,000)."""

VERSIONED = ("numpy", "scipy", "scikit-learn", "scikit-learn-extra", "kmedoids",
             "threadpoolctl", "mnist-clustering")
"""Packages whose versions a worker must share with the driver: the numbers depend on them."""


# --------------------------------------------------------------------------- k grids
MAX_GRID_VALUES = 1_000_000
"""Most values a k or seed grid may hold (no dataset here has a million images)."""


def parse_k_range(spec, n=None):
    """Parse a k grid: ``'2:80'``, ``'2:263:5'``, ``'10,19,22'`` or a mix of them.

    Ranges follow Python's ``range(start, stop, step)``: the stop is excluded, so
    ``'2:80'`` is k = 2..79. The grid's size and its largest k are checked before it is
    built, so a typo such as ``2:1000000000`` is an error at once, not a grid of a
    billion values.

    Parameters
    ----------
    spec : str, int or iterable of int
    n : int, optional
        The number of images: every k must then be at most ``n - 1`` (the silhouette
        needs a cluster with two images).

    Returns
    -------
    list of int
        Sorted, without duplicates.

    Raises
    ------
    ValueError
        On an empty or malformed spec, an empty range, a value that is not an integer,
        any k < 2 (or > n - 1), or more than :data:`MAX_GRID_VALUES` values.

    Examples
    --------
    >>> parse_k_range("2:12:5")
    [2, 7]
    >>> parse_k_range("2:4,10")
    [2, 3, 10]
    >>> parse_k_range("2:1000000000", n=1500)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the k grid '2:1000000000' goes up to k=999999999, larger than ... <= n - 1 = 1499 ...
    """
    parts = _grid_parts(spec, "k")
    low = min(part[0] for part in parts)
    high = max(part[-1] for part in parts)
    if low < 2:
        raise ValueError(f"every k must be >= 2 (a clustering needs two clusters); got {low}")
    if n is not None and high > n - 1:
        shown = spec if isinstance(spec, str) else ",".join(str(part[0]) for part in parts)
        raise ValueError(f"the k grid {shown!r} goes up to k={high}, larger than the number of "
                         f"samples allows: with n={n} images every k of a sweep must be <= "
                         f"n - 1 = {n - 1} (the silhouette needs a cluster of two images)")
    return _materialise(parts, spec, "k")


def parse_seed_grid(spec):
    """Parse a grid of random seeds, with the k grid's syntax: ``'0:10'``, ``'0,7'``...

    Examples
    --------
    >>> parse_seed_grid("0:3,10")
    [0, 1, 2, 10]
    """
    parts = _grid_parts(spec, "seed")
    high = max(part[-1] for part in parts)
    if high >= 2**32 or min(part[0] for part in parts) < 0:
        raise ValueError(f"seeds must lie in 0 .. 2**32 - 1, got {spec!r}")
    return _materialise(parts, spec, "seed")


def _grid_parts(spec, what):
    """The grid as ranges and one-value ranges, each checked, none expanded."""
    if isinstance(spec, str):
        return _parse_grid_string(spec, what)
    values = [spec] if isinstance(spec, (numbers.Integral, np.integer)) else list(spec)
    if not values:
        raise ValueError(f"the {what} grid {spec!r} is empty")
    checked = [check_int(value, what) for value in values]
    return [range(value, value + 1) for value in checked]


def _materialise(parts, spec, what):
    total = sum(len(part) for part in parts)
    if total > MAX_GRID_VALUES:
        shown = spec if isinstance(spec, str) else f"of {total} values"
        raise ValueError(f"the {what} grid {shown!r} has {total:,} values, more than the "
                         f"{MAX_GRID_VALUES:,} a sweep may hold: give a smaller grid")
    return sorted({value for part in parts for value in part})


def _parse_grid_string(spec, what):
    if not spec.strip():
        raise ValueError(f"the {what} grid is empty; give e.g. '2:80', '2:263:5' or '10,19,22'")
    parts = []
    for part in spec.split(","):
        part = part.strip()
        if not re.fullmatch(r"\d{1,18}(:\d{1,18}(:\d{1,18})?)?", part):
            raise ValueError(
                f"malformed {what} grid part {part!r} in {spec!r}; use START:STOP[:STEP] or "
                f"{what.upper()}, with whole numbers")
        values = [int(x) for x in part.split(":")]
        if len(values) == 1:
            parts.append(range(values[0], values[0] + 1))
            continue
        if len(values) == 3 and values[2] == 0:
            raise ValueError(f"step 0 in {what} grid part {part!r}")
        grid = range(*values)
        if len(grid) == 0:
            raise ValueError(f"{what} grid part {part!r} is empty (the stop is excluded, as in range)")
        parts.append(grid)
    return parts


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class DataSource:
    """Where the prepared images of a sweep come from: what a worker loads.

    Attributes
    ----------
    dataset : str
    n_samples : int or None
    space : str
    cache_dir : str or None
        The folder the driver read from: MNIST's cache (raw ``mnist``), or the feature
        space's cache (any other space); None for ``digits`` in raw pixels.
    key, checksum : str or None
        The feature space's cache key and its file's xxh3-64 checksum (None in raw).
    space_seed : int
        The feature space's training seed (0 in raw).
    """

    dataset: str
    n_samples: int | None
    space: str = "raw"
    cache_dir: str | None = None
    key: str | None = None
    checksum: str | None = None
    space_seed: int = 0


@dataclass
class SweepData:
    """The prepared images and labels a sweep works on, and their distance matrix.

    Pickled (sent to a worker process), it carries only its identity
    (:class:`DataSource`) and its fingerprint: the worker loads that data itself, once
    per process, and checks the fingerprint (:func:`worker_data`).

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
    space : str, default 'raw'
        The feature space of the rows (:data:`mnist_clustering.spaces.SPACES`): ``'raw'``
        is the prepared pixels; any other is read from (or built into) the cache by
        :func:`mnist_clustering.spaces.embed` (seed ``space_seed``, default parameters),
        test images through the same fitted transform. Its tables live in
        ``results/<dataset>/<space>/``.
    cache_dir : str, optional
        Read MNIST (raw pixels) or the feature space from this cache folder instead of
        the default one (``$MNIST_CLUSTERING_CACHE`` or the user cache, as it is when
        the arrays are first used).
    space_seed : int, default 0
        The feature space's training seed (``embed(space, seed=space_seed)``); its tables
        live in ``results/<dataset>/<space>-seed<s>/`` from 1 on. Raw pixels have none.
    """

    dataset: str = "mnist"
    n_samples: int | None = None
    progress: bool = True
    rebuild_distances: bool = False
    space: str = "raw"
    cache_dir: str | None = None
    space_seed: int = 0

    def __post_init__(self):
        from .data import check_dataset
        from .spaces import SPACES

        check_dataset(self.dataset)
        if self.n_samples is not None:
            self.n_samples = check_int(self.n_samples, "n_samples", min_val=2)
        if self.space not in SPACES:
            raise ValueError(f"unknown space {self.space!r}; choose one of {', '.join(SPACES)}")
        self.space_seed = check_space_seed(self.space_seed, self.space)

    @cached_property
    def space_provenance(self):
        """The feature space's provenance (None for ``raw``): its sidecar record."""
        self.arrays  # noqa: B018  (builds or reads the space)
        return self.__dict__.get("_space_provenance")

    @cached_property
    def source(self):
        """This data's identity (:class:`DataSource`), fixed when its arrays are loaded."""
        self.arrays  # noqa: B018
        return self.__dict__["_source"]

    @cached_property
    def arrays(self):
        return self._load(build=True)

    def _load(self, *, build, expect=None):
        from .data import load_dataset, prepare

        if self.space != "raw":
            from .spaces import embed

            folder = Path(self.cache_dir) if self.cache_dir is not None else default_cache()
            fs = embed(self.space, self.dataset, self.n_samples, seed=self.space_seed,
                       progress=self.progress, cache_dir=folder, build=build)
            info = dict(fs.provenance)
            source = DataSource(self.dataset, self.n_samples, self.space, str(folder),
                                info.get("key"), (info.get("checksum") or {}).get("digest"),
                                self.space_seed)
            if expect is not None and (source.key, source.checksum) != (expect.key, expect.checksum):
                raise ValueError(
                    f"the {self.space} space in {folder} is not the driver's (key "
                    f"{source.key}, checksum {source.checksum}; the driver read key "
                    f"{expect.key}, checksum {expect.checksum}): it was rebuilt meanwhile? "
                    "Re-run the sweep")
            self.__dict__["_space_provenance"] = info
            self.__dict__["_source"] = source
            return fs.X_train, np.asarray(fs.y_train), fs.X_test, np.asarray(fs.y_test)
        folder = None
        if self.dataset == "mnist":
            folder = str(Path(self.cache_dir) if self.cache_dir is not None else default_cache())
        (x_train, y_train), (x_test, y_test) = load_dataset(
            self.dataset, **({"cache_dir": folder} if folder is not None else {}))
        if self.n_samples is not None:
            if not 2 <= self.n_samples <= len(x_train):
                raise ValueError(
                    f"n_samples must be between 2 and {len(x_train)}, got {self.n_samples}"
                )
            x_train, y_train = x_train[: self.n_samples], y_train[: self.n_samples]
        self.__dict__["_source"] = DataSource(self.dataset, self.n_samples, "raw", folder)
        return prepare(x_train), np.asarray(y_train), prepare(x_test), np.asarray(y_test)

    @property
    def name(self):
        """Table folder name: the dataset, with the subsample size when there is one."""
        return table_name(self.dataset, self.n_samples, self.space, self.space_seed)

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

        if self.space != "raw":
            raise ValueError(
                f"no stored distance matrix in the {self.space} space: its exact silhouettes "
                "come from the points (distances.silhouette_scores_from_points) and K-Medoids "
                "runs on raw pixels only (space='raw')")

        return distance_matrix(self.X, progress=self.progress, rebuild=self.rebuild_distances)

    @cached_property
    def fingerprint(self):
        return {"x_train_prepared_sha256": array_sha256(self.X), "y_train_sha256": array_sha256(self.y)}

    def __reduce__(self):
        return worker_data, (self.source, self.fingerprint)


def worker_data(source, fingerprint):
    """This process's :class:`SweepData` for the driver's ``source``, checked against
    the driver's ``fingerprint``.

    Loaded once per process and identity; an entry whose images differ from the
    driver's is dropped and the data loaded again, once, before giving up.

    Parameters
    ----------
    source : DataSource
        The driver's :attr:`SweepData.source`.
    fingerprint : dict
        The driver's :attr:`SweepData.fingerprint`.

    Raises
    ------
    ValueError
        If the images prepared here differ from the driver's, even loaded afresh.
    """
    data = _loaded(source)
    if data.fingerprint != fingerprint:
        _LOADED.pop(source, None)
        data = _loaded(source)
    if data.fingerprint != fingerprint:
        import socket

        raise ValueError(
            f"the prepared {data.name} images on worker {socket.gethostname()} differ from "
            "the driver's (another MNIST file or package version?): give the workers the "
            "same data cache and environment")
    return data


_LOADED = {}
"""This process's loaded data, by :class:`DataSource` (at most :data:`_LOADED_MAX`)."""

_LOADED_MAX = 2


def _loaded(source):
    if source not in _LOADED:
        data = SweepData(source.dataset, source.n_samples, progress=False, space=source.space,
                         cache_dir=source.cache_dir, space_seed=source.space_seed)
        # a worker reads the driver's data; it never builds a feature space of its own
        data.__dict__["arrays"] = data._load(build=False, expect=source if source.key else None)
        while len(_LOADED) >= _LOADED_MAX:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[source] = data
    return _LOADED[source]


def clear_loaded():
    """Forget the data loaded for worker calls in this process."""
    _LOADED.clear()


# --------------------------------------------------------------------------- parameters
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
    def kind(self):
        """The method's :class:`~mnist_clustering.estimators.Method` (the name was
        checked by :func:`make_spec`)."""
        return METHOD_OBJECTS[self.method]

    @property
    def silhouette_mode(self):
        return "exact" if self.silhouette == "exact" else f"sampled-{int(self.silhouette)}"


def make_spec(method, *, seed=0, silhouette="exact", **params):
    """Validate and freeze the parameters of a sweep."""
    method = get_method(method)  # the one check of the name on a sweep's path
    # scikit-learn's check_random_state accepts exactly this range; checked here so a bad
    # seed fails before any data is loaded or any worker starts.
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer from 0 to 2**32 - 1 = {2**32 - 1}, got {seed!r}; "
                         "give e.g. --seed 0")
    if silhouette != "exact":
        try:
            silhouette = check_int(silhouette, "silhouette", min_val=2)
        except ValueError:
            raise ValueError(f"silhouette must be 'exact' or a sample size >= 2, "
                             f"got {silhouette!r}") from None
    merged = method.params(**params)
    return SweepSpec(method.name, int(seed), tuple(sorted(merged.items())), silhouette)


# --------------------------------------------------------------------------- one k
def score_fit(fit, data, spec, *, defer_silhouette=False):
    """Every score of one fitted clustering, and its clusters' majority digits.

    Parameters
    ----------
    fit : ClusteringFit
    data : SweepData
    spec : SweepSpec
    defer_silhouette : bool
        Leave the exact silhouette as NaN, to be computed later for many k in one pass
        over the distance matrix (:func:`mnist_clustering.sweep.fill_silhouettes`); a
        sampled one is computed now.

    Returns
    -------
    scores : dict
        ``silhouette`` (exact on all images, or sampled with the seed),
        ``calinski_harabasz``, the label scores of :func:`metrics.label_scores`, and
        ``test_purity``: the test images assigned to the nearest centre/medoid and
        labelled with that cluster's majority training label.
    majority : ndarray of shape (k,)
        The majority training digit of each cluster. It and the label scores come from
        one contingency matrix.
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
    label_scores, majority = metrics.label_summary(data.y, labels, n_clusters=fit.k)
    scores = {
        "silhouette": silhouette,
        "silhouette_mode": spec.silhouette_mode,
        "calinski_harabasz": metrics.calinski_harabasz(data.X, labels),
        **label_scores,
        "test_purity": metrics.test_purity(data.X_test, data.y_test, fit.centers, majority),
    }
    return scores, majority


def evaluate_k(data, spec, k, *, init_medoids=None, distances=None, defer_silhouette=True):
    """Fit and score one k; return ``(row, fit)``.

    Parameters
    ----------
    data : SweepData
    spec : SweepSpec
    k : int
    init_medoids : ndarray, optional
        Passed to FasterPAM (see :func:`mnist_clustering.estimators.fit_clustering`).
    distances : ndarray, optional
        The distance matrix for K-Medoids (default ``data.distances``).
    defer_silhouette : bool
        See :func:`score_fit`. The sweep defers exact silhouettes: one pass over the
        distance matrix serves many k at once, and runs where the matrix is.

    Returns
    -------
    row : dict
        The table's row, keys in :data:`mnist_clustering.results.COLUMNS` order.
    fit : ClusteringFit
        With ``majority`` set to the clusters' majority digits.
    """
    if spec.kind.needs_distances and distances is None:
        distances = data.distances
    fit = fit_clustering(spec.kind, k, data.X, distances=distances, seed=spec.seed,
                         init_medoids=init_medoids, **spec.params_dict)
    start = time.perf_counter()
    scores, fit.majority = score_fit(fit, data, spec, defer_silhouette=defer_silhouette)
    row = {
        "method": spec.method, "k": int(k), "seed": spec.seed, "n_samples": len(data.X),
        "params": spec.params_json, "inertia": fit.inertia, **scores,
        "fit_seconds": fit.fit_seconds, "score_seconds": time.perf_counter() - start,
        "n_iter": fit.n_iter,
    }
    return {column: row[column] for column in COLUMNS}, fit


# --------------------------------------------------------------------------- workers
@dataclass(frozen=True)
class DistanceSource:
    """How a worker gets the distance matrix: the policy and what it needs."""

    policy: str  # 'none', 'shared-path', 'scatter' or 'recompute'
    path: str | None = None
    sidecar: dict | None = None
    matrix: np.ndarray | None = field(default=None, repr=False)


def resolve_distances(policy, data, spec):
    """Decide how workers get the distance matrix.

    Parameters
    ----------
    policy : {'shared-path', 'scatter', 'recompute'} or None
        None picks 'shared-path' for a cached file, 'scatter' for a small matrix in RAM.
    data : SweepData
    spec : SweepSpec

    Returns
    -------
    DistanceSource
        Policy ``'none'`` when the workers need no matrix (K-Means: exact silhouettes
        are computed on the driver).
    """
    if policy is not None and policy not in DISTANCE_POLICIES:
        raise ValueError(f"unknown distances policy {policy!r}; choose one of "
                         f"{', '.join(DISTANCE_POLICIES)}")
    if not spec.kind.needs_distances:
        return DistanceSource("none")
    if policy == "recompute":
        return DistanceSource("recompute")
    matrix = data.distances
    sidecar = _sidecar_of(matrix)
    if policy is None:
        if sidecar is not None:
            policy = "shared-path"
        elif matrix.nbytes <= SCATTER_MAX_BYTES:
            policy = "scatter"
        else:
            raise ValueError(
                f"the {matrix.shape[0]} x {matrix.shape[0]} distance matrix is in RAM "
                f"({matrix.nbytes / 1e9:.1f} GB), too big to send to every worker: give "
                "it a cache file on a disk the workers share ($MNIST_CLUSTERING_CACHE) "
                "or let each worker compute it (distances='recompute')")
    if policy == "shared-path":
        if sidecar is None:
            raise ValueError("distances='shared-path' needs the driver's distance matrix to "
                             "be a cache file of distance_matrix(); it is in RAM here. Use "
                             "distances='scatter' or 'recompute'")
        return DistanceSource("shared-path", str(Path(matrix.filename).resolve()), sidecar)
    return DistanceSource("scatter", matrix=np.asarray(matrix))


def _sidecar_of(matrix):
    """The sidecar record of a cached distance matrix file, or None if it is not one."""
    if not isinstance(matrix, np.memmap) or not matrix.filename:
        return None
    try:
        return json.loads(Path(matrix.filename).with_suffix(".json").read_text())
    except (OSError, ValueError):
        return None


def open_shared_matrix(path, sidecar, n):
    """Open the driver's cached distance matrix read-only, after checking it is the same.

    Raises
    ------
    ValueError
        If the file is missing, has the wrong size, or its sidecar differs from the
        driver's (another or a recomputed matrix).
    """
    import socket

    path = Path(path)
    where = f"on worker {socket.gethostname()}"
    fix = ("share the cache directory ($MNIST_CLUSTERING_CACHE) with the workers, or use "
           "distances='scatter' (small n) or 'recompute'")
    if not path.is_file():
        raise ValueError(f"distance matrix {path} does not exist {where}; {fix}")
    if path.stat().st_size != n * n * 4:
        raise ValueError(f"distance matrix {path} {where} has {path.stat().st_size} bytes, "
                         f"expected {n * n * 4} for n={n}; {fix}")
    try:
        mine = json.loads(path.with_suffix(".json").read_text())
    except (OSError, ValueError) as error:
        raise ValueError(f"the sidecar of {path} cannot be read {where} ({error}); {fix}") from error
    # The driver verified the file against its checksums when it opened it; the same
    # sidecar (checksums included) here means the same file, so it is not hashed again
    # (as distance_matrix(verify=False) would not).
    different = [key for key in ("key", "x_sha256", "shape", "dtype", "created", "checksum")
                 if mine.get(key) != sidecar.get(key)]
    if different:
        raise ValueError(f"distance matrix {path} {where} is not the driver's (sidecar "
                         f"{', '.join(different)} differ); {fix}")
    return np.memmap(path, dtype=np.float32, mode="r", shape=(n, n))


def versions():
    """Versions of the packages the numbers depend on (:data:`VERSIONED`; None if absent).

    Returns
    -------
    dict
    """
    return package_versions(VERSIONED)


@dataclass(frozen=True)
class SweepTask:
    """What every row of a sweep shares: data, parameters (the seed of each row is given
    with its k), where a worker gets the distance matrix (None: in this process, the
    data's own), the driver's package versions, and FasterPAM's starting medoids per k."""

    data: SweepData
    spec: SweepSpec
    source: DistanceSource | None = None
    init_medoids: dict = field(default_factory=dict)
    versions: dict = field(default_factory=versions)


def evaluate_task(task, item):
    """:func:`evaluate_k` for one row of ``task``, here or in a worker process.

    Parameters
    ----------
    task : SweepTask
    item : (int, int)
        The row's ``(seed, k)``: the fit uses ``task.spec`` with that seed.

    Raises
    ------
    ValueError
        If this process runs other package versions than the driver, or its data or
        distance matrix differ from the driver's.
    """
    mine = _versions_here()
    different = {name: (theirs, mine.get(name)) for name, theirs in task.versions.items()
                 if mine.get(name) != theirs}
    if different:
        detail = ", ".join(f"{name} {theirs} on the driver vs {here} here"
                           for name, (theirs, here) in sorted(different.items()))
        raise ValueError(f"a worker runs other versions ({detail}); results would not "
                         "match the serial sweep: install the same environment everywhere")
    seed, k = item
    spec = task.spec if seed == task.spec.seed else replace(task.spec, seed=int(seed))
    return evaluate_k(task.data, spec, k, init_medoids=task.init_medoids.get(k),
                      distances=_distances_here(task.data, task.source))


@lru_cache(maxsize=1)
def _versions_here():
    return versions()


def _distances_here(data, source):
    if source is None or source.policy == "none":  # the data's own, or none needed
        return None
    if source.policy == "scatter":
        return source.matrix
    if source.policy == "shared-path":
        return open_shared_matrix(source.path, source.sidecar, len(data.X))
    if "distances" not in data.__dict__:  # 'recompute': once per process, quietly
        from .distances import distance_matrix

        data.__dict__["distances"] = distance_matrix(data.X, progress=False)
    return data.distances
