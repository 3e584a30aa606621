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
from .theme import (
    _HIGHLIGHT,
    PANEL,
    _describe,
    _label,
    _new_figure,
    _set_labels,
    _styled,
)

__all__ = ["sweep_curves", "seed_vs_corrected", "purity_curves", "sweep_bands",
           "stability_curve"]


def _method(table: pd.DataFrame, hue: str | None = None) -> str | None:
    """The one method of ``table`` (its ``method`` column), whose units label the axes."""
    if hue == "method" or "method" not in table.columns:
        return None
    methods = pd.unique(table["method"])
    return str(methods[0]) if len(methods) == 1 else None


def _mark_best(ax, data, x, score, ks, color, name="") -> None:
    """Mark the best of ``ks`` (ranked, best first) with a star, the others with dots.

    One marker for the best k, named in the panel's legend ("best k = 22"); the next
    ones are small filled dots, which stay apart where the k are neighbours.
    """
    points = data.set_index(x).reindex(list(ks))[score]
    absent = points.index[points.isna()].tolist()
    if absent:
        raise ValueError(f"best k {absent} for {score!r} not in the table (or NaN there)")
    (line,) = ax.plot(points.index[:1], points.values[:1], ls="none", marker="*", ms=15,
                      color=color, mec="black", mew=0.7, zorder=4,
                      label=f"{name}best k = {points.index[0]}")
    line.set_gid("best")
    if len(points) > 1:
        (line,) = ax.plot(
            points.index[1:], points.values[1:], ls="none", marker="o", ms=5.5, color=color,
            mec="white", mew=0.6, zorder=3, label=f"{name}next {len(points) - 1} best k")
        line.set_gid("next")
    ax.margins(y=0.1)  # room for the star at the top or bottom of the panel


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
        ring on that score's panel; the first is annotated. With ``hue``, the value may
        also be ``{level: list of k}``; a plain list then rings those k on every line.
    labels : mapping, optional
        Axis labels overriding :data:`SCORE_LABELS` (a table of one K-Medoids method,
        named in its ``method`` column, already gets that method's unit for ``inertia``),
        e.g. ``{"fit_seconds": "Fit time (s; 2 fits ran at once)"}``.

    Returns
    -------
    matplotlib.figure.Figure

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
        _set_labels(ax, _label(x, labels), _label(score, labels, method))
        if hue is not None or score in best:
            ax.legend(fontsize="x-small", title=hue, title_fontsize="x-small")
    for ax in axes[len(scores):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    shown = "; ".join(
        _label(s, labels, method) + (f", best k = {_first_best(best[s])}" if s in best else "")
        for s in scores)
    return _describe(fig, f"{title + '. ' if title else ''}{len(scores)} line charts against "
                          f"{_label(x, labels).lower()}: {shown}.")


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
    left.set_title("As in the seed")
    right.set_title("Corrected")
    if n is None and "n_samples" in table.columns:
        n = int(table["n_samples"].iloc[0])
    if n:
        ks = np.sort(table[x].unique())
        if hue is None:
            left.lines[0].set_label("seed's score")
        left.plot(ks, notebook2022.equal_clusters_entropy(n, ks), ls="--", lw=1.5,
                  color="black", zorder=5, label=f"log(n / k), n = {n:,}: equal clusters")
        left.legend(fontsize="x-small")
        fig.alt_text += (f" The seed's score lies on the dashed curve log(n / k) "
                         f"(n = {n:,}): it measures cluster size, not purity.")
    return fig


@_styled
def purity_curves(
    table: pd.DataFrame,
    spread: pd.DataFrame | None = None,
    *,
    x: str = "k",
    columns: Sequence[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Plot purity (train and test) against k, with its spread over seeds where known.

    Parameters
    ----------
    table : pandas.DataFrame
        One run's sweep table (one row per k) with ``x`` and purity columns.
    spread : pandas.DataFrame, optional
        :func:`mnist_clustering.uncertainty.seed_summary` of the same columns: at every k
        with several seeds, a vertical bar spans the min-max over seeds.
    x : str, default "k"
        Column on the x axis.
    columns : sequence of str, optional
        Purity columns to draw. Default: those of ``("purity", "test_purity")`` present
        (at least one must be). Columns named explicitly must all be present.
    title : str, optional
        Axes title; default "Purity against the number of clusters".

    Returns
    -------
    matplotlib.figure.Figure
    """
    if columns is None:
        columns = [c for c in ("purity", "test_purity") if c in table.columns] or ["purity"]
    check_columns(table, [x, *columns])
    fig = _new_figure((7.5, 4.5))
    ax = fig.subplots()
    names = {"purity": "train purity (each cluster labelled with its majority digit)",
             "test_purity": "test purity (each test image given its nearest centre's digit)"}
    colors = sns.color_palette("colorblind")
    with_spread = []
    for col, marker, color in zip(columns, ("o", "s", "^", "D"), colors):
        data = table[[x, col]].dropna().sort_values(x)
        ax.plot(data[x], data[col], marker=marker, ms=3, lw=1.2, zorder=2, color=color,
                label=names.get(col, _label(col)) + ", seed 0")
        if spread is not None:
            rows = spread[(spread["score"] == col) & ~spread["single_seed"]]
            if len(rows):
                with_spread.append(col)
                ax.errorbar(rows["k"], rows["mean"], yerr=[rows["mean"] - rows["min"],
                                                          rows["max"] - rows["mean"]],
                            fmt="none", ecolor=color, elinewidth=2.5, alpha=0.6, capsize=3,
                            zorder=3, label=None if with_spread[:-1] else
                            f"min-max over {int(rows['n_seeds'].min())}+ seeds")
    _set_labels(ax, _label(x), "Purity (share of images)", width=60)
    ax.set_title(title or "Purity against the number of clusters")
    ax.legend(loc="lower right", fontsize="small")
    return _describe(fig, f"Line chart of {' and '.join(names.get(c, c) for c in columns)} "
                          "against k" + (", with bars for the range over seeds where several "
                                         "seeds were run" if with_spread else "") + ".")


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
    labels : mapping, optional
        Axis labels overriding :data:`SCORE_LABELS`.
    xlim : (float, float), optional
        Limits of the k axis.

    Returns
    -------
    matplotlib.figure.Figure
        Per panel: the mean over seeds (line and dots) where a k has two seeds or more,
        its 95% t interval (dark band) and its min-max range (light band); k with a
        single seed are grey crosses, not joined (no spread is known there).
    """
    scores = list(scores)
    check_columns(summary, ["k", "score", "mean", "ci_low", "ci_high", "min", "max", "single_seed"])
    missing = [s for s in scores if s not in set(summary["score"])]
    if missing:
        raise ValueError(f"summary has no rows for {missing}")
    fig, axes = _panels(len(scores), ncols, title)
    color = sns.color_palette("colorblind")[0]
    for ax, score in zip(axes, scores):
        rows = summary[summary["score"] == score].sort_values("k")
        if xlim is not None:  # only what is shown sets the y range
            rows = rows[rows["k"].between(*xlim)]
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
        ax.legend(fontsize="x-small")
    for ax in axes[len(scores):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    counts = sorted(set(summary.loc[~summary["single_seed"], "n_seeds"].astype(int)))
    return _describe(fig, f"{title + '. ' if title else ''}{len(scores)} line charts against the "
                          f"number of clusters, mean over {', '.join(map(str, counts))} seeds "
                          f"with bands for the 95% interval and the range: "
                          f"{'; '.join(_label(s, labels) for s in scores)}.")


@_styled
def stability_curve(stability: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Agreement between the clusterings of different seeds at each k (mean and min ARI).

    Parameters
    ----------
    stability : pandas.DataFrame
        :func:`mnist_clustering.uncertainty.stability_by_k` output.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_columns(stability, ["k", "mean_ari", "min_ari", "n_seeds"])
    fig = _new_figure((PANEL[0] * 1.3, PANEL[1]))
    ax = fig.subplots()
    color = sns.color_palette("colorblind")[2]
    data = stability.sort_values("k")
    ax.plot(data["k"], data["mean_ari"], marker="o", ms=2.5, lw=1.2, color=color,
            label="mean over pairs of seeds")
    ax.plot(data["k"], data["min_ari"], ls="--", lw=1, color=color, label="least similar pair")
    ax.set_ylim(0, 1.02)
    _set_labels(ax, _label("k"), "Adjusted Rand index between two seeds' clusterings", 44)
    ax.legend(fontsize="x-small")
    if title:
        ax.set_title(title)
    seeds = sorted(set(data["n_seeds"].astype(int)))
    return _describe(fig, f"{title + '. ' if title else ''}Line chart of the adjusted Rand index "
                          f"between the clusterings of {', '.join(map(str, seeds))} seeds, "
                          "mean and minimum over pairs, against the number of clusters.")
