"""Numbers with their spread over random starts: summaries, stability, best k under noise.

A K-Means row is one random start (its ``seed``). Over several seeds at one k, each
score has a distribution; this module summarises it (:func:`seed_summary`), measures how
much the clusterings themselves agree (:func:`label_stability`, :func:`stability_by_k`),
and says which k cannot be told apart from the best one (:func:`best_k_under_noise`).

The interval is the two-sided Student t interval for the *mean* over seeds,
``mean +/- t_{0.975, n-1} * sd / sqrt(n)`` (``sd`` with ``ddof=1``): the expected score
of one random start lies in it with 95% confidence, if the seeds' scores are roughly
normal. A k with a single seed has no interval (NaN) and is flagged ``single_seed``.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import adjusted_rand_score

from .checks import check_columns
from .scores import SCORE_DIRECTIONS

SUMMARY_COLUMNS = ("k", "score", "n_seeds", "mean", "sd", "min", "max", "ci_low", "ci_high",
                   "single_seed")
"""Columns of :func:`seed_summary`."""


def seed_summary(table, scores, *, confidence=0.95):
    """Mean, sd, min, max and t interval of each score at each k, over the table's seeds.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of one method and parameter set, with columns ``k``, ``seed`` and the scores.
    scores : str or list of str
        Score columns to summarise.
    confidence : float, default 0.95
        Coverage of the t interval for the mean.

    Returns
    -------
    pandas.DataFrame
        One row per (k, score), columns :data:`SUMMARY_COLUMNS`, sorted by score then k.

    Examples
    --------
    >>> t = pd.DataFrame({"k": [10, 10, 10, 12], "seed": [0, 1, 2, 0],
    ...                   "accuracy": [0.5, 0.6, 0.7, 0.55]})
    >>> s = seed_summary(t, "accuracy")
    >>> s[["k", "n_seeds", "mean", "sd", "min", "max"]].round(3).to_string(index=False)
    ' k  n_seeds  mean  sd  min  max\\n10        3  0.60 0.1 0.50 0.70\\n12        1  0.55 NaN 0.55 0.55'
    """
    scores = [scores] if isinstance(scores, str) else list(scores)
    check_columns(table, ["k", "seed", *scores])
    if table.duplicated(["k", "seed"]).any():
        raise ValueError("the table repeats a (k, seed) row: summarise one method and "
                         "parameter set at a time")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    long = table.melt(id_vars=["k"], value_vars=scores, var_name="score").dropna(subset=["value"])
    grouped = long.groupby(["score", "k"], sort=True)["value"]
    out = grouped.agg(n_seeds="count", mean="mean", sd="std", min="min", max="max").reset_index()
    n = out["n_seeds"].to_numpy()
    half = np.full(len(out), np.nan)
    several = n > 1
    half[several] = (stats.t.ppf(0.5 + confidence / 2, n[several] - 1)
                     * out["sd"].to_numpy()[several] / np.sqrt(n[several]))
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    out["single_seed"] = n == 1
    return out[list(SUMMARY_COLUMNS)]


def label_stability(labellings):
    """Mean and minimum adjusted Rand index over every pair of labellings.

    Parameters
    ----------
    labellings : sequence of array-like
        Labellings of the same images (e.g. one per seed at one k); at least two.

    Returns
    -------
    (float, float, int)
        Mean ARI, minimum ARI, number of pairs.

    Examples
    --------
    The same partition under other cluster ids is perfectly stable:

    >>> label_stability([[0, 0, 1, 1], [1, 1, 0, 0], [0, 0, 1, 1]])
    (1.0, 1.0, 3)
    """
    labellings = [np.asarray(labels) for labels in labellings]
    if len(labellings) < 2:
        raise ValueError(f"stability needs at least two labellings, got {len(labellings)}")
    sizes = {len(labels) for labels in labellings}
    if len(sizes) > 1:
        raise ValueError(f"labellings of different lengths {sorted(sizes)}: they must label "
                         "the same images")
    aris = [adjusted_rand_score(a, b) for a, b in combinations(labellings, 2)]
    return float(np.mean(aris)), float(np.min(aris)), len(aris)


def stability_by_k(labels):
    """:func:`label_stability` at each k from ``{(k, seed): labels}``.

    Returns
    -------
    pandas.DataFrame
        Columns ``k``, ``n_seeds``, ``mean_ari``, ``min_ari``, ``n_pairs``; k with fewer
        than two seeds are left out.
    """
    by_k = {}
    for (k, seed), values in labels.items():
        by_k.setdefault(int(k), {})[int(seed)] = values
    rows = []
    for k in sorted(by_k):
        seeds = by_k[k]
        if len(seeds) < 2:
            continue
        mean, low, pairs = label_stability([seeds[s] for s in sorted(seeds)])
        rows.append((k, len(seeds), mean, low, pairs))
    return pd.DataFrame(rows, columns=["k", "n_seeds", "mean_ari", "min_ari", "n_pairs"])


def best_k_under_noise(summary, score):
    """The k whose interval overlaps the best k's interval, for one score.

    The best k has the best mean (in the score's direction, :data:`SCORE_DIRECTIONS`)
    among the k with at least two seeds. Every k whose t interval overlaps the best
    one's cannot be told apart from it at this number of seeds.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`seed_summary` output (may hold several scores).
    score : str

    Returns
    -------
    pandas.DataFrame
        Rows of ``summary`` for ``score`` whose interval overlaps the best one, best
        first, with a boolean column ``best``. ``attrs['single_seed_ks']`` lists the k
        left out because they have a single seed.
    """
    if score not in SCORE_DIRECTIONS:
        raise ValueError(f"unknown score {score!r}; choose one of: "
                         f"{', '.join(sorted(SCORE_DIRECTIONS))}")
    rows = summary[summary["score"] == score]
    if rows.empty:
        raise ValueError(f"the summary has no rows for {score!r}; summarise it first")
    several = rows[~rows["single_seed"]]
    if several.empty:
        raise ValueError(f"no k has two seeds or more for {score!r}: no interval to compare")
    maximise = SCORE_DIRECTIONS[score] == "max"
    best = several.loc[several["mean"].idxmax() if maximise else several["mean"].idxmin()]
    overlap = (several["ci_low"] <= best["ci_high"]) & (several["ci_high"] >= best["ci_low"])
    out = several[overlap].sort_values("mean", ascending=not maximise, kind="stable")
    out = out.assign(best=out["k"] == best["k"]).reset_index(drop=True)
    out.attrs["single_seed_ks"] = sorted(int(k) for k in rows.loc[rows["single_seed"], "k"])
    return out
