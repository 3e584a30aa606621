"""Every command and code example the README (and docs/*.md) shows runs, against the
committed results.

What is extracted, so that a restructured README keeps being checked:

- every fenced code block tagged ``python``: executed;
- every line of any other fenced block that starts with ``mnist-clustering``: run through
  the command's entry point (a trailing ``# comment`` dropped).

How each runs:

- ``sweep`` (presets included), ``best``, ``data fetch`` and ``--help``: for real,
  against a temporary copy of the committed ``results/`` (``MNIST_CLUSTERING_RESULTS``),
  with every model fit forbidden: the committed results hold every row they show, so
  they only read (a sweep with nothing left to compute loads no data), and the copy must
  come out unchanged. ``best``'s ranking is checked against pandas on the CSV.
- a placeholder scheduler (``tcp://HOST:8786``) is replaced by a real local Dask
  scheduler's address;
- ``embed`` builds a feature space: on 60,000 images that takes minutes (the autoencoder
  a quarter of an hour), so it runs on scikit-learn's digits in a temporary cache;
- ``reproduce`` executes the notebooks, which ``make test`` already does (nbval): its
  arguments are only parsed.

The README's benchmark lines (``.venv/bin/python benchmarks/...``) time full-data runs of
minutes to hours: their scripts are checked to exist and compile, not run.
"""

import hashlib
import logging
import py_compile
import re
import shlex
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mnist_clustering
from mnist_clustering import evaluate
from mnist_clustering.cli import build_parser, main
from mnist_clustering.scores import SCORE_DIRECTIONS

PROJECT = Path(mnist_clustering.__file__).resolve().parents[1]
DOCUMENTS = [PROJECT / "README.md", *sorted((PROJECT / "docs").glob("**/*.md"))]
FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
                   re.MULTILINE | re.DOTALL)


def _blocks():
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            yield path, line, match["info"].strip().split(" ")[0].lower(), match["body"]


PYTHON = [(path, line, body) for path, line, info, body in _blocks() if info == "python"]
COMMANDS = [(path, line + 1 + number, text.strip())
            for path, line, info, body in _blocks() if info != "python"
            for number, text in enumerate(body.splitlines())
            if text.strip().startswith("mnist-clustering ")]
BENCHMARKS = sorted({name for _, _, _, body in _blocks()
                     for name in re.findall(r"benchmarks/\w+\.py", body)})


def _id(path, line, text):
    return f"{path.name}:{line}: {text[:60]}"


def test_the_extraction_finds_the_readmes_examples():
    # a README restructured so that nothing is extracted would pass every test below
    assert len(COMMANDS) >= 10 and PYTHON and BENCHMARKS
    shown = {shlex.split(c, comments=True)[1] for _, _, c in COMMANDS}
    assert {"data", "sweep", "best"} <= shown


@pytest.fixture(scope="module")
def committed_copy(tmp_path_factory):
    """A temporary copy of the committed results."""
    copy = tmp_path_factory.mktemp("committed") / "results"
    shutil.copytree(PROJECT / "results", copy)
    return copy


def _fingerprint(folder):
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file() and ".lock" not in path.name}


@pytest.fixture
def against_the_committed_results(committed_copy, monkeypatch):
    monkeypatch.setenv("MNIST_CLUSTERING_RESULTS", str(committed_copy))

    def refuse(*args, **kwargs):
        raise AssertionError("a model was fitted: the committed results lack a row shown")

    monkeypatch.setattr(evaluate, "fit_clustering", refuse)
    before = _fingerprint(committed_copy)
    yield committed_copy
    assert _fingerprint(committed_copy) == before, "running the example changed the results"


@pytest.fixture(scope="module")
def scheduler_address():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        yield cluster.scheduler_address


def _best_oracle(results, args):
    """The k ``best`` must list, from pandas on the CSV: each k's mean over its seeds
    (or one seed's value), in the score's direction, ties by k."""
    options = dict(zip(args[1::2], args[2::2]))
    table = pd.read_csv(results / "mnist" / f"{options['--method']}.csv")
    if "--seed" in options:
        table = table[table["seed"] == int(options["--seed"])]
    score = options["--score"]
    means = table.groupby("k")[score].mean().dropna().reset_index()
    means = means.sort_values(["k"]).sort_values(score, kind="stable",
                                                 ascending=SCORE_DIRECTIONS[score] == "min")
    return means["k"].head(int(options.get("-n", 5))).tolist()


@pytest.mark.parametrize("path, line, command", COMMANDS, ids=[_id(*c) for c in COMMANDS])
def test_every_command_shown_runs(path, line, command, request, capsys, tmp_path, monkeypatch):
    args = shlex.split(command, comments=True)[1:]
    if "--help" in args:
        with pytest.raises(SystemExit) as exit_info:
            main(args)
        assert exit_info.value.code == 0 and capsys.readouterr().out.strip()
        return
    if args[0] == "reproduce":
        assert build_parser().parse_args(args).command == "reproduce"
        return
    if args[0] == "embed":
        monkeypatch.setenv("MNIST_CLUSTERING_CACHE", str(tmp_path / "cache"))
        args += ["--dataset", "digits", "--no-progress"]
    else:
        results = request.getfixturevalue("against_the_committed_results")
    if any("HOST" in arg for arg in args):
        address = request.getfixturevalue("scheduler_address")
        args = [re.sub(r"tcp://HOST:\d+", address, arg) for arg in args]
    status = main(args)
    out, err = capsys.readouterr()
    assert status == 0, f"{path.name} line {line}: `{command}` failed: {err}"
    if args[0] == "best":
        listed = [int(row.split()[0]) for row in out.strip().splitlines()[1:]
                  if row.split() and row.split()[0].isdigit()]
        assert listed == _best_oracle(results, args)
        if "--seed" not in args:
            assert "mean over the seeds" in out and "95%" in out


@pytest.mark.parametrize("path, line, code", PYTHON, ids=[_id(*c) for c in PYTHON])
def test_every_python_example_runs(path, line, code, against_the_committed_results, tmp_path,
                                   monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__readme__"}
    exec(compile(code, f"{path.name}:{line}", "exec"), namespace)  # noqa: S102


def test_the_readmes_python_example_returns_what_it_says(against_the_committed_results):
    from mnist_clustering import best_k, load_results, run_sweep

    table = run_sweep("kmeans", "2:80")  # the README's example
    assert table["k"].tolist() == list(range(2, 80)) and set(table["seed"]) == {0}
    top = best_k(load_results("kmeans"), "silhouette", n=5)
    assert top["n_seeds"].min() >= 1 and len(top) == 5
    assert np.all(np.diff(top["silhouette"]) <= 0)


@pytest.mark.parametrize("name", BENCHMARKS)
def test_every_benchmark_the_readme_names_exists_and_compiles(name):
    py_compile.compile(str(PROJECT / name), doraise=True)
