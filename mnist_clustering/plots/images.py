"""Figures of images and of the data: image grids, cluster galleries, digit counts,
pixel histograms, cluster sizes and the clusters x digits heatmap."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from .theme import _HIGHLIGHT, _describe, _new_figure, _styled

__all__ = ["image_grid", "cluster_galleries", "class_counts", "confusion_heatmap",
           "normalisation_histogram", "cluster_sizes"]


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


#: Side (inches) of one image of a cluster gallery.
_GALLERY_IMAGE = 0.6


@_styled
def cluster_galleries(
    images, clusters, cluster_ids, n=25, rng=None, *, n_cols=3, cmap="gray", titles=None
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
    titles : mapping, optional
        ``cluster id -> title`` of its block (e.g. with its majority digit); default
        "Cluster 4 — 8,847 images".

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
    # small images, so that a figure scaled to a page's width keeps its titles legible
    fig = _new_figure((_GALLERY_IMAGE * side * n_cols + 0.3 * (n_cols - 1),
                       (_GALLERY_IMAGE * side + 0.45) * n_rows))
    blocks = fig.subfigures(n_rows, n_cols, squeeze=False, wspace=0.04).ravel()
    generator = None if rng is None else np.random.default_rng(rng)
    for block, c in zip(blocks, cluster_ids):
        members = np.flatnonzero(clusters == c)
        if generator is None:
            chosen = members[:n]
        else:
            chosen = np.sort(generator.choice(members, size=min(n, len(members)), replace=False))
        axes = block.subplots(side, side, squeeze=False,
                              gridspec_kw={"wspace": 0.04, "hspace": 0.04}).ravel()
        _draw_images(axes, images[chosen], None, cmap, _vmax(images[chosen]))
        block.suptitle(titles[c] if titles else f"Cluster {c} — {len(members):,} images",
                       fontsize="medium")
    sizes = "; ".join(titles[c] if titles else f"cluster {c} ({np.sum(clusters == c):,} images)"
                      for c in cluster_ids)
    how = "first" if generator is None else "randomly chosen"
    return _describe(fig, f"The {how} {n} images of each of {len(cluster_ids)} clusters: "
                          f"{sizes}.")


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
    counts = frame.to_numpy()
    if normalize not in (False, True, "row", "column"):
        raise ValueError(f"normalize must be False, True, 'row' or 'column', got {normalize!r}")
    if normalize:
        axis = 0 if normalize == "column" else 1
        totals = frame.sum(axis=axis).to_numpy()
        totals = totals[None, :] if axis == 0 else totals[:, None]
        values = np.divide(frame.to_numpy(), totals, out=np.zeros(frame.shape), where=totals > 0)
        frame = pd.DataFrame(values, index=frame.index, columns=frame.columns)
    k, n_classes = frame.shape
    fig = _new_figure((0.6 * n_classes + 2.2, min(0.36 * k + 1.4, 40)))
    ax = fig.subplots()
    sns.heatmap(
        frame, ax=ax, annot=annot, fmt=".2f" if normalize else ",.0f", cmap="Blues",
        annot_kws={"fontsize": 8.5}, linewidths=0.5,
        cbar_kws={"label": f"Share of the {'digit' if normalize == 'column' else 'cluster'}"
                  if normalize else "Number of images"},
    )
    ax.set_xlabel(col_label)
    ax.set_ylabel(row_label)
    ax.tick_params(axis="y", rotation=0)
    if title:
        ax.set_title(title)
    what = "shares" if normalize else "counts"
    on_top = counts.max(axis=1).sum() / counts.sum() if counts.sum() else 0.0
    return _describe(fig, f"{title + '. ' if title else ''}Heatmap of {what}: {k} rows "
                          f"({row_label.lower()}) by {n_classes} columns ({col_label.lower()}); "
                          f"the largest cell of each row holds {on_top:.0%} of all the counts.")


@_styled
def normalisation_histogram(raw, prepared, bins: int = 64) -> Figure:
    """One histogram of the pixel values, read on two scales: 0-255 below, divided by 255 above.

    Dividing by 255 changes the scale, not the shape: the prepared pixels' histogram is
    the raw one with relabelled axes, so it is drawn once, with a second axis. The y axis
    is logarithmic because most MNIST pixels are background zeros.

    Parameters
    ----------
    raw : array-like
        Raw pixels (uint8, 0-255), any shape.
    prepared : array-like
        The same pixels after normalisation, in [0, 1], any shape. The histogram is
        drawn from ``raw``; ``prepared`` names the upper axis (its dtype) and must hold
        as many pixels.
    bins : int, default 64
        Number of equal-width bins. Bin edges sit half-way between pixel levels
        (-0.5 .. 255.5), so with a divisor of 256 every bin holds the same number of the
        256 possible levels and no bin spikes by chance.

    Returns
    -------
    matplotlib.figure.Figure
    """
    raw, prepared = np.asarray(raw), np.asarray(prepared)
    if raw.size != prepared.size:
        raise ValueError(f"{raw.size} raw pixels but {prepared.size} prepared ones: pass "
                         "the same images before and after normalisation")
    fig = _new_figure((7, 4))
    ax = fig.subplots()
    counts, edges = np.histogram(raw.ravel(), bins=bins, range=(-0.5, 255.5))
    ax.stairs(counts, edges, fill=True, alpha=0.8)
    ax.set_yscale("log")
    ax.set_xlim(edges[0], edges[-1])
    ax.set_xlabel(f"Raw pixel value ({raw.dtype}, 0-255)")
    ax.set_ylabel("Number of pixels (log scale)")
    top = ax.secondary_xaxis("top", functions=(lambda v: v / 255.0, lambda v: v * 255.0))
    top.set_xlabel(f"Prepared pixel value ({prepared.dtype}, divided by 255)")
    zero = float(np.mean(raw == 0))
    return _describe(fig, "Histogram of the pixel values on a log scale, read as raw values "
                          "(0-255, lower axis) or divided by 255 (0-1, upper axis): one shape "
                          f"on two scales; {zero:.0%} of the pixels are 0, the background.")


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
