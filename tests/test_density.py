"""HDBSCAN's noise share and its scores with and without noise; the Gaussian mixture rows.

The oracle is scikit-learn called directly: ``HDBSCAN`` for the labels, its cluster
scores (which see the noise label -1 as one more cluster) and a Hungarian matching and
majority count written here over ``contingency_matrix``.
"""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import HDBSCAN
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix
from sklearn.mixture import GaussianMixture

from mnist_clustering.density import (
    density_table,
    gmm_row,
    hdbscan_min_cluster_size,
    hdbscan_row,
    noise_scores,
)
from mnist_clustering.spaces import FeatureSpace


@pytest.fixture(scope="module")
def blobs_with_noise():
    """Four well separated blobs of 150 points plus 60 uniform background points."""
    X, y = make_blobs(n_samples=600, centers=4, cluster_std=0.6, n_features=5, random_state=1)
    rng = np.random.default_rng(0)
    background = rng.uniform(X.min() - 5, X.max() + 5, size=(60, 5))
    X = np.vstack([X, background])
    y = np.concatenate([y, rng.integers(0, 4, 60)])  # background points keep some digit
    return X, y


def _acc(y, labels):
    C = contingency_matrix(y, labels)
    rows, cols = linear_sum_assignment(-C)
    return C[rows, cols].sum() / len(y)


def _purity(y, labels):
    return contingency_matrix(y, labels).max(axis=0).sum() / len(y)


def test_hdbscan_noise_share_and_scores_with_and_without_noise(blobs_with_noise):
    X, y = blobs_with_noise
    row = hdbscan_row(X, y, min_cluster_size=20, min_samples=10)
    labels = HDBSCAN(min_cluster_size=20, min_samples=10, copy=True).fit_predict(X)
    noise = labels == -1
    assert 0 < noise.mean() < 0.2  # the background is mostly noise, the blobs are not
    assert row["noise_share"] == pytest.approx(noise.mean(), abs=0)
    assert row["n_clusters"] == len(set(labels[~noise])) == 4
    # every image: -1 is one more cluster
    assert row["ari"] == pytest.approx(adjusted_rand_score(y, labels), abs=1e-12)
    assert row["nmi"] == pytest.approx(normalized_mutual_info_score(y, labels), abs=1e-12)
    assert row["accuracy"] == pytest.approx(_acc(y, labels), abs=1e-12)
    assert row["purity"] == pytest.approx(_purity(y, labels), abs=1e-12)
    # the clustered images only
    yk, lk = y[~noise], labels[~noise]
    assert row["ari_clustered"] == pytest.approx(adjusted_rand_score(yk, lk), abs=1e-12)
    assert row["nmi_clustered"] == pytest.approx(normalized_mutual_info_score(yk, lk), abs=1e-12)
    assert row["accuracy_clustered"] == pytest.approx(_acc(yk, lk), abs=1e-12)
    assert row["purity_clustered"] == pytest.approx(_purity(yk, lk), abs=1e-12)
    assert row["accuracy_clustered"] > row["accuracy"]  # the noise was the hard part


def test_noise_scores_by_hand():
    # 2 clusters and 2 noise points; clustered images are perfectly separated
    y = np.array([0, 0, 0, 1, 1, 1, 0, 1])
    labels = np.array([5, 5, 5, 7, 7, 7, -1, -1])
    row = noise_scores(y, labels)
    assert row["noise_share"] == 0.25 and row["n_clusters"] == 2
    assert row["accuracy_clustered"] == 1.0 and row["ari_clustered"] == 1.0
    # every image: the noise cluster {0, 1} is left unmatched by the Hungarian matching
    assert row["accuracy"] == 6 / 8
    assert row["purity"] == 7 / 8  # the noise cluster's majority digit is right once


def test_all_noise_gives_nan_clustered_scores():
    row = noise_scores([0, 1, 0], [-1, -1, -1])
    assert row["noise_share"] == 1.0 and np.isnan(row["accuracy_clustered"])


def test_min_cluster_size_is_the_documented_500_on_mnist_and_scales():
    assert hdbscan_min_cluster_size(60_000) == 500
    assert hdbscan_min_cluster_size(1500) == 12
    assert hdbscan_min_cluster_size(10) == 5


def test_gmm_row_is_scikit_learns_mixture_scored(blobs_with_noise):
    X, y = blobs_with_noise
    row = gmm_row(X, y, k=4, seed=3)
    labels = GaussianMixture(4, covariance_type="full", random_state=3).fit_predict(X)
    assert row["ari"] == pytest.approx(adjusted_rand_score(y, labels), abs=1e-12)
    assert row["accuracy"] == pytest.approx(_acc(y, labels), abs=1e-12)
    assert row["seed"] == 3 and row["method"] == "gmm"


def test_density_table_has_one_row_per_method_and_seed(blobs_with_noise):
    X, y = blobs_with_noise
    space = FeatureSpace("toy", X, X[:5], y, y[:5], {})
    table = density_table(space, gmm_seeds=[0, 1], min_cluster_size=20)
    assert isinstance(table, pd.DataFrame)
    assert table.method.tolist() == ["hdbscan", "gmm", "gmm"]
    assert pd.isna(table.seed[0]) and table.seed.tolist()[1:] == [0, 1]  # HDBSCAN has no seed
    assert (table.space == "toy").all() and (table.n_samples == len(X)).all()


# ----------------------------------------------------------------------------- stored table


def test_a_density_table_round_trips_and_bad_files_are_refused(blobs_with_noise, tmp_path):
    from mnist_clustering.density import DENSITY_COLUMNS, read_density, write_density

    X, y = blobs_with_noise[:2]
    space = FeatureSpace("umap", X, X[:5], y, y[:5], {})
    table = density_table(space, gmm_seeds=[0, 1])
    path = tmp_path / "umap" / "density.csv"
    back = write_density(table, path)
    assert list(back.columns) == list(DENSITY_COLUMNS)
    assert back["method"].tolist() == ["hdbscan", "gmm", "gmm"]
    assert back["seed"].isna().tolist() == [True, False, False]
    np.testing.assert_allclose(back["accuracy"], table["accuracy"], rtol=1e-9)
    assert back["n_clusters"].tolist() == table["n_clusters"].tolist()

    text = path.read_text().splitlines()
    path.write_text("\n".join([text[0], text[1], text[2].rsplit(",", 1)[0] + ",fast"]))
    with pytest.raises(ValueError, match=r"line 3: column fit_seconds holds 'fast'"):
        read_density(path)
    path.write_text(text[0].replace("noise_share", "noise") + "\n")
    with pytest.raises(ValueError, match="columns"):
        read_density(path)
    with pytest.raises(ValueError, match="lacks the columns"):
        write_density(table.drop(columns=["ari"]), path)
