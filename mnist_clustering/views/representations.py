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
from .text import METHOD_NAMES, ROW_NAMES, Text

__all__ = [
    "SPACES_SHOWN",
    "SPACE_SCORES",
    "space_folder",
    "space_rows",
    "space_summary",
    "space_table",
    "space_literature",
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
    """Every stored row at ``k`` (K-Means, each seed) and every density row, of each space.

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
        Columns ``space``, ``method``, ``seed``, the :data:`SPACE_SCORES` and
        ``noise_share`` (HDBSCAN only; its scores count the noise as one more cluster).
    """
    from ..density import read_density
    from ..results import density_path, load_results

    frames = []
    for space in spaces:
        table = load_results("kmeans", dataset, results_dir, n_samples=n_samples, space=space)
        at = table[table["k"] == k].assign(space=space)
        frames.append(at[["space", "method", "seed", *SPACE_SCORES]])
        path = density_path(space, dataset, results_dir, n_samples=n_samples)
        if path.exists():
            frames.append(read_density(path)[["space", "method", "seed", *SPACE_SCORES,
                                              "noise_share"]].assign(space=space))
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
        Index ``(space, method)`` in the rows' order; columns ``runs``, ``<score> mean``,
        ``<score> sd`` (NaN for one run) and ``noise_share``.
    """
    order = list(dict.fromkeys(zip(rows["space"], rows["method"])))
    grouped = rows.groupby(["space", "method"], sort=False)
    out = pd.DataFrame({"runs": grouped.size()})
    for score in SPACE_SCORES:
        out[f"{score} mean"] = grouped[score].mean()
        out[f"{score} sd"] = grouped[score].std(ddof=1)
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
        Index (space, method name); ``runs``, one text column per score (its short name:
        ACC, NMI, ARI, purity) and ``noise share``.

    Examples
    --------
    >>> rows = pd.DataFrame({"space": "umap", "method": "kmeans", "seed": [0, 1],
    ...                      "accuracy": [0.8, 0.9], "nmi": 0.8, "ari": 0.7, "purity": 0.9})
    >>> space_table(space_summary(rows)).iloc[0]["ACC"]
    '0.850 ± 0.071'
    """
    names = scores.SHORT_LABELS
    out = pd.DataFrame(index=pd.MultiIndex.from_tuples(
        [(s, METHOD_NAMES.get(m, m)) for s, m in summary.index], names=["space", "method"]))
    out["runs"] = summary["runs"].to_numpy()
    for score in SPACE_SCORES:
        means, sds = summary[f"{score} mean"].to_numpy(), summary[f"{score} sd"].to_numpy()
        out[names[score]] = [f"{m:.{decimals}f}" + ("" if np.isnan(s) else f" ± {s:.{decimals}f}")
                             for m, s in zip(means, sds)]
    noise = summary["noise_share"].to_numpy()
    out["noise share"] = ["" if np.isnan(v) else f"{v:.2%}" for v in noise]
    return out


def space_literature():
    """The sourced published figures beside which the spaces are read (:data:`scores.LITERATURE`).

    N2D's figure is not among them: its published MNIST accuracy differs between
    versions of the paper.

    Returns
    -------
    pandas.DataFrame
        :func:`mnist_clustering.scores.literature`, scores under their readable names.
    """
    table = scores.literature()
    table["score"] = table["score"].map(lambda s: ROW_NAMES.get(s, s.upper() if s == "ami" else s))
    table["k"] = table["k"].astype("Int64")  # no k: HDBSCAN finds its own number of clusters
    return table


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
