"""Writing files so that no reader ever sees half of one, the checksum every verified file
carries, and the one cache directory.

The lowest room of the package: it imports nothing from it. Every file the package
writes (results tables, provenance, artefacts, pending records, the MNIST cache, the
feature spaces, the distance matrix) goes through :func:`atomic_file` (or
:func:`atomic_write`, for content held in memory): the only place where a file is
renamed into place. Every checksum (the distance matrix's blocks, the feature spaces'
files, the kept records, the tables' rows) is :func:`digest`. Every cache file lives in
:func:`cache_dir`.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import xxhash

__all__ = ["CACHE_ENV", "CHECKSUM_ALGORITHM", "atomic_file", "atomic_write", "cache_dir",
           "digest", "remove_stale_temporaries"]

#: Content checksum of every verified file: xxh3-64. It hashes at memory speed and
#: releases the GIL, so large files are checked by parallel threads; crc32 (zlib) is
#: several times slower and only 32 bits wide.
CHECKSUM_ALGORITHM = "xxh3_64"

#: Environment variable naming the cache directory (overrides the platform default).
CACHE_ENV = "MNIST_CLUSTERING_CACHE"


def cache_dir():
    """The project's cache directory (it may not exist yet): ``$MNIST_CLUSTERING_CACHE``
    if set, else ``platformdirs.user_cache_dir("mnist-clustering")``.

    Read at every call, so a change of the environment variable takes effect at once.

    Returns
    -------
    pathlib.Path
    """
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs  # imported lazily: only needed when no override is given

    return Path(platformdirs.user_cache_dir("mnist-clustering"))


def digest(buf):
    """Hex xxh3-64 digest of a buffer (bytes, memoryview or str): :data:`CHECKSUM_ALGORITHM`.

    Examples
    --------
    >>> digest(b"")
    '2d06800538d394c2'
    """
    return xxhash.xxh3_64_hexdigest(buf)


def _temporary(path):
    """The temporary name of a write of ``path``: hidden, beside it, naming this process."""
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


@contextlib.contextmanager
def atomic_file(path):
    """Write a file under a temporary name; it replaces ``path`` when the block ends.

    Yields the temporary path (beside ``path``, so the rename stays on one filesystem).
    When the block ends normally, the temporary file is flushed to disk (``fsync``) and
    renamed over ``path`` (``os.replace``), so readers see the old file or the new one,
    never a partial one. If the block raises (Ctrl-C included), the temporary file is
    removed and ``path`` is left as it was. The file gets the permissions the code in the
    block creates it with (``open`` applies the umask, as for any file the user creates).

    Parameters
    ----------
    path : path-like
        The final file.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "table.csv"
    >>> with atomic_file(target) as tmp:
    ...     _ = tmp.write_text("k\\n2\\n")
    >>> target.read_text()
    'k\\n2\\n'
    """
    path = Path(path)
    tmp = _temporary(path)
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write(path, content, *, verify=None):
    """Write ``content`` (str or bytes) to ``path`` atomically (:func:`atomic_file`),
    permissions by the umask.

    The temporary file is created with mode 0666 and the kernel applies the umask, as for
    any file the user creates (``tempfile`` would leave 0600).

    Parameters
    ----------
    path : path-like
    content : str or bytes
    verify : callable, optional
        ``verify(tmp_path)`` is called on the written temporary file before the rename;
        whatever it raises leaves ``path`` untouched and the temporary file removed.
    """
    data = content.encode() if isinstance(content, str) else bytes(content)
    with atomic_file(path) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if verify is not None:
            verify(tmp)


def remove_stale_temporaries(path):
    """Delete temporary files of writes of ``path`` left by processes that no longer run
    (a crash or SIGKILL skips :func:`atomic_file`'s cleanup; a 14 GB one matters).

    Parameters
    ----------
    path : path-like
        The final file whose writes are cleaned up after.

    Returns
    -------
    int
        How many files were removed.
    """
    import psutil

    path = Path(path)
    removed = 0
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        pid = tmp.name[len(path.name) + 2:].split(".", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or psutil.pid_exists(int(pid)):
            continue
        with contextlib.suppress(OSError):
            tmp.unlink()
            removed += 1
    return removed
