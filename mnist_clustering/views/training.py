"""Notebook 05's views of the best space's own uncertainty: how its numbers move with the
seed it was trained with, with the autoencoder's training length and with UMAP's
``n_neighbors``, and umap-learn's documented recipe beside its published figure.

Two spreads are kept apart throughout: over *clustering* seeds (the random starts of
K-Means or of the mixture, on one trained space) and over *training* seeds (the
autoencoder's initial weights and batch order and UMAP's seed: a space trained again).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import scores
from .representations import BAD_START_GAP
from .text import BEST_OF_STARTS, METHOD_NAMES, RECOMMENDED, Text

__all__ = [
    "training_seed_rows",
    "training_seed_table",
    "over_training_seeds",
    "training_seed_note",
    "epochs_table",
    "epochs_note",
    "neighbours_table",
    "neighbours_note",
    "recipe_table",
    "recipe_note",
]

def _stored_training_seeds(space, dataset, results_dir, n_samples):
    """The training seeds of ``space`` with stored tables: 0, then every ``-seed<s>``."""
    from ..results import space_folder

    folder = space_folder(space, dataset, results_dir, n_samples=n_samples)
    found = {0} if folder.is_dir() else set()
    for path in folder.parent.glob(f"{space}-seed*"):
        match = re.fullmatch(rf"{re.escape(space)}-seed(\d+)", path.name)
        if match and path.is_dir():
            found.add(int(match.group(1)))
    return sorted(found)


def training_seed_rows(space="autoencoder-umap", k=10, dataset="mnist", results_dir=None,
                       n_samples=None):
    """Every stored run at ``k`` in ``space``, for each of its training seeds.

    Parameters
    ----------
    space : str, default 'autoencoder-umap'
    k : int, default 10
    dataset : str, default 'mnist'
    results_dir : path-like, optional
    n_samples : int, optional

    Returns
    -------
    pandas.DataFrame
        Columns ``training seed``, ``method`` (``kmeans``: one start; :data:`RECOMMENDED`;
        ``gmm``: the mixture of ``density.csv``), ``seed`` (the clustering seed) and the
        label scores.
    """
    from ..density import read_density
    from ..results import density_path, load_results, open_store, table_key

    frames = []
    for trained in _stored_training_seeds(space, dataset, results_dir, n_samples):
        where = dict(n_samples=n_samples, space=space, space_seed=trained)
        for method, params in (("kmeans", {}), (RECOMMENDED, {"n_init": 10})):
            if open_store(table_key("kmeans", dataset, **where, **params), results_dir).csv.exists():
                table = load_results("kmeans", dataset, results_dir, **where, **params)
                frames.append(table[table["k"] == k].assign(method=method, trained=trained))
        path = density_path(space, dataset, results_dir, n_samples=n_samples,
                            space_seed=trained)
        if path.exists():
            density = read_density(path)
            frames.append(density[density["method"] == "gmm"].assign(trained=trained))
    rows = pd.concat(frames, ignore_index=True).rename(columns={"trained": "training seed"})
    return rows[["training seed", "method", "seed", *scores.LABEL_SCORES]]


def over_training_seeds(rows, method=RECOMMENDED, score="accuracy"):
    """The spread of ``method`` over training seeds: each seed's mean over its clustering
    seeds, then their mean, sd, min and max.

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`training_seed_rows`.
    method : str, default :data:`RECOMMENDED`
    score : str, default 'accuracy'

    Returns
    -------
    dict
        ``n`` (training seeds), ``mean``, ``sd``, ``min``, ``max`` over training seeds, and
        ``within`` (the largest sd over clustering seeds inside one training seed).

    Examples
    --------
    >>> rows = pd.DataFrame({"training seed": [0, 0, 1, 1], "method": "m", "seed": [0, 1] * 2,
    ...                      "accuracy": [0.97, 0.97, 0.98, 0.98]})
    >>> {k: round(v, 4) for k, v in over_training_seeds(rows, "m").items()}
    {'n': 2, 'mean': 0.975, 'sd': 0.0071, 'min': 0.97, 'max': 0.98, 'within': 0.0}
    """
    part = rows[rows["method"] == method].groupby("training seed")[score]
    means = part.mean()
    return {"n": int(len(means)), "mean": float(means.mean()),
            "sd": float(means.std(ddof=1)) if len(means) > 1 else float("nan"),
            "min": float(means.min()), "max": float(means.max()),
            "within": float(part.std(ddof=1).fillna(0).max())}


def training_seed_table(rows, decimals=4):
    """Accuracy and NMI per training seed and method: mean ± sd over clustering seeds,
    then the line over training seeds (mean ± sd of the seeds' means, and their range).

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`training_seed_rows`.
    decimals : int, default 4

    Returns
    -------
    pandas.DataFrame
    """
    out = []
    order = [m for m in (RECOMMENDED, "gmm", "kmeans") if m in set(rows["method"])]
    for method in order:
        part = rows[rows["method"] == method]
        for trained, runs in part.groupby("training seed"):
            line = {"method": METHOD_NAMES[method], "training seed": str(trained),
                    "clustering seeds": len(runs)}
            for score in ("accuracy", "nmi"):
                values = runs[score]
                line[scores.SHORT_LABELS[score]] = (
                    f"{values.mean():.{decimals}f} ± {values.std(ddof=1):.{decimals}f}"
                    if len(values) > 1 else f"{values.mean():.{decimals}f}")
            line["lowest ACC"] = f"{runs['accuracy'].min():.{decimals}f}"
            out.append(line)
        line = {"method": METHOD_NAMES[method], "training seed": "over training seeds",
                "clustering seeds": len(part)}
        for score in ("accuracy", "nmi"):
            spread = over_training_seeds(rows, method, score)
            line[scores.SHORT_LABELS[score]] = (
                f"{spread['mean']:.{decimals}f} ± {spread['sd']:.{decimals}f} "
                f"[{spread['min']:.{decimals}f}, {spread['max']:.{decimals}f}]")
        line["lowest ACC"] = f"{part['accuracy'].min():.{decimals}f}"
        out.append(line)
    return pd.DataFrame(out)


def training_seed_note(rows, space="autoencoder-umap", k=10):
    """Which spread is which, in words: over clustering seeds, over training seeds, and
    what one start costs.

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`training_seed_rows`.
    space : str, default 'autoencoder-umap'
    k : int, default 10

    Returns
    -------
    Text
    """
    best = over_training_seeds(rows, RECOMMENDED)
    lines = [f"**Over {best['n']} training seeds** (the autoencoder's initial weights and "
             f"batch order, and UMAP's seed), K-Means at k = {k} keeping the {BEST_OF_STARTS} "
             f"reaches an accuracy of {best['mean']:.4f} ± {best['sd']:.4f} "
             f"(from {best['min']:.4f} to {best['max']:.4f}). **Over clustering seeds** on one "
             f"trained space it does not move: the largest sd over its clustering seeds is "
             f"{best['within']:.4f}."]
    if "gmm" in set(rows["method"]):
        gmm = over_training_seeds(rows, "gmm")
        lines.append(f"The Gaussian mixture, also keeping the {BEST_OF_STARTS}, reaches "
                     f"{gmm['mean']:.4f} ± {gmm['sd']:.4f} over the same training seeds.")
    single = rows[rows["method"] == "kmeans"]
    if len(single):
        top = single.groupby("training seed")["accuracy"].transform("max")
        bad = int((single["accuracy"] < top - BAD_START_GAP).sum())
        lines.append(f"With one start, {bad} of {len(single)} runs (all training seeds "
                     "together) land in a bad local optimum, two digits in one cluster, "
                     f"down to an accuracy of {single['accuracy'].min():.3f}; the inertia "
                     "tells those runs apart without any label, which is what keeping the "
                     f"{BEST_OF_STARTS} uses.")
    lines.append(f"So the uncertainty that remains is the representation's: the spaces "
                 f"trained with these {best['n']} seeds give numbers within "
                 f"{best['max'] - best['min']:.4f} of each other, and a space trained on "
                 "another CPU (whose last bits differ) is expected within that spread.")
    return Text(" ".join(lines))


def _study(name, dataset, results_dir, n_samples):
    from ..results import read_study

    return read_study(name, dataset, results_dir, n_samples=n_samples)


def epochs_table(dataset="mnist", results_dir=None, n_samples=None):
    """Accuracy against the autoencoder's training length (the stored epochs study), over
    its training seeds, with the time per epoch.

    Parameters
    ----------
    dataset : str, default 'mnist'
    results_dir : path-like, optional
    n_samples : int, optional

    Returns
    -------
    pandas.DataFrame
        One row per length: ``epochs``, ``training seeds``, ``s per epoch`` (mean over
        the trainings), ``loss`` (mean reconstruction error in the last epoch), and per
        method (K-Means and the mixture, best of their starts) the accuracy's mean over
        training seeds, its ``min`` and ``max`` (of the seeds' means).
    """
    study = _study("epochs", dataset, results_dir, n_samples)
    out = []
    for length, part in study.groupby("epochs"):
        per_seed = part.drop_duplicates("training_seed")
        line = {"epochs": int(length), "training seeds": int(per_seed["training_seed"].nunique()),
                "s per epoch": float((per_seed["training_seconds"] / length).mean()),
                "loss": float(per_seed["loss"].mean())}
        for method, label in (("kmeans", "K-Means"), ("gmm", "mixture")):
            means = part[part["method"] == method].groupby("training_seed")["accuracy"].mean()
            line[f"{label} ACC"] = float(means.mean())
            line[f"{label} min"] = float(means.min())
            line[f"{label} max"] = float(means.max())
        out.append(line)
    return pd.DataFrame(out)


def epochs_note(table):
    """What the training length buys, in words, from :func:`epochs_table`.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`epochs_table`.

    Returns
    -------
    Text
    """
    first, last = table.iloc[0], table.iloc[-1]
    best = table.loc[table["K-Means ACC"].idxmax()]
    return Text(
        f"After {int(first['epochs'])} epochs K-Means ({BEST_OF_STARTS}) reaches "
        f"{first['K-Means ACC']:.4f} on average over {int(first['training seeds'])} "
        f"trainings; after {int(last['epochs'])}, {last['K-Means ACC']:.4f} (from "
        f"{last['K-Means min']:.4f} to {last['K-Means max']:.4f}), the best of the lengths "
        f"measured being {int(best['epochs'])} epochs; the mixture follows the same curve. "
        f"These trainings took {table['s per epoch'].mean():.1f} s per epoch on average on "
        f"2 CPU cores, so {int(last['epochs'])} epochs cost about "
        f"{last['s per epoch'] * last['epochs'] / 60:.0f} minutes per training; N2D trains "
        "1,000.")


def neighbours_table(dataset="mnist", results_dir=None, n_samples=None):
    """Accuracy against UMAP's ``n_neighbors`` on the same autoencoder codes (the stored
    neighbours study): mean and range over clustering seeds per method.

    Parameters
    ----------
    dataset : str, default 'mnist'
    results_dir : path-like, optional
    n_samples : int, optional

    Returns
    -------
    pandas.DataFrame
        One row per value: ``neighbours``, ``UMAP fit (s)``, and per method (K-Means and
        the mixture, best of their starts) the mean accuracy and the number of runs.
    """
    study = _study("neighbours", dataset, results_dir, n_samples)
    out = []
    for neighbours, part in study.groupby("n_neighbors"):
        line = {"neighbours": int(neighbours),
                "UMAP fit (s)": float(part["umap_seconds"].iloc[0])}
        for method, label in (("kmeans", "K-Means"), ("gmm", "mixture")):
            values = part[part["method"] == method]["accuracy"]
            line[f"{label} ACC"] = float(values.mean())
            line[f"{label} runs"] = int(len(values))
        out.append(line)
    return pd.DataFrame(out)


def neighbours_note(table):
    """Whether the result hangs on ``n_neighbors``, in words.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`neighbours_table`.

    Returns
    -------
    Text
    """
    values = table.set_index("neighbours")["K-Means ACC"]
    width = float(values.max() - values.min())
    return Text(
        f"From {int(values.index.min())} to {int(values.index.max())} neighbours the accuracy "
        f"of K-Means ({BEST_OF_STARTS}) moves by {width:.4f} (from {values.min():.4f} to "
        f"{values.max():.4f}): " + ("the result does not hang on this choice."
                                    if width < 0.005 else "a choice worth reporting."))


def recipe_table(dataset="mnist", results_dir=None, n_samples=None):
    """umap-learn's documented recipe (HDBSCAN on a 2-D UMAP of the pixels) per UMAP seed,
    beside its published figure.

    Parameters
    ----------
    dataset : str, default 'mnist'
    results_dir : path-like, optional
    n_samples : int, optional

    Returns
    -------
    pandas.DataFrame
        One row per run: ``run``, ``images``, ``clusters``, ``clustered`` (share), and
        ARI and AMI over every image (the noise as one more cluster) and over the
        clustered images only; the last row the published one.
    """
    study = _study("umap-recipe", dataset, results_dir, n_samples)
    out = [{"run": f"UMAP seed {int(row['umap_seed'])}", "clusters": str(int(row["n_clusters"])),
            "clustered": f"{1 - row['noise_share']:.2%}", "ARI": f"{row['ari']:.3f}",
            "AMI": f"{row['ami']:.3f}", "ARI (clustered)": f"{row['ari_clustered']:.3f}",
            "AMI (clustered)": f"{row['ami_clustered']:.3f}"}
           for _, row in study.iterrows()]
    published = _published_recipe()
    if published:
        out.append({"run": "published (one unseeded run, 70,000 images)", "clusters": "–",
                    "clustered": "–", "ARI": f"{published['ari']:.3f}",
                    "AMI": f"{published['ami']:.3f}", "ARI (clustered)": "–",
                    "AMI (clustered)": "–"})
    return pd.DataFrame(out)


def _published_recipe():
    """The recipe's published scores by name (:data:`mnist_clustering.scores.LITERATURE`)."""
    return {ref.score: ref.value for ref in scores.LITERATURE
            if ref.method.startswith("HDBSCAN on a 2-D UMAP")}


def recipe_note(dataset="mnist", results_dir=None, n_samples=None):
    """The recipe's runs against its published figure, in words.

    Parameters
    ----------
    dataset : str, default 'mnist'
    results_dir : path-like, optional
    n_samples : int, optional

    Returns
    -------
    Text
    """
    study = _study("umap-recipe", dataset, results_dir, n_samples)
    published = _published_recipe()
    clusters = sorted(set(int(c) for c in study["n_clusters"]))
    found = " or ".join(str(c) for c in clusters)
    return Text(
        f"Over {len(study)} UMAP seeds the recipe finds {found} clusters, leaves {study['noise_share'].min():.1%} to "
        f"{study['noise_share'].max():.1%} of the images unclustered, and scores an adjusted "
        f"Rand index of {study['ari'].min():.3f} to {study['ari'].max():.3f} and an adjusted "
        f"mutual information of {study['ami'].min():.3f} to {study['ami'].max():.3f} (over "
        f"every image). The published {published.get('ari', np.nan):.3f} / "
        f"{published.get('ami', np.nan):.3f} comes from one unseeded run on all 70,000 "
        f"images; our {len(study)} seeded runs on the 60,000 training images lie within "
        f"{study['ari'].max() - study['ari'].min():.3f} of each other and all below it, so "
        "the published figure reads as a favourable run rather than a typical one (or one "
        "the extra 10,000 test images help).")
