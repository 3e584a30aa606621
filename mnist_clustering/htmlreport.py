"""``make report``: a static HTML page per executed notebook, an index and the README.

The pages are nbconvert's HTML export of the committed (executed) notebooks with the code
hidden: readers see the text, tables and figures, nothing is re-run, so it takes seconds.
nbconvert's 'classic' template writes each figure's description (the ``alt`` metadata set
by :func:`mnist_clustering.plots.show`) as the ``alt`` of its ``<img>``.

Run ``python -m mnist_clustering.htmlreport [NOTEBOOKS] [OUT]`` (defaults ``notebooks``
and ``build/report``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

__all__ = ["build_report"]

TEMPLATE = "classic"
"""nbconvert template: the 'classic' one reads the ``alt`` of image outputs (the 'lab' one
does not)."""


def _exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name=TEMPLATE, exclude_input=True,
                        exclude_input_prompt=True, exclude_output_prompt=True)


def _title(notebook, default):
    """The first Markdown heading of a notebook, without its '#'."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return default


def _markdown_page(exporter, markdown, title):
    """An HTML page made of one Markdown cell, exported like the notebooks."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_markdown_cell(markdown))
    notebook.metadata["title"] = title
    body, _ = exporter.from_notebook_node(notebook)
    return body


def build_report(notebooks="notebooks", out="build/report", readme="README.md"):
    """Write ``out/<notebook>.html`` for every numbered notebook, ``index.html`` and ``readme.html``.

    Parameters
    ----------
    notebooks : path-like
        Folder of the executed notebooks (``NN_name.ipynb``); their stored outputs are
        exported as they are.
    out : path-like
        Folder of the pages (created).
    readme : path-like, optional
        The project README, exported as ``readme.html`` and linked from the index; None
        for none.

    Returns
    -------
    list of pathlib.Path
        The pages written, index first.

    Raises
    ------
    FileNotFoundError
        If ``notebooks`` holds no numbered notebook.
    ValueError
        If a notebook has not been executed (no outputs): run ``make reproduce`` first.
    """
    import nbformat

    paths = sorted(Path(notebooks).glob("[0-9]*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no numbered notebooks (NN_name.ipynb) in {notebooks}/")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    exporter = _exporter()
    written, links = [], []
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        if not any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"):
            raise ValueError(f"{path} has no outputs: execute it first (make reproduce)")
        title = _title(notebook, path.stem)
        notebook.metadata["title"] = title
        body, _ = exporter.from_notebook_node(notebook)
        page = out / f"{path.stem}.html"
        page.write_text(body, encoding="utf-8")
        written.append(page)
        links.append(f"- [{title}]({page.name})")
    index = ["# mnist-clustering: the report", "",
             "The notebooks as executed against the committed results, code hidden.", "",
             *links]
    if readme is not None and Path(readme).exists():
        page = out / "readme.html"
        page.write_text(_markdown_page(exporter, Path(readme).read_text(encoding="utf-8"),
                                       "README"), encoding="utf-8")
        written.append(page)
        index += ["", "How the results were computed, and how to reproduce them: "
                      "[the README](readme.html)."]
    page = out / "index.html"
    page.write_text(_markdown_page(exporter, "\n".join(index), "mnist-clustering"),
                    encoding="utf-8")
    return [page, *written]


def main(argv=None):
    """Command line: ``python -m mnist_clustering.htmlreport [NOTEBOOKS] [OUT]``."""
    args = sys.argv[1:] if argv is None else argv
    notebooks = args[0] if args else "notebooks"
    out = args[1] if len(args) > 1 else "build/report"
    start = time.perf_counter()
    pages = build_report(notebooks, out)
    print(f"{len(pages)} pages in {out}/ ({time.perf_counter() - start:.1f} s); "
          f"open {Path(out) / 'index.html'}")


if __name__ == "__main__":
    main()
