"""``make reproduce``: results, then the notebooks executed in place, then the figures.

The sweep preset resumes (it computes only what ``results/`` lacks), so with the
committed tables this step takes seconds and the notebook execution dominates.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path


def kernelspec_metadata(kernel_name="python3"):
    """The ``kernelspec`` notebook metadata of the installed kernel ``kernel_name``.

    JupyterLab writes exactly this into a notebook when it starts the kernel; a notebook
    that already holds it is not marked modified when it is opened.

    Returns
    -------
    dict
        ``name``, ``display_name`` and ``language``, e.g. ``{"name": "python3",
        "display_name": "Python 3 (ipykernel)", "language": "python"}``.
    """
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(kernel_name)
    return {"name": kernel_name, "display_name": spec.display_name, "language": spec.language}


def _kernel_config():
    """Kernels reached over CurveZMQ-encrypted TCP where pyzmq has CurveZMQ.

    ipykernel otherwise warns on its stderr, once per notebook, that it runs over TCP
    without encryption. ``auto``: keys are provisioned when the kernelspec declares
    support (ipykernel's does), otherwise the kernel starts as before.
    """
    import zmq
    from traitlets.config import Config

    policy = "auto" if zmq.has("curve") else "disabled"
    return Config({"KernelManager": {"transport_encryption": policy}})


def execute_notebook(path, *, timeout=3600, kernel_name="python3"):
    """Execute one notebook in place, in its own folder, and save its outputs.

    Timing metadata is not recorded, so two runs give the same text outputs; the
    notebook's ``kernelspec`` is set to the installed kernel's (:func:`kernelspec_metadata`).
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name=kernel_name, record_timing=False,
        resources={"metadata": {"path": str(path.parent)}}, config=_kernel_config(),
    )
    client.execute()
    notebook.metadata["kernelspec"] = kernelspec_metadata(kernel_name)
    nbformat.write(notebook, path)
    return notebook


def export_figures(notebook, stem, figures_dir):
    """Write every PNG output of an executed notebook to ``figures_dir/<stem>-NN.png``.

    Returns
    -------
    list of pathlib.Path
    """
    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    for old in figures_dir.glob(f"{stem}-*.png"):
        old.unlink()
    written = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                target = figures_dir / f"{stem}-{len(written) + 1:02d}.png"
                target.write_bytes(base64.b64decode(png))
                written.append(target)
    return written


def reproduce(notebooks="notebooks", figures="figures", *, run_sweeps=True):
    """Run the seed, spread, spaces and studies presets (resuming), execute every numbered notebook, export figures."""
    if run_sweeps:
        from .executors import default_workers
        from .sweep import run_preset

        for preset in ("seed", "spread", "spaces", "studies"):
            start = time.perf_counter()
            run_preset(preset, workers=default_workers())
            print(f"preset {preset}: results/ complete ({time.perf_counter() - start:.0f} s)",
                  flush=True)
    paths = sorted(Path(notebooks).glob("[0-9]*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no numbered notebooks in {notebooks}/")
    for path in paths:
        start = time.perf_counter()
        notebook = execute_notebook(path)
        written = export_figures(notebook, path.stem, figures)
        print(f"{path.name}: executed in {time.perf_counter() - start:.0f} s, "
              f"{len(written)} figures in {figures}/", flush=True)
