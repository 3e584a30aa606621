"""The score registry: one definition per column, read by every table, list and axis."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from mnist_clustering import density, notebook2022, plots, results, scores  # noqa: E402


def test_the_two_schemas_have_distinct_names_and_one_definition_per_column():
    # results.COLUMNS are the names of a sweep table, scores.SWEEP_SCHEMA their definitions
    assert results.COLUMNS == tuple(column.name for column in scores.SWEEP_SCHEMA)
    assert not hasattr(scores, "COLUMNS")
    for schema in (scores.SWEEP_SCHEMA, scores.DENSITY_SCHEMA):
        names = [column.name for column in schema]
        assert len(names) == len(set(names))


def test_every_score_list_names_columns_of_the_schema():
    for names in (scores.LABEL_SCORES, scores.CLI_COLUMNS, scores.SCORE_DIRECTIONS,
                  scores.TABLE_LABELS, notebook2022.TABLE_LABELS, notebook2022.AXIS_LABELS):
        assert set(names) <= set(scores.BY_NAME), names
    assert set(scores.LABEL_SCORES) <= set(scores.SCORE_DIRECTIONS)


def test_density_csv_columns_are_the_registry_schema():
    # the committed density tables are read with the schema derived from the registry
    expected = {"space": "str", "n_samples": "int", "method": "str", "seed": "int?",
                "params": "str", "n_clusters": "int", "noise_share": "float?",
                "accuracy": "float", "nmi": "float", "ari": "float", "purity": "float",
                "accuracy_clustered": "float?", "nmi_clustered": "float?",
                "ari_clustered": "float?", "purity_clustered": "float?",
                "fit_seconds": "float"}
    assert list(density.DENSITY_COLUMNS.items()) == list(expected.items())
    assert list(density.DENSITY_COLUMNS) == [c.name for c in scores.DENSITY_SCHEMA]


def test_the_2022_names_of_its_entropy_come_from_notebook2022():
    for column in ("label_entropy", "seed_index_entropy"):
        assert scores.TABLE_LABELS[column] == notebook2022.TABLE_LABELS[column]
    assert scores.AXIS_LABELS["seed_index_entropy"] == notebook2022.AXIS_LABELS["seed_index_entropy"]
    # "seed" means a random seed: no label calls the 2022 notebook "the seed"
    for label in [*scores.TABLE_LABELS.values(), *scores.AXIS_LABELS.values()]:
        assert "seed's" not in label.lower(), label


def test_every_published_figure_links_to_its_source():
    for reference in scores.LITERATURE:
        assert reference.url.startswith(("https://doi.org/", "https://")), reference
    assert list(scores.literature().columns)[-1] == "url"


def test_inertia_is_labelled_in_the_unit_of_the_method():
    assert "squared" in scores.axis_label("inertia")
    assert "squared" in scores.axis_label("inertia", "kmeans")
    for method in ("kmedoids-alternate", "kmedoids-fasterpam"):
        label = scores.axis_label("inertia", method)
        assert "distances to the medoid" in label and "squared" not in label
    assert scores.axis_label("silhouette", "kmedoids-alternate") == scores.AXIS_LABELS["silhouette"]


@pytest.mark.parametrize("method, unit", [("kmeans", "squared distances"),
                                          ("kmedoids-alternate", "distances to the medoid")])
def test_a_sweep_figure_labels_inertia_in_its_methods_unit(method, unit):
    table = pd.DataFrame({"method": method, "k": [2, 3, 4], "inertia": [3.0, 2.0, 1.0]})
    fig = plots.sweep_curves(table, ["inertia"])
    assert unit in fig.axes[0].get_ylabel().replace("\n", " ")
    assert unit in fig.alt_text
    # several methods on one axis: no single unit, the registry's default label
    both = pd.concat([table, table.assign(method="kmedoids-fasterpam")])
    fig = plots.sweep_curves(both, ["inertia"], hue="method")
    assert fig.axes[0].get_ylabel().replace("\n", " ") == plots.theme._wrap(
        scores.AXIS_LABELS["inertia"]).replace("\n", " ")
    plt.close("all")


def test_the_committed_density_tables_read_with_the_derived_schema():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "results" / "mnist"
    paths = sorted(root.glob("*/density.csv"))
    assert paths, "no committed density.csv"
    for path in paths:
        table = density.read_density(path)
        assert list(table.columns) == list(density.DENSITY_COLUMNS)
        assert set(table["method"]) <= {"gmm", "hdbscan"}
