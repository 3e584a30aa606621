"""The distance matrix of a set of points, computed once into a cache file and verified
before every first use in a process.

The (n, n) float32 matrix (14.4 GB for the 60,000 MNIST training images) is written by
:func:`distance_matrix` into ``<cache_dir>/distances-<key>.f32`` (raw C-order float32)
with a sidecar ``distances-<key>.json``: shape, dtype, key, sha256 of the points, the
creation time and an xxh3-64 checksum (:func:`mnist_clustering.files.digest`) of every
block of about 64 MB of rows, computed while the file is written. A process hashes a
reused file once (:func:`verify_cached_matrix`, two threads over the memory-mapped
blocks); a damaged one is a :class:`DistanceCacheError` naming the file, the first
damaged rows and the fix. The file is written through
:func:`mnist_clustering.files.atomic_file` and lives in the one cache directory
(:func:`mnist_clustering.files.cache_dir`).
"""

from __future__ import annotations

import json
import mmap
import os
import re
import shutil
import sys
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import psutil

from ..files import (
    CACHE_ENV,
    CHECKSUM_ALGORITHM,
    atomic_file,
    atomic_write,
    digest,
    remove_stale_temporaries,
)
from ..files import cache_dir as default_cache
from ..messages import logger
from ..provenance import sha256_hex
from .pairwise import as_points, matrix_bytes, pairwise_euclidean

__all__ = [
    "CHECKSUM_BLOCK_BYTES",
    "DISK_HEADROOM",
    "MEMORY_HEADROOM",
    "DistanceCacheError",
    "InsufficientSpaceError",
    "cache_key",
    "distance_matrix",
    "verify_cached_matrix",
]

_log = logger(__name__)

#: Free memory to keep beyond the matrix itself when it is computed in RAM.
MEMORY_HEADROOM = 2 * 1024**3
#: Free disk space to keep beyond the matrix file.
DISK_HEADROOM = 512 * 1024**2

_KEY_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")


class InsufficientSpaceError(MemoryError):
    """Neither the cache disk nor RAM has room for the distance matrix."""


class DistanceCacheError(ValueError):
    """A cached distance matrix does not match the checksums written with it."""


# Content checksum of the cache file: one files.digest (xxh3-64) per block of rows,
# checked by parallel threads (xxh3 releases the GIL).
#: Target size of one checksummed block of rows (the last block may be shorter).
CHECKSUM_BLOCK_BYTES = 64 * 1024**2

# Files verified in this process, keyed by (path, size, mtime_ns, inode): a file is hashed
# once per process, and again only if it was replaced or touched.
_VERIFIED: set[tuple] = set()
_VERIFIED_LOCK = threading.Lock()


def _fmt_bytes(b: float) -> str:
    return f"{b / 1e9:.2f} GB"


def _x_sha256(X: np.ndarray) -> str:
    """sha256 of X's shape and float32 bytes (the sidecar's ``x_sha256``)."""
    return sha256_hex(f"float32{X.shape}".encode(), memoryview(X).cast("B"))


def cache_key(X) -> str:
    """Default cache key of X: the first 16 hex chars of sha256(shape + float32 bytes)."""
    return _x_sha256(as_points(X))[:16]


def _paths(cache_dir: Path, key: str) -> tuple[Path, Path]:
    data = cache_dir / f"distances-{key}.f32"
    return data, cache_dir / f"distances-{key}.json"


def _fix_hint(data: Path) -> str:
    return (
        "It is a cache: rebuild it with `mnist-clustering sweep ... --rebuild-distances` or "
        f"`distance_matrix(X, rebuild=True)`, or delete {data} and run again."
    )


def _checksum_block_rows(n: int) -> int:
    """Rows per checksummed block: about CHECKSUM_BLOCK_BYTES of an (n, n) float32 matrix."""
    return max(1, CHECKSUM_BLOCK_BYTES // (4 * max(int(n), 1)))


def _sidecar_checksums(info: dict, n: int) -> tuple[int, list[str]] | str:
    """``(block_rows, digests)`` from a sidecar, or the reason it has none usable."""
    c = info.get("checksum")
    if not isinstance(c, dict):
        return "its sidecar has no checksums (written by an older version), so it cannot be verified"
    br, dg = c.get("block_rows"), c.get("digests")
    if c.get("algorithm") != CHECKSUM_ALGORITHM:
        return f"its sidecar's checksum algorithm {c.get('algorithm')!r} is not {CHECKSUM_ALGORITHM!r}"
    if (
        not isinstance(br, int)
        or br < 1
        or not isinstance(dg, list)
        or len(dg) != -(-n // br)
        or not all(isinstance(d, str) for d in dg)
    ):
        return "its sidecar's checksum entry is malformed, so it cannot be verified"
    return br, dg


def _valid_cache(data: Path, meta: Path, n: int, key: str, sha: str) -> tuple[bool, str]:
    if not data.exists():
        return False, "no cached file"
    size = data.stat().st_size
    if size != matrix_bytes(n):
        return False, f"cached file has {size} bytes, expected {matrix_bytes(n)}"
    try:
        info = json.loads(meta.read_text())
    except (OSError, ValueError) as e:
        return False, f"sidecar {meta.name} unreadable ({e.__class__.__name__})"
    if not isinstance(info, dict):
        return False, f"sidecar {meta.name} is not a JSON object"
    want = {"shape": [n, n], "dtype": "float32", "key": key, "x_sha256": sha}
    for k, v in want.items():
        if info.get(k) != v:
            return False, f"sidecar {k}={info.get(k)!r} does not match {v!r}"
    checks = _sidecar_checksums(info, n)
    if isinstance(checks, str):
        return False, checks
    return True, "ok"


def _stat_key(path: Path) -> tuple:
    st = os.stat(path)
    return (str(Path(path).resolve()), st.st_size, st.st_mtime_ns, st.st_ino)


def _hash_file_blocks(path, n, block_rows, *, expect=None, progress=False, n_threads=None):
    """xxh3-64 digests of the consecutive ``block_rows``-row blocks of an (n, n) float32
    file, in order.

    The file is memory-mapped and each block hashed in place by one of ``n_threads``
    threads (xxhash releases the GIL, and page faults of one thread overlap with hashing
    in the other); each block's pages are requested ahead (``MADV_WILLNEED``) so a cold
    read streams. Hashing the mapped pages avoids the copy a ``read`` into a buffer makes,
    which is several times slower from the page cache. With ``expect`` (the sidecar's
    digests) it stops at the first block that differs.

    Returns
    -------
    (digests, first_bad) : list of str, int or None
    """
    row_bytes = 4 * n
    total = n * row_bytes
    starts = list(range(0, n, block_rows))
    if n_threads is None:
        n_threads = min(2, os.cpu_count() or 1)
    n_threads = max(1, min(int(n_threads), len(starts)))
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size < total:
            raise DistanceCacheError(
                f"{path} has {size} bytes, expected {total}. {_fix_hint(Path(path))}"
            )
        mp = mmap.mmap(f.fileno(), total, access=mmap.ACCESS_READ)
    whole = memoryview(mp)
    can_advise = hasattr(mp, "madvise") and hasattr(mmap, "MADV_WILLNEED")

    def work(i):
        b0 = starts[i] * row_bytes
        b1 = min(starts[i] + block_rows, n) * row_bytes
        if can_advise:
            p0 = b0 - b0 % mmap.PAGESIZE
            try:
                mp.madvise(mmap.MADV_WILLNEED, p0, b1 - p0)
            except (OSError, ValueError):
                pass
        with whole[b0:b1] as part:
            return digest(part), b1 - b0

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit="B", unit_scale=True, desc="verify distances",
                   file=sys.stderr)
    digests: list[str] = []
    ex = ThreadPoolExecutor(max_workers=n_threads) if n_threads > 1 else None
    try:
        results = ex.map(work, range(len(starts))) if ex else map(work, range(len(starts)))
        for i, (d, nb) in enumerate(results):
            digests.append(d)
            if bar is not None:
                bar.update(nb)
            if expect is not None and d != expect[i]:
                return digests, i
    finally:
        if ex is not None:
            # on a mismatch (or Ctrl-C) do not hash the remaining blocks first
            ex.shutdown(wait=True, cancel_futures=True)
        whole.release()
        mp.close()
        if bar is not None:
            bar.close()
    return digests, None


def verify_cached_matrix(path, *, progress=False, n_threads=None) -> None:
    """Check a cached distance matrix against the checksums in its sidecar.

    The file is hashed once per process: a later call for the same file (same path, size,
    mtime and inode) returns at once.

    Parameters
    ----------
    path : path
        The ``distances-<key>.f32`` file; its sidecar is ``distances-<key>.json``.
    progress : bool
        tqdm progress bar on stderr.
    n_threads : int, optional
        Threads reading and hashing blocks (default ``min(2, cpu_count)``).

    Raises
    ------
    DistanceCacheError (a ValueError)
        The file does not match its checksums (the message names the file, the first
        damaged rows and the fix), or the sidecar has no usable checksums.
    """
    data = Path(path)
    meta = data.with_suffix(".json")
    try:
        info = json.loads(meta.read_text())
        n = int(info["shape"][0])
    except (OSError, ValueError, KeyError, TypeError, IndexError) as e:
        raise DistanceCacheError(
            f"cannot verify {data}: its sidecar {meta.name} is missing or unreadable "
            f"({e.__class__.__name__}: {e}). {_fix_hint(data)}"
        ) from e
    key = _stat_key(data)
    with _VERIFIED_LOCK:
        if key in _VERIFIED:
            return
    if key[1] != matrix_bytes(n):
        raise DistanceCacheError(
            f"{data} has {key[1]} bytes, its sidecar says {n} x {n} float32 "
            f"({matrix_bytes(n)} bytes). {_fix_hint(data)}"
        )
    checks = _sidecar_checksums(info, n)
    if isinstance(checks, str):
        raise DistanceCacheError(f"cannot verify {data}: {checks}. {_fix_hint(data)}")
    block_rows, expect = checks
    _, bad = _hash_file_blocks(data, n, block_rows, expect=expect, progress=progress,
                               n_threads=n_threads)
    if bad is not None:
        r0 = bad * block_rows
        r1 = min(r0 + block_rows, n)
        raise DistanceCacheError(
            f"the cached distance matrix {data} is damaged: rows {r0} to {r1 - 1} "
            f"(checksum block {bad} of {len(expect)}) do not match the {CHECKSUM_ALGORITHM} "
            f"checksum written with the file. {_fix_hint(data)}"
        )
    with _VERIFIED_LOCK:
        _VERIFIED.add(key)


def _compute_in_memory(X, progress):
    D = pairwise_euclidean(X, progress=progress)
    D.flags.writeable = False
    return D


def _compute_to_file(X, data: Path, meta: Path, key: str, sha: str, progress: bool):
    """Compute into a temporary file that replaces ``data`` once complete
    (:func:`mnist_clustering.files.atomic_file`): never a partial file under the final
    name; the sidecar is written after the file, so nothing vouches for a file mid-way."""
    n = X.shape[0]
    nbytes = matrix_bytes(n)
    remove_stale_temporaries(data)
    meta.unlink(missing_ok=True)  # a stale sidecar must not vouch for the new file mid-way
    block_rows = _checksum_block_rows(n)
    digests: list[str] = []
    with atomic_file(data) as tmp:
        with open(tmp, "wb") as f:
            if nbytes and hasattr(os, "posix_fallocate"):
                # reserve the blocks now: a full disk then fails here with ENOSPC rather
                # than with SIGBUS while writing through the memmap
                os.posix_fallocate(f.fileno(), 0, nbytes)
            else:
                f.truncate(nbytes)
        mm = np.memmap(tmp, dtype=np.float32, mode="r+", shape=(n, n))

        def rows_done(r1, matrix=mm):
            # checksum each block of rows as soon as it is final, while its pages are
            # still in the page cache: no second pass over the file
            while len(digests) * block_rows < min(r1, n):
                a = len(digests) * block_rows
                e = min(a + block_rows, n)
                if e > r1:
                    break
                digests.append(digest(matrix[a:e]))

        pairwise_euclidean(X, out=mm, progress=progress, on_rows_done=rows_done)
        rows_done(n)  # in case the computation reported no rows
        mm.flush()
        del mm
    info = {
        "shape": [n, n],
        "dtype": "float32",
        "key": key,
        "x_sha256": sha,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "file": data.name,
        "checksum": {"algorithm": CHECKSUM_ALGORITHM, "block_rows": block_rows,
                     "digests": digests},
    }
    atomic_write(meta, json.dumps(info, indent=1) + "\n")
    # this process wrote and hashed the file: it needs no second reading
    with _VERIFIED_LOCK:
        _VERIFIED.add(_stat_key(data))


def distance_matrix(
    X, *, cache_dir=None, key=None, in_memory=None, progress=True, rebuild=False, verify=True
):
    """The (n, n) float32 Euclidean distance matrix of X, computed once and cached.

    The matrix is kept in ``<cache_dir>/distances-<key>.f32`` (raw C-order float32) with a
    sidecar ``distances-<key>.json`` (shape, dtype, key, sha256 of X, created, and an
    xxh3-64 checksum of every block of about 64 MB of rows, computed while writing). A
    later call with the same X reuses the file after checking it against those checksums,
    once per process (:func:`verify_cached_matrix`); a damaged file raises
    :class:`DistanceCacheError`. A file of the wrong size, with a sidecar that does not
    match, or without checksums (written by an older version: it cannot be verified) is
    recomputed, saying so on stderr. The computation writes a temporary file that replaces
    the final one only once complete (:func:`mnist_clustering.files.atomic_file`), so an
    interrupted run never leaves a partial file under the final name (and the temporary
    files of processes that died are removed by the next build); the files get the
    umask's permissions.

    Parameters
    ----------
    X : array-like (n, d)
        Points (converted to float32).
    cache_dir : path, optional
        Default :func:`mnist_clustering.files.cache_dir` (``$MNIST_CLUSTERING_CACHE`` or
        ``platformdirs.user_cache_dir("mnist-clustering")``).
    key : str, optional
        File name key; default :func:`cache_key` (X's sha256 prefix).
    in_memory : bool, optional
        ``True``: compute in RAM and neither read nor write the cache. ``False``: insist on
        the disk cache. ``None`` (default): the cache, unless the disk lacks room and RAM has
        it, in which case the matrix is computed in RAM (with a warning).
    progress : bool
        Messages and progress bars (computation, verification) on stderr.
    rebuild : bool
        Recompute the matrix and replace the cache file (atomically) even if one exists,
        e.g. after a :class:`DistanceCacheError`.
    verify : bool
        Check a reused cache file against its checksums (the default). ``False`` skips
        the check, e.g. in worker processes after the driver verified the same file.

    Returns
    -------
    A read-only ``np.memmap`` of the cache file (mode ``'r'``), or a read-only ndarray
    when computed in RAM.

    Raises
    ------
    InsufficientSpaceError (a MemoryError)
        When neither the disk nor the RAM has room (the message says needed vs available).
    DistanceCacheError (a ValueError)
        When the cached file does not match its checksums (the message names the file,
        the first damaged rows and the fix: ``rebuild=True`` or deleting the file).
    """
    X = as_points(X)
    n = X.shape[0]
    nbytes = matrix_bytes(n)
    mem_needed = nbytes + MEMORY_HEADROOM
    mem_avail = psutil.virtual_memory().available

    def not_enough(where: str) -> InsufficientSpaceError:
        return InsufficientSpaceError(
            f"the {n} x {n} float32 distance matrix needs {_fmt_bytes(nbytes)} ({where}). "
            f"Disk: {_fmt_bytes(nbytes + DISK_HEADROOM)} needed, {disk_msg}. "
            f"RAM: {_fmt_bytes(mem_needed)} needed (matrix + {_fmt_bytes(MEMORY_HEADROOM)} "
            f"headroom), {_fmt_bytes(mem_avail)} available. Free disk space, point "
            f"${CACHE_ENV} at a directory on a bigger disk, or use a subsample of the points."
        )

    if in_memory:
        disk_msg = "not used (in_memory=True)"
        if mem_avail < mem_needed:
            raise not_enough("in_memory=True")
        if progress:
            _log.info(f"computing the {n} x {n} distance matrix in RAM ({_fmt_bytes(nbytes)})")
        return _compute_in_memory(X, progress)

    cache_dir = Path(cache_dir).expanduser() if cache_dir is not None else default_cache()
    sha = _x_sha256(X)
    if key is None:
        key = sha[:16]
    key = str(key)
    if not _KEY_RE.match(key):
        raise ValueError(f"key must match {_KEY_RE.pattern}, got {key!r}")
    data, meta = _paths(cache_dir, key)

    if rebuild:
        ok, why = False, "rebuild requested"
    else:
        ok, why = _valid_cache(data, meta, n, key, sha)
    if ok:
        if verify:
            verify_cached_matrix(data, progress=progress)
        if progress:
            _log.info(f"reusing cached distance matrix {data}" + (" (verified)" if verify else ""))
        return np.memmap(data, dtype=np.float32, mode="r", shape=(n, n))
    if data.exists():
        # replacing an existing 14 GB file is never silent, even without progress
        _log.info(f"recomputing {data}: {why}")

    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        disk_free = shutil.disk_usage(cache_dir).free
        # a stale final file (wrong size/sidecar) will be replaced: its space counts as free
        if data.exists():
            disk_free += data.stat().st_size
        disk_msg = f"{_fmt_bytes(disk_free)} free in {cache_dir}"
    except OSError as e:
        disk_free = -1
        disk_msg = f"cache directory {cache_dir} unusable ({e})"
    disk_ok = disk_free >= nbytes + DISK_HEADROOM

    if not disk_ok:
        if in_memory is False:
            raise not_enough("in_memory=False, so only the disk cache may be used")
        if mem_avail < mem_needed:
            raise not_enough("neither the disk nor RAM has room")
        warnings.warn(
            f"not enough disk for the {_fmt_bytes(nbytes)} distance matrix ({disk_msg}); "
            f"computing it in RAM instead ({_fmt_bytes(mem_avail)} available). It will not be "
            f"cached: set ${CACHE_ENV} to a bigger disk to keep it.",
            stacklevel=2,
        )
        return _compute_in_memory(X, progress)

    if progress:
        _log.info(f"computing the {n} x {n} distance matrix into {data} ({_fmt_bytes(nbytes)})")
    try:
        _compute_to_file(X, data, meta, key, sha, progress)
    except OSError as e:  # e.g. ENOSPC from posix_fallocate: the disk filled up meanwhile
        if in_memory is False or mem_avail < mem_needed:
            raise not_enough(f"writing {data} failed: {e}") from e
        warnings.warn(
            f"writing the distance matrix to {data} failed ({e}); computing it in RAM instead.",
            stacklevel=2,
        )
        return _compute_in_memory(X, progress)
    return np.memmap(data, dtype=np.float32, mode="r", shape=(n, n))
