"""The dense Keras autoencoder of the ``autoencoder`` feature space (imports TensorFlow).

Only :mod:`mnist_clustering.spaces` imports this module, and only when an autoencoder
space is built: ``import mnist_clustering`` never loads TensorFlow.

Training is seeded and deterministic on CPU: ``keras.utils.set_random_seed`` fixes the
initial weights, ``tf.config.experimental.enable_op_determinism`` the kernels, and the
batch order of epoch ``e`` is a permutation drawn from ``numpy.random.default_rng([seed,
e])``, so an epoch does not depend on how many epochs ran before it in this process. The
model (weights and Adam state) is checkpointed after every epoch; an interrupted training
resumes from the last finished epoch and ends with the same weights as an uninterrupted
one. The trained model is cached and reused.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .cachefiles import fix_hint, read_verified, sidecar_path, versions, write_verified
from .messages import logger
from .provenance import json_key

__all__ = ["ENCODE_BATCH", "INITS", "AutoencoderModel", "build_autoencoder", "cached_model",
           "model_file", "train"]

#: Rows per forward pass when encoding. Fixed: the float32 rounding of a row's code may
#: depend on the batch it is computed in, so every encoding uses the same batches.
ENCODE_BATCH = 4096
_CODE_LAYER = "code"
_log = logger(__name__)


def _keras():
    # Hide TensorFlow's C++ start-up chatter (must be set before the first import).
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    return keras


#: How the weights and biases of the dense layers start (``params["init"]``).
INITS = {
    # Keras' default, as in DEC's and N2D's own Keras code: Glorot-uniform weights, zero biases
    "glorot": "Glorot-uniform weights, zero biases (Keras' default)",
    # PyTorch's default for a linear layer (``nn.Linear``: Kaiming-uniform with a = sqrt(5)):
    # weights and biases uniform in +-1/sqrt(fan_in)
    "fan_in_uniform": "weights and biases uniform in +-1/sqrt(fan_in) (PyTorch's default)",
}


def _dense(keras, units, fan_in, init, name, activation=None):
    if init not in INITS:
        raise ValueError(f"unknown autoencoder init {init!r}; choose one of {', '.join(INITS)}")
    if init == "glorot":
        return keras.layers.Dense(int(units), activation=activation, name=name)
    bound = 1.0 / np.sqrt(fan_in)
    # VarianceScaling(1/3, fan_in, uniform) draws from +-sqrt(3 * (1/3) / fan_in)
    return keras.layers.Dense(
        int(units), activation=activation, name=name,
        kernel_initializer=keras.initializers.VarianceScaling(1 / 3, "fan_in", "uniform"),
        bias_initializer=keras.initializers.RandomUniform(-bound, bound))


def build_autoencoder(n_features, *, layers, n_components, activation="relu", init="glorot",
                      seed=0):
    """A dense autoencoder ``n_features - layers - n_components - reversed(layers) - n_features``.

    Hidden layers use ``activation``; the bottleneck (layer ``"code"``) and the output are
    linear, as in DEC and N2D.

    Parameters
    ----------
    n_features : int
    layers : sequence of int
        Widths of the encoder's hidden layers (the decoder mirrors them).
    n_components : int
        Width of the bottleneck.
    activation : str, default "relu"
    init : {"glorot", "fan_in_uniform"}, default "glorot"
        How the weights and biases start (:data:`INITS`).
    seed : int, default 0
        Seeds the initial weights.

    Returns
    -------
    keras.Model
        Uncompiled.
    """
    keras = _keras()
    keras.utils.set_random_seed(int(seed))
    inputs = keras.Input((int(n_features),), name="pixels")
    h, fan_in = inputs, int(n_features)
    for i, units in enumerate(layers):
        h = _dense(keras, units, fan_in, init, f"encoder_{i}", activation)(h)
        fan_in = int(units)
    h = _dense(keras, n_components, fan_in, init, _CODE_LAYER)(h)
    fan_in = int(n_components)
    for i, units in enumerate(reversed(layers)):
        h = _dense(keras, units, fan_in, init, f"decoder_{i}", activation)(h)
        fan_in = int(units)
    outputs = _dense(keras, n_features, fan_in, init, "reconstruction")(h)
    return keras.Model(inputs, outputs, name="autoencoder")


def _to_bytes(model):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.keras"
        model.save(path)
        return path.read_bytes()


def _from_bytes(payload):
    keras = _keras()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.keras"
        path.write_bytes(payload)
        return keras.saving.load_model(path, compile=True)


def train(X, params, seed, *, resume=None, on_epoch=None, progress=True):
    """Train the autoencoder on the rows of X; returns the fitted keras model.

    Parameters
    ----------
    X : (n, d) float32 array
    params : dict
        ``layers``, ``n_components``, ``activation``, ``epochs``, ``batch_size``,
        ``learning_rate`` (see :data:`mnist_clustering.spaces.DEFAULT_PARAMS`).
    seed : int
    resume : (int, bytes), optional
        ``(epochs_done, model_bytes)`` of a checkpoint to continue from.
    on_epoch : callable, optional
        ``on_epoch(epochs_done, model_bytes, loss)`` after every epoch (the checkpoint).
    progress : bool
        A tqdm bar over the epochs (with the loss) on stderr.
    """
    from tqdm.auto import tqdm

    keras = _keras()
    X = np.ascontiguousarray(X, dtype=np.float32)
    epochs, batch = int(params["epochs"]), int(params["batch_size"])
    if resume is not None:
        done, model = resume[0], _from_bytes(resume[1])
    else:
        done = 0
        model = build_autoencoder(X.shape[1], layers=params["layers"],
                                  n_components=params["n_components"],
                                  activation=params["activation"],
                                  init=params.get("init", "glorot"), seed=seed)
        model.compile(optimizer=keras.optimizers.Adam(params["learning_rate"]), loss="mse")
    bar = tqdm(total=epochs, initial=done, unit="epoch", desc="autoencoder", file=sys.stderr,
               disable=not progress)
    try:
        for epoch in range(done, epochs):
            order = np.random.default_rng([int(seed), epoch]).permutation(len(X))
            losses = np.empty(-(-len(X) // batch))
            # one compiled step per batch: no tf.data pipeline per epoch (Model.fit builds
            # one, and TensorFlow logs about it), and a batch is exactly X[order[i:i+batch]]
            for b, i in enumerate(range(0, len(X), batch)):
                Xb = X[order[i:i + batch]]
                losses[b] = float(model.train_on_batch(Xb, Xb))
            # a row-weighted mean: the last batch may be short
            sizes = np.diff(np.r_[np.arange(0, len(X), batch), len(X)])
            loss = float(np.average(losses, weights=sizes))
            bar.update(1)
            bar.set_postfix(loss=f"{loss:.5f}")
            if on_epoch is not None:
                on_epoch(epoch + 1, _to_bytes(model), loss)
    finally:
        bar.close()
    return model


class AutoencoderModel:
    """A trained autoencoder from the cache: ``encode(X)`` gives the codes."""

    def __init__(self, path, payload, info, trained_seconds=None):
        self.path, self.info, self.trained_seconds = Path(path), info, trained_seconds
        model = _from_bytes(payload)
        keras = _keras()
        self.encoder = keras.Model(model.inputs[0], model.get_layer(_CODE_LAYER).output)

    def encode(self, X):
        """The bottleneck codes of the rows of X, float32 ``(n, n_components)``."""
        X = np.ascontiguousarray(X, dtype=np.float32)
        parts = [self.encoder(X[i:i + ENCODE_BATCH], training=False).numpy()
                 for i in range(0, len(X), ENCODE_BATCH)]
        return np.concatenate(parts).astype(np.float32, copy=False)


def _training_ident(params, seed, data_sha256):
    # Everything that defines a training but its length: the model after e epochs does not
    # depend on how many epochs the training was asked for (a constant learning rate, and
    # the batch order of epoch e drawn from (seed, e)), so one training serves every length.
    return {"model": "autoencoder", "seed": int(seed), "data_sha256": data_sha256,
            "params": {name: value for name, value in params.items() if name != "epochs"}}


def model_file(cache_dir, key, epochs):
    """Where the model of training ``key`` after ``epochs`` epochs is cached."""
    return Path(cache_dir) / f"autoencoder-model-{key}-e{int(epochs)}.keras"


def _epochs_in(path):
    # epochs_done of a cached model or checkpoint from its sidecar (None if unreadable:
    # read_verified then names the problem when the file is used)
    try:
        return int(json.loads(sidecar_path(path).read_text())["epochs_done"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _latest_start(cache_dir, key, epochs, ckpt):
    """The cached model or checkpoint of this training with the most epochs <= ``epochs``."""
    candidates = [(_epochs_in(path), path)
                  for path in [ckpt, *Path(cache_dir).glob(f"autoencoder-model-{key}-e*.keras")]
                  if path.exists()]
    candidates = [(done, path) for done, path in candidates if done is not None and done <= epochs]
    return max(candidates, key=lambda item: item[0], default=(None, None))[1]


def cached_model(X, params, seed, *, cache_dir, data_sha256, rebuild=False, progress=True,
                 hint=None, snapshots=()):
    """The autoencoder trained on X for ``params["epochs"]`` epochs: from the cache, resumed
    from the furthest cached point of the same training, or trained.

    Files in ``cache_dir``, each with a JSON sidecar checked as every cache file
    (:func:`~mnist_clustering.cachefiles.read_verified`): ``autoencoder-model-<key>-e<E>.keras``,
    the model (with its optimiser state) after E epochs, and, while training,
    ``autoencoder-model-<key>.ckpt.keras`` (the last finished epoch). The key leaves the
    number of epochs out: the model after 40 epochs is the same whether 40 or 80 were
    asked for, so a longer training resumes from a shorter one's model and ``snapshots``
    keeps the models of intermediate lengths on the way.

    Parameters
    ----------
    X : (n, d) float32 array
    params : dict
        As :func:`train`'s.
    seed : int
    cache_dir : path
    data_sha256 : str
        Hash of X, part of the key.
    rebuild : bool, default False
        Train from scratch, ignoring every cached model and checkpoint of this training.
    progress : bool, default True
    hint : str, optional
        How to rebuild a damaged file, for the error (default
        :func:`~mnist_clustering.cachefiles.fix_hint` of the space ``autoencoder``).
    snapshots : iterable of int, default ()
        Numbers of epochs below ``params["epochs"]`` whose models are cached too.

    Returns
    -------
    AutoencoderModel
        ``info`` holds the sidecar: ``losses`` and ``epoch_seconds`` per epoch,
        ``training_seconds`` (their sum, over every run that trained it).
    """
    hint = hint or fix_hint("autoencoder")
    epochs = int(params["epochs"])
    ident = _training_ident(params, seed, data_sha256)
    key = json_key(ident)
    expect = {**ident, "key": key}
    target = model_file(cache_dir, key, epochs)
    ckpt = Path(cache_dir) / f"autoencoder-model-{key}.ckpt.keras"
    if not rebuild:
        found = read_verified(target, {**expect, "epochs_done": epochs}, hint)
        if found is not None:
            if progress:
                _log.info(f"reusing the trained model {target}")
            return AutoencoderModel(target, *found)
    resume, history = None, {"losses": [], "epoch_seconds": []}
    start_file = None if rebuild else _latest_start(cache_dir, key, epochs, ckpt)
    if start_file is not None:
        found = read_verified(start_file, expect, hint)
        if found is not None:
            resume = (int(found[1]["epochs_done"]), found[0])
            history = {name: list(found[1].get(name) or [])[:resume[0]] for name in history}
            if progress:
                _log.info(f"resuming from {start_file} after epoch {resume[0]} of {epochs}")
    keep = {int(e) for e in snapshots if 0 < int(e) < epochs} | {epochs}
    last = [time.perf_counter()]

    def info_at(done):
        return {**expect, "epochs_done": done, "losses": history["losses"],
                "loss": history["losses"][-1] if history["losses"] else None,
                "epoch_seconds": history["epoch_seconds"],
                "training_seconds": round(float(sum(history["epoch_seconds"])), 2),
                "versions": versions(), "resumed_after_epoch": resume[0] if resume else None}

    def checkpoint(done, payload, loss):
        now = time.perf_counter()
        history["losses"].append(loss)
        history["epoch_seconds"].append(round(now - last[0], 3))
        write_verified(ckpt, payload, info_at(done))
        if done in keep:
            write_verified(model_file(cache_dir, key, done), payload, info_at(done))
        last[0] = time.perf_counter()  # the writes are not the next epoch's training

    start = time.perf_counter()
    model = train(X, params, seed, resume=resume, on_epoch=checkpoint, progress=progress)
    seconds = time.perf_counter() - start
    payload = _to_bytes(model)
    if not target.exists():  # resumed from a checkpoint already at the end: nothing ran
        write_verified(target, payload, info_at(epochs))
    info = json.loads(sidecar_path(target).read_text())
    ckpt.unlink(missing_ok=True)
    sidecar_path(ckpt).unlink(missing_ok=True)
    return AutoencoderModel(target, payload, info, trained_seconds=seconds)
