"""environment.yml (for conda users) says what pyproject.toml says.

It cannot be solved here (no conda), so it is checked against pyproject.toml, the single
source of the dependencies: it names every runtime dependency and every extra ``make``
installs, with bounds the package accepts, the Python version the README says is tested,
and nothing else but the tools the Makefile builds scikit-learn-extra with. And every
runtime dependency is imported by the package.
"""

import ast
import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

import mnist_clustering

PROJECT = Path(mnist_clustering.__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]

# conda-forge's names of packages whose PyPI names differ
CONDA_TO_PYPI = {"python-xxhash": "xxhash"}
# PyPI variants one conda package stands for (conda-forge's tensorflow is the CPU build)
SAME_PACKAGE = {"tensorflow-cpu": "tensorflow"}
# what the Makefile builds scikit-learn-extra with, besides pyproject's build requirements:
# Cython and a C compiler (conda's `compilers`), and pip for the pip: section
BUILD_TOOLS = {"cython", "compilers", "pip"}


def _environment():
    """(python version, {name: specifier}) from environment.yml, conda and pip parts."""
    spec = yaml.safe_load((PROJECT / "environment.yml").read_text())
    python, names = None, {}
    for entry in spec["dependencies"]:
        if isinstance(entry, dict):  # the pip: section
            for line in entry["pip"]:
                if line.startswith("-"):  # options (--no-binary=...) and the package itself
                    continue
                requirement = Requirement(line)
                names[canonicalize_name(requirement.name)] = requirement.specifier
            continue
        name, bound = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", entry).groups()
        if re.fullmatch(r"=[\d.]+", bound):  # conda's "name=1.2" pin
            bound = f"={bound}"
        if name == "python":
            python = bound.lstrip("=")
            continue
        name = canonicalize_name(CONDA_TO_PYPI.get(name, name))
        names[name] = SpecifierSet(bound)
    return python, names


def _extras_make_installs():
    makefile = (PROJECT / "Makefile").read_text()
    (extras,) = re.findall(r"-e '\.\[([\w,]+)\]'", makefile)
    return extras.split(",")


def _requirements(groups):
    found = {}
    for line in groups:
        requirement = Requirement(line)
        for name in [requirement.name, *requirement.extras]:  # dask[distributed]: both
            name = canonicalize_name(name)
            name = SAME_PACKAGE.get(name, name)
            found[name] = requirement.specifier if name == canonicalize_name(
                requirement.name) else SpecifierSet()
    return found


def test_environment_yml_names_every_dependency_make_installs_with_accepted_bounds():
    python, named = _environment()
    wanted = _requirements(PYPROJECT["dependencies"])
    for extra in _extras_make_installs():
        wanted.update(_requirements(PYPROJECT["optional-dependencies"][extra]))
    missing = sorted(set(wanted) - set(named))
    assert not missing, f"environment.yml lacks {missing} (pyproject.toml needs them)"
    for name, specifier in wanted.items():
        # the lowest version environment.yml allows must be one pyproject.toml accepts
        pins = [Version(s.version) for s in named[name] if s.operator in (">=", "==")]
        if specifier and pins:
            assert min(pins) in specifier, (name, str(named[name]), str(specifier))
        elif specifier:
            raise AssertionError(f"environment.yml gives {name} no lower bound; pyproject.toml "
                                 f"asks {specifier}")
    # the Python the README says is tested, which requires-python accepts
    tested = re.search(r"\((\d+\.\d+) tested\)", (PROJECT / "README.md").read_text())[1]
    assert python == tested
    assert Version(python) in SpecifierSet(PYPROJECT["requires-python"])


def test_environment_yml_names_nothing_the_package_does_not_use():
    _, named = _environment()
    declared = _requirements(PYPROJECT["dependencies"])
    for group in PYPROJECT["optional-dependencies"].values():
        declared.update(_requirements(group))
    build = {canonicalize_name(Requirement(r).name) for r in tomllib.loads(
        (PROJECT / "pyproject.toml").read_text())["build-system"]["requires"]}
    extra = sorted(set(named) - set(declared) - build - BUILD_TOOLS)
    assert not extra, f"environment.yml names {extra}, which pyproject.toml does not declare"


def _imported_top_levels():
    found = set()
    for path in (PROJECT / "mnist_clustering").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def test_every_runtime_dependency_is_imported_by_the_package():
    distributions = {}
    for module, names in packages_distributions().items():
        for name in names:
            distributions.setdefault(canonicalize_name(name), set()).add(module)
    imported = _imported_top_levels()
    unused = [line for line in PYPROJECT["dependencies"]
              if not distributions.get(canonicalize_name(Requirement(line).name), set()) & imported]
    assert not unused, f"pyproject.toml depends on {unused}, which the package never imports"
