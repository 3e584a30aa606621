"""The results store: one table per (dataset, method), its provenance, artefacts and
pending silhouettes, safe against interruptions and concurrent writers.

A table is ``results/<table>/<method>.csv``, one row per ``(k, seed)`` (the row key),
with provenance in ``<method>.json`` and kept labels/centres in
``artifacts/<method>-k<k>[-seed<seed>].npz``. Rules this module enforces:

- **Atomic files.** Every file is written to a temporary name in its folder and renamed
  over the final one (:func:`atomic_write`), with the permissions of any file the user
  creates (the umask applies), so a crash leaves the old file or the new one, never half.
- **One writer at a time per table.** Every read-modify-write of a table and its
  provenance holds the table's lock (``filelock``), and merges into what is on disk *now*,
  so any number of processes, sweeps or Dask clients writing one folder lose no row.
- **Strict reading.** :meth:`ResultsStore.load` checks the header, every row's number of
  fields, every cell's type and the uniqueness of the row keys; anything else is a
  :class:`ResultsError` naming the file, the line and the fix.
- **Exact floats.** Floats are written as the shortest text that reads back to the same
  double (Python's ``repr``) and parsed with Python's correctly rounded ``float``, so a
  table extended or resumed later equals the table one run writes, bit for bit.
- **Pending silhouettes are explicit records.** A row whose exact silhouette is still to
  be computed holds an empty ``silhouette`` cell, and its labels wait in
  ``.pending-silhouettes/<method>/k<k>-seed<seed>-<params hash>.npy``. A record is removed
  only once the table holds the silhouette it waited for; an unreadable record is a
  damaged cache: it is removed, said so, and its row is recomputed.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import math
import os
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from . import scores
from .files import atomic_write

COLUMNS = scores.TABLE_COLUMNS
"""Columns of a results table, in order (from the score registry)."""

ROW_KEY = ("k", "seed")
"""The columns that identify a row of a table."""

TEXT_COLUMNS = tuple(c.name for c in scores.SWEEP_SCHEMA if c.kind == "text")
INTEGER_COLUMNS = tuple(c.name for c in scores.SWEEP_SCHEMA if c.kind in ("key", "int"))
PENDING_COLUMN = "silhouette"
"""The column left empty while the exact silhouette is pending."""

NULLABLE_COLUMNS = (PENDING_COLUMN, "seed_index_entropy")
"""Columns that may be empty (NaN): the pending silhouette, and the 2022 notebook's
index entropy, which is 0/0 when a cluster holds image 0 alone."""

LOCK_TIMEOUT = 600.0
"""Seconds to wait for another process's write of the same table before giving up."""

_PENDING_NAME = re.compile(r"k(\d+)-seed(\d+)-([0-9a-f]{12})\.npy")


class ResultsError(ValueError):
    """A results table cannot be used: corrupted, or computed with other parameters."""


def table_name(dataset, n_samples=None, space="raw"):
    """Folder name of a table: the dataset, with the subsample size when there is one,
    and the feature space's subfolder outside ``raw``.

    Examples
    --------
    >>> table_name("mnist")
    'mnist'
    >>> table_name("mnist", 3000)
    'mnist-first3000'
    >>> table_name("mnist", space="umap")
    'mnist/umap'
    """
    name = dataset if n_samples is None else f"{dataset}-first{int(n_samples)}"
    return name if space == "raw" else f"{name}/{space}"


def default_results_dir():
    """Where tables live: ``$MNIST_CLUSTERING_RESULTS``, else the project's ``results/``.

    The project's directory is found from the installed (editable) package, so the
    notebooks, run from ``notebooks/``, read the same tables as the command line.
    """
    if os.environ.get("MNIST_CLUSTERING_RESULTS"):
        return Path(os.environ["MNIST_CLUSTERING_RESULTS"])
    project = Path(__file__).resolve().parents[1]
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


def _say(message):
    print(f"mnist-clustering: {message}", file=sys.stderr)


class ResultsStore:
    """The table of one method in one table folder, with provenance, artefacts, records.

    Parameters
    ----------
    dataset : str
        Table folder name (:func:`table_name`, e.g. ``'mnist'`` or ``'mnist-first3000'``).
    method : str
    results_dir : path-like, optional
        Root of the tables (default :func:`default_results_dir`).
    variant : dict, optional
        Parameters that differ from the method's defaults
        (:func:`mnist_clustering.estimators.non_default_params`): they name the table,
        e.g. ``kmeans-n_init10.csv``, so each parameter set has a table of its own.
    """

    def __init__(self, dataset, method, results_dir=None, *, variant=None):
        from .estimators import check_method

        if results_dir is None:
            results_dir = default_results_dir()
        self.dataset = dataset
        self.method = check_method(method)
        self.variant = dict(variant or {})
        self.name = table_stem(method, self.variant)
        self.root = Path(results_dir)
        self.folder = self.root / dataset
        self.csv = self.folder / f"{self.name}.csv"
        self.provenance_path = self.folder / f"{self.name}.json"
        self.artifacts = self.folder / "artifacts"
        self.labels_folder = self.folder / "labels" / self.name
        self.pending = self.folder / ".pending-silhouettes" / self.name
        self._lock = None

    # ------------------------------------------------------------------ locking
    @contextlib.contextmanager
    def lock(self):
        """Hold this table's inter-process lock (re-entrant within one store object)."""
        from filelock import FileLock, Timeout

        if self._lock is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._lock = FileLock(self.folder / f".{self.name}.lock", timeout=LOCK_TIMEOUT)
        try:
            self._lock.acquire()
        except Timeout as error:
            raise ResultsError(
                f"another process has held the lock {self._lock.lock_file} of {self.csv} for "
                f"over {LOCK_TIMEOUT:.0f} s; if none is running, delete the lock file and retry"
            ) from error
        try:
            yield
        finally:
            self._lock.release()

    # ------------------------------------------------------------------ the table
    def load(self):
        """The stored table (empty if none), every row and cell checked.

        Raises
        ------
        ResultsError
            Naming the file, the line and the fix, for a missing or extra column, a row
            with the wrong number of fields (e.g. cut by a crash), a cell of the wrong
            type, an empty cell outside ``silhouette``, or a repeated ``(k, seed)``.
        """
        if not self.csv.exists():
            return _empty_table()
        try:
            text = self.csv.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise self._error(None, f"is not UTF-8 text ({error})") from error
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if header is None:
            raise self._error(None, "is empty")
        if tuple(header) != COLUMNS:
            missing = [c for c in COLUMNS if c not in header]
            extra = [c for c in header if c not in COLUMNS]
            raise self._error(1, f"has the header {header}: missing {missing}, unexpected {extra}")
        records = []
        seen = {}
        for fields in reader:
            line = reader.line_num
            if not fields:
                continue
            record = self._parse_row(fields, line)
            key = (record["k"], record["seed"])
            if key in seen:
                raise self._error(line, f"repeats k={key[0]}, seed={key[1]} (also on line {seen[key]})",
                                  fix="delete one of the two lines")
            seen[key] = line
            records.append(record)
        return _as_frame(records)

    def _parse_row(self, fields, line):
        if len(fields) != len(COLUMNS):
            raise self._error(line, f"has {len(fields)} fields instead of {len(COLUMNS)} (a write "
                                    "cut short?)")
        record = {}
        for column, cell in zip(COLUMNS, fields):
            record[column] = self._parse_cell(column, cell, line)
        if record["method"] != self.method:
            raise self._error(line, f"holds method {record['method']!r}, not {self.method!r}")
        if record["k"] < 2:
            raise self._error(line, f"has k={record['k']} (< 2)")
        try:
            json.loads(record["params"])
        except json.JSONDecodeError as error:
            raise self._error(line, f"has params {record['params']!r} that are not JSON ({error})") from None
        if not re.fullmatch(r"exact|sampled-\d+", record["silhouette_mode"]):
            raise self._error(line, f"has silhouette_mode {record['silhouette_mode']!r}")
        return record

    def _parse_cell(self, column, cell, line):
        if cell == "":
            if column in NULLABLE_COLUMNS:
                return math.nan
            raise self._error(line, f"has an empty {column!r} cell")
        if column in TEXT_COLUMNS:
            return cell
        try:
            if column in INTEGER_COLUMNS:
                return int(cell)
            value = float(cell)  # correctly rounded: the repr written reads back exactly
        except ValueError:
            kind = "an integer" if column in INTEGER_COLUMNS else "a number"
            raise self._error(line, f"has {column}={cell!r}, which is not {kind}") from None
        if math.isnan(value) and column not in NULLABLE_COLUMNS:
            raise self._error(line, f"has {column}=nan")
        return value

    def _error(self, line, problem, fix="delete that line to have the row recomputed, or move "
                                         "the file away to start over"):
        where = f"{self.csv}, line {line}" if line else str(self.csv)
        return ResultsError(f"results table {where} {problem}; {fix}")

    def save(self, table, provenance):
        """Write table and provenance atomically. Call with :meth:`lock` held."""
        self.folder.mkdir(parents=True, exist_ok=True)
        table = table[list(COLUMNS)].sort_values(list(ROW_KEY), ignore_index=True)
        # pandas writes floats as their repr: the shortest text that reads back exactly
        atomic_write(self.csv, table.to_csv(index=False, na_rep=""))
        atomic_write(self.provenance_path, json.dumps(provenance, indent=2, sort_keys=True) + "\n")

    def check_compatible(self, table, spec, n_samples):
        """Raise :class:`ResultsError` if ``table`` was computed with other parameters.

        The seed is part of a row's key, so rows of several seeds share one table; the
        parameters, the silhouette mode and the images must be the same for every row.
        """
        expected = {"params": spec.params_json, "silhouette_mode": spec.silhouette_mode,
                    "n_samples": n_samples}
        for column, value in expected.items():
            stored = set(table[column].astype(str))
            if stored and stored != {str(value)}:
                raise ResultsError(
                    f"{self.csv} holds rows with {column}={sorted(stored)}, but this sweep "
                    f"uses {column}={value}. Rows with different parameters are never "
                    "mixed: pass another --results-dir for a separate table, or move the "
                    "file away to start over."
                )

    def load_provenance(self):
        """The provenance record of the table (``{}`` if none)."""
        if not self.provenance_path.exists():
            return {}
        try:
            return json.loads(self.provenance_path.read_text())
        except json.JSONDecodeError as error:
            raise ResultsError(f"provenance file {self.provenance_path} is corrupted ({error}); "
                               "move it away (it is rewritten by the next sweep)") from error

    def record(self, row, spec, *, provenance_update, labels=None, force=False):
        """Merge one finished row into the table on disk, under the lock.

        Parameters
        ----------
        row : dict
            Values of :data:`COLUMNS`.
        spec : SweepSpec
            Checked against the rows already stored.
        provenance_update : callable
            ``provenance_update(previous) -> dict``: the provenance to write, from the
            one on disk now.
        labels : ndarray, optional
            The row's labels, kept as a pending record when its silhouette is empty.
        force : bool
            Replace a stored row even when it is complete and this one is pending.

        Returns
        -------
        bool
            Whether the row was written (a complete stored row is kept over a pending
            copy of itself computed by an overlapping sweep).
        """
        key = (int(row["k"]), int(row["seed"]))
        with self.lock():
            table = self.load()
            self.check_compatible(table, spec, row["n_samples"])
            at = (table["k"] == key[0]) & (table["seed"] == key[1])
            pending = math.isnan(row[PENDING_COLUMN])
            if at.any() and not force and pending and table.loc[at, PENDING_COLUMN].notna().all():
                return False
            if pending:
                self.save_pending(key, spec, labels)
            table = pd.concat([table[~at], _as_frame([row])], ignore_index=True)
            self.save(table, provenance_update(self.load_provenance()))
        return True

    # ------------------------------------------------------------------ pending silhouettes
    def pending_path(self, key, spec):
        """The record of row ``key = (k, seed)`` computed with ``spec``'s parameters."""
        digest = hashlib.sha256(f"{spec.params_json}|{spec.silhouette_mode}".encode()).hexdigest()
        k, seed = key
        return self.pending / f"k{k}-seed{seed}-{digest[:12]}.npy"

    def save_pending(self, key, spec, labels):
        """Keep a row's labels until its silhouette is in the table (atomic)."""
        if labels is None:
            raise ValueError(f"row {key} has no silhouette and no labels to compute it from")
        self.pending.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(labels, dtype=np.uint16))
        atomic_write(self.pending_path(key, spec), buffer.getvalue())

    def pending_labels(self, spec, n_samples):
        """Readable pending records of ``spec``: ``{(k, seed): labels}``.

        A record that cannot be read, or whose length is not ``n_samples``, is a damaged
        cache: it is removed, with a message, and its row counts as lost (recomputed).
        """
        if not self.pending.is_dir():
            return {}
        found = {}
        for path in sorted(self.pending.glob("k*-seed*-*.npy")):
            match = _PENDING_NAME.fullmatch(path.name)
            if not match:
                continue
            key = (int(match[1]), int(match[2]))
            if path != self.pending_path(key, spec):
                continue  # another parameter set's record
            labels = _read_labels(path, n_samples)
            if labels is None:
                _say(f"pending silhouette labels {path} are unreadable (a damaged cache); "
                     f"removed: the row k={key[0]}, seed={key[1]} will be recomputed")
                path.unlink(missing_ok=True)
                continue
            found[key] = labels
        return found

    def drop_pending(self, key, spec, labels):
        """Remove a record once its silhouette is stored, if it still holds ``labels``.

        Call with :meth:`lock` held: a newer record written meanwhile (a forced
        recompute) is kept.
        """
        path = self.pending_path(key, spec)
        stored = _read_labels(path, len(labels))
        if stored is not None and np.array_equal(stored, labels):
            path.unlink(missing_ok=True)

    # ------------------------------------------------------------------ artefacts
    def artifact_path(self, k, seed=0):
        """Kept arrays of row ``(k, seed)``; seed 0 keeps the historical name."""
        suffix = "" if int(seed) == 0 else f"-seed{int(seed)}"
        return self.artifacts / f"{self.name}-k{int(k)}{suffix}.npz"

    def save_artifact(self, fit, majority, seed=0):
        """Store labels, centres, medoid indices and majority labels of one row (compressed)."""
        self.artifacts.mkdir(parents=True, exist_ok=True)
        arrays = {"labels": fit.labels.astype(np.uint16), "centers": fit.centers,
                  "majority_labels": np.asarray(majority, dtype=np.uint8)}
        if fit.medoid_indices is not None:
            arrays["medoid_indices"] = fit.medoid_indices
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        path = self.artifact_path(fit.k, seed)
        atomic_write(path, buffer.getvalue())
        return path

    def labels_path(self, k, seed):
        """Stored labels of row ``(k, seed)`` (for stability across seeds)."""
        return self.labels_folder / f"k{int(k)}-seed{int(seed)}.npz"

    def save_labels(self, k, seed, labels):
        """Keep the labels of row ``(k, seed)``, compressed (one byte each up to k = 256)."""
        labels = np.asarray(labels)
        dtype = np.uint8 if labels.max(initial=0) < 256 else np.uint16
        self.labels_folder.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, labels=labels.astype(dtype))
        atomic_write(self.labels_path(k, seed), buffer.getvalue())

    def stored_labels(self):
        """``{(k, seed): labels}`` of every row whose labels are kept."""
        found = {}
        for path in sorted(self.labels_folder.glob("k*-seed*.npz")):
            match = re.fullmatch(r"k(\d+)-seed(\d+)\.npz", path.name)
            if match:
                with np.load(path) as stored:
                    found[(int(match[1]), int(match[2]))] = stored["labels"].astype(np.int64)
        return found

    def load_artifact(self, k, seed=0):
        """The kept arrays of row ``(k, seed)`` as a dict."""
        path = self.artifact_path(k, seed)
        if not path.exists():
            seed_option = "" if int(seed) == 0 else f" --seed {int(seed)}"
            raise FileNotFoundError(
                f"no stored labels/centres for {self.method} at k={k}, seed={seed} ({path}); "
                f"run `mnist-clustering sweep --method {self.method} --k {k} --keep {k}{seed_option}`"
            )
        with np.load(path) as stored:
            return {name: stored[name] for name in stored.files}


def _read_labels(path, n_samples):
    """Labels of a pending record, or None if it is missing, unreadable or of wrong length."""
    try:
        labels = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    if labels.ndim != 1 or len(labels) != n_samples or labels.dtype != np.uint16:
        return None
    return labels.astype(np.int64)


def _as_frame(records):
    table = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    if table.empty:
        return _empty_table()
    for column in INTEGER_COLUMNS:
        table[column] = table[column].astype(np.int64)
    for column in COLUMNS:
        if column not in INTEGER_COLUMNS and column not in TEXT_COLUMNS:
            table[column] = table[column].astype(np.float64)
    return table.sort_values(list(ROW_KEY), ignore_index=True)


def _empty_table():
    table = pd.DataFrame({column: pd.Series(dtype=object if column in TEXT_COLUMNS else
                                            np.int64 if column in INTEGER_COLUMNS else np.float64)
                          for column in COLUMNS})
    return table
