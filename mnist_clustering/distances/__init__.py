"""The shared geometry of the images: pairwise Euclidean distances, their cached and
verified matrix, and exact silhouettes of many labellings in one pass.

A package of three modules by concern, re-exported here (``distances.<name>``):

:mod:`~mnist_clustering.distances.pairwise`
    The kernel: :func:`pairwise_euclidean` fills an (n, n) float32 array (or a given
    writable memmap) with Euclidean distances (blocked float32 GEMM, exactly symmetric,
    near-duplicates recomputed in float64); :func:`matrix_bytes`.
:mod:`~mnist_clustering.distances.cache`
    The matrix computed once into the cache: :func:`distance_matrix` returns the
    read-only (n, n) float32 matrix, from the cache file when its checksums match
    (verified once per process, :func:`verify_cached_matrix`); a damaged file raises
    :class:`DistanceCacheError` naming the file, the first damaged rows and the fix.
:mod:`~mnist_clustering.distances.silhouettes`
    :func:`silhouette_scores` (equal to ``sklearn.metrics.silhouette_score(D, labels,
    metric="precomputed")`` for each labelling), :func:`silhouette_samples_many` and
    :func:`silhouette_scores_from_points` (no matrix stored).
"""

from ..files import CACHE_ENV
from .cache import (
    CHECKSUM_BLOCK_BYTES,
    DISK_HEADROOM,
    MEMORY_HEADROOM,
    DistanceCacheError,
    InsufficientSpaceError,
    cache_key,
    distance_matrix,
    verify_cached_matrix,
)
from .pairwise import as_points, matrix_bytes, pairwise_euclidean
from .silhouettes import silhouette_samples_many, silhouette_scores, silhouette_scores_from_points

__all__ = [
    "CACHE_ENV",
    "CHECKSUM_BLOCK_BYTES",
    "DISK_HEADROOM",
    "MEMORY_HEADROOM",
    "DistanceCacheError",
    "InsufficientSpaceError",
    "as_points",
    "cache_key",
    "distance_matrix",
    "matrix_bytes",
    "pairwise_euclidean",
    "silhouette_samples_many",
    "silhouette_scores",
    "silhouette_scores_from_points",
    "verify_cached_matrix",
]
