"""Figures of the feature spaces (notebook 05): purity against k per space, a 2-D
embedding coloured by digit and by cluster, and accuracy against the autoencoder's
training length."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from .. import metrics
from .theme import _describe, _new_figure, _set_labels, _styled

__all__ = ["purity_by_space", "embedding_pair", "accuracy_by_epochs"]


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
    means = {space: purity[space]["mean"] for space in spaces}
    k = 10 if all(10 in m.dropna().index for m in means.values()) else None
    at = ("" if k is None else f" At k = {k} the mean purity goes from " + ", ".join(
        f"{means[space][k]:.3f} ({space})" for space in
        sorted(spaces, key=lambda space: means[space][k])) + ".")
    return _describe(fig, "Line chart of the K-Means purity (mean over seeds, with a shaded "
                          "band from the lowest to the highest seed) against k on a log axis, "
                          f"one line per feature space: {', '.join(spaces)}.{at}")


@_styled
def embedding_pair(xy, digits, clusters, *, title: str | None = None) -> Figure:
    """A 2-D embedding drawn twice: coloured by digit, and beside it by cluster, each
    cluster in the colour of the digit it is matched to.

    Cluster ids are arbitrary, so colouring them by id says nothing. Each cluster is
    matched one-to-one to a digit (the Hungarian matching of the clustering accuracy,
    :func:`mnist_clustering.metrics.matched_classes`) and drawn in that digit's colour,
    from one colour-blind-safe palette shared by both panels: where the panels differ, the
    clusters disagree with the digits. A cluster left unmatched (more clusters than
    digits) is grey. Each group is labelled at its median point: a digit by itself, a
    cluster by its matched digit (``c3→4``: cluster 3, matched to 4).

    Parameters
    ----------
    xy : (n, 2) array
    digits, clusters : (n,) arrays of int
        Digits 0-9; cluster ids from 0.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    xy = np.asarray(xy)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise ValueError(f"xy must be (n, 2) coordinates, got shape {xy.shape}")
    digits, clusters = np.asarray(digits), np.asarray(clusters)
    n_classes = max(10, int(digits.max()) + 1)
    matched = metrics.matched_classes(digits, clusters, n_classes=n_classes)
    palette = np.vstack([np.asarray(sns.color_palette("colorblind", n_classes)),
                         [[0.6, 0.6, 0.6]]])  # the last row: grey, for unmatched clusters
    fig = _new_figure((10, 5.2))
    axes = fig.subplots(1, 2, sharex=True, sharey=True)
    panels = ((axes[0], digits, digits, "coloured by digit"),
              (axes[1], clusters, matched[clusters],
               "coloured by the digit each cluster is matched to"))
    for ax, groups, colour_of, name in panels:
        ax.scatter(xy[:, 0], xy[:, 1], c=palette[colour_of], s=1.5, linewidths=0,
                   rasterized=True)
        for value in np.unique(groups):
            centre = np.median(xy[groups == value], axis=0)
            text = (str(value) if groups is digits else
                    f"c{value}→{matched[value]}" if matched[value] >= 0 else f"c{value}")
            ax.text(*centre, text, fontsize="medium", weight="bold", ha="center",
                    va="center", bbox={"boxstyle": "round", "fc": "white", "alpha": 0.75})
        ax.set_title(name, fontsize="medium")
        ax.set_xticks([])
        ax.set_yticks([])
    if title:
        fig.suptitle(title)
    agree = float(np.mean(matched[clusters] == digits))
    return _describe(fig, f"Two scatter plots of the same {len(xy):,} points of a 2-D "
                          "embedding, left coloured by digit, right by the digit each cluster "
                          f"is matched to (one colour-blind-safe palette): {agree:.1%} of the "
                          "points fall in the cluster matched to their digit, so the panels "
                          f"differ only where {1 - agree:.1%} of the points are.")


@_styled
def accuracy_by_epochs(table: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Accuracy at k = 10 against the autoencoder's training length, K-Means and the
    Gaussian mixture (each keeping the best of its starts), with the range over training
    seeds; the time per epoch in the axis label.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`mnist_clustering.views.epochs_table`: ``epochs``, ``s per epoch`` and, per
        method label (``K-Means``, ``mixture``), ``<label> ACC``, ``<label> min`` and
        ``<label> max``.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = _new_figure((7.0, 4.2))
    ax = fig.subplots()
    epochs = table["epochs"].to_numpy()
    names = {"K-Means": "K-Means, best of 10 starts", "mixture": "Gaussian mixture, best of 10"}
    for (label, name), marker in zip(names.items(), "os"):
        mean = table[f"{label} ACC"].to_numpy()
        line, = ax.plot(epochs, mean, marker=marker, lw=1.4, label=name)
        ax.fill_between(epochs, table[f"{label} min"].to_numpy(), table[f"{label} max"].to_numpy(),
                        color=line.get_color(), alpha=0.2, lw=0)
    ax.set_xscale("log", base=2)
    ax.set_xticks(epochs, [str(int(e)) for e in epochs])
    ax.minorticks_off()
    seconds = float(table["s per epoch"].mean())
    _set_labels(ax, f"Autoencoder epochs (log scale; {seconds:.1f} s per epoch on 2 cores)",
                "Accuracy at k = 10", width=70)
    ax.set_title(title or "Accuracy against the autoencoder's training length")
    ax.legend(title="band: lowest to highest training seed", fontsize="small",
              loc="lower right")
    described = ", ".join(f"{int(e)} epochs {a:.4f}" for e, a in
                          zip(epochs, table["K-Means ACC"]))
    return _describe(fig, "Line chart of the accuracy at k = 10 (mean over the autoencoder's "
                          "training seeds, with a band from the lowest to the highest seed) "
                          "against the number of training epochs on a log axis, for K-Means "
                          f"and the Gaussian mixture. K-Means: {described}.")
