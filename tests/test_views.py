"""Tests for mnist_clustering.views, against hand-checked values."""

import json

import numpy as np
import pandas as pd
import pytest

from mnist_clustering import notebook2022, views
from mnist_clustering.notebook2022 import maxs_tab


# --------------------------------------------------------------------------- notebook2022.PRINTED
def test_seed_printed_holds_the_seed_numbers():
    seed = notebook2022.PRINTED
    assert seed["kmeans_k10"]["shown_clusters"] == {4: 8847, 1: 5611}
    assert seed["kmeans_k19"]["scores"] == {
        "calinski_harabasz": 1628.43, "seed_index_entropy": 7.9, "fit_seconds": 47.21}
    assert seed["kmedoids_k19"]["scores"] == {
        "calinski_harabasz": 1135.06, "seed_index_entropy": 7.94, "fit_seconds": 109.64}
    assert seed["kmedoids_k19"]["shown_clusters"] == {7: 4246, 15: 1654}
    k22 = seed["kmedoids_k22"]["scores"]
    assert k22["calinski_harabasz"] == 1032.708369071595
    assert k22["homogeneity"] == 0.40649737103098377
    assert k22["purity"] == 0.491216666666666
    assert k22["seed_index_entropy"] == 7.80565648797296
    assert k22["fit_seconds"] == 125.8
    sil, ks = seed["kmeans_top5"]["maxs_tab"]["silhouette"]
    assert ks == [2, 8, 20, 18, 19] and sil[0] == 0.08700923
    ch, ks = seed["kmeans_top5"]["maxs_tab"]["calinski_harabasz"]
    assert ks == [2, 3, 4, 5, 6] and round(ch[0], 2) == 4108.18
    assert seed["kmedoids_top5"]["maxs_tab"]["silhouette"][1] == [4, 5, 6, 7, 10]


def test_seed_k22_numbers_are_position_2_of_its_step_10_sweep():
    # The seed's final K-Medoids at k = 22 reproduces the third value of its sweep
    # lists, printed with "k = 4": position 2 of range(2, 263, 10) is k = 22.
    top5 = notebook2022.PRINTED["kmedoids_top5"]["maxs_tab"]
    k22 = notebook2022.PRINTED["kmedoids_k22"]["scores"]
    assert top5["calinski_harabasz"][0][2] == k22["calinski_harabasz"]
    assert top5["seed_index_entropy"][0][2] == k22["seed_index_entropy"]
    assert top5["calinski_harabasz"][1][2] == 4
    assert list(range(2, 263, 10))[4 - 2] == 22


def test_seed_printed_scores_are_table_columns():
    from mnist_clustering.sweep import COLUMNS

    for entry in notebook2022.PRINTED.values():
        assert set(entry.get("scores", {})) <= set(COLUMNS)
        assert set(entry.get("maxs_tab", {})) <= set(COLUMNS)


# --------------------------------------------------------------------------- top_k_comparison
@pytest.fixture
def step10():
    """A K-Medoids-like sweep on the seed's grid 2, 12, ..., 52: CH falls, silhouette zigzags."""
    return pd.DataFrame({
        "method": "kmedoids-alternate",
        "k": [52, 2, 12, 22, 32, 42],  # unsorted on purpose
        "calinski_harabasz": [10.0, 60.0, 50.0, 40.0, 30.0, 20.0],
        "silhouette": [0.02, 0.01, 0.05, 0.03, 0.04, 0.06],
        "label_entropy": [0.5, 2.0, 1.5, 1.0, 0.9, 0.7],
        "seed_index_entropy": [5.0, 10.0, 9.0, 8.0, 7.0, 6.0],
    })


def test_top_k_on_a_step_10_grid_shows_the_seeds_wrong_k(step10):
    out = views.top_k_comparison(step10, "calinski_harabasz")
    assert out.index.tolist() == [1, 2, 3, 4, 5]
    assert out["k"].tolist() == [2, 12, 22, 32, 42]
    assert out["calinski_harabasz"].tolist() == [60.0, 50.0, 40.0, 30.0, 20.0]
    # maxs_tab finds the right values (CH falls steadily) but reports position + 2
    assert out["2022 k (helper)"].tolist() == [2, 3, 4, 5, 6]
    assert out["2022 value (helper)"].tolist() == [60.0, 50.0, 40.0, 30.0, 20.0]
    assert out["true k"].tolist() == [2, 12, 22, 32, 42]
    why = out.attrs["why"]
    assert "position + 2" in why and "step 10" in why
    assert "overwrites" not in why


def test_top_k_shows_the_overwritten_slots(step10):
    # In grid order (k = 2..52) the silhouettes are 0.01, 0.05, 0.03, 0.04, 0.06, 0.02.
    # By hand, maxs_tab: 0.01 -> slot 0; 0.05 overwrites slot 0; 0.03 -> slot 1; 0.04
    # overwrites slot 1 (0.03 is lost, not shifted); 0.06 overwrites slot 0 (0.05 lost);
    # 0.02 -> slot 2. Slots 3 and 4 stay empty (0, "k" 0).
    out = views.top_k_comparison(step10, "silhouette")
    assert out["2022 value (helper)"].iloc[:3].tolist() == [0.06, 0.04, 0.02]
    assert out["2022 value (helper)"].iloc[3:].isna().all()
    assert out["2022 k (helper)"].tolist() == [6, 5, 7, 0, 0]
    assert out["true k"].iloc[:3].tolist() == [42, 32, 52]
    assert out["true k"].iloc[3:].isna().all()
    assert out["k"].tolist() == [42, 12, 32, 22, 52]
    assert "overwrites" in out.attrs["why"]


def test_top_k_entropy_is_ranked_by_minimum_against_the_seeds_index_entropy(step10):
    out = views.top_k_comparison(step10, "label_entropy", seed_score="seed_index_entropy")
    assert out["k"].tolist() == [52, 42, 32, 22, 12]
    assert out["label_entropy"].tolist() == [0.5, 0.7, 0.9, 1.0, 1.5]
    assert out["2022 value (helper)"].tolist() == [10.0, 9.0, 8.0, 7.0, 6.0]
    assert out["true k"].tolist() == [2, 12, 22, 32, 42]
    why = out.attrs["why"]
    assert "image indices" in why and "lower entropy is better" in why


def test_top_k_with_the_printed_2022_values(step10):
    printed = notebook2022.PRINTED["kmedoids_top5"]
    out = views.top_k_comparison(step10, "calinski_harabasz", printed=printed)
    assert out["2022 k"].tolist() == [2, 3, 4, 5, 6]
    assert out["2022 value"].iloc[2] == 1032.708369071595


def test_top_k_agrees_on_a_unit_grid_with_falling_values():
    table = pd.DataFrame({"k": range(2, 10), "calinski_harabasz": np.linspace(80, 10, 8)})
    out = views.top_k_comparison(table, "calinski_harabasz")
    assert out["k"].tolist() == out["2022 k (helper)"].tolist() == out["true k"].tolist() == [2, 3, 4, 5, 6]
    assert out.attrs["why"].startswith("Here they agree")


def test_top_k_seed_columns_match_maxs_tab(step10):
    values, ks = maxs_tab(step10.sort_values("k")["silhouette"])
    out = views.top_k_comparison(step10, "silhouette")
    assert out["2022 k (helper)"].tolist() == ks
    assert out["2022 value (helper)"].fillna(0).tolist() == values


def test_best_ks(step10):
    best = views.best_ks(step10, ["silhouette", "label_entropy"], n=2)
    assert best == {"silhouette": [42, 12], "label_entropy": [52, 42]}


# --------------------------------------------------------------------------- one k
@pytest.fixture
def final_table():
    return pd.DataFrame({
        "k": [19, 22], "calinski_harabasz": [1135.06, 1032.708369071595],
        "seed_index_entropy": [7.94, 7.81], "homogeneity": [0.39, 0.4065],
        "purity": [0.48, 0.4912], "fit_seconds": [50.0, 60.0], "label_entropy": [1.2, 1.1],
    })


def test_final_model_summary_puts_seed_and_ours_side_by_side(final_table):
    seed = notebook2022.PRINTED["kmedoids_k22"]["scores"]
    out = views.final_model_summary(final_table, 22, seed, extra=("label_entropy",))
    assert list(out.columns) == ["2022 notebook", "ours"]
    # both at the same precision: the seed's decimals, at most six significant digits
    assert out.loc["Calinski-Harabasz"].tolist() == ["1032.71", "1032.71"]
    assert out.loc["purity"].tolist() == ["0.491217", "0.491200"]
    assert out.loc["2022 'entropy' of image indices"].tolist() == ["7.80566", "7.81000"]
    assert out.loc["fit time (s)"].tolist() == ["125.8", "60.0"]
    assert out.loc["label entropy (lower is purer)"].tolist() == ["–", "1.1000"]
    assert out.index.tolist()[-1].startswith("label entropy")


def test_final_model_summary_missing_k(final_table):
    with pytest.raises(KeyError, match="k \\[10\\] not in the table"):
        views.final_model_summary(final_table, 10, {"calinski_harabasz": 1.0}, extra=())


def test_method_comparison(final_table):
    other = final_table.assign(calinski_harabasz=[1200.0, 1100.0])
    out = views.method_comparison({"alternate": final_table, "FasterPAM": other}, [19, 22],
                                   columns=["calinski_harabasz", "purity"])
    assert out.index.tolist() == [(19, "alternate"), (19, "FasterPAM"),
                                  (22, "alternate"), (22, "FasterPAM")]
    assert out.loc[(22, "FasterPAM"), "calinski_harabasz"] == 1100.0


def test_scores_at():
    table = pd.DataFrame({"k": [7, 2, 12], "purity": [0.5, 0.2, 0.6]})
    assert views.scores_at(table, None, ["purity"]).index.tolist() == [2, 7, 12]
    assert views.scores_at(table, [12], ["purity"])["purity"].tolist() == [0.6]


# --------------------------------------------------------------------------- literature
def test_published_figures_come_from_the_registry_with_sources():
    from mnist_clustering import scores

    pub = views.PUBLISHED
    assert len(pub) == len([r for r in scores.LITERATURE if "raw pixels" in r.method])
    assert pub[["source", "where", "data"]].notna().all().all()
    dec = pub[pub["source"].str.contains("DEC")]
    assert dec[["score", "k", "value", "where"]].values.tolist() == [["accuracy", 10, 0.5349,
                                                                      "Table 2"]]
    assert "purity" not in set(pub["score"])  # no primary source could be pinned


def _spread_table():
    rng = np.random.default_rng(0)
    return pd.DataFrame({"k": 10, "seed": range(20), "accuracy": rng.uniform(0.45, 0.60, 20),
                         "nmi": rng.uniform(0.45, 0.54, 20), "ari": rng.uniform(0.30, 0.45, 20),
                         "purity": rng.uniform(0.5, 0.65, 20),
                         "test_purity": rng.uniform(0.5, 0.65, 20)})


def test_published_comparison_sets_each_figure_beside_our_range():
    table = _spread_table()
    out = views.published_comparison(table, 10)
    assert set(out["score"]) == {views.ROW_NAMES[s] for s in ("accuracy", "nmi", "ari")}
    for _, row in out.iterrows():
        column = {v: k for k, v in views.ROW_NAMES.items()}[row["score"]]
        values = table[column]
        assert row["ours (mean)"] == pytest.approx(values.mean()) and row["seeds"] == 20
        assert row["within our range"] == (values.min() <= row["published"] <= values.max())
    assert out["published"].dtype == float
    # whole sources, never cut short for width
    assert not out["source"].str.contains("...", regex=False).any()


def test_spread_table_formats_mean_sd_and_range():
    table = _spread_table()
    out = views.spread_table({"one start": table, "one run": table[table["seed"] == 3]}, 10,
                              ["accuracy"])
    acc = table["accuracy"]
    assert out.loc["one start", "seeds"] == 20
    assert out.loc["one start", views.ROW_NAMES["accuracy"]] == (
        f"{acc.mean():.3f} ± {acc.std(ddof=1):.3f} [{acc.min():.3f}, {acc.max():.3f}]")
    assert out.loc["one run", views.ROW_NAMES["accuracy"]] == f"{acc[3]:.3f} (one run)"


def test_top_k_spread_and_noise_note():
    table = pd.DataFrame({"k": [2] * 5 + [3] * 5 + [4] * 5 + [5],
                          "seed": list(range(5)) * 3 + [0],
                          "silhouette": [0.10, 0.11, 0.12, 0.10, 0.11, 0.11, 0.12, 0.12, 0.11,
                                         0.12, 0.05, 0.05, 0.06, 0.05, 0.05, 0.2]})
    summary = views.seed_spread(table, ["silhouette"])
    top = views.top_k_spread(summary, "silhouette", n=3)
    assert top["k"].tolist() == [3, 2, 4]  # k=5 has one seed: not ranked
    assert top["overlaps best"].tolist() == [True, True, False]
    note = views.noise_note(summary, "silhouette", steps=(3, 4, 5))
    assert "best mean is at k = 3" in note and "k = 2 overlap it" in note
    assert "from k = 2 to 3" in note and "does not survive" in note
    assert "from k = 3 to 4" in note and "survives the" in note
    assert "k = 5 lies where only one seed was run" in note


# --------------------------------------------------------------------------- data and clusters
def test_class_count_table():
    out = views.class_count_table([0, 1, 1, 9], [9, 9])
    assert out.loc[1, "train"] == 2 and out.loc[9, "test"] == 2
    assert out.loc["total", "train"] == 4 and out.loc["total", "test share"] == 1.0
    assert out.loc[1, "train share"] == 0.5
    assert out.index.name == "digit"  # a table to read names its first column


def test_normalisation_summary():
    raw = np.array([[0, 255], [0, 51]], dtype=np.uint8)
    out = views.normalisation_summary(raw, raw.astype(np.float32) / 255)
    assert out.loc["share of zero pixels"].tolist() == ["0.5", "0.5"]
    assert out.loc["dtype"].tolist() == ["uint8", "float32"]
    assert out.loc["distinct values", "raw"] == "3"


def test_cluster_size_table_by_hand():
    # cluster 0: digits 3, 3, 5 -> majority 3, share 2/3; cluster 1: one 7; cluster 2 empty
    out = views.cluster_size_table([0, 0, 0, 1], [3, 3, 5, 7], 3)
    assert out.index.tolist() == [0, 1, 2]
    assert out["size"].tolist() == [3, 1, 0]
    assert out["majority digit"].tolist() == [3, 7, 0]
    assert out["majority share"].tolist() == pytest.approx([2 / 3, 1.0, 0.0])


def test_contingency_frame_orders_rows_by_majority_digit():
    y = [5, 5, 0, 1, 1, 1, 0]
    labels = [0, 0, 1, 2, 2, 3, 1]
    out = views.contingency_frame(y, labels, 4)
    assert out.index.tolist() == ["1 (0)", "2 (1)", "3 (1)", "0 (5)"]
    assert out.shape == (4, 10)
    assert out.loc["2 (1)", 1] == 2 and out.to_numpy().sum() == 7


def test_random_clusters_is_seeded_distinct_and_sorted():
    first = views.random_clusters(19, 3, seed=0)
    assert first == views.random_clusters(19, 3, seed=0)
    assert first == sorted(set(first)) and all(0 <= c < 19 for c in first)
    assert {tuple(views.random_clusters(19, 3, seed=s)) for s in range(5)} != {tuple(first)}


def test_titles():
    assert views.titles("Digit", [5, 0]) == ["Digit 5", "Digit 0"]
    # cluster 0: 3 sevens of 4 (75%); cluster 1: 1 one of 1
    titles = views.cluster_titles([0, 0, 0, 0, 1], [7, 7, 1, 7, 1], 2)
    assert titles == ["cluster 0 → 7 (75%)", "cluster 1 → 1 (100%)"]
    assert views.cluster_titles([0, 0, 0, 0, 1], [7, 7, 1, 7, 1], 2, clusters=[1]) == [
        "cluster 1 → 1 (100%)"]


def test_load_images_subsample_names_its_table():
    images = views.load_images("digits", n_samples=100)
    assert images.results_name == "digits-first100"
    assert len(images.x_train) == len(images.y_train) == 100
    assert views.load_images("digits").results_name == "digits"


# --------------------------------------------------------------------------- results_or_sweep
def test_results_or_sweep_computes_only_when_missing(tmp_path, monkeypatch):
    options = dict(dataset="digits-first300", results_dir=tmp_path, silhouette=100)
    first = views.results_or_sweep("kmeans", "2:4", keep=[3], **options)
    assert first["k"].tolist() == [2, 3]
    assert (tmp_path / "digits-first300" / "kmeans.csv").exists()
    assert first["n_samples"].unique().tolist() == [300]

    def no_sweep(*args, **kwargs):
        raise AssertionError("the table is complete: nothing should be computed")

    monkeypatch.setattr(views.tables, "run_sweep", no_sweep)
    again = views.results_or_sweep("kmeans", [3], keep=[3], **options)
    pd.testing.assert_frame_equal(again, first[first["k"] == 3].reset_index(drop=True))
    with pytest.raises(AssertionError, match="nothing should be computed"):
        views.results_or_sweep("kmeans", [5], **options)
    monkeypatch.undo()
    more = views.results_or_sweep("kmeans", "2:6", **options)
    assert more["k"].tolist() == [2, 3, 4, 5]


def test_results_or_sweep_fills_a_missing_silhouette(tmp_path):
    from mnist_clustering.sweep import ResultsStore

    options = dict(dataset="digits-first300", results_dir=tmp_path, silhouette=100)
    first = views.results_or_sweep("kmeans", "2:4", **options)
    store = ResultsStore("digits-first300", "kmeans", tmp_path)
    table = store.load()
    table.loc[table["k"] == 3, "silhouette"] = np.nan  # as if lost: k = 3 is recomputed
    store.save(table, store.load_provenance())
    again = views.results_or_sweep("kmeans", "2:4", **options)
    assert again["silhouette"].notna().all()
    assert again.loc[1, "silhouette"] == pytest.approx(first.loc[1, "silhouette"])


def test_sweep_settings():
    table = pd.DataFrame({"method": "kmeans", "k": range(2, 80), "n_samples": 60000,
                          "seed": 0, "params": '{"n_init": 1}', "silhouette_mode": "exact"})
    out = views.sweep_settings(table)
    # every parameter on its own row: nothing to cut off
    assert out["kmeans"].to_dict() == {
        "images": "60,000", "seed": "0", "n_init": "1", "silhouette": "exact",
        "k (fitted)": "2..79 (78 values)"}


# --------------------------------------------------------------------------- issue 13 helpers
def test_text_renders_as_markdown():
    text = views.Text("**bold** k = 22")
    assert text._repr_markdown_() == "**bold** k = 22" and repr(text) == "**bold** k = 22"


def test_settings_vs_seed_shows_n_init():
    table = pd.DataFrame({"method": ["kmeans"], "seed": [0],
                          "params": ['{"algorithm": "elkan", "max_iter": 300, "n_init": 1}']})
    out = views.settings_vs_seed(table)
    assert out.loc["n_init"].tolist() == ["10", "1", "no"]
    assert out.loc["max_iter"].tolist() == ["300", "300", "yes"]
    medoids = pd.DataFrame({"method": ["kmedoids-alternate"], "seed": [0],
                            "params": ['{"init": "heuristic", "max_iter": 300}']})
    out = views.settings_vs_seed(medoids)
    assert out.loc["method", "ours"] == "alternate" and out.loc["init", "same"] == "yes"


def test_seed_shown_clusters_finds_clusters_of_the_printed_size():
    # sizes: cluster 0 -> 3 (digits 1, 1, 2), cluster 1 -> 2, cluster 2 -> 2
    labels = [0, 0, 0, 1, 1, 2, 2]
    y = [1, 1, 2, 5, 5, 7, 8]
    out = views.seed_shown_clusters({0: 3, 2: 2, 1: 9}, labels, y, 3)
    assert out.loc[0, "today, same size"] == "0" and out.loc[0, "today, same id"] == 3
    assert out.loc[2, "today, same size"] == "1, 2"
    assert out.loc[2, "majority digit"] == "5, 7"
    assert out.loc[1, "today, same size"] == "none"
    note = views.seed_shown_note(out, 3)
    assert "cluster 0 has exactly the size" in note and "(3 images)" in note
    assert "clusters 1, 2 have exactly the size" in note


def test_align_clusters_against_a_brute_force_matching():
    from itertools import permutations

    rng = np.random.default_rng(1)
    reference = rng.integers(0, 4, 300)
    labels = np.where(rng.random(300) < 0.7, (reference + 2) % 4, rng.integers(0, 4, 300))
    out = views.align_clusters(reference, labels, 4)
    overlap = np.zeros((4, 4), int)
    np.add.at(overlap, (reference, labels), 1)
    best = max(permutations(range(4)), key=lambda p: sum(overlap[i, p[i]] for i in range(4)))
    assert out["matched"].tolist() == list(best) == [2, 3, 0, 1]
    assert out["shared images"].tolist() == [overlap[i, best[i]] for i in range(4)]
    sizes = np.bincount(reference, minlength=4)
    assert out["share"].tolist() == pytest.approx(overlap[range(4), best] / sizes)


def test_aligned_centres_reorders_centres_and_titles():
    reference = {"labels": np.array([0, 0, 1, 1]), "centers": np.zeros((2, 4))}
    fit = {"labels": np.array([1, 1, 0, 0]), "centers": np.array([[1.0] * 4, [2.0] * 4])}
    centres, titles = views.aligned_centres(reference, fit, [3, 3, 8, 8], 2)
    assert centres[:, 0].tolist() == [2.0, 1.0]
    assert titles == ["cluster 1 → 3 (100%)", "cluster 0 → 8 (100%)"]


def test_calinski_harabasz_sklearn10_matches_scikit_learn_in_float64():
    from sklearn.metrics import calinski_harabasz_score

    rng = np.random.default_rng(0)
    X = rng.random((500, 6))
    labels = rng.integers(0, 5, 500)
    assert notebook2022.calinski_harabasz_1_0(X, labels) == pytest.approx(
        calinski_harabasz_score(X, labels), rel=1e-12)


def test_calinski_harabasz_sklearn10_sums_in_float32():
    # float32 data: the old formula rounds in float32, today's scikit-learn in float64;
    # the gap is of float32's order (eps 1.2e-7 times a few thousand terms), not zero
    from sklearn.metrics import calinski_harabasz_score

    rng = np.random.default_rng(0)
    X = rng.random((20000, 30)).astype(np.float32)
    labels = rng.integers(0, 7, 20000)
    old = notebook2022.calinski_harabasz_1_0(X, labels)
    new = calinski_harabasz_score(X, labels)
    assert old != new
    assert abs(old - new) / new < 1e-3
    assert notebook2022.calinski_harabasz_1_0(X.astype(np.float64), labels) == pytest.approx(
        new, rel=1e-10)


def test_ch_precision_and_note():
    rng = np.random.default_rng(0)
    X = rng.random((3000, 10)).astype(np.float32)
    labels = rng.integers(0, 4, 3000)
    old = notebook2022.calinski_harabasz_1_0(X, labels)
    gap = views.ch_precision(X, {4: labels}, {4: round(old, 2)})
    assert gap.loc[4, "scikit-learn 1.0, float32"] == old
    assert gap.loc[4, "float32 - 2022"] == pytest.approx(old - round(old, 2))
    note = views.ch_gap_note(gap)
    assert f"{round(old, 2):.10g}" in note and "float32" in note


def test_ch_precision_defaults_to_the_seeds_kmedoids_numbers():
    rng = np.random.default_rng(0)
    X = rng.random((200, 3)).astype(np.float32)
    labels = rng.integers(0, 19, 200)
    gap = views.ch_precision(X, {19: labels})
    assert gap.loc[19, "2022 (printed)"] == 1135.06


def test_same_digits():
    assert views.vs2022._same_digits(1135.058716, 1135.06) == 6
    # capped at float32's 7 significant digits, which every CPU reproduces
    assert views.vs2022._same_digits(1032.708374, 1032.708369071595) == 7
    assert views.vs2022._same_digits(1032.708374, 1032.708369071595, at_most=16) == 9
    assert views.vs2022._same_digits(2.0, 3.0) == 0


def test_run_differences_and_silhouette_note():
    printed = {"maxs_tab": {"silhouette": ([0.3, 0.2], [2, 4])}}
    table = pd.DataFrame({"k": [2, 3, 4], "silhouette": [0.3, 0.25, 0.21]})
    out = views.run_differences(table, printed, "silhouette")
    assert out.index.tolist() == [2, 4]
    assert out["ours - 2022"].tolist() == pytest.approx([0.0, 0.01])
    note = views.silhouette_note(table, printed)
    assert "1 of 2 values moved" in note and "k = 4: 2022 0.2000, ours 0.2100" in note
    assert "10 starts unseeded" in note and "correct top 5 is k = 2, 3, 4" in note


def _provenance(tmp_path, per_k, versions=None):
    folder = tmp_path / "toy"
    folder.mkdir(exist_ok=True)
    prov = {"per_k": per_k, "versions": versions or {"numpy": "2.0"},
            "data": {"x_train_prepared_sha256": "ab" * 32}, "created": "2026-01-01T00:00:00",
            "updated": "2026-01-02T00:00:00", "machine": "x86_64", "cpu_count": 2}
    (folder / "kmeans.json").write_text(json.dumps(prov))
    return folder


def test_fit_concurrency_from_provenance(tmp_path):
    # three fits of 10 s: two overlapping from t = 0, the third from t = 20
    def entry(end):
        return {"finished": f"2026-01-01T00:00:{end:02d}+00:00", "wall_seconds": 12.0,
                "silhouette_seconds": 2.0}
    _provenance(tmp_path, {"2": entry(10), "3": entry(11), "4": entry(30)})
    assert views.fit_concurrency("toy", "kmeans", tmp_path) == 2
    assert views.fit_time_label("toy", "kmeans", tmp_path) == "Fit time (s; 2 fits ran at once)"
    _provenance(tmp_path, {"2": entry(10), "3": entry(21), "4": entry(32)})
    assert views.fit_concurrency("toy", "kmeans", tmp_path) == 1
    assert views.fit_time_label("toy", "kmeans", tmp_path) == "Fit time (s)"


def test_environment_reads_the_provenance_not_the_running_python(tmp_path):
    _provenance(tmp_path, {}, versions={"numpy": "0.0-from-the-table"})
    out = views.environment("toy", tmp_path)
    assert out.loc["numpy", "kmeans"] == "0.0-from-the-table"
    assert out.loc["x_train_prepared sha256", "kmeans"] == "abababababababab…"
    with pytest.raises(FileNotFoundError, match="provenance"):
        views.environment("nothing-here", tmp_path)


def test_purity_at_and_train_test_note():
    table = pd.DataFrame({"k": [2, 7, 12], "purity": [0.2, 0.5, 0.6],
                          "test_purity": [0.21, 0.49, 0.63]})
    assert views.purity_at(table, [12])["test - train"].tolist() == pytest.approx([0.03])
    note = views.train_test_note(table)
    assert "at 2 of the 3 k (not at k = 7)" in note
    assert "median of 0.0100" in note and "largest 0.0300, at k = 12" in note


def test_conclusions_quote_the_tables():
    y = np.repeat(np.arange(10), [5, 9, 5, 5, 5, 4, 5, 5, 5, 5])
    text = views.conclusion_data(y, np.array([0, 0, 0, 255]))
    # 53 images: 4 fives (7.5%), 9 ones (17.0%)
    assert "4 (7.5%) images of 5 to 9 (17.0%) of 1" in text and "75.0% of the pixels" in text


def test_run_differences_rounds_without_negative_zero():
    printed = {"maxs_tab": {"silhouette": ([0.3000004], [2])}}
    table = pd.DataFrame({"k": [2, 3], "silhouette": [0.3, 0.2]})
    out = views.run_differences(table, printed, "silhouette", decimals=4)
    assert out.loc[2, "ours - 2022"] == 0.0
    assert not np.signbit(out.loc[2, "ours - 2022"])


def test_ch_precision_rounds_computed_columns_only():
    rng = np.random.default_rng(0)
    X = rng.random((300, 4)).astype(np.float32)
    labels = rng.integers(0, 3, 300)
    old = notebook2022.calinski_harabasz_1_0(X, labels)
    printed = old + 4e-5  # a difference that rounds to zero from below
    gap = views.ch_precision(X, {3: labels}, {3: printed}, decimals=3)
    assert gap.loc[3, "2022 (printed)"] == printed
    assert gap.loc[3, "scikit-learn 1.0, float32"] == round(old, 3)
    assert gap.loc[3, "float32 - 2022"] == 0.0 and not np.signbit(gap.loc[3, "float32 - 2022"])


def test_answer_data_counts_by_hand():
    y = np.repeat(np.arange(10), [5, 9, 5, 5, 5, 4, 5, 5, 5, 5])
    text = views.answer_data(y, np.array([0, 0, 0, 255]))
    # 53 images: 4 fives (7.5%), 9 ones (17.0%); three zero pixels of four
    assert "**53 training images" in text
    assert "from 4 (7.5%) images of 5 to 9 (17.0%) of 1" in text and "75.0% of the pixels" in text


def _rows(method, values, ks=(2, 12, 22)):
    return pd.DataFrame({"method": method, "k": list(ks), "seed": 0, **values})


def test_answer_kmedoids_quotes_the_cost_gap_and_the_best_k():
    sweep = _rows("kmedoids-alternate", {"silhouette": [0.02, 0.01, 0.03],
                                         "calinski_harabasz": [9.0, 8.0, 7.0],
                                         "label_entropy": [1.0, 0.9, 0.95]})
    alternate = _rows("kmedoids-alternate", {"inertia": [100.0, 50.0], "purity": [0.4, 0.5]}, (19, 22))
    fasterpam = _rows("kmedoids-fasterpam", {"inertia": [96.0, 49.0], "purity": [0.6, 0.7]}, (19, 22))
    text = views.answer_kmedoids(sweep, alternate, fasterpam, [19, 22])
    # by hand: 1 - 96/100 = 4.0%, 1 - 49/50 = 2.0%
    assert "lowers the cost by 4.0% at k = 19 and 2.0% at k = 22" in text
    assert "highest at k = 22 (0.0300)" in text and "down to 0.0100" in text
    assert "Calinski-Harabasz is highest at k = 2" in text and "lowest at k = 12" in text
    assert "0.400 to 0.600 at k = 19, 0.500 to 0.700 at k = 22" in text


def test_answer_labels_and_seed_rank_from_a_small_table():
    one = pd.DataFrame({"method": "kmeans", "k": 10, "seed": range(4), "params": "{}",
                        "accuracy": [0.5, 0.6, 0.4, 0.55], "nmi": [0.5, 0.5, 0.5, 0.5]})
    ten = pd.DataFrame({"method": "kmeans", "k": 10, "seed": [0, 1], "params": '{"n_init": 10}',
                        "accuracy": [0.51, 0.51], "nmi": [0.49, 0.49]})
    everything = pd.DataFrame({"k": [2, 10], "purity": [0.2, 0.6], "test_purity": [0.21, 0.58]})
    text = views.answer_labels(one, ten, everything, 10)
    acc = one["accuracy"]
    assert f"accuracy {acc.mean():.3f} ± {acc.std(ddof=1):.3f} over 4 seeds" in text
    assert "(from 0.400 to 0.600)" in text and "The best of 10 starts" in text
    assert "0.510 ± 0.000 over 2 seeds" in text
    assert "within 0.020 of train purity at every k (median -0.0050)" in text
    # seed 0 (0.5) is beaten by 0.6 and 0.55: third of four; the median is 0.525
    assert "0.500, ranks 3 of the 4 seeds at k = 10 (the median seed's is 0.525)" in (
        views.seed_rank_note(one, 10))


def test_significant_rounds_to_four_digits_for_prose():
    assert views.significant(4031.5793) == "4,032"
    assert views.significant(3858.7323) == "3,859"
    assert views.significant(0.0745) == "0.0745"
    assert views.significant(434226.6875) == "434,227"


def test_purity_spread_summarises_each_seeds_test_minus_train():
    table = pd.DataFrame({"k": [5, 5, 5, 7], "seed": [0, 1, 2, 0],
                          "purity": [0.5, 0.6, 0.7, 0.8], "test_purity": [0.52, 0.59, 0.75, 0.8]})
    out = views.purity_spread(table)
    gap = out[(out["score"] == "test_minus_train") & (out["k"] == 5)].iloc[0]
    # by hand: differences 0.02, -0.01, 0.05
    assert gap["mean"] == pytest.approx(0.02) and gap["min"] == pytest.approx(-0.01)
    assert gap["max"] == pytest.approx(0.05) and gap["n_seeds"] == 3
    assert set(out["score"]) == {"purity", "test_purity", "test_minus_train"}
