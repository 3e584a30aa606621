"""Notebook 05's views of the best space's own uncertainty, and the studies' store.

Tables are written by real sweeps on digits in a temporary results folder: the PCA space
with training seeds 0 and 1 (each its own folder), one start and the best of 3; the
oracles are pandas/numpy computed here by hand from the stored rows.
"""

import json

import numpy as np
import pandas as pd
import pytest

from mnist_clustering import distances, views
from mnist_clustering.density import density_table, write_density
from mnist_clustering.results import density_path, load_results, read_study, study_path
from mnist_clustering.spaces import embed
from mnist_clustering.studies import STUDIES, write_study
from mnist_clustering.sweep import run_sweep


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    root = tmp_path_factory.mktemp("views-training")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(distances.CACHE_ENV, str(root / "cache"))
        for trained in (0, 1):
            for params in ({}, {"n_init": 10}):
                run_sweep("kmeans", "10", dataset="digits", space="pca", space_seed=trained,
                          seeds="0:3", results_dir=root / "results", progress=False, **params)
            fs = embed("pca", "digits", seed=trained, progress=False)
            write_density(density_table(fs, gmm_seeds=[0, 1], min_cluster_size=20),
                          density_path("pca", "digits", root / "results", space_seed=trained))
    return root / "results"


def test_rows_of_every_training_seed_and_method(stored):
    rows = views.training_seed_rows("pca", 10, "digits", stored)
    assert sorted(set(zip(rows["training seed"], rows["method"]))) == [
        (t, m) for t in (0, 1) for m in ("gmm", "kmeans", "kmeans-n_init10")]
    best_of = load_results("kmeans", "digits", stored, space="pca", space_seed=1, n_init=10)
    mine = rows[(rows["training seed"] == 1) & (rows["method"] == "kmeans-n_init10")]
    assert sorted(mine["accuracy"]) == sorted(best_of["accuracy"])


def test_spread_over_training_seeds_is_of_the_seeds_means(stored):
    rows = views.training_seed_rows("pca", 10, "digits", stored)
    means = [load_results("kmeans", "digits", stored, space="pca", space_seed=t,
                          n_init=10)["accuracy"].mean() for t in (0, 1)]
    within = [load_results("kmeans", "digits", stored, space="pca", space_seed=t,
                           n_init=10)["accuracy"].std(ddof=1) for t in (0, 1)]
    spread = views.over_training_seeds(rows)
    assert spread["n"] == 2
    assert spread["mean"] == pytest.approx(np.mean(means), abs=1e-12)
    assert spread["sd"] == pytest.approx(np.std(means, ddof=1), abs=1e-12)
    assert (spread["min"], spread["max"]) == pytest.approx((min(means), max(means)))
    assert spread["within"] == pytest.approx(max(within), abs=1e-12)
    table = views.training_seed_table(rows)
    last = table[(table["method"] == "K-Means, best of 10 starts")
                 & (table["training seed"] == "over training seeds")].iloc[0]
    assert last["ACC"].startswith(f"{np.mean(means):.4f} ± {np.std(means, ddof=1):.4f} [")
    note = views.training_seed_note(rows, "pca")
    assert f"{np.mean(means):.4f} ± {np.std(means, ddof=1):.4f}" in note
    assert "Over 2 training seeds" in note


def _study_frame(name):
    if name == "epochs":
        rows = []
        for seed in (0, 1):
            for epochs, acc in ((10, 0.90), (20, 0.95)):
                for method in ("kmeans", "kmeans", "gmm"):
                    rows.append({"training_seed": seed, "epochs": epochs,
                                 "training_seconds": 8.0 * epochs + seed, "loss": 0.1 / epochs,
                                 "method": method, "seed": 0,
                                 "accuracy": acc + 0.01 * seed + 0.001 * (method == "gmm")})
        return pd.DataFrame(rows)
    return pd.DataFrame({"umap_seed": [42, 0], "umap_seconds": [50.0, 60.0],
                         "n_clusters": [9, 10], "noise_share": [0.01, 0.02],
                         "ari": [0.83, 0.85], "ami": [0.88, 0.89],
                         "ari_clustered": [0.84, 0.86], "ami_clustered": [0.89, 0.9]})


def test_a_study_is_stored_with_a_checked_sidecar(tmp_path):
    frame = _study_frame("umap-recipe")
    back = write_study("umap-recipe", frame, "digits", tmp_path, seconds=12.5)
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)  # CSV: 50.0 reads as 50
    sidecar = json.loads(study_path("umap-recipe", "digits", tmp_path).with_suffix(".json")
                         .read_text())
    assert sidecar["settings"] == {"seeds": list(STUDIES["umap-recipe"][1]["seeds"])}
    assert sidecar["rows"] == 2 and sidecar["seconds"] == 12.5
    path = study_path("umap-recipe", "digits", tmp_path)
    path.write_text(path.read_text().replace("0.83", "0.93"))  # an edit outside the package
    with pytest.raises(ValueError, match="does not match the checksum.*--preset studies"):
        read_study("umap-recipe", "digits", tmp_path)
    with pytest.raises(FileNotFoundError, match="no stored study 'epochs'.*--preset studies") as no:
        read_study("epochs", "digits", tmp_path)
    # the command computes the study that was asked for, where it was looked for
    assert f"--dataset digits --results-dir {tmp_path}`" in str(no.value)
    assert "(stored: umap-recipe)" in str(no.value)


def test_epochs_table_against_the_rows(tmp_path):
    frame = _study_frame("epochs")
    write_study("epochs", frame, "digits", tmp_path)
    table = views.epochs_table("digits", tmp_path)
    assert list(table["epochs"]) == [10, 20]
    at20 = frame[(frame["epochs"] == 20) & (frame["method"] == "kmeans")]
    per_seed = at20.groupby("training_seed")["accuracy"].mean()
    row = table.set_index("epochs").loc[20]
    assert row["K-Means ACC"] == pytest.approx(per_seed.mean())
    assert (row["K-Means min"], row["K-Means max"]) == pytest.approx((0.95, 0.96))
    assert row["s per epoch"] == pytest.approx(((8.0 * 20) / 20 + (8.0 * 20 + 1) / 20) / 2)
    assert row["training seeds"] == 2
    note = views.epochs_note(table)
    assert "After 10 epochs" in note and f"{per_seed.mean():.4f}" in note
    assert "8.0 s per epoch" in note  # (160/20 + 161/20 + 80/10 + 81/10) / 4 = 8.0375


def test_recipe_table_sits_beside_the_published_figure(tmp_path):
    write_study("umap-recipe", _study_frame("umap-recipe"), "digits", tmp_path)
    table = views.recipe_table("digits", tmp_path)
    assert list(table["clusters"]) == ["9", "10", "–"]
    assert list(table["clustered"][:2]) == ["99.00%", "98.00%"]
    assert table.iloc[-1]["ARI"] == "0.924" and table.iloc[-1]["AMI"] == "0.903"
    note = views.recipe_note("digits", tmp_path)
    assert "9 or 10 clusters" in note and "0.830 to 0.850" in note


def test_neighbours_table_against_the_rows(tmp_path):
    frame = pd.DataFrame({"n_neighbors": [10, 10, 10, 30, 30, 30],
                          "umap_seconds": [50.0] * 3 + [70.0] * 3,
                          "method": ["kmeans", "kmeans", "gmm"] * 2, "seed": [0, 1, 0] * 2,
                          "accuracy": [0.97, 0.98, 0.975, 0.96, 0.96, 0.99]})
    write_study("neighbours", frame, "digits", tmp_path)
    table = views.neighbours_table("digits", tmp_path).set_index("neighbours")
    assert list(table.index) == [10, 30]
    assert table.loc[10, "K-Means ACC"] == pytest.approx(0.975)
    assert table.loc[30, "mixture ACC"] == pytest.approx(0.99)
    assert (table.loc[10, "K-Means runs"], table.loc[30, "mixture runs"]) == (2, 1)
    assert table.loc[30, "UMAP fit (s)"] == 70.0
    note = views.neighbours_note(table.reset_index())
    assert "moves by 0.0150 (from 0.9600 to 0.9750): a choice worth reporting" in note
