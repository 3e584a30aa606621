"""The ``mnist-clustering`` command: thin argument parsing over the package.

Examples
--------
::

    mnist-clustering data fetch
    mnist-clustering sweep --method kmeans --k 2:80
    mnist-clustering sweep --method kmedoids-alternate --k 2:263:10
    mnist-clustering sweep --preset seed
    mnist-clustering best --method kmeans --score silhouette -n 5
    mnist-clustering best --method kmeans --score nmi --n-samples 3000
    mnist-clustering reproduce
    mnist-clustering embed --space umap
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading

from .estimators import METHODS


def build_parser():
    """The argument parser of the ``mnist-clustering`` command."""
    parser = argparse.ArgumentParser(
        prog="mnist-clustering",
        description="Cluster MNIST with K-Means and K-Medoids, sweep k, score every k.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    data = commands.add_parser("data", help="obtain and verify the MNIST data")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    fetch = data_commands.add_parser("fetch", help="put verified MNIST in the project cache")
    fetch.add_argument("--force", action="store_true",
                       help="fetch again even if the cache holds a file (replaces a corrupt one)")

    sweep = commands.add_parser("sweep", help="fit and score every k of a grid, into results/")
    what = sweep.add_mutually_exclusive_group(required=True)
    what.add_argument("--method", choices=METHODS)
    what.add_argument("--preset", choices=["seed", "spread", "spaces", "studies"],
                      help="seed: all of the 2022 notebook's sweeps and final models; "
                           "spread: K-Means over many seeds per k (run after seed); "
                           "spaces: K-Means, Gaussian mixture and HDBSCAN in every feature "
                           "space beyond raw pixels, the best one trained with 3 seeds; "
                           "studies: the best space's training length and UMAP neighbours, "
                           "and umap-learn's documented recipe")
    sweep.add_argument("--k", dest="ks", help="k grid: START:STOP[:STEP] (stop excluded) or K,K,...")
    sweep.add_argument("--keep", default="", help="k values whose labels/centres are stored")
    sweep.add_argument("--seed", type=int, default=0, help="random state (default 0)")
    sweep.add_argument("--seeds", default=None,
                       help="several random states, one row per (k, seed): e.g. 0:10 or 0,3,7 "
                            "(same syntax as --k; overrides --seed)")
    sweep.add_argument("--keep-labels", action="store_true",
                       help="store every row's labels (for the stability across seeds)")
    sweep.add_argument("--n-init", type=int, default=None, help="K-Means initialisations (default 1)")
    sweep.add_argument("--silhouette", type=int, default=None, metavar="N",
                       help="sample N images for the silhouette (default: exact on all)")
    sweep.add_argument("--force", action="store_true", help="recompute k already in the table")
    _add_table_options(sweep)
    sweep.add_argument("--n-samples", type=int, default=None,
                       help="use the first N training images (a separate table)")
    sweep.add_argument("--space", default="raw", choices=_spaces(),
                       help="cluster in this feature space (default raw pixels; built into "
                            "the cache by `embed` if missing); tables in results/DATASET/SPACE/")
    sweep.add_argument("--space-seed", type=int, default=0, metavar="S",
                       help="the feature space trained with seed S (default 0); its tables in "
                            "results/DATASET/SPACE-seedS/ for S >= 1 (not with raw pixels)")
    sweep.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    sweep.add_argument("--rebuild-distances", action="store_true",
                       help="compute the cached distance matrix again (e.g. after it failed "
                            "its checksum) and replace the cache file")
    where = sweep.add_mutually_exclusive_group()
    where.add_argument("--scheduler", help="address of a Dask scheduler, e.g. tcp://HOST:8786")
    where.add_argument("--workers", "--dask-workers", dest="workers", type=int, default=None,
                       help="fit this many k at once in local worker processes (default: one per "
                            "core; 1: one k after the other)")
    sweep.add_argument("--distances", choices=["shared-path", "scatter", "recompute"], default=None,
                       help="with workers: how they get the distance matrix (default: by where it is)")

    best = commands.add_parser("best", help="the best k of a stored sweep for a score")
    best.add_argument("--method", choices=METHODS, required=True)
    best.add_argument("--score", required=True, help="the score to rank k by, and whether the best k maximises or "
                           f"minimises it: {_scores()}")
    best.add_argument("-n", type=int, default=5, help="how many k to list (default 5)")
    best.add_argument("--seed", type=int, default=None,
                      help="rank the runs of this seed alone (default: each k by its mean "
                           "over the table's seeds, with their number and 95%% interval)")
    _add_table_options(best)
    best.add_argument("--n-samples", type=int, default=None, metavar="N",
                      help="the table of a sweep run with --n-samples N")

    embed = commands.add_parser(
        "embed", help="build a feature space (fit on the training images) into the cache")
    embed.add_argument("--space", required=True,
                       choices=["pca", "umap", "autoencoder", "autoencoder-umap"])
    embed.add_argument("--dataset", default="mnist", choices=["mnist", "digits"])
    embed.add_argument("--n-samples", type=int, default=None,
                       help="fit on the first N training images")
    embed.add_argument("--seed", type=int, default=0, help="random state of the fit (default 0)")
    embed.add_argument("--rebuild", action="store_true",
                       help="build again and replace the cached file (e.g. after it failed "
                            "its checksum); the autoencoder is retrained from scratch")
    embed.add_argument("--no-progress", action="store_true", help="hide messages and progress bars")

    reproduce = commands.add_parser(
        "reproduce", help="run the seed preset (resuming), execute the notebooks, write figures")
    reproduce.add_argument("--notebooks", default="notebooks", help="notebook folder")
    reproduce.add_argument("--figures", default="figures", help="where to write PNG figures")
    return parser


def _scores():
    """The scores ``best`` ranks by, each with its direction ('max': larger is better)."""
    from .metrics import SCORE_DIRECTIONS

    return ", ".join(f"{name} ({direction})" for name, direction in SCORE_DIRECTIONS.items())


def _spaces():
    from .spaces import SPACES

    return SPACES


def _add_table_options(parser):
    parser.add_argument("--dataset", default="mnist", choices=["mnist", "digits"])
    parser.add_argument("--results-dir", default=None, help="root of the results tables")


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, ``timeout``, a batch scheduler), handled as Ctrl-C is."""


def main(argv=None):
    """Entry point of the console script; returns the exit status.

    Bad input is one line, ``mnist-clustering: error: ...``, and status 2. Ctrl-C
    (status 130) and SIGTERM (status 143) stop the work, end the local worker processes
    and print one line: every finished row is already saved.
    """
    args = build_parser().parse_args(argv)
    from .data import DataIntegrityError, DataUnavailableError
    from .executors import WorkerLostError, shutdown_local_workers, signals_ignored
    from .sweep import ResultsError

    with _sigterm_as_interrupt():
        try:
            return _COMMANDS[args.command](args) or 0
        except Terminated:
            print("\nterminated (SIGTERM): every finished k is already saved; re-run to resume.",
                  file=sys.stderr)
            return 143
        except KeyboardInterrupt:
            print("\ninterrupted: every finished k is already saved; re-run to resume.",
                  file=sys.stderr)
            return 130
        except (ValueError, ResultsError, FileNotFoundError, DataIntegrityError,
                DataUnavailableError, WorkerLostError, MemoryError, OSError) as error:
            print(f"mnist-clustering: error: {_message(error)}", file=sys.stderr)
            return 2
        finally:
            with signals_ignored("SIGINT", "SIGTERM"):  # a second signal cannot cut it short
                shutdown_local_workers()


def _message(error):
    """The error's own message, or what it is when it has none (a bare MemoryError)."""
    text = str(error).strip()
    if isinstance(error, MemoryError):
        return f"out of memory{f' ({text})' if text else ''}: use a smaller grid, fewer " \
               "--workers or --n-samples"
    return text or error.__class__.__name__


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """Raise :class:`Terminated` on SIGTERM while the command runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _data(args):
    from .data import fetch_mnist

    fetch_mnist(force=args.force)  # reports what it did and how long it took


def _sweep(args):
    from .executors import default_workers
    from .scores import CLI_COLUMNS
    from .sweep import run_preset, run_sweep

    options = dict(seed=args.seed, results_dir=args.results_dir, force=args.force,
                   progress=not args.no_progress, dataset=args.dataset, n_samples=args.n_samples,
                   rebuild_distances=args.rebuild_distances)
    if args.space_seed:
        options["space_seed"] = args.space_seed
    if args.silhouette is not None:
        options["silhouette"] = args.silhouette
    if args.scheduler is not None:
        options["scheduler"] = args.scheduler
    else:
        options["workers"] = default_workers() if args.workers is None else args.workers
    if args.distances is not None:
        options["distances"] = args.distances
    if args.preset:
        if args.space != "raw":
            raise ValueError("--preset chooses its own spaces (the 'spaces' preset: all of "
                             "them beyond raw); drop --space")
        if args.ks or args.keep or args.n_init is not None or args.seeds or args.keep_labels:
            raise ValueError("--preset sets its own k grids, seeds and parameters; drop "
                             "--k/--keep/--n-init/--seeds/--keep-labels")
        for label, (table, seconds) in run_preset(args.preset, **options).items():
            rows = "" if table is None else f"{len(table)} rows, "
            print(f"{label}: {rows}{seconds:.0f} s")
        return 0
    if not args.ks:
        raise ValueError("--k is required with --method (e.g. --k 2:80)")
    params = {"n_init": args.n_init} if args.n_init is not None else {}
    table = run_sweep(args.method, args.ks, keep=args.keep or (), seeds=args.seeds,
                      keep_labels=args.keep_labels, space=args.space, **options, **params)
    columns = ["k", *(["seed"] if args.seeds else []), *CLI_COLUMNS]
    print(table[columns].to_string(index=False))
    return 0


def _best(args):
    from .checks import check_int
    from .metrics import SCORE_DIRECTIONS, best_k
    from .sweep import load_results

    if args.score not in SCORE_DIRECTIONS:  # before reading any table
        raise ValueError(f"unknown score {args.score!r}; choose one of (best k maximises or "
                         f"minimises it): {_scores()}")
    if args.seed is not None:
        check_int(args.seed, "--seed", min_val=0, max_val=2**32 - 1)
    check_int(args.n, "-n", min_val=1)
    table = load_results(args.method, args.dataset, args.results_dir, n_samples=args.n_samples)
    top = best_k(table, args.score, n=args.n, seed=args.seed)
    print(top.to_string(index=False))
    note = top.attrs.get("note")
    if note:
        print(note)


def _embed(args):
    from .files import cache_dir
    from .spaces import embed

    space = embed(args.space, args.dataset, args.n_samples, seed=args.seed, rebuild=args.rebuild,
                  progress=not args.no_progress)
    info = space.provenance
    print(f"{args.space}: train {space.X_train.shape}, test {space.X_test.shape}, built in "
          f"{info['build_seconds']:.1f} s, cached in {cache_dir() / info['file']}")


def _reproduce(args):
    from .reproduce import reproduce

    reproduce(notebooks=args.notebooks, figures=args.figures)


_COMMANDS = {"data": _data, "sweep": _sweep, "best": _best, "reproduce": _reproduce,
             "embed": _embed}

if __name__ == "__main__":
    sys.exit(main())
