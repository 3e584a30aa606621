"""The studies of the best space's own choices, on scikit-learn's digits (1500 images).

Oracles: scikit-learn's KMeans, GaussianMixture and HDBSCAN fitted here on the same
points, scored with scikit-learn's ARI and AMI and a Hungarian matching over its
contingency matrix.
"""

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import HDBSCAN, KMeans
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score
from sklearn.metrics.cluster import contingency_matrix
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from mnist_clustering.spaces import embed
from mnist_clustering.studies import (
    epochs_study,
    kmeans_row,
    neighbours_study,
    umap_recipe_study,
)


def _accuracy(y, labels):
    C = contingency_matrix(y, labels)
    rows, cols = linear_sum_assignment(-C)
    return C[rows, cols].sum() / len(y)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("studies-cache")


@pytest.fixture(scope="module")
def epochs_table(cache):
    return epochs_study("digits", epochs=(2, 1), kmeans_seeds=[0, 1], gmm_seeds=[0],
                        n_init=3, progress=False, cache_dir=cache)


def test_the_epochs_study_scores_each_length_as_scikit_learn_does(epochs_table, cache):
    assert list(epochs_table["epochs"].unique()) == [1, 2]
    assert list(epochs_table["method"]) == ["kmeans", "kmeans", "gmm"] * 2
    for length, part in epochs_table.groupby("epochs"):
        space = embed("autoencoder-umap", "digits", cache_dir=cache, progress=False,
                      params={"autoencoder": {"epochs": int(length)}})
        X, y = space.X_train, space.y_train
        for _, row in part.iterrows():
            with threadpool_limits(1):
                if row["method"] == "kmeans":
                    labels = KMeans(10, n_init=3, random_state=int(row["seed"]),
                                    algorithm="elkan").fit(X).labels_
                else:
                    labels = GaussianMixture(10, n_init=3,
                                             random_state=int(row["seed"])).fit_predict(X)
            assert row["ari"] == pytest.approx(adjusted_rand_score(y, labels), abs=1e-12)
            assert row["accuracy"] == pytest.approx(_accuracy(y, labels), abs=1e-12)
            assert row["params"].endswith("n_init=3")


def test_the_epochs_study_trains_once_through_its_lengths(epochs_table, cache):
    per_length = epochs_table.drop_duplicates("epochs").set_index("epochs")
    # the 2-epoch model resumed from the 1-epoch one: its time includes the first epoch's
    assert per_length.loc[2, "training_seconds"] > per_length.loc[1, "training_seconds"] > 0
    assert per_length.loc[2, "loss"] < per_length.loc[1, "loss"]
    kept = sorted(p.name.rsplit("-e", 1)[1] for p in cache.glob("autoencoder-model-*-e*.keras"))
    assert kept == ["1.keras", "2.keras"]


def test_the_neighbours_study_builds_one_umap_per_value_on_the_same_codes(tmp_path):
    # its own cache: the epochs study counts the models kept in the shared one
    start = {"init": "fan_in_uniform", "epochs": 2}  # not the defaults: passed through
    table = neighbours_study("digits", n_neighbors=(15, 5), autoencoder=start, kmeans_seeds=[0],
                             gmm_seeds=[], n_init=2, progress=False, cache_dir=tmp_path)
    assert list(table["n_neighbors"]) == [5, 15] and (table["umap_seconds"] > 0).all()
    for _, row in table.iterrows():
        space = embed("autoencoder-umap", "digits", cache_dir=tmp_path, progress=False,
                      params={"autoencoder": start,
                              "umap": {"n_neighbors": int(row["n_neighbors"])}})
        assert space.provenance["params"]["umap"]["n_neighbors"] == row["n_neighbors"]
        assert space.provenance["params"]["autoencoder"]["init"] == "fan_in_uniform"
        fit = kmeans_row(space.X_train, space.y_train, seed=0, n_init=2)
        assert row["accuracy"] == fit["accuracy"]


def test_the_umap_recipe_is_hdbscan_on_a_2d_umap_scored_with_and_without_noise(cache):
    table = umap_recipe_study("digits", seeds=(0, 1), progress=False, cache_dir=cache)
    assert list(table["umap_seed"]) == [0, 1]
    for _, row in table.iterrows():
        space = embed("umap", "digits", seed=int(row["umap_seed"]), cache_dir=cache,
                      progress=False, params={"n_components": 2})
        assert space.X_train.shape == (1500, 2)
        labels = HDBSCAN(min_cluster_size=12, min_samples=10).fit_predict(
            space.X_train.astype(np.float64))
        kept = labels != -1
        assert row["n_clusters"] == len(np.unique(labels[kept]))
        assert row["noise_share"] == pytest.approx(1 - kept.mean())
        assert row["ami"] == pytest.approx(adjusted_mutual_info_score(space.y_train, labels))
        assert row["ami_clustered"] == pytest.approx(
            adjusted_mutual_info_score(space.y_train[kept], labels[kept]))
        assert row["params"] == "min_cluster_size=12,min_samples=10"


def test_a_damaged_stored_study_is_said_and_computed_again(tmp_path, monkeypatch, capsys):
    import pandas as pd

    from mnist_clustering import studies
    from mnist_clustering.results import read_study, study_path

    calls = []

    def study(dataset, n_samples, *, progress, seeds):
        calls.append(seeds)
        return pd.DataFrame({"umap_seed": list(seeds), "ari": [0.25 + len(calls)] * len(seeds)})

    monkeypatch.setitem(studies.STUDIES, "umap-recipe", (study, {"seeds": (3, 4)}))
    run = lambda: studies.run_studies("digits", results_dir=tmp_path, names=["umap-recipe"],
                                      progress=False)["umap-recipe"][0]
    first = run()
    assert len(calls) == 1 and list(first["ari"]) == [1.25, 1.25]
    assert run().equals(first) and len(calls) == 1  # stored: not computed again
    path = study_path("umap-recipe", "digits", tmp_path)
    path.write_text(path.read_text().replace("1.25", "1.5", 1))  # edited outside the package
    capsys.readouterr()
    again = run()
    assert len(calls) == 2 and list(again["ari"]) == [2.25, 2.25]
    said = capsys.readouterr().err
    assert str(path) in said and "computing study 'umap-recipe' again" in said
    assert read_study("umap-recipe", "digits", tmp_path).equals(again)
    path.with_suffix(".json").unlink()  # a lost sidecar: recomputed as well
    assert list(run()["ari"]) == [3.25, 3.25] and len(calls) == 3
