"""Feature spaces: built from the same fit for train and test, cached, verified, seeded.

Everything runs on scikit-learn's digits (1500 training images, 64 pixels); the
autoencoder (a small 64-64-10 one) trains for 2 epochs. UMAP's first fit in a process pays numba's compilation,
so one UMAP space is built per module and shared.
"""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from sklearn.decomposition import PCA

from mnist_clustering import spaces
from mnist_clustering.cli import main
from mnist_clustering.data import load_prepared
from mnist_clustering.spaces import SpaceCacheError, embed

# the mechanism (seeding, checkpoints, cache) on a small network: 2 epochs, 64-64-10
AE2 = {"epochs": 2, "layers": [64, 64]}


@pytest.fixture(scope="module")
def digits_prepared():
    return load_prepared("digits")


@pytest.fixture(scope="module")
def umap_space(tmp_path_factory):
    cache = tmp_path_factory.mktemp("umap-cache")
    return cache, embed("umap", "digits", cache_dir=cache, progress=False)


def _flip_byte(path, offset=-100):
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


# ----------------------------------------------------------------------------- imports


def test_importing_the_package_and_spaces_loads_neither_tensorflow_nor_umap():
    code = (
        "import sys, json, mnist_clustering, mnist_clustering.spaces, mnist_clustering.density\n"
        "import mnist_clustering.cli\n"
        "mnist_clustering.embed, mnist_clustering.density_table\n"
        "heavy = ('tensorflow', 'keras', 'umap', 'numba', 'pynndescent')\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & set(heavy))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env=os.environ.copy())
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


# ----------------------------------------------------------------------------- raw, pca


def test_raw_space_is_the_prepared_pixels(digits_prepared, tmp_path):
    X, y, Xt, _ = digits_prepared
    space = embed("raw", "digits", cache_dir=tmp_path, progress=False)
    np.testing.assert_array_equal(space.X_train, X)
    np.testing.assert_array_equal(space.X_test, Xt)
    np.testing.assert_array_equal(space.y_train, y)
    assert list(tmp_path.iterdir()) == []  # nothing to cache


def test_pca_test_images_go_through_the_training_fit(digits_prepared, tmp_path):
    X, _, Xt, _ = digits_prepared
    space = embed("pca", "digits", cache_dir=tmp_path, progress=False)
    oracle = PCA(n_components=50, svd_solver="covariance_eigh").fit(X)
    # float32 data: the projections agree to float32 precision of values of order 1
    np.testing.assert_allclose(space.X_train, oracle.transform(X), atol=1e-5)
    np.testing.assert_allclose(space.X_test, oracle.transform(Xt), atol=1e-5)
    assert space.X_train.shape == (1500, 50) and space.X_test.shape == (297, 50)


def test_n_samples_fits_on_the_first_images_and_keeps_the_whole_test_set(tmp_path):
    space = embed("pca", "digits", 300, cache_dir=tmp_path, progress=False)
    X, _, Xt, _ = load_prepared("digits")
    oracle = PCA(n_components=50, svd_solver="covariance_eigh").fit(X[:300])
    assert space.X_train.shape == (300, 50) and space.X_test.shape == (297, 50)
    np.testing.assert_allclose(space.X_test, oracle.transform(Xt), atol=1e-5)


# ----------------------------------------------------------------------------- cache


def test_cache_is_reused_without_refitting(tmp_path, monkeypatch):
    first = embed("pca", "digits", cache_dir=tmp_path, progress=False)
    monkeypatch.setitem(spaces._BUILDERS, "pca", lambda *a: pytest.fail("refitted"))
    again = embed("pca", "digits", cache_dir=tmp_path, progress=False)
    np.testing.assert_array_equal(again.X_train, first.X_train)
    np.testing.assert_array_equal(again.X_test, first.X_test)
    assert again.provenance == first.provenance
    info = json.loads((tmp_path / first.provenance["file"]).with_suffix(".json").read_text())
    assert info["params"] == {"n_components": 50, "svd_solver": "covariance_eigh"}
    assert info["seed"] == 0 and info["versions"]["scikit-learn"]
    assert info["checksum"]["algorithm"] == "xxh3_64"


def test_a_damaged_cache_file_is_an_error_naming_it_and_rebuild_repairs_it(tmp_path):
    first = embed("pca", "digits", cache_dir=tmp_path, progress=False)
    path = tmp_path / first.provenance["file"]
    _flip_byte(path)
    with pytest.raises(SpaceCacheError) as caught:
        embed("pca", "digits", cache_dir=tmp_path, progress=False)
    assert str(path) in str(caught.value)
    assert "--space pca --rebuild" in str(caught.value)
    repaired = embed("pca", "digits", cache_dir=tmp_path, rebuild=True, progress=False)
    np.testing.assert_array_equal(repaired.X_train, first.X_train)
    again = embed("pca", "digits", cache_dir=tmp_path, progress=False)  # verifies again
    np.testing.assert_array_equal(again.X_test, first.X_test)


def test_the_fix_a_damaged_space_names_rebuilds_that_very_space(tmp_path, monkeypatch, capsys):
    # a subsample fitted with another seed: the command the error gives must name all
    # three, or following it rebuilds another space and this one stays damaged
    monkeypatch.setenv("MNIST_CLUSTERING_CACHE", str(tmp_path))
    first = embed("pca", "digits", 700, seed=3, progress=False)
    path = tmp_path / first.provenance["file"]
    _flip_byte(path)
    with pytest.raises(SpaceCacheError) as caught:
        embed("pca", "digits", 700, seed=3, progress=False)
    message = str(caught.value)
    (command,) = re.findall(r"`mnist-clustering (embed [^`]*)`", message)
    assert command == "embed --space pca --rebuild --dataset digits --n-samples 700 --seed 3"
    assert "embed('pca', 'digits', 700, seed=3, rebuild=True)" in message
    assert main([*command.split(), "--no-progress"]) == 0  # as the message says
    capsys.readouterr()
    repaired = embed("pca", "digits", 700, seed=3, progress=False)
    np.testing.assert_array_equal(repaired.X_train, first.X_train)


def test_a_sidecar_describing_other_content_is_an_error(tmp_path):
    first = embed("pca", "digits", cache_dir=tmp_path, progress=False)
    meta = (tmp_path / first.provenance["file"]).with_suffix(".json")
    info = json.loads(meta.read_text())
    info["seed"] = 7
    meta.write_text(json.dumps(info))
    with pytest.raises(SpaceCacheError, match="seed=7"):
        embed("pca", "digits", cache_dir=tmp_path, progress=False)


def test_a_file_without_sidecar_is_rebuilt_not_used(tmp_path, capsys):
    first = embed("pca", "digits", cache_dir=tmp_path, progress=False)
    path = tmp_path / first.provenance["file"]
    path.with_suffix(".json").unlink()
    path.write_bytes(b"not an npz")  # would fail to load if it were used
    again = embed("pca", "digits", cache_dir=tmp_path, progress=False)
    np.testing.assert_array_equal(again.X_train, first.X_train)
    assert "no sidecar" in capsys.readouterr().err


def test_bad_arguments_are_refused_with_the_choices():
    with pytest.raises(ValueError, match="unknown feature space 'tsne'.*umap"):
        embed("tsne", "digits")
    with pytest.raises(ValueError, match="unknown parameter 'n_component'"):
        embed("pca", "digits", params={"n_component": 5})
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        embed("pca", "digits", seed=-1)


def test_an_optional_parameter_at_its_default_keeps_the_key_of_older_spaces():
    from mnist_clustering.spaces import space_params

    plain = space_params("autoencoder")
    assert plain["init"] == "fan_in_uniform"
    glorot = space_params("autoencoder", {"init": "glorot"})
    assert glorot == {name: value for name, value in plain.items() if name != "init"}
    nested = space_params("autoencoder-umap", {"autoencoder": {"init": "glorot", "epochs": 5}})
    assert nested["autoencoder"] == {**glorot, "epochs": 5}  # as spaces built before the option
    assert space_params("autoencoder-umap")["autoencoder"]["init"] == "fan_in_uniform"
    with pytest.raises(ValueError, match="unknown parameter 'inti'.*init"):
        space_params("autoencoder", {"inti": "glorot"})
    with pytest.raises(ValueError, match="unknown parameter 'init'"):
        space_params("umap", {"init": "glorot"})
    with pytest.raises(ValueError, match="unknown parameter 'depth'.*autoencoder"):
        space_params("autoencoder-umap", {"autoencoder": {"depth": 3}})


def test_cli_embed_builds_then_reports_a_damaged_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MNIST_CLUSTERING_CACHE", str(tmp_path))
    assert main(["embed", "--space", "pca", "--dataset", "digits", "--no-progress"]) == 0
    (path,) = tmp_path.glob("space-pca-*.npz")
    assert str(path) in capsys.readouterr().out
    _flip_byte(path)
    assert main(["embed", "--space", "pca", "--dataset", "digits", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "--rebuild" in err
    assert main(["embed", "--space", "pca", "--dataset", "digits", "--rebuild",
                 "--no-progress"]) == 0


# ----------------------------------------------------------------------------- umap


def test_umap_is_seeded_and_test_images_use_the_training_fit(umap_space, digits_prepared):
    import umap

    cache, space = umap_space
    X, _, Xt, _ = digits_prepared
    oracle = umap.UMAP(n_components=10, n_neighbors=30, min_dist=0.0, random_state=0, n_jobs=1)
    Z = oracle.fit_transform(X)
    # same seed, same single-threaded computation: identical, not merely close
    np.testing.assert_array_equal(space.X_train, Z)
    np.testing.assert_array_equal(space.X_test, oracle.transform(Xt))
    rebuilt = embed("umap", "digits", cache_dir=cache, rebuild=True, progress=False)
    np.testing.assert_array_equal(rebuilt.X_train, space.X_train)


def test_umap_seed_changes_the_embedding(umap_space, tmp_path):
    _, space = umap_space
    other = embed("umap", "digits", seed=1, cache_dir=tmp_path, progress=False)
    assert other.provenance["key"] != space.provenance["key"]
    assert not np.allclose(other.X_train, space.X_train)


# ----------------------------------------------------------------------------- autoencoder


def test_autoencoder_training_is_bit_deterministic_on_cpu(tmp_path):
    # one training here, the same in a fresh process (nothing shared but the seed)
    first = embed("autoencoder", "digits", cache_dir=tmp_path / "a", params=AE2, progress=False)
    code = ("import sys\nfrom mnist_clustering.spaces import embed\n"
            f"embed('autoencoder', 'digits', cache_dir=sys.argv[1], params={AE2!r}, progress=False)\n")
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "b")], check=True,
                   capture_output=True, env=os.environ.copy())
    (other,) = (tmp_path / "b").glob("space-autoencoder-*.npz")
    assert other.name == first.provenance["file"]  # same key: same parameters and data
    with np.load(other) as second:
        np.testing.assert_array_equal(first.X_train, second["X_train"])
        np.testing.assert_array_equal(first.X_test, second["X_test"])
    assert first.X_train.shape == (1500, 10) and first.X_test.shape == (297, 10)
    # training lowered the reconstruction error
    losses = json.loads(next((tmp_path / "a").glob("autoencoder-model-*.json")).read_text())["losses"]
    assert len(losses) == 2 and losses[1] < losses[0]


def test_autoencoder_codes_are_the_cached_encoder_applied_to_train_and_test(tmp_path, monkeypatch):
    from mnist_clustering import autoencoder

    space = embed("autoencoder", "digits", cache_dir=tmp_path, params=AE2, progress=False)
    (tmp_path / space.provenance["file"]).unlink()  # keep the trained model only
    monkeypatch.setattr(autoencoder, "train", lambda *a, **k: pytest.fail("retrained"))
    again = embed("autoencoder", "digits", cache_dir=tmp_path, params=AE2, progress=False)
    np.testing.assert_array_equal(again.X_train, space.X_train)
    np.testing.assert_array_equal(again.X_test, space.X_test)


def test_autoencoder_resumes_after_an_interruption_to_the_same_weights(tmp_path, monkeypatch):
    from mnist_clustering import autoencoder

    whole = embed("autoencoder", "digits", cache_dir=tmp_path / "whole", params=AE2,
                  progress=False)
    real_train = autoencoder.train

    def interrupted(X, params, seed, *, resume=None, on_epoch=None, progress=True):
        def stop(done, payload, loss):
            on_epoch(done, payload, loss)  # the checkpoint is written, then Ctrl-C
            raise KeyboardInterrupt

        return real_train(X, params, seed, resume=resume, on_epoch=stop, progress=progress)

    cache = tmp_path / "resumed"
    monkeypatch.setattr(autoencoder, "train", interrupted)
    with pytest.raises(KeyboardInterrupt):
        embed("autoencoder", "digits", cache_dir=cache, params=AE2, progress=False)
    (ckpt,) = cache.glob("*.ckpt.keras")
    assert json.loads(ckpt.with_name(ckpt.name.replace(".keras", ".json")).read_text())[
        "epochs_done"] == 1
    monkeypatch.setattr(autoencoder, "train", real_train)
    resumed = embed("autoencoder", "digits", cache_dir=cache, params=AE2, progress=False)
    np.testing.assert_array_equal(resumed.X_train, whole.X_train)
    np.testing.assert_array_equal(resumed.X_test, whole.X_test)
    assert not ckpt.exists()
    (model_meta,) = cache.glob("autoencoder-model-*.json")
    assert json.loads(model_meta.read_text())["resumed_after_epoch"] == 1


def test_a_damaged_autoencoder_model_is_an_error_naming_it(tmp_path):
    space = embed("autoencoder", "digits", cache_dir=tmp_path, params=AE2, progress=False)
    (tmp_path / space.provenance["file"]).unlink()
    (model,) = tmp_path.glob("autoencoder-model-*.keras")
    _flip_byte(model, offset=len(model.read_bytes()) // 2)
    with pytest.raises(SpaceCacheError) as caught:
        embed("autoencoder", "digits", cache_dir=tmp_path, params=AE2, progress=False)
    assert str(model) in str(caught.value)
    # parameters other than the defaults: no command rebuilds it, the call does
    assert "embed('autoencoder', 'digits', params=<the same params>, rebuild=True)" in str(
        caught.value)
    assert "mnist-clustering embed" not in str(caught.value)


def test_autoencoder_umap_is_umap_on_the_cached_codes(umap_space, tmp_path):
    import umap

    codes = embed("autoencoder", "digits", cache_dir=tmp_path, params=AE2, progress=False)
    space = embed("autoencoder-umap", "digits", cache_dir=tmp_path,
                  params={"autoencoder": AE2}, progress=False)
    # on the codes 20 neighbours (N2D's setting), not the 30 of the pixels' UMAP
    oracle = umap.UMAP(n_components=10, n_neighbors=20, min_dist=0.0, random_state=0, n_jobs=1)
    np.testing.assert_array_equal(space.X_train, oracle.fit_transform(codes.X_train))
    np.testing.assert_array_equal(space.X_test, oracle.transform(codes.X_test))
    assert space.provenance["autoencoder_file"] == codes.provenance["file"]


def test_load_prepared_refuses_a_bad_subsample_size():
    for bad in (1, 1501, 2.5, True):
        with pytest.raises(ValueError, match="n_samples must be an integer between 2 and 1500"):
            load_prepared("digits", bad)


# ----------------------------------------------------------------------------- initialisation


@pytest.mark.parametrize("init", ["glorot", "fan_in_uniform"])
def test_the_autoencoders_layers_start_as_their_initialisation_says(init):
    from mnist_clustering.autoencoder import build_autoencoder

    model = build_autoencoder(64, layers=[300, 200], n_components=10, init=init, seed=3)
    fan_in = 64
    for layer in model.layers[1:]:
        W, b = (np.asarray(w) for w in layer.get_weights())
        assert W.shape[0] == fan_in
        if init == "glorot":  # uniform in +-sqrt(6 / (fan_in + fan_out)), zero biases
            bound = np.sqrt(6 / (W.shape[0] + W.shape[1]))
            assert not b.any()
        else:  # PyTorch's nn.Linear: weights and biases uniform in +-1/sqrt(fan_in)
            bound = 1 / np.sqrt(fan_in)
            assert np.abs(b).max() <= bound and b.std() > 0
        assert np.abs(W).max() <= bound
        # a uniform variable on [-c, c] has variance c^2/3: the draw fills its interval
        assert abs(W.var() / (bound**2 / 3) - 1) < 0.1, layer.name
        fan_in = W.shape[1]


def test_an_unknown_initialisation_is_refused():
    from mnist_clustering.autoencoder import build_autoencoder

    with pytest.raises(ValueError, match="unknown autoencoder init 'he'.*glorot"):
        build_autoencoder(64, layers=[8], n_components=2, init="he")


# ----------------------------------------------------------------------------- lengths


def test_a_longer_training_resumes_from_a_shorter_ones_model_to_the_same_weights(
        tmp_path, monkeypatch):
    from mnist_clustering import autoencoder

    three = embed("autoencoder", "digits", cache_dir=tmp_path / "straight",
                  params={**AE2, "epochs": 3}, progress=False)
    cache = tmp_path / "stepwise"
    embed("autoencoder", "digits", cache_dir=cache, params=AE2, progress=False)  # 2 epochs
    calls = []
    real_train = autoencoder.train
    monkeypatch.setattr(autoencoder, "train",
                        lambda *a, **k: calls.append(k.get("resume")) or real_train(*a, **k))
    longer = embed("autoencoder", "digits", cache_dir=cache, params={**AE2, "epochs": 3},
                   progress=False)
    assert [resume[0] for resume in calls] == [2]  # one epoch trained, after the 2 cached
    np.testing.assert_array_equal(longer.X_train, three.X_train)
    np.testing.assert_array_equal(longer.X_test, three.X_test)
    # the history of the 3 epochs: losses and times of the 2 cached ones are carried over
    models = sorted(cache.glob("autoencoder-model-*-e*.json"))
    infos = {json.loads(p.read_text())["epochs_done"]: json.loads(p.read_text()) for p in models}
    assert sorted(infos) == [2, 3]
    assert infos[3]["losses"][:2] == infos[2]["losses"] and len(infos[3]["epoch_seconds"]) == 3
    assert infos[3]["training_seconds"] == pytest.approx(sum(infos[3]["epoch_seconds"]), abs=0.01)


def test_a_training_keeps_the_models_of_its_snapshot_lengths(tmp_path, monkeypatch):
    from mnist_clustering import autoencoder

    monkeypatch.setattr(spaces, "AUTOENCODER_SNAPSHOTS", (1, 5))
    embed("autoencoder", "digits", cache_dir=tmp_path, params=AE2, progress=False)
    kept = sorted(json.loads(p.read_text())["epochs_done"]
                  for p in tmp_path.glob("autoencoder-model-*-e*.json"))
    assert kept == [1, 2]  # 5 is beyond this training's 2 epochs
    monkeypatch.setattr(autoencoder, "train", lambda *a, **k: pytest.fail("retrained"))
    one = embed("autoencoder", "digits", cache_dir=tmp_path, params={**AE2, "epochs": 1},
                progress=False)
    assert one.provenance["final_loss"] == json.loads(
        next(tmp_path.glob("autoencoder-model-*-e2.json")).read_text())["losses"][0]
