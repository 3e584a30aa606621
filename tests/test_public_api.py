"""The public API the notebooks call: every name in its module's ``__all__``, every
public function documented with numpydoc sections.

Read from the sources and the committed notebooks (no execution).
"""

import ast
import importlib
import inspect
import re
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

import mnist_clustering
from mnist_clustering import notebook2022, plots, sweep, views

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9]*.ipynb"))
VIEW_MODULES = [importlib.import_module(f"mnist_clustering.views.{name}") for name in
                ("text", "tables", "spread", "vs2022", "provenance", "conclusions",
                 "representations", "training")]
PLOT_MODULES = [importlib.import_module(f"mnist_clustering.plots.{name}") for name in
                ("theme", "images", "sweeps", "spaces")]
DOCUMENTED = [notebook2022, *PLOT_MODULES, *VIEW_MODULES]


def _public_names(module):
    """Names a module defines at its top level (functions, classes, constants), not ``_x``."""
    names = set()
    for node in ast.parse(Path(module.__file__).read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {name for name in names if not name.startswith("_")}


@pytest.mark.parametrize("module", DOCUMENTED, ids=lambda m: m.__name__)
def test_every_public_name_is_in_all(module):
    assert set(module.__all__) == _public_names(module), module.__name__
    assert len(module.__all__) == len(set(module.__all__)), module.__name__


@pytest.mark.parametrize("package, modules", [(views, VIEW_MODULES), (plots, PLOT_MODULES)],
                         ids=["views", "plots"])
def test_a_package_exports_every_name_of_its_modules(package, modules):
    expected = set().union(*(module.__all__ for module in modules))
    assert set(package.__all__) == expected and len(package.__all__) == len(expected)
    for name in package.__all__:
        owner = next(m for m in modules if name in m.__all__)
        assert getattr(package, name) is getattr(owner, name), name
    found = {path.stem for path in Path(package.__file__).parent.glob("*.py")}
    assert found - {"__init__"} == {m.__name__.rsplit(".", 1)[1] for m in modules}


def _calls(source, modules=("plots", "views", "notebook2022")):
    """``(module, name)`` for every ``module.name`` a cell uses, where ``module`` was
    imported from mnist_clustering (``from mnist_clustering import views``)."""
    tree = ast.parse(TransformerManager().transform_cell(source))
    return {(node.value.id, node.attr) for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id in modules}


def _imported(notebook):
    names = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(TransformerManager().transform_cell(cell.source))):
            if isinstance(node, ast.ImportFrom) and node.module == "mnist_clustering":
                names |= {alias.asname or alias.name for alias in node.names}
    return names


def test_the_call_finder_sees_attributes_of_the_package_modules_only():
    cell = "%matplotlib inline\nx = views.space_rows(plots.show(notebook2022.PRINTED['a']), os.sep)"
    assert _calls(cell) == {("views", "space_rows"), ("plots", "show"),
                            ("notebook2022", "PRINTED")}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_name_a_notebook_calls_is_in_its_modules_all(path):
    notebook = nbformat.read(path, as_version=4)
    modules = _imported(notebook) & {"plots", "views", "notebook2022"}
    assert modules, f"{path.name} imports none of plots, views, notebook2022"
    calls = set()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            calls |= _calls(cell.source, tuple(modules))
    assert len(calls) >= 5, (path.name, calls)
    missing = sorted(f"{module}.{name}" for module, name in calls
                     if name not in getattr(mnist_clustering, module).__all__)
    assert not missing, f"{path.name} calls names not in their module's __all__: {missing}"


def _sections(doc):
    """numpydoc section name -> its text (``Parameters``, ``Returns``...)."""
    doc = inspect.cleandoc(doc or "")
    found = {}
    pattern = re.compile(r"^(\w[\w ]*)\n-{3,}\n", flags=re.MULTILINE)
    heads = list(pattern.finditer(doc))
    for head, after in zip(heads, heads[1:] + [None]):
        found[head.group(1)] = doc[head.end():after.start() if after else len(doc)]
    return found


def _documented_parameters(text):
    names = set()
    for line in text.splitlines():
        if line and not line[0].isspace():
            names |= {name.strip().lstrip("*") for name in line.split(":")[0].split(",")}
    return names


def _public_functions():
    for module in DOCUMENTED:
        for name in module.__all__:
            if inspect.isfunction(getattr(module, name)):
                yield f"{module.__name__}.{name}", getattr(module, name)
    for name in ("load_results", "load_artifacts"):
        yield f"mnist_clustering.{name}", getattr(sweep, name)


@pytest.mark.parametrize("name, function", list(_public_functions()),
                         ids=[name for name, _ in _public_functions()])
def test_every_public_function_has_numpydoc_parameters_and_returns(name, function):
    sections = _sections(function.__doc__)
    signature = inspect.signature(inspect.unwrap(function))
    parameters = [p.name for p in signature.parameters.values()]
    if parameters:
        assert "Parameters" in sections, f"{name}: no Parameters section"
        missing = set(parameters) - _documented_parameters(sections["Parameters"])
        assert not missing, f"{name}: parameters {sorted(missing)} not documented"
    if signature.return_annotation not in (None, "None"):  # ``-> None``: nothing to describe
        assert "Returns" in sections, f"{name}: no Returns section"


def test_the_section_reader_finds_what_is_there():
    doc = """Summary.

    Parameters
    ----------
    a, b : int
    *args
        More.

    Returns
    -------
    int
    """
    sections = _sections(doc)
    assert set(sections) == {"Parameters", "Returns"}
    assert _documented_parameters(sections["Parameters"]) == {"a", "b", "args"}
