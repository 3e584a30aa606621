"""The pairwise Euclidean distances between the rows of a float32 array: one blocked
float32 GEMM kernel, exactly symmetric, with a zero diagonal and the near-duplicates
recomputed in float64.

What :mod:`mnist_clustering.distances.cache` writes into its cache file and what the
tests compare against scikit-learn's ``pairwise_distances``.
"""

from __future__ import annotations

import sys

import numpy as np

__all__ = ["as_points", "matrix_bytes", "pairwise_euclidean"]

# Pairs whose float32 d^2 = |x|^2 + |y|^2 - 2 x.y is below _REFINE_TAU * (|x|^2 + max|y|^2)
# lost most of their digits to cancellation (near-duplicate points); they are recomputed
# directly as sqrt(sum((x - y)^2)) in float64. Elsewhere the relative error of a distance
# is ~1e-7 (at most ~1e-4 even with a pessimistic float32 dot-product error bound).
_REFINE_TAU = 1e-2


def matrix_bytes(n: int) -> int:
    """Bytes taken by an (n, n) float32 matrix: ``n * n * 4`` (14.4 GB for n = 60,000)."""
    n = int(n)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    return n * n * 4



def as_points(X) -> np.ndarray:
    """``X`` as a C-contiguous float32 (n, d) array of finite values, at least one row.

    Parameters
    ----------
    X : array-like (n, d)

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        If X is not 2-D, has no rows, or holds NaN or infinite values.
    """
    X = np.ascontiguousarray(X, dtype=np.float32)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n_samples, n_features), got shape {X.shape}")
    if X.shape[0] < 1:
        raise ValueError("X has no rows")
    if not np.isfinite(X).all():
        raise ValueError("X contains NaN or infinite values")
    return X


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
    X = as_points(X)
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
