"""The figures' one style, their axis labels and how a notebook shows them.

Every figure function of :mod:`mnist_clustering.plots` draws inside :func:`style` (the
seaborn theme, fixed font sizes), labels its axes with units (:data:`SCORE_LABELS`, in the
unit of the table's method where it depends on it:
:func:`mnist_clustering.scores.axis_label`), wraps labels to the width of their panel, and
writes a one-sentence description of what it shows in ``fig.alt_text``. :func:`show`
displays a figure with that description as its alternative text (the ``alt`` of the
``<img>`` in HTML exports). The private helpers here are shared by the figure modules.
"""

from __future__ import annotations

import functools
import io
import textwrap
from collections.abc import Mapping

import matplotlib
import pandas as pd
import seaborn as sns
from matplotlib import ticker
from matplotlib.figure import Figure

from .. import scores

__all__ = ["SCORE_LABELS", "PANEL", "LABEL_WIDTH", "DPI", "style", "set_style", "show"]

#: Axis label for each score column of a sweep table (the registry's); a table of one
#: K-Medoids method gets that method's unit (:data:`mnist_clustering.scores.AXIS_LABELS_BY_METHOD`).
#: Pass ``labels=`` to override one.
SCORE_LABELS: dict[str, str] = dict(scores.AXIS_LABELS)

_HIGHLIGHT = "crimson"

#: Width and height (inches) of one panel of a multi-panel figure.
PANEL = (4.4, 3.3)

#: Characters per line of an axis label on a panel of width ``PANEL[0]``.
LABEL_WIDTH = 34

#: Resolution (dots per inch) of every figure, on screen and saved: sharp on high-density
#: screens and in the report, where a figure is scaled to the page's width.
DPI = 150


def _style_rc(context="notebook", font_scale=1.0):
    rc = {**sns.axes_style("whitegrid"), **sns.plotting_context(context, font_scale)}
    rc["axes.prop_cycle"] = matplotlib.cycler(color=sns.color_palette("colorblind"))
    rc["figure.dpi"] = DPI
    rc["savefig.dpi"] = DPI
    return rc


def style(context: str = "notebook", font_scale: float = 1.0):
    """The project's plotting style as a context manager (seaborn white grid, colour-blind palette).

    Every figure function of this module draws inside it, so figures look the same
    whatever the global matplotlib settings.

    Parameters
    ----------
    context : str, default "notebook"
        Seaborn plotting context ("paper", "notebook", "talk" or "poster").
    font_scale : float, default 1.0
        Multiplier for every font size.

    Returns
    -------
    contextlib.AbstractContextManager
        ``matplotlib.rc_context`` with the style's settings.

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
    """Apply the project's seaborn theme globally (for figures drawn outside this package).

    Parameters
    ----------
    context, font_scale
        As for :func:`style`.
    """
    sns.set_theme(context=context, style="whitegrid", palette="colorblind", font_scale=font_scale)


def show(fig: Figure, alt: str | None = None) -> None:
    """Display ``fig`` in a notebook as a PNG whose alternative text is ``alt``.

    The PNG output carries ``{"image/png": {"alt": ...}}`` metadata, which nbconvert's
    HTML export writes as the ``alt`` of the image (screen readers read it). The PNG is
    written at :data:`DPI` whatever the notebook's matplotlib settings.

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
    fig.savefig(buffer, format="png", bbox_inches="tight", dpi=DPI)
    display({"image/png": buffer.getvalue(), "text/plain": f"<Figure: {alt}>"},
            metadata={"image/png": {"alt": alt}}, raw=True)


def _label(column: str, labels: Mapping[str, str] | None = None, method: str | None = None) -> str:
    merged = {**SCORE_LABELS, **scores.AXIS_LABELS_BY_METHOD.get(method, {}), **(labels or {})}
    return merged.get(column, column.replace("_", " ").capitalize())


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


def _new_figure(figsize) -> Figure:
    return Figure(figsize=figsize, layout="constrained")


def _number(value) -> str:
    """A number as a description writes it: 4 significant digits, thousands separated.

    Examples
    --------
    >>> _number(0.0870345), _number(4107.99), _number(2352817.3), _number(12.0)
    ('0.08703', '4,108', '2,352,817', '12')
    """
    value = float(value)
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _and(items) -> str:
    """``a, b and c``.

    Examples
    --------
    >>> _and([10]), _and([10, 19]), _and([50, 100, 256])
    ('10', '10 and 19', '50, 100 and 256')
    """
    items = [str(item) for item in items]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _seed_counts(ks, counts) -> str:
    """How many seeds each k has, in words: the usual number, then the exceptions.

    Examples
    --------
    >>> _seed_counts([2, 3, 10, 19, 50], [10, 10, 20, 20, 5])
    '10 seeds per k, 20 at k = 10 and 19, 5 at k = 50'
    >>> _seed_counts([2, 3], [5, 5])
    '5 seeds per k'
    """
    by_k = pd.Series(list(counts), index=list(ks)).astype(int)
    usual = int(by_k.value_counts(sort=True).index[0])
    parts = [f"{usual} seeds per k"]
    for count in sorted(set(by_k) - {usual}, reverse=True):
        parts.append(f"{count} at k = {_and(by_k.index[by_k == count].tolist())}")
    return ", ".join(parts)


def _figure_legend(fig: Figure, *, ncols: int | None = None, title: str | None = None):
    """One legend for the whole figure, below its panels: every labelled line once.

    Panels of a figure share their colours and markers, so their legend is drawn once
    (a repeated legend in every panel hides data and says nothing new).
    """
    handles, labels = [], []
    for ax in fig.axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels and not label.startswith("_"):
                handles.append(handle)
                labels.append(label)
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    for legend in list(fig.legends):
        legend.remove()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", fontsize="small",
                   ncols=ncols or min(len(labels), 3), title=title,
                   title_fontsize="small", frameon=False)
    return fig
