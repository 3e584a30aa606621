"""Checks of scalar arguments at the public edge, with errors that name the parameter.

One helper for every integer argument (:func:`check_int`, on top of scikit-learn's
``check_scalar``, which lets ``True`` pass as 1) and the one check of a number of
clusters (:func:`check_n_clusters`), used by the sweep, the estimators and the metrics.
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
