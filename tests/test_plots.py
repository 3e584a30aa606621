"""Tests for mnist_clustering.plots: every function returns a Figure that renders headless."""

import matplotlib

matplotlib.use("Agg")

import inspect  # noqa: E402
import io  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from mnist_clustering import plots  # noqa: E402
from mnist_clustering.scores import PURITY_GAP  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    return data.data, data.target  # (1797, 64) floats 0..16, labels 0..9


@pytest.fixture
def sweep():
    ks = np.arange(2, 40, 5)
    rng = np.random.default_rng(0)
    table = pd.DataFrame({
        "k": ks,
        "inertia": 1000.0 / ks,
        "silhouette": rng.uniform(0, 0.1, len(ks)),
        "calinski_harabasz": 4000.0 / ks,
        "label_entropy": 2.0 / np.sqrt(ks),
        "seed_index_entropy": np.log(60000 / ks),
        "fit_seconds": 0.1 * ks,
        "purity": 1 - 0.5 / np.sqrt(ks),
        "test_purity": 1 - 0.55 / np.sqrt(ks),
    })
    table.loc[2, "silhouette"] = np.nan
    return table.sample(frac=1, random_state=1)  # unsorted on purpose


def _visible_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


def _render(fig):
    assert isinstance(fig, Figure)
    fig.savefig(io.BytesIO(), format="png", dpi=40)


def _all_text(fig):
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    return "\n".join(texts)


def test_set_style_applies_whitegrid():
    with matplotlib.rc_context():  # keep the global style of other test modules
        plots.set_style()
        assert matplotlib.rcParams["axes.grid"]
        assert matplotlib.rcParams["axes.facecolor"] == "white"


@pytest.mark.parametrize("flat", [True, False])
def test_image_grid_reshapes_and_titles(digits, flat):
    x, y = digits
    images = x[:9] if flat else x[:9].reshape(9, 8, 8)
    fig = plots.image_grid(images, [f"Digit {d}" for d in y[:9]], n_cols=3)
    axes = _visible_axes(fig)
    assert len(axes) == 9
    assert axes[0].get_title() == f"Digit {y[0]}"
    assert axes[0].images[0].get_array().shape == (8, 8)
    _render(fig)


def test_image_grid_hides_unused_axes_and_suptitle(digits):
    x, _ = digits
    fig = plots.image_grid(x[:19], [f"Centre {i}" for i in range(19)], n_cols=5,
                           suptitle="K-Means centres")
    assert len(fig.axes) == 20
    assert len(_visible_axes(fig)) == 19
    assert fig.get_suptitle() == "K-Means centres"
    assert _visible_axes(fig)[18].get_title() == "Centre 18"
    _render(fig)


def test_image_grid_rejects_non_square_and_bad_titles(digits):
    with pytest.raises(ValueError, match="square"):
        plots.image_grid(np.zeros((4, 10)))
    with pytest.raises(ValueError, match="titles"):
        plots.image_grid(digits[0][:4], titles=["a"])


def test_cluster_galleries_first_n_in_dataset_order(digits):
    x, y = digits
    fig = plots.cluster_galleries(x, y, [4, 1], n=9)
    assert len(fig.subfigs) == 2
    sizes = np.bincount(y)
    assert fig.subfigs[0].get_suptitle() == f"Cluster 4 — {sizes[4]:,} images"
    first = fig.subfigs[0].axes[0].images[0].get_array()
    np.testing.assert_array_equal(first, x[np.flatnonzero(y == 4)[0]].reshape(8, 8))
    assert len(_visible_axes(fig)) == 18
    _render(fig)


def test_cluster_galleries_take_titles_and_fit_a_page(digits):
    x, y = digits
    fig = plots.cluster_galleries(x, y, [4, 1], n=25, titles={4: "four", 1: "one"})
    assert [sub.get_suptitle() for sub in fig.subfigs] == ["four", "one"]
    assert "four; one" in fig.alt_text
    # two galleries of 5 x 5 images fit a page's width: titles stay legible when scaled
    assert fig.get_figwidth() <= 7


def test_cluster_galleries_small_cluster_and_rng(digits):
    x, _ = digits
    clusters = np.zeros(len(x), dtype=int)
    clusters[:3] = 1
    fig = plots.cluster_galleries(x, clusters, [1, 0], n=25, rng=0)
    assert "3 images" in fig.subfigs[0].get_suptitle()
    assert sum(ax.get_visible() for ax in fig.subfigs[0].axes) == 3
    assert sum(ax.get_visible() for ax in fig.subfigs[1].axes) == 25
    _render(fig)


def test_sweep_curves_panels_data_labels(sweep):
    scores = ["inertia", "silhouette", "calinski_harabasz", "label_entropy", "fit_seconds"]
    fig = plots.sweep_curves(sweep, scores, title="K-Means sweep")
    axes = _visible_axes(fig)
    assert len(fig.axes) == 6 and len(axes) == 5
    ordered = sweep.sort_values("k")
    np.testing.assert_array_equal(axes[0].lines[0].get_xdata(), ordered["k"])
    np.testing.assert_allclose(axes[0].lines[0].get_ydata(), ordered["inertia"])
    # units on the axis, the label wrapped to the panel's width
    assert axes[0].get_ylabel().replace("\n", " ") == (
        "Inertia (sum of squared distances, squared [0, 1]-pixel units)")
    assert all(len(line) <= plots.LABEL_WIDTH for ax in axes
               for line in ax.get_ylabel().splitlines())
    assert axes[0].get_xlabel() == "Number of clusters k"
    # the NaN silhouette is skipped
    assert len(axes[1].lines[0].get_xdata()) == len(sweep) - 1
    assert not np.isnan(axes[1].lines[0].get_ydata()).any()
    assert fig.get_suptitle() == "K-Means sweep"
    _render(fig)


def test_sweep_curves_label_override_and_best(sweep):
    fig = plots.sweep_curves(
        sweep, ["inertia", "calinski_harabasz"],
        labels={"inertia": "Sum of distances to the medoid"},
        best={"calinski_harabasz": [2, 7, 12]},
    )
    ax_inertia, ax_ch = fig.axes
    assert ax_inertia.get_ylabel() == "Sum of distances to the medoid"
    # one marker (a star) for the best k, dots for the next ones, both named in a legend
    (star,) = [line for line in ax_ch.lines if line.get_gid() == "best"]
    (dots,) = [line for line in ax_ch.lines if line.get_gid() == "next"]
    assert star.get_marker() == "*" and list(star.get_xdata()) == [2]
    np.testing.assert_array_equal(dots.get_xdata(), [7, 12])
    # one legend for the figure says what a star and a dot mean; the star names its k
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["best k", "next best k"]
    assert ax_ch.get_legend() is None
    assert [t.get_text() for t in ax_ch.texts if t.get_gid() == "best-k"] == ["k = 2"]
    assert not [line for line in ax_inertia.lines if line.get_gid() == "best"]
    # the description says where each curve goes and which k is best
    assert "from 2,000 at k = 2 to 108.1 at k = 37, best at k = 2" in fig.alt_text
    _render(fig)


def test_sweep_curves_hue_draws_one_line_per_level(sweep):
    other = sweep.assign(inertia=sweep["inertia"] * 0.9)
    table = pd.concat([sweep.assign(method="alternate"), other.assign(method="fasterpam")])
    fig = plots.sweep_curves(table, ["inertia"], hue="method",
                             best={"inertia": {"fasterpam": [37]}})
    (ax,) = fig.axes
    curves = [line for line in ax.lines if line.get_gid() not in ("best", "next")]
    assert [line.get_label() for line in curves] == ["alternate", "fasterpam"]
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()][:2] == ["alternate", "fasterpam"]
    marked = [line for line in ax.lines if line.get_gid() == "best"]
    assert len(marked) == 1 and list(marked[0].get_xdata()) == [37]
    _render(fig)


def test_sweep_curves_missing_columns_named(sweep):
    with pytest.raises(ValueError, match=r"homogeneity.*precision"):
        plots.sweep_curves(sweep, ["inertia", "homogeneity", "precision"])
    with pytest.raises(ValueError, match="method"):
        plots.sweep_curves(sweep, ["inertia"], hue="method")
    with pytest.raises(ValueError, match="not among scores"):
        plots.sweep_curves(sweep, ["inertia"], best={"silhouette": [2]})
    with pytest.raises(ValueError, match="best k"):
        plots.sweep_curves(sweep, ["inertia"], best={"inertia": [3]})


def test_seed_vs_corrected(sweep):
    fig = plots.seed_vs_corrected(sweep)
    left, right = fig.axes
    assert left.get_title() == "As in the 2022 notebook" and right.get_title() == "Corrected"
    assert "indices" in left.get_ylabel() and "label entropy" in right.get_ylabel().lower()
    np.testing.assert_allclose(right.lines[0].get_ydata(),
                               sweep.sort_values("k")["label_entropy"])
    with pytest.raises(ValueError, match="seed_index_entropy"):
        plots.seed_vs_corrected(sweep.drop(columns="seed_index_entropy"))
    _render(fig)


def test_class_counts_annotates_counts(digits):
    _, y = digits
    fig = plots.class_counts(y)
    (ax,) = fig.axes
    assert [p.get_height() for p in ax.patches] == list(np.bincount(y))
    assert f"{np.bincount(y)[0]:,}" in _all_text(fig)
    assert ax.get_xlabel() == "Digit" and ax.get_ylabel() == "Number of images"
    _render(fig)


def test_class_counts_on_given_axes(digits):
    fig, (a, b) = plt.subplots(1, 2)
    assert plots.class_counts(digits[1], ax=b) is fig
    assert len(b.patches) == 10 and not a.patches


@pytest.mark.parametrize("normalize", [False, True, "column"])
def test_confusion_heatmap(digits, normalize):
    _, y = digits
    clusters = y % 4
    table = pd.crosstab(clusters, y)
    fig = plots.confusion_heatmap(table, normalize=normalize)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Digit" and ax.get_ylabel() == "Cluster"
    values = ax.collections[0].get_array().reshape(4, 10)
    if normalize is False:
        np.testing.assert_array_equal(values, table.to_numpy())
        assert f"{table.iloc[0, 0]:,}" in _all_text(fig)
    else:
        axis = 0 if normalize == "column" else 1
        np.testing.assert_allclose(values.sum(axis=axis), 1.0)
    _render(fig)


def test_confusion_heatmap_ndarray_with_empty_row():
    counts = np.array([[3, 0], [0, 0]])
    fig = plots.confusion_heatmap(counts, normalize=True, annot=False)
    values = fig.axes[0].collections[0].get_array().reshape(2, 2)
    np.testing.assert_array_equal(values, [[1, 0], [0, 0]])
    with pytest.raises(ValueError, match="normalize"):
        plots.confusion_heatmap(counts, normalize="diagonal")


def _seeds(sweep):
    """Three seeds of ``sweep`` (the other two at k <= 4 only), their purities shifted."""
    rows = []
    for seed in range(3):
        shifted = sweep.assign(seed=seed, purity=sweep["purity"] + 0.01 * seed,
                               test_purity=sweep["test_purity"] - 0.01 * seed)
        rows.append(shifted if seed == 0 else shifted[shifted["k"] <= 4])
    return pd.concat(rows)


def _spread(sweep):
    from mnist_clustering.uncertainty import seed_summary

    return seed_summary(_seeds(sweep), ["purity", "test_purity"])


def _gap_spread(sweep):
    """A summary over seeds of train purity and of test minus train (3 seeds at k <= 4)."""
    table = _seeds(sweep)
    table[PURITY_GAP] = table["test_purity"] - table["purity"]
    from mnist_clustering.uncertainty import seed_summary

    return seed_summary(table, ["purity", PURITY_GAP])


def test_purity_curves_draw_test_minus_train_on_its_own_axis(sweep):
    spread = _gap_spread(sweep)
    fig = plots.purity_curves(sweep, spread)
    left, right = fig.axes
    ordered = sweep.sort_values("k")
    np.testing.assert_array_equal(left.lines[0].get_xdata(), ordered["k"])
    np.testing.assert_allclose(left.lines[0].get_ydata(), ordered["purity"])
    # the difference, which is invisible between two overlapping curves, has its own panel
    (gap,) = [line for line in right.lines if "test minus train" in line.get_label()]
    np.testing.assert_allclose(gap.get_ydata(), ordered["test_purity"] - ordered["purity"])
    # with the range over seeds where several ran: bars from the lowest to the highest seed
    several = spread[~spread["single_seed"] & (spread["score"] == PURITY_GAP)]
    bars = right.collections[-1].get_segments()
    assert [seg[0][0] for seg in bars] == several["k"].tolist()
    np.testing.assert_allclose([(seg[0][1], seg[1][1]) for seg in bars],
                               np.column_stack([several["min"], several["max"]]))
    (legend,) = fig.legends  # one legend for both panels
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels[:2] == ["train purity, one run (seed 0)", "test purity, one run (seed 0)"]
    assert "mean and range over seeds (where several ran)" in labels
    assert left.get_legend() is None and right.get_legend() is None
    assert "above zero at 0 of 8 k" in fig.alt_text  # test purity is below train here
    _render(fig)


def test_purity_curves_need_both_purities(sweep):
    fig = plots.purity_curves(sweep)  # no spread: the single run only
    assert not fig.axes[1].collections
    with pytest.raises(ValueError, match="test_purity"):
        plots.purity_curves(sweep.drop(columns="test_purity"))


def test_k_spanning_two_to_256_is_on_a_log_axis(sweep):
    wide = pd.concat([sweep, sweep.assign(k=sweep["k"] * 7)], ignore_index=True)
    assert plots.purity_curves(wide).axes[0].get_xscale() == "log"
    assert plots.purity_curves(sweep).axes[0].get_xscale() == "linear"  # k = 2..37
    curves = plots.sweep_curves(wide, ["purity", "inertia"])
    assert [ax.get_xscale() for ax in curves.axes[:2]] == ["log", "log"]
    assert "(log scale)" in curves.axes[0].get_xlabel() and "log axis" in curves.alt_text
    assert plots.sweep_curves(sweep, ["purity"]).axes[0].get_xscale() == "linear"
    table = pd.DataFrame({"k": [2, 10, 256], "mean_ari": [0.9, 0.7, 0.4],
                          "min_ari": [0.8, 0.5, 0.3], "n_seeds": [10, 20, 5]})
    fig = plots.stability_curve(table)
    assert fig.axes[0].get_xscale() == "log"
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()][:3] == ["2", "5", "10"]


def test_sweep_bands_draws_mean_interval_range_and_single_seeds(sweep):
    spread = _spread(sweep)
    fig = plots.sweep_bands(spread, ["purity"])
    (ax,) = fig.axes
    several = spread[~spread["single_seed"] & (spread["score"] == "purity")]
    mean_line, single = ax.lines
    np.testing.assert_allclose(mean_line.get_ydata(), several["mean"])
    assert list(single.get_xdata()) == spread.loc[spread["single_seed"] & (
        spread["score"] == "purity"), "k"].tolist()
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [
        "min-max over seeds", "95% interval of the mean", "mean over seeds", "one seed only"]
    with pytest.raises(ValueError, match="no rows"):
        plots.sweep_bands(spread, ["silhouette"])


def test_sweep_bands_title_states_the_true_seed_counts(sweep):
    rows = []
    for seed in range(20):
        rows.append(sweep[sweep["k"] <= 12] if seed < 10 else sweep[sweep["k"] == 7])
    table = pd.concat([part.assign(seed=seed) for seed, part in enumerate(rows)])
    from mnist_clustering.uncertainty import seed_summary

    fig = plots.sweep_bands(seed_summary(table, ["purity", "silhouette"]),
                            ["purity", "silhouette"], title="K-Means over seeds")
    assert fig.get_suptitle() == "K-Means over seeds (10 seeds per k, 20 at k = 7)"
    assert len(fig.legends) == 1 and all(ax.get_legend() is None for ax in fig.axes)


def test_stability_curve():
    table = pd.DataFrame({"k": [2, 3, 4], "mean_ari": [0.9, 0.7, 0.8], "min_ari": [0.8, 0.5, 0.6],
                          "n_seeds": 10})
    fig = plots.stability_curve(table)
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), [0.9, 0.7, 0.8])
    assert "10 seeds per k" in fig.alt_text
    assert "highest at k = 2 (0.9) and lowest at k = 3 (0.7)" in fig.alt_text


def test_normalisation_histogram_is_one_histogram_on_two_scales(digits):
    raw = (digits[0][:50] * 255 / 16).astype(np.uint8)
    prepared = raw.astype(np.float32) / 255.0
    fig = plots.normalisation_histogram(raw, prepared)
    (ax,) = [a for a in fig.axes if a.patches]  # one histogram, not two identical ones
    assert ax.get_yscale() == "log" and ax.get_xlim()[1] >= 255
    assert "uint8" in ax.get_xlabel()
    assert ax.patches[0].get_data().values.sum() == raw.size
    # the prepared scale is a second axis on the same histogram: 255 on one is 1 on the other
    (top,) = [child for child in ax.get_children()
              if type(child).__name__ == "SecondaryAxis"]
    assert "float32" in top.get_xlabel()
    assert top._functions[0](255.0) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="same images"):
        plots.normalisation_histogram(raw, prepared[:10])
    _render(fig)


@pytest.mark.parametrize("k", [5, 60])
def test_cluster_sizes_sorted(k):
    clusters = np.random.default_rng(0).integers(0, k - 1, 2000)  # last cluster empty
    fig = plots.cluster_sizes(clusters, k)
    (ax,) = fig.axes
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == k and heights == sorted(heights, reverse=True)
    assert heights[-1] == 0 and sum(heights) == 2000
    assert f"k = {k}" in ax.get_title()
    _render(fig)


def test_seed_vs_corrected_overlays_log_n_over_k(sweep):
    fig = plots.seed_vs_corrected(sweep, n=60000)
    left = fig.axes[0]
    (reference,) = [line for line in left.lines if line.get_label().startswith("log(n / k)")]
    ks = np.sort(sweep["k"].unique())
    np.testing.assert_allclose(reference.get_ydata(), np.log(60000 / ks))
    assert "log(n / k)" in fig.alt_text
    # without n (and no n_samples column), no reference line
    plain = plots.seed_vs_corrected(sweep)
    assert not [line for line in plain.axes[0].lines if "log" in line.get_label()]


# every figure function of the module: the public functions that return a Figure
FIGURE_FUNCTIONS = sorted(
    name for name in plots.__all__ if callable(getattr(plots, name))
    and inspect.signature(inspect.unwrap(getattr(plots, name))).return_annotation
    in ("Figure", Figure))


def test_the_figure_functions_are_read_from_all():
    assert len(FIGURE_FUNCTIONS) >= 13
    assert {"purity_by_space", "embedding_pair", "sweep_curves"} <= set(FIGURE_FUNCTIONS)
    assert not {"show", "style", "set_style"} & set(FIGURE_FUNCTIONS)


def _purity_by_space():
    index = pd.Index([2, 10, 100], name="k")
    columns = pd.MultiIndex.from_product([["raw", "umap"], ["mean", "min", "max", "seeds"]],
                                         names=["space", "statistic"])
    values = [[0.3, 0.2, 0.4, 3, 0.4, 0.3, 0.5, 3], [0.6, 0.5, 0.7, 3, 0.8, 0.7, 0.9, 3],
              [0.9, 0.9, 0.9, 1, 0.95, 0.95, 0.95, 1]]
    return pd.DataFrame(values, index=index, columns=columns)


def _figures(digits, sweep):
    """One figure of every figure function, drawn from small inputs."""
    x, y = digits
    rng = np.random.default_rng(0)
    figures = {
        "image_grid": plots.image_grid(x[:4], ["a", "b", "c", "d"]),
        "cluster_galleries": plots.cluster_galleries(x, y, [0, 1], n=4),
        "sweep_curves": plots.sweep_curves(sweep, ["inertia"]),
        "seed_vs_corrected": plots.seed_vs_corrected(sweep),
        "purity_curves": plots.purity_curves(sweep, _gap_spread(sweep)),
        "sweep_bands": plots.sweep_bands(_spread(sweep), ["purity", "test_purity"]),
        "stability_curve": plots.stability_curve(pd.DataFrame(
            {"k": [2, 3], "mean_ari": [0.9, 0.8], "min_ari": [0.8, 0.7], "n_seeds": 5})),
        "class_counts": plots.class_counts(y),
        "confusion_heatmap": plots.confusion_heatmap(np.eye(3)),
        "normalisation_histogram": plots.normalisation_histogram(x, x / 16),
        "cluster_sizes": plots.cluster_sizes(y, 10),
        "purity_by_space": plots.purity_by_space(_purity_by_space()),
        "embedding_pair": plots.embedding_pair(rng.normal(size=(40, 2)), y[:40], y[:40] % 3),
        "accuracy_by_epochs": plots.accuracy_by_epochs(pd.DataFrame({
            "epochs": [10, 20, 40], "s per epoch": 8.5, "K-Means ACC": [0.96, 0.97, 0.98],
            "K-Means min": [0.95, 0.97, 0.98], "K-Means max": [0.97, 0.975, 0.98],
            "mixture ACC": [0.961, 0.971, 0.981], "mixture min": [0.96, 0.97, 0.98],
            "mixture max": [0.962, 0.972, 0.982]})),
    }
    assert sorted(figures) == FIGURE_FUNCTIONS  # a new figure function must be added here
    return figures


def test_every_figure_function_describes_its_figure(digits, sweep):
    for name, fig in _figures(digits, sweep).items():
        assert isinstance(getattr(fig, "alt_text", None), str), name
        assert len(fig.alt_text) > 20, (name, fig.alt_text)


def test_every_figure_function_uses_the_style(digits, sweep):
    # whatever the global settings, a figure is drawn in the project's style
    with matplotlib.rc_context({"axes.facecolor": "red", "font.size": 30}):
        figures = _figures(digits, sweep)
    expected = plots.theme._style_rc()
    for name, fig in figures.items():
        for ax in fig.axes:
            assert ax.get_facecolor() == matplotlib.colors.to_rgba(expected["axes.facecolor"]), name
            assert ax.xaxis.label.get_fontsize() == expected["axes.labelsize"], name


def test_large_values_have_no_offset_text(sweep):
    fig = plots.sweep_curves(sweep.assign(inertia=sweep["inertia"] * 1e4), ["inertia"])
    _render(fig)
    assert fig.axes[0].yaxis.get_offset_text().get_text() == ""
    assert isinstance(fig.axes[0].yaxis.get_major_formatter(), matplotlib.ticker.EngFormatter)


def test_image_grid_panels_widen_for_long_titles(digits):
    short = plots.image_grid(digits[0][:2], ["a", "b"], n_cols=2)
    long = plots.image_grid(digits[0][:2], ["cluster 10 → 0 (90%)"] * 2, n_cols=2)
    assert long.get_figwidth() > short.get_figwidth()


def test_embedding_pair_colours_each_cluster_as_its_matched_digit():
    rng = np.random.default_rng(0)
    digits = np.repeat(np.arange(10), 30)
    xy = rng.normal(size=(300, 2)) + digits[:, None] * 5
    clusters = (digits + 3) % 10  # the ids are a permutation of the digits
    clusters[:30] = 4  # the 0s fall in the cluster of the 1s: one cluster is left empty
    fig = plots.embedding_pair(xy, digits, clusters)
    by_digit, by_cluster = (ax.collections[0].get_facecolors() for ax in fig.axes[:2])
    # every point whose cluster is matched to its digit has the same colour in both panels
    same = (clusters == (digits + 3) % 10)
    np.testing.assert_allclose(by_digit[same], by_cluster[same])
    labels = {t.get_text() for t in fig.axes[1].texts}
    assert "c4→1" in labels and "c5→2" in labels
    # the palette is seaborn's colour-blind one, shared by both panels
    import seaborn

    palette = np.asarray(seaborn.color_palette("colorblind", 10))
    np.testing.assert_allclose(by_digit[0, :3], palette[0])
    assert "90.0% of the points fall in the cluster matched to their digit" in fig.alt_text


def test_every_figure_has_one_legend_at_most(digits, sweep):
    for name, fig in _figures(digits, sweep).items():
        legends = len(fig.legends) + sum(ax.get_legend() is not None for ax in fig.axes)
        assert legends <= 1, name


def test_show_writes_the_png_at_150_dpi_or_more(digits, monkeypatch):
    import IPython.display
    from PIL import Image

    shown = []
    monkeypatch.setattr(IPython.display, "display",
                        lambda *args, **kwargs: shown.append(args[0]))
    with matplotlib.rc_context({"figure.dpi": 72, "savefig.dpi": 72}):  # as inline backends
        fig = plots.class_counts(digits[1])
        plots.show(fig)
    width = Image.open(io.BytesIO(shown[0]["image/png"])).size[0]
    assert plots.DPI >= 150 and width >= 0.9 * fig.get_figwidth() * plots.DPI


def test_show_displays_png_with_alt_metadata(digits, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display",
                        lambda *args, **kwargs: shown.append((args, kwargs)))
    fig = plots.class_counts(digits[1])
    plots.show(fig)
    ((data,), kwargs), = shown
    assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert kwargs["metadata"] == {"image/png": {"alt": fig.alt_text}} and kwargs["raw"]
    plots.show(fig, alt="my words")
    assert shown[-1][1]["metadata"]["image/png"]["alt"] == "my words"
    fig.alt_text = ""
    with pytest.raises(ValueError, match="alt="):
        plots.show(fig)


def test_accuracy_by_epochs_draws_the_mean_and_the_band_of_each_method():
    table = pd.DataFrame({"epochs": [10, 20, 40, 80], "s per epoch": [8.0, 9.0, 8.0, 9.0],
                          "K-Means ACC": [0.96, 0.97, 0.975, 0.979],
                          "K-Means min": [0.95, 0.965, 0.974, 0.978],
                          "K-Means max": [0.97, 0.975, 0.976, 0.98],
                          "mixture ACC": [0.962, 0.971, 0.976, 0.9789],
                          "mixture min": [0.96, 0.97, 0.975, 0.978],
                          "mixture max": [0.964, 0.972, 0.977, 0.98]})
    fig = plots.accuracy_by_epochs(table)
    ax = fig.axes[0]
    lines = [line for line in ax.get_lines() if line.get_label() and
             not line.get_label().startswith("_")]
    assert [line.get_label() for line in lines] == ["K-Means, best of 10 starts",
                                                    "Gaussian mixture, best of 10"]
    np.testing.assert_array_equal(lines[0].get_ydata(), table["K-Means ACC"])
    np.testing.assert_array_equal(lines[1].get_xdata(), table["epochs"])
    assert ax.get_xscale() == "log"
    assert "8.5 s per epoch" in ax.get_xlabel()
    assert "80 epochs 0.9790" in fig.alt_text
