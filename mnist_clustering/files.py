"""Writing files so that no reader ever sees half of one, and the checksum every
verified file carries.

The lowest room of the package: it imports nothing from it. Every file the package
writes (results tables, provenance, artefacts, pending records, the MNIST cache) goes
through :func:`atomic_write`; every checksum (the distance matrix's blocks, the feature
spaces' files, the kept records, the tables' rows) is :func:`digest`.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import xxhash

#: Content checksum of every verified file: xxh3-64. It hashes at memory speed and
#: releases the GIL, so large files are checked by parallel threads; crc32 (zlib) is
#: several times slower and only 32 bits wide.
CHECKSUM_ALGORITHM = "xxh3_64"


def digest(buf):
    """Hex xxh3-64 digest of a buffer (bytes, memoryview or str): :data:`CHECKSUM_ALGORITHM`.

    Examples
    --------
    >>> digest(b"")
    '2d06800538d394c2'
    """
    return xxhash.xxh3_64_hexdigest(buf)


def atomic_write(path, content, *, verify=None):
    """Write ``content`` (str or bytes) to ``path`` atomically, permissions by the umask.

    The temporary file is created with mode 0666 and the kernel applies the umask, as for
    any file the user creates (``tempfile`` would leave 0600); it is fsynced and renamed
    over ``path``, so readers see the old file or the new one, never a partial one.

    Parameters
    ----------
    path : path-like
    content : str or bytes
    verify : callable, optional
        ``verify(tmp_path)`` is called on the written temporary file before the rename;
        whatever it raises leaves ``path`` untouched and the temporary file removed.
    """
    path = Path(path)
    data = content.encode() if isinstance(content, str) else bytes(content)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if verify is not None:
            verify(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
