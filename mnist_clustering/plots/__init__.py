"""Figures: one function per figure kind, each returning a :class:`matplotlib.figure.Figure`.

The functions only draw: every number arrives already computed, as arrays or as the
per-k tables written by :func:`mnist_clustering.run_sweep`. They build figures with
:class:`matplotlib.figure.Figure` directly (never through :mod:`matplotlib.pyplot`), so they
render headless with any backend, keep no global state, and are shown exactly once in a
notebook (:func:`show`, with the figure's description as its alternative text). Save one
with ``fig.savefig(path)``. One module per kind of figure; every public name is
re-exported here, so a notebook calls ``plots.<name>``:

- :mod:`~mnist_clustering.plots.theme`: the one style, axis labels with units, :func:`show`.
- :mod:`~mnist_clustering.plots.images`: images, galleries, counts, cluster sizes, heatmaps.
- :mod:`~mnist_clustering.plots.sweeps`: scores against k, purity, spread over seeds.
- :mod:`~mnist_clustering.plots.spaces`: the feature spaces of notebook 05.
"""

from . import images, spaces, sweeps, theme
from .images import *  # noqa: F403
from .spaces import *  # noqa: F403
from .sweeps import *  # noqa: F403
from .theme import *  # noqa: F403

__all__ = [*theme.__all__, *images.__all__, *sweeps.__all__, *spaces.__all__]
