"""The notebooks are views: numbered, parametrised, importing only the public API.

These checks read the committed ``.ipynb`` files (executed or cleared); executing them
is nbval's job (``make test``).
"""

import ast
import re
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager
from jupyter_client.kernelspec import KernelSpecManager

import mnist_clustering

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
NAME = re.compile(r"(\d\d)_[a-z0-9]+(?:_[a-z0-9]+)*\.ipynb")

# Besides the public API of mnist_clustering, a notebook may import only these modules
# (``os``: the parameters cell reads environment variables).
ALLOWED_MODULES = {"os"}
# The only IPython magics a notebook may use.
ALLOWED_MAGICS = {"%matplotlib inline"}


def _code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def _read(path):
    return nbformat.read(path, as_version=4)


def _tree(source):
    """The Python syntax tree of a cell, magics turned into function calls by IPython."""
    return ast.parse(TransformerManager().transform_cell(source))


@pytest.fixture(params=NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def notebook(request):
    return request.param, _read(request.param)


def test_notebooks_exist():
    assert NOTEBOOKS, f"no notebooks in {NOTEBOOK_DIR}"


def test_numbered_in_order_without_gaps():
    names = [path.name for path in NOTEBOOKS]
    bad = [name for name in names if not NAME.fullmatch(name)]
    assert not bad, f"notebooks not named NN_lower_case_name.ipynb: {bad}"
    numbers = [int(NAME.fullmatch(name).group(1)) for name in names]
    expected = list(range(1, len(names) + 1))
    assert numbers == expected, f"numbers must be 01, 02, ... without gaps: {names}"


def test_kernelspec_is_the_installed_python3_kernel(notebook):
    # JupyterLab rewrites a notebook's kernelspec to the kernel it starts: any difference
    # marks the notebook modified the moment it is opened.
    path, nb = notebook
    spec = KernelSpecManager().get_kernel_spec("python3")
    expected = {"name": "python3", "display_name": spec.display_name,
                "language": spec.language}
    assert dict(nb.metadata.get("kernelspec", {})) == expected, path.name


def test_every_code_cell_is_hidden_in_the_report(notebook):
    # docs/ (MyST-NB) shows a cell tagged hide-input with its code behind a toggle
    path, nb = notebook
    bare = [index for index, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and "hide-input" not in cell.metadata.get("tags", [])]
    assert not bare, f"{path.name}: cells {bare} lack the tag 'hide-input'"


def _figure_cells(nb):
    return [(index, cell) for index, cell in enumerate(nb.cells) if cell.cell_type == "code"
            and any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))]


def test_every_figure_has_a_caption_and_a_name(notebook):
    # MyST-NB numbers the figure and prints the caption from the cell's metadata
    path, nb = notebook
    for index, cell in _figure_cells(nb):
        figure = cell.metadata.get("mystnb", {}).get("figure", {})
        assert str(figure.get("caption", "")).strip(), f"{path.name}, cell {index}: no caption"
        assert re.fullmatch(r"fig-[a-z0-9-]+", str(figure.get("name", ""))), (
            f"{path.name}, cell {index}: name the figure fig-... in mystnb.figure.name")
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert len(images) == 1, f"{path.name}, cell {index}: one figure per cell"


def test_figure_names_are_unique_across_notebooks():
    names = [cell.metadata["mystnb"]["figure"]["name"] for path in NOTEBOOKS
             for _, cell in _figure_cells(_read(path))
             if "name" in cell.metadata.get("mystnb", {}).get("figure", {})]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_exactly_one_parameters_cell(notebook):
    path, nb = notebook
    tagged = [cell for cell in nb.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters'"
    assert tagged[0].cell_type == "code", f"{path.name}: the parameters cell is not code"


def test_parameters_cell_only_assigns(notebook):
    path, nb = notebook
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    for node in _tree(cell.source).body:
        assert isinstance(node, (ast.Assign, ast.AnnAssign, ast.Import)), (
            f"{path.name}: the parameters cell holds a {type(node).__name__} at line "
            f"{node.lineno}; keep it to assignments (papermill overrides them)")


def test_imports_only_public_api(notebook):
    path, nb = notebook
    public = set(mnist_clustering.__all__)
    for cell in _code_cells(nb):
        for node in ast.walk(_tree(cell.source)):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name in ALLOWED_MODULES | {"mnist_clustering"}, (
                        f"{path.name} imports {alias.name!r}")
            elif isinstance(node, ast.ImportFrom):
                assert node.module == "mnist_clustering" and node.level == 0, (
                    f"{path.name} imports from {node.module!r}; import public names "
                    "from mnist_clustering instead")
                names = {alias.name for alias in node.names}
                assert names <= public, (
                    f"{path.name} imports non-public names {sorted(names - public)}")


def test_only_allowed_magics(notebook):
    path, nb = notebook
    for cell in _code_cells(nb):
        for line in cell.source.splitlines():
            if line.lstrip().startswith(("%", "!")):
                assert line.strip() in ALLOWED_MAGICS, f"{path.name}: magic {line.strip()!r}"


def test_no_errors_or_stderr_in_committed_outputs(notebook):
    path, nb = notebook
    for index, cell in enumerate(_code_cells(nb)):
        for output in cell.get("outputs", []):
            assert output.output_type != "error", (
                f"{path.name}, code cell {index}: {output.get('ename')}: {output.get('evalue')}")
            assert not (output.output_type == "stream" and output.name == "stderr"), (
                f"{path.name}, code cell {index} wrote to stderr: {output.text[:200]!r}")


# Scores quoted in prose must be rendered from the tables (views.Text outputs), so that
# the text cannot disagree with the output below it: no "0.49" or "1135.06" in Markdown.
SCORE_IN_PROSE = re.compile(r"(?<![\w.])(?:0\.\d+|\d+\.\d{2,})(?![\w.])")


def _markdown(nb):
    return [cell for cell in nb.cells if cell.cell_type == "markdown"]


def test_markdown_quotes_no_scores(notebook):
    path, nb = notebook
    for cell in _markdown(nb):
        found = SCORE_IN_PROSE.findall(cell.source)
        assert not found, (
            f"{path.name}: Markdown quotes {found}; render numbers from the tables with a "
            "views function returning views.Text instead")


def _headings(nb):
    """``(cell index, title)`` of every second-level heading, in order."""
    return [(index, line.strip()[3:]) for index, cell in enumerate(nb.cells)
            if cell.cell_type == "markdown" for line in cell.source.splitlines()
            if line.startswith("## ")]


def test_ends_with_a_conclusion_then_appendices_then_the_environment(notebook):
    path, nb = notebook
    headings = _headings(nb)
    titles = [title for _, title in headings]
    assert "Conclusion" in titles, f"{path.name} has no '## Conclusion' section"
    position = titles.index("Conclusion")
    conclusion = headings[position][0]
    # the conclusion closes the main part: only appendices (the 2022 comparison, the
    # environment) follow it, the environment last
    after = titles[position + 1:]
    assert after and after[-1].endswith("Environment"), (
        f"{path.name}: the last section must be the environment, after the conclusion")
    if path.name[:2] != "05":
        assert all(title.startswith("Appendix ") for title in after), (path.name, after)
    end = headings[position + 1][0]
    between = [c for c in nb.cells[conclusion + 1:end] if c.cell_type == "code"]
    assert between and all("views.conclusion_" in c.source for c in between), (
        f"{path.name}: the conclusion is rendered by a views.conclusion_* function")
    last = [c for c in nb.cells[headings[-1][0] + 1:]]
    assert [c.cell_type for c in last] == ["code"], f"{path.name}: one code cell ends it"
    assert "views.environment(" in last[0].source, path.name


ANSWERED = [path for path in NOTEBOOKS if path.name[:2] in {"01", "02", "03", "04"}]


@pytest.mark.parametrize("path", ANSWERED, ids=[path.name for path in ANSWERED])
def test_opens_with_its_answer(path):
    # before any section: the title, the parameters, the imports and the answer, rendered
    # from the tables by a views.answer_* function (three to five sentences)
    nb = _read(path)
    first = _headings(nb)[0][0]
    opening = [c for c in nb.cells[:first] if c.cell_type == "code"]
    assert opening and "views.answer_" in opening[-1].source, path.name
    outputs = [output for output in opening[-1].get("outputs", [])
               if "text/markdown" in output.get("data", {})]
    if any(c.get("outputs") for c in _code_cells(nb)):
        assert len(outputs) == 1, f"{path.name}: the answer is shown as Markdown"
        sentences = re.split(r"(?:(?<=[.!?])|(?<=[.!?]\*\*))\s+(?=[A-Z*\d'])",
                             outputs[0]["data"]["text/markdown"].strip())
        assert 3 <= len(sentences) <= 6, (path.name, len(sentences))


# The 2022 notebook is "the 2022 notebook"; "seed" means a random seed only.
SEED_FOR_2022 = re.compile(r"\bseed (?:notebook|cells?)\b|\bthe seed(?:'s)? (?:printed|drew|chose|"
                           r"showed|ran|used|continued|divides|wrapped|also)\b|maxs_tab",
                           re.IGNORECASE)


@pytest.mark.parametrize("path", ANSWERED, ids=[path.name for path in ANSWERED])
def test_the_2022_notebook_is_not_called_the_seed(path):
    nb = _read(path)
    texts = [cell.source for cell in _markdown(nb)] + [
        output["data"]["text/markdown"] for cell in _code_cells(nb)
        for output in cell.get("outputs", []) if "text/markdown" in output.get("data", {})]
    for text in texts:
        found = SEED_FOR_2022.findall(text)
        assert not found, f"{path.name}: {found} in {text[:120]!r}"


def test_figures_are_shown_with_alt_text(notebook):
    path, nb = notebook
    images = 0
    for index, cell in enumerate(_code_cells(nb)):
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                images += 1
                alt = output.get("metadata", {}).get("image/png", {}).get("alt", "")
                assert alt.strip(), f"{path.name}, code cell {index}: an image without alt text"
        if "plots." in cell.source and "plots.show(" not in cell.source:
            assert not cell.source.strip().startswith("plots."), (
                f"{path.name}, code cell {index}: show figures with plots.show(fig)")
    executed = any(cell.get("outputs") for cell in _code_cells(nb))
    assert images or not executed, f"{path.name}: no figure"
