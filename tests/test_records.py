"""No damaged record is trusted: pending silhouette labels, kept artefacts and labels carry
their own checksum; every table row its own digest; values no score can take are refused.

Each test damages a record the way a disk, an editor or a spreadsheet would, then checks
what a later run does: it names the file (and the line where the bad row starts) and the
fix, and a re-run recomputes what was damaged, never counting it as done. Digits, with
temporary results directories.
"""

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import silhouette_score

from mnist_clustering import distances, evaluate
from mnist_clustering.cli import main
from mnist_clustering.records import (
    CHECKSUM_MEMBER, DamagedRecordError, add_checksum, read_record, write_record,
)
from mnist_clustering.results import (
    COLUMNS, DIGEST_COLUMN, HEADER, STUDIES_FOLDER, ResultsError, ResultsStore, add_checks,
    default_results_dir, read_study,
)
from mnist_clustering.sweep import (
    SweepData, load_artifacts, load_labels, load_results, run_sweep,
)

SAME = [c for c in COLUMNS if c not in ("fit_seconds", "score_seconds")]


@pytest.fixture(scope="module")
def digits_data():
    return SweepData("digits")


def _sweep(results, ks, digits_data, **options):
    return run_sweep("kmeans", ks, dataset="digits", results_dir=results, progress=False,
                     data=digits_data, **options)


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def _interrupted_sweep(results, ks, digits_data, monkeypatch):
    """A sweep stopped before its silhouettes: every row pending, its labels kept."""
    monkeypatch.setattr(distances, "silhouette_scores", _interrupt)
    with pytest.raises(KeyboardInterrupt):
        _sweep(results, ks, digits_data)
    monkeypatch.undo()
    return results / "digits" / ".pending-silhouettes" / "kmeans"


def _fitted(monkeypatch):
    """The k fitted from now on (a list filled as the sweep runs)."""
    real, fitted = evaluate.evaluate_k, []
    monkeypatch.setattr(evaluate, "evaluate_k",
                        lambda *a, **kw: fitted.append(a[2]) or real(*a, **kw))
    return fitted


def _rewrite_npz(path, **arrays):
    """Replace a record's arrays, keeping its old checksum (a bit flip that still reads)."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    path.write_bytes(buffer.getvalue())


# --------------------------------------------------------------------------- pending records
def test_a_pending_record_with_one_label_changed_is_recomputed_not_trusted(
        tmp_path, digits_data, monkeypatch, capsys):
    # the probe: one label changed (still in range) gave a wrong silhouette, exit 0
    folder = _interrupted_sweep(tmp_path, "2:12", digits_data, monkeypatch)
    (record,) = folder.glob("k7-seed0-*.npz")
    with np.load(record) as stored:
        labels, checksum = stored["labels"].copy(), stored[CHECKSUM_MEMBER]
    labels[0] = (labels[0] + 1) % 7
    _rewrite_npz(record, labels=labels, **{CHECKSUM_MEMBER: checksum})
    fitted = _fitted(monkeypatch)
    table = _sweep(tmp_path, "2:12", digits_data)
    assert fitted == [7]  # that row alone is fitted again
    err = capsys.readouterr().err
    assert str(record) in err and "checksum" in err and "recomputed" in err
    clean = _sweep(tmp_path / "clean", "2:12", digits_data)
    pd.testing.assert_frame_equal(table[SAME], clean[SAME])
    # the oracle of the repaired row: scikit-learn's silhouette of that fit's labels
    kept = _sweep(tmp_path / "kept", "7", digits_data, keep="7")
    labels = load_artifacts("kmeans", 7, "digits", tmp_path / "kept")["labels"]
    assert kept["silhouette"].iloc[0] == pytest.approx(silhouette_score(digits_data.X, labels),
                                                       abs=1e-6)


@pytest.mark.parametrize("labels", ["one cluster", "out of range"])
def test_a_sound_pending_record_no_silhouette_can_use_is_recomputed(
        tmp_path, digits_data, monkeypatch, capsys, labels):
    folder = _interrupted_sweep(tmp_path, "3,5", digits_data, monkeypatch)
    (record,) = folder.glob("k5-seed0-*.npz")
    values = np.zeros(1500, np.uint16) if labels == "one cluster" else np.arange(1500) % 9
    write_record(record, {"labels": values.astype(np.uint16)})  # its checksum holds
    fitted = _fitted(monkeypatch)
    table = _sweep(tmp_path, "3,5", digits_data)
    assert fitted == [5] and table["silhouette"].notna().all()
    assert str(record) in capsys.readouterr().err


def test_a_pending_record_kept_without_a_checksum_is_not_trusted(tmp_path, digits_data,
                                                                 monkeypatch, capsys):
    folder = _interrupted_sweep(tmp_path, "4", digits_data, monkeypatch)
    (record,) = folder.glob("k4-seed0-*.npz")
    legacy = record.with_suffix(".npy")  # the format before records carried checksums
    np.save(legacy, read_record(record)["labels"])
    record.unlink()
    fitted = _fitted(monkeypatch)
    assert _sweep(tmp_path, "4", digits_data)["silhouette"].notna().all()
    assert fitted == [4] and not legacy.exists()
    assert str(legacy) in capsys.readouterr().err


# --------------------------------------------------------------------------- line numbers
def test_a_row_cut_inside_its_quoted_params_is_reported_at_its_own_line(tmp_path, digits_data,
                                                                        monkeypatch):
    _sweep(tmp_path, "2:12", digits_data)
    csv = tmp_path / "digits" / "kmeans.csv"
    lines = csv.read_text().splitlines(keepends=True)
    assert lines[5].startswith("kmeans,6,")  # line 6
    cut = lines[5][:lines[5].index('""algorithm""') + 8] + "\n"  # inside the quotes
    csv.write_text("".join(lines[:5] + [cut] + lines[6:]))
    with pytest.raises(ResultsError) as error:
        load_results("kmeans", "digits", tmp_path)
    message = str(error.value)
    assert re.search(r"kmeans\.csv, line 6 \(the row runs on to line \d+", message)
    assert "delete that line" in message
    # following the advice deletes the damaged row alone: k = 7..11 are kept
    lines = csv.read_text().splitlines(keepends=True)
    csv.write_text("".join(lines[:5] + lines[6:]))
    assert list(load_results("kmeans", "digits", tmp_path)["k"]) == [2, 3, 4, 5, 7, 8, 9, 10, 11]
    fitted = _fitted(monkeypatch)
    _sweep(tmp_path, "2:12", digits_data)
    assert fitted == [6]


# --------------------------------------------------------------------------- impossible values
def _legacy_table(results, digits_data):
    """A table without row digests (as written before them): only the values' own checks
    stand between an edited cell and a result."""
    _sweep(results, "2:5", digits_data)
    csv = results / "digits" / "kmeans.csv"
    table = pd.read_csv(csv, dtype=str, keep_default_na=False).drop(columns=DIGEST_COLUMN)
    table.to_csv(csv, index=False)
    assert len(load_results("kmeans", "digits", results)) == 3  # read as it is
    return csv, table


@pytest.mark.parametrize("column, value, said", [
    ("nmi", "inf", "nmi=inf"),
    ("silhouette", "-inf", "silhouette=-inf"),
    ("inertia", "1e999", "inertia=1e999"),
    ("k", "5000", "k=5000 for n_samples=1500"),
    ("seed", "-1", "seed=-1"),
    ("seed", str(2**70), "seed=1180591620717411303424, not a 64-bit integer"),
    ("purity", "7.5", "purity=7.5"),
    ("n_errors", "-3", "n_errors=-3"),
    ("n_errors", "1501", "n_errors=1501 for n_samples=1500"),
    ("fit_seconds", "-0.5", "fit_seconds=-0.5"),
    ("inertia", "9" * 200_000, "cannot be read as CSV"),
    ("n_iter", "7" * 5000, "which is not an integer"),
    ("params", "[1, 2]", "not a JSON object"),
])
def test_a_value_no_row_can_hold_is_refused_naming_file_line_and_fix(
        tmp_path, digits_data, capsys, column, value, said):
    csv, table = _legacy_table(tmp_path, digits_data)
    table.loc[1, column] = value
    table.to_csv(csv, index=False)
    with pytest.raises(ResultsError) as error:
        load_results("kmeans", "digits", tmp_path)
    message = str(error.value)
    assert f"{csv}, line 3 " in message and said in message and "delete that line" in message
    assert len(message) < 1000  # a huge cell is not echoed
    status = main(["best", "--method", "kmeans", "--score", "nmi", "--dataset", "digits",
                   "--results-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err and said in err


def test_the_store_refuses_to_write_a_value_no_row_can_hold(tmp_path, digits_data):
    _sweep(tmp_path, "2:4", digits_data)
    store = ResultsStore("digits", "kmeans", tmp_path)
    before = store.csv.read_bytes()
    table = store.load()
    table.loc[0, "purity"] = 7.5
    with store.lock(), pytest.raises(ResultsError, match="refusing to write row k=2.*purity=7.5"):
        store.save(table, {})
    assert store.csv.read_bytes() == before


def test_a_provenance_that_is_not_a_json_object_is_a_clear_error(tmp_path, digits_data, capsys):
    _sweep(tmp_path, "2", digits_data)
    path = tmp_path / "digits" / "kmeans.json"
    path.write_text("[1, 2]\n")
    with pytest.raises(ResultsError, match=r"kmeans\.json holds a JSON list, not an object; "
                                           "move it away"):
        ResultsStore("digits", "kmeans", tmp_path).load_provenance()
    status = main(["sweep", "--method", "kmeans", "--k", "3", "--dataset", "digits",
                   "--results-dir", str(tmp_path), "--no-progress", "--workers", "1"])
    err = capsys.readouterr().err
    assert status == 2 and "not an object" in err and "Traceback" not in err


# --------------------------------------------------------------------------- edited tables
def _resave_like_a_spreadsheet(csv, rows):
    """Re-save lines ``rows`` (0 = the first row) as a spreadsheet does: floats with 15
    significant digits, large numbers in E notation."""
    table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    for row in rows:
        for column in ("inertia", "silhouette", "calinski_harabasz", "nmi"):
            table.loc[row, column] = f"{float(table.loc[row, column]):.15g}"
        table.loc[row, "calinski_harabasz"] = f"{float(table.loc[row, 'calinski_harabasz']):.3E}"
    table.to_csv(csv, index=False)


def test_a_table_re_saved_by_a_spreadsheet_is_refused_and_never_merged(tmp_path, digits_data):
    _sweep(tmp_path, "2:5", digits_data)
    csv = tmp_path / "digits" / "kmeans.csv"
    _resave_like_a_spreadsheet(csv, rows=[0, 1, 2])
    edited = csv.read_bytes()
    for action in (lambda: load_results("kmeans", "digits", tmp_path),
                   lambda: _sweep(tmp_path, "2:7", digits_data)):  # a later write
        with pytest.raises(ResultsError, match=r"line 2 was changed outside mnist-clustering"):
            action()
    assert csv.read_bytes() == edited  # its values were not kept by a later write


def test_deleting_the_edited_line_has_that_row_recomputed(tmp_path, digits_data, monkeypatch):
    clean = _sweep(tmp_path / "clean", "2:6", digits_data)
    _sweep(tmp_path, "2:6", digits_data)
    csv = tmp_path / "digits" / "kmeans.csv"
    _resave_like_a_spreadsheet(csv, rows=[2])  # k = 4, line 4
    with pytest.raises(ResultsError, match=r"kmeans\.csv, line 4 was changed outside"):
        load_results("kmeans", "digits", tmp_path)
    lines = csv.read_text().splitlines(keepends=True)
    csv.write_text("".join(lines[:3] + lines[4:]))
    fitted = _fitted(monkeypatch)
    again = _sweep(tmp_path, "2:6", digits_data)
    assert fitted == [4]
    pd.testing.assert_frame_equal(again[SAME], clean[SAME])


def test_a_new_format_that_keeps_every_value_is_not_an_edit(tmp_path, digits_data):
    _sweep(tmp_path, "2:4", digits_data)
    csv = tmp_path / "digits" / "kmeans.csv"
    before = load_results("kmeans", "digits", tmp_path)
    table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    table["purity"] = [f"{float(v)!r}0" if "e" not in v else v for v in table["purity"]]
    table.to_csv(csv, index=False, lineterminator="\r\n")
    pd.testing.assert_frame_equal(load_results("kmeans", "digits", tmp_path), before)


def test_the_committed_tables_and_records_carry_their_checks():
    root = default_results_dir()
    tables = sorted(path for path in root.rglob("*.csv") if path.name != "density.csv"
                    and path.parent.name != STUDIES_FOLDER)
    assert len(tables) >= 8
    for path in tables:
        assert tuple(path.read_text().splitlines()[0].split(",")) == HEADER, path
    studies = sorted(root.rglob(f"{STUDIES_FOLDER}/*.csv"))  # checked by their sidecar
    assert studies
    for path in studies:
        read_study(path.stem, path.parent.parent.name, root)
    records = sorted([*root.rglob("artifacts/*.npz"), *root.rglob("labels/**/*.npz")])
    assert len(records) > 1000
    for path in records:
        read_record(path, ("labels",))


def test_add_checks_vouches_for_an_older_results_folder_without_changing_a_number(
        tmp_path, digits_data):
    _sweep(tmp_path, "2:5", digits_data, keep="3", keep_labels=True)
    before = load_results("kmeans", "digits", tmp_path)
    csv, _ = _legacy_table(tmp_path, digits_data)
    artefact = tmp_path / "digits" / "artifacts" / "kmeans-k3.npz"
    arrays = read_record(artefact)
    np.savez_compressed(artefact, **arrays)  # as kept before records had checksums
    with pytest.raises(ResultsError, match="no checksum"):
        load_artifacts("kmeans", 3, "digits", tmp_path)
    assert add_checks(tmp_path) == (1, 1)
    assert csv.read_text().splitlines()[0].endswith(f",{DIGEST_COLUMN}")
    after = load_results("kmeans", "digits", tmp_path)
    for column in COLUMNS:
        if not pd.api.types.is_numeric_dtype(before[column]):
            assert list(after[column]) == list(before[column])
        else:  # bit for bit
            assert after[column].to_numpy().tobytes() == before[column].to_numpy().tobytes()
    for name, array in load_artifacts("kmeans", 3, "digits", tmp_path).items():
        np.testing.assert_array_equal(array, arrays[name])
    assert add_checks(tmp_path) == (0, 0)
    assert not add_checksum(artefact)


# --------------------------------------------------------------------------- kept artefacts
def _damage(path):
    """Three kinds of damage: a bit flip in the compressed data, a cut, another row's file."""
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x10
    return bytes(data)


@pytest.mark.parametrize("damage", ["bit flip", "cut", "another row's file"])
def test_a_damaged_artefact_is_named_by_its_reader_and_recomputed_by_keep(
        tmp_path, digits_data, monkeypatch, capsys, damage):
    _sweep(tmp_path, "3,4", digits_data, keep="3,4")
    path = tmp_path / "digits" / "artifacts" / "kmeans-k3.npz"
    good = load_artifacts("kmeans", 3, "digits", tmp_path)
    if damage == "bit flip":
        path.write_bytes(_damage(path))
    elif damage == "cut":
        path.write_bytes(path.read_bytes()[:-50])
    else:
        path.write_bytes((path.parent / "kmeans-k4.npz").read_bytes())
    with pytest.raises(ResultsError) as error:
        load_artifacts("kmeans", 3, "digits", tmp_path)
    message = str(error.value)
    assert str(path) in message and "damaged" in message
    assert (f"mnist-clustering sweep --method kmeans --k 3 --dataset digits --results-dir "
            f"{tmp_path} --keep 3") in message
    fitted = _fitted(monkeypatch)
    _sweep(tmp_path, "3,4", digits_data, keep="3,4")  # the --keep re-run
    assert fitted == [3]  # the damaged file did not count as done
    assert str(path) in capsys.readouterr().err
    for name, array in load_artifacts("kmeans", 3, "digits", tmp_path).items():
        np.testing.assert_array_equal(array, good[name])


def test_damaged_kept_labels_are_named_and_recomputed_by_keep_labels(tmp_path, digits_data,
                                                                     monkeypatch, capsys):
    _sweep(tmp_path, "3,4", digits_data, seeds="0:2", keep_labels=True)
    good = load_labels("kmeans", "digits", tmp_path)
    path = tmp_path / "digits" / "labels" / "kmeans" / "k4-seed1.npz"
    path.write_bytes(_damage(path))
    with pytest.raises(ResultsError) as error:
        load_labels("kmeans", "digits", tmp_path)
    assert str(path) in str(error.value) and "--seeds 1" in str(error.value)
    assert "--keep-labels" in str(error.value)
    real = evaluate.evaluate_k
    fitted = []
    monkeypatch.setattr(evaluate, "evaluate_k",
                        lambda d, spec, k, **kw: fitted.append((k, spec.seed)) or real(d, spec, k, **kw))
    _sweep(tmp_path, "3,4", digits_data, seeds="0:2", keep_labels=True)
    assert fitted == [(4, 1)]
    again = load_labels("kmeans", "digits", tmp_path)
    assert again.keys() == good.keys()
    np.testing.assert_array_equal(again[(4, 1)], good[(4, 1)])


def test_fasterpam_from_a_damaged_alternate_artefact_says_so_and_starts_afresh(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MNIST_CLUSTERING_CACHE", str(tmp_path / "cache"))
    common = ["--dataset", "digits", "--n-samples", "400", "--workers", "1", "--no-progress"]
    for results in ("damaged", "clean"):
        assert main(["sweep", "--method", "kmedoids-alternate", "--k", "5", "--keep", "5",
                     "--results-dir", str(tmp_path / results), *common]) == 0
    path = tmp_path / "damaged" / "digits-first400" / "artifacts" / "kmedoids-alternate-k5.npz"
    path.write_bytes(_damage(path))
    capsys.readouterr()
    for results in ("damaged", "clean"):
        assert main(["sweep", "--method", "kmedoids-fasterpam", "--k", "5",
                     "--results-dir", str(tmp_path / results), *common]) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(path) in err and "removed" in err
    columns = ["k", "inertia", "silhouette", "purity", "n_iter"]
    pd.testing.assert_frame_equal(
        load_results("kmedoids-fasterpam", "digits", tmp_path / "damaged", n_samples=400)[columns],
        load_results("kmedoids-fasterpam", "digits", tmp_path / "clean", n_samples=400)[columns])


def test_a_record_is_bound_to_its_name_and_its_arrays(tmp_path):
    path = write_record(tmp_path / "k3-seed0.npz", {"labels": np.arange(6, dtype=np.uint8) % 3})
    assert set(read_record(path)) == {"labels"}
    copy = tmp_path / "k3-seed1.npz"
    copy.write_bytes(path.read_bytes())
    with pytest.raises(DamagedRecordError, match="do not match its xxh3_64 checksum"):
        read_record(copy)
    with pytest.raises(DamagedRecordError, match="lacks centers"):
        read_record(path, ("labels", "centers"))
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(DamagedRecordError, match="unreadable"):
        read_record(tmp_path / "junk.npz")
    with zipfile.ZipFile(path) as archive:
        assert f"{CHECKSUM_MEMBER}.npy" in archive.namelist()


# --------------------------------------------------------------------------- locks
HOLD = """
import sys, time
from mnist_clustering.results import ResultsStore
store = ResultsStore("digits", "kmeans", sys.argv[1])
with store.lock():
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_lock_held_by_another_process_says_whose_and_that_it_waits(tmp_path, monkeypatch,
                                                                     capsys):
    from mnist_clustering.results import store as store_module  # where the store reads them

    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        os.kill(holder.pid, signal.SIGSTOP)  # a stopped process keeps its lock
        monkeypatch.setattr(store_module, "LOCK_NOTICE_SECONDS", 0.5)
        monkeypatch.setattr(store_module, "LOCK_TIMEOUT", 2.0)
        store = ResultsStore("digits", "kmeans", tmp_path)
        start = time.monotonic()
        with pytest.raises(ResultsError) as error:
            with store.lock():
                pass
        assert time.monotonic() - start < 10
        err = capsys.readouterr().err
        assert f"its lock is held by process {holder.pid}" in err and "waiting up to 2 s" in err
        assert f"which is stopped: resume it with `kill -CONT {holder.pid}`" in err
        assert err.count("\n") == 1  # one line
        assert f"held by process {holder.pid}" in str(error.value)
        os.kill(holder.pid, signal.SIGCONT)
    finally:
        holder.kill()
        holder.wait()
    with ResultsStore("digits", "kmeans", tmp_path).lock():  # free again, at once
        owner = json.loads((tmp_path / "digits" / ".kmeans.lock.owner").read_text())
        assert owner["pid"] == os.getpid()
    assert not (tmp_path / "digits" / ".kmeans.lock.owner").exists()


def test_the_default_results_folder_is_the_projects_from_any_working_directory(tmp_path,
                                                                               monkeypatch):
    # the notebooks run from notebooks/: they must read the project's results/, not
    # create notebooks/results/ (found from the package's own place in the project)
    monkeypatch.delenv("MNIST_CLUSTERING_RESULTS", raising=False)
    monkeypatch.chdir(tmp_path)
    assert default_results_dir() == Path(__file__).resolve().parents[1] / "results"
