"""The notebooks' view layer: tables, sentences and conclusions: the seed's printed numbers beside ours, and published figures.

The notebooks hold no logic: every table they show is built here, from the stored
sweep tables (:func:`mnist_clustering.load_results`) and artefacts
(:func:`mnist_clustering.load_artifacts`).

- :data:`notebook2022.PRINTED`: every number the seed notebook (January 2022) printed, with
  its cell, so that each can be shown beside the number computed today.
- :func:`top_k_comparison`: the best k for a score, done right (:func:`best_k`),
  beside what the seed's ``maxs_tab`` prints on the same column, and why they differ.
- :func:`final_model_summary`: the scores of one k, seed and ours side by side.
- :data:`PUBLISHED` and :func:`published_comparison`: K-Means on raw MNIST pixels in
  the literature (the registry's sourced figures), beside our spread over seeds.
- :func:`seed_spread`, :func:`spread_table`, :func:`stability`, :func:`noise_note`: every
  K-Means number with its spread over random starts.
- :func:`results_or_sweep`: the stored rows of a k grid, or the same rows computed by
  :func:`mnist_clustering.run_sweep` when some are missing.
- :class:`Text` and the ``*_note`` / ``conclusion_*`` functions: the sentences of the
  notebooks that quote numbers, rendered as Markdown from the tables, so that the text
  cannot disagree with the output below it.
- :func:`environment`: package versions and data hashes from the tables' provenance.
"""

from __future__ import annotations

import json
from collections import namedtuple
from pathlib import Path

import numpy as np
import pandas as pd

from . import metrics, notebook2022, scores, uncertainty
from .sweep import ResultsStore, parse_k_range, run_sweep

__all__ = [
    "PUBLISHED",
    "ROW_NAMES",
    "Images",
    "load_images",
    "results_or_sweep",
    "sweep_settings",
    "scores_at",
    "top_k_comparison",
    "best_ks",
    "final_model_summary",
    "method_comparison",
    "published_comparison",
    "SPREAD_SCORES",
    "seed_spread",
    "spread_table",
    "stability",
    "top_k_spread",
    "stability_note",
    "noise_note",
    "class_count_table",
    "normalisation_summary",
    "cluster_size_table",
    "contingency_frame",
    "random_clusters",
    "cluster_titles",
    "titles",
    "Text",
    "settings_vs_seed",
    "seed_shown_clusters",
    "align_clusters",
    "aligned_centres",
    "ch_precision",
    "ch_gap_note",
    "seed_shown_note",
    "run_differences",
    "silhouette_note",
    "fit_concurrency",
    "fit_time_label",
    "train_test_note",
    "purity_at",
    "environment",
    "conclusion_data",
    "conclusion_kmeans",
    "conclusion_kmedoids",
    "conclusion_labels",
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
    "conclusion_representations",
    "training_digits",
    "space_picture",
    "seed_labellings",
    "picture_note",
]

# --------------------------------------------------------------------------- the seed
ROW_NAMES = scores.TABLE_LABELS
"""Readable row names of the comparison tables."""

# --------------------------------------------------------------------------- literature
PUBLISHED = scores.literature("K-Means on raw pixels")
"""K-Means on raw MNIST pixels in the literature (:data:`mnist_clustering.scores.LITERATURE`),
one row per (score, source): columns ``score, value, k, method, source, where, data``."""


# --------------------------------------------------------------------------- data
Images = namedtuple("Images", "x_train y_train x_test y_test results_name")
Images.__doc__ = """The images a sweep saw (raw uint8), their labels, and the table folder name."""


def load_images(dataset="mnist", n_samples=None):
    """Load the images and labels a sweep table was computed on.

    Parameters
    ----------
    dataset : {'mnist', 'digits'}
    n_samples : int, optional
        Keep only the first ``n_samples`` training images, as ``run_sweep`` does;
        their tables live in ``<dataset>-first<n_samples>``.

    Returns
    -------
    Images
        ``x_train`` (uint8, n x 28 x 28), ``y_train``, ``x_test``, ``y_test`` and
        ``results_name``, the folder of the matching tables (pass it as ``dataset=``
        to :func:`results_or_sweep` and :func:`mnist_clustering.load_artifacts`).
    """
    from .data import load_dataset

    (x_train, y_train), (x_test, y_test) = load_dataset(dataset)
    name = dataset
    if n_samples is not None:
        x_train, y_train = x_train[:n_samples], y_train[:n_samples]
        name = f"{dataset}-first{n_samples}"
    return Images(x_train, y_train, x_test, y_test, name)


def results_or_sweep(method, ks, *, keep=(), dataset="mnist", results_dir=None,
                     **sweep_options):
    """The stored rows of ``method`` for the k grid ``ks``, computing any that are missing.

    When the table holds every k of ``ks`` with its silhouette (a NaN silhouette is
    still pending) and the artefacts of every k of ``keep`` exist, it is read and
    nothing is computed. Otherwise :func:`mnist_clustering.run_sweep`
    computes exactly what is missing (slow on full MNIST, but the same call that
    produced the table) and stores it.

    Parameters
    ----------
    method : {'kmeans', 'kmedoids-alternate', 'kmedoids-fasterpam'}
    ks : str or iterable of int
        k grid, e.g. ``"2:80"`` (see :func:`mnist_clustering.parse_k_range`).
    keep : iterable of int
        k values whose labels and centres must be stored as artefacts.
    dataset : str
        Table folder name (``Images.results_name``): ``'mnist'`` or e.g.
        ``'mnist-first3000'`` for the first 3000 training images.
    results_dir : path-like, optional
        Root of the tables; default ``$MNIST_CLUSTERING_RESULTS`` or ``results/``.
    **sweep_options
        Passed to ``run_sweep`` when something must be computed (``seed``,
        ``silhouette``, ``n_init``...). A stored table is returned as it is: its
        parameters are in its ``params``, ``seed`` and ``silhouette_mode`` columns
        (see :func:`sweep_settings`).

    Returns
    -------
    pandas.DataFrame
        One row per k of ``ks`` (seed 0: the single run the 2022 comparisons use; see
        :func:`spread` for the other seeds), sorted by k, read back from the stored table.
    """
    ks = parse_k_range(ks)
    keep = parse_k_range(keep) if _given(keep) else []
    store = ResultsStore(dataset, method, results_dir)
    if not _complete(store, ks, keep):
        base, _, size = dataset.partition("-first")
        # a long computation never starts silently: the bar says what is being computed
        sweep_options.setdefault("progress", True)
        run_sweep(method, ks, keep=keep, dataset=base, results_dir=results_dir,
                  n_samples=int(size) if size else None, **sweep_options)
    table = store.load()  # as stored, so a computed table reads like a committed one
    return table[table["k"].isin(ks) & (table["seed"] == 0)].reset_index(drop=True)


def _given(keep):
    return isinstance(keep, (int, np.integer)) or (keep is not None and len(keep) > 0)


def _complete(store, ks, keep):
    """Every k stored with its silhouette (NaN: still pending), every kept artefact there."""
    table = store.load()
    done = table["silhouette"].notna() & (table["seed"] == 0)
    stored = set(table.loc[done, "k"].astype(int))
    return set(ks) <= stored and all(store.artifact_path(k).exists() for k in keep)


def _k_summary(ks):
    ks = sorted(int(k) for k in ks)
    if len(ks) <= 5:
        return ", ".join(map(str, ks))
    return f"{ks[0]}..{ks[-1]} ({len(ks)} values)"


def sweep_settings(table):
    """How a table was computed: method, images, seed, each parameter, silhouette, k values.

    Parameters
    ----------
    table : pandas.DataFrame
        A sweep table (or part of one).

    Returns
    -------
    pandas.DataFrame
        One row per setting, one column per distinct setting of the table (one column,
        named by the method, for a consistent table). The ``params`` JSON is spelled out,
        one row per parameter, so that none is cut off.

    Examples
    --------
    >>> t = pd.DataFrame({"method": "kmeans", "k": [2, 3], "n_samples": 60000, "seed": 0,
    ...                   "params": '{"n_init": 1}', "silhouette_mode": "exact"})
    >>> sweep_settings(t)  # doctest: +NORMALIZE_WHITESPACE
                    kmeans
    setting
    images           60000
    seed                 0
    n_init               1
    silhouette       exact
    k (fitted)        2, 3
    """
    keys = ["method", "n_samples", "seed", "params", "silhouette_mode"]
    groups = table.groupby(keys, sort=False)["k"].agg(_k_summary).reset_index()
    columns = {}
    for row in groups.itertuples(index=False):
        column = {"images": row.n_samples, "seed": row.seed,
                  **json.loads(row.params), "silhouette": row.silhouette_mode,
                  "k (fitted)": row.k}
        columns[row.method if row.method not in columns else f"{row.method} ({len(columns)})"] = {
            name: str(value) for name, value in column.items()}
    out = pd.DataFrame(columns)
    out.index.name = "setting"
    return out


def scores_at(table, ks, columns):
    """Rows of ``table`` at the given k (all rows if ``ks`` is None), k as the index.

    Parameters
    ----------
    table : pandas.DataFrame
    ks : sequence of int or None
    columns : sequence of str

    Raises
    ------
    KeyError
        If a k is not in the table.

    Examples
    --------
    >>> t = pd.DataFrame({"k": [2, 7, 12], "purity": [0.2, 0.5, 0.6], "nmi": [0.1, 0.3, 0.4]})
    >>> scores_at(t, [12, 2], ["purity"])  # doctest: +NORMALIZE_WHITESPACE
        purity
    k
    12     0.6
    2      0.2
    """
    indexed = table.set_index("k").sort_index()
    if ks is None:
        return indexed[list(columns)]
    missing = [k for k in ks if k not in indexed.index]
    if missing:
        raise KeyError(f"k {missing} not in the table (it holds k = {indexed.index.tolist()})")
    return indexed.loc[list(ks), list(columns)]


# --------------------------------------------------------------------------- choosing k
def top_k_comparison(table, score, n=5, *, seed_score=None, printed=None):
    """The best k for ``score``, done right, beside the seed's ``maxs_tab`` on the same table.

    Parameters
    ----------
    table : pandas.DataFrame
        One sweep (one method), one row per k; it is read in increasing k, the order
        in which the seed filled its lists.
    score : str
        Column ranked by :func:`mnist_clustering.best_k` in its right direction.
    n : int, default 5
    seed_score : str, optional
        Column the seed ranked instead (default ``score``); for the entropy,
        ``'seed_index_entropy'``.
    printed : dict, optional
        An entry of :data:`notebook2022.PRINTED` with a ``maxs_tab`` item (e.g.
        ``notebook2022.PRINTED['kmedoids_top5']``): adds what the seed printed in 2022.

    Returns
    -------
    pandas.DataFrame
        Indexed by rank 1..max(n, 5): ``k`` and ``score`` (ours); ``seed k`` (what
        ``maxs_tab`` reports), ``seed value`` and ``true k`` (the k that value really
        belongs to); with ``printed``, ``2022 k`` and ``2022 value``. ``attrs['why']``
        says in a few sentences why the seed's answer differs.

    Examples
    --------
    On a step-10 grid the seed reports positions, not k:

    >>> t = pd.DataFrame({"k": [2, 12, 22, 32, 42, 52],
    ...                   "calinski_harabasz": [60., 50., 40., 30., 20., 10.]})
    >>> out = top_k_comparison(t, "calinski_harabasz")
    >>> out[["k", "seed k", "true k"]].head(3)  # doctest: +NORMALIZE_WHITESPACE
           k  seed k  true k
    rank
    1      2       2       2
    2     12       3      12
    3     22       4      22
    """
    seed_score = seed_score or score
    table = table.sort_values("k", ignore_index=True)
    ours = metrics.best_k(table, score, n=n)
    values, reported = notebook2022.maxs_tab(table[seed_score].tolist())
    ks = table["k"].astype(int).tolist()
    seed = pd.DataFrame({
        "seed k": reported,
        "seed value": [v if k else np.nan for v, k in zip(values, reported)],
        "true k": [ks[k - 2] if 2 <= k < len(ks) + 2 else np.nan for k in reported],
    })
    rows = max(n, len(seed))
    out = pd.DataFrame({"k": ours["k"], score: ours[score]}).reindex(range(rows))
    out = pd.concat([out, seed.reindex(range(rows))], axis=1)
    if printed is not None:
        p_values, p_k = printed["maxs_tab"][seed_score]
        out["2022 k"] = pd.Series(p_k).reindex(range(rows))
        out["2022 value"] = pd.Series(p_values).reindex(range(rows))
    out.index = pd.RangeIndex(1, rows + 1, name="rank")
    for column in ("k", "seed k", "true k", "2022 k"):
        if column in out:
            out[column] = out[column].astype("Int64")
    out.attrs["why"] = notebook2022.why_maxs_tab_differs(
        ks, table[seed_score].tolist(), values, score, seed_score, scores.SCORE_DIRECTIONS[score])
    return out


def best_ks(table, scores, n=5):
    """``{score: [best k, ...]}`` for several scores (:func:`best_k`), to ring on the curves.

    Examples
    --------
    >>> t = pd.DataFrame({"k": [2, 3, 4], "silhouette": [0.1, 0.3, 0.2],
    ...                   "label_entropy": [1.0, 0.8, 0.5]})
    >>> best_ks(t, ["silhouette", "label_entropy"], n=2)
    {'silhouette': [3, 4], 'label_entropy': [4, 3]}
    """
    return {score: [int(k) for k in metrics.best_k(table, score, n=n)["k"]] for score in scores}


# --------------------------------------------------------------------------- one k
def final_model_summary(table, k, seed_values, extra=("label_entropy", "purity")):
    """The scores of one k: the seed's printed values beside ours.

    Parameters
    ----------
    table : pandas.DataFrame
        Sweep table holding a row for ``k``.
    k : int
    seed_values : dict
        ``column -> value`` the seed printed (``notebook2022.PRINTED[...]['scores']``).
    extra : sequence of str
        Further columns shown with ours only (the seed had no such number), e.g. the
        corrected ``label_entropy``.

    Returns
    -------
    pandas.DataFrame
        Indexed by readable score names (:data:`ROW_NAMES`), columns ``seed (2022)``
        and ``ours``, as text at the same precision on each row: the decimals the seed
        printed, at most :data:`SIGNIFICANT` significant digits; 4 decimals for ours
        alone ("–" where the seed had no such number). Fit times depend on the machine
        (and the seed's K-Means ran ``n_init=10``, see :func:`settings_vs_seed`).

    Examples
    --------
    >>> t = pd.DataFrame({"k": [22], "calinski_harabasz": [1032.69496], "purity": [0.49]})
    >>> final_model_summary(t, 22, {"calinski_harabasz": 1032.708369071595}, extra=("purity",))
                                seed (2022)     ours
    Calinski-Harabasz               1032.71  1032.69
    purity (seed's 'precision')           –   0.4900
    """
    row = scores_at(table, [k], [*seed_values, *[c for c in extra if c not in seed_values]])
    row = row.iloc[0]
    seed, ours = [], []
    for column, value in row.items():
        if column in seed_values:
            decimals = _shared_decimals(seed_values[column])
            seed.append(f"{seed_values[column]:.{decimals}f}")
        else:
            decimals = 4
            seed.append("–")
        ours.append(f"{float(value):.{decimals}f}")
    out = pd.DataFrame({"seed (2022)": seed, "ours": ours}, index=row.index)
    out.index = [ROW_NAMES.get(c, c) for c in out.index]
    return out


#: Significant digits at most when a seed number and ours are shown side by side.
SIGNIFICANT = 6


def _shared_decimals(printed):
    """Decimals the seed printed for ``printed``, capped at :data:`SIGNIFICANT` significant digits.

    Examples
    --------
    >>> _shared_decimals(1135.06), _shared_decimals(1032.708369071595), _shared_decimals(0.4064973)
    (2, 2, 6)
    """
    text = repr(float(printed))
    decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 0
    magnitude = int(np.floor(np.log10(abs(printed)))) + 1 if printed else 1
    return max(0, min(decimals, SIGNIFICANT - magnitude))


def method_comparison(tables, ks, columns=("inertia", "fit_seconds", "calinski_harabasz",
                                           "silhouette", "homogeneity", "purity",
                                           "label_entropy")):
    """Several methods at the same k, one row per (method, k).

    Parameters
    ----------
    tables : dict
        ``name -> sweep table``, e.g. ``{'alternate': ..., 'FasterPAM': ...}``.
    ks : sequence of int
    columns : sequence of str

    Returns
    -------
    pandas.DataFrame
        MultiIndex (k, method), the given columns; for K-Medoids ``inertia`` is the
        cost (sum of distances to the medoid) that both methods minimise.
    """
    parts = [scores_at(table, ks, columns).assign(method=name).reset_index()
             for name, table in tables.items()]
    out = pd.concat(parts, ignore_index=True).set_index(["k", "method"]).sort_index(
        level=0, sort_remaining=False)
    return out


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


# --------------------------------------------------------------------------- seeds
SPREAD_SCORES = (*scores.LABEL_SCORES, "test_purity")
"""The label scores shown with their spread over seeds (the registry's comparison scores
and the test purity)."""


def seed_spread(table, columns=SPREAD_SCORES):
    """Per k and score, the mean, sd, range and 95% t interval over the table's seeds.

    See :func:`mnist_clustering.uncertainty.seed_summary`.
    """
    return uncertainty.seed_summary(table, [c for c in columns if c in table.columns])


def _mean_sd_range(values, decimals=3):
    values = np.asarray(values, dtype=float)
    if len(values) == 1:
        return f"{values[0]:.{decimals}f} (one run)"
    return (f"{values.mean():.{decimals}f} ± {values.std(ddof=1):.{decimals}f} "
            f"[{values.min():.{decimals}f}, {values.max():.{decimals}f}]")


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

    See :func:`mnist_clustering.uncertainty.stability_by_k`.
    """
    from .sweep import load_labels

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
            f"({top['mean']:.4f}, 95% interval {top['ci_low']:.4f} to {top['ci_high']:.4f}, "
            f"{int(top['n_seeds'])} seeds). ")
    text += (f"The intervals of k = {', '.join(map(str, others))} overlap it: with "
             f"{'/'.join(map(str, counts))} seeds per k these cannot be told apart from it."
             if others else "No other k's interval overlaps it: it is the best k beyond the "
                            "noise of the random start.")
    for k in steps:
        if k in rows.index and k - 1 in rows.index:
            a, b = rows.loc[k - 1], rows.loc[k]
            real = a["ci_high"] < b["ci_low"] or b["ci_high"] < a["ci_low"]
            text += (f" The step from k = {k - 1} to {k} (means {a['mean']:.4f} → "
                     f"{b['mean']:.4f}) {'survives' if real else 'does not survive'} the "
                     "intervals.")
        elif k not in rows.index:
            text += f" The step at k = {k} lies where only one seed was run: untested."
    return Text(text)


# --------------------------------------------------------------------------- data tables
def class_count_table(y_train, y_test=None):
    """Number and share of images of each digit.

    Returns
    -------
    pandas.DataFrame
        Indexed by digit: ``train``, ``train share`` and, with ``y_test``, ``test`` and
        ``test share``; a last row ``total``.

    Examples
    --------
    >>> class_count_table([0, 1, 1, 2]).loc[[0, 1, 2, 3, "total"], "train"].tolist()
    [1, 2, 1, 0, 4]
    """
    parts = {"train": y_train} if y_test is None else {"train": y_train, "test": y_test}
    out = pd.DataFrame()
    for name, y in parts.items():
        counts = np.bincount(np.asarray(y), minlength=10)
        out[name] = counts
        out[f"{name} share"] = counts / counts.sum()
    out.index.name = "digit"
    total = out.sum().to_frame("total").T
    return pd.concat([out, total]).astype({name: int for name in parts})


def normalisation_summary(raw, prepared):
    """Shape, type and value range of the images before and after :func:`prepare`.

    Returns
    -------
    pandas.DataFrame
        Columns ``raw`` and ``prepared``; rows shape, dtype, min, max, mean, share of
        zero pixels and number of distinct values, written as text (4 significant
        digits) so that one table holds both.

    Examples
    --------
    >>> raw = np.array([[0, 255], [0, 51]], dtype=np.uint8)
    >>> normalisation_summary(raw, raw / 255).loc[["max", "mean"]]  # doctest: +NORMALIZE_WHITESPACE
          raw prepared
    max   255        1
    mean 76.5      0.3
    """
    columns = {}
    for name, array in (("raw", np.asarray(raw)), ("prepared", np.asarray(prepared))):
        columns[name] = {
            "shape": str(array.shape), "dtype": str(array.dtype),
            "min": f"{float(array.min()):.4g}", "max": f"{float(array.max()):.4g}",
            "mean": f"{float(array.mean(dtype=np.float64)):.4g}",
            "share of zero pixels": f"{float(np.mean(array == 0)):.4g}",
            "distinct values": str(np.unique(array).size),
        }
    return pd.DataFrame(columns)


def cluster_size_table(labels, y, k):
    """Size and majority digit of each cluster, largest first.

    Parameters
    ----------
    labels : array-like of int
        Cluster of each training image (from the artefacts).
    y : array-like of int
        Digit of each training image.
    k : int

    Returns
    -------
    pandas.DataFrame
        Indexed by cluster id: ``size``, ``majority digit``, ``majority share`` (the
        cluster's purity).

    Examples
    --------
    >>> cluster_size_table([0, 0, 0, 1], [3, 3, 5, 7], 2)  # doctest: +NORMALIZE_WHITESPACE
             size  majority digit  majority share
    cluster
    0           3               3        0.666667
    1           1               7        1.000000
    """
    C = metrics.contingency(y, labels, n_clusters=k)
    sizes = C.sum(axis=1)
    out = pd.DataFrame({
        "size": sizes,
        "majority digit": C.argmax(axis=1),
        "majority share": np.divide(C.max(axis=1), sizes, out=np.zeros(k), where=sizes > 0),
    })
    out.index.name = "cluster"
    return out.sort_values("size", ascending=False, kind="stable")


def contingency_frame(y, labels, k):
    """Contingency matrix (clusters x digits) with clusters ordered by majority digit.

    Rows are named ``"<cluster> (<majority digit>)"`` and sorted by majority digit,
    then by decreasing size, so a good clustering shows a diagonal band.

    Returns
    -------
    pandas.DataFrame
        Counts; columns are the digits 0-9.
    """
    C = metrics.contingency(y, labels, n_clusters=k, n_classes=10)
    majority = C.argmax(axis=1)
    order = np.lexsort((-C.sum(axis=1), majority))
    index = [f"{c} ({majority[c]})" for c in order]
    frame = pd.DataFrame(C[order], index=index, columns=range(10))
    frame.index.name = "cluster (majority digit)"
    frame.columns.name = "digit"
    return frame


def random_clusters(k, n=2, seed=0):
    """``n`` distinct cluster ids among ``0..k-1``, drawn with a seeded generator, sorted.

    The seed drew them with an unseeded ``np.random.randint`` (and could draw the
    same cluster twice).

    Examples
    --------
    >>> random_clusters(10, 2, seed=0) == random_clusters(10, 2, seed=0)
    True
    """
    chosen = np.random.default_rng(seed).choice(k, size=n, replace=False)
    return sorted(int(c) for c in chosen)


def cluster_titles(labels, y, k, clusters=None):
    """Titles of centre images: ``"cluster <i> → <majority digit> (<its share>)"``.

    The share says how much of the cluster carries that digit: a medoid titled 5 that
    shows a 1 is no bug when the title says only 23% of its cluster are fives.

    Parameters
    ----------
    labels : array-like of int
        Cluster of each training image.
    y : array-like of int
        Digit of each training image.
    k : int
    clusters : sequence of int, optional
        Clusters to title, in this order (default ``0..k-1``).

    Examples
    --------
    >>> cluster_titles([0, 0, 0, 1], [7, 7, 1, 3], 2)
    ['cluster 0 → 7 (67%)', 'cluster 1 → 3 (100%)']
    """
    table = cluster_size_table(labels, y, k)
    clusters = range(k) if clusters is None else clusters
    return [f"cluster {c} → {int(table.at[c, 'majority digit'])} "
            f"({table.at[c, 'majority share']:.0%})" for c in clusters]


def titles(prefix, values):
    """``["<prefix> <v>" for v in values]``: titles of an image grid.

    Examples
    --------
    >>> titles("Digit", [5, 0])
    ['Digit 5', 'Digit 0']
    """
    return [f"{prefix} {v}" for v in values]


# --------------------------------------------------------------------------- narrative
class Text(str):
    """Markdown computed from the tables: a notebook shows it formatted, a terminal as text.

    Returned by the ``*_note`` and ``conclusion_*`` functions, so that the numbers a
    sentence quotes are read from the same table as the output below it.

    Examples
    --------
    >>> Text("**k = 22**")._repr_markdown_()
    '**k = 22**'
    """

    def _repr_markdown_(self):
        return str(self)

    def __repr__(self):
        return str(self)


def _f(value, decimals=4):
    return f"{float(value):.{decimals}f}"


# --------------------------------------------------------------------------- the seed's settings
def settings_vs_seed(table):
    """The parameters of the 2022 run beside those of one of today's sweep tables.

    Parameters
    ----------
    table : pandas.DataFrame
        Sweep rows of one method (``kmeans`` or ``kmedoids-alternate``).

    Returns
    -------
    pandas.DataFrame
        Indexed by parameter: ``2022`` (:data:`notebook2022.SETTINGS`), ``ours`` (from the
        table's ``params`` and ``seed``) and ``same`` (yes/no).

    Examples
    --------
    >>> t = pd.DataFrame({"method": ["kmeans"], "seed": [0],
    ...                   "params": ['{"algorithm": "elkan", "max_iter": 300, "n_init": 1}']})
    >>> settings_vs_seed(t).loc["n_init"].tolist()
    ['10', '1', 'no']
    """
    method = str(table["method"].iloc[0])
    ours = {**{name: str(v) for name, v in json.loads(table["params"].iloc[0]).items()},
            "seed": str(table["seed"].iloc[0])}
    if method.startswith("kmedoids"):
        ours["method"] = method.split("-", 1)[1]
    seed = notebook2022.SETTINGS[method]
    names = list(dict.fromkeys([*seed, *ours]))
    out = pd.DataFrame({"2022": [seed.get(n, "–") for n in names],
                        "ours": [ours.get(n, "–") for n in names]}, index=names)
    out["same"] = np.where(out["2022"] == out["ours"], "yes", "no")
    out.index.name = "parameter"
    return out


# --------------------------------------------------------------------------- clusters the seed printed
def seed_shown_clusters(printed, labels, y, k):
    """The clusters whose sizes the seed printed, beside today's clusters of the same size.

    Parameters
    ----------
    printed : dict
        ``{cluster id: size}`` printed in 2022 (``notebook2022.PRINTED[...]['shown_clusters']``).
    labels : array-like of int
        Today's cluster of each training image.
    y : array-like of int
    k : int

    Returns
    -------
    pandas.DataFrame
        One row per printed cluster: ``2022 size``, ``today, same id`` (the size of the
        cluster with that id today), ``today, same size`` (the ids of today's clusters with
        exactly that size, "none" if there is none) and their ``majority digit``.

    Examples
    --------
    >>> seed_shown_clusters({1: 1}, [0, 1, 1, 1], [3, 4, 4, 5], 2).loc[1, "today, same size"]
    '0'
    """
    table = cluster_size_table(labels, y, k)
    rows = []
    for cluster, size in printed.items():
        same = table.index[table["size"] == size].sort_values().tolist()
        rows.append({
            "cluster (2022 id)": cluster, "2022 size": size,
            "today, same id": int(table.at[cluster, "size"]) if cluster in table.index else pd.NA,
            "today, same size": ", ".join(map(str, same)) or "none",
            "majority digit": ", ".join(str(table.at[c, "majority digit"]) for c in same) or "–",
        })
    return pd.DataFrame(rows).set_index("cluster (2022 id)")


def seed_shown_note(shown, k):
    """A sentence saying which of today's clusters have the sizes the seed printed.

    Parameters
    ----------
    shown : pandas.DataFrame
        :func:`seed_shown_clusters` at ``k``.
    k : int

    Returns
    -------
    Text

    Examples
    --------
    >>> t = seed_shown_clusters({1: 1}, [0, 1, 1, 1], [3, 4, 4, 5], 2)
    >>> print(seed_shown_note(t, 2))  # doctest: +NORMALIZE_WHITESPACE
    At k = 2, today's cluster 0 has exactly the size the 2022 notebook printed for its cluster 1 (1 images). The ids differ (cluster ids are arbitrary), the sizes do not.
    """
    found = shown[shown["today, same size"] != "none"]
    if found.empty:
        return Text(f"At k = {k}, none of today's clusters has a size the 2022 notebook "
                    "printed: the runs differ.")
    parts = [f"{'clusters' if ',' in r['today, same size'] else 'cluster'} "
             f"{r['today, same size']} {'have' if ',' in r['today, same size'] else 'has'} "
             f"exactly the size the 2022 notebook printed for its cluster {c} "
             f"({r['2022 size']:,} images)" for c, r in found.iterrows()]
    same_id = found[found["today, same id"] == found["2022 size"]].index.tolist()
    ids = (f" The ids are the same for cluster{'s' if len(same_id) > 1 else ''} "
           f"{', '.join(map(str, same_id))}." if same_id else
           " The ids differ (cluster ids are arbitrary), the sizes do not.")
    return Text(f"At k = {k}, today's " + "; ".join(parts) + "." + ids)


# --------------------------------------------------------------------------- two clusterings
def align_clusters(reference, labels, k):
    """Match each cluster of ``labels`` to a cluster of ``reference``, sharing the most images.

    A one-to-one matching (Hungarian algorithm on the clusters x clusters overlap
    counts) maximising the number of images in matched clusters.

    Parameters
    ----------
    reference, labels : array-like of int
        Two clusterings of the same images, both with ``k`` clusters.
    k : int

    Returns
    -------
    pandas.DataFrame
        Indexed by reference cluster ``0..k-1``: ``matched`` (the cluster of ``labels``),
        ``shared images`` and ``share`` (shared over the reference cluster's size).

    Examples
    --------
    >>> align_clusters([0, 0, 1, 1, 1], [1, 1, 0, 0, 1], 2)["matched"].tolist()
    [1, 0]
    """
    from scipy.optimize import linear_sum_assignment

    overlap = metrics.contingency(np.asarray(labels), np.asarray(reference), n_clusters=k,
                                  n_classes=k)
    rows, cols = linear_sum_assignment(overlap, maximize=True)
    shared = overlap[rows, cols]
    sizes = overlap.sum(axis=1)[rows]
    out = pd.DataFrame({"matched": cols, "shared images": shared,
                        "share": np.divide(shared, sizes, out=np.zeros(k), where=sizes > 0)},
                       index=pd.Index(rows, name="reference cluster"))
    return out


def aligned_centres(reference_fit, fit, y, k):
    """``fit``'s centres in the order of the ``reference_fit`` clusters they match, and titles.

    Position i of the result shows the centre of the cluster of ``fit`` that shares the
    most images with cluster i of ``reference_fit`` (:func:`align_clusters`), so that two
    grids of centres drawn with the same number of columns can be compared panel by panel.

    Parameters
    ----------
    reference_fit, fit : mapping
        Artefacts (:func:`mnist_clustering.load_artifacts`) with ``labels`` and ``centers``.
    y : array-like of int
    k : int

    Returns
    -------
    centres : numpy.ndarray
    titles : list of str
        ``"cluster <own id> → <digit> (<share>)"`` (:func:`cluster_titles`).
    """
    order = align_clusters(reference_fit["labels"], fit["labels"], k)["matched"].to_numpy()
    return np.asarray(fit["centers"])[order], cluster_titles(fit["labels"], y, k, order)


# --------------------------------------------------------------------------- the CH gap
def ch_precision(X, labels, printed=None, decimals=None):
    """The CH index the seed printed beside the same labels' CH computed two ways.

    Parameters
    ----------
    X : numpy.ndarray
        The prepared images (float32, as the seed had them).
    labels : dict
        ``{k: cluster of each image}`` (today's 'alternate' labels).
    printed : dict, optional
        ``{k: CH printed in 2022}``; default the 'alternate' models of
        :data:`notebook2022.PRINTED`.
    decimals : int, optional
        Round the computed columns to this many decimals (a rounded difference of zero
        shows as 0, not -0, whichever side of zero the CPU's float32 sum falls).

    Returns
    -------
    pandas.DataFrame
        Indexed by k: ``2022 (printed)``, ``scikit-learn 1.0, float32`` (the seed's
        formula and precision on today's labels), ``today (float64)`` (today's
        scikit-learn, as in the tables) and the two differences from 2022.
    """
    if printed is None:
        printed = {entry["k"]: entry["scores"]["calinski_harabasz"]
                   for entry in notebook2022.PRINTED.values()
                   if entry.get("method") == "kmedoids-alternate" and "scores" in entry}
    rows = {}
    for k, values in labels.items():
        old = notebook2022.calinski_harabasz_1_0(X, values)
        new = metrics.calinski_harabasz(X, values)
        rows[k] = {"2022 (printed)": printed[k], "scikit-learn 1.0, float32": old,
                   "today (float64)": new, "float32 - 2022": old - printed[k],
                   "float64 - 2022": new - printed[k]}
    out = pd.DataFrame(rows).T
    out.index.name = "k"
    if decimals is not None:  # the printed values stay as printed
        computed = out.columns[1:]
        out[computed] = out[computed].round(decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return out


#: Significant digits of a float32 sum that every CPU reproduces (float32 keeps about 7;
#: the order of the additions, which depends on the CPU's vector width, moves the last).
FLOAT32_DIGITS = 7


def _same_digits(value, printed, at_most=FLOAT32_DIGITS):
    """Significant digits to which ``value`` rounds like ``printed``.

    At most the digits printed, and at most ``at_most`` (:data:`FLOAT32_DIGITS`): the
    further digits of a float32 sum vary from one CPU to another.

    Examples
    --------
    >>> _same_digits(1135.058716, 1135.06), _same_digits(1135.041217, 1135.06)
    (6, 4)
    """
    printed_digits = len(repr(float(printed)).replace(".", "").replace("-", "").lstrip("0"))
    same = 0
    for n in range(1, min(printed_digits, at_most) + 1):
        if float(f"{value:.{n}g}") != float(f"{printed:.{n}g}"):
            break
        same = n
    return same


def ch_gap_note(gap):
    """Why today's CH differs from the printed one, in numbers from :func:`ch_precision`.

    Parameters
    ----------
    gap : pandas.DataFrame
        The output of :func:`ch_precision`.

    Returns
    -------
    Text
    """
    parts = []
    for k, row in gap.iterrows():
        printed = row["2022 (printed)"]
        old, new = row["scikit-learn 1.0, float32"], row["today (float64)"]
        parts.append(
            f"at k = {k}, 2022 printed {printed:.10g}; the seed's formula in float32 gives "
            f"{old:.3f}, the same to {_same_digits(old, printed)} significant digits, and "
            f"today's float64 {new:.3f}, the same to {_same_digits(new, printed)}")
    worst32 = gap["float32 - 2022"].abs().max()
    worst64 = gap["float64 - 2022"].abs().max()
    return Text(
        "The labels are the same; the arithmetic of the index is not. scikit-learn 1.0 "
        "summed the squared distances in the dtype of the pixels (float32); today's "
        "scikit-learn converts them to float64 first. Evaluating scikit-learn 1.0's formula "
        "in float32 on today's labels gives the printed values back: "
        + "; ".join(parts) + f". The float32 values are within {worst32:.1g} of the 2022 "
        f"numbers (float32 keeps about {FLOAT32_DIGITS} significant digits; the last ones "
        "depend on the order of the additions, so on the CPU), the float64 "
        f"ones up to {worst64:.2g} away, about {worst64 / gap['2022 (printed)'].min():.0e} "
        "relative. So the gap is float32 rounding in the 2022 run, not a different "
        "clustering and not the distance computation.")


# --------------------------------------------------------------------------- the K-Means runs
def run_differences(table, printed, score, decimals=None):
    """The values the seed printed for its top 5 beside ours at the same k.

    Parameters
    ----------
    table : pandas.DataFrame
        Today's sweep on the seed's grid.
    printed : dict
        A :data:`notebook2022.PRINTED` entry with ``maxs_tab``.
    score : str
    decimals : int, optional
        Round every column to this many decimals (a rounded difference of zero shows
        as 0, not -0).

    Returns
    -------
    pandas.DataFrame
        Indexed by the k each printed value belongs to (the seed reported list
        position + 2; on a grid starting at 2 with step s the k is 2 + s * position):
        ``2022``, ``ours`` and ``ours - 2022``.
    """
    values, reported = printed["maxs_tab"][score]
    ks = table.sort_values("k")["k"].astype(int).tolist()
    true_k = [ks[r - 2] for r in reported]
    ours = scores_at(table, true_k, [score])[score].to_numpy()
    out = pd.DataFrame({"2022": values, "ours": ours}, index=pd.Index(true_k, name="k"))
    out["ours - 2022"] = out["ours"] - out["2022"]
    if decimals is not None:
        out = out.round(decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return out


def silhouette_note(table, printed):
    """Why our silhouette top 5 and the 2022 one differ: ``maxs_tab`` *and* the run itself.

    Parameters
    ----------
    table : pandas.DataFrame
        Today's K-Means sweep over the seed's grid.
    printed : dict
        ``notebook2022.PRINTED['kmeans_top5']``.

    Returns
    -------
    Text
    """
    diff = run_differences(table, printed, "silhouette")
    ours_top = metrics.best_k(table, "silhouette", n=5)["k"].astype(int).tolist()
    seed_k = diff.index.tolist()
    moved = diff[diff["ours - 2022"].abs() > 5e-4]
    examples = ", ".join(f"k = {k}: 2022 {r['2022']:.4f}, ours {r['ours']:.4f}"
                         for k, r in moved.iterrows())
    return Text(
        "Two things differ. `maxs_tab` overwrites slots, so its five values are not the "
        "five largest of either run. And the K-Means runs themselves differ: the seed's ran "
        "10 starts unseeded (`n_init=10`), ours one seeded start (`n_init=1`), so the "
        "silhouettes at the same k are not the same numbers. At the k the seed printed, "
        + (f"{len(moved)} of {len(diff)} values moved by more than 0.0005 ({examples})"
           if len(moved) else "the values agree to 0.0005")
        + f". With our values, the correct top 5 is k = {', '.join(map(str, ours_top))}; "
        f"the 2022 run printed k = {', '.join(map(str, seed_k))}.")


# --------------------------------------------------------------------------- provenance
def _provenances(dataset, results_dir=None, methods=None):
    from .sweep import default_results_dir

    folder = (default_results_dir() if results_dir is None else Path(results_dir)) / dataset
    paths = sorted(folder.glob("*.json"))
    out = {path.stem: json.loads(path.read_text()) for path in paths}
    return {m: p for m, p in out.items() if methods is None or m in methods}


def fit_concurrency(dataset, method, results_dir=None, slack=1.0):
    """How many fits of a stored sweep ran at the same time, at most (from its provenance).

    Each k was fitted and scored during the ``wall_seconds`` before its ``finished``
    time, less the ``silhouette_seconds`` added when silhouettes were filled in later.
    ``finished`` is written to the second, when the row reached the driver, so each
    interval's end is moved ``slack`` seconds earlier before counting the largest number
    of intervals that overlap.

    Parameters
    ----------
    dataset, method : str
    results_dir : path-like, optional
    slack : float, default 1.0

    Returns
    -------
    int
        1 for a serial sweep; 0 if the table has no per-k timings.
    """
    prov = _provenances(dataset, results_dir, [method]).get(method, {})
    events = []
    for entry in prov.get("per_k", {}).values():
        end = pd.Timestamp(entry["finished"]).timestamp()
        busy = entry["wall_seconds"] - entry.get("silhouette_seconds", 0.0)
        events += [(end - busy, 1), (end - min(slack, busy), -1)]
    running, most = 0, 0
    for _, step in sorted(events, key=lambda e: (e[0], e[1])):
        running += step
        most = max(most, running)
    return most


def fit_time_label(dataset, method, results_dir=None):
    """Axis label of the fit times of a sweep, saying when fits ran concurrently.

    Examples
    --------
    >>> fit_time_label("no-such-table", "kmeans")
    'Fit time (s)'
    """
    n = fit_concurrency(dataset, method, results_dir)
    return f"Fit time (s; {n} fits ran at once)" if n > 1 else "Fit time (s)"


def environment(dataset="mnist", results_dir=None):
    """Package versions and data hashes the stored tables were computed with.

    Read from the provenance JSON beside each table, not from the running Python, so a
    notebook shows what produced its numbers (and re-executes to the same output).

    Returns
    -------
    pandas.DataFrame
        One row per package, data hash (the first 16 hex digits of the SHA-256), dates
        and machine; one column per group of tables with the same values (named by the
        tables).
    """
    columns = {}
    for method, prov in _provenances(dataset, results_dir).items():
        column = {name: str(v) for name, v in sorted(prov.get("versions", {}).items())}
        for name, digest in sorted(prov.get("data", {}).items()):
            column[name.replace("_sha256", " sha256")] = f"{digest[:16]}…"
        column["computed"] = f"{prov.get('created', '?')[:10]} to {prov.get('updated', '?')[:10]}"
        column["machine"] = f"{prov.get('machine', '?')}, {prov.get('cpu_count', '?')} CPUs"
        columns[method] = column
    if not columns:
        raise FileNotFoundError(f"no provenance (*.json) for the tables of {dataset!r}")
    out = pd.DataFrame(columns).fillna("–")
    groups = {}
    for method in out.columns:
        groups.setdefault(tuple(out[method]), []).append(method)
    out = pd.DataFrame({", ".join(names): list(values) for values, names in groups.items()},
                       index=out.index)
    out.index.name = "package or data"
    return out


# --------------------------------------------------------------------------- purity
def purity_at(table, ks):
    """Train and test purity at a few k, and how far test sits above train.

    Examples
    --------
    >>> t = pd.DataFrame({"k": [2, 7], "purity": [0.2, 0.5], "test_purity": [0.21, 0.52]})
    >>> purity_at(t, [7])["test - train"].round(2).tolist()
    [0.02]
    """
    out = scores_at(table, ks, ["purity", "test_purity"])
    out["test - train"] = out["test_purity"] - out["purity"]
    return out


def train_test_note(table):
    """Where test purity sits relative to train purity over a sweep, in numbers.

    Returns
    -------
    Text
    """
    gap = (table["test_purity"] - table["purity"]).to_numpy()
    ks = table["k"].astype(int).to_numpy()
    above = int((gap > 0).sum())
    below = ks[gap <= 0].tolist()
    where = (f"at all {len(ks)} k" if not below else
             f"at {above} of the {len(ks)} k (not at k = {', '.join(map(str, below))})")
    i = int(np.argmax(gap))
    return Text(
        f"Test purity sits slightly **above** train purity {where}: by a median of "
        f"{np.median(gap):.4f} (largest {gap[i]:.4f}, at k = {ks[i]}). The 10,000 test "
        "images are a little easier to label by their nearest centre than the training "
        "images are by their cluster's majority digit; with so few centres there is no "
        "overfitting to show.")


# --------------------------------------------------------------------------- conclusions
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
    counts = np.bincount(np.asarray(y_train), minlength=10)
    n = counts.sum()
    most, least = int(counts.argmax()), int(counts.argmin())
    zero = float(np.mean(np.asarray(raw) == 0))
    return Text(
        f"- {n:,} training images, the ten digits close to balanced: from {counts[least]:,} "
        f"({counts[least] / n:.1%}) images of {least} to {counts[most]:,} ({counts[most] / n:.1%}) "
        f"of {most}. One cluster holding everything would have a purity of "
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
    return Text(
        f"**No score picks a number of clusters.** Over k = {lo}..{hi} the silhouette stays "
        f"between {sil.min():.3f} and {sil.max():.3f} (digits overlap in pixel space) and is "
        f"highest at k = {int(best['silhouette']['k'])}; Calinski-Harabasz is highest at "
        f"k = {int(best['calinski_harabasz']['k'])} and falls with k; the label entropy "
        f"falls all the way to k = {int(best['label_entropy']['k'])} "
        f"({best['label_entropy']['label_entropy']:.3f} nats), because smaller clusters are "
        "purer. The seed's k = 19 is one choice among many, not an answer.\n\n"
        f"At k = {final_k} our model has CH {row['calinski_harabasz']:.2f} (2022: "
        f"{printed_final['calinski_harabasz']:.2f}, a different run: `n_init=1` seeded against "
        f"10 unseeded starts), purity {row['purity']:.3f} and label entropy "
        f"{row['label_entropy']:.3f} nats. Of the seed's three scoring bugs, the index entropy "
        f"and the inverted ranking made its entropy top 5 meaningless (k = {entropy_k}: the "
        "largest clusters, not the purest), and `maxs_tab`'s overwriting reordered its "
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

def conclusion_kmedoids(models, fasterpam, gap, shown, k_first, k_final, printed=None):
    """The findings of notebook 3 (K-Medoids), in numbers.

    Parameters
    ----------
    models : pandas.DataFrame
        'alternate' rows at ``k_first`` and ``k_final``.
    fasterpam : pandas.DataFrame
        FasterPAM rows at the same k.
    gap : pandas.DataFrame
        :func:`ch_precision` at those k.
    shown : dict
        ``{k: seed_shown_clusters(...)}``.
    k_first, k_final : int
    printed : dict, optional
        The seed's scores at ``k_final``; default ``notebook2022.PRINTED['kmedoids_k22']['scores']``.

    Returns
    -------
    Text
    """
    printed = notebook2022.PRINTED["kmedoids_k22"]["scores"] if printed is None else printed
    side = final_model_summary(models, k_final, printed, extra=())
    scores = [name for name in side.index if not name.startswith(("fit time", "Calinski"))]
    same = [name for name in scores if side.at[name, "seed (2022)"] == side.at[name, "ours"]]
    agree = (f"at k = {k_final}, {len(same)} of the {len(scores)} other scores it printed "
             f"agree to the printed digits (up to six significant: {', '.join(same)})")
    matched = sum(int((t["today, same size"] != "none").sum()) for t in shown.values())
    total = sum(len(t) for t in shown.values())
    cols = ["inertia", "purity", "calinski_harabasz"]
    alt = scores_at(models, [k_first, k_final], cols)
    fp = scores_at(fasterpam, [k_first, k_final], cols)
    cost = (1 - fp["inertia"] / alt["inertia"]) * 100
    return Text(
        f"**The 2022 K-Medoids run is reproduced.** {matched} of the {total} cluster sizes "
        f"the seed printed occur exactly among today's clusters (k = {k_first} and "
        f"k = {k_final}); {agree}; CH differs by at most "
        f"{gap['float64 - 2022'].abs().max():.3f}, which "
        "scikit-learn 1.0's float32 sums explain "
        f"(within {gap['float32 - 2022'].abs().max():.1g}).\n\n"
        f"**'alternate' stops far from the optimum.** FasterPAM, started from its medoids, "
        f"lowers the cost by {cost[k_first]:.1f}% at k = {k_first} and {cost[k_final]:.1f}% "
        f"at k = {k_final}, and raises the purity from {alt.at[k_final, 'purity']:.3f} to "
        f"{fp.at[k_final, 'purity']:.3f} and CH from {alt.at[k_final, 'calinski_harabasz']:.0f} "
        f"to {fp.at[k_final, 'calinski_harabasz']:.0f} at k = {k_final}. Conclusions the seed "
        "drew about K-Medoids against K-Means are conclusions about 'alternate'.")


def conclusion_labels(sweep, everything, k_confusion, single_start, best_of_ten):
    """The findings of notebook 4 (purity, accuracy, spread, the literature), in numbers.

    Parameters
    ----------
    sweep : pandas.DataFrame
        K-Means (seed 0) over the seed's grid 2..262 step 5.
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
        f"- The best inertia of 10 starts (`n_init=10`, the 2022 default) gives accuracy "
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


# --------------------------------------------------------------------------- feature spaces
SPACES_SHOWN = ("raw", "pca", "umap", "autoencoder", "autoencoder-umap")
"""The feature spaces of notebook 05, in its order (:data:`mnist_clustering.spaces.SPACES`)."""

SPACE_SCORES = scores.LABEL_SCORES
"""The label scores compared across spaces (:data:`mnist_clustering.scores.LABEL_SCORES`:
ACC, NMI, ARI, purity)."""

_METHOD_NAMES = {"kmeans": "K-Means", "gmm": "Gaussian mixture", "hdbscan": "HDBSCAN"}


def space_folder(space, dataset="mnist", n_samples=None):
    """The table folder of a feature space (``'mnist/umap'``; raw: ``'mnist'``).

    Examples
    --------
    >>> space_folder("umap"), space_folder("raw")
    ('mnist/umap', 'mnist')
    """
    from .sweep import table_name

    return table_name(dataset, n_samples, space)


def space_rows(spaces=SPACES_SHOWN, k=10, dataset="mnist", results_dir=None, n_samples=None):
    """Every stored row at ``k`` (K-Means, each seed) and every density row, of each space.

    Returns
    -------
    pandas.DataFrame
        Columns ``space``, ``method``, ``seed``, the :data:`SPACE_SCORES` and
        ``noise_share`` (HDBSCAN only; its scores count the noise as one more cluster).
    """
    from .density import read_density
    from .sweep import density_path, load_results

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

    Examples
    --------
    >>> rows = pd.DataFrame({"space": "umap", "method": "kmeans", "seed": [0, 1],
    ...                      "accuracy": [0.8, 0.9], "nmi": 0.8, "ari": 0.7, "purity": 0.9})
    >>> space_table(space_summary(rows)).iloc[0]["ACC"]
    '0.850 ± 0.071'
    """
    names = scores.SHORT_LABELS
    out = pd.DataFrame(index=pd.MultiIndex.from_tuples(
        [(s, _METHOD_NAMES.get(m, m)) for s, m in summary.index], names=["space", "method"]))
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
    """
    table = scores.literature()
    table["score"] = table["score"].map(lambda s: ROW_NAMES.get(s, s.upper() if s == "ami" else s))
    table["k"] = table["k"].astype("Int64")  # no k: HDBSCAN finds its own number of clusters
    return table


def best_space(summary, method="kmeans", score="accuracy"):
    """The space where ``method`` has the highest mean ``score`` (from :func:`space_summary`)."""
    at = summary.xs(method, level="method")[f"{score} mean"]
    return str(at.idxmax())


def median_seed(space, k=10, dataset="mnist", results_dir=None, score="accuracy"):
    """The K-Means seed at ``k`` whose ``score`` is the median over seeds (the lower
    of the two middle ones): a representative run, neither the best nor the worst."""
    from .sweep import load_results

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
    """Which digits still share a cluster in ``space``, in numbers (:func:`merged_pairs`)."""
    if pairs.empty:
        return Text(f"In the {space} space no cluster holds a fifth or more of a second digit.")
    parts = [f"{r.majority} with {r._2} in {r.runs} of {r.of} seeds (a mean {r._5:.0%} of "
             "the cluster)" for r in pairs.head(3).itertuples()]
    return Text(f"In the {space} space, the digits that still share a cluster (the second "
                f"digit a fifth or more of it): {'; '.join(parts)}.")


def space_times(spaces=SPACES_SHOWN[1:], dataset="mnist", results_dir=None):
    """Build time of each space and the time of its K-Means rows, from the provenance.

    Returns
    -------
    pandas.DataFrame
        Index: the spaces; ``build (s)`` (the space's own fit and transform, from its
        sidecar: for ``autoencoder-umap`` the UMAP step only, the autoencoder being
        the ``autoencoder`` space's), ``K-Means rows``, ``K-Means fits and scores (s)``
        (the sum over rows of fit, score and exact silhouette seconds).
    """
    from .sweep import load_provenance

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

    Returns
    -------
    pandas.DataFrame
        Index k; columns a (space, statistic) MultiIndex, statistics ``mean``, ``min``,
        ``max`` and ``seeds``.
    """
    from .sweep import load_results

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
    """
    def ms(space, method, score="accuracy"):
        row = summary.loc[(space, method)]
        sd = row[f"{score} sd"]
        return f"{row[f'{score} mean']:.3f}" + ("" if np.isnan(sd) else f" ± {sd:.3f}")

    lines = [f"K-Means at k = {k}, accuracy (mean ± sd over seeds) per space: "
             + "; ".join(f"{space} {ms(space, 'kmeans')} ({int(summary.loc[(space, 'kmeans'), 'runs'])} seeds)"
                         for space in summary.index.get_level_values(0).unique()
                         if (space, "kmeans") in summary.index) + "."]
    for method in ("gmm", "hdbscan"):
        here = [s for s, m in summary.index if m == method]
        if here:
            extra = {s: (f", {summary.loc[(s, method), 'noise_share']:.2%} noise"
                         if method == "hdbscan" else "") for s in here}
            lines.append(f"{_METHOD_NAMES[method]}: " + "; ".join(
                f"{s} ACC {ms(s, method)}, ARI {ms(s, method, 'ari')}{extra[s]}" for s in here) + ".")
    lines.append(f"The best space for K-Means is **{best}**: accuracy {ms(best, 'kmeans')}, "
                 f"NMI {ms(best, 'kmeans', 'nmi')}, ARI {ms(best, 'kmeans', 'ari')}, against "
                 f"{ms('raw', 'kmeans')} on raw pixels."
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


def training_digits(dataset="mnist", n_samples=None):
    """The digit of each training image (the labels no space or method uses)."""
    from .data import load_dataset

    (_, y_train), _ = load_dataset(dataset)
    y = np.asarray(y_train)
    return y if n_samples is None else y[:n_samples]


def space_picture(space="autoencoder-umap", k=10, seed=None, dataset="mnist", results_dir=None):
    """The stored 2-D UMAP sample (``umap2d.npz``, preset 'spaces') with each image's digit
    and its K-Means cluster (k, ``seed``; default :func:`median_seed`) in ``space``.

    Returns
    -------
    dict
        ``xy`` (n, 2), ``digits`` (n,), ``clusters`` (n,), ``seed``, ``build_seconds``
        (of the 2-D UMAP).
    """
    from .sweep import default_results_dir, load_labels

    root = default_results_dir() if results_dir is None else Path(results_dir)
    path = root / space_folder("autoencoder-umap", dataset) / "umap2d.npz"
    if not path.exists():
        raise FileNotFoundError(f"no 2-D picture at {path}: run `mnist-clustering sweep "
                                "--preset spaces` (or make reproduce)")
    with np.load(path) as stored:
        index, xy = stored["index"], stored["xy"]
        build = float(stored["build_seconds"])
    seed = median_seed(space, k, dataset, results_dir) if seed is None else seed
    labels = load_labels("kmeans", dataset, results_dir, space=space)[(k, seed)]
    return {"xy": xy, "digits": training_digits(dataset)[index], "clusters": labels[index],
            "seed": seed, "build_seconds": build}


def seed_labellings(space, k=10, dataset="mnist", results_dir=None):
    """``{seed: labels}`` of the kept K-Means labellings at ``k`` in ``space``."""
    from .sweep import load_labels

    return {seed: labels for (kk, seed), labels in
            load_labels("kmeans", dataset, results_dir, space=space).items() if kk == k}


def picture_note(picture, space):
    """What the 2-D picture is, in numbers (its size, cost and the seed shown)."""
    return Text(f"{len(picture['xy']):,} training images drawn at random (seeded) from the "
                f"60,000; the 2-D UMAP of the autoencoder codes took "
                f"{picture['build_seconds']:.0f} s to build. Clusters: K-Means, k = 10, in the "
                f"{space} space, seed {picture['seed']} (the median accuracy of its seeds).")
