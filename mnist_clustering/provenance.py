"""What a result was made from: the versions of the packages and the hashes of the data.

The one place where package versions are looked up (:func:`package_versions`) and where
sha256 digests are taken (:func:`sha256_hex`, :func:`array_sha256`, :func:`json_key`).
They go into every provenance record: a results table's ``.json``, a cache file's
sidecar, the check that a worker runs the driver's versions. (The checksum that verifies
a file's bytes is :func:`mnist_clustering.files.digest`, xxh3-64: fast, not a name.)

A bottom room: it imports nothing of the package.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata

import numpy as np

__all__ = ["array_sha256", "json_key", "package_versions", "sha256_hex"]


def package_versions(names, *, missing=None):
    """The installed version of each package of ``names``.

    Parameters
    ----------
    names : iterable of str
        Distribution names, e.g. ``("numpy", "scikit-learn")``.
    missing : None or ``"omit"``
        What a package that is not installed gets: ``None`` (the default: the record
        says it is absent) or no entry at all (``"omit"``).

    Returns
    -------
    dict
        Name -> version string, in the order of ``names``.

    Examples
    --------
    >>> package_versions(["no-such-package"])
    {'no-such-package': None}
    >>> package_versions(["no-such-package"], missing="omit")
    {}
    """
    if missing not in (None, "omit"):
        raise ValueError(f"missing must be None or 'omit', got {missing!r}")
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            if missing is None:
                found[name] = None
    return found


def sha256_hex(*parts):
    """Hex sha256 of the concatenated ``parts`` (bytes-like objects, read in place).

    Examples
    --------
    >>> sha256_hex(b"ab") == sha256_hex(b"a", b"b")
    True
    """
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()


def array_sha256(array):
    """Return the sha256 hex digest of an array's C-contiguous bytes.

    Parameters
    ----------
    array : numpy.ndarray
        Any array; a non-contiguous array is copied to C order first.

    Returns
    -------
    str
        64 hexadecimal characters.
    """
    # hashlib reads the buffer directly: no extra copy for contiguous arrays.
    return sha256_hex(np.ascontiguousarray(array))


def json_key(record, length=16):
    """A short name for a JSON-serialisable ``record``: the first ``length`` hex digits
    of the sha256 of its canonical JSON (sorted keys, no spaces).

    Parameters
    ----------
    record : dict
    length : int, default 16

    Returns
    -------
    str

    Examples
    --------
    >>> json_key({"b": 1, "a": [2]}) == json_key({"a": [2], "b": 1})
    True
    """
    text = json.dumps(record, sort_keys=True, separators=(",", ":"))
    return sha256_hex(text.encode())[:length]
