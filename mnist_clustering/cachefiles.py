"""Verified cache files of the feature spaces and the autoencoder: each file with a
sidecar JSON that says what it holds and carries its xxh3-64 checksum.

Used by :mod:`mnist_clustering.spaces` and :mod:`mnist_clustering.autoencoder`; imports
only the bottom rooms (``files``: the atomic write, the checksum; ``provenance``: the
versions and keys; ``messages``).
"""

from __future__ import annotations

import json
from pathlib import Path

from .files import CHECKSUM_ALGORITHM, atomic_write, digest
from .messages import logger
from .provenance import package_versions

# Packages whose versions are written into a sidecar (those that shape the numbers).
_VERSIONED = ("numpy", "scikit-learn", "umap-learn", "pynndescent", "numba",
              "tensorflow-cpu", "tensorflow", "keras")


class SpaceCacheError(ValueError):
    """A cached feature space (or autoencoder model) does not match its sidecar."""


_log = logger(__name__)


def versions():
    """The versions of the installed packages that shape a cached space (absent ones left
    out), for its sidecar.

    Returns
    -------
    dict
    """
    return package_versions(_VERSIONED, missing="omit")


def sidecar_path(path):
    """The sidecar of a cache file: the same name with ``.json`` for its last suffix.

    Examples
    --------
    >>> sidecar_path("space-pca-0123.npz").name
    'space-pca-0123.json'
    """
    path = Path(path)
    return path.with_name(path.name.rsplit(".", 1)[0] + ".json")


def fix_hint(space, dataset="mnist", n_samples=None, seed=0, *, default_params=True):
    """How to replace a damaged cache file of ``space`` (for error messages): the
    command (and the call) that rebuilds that very file, its dataset, subsample and
    seed included.

    Examples
    --------
    >>> fix_hint("pca", "digits", 500, 3)  # doctest: +NORMALIZE_WHITESPACE
    "It is a cache: rebuild it with `mnist-clustering embed --space pca --rebuild
    --dataset digits --n-samples 500 --seed 3` or `embed('pca', 'digits', 500, seed=3,
    rebuild=True)`, or delete the file and run again."
    """
    options = "".join([f" --dataset {dataset}" if dataset != "mnist" else "",
                       f" --n-samples {int(n_samples)}" if n_samples is not None else "",
                       f" --seed {int(seed)}" if seed else ""])
    call = ", ".join([repr(space), *([repr(dataset)] if dataset != "mnist" or n_samples else []),
                      *([repr(int(n_samples))] if n_samples is not None else []),
                      *([f"seed={int(seed)}"] if seed else []),
                      *([] if default_params else ["params=<the same params>"]), "rebuild=True"])
    command = (f"`mnist-clustering embed --space {space} --rebuild{options}` or "
               if default_params else "")
    return f"It is a cache: rebuild it with {command}`embed({call})`, or delete the file and run again."


def write_verified(path, payload, info):
    """Write ``payload`` (bytes) and its sidecar (``info`` + size + xxh3-64 checksum).

    The old sidecar goes first, so a crash between the two writes leaves a file nothing
    vouches for (never used) rather than a stale sidecar vouching for a new file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = sidecar_path(path)
    meta.unlink(missing_ok=True)
    info = {**info, "file": path.name, "bytes": len(payload),
            "checksum": {"algorithm": CHECKSUM_ALGORITHM, "digest": digest(payload)}}
    atomic_write(path, payload)
    atomic_write(meta, json.dumps(info, indent=1) + "\n")
    return info


def read_verified(path, expect, hint):
    """The bytes of a cache file and its sidecar, checked; ``None`` when absent.

    Parameters
    ----------
    path : path
    expect : dict
        Sidecar entries that must match (what defines the file's content).
    hint : str
        The fix named in errors (:func:`fix_hint`).

    Returns
    -------
    (bytes, dict) or None
        ``None`` when the file does not exist, or has no sidecar (an interrupted write:
        nothing vouches for it, so it is rebuilt, saying so).

    Raises
    ------
    SpaceCacheError
        The sidecar is unreadable or describes other content, or the file's size or
        checksum differs from the sidecar's.
    """
    path = Path(path)
    meta = sidecar_path(path)
    if not path.exists():
        return None
    if not meta.exists():
        _log.info(f"ignoring {path}: it has no sidecar {meta.name} (an interrupted write); rebuilding")
        return None
    try:
        info = json.loads(meta.read_text())
        if not isinstance(info, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as error:
        raise SpaceCacheError(
            f"cannot verify {path}: its sidecar {meta.name} is unreadable "
            f"({error.__class__.__name__}: {error}). {hint}"
        ) from error
    for name, value in json.loads(json.dumps(expect)).items():
        if info.get(name) != value:
            raise SpaceCacheError(
                f"the sidecar {meta} of {path.name} says {name}={info.get(name)!r}, expected "
                f"{value!r}. {hint}"
            )
    payload = path.read_bytes()
    check = info.get("checksum") or {}
    if (len(payload) != info.get("bytes") or check.get("algorithm") != CHECKSUM_ALGORITHM
            or check.get("digest") != digest(payload)):
        raise SpaceCacheError(
            f"the cached file {path} is damaged: its size or {CHECKSUM_ALGORITHM} checksum "
            f"does not match its sidecar {meta.name}. {hint}"
        )
    return payload, info
