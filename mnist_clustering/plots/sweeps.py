"""Figures of sweeps over k: scores against k in small multiples (one panel per score),
the 2022 entropy beside the corrected one, purity, the spread over seeds and the
agreement between seeds."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from .. import notebook2022
from ..checks import check_columns
from ..scores import PURITY_GAP
from .theme import (
    _HIGHLIGHT,
    PANEL,
    _describe,
    _figure_legend,
    _label,
    _new_figure,
    _number,
    _seed_counts,
    _set_labels,
    _styled,
)

__all__ = ["sweep_curves", "seed_vs_corrected", "purity_curves",
           "sweep_bands", "stability_curve"]


def _method(table: pd.DataFrame, hue: str | None = None) -> str | None:
    """The one method of ``table`` (its ``method`` column), whose units label the axes."""
    if hue == "method" or "method" not in table.columns:
        return None
    methods = pd.unique(table["method"])
    return str(methods[0]) if len(methods) == 1 else None


def _mark_best(ax, data, x, score, ks, color, name="") -> None:
    """Mark the best of ``ks`` (ranked, best first) with a star, the others with dots.

    The star carries its k as a label beside it; the figure's one legend says what a
    star and a dot mean. The next ones are small filled dots, which stay apart where the
    k are neighbours.
    """
    points = data.set_index(x).reindex(list(ks))[score]
    absent = points.index[points.isna()].tolist()
    if absent:
        raise ValueError(f"best k {absent} for {score!r} not in the table (or NaN there)")
    (line,) = ax.plot(points.index[:1], points.values[:1], ls="none", marker="*", ms=15,
                      color=color, mec="black", mew=0.7, zorder=4, label=f"{name}best k")
    line.set_gid("best")
    ax.annotate(f"k = {points.index[0]}", (points.index[0], points.values[0]),
                xytext=(8, 4), textcoords="offset points", fontsize="small", color=color,
                weight="bold", gid="best-k")
    if len(points) > 1:
        (line,) = ax.plot(
            points.index[1:], points.values[1:], ls="none", marker="o", ms=5.5, color=color,
            mec="white", mew=0.6, zorder=3, label=f"{name}next best k")
        line.set_gid("next")
    ax.margins(y=0.1)  # room for the star at the top or bottom of the panel


def _trend(data, x, score) -> str:
    """``from 0.087 at k = 2 to 0.054 at k = 79`` (first and last point of a curve)."""
    data = data[[x, score]].dropna().sort_values(x)
    if data.empty:
        return "no values"
    first, last = data.iloc[0], data.iloc[-1]
    return (f"from {_number(first[score])} at k = {int(first[x])} to "
            f"{_number(last[score])} at k = {int(last[x])}")


@_styled
def sweep_curves(
    table: pd.DataFrame,
    scores: Sequence[str],
    *,
    x: str = "k",
    hue: str | None = None,
    ncols: int = 3,
    title: str | None = None,
    best: Mapping | None = None,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Plot each score of a sweep against k, one small panel per score.

    k is drawn on a log axis when it spans more than a factor of 20 (e.g. 2..262).

    Parameters
    ----------
    table : pandas.DataFrame
        One row per fit (per k, and per ``hue`` level if given).
    scores : sequence of str
        Score columns, one panel each, e.g.
        ``["inertia", "silhouette", "calinski_harabasz", "label_entropy", "fit_seconds"]``.
    x : str, default "k"
        Column on the x axis.
    hue : str, optional
        Column whose levels are drawn as separate lines on the same axes, e.g. "method"
        for K-Medoids 'alternate' against 'fasterpam'.
    ncols : int, default 3
        Panels per row; panels left over are hidden.
    title : str, optional
        Figure title.
    best : mapping, optional
        ``score -> list of k`` (best first, e.g. from :func:`mnist_clustering.best_k`) to
        mark on that score's panel: a star labelled with its k, dots for the others. With ``hue``, the value may
        also be ``{level: list of k}``; a plain list then rings those k on every line.
    labels : mapping, optional
        Axis labels overriding :data:`SCORE_LABELS` (a table of one K-Medoids method,
        named in its ``method`` column, already gets that method's unit for ``inertia``),
        e.g. ``{"fit_seconds": "Fit time (s; 2 fits ran at once)"}``.

    Returns
    -------
    matplotlib.figure.Figure
        One legend for the whole figure (the ``hue`` levels, what a star and a dot mean),
        below the panels. The description says where each curve starts and ends.

    Raises
    ------
    ValueError
        If a column named by ``x``, ``hue``, ``scores`` or ``best`` is missing, or a best
        k has no value. NaN scores are skipped (the line joins the remaining points).
    """
    scores = list(scores)
    best = dict(best or {})
    check_columns(table, [x, *scores, *([hue] if hue else []), *best])
    unplotted = [s for s in best if s not in scores]
    if unplotted:
        raise ValueError(f"best given for {unplotted}, which are not among scores {scores}")
    fig, axes = _panels(len(scores), ncols, title)
    method = _method(table, hue)
    groups = [(None, table)] if hue is None else list(table.groupby(hue, sort=False))
    colors = sns.color_palette("colorblind", n_colors=max(len(groups), 1))
    logged = False
    for ax, score in zip(axes, scores):
        for (level, sub), color in zip(groups, colors):
            data = sub[[x, score]].dropna().sort_values(x)
            ax.plot(data[x], data[score], marker="o", ms=3, lw=1.3, color=color,
                    label=None if hue is None else str(level))
            ks = best.get(score)
            if isinstance(ks, Mapping):
                ks = ks.get(level)
            if ks is not None and len(ks):
                _mark_best(ax, data, x, score, ks, _HIGHLIGHT if hue is None else color,
                           name="" if hue is None else f"{level}: ")
        logged = x == "k" and _log_k_axis(ax, table[x])
        _set_labels(ax, _label(x, labels) + (" (log scale)" if logged else ""),
                    _label(score, labels, method))
    for ax in axes[len(scores):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    _figure_legend(fig, title=hue)
    shown = "; ".join(
        _label(s, labels, method) + " " + (_trend(table, x, s) if hue is None else
                                           f"(one line per {hue})")
        + (f", best at k = {_first_best(best[s])}" if s in best else "")
        for s in scores)
    charts = "A line chart" if len(scores) == 1 else f"{len(scores)} line charts"
    return _describe(fig, f"{title + '. ' if title else ''}{charts} against "
                          f"{_label(x, labels).lower()}{' on a log axis' if logged else ''}: {shown}.")


def _panels(n, ncols, title):
    """A figure of ``n`` small panels, ``ncols`` per row, room for ``title``: (fig, axes)."""
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig = _new_figure((PANEL[0] * ncols, PANEL[1] * nrows + 0.4 * bool(title)))
    return fig, fig.subplots(nrows, ncols, squeeze=False).ravel()


def _first_best(ks):
    if isinstance(ks, Mapping):
        return ", ".join(f"{level} {v[0]}" for level, v in ks.items() if len(v))
    return ks[0]


@_styled
def seed_vs_corrected(
    table: pd.DataFrame,
    seed_col: str = "seed_index_entropy",
    correct_col: str = "label_entropy",
    *,
    x: str = "k",
    hue: str | None = None,
    best: Mapping | None = None,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    n: int | None = None,
) -> Figure:
    """Show the 2022 notebook's entropy beside the corrected one, two panels over k.

    The left panel draws the 2022 score (:func:`mnist_clustering.notebook2022.index_entropy`)
    with the curve it follows (:func:`mnist_clustering.notebook2022.equal_clusters_entropy`),
    the right one the size-weighted entropy of the digit labels in each cluster.

    Parameters
    ----------
    table : pandas.DataFrame
        Sweep table holding ``x``, ``seed_col`` and ``correct_col``.
    seed_col, correct_col : str
        Column of the 2022 score (left panel) and of the corrected score (right panel).
    x, hue, best, labels, title
        As for :func:`sweep_curves`.
    n : int, optional
        Number of images, for the log(n / k) reference; default the table's
        ``n_samples`` column if it has one (none drawn otherwise).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = sweep_curves(table, [seed_col, correct_col], x=x, hue=hue, ncols=2,
                       best=best, labels=labels, title=title)
    left, right = fig.axes[:2]
    left.set_title("As in the 2022 notebook")
    right.set_title("Corrected")
    if n is None and "n_samples" in table.columns:
        n = int(table["n_samples"].iloc[0])
    if n:
        ks = np.sort(table[x].unique())
        if hue is None:
            left.lines[0].set_label("the 2022 notebook's score")
        left.plot(ks, notebook2022.equal_clusters_entropy(n, ks), ls="--", lw=1.5,
                  color="black", zorder=5, label=f"log(n / k), n = {n:,}: equal clusters")
        _figure_legend(fig, title=hue)
        fig.alt_text += (f" The 2022 notebook's score lies on the dashed curve log(n / k) "
                         f"(n = {n:,}): it measures cluster size, not purity.")
    return fig




def _log_k_axis(ax, ks) -> bool:
    """Put k on a log axis when it spans more than a factor of 20 (2..256: the small k,
    where most of the sweep lies, would otherwise fill a tenth of the axis)."""
    ks = np.asarray(ks, dtype=float)
    if len(ks) and ks.min() > 0 and ks.max() / ks.min() > 20:
        ax.set_xscale("log")
        ticks = [k for k in (2, 5, 10, 20, 50, 100, 200, 500, 1000)
                 if ks.min() <= k <= ks.max()]
        ax.set_xticks(ticks, [str(k) for k in ticks])
        ax.xaxis.set_minor_formatter("")
        return True
    return False


@_styled
def purity_curves(
    table: pd.DataFrame,
    spread: pd.DataFrame | None = None,
    *,
    x: str = "k",
    title: str | None = None,
) -> Figure:
    """Train and test purity against k, and beside it test minus train with its spread.

    The two purities lie within about 0.01 of each other at every k, so on one axis
    they hide each other; the right panel draws their difference on its own scale.

    Parameters
    ----------
    table : pandas.DataFrame
        One run's sweep (one row per k) with ``x``, ``purity`` and ``test_purity``.
    spread : pandas.DataFrame, optional
        :func:`mnist_clustering.uncertainty.seed_summary` holding ``purity`` and
        :data:`mnist_clustering.scores.PURITY_GAP` (each seed's test purity minus its train purity): at every k
        with several seeds a bar spans the lowest to the highest seed, with a dot at the
        mean over seeds.
    x : str, default "k"
    title : str, optional
        Figure title; default "Purity against the number of clusters".

    Returns
    -------
    matplotlib.figure.Figure
        Two panels (k on a log axis when it spans more than a factor of 20) and one
        legend.
    """
    check_columns(table, [x, "purity", "test_purity"])
    data = table[[x, "purity", "test_purity"]].dropna().sort_values(x)
    gap = data["test_purity"] - data["purity"]
    fig, (left, right) = _panels(2, 2, title or True)
    colors = sns.color_palette("colorblind")
    left.plot(data[x], data["purity"], marker="o", ms=2.5, lw=1.2, color=colors[0],
              label="train purity, one run (seed 0)")
    left.plot(data[x], data["test_purity"], ls="--", lw=1.2, color=colors[1],
              label="test purity, one run (seed 0)")
    right.axhline(0, color="0.3", lw=0.8)
    right.plot(data[x], gap, marker="o", ms=2.5, lw=1, color=colors[2],
               label="test minus train, one run (seed 0)")
    for ax, score, color in ((left, "purity", colors[0]), (right, PURITY_GAP, colors[2])):
        rows = (spread[(spread["score"] == score) & ~spread["single_seed"]]
                if spread is not None else pd.DataFrame())
        if len(rows):
            ax.errorbar(rows["k"], rows["mean"], yerr=[rows["mean"] - rows["min"],
                                                      rows["max"] - rows["mean"]],
                        fmt="D", ms=3, color="black", ecolor="black", elinewidth=1.2,
                        alpha=0.7, capsize=2.5, zorder=3,
                        label="mean and range over seeds (where several ran)")
        _log_k_axis(ax, data[x])
    _set_labels(left, _label(x), "Purity (share of images)")
    _set_labels(right, _label(x), "Test purity minus train purity")
    left.set_title("Train and test purity")
    right.set_title("Test minus train")
    fig.suptitle(title or "Purity against the number of clusters")
    _figure_legend(fig, ncols=2)
    above = int((gap > 0).sum())
    return _describe(fig, f"Two line charts against k. Left: train purity rises "
                          f"{_trend(data, x, 'purity')}, test purity with it. Right: test "
                          f"minus train purity is above zero at {above} of {len(gap)} k "
                          f"(median {gap.median():+.4f}, from {gap.min():+.4f} to "
                          f"{gap.max():+.4f})"
                          + (", with the range over seeds where several ran." if spread
                             is not None else "."))


@_styled
def sweep_bands(
    summary: pd.DataFrame,
    scores: Sequence[str],
    *,
    ncols: int = 2,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
    xlim: tuple[float, float] | None = None,
) -> Figure:
    """Each score against k with its spread over seeds: mean, 95% interval and range.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`mnist_clustering.uncertainty.seed_summary` output, holding ``scores``.
    scores : sequence of str
        One panel each.
    ncols : int, default 2
    title : str, optional
        Figure title; the number of seeds behind each k shown is added to it, read from
        ``summary`` (e.g. "10 seeds per k, 20 at k = 10 and 19").
    labels : mapping, optional
        Axis labels overriding :data:`SCORE_LABELS`.
    xlim : (float, float), optional
        Limits of the k axis.

    Returns
    -------
    matplotlib.figure.Figure
        Per panel: the mean over seeds (line and dots) where a k has two seeds or more,
        its 95% t interval (dark band) and its min-max range (light band); k with a
        single seed are grey crosses, not joined (no spread is known there). One legend
        for the figure.
    """
    scores = list(scores)
    check_columns(summary, ["k", "score", "mean", "ci_low", "ci_high", "min", "max", "single_seed",
                       "n_seeds"])
    missing = [s for s in scores if s not in set(summary["score"])]
    if missing:
        raise ValueError(f"summary has no rows for {missing}")
    shown = summary if xlim is None else summary[summary["k"].between(*xlim)]
    several_seeds = shown[~shown["single_seed"] & (shown["score"] == scores[0])]
    counts = _seed_counts(several_seeds["k"], several_seeds["n_seeds"])
    heading = f"{title} ({counts})" if title else counts
    fig, axes = _panels(len(scores), ncols, heading)
    color = sns.color_palette("colorblind")[0]
    points = []
    for ax, score in zip(axes, scores):
        rows = shown[shown["score"] == score].sort_values("k")  # only what is shown sets y
        several, single = rows[~rows["single_seed"]], rows[rows["single_seed"]]
        ax.fill_between(several["k"], several["min"], several["max"], color=color, alpha=0.15,
                        lw=0, label="min-max over seeds")
        ax.fill_between(several["k"], several["ci_low"], several["ci_high"], color=color,
                        alpha=0.4, lw=0, label="95% interval of the mean")
        ax.plot(several["k"], several["mean"], marker="o", ms=2.5, lw=1.2, color=color,
                label="mean over seeds")
        if len(single):
            ax.plot(single["k"], single["mean"], ls="none", marker="x", ms=3.5, color="0.45",
                    label="one seed only")
        if xlim is not None:
            ax.set_xlim(*xlim)
        _set_labels(ax, _label("k", labels), _label(score, labels))
        if len(several):
            points.append(f"{_label(score, labels)} mean {_trend(several, 'k', 'mean')}")
    for ax in axes[len(scores):]:
        ax.set_visible(False)
    fig.suptitle(heading)
    _figure_legend(fig, ncols=2)
    return _describe(fig, f"{heading}. {len(scores)} line charts against the number of "
                          "clusters, the mean over seeds with bands for its 95% interval and "
                          f"the range: {'; '.join(points)}.")


@_styled
def stability_curve(stability: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Agreement between the clusterings of different seeds at each k (mean and min ARI).

    Parameters
    ----------
    stability : pandas.DataFrame
        :func:`mnist_clustering.uncertainty.stability_by_k` output.
    title : str, optional
        The number of seeds behind each k is added to it.

    Returns
    -------
    matplotlib.figure.Figure
        k on a log axis when it spans more than a factor of 20.
    """
    check_columns(stability, ["k", "mean_ari", "min_ari", "n_seeds"])
    data = stability.sort_values("k")
    counts = _seed_counts(data["k"], data["n_seeds"])
    heading = f"{title} ({counts})" if title else counts.capitalize()
    fig = _new_figure((PANEL[0] * 1.6, PANEL[1] * 1.25))
    ax = fig.subplots()
    color = sns.color_palette("colorblind")[2]
    ax.plot(data["k"], data["mean_ari"], marker="o", ms=2.5, lw=1.2, color=color,
            label="mean over pairs of seeds")
    ax.plot(data["k"], data["min_ari"], ls="--", lw=1, color=color, label="least similar pair")
    ax.set_ylim(0, 1.02)
    logged = _log_k_axis(ax, data["k"])
    _set_labels(ax, _label("k") + (" (log scale)" if logged else ""),
                "Adjusted Rand index between two seeds' clusterings", 44)
    ax.legend(fontsize="small", loc="lower left")
    ax.set_title(heading, fontsize="medium")
    low, high = data.loc[data["mean_ari"].idxmin()], data.loc[data["mean_ari"].idxmax()]
    return _describe(fig, f"{heading}. Line chart of the adjusted Rand index between the "
                          "clusterings of two seeds against the number of clusters: the mean "
                          f"over pairs is highest at k = {int(high['k'])} "
                          f"({_number(high['mean_ari'])}) and lowest at k = {int(low['k'])} "
                          f"({_number(low['mean_ari'])}).")
