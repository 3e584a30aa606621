"""Sphinx configuration of the report: ``make report`` -> ``build/report/index.html``.

The pages are the notebooks as they were executed and saved (``make reproduce``): MyST-NB
renders their stored outputs and runs nothing (``nb_execution_mode = "off"``), so the site
builds offline in seconds. ``docs/notebooks`` is a link to ``../notebooks``: the notebooks
are kept once, where JupyterLab and nbval read them.

What each page shows is set in the notebooks' cell metadata, as Jupyter Book reads it: the
tag ``hide-input`` (code hidden behind a toggle) and ``mystnb.figure`` (a numbered figure's
caption and name).
"""

from __future__ import annotations

import hashlib
import json
from binascii import a2b_base64
from pathlib import Path

from docutils import nodes

project = "mnist-clustering"
author = "mnist-clustering contributors"
copyright = "mnist-clustering contributors"  # no year: two builds give the same pages

extensions = ["myst_nb", "sphinxcontrib.bibtex"]
root_doc = "index"
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "notebooks/README.md"]

# ----------------------------------------------------------------------------- MyST-NB
nb_execution_mode = "off"
# A notebook that wrote to stderr when it was executed fails the build (``-W``).
nb_output_stderr = "warn"
nb_merge_streams = True
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3

# --------------------------------------------------------------------- figures, sources
numfig = True
numfig_format = {"figure": "Figure %s", "table": "Table %s"}
bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

# -------------------------------------------------------------------------------- HTML
html_theme = "sphinx_book_theme"
html_title = "MNIST clustering"
html_static_path = ["_static"]
html_css_files = ["report.css"]
html_js_files = ["report.js"]
html_theme_options = {
    # No top bar: the sidebar holds the title and search (pydata-sphinx-theme 0.20 adds a
    # search field in a top bar unless this is set explicitly).
    "navbar_persistent": [],
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "show_navbar_depth": 1,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "navigation_with_keys": False,
}
html_show_sphinx = False
html_last_updated_fmt = None


# ------------------------------------------------------------------ figure descriptions
def _png_descriptions(path: Path) -> dict[str, str]:
    """sha256 of each PNG output of a notebook -> the description stored with it.

    ``mnist_clustering.plots.show`` stores each figure's description in the output's
    metadata (``{"image/png": {"alt": ...}}``); MyST-NB names the image file after the
    sha256 of its bytes but does not read that metadata.
    """
    found = {}
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            alt = output.get("metadata", {}).get("image/png", {}).get("alt")
            if png and alt:
                content = "".join(png) if isinstance(png, list) else png
                found[hashlib.sha256(a2b_base64(content)).hexdigest()] = alt
    return found


def _describe_images(app, doctree):
    """Give every notebook figure its stored description as ``alt`` text."""
    source = Path(app.env.doc2path(app.env.docname))
    if source.suffix != ".ipynb":
        return
    descriptions = _png_descriptions(source)
    for image in doctree.findall(nodes.image):
        alt = descriptions.get(Path(image["uri"]).stem)
        if alt and not image.get("alt"):
            image["alt"] = alt


def setup(app):
    app.connect("doctree-read", _describe_images)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
