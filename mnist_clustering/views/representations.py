"""Notebook 05's views: K-Means, the Gaussian mixture and HDBSCAN in each feature space.

Scores per space and method over seeds (:func:`space_rows`, :func:`space_summary`,
:func:`space_table`), the best space (:func:`best_space`), purity against k per space,
the digits that still share a cluster (:func:`merged_pairs`), build times, and the stored
2-D picture (:func:`space_picture`). Which space is best, how many images there are and
which k was clustered are read from the stored results.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .. import metrics, scores
from ..results import PICTURE_FILE as _PICTURE  # the 2-D picture's file in its space's folder
from ..spaces import SPACES
from .text import BEST_OF_STARTS, METHOD_NAMES, RECOMMENDED, ROW_NAMES, Text
from .text import _summary_mean_sd as _ms

__all__ = [
    "SPACES_SHOWN",
    "SPACE_SCORES",
    "space_folder",
    "space_rows",
    "space_summary",
    "space_table",
    "space_literature",
    "literature_list",
    "SPACE_DESCRIPTIONS",
    "BAD_START_GAP",
    "N2D_EPOCHS",
    "published",
    "bad_starts",
    "training_epochs",
    "answer_representations",
    "literature_note",
    "best_space",
    "median_seed",
    "merged_pairs",
    "merged_note",
    "space_times",
    "purity_by_space",
    "purity_spread_note",
    "training_digits",
    "space_picture",
    "seed_labellings",
    "picture_note",
]


SPACES_SHOWN = SPACES
"""The feature spaces of notebook 05, in its order (:data:`mnist_clustering.spaces.SPACES`)."""

SPACE_SCORES = scores.LABEL_SCORES
"""The label scores compared across spaces (:data:`mnist_clustering.scores.LABEL_SCORES`:
ACC, NMI, ARI, purity)."""


def space_folder(space, dataset="mnist", n_samples=None):
    """The table folder of a feature space (``'mnist/umap'``; raw: ``'mnist'``).

    Parameters
    ----------
    space : str
    dataset : str, default 'mnist'
    n_samples : int, optional
        The subsample's size, for a table of the first ``n_samples`` images.

    Returns
    -------
    str

    Examples
    --------
    >>> space_folder("umap"), space_folder("raw")
    ('mnist/umap', 'mnist')
    """
    from ..results import table_name

    return table_name(dataset, n_samples, space)


def space_rows(spaces=SPACES_SHOWN, k=10, dataset="mnist", results_dir=None, n_samples=None):
    """Every stored row at ``k`` (K-Means, each seed: one start, and in a feature space the
    best of :data:`~mnist_clustering.estimators.RECOMMENDED_N_INIT` starts, method
    ``kmeans-n_init10``) and every density row, of each space.

    Parameters
    ----------
    spaces : sequence of str, default :data:`SPACES_SHOWN`
    k : int, default 10
    dataset : str, default 'mnist'
    results_dir : path-like, optional
        Root of the tables; default ``$MNIST_CLUSTERING_RESULTS`` or ``results/``.
    n_samples : int, optional

    Returns
    -------
    pandas.DataFrame
        Columns ``space``, ``method``, ``seed``, ``n_clusters`` (HDBSCAN finds its own
        number), the :data:`SPACE_SCORES` and ``noise_share`` (HDBSCAN only; its scores
        count the noise as one more cluster).
    """
    from ..density import read_density
    from ..estimators import RECOMMENDED_N_INIT
    from ..results import density_path, load_results, open_store, table_key

    frames = []
    for space in spaces:
        table = load_results("kmeans", dataset, results_dir, n_samples=n_samples, space=space)
        at = table[table["k"] == k].assign(space=space, n_clusters=k)
        frames.append(at[["space", "method", "seed", "n_clusters", *SPACE_SCORES]])
        best_of = {"n_init": RECOMMENDED_N_INIT}
        if space != "raw" and open_store(table_key("kmeans", dataset, n_samples=n_samples,
                                                   space=space, **best_of), results_dir).csv.exists():
            table = load_results("kmeans", dataset, results_dir, n_samples=n_samples,
                                 space=space, **best_of)
            at = table[table["k"] == k].assign(space=space, n_clusters=k,
                                               method=RECOMMENDED)
            frames.append(at[["space", "method", "seed", "n_clusters", *SPACE_SCORES]])
        path = density_path(space, dataset, results_dir, n_samples=n_samples)
        if path.exists():
            frames.append(read_density(path)[["space", "method", "seed", "n_clusters",
                                              *SPACE_SCORES, "noise_share"]]
                          .assign(space=space))
    return pd.concat(frames, ignore_index=True)


def space_summary(rows):
    """Mean and sd over seeds of each score, per (space, method), from :func:`space_rows`.

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`space_rows`.

    Returns
    -------
    pandas.DataFrame
        Index ``(space, method)`` in the rows' order; columns ``runs``, ``clusters`` (the
        median number of clusters over the runs), ``<score> mean``, ``<score> sd`` (NaN
        for one run), ``<score> min``, ``<score> max`` and ``noise_share``.
    """
    order = list(dict.fromkeys(zip(rows["space"], rows["method"])))
    grouped = rows.groupby(["space", "method"], sort=False)
    out = pd.DataFrame({"runs": grouped.size()})
    # float, as the scores: a nullable integer column would turn a row's NaN into pd.NA
    out["clusters"] = (grouped["n_clusters"].median().astype(float) if "n_clusters" in rows
                       else np.nan)
    for score in SPACE_SCORES:
        out[f"{score} mean"] = grouped[score].mean()
        out[f"{score} sd"] = grouped[score].std(ddof=1)
        out[f"{score} min"] = grouped[score].min()
        out[f"{score} max"] = grouped[score].max()
    out["noise_share"] = grouped["noise_share"].mean() if "noise_share" in rows else np.nan
    return out.loc[order]


def space_table(summary, decimals=3):
    """:func:`space_summary` as the notebook shows it: "mean ± sd" per score.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`space_summary`.
    decimals : int, default 3

    Returns
    -------
    pandas.DataFrame
        Index (space, method name); ``runs``, ``clusters``, one text column per score (its
        short name: ACC, NMI, ARI, purity) and ``noise share``.

    Examples
    --------
    >>> rows = pd.DataFrame({"space": "umap", "method": "kmeans", "seed": [0, 1], "n_clusters": 10,
    ...                      "accuracy": [0.8, 0.9], "nmi": 0.8, "ari": 0.7, "purity": 0.9})
    >>> space_table(space_summary(rows)).iloc[0]["ACC"]
    '0.850 ± 0.071'
    """
    names = scores.SHORT_LABELS
    out = pd.DataFrame(index=pd.MultiIndex.from_tuples(
        [(s, METHOD_NAMES.get(m, m)) for s, m in summary.index], names=["space", "method"]))
    out["runs"] = summary["runs"].to_numpy()
    clusters = summary["clusters"].to_numpy(dtype=float)
    out["clusters"] = ["" if np.isnan(c) else f"{c:.0f}" for c in clusters]
    for score in SPACE_SCORES:
        means, sds = summary[f"{score} mean"].to_numpy(), summary[f"{score} sd"].to_numpy()
        out[names[score]] = [f"{m:.{decimals}f}" + ("" if np.isnan(s) else f" ± {s:.{decimals}f}")
                             for m, s in zip(means, sds)]
    noise = summary["noise_share"].to_numpy()
    out["noise share"] = ["" if np.isnan(v) else f"{v:.2%}" for v in noise]
    return out


def space_literature():
    """The sourced published figures beside which the spaces are read (:data:`scores.LITERATURE`).

    DEC, IDEC and N2D train an autoencoder as our ``autoencoder`` and
    ``autoencoder-umap`` spaces do; IIC, the field's top on MNIST, trains a convolutional
    network on augmented images.

    Returns
    -------
    pandas.DataFrame
        :func:`mnist_clustering.scores.literature`, scores under their readable names.
    """
    table = scores.literature()
    table["score"] = table["score"].map(lambda s: ROW_NAMES.get(s, s.upper() if s == "ami" else s))
    table["k"] = table["k"].astype("Int64")  # no k: HDBSCAN finds its own number of clusters
    return table


SPACE_DESCRIPTIONS = {
    "raw": "the 784 pixels",
    "pca": "the first 50 principal components of the pixels",
    "umap": "a 10-dimensional UMAP of the pixels",
    "autoencoder": "the 10 numbers an autoencoder compresses each image to",
    "autoencoder-umap": "a 10-dimensional UMAP of an autoencoder's codes",
}
"""What each feature space is, in words."""

BAD_START_GAP = 0.05
"""How far below its space's best run a K-Means run's accuracy must be to count as a bad
start. The bad starts measured put two digits in one cluster and lose more than 0.1 of
accuracy, while good starts differ by less than 0.01: any gap between the two separates
them."""

N2D_EPOCHS = 1000
"""Epochs of N2D's autoencoder training on MNIST (its code's default, ``rymc/n2d``)."""


def published(method, score="accuracy"):
    """The published ``score`` of the method whose name starts with ``method``
    (:data:`mnist_clustering.scores.LITERATURE`).

    Parameters
    ----------
    method : str
        The start of a reference's method, e.g. ``'DEC'`` or ``'N2D'``.
    score : str, default 'accuracy'

    Returns
    -------
    float

    Examples
    --------
    >>> published("DEC"), published("N2D", "nmi")
    (0.843, 0.942)
    """
    found = [ref.value for ref in scores.LITERATURE
             if ref.method.split(" ")[0] == method and ref.score == score]
    if len(found) != 1:
        raise KeyError(f"{len(found)} published {score} figures for {method!r} in "
                       "scores.LITERATURE; expected one")
    return found[0]


def bad_starts(accuracies, gap=BAD_START_GAP):
    """How many runs fall more than ``gap`` below the best run (:data:`BAD_START_GAP`).

    Parameters
    ----------
    accuracies : array-like of float
    gap : float, default :data:`BAD_START_GAP`

    Returns
    -------
    int

    Examples
    --------
    >>> bad_starts([0.974, 0.974, 0.833, 0.9739])
    1
    """
    values = np.asarray(accuracies, dtype=float)
    return int((values < values.max() - gap).sum())


def training_epochs(space, dataset="mnist", results_dir=None):
    """The epochs the autoencoder of ``space`` was trained for, from its tables' provenance.

    Parameters
    ----------
    space : str
    dataset : str, default 'mnist'
    results_dir : path-like, optional

    Returns
    -------
    int or None
        None for a space without an autoencoder.
    """
    from ..results import load_provenance

    params = (load_provenance("kmeans", dataset, results_dir, space=space).get("space")
              or {}).get("params", {})
    epochs = params.get("epochs", (params.get("autoencoder") or {}).get("epochs"))
    return None if epochs is None else int(epochs)


def _range(summary, space, method, score="accuracy"):
    row = summary.loc[(space, method)]
    return f"from {row[f'{score} min']:.3f} to {row[f'{score} max']:.3f}"


def _agreement(values):
    """How closely runs agree, in words (identical to four decimals, or their range)."""
    width = float(values.max() - values.min())
    return ("give the same accuracy to four decimals" if width < 5e-5 else
            f"lie within {width:.4f} of each other")


def _versus(ours, theirs, close=0.001):
    """Where ``ours`` stands against a published figure, in words."""
    gap = ours - theirs
    return ("level with" if abs(gap) <= close else
            f"{abs(gap):.3f} {'above' if gap > 0 else 'below'}")


def answer_representations(rows, summary, best, k=10, epochs=None, trained=None):
    """The answer notebook 05 opens with: what a learned representation buys, in numbers.

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`space_rows`.
    summary : pandas.DataFrame
        :func:`space_summary` of ``rows``.
    best : str
        :func:`best_space`.
    k : int, default 10
    epochs : int, optional
        The epochs of the best space's autoencoder (:func:`training_epochs`).
    trained : dict, optional
        The recommended K-Means over the best space's training seeds
        (:func:`mnist_clustering.views.over_training_seeds`).

    Returns
    -------
    Text
    """
    runs = rows[(rows["space"] == best) & (rows["method"] == "kmeans")]["accuracy"]
    bad = bad_starts(runs)
    good = runs[runs >= runs.max() - BAD_START_GAP]
    raw = (f"K-Means with k = {k} puts {_ms(summary, 'raw', 'kmeans')} of the training "
           "images in the cluster matched to their digit on raw pixels (accuracy, mean ± sd "
           f"over {int(summary.loc[('raw', 'kmeans'), 'runs'])} seeds)")
    if (best, RECOMMENDED) in summary.index:
        n = int(summary.loc[(best, RECOMMENDED), "runs"])
        lines = [f"**The representation matters far more than the clustering method.** {raw}, "
                 f"and {_ms(summary, best, RECOMMENDED, decimals=4)} in "
                 f"{SPACE_DESCRIPTIONS.get(best, best)}, keeping the {BEST_OF_STARTS} (the "
                 f"lowest inertia: no label is used; {n} seeds)."]
        lines.append(f"With a single start it reaches {_ms(summary, best, 'kmeans')}: "
                     + (f"{bad} of {len(runs)} starts {'is' if bad == 1 else 'are'} bad, "
                        f"two digits sharing a cluster, and the other {len(good)} "
                        f"{_agreement(good)}." if bad else
                        f"no start of {len(runs)} is bad."))
    else:
        lines = [f"**The representation matters far more than the clustering method.** {raw}, "
                 f"and {_ms(summary, best, 'kmeans')} ({_range(summary, best, 'kmeans')}, "
                 f"{len(runs)} seeds) in {SPACE_DESCRIPTIONS.get(best, best)}."]
        if bad:
            lines.append(f"That spread is {bad} bad start{'s' * (bad > 1)} out of {len(runs)}, "
                         f"where two digits share a cluster; the other {len(good)} runs "
                         f"{_agreement(good)}.")
    if trained and trained["n"] > 1:
        lines.append(f"Trained again with {trained['n']} seeds, the space gives "
                     f"{trained['mean']:.4f} ± {trained['sd']:.4f} (from {trained['min']:.4f} "
                     f"to {trained['max']:.4f}): the spread that remains is the "
                     "representation's own, not the clustering's.")
    if (best, "gmm") in summary.index:
        lines.append(f"A Gaussian mixture in the same space, also keeping the best of its "
                     f"starts, reaches {_ms(summary, best, 'gmm', decimals=4)} "
                     f"({int(summary.loc[(best, 'gmm'), 'runs'])} seeds).")
    if (best, "hdbscan") in summary.index:
        row = summary.loc[(best, "hdbscan")]
        lines.append(f"HDBSCAN, which chooses its own number of clusters, finds "
                     f"{row['clusters']:.0f} there and leaves {row['noise_share']:.2%} of the "
                     f"images as noise (accuracy {row['accuracy mean']:.3f}).")
    ours = (trained["mean"] if trained else
            summary.loc[(best, RECOMMENDED if (best, RECOMMENDED) in summary.index
                         else "kmeans"), "accuracy mean"])
    length = (f" (its autoencoder trained for {N2D_EPOCHS:,} epochs, ours for {epochs})"
              if epochs else "")
    lines.append(f"This is well above DEC ({published('DEC'):.3f}) and IDEC "
                 f"({published('IDEC'):.3f}), {_versus(ours, published('N2D'))} the "
                 f"{published('N2D'):.3f} N2D publishes for the same recipe{length}, and "
                 f"below IIC ({published('IIC'):.3f}), which trains a convolutional network "
                 "on augmented images.")
    return Text(" ".join(lines))


def literature_note(summary, best, epochs=None):
    """How the spaces' numbers stand against the published figures, in words.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`space_summary`.
    best : str
        :func:`best_space`.
    epochs : int, optional
        The epochs of the best space's autoencoder (:func:`training_epochs`).

    Returns
    -------
    Text
    """
    method = RECOMMENDED if (best, RECOMMENDED) in summary.index else "kmeans"
    ours = summary.loc[(best, method), "accuracy mean"]
    n2d = published("N2D")
    lines = [f"- **Deep clustering with an autoencoder.** DEC ({published('DEC'):.3f}) trains "
             "an autoencoder, then its encoder together with a clustering loss; IDEC "
             f"({published('IDEC'):.3f}) keeps the decoder during that second stage. "
             f"{METHOD_NAMES[method]} in the {best} space ({_ms(summary, best, method)}) is "
             f"{'above' if ours > published('IDEC') else 'below'} both, with no "
             "clustering loss at all."]
    trained = (f" Its autoencoder trains for {N2D_EPOCHS:,} epochs; ours for {epochs}."
               if epochs else "")
    ours_named = [(name, summary.loc[(best, method), "accuracy mean"])
                  for name, method in (("Gaussian mixture", "gmm"),
                                       (f"K-Means keeping the {BEST_OF_STARTS}", RECOMMENDED))
                  if (best, method) in summary.index] or [("K-Means", ours)]
    standing = " and ".join(f"our {name} is {_versus(value, n2d)} it ({value:.4f})"
                            for name, value in ours_named)
    lines.append(f"- **N2D** is the recipe of the {best} space: an autoencoder, UMAP on its "
                 f"codes, then a Gaussian mixture. It publishes {n2d:.3f} (NMI "
                 f"{published('N2D', 'nmi'):.3f}) on all 70,000 images; on the 60,000 "
                 f"training images {standing}.{trained}")
    lines.append(f"- **The UMAP documentation's recipe** (HDBSCAN on a 2-D UMAP of the "
                 f"pixels) publishes an adjusted Rand index of "
                 f"{published('HDBSCAN', 'ari'):.3f} (one run, 70,000 images); the last section "
                 "runs it again over several UMAP seeds.")
    lines.append(f"- **IIC** ({published('IIC'):.3f}), the field's top on MNIST, learns "
                 "from augmented copies of each image with a convolutional network: what it "
                 "knows about images (that a shifted or slanted digit is the same digit) no "
                 "method here is given.")
    return Text("\n".join(lines))


def literature_list(references):
    """Published figures as a list a reader can follow: one line per method and source,
    its scores, and the source linked to its DOI or page.

    Parameters
    ----------
    references : pandas.DataFrame
        :func:`space_literature` (or :func:`mnist_clustering.scores.literature`).

    Returns
    -------
    Text
        Markdown, one bullet per (method, source), in the table's order.

    Examples
    --------
    >>> refs = pd.DataFrame({"score": ["accuracy", "NMI"], "value": [0.843, 0.5],
    ...                      "k": [10, 10], "method": "DEC", "source": "Xie 2016",
    ...                      "where": "Table 2", "data": "70,000 images", "url": "https://x.org"})
    >>> print(literature_list(refs))
    - **DEC**: accuracy 0.843, NMI 0.5 at k = 10 ([Xie 2016](https://x.org), Table 2; 70,000 images).
    """
    lines = []
    for (method, source), rows in references.groupby(["method", "source"], sort=False):
        first = rows.iloc[0]
        values = ", ".join(f"{score} {value:.4g}"
                           for score, value in zip(rows["score"], rows["value"]))
        k = "" if pd.isna(first["k"]) else f" at k = {int(first['k'])}"
        lines.append(f"- **{method}**: {values}{k} ([{source}]({first['url']}), "
                     f"{first['where']}; {first['data']}).")
    return Text("\n".join(lines))


def best_space(summary, method="kmeans", score="accuracy"):
    """The space where ``method`` has the highest mean ``score`` (from :func:`space_summary`).

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`space_summary`.
    method : str, default 'kmeans'
    score : str, default 'accuracy'

    Returns
    -------
    str
    """
    at = summary.xs(method, level="method")[f"{score} mean"]
    return str(at.idxmax())


def median_seed(space, k=10, dataset="mnist", results_dir=None, score="accuracy"):
    """The K-Means seed at ``k`` whose ``score`` is the median over seeds (the lower
    of the two middle ones): a representative run, neither the best nor the worst.

    Parameters
    ----------
    space : str
    k : int, default 10
    dataset, results_dir
        As for :func:`space_rows`.
    score : str, default 'accuracy'

    Returns
    -------
    int
    """
    from ..results import load_results

    table = load_results("kmeans", dataset, results_dir, space=space)
    at = table[table["k"] == k].sort_values([score, "seed"], kind="stable")
    return int(at.iloc[(len(at) - 1) // 2]["seed"])


def merged_pairs(labellings, y, k=10, share=0.2):
    """How often two digits share a cluster, over several labellings (seeds).

    A cluster *merges* digits a and b when a is its majority digit and b makes up at
    least ``share`` of it.

    Parameters
    ----------
    labellings : mapping
        Name (e.g. seed) -> (n,) cluster labels.
    y : (n,) digits
    k : int
    share : float

    Returns
    -------
    pandas.DataFrame
        ``majority``, ``merged with``, ``runs`` (labellings where it happens), ``of``
        (labellings), ``mean share`` (of the merged digit in that cluster), most
        frequent first.

    Examples
    --------
    >>> row = merged_pairs({0: [0, 0, 0, 1, 1]}, [4, 4, 9, 7, 7], k=2, share=0.3).iloc[0]
    >>> int(row["majority"]), int(row["merged with"]), int(row["runs"]), round(float(row["mean share"]), 3)
    (4, 9, 1, 0.333)
    """
    found = {}
    for labels in labellings.values():
        C = metrics.contingency(np.asarray(y), np.asarray(labels), n_clusters=k, n_classes=10)
        seen = {}
        for row in C:
            total = row.sum()
            if total == 0:
                continue
            major = int(row.argmax())
            for digit in np.flatnonzero(row / total >= share):
                if digit != major:
                    seen.setdefault((major, int(digit)), []).append(row[digit] / total)
        for pair, shares in seen.items():
            found.setdefault(pair, []).append(max(shares))
    rows = [{"majority": a, "merged with": b, "runs": len(v), "of": len(labellings),
             "mean share": float(np.mean(v))} for (a, b), v in found.items()]
    columns = ["majority", "merged with", "runs", "of", "mean share"]
    return (pd.DataFrame(rows, columns=columns)
            .sort_values(["runs", "mean share"], ascending=False, kind="stable")
            .reset_index(drop=True))


def merged_note(pairs, space):
    """Which digits still share a cluster in ``space``, in numbers (:func:`merged_pairs`).

    Parameters
    ----------
    pairs : pandas.DataFrame
        :func:`merged_pairs`.
    space : str

    Returns
    -------
    Text
    """
    if pairs.empty:
        return Text(f"In the {space} space no cluster holds a fifth or more of a second digit.")
    parts = [f"{r.majority} with {r._2} in {r.runs} of {r.of} seeds (a mean {r._5:.0%} of "
             "the cluster)" for r in pairs.head(3).itertuples()]
    return Text(f"In the {space} space, the digits that still share a cluster (the second "
                f"digit a fifth or more of it): {'; '.join(parts)}.")


def space_times(spaces=SPACES_SHOWN[1:], dataset="mnist", results_dir=None):
    """Build time of each space and the time of its K-Means rows, from the provenance.

    Parameters
    ----------
    spaces : sequence of str, default the :data:`SPACES_SHOWN` beyond raw pixels
    dataset, results_dir
        As for :func:`space_rows`.

    Returns
    -------
    pandas.DataFrame
        Index: the spaces; ``build (s)`` (the space's own fit and transform, from its
        sidecar: for ``autoencoder-umap`` the UMAP step only, the autoencoder being
        the ``autoencoder`` space's), ``K-Means rows``, ``K-Means fits and scores (s)``
        (the sum over rows of fit, score and exact silhouette seconds).
    """
    from ..results import load_provenance

    rows = {}
    for space in spaces:
        prov = load_provenance("kmeans", dataset, results_dir, space=space)
        per_k = prov.get("per_k", {})
        rows[space] = {"build (s)": (prov.get("space") or {}).get("build_seconds"),
                       "K-Means rows": len(per_k),
                       "K-Means fits and scores (s)": round(sum(
                           entry.get("wall_seconds", 0.0) for entry in per_k.values()), 1)}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "space"
    return out


def purity_by_space(spaces=SPACES_SHOWN, dataset="mnist", results_dir=None):
    """K-Means purity per k and space over seeds: mean, min, max and the number of seeds.

    Parameters
    ----------
    spaces : sequence of str, default :data:`SPACES_SHOWN`
    dataset, results_dir
        As for :func:`space_rows`.

    Returns
    -------
    pandas.DataFrame
        Index k; columns a (space, statistic) MultiIndex, statistics ``mean``, ``min``,
        ``max`` and ``seeds``.
    """
    from ..results import load_results

    columns = {}
    for space in spaces:
        table = load_results("kmeans", dataset, results_dir, space=space)
        stats = table.groupby("k")["purity"].agg(["mean", "min", "max", "count"])
        for name, column in stats.rename(columns={"count": "seeds"}).items():
            columns[(space, name)] = column
    out = pd.DataFrame(columns).sort_index()
    out.columns = pd.MultiIndex.from_tuples(out.columns, names=["space", "statistic"])
    return out


def purity_spread_note(purity):
    """One sentence per space: how wide the purity range over seeds is, in numbers.

    Parameters
    ----------
    purity : pandas.DataFrame
        :func:`purity_by_space`.

    Returns
    -------
    Text
    """
    lines = []
    for space in purity.columns.get_level_values("space").unique():
        frame = purity[space].dropna()
        several = frame[frame["seeds"] > 1]
        if several.empty:
            lines.append(f"{space}: one seed per k, no range.")
            continue
        width = several["max"] - several["min"]
        widest = width.idxmax()
        seeds = several["seeds"].astype(int)
        lines.append(f"{space}: {seeds.min()} to {seeds.max()} seeds per k; the purity range "
                     f"over seeds is at most {width.max():.3f} wide (k = {widest}), median "
                     f"{width.median():.3f}.")
    return Text("\n\n".join(lines))


def training_digits(dataset="mnist", n_samples=None):
    """The digit of each training image (the labels no space or method uses).

    Parameters
    ----------
    dataset : str, default 'mnist'
    n_samples : int, optional
        Only the first ``n_samples`` images.

    Returns
    -------
    numpy.ndarray of int
    """
    from ..data import load_dataset

    (_, y_train), _ = load_dataset(dataset)
    y = np.asarray(y_train)
    return y if n_samples is None else y[:n_samples]


def _stored_picture(dataset="mnist", results_dir=None):
    """The stored 2-D picture of ``dataset`` (preset 'spaces') and the space it embeds."""
    from ..results import default_results_dir

    root = default_results_dir() if results_dir is None else Path(results_dir)
    folder = root / space_folder("raw", dataset)
    # the folders of spaces trained with another seed (<space>-seed<s>, s >= 1) hold their
    # own pictures; the notebook shows the one of seed 0
    found = sorted(path for path in folder.glob(f"*/{_PICTURE}")
                   if not re.search(r"-seed[1-9][0-9]*$", path.parent.name))
    if not found:
        raise FileNotFoundError(f"no 2-D picture (<space>/{_PICTURE}) in {folder}: run "
                                "`mnist-clustering sweep --preset spaces` (or make reproduce)")
    if len(found) > 1:
        raise ValueError(f"several 2-D pictures in {folder} ({', '.join(map(str, found))}): "
                         "move all but one away")
    return found[0], found[0].parent.name


def space_picture(space=None, k=10, seed=None, dataset="mnist", results_dir=None):
    """The stored 2-D UMAP sample (``umap2d.npz``, preset 'spaces') with each image's digit
    and its K-Means cluster (k, ``seed``) in ``space``.

    Parameters
    ----------
    space : str, optional
        The space whose K-Means clusters colour the picture; default the best space for
        K-Means accuracy at ``k`` (:func:`best_space` over :data:`SPACES_SHOWN`).
    k : int, default 10
    seed : int, optional
        Default :func:`median_seed`: a representative run.
    dataset : str, default 'mnist'
    results_dir : path-like, optional

    Returns
    -------
    dict
        ``xy`` (n, 2), ``digits`` (n,), ``clusters`` (n,), ``seed``, ``build_seconds``
        (of the 2-D UMAP), and what the stored results say about it: ``space`` and ``k``
        (the clusters'), ``n_images`` (the training images the clusters were fitted on),
        ``embedded_space`` (the space whose 2-D UMAP is drawn) and ``embedded`` (what that
        UMAP was computed from, e.g. ``'the autoencoder codes'``).
    """
    from ..results import load_labels, load_provenance

    if space is None:
        space = best_space(space_summary(space_rows(SPACES_SHOWN, k, dataset, results_dir)))
    path, embedded_space = _stored_picture(dataset, results_dir)
    with np.load(path) as stored:
        index, xy = stored["index"], stored["xy"]
        build = float(stored["build_seconds"])
    seed = median_seed(space, k, dataset, results_dir) if seed is None else seed
    labels = load_labels("kmeans", dataset, results_dir, space=space)[(k, seed)]
    fitted = load_provenance("kmeans", dataset, results_dir, space=space)
    embedded = load_provenance("kmeans", dataset, results_dir, space=embedded_space)
    # a space built in steps keeps each step's parameters under its name ('autoencoder',
    # then 'umap'); the picture redoes the last step in 2-D, on what the steps before made
    params = (embedded.get("space") or {}).get("params") or {}
    steps = [name for name, value in params.items() if isinstance(value, dict)][:-1]
    return {"xy": xy, "digits": training_digits(dataset)[index], "clusters": labels[index],
            "seed": seed, "build_seconds": build, "space": space, "k": int(k),
            "n_images": int(fitted["n_samples"]), "embedded_space": embedded_space,
            "embedded": f"the {steps[-1]} codes" if steps else "the pixels"}


def seed_labellings(space, k=10, dataset="mnist", results_dir=None):
    """``{seed: labels}`` of the kept K-Means labellings at ``k`` in ``space``.

    Parameters
    ----------
    space : str
    k : int, default 10
    dataset, results_dir
        As for :func:`space_rows`.

    Returns
    -------
    dict
        Seed -> (n,) cluster labels.
    """
    from ..results import load_labels

    return {seed: labels for (kk, seed), labels in
            load_labels("kmeans", dataset, results_dir, space=space).items() if kk == k}


def picture_note(picture, space=None):
    """What the 2-D picture is, in numbers (its size, cost and the seed shown).

    Parameters
    ----------
    picture : dict
        :func:`space_picture`.
    space : str, optional
        The clusters' space as the notebook names it; default ``picture['space']``.

    Returns
    -------
    Text
    """
    space = picture["space"] if space is None else space
    return Text(f"{len(picture['xy']):,} training images drawn at random (seeded) from the "
                f"{picture['n_images']:,}; the 2-D UMAP of {picture['embedded']} took "
                f"{picture['build_seconds']:.0f} s to build. Clusters: K-Means, "
                f"k = {picture['k']}, in the {space} space, seed {picture['seed']} (the "
                "median accuracy of its seeds).")
