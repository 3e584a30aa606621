"""The pairwise Euclidean distance matrix, computed once and cached on disk, and exact
silhouette scores for many labellings in one pass over it.

A silhouette sweep over the 60,000 MNIST training images would cost about 86 s per k with
``sklearn.metrics.silhouette_score`` (it recomputes every distance each time). Here the
(n, n) float32 distance matrix (14.4 GB for n = 60,000) is built once with blocked float32
GEMM and written to a cache file, and :func:`silhouette_scores` then reads it once, in row
blocks, for any number of labellings at the same time.

Public API
----------
``matrix_bytes(n)``
    Size in bytes of an (n, n) float32 matrix.
``pairwise_euclidean(X, out=None, block_rows=2048, progress=False, on_rows_done=None)``
    Fill an (n, n) float32 array (or a given writable memmap) with Euclidean distances.
``distance_matrix(X, *, cache_dir=None, key=None, in_memory=None, progress=True,
rebuild=False, verify=True)``
    The read-only (n, n) float32 distance matrix of X, from the cache when it is there
    and its checksums match (verified once per process).
``verify_cached_matrix(path, *, progress=False, n_threads=None)``
    Check a cache file against the blockwise xxh3-64 checksums of its sidecar; raises
    :class:`DistanceCacheError` naming the file, the first damaged rows and the fix.
``silhouette_scores(D, labellings, *, block_rows=1024, progress=False, n_threads=None)``
    The mean silhouette coefficient of each labelling, equal to
    ``sklearn.metrics.silhouette_score(D, labels, metric="precomputed")``.
``silhouette_samples_many(D, labellings, ...)``
    The per-sample silhouette coefficients of each labelling.
"""

from __future__ import annotations

import hashlib
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
import scipy.sparse as sp

from .files import CHECKSUM_ALGORITHM, digest

__all__ = [
    "CACHE_ENV",
    "InsufficientSpaceError",
    "DistanceCacheError",
    "verify_cached_matrix",
    "matrix_bytes",
    "pairwise_euclidean",
    "distance_matrix",
    "default_cache_dir",
    "cache_key",
    "silhouette_scores",
    "silhouette_samples_many",
    "silhouette_scores_from_points",
]

#: Environment variable naming the cache directory (overrides the platform default).
CACHE_ENV = "MNIST_CLUSTERING_CACHE"

#: Free memory to keep beyond the matrix itself when it is computed in RAM.
MEMORY_HEADROOM = 2 * 1024**3
#: Free disk space to keep beyond the matrix file.
DISK_HEADROOM = 512 * 1024**2

# Pairs whose float32 d^2 = |x|^2 + |y|^2 - 2 x.y is below _REFINE_TAU * (|x|^2 + max|y|^2)
# lost most of their digits to cancellation (near-duplicate points); they are recomputed
# directly as sqrt(sum((x - y)^2)) in float64. Elsewhere the relative error of a distance
# is ~1e-7 (at most ~1e-4 even with a pessimistic float32 dot-product error bound).
_REFINE_TAU = 1e-2

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


def matrix_bytes(n: int) -> int:
    """Bytes taken by an (n, n) float32 matrix: ``n * n * 4`` (14.4 GB for n = 60,000)."""
    n = int(n)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    return n * n * 4


def _fmt_bytes(b: float) -> str:
    return f"{b / 1e9:.2f} GB"


def _say(msg: str) -> None:
    print(f"[mnist_clustering.distances] {msg}", file=sys.stderr, flush=True)


def _as_points(X) -> np.ndarray:
    X = np.ascontiguousarray(X, dtype=np.float32)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n_samples, n_features), got shape {X.shape}")
    if X.shape[0] < 1:
        raise ValueError("X has no rows")
    if not np.isfinite(X).all():
        raise ValueError("X contains NaN or infinite values")
    return X


# --------------------------------------------------------------------------------------
# Pairwise distances
# --------------------------------------------------------------------------------------


def _exact_pairs(X: np.ndarray, i: np.ndarray, j: np.ndarray, chunk: int = 8192) -> np.ndarray:
    """sqrt(sum((X[i] - X[j])**2)) in float64 for index arrays i, j."""
    res = np.empty(len(i), dtype=np.float64)
    for s in range(0, len(i), chunk):
        diff = X[i[s : s + chunk]].astype(np.float64)
        diff -= X[j[s : s + chunk]]
        res[s : s + chunk] = np.sqrt(np.einsum("ij,ij->i", diff, diff))
    return res


def pairwise_euclidean(
    X, out=None, block_rows: int = 2048, progress: bool = False, on_rows_done=None
):
    """Euclidean distances between the rows of X, as an (n, n) float32 array.

    Blocked float32 GEMM with precomputed squared norms: d^2 = |x|^2 + |y|^2 - 2 x.y,
    clamped at 0, then sqrt. Only the upper block triangle is computed (row block
    ``[r0, r1)`` against columns ``[r0, n)``) and mirrored into the lower one, which halves
    the GEMM work and makes the result exactly symmetric; the diagonal is exactly 0. Pairs
    that lose their precision to cancellation (near-duplicates) are recomputed directly in
    float64, so the absolute error stays ~1e-5 or better for MNIST-scaled data.

    Parameters
    ----------
    X : array-like (n, d)
        Points; converted to C-contiguous float32.
    out : writable (n, n) float32 array or ``np.memmap``, optional
        Where to write; a new array is allocated when omitted.
    block_rows : int
        Rows per GEMM block; the working memory is about ``3 * block_rows * n * 4`` bytes.
    progress : bool
        Show a tqdm progress bar on stderr.
    on_rows_done : callable, optional
        Called as ``on_rows_done(r1)`` each time rows ``[0, r1)`` of ``out`` are final
        (the cache writer checksums them while they are still in the page cache).

    Returns
    -------
    ``out`` (or the new array).
    """
    X = _as_points(X)
    n = X.shape[0]
    block_rows = int(block_rows)
    if block_rows < 1:
        raise ValueError(f"block_rows must be >= 1, got {block_rows}")
    if out is None:
        out = np.empty((n, n), dtype=np.float32)
    else:
        if out.shape != (n, n) or out.dtype != np.float32:
            raise ValueError(
                f"out must be a float32 array of shape {(n, n)}, got {out.dtype} {out.shape}"
            )
        if not out.flags.writeable:
            raise ValueError("out is not writable")

    sq = np.einsum("ij,ij->i", X, X, dtype=np.float64)  # accurate squared norms
    sq32 = sq.astype(np.float32)
    b = min(block_rows, n)
    gbuf = np.empty(b * n, dtype=np.float32)
    mbuf = np.empty(b * n, dtype=bool)
    tril = np.tril_indices(b, -1)

    bar = None
    if progress:
        from tqdm.auto import tqdm

        total = sum((min(r0 + b, n) - r0) * (n - r0) for r0 in range(0, n, b))
        bar = tqdm(total=total, unit="pair", unit_scale=True, desc="distances", file=sys.stderr)
    try:
        for r0 in range(0, n, b):
            r1 = min(r0 + b, n)
            m, w = r1 - r0, n - r0
            G = gbuf[: m * w].reshape(m, w)
            np.matmul(X[r0:r1], X[r0:].T, out=G)
            # d^2 = |x|^2 + |y|^2 - 2 x.y, in place
            G *= -2.0
            G += sq32[r0:r1, None]
            G += sq32[None, r0:]
            # flag pairs whose d^2 is small relative to the norms (cancellation)
            thr = (_REFINE_TAU * (sq[r0:r1] + sq[r0:].max())).astype(np.float32)
            mask = mbuf[: m * w].reshape(m, w)
            np.less(G, thr[:, None], out=mask)
            np.maximum(G, 0.0, out=G)
            np.sqrt(G, out=G)
            if mask.any():
                ri, cj = np.nonzero(mask)
                keep = ri != cj  # the diagonal is set to 0 below
                ri, cj = ri[keep], cj[keep]
                if len(ri):
                    G[ri, cj] = _exact_pairs(X, ri + r0, cj + r0)
            # diagonal block: exactly symmetric (lower := upper), zero diagonal
            Dd = G[:, :m]
            if m == b:
                Dd[tril] = Dd.T[tril]
            else:
                t = np.tril_indices(m, -1)
                Dd[t] = Dd.T[t]
            Dd[np.arange(m), np.arange(m)] = 0.0
            out[r0:r1, r0:] = G
            # mirror into the lower block triangle, in column tiles (a naive transposed
            # copy of a wide block is several times slower)
            tile = 256
            for j0 in range(m, w, tile):
                j1 = min(j0 + tile, w)
                out[r0 + j0 : r0 + j1, r0:r1] = G[:, j0:j1].T
            # rows [r0, r1) now hold their columns >= r0 (this block) and < r0 (mirrored
            # by the earlier blocks): every row before r1 is final
            if on_rows_done is not None:
                on_rows_done(r1)
            if bar is not None:
                bar.update(m * w)
    finally:
        if bar is not None:
            bar.close()
    return out


# --------------------------------------------------------------------------------------
# The cached distance matrix
# --------------------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """``$MNIST_CLUSTERING_CACHE`` if set, else ``platformdirs.user_cache_dir("mnist-clustering")``."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("mnist-clustering"))


def _x_sha256(X: np.ndarray) -> str:
    h = hashlib.sha256()
    h.update(f"float32{X.shape}".encode())
    h.update(memoryview(X).cast("B"))
    return h.hexdigest()


def cache_key(X) -> str:
    """Default cache key of X: the first 16 hex chars of sha256(shape + float32 bytes)."""
    return _x_sha256(_as_points(X))[:16]


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


def _remove_stale_tmp(data: Path) -> None:
    """Delete ``<file>.tmp-<pid>`` files left by processes that no longer run."""
    for p in data.parent.glob(data.name + ".tmp-*"):
        try:
            pid = int(p.name.rsplit("-", 1)[1])
        except ValueError:
            continue
        if pid != os.getpid() and not psutil.pid_exists(pid):
            try:
                p.unlink()
            except OSError:
                pass


def _compute_in_memory(X, progress):
    D = pairwise_euclidean(X, progress=progress)
    D.flags.writeable = False
    return D


def _compute_to_file(X, data: Path, meta: Path, key: str, sha: str, progress: bool):
    """Compute into ``<file>.tmp-<pid>`` and atomically rename; never leaves a partial
    file under the final name."""
    n = X.shape[0]
    nbytes = matrix_bytes(n)
    tmp = data.with_name(f"{data.name}.tmp-{os.getpid()}")
    _remove_stale_tmp(data)
    try:
        meta.unlink()  # a stale sidecar must not vouch for the new file mid-way
    except FileNotFoundError:
        pass
    try:
        with open(tmp, "wb") as f:
            if nbytes and hasattr(os, "posix_fallocate"):
                # reserve the blocks now: a full disk then fails here with ENOSPC rather
                # than with SIGBUS while writing through the memmap
                os.posix_fallocate(f.fileno(), 0, nbytes)
            else:
                f.truncate(nbytes)
        mm = np.memmap(tmp, dtype=np.float32, mode="r+", shape=(n, n))
        block_rows = _checksum_block_rows(n)
        digests: list[str] = []

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
        os.replace(tmp, data)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
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
    _write_sidecar(meta, info)
    # this process wrote and hashed the file: it needs no second reading
    with _VERIFIED_LOCK:
        _VERIFIED.add(_stat_key(data))


def _write_sidecar(meta: Path, info: dict) -> None:
    """Write the sidecar atomically (temp file + rename), with the umask's permissions."""
    tmp_meta = meta.with_name(f"{meta.name}.tmp-{os.getpid()}")
    tmp_meta.write_text(json.dumps(info, indent=1) + "\n")
    os.replace(tmp_meta, meta)


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
    recomputed, saying so on stderr. The computation writes ``<file>.tmp-<pid>`` and renames
    it, so an interrupted run never leaves a partial file under the final name; the files
    get the umask's permissions.

    Parameters
    ----------
    X : array-like (n, d)
        Points (converted to float32).
    cache_dir : path, optional
        Default ``$MNIST_CLUSTERING_CACHE`` or ``platformdirs.user_cache_dir("mnist-clustering")``.
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
    X = _as_points(X)
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
            _say(f"computing the {n} x {n} distance matrix in RAM ({_fmt_bytes(nbytes)})")
        return _compute_in_memory(X, progress)

    cache_dir = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
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
            _say(f"reusing cached distance matrix {data}" + (" (verified)" if verify else ""))
        return np.memmap(data, dtype=np.float32, mode="r", shape=(n, n))
    if data.exists():
        # replacing an existing 14 GB file is never silent, even without progress
        _say(f"recomputing {data}: {why}")

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
        _say(f"computing the {n} x {n} distance matrix into {data} ({_fmt_bytes(nbytes)})")
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


# --------------------------------------------------------------------------------------
# Silhouettes of many labellings in one pass
# --------------------------------------------------------------------------------------

# Kernel choice (measured on this 2-core machine, n = 60,000, one 1024-row block):
#   * per labelling, scipy CSR one-hot (k x n) @ D_block.T (n x b float64): 64 ms/labelling;
#   * all labellings stacked into ONE CSC one-hot (sum k x n) @ D_block.T: 20 ms/labelling.
#     csc_matvecs walks the columns j of D once and adds row j of D_block.T (b float64) into
#     the output row of j's cluster in every labelling, so each D row is read from memory
#     once for all labellings while the (sum k x b) output stays in cache;
#   * dense one-hot GEMM D_block @ H (n x k): 45 ms (float64) / 20 ms (float32, but float32
#     accumulation) per labelling already at k = 2, and O(k) beyond;
#   * sorting columns by label + np.add.reduceat needs a gathered copy per labelling (slower).
# So: stacked CSC, in groups whose output (sum k x b x 8 bytes) stays ~3 MB (larger groups
# fall out of the cache and get slower), with the transposed float64 copy of the row block
# made once per block and shared by all groups. Blocks are processed by a small thread pool
# (the copies and scipy's sparsetools release the GIL: ~1.4x on 2 cores).
_GROUP_OUTPUT_BYTES = 3 * 1024**2


def _check_distance_matrix(D):
    if not hasattr(D, "shape") or not hasattr(D, "dtype"):
        D = np.asarray(D)
    if len(D.shape) != 2 or D.shape[0] != D.shape[1]:
        raise ValueError(f"D must be a square (n, n) distance matrix, got shape {D.shape}")
    if not np.issubdtype(D.dtype, np.floating) and not np.issubdtype(D.dtype, np.integer):
        raise ValueError(f"D must be numeric, got dtype {D.dtype}")
    n = D.shape[0]
    # cheap spot check of symmetry (rows stand in for columns below); the diagonal is
    # checked block by block during the pass
    if n > 1:
        rng = np.random.default_rng(0)
        m = min(n * n, 2000)
        i = rng.integers(0, n, m)
        j = rng.integers(0, n, m)
        dij = np.asarray(D[i, j], dtype=np.float64)
        dji = np.asarray(D[j, i], dtype=np.float64)
        if not np.allclose(dij, dji, rtol=1e-5, atol=1e-6):
            raise ValueError("D is not symmetric (spot check failed): not a distance matrix")
    return D, n


def _encode_labellings(labellings, n: int):
    if isinstance(labellings, np.ndarray) and labellings.ndim == 1:
        raise ValueError(
            "labellings must be a sequence of label arrays, got a single 1-D array; "
            "wrap it in a list: silhouette_scores(D, [labels])"
        )
    codes, ks, counts = [], [], []
    for idx, lab in enumerate(labellings):
        lab = np.asarray(lab)
        if lab.ndim != 1 or lab.shape[0] != n:
            raise ValueError(
                f"labelling {idx} has shape {lab.shape}, expected ({n},) to match D"
            )
        _, inv = np.unique(lab, return_inverse=True)
        inv = inv.reshape(-1).astype(np.int64)
        cnt = np.bincount(inv)
        k = len(cnt)
        if not 2 <= k <= n - 1:
            raise ValueError(
                f"labelling {idx} has {k} distinct labels; valid values are 2 to "
                f"n_samples - 1 = {n - 1} (inclusive)"
            )
        codes.append(inv)
        ks.append(k)
        counts.append(cnt)
    if not codes:
        raise ValueError("no labellings given")
    return codes, ks, counts


def _groups(ks, b):
    """Split labelling indices into consecutive groups with sum(k) * b * 8 <= ~3 MB."""
    cap = max(1, _GROUP_OUTPUT_BYTES // (8 * b))
    groups, cur, tot = [], [], 0
    for i, k in enumerate(ks):
        if cur and tot + k > cap:
            groups.append(cur)
            cur, tot = [], 0
        cur.append(i)
        tot += k
    groups.append(cur)
    return groups


def _stacked_onehot(codes, ks, members, n):
    """CSC (sum k x n) one-hot of the labellings in ``members`` stacked vertically."""
    L = len(members)
    offsets = np.cumsum([0] + [ks[i] for i in members[:-1]])
    rows = np.empty((n, L), dtype=np.int32)
    for c, i in enumerate(members):
        rows[:, c] = codes[i] + offsets[c]
    indptr = np.arange(0, n * L + 1, L, dtype=np.int32 if n * L < 2**31 else np.int64)
    H = sp.csc_matrix(
        (np.ones(n * L), rows.reshape(-1), indptr), shape=(int(sum(ks[i] for i in members)), n)
    )
    return H, offsets


def _block_silhouettes(S: np.ndarray, own: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Silhouettes of a block's samples from their per-cluster distance sums S (k x b)."""
    b = S.shape[1]
    cols = np.arange(b)
    n_own = counts[own]
    a = S[own, cols] / np.maximum(n_own - 1, 1)
    M = S / counts[:, None]
    M[own, cols] = np.inf
    bb = M.min(axis=0)
    denom = np.maximum(a, bb)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = (bb - a) / denom
    s[(n_own <= 1) | ~(denom > 0)] = 0.0  # singletons (sklearn's convention), 0/0
    return s


def _silhouette_pass(D, labellings, block_rows, progress, n_threads, keep_samples):
    D, n = _check_distance_matrix(D)

    def fill(Dt, r0, r1):
        # D is symmetric, so the row block transposed is the column block D[:, r0:r1]:
        # one float64 C-contiguous (n x m) copy, made from a contiguous float32 read
        blk = np.asarray(D[r0:r1])
        tile = 4096
        for j0 in range(0, n, tile):
            Dt[j0 : j0 + tile] = blk[:, j0 : j0 + tile].T
        diag = Dt[np.arange(r0, r1), np.arange(r1 - r0)]
        if np.any(np.abs(diag) > 100 * np.finfo(np.float32).eps):
            raise ValueError("D has non-zero elements on its diagonal: not a distance matrix")

    return _blocked_silhouettes(n, fill, labellings, block_rows, progress, n_threads,
                                keep_samples)


def _blocked_silhouettes(n, fill, labellings, block_rows, progress, n_threads, keep_samples):
    """The one-pass silhouettes; ``fill(Dt, r0, r1)`` writes the (n x m) float64 column
    block of the distances to rows ``r0:r1`` into ``Dt``."""
    codes, ks, counts = _encode_labellings(labellings, n)
    block_rows = int(block_rows)
    if block_rows < 1:
        raise ValueError(f"block_rows must be >= 1, got {block_rows}")
    b = min(block_rows, n)
    groups = _groups(ks, b)
    stacked = [_stacked_onehot(codes, ks, g, n) for g in groups]
    starts = list(range(0, n, b))
    L = len(ks)
    block_sums = np.zeros((len(starts), L))  # summed in block order: deterministic
    samples = [np.empty(n) for _ in range(L)] if keep_samples else None

    if n_threads is None:
        n_threads = min(2, os.cpu_count() or 1)
    n_threads = max(1, min(int(n_threads), len(starts)))
    local = threading.local()

    def work(bi):
        r0 = starts[bi]
        r1 = min(r0 + b, n)
        m = r1 - r0
        if getattr(local, "buf", None) is None:
            local.buf = np.empty(n * b, dtype=np.float64)
        Dt = local.buf[: n * m].reshape(n, m)
        fill(Dt, r0, r1)
        for (H, offsets), g in zip(stacked, groups):
            Y = H @ Dt  # (sum k x m) per-cluster distance sums, float64
            for c, li in enumerate(g):
                S = Y[offsets[c] : offsets[c] + ks[li]]
                s = _block_silhouettes(S, codes[li][r0:r1], counts[li])
                block_sums[bi, li] = s.sum()
                if samples is not None:
                    samples[li][r0:r1] = s
        return m

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, unit="row", unit_scale=True, desc=f"silhouettes x{L}", file=sys.stderr)
    try:
        if n_threads == 1:
            for bi in range(len(starts)):
                m = work(bi)
                if bar is not None:
                    bar.update(m)
        else:
            ex = ThreadPoolExecutor(max_workers=n_threads)
            try:
                for m in ex.map(work, range(len(starts))):
                    if bar is not None:
                        bar.update(m)
            finally:
                # on an error (or Ctrl-C) do not run the remaining blocks first
                ex.shutdown(wait=True, cancel_futures=True)
    finally:
        if bar is not None:
            bar.close()
    return block_sums.sum(axis=0) / n, samples


def silhouette_scores(D, labellings, *, block_rows=1024, progress=False, n_threads=None):
    """Exact mean silhouette coefficient of every labelling, in one pass over D.

    Equal (to ~1e-6 or better) to ``sklearn.metrics.silhouette_score(D, labels,
    metric="precomputed")`` for each labelling, and hence to ``silhouette_score(X, labels)``
    when ``D = distance_matrix(X)``.

    Parameters
    ----------
    D : (n, n) array or memmap
        A symmetric distance matrix with a zero diagonal (e.g. :func:`distance_matrix`).
        It is read once, in blocks of ``block_rows`` rows.
    labellings : sequence of (n,) arrays
        Cluster labels; any hashable label values (re-encoded as 0..k-1). Each needs
        2 <= k <= n - 1 distinct labels.
    block_rows : int
        Rows per block. Each worker thread holds an (n x block_rows) float64 copy
        (490 MB for n = 60,000 and 1024 rows) plus the float32 block.
    progress : bool
        tqdm progress bar on stderr.
    n_threads : int, optional
        Worker threads over blocks (default ``min(2, cpu_count)``).

    Returns
    -------
    np.ndarray of float64, one mean silhouette per labelling.
    """
    scores, _ = _silhouette_pass(D, labellings, block_rows, progress, n_threads, False)
    return scores


def silhouette_samples_many(D, labellings, *, block_rows=1024, progress=False, n_threads=None):
    """Per-sample silhouette coefficients of every labelling, in one pass over D.

    Like ``sklearn.metrics.silhouette_samples(D, labels, metric="precomputed")`` for each
    labelling; returns a list of (n,) float64 arrays. Parameters as :func:`silhouette_scores`.
    """
    _, samples = _silhouette_pass(D, labellings, block_rows, progress, n_threads, True)
    return samples


def silhouette_scores_from_points(X, labellings, *, block_rows=1024, progress=False,
                                  n_threads=None):
    """Exact mean silhouettes of every labelling of the points ``X``, with no distance matrix.

    For low-dimensional points (a feature space): each block of distances is computed in
    float64 from the points (``|x|^2 + |y|^2 - 2 x.y``, clamped at 0, with an exact zero
    diagonal) and used for every labelling at once, as :func:`silhouette_scores` uses a
    block of a stored matrix. Nothing is written to disk. Equal (to ~1e-9 relative) to
    ``sklearn.metrics.silhouette_score(X, labels)`` for each labelling.

    Parameters
    ----------
    X : array-like (n, d)
        The points (Euclidean distances between rows).
    labellings : sequence of (n,) arrays
        As :func:`silhouette_scores`.
    block_rows, progress, n_threads
        As :func:`silhouette_scores`.

    Returns
    -------
    np.ndarray of float64, one mean silhouette per labelling.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [10.0], [11.0]])
    >>> silhouette_scores_from_points(X, [[0, 0, 1, 1]]).round(4).tolist()
    [0.8997]
    """
    P = np.asarray(_as_points(X), dtype=np.float64)
    n = P.shape[0]
    norms = np.einsum("ij,ij->i", P, P)

    def fill(Dt, r0, r1):
        np.matmul(P, P[r0:r1].T, out=Dt)
        Dt *= -2.0
        Dt += norms[:, None]
        Dt += norms[None, r0:r1]
        np.maximum(Dt, 0.0, out=Dt)
        np.sqrt(Dt, out=Dt)
        Dt[np.arange(r0, r1), np.arange(r1 - r0)] = 0.0

    scores, _ = _blocked_silhouettes(n, fill, labellings, block_rows, progress, n_threads, False)
    return scores
