"""Feature spaces beyond raw pixels, computed once and cached with provenance.

A *feature space* maps the prepared images (:func:`mnist_clustering.data.load_prepared`)
to the rows a clustering method sees. The training images fit the transform; the test
images go through the same fitted transform (``pca.transform``, ``umap.transform``, the
trained encoder), so a score on the test images keeps its meaning.

==================  ====================================================================
space               what
==================  ====================================================================
``raw``             the prepared pixels themselves (nothing cached)
``pca``             scikit-learn ``PCA``, 50 components
``umap``            umap-learn ``UMAP``, 10 dimensions, ``n_neighbors=30, min_dist=0``
                    (the parameters its documentation's page "Using UMAP for Clustering"
                    advises), seeded
``autoencoder``     the 10-unit bottleneck of a dense Keras autoencoder trained on the
                    training images (:mod:`mnist_clustering.autoencoder`)
``autoencoder-umap``  UMAP (as ``umap``) on the autoencoder codes: the N2D recipe
                    (McConville et al. 2020)
==================  ====================================================================

Cache
-----
Each built space is one file ``space-<space>-<key>.npz`` (arrays ``X_train`` and
``X_test``) in :func:`mnist_clustering.files.cache_dir` (beside the distance
matrix), with a sidecar ``space-<space>-<key>.json``: the space, its parameters, the seed,
the dataset, ``n_samples``, the sha256 of the prepared training and test images, the
package versions, the build time and the xxh3-64 checksum of the ``.npz`` bytes. The key
is a hash of everything that defines the result (space, parameters, seed, data hashes);
versions are recorded, not keyed. A cached file is checked against its sidecar every time
it is read; a damaged one raises :class:`SpaceCacheError` naming the file and the fix
(``mnist-clustering embed --space ... --rebuild``), it is never used. The autoencoder's
trained model and its per-epoch checkpoint are cached the same way
(``autoencoder-model-<key>.keras``).

TensorFlow and umap-learn are imported only when a space needs them: importing this
module imports neither.
"""

from __future__ import annotations

import io
import json
import time
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .cachefiles import (  # noqa: F401 (SpaceCacheError, fix_hint: part of this API)
    SpaceCacheError, fix_hint, read_verified, versions, write_verified,
)
from .data import load_prepared
from .files import cache_dir as default_cache
from .messages import logger
from .provenance import array_sha256, json_key

__all__ = [
    "AUTOENCODER_SNAPSHOTS",
    "DEFAULT_PARAMS",
    "OPTIONAL_PARAMS",
    "SPACES",
    "FeatureSpace",
    "SpaceCacheError",
    "embed",
    "space_params",
]

_log = logger(__name__)

#: The feature spaces, in the order the notebooks show them.
SPACES = ("raw", "pca", "umap", "autoencoder", "autoencoder-umap")

_UMAP = {"n_components": 10, "n_neighbors": 30, "min_dist": 0.0, "metric": "euclidean"}
#: The autoencoder: DEC's and N2D's 784-500-500-2000-10 dense network (ReLU, linear
#: bottleneck and output, mean squared error, Adam, batch 256 as theirs), its layers
#: started as PyTorch starts a linear layer (``init``, :data:`mnist_clustering.autoencoder.INITS`).
#: Start and length were chosen by measurement on the full training set (the epochs study,
#: :func:`mnist_clustering.studies.epochs_study`, in notebook 05): with Keras' Glorot start
#: the accuracy of K-Means at k = 10 in autoencoder-umap stayed at 0.974-0.976 from 40 to
#: 160 epochs; with this start it rises to about 0.979 (N2D's figure) by 80 epochs. A batch
#: of 64 lowered the loss no faster per second of training than 256.
_AUTOENCODER = {
    "layers": [500, 500, 2000],
    "n_components": 10,
    "activation": "relu",
    "init": "fan_in_uniform",
    "epochs": 80,
    "batch_size": 256,
    "learning_rate": 1e-3,
}
#: UMAP on the autoencoder codes: as on the pixels but with 20 neighbours, N2D's setting
#: for MNIST (:func:`mnist_clustering.studies.neighbours_study` measures 10, 20 and 30).
_CODES_UMAP = {**_UMAP, "n_neighbors": 20}

#: Lengths (in epochs) of the autoencoder's training whose models are kept on the way
#: (the epochs study of :mod:`mnist_clustering.studies` reads them).
AUTOENCODER_SNAPSHOTS = (10, 20, 40, 80)

#: Parameters of each space (``space_params(space, overrides)`` merges overrides in).
DEFAULT_PARAMS = {
    "raw": {},
    # covariance_eigh: exact, deterministic and the fastest solver when n >> d (784).
    "pca": {"n_components": 50, "svd_solver": "covariance_eigh"},
    "umap": dict(_UMAP),
    "autoencoder": dict(_AUTOENCODER),
    "autoencoder-umap": {"autoencoder": dict(_AUTOENCODER), "umap": dict(_CODES_UMAP)},
}

@dataclass(frozen=True)
class FeatureSpace:
    """The training and test images of a dataset in one feature space.

    Attributes
    ----------
    name : str
        One of :data:`SPACES`.
    X_train, X_test : numpy.ndarray
        float32 ``(n_train, d)`` and ``(n_test, d)``; the test rows went through the
        transform fitted on the training rows.
    y_train, y_test : numpy.ndarray
        The digit labels (for scoring; no space uses them).
    provenance : dict
        The sidecar: space, parameters, seed, dataset, data hashes, versions, build time,
        checksum, cache file (``raw`` has no file).
    """

    name: str
    X_train: np.ndarray = field(repr=False)
    X_test: np.ndarray = field(repr=False)
    y_train: np.ndarray = field(repr=False)
    y_test: np.ndarray = field(repr=False)
    provenance: dict = field(repr=False)


# ----------------------------------------------------------------------------- params


def _check_space(space):
    if space not in SPACES:
        raise ValueError(f"unknown feature space {space!r}; choose one of {', '.join(SPACES)}")


#: Parameters a space accepts beyond :data:`DEFAULT_PARAMS`, with their default. Left out
#: of the parameters (and so of the cache key) at their default, so that the spaces built
#: before the parameter existed keep their keys and the results computed on them.
OPTIONAL_PARAMS = {"autoencoder": {"init": "glorot"}}


def _merge(merged, overrides, optional, what):
    """``merged`` updated by ``overrides`` (names checked), optional names at their
    default left out."""
    for name, value in (overrides or {}).items():
        if name not in merged and name not in optional:
            raise ValueError(f"unknown parameter {name!r} for {what}; its parameters are "
                             f"{', '.join([*merged, *optional]) or '(none)'}")
        merged[name] = value
    for name, default in optional.items():
        if merged.get(name, default) == default:
            merged.pop(name, None)
    return merged


def space_params(space, params=None):
    """The parameters of ``space``: :data:`DEFAULT_PARAMS` updated by ``params``.

    For ``autoencoder-umap`` the overrides are nested: ``{"autoencoder": {...},
    "umap": {...}}``. Unknown names are refused (a typo would otherwise key a new cache
    file silently); the names of :data:`OPTIONAL_PARAMS` are accepted and left out at
    their default.
    """
    _check_space(space)
    merged = json.loads(json.dumps(DEFAULT_PARAMS[space]))  # a deep copy
    if space != "autoencoder-umap":
        merged = _merge(merged, params, OPTIONAL_PARAMS.get(space, {}), f"space {space!r}")
        return json.loads(json.dumps(merged))  # JSON types, as the sidecar holds them
    for name, value in (params or {}).items():
        if name not in merged:
            raise ValueError(f"unknown parameter {name!r} for space {space!r}; its parameters "
                             f"are {', '.join(merged)}")
        _merge(merged[name], value, OPTIONAL_PARAMS.get(name, {}),
               f"space {space!r} ({name})")
    for name in merged:  # a default given explicitly is left out too
        _merge(merged[name], {}, OPTIONAL_PARAMS.get(name, {}), "")
    return json.loads(json.dumps(merged))


def _npz_bytes(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _npz_arrays(payload, path, hint):
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
            return npz["X_train"], npz["X_test"]
    except (OSError, ValueError, KeyError) as error:  # checksum fine, content not an npz
        raise SpaceCacheError(f"{path} does not hold X_train and X_test ({error}). "
                              f"{hint}") from error


# ----------------------------------------------------------------------------- builders


def _fit_pca(X_train, X_test, params, seed, context):
    from sklearn.decomposition import PCA

    start = time.perf_counter()
    pca = PCA(random_state=seed, **params).fit(X_train)
    Z_train = pca.transform(X_train)
    fitted = time.perf_counter()
    Z_test = pca.transform(X_test)
    extra = {"explained_variance_ratio": float(pca.explained_variance_ratio_.sum()),
             **_split(start, fitted)}
    return Z_train, Z_test, extra


def _fit_umap(X_train, X_test, params, seed, context):
    with warnings.catch_warnings():
        # umap-learn imports numba and pynndescent, which warn about their own internals
        warnings.simplefilter("ignore")
        import umap

    if context["progress"]:
        _log.info(f"fitting UMAP {params} on {len(X_train)} points (seeded, so single-threaded)")
    # random_state makes UMAP reproducible and single-threaded (umap-learn's documented
    # trade-off); n_jobs=1 says so explicitly instead of letting UMAP warn about it.
    reducer = umap.UMAP(**params, random_state=seed, n_jobs=1)
    start = time.perf_counter()
    Z_train = reducer.fit_transform(X_train)
    fitted = time.perf_counter()
    Z_test = reducer.transform(X_test)
    return Z_train, Z_test, _split(start, fitted)


def _fit_autoencoder(X_train, X_test, params, seed, context):
    from . import autoencoder

    model = autoencoder.cached_model(X_train, params, seed, cache_dir=context["cache_dir"],
                                     data_sha256=context["train_sha256"],
                                     rebuild=context["rebuild"], progress=context["progress"],
                                     hint=context["hint"], snapshots=AUTOENCODER_SNAPSHOTS)
    start = time.perf_counter()
    Z_train = model.encode(X_train)
    fitted = time.perf_counter()
    Z_test = model.encode(X_test)
    extra = {"model_file": model.path.name, "final_loss": model.info.get("loss"),
             "training_seconds": model.info.get("training_seconds"),
             **_split(start, fitted)}
    # the fit is the training (0 when the trained model came from the cache) + encoding
    extra["fit_seconds"] = round(extra["fit_seconds"] + (model.trained_seconds or 0.0), 2)
    return Z_train, Z_test, extra


def _fit_autoencoder_umap(X_train, X_test, params, seed, context):
    codes = embed("autoencoder", context["dataset"], context["n_samples"], seed=seed,
                  progress=context["progress"], cache_dir=context["cache_dir"],
                  params=params["autoencoder"])
    Z_train, Z_test, extra = _fit_umap(codes.X_train, codes.X_test, params["umap"], seed, context)
    return Z_train, Z_test, {"autoencoder_file": codes.provenance.get("file"), **extra}


def _split(start, fitted):
    """Seconds of the fit (with the training images' transform) and of the test transform."""
    return {"fit_seconds": round(fitted - start, 2),
            "transform_test_seconds": round(time.perf_counter() - fitted, 2)}


_BUILDERS = {
    "pca": _fit_pca,
    "umap": _fit_umap,
    "autoencoder": _fit_autoencoder,
    "autoencoder-umap": _fit_autoencoder_umap,
}


# ----------------------------------------------------------------------------- embed


def embed(space, dataset="mnist", n_samples=None, *, seed=0, rebuild=False, progress=True,
          cache_dir=None, params=None, build=True):
    """The training and test images of ``dataset`` in feature space ``space``.

    Built once (fit on the training images, test images through the same fitted
    transform) and cached; later calls read the cache after checking its checksum.

    Parameters
    ----------
    space : {"raw", "pca", "umap", "autoencoder", "autoencoder-umap"}
    dataset : {"mnist", "digits"}
    n_samples : int, optional
        Fit on (and return) the first ``n_samples`` training images; the test set is whole.
    seed : int, default 0
        Seeds the fit (PCA's and UMAP's ``random_state``, the autoencoder's initial
        weights and batch order). Independent of the seeds of a clustering in the space.
    rebuild : bool, default False
        Build again and replace the cache file (e.g. after a :class:`SpaceCacheError`);
        for ``autoencoder`` this retrains from scratch. It applies to ``space`` only:
        ``autoencoder-umap`` reuses the cached autoencoder.
    progress : bool, default True
        Messages (and the autoencoder's progress bar) on stderr.
    cache_dir : path, optional
        Default :func:`mnist_clustering.files.cache_dir`.
    params : dict, optional
        Overrides of :data:`DEFAULT_PARAMS` (see :func:`space_params`).
    build : bool, default True
        False: read the cache only (a worker process reads the driver's space); a space
        that is not cached is a :class:`SpaceCacheError`.

    Returns
    -------
    FeatureSpace

    Raises
    ------
    SpaceCacheError (a ValueError)
        A cached file does not match its sidecar; the message names it and the fix.
    """
    params = space_params(space, params)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    X_train, y_train, X_test, y_test = load_prepared(dataset, n_samples)
    ident = {
        "space": space,
        "params": params,
        "seed": seed,
        "dataset": dataset,
        "n_samples": None if n_samples is None else int(n_samples),
        "data_sha256": {"X_train": array_sha256(X_train), "X_test": array_sha256(X_test)},
    }
    if space == "raw":
        info = {**ident, "shape_train": list(X_train.shape), "shape_test": list(X_test.shape)}
        return FeatureSpace(space, X_train, X_test, y_train, y_test, info)

    cache_dir = Path(cache_dir).expanduser() if cache_dir is not None else default_cache()
    key = json_key(ident)
    path = cache_dir / f"space-{space}-{key}.npz"
    hint = fix_hint(space, dataset, n_samples, seed, default_params=params == DEFAULT_PARAMS[space])
    found = None if rebuild else read_verified(path, {**ident, "key": key}, hint)
    if found is None and not build:
        raise SpaceCacheError(f"the {space} space of {dataset} is not in the cache {cache_dir} "
                              f"({path.name} is missing): it is read, never built, here")
    if found is not None:
        payload, info = found
        Z_train, Z_test = _npz_arrays(payload, path, hint)
        if Z_train.shape[0] != len(X_train) or Z_test.shape[0] != len(X_test):
            raise SpaceCacheError(f"{path} holds {Z_train.shape[0]} + {Z_test.shape[0]} rows, "
                                  f"expected {len(X_train)} + {len(X_test)}. {hint}")
        if progress:
            _log.info(f"reusing {space} space {path} (verified)")
        return FeatureSpace(space, Z_train, Z_test, y_train, y_test, info)

    context = {"dataset": dataset, "n_samples": n_samples, "cache_dir": cache_dir,
               "rebuild": rebuild, "progress": progress,
               "train_sha256": ident["data_sha256"]["X_train"],
               "hint": fix_hint("autoencoder", dataset, n_samples, seed,
                                default_params=params == DEFAULT_PARAMS[space])}
    start = time.perf_counter()
    Z_train, Z_test, extra = _BUILDERS[space](X_train, X_test, params, seed, context)
    seconds = time.perf_counter() - start
    Z_train = np.ascontiguousarray(Z_train, dtype=np.float32)
    Z_test = np.ascontiguousarray(Z_test, dtype=np.float32)
    if not (np.isfinite(Z_train).all() and np.isfinite(Z_test).all()):
        raise ValueError(f"the {space} space of {dataset} has NaN or infinite values: "
                         f"not cached; check the parameters {params}")
    info = {
        **ident,
        "key": key,
        "shape_train": list(Z_train.shape),
        "shape_test": list(Z_test.shape),
        "dtype": "float32",
        "build_seconds": round(seconds, 2),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": versions(),
        **extra,
    }
    info = write_verified(path, _npz_bytes(X_train=Z_train, X_test=Z_test), info)
    if progress:
        _log.info(f"built the {space} space in {seconds:.1f} s: {path}")
    return FeatureSpace(space, Z_train, Z_test, y_train, y_test, info)
