"""The layout of ``results/``: what names a table (:class:`TableKey`), its folder and file
names, and the files a feature space's folder holds beside its tables.

::

    results/<dataset>[-first<n>]/                     raw pixels
        <method>[-<param><value>...].csv              a table (one per parameter set)
        <method>....json                              its provenance
        artifacts/  labels/<stem>/  .pending-silhouettes/<stem>/
    results/<dataset>[-first<n>]/<space>/             a feature space (training seed 0)
    results/<dataset>[-first<n>]/<space>-seed<s>/     the same space trained with seed s >= 1
        density.csv                                   Gaussian mixture and HDBSCAN rows
        umap2d.npz                                    the 2-D picture (autoencoder-umap)

Imports only the checks: every room may ask where a table is without loading one.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..checks import check_int

__all__ = ["DENSITY_FILE", "PICTURE_FILE", "STUDIES_FOLDER", "TableKey", "check_space_seed",
           "default_results_dir", "density_path", "picture_path", "space_folder", "study_path",
           "table_name", "table_stem"]


def table_name(dataset, n_samples=None, space="raw", space_seed=0):
    """Folder name of a table: the dataset, with the subsample size when there is one,
    and the feature space's subfolder outside ``raw`` (with its training seed from 1 on).

    A space is identified by (space, dataset, subsample, training seed): the space built
    with seed 0 keeps the folder ``<dataset>/<space>``, one built with seed ``s >= 1`` has
    ``<dataset>/<space>-seed<s>``. Raw pixels have no training seed.

    Examples
    --------
    >>> table_name("mnist")
    'mnist'
    >>> table_name("mnist", 3000)
    'mnist-first3000'
    >>> table_name("mnist", space="umap")
    'mnist/umap'
    >>> table_name("mnist", space="umap", space_seed=2)
    'mnist/umap-seed2'
    """
    for what, value in (("dataset", dataset), ("space", space)):
        if not isinstance(value, str) or not re.fullmatch(r"[a-z][a-z0-9_-]*", value):
            raise ValueError(f"{what} {value!r} cannot name a table folder: give a name such "
                             f"as 'mnist' or 'umap'")
    if n_samples is not None:
        n_samples = check_int(n_samples, "n_samples", min_val=2)
    space_seed = check_space_seed(space_seed, space)
    name = dataset if n_samples is None else f"{dataset}-first{n_samples}"
    if space == "raw":
        return name
    return f"{name}/{space}" if space_seed == 0 else f"{name}/{space}-seed{space_seed}"


def check_space_seed(space_seed, space="raw"):
    """Return the training seed of a feature space as an int >= 0; raw pixels have none,
    so only 0 is accepted there.

    Examples
    --------
    >>> check_space_seed(1, "pca")
    1
    >>> check_space_seed(1, "raw")
    Traceback (most recent call last):
    ...
    ValueError: space_seed=1, but raw pixels are not trained: space_seed is for a feature space (give space='pca', 'umap', ...), or omit it
    """
    space_seed = check_int(space_seed, "space_seed", min_val=0)
    if space == "raw" and space_seed != 0:
        raise ValueError(f"space_seed={space_seed}, but raw pixels are not trained: space_seed "
                         "is for a feature space (give space='pca', 'umap', ...), or omit it")
    return space_seed


@dataclass(frozen=True)
class TableKey:
    """What names a table: the dataset, its subsample, the feature space and its training
    seed, the method and its parameters other than the defaults.

    Parameters
    ----------
    method : str
    dataset : str, default 'mnist'
    n_samples : int, optional
        The first ``n_samples`` training images (None: all of them).
    space : str, default 'raw'
    space_seed : int, default 0
        The feature space's training seed (0 outside raw: today's folders).
    variant : tuple of (str, value) pairs, default ()
        Parameters that differ from the method's defaults, sorted by name (a dict is
        accepted and sorted).

    Examples
    --------
    >>> key = TableKey("kmeans", "mnist", space="umap", space_seed=1, variant={"n_init": 10})
    >>> key.folder, key.stem
    ('mnist/umap-seed1', 'kmeans-n_init10')
    """

    method: str
    dataset: str = "mnist"
    n_samples: int | None = None
    space: str = "raw"
    space_seed: int = 0
    variant: tuple = ()

    def __post_init__(self):
        variant = dict(self.variant.items() if isinstance(self.variant, dict) else self.variant)
        object.__setattr__(self, "variant", tuple(sorted(variant.items())))
        if self.n_samples is not None:
            object.__setattr__(self, "n_samples", check_int(self.n_samples, "n_samples", min_val=2))
        object.__setattr__(self, "space_seed", check_space_seed(self.space_seed, self.space))
        self.folder  # noqa: B018  (checks the dataset's and the space's names)

    @property
    def folder(self):
        """The table's folder under the results root (:func:`table_name`)."""
        return table_name(self.dataset, self.n_samples, self.space, self.space_seed)

    @property
    def stem(self):
        """The table's file stem (:func:`table_stem`)."""
        return table_stem(self.method, dict(self.variant))



def default_results_dir():
    """Where tables live: ``$MNIST_CLUSTERING_RESULTS``, else the project's ``results/``.

    The project's directory is found from the installed (editable) package, so the
    notebooks, run from ``notebooks/``, read the same tables as the command line.
    """
    if os.environ.get("MNIST_CLUSTERING_RESULTS"):
        return Path(os.environ["MNIST_CLUSTERING_RESULTS"])
    project = Path(__file__).resolve().parents[2]  # results/layout.py -> the project
    if (project / "pyproject.toml").is_file():
        return project / "results"
    return Path.cwd() / "results"


def table_stem(method, variant=None):
    """File stem of a table: the method, then each non-default parameter and its value.

    Examples
    --------
    >>> table_stem("kmeans"), table_stem("kmeans", {"n_init": 10})
    ('kmeans', 'kmeans-n_init10')
    """
    return method + "".join(f"-{key}{value}" for key, value in sorted((variant or {}).items()))


# --------------------------------------------------------------------------- layout
DENSITY_FILE = "density.csv"
"""The Gaussian-mixture and HDBSCAN rows of a feature space, in its table folder."""

PICTURE_FILE = "umap2d.npz"
"""The stored 2-D picture of the autoencoder codes, in the ``autoencoder-umap`` folder."""


def space_folder(space, dataset="mnist", results_dir=None, *, n_samples=None, space_seed=0):
    """The table folder of a feature space (:func:`table_name`) under ``results_dir``.

    Returns
    -------
    pathlib.Path
    """
    root = default_results_dir() if results_dir is None else Path(results_dir)
    return root / table_name(dataset, n_samples, space, space_seed)


def density_path(space, dataset="mnist", results_dir=None, *, n_samples=None, space_seed=0):
    """Where the Gaussian-mixture and HDBSCAN rows of a feature space are stored
    (:data:`DENSITY_FILE`; read them with :func:`mnist_clustering.density.read_density`).

    Returns
    -------
    pathlib.Path
    """
    return space_folder(space, dataset, results_dir, n_samples=n_samples,
                        space_seed=space_seed) / DENSITY_FILE


def picture_path(dataset="mnist", results_dir=None, *, n_samples=None, space_seed=0):
    """Where the stored 2-D picture of the autoencoder codes is (:data:`PICTURE_FILE`).

    Returns
    -------
    pathlib.Path
    """
    return space_folder("autoencoder-umap", dataset, results_dir, n_samples=n_samples,
                        space_seed=space_seed) / PICTURE_FILE


STUDIES_FOLDER = "studies"
"""The folder of the studies' tables (:mod:`mnist_clustering.studies`), in a dataset's."""


def study_path(name, dataset="mnist", results_dir=None, *, n_samples=None):
    """Where the table of the study ``name`` is stored: ``<dataset>/studies/<name>.csv``
    (its sidecar ``<name>.json`` beside it; read it with
    :func:`mnist_clustering.results.read_study`).

    Returns
    -------
    pathlib.Path
    """
    root = default_results_dir() if results_dir is None else Path(results_dir)
    return root / table_name(dataset, n_samples) / STUDIES_FOLDER / f"{name}.csv"
