"""Verifying the cached 60,000 x 60,000 distance matrix vs one K-Medoids fit that uses it.

Measured in one run, on the full matrix (14.4 GB) built by ``distance_matrix``:

* ours: :func:`mnist_clustering.distances.verify_cached_matrix` (blockwise xxh3-64 over
  the memory-mapped file, 2 threads), the once-per-process check ``distance_matrix`` does
  before reusing the file: the first run (page cache as found) and ``--repeats`` warm runs;
* the same blockwise pass with other digests (xxh3-128, zlib's crc32), to show the choice;
* naive reference: one plain sequential read of the file (64 MB ``readinto``) hashed with
  ``hashlib.sha256``, the checksum one would write first;
* ``--cold``: the verification after dropping the file's pages that no process has mapped
  from the page cache (``posix_fadvise(DONTNEED)``; the file itself is not touched);
* the cost it is weighed against: one K-Medoids 'alternate' fit at ``--k`` (19) on all
  60,000 images with the same matrix (``--no-fit`` skips it).

A matrix written by a version without checksums has none in its sidecar;
``distance_matrix`` would rebuild it. ``--adopt-checksums`` instead hashes the existing
file, spot-checks ``--check-rows`` random rows against distances computed independently
in float64 (a gross error in those rows stops it), and adds the digests to the sidecar
atomically (temp file + rename). That trusts the rest of the file as it is now, so use it
only on a file you just built. Run::

    nice python benchmarks/bench_verify_distances.py --adopt-checksums [--cold]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import mmap
import os
import statistics
import sys
import time
import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import xxhash

from mnist_clustering.distances import cache as dm
from mnist_clustering.files import atomic_write, cache_dir
from mnist_clustering.data import load_mnist, prepare


def adopt_checksums(data, meta, X, check_rows, seed=0):
    """Add blockwise checksums of the existing file to its sidecar (atomically)."""
    n = X.shape[0]
    info = json.loads(meta.read_text())
    if "checksum" in info:
        return False
    D = np.memmap(data, dtype=np.float32, mode="r", shape=(n, n))
    rows = np.sort(np.random.default_rng(seed).choice(n, check_rows, replace=False))
    X64 = X.astype(np.float64)
    sq = np.einsum("ij,ij->i", X64, X64)
    ref = np.sqrt(np.maximum(sq[rows, None] + sq[None, :] - 2 * X64[rows] @ X64.T, 0))
    err = np.abs(np.asarray(D[rows], dtype=np.float64) - ref).max()
    if not err < 1e-3:
        sys.exit(f"{data}: {check_rows} spot-checked rows differ from float64 distances by "
                 f"{err:.3g}; not adopting checksums (rebuild it instead)")
    block_rows = dm._checksum_block_rows(n)
    t = time.perf_counter()
    digests, _ = dm._hash_file_blocks(data, n, block_rows, progress=True)
    info["checksum"] = {"algorithm": dm.CHECKSUM_ALGORITHM, "block_rows": block_rows,
                        "digests": digests}
    atomic_write(meta, json.dumps(info, indent=1) + "\n")
    print(f"adopted checksums: {len(digests)} blocks of {block_rows} rows hashed in "
          f"{time.perf_counter() - t:.2f} s; {check_rows} rows spot-checked (max error "
          f"{err:.2g})")
    return True


def verify_seconds(data):
    dm._VERIFIED.clear()  # as a new process
    t = time.perf_counter()
    dm.verify_cached_matrix(data)
    return time.perf_counter() - t


def blockwise_seconds(data, n, digest, n_threads=2):
    """The verification's pass (mapped blocks, 2 threads) with another digest."""
    block_rows = dm._checksum_block_rows(n)
    row_bytes = 4 * n
    with open(data, "rb") as f:
        mp = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    whole = memoryview(mp)

    def work(r0):
        with whole[r0 * row_bytes : min(r0 + block_rows, n) * row_bytes] as part:
            return digest(part)

    t = time.perf_counter()
    with ThreadPoolExecutor(n_threads) as ex:
        list(ex.map(work, range(0, n, block_rows)))
    seconds = time.perf_counter() - t
    whole.release()
    mp.close()
    return seconds


def naive_sha256_seconds(data, chunk=64 * 1024**2):
    h = hashlib.sha256()
    buf = bytearray(chunk)
    t = time.perf_counter()
    with open(data, "rb", buffering=0) as f:
        while k := f.readinto(buf):
            h.update(memoryview(buf)[:k])
    return time.perf_counter() - t


def drop_cached_pages(data):
    fd = os.open(data, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--k", type=int, default=19)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--adopt-checksums", action="store_true")
    ap.add_argument("--check-rows", type=int, default=256)
    ap.add_argument("--cold", action="store_true")
    ap.add_argument("--no-fit", action="store_true")
    args = ap.parse_args()

    X = prepare(load_mnist()[0][0])
    n = X.shape[0]
    data, meta = dm._paths(cache_dir(), dm.cache_key(X))
    if not data.exists():
        sys.exit(f"{data} does not exist: build it first (e.g. a K-Medoids sweep)")
    info = json.loads(meta.read_text())
    if "checksum" not in info:
        if not args.adopt_checksums:
            sys.exit(f"{meta} has no checksums (older version): pass --adopt-checksums, "
                     "or rebuild with distance_matrix(X, rebuild=True)")
        adopt_checksums(data, meta, X, args.check_rows)
    gb = data.stat().st_size / 1e9
    print(f"matrix: {data.name}, {gb:.1f} GB, {os.cpu_count()} CPUs")

    s_cold = None
    if args.cold:
        drop_cached_pages(data)
        s_cold = verify_seconds(data)
        print(f"verify, cold-ish (unmapped pages dropped): {s_cold:.2f} s "
              f"({gb / s_cold:.2f} GB/s)")
    first = verify_seconds(data)
    print(f"verify, first run (page cache as found): {first:.2f} s ({gb / first:.2f} GB/s)")
    warm = [verify_seconds(data) for _ in range(args.repeats)]
    med = statistics.median(warm)
    print(f"verify, warm x{args.repeats}: median {med:.2f} s ({gb / med:.1f} GB/s), "
          f"min {min(warm):.2f} s")
    for name, fn in [("xxh3_128", xxhash.xxh3_128_hexdigest), ("crc32", zlib.crc32)]:
        s = blockwise_seconds(data, n, fn)
        print(f"  same pass with {name}: {s:.2f} s ({gb / s:.1f} GB/s)")
    naive = naive_sha256_seconds(data)
    print(f"naive: sequential read + sha256: {naive:.2f} s ({gb / naive:.2f} GB/s); "
          f"ours is {naive / med:.1f}x faster")

    if not args.no_fit:
        from mnist_clustering.estimators import fit_clustering

        D = dm.distance_matrix(X, progress=False)  # verified above in this process
        fit = fit_clustering("kmedoids-alternate", args.k, X, distances=D)
        print(f"one kmedoids-alternate fit at k={args.k}: {fit.fit_seconds:.1f} s; "
              f"warm verification = {100 * med / fit.fit_seconds:.1f}% of it"
              + (f", cold-ish {100 * s_cold / fit.fit_seconds:.1f}%" if s_cold else ""))


if __name__ == "__main__":
    main()
