"""Figures: one function per figure kind, each returning a :class:`matplotlib.figure.Figure`.

The functions only draw: every number arrives already computed, as arrays or as the
per-k tables written by :func:`mnist_clustering.run_sweep`. They build figures with
:class:`matplotlib.figure.Figure` directly (never through :mod:`matplotlib.pyplot`), so they
render headless with any backend, keep no global state, and are shown exactly once in a
notebook. Save one with ``fig.savefig(path)``.

One style for every figure: each function draws inside :func:`style` (the seaborn theme,
fixed font sizes), labels its axes with units (:data:`SCORE_LABELS`, in the unit of the
table's method where it depends on it: :func:`mnist_clustering.scores.axis_label`), wraps
labels to the width of their panel, and writes a one-sentence description of what it shows
in ``fig.alt_text``. :func:`show` displays a figure with that description as its
alternative text (the ``alt`` of the ``<img>`` in HTML exports). A sweep is drawn as small
multiples: one panel per score on a shared figure.
"""

from __future__ import annotations

import functools
import io
import math
import textwrap
from collections.abc import Mapping, Sequence

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import ticker
from matplotlib.figure import Figure

from . import notebook2022, scores

__all__ = [
    "SCORE_LABELS",
    "set_style",
    "style",
    "show",
    "image_grid",
    "cluster_galleries",
    "sweep_curves",
    "seed_vs_corrected",
    "class_counts",
    "confusion_heatmap",
    "purity_curves",
    "normalisation_histogram",
    "cluster_sizes",
    "sweep_bands",
    "stability_curve",
    "purity_by_space",
    "embedding_pair",
]

#: Axis label for each score column of a sweep table (the registry's); a table of one
#: K-Medoids method gets that method's unit (:data:`mnist_clustering.scores.AXIS_LABELS_BY_METHOD`).
#: Pass ``labels=`` to override one.
SCORE_LABELS: dict[str, str] = dict(scores.AXIS_LABELS)


_HIGHLIGHT = "crimson"
#: Width and height (inches) of one panel of a multi-panel figure.
PANEL = (4.4, 3.3)
#: Characters per line of an axis label on a panel of width ``PANEL[0]``.
LABEL_WIDTH = 34


def _style_rc(context="notebook", font_scale=1.0):
    rc = {**sns.axes_style("whitegrid"), **sns.plotting_context(context, font_scale)}
    rc["axes.prop_cycle"] = matplotlib.cycler(color=sns.color_palette("colorblind"))
    rc["figure.dpi"] = 100
    rc["savefig.dpi"] = 100
    return rc


def style(context: str = "notebook", font_scale: float = 1.0):
    """The project's plotting style as a context manager (seaborn white grid, colour-blind palette).

    Every figure function of this module draws inside it, so figures look the same
    whatever the global matplotlib settings.

    Examples
    --------
    >>> with style():
    ...     fig = Figure()
    """
    return matplotlib.rc_context(_style_rc(context, font_scale))


def _styled(function):
    """Draw ``function``'s figure inside :func:`style`."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with style():
            return function(*args, **kwargs)
    return wrapper


def set_style(context: str = "notebook", font_scale: float = 1.0) -> None:
    """Apply the project's seaborn theme globally (for figures drawn outside this module).

    Parameters
    ----------
    context : str, default "notebook"
        Seaborn plotting context ("paper", "notebook", "talk" or "poster").
    font_scale : float, default 1.0
        Multiplier for every font size.
    """
    sns.set_theme(context=context, style="whitegrid", palette="colorblind", font_scale=font_scale)


def show(fig: Figure, alt: str | None = None) -> None:
    """Display ``fig`` in a notebook as a PNG whose alternative text is ``alt``.

    The PNG output carries ``{"image/png": {"alt": ...}}`` metadata, which nbconvert's
    HTML export writes as the ``alt`` of the image (screen readers read it).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    alt : str, optional
        Description of the figure; default ``fig.alt_text``, set by every function of
        this module.

    Raises
    ------
    ValueError
        If there is no description (pass ``alt=``).
    """
    from IPython.display import display

    alt = alt or getattr(fig, "alt_text", None)
    if not alt:
        raise ValueError("the figure has no description: pass alt='what the figure shows'")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    display({"image/png": buffer.getvalue(), "text/plain": f"<Figure: {alt}>"},
            metadata={"image/png": {"alt": alt}}, raw=True)


# --------------------------------------------------------------------------- helpers


def _label(column: str, labels: Mapping[str, str] | None = None, method: str | None = None) -> str:
    merged = {**SCORE_LABELS, **scores.AXIS_LABELS_BY_METHOD.get(method, {}), **(labels or {})}
    return merged.get(column, column.replace("_", " ").capitalize())


def _method(table: pd.DataFrame, hue: str | None = None) -> str | None:
    """The one method of ``table`` (its ``method`` column), whose units label the axes."""
    if hue == "method" or "method" not in table.columns:
        return None
    methods = pd.unique(table["method"])
    return str(methods[0]) if len(methods) == 1 else None


def _wrap(text: str, width: int = LABEL_WIDTH) -> str:
    return "\n".join(textwrap.wrap(text, width)) if text else text


def _set_labels(ax, xlabel: str, ylabel: str, width: int = LABEL_WIDTH) -> None:
    """Axis labels wrapped to the panel; large tick values written as 2.8M, not with a 1e6 offset."""
    ax.set_xlabel(_wrap(xlabel, width))
    ax.set_ylabel(_wrap(ylabel, width))
    low, high = ax.get_ylim()
    if max(abs(low), abs(high)) >= 1e5:
        ax.yaxis.set_major_formatter(ticker.EngFormatter(sep=""))


def _describe(fig: Figure, text: str) -> Figure:
    fig.alt_text = text
    return fig


def _require(table: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(
            f"table has no column(s) {missing}; available columns: {list(table.columns)}"
        )


def _as_square_images(images) -> np.ndarray:
    """Return ``images`` as (m, side, side); flat rows of side**2 pixels are reshaped."""
    images = np.asarray(images)
    if images.ndim == 3:
        return images
    if images.ndim != 2:
        raise ValueError(f"images must have shape (m, h, w) or (m, h*w), got {images.shape}")
    side = math.isqrt(images.shape[1])
    if side * side != images.shape[1]:
        raise ValueError(
            f"cannot reshape rows of {images.shape[1]} pixels into square images; "
            "pass images as (m, h, w)"
        )
    return images.reshape(len(images), side, side)


def _draw_images(axes, images, titles, cmap, vmax) -> None:
    """Show one image per axes; hide the axes left over."""
    for i, ax in enumerate(axes):
        if i >= len(images):
            ax.set_visible(False)
            continue
        ax.imshow(images[i], cmap=cmap, vmin=0, vmax=vmax, interpolation="nearest")
        ax.set_axis_off()
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize="small")


def _vmax(images: np.ndarray) -> float:
    # One grey scale for every panel: 1 for images in [0, 1], 255 for raw uint8 pixels.
    return max(1.0, float(images.max())) if images.size else 1.0


def _new_figure(figsize) -> Figure:
    return Figure(figsize=figsize, layout="constrained")


# --------------------------------------------------------------------------- images


@_styled
def image_grid(images, titles=None, n_cols=None, cmap="gray", suptitle=None) -> Figure:
    """Show images on a grid (the first images of a set, cluster galleries, centres).

    Parameters
    ----------
    images : array-like, shape (m, h, w) or (m, h*w)
        Images; flat rows are reshaped to square images (784 -> 28 x 28, 64 -> 8 x 8).
    titles : sequence of m str, optional
        A title per image, e.g. ``[f"Digit {d}" for d in y[:9]]`` or
        ``[f"Centre {i}" for i in range(k)]``.
    n_cols : int, optional
        Number of columns; default ``ceil(sqrt(m))``. The grid has ``ceil(m / n_cols)``
        rows; axes left over are hidden.
    cmap : str, default "gray"
        Colormap. All panels share one grey scale from 0 to ``max(1, images.max())``.
    suptitle : str, optional
        Figure title, e.g. ``"Cluster 4 — 8,847 images"``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> images = np.zeros((9, 28, 28), dtype=np.uint8)
    >>> fig = image_grid(images, [f"Digit {d}" for d in range(9)], n_cols=3)
    >>> len([ax for ax in fig.axes if ax.get_visible()])
    9
    """
    images = _as_square_images(images)
    m = len(images)
    if m == 0:
        raise ValueError("no images to show")
    if titles is not None and len(titles) != m:
        raise ValueError(f"{len(titles)} titles for {m} images")
    n_cols = n_cols or math.ceil(math.sqrt(m))
    n_rows = math.ceil(m / n_cols)
    # panels wide enough for their titles ("cluster 10 → 0 (90%)": ~0.085 inch a character)
    width = max([1.5] + [0.085 * len(str(t)) + 0.1 for t in (titles if titles is not None else [])])
    fig = _new_figure((width * n_cols, 1.5 * n_rows + 0.3 * (suptitle is not None)))
    axes = fig.subplots(n_rows, n_cols, squeeze=False).ravel()
    _draw_images(axes, images, titles, cmap, _vmax(images))
    if suptitle:
        fig.suptitle(suptitle)
    named = f": {'; '.join(map(str, titles))}" if titles is not None else ""
    return _describe(fig, f"{suptitle + '. ' if suptitle else ''}"
                          f"{m} greyscale images of {images.shape[1]} x {images.shape[2]} "
                          f"pixels on a {n_rows} x {n_cols} grid{named}.")


@_styled
def cluster_galleries(
    images, clusters, cluster_ids, n=25, rng=None, *, n_cols=3, cmap="gray"
) -> Figure:
    """Show a gallery of images for each of several clusters, side by side.

    Each cluster gets its own block of ``ceil(sqrt(n))`` x ``ceil(sqrt(n))`` images
    (5 x 5 for ``n=25``) titled with its id and size, e.g. "Cluster 4 — 8,847 images".

    Parameters
    ----------
    images : array-like, shape (N, h, w) or (N, h*w)
        All images, in dataset order.
    clusters : array-like of int, shape (N,)
        Cluster of each image.
    cluster_ids : sequence of int
        Clusters to show, in this order.
    n : int, default 25
        Images per cluster (fewer if the cluster is smaller).
    rng : None, int or numpy.random.Generator, optional
        Which images to show. ``None`` (default) shows the first ``n`` images of the
        cluster in dataset order. Otherwise ``n`` images are
        drawn at random without replacement with ``numpy.random.default_rng(rng)`` and
        shown in dataset order.
    n_cols : int, default 3
        Cluster blocks per row.
    cmap : str, default "gray"
        Colormap.

    Returns
    -------
    matplotlib.figure.Figure
    """
    images = _as_square_images(images)
    clusters = np.asarray(clusters)
    if len(clusters) != len(images):
        raise ValueError(f"{len(clusters)} cluster labels for {len(images)} images")
    cluster_ids = list(cluster_ids)
    side = math.ceil(math.sqrt(n))
    n_cols = min(n_cols, len(cluster_ids))
    n_rows = math.ceil(len(cluster_ids) / n_cols)
    fig = _new_figure((1.3 * side * n_cols, (1.3 * side + 0.4) * n_rows))
    blocks = fig.subfigures(n_rows, n_cols, squeeze=False).ravel()
    generator = None if rng is None else np.random.default_rng(rng)
    for block, c in zip(blocks, cluster_ids):
        members = np.flatnonzero(clusters == c)
        if generator is None:
            chosen = members[:n]
        else:
            chosen = np.sort(generator.choice(members, size=min(n, len(members)), replace=False))
        axes = block.subplots(side, side, squeeze=False).ravel()
        _draw_images(axes, images[chosen], None, cmap, _vmax(images[chosen]))
        block.suptitle(f"Cluster {c} — {len(members):,} images")
    sizes = ", ".join(f"cluster {c} ({np.sum(clusters == c):,} images)" for c in cluster_ids)
    how = "first" if generator is None else "randomly chosen"
    return _describe(fig, f"The {how} {n} images of each of {len(cluster_ids)} clusters: "
                          f"{sizes}.")


# --------------------------------------------------------------------------- sweeps


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
    _require(table, [x, *scores, *([hue] if hue else []), *best])
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
    _require(table, [x, *columns])
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


# --------------------------------------------------------------------------- data and clusters


@_styled
def class_counts(y, ax=None) -> Figure:
    """Bar chart of the number of images of each digit 0-9, counts written on the bars.

    Parameters
    ----------
    y : array-like of int
        Digit labels.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding ``ax``.
    """
    y = np.asarray(y)
    counts = np.bincount(y, minlength=10)
    if ax is None:
        ax = _new_figure((7, 3.8)).subplots()
    bars = ax.bar(np.arange(len(counts)), counts, color=sns.color_palette()[0])
    ax.bar_label(bars, labels=[f"{c:,}" for c in counts], fontsize="small", padding=2)
    ax.set_xticks(np.arange(len(counts)))
    ax.set_xlabel("Digit")
    ax.set_ylabel("Number of images")
    ax.set_title(f"Images per digit (n = {len(y):,})")
    ax.margins(y=0.1)
    fig = ax.figure
    while not isinstance(fig, Figure):  # a SubFigure's parent, up to the root figure
        fig = fig.figure
    counts_text = ", ".join(f"{d}: {c:,}" for d, c in enumerate(counts))
    return _describe(fig, f"Bar chart of the number of images per digit (n = {len(y):,}): "
                          f"{counts_text}.")


@_styled
def confusion_heatmap(
    contingency,
    row_label: str = "Cluster",
    col_label: str = "Digit",
    normalize=False,
    annot: bool = True,
    title: str | None = None,
) -> Figure:
    """Heatmap of a contingency matrix: rows are clusters, columns are digits.

    Parameters
    ----------
    contingency : array-like or pandas.DataFrame, shape (k, n_classes)
        Number of images of each digit (column) in each cluster (row). A DataFrame's
        index and columns give the tick labels; otherwise rows and columns are numbered
        from 0.
    row_label, col_label : str
        Axis labels.
    normalize : bool or {"row", "column"}, default False
        ``True`` or "row": show each cluster's share of each digit (rows sum to 1);
        "column": each digit's share in each cluster. Empty rows/columns stay 0.
    annot : bool, default True
        Write the value in each cell (counts with thousands separators, shares with
        two decimals). Turn off for large k.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    frame = pd.DataFrame(contingency).astype(float)
    if normalize not in (False, True, "row", "column"):
        raise ValueError(f"normalize must be False, True, 'row' or 'column', got {normalize!r}")
    if normalize:
        axis = 0 if normalize == "column" else 1
        totals = frame.sum(axis=axis).to_numpy()
        totals = totals[None, :] if axis == 0 else totals[:, None]
        values = np.divide(frame.to_numpy(), totals, out=np.zeros(frame.shape), where=totals > 0)
        frame = pd.DataFrame(values, index=frame.index, columns=frame.columns)
    k, n_classes = frame.shape
    fig = _new_figure((0.75 * n_classes + 2.5, min(0.38 * k + 1.5, 40)))
    ax = fig.subplots()
    sns.heatmap(
        frame, ax=ax, annot=annot, fmt=".2f" if normalize else ",.0f", cmap="Blues",
        annot_kws={"fontsize": "x-small"}, linewidths=0.5,
        cbar_kws={"label": f"Share of the {'digit' if normalize == 'column' else 'cluster'}"
                  if normalize else "Number of images"},
    )
    ax.set_xlabel(col_label)
    ax.set_ylabel(row_label)
    ax.tick_params(axis="y", rotation=0)
    if title:
        ax.set_title(title)
    what = "shares" if normalize else "counts"
    return _describe(fig, f"{title + '. ' if title else ''}Heatmap of {what}: {k} rows "
                          f"({row_label.lower()}) by {n_classes} columns ({col_label.lower()}).")


@_styled
def normalisation_histogram(raw, prepared, bins: int = 64) -> Figure:
    """Histogram of pixel values before (0-255) and after (divided by 255) normalisation.

    The y axis is logarithmic because most MNIST pixels are background zeros.

    Parameters
    ----------
    raw : array-like
        Raw pixels (uint8, 0-255), any shape.
    prepared : array-like
        The same pixels after normalisation, in [0, 1], any shape.
    bins : int, default 64
        Number of equal-width bins. Bin edges sit half-way between pixel levels
        (-0.5 .. 255.5, and the same divided by 255), so with a divisor of 256 every bin
        holds the same number of the 256 possible levels and no bin spikes by chance.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = _new_figure((10, 3.8))
    axes = fig.subplots(1, 2)
    panels = [
        (raw, (-0.5, 255.5), f"Raw pixels ({np.asarray(raw).dtype}, 0-255)"),
        (prepared, (-0.5 / 255, 255.5 / 255),
         f"Prepared pixels ({np.asarray(prepared).dtype}, / 255)"),
    ]
    for ax, (values, value_range, name) in zip(axes, panels):
        counts, edges = np.histogram(np.asarray(values).ravel(), bins=bins, range=value_range)
        ax.stairs(counts, edges, fill=True, alpha=0.8)
        ax.set_yscale("log")
        ax.set_xlabel("Pixel value")
        ax.set_ylabel("Number of pixels (log scale)")
        ax.set_title(name)
    zero = float(np.mean(np.asarray(raw) == 0))
    return _describe(fig, "Two histograms of pixel values on a log scale, raw (0-255) and "
                          f"divided by 255 (0-1): the same shape; {zero:.0%} of the pixels "
                          "are 0.")


@_styled
def cluster_sizes(clusters, k: int, title: str | None = None) -> Figure:
    """Bar chart of cluster sizes, largest first, with the equal-split size as a line.

    Parameters
    ----------
    clusters : array-like of int, shape (n,)
        Cluster of each image, in ``0 .. k-1``.
    k : int
        Number of clusters (empty clusters show as zero-height bars).
    title : str, optional
        Axes title; default "Cluster sizes (k = ...)".

    Returns
    -------
    matplotlib.figure.Figure
    """
    clusters = np.asarray(clusters)
    sizes = np.bincount(clusters, minlength=k)
    order = np.argsort(-sizes, kind="stable")
    fig = _new_figure((min(0.35 * k + 3, 16), 3.8))
    ax = fig.subplots()
    positions = np.arange(len(sizes))
    ax.bar(positions, sizes[order], color=sns.color_palette()[0])
    ax.axhline(len(clusters) / k, color=_HIGHLIGHT, ls="--", lw=1, label="Equal split n / k")
    if k <= 40:
        ax.set_xticks(positions, [str(c) for c in order], fontsize="small")
        ax.set_xlabel("Cluster (largest to smallest)")
    else:
        ax.set_xticks([])
        ax.set_xlabel(f"{k} clusters, largest to smallest")
    ax.set_ylabel("Number of images")
    ax.set_title(title or f"Cluster sizes (k = {k})")
    ax.legend(fontsize="small")
    return _describe(fig, f"Bar chart of the sizes of {k} clusters, largest first, from "
                          f"{sizes.max():,} to {sizes.min():,} images, against an equal "
                          f"split of {len(clusters) / k:,.0f}.")


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
    _require(summary, ["k", "score", "mean", "ci_low", "ci_high", "min", "max", "single_seed"])
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
    _require(stability, ["k", "mean_ari", "min_ari", "n_seeds"])
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


# --------------------------------------------------------------------------- feature spaces


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
