"""Tests for mnist_clustering.metrics against independent oracles.

Oracles: a plain-Python oracle of the 2022 notebook's loops (tests/seed_oracle.py),
scikit-learn's scores, brute force (permutations, pairwise distances) and hand-worked
examples.
"""

import itertools
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits

from mnist_clustering import metrics
from mnist_clustering.metrics import (
    SCORE_DIRECTIONS,
    ari,
    assign_nearest,
    best_k,
    calinski_harabasz,
    check_clustering,
    check_n_clusters,
    contingency,
    homogeneity,
    hungarian_accuracy,
    label_entropy,
    label_scores,
    majority_labels,
    n_errors,
    nmi,
    predict_from_centers,
    predict_labels,
    purity,
    seed_index_entropy,
    silhouette,
)
from mnist_clustering.notebook2022 import maxs_tab

sys.path.insert(0, str(Path(__file__).resolve().parent))
import seed_oracle  # noqa: E402

SETTINGS = settings(max_examples=60, deadline=None)


# ----------------------------------------------------------------------------------
# inputs
# ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits_case():
    """500 sklearn digits (8x8) clustered by KMeans(k=12, random_state=0)."""
    digits = load_digits()
    X = digits.data[:500] / 16.0
    y = digits.target[:500]
    model = KMeans(n_clusters=12, n_init=1, random_state=0).fit(X)
    return X, y, model.labels_.astype(np.int64), model.cluster_centers_


def random_case(seed, n=300, k=25, n_classes=10):
    """Random labelling: small clusters, so majority ties are frequent."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, n_classes, n), rng.integers(0, k, n)


def cases(digits_case):
    _, y, c, _ = digits_case
    yield "digits-kmeans12", y, c, 12
    for seed in range(3):
        y_r, c_r = random_case(seed)
        yield f"random-{seed}", y_r, c_r, 25
    # few samples per cluster: many ties, and cluster ids above the largest used one
    y_r, c_r = random_case(10, n=40, k=30)
    yield "random-sparse", y_r, c_r, 32


def all_cases(digits_case):
    return list(cases(digits_case))


# Hand-worked example (also the docstrings' running example).
#   y_true   = 0 0 0 0 0 | 1 1 1 | 2 2
#   clusters = 0 0 0 1 1 | 1 2 2 | 2 2
# contingency (rows = clusters, columns = digits):
#   cluster 0: [3, 0, 0] -> majority 0, 0 errors, entropy 0
#   cluster 1: [2, 1, 0] -> majority 0, 1 error,  entropy H(2/3, 1/3) = log 3 - 2/3 log 2
#   cluster 2: [0, 2, 2] -> tie -> smallest digit 1, 2 errors, entropy log 2
# n_errors = 3, purity = 1 - 3/10 = 0.7
# label_entropy = (3*0 + 3*(log 3 - 2/3 log 2) + 4*log 2) / 10 = (3 log 3 + 2 log 2) / 10
# Hungarian: clusters 0 and 1 both want digit 0; best one-to-one matching is
#   0->0 (3), 1->1 (1), 2->2 (2) = 6 (the alternative 1->0 gives 2+0+2 = 4), ACC = 0.6
# seed_index_entropy: cluster 0 = images {0,1,2}: entropy of (0,1,2)/3 = log 3 - 2/3 log 2
#   cluster 1 = {3,4,5}, S=12; cluster 2 = {6,7,8,9}, S=30; H = log S - sum i log i / S
HAND_Y = [0, 0, 0, 0, 0, 1, 1, 1, 2, 2]
HAND_C = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2]


def _h_indices(indices):
    s = sum(indices)
    return math.log(s) - sum(i * math.log(i) for i in indices if i > 0) / s


def test_hand_worked_example():
    np.testing.assert_array_equal(
        contingency(HAND_Y, HAND_C), [[3, 0, 0], [2, 1, 0], [0, 2, 2]]
    )
    np.testing.assert_array_equal(majority_labels(HAND_Y, HAND_C), [0, 0, 1])
    np.testing.assert_array_equal(
        predict_labels(HAND_Y, HAND_C), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1]
    )
    assert n_errors(HAND_Y, HAND_C) == 3
    assert purity(HAND_Y, HAND_C) == pytest.approx(0.7, abs=1e-15)
    assert hungarian_accuracy(HAND_Y, HAND_C) == pytest.approx(0.6, abs=1e-15)
    expected_entropy = (3 * math.log(3) + 2 * math.log(2)) / 10
    assert label_entropy(HAND_Y, HAND_C) == pytest.approx(expected_entropy, abs=1e-15)
    expected_seed = (
        3 * _h_indices([0, 1, 2]) + 3 * _h_indices([3, 4, 5]) + 4 * _h_indices([6, 7, 8, 9])
    ) / 10
    assert seed_index_entropy(HAND_C) == pytest.approx(expected_seed, abs=1e-14)
    scores = label_scores(HAND_Y, HAND_C)
    assert scores["n_errors"] == 3 and isinstance(scores["n_errors"], int)
    assert scores["purity"] == pytest.approx(0.7, abs=1e-15)
    assert scores["accuracy"] == pytest.approx(0.6, abs=1e-15)
    assert scores["label_entropy"] == pytest.approx(expected_entropy, abs=1e-15)
    assert scores["seed_index_entropy"] == pytest.approx(expected_seed, abs=1e-14)


def test_label_scores_keys():
    assert list(label_scores(HAND_Y, HAND_C)) == [
        "label_entropy", "seed_index_entropy", "homogeneity", "nmi", "ari",
        "purity", "n_errors", "accuracy",
    ]


# ----------------------------------------------------------------------------------
# against the plain-Python oracle of the 2022 loops
# ----------------------------------------------------------------------------------
def test_contingency_matches_counting_loop(digits_case):
    for name, y, c, k in cases(digits_case):
        C = contingency(y, c, n_clusters=k, n_classes=10)
        assert C.shape == (k, 10) and C.dtype == np.int64, name
        expected = np.zeros((k, 10), dtype=np.int64)
        for cluster in range(k):
            for i in seed_oracle.cluster_members(c, cluster):
                expected[cluster, y[i]] += 1
        np.testing.assert_array_equal(C, expected, err_msg=name)


def test_contingency_is_sklearn_transposed(digits_case):
    _, y, c, _ = digits_case
    np.testing.assert_array_equal(contingency(y, c), skm.cluster.contingency_matrix(y, c).T)


def test_majority_labels_match_seed_determiner_label(digits_case):
    n_ties = 0
    for name, y, c, k in cases(digits_case):
        ours = majority_labels(y, c, n_clusters=k)
        seed = [
            seed_oracle.majority_digit(seed_oracle.cluster_members(c, cluster), y)
            for cluster in range(k)
        ]
        np.testing.assert_array_equal(ours, seed, err_msg=name)
        C = contingency(y, c, n_clusters=k, n_classes=10)
        n_ties += int(((C == C.max(axis=1, keepdims=True)).sum(axis=1) > 1).sum())
    assert n_ties > 10  # the random cases do exercise the tie rule (and empty clusters)


def test_predict_labels_and_errors_match_seed(digits_case):
    for name, y, c, k in cases(digits_case):
        seed_pred = seed_oracle.predicted_digits(c, k, y)
        np.testing.assert_array_equal(predict_labels(y, c), seed_pred, err_msg=name)
        seed_errors = seed_oracle.total_errors(c, k, y)
        per_cluster = sum(
            seed_oracle.errors_in_cluster(seed_oracle.cluster_members(c, j), y)
            for j in range(k)
        )
        assert n_errors(y, c) == seed_errors == per_cluster, name
        seed_precision = 1 - seed_errors / len(c)
        assert purity(y, c) == pytest.approx(seed_precision, abs=1e-15), name
        scores = label_scores(y, c, n_clusters=k)
        assert scores["n_errors"] == seed_errors, name
        assert scores["purity"] == pytest.approx(seed_precision, abs=1e-15), name


def test_seed_index_entropy_matches_seed_score_entropy(digits_case):
    for name, _, c, k in cases(digits_case):
        expected = seed_oracle.index_entropy(c, k)
        assert seed_index_entropy(c, n_clusters=k) == pytest.approx(expected, abs=1e-10), name
        assert seed_index_entropy(c) == pytest.approx(expected, abs=1e-10), name
        assert label_scores(np.zeros_like(c), c, n_clusters=k)[
            "seed_index_entropy"
        ] == pytest.approx(expected, abs=1e-10)


def test_seed_index_entropy_large_indices():
    # indices up to 60,000 as on MNIST: log S and sum i log i / S nearly cancel
    rng = np.random.default_rng(3)
    c = rng.integers(0, 5, 60_000)
    expected = seed_oracle.index_entropy(c, 5)
    assert seed_index_entropy(c) == pytest.approx(expected, abs=1e-10)


def test_seed_index_entropy_edge_cases():
    # a cluster holding image 0 alone: its weights sum to 0, so its entropy is NaN
    c = [0, 1, 1, 1]
    assert math.isnan(seed_oracle.index_entropy(c, 2))
    assert math.isnan(seed_index_entropy(c))
    # image 0 with others is fine (weight 0); a single-image cluster has entropy 0;
    # empty clusters (2 and 4) contribute 0
    c = [1, 1, 0, 3, 0]
    assert seed_index_entropy(c, n_clusters=5) == pytest.approx(
        seed_oracle.index_entropy(c, 5), abs=1e-12
    )
    with pytest.raises(ValueError, match="n_clusters=2 but clusters contains the id 3"):
        seed_index_entropy(c, n_clusters=2)


# ----------------------------------------------------------------------------------
# against scikit-learn and scipy
# ----------------------------------------------------------------------------------
def _sklearn_cases(digits_case):
    yield from ((name, y, c) for name, y, c, _ in cases(digits_case))
    rng = np.random.default_rng(7)
    y = rng.integers(0, 10, 2000)
    yield "perfect", y, y.copy()
    yield "perfect-permuted", y, (y + 3) % 10
    yield "one-cluster", y, np.zeros_like(y)
    yield "one-class", np.full(50, 4), rng.integers(0, 5, 50)
    yield "one-class-one-cluster", np.full(50, 4), np.full(50, 2)
    yield "singletons", y[:200], np.arange(200)
    yield "independent-exactly", np.repeat([0, 1], 50), np.tile([0, 1], 50)
    yield "large-k", rng.integers(0, 10, 20_000), rng.integers(0, 262, 20_000)


def test_supervised_scores_match_sklearn(digits_case):
    for name, y, c in _sklearn_cases(digits_case):
        scores = label_scores(y, c)
        expected = {
            "homogeneity": skm.homogeneity_score(y, c),
            "nmi": skm.normalized_mutual_info_score(y, c),
            "ari": skm.adjusted_rand_score(y, c),
        }
        for key, value in expected.items():
            assert scores[key] == pytest.approx(value, abs=1e-12), (name, key)
        assert homogeneity(y, c) == expected["homogeneity"]
        assert nmi(y, c) == expected["nmi"]
        assert ari(y, c) == expected["ari"]


def test_label_entropy_matches_scipy_and_sklearn(digits_case):
    for name, y, c in _sklearn_cases(digits_case):
        n = len(y)
        # scipy: per-cluster entropy of the digit counts, weighted by size
        oracle = sum(
            (c == j).sum() / n * scipy.stats.entropy(np.bincount(y[c == j]))
            for j in np.unique(c)
        )
        ours = label_entropy(y, c)
        assert ours == pytest.approx(oracle, abs=1e-12), name
        # sklearn: H(Y | C) = H(Y) - MI(Y, C)
        h_y = scipy.stats.entropy(np.bincount(y))
        assert ours == pytest.approx(h_y - skm.mutual_info_score(y, c), abs=1e-12), name
        assert label_scores(y, c)["label_entropy"] == ours


def _brute_force_accuracy(y, c):
    C = skm.cluster.contingency_matrix(c, y)  # rows: clusters
    k, m = C.shape
    best = 0
    if k <= m:
        for cols in itertools.permutations(range(m), k):
            best = max(best, sum(C[i, j] for i, j in enumerate(cols)))
    else:
        for rows in itertools.permutations(range(k), m):
            best = max(best, sum(C[i, j] for j, i in enumerate(rows)))
    return best / len(y)


@pytest.mark.parametrize("k, n_classes", [(4, 4), (3, 5), (6, 4), (2, 2)])
def test_hungarian_accuracy_matches_brute_force(k, n_classes):
    rng = np.random.default_rng(k * 10 + n_classes)
    for _ in range(10):
        y = rng.integers(0, n_classes, 60)
        c = rng.integers(0, k, 60)
        expected = _brute_force_accuracy(y, c)
        assert hungarian_accuracy(y, c) == pytest.approx(expected, abs=1e-15)
        assert label_scores(y, c)["accuracy"] == pytest.approx(expected, abs=1e-15)


def test_hungarian_unmatched_clusters_are_errors():
    # 3 clusters, 2 digits: cluster 2 cannot be matched, its 2 images count as errors
    y = [0, 0, 1, 1, 0, 1]
    c = [0, 0, 1, 1, 2, 2]
    assert hungarian_accuracy(y, c) == pytest.approx(4 / 6)
    assert purity(y, c) == pytest.approx(5 / 6)


# ----------------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------------
labellings = st.integers(2, 80).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 5), min_size=n, max_size=n),
        st.lists(st.integers(0, 7), min_size=n, max_size=n),
    )
)


def _same_scores(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], float) and math.isnan(a[key]):
            assert math.isnan(b[key]), key
        else:
            assert a[key] == pytest.approx(b[key], abs=1e-12), key


@SETTINGS
@given(labellings, st.randoms(use_true_random=False))
def test_permuting_cluster_ids_changes_nothing(data, rnd):
    y, c = map(np.asarray, data)
    perm = np.arange(8)
    rnd.shuffle(perm)
    _same_scores(label_scores(y, c), label_scores(y, perm[c]))


@SETTINGS
@given(st.lists(st.integers(0, 9), min_size=2, max_size=80), st.permutations(range(10)))
def test_perfect_clustering(y, perm):
    y = np.asarray(y)
    c = np.asarray(perm)[y]
    scores = label_scores(y, c)
    assert scores["purity"] == 1.0
    assert scores["n_errors"] == 0
    assert scores["label_entropy"] == 0.0
    assert scores["accuracy"] == 1.0
    assert scores["homogeneity"] == pytest.approx(1.0)
    np.testing.assert_array_equal(predict_labels(y, c), y)


@SETTINGS
@given(labellings)
def test_purity_at_least_accuracy(data):
    y, c = map(np.asarray, data)
    scores = label_scores(y, c)
    assert scores["purity"] >= scores["accuracy"] - 1e-15
    # k == number of classes: same inequality, the case the literature compares
    c_eq = c % (y.max() + 1)
    assert purity(y, c_eq) >= hungarian_accuracy(y, c_eq) - 1e-15


@SETTINGS
@given(labellings, st.data())
def test_refinement_never_lowers_purity(data, draw):
    y, c = map(np.asarray, data)
    split = np.asarray(draw.draw(st.lists(st.integers(0, 3), min_size=len(y), max_size=len(y))))
    finer = c * 4 + split  # every new cluster lies inside an old one
    assert purity(y, finer) >= purity(y, c) - 1e-15
    assert n_errors(y, finer) <= n_errors(y, c)
    assert label_entropy(y, finer) <= label_entropy(y, c) + 1e-12


@SETTINGS
@given(labellings)
def test_scores_in_range_and_match_single_functions(data):
    y, c = map(np.asarray, data)
    scores = label_scores(y, c)
    assert 0.0 <= scores["purity"] <= 1.0
    assert 0.0 < scores["accuracy"] <= 1.0
    assert scores["label_entropy"] >= 0.0
    assert scores["purity"] == purity(y, c)
    assert scores["accuracy"] == hungarian_accuracy(y, c)
    assert scores["label_entropy"] == label_entropy(y, c)
    assert scores["homogeneity"] == pytest.approx(skm.homogeneity_score(y, c), abs=1e-12)
    assert scores["nmi"] == pytest.approx(skm.normalized_mutual_info_score(y, c), abs=1e-12)
    assert scores["ari"] == pytest.approx(skm.adjusted_rand_score(y, c), abs=1e-12)


# ----------------------------------------------------------------------------------
# best_k and the seed's maxs_tab
# ----------------------------------------------------------------------------------
# Crafted so that the seed's maxs_tab prints exactly what cell [13] printed for the
# K-Means silhouettes (k = 2..79): [0.0870, 0.0731, 0.0662, 0.0661, 0.0656] at
# [2, 8, 20, 18, 19]. The value 0.0662 at k = 9 is the true 4th best but is
# overwritten by k = 20 (slots are overwritten, not shifted).
SEED_SIL = {2: 0.08700923, 8: 0.07311118, 9: 0.0662, 18: 0.06614556, 19: 0.06556171,
            20: 0.066212334}
CRAFTED = [SEED_SIL.get(k, 0.01) for k in range(2, 80)]


def test_maxs_tab_reproduces_printed_output():
    maxi, indexes = maxs_tab(CRAFTED)
    assert maxi == [0.08700923, 0.07311118, 0.066212334, 0.06614556, 0.06556171]
    assert indexes == [2, 8, 20, 18, 19]
    assert (maxi, indexes) == seed_oracle.top5_as_in_2022(CRAFTED)
    table = pd.DataFrame({"k": range(2, 80), "silhouette": CRAFTED})
    assert best_k(table, "silhouette")["k"].tolist() == [2, 8, 20, 9, 18]


def test_maxs_tab_overwrites_instead_of_shifting():
    assert maxs_tab([0.1, 0.2, 0.3]) == ([0.3, 0, 0, 0, 0], [4, 0, 0, 0, 0])
    # negative values never beat the initial 0
    assert maxs_tab([-0.2, -0.1]) == ([0, 0, 0, 0, 0], [0, 0, 0, 0, 0])


@SETTINGS
@given(st.lists(st.one_of(st.floats(-5, 5), st.just(float("nan"))), max_size=40))
def test_maxs_tab_equals_seed_loop(values):
    assert maxs_tab(values) == seed_oracle.top5_as_in_2022(values)


def test_best_k_uses_actual_k_on_step_10_grid():
    ks = list(range(2, 263, 10))  # the seed's K-Medoids grid
    rng = np.random.default_rng(0)
    sil = rng.uniform(0.0, 0.01, len(ks))
    sil[ks.index(42)] = 0.03
    sil[ks.index(12)] = 0.02
    table = pd.DataFrame({"k": ks, "silhouette": sil})
    top = best_k(table, "silhouette", n=3)
    assert top["k"].tolist()[:2] == [42, 12]
    assert top["rank"].tolist() == [1, 2, 3]
    assert list(top.columns) == ["k", "silhouette", "rank"]
    # the seed reported list position + 2: 42 is position 4, so "k = 6"
    _, indexes = maxs_tab(sil)
    assert indexes[0] == 6


def test_best_k_direction():
    table = pd.DataFrame({
        "k": [5, 10, 15, 20],
        "label_entropy": [1.2, 0.9, 0.7, 0.8],
        "silhouette": [0.05, 0.09, 0.04, 0.06],
        "seed_index_entropy": [10.0, 9.0, 8.0, 7.0],
    })
    assert best_k(table, "label_entropy", n=2)["k"].tolist() == [15, 20]
    assert best_k(table, "silhouette", n=2)["k"].tolist() == [10, 20]
    assert best_k(table, "seed_index_entropy", n=1)["k"].tolist() == [20]
    assert best_k(table, "silhouette", n=10)["k"].tolist() == [10, 20, 5, 15]
    assert {best_k(table, "silhouette").attrs[key] for key in ("direction",)} == {"max"}
    assert best_k(table, "label_entropy").attrs["direction"] == "min"


def test_best_k_skips_nan_and_ranks_ties_by_k():
    table = pd.DataFrame({"k": [30, 10, 20, 40], "purity": [0.5, np.nan, 0.5, 0.4]})
    top = best_k(table, "purity")
    assert top["k"].tolist() == [20, 30, 40]
    assert top["rank"].tolist() == [1, 2, 3]


def test_best_k_inertia_note():
    table = pd.DataFrame({"k": [2, 12, 22], "inertia": [300.0, 200.0, 150.0]})
    top = best_k(table, "inertia", n=1)
    assert top["k"].tolist() == [22]
    assert "largest k" in top.attrs["note"]
    assert best_k(table.rename(columns={"inertia": "purity"}), "purity").attrs["note"] == ""


def test_best_k_ranks_several_seeds_by_their_mean_with_its_interval():
    from scipy import stats

    rng = np.random.default_rng(3)
    rows = [(k, seed, value) for k, n in ((2, 5), (3, 5), (4, 1), (5, 3))
            for seed, value in zip(range(n), rng.normal(0.4 + 0.02 * k, 0.03, n))]
    table = pd.DataFrame(rows, columns=["k", "seed", "nmi"]).assign(method="kmeans")
    top = best_k(table, "nmi", n=4)
    assert list(top.columns) == ["k", "nmi", "n_seeds", "ci_low", "ci_high", "rank"]
    for _, row in top.iterrows():  # the oracle: numpy's mean and scipy's t interval
        values = table.loc[table["k"] == row["k"], "nmi"].to_numpy()
        assert row["nmi"] == pytest.approx(values.mean(), rel=1e-12)
        assert row["n_seeds"] == len(values)
        if len(values) > 1:
            low, high = stats.t.interval(0.95, len(values) - 1, loc=values.mean(),
                                         scale=stats.sem(values))
            assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-9)
        else:
            assert np.isnan(row["ci_low"]) and np.isnan(row["ci_high"])
    means = table.groupby("k")["nmi"].mean().sort_values(ascending=False)
    assert top["k"].tolist() == means.index.tolist()
    assert "mean over the seeds" in top.attrs["note"] and "95%" in top.attrs["note"]
    one = best_k(table, "nmi", n=4, seed=2)
    expected = table[table["seed"] == 2].sort_values("nmi", ascending=False)["k"].tolist()
    assert one["k"].tolist() == expected and list(one.columns) == ["k", "nmi", "rank"]
    assert one.attrs["note"] == "seed 2 alone"
    with pytest.raises(ValueError, match="no row of seed 7; its seeds are 0 to 4"):
        best_k(table, "nmi", seed=7)


def test_best_k_bad_inputs():
    table = pd.DataFrame({"k": [2, 3], "silhouette": [0.1, 0.2], "method": ["kmeans"] * 2})
    assert best_k(table, "silhouette")["k"].tolist() == [3, 2]  # one method is fine
    with pytest.raises(ValueError, match="unknown score 'silhouettes'.*calinski_harabasz"):
        best_k(table, "silhouettes")
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        best_k(table, "silhouette", n=0)
    with pytest.raises(ValueError, match="no column 'purity'"):
        best_k(table, "purity")
    mixed = pd.concat([table, table.assign(method="kmedoids")], ignore_index=True)
    with pytest.raises(ValueError, match="several methods.*filter"):
        best_k(mixed, "silhouette")
    with pytest.raises(ValueError, match="several rows for k=2"):
        best_k(pd.concat([table, table], ignore_index=True), "silhouette")
    with pytest.raises(ValueError, match="no non-NaN value"):
        best_k(table.assign(silhouette=np.nan), "silhouette")


def test_score_directions():
    assert {k for k, v in SCORE_DIRECTIONS.items() if v == "min"} == {
        "label_entropy", "seed_index_entropy", "inertia"
    }
    assert set(label_scores(HAND_Y, HAND_C)) <= set(SCORE_DIRECTIONS) | {"n_errors"}


# ----------------------------------------------------------------------------------
# geometry: nearest centre, silhouette, Calinski-Harabasz
# ----------------------------------------------------------------------------------
def _brute_force_nearest(X, centers):
    # every squared distance in float64 by broadcasting: no expansion, no cancellation
    X, centers = np.asarray(X, dtype=np.float64), np.asarray(centers, dtype=np.float64)
    return ((X[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)


def test_assign_nearest_matches_brute_force(digits_case):
    X, _, _, centers = digits_case
    np.testing.assert_array_equal(assign_nearest(X, centers), _brute_force_nearest(X, centers))
    rng = np.random.default_rng(1)
    Xr = rng.normal(size=(300, 20)).astype(np.float32)
    Cr = rng.normal(size=(17, 20)).astype(np.float32)
    np.testing.assert_array_equal(assign_nearest(Xr, Cr), _brute_force_nearest(Xr, Cr))


def test_assign_nearest_ties_go_to_lowest_index():
    # integer data: every distance is exact, so ties are exact
    rng = np.random.default_rng(2)
    X = rng.integers(0, 3, size=(200, 3))
    centers = np.array([[1, 1, 1], [0, 0, 0], [1, 1, 1], [2, 2, 2], [0, 0, 0]])
    d = ((X[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
    expected = np.array([np.flatnonzero(row == row.min())[0] for row in d])
    got = assign_nearest(X, centers)
    np.testing.assert_array_equal(got, expected)
    assert not np.isin(got, [2, 4]).any()  # duplicates of centres 0 and 1 never win


def test_kmeans_labels_are_nearest_centres(digits_case):
    X, _, c, centers = digits_case
    np.testing.assert_array_equal(assign_nearest(X, centers), c)


def test_predict_from_centers_and_test_purity(digits_case):
    X, y, c, centers = digits_case
    majority = majority_labels(y, c, n_clusters=len(centers))
    digits = load_digits()
    X_new, y_new = digits.data[500:900] / 16.0, digits.target[500:900]
    nearest = skm.pairwise_distances(X_new, centers).argmin(axis=1)
    expected = majority[nearest]
    np.testing.assert_array_equal(predict_from_centers(X_new, centers, majority), expected)
    assert metrics.test_purity(X_new, y_new, centers, majority) == pytest.approx(
        np.mean(expected == y_new), abs=1e-15
    )
    # on the training images, the classifier is the majority labelling: test = train purity
    assert metrics.test_purity(X, y, centers, majority) == pytest.approx(purity(y, c))
    with pytest.raises(ValueError, match="cluster_majority has 3 entries but there are 12"):
        predict_from_centers(X_new, centers, [0, 1, 2])
    with pytest.raises(ValueError, match="x_new and y_new have different lengths"):
        metrics.test_purity(X_new, y_new[:-1], centers, majority)


def test_silhouette_and_calinski_match_sklearn(digits_case):
    X, _, c, _ = digits_case
    assert silhouette(X, c) == pytest.approx(skm.silhouette_score(X, c), abs=1e-12)
    assert silhouette(X, c, sample_size=200, random_state=3) == pytest.approx(
        skm.silhouette_score(X, c, sample_size=200, random_state=3), abs=1e-12
    )
    assert silhouette(X, c, sample_size=200) == silhouette(X, c, sample_size=200)
    assert silhouette(X, c, sample_size=10_000) == silhouette(X, c)
    assert calinski_harabasz(X, c) == pytest.approx(
        skm.calinski_harabasz_score(X, c), rel=1e-12
    )


# ----------------------------------------------------------------------------------
# bad inputs
# ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "y, c, match",
    [
        ([0, 1, 2], [0, 1], "different lengths \\(3 and 2\\)"),
        ([], [], "y_true is empty"),
        ([0, -1, 2], [0, 1, 1], "y_true contains negative values"),
        ([0, 1, 2], [0, -3, 1], "clusters contains negative values \\(min -3\\)"),
        ([0, np.nan, 2], [0, 1, 1], "y_true contains NaN"),
        ([0, 1, 2], [0.0, 1.0, np.nan], "clusters contains NaN"),
        ([0, 1, 2], [0.0, 1.5, 1.0], "clusters contains non-integer values"),
        ([0, 1, 2], [0, 1, np.inf], "clusters contains infinite values"),
        (["a", "b", "c"], [0, 1, 1], "y_true must hold non-negative integers"),
        ([[0, 1], [1, 0]], [0, 1], "y_true must be 1-D"),
    ],
)
def test_bad_labels(y, c, match):
    for func in (check_clustering, contingency, purity, label_scores, majority_labels,
                 predict_labels, n_errors, hungarian_accuracy, label_entropy,
                 homogeneity, nmi, ari):
        with pytest.raises(ValueError, match=match):
            func(y, c)


def test_integral_floats_are_accepted():
    y, c = check_clustering(np.array([0.0, 1.0, 2.0]), [True, False, True])
    assert y.dtype == np.int64 and c.tolist() == [1, 0, 1]


@pytest.mark.parametrize(
    "k, n, match",
    [
        (1, 100, "n_clusters=1 is too small"),
        (0, 100, "n_clusters=0 is too small"),
        (101, 100, "n_clusters=101 is larger than the number of samples n=100"),
        (2.5, 100, "n_clusters must be an integer"),
    ],
)
def test_check_n_clusters(k, n, match):
    with pytest.raises(ValueError, match=match):
        check_n_clusters(k, n)


def test_check_n_clusters_accepts_numpy_ints():
    assert check_n_clusters(np.int64(262), 60_000) == 262
    assert check_n_clusters(10, 10) == 10


def test_n_clusters_arguments():
    with pytest.raises(ValueError, match="n_clusters=1 is too small"):
        label_scores(HAND_Y, HAND_C, n_clusters=1)
    with pytest.raises(ValueError, match="larger than the number of samples"):
        label_scores(HAND_Y, HAND_C, n_clusters=11)
    with pytest.raises(ValueError, match="n_clusters=2 but clusters contains the id 2"):
        label_scores(HAND_Y, HAND_C, n_clusters=2)
    with pytest.raises(ValueError, match="n_classes=2 but y_true contains the id 2"):
        contingency(HAND_Y, HAND_C, n_classes=2)
    # empty clusters are allowed: zero rows, majority 0, no effect on the scores
    assert contingency(HAND_Y, HAND_C, n_clusters=5)[3:].sum() == 0
    assert majority_labels(HAND_Y, HAND_C, n_clusters=5).tolist() == [0, 0, 1, 0, 0]
    _same_scores(label_scores(HAND_Y, HAND_C, n_clusters=5), label_scores(HAND_Y, HAND_C))


@pytest.mark.parametrize(
    "X, labels, match",
    [
        (np.zeros(4), [0, 0, 1, 1], "X must be 2-D"),
        (np.zeros((4, 2, 2)), [0, 0, 1, 1], "2-D .* got an array of shape \\(4, 2, 2\\)"),
        (np.zeros((4, 2)), [0, 0, 1], "X and labels have different lengths \\(4 and 3\\)"),
        (np.zeros((4, 2)), [0, 0, 0, 0], "got 1 distinct labels for 4 samples"),
        (np.zeros((4, 2)), [0, 1, 2, 3], "got 4 distinct labels for 4 samples"),
        (np.zeros((4, 2)), [0, 0, -1, 1], "labels contains negative values"),
        (np.array([[0.0], [np.nan], [1.0], [2.0]]), [0, 0, 1, 1], "X contains NaN"),
    ],
)
def test_bad_geometry_inputs(X, labels, match):
    with pytest.raises(ValueError, match=match):
        silhouette(X, labels)
    with pytest.raises(ValueError, match=match):
        calinski_harabasz(X, labels)


def test_bad_silhouette_sample_size():
    X = np.arange(8.0).reshape(4, 2)
    with pytest.raises(ValueError, match="sample_size must be an integer >= 2"):
        silhouette(X, [0, 0, 1, 1], sample_size=1)


def test_bad_assign_nearest_inputs():
    X = np.zeros((5, 3))
    with pytest.raises(ValueError, match="X has 3 features but centers have 4"):
        assign_nearest(X, np.zeros((2, 4)))
    with pytest.raises(ValueError, match="centers must be 2-D"):
        assign_nearest(X, np.zeros(3))
    with pytest.raises(ValueError, match="X must be 2-D"):
        assign_nearest(np.zeros(3), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="centers is empty"):
        assign_nearest(X, np.zeros((0, 3)))


def test_label_summary_gives_label_scores_and_majority_labels_from_one_matrix():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 10, 500)
    c = rng.integers(0, 12, 500)
    c[c == 7] = 8  # cluster 7 empty: its majority is 0, as the seed's initial label
    scores, majority = metrics.label_summary(y, c, n_clusters=13)
    assert scores == label_scores(y, c, n_clusters=13)
    expected = [np.bincount(y[c == cluster], minlength=10).argmax() if (c == cluster).any()
                else 0 for cluster in range(13)]
    assert majority.tolist() == expected
