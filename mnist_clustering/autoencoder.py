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

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .cachefiles import fix_hint, read_verified, sidecar_path, versions, write_verified
from .messages import logger
from .provenance import json_key

__all__ = ["ENCODE_BATCH", "AutoencoderModel", "build_autoencoder", "cached_model", "train"]

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


def build_autoencoder(n_features, *, layers, n_components, activation="relu", seed=0):
    """A dense autoencoder ``n_features - layers - n_components - reversed(layers) - n_features``.

    Hidden layers use ``activation``; the bottleneck (layer ``"code"``) and the output are
    linear, as in DEC and N2D. Weights are initialised from ``seed``.

    Returns
    -------
    keras.Model
        Uncompiled.
    """
    keras = _keras()
    keras.utils.set_random_seed(int(seed))
    inputs = keras.Input((int(n_features),), name="pixels")
    h = inputs
    for i, units in enumerate(layers):
        h = keras.layers.Dense(int(units), activation=activation, name=f"encoder_{i}")(h)
    h = keras.layers.Dense(int(n_components), name=_CODE_LAYER)(h)
    for i, units in enumerate(reversed(layers)):
        h = keras.layers.Dense(int(units), activation=activation, name=f"decoder_{i}")(h)
    outputs = keras.layers.Dense(int(n_features), name="reconstruction")(h)
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
                                  activation=params["activation"], seed=seed)
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


def cached_model(X, params, seed, *, cache_dir, data_sha256, rebuild=False, progress=True,
                 hint=None):
    """The autoencoder trained on X: from the cache, resumed from a checkpoint, or trained.

    Files in ``cache_dir``: ``autoencoder-model-<key>.keras`` (the trained model) and,
    while training, ``autoencoder-model-<key>.ckpt.keras`` (the last finished epoch), each
    with a JSON sidecar checked as every cache file (:func:`~mnist_clustering.cachefiles.read_verified`).
    ``rebuild`` trains from scratch, ignoring both. ``hint``: how to rebuild a damaged
    file, for the error (default :func:`~mnist_clustering.cachefiles.fix_hint` of the
    space ``autoencoder``).
    """
    hint = hint or fix_hint("autoencoder")
    ident = {"model": "autoencoder", "params": params, "seed": int(seed),
             "data_sha256": data_sha256}
    key = json_key(ident)
    path = Path(cache_dir) / f"autoencoder-model-{key}.keras"
    ckpt = Path(cache_dir) / f"autoencoder-model-{key}.ckpt.keras"
    expect = {**ident, "key": key}
    if not rebuild:
        found = read_verified(path, expect, hint)
        if found is not None:
            if progress:
                _log.info(f"reusing the trained model {path}")
            return AutoencoderModel(path, *found)
    resume = None
    if not rebuild:
        found = read_verified(ckpt, expect, hint)
        if found is not None:
            resume = (int(found[1]["epochs_done"]), found[0])
            if progress:
                _log.info(f"resuming from {ckpt} after epoch {resume[0]} of {params['epochs']}")
    losses = list(found[1].get("losses", [])) if resume is not None else []

    def checkpoint(done, payload, loss):
        losses.append(loss)
        write_verified(ckpt, payload, {**expect, "epochs_done": done, "losses": losses})

    start = time.perf_counter()
    model = train(X, params, seed, resume=resume, on_epoch=checkpoint, progress=progress)
    seconds = time.perf_counter() - start
    info = {**expect, "epochs_done": int(params["epochs"]), "losses": losses,
            "loss": losses[-1] if losses else None, "versions": versions(),
            "training_seconds": round(seconds, 2), "resumed_after_epoch": resume[0] if resume else None}
    payload = _to_bytes(model)
    info = write_verified(path, payload, info)
    ckpt.unlink(missing_ok=True)
    sidecar_path(ckpt).unlink(missing_ok=True)
    return AutoencoderModel(path, payload, info, trained_seconds=seconds)
