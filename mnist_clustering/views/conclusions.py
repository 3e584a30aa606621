"""The closing notes of the notebooks: their findings in numbers, from the tables.

One function per notebook (``conclusion_data`` for notebook 01 ...
``conclusion_representations`` for notebook 05), each returning :class:`Text`; the
``answer_*`` functions give the answer each of notebooks 01-04 opens with.
"""

from __future__ import annotations

import json

import numpy as np

from .. import metrics, notebook2022, uncertainty
from .spread import published_comparison
from .tables import scores_at
from .text import (BEST_OF_STARTS, METHOD_NAMES, RECOMMENDED, ROW_NAMES, Text, _mean_sd_range,
                   _summary_mean_sd, significant)
from .vs2022 import final_model_summary

__all__ = [
    "answer_data",
    "answer_kmeans",
    "answer_kmedoids",
    "answer_labels",
    "seed_rank_note",
    "conclusion_data",
    "conclusion_kmeans",
    "conclusion_kmedoids",
    "kmedoids_reproduction_note",
    "conclusion_labels",
    "conclusion_representations",
]


def _data_facts(y_train, raw):
    """Digit counts, their total, the most and least frequent digit, the share of zeros."""
    counts = np.bincount(np.asarray(y_train), minlength=10)
    zero = float(np.mean(np.asarray(raw) == 0))
    return counts, counts.sum(), int(counts.argmax()), int(counts.argmin()), zero


def _digit_range(counts, n, most, least):
    return (f"from {counts[least]:,} ({counts[least] / n:.1%}) images of {least} to "
            f"{counts[most]:,} ({counts[most] / n:.1%}) of {most}")


def answer_data(y_train, raw):
    """The answer notebook 01 opens with: what the images are, in numbers.

    Parameters
    ----------
    y_train : array-like of int
        The digit of each training image.
    raw : array-like
        The training pixels as loaded (0 to 255).

    Returns
    -------
    Text
        Three sentences.

    Examples
    --------
    >>> print(answer_data([*range(10), 1], [[0, 255], [0, 0]]))  # doctest: +ELLIPSIS
    **11 training images, the ten digits in unequal numbers:** from 1 (9.1%) images of 0 to 2 (18.2%) of 1. ...
    """
    counts, n, most, least, zero = _data_facts(y_train, raw)
    return Text(
        f"**{n:,} training images, the ten digits in "
        f"{'nearly equal' if counts[most] < 1.5 * counts[least] else 'unequal'} numbers:** "
        f"{_digit_range(counts, n, most, least)}. So a single cluster holding every image already "
        f"has a purity of {counts[most] / n:.1%}: the floor every purity of the next notebooks "
        f"is measured against. {zero:.1%} of the pixels are background zeros, and dividing "
        "the pixels by 255 shrinks every distance by the same factor: it changes no "
        "clustering.")


def answer_kmeans(sweep, summary, stability_table, k=10):
    """The answer notebook 02 opens with: how many clusters K-Means supports on pixels.

    Parameters
    ----------
    sweep : pandas.DataFrame
        One seed's K-Means sweep over k (the single-run curve).
    summary : pandas.DataFrame
        :func:`seed_spread` of every seed, holding the silhouette, Calinski-Harabasz and
        the label entropy.
    stability_table : pandas.DataFrame
        :func:`stability`.
    k : int, default 10
        The k whose agreement between seeds is quoted.

    Returns
    -------
    Text
    """
    sil = sweep["silhouette"]
    best = {s: uncertainty.best_k_under_noise(summary, s).iloc[0]
            for s in ("silhouette", "calinski_harabasz", "label_entropy")}
    top = best["silhouette"]
    at = stability_table[stability_table["k"] == k].iloc[0]
    return Text(
        f"**No score picks a number of clusters for K-Means on raw pixels.** The silhouette "
        f"is low at every k from {int(sweep['k'].min())} to {int(sweep['k'].max())} "
        f"({sil.min():.3f} to {sil.max():.3f}: digits overlap in pixel space) and highest "
        f"at k = {int(top['k'])}: {top['mean']:.4f} (95% interval {top['ci_low']:.4f} to "
        f"{top['ci_high']:.4f}, {int(top['n_seeds'])} seeds). Calinski-Harabasz is highest at "
        f"k = {int(best['calinski_harabasz']['k'])} too and falls as k grows, while the label "
        f"entropy keeps falling to the largest k run, k = {int(best['label_entropy']['k'])}, "
        "because smaller clusters are purer. None of them points at the ten digits. The "
        f"random start matters as much as k: at k = {k}, two seeds' clusterings agree with a "
        f"mean adjusted Rand index of {at['mean_ari']:.3f} (least similar pair "
        f"{at['min_ari']:.3f}, {int(at['n_seeds'])} seeds).")


def answer_kmedoids(sweep, alternate, fasterpam, ks):
    """The answer notebook 03 opens with: how many clusters, and the cost left on the table.

    Parameters
    ----------
    sweep : pandas.DataFrame
        The 'alternate' sweep over k (deterministic: one run per k).
    alternate, fasterpam : pandas.DataFrame
        'alternate' and FasterPAM rows at ``ks``.
    ks : sequence of int
        The k of the final models (FasterPAM is started from the 'alternate' medoids there).

    Returns
    -------
    Text
    """
    best = {s: metrics.best_k(sweep, s, n=1).iloc[0]
            for s in ("silhouette", "calinski_harabasz", "label_entropy")}
    sil = sweep["silhouette"]
    alt = scores_at(alternate, ks, ["inertia", "purity"])
    fp = scores_at(fasterpam, ks, ["inertia", "purity"])
    cost = (1 - fp["inertia"] / alt["inertia"]) * 100
    gaps = " and ".join(f"{cost[k]:.1f}% at k = {k}" for k in ks)
    purity = ", ".join(f"{alt.at[k, 'purity']:.3f} to {fp.at[k, 'purity']:.3f} at k = {k}"
                       for k in ks)
    grid = sorted(sweep["k"].astype(int))
    return Text(
        f"**K-Medoids does not point at ten clusters either.** Over k = {grid[0]}, "
        f"{grid[1]}, ..., {grid[-1]} (one deterministic run per k) the silhouette is highest at "
        f"k = {int(best['silhouette']['k'])} ({best['silhouette']['silhouette']:.4f}) and "
        f"down to {sil.min():.4f} elsewhere, Calinski-Harabasz is highest at "
        f"k = {int(best['calinski_harabasz']['k'])} and falls with k, and the label entropy is "
        f"lowest at k = {int(best['label_entropy']['k'])}: no score singles out the digits. "
        "The 'alternate' search the 2022 notebook used stops early: FasterPAM, started "
        f"from its medoids, lowers the cost by {gaps}, and its clusters are purer (purity "
        f"{purity}).")


def answer_labels(single_start, best_of_ten, everything, k=10):
    """The answer notebook 04 opens with: how well K-Means' clusters match the digits.

    Parameters
    ----------
    single_start, best_of_ten : pandas.DataFrame
        K-Means rows of every seed with ``n_init=1`` and with ``n_init=10``.
    everything : pandas.DataFrame
        Every K-Means k of seed 0 (train and test purity compared over all of them).
    k : int, default 10

    Returns
    -------
    Text
    """
    one = single_start[single_start["k"] == k]
    ten = best_of_ten[best_of_ten["k"] == k]
    pub = published_comparison(single_start, k)
    inside = int(pub["within our range"].sum())
    gap = everything["test_purity"] - everything["purity"]
    return Text(
        f"**At k = {k}, K-Means on raw pixels puts about half of the images in the cluster "
        f"matched to their digit:** accuracy {one['accuracy'].mean():.3f} ± "
        f"{one['accuracy'].std(ddof=1):.3f} over {len(one)} seeds (from "
        f"{one['accuracy'].min():.3f} to {one['accuracy'].max():.3f}), NMI "
        f"{one['nmi'].mean():.3f} ± {one['nmi'].std(ddof=1):.3f}. {inside} of the "
        f"{len(pub)} published K-Means figures lie within that range. The best of "
        f"{json.loads(ten['params'].iloc[0])['n_init']} "
        f"starts lowers the K-Means cost but not the mismatch: accuracy "
        f"{ten['accuracy'].mean():.3f} ± {ten['accuracy'].std(ddof=1):.3f} over {len(ten)} "
        "seeds. The cluster labels carry over to the 10,000 test images: test purity is "
        f"within {gap.abs().max():.3f} of train purity at every k (median "
        f"{gap.median():+.4f}).")


def seed_rank_note(table, k, seed=0, score="accuracy"):
    """Which seed a figure shows and where it ranks among the seeds at ``k``.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of every seed.
    k : int
    seed : int, default 0
    score : str, default 'accuracy'
        Ranked in its registry direction.

    Returns
    -------
    Text

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"k": 10, "seed": [0, 1, 2], "accuracy": [0.6, 0.5, 0.55]})
    >>> print(seed_rank_note(t, 10))
    The clustering shown is seed 0's: its accuracy (Hungarian), 0.600, ranks 1 of the 3 seeds at k = 10 (the median seed's is 0.550).
    """
    at = table[table["k"] == k]
    value = float(at.loc[at["seed"] == seed, score].iloc[0])
    better = (at[score] > value) if metrics.SCORE_DIRECTIONS[score] == "max" else (at[score] < value)
    name = ROW_NAMES.get(score, score)
    return Text(
        f"The clustering shown is seed {seed}'s: its {name}, {value:.3f}, ranks "
        f"{int(better.sum()) + 1} of the {len(at)} seeds at k = {k} (the median seed's is "
        f"{at[score].median():.3f}).")


def conclusion_data(y_train, raw):
    """The findings of notebook 1 (the data), in numbers.

    Parameters
    ----------
    y_train : array-like of int
    raw : array-like
        The raw training pixels.

    Returns
    -------
    Text
    """
    counts, n, most, least, zero = _data_facts(y_train, raw)
    return Text(
        f"- {n:,} training images, the ten digits close to balanced: "
        f"{_digit_range(counts, n, most, least)}. One cluster holding everything would have a purity of "
        f"{counts[most] / n:.1%}: the floor every purity below is measured against.\n"
        f"- {zero:.1%} of the pixels are background zeros. Dividing by 255 changes the scale "
        "of the distances, not which image is closest to which: the clusters do not depend on it.")


def conclusion_kmeans(sweep, final_k, final_table, printed_final, summary=None):
    """The findings of notebook 2 (K-Means: how many clusters?), in numbers.

    Parameters
    ----------
    sweep : pandas.DataFrame
        The K-Means sweep over k = 2..79.
    final_k : int
    final_table : pandas.DataFrame
        Rows holding ``final_k``.
    printed_final : dict
        ``notebook2022.PRINTED['kmeans_k19']['scores']``.
    summary : pandas.DataFrame, optional
        :func:`seed_spread` of the seeds' silhouette: adds which k are within noise.

    Returns
    -------
    Text
    """
    best = {s: metrics.best_k(sweep, s, n=1).iloc[0] for s in
            ("silhouette", "calinski_harabasz", "label_entropy")}
    row = scores_at(final_table, [final_k], ["calinski_harabasz", "purity", "label_entropy",
                                             "silhouette"]).iloc[0]
    lo, hi = int(sweep["k"].min()), int(sweep["k"].max())
    sil = sweep["silhouette"]
    entropy_k = ", ".join(map(str, notebook2022.PRINTED["kmeans_top5"]["maxs_tab"]["seed_index_entropy"][1]))
    chosen_2022 = notebook2022.PRINTED["kmeans_k19"]["k"]
    return Text(
        f"**No score picks a number of clusters.** Over k = {lo}..{hi} the silhouette stays "
        f"between {sil.min():.3f} and {sil.max():.3f} (digits overlap in pixel space) and is "
        f"highest at k = {int(best['silhouette']['k'])}; Calinski-Harabasz is highest at "
        f"k = {int(best['calinski_harabasz']['k'])} and falls with k; the label entropy "
        f"falls all the way to k = {int(best['label_entropy']['k'])} "
        f"({best['label_entropy']['label_entropy']:.3f} nats), because smaller clusters are "
        f"purer. The 2022 notebook's k = {chosen_2022} is one choice among many, not an answer.\n\n"
        f"At k = {final_k} our model has CH {significant(row['calinski_harabasz'])} (2022: "
        f"{significant(printed_final['calinski_harabasz'])}, a different run: one seeded start against "
        f"{notebook2022.KMEANS_N_INIT} unseeded starts), purity {row['purity']:.3f} and label entropy "
        f"{row['label_entropy']:.3f} nats. Of the 2022 notebook's three scoring bugs, the index entropy "
        f"and the inverted ranking made its entropy top 5 meaningless (k = {entropy_k}: the "
        "largest clusters, not the purest), and its top-5 function's overwriting reordered its "
        "silhouette top 5." + (_noise_sentence(summary) if summary is not None else ""))


def _noise_sentence(summary):
    best = uncertainty.best_k_under_noise(summary, "silhouette")
    top = best.iloc[0]
    others = [str(int(k)) for k in best["k"].iloc[1:]]
    text = (f"\n\nOver seeds (k = 2..30, 10 seeds each), the silhouette's best mean is at "
            f"k = {int(top['k'])} ({top['mean']:.4f}, 95% interval {top['ci_low']:.4f} to "
            f"{top['ci_high']:.4f}). ")
    if others:
        return text + (f"The intervals of k = {', '.join(others)} overlap it: which of them "
                       "a single run ranks first is a draw of the random start.")
    return text + ("No other k's interval overlaps it, so the preference is real, but it is "
                   "the silhouette's known preference for the coarsest split, not ten digit "
                   "classes: the bumps of the single-run curve beyond it are within the noise "
                   "(above).")


def conclusion_kmedoids(models, fasterpam, gap=None, shown=None, k_first=19, k_final=22,
                        printed=None):
    """The findings of notebook 3 (K-Medoids), in numbers.

    Parameters
    ----------
    models : pandas.DataFrame
        'alternate' rows at ``k_first`` and ``k_final``.
    fasterpam : pandas.DataFrame
        FasterPAM rows at the same k.
    gap, shown, printed : optional
        As :func:`kmedoids_reproduction_note` takes them: given ``gap`` and ``shown``,
        that note comes first.
    k_first, k_final : int

    Returns
    -------
    Text
    """
    cols = ["inertia", "purity", "calinski_harabasz"]
    alt = scores_at(models, [k_first, k_final], cols)
    fp = scores_at(fasterpam, [k_first, k_final], cols)
    cost = (1 - fp["inertia"] / alt["inertia"]) * 100
    head = (kmedoids_reproduction_note(models, gap, shown, k_first, k_final, printed) + "\n\n"
            if gap is not None and shown is not None else "")
    return Text(
        head +
        f"**'alternate' stops at a higher cost than a wider search finds.** FasterPAM, "
        f"started from its medoids, lowers the cost by {cost[k_first]:.1f}% at k = {k_first} "
        f"and {cost[k_final]:.1f}% at k = {k_final}, and raises the purity from "
        f"{alt.at[k_final, 'purity']:.3f} to {fp.at[k_final, 'purity']:.3f} and CH from "
        f"{alt.at[k_final, 'calinski_harabasz']:.0f} to "
        f"{fp.at[k_final, 'calinski_harabasz']:.0f} at k = {k_final}. Conclusions the 2022 "
        "notebook drew about K-Medoids against K-Means are conclusions about 'alternate'.")


def kmedoids_reproduction_note(models, gap, shown, k_first, k_final, printed=None):
    """Whether today's 'alternate' runs are the 2022 notebook's, in numbers.

    Parameters
    ----------
    models : pandas.DataFrame
        'alternate' rows at ``k_first`` and ``k_final``.
    gap : pandas.DataFrame
        :func:`ch_precision` at those k.
    shown : dict
        ``{k: seed_shown_clusters(...)}``.
    k_first, k_final : int
    printed : dict, optional
        The 2022 notebook's scores at ``k_final``; default
        ``notebook2022.PRINTED['kmedoids_k22']['scores']``.

    Returns
    -------
    Text
    """
    printed = notebook2022.PRINTED["kmedoids_k22"]["scores"] if printed is None else printed
    side = final_model_summary(models, k_final, printed, extra=())
    scores = [name for name in side.index if not name.startswith(("fit time", "Calinski"))]
    same = [name for name in scores if side.at[name, "2022 notebook"] == side.at[name, "ours"]]
    agree = (f"at k = {k_final}, {len(same)} of the {len(scores)} other scores it printed "
             f"agree to the printed digits (up to six significant: {', '.join(same)})")
    matched = sum(int((t["today, same size"] != "none").sum()) for t in shown.values())
    total = sum(len(t) for t in shown.values())
    return Text(
        f"**The 2022 K-Medoids run is reproduced.** {matched} of the {total} cluster sizes "
        f"the 2022 notebook printed occur exactly among today's clusters (k = {k_first} and "
        f"k = {k_final}); {agree}; CH differs by at most "
        f"{gap['float64 - 2022'].abs().max():.3f}, which "
        "scikit-learn 1.0's float32 sums explain "
        f"(within {gap['float32 - 2022'].abs().max():.1g}).")


def conclusion_labels(sweep, everything, k_confusion, single_start, best_of_ten):
    """The findings of notebook 4 (purity, accuracy, spread, the literature), in numbers.

    Parameters
    ----------
    sweep : pandas.DataFrame
        K-Means (seed 0) over the 2022 notebook's grid 2..262 step 5.
    everything : pandas.DataFrame
        Every K-Means k of seed 0 (with k = 256 and ``k_confusion``); train and test
        purity are compared over all of them.
    k_confusion : int
    single_start, best_of_ten : pandas.DataFrame
        K-Means rows of every seed with ``n_init=1`` and with ``n_init=10``.

    Returns
    -------
    Text
    """
    one = single_start[single_start["k"] == k_confusion]
    ten = best_of_ten[best_of_ten["k"] == k_confusion]
    n_init = json.loads(ten["params"].iloc[0])["n_init"]
    seed0 = one[one["seed"] == 0].iloc[0]
    rank = int((one["accuracy"] > seed0["accuracy"]).sum()) + 1
    pub = published_comparison(single_start, k_confusion)
    within = pub[pub["within our range"]]
    outside = pub[~pub["within our range"]]
    last = sweep.sort_values("k").iloc[-1]
    gap = everything["test_purity"] - everything["purity"]

    def msr(values):
        return _mean_sd_range(values)

    return Text(
        f"- At k = {k_confusion}, one K-Means start reaches accuracy {msr(one['accuracy'])} "
        f"and NMI {msr(one['nmi'])} over {len(one)} seeds (mean ± sd [min, max]). The "
        f"committed single run (seed 0, accuracy {seed0['accuracy']:.3f}) ranks {rank} of "
        f"{len(one)}: one run is not the method's number.\n"
        f"- The best inertia of {n_init} starts (the 2022 default) gives accuracy "
        f"{msr(ten['accuracy'])} and NMI {msr(ten['nmi'])} over {len(ten)} seeds, at a mean "
        f"inertia of {ten['inertia'].mean():,.0f} against {one['inertia'].mean():,.0f} for one "
        f"start: more starts find a lower inertia, "
        + ("and a better" if ten["accuracy"].mean() > one["accuracy"].mean() else "not a better")
        + " match with the digits.\n"
        f"- The published K-Means figures ({', '.join(f'{r.score} {r.published:g}' for r in pub.itertuples())}) "
        f"lie {'within' if len(outside) == 0 else 'partly outside'} our range over seeds"
        + (f" ({', '.join(f'{r.score} {r.published:g}' for r in outside.itertuples())} outside)"
           if len(outside) else "")
        + f": {len(within)} of {len(pub)} are inside it. The papers cluster all 70,000 "
        "images, we the 60,000 training images.\n"
        f"- Purity rises with k by construction, to {last['purity']:.3f} at "
        f"k = {int(last['k'])}.\n"
        f"- Test purity follows train purity and sits above it at {int((gap > 0).sum())} of "
        f"the {len(gap)} k (median +{gap.median():.4f}): the cluster labels carry over to "
        "unseen images.")


def conclusion_representations(summary, times, pairs, best, k=10):
    """The closing note of notebook 05: the table of spaces x methods in numbers.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`space_summary`.
    times : pandas.DataFrame
        :func:`space_times`.
    pairs : pandas.DataFrame
        :func:`merged_pairs` in the best space.
    best : str
        :func:`best_space`.
    k : int, default 10
        The k of the K-Means rows in ``summary``.

    Returns
    -------
    Text
    """
    def ms(space, method, score="accuracy"):
        return _summary_mean_sd(summary, space, method, score)

    lines = [f"K-Means at k = {k}, accuracy (mean ± sd over seeds) per space: "
             + "; ".join(f"{space} {ms(space, 'kmeans')} ({int(summary.loc[(space, 'kmeans'), 'runs'])} seeds)"
                         for space in summary.index.get_level_values(0).unique()
                         if (space, "kmeans") in summary.index) + "."]
    for method in ("gmm", "hdbscan"):
        here = [s for s, m in summary.index if m == method]
        if here:
            extra = {s: (f", {summary.loc[(s, method), 'noise_share']:.2%} noise"
                         if method == "hdbscan" else "") for s in here}
            lines.append(f"{METHOD_NAMES[method]}: " + "; ".join(
                f"{s} ACC {ms(s, method)}, ARI {ms(s, method, 'ari')}{extra[s]}" for s in here) + ".")
    method = RECOMMENDED if (best, RECOMMENDED) in summary.index else "kmeans"
    lines.append(f"The best space for K-Means is **{best}**: accuracy {ms(best, method)}, "
                 f"NMI {ms(best, method, 'nmi')}, ARI {ms(best, method, 'ari')}"
                 + (f" keeping the {BEST_OF_STARTS} ({ms(best, 'kmeans')} with one)"
                    if method == RECOMMENDED else "")
                 + f", against {ms('raw', 'kmeans')} on raw pixels."
                 if ("raw", "kmeans") in summary.index else "")
    if not pairs.empty:
        top = pairs.iloc[0]
        lines.append(f"What it still gets wrong: {int(top['majority'])} and "
                     f"{int(top['merged with'])} share a cluster in {int(top['runs'])} of "
                     f"{int(top['of'])} seeds.")
    built = times["build (s)"].dropna()
    if len(built):
        lines.append("Build times (fit and transform, s): " + ", ".join(
            f"{s} {v:.0f}" for s, v in built.items()) + "; K-Means rows (fits, scores, exact "
            "silhouettes, s): " + ", ".join(
            f"{s} {v:.0f}" for s, v in times["K-Means fits and scores (s)"].items()) + ".")
    return Text("\n\n".join(line for line in lines if line))
