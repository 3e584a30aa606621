"""The results store owns ``results/``: its layout, its tables and every reader of them.

A package of three modules, re-exported here (``results.<name>``):

:mod:`~mnist_clustering.results.layout`
    What names a table (:class:`TableKey`: dataset, subsample, feature space and its
    training seed, method and its non-default parameters), its folder
    (:func:`table_name`) and file names, ``density.csv`` (:func:`density_path`) and the
    2-D picture (:func:`picture_path`) of a space's folder.
:mod:`~mnist_clustering.results.store`
    :class:`ResultsStore`: one table with its provenance, artefacts, kept labels and
    pending silhouettes, safe against interruptions and concurrent writers.
:mod:`~mnist_clustering.results.readers`
    :func:`load_results`, :func:`load_provenance`, :func:`load_artifacts`,
    :func:`load_labels` (also importable from :mod:`mnist_clustering` and, as before,
    from :mod:`mnist_clustering.sweep`).
"""

from ..files import atomic_write  # noqa: F401 (the store's atomic write, as before)
from .layout import (
    DENSITY_FILE,
    PICTURE_FILE,
    STUDIES_FOLDER,
    TableKey,
    check_space_seed,
    default_results_dir,
    density_path,
    picture_path,
    space_folder,
    study_path,
    table_name,
    table_stem,
)
from .readers import (
    load_artifacts,
    load_labels,
    load_provenance,
    load_results,
    open_store,
    read_study,
    table_key,
)
from .store import (
    COLUMNS,
    DIGEST_COLUMN,
    HEADER,
    INTEGER_COLUMNS,
    LOCK_NOTICE_SECONDS,
    LOCK_TIMEOUT,
    NULLABLE_COLUMNS,
    PENDING_COLUMN,
    ROW_KEY,
    TEXT_COLUMNS,
    ResultsError,
    ResultsStore,
    add_checks,
    row_digest,
)

__all__ = [
    "COLUMNS", "DENSITY_FILE", "DIGEST_COLUMN", "HEADER", "INTEGER_COLUMNS",
    "LOCK_NOTICE_SECONDS", "LOCK_TIMEOUT", "NULLABLE_COLUMNS", "PENDING_COLUMN",
    "PICTURE_FILE", "ROW_KEY", "STUDIES_FOLDER", "TEXT_COLUMNS", "ResultsError", "ResultsStore", "TableKey",
    "add_checks", "check_space_seed", "default_results_dir", "density_path", "load_artifacts",
    "load_labels", "load_provenance", "load_results", "open_store", "picture_path",
    "read_study", "row_digest", "space_folder", "study_path", "table_key", "table_name", "table_stem",
]
