"""How the views write: Markdown computed from the tables, row names, number formats.

:class:`Text` is what the ``*_note`` and ``conclusion_*`` functions return, so that the
numbers a sentence quotes are read from the same table as the output below it.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from .. import scores
from ..estimators import RECOMMENDED_N_INIT

__all__ = ["ROW_NAMES", "METHOD_NAMES", "RECOMMENDED", "BEST_OF_STARTS", "Text", "Table", "table",
           "significant"]


ROW_NAMES = scores.TABLE_LABELS
"""Readable row names of the comparison tables."""

RECOMMENDED = f"kmeans-n_init{RECOMMENDED_N_INIT}"
"""The method key of K-Means keeping the lowest inertia of
:data:`~mnist_clustering.estimators.RECOMMENDED_N_INIT` starts (its own table,
``kmeans-n_init10``): the recommended K-Means in a feature space."""

BEST_OF_STARTS = f"best of {RECOMMENDED_N_INIT} starts"
"""How the sentences name the recommended choice among starts (K-Means, and the spaces
preset's Gaussian mixture, which keeps as many starts)."""

METHOD_NAMES = {"kmeans": "K-Means", RECOMMENDED: f"K-Means, {BEST_OF_STARTS}",
                "gmm": "Gaussian mixture", "hdbscan": "HDBSCAN"}
"""Readable names of the methods in the notebooks' tables and sentences."""


class Text(str):
    """Markdown computed from the tables: a notebook shows it formatted, a terminal as text.

    Returned by the ``*_note`` and ``conclusion_*`` functions, so that the numbers a
    sentence quotes are read from the same table as the output below it.

    Examples
    --------
    >>> Text("**k = 22**")._repr_markdown_()
    '**k = 22**'
    """

    def _repr_markdown_(self):
        return str(self)

    def __repr__(self):
        return str(self)


def significant(value, digits=4):
    """A number for prose: at most ``digits`` significant digits (4 decimals at most),
    thousands separated.

    Parameters
    ----------
    value : float
    digits : int, default 4
        Significant digits at most.

    Returns
    -------
    str

    Examples
    --------
    >>> significant(4031.5793), significant(0.083158), significant(434.22687)
    ('4,032', '0.0832', '434.2')
    """
    value = float(value)
    if value == 0 or not np.isfinite(value):
        return f"{value:g}"
    decimals = min(4, max(0, digits - 1 - int(np.floor(np.log10(abs(value))))))
    return f"{value:,.{decimals}f}"


def _mean_sd_range(values, decimals=3):
    values = np.asarray(values, dtype=float)
    if len(values) == 1:
        return f"{values[0]:.{decimals}f} (one run)"
    return (f"{values.mean():.{decimals}f} ± {values.std(ddof=1):.{decimals}f} "
            f"[{values.min():.{decimals}f}, {values.max():.{decimals}f}]")


def _summary_mean_sd(summary, space, method, score="accuracy", decimals=3):
    """"mean ± sd" of ``score`` for (space, method) in a space summary (no sd for one run)."""
    row = summary.loc[(space, method)]
    sd = row[f"{score} sd"]
    return f"{row[f'{score} mean']:.{decimals}f}" + ("" if np.isnan(sd) else
                                                    f" ± {sd:.{decimals}f}")


_MISSING = "–"
"""What a table shows for a missing value and for False."""
_YES = "✓"
"""What a table shows for True."""


class Table:
    """A table formatted for reading: every cell text, no index column, one header row.

    What :func:`table` returns. A notebook shows it as HTML, a terminal (and nbval) as the
    same text.

    Parameters
    ----------
    frame : pandas.DataFrame
        Cells already formatted as text.
    """

    def __init__(self, frame):
        self.frame = frame

    def _repr_html_(self):
        return self.frame.to_html(index=False, border=0, escape=True, justify="left")

    def __repr__(self):
        return self.frame.to_string(index=False)


def _cell(value, decimals):
    if isinstance(value, (bool, np.bool_)):
        return _YES if value else _MISSING
    if value is None or value is pd.NA or value is pd.NaT:
        return _MISSING
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        if not np.isfinite(value):
            return _MISSING
        return f"{value:,.{decimals}f}" if decimals is not None else significant(value)
    return str(value)


def table(frame, decimals=None):
    """A DataFrame made readable: its index as ordinary columns (a default 0..n-1 index
    dropped), one header row, score columns under their readable names (:data:`ROW_NAMES`), marks instead of True/False, "–" for a missing value,
    thousands separators, and floats at ``decimals`` decimals (by default at most four
    significant digits).

    Parameters
    ----------
    frame : pandas.DataFrame
    decimals : int, optional
        Decimals of every float; default :func:`significant`.

    Returns
    -------
    Table

    Examples
    --------
    >>> t = pd.DataFrame({"score": [4031.5793, None], "best": [True, False]},
    ...                  index=pd.Index([2, 3], name="k"))
    >>> table(t)
    k score best
    2 4,032    ✓
    3     –    –
    """
    frame = frame.copy()
    named = any(name is not None for name in frame.index.names)
    if named or not isinstance(frame.index, pd.RangeIndex) or not frame.index.equals(
            pd.RangeIndex(len(frame))):
        frame = frame.reset_index(names=[name if name is not None else "" for name in frame.index.names])
    if isinstance(frame.columns, pd.MultiIndex):
        frame.columns = [" ".join(str(part) for part in column if str(part)) for column in frame.columns]
    cells = {}
    for position, column in enumerate(frame.columns):
        name = ROW_NAMES.get(column, str(column)) if isinstance(column, str) else str(column)
        values = frame.iloc[:, position]
        if pd.api.types.is_float_dtype(values) and values.dropna().map(float.is_integer).all():
            # a column of counts or k that holds a missing value is stored as floats
            values = values.astype("Int64")
        cells[name] = [_cell(value, decimals) for value in values]
    return Table(pd.DataFrame(cells))
