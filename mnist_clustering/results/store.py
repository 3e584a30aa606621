"""The results store: one table per key (:class:`~mnist_clustering.results.layout.TableKey`), its provenance, artefacts and
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
  A process that has to wait says for whom (``.<method>.lock.owner``: process, host,
  command, since when, and whether that process is stopped).
- **Strict reading.** :meth:`ResultsStore.load` checks the header, every row's number of
  fields, every cell's type and range (:data:`mnist_clustering.scores.VALUE_RANGES`: no
  ``inf``, no purity of 7.5, no k above n), the uniqueness of the row keys and every
  row's digest; anything else is a :class:`ResultsError` naming the file, the line where
  the bad row starts, and the fix.
- **Rows carry their own check.** The last column, ``row_digest``, is the xxh3-64
  digest (:func:`row_digest`) of the row's values as the package wrote them. A row
  changed outside the package (a spreadsheet re-saving the table rounds floats to 15
  digits) no longer matches it and is refused, naming the line; deleting a line is
  still how a row is recomputed, as every other row keeps its own digest. A table
  written before rows had digests (its header ends at ``n_iter``) is read as it is and
  gets them at its next write.
- **Exact floats.** Floats are written as the shortest text that reads back to the same
  double (Python's ``repr``) and parsed with Python's correctly rounded ``float``, so a
  table extended or resumed later equals the table one run writes, bit for bit.
- **Kept records are checked.** Artefacts, kept labels and pending silhouette labels
  are records (:mod:`mnist_clustering.records`): each file carries a checksum of its
  arrays and its name, verified before use. A damaged one is a damaged cache: a sweep
  removes it, says so in one line and recomputes its row (it never counts as done); a
  reader (:meth:`ResultsStore.load_artifact`, :meth:`ResultsStore.stored_labels`)
  raises a :class:`ResultsError` naming it and the command that recomputes it.
- **Pending silhouettes are explicit records.** A row whose exact silhouette is still to
  be computed holds an empty ``silhouette`` cell, and its labels wait in
  ``.pending-silhouettes/<method>/k<k>-seed<seed>-<params hash>.npz``. A record is
  removed only once the table holds the silhouette it waited for.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from .. import scores
from ..checks import check_int
from ..files import atomic_write, digest
from ..messages import logger
from ..provenance import sha256_hex
from ..records import DamagedRecordError, add_checksum, read_record, write_record
from .layout import default_results_dir, table_stem

__all__ = ["COLUMNS", "DIGEST_COLUMN", "HEADER", "INTEGER_COLUMNS", "LOCK_NOTICE_SECONDS",
           "LOCK_TIMEOUT", "NULLABLE_COLUMNS", "PENDING_COLUMN", "ROW_KEY", "TEXT_COLUMNS",
           "ResultsError", "ResultsStore", "add_checks", "row_digest"]

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

DIGEST_COLUMN = "row_digest"
"""The last column of a stored table: each row's :func:`row_digest`."""

HEADER = (*COLUMNS, DIGEST_COLUMN)
"""The header of a stored table."""

LOCK_TIMEOUT = 600.0
"""Seconds to wait for another process's write of the same table before giving up."""

LOCK_NOTICE_SECONDS = 2.0
"""Seconds of waiting for a table's lock before saying whose it is."""

_PENDING_NAME = re.compile(r"k(\d+)-seed(\d+)-([0-9a-f]{12})\.npz")
_INT64_MAX = 2**63 - 1
_SLACK = 1e-9  # rounding of a bounded score computed in float64 (e.g. 1 - H(C|K)/H(C))


class ResultsError(ValueError):
    """A results table cannot be used: corrupted, or computed with other parameters."""


_log = logger(__package__)  # the lines say [mnist_clustering.results]


def row_digest(row):
    """The digest of a row (a mapping of :data:`COLUMNS` to values): xxh3-64 of each
    value's exact text (``repr`` of floats, empty for NaN) in column order.

    Examples
    --------
    >>> row = {c: 0 for c in COLUMNS} | {"method": "kmeans", "params": "{}",
    ...                                  "silhouette_mode": "exact", "inertia": 0.1}
    >>> row_digest(row) == row_digest(row | {"inertia": 0.1 + 1e-16})
    False
    """
    return digest("\x1f".join(_canonical(column, row[column]) for column in COLUMNS).encode())


def _canonical(column, value):
    if column in TEXT_COLUMNS:
        return str(value)
    if column in INTEGER_COLUMNS:
        return str(int(value))
    value = float(value)
    return "" if math.isnan(value) else repr(value)


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
        if results_dir is None:
            results_dir = default_results_dir()
        self.dataset = dataset
        self.method = method  # checked by whoever names the table (make_spec, table_key)
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
        """Hold this table's inter-process lock (re-entrant within one store object).

        When another process holds it for more than :data:`LOCK_NOTICE_SECONDS`, one
        line on stderr says whose it is (its ``.owner`` record) and that this one waits,
        up to :data:`LOCK_TIMEOUT` seconds.
        """
        from filelock import FileLock, Timeout

        if self._lock is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._lock = FileLock(self.folder / f".{self.name}.lock", timeout=LOCK_TIMEOUT)
        owner = Path(f"{self._lock.lock_file}.owner")
        outermost = not self._lock.is_locked
        try:
            self._lock.acquire(timeout=LOCK_NOTICE_SECONDS if outermost else LOCK_TIMEOUT)
        except Timeout:
            _log.info(f"waiting for {self.csv}: its lock is held by {_lock_owner(owner)}; "
                 f"waiting up to {LOCK_TIMEOUT:.0f} s")
            try:
                self._lock.acquire(timeout=LOCK_TIMEOUT - LOCK_NOTICE_SECONDS)
            except Timeout as error:
                raise ResultsError(
                    f"the lock {self._lock.lock_file} of {self.csv} has been held by "
                    f"{_lock_owner(owner)} for over {LOCK_TIMEOUT:.0f} s; end or resume that "
                    "process, or, if none is running, delete the lock file and retry"
                ) from error
        try:
            if outermost:
                _write_owner(owner)
            yield
        finally:
            if outermost:
                owner.unlink(missing_ok=True)
            self._lock.release()

    # ------------------------------------------------------------------ the table
    def load(self):
        """The stored table (empty if none), every row and cell checked.

        Raises
        ------
        ResultsError
            Naming the file, the line where the bad row starts and the fix, for a
            missing or extra column, a row with the wrong number of fields (e.g. cut by
            a crash, even inside its quoted ``params``), a cell of the wrong type or
            outside its column's range, an empty cell outside ``silhouette``, a row
            whose values do not match its digest, or a repeated ``(k, seed)``.
        """
        if not self.csv.exists():
            return _empty_table()
        try:
            text = self.csv.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise self._error(None, f"is not UTF-8 text ({error})") from error
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader, None)
        except csv.Error as error:
            raise self._error(1, f"has an unreadable header ({error})") from None
        if header is None:
            raise self._error(None, "is empty")
        if tuple(header) not in (HEADER, COLUMNS):
            missing = [c for c in HEADER if c not in header]
            extra = [c for c in header if c not in HEADER]
            raise self._error(1, f"has the header {header}: missing {missing}, unexpected "
                                 f"{extra}")
        digests = tuple(header) == HEADER  # a table written before rows had digests: none
        records = []
        seen = {}
        while True:
            start = reader.line_num + 1  # where the next row starts (its own line)
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as error:  # a huge cell, a NUL byte, a quote left open
                raise self._error(start, f"cannot be read as CSV ({error})") from None
            if not fields:
                continue
            line = _lines(start, reader.line_num)
            record = self._parse_row(fields, line, digests)
            key = (record["k"], record["seed"])
            if key in seen:
                raise self._error(line, f"repeats k={key[0]}, seed={key[1]} (also on line "
                                        f"{int(seen[key])})", fix="delete one of the two lines")
            seen[key] = line
            records.append(record)
        return _as_frame(records)

    def _parse_row(self, fields, line, digests=True):
        width = len(HEADER) if digests else len(COLUMNS)
        if len(fields) != width:
            raise self._error(line, f"has {len(fields)} fields instead of {width} (a write "
                                    "cut short?)")
        record = {}
        for column, cell in zip(COLUMNS, fields):
            record[column] = self._parse_cell(column, cell, line)
        if record["method"] != self.method:
            raise self._error(line, f"holds method {record['method'][:80]!r}, not {self.method!r}")
        problem = _impossible(record)
        if problem:
            raise self._error(line, f"has {problem}")
        try:
            params = json.loads(record["params"])
        except (json.JSONDecodeError, RecursionError) as error:
            raise self._error(line, f"has params {record['params'][:80]!r} that are not JSON "
                                    f"({error})") from None
        if not isinstance(params, dict):
            raise self._error(line, f"has params {record['params'][:80]!r}, not a JSON object")
        if not re.fullmatch(r"exact|sampled-\d+", record["silhouette_mode"]):
            raise self._error(line, f"has silhouette_mode {record['silhouette_mode'][:80]!r}")
        if digests and fields[-1] != row_digest(record):
            raise self._error(
                line, "was changed outside mnist-clustering: its values do not match its "
                      f"{DIGEST_COLUMN} (a spreadsheet that re-saves a table rounds its numbers)",
                fix="delete that line to have the row recomputed, or restore the file as "
                    "the package wrote it (e.g. `git checkout` it)")
        return record

    def _parse_cell(self, column, cell, line):
        if cell == "":
            if column in NULLABLE_COLUMNS:
                return math.nan
            raise self._error(line, f"has an empty {column!r} cell")
        if column in TEXT_COLUMNS:
            return cell
        shown = cell if len(cell) <= 40 else f"{cell[:40]}... ({len(cell)} characters)"
        try:
            if column in INTEGER_COLUMNS:
                if len(cell) > 40:  # far beyond 64 bits: not parsed (nor echoed in full)
                    raise ValueError
                return int(cell)  # its range is checked with the row's (_impossible)
            value = float(cell)  # correctly rounded: the repr written reads back exactly
        except ValueError:
            kind = "an integer" if column in INTEGER_COLUMNS else "a number"
            raise self._error(line, f"has {column}={shown!r}, which is not {kind}") from None
        if math.isnan(value) and column not in NULLABLE_COLUMNS:
            raise self._error(line, f"has {column}=nan")
        if math.isinf(value):
            raise self._error(line, f"has {column}={shown}, which no score or time can be")
        return value

    def _error(self, line, problem, fix="delete that line to have the row recomputed, or move "
                                         "the file away to start over"):
        where = f"{self.csv}, line {line}" if line else str(self.csv)
        return ResultsError(f"results table {where} {problem}; {fix}")

    def save(self, table, provenance):
        """Write table (with its rows' digests) and provenance atomically. Call with
        :meth:`lock` held.

        Raises
        ------
        ResultsError
            If a row holds a value no score can take (nothing is written).
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        table = table[list(COLUMNS)].sort_values(list(ROW_KEY), ignore_index=True)
        records = table.to_dict("records")
        for record in records:
            problem = _impossible(record)
            if problem:
                raise ResultsError(f"refusing to write row k={record['k']}, seed="
                                   f"{record['seed']} to {self.csv}: it has {problem}")
        table[DIGEST_COLUMN] = [row_digest(record) for record in records]
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
        """The provenance record of the table (``{}`` if none): a JSON object."""
        if not self.provenance_path.exists():
            return {}
        fix = "move it away (it is rewritten by the next sweep)"
        try:
            provenance = json.loads(self.provenance_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
            raise ResultsError(f"provenance file {self.provenance_path} is corrupted "
                               f"({error.__class__.__name__}: {error}); {fix}") from None
        if not isinstance(provenance, dict):
            raise ResultsError(f"provenance file {self.provenance_path} holds a JSON "
                               f"{type(provenance).__name__}, not an object; {fix}")
        return provenance

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

    # ------------------------------------------------------------------ kept records
    def usable(self, path, required=()):
        """Whether the record ``path`` exists and passes its check. A damaged one is a
        damaged cache: it is removed, and one line on stderr says so."""
        if not Path(path).exists():
            return False
        try:
            read_record(path, required)
        except DamagedRecordError as error:
            Path(path).unlink(missing_ok=True)
            _log.info(f"{error}: removed; its row will be recomputed")
            return False
        return True

    def _read(self, path, required, fix):
        try:
            return read_record(path, required)
        except DamagedRecordError as error:
            raise ResultsError(f"{error}; {fix} (the damaged file is replaced)") from None

    # ------------------------------------------------------------------ pending silhouettes
    def pending_path(self, key, spec):
        """The record of row ``key = (k, seed)`` computed with ``spec``'s parameters."""
        name = sha256_hex(f"{spec.params_json}|{spec.silhouette_mode}".encode())[:12]
        k, seed = key
        return self.pending / f"k{k}-seed{seed}-{name}.npz"

    def save_pending(self, key, spec, labels):
        """Keep a row's labels until its silhouette is in the table (an atomic record)."""
        if labels is None:
            raise ValueError(f"row {key} has no silhouette and no labels to compute it from")
        write_record(self.pending_path(key, spec), {"labels": np.asarray(labels, dtype=np.uint16)})

    def pending_labels(self, spec, n_samples):
        """Sound pending records of ``spec``: ``{(k, seed): labels}``.

        A record that fails its check, or whose labels are not ``n_samples`` values in
        ``0..k-1`` with at least two of them, is a damaged cache: it is removed, with a
        message, and its row counts as lost (recomputed). So is a record without a
        checksum (``.npy``, kept by an older version).
        """
        if not self.pending.is_dir():
            return {}
        found = {}
        for path in sorted(self.pending.glob("k*-seed*-*.np[yz]")):
            if path.suffix == ".npy":
                _log.info(f"pending silhouette labels {path} carry no checksum (kept by an older "
                     "version): removed; their row will be recomputed")
                path.unlink(missing_ok=True)
                continue
            match = _PENDING_NAME.fullmatch(path.name)
            if not match:
                continue
            key = (int(match[1]), int(match[2]))
            if path != self.pending_path(key, spec):
                continue  # another parameter set's record
            labels, problem = _pending_labels(path, key[0], n_samples)
            if problem:
                _log.info(f"pending silhouette labels {path} are damaged ({problem}): removed; "
                     f"the row k={key[0]}, seed={key[1]} will be recomputed")
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
        stored, problem = _pending_labels(path, key[0], len(labels))
        if not problem and np.array_equal(stored, labels):
            path.unlink(missing_ok=True)

    # ------------------------------------------------------------------ artefacts
    def artifact_path(self, k, seed=0):
        """Kept arrays of row ``(k, seed)``; seed 0 keeps the historical name."""
        k, seed = _check_key(k, seed)
        suffix = "" if seed == 0 else f"-seed{seed}"
        return self.artifacts / f"{self.name}-k{k}{suffix}.npz"

    def save_artifact(self, fit, majority, seed=0):
        """Store labels, centres, medoid indices and majority labels of one row (a record)."""
        arrays = {"labels": fit.labels.astype(np.uint16), "centers": fit.centers,
                  "majority_labels": np.asarray(majority, dtype=np.uint8)}
        if fit.medoid_indices is not None:
            arrays["medoid_indices"] = fit.medoid_indices
        return write_record(self.artifact_path(fit.k, seed), arrays)

    def labels_path(self, k, seed):
        """Stored labels of row ``(k, seed)`` (for stability across seeds)."""
        k, seed = _check_key(k, seed)
        return self.labels_folder / f"k{k}-seed{seed}.npz"

    def save_labels(self, k, seed, labels):
        """Keep the labels of row ``(k, seed)``, compressed (one byte each up to k = 256)."""
        labels = np.asarray(labels)
        dtype = np.uint8 if labels.max(initial=0) < 256 else np.uint16
        write_record(self.labels_path(k, seed), {"labels": labels.astype(dtype)})

    def stored_labels(self):
        """``{(k, seed): labels}`` of every row whose labels are kept.

        Raises
        ------
        ResultsError
            If a kept labels file is damaged, naming it and the sweep that recomputes it.
        """
        found = {}
        for path in sorted(self.labels_folder.glob("k*-seed*.npz")):
            match = re.fullmatch(r"k(\d+)-seed(\d+)\.npz", path.name)
            if match:
                k, seed = int(match[1]), int(match[2])
                fix = f"recompute it with `{self.sweep_command(k, seed)} --keep-labels`"
                found[(k, seed)] = self._read(path, ("labels",), fix)["labels"].astype(np.int64)
        return found

    def load_artifact(self, k, seed=0):
        """The kept arrays of row ``(k, seed)`` as a dict.

        Raises
        ------
        FileNotFoundError
            If none is kept, with the command that keeps it.
        ResultsError
            If the file is damaged, naming it and the same command.
        """
        path = self.artifact_path(k, seed)
        k, seed = _check_key(k, seed)
        command = f"{self.sweep_command(k, seed)} --keep {k}"
        if not path.exists():
            raise FileNotFoundError(
                f"no stored labels/centres for {self.method} at k={k}, seed={seed} ({path}); "
                f"run `{command}`")
        return self._read(path, ("labels", "centers", "majority_labels"),
                          f"recompute it with `{command}`")

    def sweep_command(self, k, seed=0):
        """The command line of a sweep of row ``(k, seed)`` into this store's table.

        Parameters
        ----------
        k : int or str
            The k to sweep, or a placeholder such as ``"..."``.
        seed : int, default 0

        Returns
        -------
        str
            ``mnist-clustering sweep --method ... --k ...`` with the options that name this
            table (dataset, sample size, space, training seed, parameters, results folder).
        """
        dataset, _, space = self.dataset.partition("/")
        name, _, first = dataset.partition("-first")
        space, space_seed = re.fullmatch(r"(.*?)(?:-seed(\d+))?", space).groups()
        options = [f"--method {self.method}", f"--k {k}"]
        options += [f"--dataset {name}"] if name != "mnist" else []
        options += [f"--n-samples {first}"] if first else []
        options += [f"--space {space}"] if space else []
        options += [f"--space-seed {space_seed}"] if space_seed else []
        options += [f"--seeds {seed}"] if seed else []
        options += [f"--n-init {value}" for key, value in self.variant.items() if key == "n_init"]
        if self.root.resolve() != default_results_dir().resolve():
            options.append(f"--results-dir {self.root}")
        return "mnist-clustering sweep " + " ".join(options)


def _lines(start, end):
    """A row's line for messages: its first line, saying where it ends if it runs on."""
    return start if end == start else _RowLines(start, end)


class _RowLines(int):
    """The first line of a row that runs over several lines (a quote left open)."""

    def __new__(cls, start, end):
        line = super().__new__(cls, start)
        line.end = end
        return line

    def __str__(self):
        return f"{int(self)} (the row runs on to line {self.end}: a quote left open?)"

    def __format__(self, spec):
        return str(self)


def _impossible(record):
    """What in ``record`` no row can hold (a value outside its column's range, k or the
    misassigned images above n), or '' if nothing."""
    for column, (low, high) in scores.VALUE_RANGES.items():
        value = record[column]
        if isinstance(value, float) and math.isnan(value):
            continue  # a nullable cell; a NaN elsewhere is refused by the parser
        if column in INTEGER_COLUMNS and not -_INT64_MAX <= value <= _INT64_MAX:
            return f"{column}={value}, not a 64-bit integer"
        slack = 0 if column in INTEGER_COLUMNS else _SLACK
        if (low is not None and value < low - slack) or (high is not None and value > high + slack):
            bounds = f"[{low}, {high}]" if high is not None else f">= {low}"
            return f"{column}={value}, which no row can hold (it lies in {bounds})"
    for column in ("k", "n_errors"):
        if record[column] > record["n_samples"]:
            return (f"{column}={record[column]} for n_samples={record['n_samples']} images, "
                    "which no row can hold")
    return ""


def _check_key(k, seed):
    return check_int(k, "k", min_val=2), check_int(seed, "seed", min_val=0, max_val=2**32 - 1)


def _pending_labels(path, k, n_samples):
    """``(labels, '')`` of a sound pending record of row k, or ``(None, problem)``."""
    try:
        labels = read_record(path, ("labels",))["labels"]
    except FileNotFoundError:
        return None, "missing"
    except DamagedRecordError as error:
        return None, error.reason
    if labels.ndim != 1 or len(labels) != n_samples or labels.dtype != np.uint16:
        return None, f"{labels.dtype} labels of shape {labels.shape}, not {n_samples} uint16"
    if labels.max(initial=0) >= k or len(np.unique(labels)) < 2:
        return None, f"labels outside 0..{k - 1} or a single cluster"
    return labels.astype(np.int64), ""


def _write_owner(path):
    """Say who holds a table's lock: this process, host, command line and time."""
    import socket
    from datetime import datetime, timezone

    command = " ".join([os.path.basename(sys.argv[0] or "python"), *sys.argv[1:]])
    info = {"pid": os.getpid(), "host": socket.gethostname(), "command": command[:200],
            "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    with contextlib.suppress(OSError):
        atomic_write(path, json.dumps(info) + "\n")


def _lock_owner(path):
    """Who holds a lock, from its owner record, for messages."""
    import socket

    try:
        info = json.loads(Path(path).read_text())
        pid, host = int(info["pid"]), str(info["host"])
    except (OSError, ValueError, KeyError, TypeError):
        return "another process (it left no owner record)"
    who = f"process {pid} on {host} (`{info.get('command', '?')}`, since {info.get('since', '?')})"
    if host == socket.gethostname():
        import psutil

        try:
            if psutil.Process(pid).status() == psutil.STATUS_STOPPED:
                who += f", which is stopped: resume it with `kill -CONT {pid}` or end it"
        except psutil.Error:
            who += ", which is no longer running"
    return who


def add_checks(results_dir):
    """Give the tables and kept records of ``results_dir`` that were written before they
    carried checks their checks, vouching for them as they are (no number changes).

    Every such table is read and written again, under its lock, with its rows' digests
    (:data:`DIGEST_COLUMN`); every kept record (artefacts, kept labels) without a
    checksum gets one (:func:`mnist_clustering.records.add_checksum`). Tables and records
    that have them are left as they are.

    Returns
    -------
    (int, int)
        The numbers of tables and records changed.
    """
    root = Path(results_dir)
    tables = records = 0
    for path in sorted(root.rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            if tuple(next(reader, ())) != COLUMNS:
                continue  # a table with its digests already, or a density table
            first = next(reader, None)
        if first is None or len(first) != len(COLUMNS):
            continue  # no row to vouch for (or a damaged one: load() names it)
        method = first[COLUMNS.index("method")]  # the table's rows say whose it is
        store = ResultsStore(path.parent.relative_to(root).as_posix(), method, root)
        store.name, store.csv = path.stem, path  # the variant is in the name already
        store.provenance_path = path.with_suffix(".json")
        with store.lock():
            store.save(store.load(), store.load_provenance())
        tables += 1
    for folder in ("artifacts", "labels"):
        for path in sorted(root.rglob(f"{folder}/**/*.npz")):
            records += add_checksum(path)
    return tables, records


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
