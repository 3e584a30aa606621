"""The command line: sweeps, best k, and clear errors (digits, temporary results)."""

import sys
from pathlib import Path

import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, silhouette_score
from threadpoolctl import threadpool_limits

from mnist_clustering.cli import main
from mnist_clustering.sweep import COLUMNS, SweepData, load_results

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contract as C


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_sweep_then_best(tmp_path, capsys):
    status, out, err = run(capsys, "sweep", "--method", "kmeans", "--k", "2:5", "--keep", "3",
                           "--dataset", "digits", "--results-dir", str(tmp_path), "--no-progress")
    assert status == 0, err
    table = load_results("kmeans", "digits", tmp_path)
    assert list(table.columns) == list(COLUMNS)
    assert list(table["k"]) == [2, 3, 4]
    assert (tmp_path / "digits" / "artifacts" / "kmeans-k3.npz").exists()
    # Every row against scikit-learn run directly on the same images: the same K-Means
    # (seed 0, one thread) gives the same inertia and labels; the scores of those labels.
    data = SweepData("digits")
    for k, row in table.set_index("k").iterrows():
        with threadpool_limits(limits=1):
            km = KMeans(k, n_init=1, max_iter=300, algorithm="elkan", random_state=0).fit(data.X)
        assert row["inertia"] == pytest.approx(km.inertia_, rel=C.TABLE_REL)
        assert row["n_iter"] == km.n_iter_
        counts = pd.crosstab(km.labels_, data.y).to_numpy()
        assert row["purity"] == pytest.approx(counts.max(axis=1).sum() / len(data.y),
                                              rel=C.TABLE_REL)
        assert row["calinski_harabasz"] == pytest.approx(
            calinski_harabasz_score(data.X, km.labels_), rel=C.TABLE_REL)
        # The contract's bound is derived for MNIST (784 features, F <= 8); digits have
        # 64-term inner products (DOT_REL 3.5x smaller) and F <= 16: (2.9e-6 + 3u) / 2
        # * 16 + u = 2.5e-5 < MEAN_DISTANCE_REL, so SILHOUETTE_ABS covers them too.
        assert row["silhouette"] == pytest.approx(
            silhouette_score(data.X, km.labels_), abs=C.SILHOUETTE_ABS + C.TABLE_REL)
    # The printed table: one line per k, its numbers those of the written table
    # (printed with 6 decimals or 10 significant digits).
    lines = out.strip().splitlines()
    header = lines[0].split()
    assert header[0] == "k" and {"inertia", "silhouette", "purity"} <= set(header)
    printed = [dict(zip(header, map(float, line.split()))) for line in lines[1:]]
    assert [int(p["k"]) for p in printed] == [2, 3, 4]
    for p, (_, row) in zip(printed, table.iterrows()):
        for column in header[1:]:
            if column != "fit_seconds":
                assert p[column] == pytest.approx(row[column], rel=1e-9, abs=5e-7), column

    status, out, err = run(capsys, "best", "--method", "kmeans", "--score", "label_entropy",
                           "-n", "2", "--dataset", "digits", "--results-dir", str(tmp_path))
    assert status == 0, err
    best = table.nsmallest(2, "label_entropy")["k"].tolist()
    lines = out.strip().splitlines()
    assert [int(line.split()[0]) for line in lines[1:3]] == best


def test_progress_bar_shows_k_and_eta(tmp_path, capsys):
    status, _, err = run(capsys, "sweep", "--method", "kmeans", "--k", "2,3", "--dataset", "digits",
                         "--results-dir", str(tmp_path), "--silhouette", "300")
    assert status == 0
    assert "kmeans" in err and "k=3" in err and "2/2" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["sweep", "--method", "kmeans", "--k", "1:4"], ">= 2"),
        (["sweep", "--method", "kmeans", "--k", "2:x"], "malformed"),
        (["sweep", "--method", "kmeans", "--k", "2:5000"], "larger than the number of samples"),
        (["sweep", "--method", "kmeans"], "--k is required"),
        (["sweep", "--method", "kmeans", "--k", "2:4", "--workers", "0"], "workers must be an integer >= 1"),
        (["sweep", "--preset", "studies", "--space-seed", "2"], "drop --space-seed"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path, capsys, argv, message):
    status, _, err = run(capsys, *argv, "--dataset", "digits", "--results-dir", str(tmp_path))
    assert status == 2
    assert "error" in err and message in err


def test_best_with_unknown_score_lists_the_scores(tmp_path, capsys):
    run(capsys, "sweep", "--method", "kmeans", "--k", "2:4", "--dataset", "digits",
        "--results-dir", str(tmp_path), "--no-progress")
    status, _, err = run(capsys, "best", "--method", "kmeans", "--score", "colour",
                         "--dataset", "digits", "--results-dir", str(tmp_path))
    assert status == 2
    assert "colour" in err and "silhouette" in err


def test_best_on_missing_table_says_how_to_compute_it(tmp_path, capsys):
    status, _, err = run(capsys, "best", "--method", "kmedoids-alternate", "--score", "silhouette",
                         "--dataset", "digits", "--results-dir", str(tmp_path))
    assert status == 2
    assert "mnist-clustering sweep --method kmedoids-alternate" in err


def test_the_command_a_missing_table_names_computes_that_table(tmp_path, capsys):
    import re
    import shlex

    where = dict(dataset="digits", results_dir=tmp_path, n_samples=300, n_init=3)
    with pytest.raises(FileNotFoundError) as missing:
        load_results("kmeans", **where)
    (command,) = re.findall(r"`(mnist-clustering sweep [^`]*)`", str(missing.value))
    argv = shlex.split(command.replace("--k ...", "--k 2:4"))[1:] + ["--no-progress"]
    status, _, err = run(capsys, *argv)
    assert status == 0, err
    assert list(load_results("kmeans", **where)["k"]) == [2, 3]


def test_unknown_method_is_rejected_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["sweep", "--method", "dbscan", "--k", "2"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_corrupted_table_is_reported_and_kept(tmp_path, capsys):
    folder = tmp_path / "digits"
    folder.mkdir()
    (folder / "kmeans.csv").write_text("not,a,table\n1\n")
    status, _, err = run(capsys, "sweep", "--method", "kmeans", "--k", "2", "--dataset", "digits",
                         "--results-dir", str(tmp_path), "--no-progress")
    assert status == 2 and "corrupted" in err
    assert (folder / "kmeans.csv").read_text() == "not,a,table\n1\n"
