"""Every number on the report's landing page (docs/index.md) agrees with the results tables.

The landing page is written by hand, so that it reads well; this test reads the committed
tables with the package's readers and recomputes each number it quotes with numpy
(mean, sd with ddof=1, min, max over the seeds). A number agrees when it is the table's
value rounded to the digits shown. When the results change, the failure says which cell
to update and to what.
"""

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mnist_clustering import load_results
from mnist_clustering.density import read_density
from mnist_clustering.results import table_name

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"
LANDING = ROOT / "docs" / "index.md"
DATASET = "mnist"


def _kmeans(space="raw", **params):
    def rows(k):
        table = load_results("kmeans", DATASET, RESULTS, space=space, **params)
        return table[table["k"] == k]
    return rows


def _density(space, method):
    def rows(k):
        table = read_density(RESULTS / table_name(DATASET, space=space) / "density.csv")
        table = table[table["method"] == method]
        if method == "hdbscan":
            return table.rename(columns={"n_clusters": "k"})
        return table[table["n_clusters"] == k].assign(k=k)
    return rows


def _trainings(space, **params):
    """One row per training seed of ``space`` (its folder, then ``<space>-seed<s>``): the
    mean over its clustering seeds, as the spread over training seeds is computed."""
    def rows(k):
        folders = sorted(RESULTS.joinpath(DATASET).glob(f"{space}-seed*"))
        trained = [0, *(int(folder.name.rsplit("-seed", 1)[1]) for folder in folders)]
        out = []
        for seed in trained:
            table = load_results("kmeans", DATASET, RESULTS, space=space, space_seed=seed,
                                 **params)
            at = table[table["k"] == k]
            out.append({"seed": seed, "k": k, "n_samples": int(at["n_samples"].iloc[0]),
                        "accuracy": at["accuracy"].mean(), "nmi": at["nmi"].mean()})
        return pd.DataFrame(out)
    return rows


# (space, method) as the landing page's table names them -> the rows that row summarises.
SOURCES = {
    ("raw pixels", "K-Means, one start"): _kmeans(),
    ("raw pixels", "K-Means, best of ten starts"): _kmeans(n_init=10),
    ("PCA", "K-Means"): _kmeans("pca"),
    ("UMAP", "K-Means"): _kmeans("umap"),
    ("UMAP", "HDBSCAN"): _density("umap", "hdbscan"),
    ("autoencoder", "K-Means"): _kmeans("autoencoder"),
    ("autoencoder + UMAP (N2D)", "K-Means, one start"): _kmeans("autoencoder-umap"),
    ("autoencoder + UMAP (N2D)", "K-Means, best of ten starts"): _kmeans("autoencoder-umap",
                                                                          n_init=10),
    ("autoencoder + UMAP (N2D), three trainings", "K-Means, best of ten starts"): _trainings(
        "autoencoder-umap", n_init=10),
    ("autoencoder + UMAP (N2D)", "Gaussian mixture, best of ten starts"): _density(
        "autoencoder-umap", "gmm"),
    ("autoencoder + UMAP (N2D)", "HDBSCAN"): _density("autoencoder-umap", "hdbscan"),
}
COLUMNS = ["space", "method", "k", "seeds", "accuracy", "range", "NMI"]
NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")


def _key_numbers_table():
    """The rows of the ``key-numbers`` table of the landing page, as dicts of cells."""
    text = LANDING.read_text(encoding="utf-8")
    block = re.search(r"```\{container\} key-numbers\n(.*?)```", text, flags=re.DOTALL)
    assert block, "docs/index.md has no ```{container} key-numbers table"
    lines = [line for line in block.group(1).splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == COLUMNS
    return [dict(zip(header, (cell.strip() for cell in line.strip("|").split("|"))))
            for line in lines[2:]]


ROWS = _key_numbers_table()


def _decimals(shown):
    return len(shown.split(".")[1]) if "." in shown else 0


def _agrees(shown, value):
    """``shown`` (text) is ``value`` rounded to the digits shown."""
    half_unit = 0.5 * 10.0 ** -_decimals(shown)
    # 1e-9: the float64 sums of the table's values, not a tolerance on the results
    return abs(float(shown.replace(",", "")) - value) <= half_unit + 1e-9


def _check(label, shown, value, problems):
    if not _agrees(shown, value):
        problems.append(f"{label}: the page says {shown}, the results give {value:.6g}")


def _check_spread(label, shown, values, problems):
    """``shown`` is 'mean ± sd' (several values) or a single value (one)."""
    if "±" in shown:
        mean, sd = (part.strip() for part in shown.split("±"))
        assert len(values) > 1, f"{label}: a spread of a single value"
        _check(f"{label} mean", mean, float(np.mean(values)), problems)
        _check(f"{label} sd", sd, float(np.std(values, ddof=1)), problems)
    else:
        assert len(values) == 1, f"{label}: {len(values)} values shown as one: give mean ± sd"
        _check(label, shown, float(values[0]), problems)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['space']} / {r['method']}" for r in ROWS])
def test_key_numbers_agree_with_the_results(row):
    where = (row["space"], row["method"])
    assert where in SOURCES, (f"the landing page has a row {where} this test does not know: "
                              "add where its numbers come from to SOURCES")
    k = int(row["k"])
    rows = SOURCES[where](k)
    assert len(rows), f"{where}: no results at k = {k}"
    label = " / ".join(where)
    if row["seeds"] == "—":
        assert len(rows) == 1 and rows["seed"].isna().all(), f"{label}: the method has seeds"
    else:
        assert int(row["seeds"]) == rows["seed"].nunique() == len(rows), label
    assert (rows["k"] == k).all(), label
    assert (rows["n_samples"] == 60000).all(), f"{label}: not the 60,000 training images"
    problems = []
    accuracy = rows["accuracy"].to_numpy(float)
    _check_spread(f"{label} accuracy", row["accuracy"], accuracy, problems)
    _check_spread(f"{label} NMI", row["NMI"], rows["nmi"].to_numpy(float), problems)
    if row["range"] == "—":
        assert len(accuracy) == 1, label
    else:
        low, high = row["range"].split("–")
        _check(f"{label} lowest accuracy", low, float(accuracy.min()), problems)
        _check(f"{label} highest accuracy", high, float(accuracy.max()), problems)
    assert not problems, "\n".join(problems)


def _prose():
    """The landing page's text outside the key-numbers table, without markup that is not
    read as text (roles' targets, directive options, file names, the toctree)."""
    text = LANDING.read_text(encoding="utf-8")
    text = re.sub(r"```\{container\} key-numbers\n.*?```", "", text, flags=re.DOTALL)
    text = re.sub(r"```\{toctree\}.*?```", "", text, flags=re.DOTALL)
    text = re.sub(r"\{[\w:]+\}`[^`]*`", "", text)          # {cite:p}`key`, {doc}`path`
    text = re.sub(r"^```\{\w+\}.*$", "", text, flags=re.MULTILINE)  # directive + argument
    lines = [line for line in text.splitlines()
             if not (line.startswith(":") and not line.startswith(":alt:"))]
    return "\n".join(lines)


def test_every_number_in_the_prose_is_one_of_the_table():
    shown = set()
    for row in ROWS:
        for column in ("k", "seeds", "accuracy", "range", "NMI"):
            shown |= set(NUMBER.findall(row[column]))
    allowed_integers = {"60,000"}  # the training images, checked in every row above
    problems = [number for number in NUMBER.findall(_prose())
                if number not in shown and number not in allowed_integers]
    assert not problems, (f"docs/index.md quotes {problems}, which its key-numbers table "
                          "does not show: add them to the table or take them out")


def test_the_prose_pairs_each_spread_with_its_table_row():
    # "0.960 ± 0.045" in the text must be one cell of the table, not a mean from one row
    # with the sd of another.
    cells = {row[column] for row in ROWS for column in ("accuracy", "NMI")}
    for pair in re.findall(r"\d\.\d+ ± \d\.\d+", _prose()):
        assert pair in cells, pair


def test_the_headline_figure_exists():
    figures = re.findall(r"```\{figure\} (\S+)", LANDING.read_text(encoding="utf-8"))
    assert figures, "the landing page has no figure"
    for figure in figures:
        assert (LANDING.parent / figure).resolve().is_file(), figure


def test_agreement_rule():
    assert _agrees("0.538", 0.5385 - 1e-6) and not _agrees("0.538", 0.5391)
    assert _agrees("60,000", 60000) and _agrees("0.5", 0.54) and not _agrees("0.5", 0.56)
    assert math.isclose(0.5 * 10.0 ** -_decimals("0.538"), 0.0005)
