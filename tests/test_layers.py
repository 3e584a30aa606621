"""The package's modules import each other one way only (function-level imports included).

A module is named by its path in the package: ``sweep``, and for the modules of the
``views`` and ``plots`` packages ``views.tables``, ``plots.sweeps``...; ``views`` itself is
the package's ``__init__``, which re-exports them.
"""

import ast
import re
from pathlib import Path

import mnist_clustering

PACKAGE = Path(mnist_clustering.__file__).parent


def _name(path):
    """``sweep`` for ``sweep.py``, ``views.tables`` for ``views/tables.py``, ``views`` for
    ``views/__init__.py``."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(path): path for path in PACKAGE.rglob("*.py")
           if path.name != "__init__.py" or path.parent != PACKAGE}


def _imports(path):
    """Package modules that ``path`` imports anywhere in its code."""
    name = _name(path)
    # the package a relative import starts from
    here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - (node.level - 1)]
            elif (node.module or "").startswith("mnist_clustering"):
                base = []
            else:
                continue
            module = (node.module or "").removeprefix("mnist_clustering").lstrip(".")
            base = base + (module.split(".") if module else [])
            for alias in node.names:
                # ``from . import views`` names a module; ``from .views import Text`` a name
                candidate = ".".join([*base, alias.name])
                found.add(candidate if candidate in MODULES else ".".join(base))
        elif isinstance(node, ast.Import):
            found |= {alias.name.removeprefix("mnist_clustering.") for alias in node.names
                      if alias.name.startswith("mnist_clustering.")}
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def test_the_graph_reads_relative_imports_of_the_views_package():
    # the resolver itself: a submodule's ``from .. import metrics`` and ``from .text import
    # Text`` are edges to ``metrics`` and ``views.text``; the package's ``__init__`` imports
    # its submodules
    assert {"metrics", "sweep", "views.text"} <= GRAPH["views.tables"]
    assert {"views.text", "views.tables", "views.vs2022"} <= GRAPH["views"]
    assert "notebook2022" in GRAPH["scores"]


def test_no_module_imports_one_that_imports_it_back():
    done, path = set(), []

    def visit(module):
        assert module not in path, f"import cycle: {' -> '.join(path + [module])}"
        if module in done:
            return
        path.append(module)
        for imported in GRAPH[module]:
            visit(imported)
        path.pop()
        done.add(module)

    for module in GRAPH:
        visit(module)


def test_the_executor_knows_nothing_of_the_package():
    assert GRAPH["executors"] == set()
    assert "sweep" not in GRAPH["evaluate"]


def test_every_module_is_in_the_graph():
    # the cycle test above walks GRAPH: a module missing from it would go unchecked
    files = {path for path in PACKAGE.rglob("*.py")} - {PACKAGE / "__init__.py"}
    assert set(GRAPH) == {_name(path) for path in files}
    assert {"scores", "uncertainty", "results", "files", "checks", "evaluate", "executors",
            "views", "views.text", "views.vs2022", "plots", "plots.theme", "records"} <= set(GRAPH)


def test_the_foundations_import_no_layer_above_them():
    # the 2022 notebook, the file helpers and the checks are the bottom layer: they
    # import nothing of the package; the distances and the kept records only the files.
    # notebook2022 sits there because it is data and pure functions about a past run
    # that every room above may quote (the registry its names for three columns, the
    # estimators its K-Medoids settings, the presets its sweeps, the figures and views
    # its numbers), so it must depend on none.
    for module in ("notebook2022", "files", "checks"):
        assert GRAPH[module] == set(), module
    for module in ("distances", "records", "cachefiles"):
        assert GRAPH[module] == {"files"}, module
    # the registry of scores is pure data: it reads only the 2022 notebook's names
    assert GRAPH["scores"] <= {"notebook2022"}
    # the store and the summaries over seeds read the registry, never the sweep or a view
    assert GRAPH["results"] <= {"checks", "estimators", "files", "records", "scores"}
    assert GRAPH["uncertainty"] <= {"scores"}
    assert not {"sweep", "views", "plots", "cli"} & (GRAPH["results"] | GRAPH["uncertainty"])


def test_the_view_and_figure_modules_stay_inside_their_packages():
    # a module of views/ (plots/) reads the package's rooms and its siblings; nothing but
    # its own package imports it, and it does not import its package's __init__ (which
    # imports every module of the package); figures know nothing of the views
    for package in ("views", "plots"):
        inside = {name for name in GRAPH if name.startswith(f"{package}.")}
        for module, imported in GRAPH.items():
            if module != package and not module.startswith(f"{package}."):
                assert not imported & inside, (module, imported & inside)
        for module in inside:
            assert package not in GRAPH[module], module
            assert not {"cli", "reproduce"} & GRAPH[module], module
    assert not any(name.startswith("views") for module in GRAPH if module.startswith("plots")
                   for name in GRAPH[module])


def test_the_readme_lists_every_module_after_those_it_imports():
    # the module table of docs/layout.md: one line per module, each importing only those
    # listed before it
    readme = (PACKAGE.parent / "docs" / "layout.md").read_text()
    listed = re.findall(r"^\| `([\w.]+)` \|", readme, flags=re.MULTILINE)
    assert sorted(listed) == sorted(GRAPH)
    for position, module in enumerate(listed):
        assert GRAPH[module] <= set(listed[:position]), module
