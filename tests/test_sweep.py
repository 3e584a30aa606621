"""The sweep engine on scikit-learn's digits: every column against an oracle, resume, errors."""

import json

import contract as C
import numpy as np
import pandas as pd
import pytest
from seed_oracle import index_entropy, total_errors
from sklearn.cluster import KMeans
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    homogeneity_score,
    normalized_mutual_info_score,
    pairwise_distances,
    silhouette_score,
)
from threadpoolctl import threadpool_limits

from mnist_clustering import estimators, evaluate, sweep
from mnist_clustering.estimators import fit_clustering
from mnist_clustering.results import ResultsStore
from mnist_clustering.sweep import (
    COLUMNS,
    ResultsError,
    SweepData,
    load_artifacts,
    load_labels,
    load_provenance,
    load_results,
    parse_k_range,
    run_sweep,
)


@pytest.fixture(scope="module")
def digits_data():
    return SweepData("digits")


def test_parse_k_range_follows_python_range():
    assert parse_k_range("2:80") == list(range(2, 80))
    assert parse_k_range("2:263:5") == list(range(2, 263, 5))
    assert parse_k_range("2:263:5")[-1] == 262
    assert parse_k_range("22,10, 19") == [10, 19, 22]
    assert parse_k_range("2:6,4:9:2") == [2, 3, 4, 5, 6, 8]
    assert parse_k_range([5, 3, 5]) == [3, 5]


@pytest.mark.parametrize(
    "spec, message",
    [("", "empty"), ("a:b", "malformed"), ("2:", "malformed"), ("5:3", "empty"),
     ("1:4", ">= 2"), ("2:10:0", "step 0"), ("2;3", "malformed"), ([], "empty")],
)
def test_parse_k_range_rejects_bad_grids(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_k_range(spec)


@pytest.fixture(scope="module")
def digits_sweep(tmp_path_factory, digits_data):
    results = tmp_path_factory.mktemp("results")
    table = run_sweep("kmeans", "2,3,10", dataset="digits", keep=(3, 10), results_dir=results,
                      progress=False, data=digits_data)
    return table, results


def test_sweep_rows_have_every_column_filled(digits_sweep):
    table, _ = digits_sweep
    assert list(table.columns) == list(COLUMNS)
    assert list(table["k"]) == [2, 3, 10]
    assert not table.drop(columns=["params"]).isna().any().any()
    assert (table["method"] == "kmeans").all()
    assert json.loads(table["params"][0]) == {"algorithm": "elkan", "max_iter": 300, "n_init": 1}


def test_sweep_scores_equal_direct_computation(digits_sweep, digits_data):
    table, results = digits_sweep
    X, y = digits_data.X, digits_data.y
    for k in (3, 10):
        row = table.set_index("k").loc[k]
        stored = load_artifacts("kmeans", k, dataset="digits", results_dir=results)
        labels = stored["labels"].astype(int)
        refit = fit_clustering("kmeans", k, X, seed=0)
        np.testing.assert_array_equal(labels, refit.labels)
        assert row["inertia"] == pytest.approx(refit.inertia, rel=1e-9)
        assert row["silhouette"] == pytest.approx(silhouette_score(X, labels), abs=C.SILHOUETTE_ABS)
        assert row["calinski_harabasz"] == pytest.approx(calinski_harabasz_score(X, labels), rel=1e-9)
        assert row["homogeneity"] == pytest.approx(homogeneity_score(y, labels), abs=1e-12)
        assert row["nmi"] == pytest.approx(normalized_mutual_info_score(y, labels), abs=1e-12)
        assert row["ari"] == pytest.approx(adjusted_rand_score(y, labels), abs=1e-12)
        errors = total_errors(labels, k, y)
        assert row["n_errors"] == errors
        assert row["purity"] == pytest.approx(1 - errors / len(y), abs=1e-12)
        assert row["seed_index_entropy"] == pytest.approx(index_entropy(labels, k), rel=1e-9)
        # test purity: nearest centre by brute force, majority training label of that cluster
        nearest = pairwise_distances(digits_data.X_test, stored["centers"]).argmin(axis=1)
        majority = np.array([np.bincount(y[labels == c], minlength=10).argmax() for c in range(k)])
        np.testing.assert_array_equal(stored["majority_labels"], majority)
        expected = np.mean(majority[nearest] == digits_data.y_test)
        assert row["test_purity"] == pytest.approx(expected, abs=1e-12)


def test_provenance_records_parameters_versions_and_times(digits_sweep):
    _, results = digits_sweep
    provenance = load_provenance("kmeans", dataset="digits", results_dir=results)
    assert provenance["params"] == {"algorithm": "elkan", "max_iter": 300, "n_init": 1}
    assert provenance["seeds"] == [0]
    assert provenance["seed_changes_result"] is True  # K-Means: k-means++ starts
    assert provenance["silhouette_mode"] == "exact"
    assert set(provenance["per_k"]) == {"2", "3", "10"}
    assert provenance["versions"]["scikit-learn"]
    assert len(provenance["data"]["y_train_sha256"]) == 64
    assert provenance["cpu_count"] >= 1


def test_finished_k_are_not_recomputed(digits_sweep, digits_data, monkeypatch):
    _, results = digits_sweep
    before = load_results("kmeans", "digits", results)

    def refuse(*args, **kwargs):
        raise AssertionError("a finished k was recomputed")

    monkeypatch.setattr(evaluate, "fit_clustering", refuse)
    again = run_sweep("kmeans", "2,3", dataset="digits", results_dir=results, progress=False,
                      data=digits_data)
    pd.testing.assert_frame_equal(again, before[before["k"].isin([2, 3])].reset_index(drop=True))


def test_interrupted_sweep_keeps_finished_rows_and_resumes(tmp_path, digits_data, monkeypatch):
    real = evaluate.evaluate_k
    calls = []

    def interrupt_at_third(data, spec, k, **kwargs):
        calls.append(k)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(data, spec, k, **kwargs)

    monkeypatch.setattr(evaluate, "evaluate_k", interrupt_at_third)
    with pytest.raises(KeyboardInterrupt):
        run_sweep("kmeans", "2:6", dataset="digits", results_dir=tmp_path, progress=False,
                  data=digits_data)
    saved = load_results("kmeans", "digits", tmp_path)
    assert list(saved["k"]) == [2, 3]
    monkeypatch.setattr(evaluate, "evaluate_k", real)
    calls.clear()
    computed = []
    monkeypatch.setattr(evaluate, "evaluate_k", lambda *a, **kw: computed.append(a[2]) or real(*a, **kw))
    table = run_sweep("kmeans", "2:6", dataset="digits", results_dir=tmp_path, progress=False,
                      data=digits_data)
    assert computed == [4, 5]
    assert list(table["k"]) == [2, 3, 4, 5]
    assert not table["silhouette"].isna().any()
    # the finished fits are kept as they were; only their deferred silhouettes are filled
    unchanged = [c for c in COLUMNS if c not in ("silhouette", "score_seconds")]
    pd.testing.assert_frame_equal(table.loc[:1, unchanged], saved[unchanged])


def test_exact_silhouettes_are_deferred_then_filled_in_one_pass(tmp_path, digits_data, monkeypatch):
    from mnist_clustering import distances

    passes = []
    real = distances.silhouette_scores
    monkeypatch.setattr(distances, "silhouette_scores",
                        lambda D, labellings, **kw: passes.append(len(labellings)) or real(D, labellings, **kw))
    table = run_sweep("kmeans", "2:7", dataset="digits", results_dir=tmp_path, progress=False,
                      data=digits_data, keep="2:7")
    assert passes == [5]
    for k in range(2, 7):
        labels = load_artifacts("kmeans", k, "digits", tmp_path)["labels"]
        expected = silhouette_score(digits_data.X, labels)
        assert table.set_index("k").loc[k, "silhouette"] == pytest.approx(expected, abs=C.SILHOUETTE_ABS)
    assert not list((tmp_path / "digits").glob(".pending-silhouettes/kmeans/*.npy"))


def test_row_with_lost_pending_labels_is_recomputed(tmp_path, digits_data, monkeypatch):
    from mnist_clustering import distances

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(distances, "silhouette_scores", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_sweep("kmeans", "2,3", dataset="digits", results_dir=tmp_path, progress=False,
                  data=digits_data)
    monkeypatch.undo()
    saved = load_results("kmeans", "digits", tmp_path)
    assert list(saved["k"]) == [2, 3] and saved["silhouette"].isna().all()
    (record,) = (tmp_path / "digits" / ".pending-silhouettes" / "kmeans").glob("k3-seed0-*.npz")
    record.unlink()
    computed = []
    real = evaluate.evaluate_k
    monkeypatch.setattr(evaluate, "evaluate_k", lambda *a, **kw: computed.append(a[2]) or real(*a, **kw))
    table = run_sweep("kmeans", "2,3", dataset="digits", results_dir=tmp_path, progress=False,
                      data=digits_data)
    assert computed == [3]
    assert not table["silhouette"].isna().any()


def test_a_sweep_with_nothing_left_to_compute_loads_no_data(tmp_path, monkeypatch):
    # e.g. the README's commands against the committed results: no space is built
    options = dict(dataset="digits", results_dir=tmp_path, progress=False, keep="3",
                   keep_labels=True, seeds="0:2")
    first = run_sweep("kmeans", "2:5", **options)

    def refuse(*args, **kwargs):
        raise AssertionError("the data was loaded")

    monkeypatch.setattr("mnist_clustering.data.load_dataset", refuse)
    again = run_sweep("kmeans", "2:5", **options)
    pd.testing.assert_frame_equal(again, first)
    assert list(run_sweep("kmeans", "3", **options)["k"]) == [3, 3]
    # a row still to compute (here: a damaged kept artefact) needs the data
    (tmp_path / "digits" / "artifacts" / "kmeans-k3-seed1.npz").write_bytes(b"junk")
    with pytest.raises(AssertionError, match="the data was loaded"):
        run_sweep("kmeans", "2:5", **options)


def test_force_recomputes(tmp_path, digits_data, monkeypatch):
    real = evaluate.evaluate_k
    fitted = []
    monkeypatch.setattr(evaluate, "evaluate_k", lambda *a, **kw: fitted.append(a[2]) or real(*a, **kw))
    first = run_sweep("kmeans", "2,3", dataset="digits", results_dir=tmp_path, progress=False,
                      data=digits_data)
    assert fitted == [2, 3]
    run_sweep("kmeans", "2,3", dataset="digits", results_dir=tmp_path, progress=False,
              data=digits_data)
    assert fitted == [2, 3]  # stored: nothing refitted
    again = run_sweep("kmeans", "2,3", dataset="digits", results_dir=tmp_path, progress=False,
                      data=digits_data, force=True)
    assert fitted == [2, 3, 2, 3]  # --force: every k fitted again
    same = [c for c in COLUMNS if c not in ("fit_seconds", "score_seconds")]
    pd.testing.assert_frame_equal(again[same], first[same])


def test_other_parameters_never_mix(tmp_path, digits_data):
    run_sweep("kmeans", "2", dataset="digits", results_dir=tmp_path, progress=False, data=digits_data)
    csv = tmp_path / "digits" / "kmeans.csv"
    before = csv.read_bytes()
    # another parameter set gets a table of its own, named by what differs
    other = run_sweep("kmeans", "3", dataset="digits", results_dir=tmp_path, progress=False,
                      data=digits_data, n_init=3)
    assert json.loads(other["params"][0])["n_init"] == 3
    assert list(load_results("kmeans", "digits", tmp_path, n_init=3)["k"]) == [3]
    assert csv.read_bytes() == before
    with pytest.raises(ResultsError, match="silhouette_mode"):
        run_sweep("kmeans", "3", dataset="digits", results_dir=tmp_path, progress=False,
                  data=digits_data, silhouette=500)
    # a table whose rows were made with other parameters than its name says is refused
    # (written by the store, so that its rows' digests hold: edited outside, the first
    # edited row would be refused as such)
    store = ResultsStore("digits", "kmeans", tmp_path)
    table = store.load()
    table["params"] = table["params"].str.replace('"n_init": 1', '"n_init": 4')
    with store.lock():
        store.save(table, store.load_provenance())
    edited = csv.read_bytes()
    with pytest.raises(ResultsError, match="n_init"):
        run_sweep("kmeans", "3", dataset="digits", results_dir=tmp_path, progress=False,
                  data=digits_data)
    assert csv.read_bytes() == edited


def test_seeds_grid_fills_one_table_and_resumes(tmp_path, digits_data, monkeypatch):
    real = evaluate.evaluate_k
    fitted = []
    monkeypatch.setattr(evaluate, "evaluate_k",
                        lambda d, spec, k, **kw: fitted.append((k, spec.seed)) or real(d, spec, k, **kw))
    run_sweep("kmeans", "2,3", dataset="digits", results_dir=tmp_path, progress=False,
              data=digits_data, seeds="0:2")
    table = run_sweep("kmeans", "2:5", dataset="digits", results_dir=tmp_path, progress=False,
                      data=digits_data, seeds="0:3", keep_labels=True)
    assert sorted(fitted) == sorted([(2, 0), (3, 0), (2, 1), (3, 1)]  # first run
                                    + [(4, 0), (4, 1), (2, 2), (3, 2), (4, 2)]  # missing rows
                                    + [(2, 0), (3, 0), (2, 1), (3, 1)])  # labels not kept before
    assert list(zip(table["k"], table["seed"])) == [(k, s) for k in (2, 3, 4) for s in range(3)]
    labels = load_labels("kmeans", "digits", tmp_path)
    assert sorted(labels) == [(k, s) for k in (2, 3, 4) for s in range(3)]
    for (k, s), values in labels.items():  # the labels of that very row
        with threadpool_limits(1):  # as every fit of a sweep
            refit = KMeans(n_clusters=k, n_init=1, random_state=s, algorithm="elkan").fit(digits_data.X)
        np.testing.assert_array_equal(values, refit.labels_)


def test_seeds_are_rows_of_one_table(tmp_path, digits_data):
    seed0 = run_sweep("kmeans", "2,3", dataset="digits", results_dir=tmp_path, progress=False,
                      data=digits_data)
    seed1 = run_sweep("kmeans", "3", dataset="digits", results_dir=tmp_path, progress=False,
                      data=digits_data, seed=1)
    assert list(seed1["seed"]) == [1] and list(seed1["k"]) == [3]
    table = load_results("kmeans", "digits", tmp_path)
    assert list(zip(table["k"], table["seed"])) == [(2, 0), (3, 0), (3, 1)]
    pd.testing.assert_frame_equal(table[table["seed"] == 0].reset_index(drop=True), seed0)
    assert load_provenance("kmeans", "digits", tmp_path)["seeds"] == [0, 1]


@pytest.mark.parametrize("content", ["method,k\nkmeans,2\n", "\x00\x01garbage\n\"unclosed", ""])
def test_corrupted_table_is_a_clear_error_and_left_alone(tmp_path, digits_data, content):
    folder = tmp_path / "digits"
    folder.mkdir()
    (folder / "kmeans.csv").write_text(content)
    with pytest.raises(ResultsError, match="corrupted"):
        run_sweep("kmeans", "2", dataset="digits", results_dir=tmp_path, progress=False,
                  data=digits_data)
    assert (folder / "kmeans.csv").read_text() == content


def test_bad_k_and_method_are_clear_errors(tmp_path, digits_data):
    n = len(digits_data.X)
    # the same error whether the data is loaded already (checked before the grid is
    # built) or not (checked once it is)
    for data in (digits_data, SweepData("digits")):
        with pytest.raises(ValueError, match=f"the k grid '2,{n + 1}' goes up to k={n + 1}, "
                                             "larger than the number of samples"):
            run_sweep("kmeans", [2, n + 1], dataset="digits", results_dir=tmp_path,
                      progress=False, data=data)
    with pytest.raises(ValueError, match="unknown method"):
        run_sweep("dbscan", "2", dataset="digits", results_dir=tmp_path, data=digits_data)
    with pytest.raises(ValueError, match="silhouette"):
        run_sweep("kmeans", "2", dataset="digits", results_dir=tmp_path, data=digits_data,
                  silhouette=1)
    assert not (tmp_path / "digits" / "kmeans.csv").exists()


def test_load_results_names_the_command_when_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="mnist-clustering sweep --method kmeans"):
        load_results("kmeans", "digits", tmp_path)
    with pytest.raises(FileNotFoundError, match="--keep 7"):
        load_artifacts("kmeans", 7, "digits", tmp_path)


def test_sampled_silhouette_is_recorded_and_seeded(tmp_path, digits_data):
    table = run_sweep("kmeans", "4", dataset="digits", results_dir=tmp_path, progress=False,
                      data=digits_data, silhouette=500, keep=4)
    labels = load_artifacts("kmeans", 4, "digits", tmp_path)["labels"].astype(int)
    expected = silhouette_score(digits_data.X, labels, sample_size=500, random_state=0)
    assert table["silhouette_mode"][0] == "sampled-500"
    assert table["silhouette"][0] == pytest.approx(expected, abs=1e-6)


def test_kmedoids_on_shared_matrix_equals_scikit_learn_extra_on_images(tmp_path, digits_data):
    from mnist_clustering.estimators import _scikit_learn_extra_kmedoids

    KMedoids = _scikit_learn_extra_kmedoids()

    table = run_sweep("kmedoids-alternate", "5,12", dataset="digits", keep=(5, 12),
                      results_dir=tmp_path, progress=False, data=digits_data)
    for k in (5, 12):
        direct = KMedoids(n_clusters=k).fit(digits_data.X)  # the seed's call
        stored = load_artifacts("kmedoids-alternate", k, "digits", tmp_path)
        np.testing.assert_array_equal(stored["medoid_indices"], direct.medoid_indices_)
        np.testing.assert_array_equal(stored["labels"], direct.labels_)
        row = table.set_index("k").loc[k]
        assert row["inertia"] == pytest.approx(direct.inertia_, rel=C.INERTIA_REL_CROSS)
        np.testing.assert_array_equal(stored["centers"], digits_data.X[direct.medoid_indices_])


def test_fasterpam_from_alternate_never_costs_more(tmp_path, digits_data):
    alternate = run_sweep("kmedoids-alternate", "8", dataset="digits", keep=8,
                          results_dir=tmp_path, progress=False, data=digits_data)
    faster = run_sweep("kmedoids-fasterpam", "8", dataset="digits", keep=8,
                       results_dir=tmp_path, progress=False, data=digits_data)
    assert faster["inertia"][0] <= alternate["inertia"][0] + 1e-6
    medoids = load_artifacts("kmedoids-fasterpam", 8, "digits", tmp_path)["medoid_indices"]
    D = pairwise_distances(digits_data.X)
    assert faster["inertia"][0] == pytest.approx(D[:, medoids].min(axis=1).sum(), rel=C.INERTIA_REL_CROSS)


def test_fasterpam_fit_equals_kmedoids_on_the_matrix_as_given(digits_data):
    # The fit hands kmedoids the transpose of the (symmetric) matrix so that FasterPAM's
    # column reads become row reads; the oracle is kmedoids on the matrix itself.
    import kmedoids

    D = digits_data.distances
    start = fit_clustering("kmedoids-alternate", 12, digits_data.X, distances=D).medoid_indices
    fits = [fit_clustering("kmedoids-fasterpam", 12, digits_data.X, distances=D,
                           init_medoids=start) for _ in range(2)]
    direct = kmedoids.fasterpam(np.ascontiguousarray(D), start.copy(), max_iter=100, n_cpu=1)
    for fit in fits:  # deterministic: the same medoids twice, and kmedoids' own answer
        np.testing.assert_array_equal(fit.medoid_indices, np.asarray(direct.medoids))
        np.testing.assert_array_equal(fit.labels, np.asarray(direct.labels))
        assert fit.inertia == direct.loss


def test_make_estimator_refuses_a_fasterpam_start_it_cannot_take():
    from mnist_clustering.estimators import make_estimator

    with pytest.raises(ValueError, match="init='alternate'.*fit_clustering.*init='build'"):
        make_estimator("kmedoids-fasterpam", 5)  # 'alternate' is FasterPAM's default here
    assert make_estimator("kmedoids-fasterpam", 5, init="build").init == "build"


def test_a_preset_runs_each_sweep_in_order_and_resumes(tmp_path, digits_data, monkeypatch):
    tiny = (("kmeans", "2:6", (3,)), ("kmedoids-alternate", "3,5", (3,)),
            ("kmedoids-fasterpam", "3", (3,)))
    monkeypatch.setitem(sweep.PRESETS, "tiny", tuple(
        sweep.SweepEntry(method, method, ks, keep=keep, keep_labels=False)
        for method, ks, keep in tiny))
    outcome = sweep.run_preset("tiny", results_dir=tmp_path, progress=False, data=digits_data)
    assert list(outcome) == ["kmeans", "kmedoids-alternate", "kmedoids-fasterpam"]
    for method, ks, keep in tiny:
        table = load_results(method, "digits", tmp_path)
        assert list(table["k"]) == sweep.parse_k_range(ks)
        assert table.drop(columns=["silhouette_mode"]).notna().all().all()
        assert load_artifacts(method, keep[0], "digits", tmp_path)["labels"].shape == (1500,)
    # FasterPAM ran after 'alternate' and started from its kept medoids: never costlier
    alternate = outcome["kmedoids-alternate"][0].set_index("k")["inertia"]
    assert outcome["kmedoids-fasterpam"][0]["inertia"][0] <= alternate[3]
    # a second run finds everything done and fits nothing
    monkeypatch.setattr(evaluate, "evaluate_k", _must_not_run)
    again = sweep.run_preset("tiny", results_dir=tmp_path, progress=False, data=digits_data)
    pd.testing.assert_frame_equal(again["kmeans"][0], outcome["kmeans"][0], check_dtype=False)


def test_a_spread_preset_keeps_seeds_labels_and_its_own_n_init_table(tmp_path, digits_data,
                                                                       monkeypatch):
    tiny = (sweep.SweepEntry("a", "kmeans", "2,3", "0:3"),
            sweep.SweepEntry("b", "kmeans", "3", "0:2", {"n_init": 2}))
    monkeypatch.setitem(sweep.PRESETS, "tiny-spread", tiny)
    outcome = sweep.run_preset("tiny-spread", results_dir=tmp_path, progress=False,
                               data=digits_data)
    assert list(outcome) == ["a", "b"]
    default = load_results("kmeans", "digits", tmp_path)
    keys = [(k, s) for k in (2, 3) for s in range(3)]
    assert list(zip(default["k"], default["seed"])) == keys
    best_of_two = load_results("kmeans", "digits", tmp_path, n_init=2)
    assert list(zip(best_of_two["k"], best_of_two["seed"])) == [(3, 0), (3, 1)]
    assert sorted(load_labels("kmeans", "digits", tmp_path)) == keys
    assert sorted(load_labels("kmeans", "digits", tmp_path, n_init=2)) == [(3, 0), (3, 1)]


def _must_not_run(*args, **kwargs):
    raise AssertionError("a finished k was fitted again")


def test_an_unknown_preset_is_refused():
    with pytest.raises(ValueError, match="unknown preset 'nope'.*seed"):
        sweep.run_preset("nope")


def test_provenance_says_kmedoids_alternate_ignores_the_seed(tmp_path, digits_data):
    rows = [run_sweep("kmedoids-alternate", "4", dataset="digits", results_dir=tmp_path / str(s),
                      progress=False, data=digits_data, seed=s) for s in (0, 7)]
    same = [c for c in COLUMNS if c not in ("seed", "fit_seconds", "score_seconds")]
    pd.testing.assert_frame_equal(rows[0][same], rows[1][same])  # what the flag claims
    assert load_provenance("kmedoids-alternate", "digits", tmp_path / "7")[
        "seed_changes_result"] is False


@pytest.mark.parametrize("method", ["kmeans", "kmedoids-fasterpam"])
def test_a_sweep_checks_the_method_name_once(tmp_path, digits_data, monkeypatch, method):
    # the name is looked up once, at the edge (make_spec); the method object travels on
    # to the store's name, the provenance, the fit (FasterPAM's 'alternate' start included)
    looked_up = []
    lookup = estimators._lookup
    monkeypatch.setattr(estimators, "_lookup", lambda name: looked_up.append(name) or lookup(name))
    run_sweep(method, "2,3", dataset="digits", results_dir=tmp_path, progress=False,
              data=digits_data, keep=[3], keep_labels=True)
    assert looked_up == [method]
    assert estimators.get_method(method) is estimators.METHOD_OBJECTS[method]
    with pytest.raises(ValueError, match="unknown method 'dbscan'; choose one of kmeans, "):
        estimators.get_method("dbscan")


def test_the_method_objects_are_the_one_table_of_the_methods():
    assert estimators.METHODS == tuple(estimators.METHOD_OBJECTS)
    assert estimators.NEEDS_DISTANCES == {"kmedoids-alternate", "kmedoids-fasterpam"}
    for name, method in estimators.METHOD_OBJECTS.items():
        assert method.name == name
        assert estimators.DEFAULT_PARAMS[name] == dict(method.defaults)
        with pytest.raises(TypeError):
            method.defaults["max_iter"] = 1  # read-only: a caller's change cannot leak

