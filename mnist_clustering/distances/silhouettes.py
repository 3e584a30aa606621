"""Exact silhouette scores of many labellings in one pass over the distances.

A silhouette sweep over the 60,000 MNIST training images would cost about 86 s per k with
``sklearn.metrics.silhouette_score`` (it recomputes every distance each time). Here
:func:`silhouette_scores` reads a stored distance matrix (the cached file of
:mod:`mnist_clustering.distances.cache`) once, in row blocks, for any number of
labellings at the same time; :func:`silhouette_scores_from_points` does the same from
the points of a low-dimensional feature space, computing each block of distances on the
fly instead of storing them.
"""

from __future__ import annotations

import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

from .pairwise import as_points

__all__ = ["silhouette_samples_many", "silhouette_scores", "silhouette_scores_from_points"]

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
    P = np.asarray(as_points(X), dtype=np.float64)
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
