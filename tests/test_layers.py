"""The package's modules import each other one way only (function-level imports included)."""

import ast
import re
from pathlib import Path

import mnist_clustering

PACKAGE = Path(mnist_clustering.__file__).parent


def _imports(path):
    """Package modules that ``path`` imports anywhere in its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [node.module] if node.module else [alias.name for alias in node.names]
            found |= {name.split(".")[0] for name in names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mnist_clustering."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names
                      if alias.name.startswith("mnist_clustering.")}
    return {name for name in found if (PACKAGE / f"{name}.py").exists()}


GRAPH = {path.stem: _imports(path) for path in PACKAGE.glob("*.py") if path.stem != "__init__"}


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
    modules = {path.stem for path in PACKAGE.glob("*.py")} - {"__init__"}
    assert set(GRAPH) == modules
    assert {"scores", "uncertainty", "results", "files", "checks", "evaluate", "executors",
            "htmlreport", "records"} <= modules


def test_the_foundations_import_no_layer_above_them():
    # the registry of scores, the file helpers and the checks are the bottom layer: they
    # import nothing of the package; the distances and the kept records only the files
    for module in ("scores", "files", "checks", "htmlreport"):
        assert GRAPH[module] == set(), module
    for module in ("distances", "records", "cachefiles"):
        assert GRAPH[module] == {"files"}, module
    # the store and the summaries over seeds read the registry, never the sweep or a view
    assert GRAPH["results"] <= {"checks", "estimators", "files", "records", "scores"}
    assert GRAPH["uncertainty"] <= {"scores"}
    assert not {"sweep", "views", "plots", "cli"} & (GRAPH["results"] | GRAPH["uncertainty"])


def test_the_readme_lists_every_module_after_those_it_imports():
    # README's Layout table: one line per module, each importing only those listed before it
    readme = (PACKAGE.parent / "README.md").read_text()
    listed = re.findall(r"^\| `(\w+)` \|", readme, flags=re.MULTILINE)
    assert sorted(listed) == sorted(GRAPH)
    for position, module in enumerate(listed):
        assert GRAPH[module] <= set(listed[:position]), module
