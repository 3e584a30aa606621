"""Sweeps in a feature space (a table dimension): folder, provenance, silhouettes, readers.

On scikit-learn's digits in the PCA space (built into a temporary cache): every number is
checked against scikit-learn on the space's own points.
"""

import json

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score

from mnist_clustering import distances, sweep
from mnist_clustering.cli import main
from mnist_clustering.data import load_prepared
from mnist_clustering.sweep import (
    SweepData,
    load_artifacts,
    load_labels,
    load_provenance,
    load_results,
    run_sweep,
)


@pytest.fixture
def space_cache(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv(distances.CACHE_ENV, str(cache))
    return cache


def _no_matrix(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("distance_matrix() was called outside raw")

    monkeypatch.setattr(distances, "distance_matrix", refuse)


def test_a_pca_sweep_clusters_the_pca_points_into_its_own_folder(space_cache, tmp_path,
                                                                  monkeypatch):
    _no_matrix(monkeypatch)
    results = tmp_path / "results"
    table = run_sweep("kmeans", "3,10", dataset="digits", space="pca", seeds="0:2",
                      keep=[10], keep_labels=True, results_dir=results, progress=False)
    X_train, y_train, X_test, _ = load_prepared("digits")
    # the oracle: scikit-learn's PCA and K-Means on the same prepared pixels
    Z = PCA(50, svd_solver="covariance_eigh", random_state=0).fit(X_train).transform(X_train)
    for (k, seed), labels in load_labels("kmeans", "digits", results, space="pca").items():
        expected = KMeans(k, n_init=1, random_state=seed).fit(Z.astype(np.float32))
        row = table[(table["k"] == k) & (table["seed"] == seed)].iloc[0]
        assert row["inertia"] == pytest.approx(expected.inertia_, rel=1e-3)
        assert row["silhouette"] == pytest.approx(silhouette_score(Z, labels), abs=1e-5)
    assert (results / "digits" / "pca" / "kmeans.csv").is_file()
    assert not (results / "digits" / "kmeans.csv").exists()
    assert len(load_results("kmeans", "digits", results, space="pca")) == 4
    assert load_artifacts("kmeans", 10, "digits", results, space="pca")["centers"].shape == (10, 50)
    with pytest.raises(FileNotFoundError, match="--space pca"):
        load_results("kmedoids-alternate", "digits", results, space="pca")


def test_the_provenance_records_the_space_and_raw_tables_do_not(space_cache, tmp_path):
    results = tmp_path / "results"
    run_sweep("kmeans", "3", dataset="digits", space="pca", results_dir=results, progress=False)
    run_sweep("kmeans", "3", dataset="digits", results_dir=results, progress=False)
    info = load_provenance("kmeans", "digits", results, space="pca")["space"]
    assert info["name"] == "pca" and info["seed"] == 0
    assert info["params"]["n_components"] == 50
    assert (space_cache / info["file"]).is_file()
    sidecar = json.loads((space_cache / info["file"]).with_suffix(".json").read_text())
    assert sidecar["key"] == info["key"]
    assert "space" not in load_provenance("kmeans", "digits", results)


def test_k_medoids_outside_raw_is_refused(space_cache, tmp_path):
    with pytest.raises(ValueError, match="raw pixels only"):
        run_sweep("kmedoids-fasterpam", "3", dataset="digits", space="pca",
                  results_dir=tmp_path)
    with pytest.raises(ValueError, match="space"):
        run_sweep("kmeans", "3", space="umap", data=SweepData("digits"), results_dir=tmp_path)
    with pytest.raises(ValueError, match="no stored distance matrix"):
        SweepData("digits", space="pca").distances  # noqa: B018


def test_cli_sweep_space(space_cache, tmp_path, capsys):
    results = tmp_path / "results"
    assert main(["sweep", "--method", "kmeans", "--k", "4", "--space", "pca", "--dataset",
                 "digits", "--results-dir", str(results), "--no-progress", "--workers", "1"]) == 0
    assert len(load_results("kmeans", "digits", results, space="pca")) == 1
    assert main(["sweep", "--preset", "seed", "--space", "pca", "--dataset", "digits",
                 "--results-dir", str(results)]) == 2
    assert "drop --space" in capsys.readouterr().err


def test_spaces_preset_is_registered():
    assert "spaces" in sweep.PRESETS
    assert set(sweep.SPACES_PRESET.spaces) == {"pca", "umap", "autoencoder", "autoencoder-umap"}
    assert sweep.PRESETS["spaces"] is sweep.SPACES_PRESET


def test_worker_processes_cluster_the_same_space_as_the_driver(space_cache, tmp_path):
    # the workers rebuild SweepData from (dataset, n_samples, fingerprint, space): they
    # must read the same cached space, or the rows would differ from a serial sweep
    serial = run_sweep("kmeans", "3,5", dataset="digits", space="pca", results_dir=tmp_path / "a",
                       progress=False, workers=1)
    parallel = run_sweep("kmeans", "3,5", dataset="digits", space="pca",
                         results_dir=tmp_path / "b", progress=False, workers=2)
    columns = ["k", "inertia", "silhouette", "accuracy", "test_purity"]
    assert serial[columns].equals(parallel[columns])


def test_the_spaces_preset_resumes_from_its_tables_without_building_the_space(
        space_cache, tmp_path, monkeypatch):
    results = tmp_path / "results"
    first = sweep.run_preset("spaces", spaces=["pca"], dataset="digits", results_dir=results,
                             progress=False, workers=1)
    table = load_results("kmeans", "digits", results, space="pca")
    seeds = table.groupby("k")["seed"].apply(set)
    assert list(seeds.index) == list(range(2, 31)) + [50, 100, 150, 200, 250]
    assert seeds[10] == set(range(10))
    assert all(seeds[k] == set(range(5)) for k in seeds.index if k != 10)
    assert "pca: density" not in first  # 50 dimensions: no mixture, no HDBSCAN

    def refuse(*args, **kwargs):
        raise AssertionError("a complete space was loaded again")

    monkeypatch.setattr("mnist_clustering.spaces.embed", refuse)
    again = sweep.run_preset("spaces", spaces=["pca"], dataset="digits", results_dir=results,
                             progress=False, workers=1)
    assert list(again) == ["pca: complete"]
    (results / "digits" / "pca" / "labels" / "kmeans" / "k10-seed3.npz").unlink()
    with pytest.raises(AssertionError, match="loaded again"):
        sweep.run_preset("spaces", spaces=["pca"], dataset="digits", results_dir=results,
                         progress=False, workers=1)


def test_a_space_trained_with_another_seed_has_a_folder_of_its_own(space_cache, tmp_path,
                                                                     monkeypatch, capsys):
    # DESIGN.md: a space is identified by (space, dataset, subsample, training seed). Seed 0
    # keeps today's folder; seed s >= 1 has <space>-seed<s>/, read back by the readers with
    # space_seed=s, its provenance naming the seed. Workers load the driver's space.
    _no_matrix(monkeypatch)
    results = tmp_path / "results"
    zero = run_sweep("kmeans", "3", dataset="digits", space="pca", results_dir=results,
                     progress=False)
    one = run_sweep("kmeans", "3,5", dataset="digits", space="pca", space_seed=1, keep=[3],
                    results_dir=results, progress=False, workers=2)
    assert sorted(p.relative_to(results).as_posix() for p in results.rglob("kmeans.csv")) == [
        "digits/pca-seed1/kmeans.csv", "digits/pca/kmeans.csv"]
    assert load_results("kmeans", "digits", results, space="pca").equals(zero)
    assert load_results("kmeans", "digits", results, space="pca", space_seed=1).equals(one)
    assert load_provenance("kmeans", "digits", results, space="pca")["space"]["seed"] == 0
    info = load_provenance("kmeans", "digits", results, space="pca", space_seed=1)
    assert info["space"]["seed"] == 1 and info["table"] == "digits/pca-seed1"
    assert load_artifacts("kmeans", 3, "digits", results, space="pca",
                          space_seed=1)["centers"].shape == (3, 50)
    with pytest.raises(FileNotFoundError, match="--space pca --space-seed 2"):
        load_results("kmeans", "digits", results, space="pca", space_seed=2)
    data = SweepData("digits", space="pca", space_seed=1, progress=False)
    assert data.name == "digits/pca-seed1" and data.space_provenance["seed"] == 1
    # the command line
    assert main(["sweep", "--method", "kmeans", "--k", "4", "--space", "pca", "--space-seed", "2",
                 "--dataset", "digits", "--results-dir", str(results), "--no-progress",
                 "--workers", "1"]) == 0
    assert (results / "digits" / "pca-seed2" / "kmeans.csv").is_file()


def test_raw_pixels_have_no_training_seed(tmp_path, capsys):
    for call in (lambda: run_sweep("kmeans", "3", dataset="digits", space_seed=1,
                                   results_dir=tmp_path),
                 lambda: load_results("kmeans", "digits", tmp_path, space_seed=1),
                 lambda: SweepData("digits", space_seed=1)):
        with pytest.raises(ValueError, match="raw pixels are not trained"):
            call()
    with pytest.raises(ValueError, match="space_seed must be"):
        SweepData("digits", space="pca", space_seed=-1)
    assert main(["sweep", "--method", "kmeans", "--k", "3", "--space-seed", "1", "--dataset",
                 "digits", "--results-dir", str(tmp_path)]) == 2
    assert "raw pixels are not trained" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_an_entry_of_the_spaces_preset_is_one_line_with_its_own_table(space_cache, tmp_path,
                                                                        monkeypatch):
    # the next issue adds entries (K-Means with n_init=10 in the spaces): one SweepEntry
    # each, run in every space into its own table, and counted when the preset resumes
    results = tmp_path / "results"
    preset = sweep.SpacesPreset(spaces=("pca",), sweeps=(
        sweep.SweepEntry("a", "kmeans", "3", "0:2"),
        sweep.SweepEntry("b", "kmeans", "3", "0:2", {"n_init": 2}),
    ))
    monkeypatch.setitem(sweep.PRESETS, "spaces", preset)
    outcome = sweep.run_preset("spaces", dataset="digits", results_dir=results,
                               progress=False, workers=1)
    assert list(outcome) == ["pca: space", "pca: a", "pca: b"]
    best_of_two = load_results("kmeans", "digits", results, space="pca", n_init=2)
    assert list(zip(best_of_two["k"], best_of_two["seed"])) == [(3, 0), (3, 1)]
    assert sorted(load_labels("kmeans", "digits", results, space="pca", n_init=2)) == [(3, 0),
                                                                                       (3, 1)]
    again = sweep.run_preset("spaces", dataset="digits", results_dir=results, progress=False,
                             workers=1)
    assert list(again) == ["pca: complete"]
    (results / "digits" / "pca" / "labels" / "kmeans-n_init2" / "k3-seed1.npz").unlink()
    assert "pca: b" in sweep.run_preset("spaces", dataset="digits", results_dir=results,
                                        progress=False, workers=1)


def test_the_spaces_preset_trains_its_best_space_again_with_other_seeds(space_cache, tmp_path,
                                                                         monkeypatch):
    # the representation's own uncertainty: spaces of training_seeds rebuilt with each seed,
    # their sweeps into <space>-seed<s>/, counted as done when the preset resumes
    results = tmp_path / "results"
    entry = sweep.SweepEntry("k3", "kmeans", "3", "0:2")
    preset = sweep.SpacesPreset(spaces=("pca",), sweeps=(entry,),
                                training_seeds=sweep.TrainingSeeds(seeds=(1, 2), spaces=("pca",),
                                                                   sweeps=(entry,)))
    monkeypatch.setitem(sweep.PRESETS, "spaces", preset)
    outcome = sweep.run_preset("spaces", dataset="digits", results_dir=results,
                               progress=False, workers=1)
    assert list(outcome) == ["pca: space", "pca: k3", "pca seed 1: space", "pca seed 1: k3",
                             "pca seed 2: space", "pca seed 2: k3"]
    for trained in (1, 2):
        info = load_provenance("kmeans", "digits", results, space="pca", space_seed=trained)
        assert info["space"]["seed"] == trained
        assert len(load_results("kmeans", "digits", results, space="pca",
                                space_seed=trained)) == 2
    again = sweep.run_preset("spaces", dataset="digits", results_dir=results, progress=False,
                             workers=1)
    assert list(again) == ["pca: complete", "pca seed 1: complete", "pca seed 2: complete"]
    # asked for one training seed, the preset runs that seed's spaces alone
    assert list(sweep.run_preset("spaces", dataset="digits", results_dir=results,
                                 progress=False, workers=1, space_seed=2)) == ["pca: complete"]
