"""Notebook 05's views: scores per space and method, merged digits, build times.

Tables are written by a real sweep on digits in a temporary results folder (the PCA
space in a temporary cache); the oracles are pandas/numpy computed here by hand.
"""

import numpy as np
import pandas as pd
import pytest

from mnist_clustering import distances, views
from mnist_clustering.density import density_table, write_density
from mnist_clustering.spaces import embed
from mnist_clustering.sweep import density_path, load_results, run_sweep


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    root = tmp_path_factory.mktemp("views-spaces")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(distances.CACHE_ENV, str(root / "cache"))
        for space in ("raw", "pca"):
            run_sweep("kmeans", "3,10", dataset="digits", space=space, seeds="0:3",
                      keep_labels=True, results_dir=root / "results", progress=False)
        fs = embed("pca", "digits", progress=False)
        write_density(density_table(fs, gmm_seeds=[0, 1]),
                      density_path("pca", "digits", root / "results"))
    return root / "results"


def test_space_summary_is_the_mean_and_sd_over_seeds(stored):
    rows = views.space_rows(("raw", "pca"), 10, "digits", stored)
    summary = views.space_summary(rows)
    assert list(summary.index) == [("raw", "kmeans"), ("pca", "kmeans"), ("pca", "hdbscan"),
                                   ("pca", "gmm")]
    table = load_results("kmeans", "digits", stored, space="pca")
    at = table[table["k"] == 10]["accuracy"].to_numpy()
    assert summary.loc[("pca", "kmeans"), "runs"] == 3
    assert summary.loc[("pca", "kmeans"), "accuracy mean"] == pytest.approx(at.mean())
    assert summary.loc[("pca", "kmeans"), "accuracy sd"] == pytest.approx(at.std(ddof=1))
    shown = views.space_table(summary)
    assert shown.loc[("pca", "K-Means"), "ACC"] == f"{at.mean():.3f} ± {at.std(ddof=1):.3f}"
    assert shown.loc[("pca", "HDBSCAN"), "ACC"].count("±") == 0  # one run: no sd
    assert shown.loc[("pca", "HDBSCAN"), "noise share"].endswith("%")
    best = views.best_space(summary)
    means = {s: summary.loc[(s, "kmeans"), "accuracy mean"] for s in ("raw", "pca")}
    assert best == max(means, key=means.get)


def test_median_seed_and_times(stored):
    table = load_results("kmeans", "digits", stored, space="pca")
    at = table[table["k"] == 10].sort_values("accuracy")
    assert views.median_seed("pca", 10, "digits", stored) == int(at.iloc[1]["seed"])
    times = views.space_times(("pca",), "digits", stored)
    assert times.loc["pca", "K-Means rows"] == 6
    assert times.loc["pca", "build (s)"] >= 0


def test_merged_pairs_against_a_loop():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 500)
    labellings = {s: rng.integers(0, 4, 500) for s in range(3)}
    pairs = views.merged_pairs(labellings, y, k=4, share=0.12)
    expected = {}
    for labels in labellings.values():
        seen = set()
        for c in range(4):
            members = y[labels == c]
            counts = np.bincount(members, minlength=10) / len(members)
            major = int(np.argmax(counts))
            seen |= {(major, d) for d in range(10) if d != major and counts[d] >= 0.12}
        for pair in seen:
            expected[pair] = expected.get(pair, 0) + 1
    got = {(int(r["majority"]), int(r["merged with"])): int(r["runs"]) for _, r in pairs.iterrows()}
    assert got == expected
    assert (pairs["runs"].diff().dropna() <= 0).all()


def test_conclusion_quotes_the_summary(stored):
    rows = views.space_rows(("raw", "pca"), 10, "digits", stored)
    summary = views.space_summary(rows)
    pairs = pd.DataFrame(columns=["majority", "merged with", "runs", "of", "mean share"])
    text = views.conclusion_representations(summary, views.space_times(("pca",), "digits", stored),
                                            pairs, "pca")
    assert f"{summary.loc[('pca', 'kmeans'), 'accuracy mean']:.3f}" in text
    assert "HDBSCAN" in text and "Gaussian mixture" in text


def test_space_figures_describe_themselves_and_refuse_bad_coordinates(stored):
    import matplotlib.pyplot as plt

    from mnist_clustering import plots

    purity = views.purity_by_space(("raw", "pca"), "digits", stored)
    assert list(purity.index) == [3, 10]
    fig = plots.purity_by_space(purity)
    assert "raw, pca" in fig.alt_text and len(fig.axes[0].lines) == 2
    # one shaded band per space, spanning the lowest to the highest seed
    bands = fig.axes[0].collections
    assert len(bands) == 2
    band = bands[1].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(purity[("pca", "min")].min())
    assert band.max() == pytest.approx(purity[("pca", "max")].max())
    rng = np.random.default_rng(0)
    fig2 = plots.embedding_pair(rng.normal(size=(50, 2)), rng.integers(0, 10, 50),
                                rng.integers(0, 10, 50))
    assert "50 points" in fig2.alt_text and len(fig2.axes) == 2
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        plots.embedding_pair(np.zeros((5, 3)), np.zeros(5, int), np.zeros(5, int))
    plt.close("all")


def test_purity_by_space_is_the_spread_over_seeds(stored):
    purity = views.purity_by_space(("raw", "pca"), "digits", stored)
    for space in ("raw", "pca"):
        table = load_results("kmeans", "digits", stored, space=space)
        for k in (3, 10):
            values = table.loc[table["k"] == k, "purity"].to_numpy()
            assert purity.loc[k, (space, "seeds")] == len(values) == 3
            assert purity.loc[k, (space, "mean")] == pytest.approx(values.sum() / len(values))
            assert purity.loc[k, (space, "min")] == min(values)
            assert purity.loc[k, (space, "max")] == max(values)
    note = str(views.purity_spread_note(purity))
    widths = {k: purity.loc[k, ("pca", "max")] - purity.loc[k, ("pca", "min")] for k in (3, 10)}
    widest = max(widths, key=widths.get)
    assert (f"pca: 3 to 3 seeds per k; the purity range over seeds is at most "
            f"{widths[widest]:.3f} wide (k = {widest})") in note


def test_the_picture_reads_its_space_k_and_sample_size_from_the_results(stored, tmp_path,
                                                                       monkeypatch):
    import json
    import shutil

    from mnist_clustering.views import representations

    results = tmp_path / "results"
    shutil.copytree(stored, results)
    # a stored 2-D picture beside the pca tables, as the spaces preset writes one
    index = np.array([0, 5, 7])
    np.savez(results / "digits" / "pca" / "umap2d.npz", index=index,
             xy=np.zeros((3, 2), np.float32), space_key=np.array("k"),
             build_seconds=np.array(12.3))
    # the picture of a space trained with another seed is not the one shown
    (results / "digits" / "pca-seed1").mkdir()
    np.savez(results / "digits" / "pca-seed1" / "umap2d.npz", index=index[:2],
             xy=np.ones((2, 2), np.float32), space_key=np.array("k1"),
             build_seconds=np.array(1.0))
    n = int(load_results("kmeans", "digits", results, space="raw")["n_samples"].iloc[0])
    picture = views.space_picture("raw", 3, seed=1, dataset="digits", results_dir=results)
    assert (picture["space"], picture["k"], picture["seed"], picture["n_images"]) == ("raw", 3, 1, n)
    assert picture["embedded_space"] == "pca" and picture["embedded"] == "the pixels"
    assert len(picture["xy"]) == 3
    labels = views.seed_labellings("raw", 3, "digits", results)[1]
    np.testing.assert_array_equal(picture["clusters"], labels[index])
    note = str(views.picture_note(picture))
    assert note.startswith(f"3 training images drawn at random (seeded) from the {n:,}; the "
                           "2-D UMAP of the pixels took 12 s to build. Clusters: K-Means, "
                           "k = 3, in the raw space, seed 1")
    # a space built in steps: the picture is a UMAP of the codes of the step before
    path = results / "digits" / "pca" / "kmeans.json"
    provenance = json.loads(path.read_text())
    provenance["space"]["params"] = {"autoencoder": {"epochs": 1}, "umap": {"n_components": 10}}
    path.write_text(json.dumps(provenance))
    assert views.space_picture("raw", 3, seed=1, dataset="digits",
                               results_dir=results)["embedded"] == "the autoencoder codes"
    # no space given: the best space for K-Means accuracy, from the stored rows
    monkeypatch.setattr(representations, "SPACES_SHOWN", ("raw", "pca"))
    best = views.best_space(views.space_summary(views.space_rows(("raw", "pca"), 10, "digits",
                                                                 results)))
    assert views.space_picture(k=10, dataset="digits", results_dir=results)["space"] == best
    (results / "digits" / "pca" / "umap2d.npz").unlink()
    with pytest.raises(FileNotFoundError, match="--preset spaces"):
        views.space_picture("raw", 3, dataset="digits", results_dir=results)


def test_bad_starts_against_a_loop():
    rng = np.random.default_rng(3)
    for _ in range(20):
        values = np.where(rng.random(10) < 0.3, 0.83, 0.974) + rng.normal(0, 1e-3, 10)
        best = max(values)
        assert views.bad_starts(values) == sum(1 for v in values if best - v > 0.05)


def test_published_figures_are_read_from_the_registry():
    from mnist_clustering import scores

    for ref in scores.LITERATURE:
        if ref.method.split(" ")[0] in ("DEC", "IDEC", "N2D", "IIC"):
            assert views.published(ref.method.split(" ")[0], ref.score) == ref.value
    with pytest.raises(KeyError, match="expected one"):
        views.published("K-Means")  # two published accuracies on raw pixels


def test_the_opening_answer_quotes_the_stored_rows(stored):
    rows = views.space_rows(("raw", "pca"), 10, "digits", stored)
    summary = views.space_summary(rows)
    raw = load_results("kmeans", "digits", stored, space="raw")
    raw = raw.loc[raw["k"] == 10, "accuracy"].to_numpy()
    pca = load_results("kmeans", "digits", stored, space="pca")
    pca = pca.loc[pca["k"] == 10, "accuracy"].to_numpy()
    text = str(views.answer_representations(rows, summary, "pca", 10, epochs=None))
    assert f"{raw.mean():.3f} ± {raw.std(ddof=1):.3f}" in text
    assert f"{pca.mean():.3f} ± {pca.std(ddof=1):.3f} (from {pca.min():.3f} to {pca.max():.3f}, 3 seeds)" in text
    hdbscan = pd.read_csv(density_path("pca", "digits", stored))
    hdbscan = hdbscan[hdbscan["method"] == "hdbscan"].iloc[0]
    assert f"finds {hdbscan['n_clusters']} there" in text
    assert f"DEC ({views.published('DEC'):.3f})" in text and "epochs" not in text
    assert "N2D publishes" in text
    note = str(views.literature_note(summary, "pca", epochs=40))
    mixture = pd.read_csv(density_path("pca", "digits", stored))
    gmm = mixture.loc[mixture["method"] == "gmm", "accuracy"].mean()
    gap = views.published("N2D") - gmm
    assert f"{abs(gap):.3f} {'below' if gap > 0 else 'above'} it" in note
    assert "ours for 40" in note


def test_the_environment_shows_the_packages_the_space_was_built_with(stored, tmp_path):
    import json
    import shutil

    results = tmp_path / "results"
    shutil.copytree(stored, results)
    path = results / "digits" / "pca" / "kmeans.json"
    provenance = json.loads(path.read_text())
    table_numpy = provenance["versions"]["numpy"]
    provenance["space"] = {**(provenance.get("space") or {}),
                           "versions": {"umap-learn": "9.9.9", "numpy": "0.0.1"}}
    path.write_text(json.dumps(provenance))
    env = views.environment("digits/pca", results)
    column = env.columns[list(env.columns).index(next(c for c in env.columns if "kmeans" in c))]
    assert env.loc["umap-learn", column] == "9.9.9"
    assert env.loc["numpy", column] == table_numpy
    assert env.loc["numpy (space built with)", column] == "0.0.1"


def test_the_answer_counts_bad_starts_with_the_recommended_starts_named():
    def block(space, method, accuracies):
        return pd.DataFrame({"space": space, "method": method, "seed": range(len(accuracies)),
                             "accuracy": accuracies, "nmi": 0.5, "ari": 0.5,
                             "purity": accuracies, "n_clusters": 10})

    for bad in (1, 3):
        rows = pd.concat([block("raw", "kmeans", [0.5, 0.55, 0.52]),
                          block("umap", "kmeans", [0.97] * (10 - bad) + [0.83] * bad),
                          block("umap", views.RECOMMENDED, [0.97] * 10)], ignore_index=True)
        text = str(views.answer_representations(rows, views.space_summary(rows), "umap", 10))
        verb = "is" if bad == 1 else "are"
        assert f"{bad} of 10 starts {verb} bad, two digits sharing a cluster" in text
        assert f"and the other {10 - bad} give the same accuracy" in text
        assert f"keeping the {views.BEST_OF_STARTS} (the lowest inertia" in text
    from mnist_clustering.estimators import RECOMMENDED_N_INIT

    assert views.BEST_OF_STARTS == f"best of {RECOMMENDED_N_INIT} starts"
