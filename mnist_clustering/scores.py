"""The score registry: every column of a results table defined once, and the literature.

Each :class:`Column` says what a column is (its direction when it is a score, its axis
label with units, per method where the unit depends on the method, its name in tables);
:data:`SWEEP_SCHEMA` lists them in the order of a sweep table, :data:`DENSITY_SCHEMA` in
the order of a feature space's ``density.csv``. Every other module reads them from here:
the table schemas (:mod:`mnist_clustering.results`, :mod:`mnist_clustering.density`),
``best_k`` (:data:`SCORE_DIRECTIONS`), the figures' axis labels, the notebooks' tables,
the score lists of the views and ``mnist-clustering sweep`` / ``best --help``.

:data:`LITERATURE` holds every published figure the notebooks show, each with its source
(paper or documentation page with its DOI or address, table, data split and number of
images). A figure whose
primary source we could not pin is not listed.

This module is pure data. It imports only :mod:`mnist_clustering.notebook2022`, for the
names of the column holding the 2022 notebook's entropy and of the score it meant.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .notebook2022 import AXIS_LABELS as _AXIS_2022
from .notebook2022 import TABLE_LABELS as _TABLE_2022


@dataclass(frozen=True)
class Column:
    """One column of a results table.

    Attributes
    ----------
    name : str
        Column name in the CSV.
    kind : {'key', 'text', 'int', 'float'}
        ``key`` columns identify a row (k, seed).
    axis : str
        Axis label, with units where the value has one.
    table : str
        Row or column name in the notebooks' tables.
    direction : {'max', 'min', None}
        Whether larger or smaller is better; None for what is not a score.
    nullable : bool
        Whether a cell may be empty (only read where a schema says so: ``density.csv``).
    short : str, optional
        Abbreviation in narrow tables (``ACC``); default ``table``.
    axis_by_method : tuple of (str, str)
        ``(method, axis label)`` where the unit differs for that method.
    """

    name: str
    kind: str
    axis: str
    table: str
    direction: str | None = None
    nullable: bool = False
    short: str | None = None
    axis_by_method: tuple = ()


_MEDOID_COST = "Cost (sum of distances to the medoid, [0, 1]-pixel units)"

SWEEP_SCHEMA = (
    Column("method", "text", "Method", "method"),
    Column("k", "key", "Number of clusters k", "k"),
    Column("seed", "key", "Random seed", "seed"),
    Column("n_samples", "int", "Training images", "images"),
    Column("params", "text", "Parameters", "parameters"),
    # K-Means minimises squared distances to a centroid; K-Medoids (scikit-learn-extra's
    # and kmedoids' inertia_) the plain distances to a medoid: another unit
    Column("inertia", "float", "Inertia (sum of squared distances, squared [0, 1]-pixel units)",
           "inertia", "min",
           axis_by_method=(("kmedoids-alternate", _MEDOID_COST),
                           ("kmedoids-fasterpam", _MEDOID_COST))),
    Column("silhouette", "float", "Mean silhouette score", "silhouette", "max"),
    Column("silhouette_mode", "text", "Silhouette mode", "silhouette mode"),
    Column("calinski_harabasz", "float", "Calinski-Harabasz index", "Calinski-Harabasz", "max"),
    Column("label_entropy", "float", "Weighted label entropy (nats, lower is purer)",
           _TABLE_2022["label_entropy"], "min"),
    Column("seed_index_entropy", "float", _AXIS_2022["seed_index_entropy"],
           _TABLE_2022["seed_index_entropy"], "min"),
    Column("homogeneity", "float", "Homogeneity", "homogeneity", "max"),
    Column("nmi", "float", "Normalised mutual information", "NMI", "max", short="NMI"),
    Column("ari", "float", "Adjusted Rand index", "ARI", "max", short="ARI"),
    Column("purity", "float", "Purity (majority-label accuracy)", "purity", "max"),
    Column("accuracy", "float", "Accuracy (Hungarian matching)", "accuracy (Hungarian)", "max",
           short="ACC"),
    Column("n_errors", "int", "Misassigned images", "misassigned images"),
    Column("test_purity", "float", "Test purity (nearest centre)", "test purity", "max"),
    Column("fit_seconds", "float", "Fit time (s)", "fit time (s)"),
    Column("score_seconds", "float", "Scoring time (s)", "scoring time (s)"),
    Column("n_iter", "int", "Iterations to converge", "iterations"),
)
"""Every column of a sweep table (``results/<table>/<method>.csv``), in table order."""

BY_NAME = {column.name: column for column in SWEEP_SCHEMA}

VALUE_RANGES = {
    # The values a column can take at all, (low, high) inclusive, None for no bound: a
    # stored value outside is a damaged or edited table, never a result. Bounded scores
    # are fractions or normalised by construction; the adjusted Rand index is bounded
    # below by -1/2 (scikit-learn's documentation of adjusted_rand_score); entropies,
    # inertia, the Calinski-Harabasz index, times and counts are non-negative. k, and
    # the number of misassigned images, are also at most n_samples (checked with it).
    "k": (2, None), "seed": (0, 2**32 - 1), "n_samples": (2, None),
    "inertia": (0, None), "silhouette": (-1, 1), "calinski_harabasz": (0, None),
    "label_entropy": (0, None), "seed_index_entropy": (0, None), "homogeneity": (0, 1),
    "nmi": (0, 1), "ari": (-0.5, 1), "purity": (0, 1), "accuracy": (0, 1),
    "n_errors": (0, None), "test_purity": (0, 1), "fit_seconds": (0, None),
    "score_seconds": (0, None), "n_iter": (0, None),
}
"""Column -> (low, high): the range of every numeric column of a table."""

TABLE_COLUMNS = tuple(column.name for column in SWEEP_SCHEMA)
"""Column names of a sweep table, in order."""

SCORE_DIRECTIONS = {column.name: column.direction for column in SWEEP_SCHEMA if column.direction}
"""Score -> 'max' or 'min': which way is better."""

AXIS_LABELS = {column.name: column.axis for column in SWEEP_SCHEMA}
"""Column -> axis label with units."""



def _axis_labels_by_method(schema):
    out = {}
    for column in schema:
        for method, label in column.axis_by_method:
            out.setdefault(method, {})[column.name] = label
    return out


AXIS_LABELS_BY_METHOD = _axis_labels_by_method(SWEEP_SCHEMA)
"""Method -> {column: axis label} where a method's unit differs from :data:`AXIS_LABELS`."""


def axis_label(column, method=None):
    """The axis label of a column, in the unit of ``method`` where it depends on it.

    Parameters
    ----------
    column : str
        A column of :data:`SWEEP_SCHEMA`.
    method : str, optional
        The method whose values are drawn (``'kmedoids-alternate'``...).

    Returns
    -------
    str

    Examples
    --------
    >>> axis_label("inertia", "kmedoids-alternate")
    'Cost (sum of distances to the medoid, [0, 1]-pixel units)'
    """
    return AXIS_LABELS_BY_METHOD.get(method, {}).get(column, AXIS_LABELS[column])


TABLE_LABELS = {column.name: column.table for column in SWEEP_SCHEMA if column.kind != "key"}
"""Column -> readable name in the notebooks' tables."""

SHORT_LABELS = {column.name: column.short or column.table for column in SWEEP_SCHEMA}
"""Column -> abbreviation in narrow tables (``accuracy`` -> ``ACC``)."""

PURITY_GAP = "test_minus_train"
"""The name, in a summary over seeds, of a run's test purity minus its train purity (a
derived score: not a column of the sweep tables)."""

LABEL_SCORES = ("accuracy", "nmi", "ari", "purity")
"""The label scores by which every clustering is compared across feature spaces and
methods (ACC, NMI, ARI, purity), with and without HDBSCAN's noise in ``density.csv``."""

CLI_COLUMNS = ("inertia", "silhouette", "calinski_harabasz", "label_entropy", "purity",
               "test_purity", "fit_seconds")
"""The columns ``mnist-clustering sweep`` prints for each row, after k (and the seed)."""

DENSITY_SCHEMA = (
    Column("space", "text", "Feature space", "space"),
    BY_NAME["n_samples"],
    BY_NAME["method"],
    replace(BY_NAME["seed"], kind="int", nullable=True),  # HDBSCAN has no random start
    BY_NAME["params"],
    Column("n_clusters", "int", "Clusters found", "clusters"),
    Column("noise_share", "float", "Share of images left as noise", "noise share", "min",
           nullable=True),  # HDBSCAN only
    *(BY_NAME[name] for name in LABEL_SCORES),
    *(replace(BY_NAME[name], name=f"{name}_clustered",
              axis=f"{BY_NAME[name].axis}, noise left out",
              table=f"{BY_NAME[name].table}, noise left out", nullable=True)
      for name in LABEL_SCORES),
    BY_NAME["fit_seconds"],
)
"""Every column of a feature space's ``density.csv`` (HDBSCAN and the Gaussian mixture),
in table order: the :data:`LABEL_SCORES` over every image (HDBSCAN's noise as one more
cluster) and over the clustered images only (``*_clustered``)."""


@dataclass(frozen=True)
class Reference:
    """One published figure: a score of a method on MNIST, with where it was published.

    Attributes
    ----------
    score : str
        Column name of the score (``accuracy`` is the Hungarian-matched clustering
        accuracy, ``ami`` the adjusted mutual information, not in our tables).
    value : float
    k : int or None
        Number of clusters (None: found by the method, e.g. HDBSCAN).
    method : str
        What was clustered and how, e.g. 'K-Means on raw pixels'.
    source : str
        Short citation.
    where : str
        Table or section of the source.
    data : str
        Data split and number of images.
    url : str
        Where to read it: the DOI (as a ``https://doi.org/`` link) or the page's address.
    """

    score: str
    value: float
    k: int | None
    method: str
    source: str
    where: str
    data: str
    url: str


_DEC = ("Xie, Girshick & Farhadi 2016, DEC (ICML)",
        "https://proceedings.mlr.press/v48/xieb16.html")
_GULTEPE = ("Gultepe & Makrehchi 2018, Human-centric Computing and Information Sciences 8:25",
            "https://doi.org/10.1186/s13673-018-0148-3")
_UMAP = ("UMAP documentation, 'Using UMAP for Clustering'",
         "https://umap-learn.readthedocs.io/en/latest/clustering.html")
_IDEC = ("Guo, Gao, Liu & Yin 2017, IDEC (IJCAI)", "https://doi.org/10.24963/ijcai.2017/243")
_N2D = ("McConville, Santos-Rodriguez, Piechocki & Craddock 2020, N2D (ICPR)",
        "https://doi.org/10.1109/ICPR48806.2021.9413131")
_IIC = ("Ji, Henriques & Vedaldi 2019, IIC (ICCV)", "https://doi.org/10.1109/ICCV.2019.00996")
_ALL = "MNIST train + test, 70,000 images"


def _ref(score, value, k, method, source, where):
    return Reference(score, value, k, method, source[0], where, _ALL, source[1])


LITERATURE = (
    _ref("accuracy", 0.5349, 10, "K-Means on raw pixels", _DEC, "Table 2"),
    _ref("accuracy", 0.553, 10, "K-Means on raw pixels", _GULTEPE, "Table 4"),
    _ref("nmi", 0.527, 10, "K-Means on raw pixels", _GULTEPE, "Table 4"),
    _ref("ari", 0.367, 10, "K-Means on raw pixels", _UMAP, "K-Means section"),
    _ref("ami", 0.496, 10, "K-Means on raw pixels", _UMAP, "K-Means section"),
    _ref("ari", 0.924, None, "HDBSCAN on a 2-D UMAP embedding", _UMAP,
         "'UMAP enhanced clustering'"),
    _ref("ami", 0.903, None, "HDBSCAN on a 2-D UMAP embedding", _UMAP,
         "'UMAP enhanced clustering'"),
    _ref("accuracy", 0.843, 10, "DEC (autoencoder + clustering loss)", _DEC, "Table 2"),
    _ref("accuracy", 0.881, 10, "IDEC (DEC keeping the decoder)", _IDEC, "Table 2"),
    _ref("nmi", 0.867, 10, "IDEC (DEC keeping the decoder)", _IDEC, "Table 2"),
    _ref("accuracy", 0.979, 10, "N2D (autoencoder, UMAP, Gaussian mixture)", _N2D,
         "MNIST results table"),
    _ref("nmi", 0.942, 10, "N2D (autoencoder, UMAP, Gaussian mixture)", _N2D,
         "MNIST results table"),
    _ref("accuracy", 0.992, 10, "IIC (convolutional network, augmented images)", _IIC,
         "Table 1, lowest-loss head"),
)
"""Every published figure the notebooks show, with its source.

N2D's figure is the one of its conference paper; an earlier preprint (arXiv:1908.05968)
gives 0.987 (NMI 0.964). Left out because no primary table could be pinned: the K-Means
purity ranges quoted in course material (about 0.6 at k = 10, 0.9 at k = 256)."""


def literature(method_contains=None, scores=None):
    """:data:`LITERATURE` as a table, optionally filtered.

    Parameters
    ----------
    method_contains : str, optional
        Keep the references whose method contains this text (e.g. ``'raw pixels'``).
    scores : iterable of str, optional
        Keep these scores.

    Returns
    -------
    pandas.DataFrame
        Columns ``score, value, k, method, source, where, data, url``.
    """
    import pandas as pd

    rows = [ref for ref in LITERATURE
            if (method_contains is None or method_contains in ref.method)
            and (scores is None or ref.score in set(scores))]
    return pd.DataFrame([ref.__dict__ for ref in rows],
                        columns=["score", "value", "k", "method", "source", "where", "data",
                                 "url"])
