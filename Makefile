# Two user-facing targets (see README.md): `make reproduce` and `make test`;
# `make report` (the report site) and `make lab` (JupyterLab) are conveniences.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS := .ci/constraints.txt
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
NBVAL := $(if $(NOTEBOOKS),--nbval $(NOTEBOOKS) --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg,)

.PHONY: reproduce test install data lab lock clean report

install: $(STAMP)

# scikit-learn-extra 0.3.0 ships wheels built for numpy 1 only: build it from source
# against the pinned numpy 2 (needs numpy, cython and setuptools installed first).
$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) numpy cython setuptools wheel
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) --no-build-isolation \
		--no-binary scikit-learn-extra scikit-learn-extra
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[dev,dask,spaces,docs]'
	touch $@

data: $(STAMP)
	$(BIN)/mnist-clustering data fetch

# The docstrings' examples run too (--doctest-modules over the package). The tests run in
# a random order (pytest-randomly), its seed printed first ("Using --randomly-seed=N");
# replay one with `make test PYTEST_ARGS=--randomly-seed=N`.
PYTEST_ARGS ?=
test: $(STAMP) data
	$(BIN)/python -m pytest -p randomly $(PYTEST_ARGS) tests mnist_clustering --doctest-modules $(NBVAL)

reproduce: $(STAMP) data
	$(BIN)/mnist-clustering reproduce

# The report site (Sphinx, MyST-NB): the notebooks' stored outputs, nothing re-run.
# build/report/ is the site; build/doctrees and build/jupyter_execute are Sphinx's.
report: $(STAMP)
	$(BIN)/python -m sphinx -b html -q -W --keep-going -d build/doctrees docs build/report
	@echo "make report: open build/report/index.html"

# JupyterLab refuses to start as root unless told --allow-root (e.g. in a container).
LAB_UID ?= $(shell id -u)
lab: $(STAMP) data
	$(if $(filter 0,$(LAB_UID)),@echo "make lab: running as root: passing --allow-root to JupyterLab")
	$(BIN)/jupyter lab $(if $(filter 0,$(LAB_UID)),--allow-root )notebooks/

# Refresh the pinned versions after changing dependencies in pyproject.toml.
lock: $(STAMP)
	{ echo "# Exact versions for 'make' (pip install -c). Regenerate: make lock"; \
	  $(BIN)/python -m pip freeze --all --exclude-editable | grep -v '^pip=='; } > $(CONSTRAINTS)

clean:
	rm -rf $(VENV)
