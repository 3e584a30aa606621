"""Summaries over seeds, stability and best k under noise, against direct computations."""

import math
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from mnist_clustering.uncertainty import (
    best_k_under_noise, label_stability, seed_summary, stability_by_k,
)


@pytest.fixture
def table():
    rng = np.random.default_rng(3)
    rows = [(k, seed, rng.normal(0.5, 0.05), rng.normal(100, 10))
            for k in (2, 3, 10) for seed in range(7 if k == 10 else 4)]
    rows.append((50, 0, 0.9, 5.0))  # a k with a single seed
    return pd.DataFrame(rows, columns=["k", "seed", "accuracy", "inertia"])


def test_summary_equals_a_direct_numpy_computation(table):
    summary = seed_summary(table, ["accuracy", "inertia"]).set_index(["score", "k"])
    for (score, k), row in summary.iterrows():
        values = table.loc[table["k"] == k, score].to_numpy()
        n = len(values)
        assert row["n_seeds"] == n
        assert row["mean"] == pytest.approx(values.sum() / n, rel=1e-12)
        assert row["min"] == values.min() and row["max"] == values.max()
        if n == 1:
            assert row["single_seed"] and math.isnan(row["sd"]) and math.isnan(row["ci_low"])
            continue
        sd = math.sqrt(((values - values.mean()) ** 2).sum() / (n - 1))
        assert row["sd"] == pytest.approx(sd, rel=1e-12)
        # t quantiles from tables: t_{0.975, 3} = 3.182446, t_{0.975, 6} = 2.446912
        t = {4: 3.182446305284263, 7: 2.4469118511449692}[n]
        assert row["ci_low"] == pytest.approx(values.mean() - t * sd / math.sqrt(n), rel=1e-9)
        assert row["ci_high"] == pytest.approx(values.mean() + t * sd / math.sqrt(n), rel=1e-9)


def test_summary_rejects_repeated_rows(table):
    with pytest.raises(ValueError, match=r"repeats a \(k, seed\) row"):
        seed_summary(pd.concat([table, table.head(1)]), "accuracy")


def test_stability_against_scikit_learn_on_every_pair():
    rng = np.random.default_rng(0)
    base = rng.integers(0, 5, 400)
    labellings = [np.where(rng.random(400) < noise, rng.integers(0, 5, 400), base)
                  for noise in (0.0, 0.1, 0.3, 0.5)]
    pairs = [adjusted_rand_score(a, b) for a, b in combinations(labellings, 2)]
    mean, low, n_pairs = label_stability(labellings)
    assert n_pairs == 6
    assert mean == pytest.approx(sum(pairs) / 6, rel=1e-12) and low == min(pairs)
    table = stability_by_k({(5, s): lab for s, lab in enumerate(labellings)} | {(7, 0): base})
    assert list(table["k"]) == [5]  # k=7 has one seed: no stability
    assert table.loc[0, "mean_ari"] == pytest.approx(mean, rel=1e-12)


def test_stability_hand_worked():
    # {0,1},{2,3} vs {0,1,2},{3}: pairs agree on (0,1) together and (0,3),(1,3) apart...
    # ARI by hand: contingency [[2,0],[1,1]], sum C(n_ij,2)=1, rows C(2,2)+C(2,2)=2,
    # cols C(3,2)+C(1,2)=3, C(4,2)=6: (1 - 2*3/6) / ((2+3)/2 - 2*3/6) = 0 / 1.5 = 0
    mean, low, pairs = label_stability([[0, 0, 1, 1], [0, 0, 0, 1]])
    assert (mean, low, pairs) == (0.0, 0.0, 1)


def test_best_k_under_noise_keeps_every_overlapping_k():
    table = pd.DataFrame({
        "k": [2] * 5 + [3] * 5 + [4] * 5 + [5],
        "seed": list(range(5)) * 3 + [0],
        # k=3 best; k=2 overlaps it; k=4 is clearly worse; k=5 has one (huge) value
        "accuracy": [0.58, 0.60, 0.62, 0.59, 0.61, 0.60, 0.61, 0.62, 0.63, 0.64,
                     0.30, 0.31, 0.30, 0.31, 0.30, 0.99],
    })
    summary = seed_summary(table, "accuracy")
    best = best_k_under_noise(summary, "accuracy")
    assert list(best["k"]) == [3, 2] and list(best["best"]) == [True, False]
    assert best.attrs["single_seed_ks"] == [5]
    # inertia is minimised
    worst = best_k_under_noise(seed_summary(table.rename(columns={"accuracy": "inertia"}),
                                            "inertia"), "inertia")
    assert list(worst["k"]) == [4]


def test_committed_spread_summary_and_stability_against_direct_computations():
    # the committed spread preset: summaries from the table, stability from the kept labels
    from mnist_clustering import load_results
    from mnist_clustering.sweep import load_labels

    table = load_results("kmeans")
    at10 = table[table["k"] == 10]
    assert len(at10) >= 20  # the grid: at least 20 seeds at k = 10
    summary = seed_summary(table, ["accuracy", "nmi"]).set_index(["score", "k"])
    for score in ("accuracy", "nmi"):
        values = at10[score].to_numpy()
        row = summary.loc[(score, 10)]
        assert row["n_seeds"] == len(values)
        assert row["mean"] == pytest.approx(values.sum() / len(values), rel=1e-12)
        assert row["sd"] == pytest.approx(
            math.sqrt(((values - values.mean()) ** 2).sum() / (len(values) - 1)), rel=1e-12)
        assert (row["min"], row["max"]) == (values.min(), values.max())
    labels = {key: value for key, value in load_labels("kmeans").items() if key[0] == 10}
    assert len(labels) == len(at10)
    stability = stability_by_k(labels).set_index("k").loc[10]
    seeds = sorted(s for _, s in labels)
    pairs = [adjusted_rand_score(labels[(10, a)], labels[(10, b)])
             for a, b in combinations(seeds, 2)]
    assert stability["mean_ari"] == pytest.approx(sum(pairs) / len(pairs), rel=1e-12)
    assert stability["min_ari"] == min(pairs)
    # the kept labels are the rows' labellings: their label scores are the table's
    from sklearn.metrics import normalized_mutual_info_score

    from mnist_clustering.data import load_mnist

    (_, y), _ = load_mnist()
    for seed in seeds[:3]:
        nmi = normalized_mutual_info_score(y, labels[(10, seed)])
        stored = at10.loc[at10["seed"] == seed, "nmi"].iloc[0]
        assert nmi == pytest.approx(stored, rel=1e-12)
