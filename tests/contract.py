"""The reproducibility contract's tolerances, derived once, used by every test that
compares with a committed number (README, "Reproducibility contract").

Two kinds of numbers are in ``results/``:

* **Exact ones** (K-Means labels, inertia and Calinski-Harabasz; every label score of a
  clustering): computed by code whose operations and their order do not depend on the
  CPU. On any x86-64 machine they are the committed numbers up to the table's own
  rounding, :data:`TABLE_REL`.
* **Ones read from the float32 distance matrix** (every silhouette; K-Medoids inertia
  and the in-cluster costs that choose medoids). The matrix comes from a float32 GEMM
  whose kernel, blocking and FMA use are the BLAS's choice for the CPU, so its last bits
  differ from one CPU to the next. Their tolerances below follow from float32 precision,
  the cancellation in ``|x|^2 + |y|^2 - 2 x.y`` and the size of the sums; none of them
  is one machine's rounding.

Every bound is an error against the exact (real-number) value, "vs exact"; two machines
each within it differ by at most twice it, the ``*_CROSS`` constants. The table's
rounding (:data:`TABLE_REL`) is a separate term added where a stored number is compared.

The model of one distance entry
-------------------------------
``pairwise_euclidean`` computes ``d^2 = fl(sx + sy - 2 g)`` with ``sx = |x|^2``,
``sy = |y|^2`` rounded to float32 from float64 (the same on every machine) and
``g = fl(x.y)`` from the BLAS, then ``d = fl(sqrt(d^2))``. With ``u = 2^-24``:

* ``|g - x.y| <= DOT_REL * x.y``. MNIST pixels are >= 0, so ``sum |x_i y_i| = x.y``.
* Rounding ``sx``, ``sy``, the two additions and the ``* -2``: ``<= 3 u (sx + sy)``.

Since ``2 x.y <= sx + sy``, ``|fl(d^2) - d^2| <= (DOT_REL + 3u)(sx + sy)`` and, through
the square root (``delta d = delta d^2 / 2d``) and its own rounding::

    |fl(d) - d| <= (DOT_REL + 3u) / 2 * c * d + u * d,    c = (sx + sy) / d^2

``c`` is the cancellation factor: large for close points. Pairs with ``c`` above
``1 / 0.01`` are recomputed directly in float64 by ``pairwise_euclidean``
(``_REFINE_TAU``): their error is ``u * d`` alone, so :func:`cancellation` counts them
as 0. See :func:`entry_bound`.

Means of distances
------------------
A silhouette's ``a`` and ``b``, a K-Medoids cost or inertia are sums (means) of entries;
the error of a sum is at most the sum of the entries' errors, so its relative error is
at most the *distance-weighted mean* of the entries' relative errors::

    |delta sum d_j| / sum d_j <= (DOT_REL + 3u) / 2 * F + u,
    F = sum_j c_j d_j / sum_j d_j

No assumption on the signs of the rounding errors is made (random signs would make the
real error far smaller: the tolerances are worst cases, not typical sizes).
:data:`F_MAX` bounds ``F`` for MNIST (checked by ``tests/test_contract.py`` on every
committed labelling); the float64 accumulation of ``a`` and ``b`` adds
``n * 2^-53 ~ 7e-12`` and is neglected.
"""

import math

import numpy as np

U32 = 2.0**-24
"""Unit roundoff of float32 (half an ulp at 1.0): ``5.96e-8``."""

N_FEATURES = 784
"""Length of every inner product (28 x 28 pixels)."""

LAMBDA = 6.0
"""Confidence multiplier of the probabilistic inner-product bound (below)."""

DOT_REL = LAMBDA * math.sqrt(N_FEATURES) * U32
"""Relative error of a float32 inner product of non-negative vectors, on any BLAS: ``1.0e-5``.

The worst-case bound is ``N_FEATURES * u = 4.7e-5``; it needs every one of the 784
roundings to push the same way. Higham and Mary's probabilistic bound (SIAM J. Sci.
Comput. 41(5), 2019, Theorem 2.4) is ``lambda * sqrt(n) * u`` with probability at least
``1 - 2 exp(-lambda^2 / 2)``: for ``lambda = 6``, all but a fraction 3e-8 of the entries
(and those still within the worst case, 4.7x this: a negligible share of any mean).
Measured on 4,000 MNIST images against float64 (OpenBLAS on this machine): at most
``6.7e-7``, 15 times below."""

REFINE_C = 100.0
"""``1 / _REFINE_TAU`` of ``mnist_clustering.distances``: above it a pair is recomputed in
float64, so its error is ``u * d`` only."""

F_MAX = 8.0
"""Bound on the distance-weighted mean cancellation factor ``F`` of any image's distances
to any cluster, or of the image-to-medoid distances of an inertia. Measured on the
committed labellings (3,000 sampled images against all 60,000): at most 5.6, median 1.65
(MNIST norms ``|x|^2 ~ 88``, distances ~ 10); 8 leaves room for other clusterings.
``tests/test_contract.py`` checks it."""

MEAN_DISTANCE_REL = (DOT_REL + 3 * U32) / 2 * F_MAX + U32
"""Relative error (vs exact) of any mean or sum of distance-matrix entries with
``F <= F_MAX``: ``4.1e-5``. Derivation in the module docstring."""

SILHOUETTE_ABS = 2 * MEAN_DISTANCE_REL
"""Absolute error (vs exact) of a silhouette, one image's or a mean: ``8.2e-5``.

``s = (b - a) / max(a, b)`` is ``1 - a/b`` or ``b/a - 1``; its derivative with respect
to ``log a`` or ``log b`` is at most 1 in size, so relative errors ``alpha``, ``beta`` of
``a`` and ``b`` (each <= :data:`MEAN_DISTANCE_REL`; ``b`` is a minimum of such means)
move ``s`` by at most ``|alpha| + |beta|``. A mean over images inherits the bound."""

SILHOUETTE_ABS_CROSS = 2 * SILHOUETTE_ABS
"""Two machines' silhouettes differ by at most ``1.6e-4`` (each within SILHOUETTE_ABS)."""

SUM32_REL = 27 * U32
"""Rounding of numpy's float32 ``np.sum`` of up to 60,000 terms >= 0 (``1.6e-6``).

numpy sums in blocks of 128 with 8 accumulators of <= 16 terms (15 roundings), adds
those 8 in a tree (3) and halves recursively above 128 (``log2(60000/128) < 9``):
at most 27 roundings of ``u`` relative each on sums of non-negative terms. The order
is fixed by the array's length, not by the CPU."""

INERTIA_REL = MEAN_DISTANCE_REL + SUM32_REL
"""Relative error (vs exact) of a K-Medoids inertia or in-cluster cost: ``4.3e-5``.

A sum of float32 entries (``F <= F_MAX``) summed in float32 (scikit-learn-extra's and
our 'alternate') or float64 (kmedoids' FasterPAM loss)."""

INERTIA_REL_CROSS = 2 * INERTIA_REL
"""Two machines' K-Medoids inertias differ by at most ``8.6e-5`` relative."""

TIE_REL = 2 * INERTIA_REL
"""Two candidate medoids whose exact costs differ by less than this (relative) may be
ranked either way on some CPU: each computed cost is within INERTIA_REL of its exact
value. Above it, every x86-64 machine picks the same medoid."""

TABLE_REL = 5e-10
"""Relative rounding of a number stored in ``results/`` with 10 significant digits (half
a unit in the 10th digit). Tables written with ``%.17g`` read back exactly, so it is an
upper bound for both formats."""


def cancellation(sx, sy, d):
    """Cancellation factor ``c = (sx + sy) / d^2`` of distance entries, 0 where
    ``pairwise_euclidean`` recomputes the pair in float64 (``c > REFINE_C``) or ``d = 0``."""
    sx, sy, d = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (sx, sy, d)))
    with np.errstate(divide="ignore", invalid="ignore"):
        c = (sx + sy) / (d * d)
    return np.where((d > 0) & (c <= REFINE_C), c, 0.0)


def entry_bound(sx, sy, d):
    """Bound (vs exact) on the error of float32 distance entries ``d`` between points with
    squared norms ``sx``, ``sy``: ``((DOT_REL + 3u) / 2 * c + u) * d``."""
    d = np.asarray(d, dtype=np.float64)
    return ((DOT_REL + 3 * U32) / 2 * cancellation(sx, sy, d) + U32) * d
