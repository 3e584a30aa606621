"""``make report``: the report site built by Sphinx + MyST-NB from the stored outputs.

The site is built once, offline, into a temporary folder exactly as ``make report`` builds
it (warnings are errors), then its pages are read as a browser would get them.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup
from test_output_hygiene import CODE_NAME, check_table

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
GUIDES = ["usage", "results_store", "reproducibility", "benchmarks", "parallel", "layout"]
PAGES = ["index.html", *(f"notebooks/{path.stem}.html" for path in NOTEBOOKS),
         *(f"{name}.html" for name in GUIDES), "references.html"]
"""The reading order of the site: landing page, notebooks, the pages moved out of the
README (docs/*.md), references."""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("report")
    out = base / "html"
    # The same command as `make report`; MyST-NB writes images beside `out`, in `base`.
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going",
               "-d", str(base / "doctrees"), str(DOCS), str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, f"sphinx-build failed:\n{done.stdout}\n{done.stderr}"
    return out


def _page(site, name):
    return BeautifulSoup((site / name).read_text(encoding="utf-8"), "html.parser")


def _target(page_name, href):
    """The site path a relative link of ``page_name`` points to, without its anchor."""
    base = Path(page_name).parent
    return (base / urlsplit(href).path).as_posix().replace("notebooks/../", "")


def _main(soup):
    return soup.select_one("main article") or soup.select_one("main")


def test_the_landing_page_links_every_notebook_and_the_references(site):
    soup = _page(site, "index.html")
    links = {_target("index.html", a["href"]) for a in _main(soup).select("a[href]")
             if not urlsplit(a["href"]).scheme}
    assert set(PAGES[1:]) <= links
    sidebar = {_target("index.html", a["href"]) for a in soup.select("nav.bd-links a[href]")}
    assert set(PAGES[1:]) <= sidebar


@pytest.mark.parametrize("position", range(len(PAGES)), ids=PAGES)
def test_every_page_links_to_its_neighbours(site, position):
    name = PAGES[position]
    soup = _page(site, name)
    previous = soup.select_one("a.left-prev")
    following = soup.select_one("a.right-next")
    if position == 0:
        assert previous is None
    else:
        assert _target(name, previous["href"]) == PAGES[position - 1]
    if position == len(PAGES) - 1:
        assert following is None
    else:
        assert _target(name, following["href"]) == PAGES[position + 1]
    # every page has the site's navigation and, but for the references, its contents
    assert soup.select("nav.bd-links a[href]"), name
    if name != "references.html":
        assert soup.select("nav.page-toc a[href^='#']"), f"{name}: no on-page contents"


def test_search_index_covers_every_page(site):
    assert (site / "search.html").is_file()
    text = (site / "searchindex.js").read_text(encoding="utf-8")
    payload = json.loads(text[text.index("(") + 1:text.rindex(")")])
    titles = set(payload["titles"])
    for path in NOTEBOOKS:
        title = nbformat.read(path, as_version=4).cells[0].source.splitlines()[0].lstrip("# ")
        assert title in titles, f"{path.name}: {title!r} not in the search index"


def _resources(soup):
    """Every address a browser fetches by itself to show the page (not links to follow)."""
    for tag in soup.select("script[src], img[src], iframe[src], source[src], video[src]"):
        yield tag["src"]
    for tag in soup.select("link[href]"):
        if set(tag.get("rel", [])) & {"stylesheet", "preload", "icon", "modulepreload"}:
            yield tag["href"]


@pytest.mark.parametrize("name", PAGES + ["search.html"])
def test_pages_need_no_network(site, name):
    soup = _page(site, name)
    remote = [url for url in _resources(soup) if urlsplit(url).scheme or url.startswith("//")]
    assert not remote, f"{name} loads {remote}"
    for url in _resources(soup):
        assert (site / Path(name).parent / urlsplit(url).path).resolve().is_file(), url
    for style in site.glob("_static/**/*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//|@import\s+url\(\s*['\"]?https?:",
                             style.read_text(encoding="utf-8")), style.name


def test_landing_page_shows_no_python_objects(site):
    text = _main(_page(site, "index.html")).get_text(" ")
    for raw in ("<NA>", "NaN", "nan", "None", "True", "False", "dtype", "<Figure", "{'", "['"):
        assert not re.search(rf"(?<!\w){re.escape(raw)}(?!\w)", text), raw
    assert "0.538 ± 0.039" in text  # the table is there, rendered


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_code_is_hidden_behind_a_toggle(site, path):
    soup = _page(site, f"notebooks/{path.stem}.html")
    code_cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    inputs = soup.select("div.cell_input")
    assert len(inputs) == len(code_cells)
    for block in inputs:
        toggle = block.find_parent("details")
        assert toggle is not None and "open" not in toggle.attrs, block.get_text()[:80]
        assert toggle.select_one("summary")


def test_figures_are_numbered_with_captions_and_descriptions(site):
    numbers = []
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        stored = [output.metadata["image/png"]["alt"] for cell in notebook.cells
                  for output in cell.get("outputs", []) if "image/png" in output.get("data", {})]
        soup = _page(site, f"notebooks/{path.stem}.html")
        images = soup.select("div.cell_output img")
        assert [img.get("alt") for img in images] == stored, path.name
        for img in images:
            figure = img.find_parent("figure")
            assert figure is not None and figure.get("id"), f"{path.name}: a figure without a name"
            caption = figure.select_one("figcaption .caption-text").get_text(strip=True)
            number = figure.select_one("figcaption .caption-number").get_text(strip=True)
            assert caption and re.fullmatch(r"Figure \d+", number), (path.name, number)
            numbers.append(number)
    assert len(numbers) == len(set(numbers)), "two figures share a number"


def test_references_carry_a_doi_or_url(site):
    bib = (DOCS / "references.bib").read_text(encoding="utf-8")
    keys = re.findall(r"^@\w+\{([^,]+),", bib, flags=re.MULTILINE)
    entries = _page(site, "references.html").select("[role=doc-biblioentry]")
    assert len(entries) == len(keys) > 0
    for entry in entries:
        hrefs = [a["href"] for a in entry.select("a[href]")]
        assert any(h.startswith(("https://doi.org/", "https://")) for h in hrefs), entry.get_text()
    # the landing page cites them: each citation links to its entry
    cited = _main(_page(site, "index.html")).select("a[href^='references.html#']")
    assert cited


def test_wide_tables_scroll_instead_of_being_clipped(site):
    # Markdown tables sit in pydata-sphinx-theme's scrolling container; notebook outputs
    # (pandas tables) in MyST-NB's output divs, which report.css makes scroll.
    soup = _page(site, "index.html")
    table = _main(soup).select_one(".key-numbers table")
    assert table is not None and table.find_parent(class_="pst-scrollable-table-container")
    css = (site / "_static" / "report.css").read_text(encoding="utf-8")
    rule = re.search(r"\.cell_output \.output\s*\{([^}]*)\}", css)
    assert rule and "overflow-x: auto" in rule.group(1)
    assert '<link rel="stylesheet" type="text/css" href="../_static/report.css' in (
        site / "notebooks" / f"{NOTEBOOKS[0].stem}.html").read_text(encoding="utf-8")


def test_make_report_runs_this_build():
    env = {key: value for key, value in os.environ.items()
           if key not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    done = subprocess.run(["make", "-n", "report"], cwd=ROOT, capture_output=True, text=True,
                          env=env, check=True, timeout=60)
    commands = [line for line in done.stdout.splitlines() if "sphinx" in line]
    assert len(commands) == 1, commands
    assert commands[0].endswith(" docs build/report") and " -W " in commands[0]
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    assert 'nb_execution_mode = "off"' in conf


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_pages_show_no_raw_python_output(site, path):
    # what the reader gets: prose, tables formatted for reading and figures; no printed
    # text, no repr of a Python object, no pandas markers, no code names in the prose
    soup = _page(site, f"notebooks/{path.stem}.html")
    outputs = soup.select("div.cell_output")
    assert outputs, path.name
    for output in outputs:
        assert not output.select("pre"), f"{path.name}: raw text output {output.get_text()[:80]!r}"
        assert not output.select(".stream, .stderr, .output.text_plain"), path.name
        for table in output.select("table"):
            check_table(path.name, table)
        if not output.select("table, img"):
            found = CODE_NAME.findall(output.get_text(" "))
            assert not found, f"{path.name}: {found}"
    assert "<NA>" not in _main(soup).get_text(), path.name
