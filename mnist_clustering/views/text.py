"""How the views write: Markdown computed from the tables, row names, number formats.

:class:`Text` is what the ``*_note`` and ``conclusion_*`` functions return, so that the
numbers a sentence quotes are read from the same table as the output below it.
"""

from __future__ import annotations

import numpy as np

from .. import scores

__all__ = ["ROW_NAMES", "METHOD_NAMES", "Text", "significant"]


ROW_NAMES = scores.TABLE_LABELS
"""Readable row names of the comparison tables."""

METHOD_NAMES = {"kmeans": "K-Means", "gmm": "Gaussian mixture", "hdbscan": "HDBSCAN"}
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
