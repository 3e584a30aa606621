"""``make report``: the static pages built from the committed, executed notebooks."""

from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from mnist_clustering.htmlreport import build_report

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))


class _Page(HTMLParser):
    """Collects the ``<img>`` tags and the links of a page."""

    def __init__(self):
        super().__init__()
        self.images, self.links = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        elif tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])


def _parse(path):
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    pages = build_report(ROOT / "notebooks", out, readme=ROOT / "README.md")
    return out, pages


def test_one_page_per_notebook_an_index_and_the_readme(site):
    out, pages = site
    expected = {f"{path.stem}.html" for path in NOTEBOOKS} | {"index.html", "readme.html"}
    assert {page.name for page in pages} == expected
    assert all((out / name).stat().st_size > 0 for name in expected)
    links = [link for link in _parse(out / "index.html").links if not link.startswith("#")]
    assert set(links) == expected - {"index.html"}


def test_pages_hold_no_code(site):
    out, _ = site
    for path in NOTEBOOKS:
        html = (out / f"{path.stem}.html").read_text(encoding="utf-8")
        code = [cell.source for cell in nbformat.read(path, as_version=4).cells
                if cell.cell_type == "code"]
        # a line of every code cell that is not also prose, e.g. 'plots.show(...)'
        for source in code:
            line = max(source.splitlines(), key=len)
            assert line.strip() not in html, f"{path.name}: code shown: {line!r}"
        assert 'class="input_area"' not in html and "jp-InputArea" not in html


def test_every_image_has_its_description_as_alt(site):
    out, _ = site
    images = 0
    for path in NOTEBOOKS:
        page = _parse(out / f"{path.stem}.html")
        alts = [img.get("alt", "") for img in page.images]
        images += len(alts)
        assert all(alt.strip() for alt in alts), f"{path.name}: an image without alt"
        # nbconvert's placeholder for a missing description does not count
        assert not [a for a in alts if a.startswith("No description")], path.name
    assert images > 0


def test_unexecuted_notebook_is_refused(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell("1 + 1"))
    nbformat.write(notebook, folder / "01_empty.ipynb")
    with pytest.raises(ValueError, match="make reproduce"):
        build_report(folder, tmp_path / "out", readme=None)
    with pytest.raises(FileNotFoundError, match="numbered notebooks"):
        build_report(tmp_path / "out", tmp_path / "out2", readme=None)
