"""Tests for mnist_clustering.report, against hand-checked values."""

import math

import numpy as np
import pandas as pd
import pytest

from mnist_clustering import plots, report
from mnist_clustering.metrics import seed_maxs_tab


# --------------------------------------------------------------------------- SEED_PRINTED
def test_seed_printed_holds_the_seed_numbers():
    seed = report.SEED_PRINTED
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
    top5 = report.SEED_PRINTED["kmedoids_top5"]["maxs_tab"]
    k22 = report.SEED_PRINTED["kmedoids_k22"]["scores"]
    assert top5["calinski_harabasz"][0][2] == k22["calinski_harabasz"]
    assert top5["seed_index_entropy"][0][2] == k22["seed_index_entropy"]
    assert top5["calinski_harabasz"][1][2] == 4
    assert list(range(2, 263, 10))[4 - 2] == 22


def test_seed_printed_scores_are_table_columns():
    from mnist_clustering.sweep import COLUMNS

    for entry in report.SEED_PRINTED.values():
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
    out = report.top_k_comparison(step10, "calinski_harabasz")
    assert out.index.tolist() == [1, 2, 3, 4, 5]
    assert out["k"].tolist() == [2, 12, 22, 32, 42]
    assert out["calinski_harabasz"].tolist() == [60.0, 50.0, 40.0, 30.0, 20.0]
    # maxs_tab finds the right values (CH falls steadily) but reports position + 2
    assert out["seed k"].tolist() == [2, 3, 4, 5, 6]
    assert out["seed value"].tolist() == [60.0, 50.0, 40.0, 30.0, 20.0]
    assert out["true k"].tolist() == [2, 12, 22, 32, 42]
    why = out.attrs["why"]
    assert "position + 2" in why and "step 10" in why
    assert "overwrites" not in why


def test_top_k_shows_the_overwritten_slots(step10):
    # In grid order (k = 2..52) the silhouettes are 0.01, 0.05, 0.03, 0.04, 0.06, 0.02.
    # By hand, maxs_tab: 0.01 -> slot 0; 0.05 overwrites slot 0; 0.03 -> slot 1; 0.04
    # overwrites slot 1 (0.03 is lost, not shifted); 0.06 overwrites slot 0 (0.05 lost);
    # 0.02 -> slot 2. Slots 3 and 4 stay empty (0, "k" 0).
    out = report.top_k_comparison(step10, "silhouette")
    assert out["seed value"].iloc[:3].tolist() == [0.06, 0.04, 0.02]
    assert out["seed value"].iloc[3:].isna().all()
    assert out["seed k"].tolist() == [6, 5, 7, 0, 0]
    assert out["true k"].iloc[:3].tolist() == [42, 32, 52]
    assert out["true k"].iloc[3:].isna().all()
    assert out["k"].tolist() == [42, 12, 32, 22, 52]
    assert "overwrites" in out.attrs["why"]


def test_top_k_entropy_is_ranked_by_minimum_against_the_seeds_index_entropy(step10):
    out = report.top_k_comparison(step10, "label_entropy", seed_score="seed_index_entropy")
    assert out["k"].tolist() == [52, 42, 32, 22, 12]
    assert out["label_entropy"].tolist() == [0.5, 0.7, 0.9, 1.0, 1.5]
    assert out["seed value"].tolist() == [10.0, 9.0, 8.0, 7.0, 6.0]
    assert out["true k"].tolist() == [2, 12, 22, 32, 42]
    why = out.attrs["why"]
    assert "image indices" in why and "lower entropy is better" in why


def test_top_k_with_the_printed_2022_values(step10):
    printed = report.SEED_PRINTED["kmedoids_top5"]
    out = report.top_k_comparison(step10, "calinski_harabasz", printed=printed)
    assert out["2022 k"].tolist() == [2, 3, 4, 5, 6]
    assert out["2022 value"].iloc[2] == 1032.708369071595


def test_top_k_agrees_on_a_unit_grid_with_falling_values():
    table = pd.DataFrame({"k": range(2, 10), "calinski_harabasz": np.linspace(80, 10, 8)})
    out = report.top_k_comparison(table, "calinski_harabasz")
    assert out["k"].tolist() == out["seed k"].tolist() == out["true k"].tolist() == [2, 3, 4, 5, 6]
    assert out.attrs["why"].startswith("Here they agree")


def test_top_k_seed_columns_match_seed_maxs_tab(step10):
    values, ks = seed_maxs_tab(step10.sort_values("k")["silhouette"])
    out = report.top_k_comparison(step10, "silhouette")
    assert out["seed k"].tolist() == ks
    assert out["seed value"].fillna(0).tolist() == values


def test_best_ks(step10):
    best = report.best_ks(step10, ["silhouette", "label_entropy"], n=2)
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
    seed = report.SEED_PRINTED["kmedoids_k22"]["scores"]
    out = report.final_model_summary(final_table, 22, seed, extra=("label_entropy",))
    assert list(out.columns) == ["seed (2022)", "ours"]
    assert out.loc["Calinski-Harabasz", "seed (2022)"] == "1032.708369071595"
    assert out.loc["Calinski-Harabasz", "ours"] == 1032.708369071595
    assert out.loc["purity (seed's 'precision')", "seed (2022)"] == "0.491216666666666"
    assert out.loc["fit time (s)", "ours"] == 60.0
    assert out.loc["label entropy (corrected, lower is purer)", "seed (2022)"] == "–"
    assert out.index.tolist()[-1].startswith("label entropy")


def test_final_model_summary_missing_k(final_table):
    with pytest.raises(KeyError, match="k \\[10\\] not in the table"):
        report.final_model_summary(final_table, 10, {"calinski_harabasz": 1.0}, extra=())


def test_method_comparison(final_table):
    other = final_table.assign(calinski_harabasz=[1200.0, 1100.0])
    out = report.method_comparison({"alternate": final_table, "FasterPAM": other}, [19, 22],
                                   columns=["calinski_harabasz", "purity"])
    assert out.index.tolist() == [(19, "alternate"), (19, "FasterPAM"),
                                  (22, "alternate"), (22, "FasterPAM")]
    assert out.loc[(22, "FasterPAM"), "calinski_harabasz"] == 1100.0


def test_scores_at():
    table = pd.DataFrame({"k": [7, 2, 12], "purity": [0.5, 0.2, 0.6]})
    assert report.scores_at(table, None, ["purity"]).index.tolist() == [2, 7, 12]
    assert report.scores_at(table, [12], ["purity"])["purity"].tolist() == [0.6]


# --------------------------------------------------------------------------- literature
def test_published_names_its_sources():
    pub = report.PUBLISHED
    dec = pub[pub["source"].str.contains("DEC")]
    assert dec[["metric", "k", "low"]].values.tolist() == [["accuracy", 10, 0.5349]]
    dcn = pub[pub["source"].str.contains("DCN")].set_index("metric")["low"]
    assert dcn.to_dict() == {"accuracy": 0.532, "nmi": 0.5, "ari": 0.366}
    assert (pub.loc[pub["metric"] == "purity", "status"] == "approximate").all()
    assert (pub.loc[pub["metric"] != "purity", "status"] == "as published").all()


def test_purity_reference_matches_the_plots_default():
    assert report.purity_reference() == plots.REFERENCE_PURITY == {
        10: (0.56, 0.64), 256: (0.89, 0.90)}


def test_published_comparison_uses_the_nearest_k():
    table = pd.DataFrame({"k": [2, 10, 250, 257], "accuracy": [0.2, 0.55, 0.8, 0.81],
                          "nmi": [0.1, 0.49, 0.7, 0.71], "ari": [0.0, 0.37, 0.1, 0.1],
                          "purity": [0.2, 0.59, 0.88, 0.885]})
    out = report.published_comparison(table)
    assert out.loc[("purity", 256), "our k"] == 257
    assert out.loc[("purity", 256), "ours"] == 0.885
    assert out.loc[("purity", 256), "published"] == "0.89-0.9"
    assert out.loc[("nmi", 10), "ours"] == 0.49
    far = report.published_comparison(table[table["k"] < 100])
    assert math.isnan(far.loc[("purity", 256), "ours"])
    assert far.loc[("purity", 256), "our k"] is pd.NA


# --------------------------------------------------------------------------- data and clusters
def test_class_count_table():
    out = report.class_count_table([0, 1, 1, 9], [9, 9])
    assert out.loc[1, "train"] == 2 and out.loc[9, "test"] == 2
    assert out.loc["total", "train"] == 4 and out.loc["total", "test share"] == 1.0
    assert out.loc[1, "train share"] == 0.5


def test_normalisation_summary():
    raw = np.array([[0, 255], [0, 51]], dtype=np.uint8)
    out = report.normalisation_summary(raw, raw.astype(np.float32) / 255)
    assert out.loc["share of zero pixels"].tolist() == ["0.5", "0.5"]
    assert out.loc["dtype"].tolist() == ["uint8", "float32"]
    assert out.loc["distinct values", "raw"] == "3"


def test_cluster_size_table_by_hand():
    # cluster 0: digits 3, 3, 5 -> majority 3, share 2/3; cluster 1: one 7; cluster 2 empty
    out = report.cluster_size_table([0, 0, 0, 1], [3, 3, 5, 7], 3)
    assert out.index.tolist() == [0, 1, 2]
    assert out["size"].tolist() == [3, 1, 0]
    assert out["majority digit"].tolist() == [3, 7, 0]
    assert out["majority share"].tolist() == pytest.approx([2 / 3, 1.0, 0.0])


def test_contingency_frame_orders_rows_by_majority_digit():
    y = [5, 5, 0, 1, 1, 1, 0]
    labels = [0, 0, 1, 2, 2, 3, 1]
    out = report.contingency_frame(y, labels, 4)
    assert out.index.tolist() == ["1 (0)", "2 (1)", "3 (1)", "0 (5)"]
    assert out.shape == (4, 10)
    assert out.loc["2 (1)", 1] == 2 and out.to_numpy().sum() == 7


def test_random_clusters_is_seeded_distinct_and_sorted():
    first = report.random_clusters(19, 3, seed=0)
    assert first == report.random_clusters(19, 3, seed=0)
    assert first == sorted(set(first)) and all(0 <= c < 19 for c in first)
    assert {tuple(report.random_clusters(19, 3, seed=s)) for s in range(5)} != {tuple(first)}


def test_titles():
    assert report.titles("Digit", [5, 0]) == ["Digit 5", "Digit 0"]
    assert report.centre_titles("Medoid", np.array([7, 1])) == ["Medoid 0: 7", "Medoid 1: 1"]


def test_load_images_subsample_names_its_table():
    images = report.load_images("digits", n_samples=100)
    assert images.results_name == "digits-first100"
    assert len(images.x_train) == len(images.y_train) == 100
    assert report.load_images("digits").results_name == "digits"


# --------------------------------------------------------------------------- results_or_sweep
def test_results_or_sweep_computes_only_when_missing(tmp_path, monkeypatch):
    options = dict(dataset="digits-first300", results_dir=tmp_path, silhouette=100)
    first = report.results_or_sweep("kmeans", "2:4", keep=[3], **options)
    assert first["k"].tolist() == [2, 3]
    assert (tmp_path / "digits-first300" / "kmeans.csv").exists()
    assert first["n_samples"].unique().tolist() == [300]

    def no_sweep(*args, **kwargs):
        raise AssertionError("the table is complete: nothing should be computed")

    monkeypatch.setattr(report, "run_sweep", no_sweep)
    again = report.results_or_sweep("kmeans", [3], keep=[3], **options)
    pd.testing.assert_frame_equal(again, first[first["k"] == 3].reset_index(drop=True))
    with pytest.raises(AssertionError, match="nothing should be computed"):
        report.results_or_sweep("kmeans", [5], **options)
    monkeypatch.undo()
    more = report.results_or_sweep("kmeans", "2:6", **options)
    assert more["k"].tolist() == [2, 3, 4, 5]


def test_results_or_sweep_fills_a_missing_silhouette(tmp_path):
    from mnist_clustering.sweep import ResultsStore

    options = dict(dataset="digits-first300", results_dir=tmp_path, silhouette=100)
    first = report.results_or_sweep("kmeans", "2:4", **options)
    store = ResultsStore("digits-first300", "kmeans", tmp_path)
    table = store.load()
    table.loc[table["k"] == 3, "silhouette"] = np.nan  # as if lost: k = 3 is recomputed
    store.save(table, store.load_provenance())
    again = report.results_or_sweep("kmeans", "2:4", **options)
    assert again["silhouette"].notna().all()
    assert again.loc[1, "silhouette"] == pytest.approx(first.loc[1, "silhouette"])


def test_sweep_settings():
    table = pd.DataFrame({"method": "kmeans", "k": range(2, 80), "n_samples": 60000,
                          "seed": 0, "params": '{"n_init": 1}', "silhouette_mode": "exact"})
    out = report.sweep_settings(table)
    assert out.loc["kmeans"].to_dict() == {
        "images": 60000, "seed": 0, "params": '{"n_init": 1}', "silhouette": "exact",
        "k": "2..79 (78 values)"}
