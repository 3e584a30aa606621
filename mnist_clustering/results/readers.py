"""The readers of stored tables: a table, its provenance, its artefacts, its kept labels,
each named as a sweep names it (the method and its parameters, the dataset, the
subsample, the feature space and its training seed).
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from ..files import digest
from .layout import TableKey, default_results_dir, study_path
from .store import ResultsStore

__all__ = ["load_artifacts", "load_labels", "load_provenance", "load_results", "open_store",
           "read_study", "table_key"]


def table_key(method, dataset="mnist", *, n_samples=None, space="raw", space_seed=0, **params):
    """The :class:`TableKey` of a stored table, every part of it checked as ``run_sweep``
    checks it (the dataset, the space, the method and its parameters).

    Returns
    -------
    TableKey
    """
    from ..data import check_dataset
    from ..estimators import get_method
    from ..spaces import SPACES

    check_dataset(dataset)
    if space not in SPACES:
        raise ValueError(f"unknown space {space!r}; choose one of {', '.join(SPACES)}")
    kind = get_method(method)  # the one check of the name on a reader's path
    variant = kind.non_default(kind.params(**params))
    return TableKey(method, dataset, n_samples, space, space_seed, variant)


def open_store(key, results_dir=None):
    """The :class:`~mnist_clustering.results.store.ResultsStore` of the table ``key``
    (a :class:`~mnist_clustering.results.layout.TableKey`) under ``results_dir``."""
    return ResultsStore(key.folder, key.method, results_dir, variant=dict(key.variant))


def _store(method, dataset, results_dir, n_samples, params, space="raw", space_seed=0):
    return open_store(table_key(method, dataset, n_samples=n_samples, space=space,
                                space_seed=space_seed, **params), results_dir)


def load_results(method, dataset="mnist", results_dir=None, *, n_samples=None, space="raw",
                 space_seed=0, **params):
    """The stored sweep table of ``method`` on ``dataset`` (a pandas DataFrame), all seeds.

    Parameters
    ----------
    method : {'kmeans', 'kmedoids-alternate', 'kmedoids-fasterpam'}
    dataset : {'mnist', 'digits'}
    results_dir : path-like, optional
        Root of the tables (default :func:`default_results_dir`).
    n_samples : int, optional
        Read the table of a sweep run on the first ``n_samples`` images (``--n-samples``).
    space : str, default 'raw'
        Read a feature space's table (``load_results("kmeans", space="umap")``).
    space_seed : int, default 0
        The feature space's training seed (``--space-seed``): its tables are in
        ``<dataset>/<space>-seed<s>/`` from 1 on.
    **params
        Parameters other than the method's defaults (e.g. ``n_init=10``): read that
        parameter set's table.

    Returns
    -------
    pandas.DataFrame
        One row per (k, seed), the columns of :data:`COLUMNS`, sorted by k then seed.

    Raises
    ------
    FileNotFoundError
        If no table exists yet, with the command that computes it.
    """
    store = _store(method, dataset, results_dir, n_samples, params, space, space_seed)
    if not store.csv.exists():
        raise FileNotFoundError(
            f"no results for {method} on {dataset} ({space} space) at {store.csv}; compute "
            f"them with `{store.sweep_command('...')}` or run_sweep(...)"
        )
    return store.load()


def load_provenance(method, dataset="mnist", results_dir=None, *, n_samples=None, space="raw",
                    space_seed=0, **params):
    """The provenance record (parameters, versions, hashes, per-k times) of a table.

    Parameters as :func:`load_results`.

    Returns
    -------
    dict
    """
    return _store(method, dataset, results_dir, n_samples, params, space,
                  space_seed).load_provenance()


def load_artifacts(method, k, dataset="mnist", results_dir=None, *, n_samples=None, seed=0,
                   space="raw", space_seed=0, **params):
    """Stored labels, centres (and medoid indices) of ``method`` at ``k`` (and ``seed``).

    Parameters
    ----------
    method : {'kmeans', 'kmedoids-alternate', 'kmedoids-fasterpam'}
    k : int
        A k whose artefacts were kept (``keep``, ``--keep``).
    dataset : {'mnist', 'digits'}
    results_dir : path-like, optional
        Root of the tables (default :func:`default_results_dir`).
    n_samples : int, optional
        Read those of a sweep run on the first ``n_samples`` images (``--n-samples``).
    seed : int, default 0
    space : str, default 'raw'
    space_seed : int, default 0
        The feature space's training seed.
    **params
        Parameters other than the method's defaults: that parameter set's artefacts.

    Returns
    -------
    dict
        ``labels`` (n,), ``centers`` (k, d), ``majority_labels`` (k,) and, for
        K-Medoids, ``medoid_indices`` (k,).
    """
    return _store(method, dataset, results_dir, n_samples, params, space,
                  space_seed).load_artifact(k, seed)


def load_labels(method, dataset="mnist", results_dir=None, *, n_samples=None, space="raw",
                space_seed=0, **params):
    """``{(k, seed): labels}`` of every row whose labels were kept (``keep_labels``).

    Parameters as :func:`load_results`.

    Returns
    -------
    dict
    """
    return _store(method, dataset, results_dir, n_samples, params, space,
                  space_seed).stored_labels()


def _studies_command(dataset, results_dir, n_samples):
    """The command line that computes the studies of ``dataset`` into ``results_dir``."""
    options = [f"--dataset {dataset}"] if dataset != "mnist" else []
    options += [f"--n-samples {n_samples}"] if n_samples else []
    if results_dir is not None and Path(results_dir).resolve() != default_results_dir().resolve():
        options.append(f"--results-dir {results_dir}")
    return " ".join(["mnist-clustering sweep --preset studies", *options])


def read_study(name, dataset="mnist", results_dir=None, *, n_samples=None):
    """A stored study's table (:mod:`mnist_clustering.studies`, written by
    :func:`mnist_clustering.studies.write_study`), checked against its sidecar (checksum,
    columns, rows).

    Parameters
    ----------
    name : str
        ``'epochs'``, ``'neighbours'`` or ``'umap-recipe'``.
    dataset : str, default 'mnist'
    results_dir : path-like, optional
    n_samples : int, optional

    Raises
    ------
    FileNotFoundError
        If the study is not stored; the message says how to compute it.
    ValueError
        If the table does not match its sidecar (edited or damaged): the message names
        the file and the fix.
    """
    path = Path(study_path(name, dataset, results_dir, n_samples=n_samples))
    command = _studies_command(dataset, results_dir, n_samples)
    fix = f"re-run `{command}`, which computes it again"
    if not path.exists():
        stored = sorted(other.stem for other in path.parent.glob("*.csv"))
        raise FileNotFoundError(
            f"no stored study {name!r} at {path}"
            + (f" (stored: {', '.join(stored)})" if stored else "")
            + f": run `{command}`"
            + (" (or make reproduce)" if command.endswith("studies") else ""))
    text = path.read_text()
    try:
        sidecar = json.loads(path.with_suffix(".json").read_text())
    except (OSError, ValueError) as error:
        raise ValueError(f"{path.with_suffix('.json')} is missing or unreadable ({error}): "
                         f"{fix}") from None
    if not isinstance(sidecar, dict) or sidecar.get("checksum") != digest(text.encode()):
        raise ValueError(f"{path} does not match the checksum of its sidecar (edited or "
                         f"damaged): {fix}")
    import pandas as pd

    table = pd.read_csv(StringIO(text))
    if list(table.columns) != sidecar.get("columns") or len(table) != sidecar.get("rows"):
        raise ValueError(f"{path} does not have the columns and rows its sidecar lists: {fix}")
    return table
