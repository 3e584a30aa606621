"""What a reader sees in the notebooks' stored outputs (and so on the report's pages) reads
as prose and tables, not as Python.

Checked on every notebook as committed (``make reproduce`` stores the outputs; nbval
re-executes them against these): prose is Markdown, never printed; tables have one header
row, no index column, marks instead of True/False, no missing-value markers of pandas,
thousands separators and whole sources; prose names no code and quotes numbers with at
most four significant digits; every figure says its point in its alt text. The built
report is checked the same way in ``tests/test_report_site.py``.
"""

import re
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9]*.ipynb"))

CODE_NAME = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\bscores\.[A-Z]|\bmnist_clustering\.\w"
                       r"|tagged `parameters`|\bprint\(")
"""Constants (``GALLERY_SEED``), module paths and the notebook's own machinery in prose."""

RAW_CELL = re.compile(r"^(?:True|False|<NA>|NaN|nan|None|NaT)$")
BARE_LARGE_NUMBER = re.compile(r"^-?\d{5,}(?:\.\d+)?$")
DECIMAL = re.compile(r"(?<![\w.,])\d[\d,]*\.\d+(?![\w.]*\d)")


def _significant_digits(number):
    return len(number.replace(",", "").replace(".", "").lstrip("0"))


def _outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            yield index, output


def _main_part(path):
    """Markdown cells and Markdown outputs before the first appendix."""
    notebook = nbformat.read(path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown" and cell.source.startswith("## Appendix"):
            return
        if cell.cell_type == "markdown":
            yield index, cell.source
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if "text/markdown" in output.get("data", {}):
                yield index, output["data"]["text/markdown"]


def _prose(path):
    notebook = nbformat.read(path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            yield index, cell.source
    for index, output in _outputs(path):
        if "text/markdown" in output.get("data", {}):
            yield index, output["data"]["text/markdown"]


def _executed(path):
    return any(True for _ in _outputs(path))


@pytest.fixture(params=NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def notebook(request):
    if not _executed(request.param):
        pytest.fail(f"{request.param.name} has no stored outputs: run make reproduce")
    return request.param


def test_prose_is_markdown_never_printed(notebook):
    for index, output in _outputs(notebook):
        assert output["output_type"] != "stream", (
            f"{notebook.name}, cell {index}: printed text {output.get('text', '')[:80]!r}; "
            "return views.Text (Markdown) instead")


def test_every_result_is_prose_a_table_or_a_figure(notebook):
    # a bare text/plain result is a Python object (a dict, a list, a DataFrame's repr)
    for index, output in _outputs(notebook):
        if output["output_type"] in ("execute_result", "display_data"):
            kinds = set(output["data"]) - {"text/plain"}
            assert kinds & {"text/markdown", "text/html", "image/png", "image/svg+xml"}, (
                f"{notebook.name}, cell {index}: a raw Python object "
                f"{output['data'].get('text/plain', '')[:80]!r}")


def _tables(path):
    for index, output in _outputs(path):
        html = output.get("data", {}).get("text/html")
        if html and "<table" in html:
            for table in BeautifulSoup(html, "html.parser").select("table"):
                yield index, table


def check_table(name, table):
    """The reading rules for one HTML table (shared with the report's test)."""
    head = table.select("thead tr")
    assert len(head) == 1, f"{name}: {len(head)} header rows"
    assert not table.select("tbody th"), f"{name}: an index column (row headers)"
    for header in table.select("thead th"):
        text = header.get_text(strip=True)
        assert not re.fullmatch(r"[a-z]+(?:_[a-z]+)+", text), (
            f"{name}: a column named {text!r}, a code name")
    for cell in table.select("tbody td"):
        text = cell.get_text(strip=True)
        assert not RAW_CELL.match(text), f"{name}: a cell reads {text!r}"
        assert not BARE_LARGE_NUMBER.match(text), f"{name}: {text} without thousands separators"
        assert not text.endswith(("...", "…")) or "sha256" in cell.find_parent("tr").get_text(), (
            f"{name}: a cut-off cell {text!r}")


def test_tables_are_formatted_for_reading(notebook):
    tables = list(_tables(notebook))
    assert tables, f"{notebook.name}: no table"
    for index, table in tables:
        check_table(f"{notebook.name}, cell {index}", table)


def test_prose_names_no_code(notebook):
    for index, text in _prose(notebook):
        found = CODE_NAME.findall(text)
        assert not found, f"{notebook.name}, cell {index}: {found} in {text[:100]!r}"


LINK_TARGET = re.compile(r"\]\([^)\s]+\)")


def test_numbers_in_prose_have_at_most_four_significant_digits(notebook):
    # the appendices compare with the 2022 notebook digit by digit, at its precision
    for index, text in _main_part(notebook):
        text = LINK_TARGET.sub("]", text)  # a link's address (a DOI) is not a number read
        long = [n for n in DECIMAL.findall(text) if _significant_digits(n) > 4]
        assert not long, f"{notebook.name}, cell {index}: {long} in {text[:100]!r}"


def test_every_figure_says_its_point(notebook):
    for index, output in _outputs(notebook):
        if "image/png" in output.get("data", {}):
            alt = output.get("metadata", {}).get("image/png", {}).get("alt", "")
            # more than a title: what is drawn and what it shows, with its numbers
            assert len(alt) >= 60 and re.search(r"\d", alt), (
                f"{notebook.name}, cell {index}: alt text {alt!r}")


def test_the_checks_catch_what_they_forbid():
    bad = BeautifulSoup("<table><thead><tr><th>a</th></tr><tr><th>b</th></tr></thead>"
                        "<tbody><tr><th>0</th><td>True</td></tr></tbody></table>",
                        "html.parser").table
    with pytest.raises(AssertionError, match="header rows"):
        check_table("t", bad)
    good_head = BeautifulSoup("<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>60000"
                              "</td></tr></tbody></table>", "html.parser").table
    with pytest.raises(AssertionError, match="thousands"):
        check_table("t", good_head)
    assert CODE_NAME.search("drawn with `GALLERY_SEED`") and CODE_NAME.search("scores.LITERATURE")
    assert [n for n in DECIMAL.findall("4031.5793, 95% interval 0.0745") if _significant_digits(n) > 4] == ["4031.5793"]
