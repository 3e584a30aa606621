"""Figures of the feature spaces (notebook 05): purity against k per space, and a 2-D
embedding coloured by digit and by cluster."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from .theme import _describe, _new_figure, _set_labels, _styled

__all__ = ["purity_by_space", "embedding_pair"]


@_styled
def purity_by_space(purity: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Purity against k, one line per feature space with its range over seeds (log k axis).

    Parameters
    ----------
    purity : pandas.DataFrame
        Index k, (space, statistic) columns with statistics ``mean``, ``min``, ``max``
        (:func:`mnist_clustering.views.purity_by_space`).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = _new_figure((7.5, 4.5))
    ax = fig.subplots()
    spaces = list(purity.columns.get_level_values(0).unique())
    for space, marker in zip(spaces, "osD^v<>"):
        values = purity[space].dropna(subset=["mean"])
        line, = ax.plot(values.index, values["mean"].to_numpy(), marker=marker, ms=3, lw=1.2,
                        label=space)
        ax.fill_between(values.index, values["min"].to_numpy(), values["max"].to_numpy(),
                        color=line.get_color(), alpha=0.2, lw=0)
    ax.set_xscale("log")
    _set_labels(ax, "Number of clusters k (log scale)", "Purity (share of images)", width=60)
    ax.set_title(title or "K-Means purity against k in each feature space")
    ax.legend(title="space (band: min to max over seeds)", fontsize="small", loc="lower right")
    return _describe(fig, "Line chart of the K-Means purity (mean over seeds, with a shaded "
                          "band from the lowest to the highest seed) against k on a log axis, "
                          f"one line per feature space: {', '.join(spaces)}.")


@_styled
def embedding_pair(xy, digits, clusters, *, title: str | None = None) -> Figure:
    """A 2-D embedding drawn twice: coloured by digit, and beside it by cluster.

    Parameters
    ----------
    xy : (n, 2) array
    digits, clusters : (n,) arrays of int
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    xy = np.asarray(xy)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise ValueError(f"xy must be (n, 2) coordinates, got shape {xy.shape}")
    fig = _new_figure((12, 5.5))
    axes = fig.subplots(1, 2, sharex=True, sharey=True)
    palette = np.asarray(sns.color_palette("tab10", 10))
    for ax, values, name in zip(axes, (digits, clusters), ("digit", "cluster")):
        values = np.asarray(values)
        ax.scatter(xy[:, 0], xy[:, 1], c=palette[values % 10], s=1.5, linewidths=0,
                   rasterized=True)
        for value in np.unique(values):
            centre = np.median(xy[values == value], axis=0)
            ax.text(*centre, str(value), fontsize="large", weight="bold", ha="center",
                    va="center", bbox={"boxstyle": "round", "fc": "white", "alpha": 0.7})
        ax.set_title(f"coloured by {name}")
        ax.set_xticks([])
        ax.set_yticks([])
    if title:
        fig.suptitle(title)
    return _describe(fig, f"Two scatter plots of the same {len(xy)} points of a 2-D embedding, "
                          "left coloured by digit, right by cluster, each group labelled at "
                          "its median.")
