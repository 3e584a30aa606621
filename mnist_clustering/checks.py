"""Checks of arguments at the public edge, with errors that name the parameter.

One helper for every integer argument (:func:`check_int`, on top of scikit-learn's
``check_scalar``, which lets ``True`` pass as 1), the one check of a number of clusters
(:func:`check_n_clusters`), used by the sweep, the estimators and the metrics, and the
one check that a table has the columns a function reads (:func:`check_columns`), used
by the figures, the summaries over seeds and ``best_k``.

A bottom room: it imports nothing of the package.
"""

from __future__ import annotations

from numbers import Integral

from sklearn.utils import check_scalar


def check_int(value, name, *, min_val=None, max_val=None):
    """Return ``value`` as an ``int`` if it is an integer within the bounds.

    Parameters
    ----------
    value : object
    name : str
        The parameter's name, for the error message.
    min_val, max_val : int, optional
        Inclusive bounds.

    Raises
    ------
    ValueError
        Naming the parameter, what it must be and the value given (booleans, floats and
        strings are refused).

    Examples
    --------
    >>> check_int(3, "workers", min_val=1)
    3
    >>> check_int(True, "workers", min_val=1)
    Traceback (most recent call last):
    ...
    ValueError: workers must be an integer >= 1, got True
    """
    bounds = "".join([f" >= {min_val}" if min_val is not None else "",
                      " and" if None not in (min_val, max_val) else "",
                      f" <= {max_val}" if max_val is not None else ""])
    try:
        if isinstance(value, bool):
            raise TypeError
        check_scalar(value, name, Integral, min_val=min_val, max_val=max_val)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an integer{bounds}, got {value!r}") from None
    return int(value)


def check_n_clusters(k, n):
    """Validate a number of clusters ``k`` for ``n`` samples: ``2 <= k <= n``.

    Parameters
    ----------
    k : int
        Number of clusters.
    n : int
        Number of samples.

    Returns
    -------
    k : int

    Examples
    --------
    >>> check_n_clusters(10, 60000)
    10
    >>> check_n_clusters(1, 60000)
    Traceback (most recent call last):
    ...
    ValueError: n_clusters=1 is too small: a clustering needs at least 2 clusters
    """
    k = check_int(k, "n_clusters")
    n = check_int(n, "the number of samples", min_val=1)
    if k < 2:
        raise ValueError(f"n_clusters={k} is too small: a clustering needs at least 2 clusters")
    if k > n:
        raise ValueError(f"n_clusters={k} is larger than the number of samples n={n}")
    return k


def check_columns(table, columns):
    """Raise a ``ValueError`` naming the columns of ``columns`` that ``table`` lacks.

    Parameters
    ----------
    table : pandas.DataFrame
    columns : iterable of str
        The columns the caller reads.

    Raises
    ------
    ValueError
        ``table has no column 'x'`` (or ``columns 'x', 'y'``), with the columns it has.

    Examples
    --------
    >>> import pandas as pd
    >>> check_columns(pd.DataFrame({"k": [2]}), ["k", "nmi"])
    Traceback (most recent call last):
    ...
    ValueError: table has no column 'nmi'; its columns are ['k']
    """
    missing = list(dict.fromkeys(column for column in columns if column not in table.columns))
    if missing:
        raise ValueError(f"table has no column{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(map(repr, missing))}; its columns are "
                         f"{list(table.columns)}")
