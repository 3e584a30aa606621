"""What produced the stored tables, read from their provenance: package versions, data
hashes, dates, machine, and how many fits ran at once.

Read from the JSON beside each table, not from the running Python, so a notebook shows
what produced its numbers (and re-executes to the same output).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

__all__ = ["fit_concurrency", "fit_time_label", "environment"]



def _provenances(dataset, results_dir=None, methods=None):
    from ..results import default_results_dir

    folder = (default_results_dir() if results_dir is None else Path(results_dir)) / dataset
    paths = sorted(folder.glob("*.json"))
    out = {path.stem: json.loads(path.read_text()) for path in paths}
    return {m: p for m, p in out.items() if methods is None or m in methods}


def fit_concurrency(dataset, method, results_dir=None, slack=1.0):
    """How many fits of a stored sweep ran at the same time, at most (from its provenance).

    Each k was fitted and scored during the ``wall_seconds`` before its ``finished``
    time, less the ``silhouette_seconds`` added when silhouettes were filled in later.
    ``finished`` is written to the second, when the row reached the driver, so each
    interval's end is moved ``slack`` seconds earlier before counting the largest number
    of intervals that overlap.

    Parameters
    ----------
    dataset, method : str
    results_dir : path-like, optional
    slack : float, default 1.0

    Returns
    -------
    int
        1 for a serial sweep; 0 if the table has no per-k timings.
    """
    prov = _provenances(dataset, results_dir, [method]).get(method, {})
    events = []
    for entry in prov.get("per_k", {}).values():
        end = pd.Timestamp(entry["finished"]).timestamp()
        busy = entry["wall_seconds"] - entry.get("silhouette_seconds", 0.0)
        events += [(end - busy, 1), (end - min(slack, busy), -1)]
    running, most = 0, 0
    for _, step in sorted(events, key=lambda e: (e[0], e[1])):
        running += step
        most = max(most, running)
    return most


def fit_time_label(dataset, method, results_dir=None):
    """Axis label of the fit times of a sweep, saying when fits ran concurrently.

    Parameters
    ----------
    dataset : str
        Table folder name.
    method : str
    results_dir : path-like, optional

    Returns
    -------
    str
        ``'Fit time (s)'``, or with how many fits ran at once (:func:`fit_concurrency`).

    Examples
    --------
    >>> fit_time_label("no-such-table", "kmeans")
    'Fit time (s)'
    """
    n = fit_concurrency(dataset, method, results_dir)
    return f"Fit time (s; {n} fits ran at once)" if n > 1 else "Fit time (s)"


def environment(dataset="mnist", results_dir=None):
    """Package versions and data hashes the stored tables were computed with.

    Read from the provenance JSON beside each table, not from the running Python, so a
    notebook shows what produced its numbers (and re-executes to the same output).

    Parameters
    ----------
    dataset : str, default 'mnist'
        Table folder name (``'mnist/umap'`` for a feature space's).
    results_dir : path-like, optional

    Returns
    -------
    pandas.DataFrame
        One row per package, data hash (the first 16 hex digits of the SHA-256), dates
        and machine; one column per group of tables with the same values (named by the
        tables).
    """
    columns = {}
    for method, prov in _provenances(dataset, results_dir).items():
        column = {name: str(v) for name, v in sorted(prov.get("versions", {}).items())}
        # a feature space was built before its tables were computed, with packages of its
        # own (umap-learn, TensorFlow, Keras): those are shown too, named as such where
        # a version differs from the table's
        built = (prov.get("space") or {}).get("versions", {})
        for name, version in sorted(built.items()):
            if column.get(name, str(version)) == str(version):
                column[name] = str(version)
            else:
                column[f"{name} (space built with)"] = str(version)
        column = dict(sorted(column.items()))
        for name, digest in sorted(prov.get("data", {}).items()):
            column[name.replace("_sha256", " sha256")] = f"{digest[:16]}…"
        column["computed"] = f"{prov.get('created', '?')[:10]} to {prov.get('updated', '?')[:10]}"
        column["machine"] = f"{prov.get('machine', '?')}, {prov.get('cpu_count', '?')} CPUs"
        columns[method] = column
    if not columns:
        raise FileNotFoundError(f"no provenance (*.json) for the tables of {dataset!r}")
    out = pd.DataFrame(columns).fillna("–")
    groups = {}
    for method in out.columns:
        groups.setdefault(tuple(out[method]), []).append(method)
    out = pd.DataFrame({", ".join(names): list(values) for values, names in groups.items()},
                       index=out.index)
    out.index.name = "package or data"
    return out
