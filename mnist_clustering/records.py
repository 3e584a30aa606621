"""Kept arrays that a later run trusts, each file with its own check.

The labels and centres of a row kept as an artefact (``artifacts/``), the labels of
every row kept for the stability across seeds (``labels/``) and the labels of a row
whose exact silhouette is still pending (``.pending-silhouettes/``) are *records*: an
``.npz`` file (compressed) holding the arrays and one more member, ``_checksum``, the
xxh3-64 digest (:func:`mnist_clustering.files.digest`) of the file's name (which names
the row it belongs to) and of each array's name, dtype, shape and bytes. A record is
written atomically (:func:`write_record`) and checked every time it is read
(:func:`read_record`): a file that is not a readable ``.npz``, lacks an array, or
whose arrays or name do not match its checksum is a :class:`DamagedRecordError` naming
it. A record copied over another row's name fails too.

Imports only the lowest room (``files``).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np

from .files import CHECKSUM_ALGORITHM, atomic_write, digest

CHECKSUM_MEMBER = "_checksum"
"""The member of a record holding its checksum (a 0-d string array)."""


class DamagedRecordError(ValueError):
    """A kept record cannot be trusted: unreadable, incomplete, or not what its
    checksum says. ``path`` is the file and ``reason`` what is wrong with it."""

    def __init__(self, path, reason):
        self.path, self.reason = Path(path), reason
        super().__init__(f"the kept record {path} is damaged ({reason})")


def record_digest(name, arrays):
    """The checksum of a record named ``name`` holding ``arrays`` (a dict of arrays).

    Examples
    --------
    >>> a = record_digest("k3-seed0.npz", {"labels": np.array([0, 1, 2], dtype=np.uint8)})
    >>> a == record_digest("k3-seed1.npz", {"labels": np.array([0, 1, 2], dtype=np.uint8)})
    False
    """
    parts = [f"record {name}"]
    for key in sorted(arrays):
        array = np.ascontiguousarray(arrays[key])
        parts.append(f"{key} {array.dtype.str} {list(array.shape)} {digest(array.tobytes())}")
    return digest("\n".join(parts).encode())


def record_bytes(name, arrays):
    """The bytes of a record file named ``name``: ``arrays`` and their checksum."""
    if CHECKSUM_MEMBER in arrays:
        raise ValueError(f"{CHECKSUM_MEMBER!r} is the checksum's member; rename that array")
    arrays = {key: np.asarray(value) for key, value in arrays.items()}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays,
                        **{CHECKSUM_MEMBER: np.array(record_digest(name, arrays))})
    return buffer.getvalue()


def write_record(path, arrays):
    """Write the record ``path`` holding ``arrays`` atomically (:func:`atomic_write`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, record_bytes(path.name, arrays))
    return path


def read_record(path, required=()):
    """The arrays of the record ``path`` (without its checksum), checked.

    Parameters
    ----------
    path : path-like
    required : iterable of str
        Arrays the record must hold.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    DamagedRecordError
        If it is not a readable ``.npz``, lacks a required array or its checksum, or
        does not match its checksum.
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
    except FileNotFoundError:
        raise
    except Exception as error:  # noqa: BLE001  (a damaged zip fails in many ways: zlib, CRC...)
        raise DamagedRecordError(path, f"unreadable: {error.__class__.__name__}: {error}") from None
    if not isinstance(arrays, dict):  # np.load read a bare .npy: no checksum
        raise DamagedRecordError(path, "not an .npz record")
    check = arrays.pop(CHECKSUM_MEMBER, None)
    if check is None:
        raise DamagedRecordError(path, "no checksum: kept by an older version?")
    missing = [name for name in required if name not in arrays]
    if missing:
        raise DamagedRecordError(path, f"it lacks {', '.join(missing)}")
    if check.shape != () or str(check) != record_digest(path.name, arrays):
        raise DamagedRecordError(path, f"its arrays or its name do not match its "
                                       f"{CHECKSUM_ALGORITHM} checksum")
    return arrays


def add_checksum(path):
    """Give the record ``path``, written without one, its checksum: the checksum member
    is appended to the ``.npz``, whose arrays and bytes stay as they are. For files kept
    before records carried checksums (the committed results were migrated so); a file
    that already has one is left untouched. Returns whether it was changed."""
    path = Path(path)
    with np.load(path, allow_pickle=False) as stored:
        if CHECKSUM_MEMBER in stored.files:
            return False
        arrays = {name: stored[name] for name in stored.files}
    member = io.BytesIO()
    np.lib.format.write_array(member, np.array(record_digest(path.name, arrays)),
                              allow_pickle=False)
    info = zipfile.ZipInfo(f"{CHECKSUM_MEMBER}.npy", date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(info, member.getvalue())
    read_record(path)  # what was written checks
    return True
