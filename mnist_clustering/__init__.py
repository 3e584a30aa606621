"""Cluster the MNIST training images with K-Means and K-Medoids, sweep k, score every k.

The public API is re-exported here lazily, so ``import mnist_clustering`` stays fast
and never imports TensorFlow (only the optional keras download route does, on demand).
"""

from importlib import import_module

__version__ = "0.1.0"

# public name -> submodule that defines it
_PUBLIC = {
    # data
    "load_mnist": "data",
    "load_digits_dataset": "data",
    "load_dataset": "data",
    "prepare": "data",
    "fetch_mnist": "data",
    # labels and scores
    "contingency": "metrics",
    "majority_labels": "metrics",
    "predict_labels": "metrics",
    "purity": "metrics",
    "n_errors": "metrics",
    "hungarian_accuracy": "metrics",
    "label_entropy": "metrics",
    "seed_index_entropy": "metrics",
    "label_scores": "metrics",
    "silhouette": "metrics",
    "calinski_harabasz": "metrics",
    "assign_nearest": "metrics",
    "best_k": "metrics",
    # distances
    "distance_matrix": "distances",
    "silhouette_scores": "distances",
    # feature spaces (TensorFlow and umap-learn are imported only when a space needs them)
    "embed": "spaces",
    "density_table": "density",
    # sweeps
    "make_estimator": "estimators",
    "run_sweep": "sweep",
    "load_results": "results",
    "load_artifacts": "results",
    "read_study": "results",
    "parse_k_range": "evaluate",
    # figures
    "plots": None,
    # tables for the notebooks (seed vs ours, published figures)
    "views": None,
    # the 2022 notebook: its preset, printed numbers and bugs
    "notebook2022": None,
}

__all__ = sorted(_PUBLIC)


def __getattr__(name):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'mnist_clustering' has no attribute {name!r}")
    module_name = _PUBLIC[name] or name
    module = import_module(f".{module_name}", __name__)
    return module if _PUBLIC[name] is None else getattr(module, name)


def __dir__():
    return __all__
