"""The score registry: every column of a results table defined once, and the literature.

Each :class:`Column` says what a column is (its direction when it is a score, its axis
label with units, its name in tables); :data:`COLUMNS` lists them in table order. Every
other module reads them from here: the table schema (:mod:`mnist_clustering.results`),
``best_k`` (:data:`SCORE_DIRECTIONS`), the figures' axis labels, the notebooks' tables
and ``mnist-clustering best --help``.

:data:`LITERATURE` holds every published figure the notebooks show, each with its source
(paper or documentation page, table, data split and number of images). A figure whose
primary source we could not pin is not listed.

This module imports nothing from the package: it is pure data.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    """

    name: str
    kind: str
    axis: str
    table: str
    direction: str | None = None


COLUMNS = (
    Column("method", "text", "Method", "method"),
    Column("k", "key", "Number of clusters k", "k"),
    Column("seed", "key", "Random seed", "seed"),
    Column("n_samples", "int", "Training images", "images"),
    Column("params", "text", "Parameters", "parameters"),
    Column("inertia", "float", "Inertia (sum of squared distances, squared [0, 1]-pixel units)",
           "inertia", "min"),
    Column("silhouette", "float", "Mean silhouette score", "silhouette", "max"),
    Column("silhouette_mode", "text", "Silhouette mode", "silhouette mode"),
    Column("calinski_harabasz", "float", "Calinski-Harabasz index", "Calinski-Harabasz", "max"),
    Column("label_entropy", "float", "Weighted label entropy (nats, lower is purer)",
           "label entropy (corrected, lower is purer)", "min"),
    Column("seed_index_entropy", "float", "Seed's 'entropy' of image indices (nats)",
           "seed's 'entropy' (of image indices)", "min"),
    Column("homogeneity", "float", "Homogeneity", "homogeneity", "max"),
    Column("nmi", "float", "Normalised mutual information", "NMI", "max"),
    Column("ari", "float", "Adjusted Rand index", "ARI", "max"),
    Column("purity", "float", "Purity (majority-label accuracy)", "purity (seed's 'precision')",
           "max"),
    Column("accuracy", "float", "Accuracy (Hungarian matching)", "accuracy (Hungarian)", "max"),
    Column("n_errors", "int", "Misassigned images", "misassigned images"),
    Column("test_purity", "float", "Test purity (nearest centre)", "test purity", "max"),
    Column("fit_seconds", "float", "Fit time (s)", "fit time (s)"),
    Column("score_seconds", "float", "Scoring time (s)", "scoring time (s)"),
    Column("n_iter", "int", "Iterations to converge", "iterations"),
)
"""Every column of a results table, in table order."""

BY_NAME = {column.name: column for column in COLUMNS}

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

TABLE_COLUMNS = tuple(column.name for column in COLUMNS)
"""Column names of a results table, in order."""

SCORE_DIRECTIONS = {column.name: column.direction for column in COLUMNS if column.direction}
"""Score -> 'max' or 'min': which way is better."""

AXIS_LABELS = {column.name: column.axis for column in COLUMNS}
"""Column -> axis label with units."""

TABLE_LABELS = {column.name: column.table for column in COLUMNS if column.kind != "key"}
"""Column -> readable name in the notebooks' tables."""


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
    """

    score: str
    value: float
    k: int | None
    method: str
    source: str
    where: str
    data: str


_DEC = "Xie, Girshick & Farhadi 2016, DEC (ICML)"
_GULTEPE = "Gultepe & Makrehchi 2018 (Hum.-centric Comput. Inf. Sci. 8:25)"
_UMAP = "UMAP documentation, 'Using UMAP for Clustering'"
_ALL = "MNIST train + test, 70,000 images"

LITERATURE = (
    Reference("accuracy", 0.5349, 10, "K-Means on raw pixels", _DEC, "Table 2", _ALL),
    Reference("accuracy", 0.553, 10, "K-Means on raw pixels", _GULTEPE, "Table 4", _ALL),
    Reference("nmi", 0.527, 10, "K-Means on raw pixels", _GULTEPE, "Table 4", _ALL),
    Reference("ari", 0.367, 10, "K-Means on raw pixels", _UMAP, "K-Means section", _ALL),
    Reference("ami", 0.496, 10, "K-Means on raw pixels", _UMAP, "K-Means section", _ALL),
    Reference("ari", 0.924, None, "HDBSCAN on a 2-D UMAP embedding", _UMAP,
              "'UMAP enhanced clustering'", _ALL),
    Reference("ami", 0.903, None, "HDBSCAN on a 2-D UMAP embedding", _UMAP,
              "'UMAP enhanced clustering'", _ALL),
    Reference("accuracy", 0.843, 10, "DEC (autoencoder + clustering loss)", _DEC, "Table 2", _ALL),
)
"""Every published figure the notebooks show, with its source.

Left out because no primary table could be pinned: the K-Means purity ranges quoted in
course material (about 0.6 at k = 10, 0.9 at k = 256), and N2D's MNIST accuracy, quoted as
0.979 (NMI 0.942) in some places and 0.987 (NMI 0.964) in others."""


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
        Columns ``score, value, k, method, source, where, data``.
    """
    import pandas as pd

    rows = [ref for ref in LITERATURE
            if (method_contains is None or method_contains in ref.method)
            and (scores is None or ref.score in set(scores))]
    return pd.DataFrame([ref.__dict__ for ref in rows],
                        columns=["score", "value", "k", "method", "source", "where", "data"])
