"""Every K-Means number with its spread over random starts, and the published figures
beside that spread.

Per k: the mean, sd, range and 95% interval over seeds (:func:`seed_spread`), the k that
cannot be told from the best (:func:`top_k_spread`, :func:`noise_note`), how much two
seeds' clusterings agree (:func:`stability`), and K-Means on raw MNIST pixels in the
literature (:data:`PUBLISHED`, :func:`published_comparison`).
"""

from __future__ import annotations

import pandas as pd

from .. import metrics, scores, uncertainty
from ..scores import PURITY_GAP
from .text import ROW_NAMES, Text, _mean_sd_range, significant

__all__ = [
    "SPREAD_SCORES",
    "PUBLISHED",
    "seed_spread",
    "purity_spread",
    "spread_table",
    "stability",
    "top_k_spread",
    "stability_note",
    "noise_note",
    "published_comparison",
]


SPREAD_SCORES = (*scores.LABEL_SCORES, "test_purity")
"""The label scores shown with their spread over seeds (the registry's comparison scores
and the test purity)."""

PUBLISHED = scores.literature("K-Means on raw pixels")
"""K-Means on raw MNIST pixels in the literature (:data:`mnist_clustering.scores.LITERATURE`),
one row per (score, source): columns ``score, value, k, method, source, where, data``."""


def seed_spread(table, columns=SPREAD_SCORES):
    """Per k and score, the mean, sd, range and 95% t interval over the table's seeds.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of several seeds (one per k and seed).
    columns : sequence of str, default :data:`SPREAD_SCORES`
        Scores to summarise; those absent from the table are skipped.

    Returns
    -------
    pandas.DataFrame
        :func:`mnist_clustering.uncertainty.seed_summary`: one row per (k, score).
    """
    return uncertainty.seed_summary(table, [c for c in columns if c in table.columns])


def purity_spread(table):
    """Per k, train purity, test purity and their difference over the table's seeds.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of several seeds with ``purity`` and ``test_purity``.

    Returns
    -------
    pandas.DataFrame
        :func:`seed_spread` of ``purity``, ``test_purity`` and
        :data:`mnist_clustering.scores.PURITY_GAP` (each seed's test purity minus its
        train purity), as :func:`mnist_clustering.plots.purity_curves` draws them.
    """
    gap = table.assign(**{PURITY_GAP: table["test_purity"] - table["purity"]})
    return seed_spread(gap, ["purity", "test_purity", PURITY_GAP])


def spread_table(settings, k, columns=SPREAD_SCORES, decimals=3):
    """Scores at ``k`` as "mean ± sd [min, max]" over seeds, one row per setting.

    Parameters
    ----------
    settings : mapping
        Row name -> table of K-Means rows (several seeds), e.g. ``{"n_init=1": ...,
        "n_init=10": ...}``.
    k : int
    columns : sequence of str
    decimals : int

    Returns
    -------
    pandas.DataFrame
        Index: the settings; columns ``seeds`` and one per score (readable names).

    Examples
    --------
    >>> t = pd.DataFrame({"k": 10, "seed": [0, 1, 2], "accuracy": [0.5, 0.6, 0.7]})
    >>> spread_table({"one start": t}, 10, ["accuracy"]).iloc[0, 1]
    '0.600 ± 0.100 [0.500, 0.700]'
    """
    rows = {}
    for name, table in settings.items():
        at = table[table["k"] == k]
        rows[name] = {"seeds": len(at), **{ROW_NAMES.get(c, c): _mean_sd_range(at[c], decimals)
                                            for c in columns}}
    return pd.DataFrame.from_dict(rows, orient="index")


def stability_note(stability_table):
    """How much two seeds' clusterings agree, in numbers (from :func:`stability`).

    Parameters
    ----------
    stability_table : pandas.DataFrame
        :func:`stability`.

    Returns
    -------
    Text
    """
    t = stability_table.sort_values("k")
    low, high = t.loc[t["mean_ari"].idxmin()], t.loc[t["mean_ari"].idxmax()]
    ten = t[t["k"] == 10]
    at_ten = (f" At k = 10 it is {ten['mean_ari'].iloc[0]:.3f} (least similar pair "
              f"{ten['min_ari'].iloc[0]:.3f}, {int(ten['n_seeds'].iloc[0])} seeds)."
              if len(ten) else "")
    return Text(
        f"Two seeds' clusterings of the same images agree with a mean adjusted Rand index "
        f"between {low['mean_ari']:.3f} (k = {int(low['k'])}) and {high['mean_ari']:.3f} "
        f"(k = {int(high['k'])}).{at_ten} An ARI of 1 would mean the same partition; the "
        "random start changes which images go together, not only the scores.")


def top_k_spread(summary, score, n=5):
    """The ``n`` k with the best mean over seeds, with their intervals (several seeds only).

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`seed_spread` holding ``score``.
    score : str
        Ranked in its registry direction.
    n : int, default 5

    Returns
    -------
    pandas.DataFrame
        ``k``, ``seeds``, ``mean``, ``sd``, ``95% low``, ``95% high`` and ``overlaps best``
        (the interval overlaps the best k's: not distinguishable from it).
    """
    rows = summary[(summary["score"] == score) & ~summary["single_seed"]]
    maximise = metrics.SCORE_DIRECTIONS[score] == "max"
    rows = rows.sort_values(["mean", "k"], ascending=[not maximise, True]).head(n)
    best = rows.iloc[0]
    overlaps = (rows["ci_low"] <= best["ci_high"]) & (rows["ci_high"] >= best["ci_low"])
    return pd.DataFrame({"k": rows["k"].astype(int).to_numpy(),
                         "seeds": rows["n_seeds"].astype(int).to_numpy(),
                         "mean": rows["mean"].to_numpy(), "sd": rows["sd"].to_numpy(),
                         "95% low": rows["ci_low"].to_numpy(),
                         "95% high": rows["ci_high"].to_numpy(),
                         "overlaps best": overlaps.to_numpy()})


def stability(method="kmeans", dataset="mnist", results_dir=None, **params):
    """Mean and minimum ARI between the seeds' clusterings at each k (stored labels).

    Parameters
    ----------
    method : str, default 'kmeans'
    dataset : str, default 'mnist'
        Table folder name.
    results_dir : path-like, optional
    **params
        Parameters other than the method's defaults (e.g. ``n_init=10``): that table.

    Returns
    -------
    pandas.DataFrame
        :func:`mnist_clustering.uncertainty.stability_by_k`: per k, ``mean_ari``,
        ``min_ari`` and ``n_seeds``.
    """
    from ..results import load_labels

    return uncertainty.stability_by_k(load_labels(method, dataset, results_dir, **params))


def noise_note(summary, score, steps=()):
    """Which k cannot be told apart from the best, and which steps of the curve are real.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`seed_spread` output holding ``score``.
    score : str
    steps : iterable of int
        k where the single-run curve jumps; the step from ``k - 1`` to ``k`` is real when
        the two intervals do not overlap.

    Returns
    -------
    Text
    """
    best = uncertainty.best_k_under_noise(summary, score)
    top = best.iloc[0]
    others = [int(k) for k in best["k"].iloc[1:]]
    name = ROW_NAMES.get(score, score)
    rows = summary[(summary["score"] == score) & ~summary["single_seed"]].set_index("k")
    counts = sorted(set(rows["n_seeds"].astype(int)))
    text = (f"**{name}**: the best mean is at k = {int(top['k'])} "
            f"({significant(top['mean'])}, 95% interval {significant(top['ci_low'])} to "
            f"{significant(top['ci_high'])}, "
            f"{int(top['n_seeds'])} seeds). ")
    text += (f"The intervals of k = {', '.join(map(str, others))} overlap it: with "
             f"{'/'.join(map(str, counts))} seeds per k these cannot be told apart from it."
             if others else "No other k's interval overlaps it: it is the best k beyond the "
                            "noise of the random start.")
    for k in steps:
        if k in rows.index and k - 1 in rows.index:
            a, b = rows.loc[k - 1], rows.loc[k]
            real = a["ci_high"] < b["ci_low"] or b["ci_high"] < a["ci_low"]
            text += (f" The step from k = {k - 1} to {k} (means {significant(a['mean'])} → "
                     f"{significant(b['mean'])}) {'survives' if real else 'does not survive'} the "
                     "intervals.")
        elif k not in rows.index:
            text += f" The step at k = {k} lies where only one seed was run: untested."
    return Text(text)


def published_comparison(spread_table, k=10):
    """Our K-Means at ``k`` (mean over seeds and range) beside each published figure.

    Parameters
    ----------
    spread_table : pandas.DataFrame
        K-Means rows of every seed (:func:`mnist_clustering.load_results`).
    k : int, default 10

    Returns
    -------
    pandas.DataFrame
        One row per published K-Means-on-raw-pixels figure at ``k`` whose score is in our
        table: ``score``, ``published``, ``ours (mean)``, ``ours (min)``, ``ours (max)``,
        ``seeds``, ``within our range`` and the ``source``, ``where`` and ``data``.
    """
    summary = seed_spread(spread_table, PUBLISHED["score"].unique()).set_index(["score", "k"])
    rows = []
    for ref in PUBLISHED.itertuples():
        if ref.k != k or (ref.score, k) not in summary.index:
            continue
        ours = summary.loc[(ref.score, k)]
        rows.append({"score": ROW_NAMES.get(ref.score, ref.score), "published": ref.value,
                     "ours (mean)": ours["mean"], "ours (min)": ours["min"],
                     "ours (max)": ours["max"], "seeds": int(ours["n_seeds"]),
                     "within our range": bool(ours["min"] <= ref.value <= ours["max"]),
                     "source": ref.source, "where": ref.where, "data": ref.data})
    return pd.DataFrame(rows)
