"""The 2022 notebook beside today's results: its printed numbers, its settings, its bugs.

Everything the 2022 notebook printed or ran with comes from
:mod:`mnist_clustering.notebook2022`; these functions set it beside the stored tables.

- :func:`top_k_comparison`: the best k for a score, done right (``best_k``), beside what
  its ``maxs_tab`` prints on the same column, and why they differ.
- :func:`final_model_summary`: the scores of one k, 2022 and ours side by side.
- :func:`settings_vs_seed`, :func:`seed_shown_clusters`, :func:`ch_precision`,
  :func:`run_differences` and their notes: where the two runs agree, and why they differ
  where they do.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from .. import metrics, notebook2022, scores
from .tables import cluster_size_table, scores_at
from .text import ROW_NAMES, Text

__all__ = [
    "SIGNIFICANT",
    "FLOAT32_DIGITS",
    "top_k_comparison",
    "final_model_summary",
    "settings_vs_seed",
    "seed_shown_clusters",
    "seed_shown_note",
    "ch_precision",
    "ch_gap_note",
    "run_differences",
    "silhouette_note",
]



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
        ``maxs_tab`` reports), ``2022 value (helper)`` and ``true k`` (the k that value really
        belongs to); with ``printed``, ``2022 k`` and ``2022 value``. ``attrs['why']``
        says in a few sentences why the seed's answer differs.

    Examples
    --------
    On a step-10 grid the 2022 helper reports positions, not k:

    >>> t = pd.DataFrame({"k": [2, 12, 22, 32, 42, 52],
    ...                   "calinski_harabasz": [60., 50., 40., 30., 20., 10.]})
    >>> out = top_k_comparison(t, "calinski_harabasz")
    >>> out[["k", "2022 k (helper)", "true k"]].head(3)  # doctest: +NORMALIZE_WHITESPACE
           k  2022 k (helper)  true k
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
        "2022 k (helper)": reported,
        "2022 value (helper)": [v if k else np.nan for v, k in zip(values, reported)],
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
    for column in ("k", "2022 k (helper)", "true k", "2022 k"):
        if column in out:
            out[column] = out[column].astype("Int64")
    out.attrs["why"] = notebook2022.why_maxs_tab_differs(
        ks, table[seed_score].tolist(), values, score, seed_score, scores.SCORE_DIRECTIONS[score])
    return out


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
        Indexed by readable score names (:data:`ROW_NAMES`), columns ``2022 notebook``
        and ``ours``, as text at the same precision on each row: the decimals the seed
        printed, at most :data:`SIGNIFICANT` significant digits; 4 decimals for ours
        alone ("–" where the seed had no such number). Fit times depend on the machine
        (and the seed's K-Means ran ``n_init=10``, see :func:`settings_vs_seed`).

    Examples
    --------
    >>> t = pd.DataFrame({"k": [22], "calinski_harabasz": [1032.69496], "purity": [0.49]})
    >>> final_model_summary(t, 22, {"calinski_harabasz": 1032.708369071595}, extra=("purity",))
                      2022 notebook     ours
    Calinski-Harabasz       1032.71  1032.69
    purity                        –   0.4900
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
    out = pd.DataFrame({"2022 notebook": seed, "ours": ours}, index=row.index)
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
            f"at k = {k}, 2022 printed {printed:.10g}; scikit-learn 1.0's formula in float32 gives "
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
    n_init = notebook2022.KMEANS_N_INIT
    ours_top = metrics.best_k(table, "silhouette", n=5)["k"].astype(int).tolist()
    seed_k = diff.index.tolist()
    moved = diff[diff["ours - 2022"].abs() > 5e-4]
    examples = ", ".join(f"k = {k}: 2022 {r['2022']:.4f}, ours {r['ours']:.4f}"
                         for k, r in moved.iterrows())
    return Text(
        "Two things differ. Its top-5 function overwrites slots, so its five values are not the "
        "five largest of either run. And the K-Means runs themselves differ: the 2022 notebook's ran "
        f"{n_init} starts unseeded, ours one seeded start, so the "
        "silhouettes at the same k are not the same numbers. At the k the 2022 notebook printed, "
        + (f"{len(moved)} of {len(diff)} values moved by more than 0.0005 ({examples})"
           if len(moved) else "the values agree to 0.0005")
        + f". With our values, the correct top 5 is k = {', '.join(map(str, ours_top))}; "
        f"the 2022 run printed k = {', '.join(map(str, seed_k))}.")
