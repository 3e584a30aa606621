"""The 2022 notebook's facts, in notebook2022: checked against what the package does."""

import numpy as np
import pytest

from mnist_clustering import data, estimators, notebook2022, sweep
from mnist_clustering.metrics import seed_index_entropy


def test_its_grids_are_the_preset_and_the_seed_preset_runs_them():
    assert notebook2022.grid("kmeans") == "2:80,2:263:5,256"
    assert notebook2022.grid("kmedoids-alternate") == "2:263:10,19,22"
    assert [(entry.method, entry.ks, entry.keep) for entry in sweep.PRESETS["seed"]] == list(
        notebook2022.PRESET)
    assert [entry.label for entry in sweep.PRESETS["seed"]] == [m for m, _, _ in notebook2022.PRESET]
    with pytest.raises(ValueError, match="no 'gmm' sweep"):
        notebook2022.grid("gmm")


def test_its_settings_are_the_package_defaults_it_shares_and_the_spread_presets_n_init():
    assert estimators.DEFAULT_PARAMS["kmedoids-alternate"] == notebook2022.KMEDOIDS_PARAMS
    # a copy: changing the package's defaults cannot change the record of 2022
    assert estimators.DEFAULT_PARAMS["kmedoids-alternate"] is not notebook2022.KMEDOIDS_PARAMS
    assert notebook2022.SETTINGS["kmeans"]["n_init"] == str(notebook2022.KMEANS_N_INIT) == "10"
    assert notebook2022.SETTINGS["kmedoids-alternate"] == {
        "method": "alternate", "init": "heuristic", "max_iter": "300",
        "seed": "none (deterministic)"}
    n_inits = [entry.params.get("n_init") for entry in sweep.SPREAD_PRESET]
    assert notebook2022.KMEANS_N_INIT in n_inits


def test_prepare_scales_the_pixels_as_it_did():
    pixels = np.arange(256, dtype=np.uint8).reshape(1, 16, 16)
    expected = pixels.astype(np.float32).reshape(1, -1) / np.float32(notebook2022.PIXEL_SCALE)
    np.testing.assert_array_equal(data.prepare(pixels), expected)


def test_its_index_entropy_follows_the_log_of_the_cluster_size():
    # random clusters of 60,000 image positions: the 2022 "entropy" is about log(n / k)
    # (a little below: the positions are weights from 0 to n, not equal weights)
    rng = np.random.default_rng(0)
    n = 60_000
    for k in (2, 10, 100):
        labels = rng.integers(0, k, n)
        value = seed_index_entropy(labels, n_clusters=k)
        curve = notebook2022.equal_clusters_entropy(n, [k])[0]
        assert curve - 0.25 < value < curve, (k, value, curve)
    np.testing.assert_allclose(notebook2022.equal_clusters_entropy(n, [1, n]), [np.log(n), 0.0])


def test_why_maxs_tab_differs_reads_the_direction_it_is_given():
    ks, values = [2, 3, 4], [3.0, 2.0, 1.0]
    slots, _ = notebook2022.maxs_tab(values)
    assert "lower entropy is better" in notebook2022.why_maxs_tab_differs(
        ks, values, slots, "label_entropy", "label_entropy", "min")
    assert notebook2022.why_maxs_tab_differs(
        ks, values, slots, "silhouette", "silhouette", "max").startswith("Here they agree")
