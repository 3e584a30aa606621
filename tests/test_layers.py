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
            "views", "views.text", "views.vs2022", "plots", "plots.theme", "records",
            "messages", "provenance", "distances", "distances.cache"} <= set(GRAPH)


BOTTOM = {"notebook2022", "files", "checks", "messages", "provenance"}
"""The bottom rooms: they import nothing of the package."""


def test_the_foundations_import_no_layer_above_them():
    # The bottom rooms import nothing of the package. notebook2022 sits there because it
    # is data and pure functions about a past run that every room above may quote (the
    # registry its names for three columns, the presets its sweeps, the figures and
    # views its numbers); files (the one atomic write, the checksum, the cache
    # directory), checks (the argument checks), messages (the one way the package speaks
    # on stderr) and provenance (the one place versions are looked up and sha256 taken)
    # because everything else uses them.
    for module in BOTTOM:
        assert GRAPH[module] == set(), module
    # The foundations just above (the kept records, the verified cache files, the data,
    # the distances) use the bottom rooms and nothing else, so none of them keeps a copy
    # of what the bottom does (the distance cache once had its own atomic write, with no
    # fsync and no cleanup on failure, and its own cache directory, as data.py had); the
    # distances package's modules also read their siblings.
    for module in ("records", "cachefiles", "data"):
        assert GRAPH[module] <= BOTTOM, (module, GRAPH[module] - BOTTOM)
    distances = {name for name in GRAPH if name == "distances" or name.startswith("distances.")}
    assert {"distances.pairwise", "distances.cache", "distances.silhouettes"} <= distances
    for module in distances:
        assert GRAPH[module] <= BOTTOM | distances, (module, GRAPH[module] - BOTTOM - distances)
    assert GRAPH["distances.pairwise"] <= BOTTOM  # the kernel knows no cache
    assert "distances.cache" not in GRAPH["distances.silhouettes"]  # nor the silhouettes
    # the registry of scores is pure data: it reads only the 2022 notebook's names
    assert GRAPH["scores"] <= {"notebook2022"}
    # the store owns results/: its layout needs only the checks (any room may ask where a
    # table is), the store reads the registry and the records (not the estimators: a
    # method's name is checked once, where a sweep or a reader is called); the readers
    # check a name as run_sweep does (the dataset, the space, the method's parameters);
    # none of them reads the sweep or a view
    assert GRAPH["results.layout"] <= BOTTOM
    assert GRAPH["results.store"] <= {"records", "scores", "results.layout"} | BOTTOM
    assert GRAPH["results.readers"] <= {"estimators", "data", "spaces", "results.layout",
                                        "results.store"} | BOTTOM
    assert GRAPH["results"] <= {"results.layout", "results.store", "results.readers", "files"}
    inside = {name for name in GRAPH if name == "results" or name.startswith("results.")}
    assert not {"sweep", "evaluate", "views", "plots", "cli"} & set().union(
        *(GRAPH[name] for name in inside))
    assert GRAPH["uncertainty"] <= {"scores", "checks"}
    assert not {"sweep", "views", "plots", "cli"} & GRAPH["uncertainty"]
    # the views and the figures read stored tables through the store, never the sweep; one
    # view computes the rows of a k grid that are missing (views.tables.results_or_sweep)
    readers_of_sweep = {name for name in GRAPH if name.split(".")[0] in ("views", "plots")
                        and "sweep" in GRAPH[name]}
    assert readers_of_sweep <= {"views.tables"}, readers_of_sweep


def _calls(module, predicate):
    """Lines of ``module`` holding a call ``predicate(node)`` accepts."""
    tree = ast.parse(MODULES[module].read_text())
    return sorted({node.lineno for node in ast.walk(tree)
                   if isinstance(node, ast.Call) and predicate(node)})


def _attribute_call(*names):
    def match(node):
        func = node.func
        dotted = []
        while isinstance(func, ast.Attribute):
            dotted.insert(0, func.attr)
            func = func.value
        if isinstance(func, ast.Name):
            dotted.insert(0, func.id)
        return ".".join(dotted) in names
    return match


def _imports_from(module, *sources):
    tree = ast.parse(MODULES[module].read_text())
    return sorted({node.lineno for node in ast.walk(tree)
                   if (isinstance(node, ast.Import) and any(alias.name in sources for alias in node.names))
                   or (isinstance(node, ast.ImportFrom) and node.module in sources)})


def test_one_atomic_write_one_version_lookup_one_hash_one_printer():
    # a file is renamed into place in files.py only, package versions are looked up and
    # sha256 taken in provenance.py only, and only the command line prints to stderr
    # itself (everything else says it through messages' loggers; progress bars aside)
    where = {module: lines for module in GRAPH
             if (lines := _calls(module, _attribute_call("os.replace", "os.rename", "Path.rename",
                                                          "os.renames")))}
    assert set(where) == {"files"}, where
    versions = {module for module in GRAPH if _imports_from(module, "importlib.metadata")
                or "from importlib import metadata" in MODULES[module].read_text()}
    assert versions == {"provenance"}, versions
    hashing = {module for module in GRAPH if _imports_from(module, "hashlib")}
    assert hashing == {"provenance"}, hashing

    def prints_to_stderr(node):
        return (isinstance(node.func, ast.Name) and node.func.id == "print" and any(
            keyword.arg == "file" and ast.unparse(keyword.value) == "sys.stderr"
            for keyword in node.keywords))

    printers = {module for module in GRAPH if _calls(module, prints_to_stderr)}
    assert printers <= {"cli"}, printers
    said = {module for module in GRAPH if re.search(r"^def _say\b", MODULES[module].read_text(),
                                                    flags=re.MULTILINE)}
    assert not said, said


def test_the_checks_above_find_what_they_look_for():
    # the contrary of the test above, on sources written here
    tree = ast.parse("os.replace(a, b)\nprint('x', file=sys.stderr)\nprint('y')")
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    assert [_attribute_call("os.replace")(node) for node in calls] == [True, False, False]


def test_no_module_imports_a_private_name_of_another_room():
    # a module uses the public names of another room; a package's modules (views.*,
    # plots.*, distances.*) may share private helpers among themselves
    def package(name):
        return name.split(".")[0]

    found = []
    for module, path in MODULES.items():
        here = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or not node.level:
                continue
            base = here[:len(here) - (node.level - 1)] + (node.module or "").split(".")
            source = ".".join(part for part in base if part)
            private = [alias.name for alias in node.names if alias.name.startswith("_")]
            if private and package(source) != package(module):
                found.append((module, source, private))
    assert not found, found


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
