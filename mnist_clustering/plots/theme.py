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
import seaborn as sns
from matplotlib import ticker
from matplotlib.figure import Figure

from .. import scores

__all__ = ["SCORE_LABELS", "PANEL", "LABEL_WIDTH", "style", "set_style", "show"]

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
