"""Tests of mnist_clustering.distances: the pairwise matrix, its cache, one-pass silhouettes.

Module-level state and helpers are patched where they live: ``dc`` (the cache),
``ds`` (the silhouettes), ``dp`` (the kernel)."""

from __future__ import annotations

import json
import os
import re
from collections import namedtuple

import contract as C
import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits
from sklearn.metrics import pairwise_distances, silhouette_samples, silhouette_score

from mnist_clustering import distances as dm
from mnist_clustering.distances import cache as dc
from mnist_clustering.distances import pairwise as dp
from mnist_clustering.distances import silhouettes as ds
from mnist_clustering.distances import (
    InsufficientSpaceError,
    distance_matrix,
    matrix_bytes,
    pairwise_euclidean,
    silhouette_samples_many,
    silhouette_scores,
)


@pytest.fixture(scope="module")
def digits():
    return (load_digits().data / 16).astype(np.float32)


@pytest.fixture(scope="module")
def digits_ref(digits):
    return pairwise_distances(digits.astype(np.float64))


@pytest.fixture(scope="module")
def digits_D(digits):
    return pairwise_euclidean(digits, block_rows=500)


@pytest.fixture(scope="module")
def mnist_like():
    """3,000 x 784 sparse [0, 1] images with exact and near duplicates."""
    rng = np.random.default_rng(1)
    X = (rng.random((3000, 784)) < 0.2) * rng.random((3000, 784))
    X = X.astype(np.float32)
    X[5] = X[7]
    X[9] = X[10] + np.float32(1e-3)
    X[2999] = X[0]
    return X


@pytest.fixture(scope="module")
def labellings(digits):
    labs = [KMeans(n_clusters=k, n_init=1, random_state=0).fit_predict(digits)
            for k in (2, 3, 10, 37)]
    rng = np.random.default_rng(0)
    labs.append(rng.integers(0, 6, len(digits)))  # random labelling
    single = labs[2].copy()
    single[17] = 10  # a singleton cluster
    labs.append(single)
    labs.append(np.where(labs[0] == 0, "a", "b"))  # non-integer labels
    return labs


def assert_entries_within_contract(D, X):
    """Every float32 entry within the contract's bound of the exact (float64) distance."""
    X64 = np.asarray(X, dtype=np.float64)
    exact = pairwise_distances(X64)
    sq = (X64 * X64).sum(axis=1)
    bound = C.entry_bound(sq[:, None], sq[None, :], exact)
    excess = np.abs(np.asarray(D, dtype=np.float64) - exact) - bound
    assert excess.max() <= 0, f"entry {np.unravel_index(excess.argmax(), excess.shape)} off by {excess.max():.3g} beyond the bound"


def small_X(seed=0, n=50, d=8):
    return np.random.default_rng(seed).random((n, d), dtype=np.float32)


# ---------------------------------------------------------------------- pairwise_euclidean


def check_distances(D, ref):
    assert D.dtype == np.float32 and D.shape == ref.shape
    assert np.abs(D - ref).max() < 1e-3
    assert np.array_equal(D, D.T)
    assert np.all(np.diag(D) == 0)
    assert D.min() >= 0


def test_pairwise_digits(digits, digits_ref, digits_D):
    check_distances(digits_D, digits_ref)
    assert np.abs(digits_D - digits_ref).max() < 1e-5


@pytest.mark.parametrize("block_rows", [2048, 701])
def test_pairwise_mnist_like(mnist_like, block_rows):
    ref = pairwise_distances(mnist_like.astype(np.float64))
    D = pairwise_euclidean(mnist_like, block_rows=block_rows)
    check_distances(D, ref)
    # near-duplicates are recomputed exactly instead of losing digits to cancellation
    assert np.abs(D - ref).max() < 1e-5
    assert D[5, 7] == 0 and D[0, 2999] == 0
    assert abs(D[9, 10] - ref[9, 10]) < 1e-6


def test_pairwise_into_memmap(tmp_path, digits, digits_ref):
    out = np.memmap(tmp_path / "d.f32", dtype=np.float32, mode="w+", shape=(len(digits),) * 2)
    assert pairwise_euclidean(digits, out=out, block_rows=256) is out
    check_distances(np.asarray(out), digits_ref)


def test_pairwise_bad_out(digits):
    with pytest.raises(ValueError, match="shape"):
        pairwise_euclidean(digits, out=np.empty((3, 3), np.float32))
    with pytest.raises(ValueError, match="float32"):
        pairwise_euclidean(digits[:4], out=np.empty((4, 4)))


def test_matrix_bytes():
    assert matrix_bytes(60_000) == 14_400_000_000
    assert matrix_bytes(3) == 36


# ---------------------------------------------------------------------- distance_matrix


def test_cache_reused(tmp_path, monkeypatch):
    X = small_X()
    D1 = distance_matrix(X, cache_dir=tmp_path, progress=False)
    assert isinstance(D1, np.memmap) and D1.mode == "r" and not D1.flags.writeable
    key = dm.cache_key(X)
    f = tmp_path / f"distances-{key}.f32"
    assert f.stat().st_size == matrix_bytes(len(X))
    meta = json.loads((tmp_path / f"distances-{key}.json").read_text())
    assert meta["shape"] == [50, 50] and meta["key"] == key and meta["dtype"] == "float32"
    assert "created" in meta and len(meta["x_sha256"]) == 64

    def boom(*a, **k):
        raise AssertionError("recomputed although the cache is valid")

    monkeypatch.setattr(dc, "pairwise_euclidean", boom)
    D2 = distance_matrix(X, cache_dir=tmp_path, progress=False)
    np.testing.assert_array_equal(D1, D2)
    assert_entries_within_contract(D2, X)


def test_cache_env_var(tmp_path, monkeypatch):
    monkeypatch.setenv(dm.CACHE_ENV, str(tmp_path / "c"))
    distance_matrix(small_X(), progress=False)
    assert len(list((tmp_path / "c").glob("distances-*.f32"))) == 1


def test_cache_key_differs(tmp_path):
    X = small_X()
    Y = X.copy()
    Y[3, 2] += 0.5
    assert dm.cache_key(X) != dm.cache_key(Y)
    assert dm.cache_key(X) != dm.cache_key(X[:49])
    distance_matrix(X, cache_dir=tmp_path, progress=False)
    DY = distance_matrix(Y, cache_dir=tmp_path, progress=False)
    assert len(list(tmp_path.glob("distances-*.f32"))) == 2
    assert_entries_within_contract(DY, Y)


def test_cache_explicit_key_with_other_X_recomputes(tmp_path):
    X, Y = small_X(0), small_X(1)
    distance_matrix(X, cache_dir=tmp_path, key="mine", progress=False)
    DY = distance_matrix(Y, cache_dir=tmp_path, key="mine", progress=False)
    assert_entries_within_contract(DY, Y)
    with pytest.raises(ValueError, match="key"):
        distance_matrix(X, cache_dir=tmp_path, key="../evil", progress=False)


@pytest.mark.parametrize("damage", ["truncate", "no_sidecar", "bad_sidecar"])
def test_cache_corrupt_recomputed(tmp_path, damage):
    X = small_X()
    distance_matrix(X, cache_dir=tmp_path, progress=False)
    key = dm.cache_key(X)
    f = tmp_path / f"distances-{key}.f32"
    meta = tmp_path / f"distances-{key}.json"
    if damage == "truncate":
        with open(f, "r+b") as fh:
            fh.truncate(100)
    elif damage == "no_sidecar":
        meta.unlink()
    else:
        meta.write_text("{not json")
    D = distance_matrix(X, cache_dir=tmp_path, progress=False)
    assert f.stat().st_size == matrix_bytes(len(X))
    assert_entries_within_contract(D, X)
    assert json.loads(meta.read_text())["key"] == key


def test_cache_atomic_on_failure(tmp_path, monkeypatch):
    X = small_X()
    real = dm.pairwise_euclidean
    final = tmp_path / f"distances-{dm.cache_key(X)}.f32"
    seen = []

    def half_then_raise(X, out=None, **kw):
        # while computing, nothing exists under the final name (a hard crash here, where
        # no cleanup runs, leaves only the tmp file)
        seen.append(os.path.basename(out.filename))
        assert not final.exists()
        out[: len(X) // 2] = 1.0  # partially written
        raise RuntimeError("killed midway")

    monkeypatch.setattr(dc, "pairwise_euclidean", half_then_raise)
    with pytest.raises(RuntimeError, match="midway"):
        distance_matrix(X, cache_dir=tmp_path, progress=False)
    assert len(seen) == 1 and re.fullmatch(rf"\.{re.escape(final.name)}\.{os.getpid()}\.[0-9a-f]{{8}}\.tmp",
                                           seen[0]), seen
    assert list(tmp_path.iterdir()) == []  # neither final file, sidecar, nor tmp file

    monkeypatch.setattr(dc, "pairwise_euclidean", real)
    D = distance_matrix(X, cache_dir=tmp_path, progress=False)
    assert_entries_within_contract(D, X)


def test_stale_tmp_of_dead_process_removed(tmp_path, monkeypatch):
    X = small_X()
    key = dm.cache_key(X)
    stale = tmp_path / f".distances-{key}.f32.999999999.0123abcd.tmp"
    stale.write_bytes(b"x" * 10)
    monkeypatch.setattr(dc.psutil, "pid_exists", lambda pid: False)
    distance_matrix(X, cache_dir=tmp_path, progress=False)
    assert not stale.exists()


Usage = namedtuple("Usage", "total used free")


def test_in_memory_fallback_when_disk_full(tmp_path, monkeypatch):
    monkeypatch.setattr(dc.shutil, "disk_usage", lambda p: Usage(10**6, 10**6, 10))
    X = small_X()
    with pytest.warns(UserWarning, match="in RAM"):
        D = distance_matrix(X, cache_dir=tmp_path, progress=False)
    assert type(D) is np.ndarray and not D.flags.writeable
    assert_entries_within_contract(D, X)
    assert list(tmp_path.glob("distances-*")) == []
    with pytest.raises(InsufficientSpaceError):
        distance_matrix(X, cache_dir=tmp_path, in_memory=False, progress=False)


def test_error_when_neither_disk_nor_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(dc.shutil, "disk_usage", lambda p: Usage(10**6, 10**6, 10))

    class VM:
        available = 10**6

    monkeypatch.setattr(dc.psutil, "virtual_memory", lambda: VM)
    with pytest.raises(MemoryError) as e:
        distance_matrix(small_X(), cache_dir=tmp_path, progress=False)
    msg = str(e.value)
    assert isinstance(e.value, InsufficientSpaceError)
    assert "needed" in msg and "available" in msg and dm.CACHE_ENV in msg
    assert "subsample" in msg
    with pytest.raises(InsufficientSpaceError):
        distance_matrix(small_X(), in_memory=True, progress=False)


def test_in_memory_true_skips_cache(tmp_path):
    X = small_X()
    D = distance_matrix(X, cache_dir=tmp_path, in_memory=True, progress=False)
    assert type(D) is np.ndarray and not D.flags.writeable
    assert list(tmp_path.iterdir()) == []


def test_enospc_falls_back_to_memory(tmp_path, monkeypatch):
    def full(fd, off, length):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dc.os, "posix_fallocate", full, raising=False)
    X = small_X()
    with pytest.warns(UserWarning, match="in RAM"):
        D = distance_matrix(X, cache_dir=tmp_path, progress=False)
    assert type(D) is np.ndarray
    assert list(tmp_path.glob("distances-*")) == []


# ---------------------------------------------------------------------- silhouettes


@pytest.mark.parametrize("block_rows,n_threads", [(1024, None), (100, 2), (333, 1), (1797, 1)])
def test_silhouette_scores_match_sklearn(digits_D, digits_ref, labellings, block_rows, n_threads):
    ref = [silhouette_score(digits_ref, lab, metric="precomputed") for lab in labellings]
    got = silhouette_scores(digits_D, labellings, block_rows=block_rows, n_threads=n_threads)
    assert got.shape == (len(labellings),) and got.dtype == np.float64
    np.testing.assert_allclose(got, ref, rtol=0, atol=C.SILHOUETTE_ABS)


def test_silhouette_scores_vs_sklearn_on_points(digits, digits_D, labellings):
    ref = [silhouette_score(digits, lab) for lab in labellings[:3]]
    np.testing.assert_allclose(silhouette_scores(digits_D, labellings[:3]), ref, atol=C.SILHOUETTE_ABS)


def test_silhouette_groups_split(digits_D, digits_ref, labellings, monkeypatch):
    # force one labelling per stacked group
    monkeypatch.setattr(ds, "_GROUP_OUTPUT_BYTES", 8)
    ref = [silhouette_score(digits_ref, lab, metric="precomputed") for lab in labellings]
    np.testing.assert_allclose(silhouette_scores(digits_D, labellings, block_rows=256), ref,
                               atol=C.SILHOUETTE_ABS)


def test_silhouette_samples_many(digits_D, digits_ref, labellings):
    got = silhouette_samples_many(digits_D, labellings[2:6], block_rows=500)
    for g, lab in zip(got, labellings[2:6]):
        np.testing.assert_allclose(g, silhouette_samples(digits_ref, lab, metric="precomputed"),
                                   atol=C.SILHOUETTE_ABS)
    assert got[3][17] == 0.0  # the singleton


def test_silhouette_duplicate_points():
    # all-equal points: a = b = 0 -> s = 0 (sklearn's nan_to_num)
    X = np.zeros((6, 2), np.float32)
    X[3:] = 1
    D = pairwise_euclidean(X)
    labs = [np.array([0, 0, 0, 1, 1, 1]), np.array([0, 0, 1, 1, 2, 2])]
    ref = [silhouette_score(D, lab, metric="precomputed") for lab in labs]
    np.testing.assert_allclose(silhouette_scores(D, labs), ref, atol=1e-12)


def test_silhouette_on_cached_memmap(tmp_path, digits, digits_ref, labellings):
    D = distance_matrix(digits, cache_dir=tmp_path, progress=False)
    assert isinstance(D, np.memmap)
    ref = [silhouette_score(digits_ref, lab, metric="precomputed") for lab in labellings[:2]]
    np.testing.assert_allclose(silhouette_scores(D, labellings[:2], block_rows=400), ref,
                               atol=C.SILHOUETTE_ABS)


def test_silhouette_bad_input(digits_D, labellings):
    n = len(digits_D)
    good = labellings[0]
    with pytest.raises(ValueError, match="square"):
        silhouette_scores(digits_D[:, :100], [good[:100]])
    with pytest.raises(ValueError, match="square"):
        silhouette_scores(np.zeros(5), [good])
    with pytest.raises(ValueError, match="labelling 1 "):
        silhouette_scores(digits_D, [good, good[:-1]])
    with pytest.raises(ValueError, match="labelling 2 has 1 distinct"):
        silhouette_scores(digits_D, [good, good, np.zeros(n, int)])
    with pytest.raises(ValueError, match="labelling 0 has 1797 distinct"):
        silhouette_scores(digits_D, [np.arange(n)])
    with pytest.raises(ValueError, match="wrap it in a list"):
        silhouette_scores(digits_D, good)
    with pytest.raises(ValueError, match="no labellings"):
        silhouette_scores(digits_D, [])
    with pytest.raises(ValueError, match="block_rows"):
        silhouette_scores(digits_D, [good], block_rows=0)


def test_silhouette_rejects_non_distance_matrix(labellings):
    rng = np.random.default_rng(0)
    A = rng.random((1797, 1797))
    with pytest.raises(ValueError, match="symmetric"):
        silhouette_scores(A, labellings[:1])
    S = A + A.T  # symmetric, but a non-zero diagonal
    with pytest.raises(ValueError, match="diagonal"):
        silhouette_scores(S, labellings[:1])


# ---------------------------------------------------------------------- verified cache


@pytest.fixture
def small_blocks(monkeypatch):
    """Checksum blocks of 8 rows for the 60-point matrices below (60 rows: 8 blocks)."""
    monkeypatch.setattr(dc, "CHECKSUM_BLOCK_BYTES", 4 * 60 * 8)
    monkeypatch.setattr(dc, "_VERIFIED", set())
    return 8


def fresh_process(monkeypatch):
    """Forget which files this process verified, as a new process would."""
    monkeypatch.setattr(dc, "_VERIFIED", set())


def cache_files(tmp_path, X):
    key = dm.cache_key(X)
    return tmp_path / f"distances-{key}.f32", tmp_path / f"distances-{key}.json"


def damage_row(f, n, i, symmetric):
    """Scale a third of row i by 1.7 in the file (and the mirrored column if symmetric)."""
    c0, c1 = n // 3, 2 * n // 3
    mm = np.memmap(f, dtype=np.float32, mode="r+", shape=(n, n))
    mm[i, c0:c1] *= np.float32(1.7)
    if symmetric:
        mm[c0:c1, i] *= np.float32(1.7)
    mm.flush()
    del mm
    return c0


def count_hashing(monkeypatch):
    calls = []
    real = dc._hash_file_blocks

    def counted(*a, **k):
        calls.append(a[0])
        return real(*a, **k)

    monkeypatch.setattr(dc, "_hash_file_blocks", counted)
    return calls


def test_checksums_written_match_file_bytes(tmp_path, small_blocks):
    import xxhash

    X = small_X(n=60)
    distance_matrix(X, cache_dir=tmp_path, progress=False)
    f, meta = cache_files(tmp_path, X)
    c = json.loads(meta.read_text())["checksum"]
    assert c["algorithm"] == "xxh3_64" and c["block_rows"] == small_blocks
    raw = f.read_bytes()
    step = small_blocks * 60 * 4
    # independent oracle: hash the file's bytes in fixed-size chunks
    want = [xxhash.xxh3_64_hexdigest(raw[s : s + step]) for s in range(0, len(raw), step)]
    assert len(want) == 8 and c["digests"] == want


@pytest.mark.parametrize("symmetric", [False, True])
@pytest.mark.parametrize("row", [0, 45])
def test_damaged_cache_raises_naming_file_and_fix(tmp_path, monkeypatch, small_blocks,
                                                  symmetric, row):
    X = small_X(n=60)
    D0 = np.array(distance_matrix(X, cache_dir=tmp_path, progress=False))
    f, meta = cache_files(tmp_path, X)
    c0 = damage_row(f, 60, row, symmetric)
    # the damage passes the size and sidecar checks: only the checksums can see it
    assert dc._valid_cache(f, meta, 60, dm.cache_key(X), dc._x_sha256(X))[0]
    fresh_process(monkeypatch)
    with pytest.raises(dm.DistanceCacheError) as e:
        distance_matrix(X, cache_dir=tmp_path, progress=False)
    assert isinstance(e.value, ValueError)
    msg = str(e.value)
    first_bad = min(row, c0) if symmetric else row  # the mirrored column starts at row c0
    b0 = first_bad // small_blocks * small_blocks
    assert str(f) in msg
    assert f"rows {b0} to {b0 + small_blocks - 1} " in msg
    assert "rebuild=True" in msg and "--rebuild-distances" in msg and "delete" in msg
    # the file was left alone
    assert not np.array_equal(np.fromfile(f, np.float32).reshape(60, 60), D0)


def test_rebuild_repairs_damaged_cache(tmp_path, monkeypatch, small_blocks):
    X = small_X(n=60)
    distance_matrix(X, cache_dir=tmp_path, progress=False)
    f, _ = cache_files(tmp_path, X)
    ino = f.stat().st_ino
    damage_row(f, 60, 20, symmetric=True)
    fresh_process(monkeypatch)
    with pytest.raises(dm.DistanceCacheError):
        distance_matrix(X, cache_dir=tmp_path, progress=False)
    D = distance_matrix(X, cache_dir=tmp_path, progress=False, rebuild=True)
    assert f.stat().st_ino != ino  # a new file renamed into place, not patched in place
    np.testing.assert_array_equal(D, pairwise_euclidean(X))
    assert_entries_within_contract(D, X)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    fresh_process(monkeypatch)  # the next process accepts the rebuilt file
    np.testing.assert_array_equal(distance_matrix(X, cache_dir=tmp_path, progress=False), D)


def test_intact_cache_verified_and_reused(tmp_path, monkeypatch, small_blocks, capsys):
    X = small_X(n=60)
    D1 = np.array(distance_matrix(X, cache_dir=tmp_path, progress=False))
    f, _ = cache_files(tmp_path, X)
    mtime = f.stat().st_mtime_ns

    def boom(*a, **k):
        raise AssertionError("recomputed although the cache is intact")

    monkeypatch.setattr(dc, "pairwise_euclidean", boom)
    fresh_process(monkeypatch)
    calls = count_hashing(monkeypatch)
    D2 = distance_matrix(X, cache_dir=tmp_path, progress=True)
    assert calls == [f]  # verified (hashed) once
    np.testing.assert_array_equal(D1, D2)
    assert f.stat().st_mtime_ns == mtime
    err = capsys.readouterr().err
    assert "verify distances" in err and "(verified)" in err
    fresh_process(monkeypatch)
    distance_matrix(X, cache_dir=tmp_path, progress=False)
    assert "verify distances" not in capsys.readouterr().err  # progress=False: no bar


def test_verified_once_per_process(tmp_path, monkeypatch, small_blocks):
    X = small_X(n=60)
    distance_matrix(X, cache_dir=tmp_path, progress=False)
    f, _ = cache_files(tmp_path, X)
    fresh_process(monkeypatch)
    calls = count_hashing(monkeypatch)
    for _ in range(3):
        distance_matrix(X, cache_dir=tmp_path, progress=False)
    dm.verify_cached_matrix(f)
    assert len(calls) == 1
    # a touched file (new mtime) is verified again
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    distance_matrix(X, cache_dir=tmp_path, progress=False)
    assert len(calls) == 2
    # verify=False skips the check
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 2 * 10**9))
    distance_matrix(X, cache_dir=tmp_path, progress=False, verify=False)
    assert len(calls) == 2


def test_written_file_needs_no_verification(tmp_path, monkeypatch, small_blocks):
    # the writer hashed the blocks while writing them: no second pass in this process
    calls = count_hashing(monkeypatch)
    X = small_X(n=60)
    distance_matrix(X, cache_dir=tmp_path, progress=False)
    distance_matrix(X, cache_dir=tmp_path, progress=False)
    assert calls == []


def test_cache_without_checksums_rebuilt_with_message(tmp_path, monkeypatch, small_blocks,
                                                      capsys):
    X = small_X(n=60)
    distance_matrix(X, cache_dir=tmp_path, progress=False)
    f, meta = cache_files(tmp_path, X)
    info = json.loads(meta.read_text())
    del info["checksum"]  # as an older version wrote it
    meta.write_text(json.dumps(info))
    damage_row(f, 60, 5, symmetric=True)  # unverifiable content must not be trusted
    fresh_process(monkeypatch)
    with pytest.raises(dm.DistanceCacheError, match="cannot be verified"):
        dm.verify_cached_matrix(f)
    capsys.readouterr()
    D = distance_matrix(X, cache_dir=tmp_path, progress=False)
    err = capsys.readouterr().err
    assert "recomputing" in err and "no checksums" in err and str(f) in err
    assert_entries_within_contract(D, X)
    assert len(json.loads(meta.read_text())["checksum"]["digests"]) == 8


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o027, 0o640)])
def test_cache_files_follow_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        distance_matrix(small_X(), cache_dir=tmp_path, progress=False)
    finally:
        os.umask(old)
    files = sorted(tmp_path.iterdir())
    assert [p.suffix for p in files] == [".f32", ".json"]
    for p in files:
        assert p.stat().st_mode & 0o777 == mode, p.name


# ------------------------------------------------------------ silhouettes from points


@pytest.mark.parametrize("block_rows,n_threads", [(1024, None), (100, 2), (333, 1)])
def test_silhouette_scores_from_points_match_sklearn(digits, labellings, block_rows, n_threads):
    ref = [silhouette_score(digits.astype(np.float64), lab) for lab in labellings]
    got = dm.silhouette_scores_from_points(digits, labellings, block_rows=block_rows,
                                           n_threads=n_threads)
    assert got.shape == (len(labellings),) and got.dtype == np.float64
    # float64 distances from the (float32) points: as exact as scikit-learn's own
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-9)


def test_silhouette_scores_from_points_low_dimensional_and_duplicates():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 3)).astype(np.float32)
    X[10] = X[11]  # a duplicate pair: distance exactly 0, not a cancellation residue
    labs = [rng.integers(0, k, 400) for k in (2, 7, 50)]
    ref = [silhouette_score(X.astype(np.float64), lab) for lab in labs]
    np.testing.assert_allclose(dm.silhouette_scores_from_points(X, labs, block_rows=64), ref,
                               rtol=0, atol=1e-9)


def test_silhouette_scores_from_points_never_builds_a_matrix(digits, labellings, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a distance matrix was built")

    monkeypatch.setattr(dc, "distance_matrix", refuse)
    monkeypatch.setattr(dc, "pairwise_euclidean", refuse)
    monkeypatch.setattr(dp, "pairwise_euclidean", refuse)
    assert np.isfinite(dm.silhouette_scores_from_points(digits, labellings[:1])).all()


def test_silhouette_scores_from_points_bad_input(digits, labellings):
    with pytest.raises(ValueError, match="wrap it in a list"):
        dm.silhouette_scores_from_points(digits, labellings[0])
    with pytest.raises(ValueError, match="2-D"):
        dm.silhouette_scores_from_points(digits[0], labellings)
    with pytest.raises(ValueError, match="expected"):
        dm.silhouette_scores_from_points(digits[:10], labellings)
